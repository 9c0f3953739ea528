"""`waybill epc`: the EPC codec from the command line, one JSON line per input, in order.

`decode HEX...` prints the scheme, filter, URIs and fields of each binary EPC; `encode
URI...` prints the hex (and tag URI) of each EPC tag or pure identity URI. An input that
fails prints `{"error": CODE, "detail": ...}` in its place (a decode error also carries the
read's raw URI when the input is hex), and the command then exits 2. No database, no I/O
beyond standard output.
"""

from __future__ import annotations

import contextlib
import json
from typing import Annotated, Any

import typer

from epc import EpcError, decode_hex, encode_uri, raw_uri

app = typer.Typer(
    help="GS1 EPC codec: decode binary EPCs, encode EPC URIs. One JSON line per input.",
    no_args_is_help=True,
)


def _error(exc: EpcError) -> dict[str, Any]:
    return {"error": str(exc.code), "detail": exc.detail}


def decode_one(hex_text: str) -> dict[str, Any]:
    """The JSON object `waybill epc decode` prints for one input."""
    try:
        epc = decode_hex(hex_text)
    except EpcError as exc:
        out = _error(exc)
        with contextlib.suppress(EpcError):  # not hex at all: no raw URI to keep
            out["raw_uri"] = raw_uri(hex_text)
        return out
    return {
        "scheme": epc.scheme,
        "filter": epc.filter,
        "pure_uri": epc.pure_uri,
        "tag_uri": epc.tag_uri,
        **epc.fields,
    }


def encode_one(uri: str) -> dict[str, Any]:
    """The JSON object `waybill epc encode` prints for one input."""
    try:
        hex_text = encode_uri(uri)
    except EpcError as exc:
        return _error(exc)
    epc = decode_hex(hex_text)
    return {
        "hex": hex_text,
        "tag_uri": epc.tag_uri,
        "pure_uri": epc.pure_uri,
        "scheme": epc.scheme,
        "filter": epc.filter,
    }


def _print_all(results: list[dict[str, Any]]) -> None:
    for result in results:
        typer.echo(json.dumps(result, ensure_ascii=False))
    if any("error" in result for result in results):
        raise typer.Exit(2)


@app.command("decode")
def decode(
    hexes: Annotated[
        list[str], typer.Argument(metavar="HEX...", help="EPC bank reads as hex digits")
    ],
) -> None:
    """Decode binary EPCs. Exit 2 if any input could not be decoded."""
    _print_all([decode_one(hex_text) for hex_text in hexes])


@app.command("encode")
def encode(
    uris: Annotated[
        list[str],
        typer.Argument(
            metavar="URI...",
            help="EPC tag URIs (urn:epc:tag:...) or pure identity URIs (urn:epc:id:..., "
            "encoded with filter 0 in the 96-bit form when it fits)",
        ),
    ],
) -> None:
    """Encode EPC URIs to the hex to write to a tag. Exit 2 if any input could not be encoded."""
    _print_all([encode_one(uri) for uri in uris])
