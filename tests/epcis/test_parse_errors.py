"""Invalid EPCIS input fails with a named error code and the path of the faulty value."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.errors import InvalidInput
from tracking.epcis.errors import EpcisError, EpcisErrorCode
from tracking.epcis.parse import parse_document, parse_event

GOOD: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2024-05-01T10:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.1"},
    "bizTransactionList": [
        {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000005:1"}
    ],
}


def _with(**changes: Any) -> dict[str, Any]:
    event = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            event.pop(key, None)
        else:
            event[key] = value
    return event


CASES = [
    ("missing time", _with(eventTime=None), EpcisErrorCode.MISSING_FIELD, "$"),
    (
        "time without offset",
        _with(eventTime="2024-05-01T10:00:00"),
        EpcisErrorCode.BAD_TIMESTAMP,
        "$.eventTime",
    ),
    (
        "impossible date",
        _with(eventTime="2024-02-30T10:00:00Z"),
        EpcisErrorCode.BAD_TIMESTAMP,
        "$.eventTime",
    ),
    (
        "offset",
        _with(eventTimeZoneOffset="+8"),
        EpcisErrorCode.BAD_TIME_ZONE_OFFSET,
        "$.eventTimeZoneOffset",
    ),
    ("action", _with(action="LOOK"), EpcisErrorCode.BAD_ACTION, "$.action"),
    ("no action", _with(action=None), EpcisErrorCode.MISSING_FIELD, "$"),
    ("event type", _with(type="GossipEvent"), EpcisErrorCode.UNKNOWN_EVENT_TYPE, "$.type"),
    ("bizStep word", _with(bizStep="teleporting"), EpcisErrorCode.UNKNOWN_VOCABULARY, "$.bizStep"),
    (
        "bizStep under CBV",
        _with(bizStep="https://ref.gs1.org/cbv/BizStep-x"),
        EpcisErrorCode.UNKNOWN_VOCABULARY,
        "$.bizStep",
    ),
    (
        "epc not a URI",
        _with(epcList=["3074257bf7194e4000001a85"]),
        EpcisErrorCode.BAD_URI,
        "$.epcList[0]",
    ),
    (
        "epc twice",
        _with(epcList=["urn:epc:id:sscc:0614141.1234567890"] * 2),
        EpcisErrorCode.BAD_URI,
        "$.epcList",
    ),
    (
        "epcList type",
        _with(epcList="urn:epc:id:sscc:0614141.1234567890"),
        EpcisErrorCode.WRONG_TYPE,
        "$.epcList",
    ),
    (
        "readPoint id",
        _with(readPoint={"name": "door 3"}),
        EpcisErrorCode.FIELD_NOT_ALLOWED,
        "$.readPoint",
    ),
    ("unknown field", _with(colour="red"), EpcisErrorCode.FIELD_NOT_ALLOWED, "$"),
    ("field of another type", _with(childEPCs=[]), EpcisErrorCode.FIELD_NOT_ALLOWED, "$"),
    ("no what", _with(epcList=None), EpcisErrorCode.MISSING_FIELD, "$"),
    (
        "ilmd on OBSERVE",
        _with(ilmd={"example:lot": "1"}),
        EpcisErrorCode.FIELD_NOT_ALLOWED,
        "$.ilmd",
    ),
    (
        "btt",
        _with(bizTransactionList=[{"type": "bribe", "bizTransaction": "urn:x:1"}]),
        EpcisErrorCode.UNKNOWN_VOCABULARY,
        "$.bizTransactionList[0].type",
    ),
    (
        "bt missing id",
        _with(bizTransactionList=[{"type": "po"}]),
        EpcisErrorCode.MISSING_FIELD,
        "$.bizTransactionList[0]",
    ),
    (
        "quantity",
        _with(quantityList=[{"epcClass": "urn:epc:class:lgtin:4012345.012345.1", "quantity": "3"}]),
        EpcisErrorCode.BAD_QUANTITY,
        "$.quantityList[0].quantity",
    ),
    (
        "uom",
        _with(
            quantityList=[
                {"epcClass": "urn:epc:class:lgtin:4012345.012345.1", "quantity": 3, "uom": "kg"}
            ]
        ),
        EpcisErrorCode.BAD_QUANTITY,
        "$.quantityList[0].uom",
    ),
    ("eventID", _with(eventID="not a uri"), EpcisErrorCode.BAD_URI, "$.eventID"),
]


@pytest.mark.parametrize(("name", "event", "code", "path"), CASES, ids=[c[0] for c in CASES])
def test_invalid_event_has_a_named_error(
    name: str, event: dict, code: EpcisErrorCode, path: str
) -> None:
    """Each kind of invalid event raises EpcisError with its own code and the value's path."""
    with pytest.raises(EpcisError) as info:
        parse_event(event)
    assert (info.value.error_code, info.value.path) == (code, path)
    assert isinstance(info.value, InvalidInput) and info.value.code == code.value


def test_good_event_parses() -> None:
    """The baseline of the error cases is itself valid."""
    assert parse_event(GOOD).biz_transaction_ids("po") == ("urn:epcglobal:cbv:bt:0614141000005:1",)


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (
            {"type": "AggregationEvent", "action": "ADD", "childEPCs": ["urn:x:1"]},
            EpcisErrorCode.MISSING_FIELD,
        ),
        (
            {"type": "AssociationEvent", "action": "OBSERVE", "childEPCs": ["urn:x:1"]},
            EpcisErrorCode.MISSING_FIELD,
        ),
        (
            {"type": "TransactionEvent", "action": "ADD", "epcList": ["urn:x:1"]},
            EpcisErrorCode.MISSING_FIELD,
        ),
        (
            {"type": "TransformationEvent", "inputEPCList": ["urn:x:1"]},
            EpcisErrorCode.MISSING_FIELD,
        ),
    ],
)
def test_each_type_needs_its_what(event: dict, code: EpcisErrorCode) -> None:
    """Aggregations that add name a parent, transactions name a business transaction,
    transformations name inputs and outputs."""
    event = {"eventTime": "2024-05-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", **event}
    with pytest.raises(EpcisError) as info:
        parse_event(event)
    assert info.value.error_code is code


DOC = {
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2024-05-01T10:00:00Z",
    "epcisBody": {"eventList": [GOOD]},
}


@pytest.mark.parametrize(
    ("data", "code", "path"),
    [
        (b"{not json", EpcisErrorCode.NOT_JSON, "$"),
        (b"\xff\xfe", EpcisErrorCode.NOT_JSON, "$"),
        (b'{"a": NaN}', EpcisErrorCode.NOT_JSON, "$"),
        (b"[]", EpcisErrorCode.WRONG_TYPE, "$"),
        ({**DOC, "type": "EPCISQueryDocument"}, EpcisErrorCode.WRONG_DOCUMENT_TYPE, "$.type"),
        ({**DOC, "schemaVersion": "1.2"}, EpcisErrorCode.UNSUPPORTED_SCHEMA_VERSION, "$"),
        ({k: v for k, v in DOC.items() if k != "@context"}, EpcisErrorCode.MISSING_FIELD, "$"),
        (
            {**DOC, "epcisBody": {"eventList": [GOOD, _with(action="X")]}},
            EpcisErrorCode.BAD_ACTION,
            "$.epcisBody.eventList[1].action",
        ),
    ],
)
def test_invalid_document_has_a_named_error(data: Any, code: EpcisErrorCode, path: str) -> None:
    """A broken document fails as a whole, naming the code and the first faulty value."""
    with pytest.raises(EpcisError) as info:
        parse_document(data)
    assert (info.value.error_code, info.value.path) == (code, path)
