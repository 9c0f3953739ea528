"""paho-mqtt's client with a faster receive path and acknowledgements in bulk.

Stock paho reads each packet with several `recv()` calls (one byte for the command, one
per length byte, then the body) and handles one packet per `select()` wake-up, and every
`ack()` is a packet of its own plus a wake-up write. At thousands of QoS 1 messages a
second that is most of a worker's CPU. Here reads come from a 256 KiB buffer filled by one
`recv()`, a wake-up handles every complete packet in it, and the PUBACKs of a committed
batch go out as one write.

The common PUBLISH — MQTT 5, QoS 1, manual ack, no properties — skips paho's decoding into
an `MQTTMessage` with a `Properties` object (measured 19 µs of CPU per message against
1 µs here, `time.process_time` over 50 000 calls) and goes to `on_publish_fields` with its
topic, payload and packet id. Anything else (properties, QoS 0 or 2, a topic that is not
UTF-8) takes paho's own path and `on_message`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.client import PUBACK, MQTTErrorCode, MQTTv5

# topic, payload, packet id
FieldsCallback = Callable[[str, bytes, int], None]

_READ_SIZE = 256 * 1024


class BufferedClient(mqtt.Client):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rbuf = b""
        self._rpos = 0
        self._rsock: object = None
        self.on_publish_fields: FieldsCallback | None = None

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._sock is not self._rsock:  # a new connection: nothing buffered is valid
            self._rbuf, self._rpos, self._rsock = b"", 0, self._sock
        if self._rpos >= len(self._rbuf):
            data = super()._sock_recv(_READ_SIZE)  # raises BlockingIOError when empty
            if not data:
                return b""  # the connection is closed
            self._rbuf, self._rpos = data, 0
        chunk = self._rbuf[self._rpos : self._rpos + bufsize]
        self._rpos += len(chunk)
        return chunk

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        rc = super().loop_read(max_packets)
        # Packets already buffered would otherwise wait for the socket's next wake-up.
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._rpos < len(self._rbuf):
            if self._sock is None or self._sock is not self._rsock:
                break
            rc = super().loop_read(max_packets)
        return rc

    def _handle_publish(self) -> MQTTErrorCode:
        command, packet = self._in_packet["command"], self._in_packet["packet"]
        deliver = self.on_publish_fields
        # Flags 0b0010: QoS 1 (dup and retain may be set; neither changes what we do).
        if deliver is None or (command & 0x06) != 0x02 or self._protocol != MQTTv5:
            return super()._handle_publish()
        if not self._manual_ack or len(packet) < 5:
            return super()._handle_publish()
        end = 2 + ((packet[0] << 8) | packet[1])
        if len(packet) < end + 3 or packet[end + 2] != 0:  # properties: paho decodes them
            return super()._handle_publish()
        try:
            topic = packet[2:end].decode()
        except UnicodeDecodeError:
            return super()._handle_publish()
        deliver(topic, bytes(packet[end + 3 :]), (packet[end] << 8) | packet[end + 1])
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    def ack_many(self, mids: list[int]) -> None:
        """Acknowledge QoS 1 messages with one write of all their PUBACKs."""
        if mids:
            packets = b"".join(struct.pack("!BBH", PUBACK, 2, mid) for mid in mids)
            self._packet_queue(PUBACK, packets, 0, 0)
