"""Events built from observations, and every document we emit, are valid EPCIS 2.0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.epcis.schemas import epcis_validator, schema_errors
from tracking.epcis.builders import (
    BusinessRefs,
    ReadPointContext,
    aggregation_add_event,
    business_transaction_urn,
    object_observe_event,
)
from tracking.epcis.emit import epcis_document, epcis_query_document
from tracking.epcis.errors import EpcisError
from tracking.epcis.parse import parse_document
from tracking.epcis.vocabulary import BizStep, Disposition

DOCK = ReadPointContext(
    read_point="urn:epc:id:sgln:0614141.00777.3",
    biz_location="urn:epc:id:sgln:0614141.00777.0",
    biz_step=BizStep.LOADING,
    disposition=Disposition.IN_TRANSIT,
    time_zone_offset="+08:00",
)
PACKING = ReadPointContext(
    read_point="urn:epc:id:sgln:0614141.00777.9",
    biz_location="urn:epc:id:sgln:0614141.00777.0",
    biz_step=BizStep.PACKING,
    disposition=Disposition.IN_PROGRESS,
    time_zone_offset="+08:00",
)
REFS = BusinessRefs(
    purchase_order=business_transaction_urn("0614141000005", "MALL-ORDER-1001"),
    despatch_advice=business_transaction_urn("0614141000005", "DA-77"),
)
SEEN = datetime(2024, 5, 1, 2, 3, 4, 567_000, tzinfo=UTC)


def test_observe_event_is_written_in_the_read_points_offset() -> None:
    """The event time is the same instant, written with the read point's UTC offset."""
    event = object_observe_event(["urn:epc:id:sscc:0614141.1234567890"], SEEN, DOCK, REFS)
    assert event.json["eventTime"] == "2024-05-01T10:03:04.567+08:00"
    assert event.json["eventTimeZoneOffset"] == "+08:00"
    assert event.event_time == SEEN
    assert event.biz_transaction_ids("po") == (
        "urn:epcglobal:cbv:bt:0614141000005:MALL-ORDER-1001",
    )
    assert event.biz_transaction_ids("desadv") == ("urn:epcglobal:cbv:bt:0614141000005:DA-77",)


def test_the_same_observation_built_twice_has_one_event_id() -> None:
    """Building the event again from the same observation gives the same eventID."""
    epcs = ["urn:epc:id:sscc:0614141.1234567890", "urn:epc:id:sscc:0614141.1234567891"]
    first = object_observe_event(epcs, SEEN, DOCK, REFS)
    again = object_observe_event(list(reversed(epcs)), SEEN.astimezone(), DOCK, REFS)
    assert first.event_id == again.event_id == first.hash_id


def test_aggregation_add_names_the_carton_and_its_items() -> None:
    """Packing gives an AggregationEvent ADD with the SSCC parent and SGTIN children."""
    items = [f"urn:epc:id:sgtin:0614141.812345.{n}" for n in range(3)]
    event = aggregation_add_event("urn:epc:id:sscc:0614141.1234567890", items, SEEN, PACKING, REFS)
    assert (event.json["type"], event.json["action"]) == ("AggregationEvent", "ADD")
    assert event.parent_id == "urn:epc:id:sscc:0614141.1234567890"
    assert event.child_epcs == tuple(items)


@pytest.mark.parametrize(
    "build",
    [
        lambda: object_observe_event([], SEEN, DOCK),
        lambda: object_observe_event(["3074257bf7194e4000001a85"], SEEN, DOCK),
        lambda: object_observe_event(
            ["urn:epc:id:sscc:0614141.1234567890"], SEEN.replace(tzinfo=None), DOCK
        ),
        lambda: aggregation_add_event(
            "urn:epc:id:sgtin:0614141.812345.1",
            ["urn:epc:id:sgtin:0614141.812345.2"],
            SEEN,
            PACKING,
        ),
        lambda: business_transaction_urn("0614141000006", "PO-1"),
    ],
)
def test_impossible_observations_are_refused(build) -> None:  # noqa: ANN001
    """Observations without EPCs, with raw hex, naive times or a bad GLN are refused."""
    with pytest.raises(EpcisError):
        build()


@settings(max_examples=40, deadline=None)
@given(
    serials=st.lists(st.integers(0, 2**38 - 1), min_size=1, max_size=20, unique=True),
    seconds=st.integers(0, 10**9),
    offset=st.sampled_from(["+08:00", "+00:00", "-03:30", "+14:00"]),
    step=st.sampled_from(list(BizStep)),
)
def test_built_and_emitted_documents_validate(
    serials: list[int], seconds: int, offset: str, step: BizStep
) -> None:
    """Any built event, emitted in an EPCISDocument or EPCISQueryDocument, validates."""
    ctx = ReadPointContext(DOCK.read_point, DOCK.biz_location, step, None, offset)
    when = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    sscc = [f"urn:epc:id:sscc:0614141.{s % 10**10:010d}" for s in serials]
    sgtin = [f"urn:epc:id:sgtin:0614141.812345.{s}" for s in serials]
    events = [
        object_observe_event(sscc, when, ctx, REFS),
        aggregation_add_event(sscc[0], sgtin, when, ctx, REFS),
    ]
    doc = epcis_document(events, creation_date=when)
    query = epcis_query_document(events, creation_date=when, subscription_id="s-1")
    assert schema_errors(epcis_validator(), doc) == []
    assert schema_errors(epcis_validator(), query) == []
    assert [e.event_id for e in parse_document(doc).events] == [e.event_id for e in events]
