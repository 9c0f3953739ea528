"""Cartons get valid SSCC labels from our sequence; tags link to one live shipment and
lead back to it."""

from __future__ import annotations

import psycopg
import pytest

from core.errors import Conflict, InvalidInput
from epc import decode_hex
from epc.sscc import check_digit, from_epc
from orders import packing, service
from orders.models import Scope
from tests.orders.builders import HAPPY_PATH, evidence, new_order, sgtin_hex, sgtin_uri

PREFIX, EXTENSION = "0614141", 3


def serials(uid: str, n: int) -> list[int]:
    """Tag serials no other test uses (tags stay linked across runs)."""
    base = int(uid, 16) % (2**34)
    return [base * 8 + i for i in range(n)]


def shipment_of(conn: psycopg.Connection, mall_order_id: str) -> str:
    detail = service.create_order(conn, new_order(mall_order_id)).order
    return detail.shipments[0].shipment_id


def test_cartons_get_valid_distinct_sscc_labels(database: str, uid: str) -> None:
    """Each carton's SSCC is 18 digits with a correct GS1 check digit, carries our prefix and
    extension, and its EPC URI, hex and digits describe the same SSCC."""
    with psycopg.connect(database) as conn:
        shipment_id = shipment_of(conn, f"MO-{uid}")
        cartons = [
            packing.add_package(conn, shipment_id, company_prefix=PREFIX, extension=EXTENSION)
            for _ in range(3)
        ]
    assert len({c.sscc for c in cartons}) == 3
    for carton in cartons:
        assert len(carton.sscc) == 18 and carton.sscc.isdigit()
        assert int(carton.sscc[-1]) == check_digit(carton.sscc[:-1])
        assert carton.sscc[0] == str(EXTENSION) and carton.sscc[1:8] == PREFIX
        assert from_epc(carton.epc_uri) == carton.sscc
        assert decode_hex(carton.hex).pure_uri == carton.epc_uri
        assert carton.element_string == f"(00){carton.sscc}"


def test_tags_are_stored_as_pure_identities(database: str, uid: str) -> None:
    """Tags given as reader hex, tag URI or pure URI are one identity each, and both the
    tags and the carton's own SSCC lead back to the shipment."""
    one, two = serials(uid, 2)
    with psycopg.connect(database) as conn:
        shipment_id = shipment_of(conn, f"MO-{uid}")
        carton = packing.add_package(
            conn,
            shipment_id,
            company_prefix=PREFIX,
            extension=EXTENSION,
            epcs=[sgtin_hex(one), sgtin_uri(one), f"urn:epc:tag:sgtin-96:1.0614141.812345.{two}"],
            weight_kg=12.5,
        )
        assert carton.tags == tuple(sorted([sgtin_uri(one), sgtin_uri(two)]))
        found = packing.shipments_for_epcs(conn, [sgtin_uri(one), carton.epc_uri, sgtin_uri(0)])
    assert found == {sgtin_uri(one): shipment_id, carton.epc_uri: shipment_id}


def test_a_tag_belongs_to_one_live_shipment(database: str, uid: str) -> None:
    """A tag in a carton of a live shipment cannot go into another shipment's carton
    (tag_in_use); once that shipment is delivered it can, and then leads to the new one."""
    (tag,) = serials(uid, 1)
    with psycopg.connect(database) as conn:
        first = shipment_of(conn, f"MO-{uid}-1")
        second = shipment_of(conn, f"MO-{uid}-2")
        packing.add_package(conn, first, company_prefix=PREFIX, extension=0, epcs=[sgtin_hex(tag)])
        with pytest.raises(Conflict) as refused:
            packing.add_package(
                conn, second, company_prefix=PREFIX, extension=0, epcs=[sgtin_hex(tag)]
            )
        assert refused.value.code == "tag_in_use"
        for minute, (status, kind) in enumerate(HAPPY_PATH, start=1):
            service.record_evidence(conn, first, evidence(status, kind, f"{uid}-{minute}", minute))
        packing.add_package(conn, second, company_prefix=PREFIX, extension=0, epcs=[sgtin_hex(tag)])
        assert packing.shipments_for_epcs(conn, [sgtin_uri(tag)]) == {sgtin_uri(tag): second}


def test_tags_join_a_carton_by_its_sscc(database: str, uid: str) -> None:
    """An aggregation at the packing station links tags to the carton named by its SSCC;
    linking the same tag again changes nothing; an unknown SSCC is not found."""
    one, two = serials(uid, 2)
    with psycopg.connect(database) as conn:
        shipment_id = shipment_of(conn, f"MO-{uid}")
        carton = packing.add_package(conn, shipment_id, company_prefix=PREFIX, extension=0)
        packing.link_tags(conn, carton.epc_uri, [sgtin_hex(one)])
        linked = packing.link_tags(conn, carton.sscc, [sgtin_hex(one), sgtin_hex(two)])
        assert linked.tags == (sgtin_uri(one), sgtin_uri(two))
        with pytest.raises(Exception) as missing:
            packing.link_tags(conn, "urn:epc:id:sscc:0614141.9999999999", [])
        assert getattr(missing.value, "code", None) == "package_not_found"
        shown = service.get_shipment(conn, shipment_id, Scope("everyone")).packages
    assert [p.tags for p in shown] == [(sgtin_uri(one), sgtin_uri(two))]


@pytest.mark.parametrize("bad", ["not-hex", "E2801160600002", "urn:epc:id:sgtin:bad"])
def test_undecodable_tags_are_invalid_input(database: str, uid: str, bad: str) -> None:
    """A tag that is no EPC (garbage, a TID read, a malformed URI) is a 4xx, not a crash."""
    with psycopg.connect(database) as conn:
        shipment_id = shipment_of(conn, f"MO-{uid}")
        with pytest.raises(InvalidInput):
            packing.add_package(conn, shipment_id, company_prefix=PREFIX, extension=0, epcs=[bad])
        assert service.get_shipment(conn, shipment_id, Scope("everyone")).packages == []
