"""Typed records of EPCIS 2.0 events. No I/O.

One record type, `EpcisEvent`, for the five event types: the fields a repository indexes
and queries on are typed; everything else (sensor data, ilmd, extensions) lives in the
event's JSON-LD, which is kept whole. `json` is the normalised form we store and emit
(CBV words bare, `eventID` always present); `original` is the event exactly as received.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    OBJECT = "ObjectEvent"
    AGGREGATION = "AggregationEvent"
    TRANSACTION = "TransactionEvent"
    TRANSFORMATION = "TransformationEvent"
    ASSOCIATION = "AssociationEvent"


class Action(StrEnum):
    ADD = "ADD"
    OBSERVE = "OBSERVE"
    DELETE = "DELETE"


@dataclass(frozen=True, slots=True)
class QuantityElement:
    epc_class: str
    quantity: Decimal | None = None
    uom: str | None = None  # UN/CEFACT Rec. 20 code, e.g. KGM


@dataclass(frozen=True, slots=True)
class BizTransaction:
    id: str
    type: str | None = None  # CBV word (`po`, `desadv`) or another vocabulary's URI


@dataclass(frozen=True, slots=True)
class SourceDestination:
    id: str
    type: str  # `owning_party`, `possessing_party`, `location` or a URI


@dataclass(frozen=True, slots=True)
class EpcisEvent:
    event_id: str  # as declared by the capturer, else the hash ID
    hash_id: str  # the CBV 2.0 event hash, whatever eventID was declared
    type: EventType
    event_time: datetime  # aware, in the offset it was written with
    event_time_zone_offset: str  # "+08:00": where the event happened, not how it was written
    action: Action | None = None  # TransformationEvent has none
    biz_step: str | None = None
    disposition: str | None = None
    read_point: str | None = None
    biz_location: str | None = None
    epc_list: tuple[str, ...] = ()
    parent_id: str | None = None
    child_epcs: tuple[str, ...] = ()
    input_epc_list: tuple[str, ...] = ()
    output_epc_list: tuple[str, ...] = ()
    quantity_list: tuple[QuantityElement, ...] = ()
    child_quantity_list: tuple[QuantityElement, ...] = ()
    input_quantity_list: tuple[QuantityElement, ...] = ()
    output_quantity_list: tuple[QuantityElement, ...] = ()
    transformation_id: str | None = None
    biz_transactions: tuple[BizTransaction, ...] = ()
    sources: tuple[SourceDestination, ...] = ()
    destinations: tuple[SourceDestination, ...] = ()
    record_time: datetime | None = None  # set by the repository on capture
    json: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    original: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def any_epcs(self) -> tuple[str, ...]:
        """Every EPC the event names (the set `MATCH_anyEPC` searches)."""
        parent = (self.parent_id,) if self.parent_id else ()
        return self.epc_list + self.child_epcs + self.input_epc_list + self.output_epc_list + parent

    def epc_classes(self) -> tuple[str, ...]:
        lists = (
            self.quantity_list,
            self.child_quantity_list,
            self.input_quantity_list,
            self.output_quantity_list,
        )
        return tuple(q.epc_class for quantities in lists for q in quantities)

    def biz_transaction_ids(self, type_: str | None = None) -> tuple[str, ...]:
        return tuple(b.id for b in self.biz_transactions if type_ is None or b.type == type_)


@dataclass(frozen=True, slots=True)
class EpcisDocument:
    creation_date: datetime
    events: tuple[EpcisEvent, ...]
    namespaces: Mapping[str, str] = field(default_factory=dict, compare=False)
    original: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
