"""CBV 2.0 standard vocabularies: business steps, dispositions, business transaction
types, source/destination types and error reasons.

Owns the one normal form. In the JSON-LD we store and emit, a standard value is its bare
word (`shipping`), as the EPCIS 2.0 JSON-LD context defines it and the JSON schema
expects. The event hash uses the full web URI (`https://ref.gs1.org/cbv/BizStep-shipping`).
Accepted on input: the bare word, the web URI, the `cbv:` compact form and the EPCIS 1.x
URN (`urn:epcglobal:cbv:bizstep:shipping`). A URI of someone's own vocabulary passes
unchanged; an unknown bare word, or an unknown word under a CBV prefix, is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CBV_WEB = "https://ref.gs1.org/cbv/"


class BizStep(StrEnum):
    ACCEPTING = "accepting"
    ARRIVING = "arriving"
    ASSEMBLING = "assembling"
    COLLECTING = "collecting"
    COMMISSIONING = "commissioning"
    CONSIGNING = "consigning"
    CREATING_CLASS_INSTANCE = "creating_class_instance"
    CYCLE_COUNTING = "cycle_counting"
    DECOMMISSIONING = "decommissioning"
    DEPARTING = "departing"
    DESTROYING = "destroying"
    DISASSEMBLING = "disassembling"
    DISPENSING = "dispensing"
    ENCODING = "encoding"
    ENTERING_EXITING = "entering_exiting"
    HOLDING = "holding"
    INSPECTING = "inspecting"
    INSTALLING = "installing"
    KILLING = "killing"
    LOADING = "loading"
    OTHER = "other"
    PACKING = "packing"
    PICKING = "picking"
    RECEIVING = "receiving"
    REMOVING = "removing"
    REPACKAGING = "repackaging"
    REPAIRING = "repairing"
    REPLACING = "replacing"
    RESERVING = "reserving"
    RETAIL_SELLING = "retail_selling"
    SAMPLING = "sampling"
    SENSOR_REPORTING = "sensor_reporting"
    SHIPPING = "shipping"
    STAGING_OUTBOUND = "staging_outbound"
    STOCK_TAKING = "stock_taking"
    STOCKING = "stocking"
    STORING = "storing"
    TRANSPORTING = "transporting"
    UNLOADING = "unloading"
    UNPACKING = "unpacking"
    VOID_SHIPPING = "void_shipping"


class Disposition(StrEnum):
    ACTIVE = "active"
    AVAILABLE = "available"
    COMPLETENESS_INFERRED = "completeness_inferred"
    COMPLETENESS_VERIFIED = "completeness_verified"
    CONFORMANT = "conformant"
    CONTAINER_CLOSED = "container_closed"
    CONTAINER_OPEN = "container_open"
    DAMAGED = "damaged"
    DESTROYED = "destroyed"
    DISPENSED = "dispensed"
    DISPOSED = "disposed"
    ENCODED = "encoded"
    EXPIRED = "expired"
    IN_PROGRESS = "in_progress"
    IN_TRANSIT = "in_transit"
    INACTIVE = "inactive"
    MISMATCH_CLASS = "mismatch_class"
    MISMATCH_INSTANCE = "mismatch_instance"
    MISMATCH_QUANTITY = "mismatch_quantity"
    NEEDS_REPLACEMENT = "needs_replacement"
    NO_PEDIGREE_MATCH = "no_pedigree_match"
    NON_CONFORMANT = "non_conformant"
    NON_SELLABLE_OTHER = "non_sellable_other"
    PARTIALLY_DISPENSED = "partially_dispensed"
    RECALLED = "recalled"
    RESERVED = "reserved"
    RETAIL_SOLD = "retail_sold"
    RETURNED = "returned"
    SELLABLE_ACCESSIBLE = "sellable_accessible"
    SELLABLE_NOT_ACCESSIBLE = "sellable_not_accessible"
    STOLEN = "stolen"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"


class BizTransactionType(StrEnum):
    BOL = "bol"
    CERT = "cert"
    DESADV = "desadv"  # despatch advice
    INV = "inv"
    PEDIGREE = "pedigree"
    PO = "po"  # purchase order: the mall order
    POC = "poc"
    PRODORDER = "prodorder"
    RECADV = "recadv"
    RMA = "rma"
    TESTPRD = "testprd"
    TESTRES = "testres"
    UPEVT = "upevt"


class SourceDestType(StrEnum):
    OWNING_PARTY = "owning_party"
    POSSESSING_PARTY = "possessing_party"
    LOCATION = "location"


class ErrorReason(StrEnum):
    DID_NOT_OCCUR = "did_not_occur"
    INCORRECT_DATA = "incorrect_data"


@dataclass(frozen=True)
class Vocabulary:
    name: str  # for messages: "bizStep"
    web_prefix: str  # "https://ref.gs1.org/cbv/BizStep-"
    urn_prefix: str  # "urn:epcglobal:cbv:bizstep:"
    words: frozenset[str]

    @property
    def curie_prefix(self) -> str:
        return "cbv:" + self.web_prefix.removeprefix(CBV_WEB)


def _vocab(name: str, term: str, urn: str, enum: type[StrEnum]) -> Vocabulary:
    words = frozenset(member.value for member in enum)
    return Vocabulary(name, CBV_WEB + term + "-", "urn:epcglobal:cbv:" + urn + ":", words)


BIZ_STEP = _vocab("bizStep", "BizStep", "bizstep", BizStep)
DISPOSITION = _vocab("disposition", "Disp", "disp", Disposition)
BIZ_TRANSACTION_TYPE = _vocab("bizTransaction type", "BTT", "btt", BizTransactionType)
SOURCE_DEST_TYPE = _vocab("source/destination type", "SDT", "sdt", SourceDestType)
ERROR_REASON = _vocab("error reason", "ER", "er", ErrorReason)
ALL = (BIZ_STEP, DISPOSITION, BIZ_TRANSACTION_TYPE, SOURCE_DEST_TYPE, ERROR_REASON)

# Namespaces that belong to GS1: a value under one of them must be a known word. The old
# ns.gs1.org web vocabulary is what the JSON schema forbids next to the URNs.
_CBV_NAMESPACES = ("https://ref.gs1.org/cbv/", "urn:epcglobal:cbv:", "https://ns.gs1.org/cbv/")


class VocabularyError(ValueError):
    pass


def normalise(vocab: Vocabulary, value: str) -> str:
    """The JSON-LD form: the bare word for a CBV value, other URIs unchanged."""
    text = value.strip()
    for prefix in (vocab.web_prefix, vocab.urn_prefix, vocab.curie_prefix):
        if text.startswith(prefix):
            word = text[len(prefix) :]
            if word in vocab.words:
                return word
            raise VocabularyError(f"{text!r} is not a CBV 2.0 {vocab.name}")
    if text in vocab.words:
        return text
    if ":" not in text or text.startswith(_CBV_NAMESPACES) or text.startswith("cbv:"):
        raise VocabularyError(
            f"{text!r} is neither a CBV 2.0 {vocab.name} nor a URI of another vocabulary"
        )
    return text


def web_uri(vocab: Vocabulary, value: str) -> str:
    """The hash form: the GS1 web URI for a CBV value, other values unchanged."""
    text = value.strip()
    if text in vocab.words:
        return vocab.web_prefix + text
    if text.startswith(vocab.urn_prefix):
        return vocab.web_prefix + text[len(vocab.urn_prefix) :]
    if text.startswith(vocab.curie_prefix):
        return vocab.web_prefix + text[len(vocab.curie_prefix) :]
    return text
