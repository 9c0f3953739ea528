"""Properties that hold for any input: decoders never fail except by `Rejected`, and EPC
conversions round-trip."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.formats import FORMATS, tagfields
from ingest.records import DeviceEvent, Ignored, Position, Rejected, TagRead
from ingest.validate import validate
from tests.ingest.formats.support import LIMITS, NOW, fixture_files, topic_for

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # a fixed seed: the same examples on every run
    suppress_health_check=[HealthCheck.too_slow],
)
FORMAT_NAMES = st.sampled_from(sorted(FORMATS))

# Field names the decoders look for, so generated JSON reaches past the first schema check.
KEYS = [
    "_type", "ts", "lat", "lon", "tst", "speed_kmh", "heading", "points", "reads", "epc",
    "antenna", "rssi", "count", "seq", "data", "type", "timestamp", "idHex", "eventNum",
    "format", "peakRssi", "eventType", "tagInventoryEvent", "overflowEvent", "epcHex",
    "antennaPort", "peakRssiCdbm", "lastSeenTime", "device_id", "location", "coords",
    "latitude", "longitude", "speed", "mock", "rpt", "spd", "bear", "id", "created_at",
]  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "epc", "SIMPLE", "tagInventory", "2026-11-24T00:00:00Z", "hf", "ab"])
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=25,
)
QUERY = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "id",
                "deviceid",
                "lat",
                "lon",
                "location",
                "timestamp",
                "speed",
                "bearing",
                "valid",
                "altitude",
                "x",
            ]
        ),  # fmt: skip
        st.text(max_size=20) | st.sampled_from(["1377177267", "60.0", "60,30", "1e999", "%FF"]),
    ),
    max_size=8,
).map(lambda pairs: ("/?" + "&".join(f"{k}={v}" for k, v in pairs)).encode("utf-8", "replace"))
SAMPLES = [path.read_bytes() for path in fixture_files("ok-")]


@st.composite
def mutated_samples(draw: st.DrawFn) -> bytes:
    sample = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(sample) - 1))
        sample[index] = draw(st.integers(0, 255))
    return bytes(sample)


PAYLOADS = (
    st.binary(max_size=300)
    | JSON_VALUES.map(lambda value: json.dumps(value).encode())
    | st.lists(JSON_VALUES, min_size=2, max_size=3).map(
        lambda values: "\n".join(json.dumps(v) for v in values).encode()
    )
    | QUERY
    | mutated_samples()
)


def _records_or_rejected(format_name: str, payload: bytes) -> None:
    try:
        records = FORMATS[format_name](payload, topic_for(format_name), NOW)
    except Rejected:
        return
    assert isinstance(records, list)
    assert all(
        isinstance(r, Position | TagRead | DeviceEvent | Ignored | Rejected) for r in records
    )
    validate(records, NOW, LIMITS)  # validation must not raise either


@SETTINGS
@given(format_name=FORMAT_NAMES, payload=PAYLOADS)
def test_any_bytes_give_records_or_rejected(format_name: str, payload: bytes) -> None:
    """Any bytes given to any decoder give records or `Rejected`, never another exception."""
    _records_or_rejected(format_name, payload)


@SETTINGS
@given(raw=st.binary(min_size=1, max_size=62), urlsafe=st.booleans(), padded=st.booleans())
def test_base64_epc_round_trips(raw: bytes, urlsafe: bool, padded: bool) -> None:
    """Bytes sent as base64 (standard or URL-safe, padded or not) come back as their hex."""
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
    if not padded:
        text = text.rstrip("=")
    assert tagfields.epc_from_base64(text) == raw.hex().upper()


@SETTINGS
@given(raw=st.binary(min_size=1, max_size=62))
def test_hex_epc_round_trips(raw: bytes) -> None:
    """Hex in either case comes back upper case, and decodes to the same bytes."""
    epc = tagfields.epc_from_hex(raw.hex())
    assert epc == raw.hex().upper() and bytes.fromhex(epc) == raw


@SETTINGS
@given(cdbm=st.integers(min_value=-13000, max_value=3300))
def test_impinj_centi_dbm_become_dbm(cdbm: int) -> None:
    """peakRssiCdbm is divided by 100 once, whatever its value."""
    event = {
        "timestamp": "2026-11-24T00:00:00Z",
        "eventType": "tagInventory",
        "tagInventoryEvent": {"epcHex": "3074257BF7194E4000001A85", "peakRssiCdbm": cdbm},
    }
    (read,) = FORMATS["impinj"](json.dumps(event).encode(), "t", NOW)
    assert isinstance(read, TagRead) and read.rssi_dbm == cdbm / 100
