"""`waybill epc`: one JSON line per input in input order, errors in place, exit 2 on any."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.epc import app

runner = CliRunner()


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_decode_prints_one_line_per_input_in_order() -> None:
    """Valid reads print scheme, filter, URIs and fields; exit 0."""
    result = runner.invoke(app, ["decode", "3074257BF7194E4000001A85", "3174257BF4499602D2000000"])
    assert result.exit_code == 0
    first, second = _lines(result.output)
    assert first == {
        "scheme": "sgtin-96",
        "filter": 3,
        "pure_uri": "urn:epc:id:sgtin:0614141.812345.6789",
        "tag_uri": "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        "company_prefix": "0614141",
        "item_ref": "812345",
        "serial": "6789",
    }
    assert second["scheme"] == "sscc-96"


def test_decode_puts_errors_in_place_and_exits_2() -> None:
    """An invalid read prints its error object where its result would be; the exit code is 2."""
    args = ["decode", "000000000000000000000000", "3074257BF7194E4000001A85", "nothex"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    unprogrammed, good, bad = _lines(result.output)
    assert unprogrammed["error"] == "UNKNOWN_HEADER"
    assert unprogrammed["detail"]
    assert unprogrammed["raw_uri"] == "urn:epc:raw:96.x000000000000000000000000"
    assert good["scheme"] == "sgtin-96"
    assert bad["error"] == "NOT_HEX"
    assert "raw_uri" not in bad


def test_encode_prints_hex_and_tag_uri() -> None:
    """Encoding prints the hex and the tag URI it stands for; pure URIs take filter 0."""
    args = [
        "encode",
        "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        "urn:epc:id:sscc:0614141.1234567890",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    tag, pure = _lines(result.output)
    assert tag["hex"] == "3074257BF7194E4000001A85"
    assert tag["tag_uri"] == "urn:epc:tag:sgtin-96:3.0614141.812345.6789"
    assert pure["hex"] == "3114257BF4499602D2000000"
    assert pure["tag_uri"] == "urn:epc:tag:sscc-96:0.0614141.1234567890"


def test_encode_puts_errors_in_place_and_exits_2() -> None:
    """A bad URI prints its error object in place; the exit code is 2."""
    args = ["encode", "urn:epc:tag:sgtin-96:9.0614141.812345.6789", "urn:epc:id:gid:1.2.3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    bad, good = _lines(result.output)
    assert bad["error"] == "BAD_FIELD_RANGE"
    assert good["tag_uri"] == "urn:epc:tag:gid-96:1.2.3"


def test_epc_group_is_registered_under_waybill() -> None:
    """`waybill epc ...` reaches the same commands."""
    from cli import app as waybill

    result = runner.invoke(waybill, ["epc", "decode", "3074257BF7194E4000001A85"])
    assert result.exit_code == 0
    assert _lines(result.output)[0]["tag_uri"] == "urn:epc:tag:sgtin-96:3.0614141.812345.6789"
