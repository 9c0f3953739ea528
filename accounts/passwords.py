"""People's passwords: argon2id (argon2-cffi), parameters from settings, rehash on login
when they change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import InvalidInput
from core.settings import AuthSettings


class Passwords:
    def __init__(self, settings: AuthSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=1,
        )
        self._min_length = settings.password_min_length
        # Verified against when the username is unknown, so both cases take as long.
        self._decoy = self._hasher.hash("decoy password of no one")

    def hash(self, password: str) -> str:
        if len(password) < self._min_length:
            raise InvalidInput(
                f"a password needs at least {self._min_length} characters",
                code="weak_password",
            )
        if len(password) > 1024:
            raise InvalidInput("a password may have at most 1024 characters", code="weak_password")
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)
