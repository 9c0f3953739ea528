"""Cross-check against epcpy, an independent implementation (a test-only dependency).

Our hex for any valid EPC must decode in epcpy to the same pure identity URI. epcpy drops
filter values and tag sizes when decoding, so only the identity is compared; and it
mishandles percent-escapes (it fails on "%3C" followed by a digit or colon, and counts
escapes as three characters against length limits) and splits URIs on every colon, so
string fields are drawn from the characters URIs carry plain, less the colon. Escaping
is pinned by the standard's own examples instead (test_examples.py) and test_strings.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epc import encode_uri
from tests.epc.strategies import PLAIN_CHARS, SCHEMES, cases

epcpy = pytest.importorskip("epcpy")

CHARS = PLAIN_CHARS.replace(":", "")


@pytest.mark.parametrize("scheme", SCHEMES)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_epcpy_reads_our_hex_as_the_same_identity(scheme: str, data: st.DataObject) -> None:
    """epcpy decodes the hex we encode to the pure identity URI we encoded."""
    case = data.draw(cases(scheme, CHARS))
    decoded = epcpy.hex_to_tag_encodable(encode_uri(case.tag_uri))
    assert decoded.epc_uri == case.pure_uri
