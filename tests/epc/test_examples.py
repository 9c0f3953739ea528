"""The standard's worked examples, decoded and encoded, and what the identity of a tag is.

The examples are those of GS1 TDS Appendix E and the TDT standard (one per scheme). The
standard prints the bits of each scheme only; we pad to whole 16-bit words, so hex is
compared on the scheme's own bits. Known typos of the standard (SGTIN-198 item reference,
an extra zero in GIAI-202, the GSRN-96 and SGCN-96 filters) are corrected as GS1's own
translation test data does.
"""

from __future__ import annotations

import pytest

from epc import decode_hex, encode_uri
from epc.schemes import BY_SCHEME
from epc.sscc import issue

# (tag URI, pure identity URI, hex as printed by the standard)
STANDARD = [
    ("urn:epc:tag:sgtin-96:3.0614141.812345.6789", "urn:epc:id:sgtin:0614141.812345.6789",
     "3074257BF7194E4000001A85"),
    ("urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb", "urn:epc:id:sgtin:0614141.712345.32a%2Fb",
     "3674257BF6B7A659B2C2BF1000000000000000000000000000"),
    ("urn:epc:tag:sscc-96:3.0614141.1234567890", "urn:epc:id:sscc:0614141.1234567890",
     "3174257BF4499602D2000000"),
    ("urn:epc:tag:sgln-96:3.0614141.12345.5678", "urn:epc:id:sgln:0614141.12345.5678",
     "3274257BF46072000000162E"),
    ("urn:epc:tag:sgln-195:3.0614141.12345.32a%2Fb", "urn:epc:id:sgln:0614141.12345.32a%2Fb",
     "3974257BF46072CD9615F8800000000000000000000000000"),
    ("urn:epc:tag:grai-96:3.0614141.12345.5678", "urn:epc:id:grai:0614141.12345.5678",
     "3374257BF40C0E400000162E"),
    ("urn:epc:tag:grai-170:3.0614141.12345.32a%2Fb", "urn:epc:id:grai:0614141.12345.32a%2Fb",
     "3774257BF40C0E59B2C2BF100000000000000000000"),
    ("urn:epc:tag:giai-96:3.0614141.5678", "urn:epc:id:giai:0614141.5678",
     "3474257BF40000000000162E"),
    ("urn:epc:tag:giai-202:3.0614141.32a%2Fb", "urn:epc:id:giai:0614141.32a%2Fb",
     "3874257BF59B2C2BF1000000000000000000000000000000000"),
    ("urn:epc:tag:gsrn-96:3.0614141.1234567890", "urn:epc:id:gsrn:0614141.1234567890",
     "2D74257BF4499602D2000000"),
    ("urn:epc:tag:gsrnp-96:3.0614141.1234567890", "urn:epc:id:gsrnp:0614141.1234567890",
     "2E74257BF4499602D2000000"),
    ("urn:epc:tag:gdti-96:3.0614141.12345.5678", "urn:epc:id:gdti:0614141.12345.5678",
     "2C74257BF46072000000162E"),
    ("urn:epc:tag:gdti-174:3.4012345.98765.ABCDefgh012345678",
     "urn:epc:id:gdti:4012345.98765.ABCDefgh012345678",
     "3E74F4E4E7039B061438997367D0C18B266D1AB66EE0"),
    ("urn:epc:tag:cpi-96:3.0614141.98765.12345", "urn:epc:id:cpi:0614141.98765.12345",
     "3C74257BF400C0E680003039"),
    ("urn:epc:tag:sgcn-96:3.4012345.67890.04711", "urn:epc:id:sgcn:4012345.67890.04711",
     "3F74F4E4E612640000019907"),
    ("urn:epc:tag:gid-96:31415.271828.1414", "urn:epc:id:gid:31415.271828.1414",
     "350007AB70425D4000000586"),
    # The TDT standard's own walk-through (its page 13), given there as a bit string.
    ("urn:epc:tag:sgtin-96:3.0037000.030241.1041970", "urn:epc:id:sgtin:0037000.030241.1041970",
     f"{0b001100000111010000000010010000100010000000011101100010000100000000000000000011111110011000110010:024X}"),
]  # fmt: skip
IDS = [tag.split(":")[3] for tag, _, _ in STANDARD[:-1]] + ["sgtin-96-tdt"]


def _scheme_bits(hex_text: str, bits: int) -> int:
    return int(hex_text, 16) >> (4 * len(hex_text) - bits)


@pytest.mark.parametrize(("tag_uri", "pure_uri", "hex_text"), STANDARD, ids=IDS)
def test_standard_example_decodes(tag_uri: str, pure_uri: str, hex_text: str) -> None:
    """The standard's binary decodes to its tag URI and pure identity URI."""
    epc = decode_hex(hex_text)
    assert (epc.tag_uri, epc.pure_uri) == (tag_uri, pure_uri)


@pytest.mark.parametrize(("tag_uri", "pure_uri", "hex_text"), STANDARD, ids=IDS)
def test_standard_example_encodes(tag_uri: str, pure_uri: str, hex_text: str) -> None:
    """The standard's tag URI encodes to its binary, padded to whole 16-bit words."""
    bits = BY_SCHEME[tag_uri.split(":")[3]].bits
    encoded = encode_uri(tag_uri)
    assert len(encoded) * 4 == -(-bits // 16) * 16
    assert _scheme_bits(encoded, bits) == _scheme_bits(hex_text, bits)
    assert _scheme_bits(encoded, 4 * len(encoded)) & ((1 << (4 * len(encoded) - bits)) - 1) == 0


def test_first_example_fields() -> None:
    """TDS Appendix E's SGTIN-96 gives filter 3 and the company prefix, item reference, serial."""
    epc = decode_hex("3074257BF7194E4000001A85")
    assert epc.scheme == "sgtin-96"
    assert epc.filter == 3
    assert epc.fields == {"company_prefix": "0614141", "item_ref": "812345", "serial": "6789"}


def test_sscc_element_string_example() -> None:
    """TDS's SSCC (00)106141412345678908 is urn:epc:id:sscc:0614141.1234567890."""
    sscc = issue("0614141", 1, 234567890, filter_value=3)
    assert sscc.element_string == "(00)106141412345678908"
    assert sscc.pure_uri == "urn:epc:id:sscc:0614141.1234567890"
    assert sscc.hex == "3174257BF4499602D2000000"


def test_lower_case_hex_decodes_the_same() -> None:
    """Hex digits are read in either case."""
    assert decode_hex("3074257bf7194e4000001a85") == decode_hex("3074257BF7194E4000001A85")


@pytest.mark.parametrize("tail", ["0000", "FFFF", "DEADBEEF", "F"])
def test_bits_past_the_scheme_are_ignored(tail: str) -> None:
    """A read longer than its scheme (word padding, a longer bank read) decodes the same."""
    assert decode_hex("3074257BF7194E4000001A85" + tail) == decode_hex("3074257BF7194E4000001A85")


def test_identity_is_the_pure_uri_whatever_the_encoding() -> None:
    """SGTIN-96 and SGTIN-198 of one serial, under any filter, name one object."""
    short = decode_hex(encode_uri("urn:epc:tag:sgtin-96:3.0614141.812345.6789"))
    long = decode_hex(encode_uri("urn:epc:tag:sgtin-198:1.0614141.812345.6789"))
    assert short.tag_uri != long.tag_uri
    assert short.identity == long.identity == "urn:epc:id:sgtin:0614141.812345.6789"


@pytest.mark.parametrize(
    ("pure_uri", "scheme"),
    [
        ("urn:epc:id:sgtin:0614141.812345.6789", "sgtin-96"),
        ("urn:epc:id:sgtin:0614141.812345.06789", "sgtin-198"),  # zero-led: not an integer
        ("urn:epc:id:sgtin:0614141.812345.32a%2Fb", "sgtin-198"),
        ("urn:epc:id:sgtin:0614141.812345.274877906944", "sgtin-198"),  # 2**38: over 38 bits
        ("urn:epc:id:sgln:0614141.12345.0", "sgln-96"),
        ("urn:epc:id:sgln:0614141.12345.A1", "sgln-195"),
        ("urn:epc:id:grai:0614141.12345.X", "grai-170"),
        ("urn:epc:id:giai:0614141.0123", "giai-202"),
        ("urn:epc:id:gdti:0614141.12345.006847", "gdti-174"),
        ("urn:epc:id:sscc:0614141.1234567890", "sscc-96"),
        ("urn:epc:id:gid:95100000.12345.400", "gid-96"),
    ],
)
def test_pure_uri_picks_the_96_bit_form_when_it_fits(pure_uri: str, scheme: str) -> None:
    """A pure identity URI encodes with filter 0, in the 96-bit form when it can hold it."""
    epc = decode_hex(encode_uri(pure_uri))
    assert (epc.scheme, epc.pure_uri) == (scheme, pure_uri)
    assert epc.filter == (None if scheme == "gid-96" else 0)
