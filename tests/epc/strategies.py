"""Hypothesis strategies for valid EPCs of every handled scheme, as URIs with their fields.

Values are drawn over each scheme's whole valid range (every partition, every filter,
the 82-character set for string fields) from the layouts the codec declares; the
standard's worked examples, in test_examples.py, pin those layouts to the standard.
"""

from __future__ import annotations

from typing import NamedTuple

from hypothesis import strategies as st

from epc import gid
from epc.partitioned import Layout, Ref, Tail
from epc.schemes import LAYOUTS
from epc.strings import CHARSET, LITERAL, uri_escape

CHARS = "".join(sorted(CHARSET))
PLAIN_CHARS = "".join(sorted(LITERAL))  # the 75 a URI writes as they are
SCHEMES = [layout.scheme for layout in LAYOUTS] + [gid.SCHEME]
_BY_SCHEME = {layout.scheme: layout for layout in LAYOUTS}


class Case(NamedTuple):
    """One valid EPC: its tag URI, pure identity URI, filter and plain field values."""

    scheme: str
    tag_uri: str
    pure_uri: str
    filter: int | None
    fields: dict[str, str]


def digits(count: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=count, max_size=count)


def gs1_text(max_size: int, chars: str = CHARS) -> st.SearchStrategy[str]:
    return st.text(chars, min_size=1, max_size=max_size)


@st.composite
def _partitioned(draw: st.DrawFn, layout: Layout, chars: str) -> Case:
    filter_value = draw(st.integers(0, 7))
    row = layout.table[draw(st.integers(0, 6))]
    company = draw(digits(row.company_digits))
    if layout.ref is Ref.PADDED:
        ref = draw(digits(row.ref_digits))
    elif layout.ref is Ref.INTEGER:
        ref = str(draw(st.integers(0, min(10**row.ref_digits, 1 << row.ref_bits) - 1)))
    else:
        ref = draw(gs1_text(row.ref_digits, chars))
    values = [company, ref]
    if layout.tail is Tail.INTEGER:
        values.append(str(draw(st.integers(0, (1 << layout.tail_bits) - 1))))
    elif layout.tail is Tail.STRING:
        values.append(draw(gs1_text(layout.tail_max, chars)))
    elif layout.tail is Tail.NUMERIC:
        values.append(draw(st.text("0123456789", min_size=1, max_size=layout.tail_max)))
    body = ".".join(uri_escape(value) for value in values)
    return Case(
        layout.scheme,
        f"urn:epc:tag:{layout.scheme}:{filter_value}.{body}",
        f"urn:epc:id:{layout.uri_name}:{body}",
        filter_value,
        dict(zip(layout.names, values, strict=True)),
    )


@st.composite
def _gid(draw: st.DrawFn) -> Case:
    values = [str(draw(st.integers(0, (1 << bits) - 1))) for bits in (28, 24, 36)]
    body = ".".join(values)
    names = ("manager", "object_class", "serial")
    return Case(
        gid.SCHEME,
        f"urn:epc:tag:gid-96:{body}",
        f"urn:epc:id:gid:{body}",
        None,
        dict(zip(names, values, strict=True)),
    )


def cases(scheme: str, chars: str = CHARS) -> st.SearchStrategy[Case]:
    """Valid EPCs of one binary coding scheme, string fields drawn from `chars`."""
    return _gid() if scheme == gid.SCHEME else _partitioned(_BY_SCHEME[scheme], chars)
