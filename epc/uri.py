"""The URI side: encoding an EPC Tag URI or Pure Identity URI to the hex written to a tag.

A tag URI (`urn:epc:tag:sgtin-96:3.0614141.812345.6789`) names the binary scheme and the
filter, so it encodes exactly. A pure identity URI (`urn:epc:id:sgtin:0614141.812345.6789`)
names neither; it is encoded with filter 0 ("all others" in every GS1 filter table) into
the scheme's 96-bit form, or, when the identity does not fit that form (an alphanumeric
or zero-led serial, say), into the scheme's longer form (sgtin-198, sgln-195, grai-170,
giai-202, gdti-174). Callers who care about the filter or the size pass a tag URI.
"""

from __future__ import annotations

from epc.binary import to_hex
from epc.errors import EpcError, ErrorCode
from epc.schemes import BY_SCHEME, PURE_SCHEMES, Codec

_TAG = "urn:epc:tag:"
_PURE = "urn:epc:id:"
# Errors a longer binary form of the same scheme may not have: try it before giving up.
_RETRY_LONGER = (ErrorCode.BAD_CHAR, ErrorCode.BAD_FIELD_RANGE)


def _parts(codec: Codec, body: str) -> list[str]:
    # Only the last component can be a string, and strings may hold dots: split the first.
    parts = body.split(".", codec.components - 1)
    if len(parts) != codec.components:
        raise EpcError(
            ErrorCode.BAD_STRING,
            f"{codec.scheme} URI body {body!r} needs {codec.components} dot-separated parts",
        )
    return parts


def _encode_tag(rest: str) -> tuple[int, Codec]:
    scheme, _, body = rest.partition(":")
    codec = BY_SCHEME.get(scheme)
    if codec is None:
        raise EpcError(ErrorCode.UNSUPPORTED_SCHEME, f"tag URI scheme {scheme!r} is not handled")
    filter_value = None
    if codec.has_filter:
        filter_text, _, body = body.partition(".")
        if len(filter_text) != 1 or filter_text not in "01234567":
            raise EpcError(
                ErrorCode.BAD_FIELD_RANGE, f"{scheme} filter {filter_text!r} is not 0 to 7"
            )
        filter_value = int(filter_text)
    return codec.encode(filter_value, _parts(codec, body)), codec


def _encode_pure(rest: str) -> tuple[int, Codec]:
    name, _, body = rest.partition(":")
    codecs = PURE_SCHEMES.get(name)
    if codecs is None:
        raise EpcError(ErrorCode.UNSUPPORTED_SCHEME, f"pure identity {name!r} is not handled")
    error: EpcError | None = None
    for codec in codecs:
        try:
            return codec.encode(0 if codec.has_filter else None, _parts(codec, body)), codec
        except EpcError as exc:
            if exc.code not in _RETRY_LONGER:
                raise
            error = exc
    assert error is not None
    raise error


def encode(uri: str) -> tuple[int, Codec]:
    """The binary value of an EPC tag or pure identity URI, with the scheme it is in."""
    if uri.startswith(_TAG):
        return _encode_tag(uri[len(_TAG) :])
    if uri.startswith(_PURE):
        return _encode_pure(uri[len(_PURE) :])
    if uri.startswith("urn:epc:"):
        raise EpcError(ErrorCode.UNSUPPORTED_SCHEME, f"{uri!r} is not a tag or pure identity URI")
    raise EpcError(ErrorCode.BAD_STRING, f"{uri!r} is not an EPC URI")


def encode_uri(uri: str) -> str:
    """The hex to write to a tag's EPC bank for an EPC tag URI or pure identity URI.

    Upper case, padded with zero bits to whole 16-bit words. Raises `EpcError`.
    """
    value, codec = encode(uri)
    return to_hex(value, codec.bits)
