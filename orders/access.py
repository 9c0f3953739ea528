"""Who may do what with orders and shipments, and whose rows each caller sees.

The one place where roles meet this domain. Routers check the role sets; every read
passes `scope_for(...)` down to the store, which applies it inside the query. Anything
unexpected (a seller token without a shop, an unknown role) sees nothing.
"""

from __future__ import annotations

from orders.models import Scope

STAFF = ("admin", "dispatcher")
INTAKE = ("integration", "admin")  # the mall takes orders; admins may, for repairs
ORDER_CHANGES = ("integration", "admin", "dispatcher")  # cancel, re-address
READERS = ("admin", "dispatcher", "integration", "seller", "buyer")
EVIDENCE = STAFF  # proof of delivery, manual markings, cartons

_SEES_ALL = frozenset({"admin", "dispatcher", "integration"})


def scope_for(role: str, shop_id: str | None, buyer_id: str | None) -> Scope:
    if role in _SEES_ALL:
        return Scope("everyone")
    if role == "seller":
        return Scope("shop", shop_id)
    if role == "buyer":
        return Scope("buyer", buyer_id)
    return Scope("shop", None)
