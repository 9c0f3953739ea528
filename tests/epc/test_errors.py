"""Every error code, provoked by a real bad input: a reader's read or a URI someone typed."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from epc import EpcError, ErrorCode, decode_hex, encode_uri, raw_uri

EXAMPLE = 0x3074257BF7194E4000001A85  # SGTIN-96 3.0614141.812345.6789, partition 5


def _sgtin96(filter_value: int, partition: int, company: int, company_bits: int,
             ref: int, ref_bits: int, serial: int) -> str:  # fmt: skip
    value = ((0x30 << 3 | filter_value) << 3 | partition) << company_bits | company
    return f"{((value << ref_bits | ref) << 38 | serial):024X}"


def _sgtin198(serial_bits: int) -> str:
    """SGTIN-198 3.0614141.812345 with the given 140-bit serial field, padded to 208 bits."""
    value = (((0x36 << 3 | 3) << 3 | 5) << 24 | 614141) << 20 | 812345
    return f"{(value << 140 | serial_bits) << 10:052X}"


def _chars(text: str) -> int:
    value = 0
    for char in text:
        value = value << 7 | ord(char)
    return value << (140 - 7 * len(text))


DECODE_ERRORS = [
    ("3074257BF7194E4000001A8G", ErrorCode.NOT_HEX, "letter past F"),
    ("0x3074257BF7194E4000001A85", ErrorCode.NOT_HEX, "0x prefix"),
    ("30 74 25 7B F7 19 4E 40 00 00 1A 85", ErrorCode.NOT_HEX, "spaced bytes"),
    ("-3074257BF7194E4000001A85", ErrorCode.NOT_HEX, "sign"),
    ("3074_257BF7194E4000001A85", ErrorCode.NOT_HEX, "underscore"),
    ("３０７４", ErrorCode.NOT_HEX, "full-width digits"),
    ("", ErrorCode.TOO_SHORT, "empty read"),
    ("3", ErrorCode.TOO_SHORT, "half a header"),
    ("3074257BF7194E4000001A", ErrorCode.TOO_SHORT, "88 bits of a 96-bit scheme"),
    ("3674257BF6B7A659B2C2BF10", ErrorCode.TOO_SHORT, "96 bits of SGTIN-198"),
    ("000000000000000000000000", ErrorCode.UNKNOWN_HEADER, "unprogrammed tag"),
    ("E28011606000020A1B2C3D4E", ErrorCode.UNKNOWN_HEADER, "TID bank read as EPC"),
    ("E2003412012345678901ABCD", ErrorCode.UNKNOWN_HEADER, "another TID"),
    ("FF0000000000000000000000", ErrorCode.UNKNOWN_HEADER, "reserved for longer headers"),
    ("F73095212341234538566CB0AFC4", ErrorCode.UNSUPPORTED_SCHEME, "TDS 2.0 SGTIN+"),
    ("FB0000000000000000000000", ErrorCode.UNSUPPORTED_SCHEME, "TDS 2.0 DSGTIN+"),
    ("3A74257BF46072000000162E0000", ErrorCode.UNSUPPORTED_SCHEME, "deprecated GDTI-113"),
    ("8000000000000000", ErrorCode.UNSUPPORTED_SCHEME, "deprecated SGTIN-64"),
    ("3D74257BF75411DEF6B4CC00000003039", ErrorCode.UNSUPPORTED_SCHEME, "CPI-var"),
    ("400000000000000000000000000000", ErrorCode.UNSUPPORTED_SCHEME, "ITIP-110"),
    (f"{EXAMPLE | 7 << 82:024X}", ErrorCode.BAD_PARTITION, "partition 7"),
    (_sgtin96(3, 0, 10**12, 40, 0, 4, 1), ErrorCode.BAD_COMPANY_PREFIX, "13-digit prefix"),
    (_sgtin96(3, 6, 999_999 + 1, 20, 0, 24, 1), ErrorCode.BAD_COMPANY_PREFIX, "7 digits in 6"),
    (_sgtin96(3, 5, 614141, 24, 10**6, 20, 1), ErrorCode.BAD_FIELD_RANGE, "7-digit item ref"),
    ("3174257BF4499602D2000001", ErrorCode.BAD_RESERVED, "SSCC-96 reserved bit set"),
    ("2D74257BF4499602D2800000", ErrorCode.BAD_RESERVED, "GSRN-96 reserved bit set"),
    (_sgtin198(_chars("A#B")), ErrorCode.BAD_CHAR, "# is not in the set"),
    (_sgtin198(_chars("A B")), ErrorCode.BAD_CHAR, "space is not in the set"),
    (_sgtin198(_chars("A") | 1), ErrorCode.BAD_STRING, "bits after the end"),
    (_sgtin198(0), ErrorCode.BAD_STRING, "empty serial"),
    ("3F74F4E4E612640000000000", ErrorCode.BAD_FIELD_RANGE, "SGCN numeric string without 1"),
]


@pytest.mark.parametrize(
    ("hex_text", "code", "why"), DECODE_ERRORS, ids=[w for *_, w in DECODE_ERRORS]
)
def test_bad_read_raises_its_code(hex_text: str, code: ErrorCode, why: str) -> None:
    """Each kind of bad read raises EpcError with the code that names what is wrong."""
    with pytest.raises(EpcError) as caught:
        decode_hex(hex_text)
    assert caught.value.code is code, caught.value.detail
    assert caught.value.detail


ENCODE_ERRORS = [
    ("hello", ErrorCode.BAD_STRING, "not a URI"),
    ("urn:epc:tag:sgtin-96:3.0614141.812345", ErrorCode.BAD_STRING, "missing serial"),
    ("urn:epc:id:sgtin:0614141.812345.", ErrorCode.BAD_STRING, "empty serial"),
    (
        "urn:epc:tag:sgtin-198:3.0614141.812345.ABCDEFGHIJKLMNOPQRSTU",
        ErrorCode.BAD_STRING,
        "21-character serial",
    ),
    ("urn:epc:tag:sgtin-195:3.0614141.812345.6789", ErrorCode.UNSUPPORTED_SCHEME, "no such scheme"),
    ("urn:epc:tag:itip-110:3.0614141.812345.01.02.6789", ErrorCode.UNSUPPORTED_SCHEME, "ITIP"),
    ("urn:epc:id:upui:0614141.812345.6789", ErrorCode.UNSUPPORTED_SCHEME, "UPUI"),
    ("urn:epc:raw:96.x3074257BF7194E4000001A85", ErrorCode.UNSUPPORTED_SCHEME, "raw URI"),
    ("urn:epc:idpat:sgtin:0614141.812345.*", ErrorCode.UNSUPPORTED_SCHEME, "pattern URI"),
    ("urn:epc:tag:sgtin-96:8.0614141.812345.6789", ErrorCode.BAD_FIELD_RANGE, "filter 8"),
    ("urn:epc:tag:sgtin-96:33.0614141.812345.6789", ErrorCode.BAD_FIELD_RANGE, "filter 33"),
    ("urn:epc:tag:sgtin-96:3.0614141.81234.6789", ErrorCode.BAD_FIELD_RANGE, "short item ref"),
    ("urn:epc:tag:sgtin-96:3.0614141.812345.06789", ErrorCode.BAD_FIELD_RANGE, "zero-led serial"),
    ("urn:epc:tag:sgtin-96:3.0614141.812345.274877906944", ErrorCode.BAD_FIELD_RANGE, "2**38"),
    ("urn:epc:tag:cpi-96:3.0614141.0765.12345", ErrorCode.BAD_FIELD_RANGE, "zero-led CPI ref"),
    ("urn:epc:tag:gid-96:268435456.1.1", ErrorCode.BAD_FIELD_RANGE, "manager over 28 bits"),
    (
        "urn:epc:tag:sgcn-96:3.4012345.67890.0123456789012",
        ErrorCode.BAD_FIELD_RANGE,
        "13-digit coupon serial",
    ),
    ("urn:epc:tag:sgtin-96:3.06141.8123456.6789", ErrorCode.BAD_COMPANY_PREFIX, "5 digits"),
    ("urn:epc:tag:sgtin-96:3.0614141234567.0.6789", ErrorCode.BAD_COMPANY_PREFIX, "13 digits"),
    ("urn:epc:tag:sgtin-96:3.06141A1.812345.6789", ErrorCode.BAD_COMPANY_PREFIX, "a letter"),
    ("urn:epc:tag:sgtin-96:3.0614141.81234X.6789", ErrorCode.BAD_CHAR, "letter in item ref"),
    ("urn:epc:tag:sgtin-96:3.0614141.812345.67A9", ErrorCode.BAD_CHAR, "letter in SGTIN-96"),
    ("urn:epc:tag:sgtin-198:3.0614141.812345.A/B", ErrorCode.BAD_CHAR, "unescaped slash"),
    ("urn:epc:tag:sgtin-198:3.0614141.812345.A#B", ErrorCode.BAD_CHAR, "# outside the set"),
    ("urn:epc:tag:sgtin-198:3.0614141.812345.A%23B", ErrorCode.BAD_CHAR, "escaped #"),
    ("urn:epc:tag:sgtin-198:3.0614141.812345.A%2", ErrorCode.BAD_CHAR, "cut escape"),
    ("urn:epc:tag:cpi-96:3.0614141.5PQ7%2FZ43.12345", ErrorCode.BAD_CHAR, "CPI-var part ref"),
]


@pytest.mark.parametrize(("uri", "code", "why"), ENCODE_ERRORS, ids=[w for *_, w in ENCODE_ERRORS])
def test_bad_uri_raises_its_code(uri: str, code: ErrorCode, why: str) -> None:
    """Each kind of bad URI raises EpcError with the code that names what is wrong."""
    with pytest.raises(EpcError) as caught:
        encode_uri(uri)
    assert caught.value.code is code, caught.value.detail


def test_every_code_is_provoked() -> None:
    """The tables above provoke every error code at least once."""
    seen = {code for _, code, _ in DECODE_ERRORS} | {code for _, code, _ in ENCODE_ERRORS}
    assert seen == set(ErrorCode)


def test_epc_error_is_an_invalid_input_with_a_code() -> None:
    """EpcError belongs to the project's error tree, so the API answers it with a 4xx."""
    with pytest.raises(InvalidInput) as caught:
        decode_hex("000000000000000000000000")
    assert caught.value.code == "UNKNOWN_HEADER"


UNDECODABLE = [
    "000000000000000000000000",
    "E28011606000020A1B2C3D4E",
    "3174257BF4499602D2000001",
    "F73095212341234538566CB0AFC4",
]


@pytest.mark.parametrize("hex_text", UNDECODABLE)
def test_undecodable_read_keeps_its_raw_uri(hex_text: str) -> None:
    """A read that does not decode is still representable, bit for bit, under its raw URI."""
    with pytest.raises(EpcError):
        decode_hex(hex_text)
    uri = raw_uri(hex_text.lower())
    assert uri == f"urn:epc:raw:{4 * len(hex_text)}.x{hex_text}"


def test_raw_uri_refuses_what_is_not_hex() -> None:
    """Only hex has a raw URI."""
    with pytest.raises(EpcError) as caught:
        raw_uri("hello")
    assert caught.value.code is ErrorCode.NOT_HEX
