"""Who is calling, and the roles there are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PersonRole = Literal["admin", "dispatcher", "seller", "buyer"]
Role = Literal["admin", "dispatcher", "seller", "buyer", "integration"]
PERSON_ROLES: tuple[str, ...] = ("admin", "dispatcher", "seller", "buyer")
ROLES: tuple[str, ...] = (*PERSON_ROLES, "integration")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling. A seller acts for one shop, a buyer for one buyer of the mall; every
    query that returns someone's data is scoped by these in the query itself.

    `subject` is a username, or `key:<prefix>` for an API key; `session_pk` is set for a
    signed-in person (logout ends that session)."""

    subject: str
    role: str
    shop_id: str | None = None
    buyer_id: str | None = None
    session_pk: int | None = None
