"""Secrets the portal must be able to read back (a webhook's signing key: HMAC needs the
key itself, so it cannot be hashed like a password) are stored sealed: Fernet
(AES-128-CBC + HMAC-SHA256) under a key derived from ``SECRET_KEY`` with HKDF.

Changing ``SECRET_KEY``: put the old value in ``SECRET_KEY_FALLBACKS`` (a list, or a JSON /
comma-separated string in ``PORTAL_SECRET_KEY_FALLBACKS``); sealed values open with any of
them and are sealed again with the new key the next time they are written. A database
copied without its key holds no usable webhook secret.
"""
from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

INFO = b"claims-portal sealed secrets v1"
PREFIX = "sealed:v1:"


class SealError(Exception):
    """A sealed value that none of the configured keys opens."""


def _fernet_for(secret_key: str | bytes) -> Fernet:
    raw = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(raw)
    return Fernet(base64.urlsafe_b64encode(key))


def _fallbacks(config) -> list:
    value = config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(value, str):
        value = value.strip()
        value = json.loads(value) if value.startswith("[") else [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _box(config=None) -> MultiFernet:
    config = config if config is not None else current_app.config
    return MultiFernet([_fernet_for(k) for k in [config["SECRET_KEY"], *_fallbacks(config)]])


def is_sealed(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def seal(plain: str, config=None) -> str:
    return PREFIX + _box(config).encrypt(plain.encode()).decode()


def unseal(sealed: str, config=None) -> str:
    if not is_sealed(sealed):
        raise SealError("not a sealed value")
    try:
        return _box(config).decrypt(sealed[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise SealError("the sealed value does not open with SECRET_KEY or SECRET_KEY_FALLBACKS") from None
