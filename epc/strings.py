"""Bit-level field codecs shared by the schemes: 7-bit strings, numeric strings, integers.

Owns the TDS character rules: the 82 characters a GS1 alphanumeric field may hold (TDS
table A-1, the GS1 "AI encodable character set 82"), the seven of them an EPC URI must
percent-escape, and the validity tests of the String, Numeric String and Integer coding
methods (TDS 14.3 / 14.4). Every failure is an `EpcError`; nothing here does I/O.
"""

from __future__ import annotations

from epc.errors import EpcError, ErrorCode

# The characters a URI carries as they are (the GS3A3Char grammar of TDS section 5).
LITERAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!'()*+,-.:;=_")
# The characters of the set that must appear escaped in a URI, and their escapes.
ESCAPED = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
CHARSET = LITERAL | frozenset(ESCAPED)
assert len(CHARSET) == 82

_ESCAPE_TABLE = str.maketrans(ESCAPED)
# 7-bit code -> character, or "" where the code is outside the set (including 0, the end).
_CHAR7 = tuple(chr(code) if chr(code) in CHARSET else "" for code in range(128))
_HEX = frozenset("0123456789abcdefABCDEF")


def uri_escape(text: str) -> str:
    """The URI form of a string field: the seven characters TDS names, percent-escaped."""
    return text.translate(_ESCAPE_TABLE)


def uri_unescape(component: str, what: str) -> str:
    """The plain text of a URI string component, checked against the 82-character set.

    A literal character must be one the URI grammar allows as is; an escape `%XX` (either
    case of hex digit) must name one of the 82 characters. Raises BAD_CHAR otherwise, and
    BAD_STRING for an empty component.
    """
    if not component:
        raise EpcError(ErrorCode.BAD_STRING, f"{what} is empty")
    if "%" not in component:
        if LITERAL.issuperset(component):
            return component
        bad = next(c for c in component if c not in LITERAL)
        raise EpcError(ErrorCode.BAD_CHAR, f"{what} has {bad!r}, which a URI must escape or "
                       "which is outside the GS1 character set")  # fmt: skip
    out: list[str] = []
    i, n = 0, len(component)
    while i < n:
        c = component[i]
        if c == "%":
            pair = component[i + 1 : i + 3]
            if len(pair) != 2 or not _HEX.issuperset(pair):
                raise EpcError(ErrorCode.BAD_CHAR, f"{what} has a malformed escape at {i}")
            c = chr(int(pair, 16))
            if c not in CHARSET:
                raise EpcError(ErrorCode.BAD_CHAR, f"{what} escapes {c!r}, outside the set")
            i += 3
        elif c in LITERAL:
            i += 1
        else:
            raise EpcError(ErrorCode.BAD_CHAR, f"{what} has {c!r}, which a URI must escape")
        out.append(c)
    return "".join(out)


def decode_string7(value: int, nbits: int, max_chars: int, what: str) -> str:
    """Plain text of a 7-bit String field of `nbits` bits (TDS 14.4.4).

    Characters run from the most significant bits; the first all-zero 7-bit group ends
    the string and every bit after it must be zero. At least one and at most `max_chars`
    characters, each from the 82-character set.
    """
    chars: list[str] = []
    shift = nbits - 7
    while shift >= 0:
        code = (value >> shift) & 0x7F
        if not code:
            break
        char = _CHAR7[code]
        if not char:
            raise EpcError(ErrorCode.BAD_CHAR, f"{what} has code 0x{code:02X}, outside the set")
        chars.append(char)
        shift -= 7
    # What follows the last character (its terminator, the rest, or the bits left over when
    # nbits is not a multiple of 7) must all be zero.
    if value & ((1 << (shift + 7)) - 1):
        raise EpcError(ErrorCode.BAD_STRING, f"{what} has non-zero bits after its end")
    if not chars:
        raise EpcError(ErrorCode.BAD_STRING, f"{what} is empty")
    if len(chars) > max_chars:
        raise EpcError(
            ErrorCode.BAD_STRING, f"{what} has {len(chars)} characters, over {max_chars}"
        )
    return "".join(chars)


def encode_string7(text: str, nbits: int, max_chars: int, what: str) -> int:
    """The `nbits`-bit String field holding plain `text` (already unescaped and checked)."""
    if not text:
        raise EpcError(ErrorCode.BAD_STRING, f"{what} is empty")
    if len(text) > max_chars:
        raise EpcError(ErrorCode.BAD_STRING, f"{what} has {len(text)} characters, over {max_chars}")
    value = 0
    for char in text:
        value = (value << 7) | ord(char)
    return value << (nbits - 7 * len(text))


def is_digits(text: str) -> bool:
    """True for a non-empty run of ASCII digits (str.isdigit alone admits '²' and kin)."""
    return text.isascii() and text.isdigit()


def parse_integer(text: str, limit: int, what: str) -> int:
    """An Integer field from its URI form: digits with no leading zero, below `limit`."""
    if not is_digits(text):
        if not text:
            raise EpcError(ErrorCode.BAD_STRING, f"{what} is empty")
        raise EpcError(ErrorCode.BAD_CHAR, f"{what} {text!r} is not all digits")
    if len(text) > 1 and text[0] == "0":
        raise EpcError(ErrorCode.BAD_FIELD_RANGE, f"{what} {text!r} has a leading zero")
    value = int(text)
    if value >= limit:
        raise EpcError(ErrorCode.BAD_FIELD_RANGE, f"{what} {value} is not below {limit}")
    return value


def parse_padded(text: str, digits: int, what: str) -> int:
    """A zero-padded decimal field from its URI form: exactly `digits` digits."""
    if len(text) != digits:
        raise EpcError(ErrorCode.BAD_FIELD_RANGE, f"{what} {text!r} must have {digits} digits")
    if not digits:
        return 0
    if not is_digits(text):
        raise EpcError(ErrorCode.BAD_CHAR, f"{what} {text!r} is not all digits")
    return int(text)


def encode_numeric_string(text: str, max_digits: int, what: str) -> int:
    """A Numeric String field (TDS 14.3.8): the digits, leading zeros kept, after a 1."""
    if not is_digits(text):
        if not text:
            raise EpcError(ErrorCode.BAD_STRING, f"{what} is empty")
        raise EpcError(ErrorCode.BAD_CHAR, f"{what} {text!r} is not all digits")
    if len(text) > max_digits:
        raise EpcError(ErrorCode.BAD_FIELD_RANGE, f"{what} has over {max_digits} digits")
    return int("1" + text)


def decode_numeric_string(value: int, max_digits: int, what: str) -> str:
    """The digits of a Numeric String field: the decimal value must be 1 then 1+ digits."""
    text = str(value)
    if text[0] != "1" or not 1 < len(text) <= max_digits + 1:
        raise EpcError(ErrorCode.BAD_FIELD_RANGE, f"{what} value {value} is not 1 then digits")
    return text[1:]
