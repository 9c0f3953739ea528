"""EPCIS events as shipment evidence: a packing event makes its cartons' shipments
`packed`, a loading or shipping event makes them `loaded`.

Owns `tracking_epcis_seen` (events already fed). Reads the EPCIS repository's tables,
maps EPCs to shipments with `orders.packing.shipments_for_epcs` and records evidence with
`orders.service.record_evidence`, the event id being the evidence id. Events are picked by
"not seen yet" over a recent window of record time, never by tailing their ids, so an event
whose capture committed late is still fed. Two runners feeding the same event change
nothing (evidence is idempotent on its id). Takes a connection; one transaction per run.
"""

from __future__ import annotations

import logging

import psycopg

from core.errors import Conflict, NotFound
from orders import packing
from orders import service as orders
from orders.models import Evidence
from orders.status import EvidenceKind, ShipmentStatus

log = logging.getLogger(__name__)
PREFIX = "urn:epcglobal:cbv:bizstep:"
STEPS = {
    "packing": ShipmentStatus.PACKED,
    "loading": ShipmentStatus.LOADED,
    "shipping": ShipmentStatus.LOADED,
}
_PENDING = """
SELECT e.pk, e.event_id, e.event_time, e.biz_step, e.read_point, array_agg(x.epc)
  FROM epcis_events e JOIN epcis_event_epcs x ON x.event_pk = e.pk
 WHERE e.record_time > now() - interval '2 days'
   AND e.biz_step = ANY(%s)
   AND NOT EXISTS (SELECT 1 FROM tracking_epcis_seen s WHERE s.event_pk = e.pk)
 GROUP BY e.pk
 ORDER BY e.event_time
 LIMIT %s
"""


def run(conn: psycopg.Connection, limit: int = 1000) -> int:
    """Feed pending events; the number of shipment statuses that moved."""
    steps = [*STEPS, *(PREFIX + s for s in STEPS)]
    moved = 0
    with conn.transaction():
        rows = conn.execute(_PENDING, (steps, limit)).fetchall()
        for pk, event_id, event_time, biz_step, read_point, epcs in rows:
            target = STEPS[biz_step.removeprefix(PREFIX)]
            shipments = sorted(set(packing.shipments_for_epcs(conn, epcs).values()))
            for shipment_id in shipments:
                evidence = Evidence(
                    EvidenceKind.EPCIS_EVENT,
                    event_id,
                    target,
                    event_time,
                    source=read_point or "",
                    detail={"biz_step": biz_step, "read_point": read_point},
                )
                try:
                    if orders.record_evidence(conn, shipment_id, evidence).outcome == "applied":
                        moved += 1
                except (Conflict, NotFound) as exc:
                    log.info("EPCIS event %s not recorded for %s: %s", event_id, shipment_id, exc)
            conn.execute(
                "INSERT INTO tracking_epcis_seen (event_pk) VALUES (%s) ON CONFLICT DO NOTHING",
                (pk,),
            )
    return moved
