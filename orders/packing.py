"""Cartons: issuing a shipment's SSCC labels, linking tags to them, and finding shipments
by EPC. Each public function owns one transaction.

Tag EPCs are stored as pure identity URIs, whatever form they arrive in (hex as a reader
sends it, a tag URI, a pure URI), so two encodings of one tagged object are one tag. A
tag belongs to one live shipment at a time; once that shipment has ended it may be
linked again (returnable crates).
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from core.errors import Conflict, InvalidInput, NotFound
from epc import decode_hex, encode_uri
from epc.sscc import issue
from orders import package_store, status, store
from orders.models import Package, Scope

EVERYONE = Scope("everyone")
MAX_TAGS = 10000


def normalise_epc(value: str) -> str:
    """The pure identity URI of an EPC given as hex, tag URI or pure URI (EpcError if none)."""
    text = value.strip()
    hex_text = encode_uri(text) if text.startswith("urn:epc:") else text
    return decode_hex(hex_text).pure_uri


def add_package(
    conn: psycopg.Connection,
    shipment_id: str,
    *,
    company_prefix: str,
    extension: int,
    epcs: Iterable[str] = (),
    weight_kg: float | None = None,
) -> Package:
    """A new carton of the shipment with its SSCC label, and the tags packed into it."""
    tags = _normalised(epcs)
    with conn.transaction():
        shipment = store.get_shipment(conn, shipment_id, EVERYONE)
        if shipment is None:
            raise NotFound(f"no shipment {shipment_id!r}", code="shipment_not_found")
        store.lock_order(conn, shipment.order_pk)
        if shipment.status in status.TERMINAL:
            raise Conflict(f"shipment {shipment_id} is {shipment.status}", code="shipment_ended")
        label = issue(company_prefix, extension, package_store.next_serial_ref(conn))
        package_pk = package_store.insert(conn, shipment.pk, label, weight_kg)
        _link(conn, package_pk, tags)
        return package_store.get(conn, package_pk)


def link_tags(conn: psycopg.Connection, sscc: str, epcs: Iterable[str]) -> Package:
    """Add tags to the carton with this SSCC (18 digits or its EPC URI), e.g. on an EPCIS
    aggregation event whose parent is the carton. Linking a tag twice changes nothing."""
    tags = _normalised(epcs)
    with conn.transaction():
        found = package_store.find(conn, sscc.strip())
        if found is None:
            raise NotFound(f"no carton with SSCC {sscc!r}", code="package_not_found")
        package_pk, shipment_id = found
        shipment = store.get_shipment(conn, shipment_id, EVERYONE)
        assert shipment is not None
        store.lock_order(conn, shipment.order_pk)
        _link(conn, package_pk, tags)
        return package_store.get(conn, package_pk)


def shipments_for_epcs(conn: psycopg.Connection, epcs: Iterable[str]) -> dict[str, str]:
    """Pure identity URI -> shipment id, for carton SSCCs and the tags linked to cartons.

    EPCs that belong to no shipment are absent. A reused tag maps to its newest carton.
    """
    with conn.transaction():
        return package_store.shipments_for_epcs(conn, list(dict.fromkeys(epcs)))


def _normalised(epcs: Iterable[str]) -> list[str]:
    tags = list(dict.fromkeys(normalise_epc(epc) for epc in epcs))
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"more than {MAX_TAGS} tags in one carton", code="too_many_tags")
    return tags


def _link(conn: psycopg.Connection, package_pk: int, tags: list[str]) -> None:
    held = package_store.tags_held_elsewhere(conn, package_pk, tags)
    if held:
        epc, other = next(iter(held.items()))
        raise Conflict(
            f"{epc} is in a carton of shipment {other}, which has not ended",
            code="tag_in_use",
        )
    package_store.link_tags(conn, package_pk, tags)
