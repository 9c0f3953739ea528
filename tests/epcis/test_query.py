"""Query parameters of GET /events: checked, typed, schema-valid, and with one meaning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.epcis.schemas import query_validator, schema_errors
from tracking.epcis.builders import (
    BusinessRefs,
    ReadPointContext,
    aggregation_add_event,
    object_observe_event,
)
from tracking.epcis.errors import EpcisError, EpcisErrorCode
from tracking.epcis.query import matches, parse_query_params, query_json

DOOR = ReadPointContext("urn:epc:id:sgln:0614141.00777.3", None, "loading", "in_transit", "+08:00")
SEEN = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
CARTON = "urn:epc:id:sscc:0614141.1234567890"
OBSERVED = object_observe_event([CARTON], SEEN, DOOR, BusinessRefs(purchase_order="urn:x:po:1"))
PACKED = aggregation_add_event(CARTON, ["urn:epc:id:sgtin:0614141.812345.7"], SEEN, DOOR)


def test_parameters_become_a_typed_query_whose_body_validates() -> None:
    """Every supported parameter parses, and the query body validates against the schema."""
    q = parse_query_params(
        {
            "eventType": "ObjectEvent,AggregationEvent",
            "GE_eventTime": "2024-05-01T00:00:00 08:00",  # "+" decoded to a space
            "LT_eventTime": "2024-05-02T00:00:00Z",
            "GE_recordTime": "2024-05-01T00:00:00Z",
            "EQ_action": "OBSERVE",
            "EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-loading",
            "EQ_disposition": "in_transit",
            "EQ_readPoint": DOOR.read_point,
            "EQ_bizLocation": "urn:epc:id:sgln:0614141.00777.0",
            "MATCH_epc": ["urn:epc:idpat:sscc:0614141.*", CARTON],
            "MATCH_parentID": CARTON,
            "MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.812345.*",
            "EQ_eventID": OBSERVED.event_id,
            "perPage": "50",
            "nextPageToken": "abc",
        }
    )
    assert q.eq_biz_step == ("loading",) and q.per_page == 50
    assert schema_errors(query_validator(), query_json(q)) == []


@pytest.mark.parametrize(
    "params",
    [
        {"EQ_colour": "red"},
        {"eventType": "GossipEvent"},
        {"GE_eventTime": "yesterday"},
        {"GE_eventTime": "2024-05-02T00:00:00Z", "LT_eventTime": "2024-05-01T00:00:00Z"},
        {"EQ_bizStep": "teleporting"},
        {"MATCH_epc": "urn:epc:idpat:sgtin:*.812345.1"},
        {"perPage": "0"},
        {"perPage": "many"},
        {"EQ_readPoint": "door 3"},
    ],
)
def test_bad_parameters_have_a_named_error(params: dict) -> None:
    """Unknown or malformed parameters fail with code bad_query_parameter."""
    with pytest.raises(EpcisError) as info:
        parse_query_params(params)
    assert info.value.error_code is EpcisErrorCode.BAD_QUERY_PARAMETER


@pytest.mark.parametrize(
    ("params", "observed", "packed"),
    [
        ({}, True, True),
        ({"eventType": "AggregationEvent"}, False, True),
        ({"MATCH_epc": CARTON}, True, False),  # MATCH_epc looks at epcList and childEPCs
        ({"MATCH_parentID": CARTON}, False, True),
        ({"MATCH_anyEPC": CARTON}, True, True),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:0614141.812345.*"}, False, True),
        ({"EQ_action": "ADD"}, False, True),
        ({"GE_eventTime": "2024-05-01T10:00:00+08:00"}, True, True),
        ({"LT_eventTime": "2024-05-01T10:00:00+08:00"}, False, False),
        ({"EQ_bizStep": "loading,shipping"}, True, True),
        ({"EQ_readPoint": "urn:epc:id:sgln:0614141.00777.4"}, False, False),
    ],
)
def test_matching_semantics(params: dict, observed: bool, packed: bool) -> None:
    """Each parameter narrows the answer as the EPCIS SimpleEventQuery defines."""
    q = parse_query_params(params)
    assert (matches(q, OBSERVED), matches(q, PACKED)) == (observed, packed)
