"""The OsmAnd protocol as Traccar Client and other tracking apps send it over HTTP.

Two variants, told apart by the payload (a JSON body starts with `{`):

* **Query string** (OsmAnd, Traccar Client < 9, many trackers): the raw request target or
  form body, e.g. `/?id=123&lat=60.0&lon=30.0&timestamp=1377177267&speed=0.0`. Device id
  in `id` or `deviceid`; position in `lat` + `lon` or `location=lat,lon`; course in
  `bearing` or `heading`; `altitude` and `accuracy` in metres; `speed` in **knots** (as
  Traccar reads it unless configured otherwise). `timestamp` is epoch seconds, epoch
  milliseconds (Traccar's rule: below 2^31-1 it is seconds), ISO-8601, or
  `yyyy-MM-dd HH:mm:ss`, which Traccar reads in the server's zone and we read as UTC.
  Without a timestamp the fix time is the received time, as in Traccar. A key given twice
  keeps its last value; empty values are skipped; `batt` is the battery in percent; keys we
  have no field for (`hdop`, `cell`, `wifi`, vehicle attributes...) are ignored.
* **JSON** (Traccar Client >= 9, the Transistorsoft background-geolocation body):
  `{"device_id", "location": {"timestamp", "coords": {"latitude", "longitude", "speed"
  (m/s), "heading", "accuracy", "altitude"}, "mock"?, "battery": {"level" (0-1)}?...}}`;
  `location` may also
  be a list (the plugin's batch sync). A negative speed, heading or accuracy means unknown.

Decisions, following Traccar where it has one:

* The HTTP endpoint authenticates the device and passes the topic `osmand/{device_id}`;
  an id in the payload that names another device is `topic_mismatch`. The topic `osmand/`
  with no id (what `waybill decode` passes by default) skips that check.
* No id at all: Traccar answers 400 and decodes nothing, so we reject (`missing_field`).
* An id but no position (only `cell`/`wifi`, or JSON without `coords`): Traccar stores the
  device's last known location again, marked outdated. We have nothing new to store and
  do not resolve cells, so the message is `Ignored("osmand_no_location")`: the vehicle's
  latest position stays what it was.
* `valid=false` (a tracker saying it has no fix) is ignored the same way.
* A mock location (`"mock": true`, set by simulators and mock-location apps) is rejected
  as `no_fix` and kept as a dead letter, since a fake position must not move a vehicle.

Pure: the received time comes in as an argument.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qsl

import msgspec

from ingest.formats import battery, jsonbody, timeparse
from ingest.records import Ignored, Position, Reason, Record, Rejected

TOPIC_PREFIX = "osmand/"
KNOTS_TO_MPS = 1852 / 3600
_INT32_MAX = 2**31 - 1  # Traccar multiplies an epoch below this by 1000 (seconds -> ms)
# Java's Double.parseDouble, minus NaN/Infinity/hex; Python's float() would also take "1_0".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
# An epoch in ms has 13 digits; longer digit strings are not epochs (and int() of a few
# thousand digits raises).
_INTEGER = re.compile(r"-?[0-9]{1,19}", re.ASCII)
_ID_KEYS = ("id", "deviceid")
_NO_LOCATION = "osmand_no_location"


def decode(payload: bytes, topic: str, received_at: datetime) -> list[Record]:
    expected = _expected_device(topic)
    if payload.lstrip()[:1] == b"{":
        return _decode_json(payload, expected)
    return [_decode_query(payload, expected, received_at)]


def _expected_device(topic: str) -> str | None:
    if not topic.startswith(TOPIC_PREFIX) or "/" in topic[len(TOPIC_PREFIX) :]:
        raise Rejected(Reason.UNKNOWN_TOPIC, f"expected osmand/{{device_id}}, got {topic[:200]!r}")
    return topic[len(TOPIC_PREFIX) :] or None


def _check_device(named: str, expected: str | None) -> None:
    if expected is not None and named != expected:
        raise Rejected(
            Reason.TOPIC_MISMATCH, f"payload names device {named[:64]!r}, sent as {expected!r}"
        )


# --- query string ------------------------------------------------------------------------


def _decode_query(payload: bytes, expected: str | None, received_at: datetime) -> Record:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(Reason.NOT_UTF8, str(exc)) from exc
    # The request target ("/?a=1&b=2") or a form body ("a=1&b=2"); the path means nothing.
    query = text.strip().partition("?")[2] if "?" in text else text.strip()
    try:
        pairs = parse_qsl(query.partition("#")[0], errors="strict")
    except UnicodeDecodeError as exc:  # a percent-encoded byte sequence that is not UTF-8
        raise Rejected(Reason.NOT_UTF8, str(exc)) from exc
    params: dict[str, str] = {}
    device_ids: list[str] = []
    for key, value in pairs:
        if not value:
            continue  # Traccar skips empty values
        if key in _ID_KEYS:
            device_ids.append(value)
        else:
            params[key] = value  # the last of repeated keys wins, as in Traccar
    if not device_ids:
        raise Rejected(Reason.MISSING_FIELD, "no id or deviceid: Traccar answers 400 here too")
    for device_id in device_ids:
        _check_device(device_id, expected)

    valid = params.get("valid")
    if valid is not None and valid.lower() != "true" and valid != "1":  # Traccar's reading
        return Ignored("osmand_invalid_fix")
    lat_lon = _query_lat_lon(params)
    if lat_lon is None:
        return Ignored(_NO_LOCATION)
    speed_knots = _number(params, "speed")
    heading = _number(params, "heading")
    return Position(
        device_time=_query_time(params.get("timestamp"), received_at),
        lat=lat_lon[0],
        lon=lat_lon[1],
        speed_mps=None if speed_knots is None else speed_knots * KNOTS_TO_MPS,
        # Traccar Client says "bearing", other apps "heading"; Traccar takes whichever came.
        heading_deg=_number(params, "bearing") if heading is None else heading,
        accuracy_m=_number(params, "accuracy"),
        altitude_m=_number(params, "altitude"),
        battery_pct=battery.percent(_number(params, "batt")),
    )


def _query_lat_lon(params: dict[str, str]) -> tuple[float, float] | None:
    lat, lon = _number(params, "lat"), _number(params, "lon")
    if lat is not None and lon is not None:
        return lat, lon
    location = params.get("location")
    if location is None:
        return None
    parts = location.split(",")
    if len(parts) < 2:
        raise Rejected(Reason.WRONG_TYPE, f"location={location[:64]!r} is not lat,lon")
    return _to_float("location latitude", parts[0]), _to_float("location longitude", parts[1])


def _query_time(value: str | None, received_at: datetime) -> datetime:
    if value is None:
        return received_at
    value = value.strip()
    if _INTEGER.fullmatch(value):
        number = int(value)
        unit = "s" if number < _INT32_MAX else "ms"
        return timeparse.from_epoch(number, unit=unit)
    # ISO-8601 and "yyyy-MM-dd HH:mm:ss" ('+' already turned into a space): no zone is UTC.
    return timeparse.from_iso(value)


def _number(params: dict[str, str], key: str) -> float | None:
    value = params.get(key)
    return None if value is None else _to_float(key, value)


def _to_float(name: str, value: str) -> float:
    text = value.strip()
    if not _NUMBER.fullmatch(text):
        raise Rejected(Reason.WRONG_TYPE, f"{name}={value[:64]!r} is not a number")
    return float(text)


# --- JSON ----------------------------------------------------------------------------------


class Coords(msgspec.Struct):
    latitude: float
    longitude: float
    speed: float | None = None
    heading: float | None = None
    accuracy: float | None = None
    altitude: float | None = None


class Battery(msgspec.Struct):
    level: float | None = None  # 0-1; -1 when the platform does not say


class Location(msgspec.Struct):
    timestamp: str
    coords: Coords | None = None
    mock: bool = False
    battery: Battery | None = None


class Body(msgspec.Struct):
    device_id: str | int
    location: Location | list[Location]


def _decode_json(payload: bytes, expected: str | None) -> list[Record]:
    body = jsonbody.decode(payload, Body)
    _check_device(str(body.device_id), expected)
    if isinstance(body.location, Location):
        return [_json_position(body.location)]
    if not body.location:
        raise Rejected(Reason.MISSING_FIELD, "location is an empty list")
    records: list[Record] = []
    for index, location in enumerate(body.location):
        try:
            records.append(_json_position(location))
        except Rejected as exc:
            records.append(Rejected(exc.reason, f"location[{index}]: {exc.detail}"))
    return records


def _json_position(location: Location) -> Record:
    device_time = timeparse.from_iso(location.timestamp)
    if location.coords is None:
        return Ignored(_NO_LOCATION)
    if location.mock:
        raise Rejected(Reason.NO_FIX, "mock location (simulator or mock-location app)")
    coords = location.coords
    return Position(
        device_time=device_time,
        lat=coords.latitude,
        lon=coords.longitude,
        speed_mps=_known(coords.speed),
        heading_deg=_known(coords.heading),
        accuracy_m=_known(coords.accuracy),
        altitude_m=coords.altitude,
        battery_pct=None
        if location.battery is None
        else battery.percent(location.battery.level, scale=100),
    )


def _known(value: float | None) -> float | None:
    """The plugin sends -1 for a value the platform did not give it."""
    return None if value is None or value < 0 else value
