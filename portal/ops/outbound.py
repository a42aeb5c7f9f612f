"""The one guard for every request the portal sends out (webhook deliveries): no request ever
reaches the insurer's own network or a cloud's metadata service (SSRF).

- The host is resolved **once**; every address it resolves to must be public
  (``ipaddress`` ``is_global``: 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10 — the
  carrier-grade NAT range where cloud metadata services answer —, fc00::/7, fe80::/10 and reserved
  ranges are not), and an IPv6 form that carries an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64)
  is judged by that IPv4 address; multicast is refused.
- The connection goes to that resolved address (the name is sent as ``Host`` and as the TLS
  server name, and the certificate is checked against it): a second resolution, which DNS
  rebinding would answer differently, never happens.
- Only port 443 (and 80 where plain HTTP is allowed), plus ``OUTBOUND_ALLOWED_PORTS``.
- Redirects are not followed: a 3xx is a failed delivery.
- What the other side answered is never shown beyond a short status line.

``WEBHOOKS_ALLOW_PRIVATE`` (tests, a closed private deployment) lets private addresses through;
everything else still holds.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from flask import current_app

if TYPE_CHECKING:   # httpx is imported when a request is sent, not at start-up (issue 26)
    import httpx

NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(Exception):
    """The address may not be called; the message is safe to show to the partner."""


@dataclass(frozen=True)
class Target:
    url: str          # the address as registered
    host: str         # the name (Host header, TLS server name)
    ip: str           # the one address the connection goes to
    port: int
    scheme: str


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]   # the client's address
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """May the portal call this address? Global unicast only, judged on any IPv4 it carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_multicast or ip.is_unspecified:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return is_public(str(inner))
    return ip.is_global


def allowed_ports() -> set[int]:
    cfg = current_app.config
    ports = {443} | ({80} if cfg.get("WEBHOOKS_ALLOW_HTTP") else set())
    return ports | {int(p) for p in cfg.get("OUTBOUND_ALLOWED_PORTS") or ()}


def check_address(url: str) -> Target:
    """Parse and resolve ``url`` once; refuse what the rules above refuse."""
    cfg = current_app.config
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OutboundRefused("Give a full https:// address.")
    if parts.scheme == "http" and not cfg.get("WEBHOOKS_ALLOW_HTTP"):
        raise OutboundRefused("Webhook endpoints must use https://.")
    if parts.username or parts.password:
        raise OutboundRefused("Credentials in the address are not allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OutboundRefused("The port is not valid.") from None
    if port not in allowed_ports():
        raise OutboundRefused("This port is not allowed: use the standard HTTPS port 443.")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise OutboundRefused("The host name does not resolve.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise OutboundRefused("The host name does not resolve.")
    if not cfg.get("WEBHOOKS_ALLOW_PRIVATE") and not all(is_public(a) for a in addresses):
        raise OutboundRefused("The address points into a private network.")
    return Target(url=parts.geturl(), host=parts.hostname, ip=addresses[0], port=port, scheme=parts.scheme)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> httpx.Response:
    """POST ``body`` to ``url`` under the rules above; raises :class:`OutboundRefused` or
    ``httpx.HTTPError``. The response is answered as it came (a 3xx is not followed)."""
    import httpx

    target = check_address(url)
    parts = urlsplit(target.url)
    ip = f"[{target.ip}]" if ":" in target.ip else target.ip
    default = 443 if target.scheme == "https" else 80
    netloc = ip if target.port == default else f"{ip}:{target.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = target.host if target.port == default else f"{target.host}:{target.port}"
    with httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False) as client:
        request = client.build_request("POST", pinned, content=body, headers={**headers, "Host": host_header},
                                       extensions={"sni_hostname": target.host})
        return client.send(request)


def status_line(response: httpx.Response | None = None, error: Exception | None = None) -> str:
    """What a partner is shown of an attempt: never the other side's body."""
    import httpx

    if response is not None:
        if 300 <= response.status_code < 400:
            return f"HTTP {response.status_code} (redirects are not followed)"
        return f"HTTP {response.status_code}"
    if isinstance(error, OutboundRefused):
        return f"refused: {error}"
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    return "request failed"
