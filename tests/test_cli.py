"""The gaoqi command line: help everywhere, exit codes, JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaoqi.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "command",
    [[], ["synth"], ["ingest"], ["status"], ["uscc"], ["resolve"], ["profiles"], ["bench"], ["bench", "ingest"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_uscc_says_why_and_exits_1_when_any_code_is_bad() -> None:
    result = runner.invoke(app, ["uscc", "91110108551385082Q", "91110108551385082A"])
    assert result.exit_code == 1
    assert "uscc_check_character" in result.output
    assert "应为“Q”" in result.output
    ok = runner.invoke(app, ["uscc", "91110108551385082Q"])
    assert ok.exit_code == 0


def test_ingest_json_then_status_json(tmp_path: Path) -> None:
    feeds = tmp_path / "in"
    feeds.mkdir()
    (feeds / "finance.csv").write_text(
        "uscc,fiscal_year,sales_revenue\n91110108551385082Q,2024,100\n91110108551385082Q,2023,-1\n", encoding="utf-8"
    )
    ws = tmp_path / "ws"
    result = runner.invoke(app, ["ingest", str(feeds), "--workspace", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    f = data["files"][0]
    assert (f["feed"], f["encoding"], f["rows_read"], f["rows_loaded"], f["rows_quarantined"], f["skipped"]) == (
        "finance",
        "utf-8",
        2,
        1,
        1,
        False,
    )
    assert f["quarantined_by_reason"] == {"negative_value": 1}
    again = json.loads(runner.invoke(app, ["ingest", str(feeds), "--workspace", str(ws), "--json"]).stdout)
    assert again["files"][0]["skipped"] is True
    status = json.loads(runner.invoke(app, ["status", "--workspace", str(ws), "--json"]).stdout)
    assert status["rows"]["finance"] == 1
    assert status["quarantined_problems"] == {"negative_value": 1}
    assert status["checksums"]["finance"].startswith("1:")


def test_ingest_exits_1_when_a_file_cannot_be_read(tmp_path: Path) -> None:
    feeds = tmp_path / "in"
    feeds.mkdir()
    (feeds / "finance.csv").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(feeds), "--workspace", str(tmp_path / "ws"), "--json"])
    assert result.exit_code == 1
    assert "finance.csv" in json.loads(result.stdout)["files"][0]["error"]
