"""The simulated devices' identities: registry entries, broker passwords, MQTT connections.

Every van, phone and reader is provisioned through the device registry
(`devices.service.provision`) on first run, with per-device broker credentials; the
passwords are kept in a state file (mode 0600, `.run/sim.json` by default) so later runs
reuse them, and a device whose password was lost gets a new one (`rotate`). Each device is
then its own MQTT 5 client, logged in as itself, so the broker's per-device rules apply to
the simulator exactly as to real hardware.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.db import connect
from core.errors import Conflict
from core.settings import Settings
from devices import broker
from devices import service as devices
from devices.models import Antenna, DeviceKind
from devices.service import DeviceChanges

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    device_id: str
    kind: DeviceKind
    format: str
    name: str = ""
    vehicle_id: str | None = None
    antennas: tuple[Antenna, ...] = ()


def passwords(settings: Settings, specs: list[DeviceSpec], store: Path) -> dict[str, str]:
    """Each device's broker password: provisioned once, kept in `store`, rotated if lost.

    A kept password the registry no longer accepts (a database made afresh, a password
    rotated or revoked meanwhile) is replaced the same way."""
    saved: dict[str, str] = orjson.loads(store.read_bytes()) if store.exists() else {}
    with connect(settings.db.url) as conn:
        missing = [
            s
            for s in specs
            if s.device_id not in saved
            or devices.authenticate(conn, s.device_id, saved[s.device_id]) is None
        ]
        conn.rollback()
        if missing:
            control = broker.control_account(settings)
            for spec in missing:
                try:
                    result = devices.provision(
                        conn, control, device_id=spec.device_id, kind=spec.kind,
                        format=spec.format, name=spec.name, vehicle_id=spec.vehicle_id,
                        antennas=list(spec.antennas),
                    )  # fmt: skip
                except Conflict:  # registered earlier, password lost: issue a new one
                    result = devices.rotate(conn, control, spec.device_id)
                saved[spec.device_id] = result.password
                log.info("provisioned %s (%s, %s)", spec.device_id, spec.kind, spec.format)
        for spec in specs:  # a reader registered by an older layout gets today's antennas
            if spec.antennas and devices.detail(conn, spec.device_id).antennas != list(
                spec.antennas
            ):
                devices.update(conn, spec.device_id, DeviceChanges(antennas=list(spec.antennas)))
                log.info("antennas of %s updated", spec.device_id)
    if missing:
        store.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(orjson.dumps(saved))
    return saved


def client(
    settings: Settings,
    device_id: str,
    password: str,
    on_message: Callable[[mqtt.MQTTMessage], None] | None = None,
    subscribe: str | None = None,
) -> mqtt.Client:
    """A device's own MQTT client, connected with its own credentials, network loop running.

    Like a real unit it leaves a retained last will `offline` on its status topic and says
    `online` there on every connect. `subscribe` is (re)subscribed on every connect, so a
    downlink survives a reconnect.
    """
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"sim-{device_id}", protocol=mqtt.MQTTv5)
    c.username_pw_set(device_id, password)
    status = f"waybill/v1/devices/{device_id}/status"
    c.will_set(status, b"offline", qos=1, retain=True)

    def on_connect(cl, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            log.warning("%s: broker refused the connection: %s", device_id, reason_code)
            return
        cl.publish(status, b"online", qos=1, retain=True)
        if subscribe:
            cl.subscribe(subscribe, qos=1)

    c.on_connect = on_connect
    if on_message is not None:
        c.on_message = lambda cl, userdata, message: on_message(message)
    c.reconnect_delay_set(1, 10)
    c.connect(settings.mqtt.host, settings.mqtt.port, keepalive=settings.mqtt.keepalive_s)
    c.loop_start()
    return c


def close(clients: Iterable[mqtt.Client]) -> None:
    """Say `offline` (a clean goodbye does not fire the will), then disconnect."""
    for c in clients:
        if c.username:  # the device id
            c.publish(f"waybill/v1/devices/{c.username}/status", b"offline", qos=1, retain=True)
        c.disconnect()
        c.loop_stop()
