"""The registry of handled binary coding schemes: their layouts and their codecs.

Each scheme is declared once here, as data (a `Layout` of the GS1-keyed family, or the
GID module). The registry gives the binary side a 256-entry table by header and the URI
side a table by scheme name, and says which binary scheme a pure identity URI defaults
to. Import-time checks keep the layouts, the header table and the bit counts agreeing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from epc import gid, tables
from epc.models import Epc
from epc.partitioned import Layout, Ref, Tail, make_decoder, make_encoder

_SGTIN = ("company_prefix", "item_ref", "serial")  # item_ref includes the indicator digit
_SSCC = ("company_prefix", "serial_ref")  # serial_ref includes the extension digit
_SGLN = ("company_prefix", "location_ref", "extension")
_GRAI = ("company_prefix", "asset_type", "serial")
_GIAI = ("company_prefix", "asset_ref")
_GSRN = ("company_prefix", "service_ref")
_GDTI = ("company_prefix", "document_type", "serial")
_SGCN = ("company_prefix", "coupon_ref", "serial")
_CPI = ("company_prefix", "part_ref", "serial")

LAYOUTS = (
    Layout("sgtin-96", 0x30, 96, "sgtin", _SGTIN, tables.SGTIN, Ref.PADDED, Tail.INTEGER, 38),
    Layout("sgtin-198", 0x36, 198, "sgtin", _SGTIN, tables.SGTIN, Ref.PADDED, Tail.STRING, 140, 20),
    Layout("sscc-96", 0x31, 96, "sscc", _SSCC, tables.SSCC, Ref.PADDED, Tail.RESERVED, 24),
    Layout("sgln-96", 0x32, 96, "sgln", _SGLN, tables.SGLN, Ref.PADDED, Tail.INTEGER, 41),
    Layout("sgln-195", 0x39, 195, "sgln", _SGLN, tables.SGLN, Ref.PADDED, Tail.STRING, 140, 20),
    Layout("grai-96", 0x33, 96, "grai", _GRAI, tables.GRAI, Ref.PADDED, Tail.INTEGER, 38),
    Layout("grai-170", 0x37, 170, "grai", _GRAI, tables.GRAI, Ref.PADDED, Tail.STRING, 112, 16),
    Layout("giai-96", 0x34, 96, "giai", _GIAI, tables.GIAI_96, Ref.INTEGER),
    Layout("giai-202", 0x38, 202, "giai", _GIAI, tables.GIAI_202, Ref.STRING),
    Layout("gsrn-96", 0x2D, 96, "gsrn", _GSRN, tables.SSCC, Ref.PADDED, Tail.RESERVED, 24),
    Layout("gsrnp-96", 0x2E, 96, "gsrnp", _GSRN, tables.SSCC, Ref.PADDED, Tail.RESERVED, 24),
    Layout("gdti-96", 0x2C, 96, "gdti", _GDTI, tables.SGLN, Ref.PADDED, Tail.INTEGER, 41),
    Layout("gdti-174", 0x3E, 174, "gdti", _GDTI, tables.SGLN, Ref.PADDED, Tail.STRING, 119, 17),
    Layout("sgcn-96", 0x3F, 96, "sgcn", _SGCN, tables.SGLN, Ref.PADDED, Tail.NUMERIC, 41, 12),
    Layout("cpi-96", 0x3C, 96, "cpi", _CPI, tables.CPI_96, Ref.INTEGER, Tail.INTEGER, 31),
)  # fmt: skip


class Codec(NamedTuple):
    """What the binary and URI sides need to know of one binary coding scheme."""

    scheme: str
    header: int
    bits: int
    uri_name: str
    components: int  # dot-separated components of the pure identity URI body
    has_filter: bool
    decode: Callable[[int], Epc]  # from the scheme's `bits`-bit value, header included
    encode: Callable[[int | None, Sequence[str]], int]  # (filter, components) -> value


def _codec(layout: Layout) -> Codec:
    encode = make_encoder(layout)

    def encode_filtered(filter_value: int | None, parts: Sequence[str]) -> int:
        assert filter_value is not None  # the URI side supplies one for filtered schemes
        return encode(filter_value, parts)

    return Codec(
        layout.scheme,
        layout.header,
        layout.bits,
        layout.uri_name,
        layout.components,
        True,
        make_decoder(layout),
        encode_filtered,
    )


_GID = Codec(
    gid.SCHEME, gid.HEADER, gid.BITS, gid.URI_NAME, gid.COMPONENTS, False, gid.decode, gid.encode
)
CODECS: tuple[Codec, ...] = (*(_codec(layout) for layout in LAYOUTS), _GID)
BY_SCHEME: dict[str, Codec] = {codec.scheme: codec for codec in CODECS}
BY_HEADER: list[Codec | None] = [None] * 256
for _codec_entry in CODECS:
    BY_HEADER[_codec_entry.header] = _codec_entry

# A pure identity URI names no binary scheme: try these in order (see epc.uri).
PURE_SCHEMES: dict[str, tuple[Codec, ...]] = {}
for _codec_entry in sorted(CODECS, key=lambda codec: codec.bits):
    PURE_SCHEMES.setdefault(_codec_entry.uri_name, ())
    PURE_SCHEMES[_codec_entry.uri_name] += (_codec_entry,)

# The declarations must agree with the standard's header table and add up to their sizes.
assert {codec.header: codec.scheme for codec in CODECS} == tables.HANDLED
assert not set(tables.HANDLED) & set(tables.UNSUPPORTED)
for _layout in LAYOUTS:
    for _row in _layout.table:
        assert 14 + _row.company_bits + _row.ref_bits + _layout.tail_bits == _layout.bits, _layout
