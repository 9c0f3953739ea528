"""Device secrets: generated once, stored only as a hash, checked in constant time.

A device secret is 192 random bits, so a plain SHA-256 of it cannot be reversed by
guessing; a slow password KDF would only cost every HTTP ingest request its time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def matches(secret: str, stored_digest: bytes) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
