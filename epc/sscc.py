"""SSCC issuance for our own cartons: company prefix + extension + serial reference.

An SSCC-18 is: extension digit, GS1 company prefix (L digits), serial reference
(16 - L digits), GS1 check digit. From one issued `Sscc` come the three forms the
warehouse needs: the 18 digits with the check digit, the GS1 element string `(00)...`
printed under the barcode, and the SSCC-96 hex written to the carton's RFID tag (plus its
URIs). Pure code: which serial reference to use next is the caller's business (a
database sequence), and so is remembering which were issued.
"""

from __future__ import annotations

from dataclasses import dataclass

from epc.binary import decode_hex
from epc.errors import EpcError, ErrorCode
from epc.strings import is_digits
from epc.uri import encode_uri

# GS1 filter value for SSCC-96 meaning "all others"; cartons of a shipment use it too.
DEFAULT_FILTER = 0


def check_digit(digits: str) -> int:
    """GS1 mod-10 check digit of a digit string (GTIN, GLN, SSCC ... without the check).

    Weights 3 and 1 alternate from the rightmost digit, which weighs 3.
    """
    if not is_digits(digits):
        raise EpcError(ErrorCode.BAD_CHAR, f"{digits!r} is not all digits")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return -total % 10


@dataclass(frozen=True, slots=True)
class Sscc:
    """One issued SSCC and all its forms."""

    company_prefix: str
    extension: int
    serial_ref: str  # zero-padded to 16 - len(company_prefix) digits
    sscc: str  # the 18 digits, check digit last
    element_string: str  # "(00)" + sscc
    pure_uri: str  # urn:epc:id:sscc:...
    tag_uri: str  # urn:epc:tag:sscc-96:...
    hex: str  # SSCC-96, 24 hex digits, to write to the tag


def issue(
    company_prefix: str, extension: int, serial_ref: int, filter_value: int = DEFAULT_FILTER
) -> Sscc:
    """The SSCC of (company prefix, extension digit 0-9, serial reference number).

    The serial reference must fit the 16 - L digits the company prefix leaves; the
    company prefix is 6 to 12 digits, as the SSCC-96 partition table allows.
    """
    if not (is_digits(company_prefix) and 6 <= len(company_prefix) <= 12):
        raise EpcError(
            ErrorCode.BAD_COMPANY_PREFIX, f"company prefix {company_prefix!r} is not 6 to 12 digits"
        )
    if not 0 <= extension <= 9:
        raise EpcError(ErrorCode.BAD_FIELD_RANGE, f"extension digit {extension} is not 0 to 9")
    width = 16 - len(company_prefix)
    if not 0 <= serial_ref < 10**width:
        raise EpcError(
            ErrorCode.BAD_FIELD_RANGE,
            f"serial reference {serial_ref} does not fit {width} digits after a "
            f"{len(company_prefix)}-digit company prefix",
        )
    if not 0 <= filter_value <= 7:
        raise EpcError(ErrorCode.BAD_FIELD_RANGE, f"filter {filter_value} is not 0 to 7")
    serial_text = f"{serial_ref:0{width}d}"
    body = f"{extension}{company_prefix}{serial_text}"
    sscc = body + str(check_digit(body))
    tag_uri = f"urn:epc:tag:sscc-96:{filter_value}.{company_prefix}.{extension}{serial_text}"
    hex_text = encode_uri(tag_uri)
    return Sscc(
        company_prefix=company_prefix,
        extension=extension,
        serial_ref=serial_text,
        sscc=sscc,
        element_string=f"(00){sscc}",
        pure_uri=decode_hex(hex_text).pure_uri,
        tag_uri=tag_uri,
        hex=hex_text,
    )


def from_epc(pure_uri: str) -> str:
    """The 18-digit SSCC of an `urn:epc:id:sscc:` pure identity URI (check digit added)."""
    prefix = "urn:epc:id:sscc:"
    if not pure_uri.startswith(prefix):
        raise EpcError(ErrorCode.UNSUPPORTED_SCHEME, f"{pure_uri!r} is not an SSCC pure URI")
    encode_uri(pure_uri)  # validates the components exactly as the codec does
    company_prefix, _, serial_ref = pure_uri[len(prefix) :].partition(".")
    body = serial_ref[0] + company_prefix + serial_ref[1:]
    return body + str(check_digit(body))
