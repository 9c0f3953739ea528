"""EPCIS events made from what the read points saw and what the business knows.

Owns two recipes: an ObjectEvent OBSERVE for tagged objects seen at a read point (a carton
passing a dock door, an item at a packing station), and an AggregationEvent ADD for items
packed into an SSCC-labelled carton. Identities arrive as EPC pure identity URIs, places
as SGLN URNs; the event time is written in the read point's own UTC offset, as EPCIS asks.
Every event is built as JSON and read back through `parse_event`, so a built event obeys
the same checks and carries the same hash as a captured one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracking.epcis.digital_link import check_digit
from tracking.epcis.errors import EpcisError
from tracking.epcis.errors import EpcisErrorCode as E
from tracking.epcis.models import EpcisEvent
from tracking.epcis.parse import parse_event
from tracking.epcis.timestamps import TIME_ZONE_OFFSET, format_timestamp, in_offset
from tracking.epcis.vocabulary import BizStep, BizTransactionType, Disposition


@dataclass(frozen=True, slots=True)
class ReadPointContext:
    """Where and why, as configured for one read point."""

    read_point: str  # urn:epc:id:sgln:... of the dock door or packing station
    biz_location: str | None  # urn:epc:id:sgln:... of the warehouse, the object's new home
    biz_step: BizStep | str | None  # None: seen here, for no business step we can name
    disposition: Disposition | str | None
    time_zone_offset: str  # "+08:00": the read point's local offset at the time of the event


@dataclass(frozen=True, slots=True)
class BusinessRefs:
    """Why, in business documents: the mall order and the despatch advice, as URIs."""

    purchase_order: str | None = None  # bizTransaction type po
    despatch_advice: str | None = None  # bizTransaction type desadv

    def as_json(self) -> list[dict[str, str]]:
        refs = []
        if self.purchase_order:
            refs.append(
                {"type": BizTransactionType.PO.value, "bizTransaction": self.purchase_order}
            )
        if self.despatch_advice:
            refs.append(
                {"type": BizTransactionType.DESADV.value, "bizTransaction": self.despatch_advice}
            )
        return refs


def business_transaction_urn(party_gln: str, reference: str) -> str:
    """`urn:epcglobal:cbv:bt:<GLN>:<reference>`, CBV's URI for a document of a party."""
    if (
        len(party_gln) != 13
        or not party_gln.isdigit()
        or check_digit(party_gln[:12]) != party_gln[12]
    ):
        raise EpcisError(E.BAD_OBSERVATION, f"{party_gln!r} is not a GLN", path="party_gln")
    if not reference or any(ch.isspace() or ch in '"<>\\^`{|}' for ch in reference):
        raise EpcisError(E.BAD_OBSERVATION, f"{reference!r} cannot go in a URI", path="reference")
    return f"urn:epcglobal:cbv:bt:{party_gln}:{reference}"


def _require(condition: bool, message: str, path: str) -> None:
    if not condition:
        raise EpcisError(E.BAD_OBSERVATION, message, path=path)


def _when(ctx: ReadPointContext, event_time: datetime) -> dict[str, Any]:
    _require(
        ctx.read_point.startswith("urn:epc:id:sgln:"),
        "read point must be an SGLN URN",
        "read_point",
    )
    _require(
        ctx.biz_location is None or ctx.biz_location.startswith("urn:epc:id:sgln:"),
        "business location must be an SGLN URN",
        "biz_location",
    )
    _require(
        bool(TIME_ZONE_OFFSET.match(ctx.time_zone_offset)),
        "offset must be ±HH:MM",
        "time_zone_offset",
    )
    _require(event_time.tzinfo is not None, "event time must be time-zone aware", "event_time")
    local = in_offset(event_time, ctx.time_zone_offset)
    return {"eventTime": format_timestamp(local), "eventTimeZoneOffset": ctx.time_zone_offset}


def _tail(ctx: ReadPointContext, refs: BusinessRefs) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ctx.biz_step is not None:
        out["bizStep"] = str(ctx.biz_step)
    if ctx.disposition is not None:
        out["disposition"] = str(ctx.disposition)
    out["readPoint"] = {"id": ctx.read_point}
    if ctx.biz_location is not None:
        out["bizLocation"] = {"id": ctx.biz_location}
    if refs.as_json():
        out["bizTransactionList"] = refs.as_json()
    return out


def object_observe_event(
    epcs: Sequence[str],
    event_time: datetime,
    context: ReadPointContext,
    refs: BusinessRefs = BusinessRefs(),
) -> EpcisEvent:
    """ObjectEvent OBSERVE: these objects were seen here, now, in this business step.

    EPCs are pure identity URIs, or EPC Raw URIs (`urn:epc:raw:...`) for tags whose
    binary EPC cannot be decoded: the read is still a fact worth recording."""
    _require(len(epcs) > 0, "an observation names at least one EPC", "epcs")
    for i, epc in enumerate(epcs):
        _require(
            epc.startswith(("urn:epc:id:", "urn:epc:raw:")),
            f"{epc!r} is neither a pure identity URI nor a raw URI",
            f"epcs[{i}]",
        )
    event = {"type": "ObjectEvent", **_when(context, event_time)}
    event["epcList"] = list(dict.fromkeys(epcs))  # a tag seen twice is still one object
    event["action"] = "OBSERVE"
    event.update(_tail(context, refs))
    return parse_event(event)


def aggregation_add_event(
    parent_sscc: str,
    child_sgtins: Sequence[str],
    event_time: datetime,
    context: ReadPointContext,
    refs: BusinessRefs = BusinessRefs(),
) -> EpcisEvent:
    """AggregationEvent ADD: these items were packed into this carton."""
    _require(
        parent_sscc.startswith("urn:epc:id:sscc:"), "parent must be an SSCC URN", "parent_sscc"
    )
    _require(len(child_sgtins) > 0, "a packing names at least one item", "child_sgtins")
    for i, epc in enumerate(child_sgtins):
        _require(
            epc.startswith("urn:epc:id:sgtin:"),
            f"{epc!r} is not an SGTIN URN",
            f"child_sgtins[{i}]",
        )
    event = {"type": "AggregationEvent", **_when(context, event_time)}
    event["parentID"] = parent_sscc
    event["childEPCs"] = list(dict.fromkeys(child_sgtins))
    event["action"] = "ADD"
    event.update(_tail(context, refs))
    return parse_event(event)
