"""The status machine as a pure table: what it allows, absorbs, refuses and announces."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict
from orders import status
from orders.status import EvidenceKind as K
from orders.status import ShipmentStatus as S

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)

ALLOWED = [
    (source, target, kind)
    for target, (sources, kinds) in status.TRANSITIONS.items()
    for source in sorted(sources)
    for kind in sorted(kinds)
]
FORBIDDEN = [
    (source, target, kind)
    for source, target, kind in itertools.product(S, S, K)
    if not status.allowed(source, target, kind)
]


@pytest.mark.parametrize(("source", "target", "kind"), ALLOWED)
def test_every_allowed_transition_applies(source: S, target: S, kind: K) -> None:
    """Each (from, to, evidence kind) in the table moves the status on newer evidence."""
    assert status.decide(source, T0, target, kind, LATER) is True


@pytest.mark.parametrize(("source", "target", "kind"), FORBIDDEN)
def test_every_other_transition_is_absorbed_or_refused(source: S, target: S, kind: K) -> None:
    """Outside the table, automatic evidence is late news when it is behind the current
    status on the way to the buyer; anything else, and any manual marking, is refused with
    invalid_transition. Nothing outside the table moves a shipment."""
    kind_ok = target in status.TRANSITIONS and kind in status.TRANSITIONS[target][1]
    rank, target_rank = status.PROGRESS.get(source), status.PROGRESS.get(target)
    behind = (
        kind_ok
        and kind is not K.MANUAL
        and (
            target == source
            or (rank is not None and target_rank is not None and target_rank <= rank)
        )
    )
    if behind:
        assert status.decide(source, T0, target, kind, LATER) is False
    else:
        with pytest.raises(Conflict) as refused:
            status.decide(source, T0, target, kind, LATER)
        assert refused.value.code == "invalid_transition"


@pytest.mark.parametrize(
    ("source", "target", "kind"),
    [
        (S.CANCELLED, S.PACKED, K.EPCIS_EVENT),
        (S.LOADED, S.CANCELLED, K.MANUAL),
        (S.IN_TRANSIT, S.DELIVERED, K.GEOFENCE),
        (S.CREATED, S.OUT_FOR_DELIVERY, K.ROUTE_PLAN),
        (S.CREATED, S.DELIVERED, K.PROOF_OF_DELIVERY),
        (S.PACKED, S.ARRIVING, K.GEOFENCE),
        (S.EXCEPTION, S.CANCELLED, K.MANUAL),
        (S.DELIVERED, S.EXCEPTION, K.MANUAL),
        (S.CREATED, S.CREATED, K.MANUAL),
    ],
)
def test_forbidden_samples_are_refused(source: S, target: S, kind: K) -> None:
    """Hand-picked transitions a shipment must never make are refused with a clear code."""
    with pytest.raises(Conflict) as refused:
        status.decide(source, T0, target, kind, LATER)
    assert refused.value.code == "invalid_transition"


def test_late_evidence_is_absorbed() -> None:
    """A geofence exit flushed after the delivery, or a second carton's packing read, is
    kept as late news and moves nothing."""
    assert status.decide(S.DELIVERED, T0, S.IN_TRANSIT, K.GEOFENCE, LATER) is False
    assert status.decide(S.PACKED, T0, S.PACKED, K.EPCIS_EVENT, LATER) is False
    assert status.decide(S.DELIVERY_FAILED, T0, S.ARRIVING, K.GEOFENCE, LATER) is False


def test_a_manual_marking_that_moves_nothing_is_refused() -> None:
    """Staff marking a shipment packed while it is on the road is told so, not absorbed."""
    with pytest.raises(Conflict):
        status.decide(S.IN_TRANSIT, T0, S.PACKED, K.MANUAL, LATER)
    with pytest.raises(Conflict):
        status.decide(S.DELIVERY_FAILED, T0, S.OUT_FOR_DELIVERY, K.MANUAL, T0 - timedelta(1))


def test_loops_back_need_newer_evidence() -> None:
    """A failed delivery goes out again, and an exception resumes, only on evidence newer
    than the failure or the exception; older evidence is the earlier run, reported late."""
    earlier = T0 - timedelta(minutes=1)
    assert status.decide(S.DELIVERY_FAILED, T0, S.OUT_FOR_DELIVERY, K.ROUTE_PLAN, LATER)
    assert not status.decide(S.DELIVERY_FAILED, T0, S.OUT_FOR_DELIVERY, K.ROUTE_PLAN, earlier)
    assert status.decide(S.EXCEPTION, T0, S.LOADED, K.EPCIS_EVENT, LATER)
    assert not status.decide(S.EXCEPTION, T0, S.LOADED, K.EPCIS_EVENT, earlier)


def test_terminal_statuses_lead_nowhere() -> None:
    """Nothing follows delivered, returned or cancelled."""
    for target, (sources, _) in status.TRANSITIONS.items():
        assert not (sources & status.TERMINAL), target


@pytest.mark.parametrize(
    ("after", "shipped", "events"),
    [
        (S.IN_TRANSIT, False, ["shipment.shipped"]),
        (S.OUT_FOR_DELIVERY, False, ["shipment.shipped"]),
        (S.OUT_FOR_DELIVERY, True, []),
        (S.ARRIVING, True, []),
        (S.DELIVERED, True, ["shipment.delivered"]),
        (S.DELIVERED, False, ["shipment.shipped", "shipment.delivered"]),
        (S.DELIVERY_FAILED, True, ["shipment.delivery_failed"]),
        (S.RETURNED, True, ["shipment.returned"]),
        (S.RETURNED, False, ["shipment.returned"]),
        (S.PACKED, False, []),
        (S.EXCEPTION, True, []),
    ],
)
def test_webhook_events_of_a_transition(after: S, shipped: bool, events: list[str]) -> None:
    """The mall hears shipped once, first, then delivered, failed and returned."""
    assert status.webhook_events(after, shipped) == events
