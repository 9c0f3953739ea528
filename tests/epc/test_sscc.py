"""SSCC issuance: the 18 digits with their check digit, the element string and the SSCC-96."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epc import EpcError, ErrorCode, decode_hex
from epc.sscc import check_digit, from_epc, issue


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("10614141234567890", 8),  # TDS: SSCC (00)106141412345678908
        ("8061414112345", 8),  # TDS: GTIN 80614141123458
        ("061414112345", 2),  # TDS: GLN 0614141123452
        ("0000000000000", 0),
    ],
)
def test_check_digit_of_the_standard_s_keys(digits: str, check: int) -> None:
    """The GS1 mod-10 check digit matches the keys printed in the standard."""
    assert check_digit(digits) == check


def test_issue_gives_every_form() -> None:
    """One issued SSCC carries its digits, element string, URIs and the hex for the tag."""
    sscc = issue("0614141", 1, 234567890)
    assert sscc.sscc == "106141412345678908"
    assert sscc.element_string == "(00)106141412345678908"
    assert sscc.serial_ref == "234567890"
    assert sscc.pure_uri == "urn:epc:id:sscc:0614141.1234567890"
    assert sscc.tag_uri == "urn:epc:tag:sscc-96:0.0614141.1234567890"
    assert decode_hex(sscc.hex).tag_uri == sscc.tag_uri


def test_serial_reference_is_zero_padded() -> None:
    """A small serial reference is padded to the digits the company prefix leaves."""
    sscc = issue("061414112345", 0, 7)
    assert sscc.sscc[:-1] == "00614141123450007"
    assert len(sscc.sscc) == 18


@pytest.mark.parametrize(
    ("prefix", "extension", "serial", "code"),
    [
        ("06141", 1, 1, ErrorCode.BAD_COMPANY_PREFIX),
        ("0614141234567", 1, 1, ErrorCode.BAD_COMPANY_PREFIX),
        ("06141A1", 1, 1, ErrorCode.BAD_COMPANY_PREFIX),
        ("0614141", 10, 1, ErrorCode.BAD_FIELD_RANGE),
        ("0614141", -1, 1, ErrorCode.BAD_FIELD_RANGE),
        ("0614141", 1, 10**9, ErrorCode.BAD_FIELD_RANGE),
        ("0614141", 1, -1, ErrorCode.BAD_FIELD_RANGE),
    ],
)
def test_issue_refuses_what_does_not_fit(prefix: str, extension: int, serial: int, code) -> None:
    """A company prefix, extension or serial reference that cannot make an SSCC is refused."""
    with pytest.raises(EpcError) as caught:
        issue(prefix, extension, serial)
    assert caught.value.code is code


@settings(deadline=None)
@given(
    prefix_digits=st.integers(6, 12),
    data=st.data(),
    extension=st.integers(0, 9),
    filter_value=st.integers(0, 7),
)
def test_issued_sscc_decodes_back(
    prefix_digits: int, data: st.DataObject, extension: int, filter_value: int
) -> None:
    """The hex of any issued SSCC decodes to its pure URI, which gives back its 18 digits."""
    prefix = data.draw(st.text("0123456789", min_size=prefix_digits, max_size=prefix_digits))
    serial = data.draw(st.integers(0, 10 ** (16 - prefix_digits) - 1))
    sscc = issue(prefix, extension, serial, filter_value)
    epc = decode_hex(sscc.hex)
    assert (epc.pure_uri, epc.filter) == (sscc.pure_uri, filter_value)
    assert from_epc(epc.pure_uri) == sscc.sscc
    assert check_digit(sscc.sscc[:-1]) == int(sscc.sscc[-1])
