"""EPC URIs and GS1 Digital Link URIs to the constrained canonical GS1 Digital Link URI.

Owns one conversion that the event hash needs (CBV 2.0 event hash rules 17 and 18): any
identifier URI that carries a GS1 key becomes `https://id.gs1.org/<AI>/<key>[/<AI>/<q>]`,
with only the finest level of identification, no query string and no custom domain.
Pure string work on pure identity, class and pattern URIs; binary tag encodings are the
EPC codec's business. A URI this module does not recognise gives `None`, and the hash then
uses the URI as written, as the reference implementation does.
"""

from __future__ import annotations

import re

ID_GS1 = "https://id.gs1.org"

# One character of an EPC URI component: a TDS "escaped" character or a plain one.
_CH = r"(?:%[0-9A-Fa-f]{2}|[!'()*+,\-.0-9:;=A-Z_a-z])"
_CP = r"(\d{6,12})"  # GS1 company prefix


def check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit (weights 3,1,3,1... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _dl_escape(component: str) -> str:
    """Characters an EPC URI may leave bare but a Digital Link URI must percent-encode."""
    for char, escaped in (
        ("!", "%21"),
        ("(", "%28"),
        (")", "%29"),
        ("*", "%2A"),
        ("+", "%2B"),
        (",", "%2C"),
        (":", "%3A"),
    ):
        component = component.replace(char, escaped)
    return component


def _gtin(cp: str, item_ref: str) -> str:
    body = item_ref[:1] + cp + item_ref[1:]
    return body + check_digit(body)


def _with_check(body: str) -> str:
    return body + check_digit(body)


def _len(total: int, *parts: str) -> bool:
    return sum(len(p) for p in parts) == total


def _sgtin(m: re.Match[str]) -> str | None:
    cp, ref, serial = m.groups()
    return f"/01/{_gtin(cp, ref)}/21/{_dl_escape(serial)}" if _len(13, cp, ref) else None


def _sscc(m: re.Match[str]) -> str | None:
    cp, ref = m.groups()
    return f"/00/{_with_check(ref[:1] + cp + ref[1:])}" if _len(17, cp, ref) else None


def _sgln(m: re.Match[str]) -> str | None:
    cp, ref, ext = m.groups()
    if not _len(12, cp, ref):
        return None
    gln = _with_check(cp + ref)
    return f"/414/{gln}" if ext == "0" else f"/414/{gln}/254/{_dl_escape(ext)}"


def _grai(m: re.Match[str]) -> str | None:
    cp, ref, serial = m.groups()
    if not _len(12, cp, ref):
        return None
    return f"/8003/{_with_check('0' + cp + ref)}{_dl_escape(serial)}"


def _giai(m: re.Match[str]) -> str | None:
    cp, ref = m.groups()
    return f"/8004/{cp}{_dl_escape(ref)}"


def _keyed(ai: str, total: int):  # noqa: ANN202 - small factory of handlers
    def handler(m: re.Match[str]) -> str | None:
        cp, ref = m.groups()
        return f"/{ai}/{_with_check(cp + ref)}" if _len(total, cp, ref) else None

    return handler


def _doc(ai: str):  # noqa: ANN202 - GDTI and SGCN: key with check digit, then serial
    def handler(m: re.Match[str]) -> str | None:
        cp, ref, serial = m.groups()
        if not _len(12, cp, ref):
            return None
        return f"/{ai}/{_with_check(cp + ref)}{_dl_escape(serial)}"

    return handler


def _cpi(m: re.Match[str]) -> str | None:
    cp, ref, serial = m.groups()
    return f"/8010/{_dl_escape(cp + ref)}/8011/{serial}"


def _ginc(m: re.Match[str]) -> str | None:
    cp, ref = m.groups()
    return f"/401/{cp}{_dl_escape(ref)}"


def _itip(m: re.Match[str]) -> str | None:
    cp, ref, piece, total, serial = m.groups()
    if not _len(13, cp, ref):
        return None
    return f"/8006/{_gtin(cp, ref)}{piece}{total}/21/{_dl_escape(serial)}"


def _upui(m: re.Match[str]) -> str | None:
    cp, ref, serial = m.groups()
    return f"/01/{_gtin(cp, ref)}/235/{_dl_escape(serial)}" if _len(13, cp, ref) else None


def _lgtin(m: re.Match[str]) -> str | None:
    cp, ref, lot = m.groups()
    return f"/01/{_gtin(cp, ref)}/10/{_dl_escape(lot)}" if _len(13, cp, ref) else None


def _pattern_gtin(m: re.Match[str]) -> str | None:
    cp, ref = m.groups()
    return f"/01/{_gtin(cp, ref)}" if _len(13, cp, ref) else None


def _pattern_keyed(ai: str, lead: str = ""):  # noqa: ANN202
    def handler(m: re.Match[str]) -> str | None:
        cp, ref = m.groups()
        return f"/{ai}/{_with_check(lead + cp + ref)}" if _len(12, cp, ref) else None

    return handler


def _pattern_itip(m: re.Match[str]) -> str | None:
    cp, ref, piece, total = m.groups()
    return f"/8006/{_gtin(cp, ref)}{piece}{total}" if _len(13, cp, ref) else None


_CPI_CH = r"(?:%2[3dfDF]|[0-9A-Z\-])"
_EPC_RULES = [
    (rf"urn:epc:id:sgtin:{_CP}\.(\d{{1,7}})\.({_CH}{{1,20}})", _sgtin),
    (rf"urn:epc:id:sscc:{_CP}\.(\d{{5,11}})", _sscc),
    (rf"urn:epc:id:sgln:{_CP}\.(\d{{0,6}})\.({_CH}{{1,20}})", _sgln),
    (rf"urn:epc:id:grai:{_CP}\.(\d{{0,6}})\.({_CH}{{1,16}})", _grai),
    (rf"urn:epc:id:giai:{_CP}\.({_CH}{{1,24}})", _giai),
    (rf"urn:epc:id:gsrn:{_CP}\.(\d{{5,11}})", _keyed("8018", 17)),
    (rf"urn:epc:id:gsrnp:{_CP}\.(\d{{5,11}})", _keyed("8017", 17)),
    (rf"urn:epc:id:gdti:{_CP}\.(\d{{0,6}})\.({_CH}{{1,17}})", _doc("253")),
    (rf"urn:epc:id:cpi:{_CP}\.({_CPI_CH}{{1,24}})\.(\d{{1,12}})", _cpi),
    (rf"urn:epc:id:sgcn:{_CP}\.(\d{{0,6}})\.(\d{{1,12}})", _doc("255")),
    (rf"urn:epc:id:ginc:{_CP}\.({_CH}{{1,24}})", _ginc),
    (rf"urn:epc:id:gsin:{_CP}\.(\d{{4,10}})", _keyed("402", 16)),
    (rf"urn:epc:id:itip:{_CP}\.(\d{{1,7}})\.(\d{{2}})\.(\d{{2}})\.({_CH}{{1,20}})", _itip),
    (rf"urn:epc:id:upui:{_CP}\.(\d{{1,7}})\.({_CH}{{1,28}})", _upui),
    (rf"urn:epc:id:pgln:{_CP}\.(\d{{0,6}})", _keyed("417", 12)),
    (rf"urn:epc:class:lgtin:{_CP}\.(\d{{1,7}})\.({_CH}{{1,20}})", _lgtin),
    (rf"urn:epc:idpat:sgtin:{_CP}\.(\d{{1,7}})\.\*", _pattern_gtin),
    (rf"urn:epc:idpat:upui:{_CP}\.(\d{{1,7}})\.\*", _pattern_gtin),
    (rf"urn:epc:idpat:grai:{_CP}\.(\d{{0,6}})\.\*", _pattern_keyed("8003", "0")),
    (rf"urn:epc:idpat:gdti:{_CP}\.(\d{{0,6}})\.\*", _pattern_keyed("253")),
    (rf"urn:epc:idpat:sgcn:{_CP}\.(\d{{0,6}})\.\*", _pattern_keyed("255")),
    (
        rf"urn:epc:idpat:cpi:{_CP}\.({_CPI_CH}{{1,24}})\.\*",
        lambda m: f"/8010/{''.join(m.groups())}",
    ),
    (rf"urn:epc:idpat:itip:{_CP}\.(\d{{1,7}})\.(\d{{2}})\.(\d{{2}})\.\*", _pattern_itip),
]
_EPC = [(re.compile(f"^{pattern}$"), handler) for pattern, handler in _EPC_RULES]

# Digital Link short names (DL 1.0 style) and the AIs they stand for.
_SHORT_NAMES = {
    "gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417",
    "gsrnp": "8017", "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253",
    "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004",
    "cpv": "22", "lot": "10", "ser": "21",
}  # fmt: skip
_PRIMARY = {"01", "8006", "8010", "414", "417", "8017", "8018", "255", "00", "253", "401"}
_PRIMARY |= {"402", "8003", "8004"}
_DL = re.compile(r"^https?://[^/?#]+(/[^?#]*)(?:\?[^#]*)?(?:#.*)?$")
_X = r"[\"'\-.0-9;-?A-Z_a-z]"  # the characters a canonical DL value may carry
_CANONICAL = re.compile(
    "^/(?:"
    r"00/\d{18}"
    rf"|01/\d{{14}}(?:/21/{_X}{{0,20}}|/10/{_X}{{0,20}}|/235/{_X}{{0,28}})?"
    rf"|253/\d{{13}}{_X}{{0,17}}|255/\d{{13}}\d{{0,12}}|401/{_X}{{0,30}}|402/\d{{17}}"
    rf"|414/\d{{13}}(?:/254/{_X}{{0,20}})?|417/\d{{13}}|8003/\d{{14}}{_X}{{0,16}}"
    rf"|8004/{_X}{{0,30}}|8006/\d{{18}}(?:/21/{_X}{{0,20}}|/10/{_X}{{0,20}})?"
    r"|8010/[#\-/0-9A-Z]{0,30}(?:/8011/\d{0,12})?|8017/\d{18}|8018/\d{18}"
    ")$"
)


def _from_digital_link(uri: str) -> str | None:
    m = _DL.match(uri)
    if m is None:
        return None
    segments = [_SHORT_NAMES.get(s, s) for s in m.group(1).split("/") if s]
    start = next(
        (
            i
            for i, s in enumerate(segments[:-1])
            if s in _PRIMARY and re.match(r"^\d{4}", segments[i + 1])
        ),
        None,
    )
    if start is None:
        return None
    pairs = list(zip(segments[start::2], segments[start + 1 :: 2], strict=False))
    key, value = pairs[0]
    if key == "01" and len(value) in (8, 12, 13):
        value = value.zfill(14)
    qualifiers = dict(pairs[1:])
    qualifiers.pop("22", None)  # the consumer product variant is not an identity level
    if "21" in qualifiers:
        qualifiers.pop("10", None)  # the serial is finer than the lot
    path = f"/{key}/{value}" + "".join(f"/{ai}/{v}" for ai, v in qualifiers.items())
    return ID_GS1 + path if _CANONICAL.match(path) else None


def to_canonical_digital_link(uri: str) -> str | None:
    """The constrained canonical GS1 Digital Link URI for `uri`, or None."""
    if uri.startswith("urn:epc:"):
        for pattern, handler in _EPC:
            m = pattern.match(uri)
            if m is not None:
                path = handler(m)
                return ID_GS1 + path if path else None
        return None
    if uri.startswith(("http://", "https://")):
        return _from_digital_link(uri)
    return None
