"""The EPCIS event hash ID of CBV 2.0 (`ni:///sha-256;<hex>?ver=CBV2.0`).

Owns the canonical pre-hash string of one event and its digest. The rules are those of
CBV 2.0 section "EPCIS Event Hash ID" as published with GS1's reference implementation
(github.com/RalphTro/epcis-event-hash-generator); where that implementation and its prose
differ, we follow what its maintained CBV 2.0 expected outputs say (see docs/epcis.md):

- fields in the canonical property order, `key=value`, no separators; a list's name once,
  then its elements, each element's string sorted (code point order);
- bizTransaction, source and destination elements: `type=...` first, then the identifier;
- times in UTC with exactly three fraction digits (half-up) and `Z`;
- numbers without trailing zeros; CBV words, URNs and CURIEs as full web URIs;
- EPC URIs and Digital Link URIs as constrained canonical Digital Link URIs;
- `eventID`, `recordTime`, `errorDeclaration` and `certificationInfo` left out, so that
  declaring an error or re-recording an event keeps its hash;
- ilmd, then user extensions inside readPoint/bizLocation/sensor fields (prefixed with the
  field names), then event-level user extensions, each as `{namespace}name=value`, sorted.

Pure: works on the event's JSON and a prefix map; no clock, no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tracking.epcis import vocabulary as cbv
from tracking.epcis.digital_link import to_canonical_digital_link
from tracking.epcis.timestamps import TimestampError, hash_time

HASH_ALGORITHM_VERSION = "CBV2.0"

# Prefixes the EPCIS 2.0 JSON-LD context defines (ref.gs1.org/standards/epcis/2.0.0).
STANDARD_PREFIXES: dict[str, str] = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
# In XML the master-data namespace has no trailing colon; the hash is syntax-agnostic, so
# its extension names take the XML namespace, as the reference expected outputs show.
_KEY_NAMESPACE_OVERRIDES = {"urn:epcglobal:cbv:mda:": "urn:epcglobal:cbv:mda"}

_URN_VOCABULARY = tuple((v.urn_prefix, v.web_prefix) for v in cbv.ALL)
_GS1_VOC = "https://gs1.org/voc/"
_COMPONENT = "https://ref.gs1.org/cbv/Comp-"

_QUANTITY = ("epcClass", "quantity", "uom")
_SENSOR_METADATA = (
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "bizRules",
)  # fmt: skip
_SENSOR_REPORT = (
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod",
    "time", "microorganism", "chemicalSubstance", "value", "component", "stringValue",
    "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue",
    "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
)  # fmt: skip
_EPC_LISTS = {"epcList", "inputEPCList", "childEPCs", "outputEPCList"}
_QUANTITY_LISTS = {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
_TYPED_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source"}
_TYPED_LISTS["destinationList"] = "destination"
_TYPED_VOCABULARY = {
    "bizTransactionList": cbv.BIZ_TRANSACTION_TYPE,
    "sourceList": cbv.SOURCE_DEST_TYPE,
    "destinationList": cbv.SOURCE_DEST_TYPE,
}
PROPERTY_ORDER = (
    "eventTime", "eventTimeZoneOffset", "epcList", "parentID", "inputEPCList", "childEPCs",
    "quantityList", "childQuantityList", "inputQuantityList", "outputEPCList",
    "outputQuantityList", "action", "transformationID", "bizStep", "disposition",
    "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList",
    "destinationList", "sensorElementList",
)  # fmt: skip
_NOT_HASHED = {"type", "eventID", "recordTime", "errorDeclaration", "certificationInfo"}
_NOT_HASHED |= {"@context", "comment", "rdfs:comment"}
_KNOWN = set(PROPERTY_ORDER) | {"ilmd"} | _NOT_HASHED


def context_namespaces(context: Any) -> dict[str, str]:
    """The prefix → namespace mappings an `@context` value declares inline."""
    items = context if isinstance(context, list) else [context]
    found: dict[str, str] = {}
    for item in items:
        if isinstance(item, Mapping):
            found.update({k: v for k, v in item.items() if isinstance(v, str)})
    return found


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _numeric(text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


class _PreHash:
    def __init__(self, namespaces: Mapping[str, str]) -> None:
        self.namespaces = namespaces

    # -- values -----------------------------------------------------------------------
    def value(self, raw: Any, *, time: bool = False, vocab: cbv.Vocabulary | None = None) -> str:
        text = _scalar_text(raw)
        if not text:
            return ""
        if time:
            try:
                return hash_time(text)
            except TimestampError:
                return text
        if vocab is not None:
            text = cbv.web_uri(vocab, text)
        text = self.expand_curie(text)
        for urn, web in _URN_VOCABULARY:
            text = text.replace(urn, web)
        text = _numeric(text)
        return to_canonical_digital_link(text) or text

    def expand_curie(self, text: str) -> str:
        prefix, sep, rest = text.partition(":")
        if sep and prefix in self.namespaces:
            return self.namespaces[prefix] + rest
        return text

    def key(self, name: str) -> str:
        prefix, sep, local = name.partition(":")
        if sep and prefix in self.namespaces:
            namespace = self.namespaces[prefix]
            return "{" + _KEY_NAMESPACE_OVERRIDES.get(namespace, namespace) + "}" + local
        return name

    def pair(self, name: str, raw: Any, **kind: Any) -> str:
        text = self.value(raw, **kind)
        return f"{name}={text}" if text else ""

    # -- standard fields --------------------------------------------------------------
    def field(self, name: str, raw: Any) -> str:
        if raw is None:
            return ""
        if name in _EPC_LISTS:
            return self.listed(name, [self.pair("epc", epc) for epc in _as_list(raw)])
        if name in _QUANTITY_LISTS:
            elements = [self.ordered("quantityElement", q, _QUANTITY) for q in _as_list(raw)]
            return self.listed(name, elements)
        if name in _TYPED_LISTS:
            return self.listed(name, [self.typed(name, e) for e in _as_list(raw)])
        if name == "persistentDisposition":
            return self.persistent_disposition(raw)
        if name in ("readPoint", "bizLocation"):
            return self.ordered(name, raw, ("id",))
        if name == "sensorElementList":
            # CBV 2.0 writes each sensorElement without the list's own name.
            return "".join(sorted(filter(None, (self.sensor(e) for e in _as_list(raw)))))
        if name == "eventTime":
            return self.pair(name, raw, time=True)
        if name == "bizStep":
            return self.pair(name, raw, vocab=cbv.BIZ_STEP)
        if name == "disposition":
            return self.pair(name, raw, vocab=cbv.DISPOSITION)
        return self.pair(name, raw)

    @staticmethod
    def listed(name: str, elements: Iterable[str]) -> str:
        present = sorted(e for e in elements if e)
        return name + "".join(present) if present else ""

    def ordered(self, name: str, obj: Any, order: tuple[str, ...]) -> str:
        if not isinstance(obj, Mapping):
            return ""
        body = "".join(self.pair(k, obj.get(k), time="time" in k.lower()) for k in order)
        return name + body if body else ""

    def typed(self, list_name: str, element: Any) -> str:
        if not isinstance(element, Mapping):
            return ""
        vocab = _TYPED_VOCABULARY[list_name]
        kind = self.pair("type", element.get("type"), vocab=vocab)
        ident_key = _TYPED_LISTS[list_name]
        return kind + self.pair(ident_key, element.get(ident_key))

    def persistent_disposition(self, raw: Any) -> str:
        if not isinstance(raw, Mapping):
            return ""
        parts = []
        for key in ("set", "unset"):
            items = [self.pair(key, v, vocab=cbv.DISPOSITION) for v in _as_list(raw.get(key))]
            parts.extend(sorted(p for p in items if p))
        return "persistentDisposition" + "".join(parts) if parts else ""

    def sensor(self, element: Any) -> str:
        if not isinstance(element, Mapping):
            return ""
        metadata = self.ordered("sensorMetadata", element.get("sensorMetadata"), _SENSOR_METADATA)
        reports = sorted(
            filter(None, (self.sensor_report(r) for r in _as_list(element.get("sensorReport"))))
        )
        body = metadata + "".join(reports)
        return "sensorElement" + body if body else ""

    def sensor_report(self, report: Any) -> str:
        if not isinstance(report, Mapping):
            return ""
        parts = []
        for key in _SENSOR_REPORT:
            raw = report.get(key)
            if key in ("type", "exception") and isinstance(raw, str) and ":" not in raw:
                raw = _GS1_VOC + raw.strip()
            elif key == "component" and isinstance(raw, str) and ":" not in raw:
                raw = _COMPONENT + raw.strip()
            parts.append(self.pair(key, raw, time=key == "time"))
        body = "".join(parts)
        return "sensorReport" + body if body else ""

    # -- ilmd and user extensions -----------------------------------------------------
    def generic(self, name: str, raw: Any) -> list[str]:
        """`{ns}name=value` strings; lists repeat the name, objects nest sorted children."""
        if isinstance(raw, list):
            return [s for item in raw for s in self.generic(name, item)]
        if isinstance(raw, Mapping):
            return [name + self.extensions(raw, exclude=())]
        text = self.value(raw)
        return [f"{name}={text}" if text else name]

    def extensions(self, obj: Mapping[str, Any], *, exclude: Iterable[str]) -> str:
        skip = set(exclude) | {"comment", "rdfs:comment"}
        found = [s for k, v in obj.items() if k not in skip for s in self.generic(self.key(k), v)]
        return "".join(sorted(found))

    def field_extensions(self, event: Mapping[str, Any]) -> str:
        parts = []
        for name in ("readPoint", "bizLocation"):
            obj = event.get(name)
            if isinstance(obj, Mapping):
                inner = self.extensions(obj, exclude=("id",))
                parts.append(name + inner if inner else "")
        for element in _as_list(event.get("sensorElementList")):
            if not isinstance(element, Mapping):
                continue
            pieces: list[str] = []
            metadata = element.get("sensorMetadata")
            if isinstance(metadata, Mapping):
                ext = self.extensions(metadata, exclude=_SENSOR_METADATA)
                pieces.append("sensorMetadata" + ext if ext else "")
            for report in _as_list(element.get("sensorReport")):
                if isinstance(report, Mapping):
                    ext = self.extensions(report, exclude=_SENSOR_REPORT)
                    pieces.append("sensorReport" + ext if ext else "")
            pieces.append(self.extensions(element, exclude=("sensorMetadata", "sensorReport")))
            body = "".join(pieces)
            parts.append("sensorElement" + body if body else "")
        return "".join(parts)


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list) else [raw]


def pre_hash_string(event: Mapping[str, Any], namespaces: Mapping[str, str] | None = None) -> str:
    """The canonical pre-hash string of one event (JSON-LD object)."""
    merged = {**STANDARD_PREFIXES, **(namespaces or {})}
    merged.update(context_namespaces(event.get("@context")))
    h = _PreHash(merged)
    parts = ["eventType=" + _scalar_text(event.get("type"))]
    parts.extend(h.field(name, event.get(name)) for name in PROPERTY_ORDER)
    if "ilmd" in event:
        parts.extend(sorted(h.generic("ilmd", event["ilmd"])))
    parts.append(h.field_extensions(event))
    user = {k: v for k, v in event.items() if k not in _KNOWN}
    parts.append(h.extensions(user, exclude=()))
    return "".join(parts)


def event_hash_id(event: Mapping[str, Any], namespaces: Mapping[str, str] | None = None) -> str:
    """`ni:///sha-256;<hex>?ver=CBV2.0` for one event (JSON-LD object)."""
    digest = hashlib.sha256(pre_hash_string(event, namespaces).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={HASH_ALGORITHM_VERSION}"
