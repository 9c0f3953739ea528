"""The simulator's devices are provisioned once and kept: a later run reuses the kept
passwords, replaces one the registry no longer accepts, and gives a reader registered by
an older layout the antennas of today's."""

from __future__ import annotations

from pathlib import Path

import psycopg

from core.settings import Settings
from devices import broker
from devices import service as devices
from devices.models import Antenna, AntennaRole, DeviceKind
from sim import provision


def test_devices_are_kept_replaced_and_brought_up_to_date(
    sim_broker: Settings, uid: str, tmp_path: Path
) -> None:
    store = tmp_path / "sim.json"
    site = f"urn:epc:id:sgln:0614141.00009.{uid}"
    one = (Antenna(1, site + "P1", AntennaRole.PACKING_STATION, site),)
    two = (*one, Antenna(2, site + "P2", AntennaRole.PACKING_STATION, site))
    van = provision.DeviceSpec(f"v-{uid}", DeviceKind.GPS_UNIT, "native")
    reader = provision.DeviceSpec(f"r-{uid}", DeviceKind.RFID_READER, "zebra", antennas=one)
    first = provision.passwords(sim_broker, [van, reader], store)
    assert provision.passwords(sim_broker, [van, reader], store) == first  # kept
    with psycopg.connect(sim_broker.db.url) as conn:
        devices.rotate(conn, broker.control_account(sim_broker), van.device_id)  # lost
    newer = provision.DeviceSpec(reader.device_id, DeviceKind.RFID_READER, "zebra", antennas=two)
    again = provision.passwords(sim_broker, [van, newer], store)
    assert again[van.device_id] != first[van.device_id]
    assert again[reader.device_id] == first[reader.device_id]
    with psycopg.connect(sim_broker.db.url) as conn:
        assert devices.authenticate(conn, van.device_id, again[van.device_id]) is not None
        assert [a.antenna for a in devices.detail(conn, reader.device_id).antennas] == [1, 2]
