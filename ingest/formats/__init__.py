"""Wire formats: one module per format, each a pure `decode(payload, topic, received_at)`.

A decoder returns canonical records (`ingest.records`) or raises `Rejected`. It knows no
database, no clock (the receive time is passed in) and no MQTT client. `FORMATS` maps a
device's registered format name to its decoder.

GPS units and phones: `native`, `owntracks`, `osmand` (HTTP), `pui`. RFID readers:
`native`, `zebra` (FX7500/FX9600 IoT Connector), `impinj` (R700 IoT device interface).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ingest.formats import impinj, native, osmand, owntracks, pui, zebra
from ingest.records import Record

Decoder = Callable[[bytes, str, datetime], list[Record]]

FORMATS: dict[str, Decoder] = {
    "native": native.decode,
    "owntracks": owntracks.decode,
    "osmand": osmand.decode,
    "pui": pui.decode,
    "zebra": zebra.decode,
    "impinj": impinj.decode,
}
