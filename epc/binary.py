"""The binary side: an EPC memory bank read as hex, decoded to an `Epc`, or kept raw.

`decode_hex` is on the ingest hot path, so it validates with str methods and `int()`
rather than a regex, and dispatches on the header through a 256-entry table. A read that
cannot be decoded keeps its bits under the EPC Raw URI (TDS section 12), `raw_uri`.
"""

from __future__ import annotations

from epc.errors import EpcError, ErrorCode
from epc.models import Epc
from epc.schemes import BY_HEADER
from epc.tables import UNSUPPORTED

_X = ("x", "X")


def _not_hex(hex_text: str) -> EpcError:
    if not hex_text:
        return EpcError(ErrorCode.TOO_SHORT, "empty EPC")
    return EpcError(ErrorCode.NOT_HEX, f"{hex_text!r} is not hexadecimal")


def _parse_hex(hex_text: str) -> int:
    # int(x, 16) also takes a sign, spaces, underscores, non-ASCII digits and a 0x prefix:
    # isascii() and isalnum() refuse all but the prefix, and once the text is ASCII letters
    # and digits an "x" can only get through int() as the second character after a "0".
    if (
        hex_text.isascii()
        and hex_text.isalnum()
        and (hex_text[0] != "0" or hex_text[1:2] not in _X)
    ):
        try:
            return int(hex_text, 16)
        except ValueError:
            pass
    raise _not_hex(hex_text)


def _header_error(header: int) -> EpcError:
    name = UNSUPPORTED.get(header)
    if name is not None:
        return EpcError(ErrorCode.UNSUPPORTED_SCHEME, f"header 0x{header:02X} is {name}")
    if header == 0:
        return EpcError(ErrorCode.UNKNOWN_HEADER, "header 0x00: unprogrammed tag")
    return EpcError(ErrorCode.UNKNOWN_HEADER, f"header 0x{header:02X} is not assigned")


def decode_hex(hex_text: str) -> Epc:
    """Decode the EPC in a memory bank read given as hex digits (either case).

    The header picks the scheme; bits past the scheme's length (word padding, a longer
    read) are ignored. Raises `EpcError` with NOT_HEX, TOO_SHORT, UNKNOWN_HEADER,
    UNSUPPORTED_SCHEME or one of the field codes.
    """
    # The body of _parse_hex is repeated here: a call per read is measurable on this path.
    if (
        hex_text.isascii()
        and hex_text.isalnum()
        and (hex_text[0] != "0" or hex_text[1:2] not in _X)
    ):
        try:
            value = int(hex_text, 16)
        except ValueError:
            raise _not_hex(hex_text) from None
    else:
        raise _not_hex(hex_text)
    nbits = len(hex_text) << 2
    if nbits < 8:
        raise EpcError(ErrorCode.TOO_SHORT, f"{nbits} bits, fewer than a header")
    codec = BY_HEADER[value >> (nbits - 8)]
    if codec is None:
        raise _header_error(value >> (nbits - 8))
    extra = nbits - codec.bits
    if extra < 0:
        raise EpcError(ErrorCode.TOO_SHORT, f"{codec.scheme} needs {codec.bits} bits, got {nbits}")
    return codec.decode(value >> extra)


def raw_uri(hex_text: str) -> str:
    """The EPC Raw URI of a read: `urn:epc:raw:<bit length>.x<HEX>`, hex in upper case.

    Holds any read, decodable or not, so nothing a reader reports is lost.
    """
    _parse_hex(hex_text)
    return f"urn:epc:raw:{4 * len(hex_text)}.x{hex_text.upper()}"


def to_hex(value: int, bits: int) -> str:
    """Upper-case hex of a `bits`-bit value, zero-padded to whole 16-bit words as written
    to a tag's EPC bank (198 bits become 208, so 52 hex digits)."""
    padded = -(-bits // 16) * 16
    return f"{value << (padded - bits):0{padded // 4}X}"
