"""Property tests: encode and decode are inverse over every scheme's valid field ranges."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epc import EpcError, decode_hex, encode_uri
from epc.schemes import BY_SCHEME, CODECS
from tests.epc.strategies import SCHEMES, cases


@pytest.mark.parametrize("scheme", SCHEMES)
@settings(deadline=None)
@given(data=st.data())
def test_tag_uri_encodes_and_decodes_back(scheme: str, data: st.DataObject) -> None:
    """Encoding a valid tag URI then decoding the hex gives back that URI, its fields and filter."""
    case = data.draw(cases(scheme))
    hex_text = encode_uri(case.tag_uri)
    epc = decode_hex(hex_text)
    assert epc.scheme == scheme
    assert epc.tag_uri == case.tag_uri
    assert epc.pure_uri == case.pure_uri
    assert epc.filter == case.filter
    assert dict(epc.fields) == case.fields
    assert len(hex_text) == -(-BY_SCHEME[scheme].bits // 16) * 4
    assert encode_uri(epc.tag_uri) == hex_text


@pytest.mark.parametrize("scheme", SCHEMES)
@settings(deadline=None)
@given(data=st.data())
def test_pure_uri_encodes_to_the_same_identity(scheme: str, data: st.DataObject) -> None:
    """A pure identity URI encodes (filter 0, shortest form that holds it) back to itself."""
    case = data.draw(cases(scheme))
    epc = decode_hex(encode_uri(case.pure_uri))
    assert epc.pure_uri == case.pure_uri
    assert epc.filter == (None if case.filter is None else 0)
    if BY_SCHEME[scheme].bits == 96:  # what fits the 96-bit form is encoded in it
        assert epc.scheme == scheme


@pytest.mark.parametrize("codec", CODECS, ids=lambda codec: codec.scheme)
@settings(deadline=None)
@given(data=st.data())
def test_any_bits_under_a_handled_header_decode_or_raise_and_reencode(
    codec, data: st.DataObject
) -> None:
    """Random bits after a handled header either raise EpcError or decode to a tag URI that
    encodes back to exactly the scheme's bits (bits past the scheme are ignored)."""
    extra = data.draw(st.integers(0, 40))
    rest = data.draw(st.integers(0, (1 << (codec.bits - 8 + extra)) - 1))
    value = codec.header << (codec.bits - 8 + extra) | rest
    nbits = -(-(codec.bits + extra) // 4) * 4
    hex_text = f"{value << (nbits - codec.bits - extra):0{nbits // 4}X}"
    try:
        epc = decode_hex(hex_text)
    except EpcError:
        return
    scheme_bits = value >> extra
    padded = -(-codec.bits // 16) * 16
    assert encode_uri(epc.tag_uri) == f"{scheme_bits << (padded - codec.bits):0{padded // 4}X}"


@settings(deadline=None)
@given(st.text(max_size=60))
def test_any_text_decodes_or_raises_epc_error(text: str) -> None:
    """Whatever a reader sends as hex, decoding returns an Epc or raises EpcError, nothing else."""
    with contextlib.suppress(EpcError):
        decode_hex(text)


@settings(deadline=None)
@given(st.sampled_from(["", "urn:epc:tag:sgtin-96:", "urn:epc:id:sgtin:", "urn:epc:tag:gid-96:"]),
       st.text(max_size=60))  # fmt: skip
def test_any_text_encodes_or_raises_epc_error(prefix: str, text: str) -> None:
    """Whatever text is passed as a URI, encoding returns hex or raises EpcError, nothing else."""
    try:
        hex_text = encode_uri(prefix + text)
    except EpcError:
        return
    decode_hex(hex_text)
