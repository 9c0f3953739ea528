"""Bearer secrets: long random strings of which only a SHA-256 digest is stored.

They carry 256 bits of randomness, so a fast digest is enough to keep them: there is
nothing to guess, unlike a person's password (see `passwords.py`). The readable prefix
tells a leaked string's kind at a glance (secret scanners look for such prefixes).
"""

from __future__ import annotations

import hashlib
import secrets

ACCESS_PREFIX = "wba_"
REFRESH_PREFIX = "wbr_"
API_KEY_PREFIX = "wbk_"


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_key_id() -> str:
    """The public, unique part of an API key: shown in lists and the audit log."""
    return secrets.token_hex(4)
