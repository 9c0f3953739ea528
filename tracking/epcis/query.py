"""The standard EPCIS 2.0 query parameters of `GET /events`, typed and checked.

Owns what each supported parameter means: `parse_query_params` turns URL parameters into
an `EventQuery` (or an `EpcisError` with code `bad_query_parameter`), `query_json` writes
the query body of the EPCIS query schema, and `matches` is the reference semantics a SQL
implementation must agree with (the store's contract tests can run both). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracking.epcis import vocabulary as cbv
from tracking.epcis.checks import is_uri
from tracking.epcis.errors import EpcisError
from tracking.epcis.errors import EpcisErrorCode as E
from tracking.epcis.models import Action, EpcisEvent, EventType
from tracking.epcis.timestamps import TimestampError, format_timestamp, parse_timestamp

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
_LIST_PARAMS = {
    "eventType", "EQ_action", "EQ_bizStep", "EQ_disposition", "EQ_readPoint",
    "EQ_bizLocation", "MATCH_epc", "MATCH_parentID", "MATCH_inputEPC", "MATCH_outputEPC",
    "MATCH_anyEPC", "EQ_eventID",
}  # fmt: skip
_TIME_PARAMS = {
    "GE_eventTime": "ge_event_time",
    "LT_eventTime": "lt_event_time",
    "GE_recordTime": "ge_record_time",
    "LT_recordTime": "lt_record_time",
}
PARAMETERS = _LIST_PARAMS | set(_TIME_PARAMS) | {"perPage", "nextPageToken"}


@dataclass(frozen=True, slots=True)
class EpcMatch:
    """One `MATCH_*` value: an exact EPC, or a pattern (`urn:epc:idpat:sgtin:0614141.*.*`)
    that the store answers as a prefix match (`epc LIKE prefix || '%'`)."""

    text: str  # as asked
    exact: str | None = None
    prefix: str | None = None

    def accepts(self, epc: str) -> bool:
        if self.exact is not None:
            return epc == self.exact
        return self.prefix is not None and epc.startswith(self.prefix)


@dataclass(frozen=True, slots=True)
class EventQuery:
    event_types: tuple[EventType, ...] = ()
    ge_event_time: datetime | None = None
    lt_event_time: datetime | None = None
    ge_record_time: datetime | None = None
    lt_record_time: datetime | None = None
    eq_action: tuple[Action, ...] = ()
    eq_biz_step: tuple[str, ...] = ()  # normalised like stored events (bare CBV words)
    eq_disposition: tuple[str, ...] = ()
    eq_read_point: tuple[str, ...] = ()
    eq_biz_location: tuple[str, ...] = ()
    match_epc: tuple[EpcMatch, ...] = ()  # epcList and childEPCs
    match_parent_id: tuple[EpcMatch, ...] = ()
    match_input_epc: tuple[EpcMatch, ...] = ()
    match_output_epc: tuple[EpcMatch, ...] = ()
    match_any_epc: tuple[EpcMatch, ...] = ()  # every EPC field, parentID included
    eq_event_id: tuple[str, ...] = ()
    per_page: int = DEFAULT_PER_PAGE
    next_page_token: str | None = None


def _bad(name: str, message: str) -> EpcisError:
    return EpcisError(E.BAD_QUERY_PARAMETER, message, path=name)


def epc_match(value: str, name: str = "MATCH_epc") -> EpcMatch:
    """An exact EPC URI, or an EPC pattern URI whose `*` fields come last."""
    if not is_uri(value):
        raise _bad(name, f"{value!r} is not a URI")
    if not value.startswith("urn:epc:idpat:"):
        return EpcMatch(text=value, exact=value)
    scheme, _, body = value.removeprefix("urn:epc:idpat:").partition(":")
    fields = body.split(".")
    stars = [f == "*" for f in fields]
    if not scheme or not any(stars) or stars.index(True) != sum(not s for s in stars):
        raise _bad(name, f"{value!r}: only trailing fields of a pattern may be *")
    fixed = fields[: stars.index(True)]
    return EpcMatch(text=value, prefix=f"urn:epc:id:{scheme}:" + "".join(f + "." for f in fixed))


def _values(raw: str | Sequence[str]) -> list[str]:
    """Repeated parameters and comma-separated lists both work (`a,b` or `x=a&x=b`)."""
    items = [raw] if isinstance(raw, str) else list(raw)
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


def _time(name: str, raw: str | Sequence[str]) -> datetime:
    values = _values(raw)
    if len(values) != 1:
        raise _bad(name, "takes one time")
    text = values[0]
    # An unencoded "+" in a query string arrives as a space: "...T10:00:00 08:00".
    if len(text) > 6 and text[-6] == " ":
        text = text[:-6] + "+" + text[-5:]
    try:
        return parse_timestamp(text)
    except TimestampError as exc:
        raise _bad(name, str(exc)) from None


def parse_query_params(params: Mapping[str, str | Sequence[str]]) -> EventQuery:
    """URL parameters of `GET /events` into a checked `EventQuery`."""
    unknown = sorted(set(params) - PARAMETERS)
    if unknown:
        raise _bad(unknown[0], f"unsupported query parameter {unknown[0]!r}")
    q: dict[str, Any] = {}
    for name, attr in _TIME_PARAMS.items():
        if name in params:
            q[attr] = _time(name, params[name])
    for name in sorted(_LIST_PARAMS & set(params)):
        values = _values(params[name])
        if not values:
            raise _bad(name, "needs at least one value")
        q.update(_list_param(name, values))
    if "perPage" in params:
        text = ",".join(_values(params["perPage"]))
        if not text.isdigit() or not 1 <= int(text) <= MAX_PER_PAGE:
            raise _bad("perPage", f"must be an integer from 1 to {MAX_PER_PAGE}")
        q["per_page"] = int(text)
    if "nextPageToken" in params:
        token = _values(params["nextPageToken"])
        if len(token) != 1:
            raise _bad("nextPageToken", "takes one token")
        q["next_page_token"] = token[0]
    for low, high, name in (
        ("ge_event_time", "lt_event_time", "LT_eventTime"),
        ("ge_record_time", "lt_record_time", "LT_recordTime"),
    ):
        if low in q and high in q and q[low] >= q[high]:
            raise _bad(name, "the time window is empty")
    return EventQuery(**q)


def _list_param(name: str, values: list[str]) -> dict[str, Any]:
    try:
        if name == "eventType":
            return {"event_types": tuple(EventType(v) for v in values)}
        if name == "EQ_action":
            return {"eq_action": tuple(Action(v) for v in values)}
        if name == "EQ_bizStep":
            return {"eq_biz_step": tuple(cbv.normalise(cbv.BIZ_STEP, v) for v in values)}
        if name == "EQ_disposition":
            return {"eq_disposition": tuple(cbv.normalise(cbv.DISPOSITION, v) for v in values)}
    except (ValueError, cbv.VocabularyError) as exc:
        raise _bad(name, str(exc)) from None
    if name.startswith("MATCH_"):
        attr = {
            "MATCH_epc": "match_epc",
            "MATCH_parentID": "match_parent_id",
            "MATCH_inputEPC": "match_input_epc",
            "MATCH_outputEPC": "match_output_epc",
            "MATCH_anyEPC": "match_any_epc",
        }[name]
        return {attr: tuple(epc_match(v, name) for v in values)}
    for v in values:
        if not is_uri(v):
            raise _bad(name, f"{v!r} is not a URI")
    uri_attrs = {"EQ_readPoint": "eq_read_point", "EQ_bizLocation": "eq_biz_location"}
    return {uri_attrs.get(name, "eq_event_id"): tuple(values)}


def query_json(q: EventQuery) -> dict[str, Any]:
    """The query body of the EPCIS 2.0 query schema (for named queries, subscriptions)."""
    out: dict[str, Any] = {}
    if q.event_types:
        out["eventType"] = [t.value for t in q.event_types]
    for key, moment in (
        ("GE_eventTime", q.ge_event_time),
        ("LT_eventTime", q.lt_event_time),
        ("GE_recordTime", q.ge_record_time),
        ("LT_recordTime", q.lt_record_time),
    ):
        if moment is not None:
            out[key] = format_timestamp(moment)
    plain: Iterable[tuple[str, tuple[Any, ...]]] = (
        ("EQ_action", q.eq_action),
        ("EQ_bizStep", q.eq_biz_step),
        ("EQ_disposition", q.eq_disposition),
        ("EQ_readPoint", q.eq_read_point),
        ("EQ_bizLocation", q.eq_biz_location),
        ("EQ_eventID", q.eq_event_id),
    )
    for key, values in plain:
        if values:
            out[key] = [str(v) for v in values]
    for key, matches_ in (
        ("MATCH_epc", q.match_epc),
        ("MATCH_parentID", q.match_parent_id),
        ("MATCH_inputEPC", q.match_input_epc),
        ("MATCH_outputEPC", q.match_output_epc),
        ("MATCH_anyEPC", q.match_any_epc),
    ):
        if matches_:
            out[key] = [m.text for m in matches_]
    return out


def _any(matchers: tuple[EpcMatch, ...], epcs: Iterable[str]) -> bool:
    epcs = tuple(epcs)
    return any(m.accepts(epc) for m in matchers for epc in epcs)


def matches(q: EventQuery, event: EpcisEvent) -> bool:
    """Whether `event` answers `q` (paging aside). Each parameter narrows; values of one
    parameter are alternatives, as in the EPCIS SimpleEventQuery."""
    record = event.record_time
    checks = (
        not q.event_types or event.type in q.event_types,
        q.ge_event_time is None or event.event_time >= q.ge_event_time,
        q.lt_event_time is None or event.event_time < q.lt_event_time,
        q.ge_record_time is None or (record is not None and record >= q.ge_record_time),
        q.lt_record_time is None or (record is not None and record < q.lt_record_time),
        not q.eq_action or event.action in q.eq_action,
        not q.eq_biz_step or event.biz_step in q.eq_biz_step,
        not q.eq_disposition or event.disposition in q.eq_disposition,
        not q.eq_read_point or event.read_point in q.eq_read_point,
        not q.eq_biz_location or event.biz_location in q.eq_biz_location,
        not q.eq_event_id or event.event_id in q.eq_event_id,
        not q.match_epc or _any(q.match_epc, event.epc_list + event.child_epcs),
        not q.match_parent_id or _any(q.match_parent_id, filter(None, [event.parent_id])),
        not q.match_input_epc or _any(q.match_input_epc, event.input_epc_list),
        not q.match_output_epc or _any(q.match_output_epc, event.output_epc_list),
        not q.match_any_epc or _any(q.match_any_epc, event.any_epcs()),
    )
    return all(checks)
