"""Facts of the GS1 EPC Tag Data Standard (TDS 1.13 / 2.x) as data: headers and partitions.

Owns the 8-bit header assignments (TDS table 14-1, with the TDS 2.x "+" and "++"
headers) and the partition tables of the GS1-keyed schemes (TDS section 14.5). Nothing
here decodes; the scheme modules read these tables. The binary layouts these describe did
not change between TDS 1.13 and 2.x.
"""

from __future__ import annotations

from typing import NamedTuple

# Headers of the schemes this package decodes and encodes.
HANDLED: dict[int, str] = {
    0x2C: "gdti-96",
    0x2D: "gsrn-96",
    0x2E: "gsrnp-96",
    0x30: "sgtin-96",
    0x31: "sscc-96",
    0x32: "sgln-96",
    0x33: "grai-96",
    0x34: "giai-96",
    0x35: "gid-96",
    0x36: "sgtin-198",
    0x37: "grai-170",
    0x38: "giai-202",
    0x39: "sgln-195",
    0x3C: "cpi-96",
    0x3E: "gdti-174",
    0x3F: "sgcn-96",
}

# Headers the standard assigns (or assigned) that this package does not decode. A read
# with one of these is a real EPC we cannot interpret, which is not the same failure as
# noise or a TID bank read as EPC: hence UNSUPPORTED_SCHEME rather than UNKNOWN_HEADER.
UNSUPPORTED: dict[int, str] = {
    0x08: "sscc-64 (deprecated 64-bit scheme)",
    0x09: "sgln-64 (deprecated 64-bit scheme)",
    0x0A: "grai-64 (deprecated 64-bit scheme)",
    0x0B: "giai-64 (deprecated 64-bit scheme)",
    0x2F: "usdod-96",
    0x3A: "gdti-113 (deprecated scheme)",
    0x3B: "adi-var",
    0x3D: "cpi-var",
    0x40: "itip-110",
    0x41: "itip-212",
    0xCE: "dod-64 (deprecated 64-bit scheme)",
    # TDS 2.0 schemes that carry GS1 application identifiers rather than partitions.
    0xF0: "cpi+",
    0xF1: "grai+",
    0xF2: "sgln+",
    0xF3: "itip+",
    0xF4: "gsrn+",
    0xF5: "gsrnp+",
    0xF6: "gdti+",
    0xF7: "sgtin+",
    0xF8: "sgcn+",
    0xF9: "sscc+",
    0xFA: "giai+",
    0xFB: "dsgtin+",
    # TDS 2.3 "++" schemes (the "+" layouts plus a GS1 Digital Link host name).
    0xE6: "cpi++",
    0xE7: "gsrn++",
    0xE8: "gsrnp++",
    0xE9: "sgln++",
    0xEA: "gdti++",
    0xEB: "grai++",
    0xEC: "sgcn++",
    0xED: "itip++",
    0xEE: "giai++",
    0xEF: "sscc++",
    0xFC: "dsgtin++",
    0xFD: "sgtin++",
}
# SGTIN-64 used a 2-bit header "10", so it owns every 8-bit value from 0x80 to 0xBF. The
# other values TDS marks "reserved until 64-bit sunset" (0x0C-0x0F, 0xC0-0xDF but 0xCE)
# never named a scheme: like every value absent here, they are UNKNOWN_HEADER.
UNSUPPORTED.update({h: "sgtin-64 (deprecated 64-bit scheme)" for h in range(0x80, 0xC0)})


class Partition(NamedTuple):
    """One row of a partition table: how the bits after the partition value are split."""

    company_bits: int  # M
    company_digits: int  # L
    ref_bits: int  # N
    ref_digits: int  # K: digits of the reference (or at most K characters / digits)


def _table(*rows: tuple[int, int, int, int]) -> tuple[Partition, ...]:
    return tuple(Partition(*row) for row in rows)


# Indexed by the partition value 0-6; value 7 is undefined in every table.
SGTIN = _table(
    (40, 12, 4, 1), (37, 11, 7, 2), (34, 10, 10, 3), (30, 9, 14, 4),
    (27, 8, 17, 5), (24, 7, 20, 6), (20, 6, 24, 7),
)  # fmt: skip
# SSCC, GSRN and GSRNP share one table: company prefix + 17-L digit reference.
SSCC = _table(
    (40, 12, 18, 5), (37, 11, 21, 6), (34, 10, 24, 7), (30, 9, 28, 8),
    (27, 8, 31, 9), (24, 7, 34, 10), (20, 6, 38, 11),
)  # fmt: skip
# SGLN, GDTI and SGCN share one table: company prefix + 12-L digit reference.
SGLN = _table(
    (40, 12, 1, 0), (37, 11, 4, 1), (34, 10, 7, 2), (30, 9, 11, 3),
    (27, 8, 14, 4), (24, 7, 17, 5), (20, 6, 21, 6),
)  # fmt: skip
GRAI = _table(
    (40, 12, 4, 0), (37, 11, 7, 1), (34, 10, 10, 2), (30, 9, 14, 3),
    (27, 8, 17, 4), (24, 7, 20, 5), (20, 6, 24, 6),
)  # fmt: skip
# GIAI-96: the asset reference is an integer below 2**N (K is only its widest digit count).
GIAI_96 = _table(
    (40, 12, 42, 13), (37, 11, 45, 14), (34, 10, 48, 15), (30, 9, 52, 16),
    (27, 8, 55, 17), (24, 7, 58, 18), (20, 6, 62, 19),
)  # fmt: skip
# GIAI-202: the asset reference is a 7-bit string of at most K characters in N bits.
GIAI_202 = _table(
    (40, 12, 148, 18), (37, 11, 151, 19), (34, 10, 154, 20), (30, 9, 158, 21),
    (27, 8, 161, 22), (24, 7, 164, 23), (20, 6, 168, 24),
)  # fmt: skip
# CPI-96: the component/part reference is an integer of at most K digits.
CPI_96 = _table(
    (40, 12, 11, 3), (37, 11, 14, 4), (34, 10, 17, 5), (30, 9, 21, 6),
    (27, 8, 24, 7), (24, 7, 27, 8), (20, 6, 31, 9),
)  # fmt: skip
