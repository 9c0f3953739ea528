"""The CBV 2.0 event hash ID: published reference values, and the invariances it promises."""

from __future__ import annotations

import copy
import hashlib
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.epcis.hash_vectors import SENSOR_EVENT, SENSOR_EVENT_REF_VOC_HASH, VECTORS
from tracking.epcis.hashing import event_hash_id, pre_hash_string
from tracking.epcis.parse import parse_event
from tracking.epcis.timestamps import hash_time


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_reference_vectors(name: str) -> None:
    """Our hash ID equals the reference implementation's published CBV 2.0 expected value."""
    event, namespaces, expected = VECTORS[name]
    assert event_hash_id(event, namespaces) == f"ni:///sha-256;{expected}?ver=CBV2.0"


def test_shipping_pre_hash_string_matches_the_published_one() -> None:
    """The pre-hash string itself matches the published one, character for character."""
    event, namespaces, _ = VECTORS["ShippingAndTransporting/departing"]
    assert pre_hash_string(event, namespaces) == (
        "eventType=ObjectEventeventTime=2022-02-16T11:50:00.000ZeventTimeZoneOffset=+01:00"
        "epcListepc=https://id.gs1.org/00/140123451122233341action=OBSERVE"
        "bizStep=https://ref.gs1.org/cbv/BizStep-departing"
        "readPointid=https://id.gs1.org/414/4012345000221"
        "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-desadv"
        "bizTransaction=urn:epcglobal:cbv:bt:4012345000009:ASN1099"
        "sourceListtype=https://ref.gs1.org/cbv/SDT-possessing_party"
        "source=https://id.gs1.org/417/4012345000009"
        "destinationListtype=https://ref.gs1.org/cbv/SDT-possessing_party"
        "destination=https://id.gs1.org/417/4023333000000"
    )


def test_sensor_event_differs_from_the_reference_only_by_the_gs1_vocabulary_namespace() -> None:
    """Sensor data hashes as the reference does, but with the EPCIS 2.0 gs1: namespace."""
    text = pre_hash_string(SENSOR_EVENT)
    assert "type=https://gs1.org/voc/Dimensionless" in text
    moved = text.replace("https://gs1.org/voc/", "https://ref.gs1.org/voc/")
    assert hashlib.sha256(moved.encode()).hexdigest() == SENSOR_EVENT_REF_VOC_HASH


@pytest.mark.parametrize(
    ("written", "hashed"),
    [
        ("2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z"),
        ("2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z"),
        ("2005-04-03T20:33:31.116000-06:00", "2005-04-04T02:33:31.116Z"),
        ("2020-07-03T09:00:00.0Z", "2020-07-03T09:00:00.000Z"),
        ("2020-07-03T09:00:00+08:00", "2020-07-03T01:00:00.000Z"),
        ("2023-12-31T23:59:59.9996Z", "2024-01-01T00:00:00.000Z"),
    ],
)
def test_hash_time_normalisation(written: str, hashed: str) -> None:
    """Times hash in UTC with three fraction digits, rounded half-up, carrying over."""
    assert hash_time(written) == hashed


BASE = VECTORS["ShippingAndTransporting/departing"][0]


def test_record_time_event_id_and_error_declaration_do_not_change_the_hash() -> None:
    """Fields a repository or a later correction adds leave the hash ID as it was."""
    changed = copy.deepcopy(BASE)
    changed["recordTime"] = "2030-01-01T00:00:00Z"
    changed["eventID"] = "urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    changed["errorDeclaration"] = {"declarationTime": "2030-01-02T00:00:00Z"}
    assert event_hash_id(changed) == event_hash_id(BASE)


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.update(eventTime="2022-02-16T12:50:00.001+01:00"),
        lambda e: e.update(eventTimeZoneOffset="+02:00"),
        lambda e: e["epcList"].append("urn:epc:id:sscc:4012345.1112223335"),
        lambda e: e.update(bizStep="shipping"),
        lambda e: e.update(disposition="in_transit"),
        lambda e: e["readPoint"].update(id="urn:epc:id:sgln:4012345.00022.1"),
        lambda e: e["bizTransactionList"][0].update(type="po"),
        lambda e: e.update({"example:note": "x"}),
    ],
)
def test_any_change_of_content_changes_the_hash(change) -> None:  # noqa: ANN001
    """Changing, adding or removing any hashed value gives a different hash ID."""
    changed = copy.deepcopy(BASE)
    change(changed)
    assert event_hash_id(changed, {"example": "https://example.com/"}) != event_hash_id(BASE)


serials = st.lists(st.integers(0, 10**6), min_size=1, max_size=6, unique=True)
offsets = st.sampled_from(["+00:00", "+08:00", "-05:00", "+05:30", "-11:00"])


@settings(max_examples=60, deadline=None)
@given(
    serials=serials,
    millis=st.integers(0, 10**12),
    offset=offsets,
    written_in=offsets,
    seed=st.integers(0, 2**32 - 1),
)
def test_same_event_captured_twice_gets_the_same_event_id(
    serials: list[int], millis: int, offset: str, written_in: str, seed: int
) -> None:
    """Two serialisations of one event (key order, list order, offset written in, CBV form,
    EPC URN or Digital Link) get one eventID."""
    rng = random.Random(seed)
    moment = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    epcs = [f"urn:epc:id:sgtin:0614141.812345.{s}" for s in serials]
    first = {
        "type": "ObjectEvent",
        "eventTime": moment.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": offset,
        "epcList": epcs,
        "action": "OBSERVE",
        "bizStep": "loading",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.1"},
        "bizLocation": {"id": "urn:epc:id:sgln:0614141.00777.0"},
        "bizTransactionList": [
            {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000005:PO-77"},
            {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000005:DA-3"},
        ],
    }
    second = copy.deepcopy(first)
    sign = -1 if written_in[0] == "-" else 1
    tz = timezone(sign * timedelta(hours=int(written_in[1:3]), minutes=int(written_in[4:6])))
    second["eventTime"] = moment.astimezone(tz).isoformat(timespec="microseconds")
    second["epcList"] = [
        f"https://id.gs1.org/01/80614141123458/21/{s}"
        if rng.random() < 0.5
        else f"urn:epc:id:sgtin:0614141.812345.{s}"
        for s in serials
    ]
    rng.shuffle(second["epcList"])
    rng.shuffle(second["bizTransactionList"])
    second["bizStep"] = rng.choice(
        ["loading", "https://ref.gs1.org/cbv/BizStep-loading", "urn:epcglobal:cbv:bizstep:loading"]
    )
    items = list(second.items())
    rng.shuffle(items)
    second = dict(items)
    assert parse_event(second).event_id == parse_event(first).event_id
    assert parse_event(first).event_id == parse_event(first).event_id
