"""7-bit string fields: the 82-character set, the seven characters URIs escape, and limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epc import EpcError, ErrorCode, decode_hex, encode_uri
from epc.strings import CHARSET, LITERAL, decode_string7, encode_string7, uri_escape, uri_unescape
from tests.epc.strategies import CHARS

TAG = "urn:epc:tag:sgtin-198:3.0614141.812345."

ESCAPES = [('"', "%22"), ("%", "%25"), ("&", "%26"), ("/", "%2F"), ("<", "%3C"), (">", "%3E"),
           ("?", "%3F")]  # fmt: skip


@pytest.mark.parametrize(("char", "escape"), ESCAPES)
def test_each_escaped_character_round_trips(char: str, escape: str) -> None:
    """The seven characters TDS names travel escaped in URIs and plain in the decoded field."""
    epc = decode_hex(encode_uri(f"{TAG}a{escape}b"))
    assert epc.tag_uri == f"{TAG}a{escape}b"
    assert epc.fields["serial"] == f"a{char}b"


@pytest.mark.parametrize("char", [c for c, _ in ESCAPES])
def test_escaped_character_written_plain_is_refused(char: str) -> None:
    """A character the URI must escape is refused when written as it is."""
    with pytest.raises(EpcError) as caught:
        encode_uri(f"{TAG}a{char}b")
    assert caught.value.code is ErrorCode.BAD_CHAR


def test_literal_punctuation_stays_plain() -> None:
    """The punctuation URIs may carry as is (dots and colons included) is not escaped."""
    serial = "!'()*+,-.:;=_"
    epc = decode_hex(encode_uri(f"{TAG}{serial}"))
    assert epc.fields["serial"] == serial
    assert epc.tag_uri == f"{TAG}{serial}"


def test_lower_case_escape_is_read_and_written_upper_case() -> None:
    """An escape may use lower-case hex; decoding writes the canonical upper-case form."""
    assert decode_hex(encode_uri(f"{TAG}a%2fb")).tag_uri == f"{TAG}a%2Fb"


def test_needless_escape_of_a_plain_character_is_canonicalised() -> None:
    """%41 is a valid way to write A; the decoded URI writes A."""
    assert decode_hex(encode_uri(f"{TAG}%41")).tag_uri == f"{TAG}A"


@pytest.mark.parametrize("component", ["%23", "%7E", "%20", "%00", "%7F", "%2", "%G1", "%"])
def test_escape_outside_the_set_or_malformed_is_refused(component: str) -> None:
    """An escape must be % and two hex digits naming one of the 82 characters."""
    with pytest.raises(EpcError) as caught:
        encode_uri(f"{TAG}a{component}")
    assert caught.value.code is ErrorCode.BAD_CHAR


def test_twenty_characters_fill_sgtin_198_without_terminator() -> None:
    """A serial of exactly 20 characters uses all 140 bits; 21 is too long."""
    full = "ABCDEFGHIJKLMNOPQRST"
    assert decode_hex(encode_uri(TAG + full)).fields["serial"] == full
    with pytest.raises(EpcError) as caught:
        encode_uri(TAG + full + "U")
    assert caught.value.code is ErrorCode.BAD_STRING


def test_string_decoding_checks_the_padding_bits() -> None:
    """Bits left over when the field is not a multiple of 7 must be zero too (GIAI-202)."""
    assert decode_string7(ord("A") << 141, 148, 18, "ref") == "A"
    with pytest.raises(EpcError) as caught:
        decode_string7(ord("A") << 141 | 1, 148, 18, "ref")
    assert caught.value.code is ErrorCode.BAD_STRING


def test_character_limit_is_the_partition_s_not_the_field_s() -> None:
    """GIAI-202 with a 12-digit prefix holds 18 characters although 148 bits fit 21."""
    text = "A" * 19
    with pytest.raises(EpcError) as caught:
        decode_string7(encode_string7(text, 148, 21, "ref"), 148, 18, "ref")
    assert caught.value.code is ErrorCode.BAD_STRING
    with pytest.raises(EpcError):
        encode_uri(f"urn:epc:tag:giai-202:0.061414112345.{text}")


def test_character_set_is_the_82_of_gs1() -> None:
    """82 characters, 75 written plain in URIs and the 7 TDS names escaped."""
    assert len(CHARSET) == 82
    assert {c for c, _ in ESCAPES} == CHARSET - LITERAL
    assert all(32 < ord(c) < 127 for c in CHARSET)
    assert not set("#$@[\\]^`{|}~ ") & CHARSET


@settings(deadline=None)
@given(st.text(CHARS, min_size=1))
def test_escape_then_unescape_is_identity(text: str) -> None:
    """Escaping plain text for a URI and reading it back gives the text."""
    escaped = uri_escape(text)
    assert set(escaped) <= LITERAL | {"%"}
    assert uri_unescape(escaped, "field") == text


@settings(deadline=None)
@given(st.text(CHARS, min_size=1, max_size=20))
def test_string_field_round_trips(text: str) -> None:
    """Any 1-20 characters of the set encode into 140 bits and decode back."""
    assert decode_string7(encode_string7(text, 140, 20, "serial"), 140, 20, "serial") == text
