"""The shipment status vocabulary and the one table of transitions it allows.

Owns which status may follow which, on what kind of evidence, and which transitions the
mall hears about by webhook. Pure: no I/O, no clock. `decide` is the whole rule; the
service applies its answer. docs/orders.md renders the same table for people.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from core.errors import Conflict


class ShipmentStatus(StrEnum):
    CREATED = "created"
    PACKED = "packed"
    LOADED = "loaded"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ARRIVING = "arriving"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED = "returned"
    EXCEPTION = "exception"
    CANCELLED = "cancelled"


class EvidenceKind(StrEnum):
    EPCIS_EVENT = "epcis_event"  # a tag read turned EPCIS event at a read point
    GEOFENCE = "geofence"  # the vehicle carrying it entered or left a fence
    ROUTE_PLAN = "route_plan"  # a dispatched route has its stop
    PROOF_OF_DELIVERY = "proof_of_delivery"  # a driver's confirmation, or a tag read there
    MANUAL = "manual"  # a person: staff marking, or the mall cancelling


S = ShipmentStatus
K = EvidenceKind

# target status -> (statuses it may follow, evidence kinds that may cause it)
TRANSITIONS: dict[ShipmentStatus, tuple[frozenset[ShipmentStatus], frozenset[EvidenceKind]]] = {
    S.PACKED: (frozenset({S.CREATED, S.EXCEPTION}), frozenset({K.EPCIS_EVENT, K.MANUAL})),
    S.LOADED: (
        frozenset({S.CREATED, S.PACKED, S.EXCEPTION}),
        frozenset({K.EPCIS_EVENT, K.MANUAL}),
    ),
    S.IN_TRANSIT: (
        frozenset({S.LOADED, S.EXCEPTION}),
        frozenset({K.GEOFENCE, K.EPCIS_EVENT, K.MANUAL}),
    ),
    S.OUT_FOR_DELIVERY: (
        frozenset({S.LOADED, S.IN_TRANSIT, S.DELIVERY_FAILED, S.EXCEPTION}),
        frozenset({K.ROUTE_PLAN, K.MANUAL}),
    ),
    S.ARRIVING: (frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY}), frozenset({K.GEOFENCE})),
    S.DELIVERED: (
        frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.ARRIVING, S.DELIVERY_FAILED, S.EXCEPTION}),
        frozenset({K.PROOF_OF_DELIVERY, K.EPCIS_EVENT}),
    ),
    S.DELIVERY_FAILED: (
        frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.ARRIVING}),
        frozenset({K.PROOF_OF_DELIVERY, K.MANUAL}),
    ),
    S.RETURNED: (
        frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.ARRIVING, S.DELIVERY_FAILED, S.EXCEPTION}),
        frozenset({K.EPCIS_EVENT, K.MANUAL}),
    ),
    S.EXCEPTION: (
        frozenset(
            {
                S.CREATED,
                S.PACKED,
                S.LOADED,
                S.IN_TRANSIT,
                S.OUT_FOR_DELIVERY,
                S.ARRIVING,
                S.DELIVERY_FAILED,
            }
        ),
        frozenset({K.MANUAL, K.EPCIS_EVENT}),
    ),
    S.CANCELLED: (frozenset({S.CREATED, S.PACKED}), frozenset({K.MANUAL})),
}

TERMINAL = frozenset({S.DELIVERED, S.RETURNED, S.CANCELLED})
NOT_YET_LOADED = frozenset({S.CREATED, S.PACKED})

# How far along the way to the buyer a status is. Evidence for a status at or behind the
# current one is late news (a flushed GPS buffer, a second carton's packing read): it is
# kept in the timeline but moves nothing. `exception` and `cancelled` have no rank, so
# evidence behind them is refused rather than quietly absorbed.
PROGRESS: dict[ShipmentStatus, int] = {
    S.CREATED: 0,
    S.PACKED: 1,
    S.LOADED: 2,
    S.IN_TRANSIT: 3,
    S.OUT_FOR_DELIVERY: 4,
    S.ARRIVING: 5,
    S.DELIVERY_FAILED: 5,
    S.DELIVERED: 6,
    S.RETURNED: 7,
}

# The transitions the mall is told about. `shipped` is the first time the shipment leaves.
WEBHOOK_EVENTS: dict[ShipmentStatus, str] = {
    S.DELIVERED: "shipment.delivered",
    S.DELIVERY_FAILED: "shipment.delivery_failed",
    S.RETURNED: "shipment.returned",
}
SHIPPED_EVENT = "shipment.shipped"
ON_THE_WAY = frozenset(
    {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.ARRIVING, S.DELIVERED, S.DELIVERY_FAILED}
)


def allowed(current: ShipmentStatus, target: ShipmentStatus, kind: EvidenceKind) -> bool:
    if target not in TRANSITIONS:
        return False
    sources, kinds = TRANSITIONS[target]
    return current in sources and kind in kinds


def decide(
    current: ShipmentStatus,
    current_since: datetime,
    target: ShipmentStatus,
    kind: EvidenceKind,
    occurred_at: datetime,
) -> bool:
    """True: apply the transition; False: keep the evidence, change nothing (late news).

    Raises Conflict(code="invalid_transition") when the evidence may not cause `target`
    from `current`, may not cause `target` at all, or is a manual marking that would
    change nothing.
    """
    if target not in TRANSITIONS or kind not in TRANSITIONS[target][1]:
        raise Conflict(
            f"{kind} evidence cannot make a shipment {target}",
            code="invalid_transition",
            current=current,
            target=target,
        )
    rank, target_rank = PROGRESS.get(current), PROGRESS.get(target)
    if allowed(current, target, kind):
        # A loop back (a failed delivery going out again) or a resumption after an
        # exception needs evidence newer than the status it leaves; older evidence is the
        # earlier run, reported late.
        backwards = rank is not None and target_rank is not None and target_rank < rank
        resuming = current is S.EXCEPTION and target is not S.CANCELLED
        moves = not ((backwards or resuming) and occurred_at < current_since)
    elif target == current or (
        rank is not None and target_rank is not None and target_rank <= rank
    ):
        moves = False
    else:
        raise Conflict(
            f"a {current} shipment cannot become {target}",
            code="invalid_transition",
            current=current,
            target=target,
        )
    if not moves and kind is K.MANUAL:
        # A person marks the present: a marking that would move nothing is a mistake to
        # report, not late news to absorb.
        raise Conflict(
            f"the shipment is {current} since {current_since.isoformat()}; "
            f"marking it {target} would change nothing",
            code="invalid_transition",
            current=current,
            target=target,
        )
    return moves


def webhook_events(after: ShipmentStatus, already_shipped: bool) -> list[str]:
    """The webhook events a transition into `after` sends to the mall, in order.

    `shipped` goes out once, the first time the shipment is seen on its way, even when
    that first sighting is its delivery: the mall never hears of a delivery unshipped.
    """
    events = [SHIPPED_EVENT] if after in ON_THE_WAY and not already_shipped else []
    if after in WEBHOOK_EVENTS:
        events.append(WEBHOOK_EVENTS[after])
    return events


def markdown_table() -> str:
    """The transition table of docs/orders.md, rendered from `TRANSITIONS`."""
    order = list(ShipmentStatus)
    lines = ["| to | from | evidence |", "|---|---|---|"]
    for target, (sources, kinds) in TRANSITIONS.items():
        froms = ", ".join(f"`{s}`" for s in order if s in sources)
        evidence = ", ".join(f"`{k}`" for k in EvidenceKind if k in kinds)
        lines.append(f"| `{target}` | {froms} | {evidence} |")
    return "\n".join(lines)
