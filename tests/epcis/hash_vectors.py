"""Expected CBV 2.0 event hash IDs published by GS1's reference implementation.

Source: github.com/RalphTro/epcis-event-hash-generator, the documents under
`tests/examples/documents/` (and `tests/examples/` for the shipping one) with their
expected values under `tests/examples/expected/CBV2.0/*.hashes` and `*.prehashes`, as of
commits 084b00349014d1b7e269b28293be89ac59587638 and d8d87463abab6923d595b08c445c93b2b4aa2207.
Each entry: the event, the namespaces of its document's @context, the expected hash.
"""

from __future__ import annotations

from typing import Any

CTX_EXAMPLE = {"example": "https://ns.example.com/epcis/"}

# ReferenceEventHashAlgorithm.jsonld: nested user extensions, SSCCs, an SGLN with extension.
REFERENCE_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2020-03-04T11:00:30.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "recordTime": "2020-03-04T11:00:30.999+01:00",
    "epcList": [
        "urn:epc:id:sscc:4012345.0000000333",
        "urn:epc:id:sscc:4012345.0000000111",
        "urn:epc:id:sscc:4012345.0000000222",
    ],
    "action": "OBSERVE",
    "bizStep": "departing",
    "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.987"},
    "example:myField1": {"example:mySubField1": "2", "example:mySubField2": "5"},
    "example:myField2": "0",
    "example:myField3": {"example:mySubField3": ["3", "1"]},
}

# epcisDocWithShippingAndTransportingEvent.jsonld: departing with desadv, PGLN parties.
SHIPPING_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2022-02-16T12:50:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": ["urn:epc:id:sscc:4012345.1112223334"],
    "action": "OBSERVE",
    "bizStep": "departing",
    "readPoint": {"id": "urn:epc:id:sgln:4012345.00022.0"},
    "bizTransactionList": [
        {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:4012345000009:ASN1099"}
    ],
    "sourceList": [{"type": "possessing_party", "source": "urn:epc:id:pgln:4012345.00000"}],
    "destinationList": [
        {"type": "possessing_party", "destination": "urn:epc:id:pgln:4023333.00000"}
    ],
}
TRANSPORTING_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2022-02-16T16:50:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": ["urn:epc:id:sscc:4012345.1112223334"],
    "action": "OBSERVE",
    "bizStep": "transporting",
    "readPoint": {"id": "geo:47.506694,11.104301"},
}

# epcisDocWithAllGS1Keys.jsonld: every EPC scheme, class and pattern to Digital Link.
ALL_KEYS_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2023-03-27T11:30:00.0Z",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
        "urn:epc:id:sgtin:4012345.012345.12",
        "urn:epc:id:sscc:4012345.0000000333",
        "https://id.gs1.org/00/040123450000003338",
        "urn:epc:id:grai:4012345.66666.87",
        "urn:epc:id:giai:4012345.AAbb",
        "urn:epc:id:gsrn:4012345.9876540000",
        "urn:epc:id:gsrnp:4012345.0000098765",
        "urn:epc:id:gdti:4012345.55555.98",
        "urn:epc:id:cpi:4012345.ABC.123",
        "urn:epc:id:sgcn:4012345.99999.44",
        "urn:epc:id:ginc:4012345.333",
        "urn:epc:id:gsin:4012345.999987654",
        "urn:epc:id:itip:4012345.012345.01.02.999",
        "urn:epc:id:upui:4012345.012345.AB12",
    ],
    "quantityList": [
        {"epcClass": "urn:epc:class:lgtin:4054739.099914.20160711"},
        {"epcClass": "urn:epc:idpat:sgtin:4054739.099914.*"},
        {"epcClass": "urn:epc:idpat:grai:4012345.66666.*"},
        {"epcClass": "urn:epc:idpat:gdti:4012345.55555.*"},
        {"epcClass": "urn:epc:idpat:sgcn:4012345.99999.*"},
        {"epcClass": "urn:epc:idpat:cpi:4012345.ABC.*"},
        {"epcClass": "urn:epc:idpat:itip:4012345.012345.01.02.*"},
    ],
    "action": "OBSERVE",
    "bizStep": "other",
    "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.987"},
}

# TimeStampRoundOff.jsonld: fractions beyond milliseconds round half-up; DL custom domains.
ROUND_UP_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2023-02-02T11:04:03.1415Z",
    "eventTimeZoneOffset": "+01:00",
    "epcList": ["https://id.gs1.de/00/040123451111111110"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {"id": "https://id.gs1.de/414/4012345000115"},
}
ROUND_DOWN_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2023-02-02T11:04:03.1414Z",
    "eventTimeZoneOffset": "+01:00",
    "epcList": ["https://id.gs1.de/00/040123451111111110"],
    "action": "OBSERVE",
    "bizStep": "transporting",
    "readPoint": {"id": "geo:50.947573340894124,6.922120147375441"},
}
SENSOR_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2023-02-12T11:04:03.1415Z",
    "eventTimeZoneOffset": "+01:00",
    "certificationInfo": "https://accreditation-council.example.org/certificate/ABC12345",
    "epcList": ["https://id.gs1.de/01/04012345999990/21/XYZ-1234"],
    "action": "OBSERVE",
    "bizStep": "receiving",
    "disposition": "in_progress",
    "readPoint": {"id": "https://id.gs1.de/414/4012345000115"},
    "sensorElementList": [
        {
            "sensorMetadata": {
                "time": "2023-02-12T11:04:03.1007Z",
                "bizRules": "https://id.example.com/253/4012345000054987",
            },
            "sensorReport": [
                {
                    "type": "Dimensionless",
                    "exception": "ALARM_CONDITION",
                    "coordinateReferenceSystem": "http://www.opengis.net/def/crs/EPSG/0/27700",
                }
            ],
        }
    ],
}
# The reference's current CBV2.0 expected value for SENSOR_EVENT (bf0526...) writes GS1
# web vocabulary terms as https://ref.gs1.org/voc/, the EPCIS 2.1 context's namespace; the
# EPCIS 2.0 context, which CBV 2.0 names, says https://gs1.org/voc/, and so do we.
SENSOR_EVENT_REF_VOC_HASH = "bf052637920f56c28bd6bc4ce10bb296203fcddc543f1e293d5a77b07592dcec"

VECTORS: dict[str, tuple[dict[str, Any], dict[str, str], str]] = {
    "ReferenceEventHashAlgorithm": (
        REFERENCE_EVENT,
        CTX_EXAMPLE,
        "6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7",
    ),
    "ShippingAndTransporting/departing": (
        SHIPPING_EVENT,
        {},
        "2919bf0587534fef0e25eea97b5dda68f345e6bbf2c6b4cb27b2a52e0039272b",
    ),
    "ShippingAndTransporting/transporting": (
        TRANSPORTING_EVENT,
        {},
        "1d2ec4174d8f0b5988a44795b31a636e8bc7f88ebc4bdc0d35c14f215a842e80",
    ),
    "AllGS1Keys": (
        ALL_KEYS_EVENT,
        {},
        "40744f32beff53a4bf5bb5956d465cb52de5bbcc9f131409d8efb903b04d9351",
    ),
    "TimeStampRoundOff/up": (
        ROUND_UP_EVENT,
        {},
        "af7658e711574363633f20b3dadc7bc4c13c6f612cf96d95e03c421c0e58f3c6",
    ),
    "TimeStampRoundOff/down": (
        ROUND_DOWN_EVENT,
        {},
        "0550df44527332c1fe417c5837fe61b9e71eaa93307b88519dac549bf2d4dcf9",
    ),
}
