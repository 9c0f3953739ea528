"""GS1 EPC Tag Data Standard codec: binary EPCs to URIs and back, and SSCC issuance.

Public API:

- `decode_hex(hex) -> Epc`: scheme, filter, fields, pure identity URI and tag URI of a
  binary EPC read as hex;
- `encode_uri(uri) -> str`: the hex of an EPC tag URI, or of a pure identity URI
  (filter 0, the 96-bit form when the identity fits it: see `epc.uri`);
- `raw_uri(hex) -> str`: the EPC Raw URI that keeps any read, decodable or not;
- `EpcError` with `.code` an `ErrorCode`, for every input that cannot be coded;
- `epc.sscc`: SSCC issuance for our own cartons.

Handled schemes: SGTIN-96/198, SSCC-96, SGLN-96/195, GRAI-96/170, GIAI-96/202, GSRN-96,
GSRNP-96, GDTI-96/174, GID-96, SGCN-96, CPI-96. Pure code: no I/O, no clock.
"""

from epc.binary import decode_hex, raw_uri
from epc.errors import EpcError, ErrorCode
from epc.models import Epc
from epc.uri import encode_uri

__all__ = ["Epc", "EpcError", "ErrorCode", "decode_hex", "encode_uri", "raw_uri"]
