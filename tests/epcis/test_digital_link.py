"""EPC URIs and Digital Link URIs become constrained canonical GS1 Digital Link URIs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracking.epcis.digital_link import check_digit, to_canonical_digital_link


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
        ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
        ("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"),
        ("urn:epc:id:sgln:0012345.11111.0", "https://id.gs1.org/414/0012345111112"),
        ("urn:epc:id:grai:4012345.55555.987", "https://id.gs1.org/8003/04012345555554987"),
        ("urn:epc:id:giai:4000001.12345", "https://id.gs1.org/8004/400000112345"),
        ("urn:epc:id:pgln:4012345.00000", "https://id.gs1.org/417/4012345000009"),
        ("urn:epc:id:sgtin:0614141.107346.a!b", "https://id.gs1.org/01/10614141073464/21/a%21b"),
        (
            "urn:epc:class:lgtin:4012345.012345.998877",
            "https://id.gs1.org/01/04012345123456/10/998877",
        ),
        ("urn:epc:idpat:sgtin:4012345.098765.*", "https://id.gs1.org/01/04012345987652"),
        (
            "https://example.com/gtin/9520123456788/ser/12?x=1",
            "https://id.gs1.org/01/09520123456788/21/12",
        ),
        (
            "https://example.com/01/09520123456788/10/LOT/21/12",
            "https://id.gs1.org/01/09520123456788/21/12",
        ),
        (
            "https://id.gs1.org/01/09520123456788/22/V1/10/LOT",
            "https://id.gs1.org/01/09520123456788/10/LOT",
        ),
    ],
)
def test_known_conversions(uri: str, expected: str) -> None:
    """Worked conversions from the CBV examples and the Digital Link rules give these URIs."""
    assert to_canonical_digital_link(uri) == expected


@pytest.mark.parametrize(
    "uri",
    [
        "geo:47.5,11.1",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "http://transaction.acme.com/po/12345678",
        "urn:epcglobal:cbv:bt:0614141073467:1152",
        "urn:epc:id:sgtin:0614141.10734.1",  # company prefix + item reference is not 13 digits
        "urn:epc:id:sscc:0614141.123",
        "urn:epc:raw:96.x3074257bf7194e4000001a85",
    ],
)
def test_other_uris_are_left_alone(uri: str) -> None:
    """A URI that names no GS1 key (or names one badly) has no Digital Link form."""
    assert to_canonical_digital_link(uri) is None


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_check_digit_makes_a_valid_gln(body: str) -> None:
    """Appending the check digit yields a number whose weighted digit sum ends in zero."""
    digits = body + check_digit(body)
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    assert total % 10 == 0


@given(
    cp_len=st.integers(6, 12),
    digits=st.from_regex(r"\A[0-9]{13}\Z"),
    serial=st.from_regex(r"\A[0-9A-Za-z]{1,20}\Z"),
)
def test_sgtin_urn_and_its_digital_link_agree(cp_len: int, digits: str, serial: str) -> None:
    """Any SGTIN URN and the Digital Link it converts to normalise to the same URI."""
    cp, item = digits[1 : cp_len + 1], digits[0] + digits[cp_len + 1 :]
    dl = to_canonical_digital_link(f"urn:epc:id:sgtin:{cp}.{item}.{serial}")
    assert dl is not None and dl.endswith(f"/21/{serial}")
    assert to_canonical_digital_link(dl.replace("id.gs1.org", "example.org")) == dl
