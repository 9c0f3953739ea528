"""The GS1-keyed scheme family: every EPC scheme built on a company prefix and a partition.

SGTIN, SSCC, SGLN, GRAI, GIAI, GSRN, GSRNP, GDTI, SGCN and CPI share one binary shape
(TDS 14.5): header (8) | filter (3) | partition (3) | company prefix (M) | reference (N)
| tail, where the partition value picks M and N from the scheme's table. A `Layout` says
what the reference and the tail hold; `make_decoder` and `make_encoder` turn a layout into
a specialised function with its constants precomputed, so decoding is integer shifts,
table look-ups and string joins. The layouts themselves live in `epc.schemes`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import NamedTuple

from epc.errors import EpcError, ErrorCode
from epc.models import Epc
from epc.strings import (
    decode_numeric_string,
    decode_string7,
    encode_numeric_string,
    encode_string7,
    is_digits,
    parse_integer,
    parse_padded,
    uri_escape,
    uri_unescape,
)
from epc.tables import Partition


class Ref(Enum):
    """How the reference after the company prefix is coded."""

    PADDED = "padded"  # zero-padded decimal of exactly K digits (K may be 0: empty)
    INTEGER = "integer"  # decimal with no leading zero, below min(10**K, 2**N)
    STRING = "string"  # 7-bit string of at most K characters


class Tail(Enum):
    """What follows the reference."""

    NONE = "none"
    INTEGER = "integer"  # decimal with no leading zero, below 2**bits
    STRING = "string"  # 7-bit string of at most `tail_max` characters
    NUMERIC = "numeric"  # Numeric String: up to `tail_max` digits, leading zeros kept
    RESERVED = "reserved"  # must be zero; no URI component


class Layout(NamedTuple):
    """One binary coding scheme of the family."""

    scheme: str  # binary coding scheme and tag URI name, e.g. "sgtin-96"
    header: int
    bits: int
    uri_name: str  # pure identity URI name, e.g. "sgtin"
    names: tuple[str, ...]  # field names: company prefix, reference, then the tail's if any
    table: tuple[Partition, ...]
    ref: Ref
    tail: Tail = Tail.NONE
    tail_bits: int = 0
    tail_max: int = 0

    @property
    def components(self) -> int:
        """How many dot-separated components the pure identity URI body has."""
        return len(self.names)


def _error(code: ErrorCode, layout: Layout, detail: str) -> EpcError:
    return EpcError(code, f"{layout.scheme}: {detail}")


_new_epc = tuple.__new__  # builds the Epc NamedTuple without its Python-level __new__


def make_decoder(layout: Layout) -> Callable[[int], Epc]:
    """A function from the scheme's `bits`-bit value (header included) to its `Epc`.

    The layouts most reads carry (a padded reference then an integer serial, or reserved
    bits: SGTIN-96, SSCC-96, SGLN-96, GRAI-96, GDTI-96, GSRN-96, GSRNP-96) get a straight
    path without per-kind branches; the others share one general function.
    """
    scheme, ref_kind, tail_kind = layout.scheme, layout.ref, layout.tail
    tail_bits, tail_max = layout.tail_bits, layout.tail_max
    tail_mask = (1 << tail_bits) - 1
    body_bits = layout.table[0].company_bits + layout.table[0].ref_bits
    body_mask = (1 << body_bits) - 1
    filter_shift = body_bits + 3
    rows = tuple(
        (
            row.ref_bits,
            (1 << row.ref_bits) - 1,
            10**row.company_digits,
            row.company_digits,
            min(10**row.ref_digits, 1 << row.ref_bits),
            row.ref_digits,
        )
        for row in layout.table
    )
    company_name, ref_name = layout.names[0], layout.names[1]
    tail_name = layout.names[2] if len(layout.names) > 2 else ""
    pure_prefix = f"urn:epc:id:{layout.uri_name}:"
    tag_prefixes = tuple(f"urn:epc:tag:{scheme}:{f}." for f in range(8))
    padded, integer_ref = ref_kind is Ref.PADDED, ref_kind is Ref.INTEGER

    def range_error(partition: int, company: int, ref: int) -> EpcError:
        # Only reached when a value is out of range: says which one.
        if partition == 7:
            return _error(ErrorCode.BAD_PARTITION, layout, "partition value 7 is undefined")
        _, _, company_limit, company_digits, ref_limit, ref_digits = rows[partition]
        if company >= company_limit:
            detail = f"company prefix {company} has over {company_digits} digits"
            return _error(ErrorCode.BAD_COMPANY_PREFIX, layout, detail)
        if padded:
            detail = f"{ref_name} {ref} has over {ref_digits} digits"
        else:
            detail = f"{ref_name} {ref} is over {ref_limit - 1}"
        return _error(ErrorCode.BAD_FIELD_RANGE, layout, detail)

    def padded_integer(value: int) -> Epc:
        tail = value & tail_mask
        value >>= tail_bits
        partition = value >> body_bits & 7
        if partition == 7:
            raise range_error(7, 0, 0)
        ref_bits, ref_mask, company_limit, company_digits, ref_limit, ref_digits = rows[partition]
        company = (value & body_mask) >> ref_bits
        ref = value & ref_mask
        if company >= company_limit or ref >= ref_limit:
            raise range_error(partition, company, ref)
        company_text = str(company).zfill(company_digits)
        ref_text = str(ref).zfill(ref_digits) if ref_digits else ""
        tail_text = str(tail)
        body_text = f"{company_text}.{ref_text}.{tail_text}"
        filter_value = value >> filter_shift & 7
        fields = {company_name: company_text, ref_name: ref_text, tail_name: tail_text}
        return _new_epc(
            Epc,
            (
                scheme,
                filter_value,
                pure_prefix + body_text,
                tag_prefixes[filter_value] + body_text,
                fields,
            ),
        )

    def padded_reserved(value: int) -> Epc:
        if value & tail_mask:
            raise _error(ErrorCode.BAD_RESERVED, layout, "reserved bits are not zero")
        value >>= tail_bits
        partition = value >> body_bits & 7
        if partition == 7:
            raise range_error(7, 0, 0)
        ref_bits, ref_mask, company_limit, company_digits, ref_limit, ref_digits = rows[partition]
        company = (value & body_mask) >> ref_bits
        ref = value & ref_mask
        if company >= company_limit or ref >= ref_limit:
            raise range_error(partition, company, ref)
        company_text = str(company).zfill(company_digits)
        ref_text = str(ref).zfill(ref_digits)
        body_text = f"{company_text}.{ref_text}"
        filter_value = value >> filter_shift & 7
        fields = {company_name: company_text, ref_name: ref_text}
        return _new_epc(
            Epc,
            (
                scheme,
                filter_value,
                pure_prefix + body_text,
                tag_prefixes[filter_value] + body_text,
                fields,
            ),
        )

    def general(value: int) -> Epc:
        tail = value & tail_mask
        value >>= tail_bits
        partition = value >> body_bits & 7
        if partition == 7:
            raise range_error(7, 0, 0)
        ref_bits, ref_mask, company_limit, company_digits, ref_limit, ref_digits = rows[partition]
        company = (value & body_mask) >> ref_bits
        ref = value & ref_mask
        if company >= company_limit or (ref >= ref_limit and ref_kind is not Ref.STRING):
            raise range_error(partition, company, ref)
        company_text = str(company).zfill(company_digits)
        if padded:
            ref_text = ref_uri = str(ref).zfill(ref_digits) if ref_digits else ""
        elif integer_ref:
            ref_text = ref_uri = str(ref)
        else:
            ref_text = decode_string7(ref, ref_bits, ref_digits, f"{scheme} {ref_name}")
            ref_uri = uri_escape(ref_text)
        fields = {company_name: company_text, ref_name: ref_text}
        if tail_kind is Tail.NONE:
            body_text = f"{company_text}.{ref_uri}"
        else:
            if tail_kind is Tail.INTEGER:
                tail_text = tail_uri = str(tail)
            elif tail_kind is Tail.STRING:
                tail_text = decode_string7(tail, tail_bits, tail_max, f"{scheme} {tail_name}")
                tail_uri = uri_escape(tail_text)
            else:
                tail_text = tail_uri = decode_numeric_string(
                    tail, tail_max, f"{scheme} {tail_name}"
                )
            body_text = f"{company_text}.{ref_uri}.{tail_uri}"
            fields[tail_name] = tail_text
        filter_value = value >> filter_shift & 7
        return _new_epc(
            Epc,
            (
                scheme,
                filter_value,
                pure_prefix + body_text,
                tag_prefixes[filter_value] + body_text,
                fields,
            ),
        )

    if padded and tail_kind is Tail.INTEGER:
        return padded_integer
    if padded and tail_kind is Tail.RESERVED and all(row.ref_digits for row in layout.table):
        return padded_reserved
    return general


def make_encoder(layout: Layout) -> Callable[[int, Sequence[str]], int]:
    """A function from (filter, URI body components) to the scheme's `bits`-bit value.

    The components are the pure identity URI body split on its first dots, still in URI
    form (string components percent-escaped).
    """
    scheme, table = layout.scheme, layout.table
    by_digits = {row.company_digits: p for p, row in enumerate(table)}
    ref_name = layout.names[1]
    tail_name = layout.names[2] if len(layout.names) > 2 else ""
    tail_bits, tail_max = layout.tail_bits, layout.tail_max

    def encode(filter_value: int, parts: Sequence[str]) -> int:
        company_text = parts[0]
        partition = by_digits.get(len(company_text))
        if partition is None or not is_digits(company_text):
            raise _error(
                ErrorCode.BAD_COMPANY_PREFIX,
                layout,
                f"company prefix {company_text!r} is not 6 to 12 digits",
            )
        row = table[partition]
        what = f"{scheme} {ref_name}"
        if layout.ref is Ref.PADDED:
            ref = parse_padded(parts[1], row.ref_digits, what)
        elif layout.ref is Ref.INTEGER:
            limit = min(10**row.ref_digits, 1 << row.ref_bits)
            ref = parse_integer(parts[1], limit, what)
        else:
            text = uri_unescape(parts[1], what)
            ref = encode_string7(text, row.ref_bits, row.ref_digits, what)
        what = f"{scheme} {tail_name}"
        if layout.tail is Tail.INTEGER:
            tail = parse_integer(parts[2], 1 << tail_bits, what)
        elif layout.tail is Tail.STRING:
            tail = encode_string7(uri_unescape(parts[2], what), tail_bits, tail_max, what)
        elif layout.tail is Tail.NUMERIC:
            tail = encode_numeric_string(parts[2], tail_max, what)
        else:
            tail = 0
        value = (layout.header << 3 | filter_value) << 3 | partition
        value = (value << row.company_bits | int(company_text)) << row.ref_bits | ref
        return value << tail_bits | tail

    return encode
