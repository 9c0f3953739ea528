"""The simulator's devices speak the product's wire formats: every reader and GPS payload it
builds decodes through ingest's own decoders to the reads and fixes it meant."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import orjson
import pytest

import epc
from ingest.formats import FORMATS
from ingest.records import Position, TagRead
from orders.webhooks import sign
from sim import world
from sim.mall import delivery_window, gtin14
from sim.mall_webhooks import MallWebhooks
from sim.paths import Mover, street_path
from sim.readers import ReaderDevice, dock_pass, packing_pass
from sim.vans import VanDevice


class Recorder:
    """Stands in for a paho client: keeps what would have been published."""

    def __init__(self, **_: object) -> None:
        self.sent: list[tuple[str, bytes]] = []

    def publish(self, topic: str, payload: bytes, qos: int = 0) -> None:
        self.sent.append((topic, payload))


@pytest.mark.parametrize("fmt", ["zebra", "impinj"])
def test_reader_payloads_decode_to_the_reads_played(fmt: str) -> None:
    """A dock pass published in either reader format decodes to the same reads, antennas
    and times (to the millisecond), with nothing rejected."""
    rng = random.Random(3)
    reader = world.Reader("r-1", fmt, "dock", ())
    recorder = Recorder()
    device = ReaderDevice(reader, recorder)  # type: ignore[arg-type]
    sscc = "3114257BF4499602D2000000"
    reads = dock_pass([sscc], rng)[:40]
    device.play([r.__class__(r.offset_s / 20, r.antenna, r.epc_hex, r.rssi_dbm) for r in reads])
    decoded = [
        record
        for _, payload in recorder.sent
        for record in FORMATS[fmt](payload, "t", datetime.now(UTC))
    ]
    assert all(isinstance(r, TagRead) for r in decoded), decoded
    assert len(decoded) == len(reads) == device.published
    assert {r.epc_hex for r in decoded} == {sscc}
    assert sorted(r.antenna for r in decoded) == sorted(r.antenna for r in reads)
    assert all(abs(r.rssi_dbm) >= 40 for r in decoded)  # type: ignore[arg-type]
    assert max(r.read_time for r in decoded) - min(r.read_time for r in decoded) < timedelta(
        seconds=3
    )


def test_a_dock_pass_reads_inside_first_and_a_packing_pass_one_station() -> None:
    """Outbound cartons are read on the inside antenna first (the smoothing's direction)."""
    rng = random.Random(5)
    reads = dock_pass(["A", "B"], rng)
    inside = [r.offset_s for r in reads if r.antenna == 1]
    outside = [r.offset_s for r in reads if r.antenna == 2]
    assert sum(inside) / len(inside) < sum(outside) / len(outside)
    packing = packing_pass("C", ["I1", "I2"], rng, antenna=3)
    assert {r.antenna for r in packing} == {3} and {r.epc_hex for r in packing} == {"C", "I1", "I2"}


@pytest.mark.parametrize("owntracks", [False, True])
def test_van_fixes_and_late_flushes_decode(owntracks: bool) -> None:
    """A van's live fixes and its store-and-forward flush decode as positions, in order."""
    van = world.Van("dev-1", "V-1", "wh", owntracks)
    recorder = Recorder()
    device = VanDevice(van, (30.26, 120.2), lambda **kw: recorder, driver=None,  # type: ignore[arg-type]
                       speed=10, interval_s=1, fail_rate=0, dropout_rate=0,
                       not_before=datetime.now(UTC), seed=1)  # fmt: skip
    device.report(30.26, 120.2, 30.0, 90.0, 10)
    device._gap_s = 25  # in a dead zone for three more fixes
    for _ in range(3):
        device.report(30.261, 120.201, 30.0, 90.0, 10)
    fmt = "owntracks" if owntracks else "native"
    positions = [
        record
        for _, payload in recorder.sent
        for record in FORMATS[fmt](payload, "owntracks/dev-1/phone", datetime.now(UTC))
    ]
    assert len(positions) == 4 and all(isinstance(p, Position) for p in positions), positions
    if not owntracks:
        assert b'"points"' in recorder.sent[-1][1]  # one flush carries the gap
    assert all(abs(p.lat - 30.26) < 0.01 for p in positions)  # type: ignore[union-attr]


def test_the_market_layout() -> None:
    """Three warehouses with a two-antenna dock door and packing stations, vans shared out,
    every third a phone, ids under the prefix, and the goods' tags and GTINs valid."""
    w = world.build(vans=20, prefix="x-")
    assert len(w.warehouses) == 3 and len(w.vans) == 20
    assert {v.depot_id for v in w.vans} == {h.depot_id for h in w.warehouses}
    assert sum(v.owntracks for v in w.vans) == 6
    for house in w.warehouses:
        roles = {a.role for a in house.dock.antennas}
        assert roles == {"dock_inside", "dock_outside"}
        assert {house.dock.format, house.packing.format} == {"zebra", "impinj"}
    assert all(
        x.startswith("x-") for x in [v.device_id for v in w.vans] + [s.shop_id for s in w.shops]
    )
    product = w.shops[0].products[0]
    decoded = epc.decode_hex(world.sgtin_hex(product, 12345))
    assert (
        decoded.pure_uri == f"urn:epc:id:sgtin:{world.COMPANY_PREFIX}.{product.gtin_item_ref}.12345"
    )
    assert len(gtin14(product)) == 14


def test_paths_reach_their_end_and_slots_are_ahead() -> None:
    """A van following a street path arrives exactly; delivery slots start ahead of now."""
    rng = random.Random(2)
    a, b = (30.26, 120.20), (30.29, 120.16)
    mover = Mover(street_path(a, b, rng), 30, rng)
    for _ in range(10_000):
        if mover.done:
            break
        mover.advance(10)
    assert mover.done and mover.path[-1] == b
    now = datetime(2026, 12, 1, 2, tzinfo=UTC)  # 10:00 in Hangzhou
    start, end = delivery_window(now, timedelta(hours=8))
    assert now < start < end
    late = datetime(2026, 12, 1, 13, tzinfo=UTC)  # 21:00: tomorrow morning
    assert delivery_window(late, timedelta(hours=8))[0] == datetime(2026, 12, 2, 0, tzinfo=UTC)


def test_the_mall_checks_its_webhooks() -> None:
    """A signed delivery counts once however often it is resent; a bad signature is 401;
    a lower sequence number after a higher one is noted as out of order."""
    hooks = MallWebhooks("127.0.0.1", 0, "k")
    try:
        body = orjson.dumps({"event": "shipment.delivered", "mall_order_id": "MO-1", "sequence": 2})
        assert hooks.take(body, sign("k", body), "d-1") == 204
        assert hooks.take(body, sign("k", body), "d-1") == 204
        assert hooks.take(body, sign("other", body), "d-2") == 401
        early = orjson.dumps({"event": "shipment.shipped", "mall_order_id": "MO-1", "sequence": 1})
        assert hooks.take(early, sign("k", early), "d-0") == 204
        assert hooks.summary() == {
            "events": {"shipment.delivered": 1, "shipment.shipped": 1},
            "bad_signatures": 1,
            "out_of_order": 1,
        }
    finally:
        hooks.server.server_close()
