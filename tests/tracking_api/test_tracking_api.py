"""Tracking over HTTP: scoping, public links, coordinate systems, live streams."""

from __future__ import annotations

import threading
from datetime import timedelta

import psycopg

from devices.models import DeviceKind
from gis.crs import to_wgs84
from tests.conftest import wait_for
from tests.orders.conftest import World
from tests.support.data import register
from tests.tracking_projection.helpers import day, project, write


def _van_with_shipment(world: World, database: str) -> tuple[str, str, int]:
    """An order of buyer 0 on a van with a few fixes projected: (order id, shipment, pk)."""
    order = world.place(0)
    sid = order["shipments"][0]["shipment_id"]
    device = register(database, f"van-{world.uid}", DeviceKind.GPS_UNIT)
    answer = world.client.put(
        f"/v1/shipments/{sid}/vehicle",
        json={"device_id": device.device_id},
        headers=world.auth("dispatcher"),
    )
    assert answer.status_code == 204, answer.text
    write(database, device.pk, day()[30:40])
    project(database, device.pk)
    return order["mall_order_id"], sid, device.pk


def test_buyer_never_reads_another_buyers_tracking(world: World, database: str) -> None:
    """Every tracking route answers 404 to a buyer or seller for ids it does not own, and
    the owner sees status, ETA and position with as_of."""
    mall_id, sid, _ = _van_with_shipment(world, database)
    own = world.client.get(f"/v1/orders/{mall_id}/tracking", headers=world.auth("buyer0"))
    assert own.status_code == 200, own.text
    shipment = own.json()["shipments"][0]
    assert shipment["eta"]["as_of"] and shipment["position"]["as_of"]
    got = world.client.get(f"/v1/shipments/{sid}", headers=world.auth("buyer0")).json()
    assert got["tracking"]["position"]["device_id"] == f"van-{world.uid}"
    for who in ("buyer1", "seller1"):
        for path in (
            f"/v1/orders/{mall_id}/tracking",
            f"/v1/shipments/{sid}",
            f"/v1/shipments/{sid}/tracking",
            f"/v1/shipments/{sid}/events/stream?max_events=1",
        ):
            answer = world.client.get(path, headers=world.auth(who))
            assert answer.status_code == 404, (who, path, answer.text)
    assert (
        world.client.get(
            f"/v1/orders/{mall_id}/tracking", headers=world.auth("seller0")
        ).status_code
        == 200
    )
    link = world.client.post(f"/v1/shipments/{sid}/public-link", headers=world.auth("buyer0"))
    assert link.status_code == 403


def test_public_link_shows_only_status_eta_and_coarse_position_until_expiry(
    world: World, database: str
) -> None:
    """A public link shows status, ETA and a position rounded to 0.01 degree, nothing else,
    and answers 404 once expired."""
    _, sid, _ = _van_with_shipment(world, database)
    made = world.client.post(
        f"/v1/shipments/{sid}/public-link", json={"ttl_s": 60}, headers=world.auth("integration")
    )
    assert made.status_code == 201, made.text
    path = made.json()["path"]
    seen = world.client.get(path)
    assert seen.status_code == 200
    body = seen.json()
    assert set(body) == {"status", "status_since", "eta", "position"}
    assert set(body["position"]) == {"lat", "lon", "as_of", "stale"}
    assert round(body["position"]["lat"], 2) == body["position"]["lat"]
    assert set(body["eta"]) == {"eta", "as_of", "stale"}
    assert world.client.get(path + "x").status_code == 404
    with psycopg.connect(database) as conn:
        conn.execute(
            "UPDATE shipment_public_links SET expires_at = now() - interval '1 s' "
            "WHERE shipment_pk = (SELECT pk FROM shipments WHERE shipment_id = %s)",
            (sid,),
        )
        conn.commit()
    assert world.client.get(path).status_code == 404


def test_geofence_crs_round_trips(world: World) -> None:
    """A fence sent in GCJ-02 comes back in GCJ-02 as sent, and in WGS-84 as its preimage."""
    ring = [[120.21, 30.29], [120.22, 30.29], [120.22, 30.30], [120.21, 30.30], [120.21, 30.29]]
    body = {
        "fence_id": f"f-{world.uid}",
        "kind": "market",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    staff = world.auth("dispatcher")
    made = world.client.post("/v1/geofences?crs=gcj02", json=body, headers=staff)
    assert made.status_code == 201, made.text
    back = world.client.get(f"/v1/geofences/f-{world.uid}?crs=gcj02", headers=staff).json()
    got = {tuple(round(c, 7) for c in p) for p in back["geometry"]["coordinates"][0]}
    assert got == {tuple(p) for p in ring}
    wgs = world.client.get(f"/v1/geofences/f-{world.uid}", headers=staff).json()
    lat, lon = to_wgs84(30.29, 120.21, "gcj02")
    assert [round(lon, 7), round(lat, 7)] in [
        [round(c, 7) for c in p] for p in wgs["geometry"]["coordinates"][0]
    ]
    assert world.client.get("/v1/geofences", headers=world.auth("buyer0")).status_code == 403
    assert world.client.delete(f"/v1/geofences/f-{world.uid}", headers=staff).status_code == 204
    assert world.client.get(f"/v1/geofences/f-{world.uid}", headers=staff).status_code == 404


def test_shipment_stream_delivers_an_update(world: World, database: str) -> None:
    """The shipment's event stream sends the current state, then an update when a new fix
    is projected."""
    _, sid, pk = _van_with_shipment(world, database)
    from api.routers.streams import STREAMS

    open_before = STREAMS._value.get()
    result: dict[str, str] = {}

    def listen() -> None:
        answer = world.client.get(
            f"/v1/shipments/{sid}/events/stream?max_events=2", headers=world.auth("buyer0")
        )
        result["text"] = answer.text

    thread = threading.Thread(target=listen)
    thread.start()
    wait_for(lambda: STREAMS._value.get() > open_before, what="the stream to open")
    write(database, pk, day()[40:45])
    project(database, pk)
    thread.join(timeout=20)
    events = [line for line in result["text"].splitlines() if line.startswith("data:")]
    assert len(events) == 2 and events[0] != events[1]
    assert day()[44].device_time.isoformat()[:19] in events[1].replace(" ", "T")


def test_device_track_exports(world: World, database: str) -> None:
    """Trips and stops, GPX and simplified GeoJSON of a device's track are served."""
    device = register(database, f"trk-{world.uid}", DeviceKind.GPS_UNIT)
    fixes = day()
    write(database, device.pk, fixes)
    project(database, device.pk)
    staff = world.auth("dispatcher")
    span = f"from={(fixes[0].device_time - timedelta(minutes=1)).isoformat()}"
    span = span.replace("+", "%2B")
    got = world.client.get(f"/v1/devices/{device.device_id}/trips?{span}", headers=staff).json()
    assert len(got["trips"]) == 1 and len(got["stops"]) == 1 and got["odometer_m"] > 4000
    gpx = world.client.get(f"/v1/devices/{device.device_id}/track.gpx?{span}", headers=staff)
    assert gpx.status_code == 200 and gpx.text.count("<trkpt") == len(fixes)
    geo = world.client.get(
        f"/v1/devices/{device.device_id}/track.geojson?{span}&crs=gcj02", headers=staff
    ).json()
    assert geo["properties"]["shown"] < len(fixes)
