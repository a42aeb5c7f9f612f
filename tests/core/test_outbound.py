"""The outbound-request guard (SSRF, security review H3): resolved once, public addresses only
(100.64/10, 6to4, Teredo, IPv4-mapped, NAT64, multicast refused), connected to the resolved
address, standard ports only, no redirect followed, nothing of the answer's body shown."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("2606:4700:4700::1111", True),
    ("10.0.0.5", False), ("172.16.3.4", False), ("192.168.1.1", False), ("127.0.0.1", False),
    ("169.254.169.254", False),            # cloud metadata
    ("100.100.100.200", False),            # Alibaba Cloud metadata, in 100.64.0.0/10
    ("100.64.0.1", False), ("100.127.255.254", False),
    ("2002:a9fe:a9fe::1", False),          # 6to4 carrying 169.254.169.254
    ("2002:5db8:d822::1", True),           # 6to4 carrying a public address
    ("2001:0:4136:e378:8000:63bf:a247:27dd", True),   # Teredo whose client address is 93.184.216.34
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo whose client address is 192.0.2.45
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo whose client address is 10.0.0.1
    ("::ffff:10.0.0.1", False), ("::ffff:93.184.216.34", True),
    ("64:ff9b::a9fe:a9fe", False),         # NAT64 of 169.254.169.254
    ("224.0.0.1", False), ("ff02::1", False), ("0.0.0.0", False), ("::", False), ("::1", False),
    ("fc00::1", False), ("fe80::1", False), ("198.18.0.1", False), ("240.0.0.1", False),
])
def test_which_addresses_are_public(address, public):
    from portal.ops.outbound import is_public

    assert is_public(address) is public


def fake_dns(monkeypatch, answers):
    """getaddrinfo answering from ``answers`` (a list, one answer per call), counting the calls."""
    calls = []

    def getaddrinfo(host, port, *a, **kw):
        calls.append(host)
        ip = answers[min(len(calls), len(answers)) - 1]
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


@pytest.mark.parametrize("url, message", [
    ("https://hooks.example.com:8443/x", "port"),
    ("https://hooks.example.com:22/x", "port"),
    ("http://hooks.example.com/x", "https"),
    ("https://user:pw@hooks.example.com/x", "Credentials"),
])
def test_ports_schemes_and_credentials_are_refused(app, monkeypatch, url, message):
    from portal.ops.outbound import OutboundRefused, check_address

    fake_dns(monkeypatch, ["93.184.216.34"])
    with app.test_request_context(), pytest.raises(OutboundRefused, match=message):
        check_address(url)


@pytest.mark.parametrize("ip", ["100.100.100.200", "2002:a9fe:a9fe::1", "::ffff:127.0.0.1", "169.254.169.254"])
def test_a_name_that_resolves_inside_is_refused_at_registration(app, monkeypatch, factory, api_as, ip):
    fake_dns(monkeypatch, [ip])
    api = api_as(factory.user(factory.org("garage"), roles=("partner_admin",)))
    r = api.post("/webhooks", json={"url": "https://hooks.example.com/x", "password": PASSWORD})
    assert r.status_code == 422 and "url" in r.get_json()["error"]["details"]


def test_dns_rebinding_cannot_reach_inside_and_the_connection_goes_to_the_resolved_address(app, monkeypatch):
    """Public at registration, private at delivery: refused, nothing sent. Public at delivery:
    one resolution, the request goes to that address with the name as Host and TLS name."""
    import httpx

    from portal.ops import outbound

    calls = fake_dns(monkeypatch, ["93.184.216.34", "10.0.0.7"])
    sent = []

    def send(self, request, **kw):
        sent.append(request)
        return httpx.Response(204, request=request)

    monkeypatch.setattr(httpx.Client, "send", send)
    with app.test_request_context():
        assert outbound.check_address("https://hooks.example.com/x").ip == "93.184.216.34"   # registration
        with pytest.raises(outbound.OutboundRefused):                                       # rebinding
            outbound.post("https://hooks.example.com/x", b"{}", {}, 5)
        assert sent == []
        calls = fake_dns(monkeypatch, ["93.184.216.34", "10.0.0.7"])   # a fresh resolver: public first
        r = outbound.post("https://hooks.example.com/x?a=1", b"{}", {"X-Test": "1"}, 5)
    assert r.status_code == 204 and len(calls) == 1                        # resolved once
    req = sent[0]
    assert req.url.host == "93.184.216.34" and str(req.url).startswith("https://93.184.216.34/x?a=1")
    assert req.headers["Host"] == "hooks.example.com" and req.extensions["sni_hostname"] == "hooks.example.com"


class Redirector(BaseHTTPRequestHandler):
    hits = []

    def do_POST(self):   # noqa: N802
        Redirector.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()
        self.wfile.write(b"secret internal page")

    def log_message(self, *a):
        pass


def test_a_redirect_is_a_failed_delivery_and_nothing_of_the_body_is_shown(app, factory):
    import sqlalchemy as sa

    from portal.events import emit
    from portal.extensions import db
    from portal.ops import webhooks

    server = HTTPServer(("127.0.0.1", 0), Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(WEBHOOKS_ALLOW_HTTP=True, WEBHOOKS_ALLOW_PRIVATE=True,
                      OUTBOUND_ALLOWED_PORTS=[server.server_port])
    try:
        garage = factory.org("garage")
        endpoint, _secret = webhooks.create_endpoint(organization_id=garage.id,
                                                     url=f"http://127.0.0.1:{server.server_port}/hook",
                                                     events=[], actor=None)
        db.session.commit()
        emit("quote.approved", {"organization_id": garage.id, "quote_id": 1})
        db.session.commit()
        assert webhooks.deliver_due() == "0 delivered, 1 failed or rescheduled"
        delivery = db.session.scalars(sa.select(webhooks.WebhookDelivery)).one()
        assert delivery.last_status_code == 302 and delivery.last_error == "HTTP 302 (redirects are not followed)"
        assert Redirector.hits == ["/hook"]   # the Location was never asked for
    finally:
        server.shutdown()
        app.config.update(WEBHOOKS_ALLOW_HTTP=False, WEBHOOKS_ALLOW_PRIVATE=False, OUTBOUND_ALLOWED_PORTS=[])
        db.session.rollback()
