"""The only module that knows the package and tag tables and the SSCC serial sequence.

Takes a connection, never commits. Tags are stored as pure identity URIs; a tag may be
linked again once the shipment it was in has ended, and lookups take the newest link.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from epc.sscc import Sscc
from orders.models import Package

_ENDED = "('delivered', 'returned', 'cancelled')"


def next_serial_ref(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT nextval('sscc_serial_refs')").fetchone()
    assert row is not None
    return int(row[0])


def insert(conn: psycopg.Connection, shipment_pk: int, label: Sscc, weight_kg: float | None) -> int:
    row = conn.execute(
        """INSERT INTO packages (shipment_pk, sscc, epc_uri, hex, weight_kg)
           VALUES (%s, %s, %s, %s, %s) RETURNING pk""",
        (shipment_pk, label.sscc, label.pure_uri, label.hex, weight_kg),
    ).fetchone()
    assert row is not None
    return int(row[0])


def find(conn: psycopg.Connection, sscc: str) -> tuple[int, str] | None:
    """(package key, shipment id) of the package with this SSCC (18 digits or EPC URI)."""
    row = conn.execute(
        """SELECT p.pk, s.shipment_id FROM packages p JOIN shipments s ON s.pk = p.shipment_pk
           WHERE p.sscc = %s OR p.epc_uri = %s""",
        (sscc, sscc),
    ).fetchone()
    return (int(row[0]), row[1]) if row else None


def link_tags(conn: psycopg.Connection, package_pk: int, epcs: Iterable[str]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO package_tags (package_pk, epc) VALUES (%s, %s)
               ON CONFLICT DO NOTHING""",
            [(package_pk, epc) for epc in epcs],
        )


def tags_held_elsewhere(
    conn: psycopg.Connection, package_pk: int, epcs: list[str]
) -> dict[str, str]:
    """EPC -> shipment id, for those of `epcs` in another package of a live shipment."""
    rows = conn.execute(
        f"""SELECT t.epc, s.shipment_id FROM package_tags t
            JOIN packages p ON p.pk = t.package_pk JOIN shipments s ON s.pk = p.shipment_pk
            WHERE t.epc = ANY(%s) AND t.package_pk <> %s AND s.status NOT IN {_ENDED}""",
        (epcs, package_pk),
    ).fetchall()
    return dict(rows)


def of_shipment(conn: psycopg.Connection, shipment_pk: int) -> list[Package]:
    return _select(conn, "p.shipment_pk = %s", shipment_pk)


def get(conn: psycopg.Connection, package_pk: int) -> Package:
    (package,) = _select(conn, "p.pk = %s", package_pk)
    return package


def _select(conn: psycopg.Connection, condition: str, value: int) -> list[Package]:
    rows = conn.execute(
        f"""SELECT p.sscc, p.epc_uri, p.hex, p.weight_kg,
                ARRAY(SELECT t.epc FROM package_tags t WHERE t.package_pk = p.pk ORDER BY t.epc),
                p.created_at
            FROM packages p WHERE {condition} ORDER BY p.pk""",
        (value,),
    ).fetchall()
    return [
        Package(sscc, uri, hex_, weight, tuple(tags), created)
        for sscc, uri, hex_, weight, tags, created in rows
    ]


def shipments_for_epcs(conn: psycopg.Connection, epcs: list[str]) -> dict[str, str]:
    """EPC pure URI -> shipment id, for carton SSCCs and for tags linked to a carton."""
    rows = conn.execute(
        """SELECT p.epc_uri, s.shipment_id FROM packages p
             JOIN shipments s ON s.pk = p.shipment_pk WHERE p.epc_uri = ANY(%(epcs)s)
           UNION ALL
           (SELECT DISTINCT ON (t.epc) t.epc, s.shipment_id FROM package_tags t
              JOIN packages p ON p.pk = t.package_pk JOIN shipments s ON s.pk = p.shipment_pk
            WHERE t.epc = ANY(%(epcs)s) ORDER BY t.epc, t.linked_at DESC)""",
        {"epcs": epcs},
    ).fetchall()
    return dict(rows)
