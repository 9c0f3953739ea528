"""The decoded EPC record. A pure value: no I/O.

`Epc` is a NamedTuple rather than a frozen dataclass because it is built once per tag read
on the ingest hot path, and a frozen dataclass costs about three times as much to build.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class Epc(NamedTuple):
    """One EPC decoded from its binary encoding.

    The identity of the tagged object is `pure_uri`: two binary encodings (say SGTIN-96 and
    SGTIN-198 of the same serial, or two filter values) name the same object when their pure
    identity URIs are equal. `tag_uri` keeps what the tag itself carries (scheme and filter).
    `fields` holds the scheme's components as plain text, unescaped (`company_prefix`,
    `item_ref`, `serial`, ...); the URIs carry them percent-escaped. Treat it as read-only.
    """

    scheme: str  # binary coding scheme, e.g. "sgtin-96"
    filter: int | None  # 0-7; None for schemes without one (gid-96)
    pure_uri: str
    tag_uri: str
    fields: Mapping[str, str]

    @property
    def identity(self) -> str:
        """The pure identity URI: what to compare, store and index a tagged object by."""
        return self.pure_uri
