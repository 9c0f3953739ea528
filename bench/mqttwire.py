"""A minimal MQTT 5 client on a raw socket, for load generation and counting only.

The benchmark's publishers and its bare counting subscriber must cost as little CPU as
possible, so the product's pipeline is measured and not the load generator. Publishing
pipelines many QoS 1 PUBLISH packets per send and counts PUBACKs in bulk. Not for
production use: no reconnects, no QoS 2, no error recovery beyond raising.
"""

from __future__ import annotations

import socket
import struct


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value % 128, value // 128
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _utf8(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("!H", len(raw)) + raw


class Wire:
    def __init__(self, host: str, port: int, client_id: str, username: str, password: str,
                 receive_maximum: int = 65535) -> None:  # fmt: skip
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()
        props = b"\x21" + struct.pack("!H", receive_maximum)  # Receive Maximum
        variable = b"\x00\x04MQTT\x05\xc2" + struct.pack("!H", 60) + _varint(len(props)) + props
        payload = _utf8(client_id) + _utf8(username) + _utf8(password)
        body = variable + payload
        self.sock.sendall(b"\x10" + _varint(len(body)) + body)
        command, packet = self.read_packet()
        if command >> 4 != 2 or packet[1] != 0:
            raise ConnectionError(f"CONNACK refused: reason {packet[1]:#x}")

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 18)
        if not chunk:
            raise ConnectionError("broker closed the connection")
        self.buffer += chunk

    def packets(self) -> list[tuple[int, bytes]]:
        """Every complete packet after one recv: (first byte, body)."""
        self._fill()
        buffer, out = self.buffer, []
        pos, end = 0, len(buffer)
        while pos + 2 <= end:
            length, shift, index = 0, 0, pos + 1
            while index < end:
                byte = buffer[index]
                length |= (byte & 0x7F) << shift
                index += 1
                if not byte & 0x80:
                    break
                shift += 7
            else:
                break
            if index + length > end:
                break
            out.append((buffer[pos], bytes(buffer[index : index + length])))
            pos = index + length
        del buffer[:pos]
        return out

    def read_packet(self) -> tuple[int, bytes]:
        while True:
            found = self.packets()
            if found:
                return found[0]

    def subscribe(self, topic_filter: str) -> None:
        body = struct.pack("!H", 1) + b"\x00" + _utf8(topic_filter) + b"\x01"
        self.sock.sendall(b"\x82" + _varint(len(body)) + body)

    @staticmethod
    def publish_packet(topic: bytes, mid: int, payload: bytes) -> bytes:
        body = struct.pack("!H", len(topic)) + topic + struct.pack("!H", mid) + b"\x00" + payload
        return b"\x32" + _varint(len(body)) + body

    @staticmethod
    def puback(mid: int) -> bytes:
        return b"\x40\x02" + struct.pack("!H", mid)

    def close(self) -> None:
        try:
            self.sock.sendall(b"\xe0\x00")
        finally:
            self.sock.close()
