"""EPCIS 2.0 events with CBV 2.0 vocabulary: the typed record of what happened to which
tagged object, when, where and why.

Pure: parsing and checking EPCIS JSON-LD, the CBV 2.0 event hash ID, building events from
read-point observations, emitting EPCISDocument and EPCISQueryDocument JSON-LD, and the
semantics of the standard query parameters. No database, no HTTP, no clock.
"""
