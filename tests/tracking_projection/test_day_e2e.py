"""A whole delivery day through real MQTT, a real ingest worker, the projector, the API and
the webhook sender."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import orjson
import psycopg

from core.settings import Settings
from orders import webhooks
from tests.conftest import wait_for
from tests.orders.conftest import World
from tests.orders.mall_server import Mall
from tests.support.data import provision
from tests.support.mqtt import Publisher
from tests.tracking_projection.helpers import WAREHOUSE, day, rows
from tracking import projector

SECRET = "test-webhook-secret"
DIRTY = """SELECT count(*) FROM tracking_dirty t, devices d
           WHERE d.pk = t.device_pk AND d.device_id = %s"""
STORED = """SELECT count(*) FROM positions p, devices d
            WHERE d.pk = p.device_pk AND d.device_id = %s"""
TRIPS = """SELECT start_time FROM trips t JOIN devices d ON d.pk = t.device_pk
           WHERE d.device_id = %s"""


def _point(f) -> dict:  # type: ignore[no-untyped-def]
    ts = f.device_time.isoformat().replace("+00:00", "Z")
    return {"ts": ts, "lat": f.lat, "lon": f.lon, "speed_kmh": f.speed_mps * 3.6, "acc_m": 8}


def _loop(stop: threading.Event, work) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        while not stop.is_set():
            work()
            stop.wait(0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_whole_day_over_mqtt(
    world: World, mqtt_broker: Settings, database: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    """Order, packing and loading events, a van leaving the warehouse and reaching the
    buyer over MQTT, proof of delivery: statuses with evidence, a falling ETA, each webhook
    once, and a late flush that changes neither trips nor statuses."""
    uid, api = world.uid, world.client
    order = world.place(0)
    sid = order["shipments"][0]["shipment_id"]
    carton = api.post(
        f"/v1/shipments/{sid}/packages", json={"epcs": []}, headers=world.auth("dispatcher")
    ).json()["epc_uri"]
    fence = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [WAREHOUSE[1], WAREHOUSE[0]]},
        "properties": {"radius_m": 150},
    }
    made = api.post(
        "/v1/geofences",
        json={"fence_id": f"wh-{uid}", "kind": "warehouse", "geometry": fence},
        headers=world.auth("dispatcher"),
    )
    assert made.status_code == 201, made.text
    fixes = day()
    for n, step in enumerate(("packing", "loading")):
        event = {
            "type": "ObjectEvent",
            "eventTime": (fixes[0].device_time - timedelta(minutes=20 - n)).isoformat(),
            "eventTimeZoneOffset": "+00:00",
            "epcList": [carton],
            "action": "OBSERVE",
            "bizStep": step,
            "readPoint": {"id": f"urn:epc:id:sgln:0614141.00777.{uid}{n}"},
        }
        answer = api.post("/epcis/events", json=event, headers=world.auth("integration"))
        assert answer.status_code in (201, 202), answer.text
    device_id = f"van-{uid}"
    password = provision(mqtt_broker, device_id)
    assert (
        api.put(
            f"/v1/shipments/{sid}/vehicle",
            json={"device_id": device_id},
            headers=world.auth("dispatcher"),
        ).status_code
        == 204
    )
    start_worker()
    stop = threading.Event()
    mall = Mall(SECRET, slow_s=0.0)
    config = webhooks.SenderConfig(
        mall.url, SECRET, timeout_s=0.5, retry_base_s=0.02, retry_max_s=0.2
    )
    pconn = psycopg.connect(database, autocommit=True)
    with mall:
        threads = [
            _loop(stop, lambda: projector.run_once(pconn, projector.Params())),
            threading.Thread(
                target=webhooks.run,
                args=(lambda: psycopg.connect(database, autocommit=True), config),
                kwargs={"stop": stop, "poll_s": 0.02, "rng": random.Random(1)},
                daemon=True,
            ),
        ]
        threads[1].start()
        wait_for(
            lambda: (
                api.get(f"/v1/shipments/{sid}", headers=world.auth("buyer0")).json()["status"]
                == "loaded"
            ),
            what="loaded from EPCIS",
        )
        held = fixes[55:65]  # buffered in a tunnel, flushed after delivery
        topic = f"waybill/v1/devices/{device_id}/telemetry"
        etas = []
        with Publisher(mqtt_broker, device_id, password) as pub:
            for i, f in enumerate(fixes[:80]):
                if f in held:
                    continue
                pub.publish(topic, orjson.dumps(_point(f)))
                if i in (30, 45, 70):

                    def eta_of(t=f.device_time):  # type: ignore[no-untyped-def]
                        body = api.get(f"/v1/shipments/{sid}", headers=world.auth("buyer0")).json()
                        e = body["tracking"]["eta"]
                        return (
                            e if e and e["as_of"] >= t.isoformat().replace("+00:00", "Z") else None
                        )

                    etas.append(wait_for(eta_of, what=f"the ETA of fix {i}"))
            wait_for(
                lambda: (
                    api.get(f"/v1/shipments/{sid}", headers=world.auth("buyer0")).json()["status"]
                    == "arriving"
                ),
                what="arriving",
            )
            pod = api.post(
                f"/v1/shipments/{sid}/proof-of-delivery",
                json={
                    "confirmed_at": fixes[80].device_time.isoformat(),
                    "outcome": "delivered",
                    "location": {"type": "Point", "coordinates": [fixes[79].lon, fixes[79].lat]},
                },
                headers=world.auth("dispatcher"),
            )
            assert pod.status_code == 200, pod.text
            stored = STORED
            wait_for(lambda: rows(database, stored, device_id) == [(70,)], what="live fixes in")
            wait_for(
                lambda: (
                    rows(
                        database,
                        DIRTY,
                        device_id,
                    )
                    == [(0,)]
                ),
                what="the live fixes projected",
            )
            trips_before = rows(
                database,
                TRIPS,
                device_id,
            )
            pub.publish(topic, orjson.dumps({"points": [_point(f) for f in held]}))
            wait_for(
                lambda: (
                    rows(
                        database,
                        STORED,
                        device_id,
                    )
                    == [(80,)]
                ),
                what="the late flush stored",
            )
            wait_for(
                lambda: (
                    rows(
                        database,
                        DIRTY,
                        device_id,
                    )
                    == [(0,)]
                ),
                what="the late flush projected",
            )
        wait_for(
            lambda: len(mall.delivered[order["mall_order_id"]]) == 2,
            timeout_s=30,
            what="two webhooks",
        )
        stop.set()
    pconn.close()
    body = api.get(
        f"/v1/orders/{order['mall_order_id']}/tracking", headers=world.auth("buyer0")
    ).json()
    shipment = body["shipments"][0]
    assert shipment["status"] == "delivered"
    moved = [(e["status"], e["kind"]) for e in shipment["timeline"] if e["applied"]]
    assert moved == [
        ("packed", "epcis_event"),
        ("loaded", "epcis_event"),
        ("in_transit", "geofence"),
        ("arriving", "geofence"),
        ("delivered", "proof_of_delivery"),
    ]
    distances = [e["distance_m"] for e in etas]
    assert distances == sorted(distances, reverse=True)
    received = mall.delivered[order["mall_order_id"]]
    assert [d["event"] for d in received] == ["shipment.shipped", "shipment.delivered"]
    assert all(mall.successes[d["delivery_id"]] == 1 for d in received)
    assert mall.bad_signatures == []
    trips_after = rows(
        database,
        TRIPS,
        device_id,
    )
    assert trips_after == trips_before and len(trips_after) == 1
    api.delete(f"/v1/geofences/wh-{uid}", headers=world.auth("dispatcher"))
