"""The broker's TLS listener for devices on the internet: the same accounts and ACLs as the
loopback listener, and no plain MQTT on it."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from devices import broker
from tests.conftest import REPO, fresh_broker
from tests.support.data import provision
from tests.support.mqtt import ConnectRefused, Publisher

NOT_AUTHORISED = 0x87
PLAIN_PORT, TLS_PORT = 18862, 18863


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (a real deployment uses its CA's)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "broker.crt", folder / "broker.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.fixture(scope="module")
def tls_broker(settings: Settings, certificate: tuple[str, str]) -> Iterator[Settings]:
    cert, key = certificate
    state = REPO / ".run" / "mosquitto-tls-test"
    tuned = settings.model_copy(
        update={
            "mqtt": settings.mqtt.model_copy(update={"port": PLAIN_PORT}),
            "broker": settings.broker.model_copy(
                update={
                    "state_dir": str(state),
                    "tls_port": TLS_PORT,
                    "tls_certfile": cert,
                    "tls_keyfile": key,
                }  # fmt: skip
            ),
        }
    )
    with fresh_broker(tuned) as running:
        yield running


def on_tls(settings: Settings) -> Settings:
    return settings.model_copy(update={"mqtt": settings.mqtt.model_copy(update={"port": TLS_PORT})})


def test_a_device_publishes_over_tls_with_its_own_credentials_only(
    tls_broker: Settings, certificate: tuple[str, str], database: str, uid: str
) -> None:
    cert, _key = certificate
    device, other = f"tls-{uid}", f"tls-other-{uid}"
    password = provision(tls_broker, device)
    provision(tls_broker, other)
    with Publisher(on_tls(tls_broker), device, password, tls_ca=cert) as client:
        own = client.try_publish(f"waybill/v1/devices/{device}/telemetry", b"{}")
        foreign = client.try_publish(f"waybill/v1/devices/{other}/telemetry", b"{}")
    assert not own.is_failure
    assert foreign.value == NOT_AUTHORISED
    with pytest.raises(ConnectRefused):
        Publisher(on_tls(tls_broker), device, "not-the-password", tls_ca=cert)
    with pytest.raises(ConnectRefused):
        Publisher(on_tls(tls_broker), tls_ca=cert)  # anonymous


def test_plain_mqtt_is_not_spoken_on_the_tls_port(tls_broker: Settings, uid: str) -> None:
    password = provision(tls_broker, f"plain-{uid}")
    with pytest.raises((ConnectRefused, OSError, ssl.SSLError)):
        Publisher(on_tls(tls_broker), f"plain-{uid}", password, connack_timeout_s=2)


def test_a_tls_port_without_a_certificate_is_refused_with_a_clear_error(
    settings: Settings, tmp_path: Path
) -> None:
    tuned = settings.model_copy(
        update={
            "broker": settings.broker.model_copy(
                update={"state_dir": str(tmp_path), "tls_port": TLS_PORT + 1}
            )
        }
    )
    with pytest.raises(broker.BrokerError, match="tls_certfile"):
        broker.write_config(tuned)
