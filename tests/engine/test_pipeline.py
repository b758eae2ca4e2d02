"""The synthetic Beijing through the loader: every planted defect is caught with its reason, nothing else is."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from gaoqi.engine.ingest import ingest_directory
from gaoqi.engine.status import workspace_status
from gaoqi.engine.workspace import connect
from gaoqi.synth import generate


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "feeds"
    generate(out, enterprises=2500, seed=11)
    return out


@pytest.fixture(scope="module")
def workspace(population: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws")
    summary = ingest_directory(ws, population)
    assert summary.errors == []
    return ws


def test_every_planted_defect_is_quarantined_with_its_reason_and_nothing_else(
    population: Path, workspace: Path
) -> None:
    with (population / "_truth" / "defects.csv").open(encoding="utf-8") as fh:
        planted = {(r["file"], int(r["line"]), r["reason_code"]) for r in csv.DictReader(fh)}
    con = duckdb.connect(str(workspace / "gaoqi.duckdb"), read_only=True)
    found = {
        (str(f), int(ln), str(c))
        for f, ln, c in con.execute("SELECT file_name, line, reason_code FROM quarantine").fetchall()
    }
    con.close()
    assert len(planted) > 30
    assert {c for _, _, c in planted} == {
        "uscc_check_character",
        "negative_value",
        "not_a_number",
        "invalid_date",
        "duplicate_row",
        "column_count",
        "unknown_reference",  # an incubation row naming no body of the roster (issue 12)
    }
    assert found == planted


def test_every_good_row_is_loaded(population: Path, workspace: Path) -> None:
    with (population / "_truth" / "defects.csv").open(encoding="utf-8") as fh:
        bad_per_file = Counter(r["file"] for r in csv.DictReader(fh))
    with (population / "_truth" / "files.csv").open(encoding="utf-8") as fh:
        files = list(csv.DictReader(fh))
    con = duckdb.connect(str(workspace / "gaoqi.duckdb"), read_only=True)
    loaded = dict(con.execute("SELECT file_name, rows_loaded FROM loads").fetchall())
    con.close()
    assert len(files) == len(loaded) == 18  # the incubator roster and relations (12), the platform records (15)
    for f in files:
        assert loaded[f["file"]] == int(f["rows"]) - bad_per_file[f["file"]], f["file"]


def test_two_workspaces_from_the_same_files_have_the_same_checksums(
    population: Path, workspace: Path, tmp_path: Path
) -> None:
    ingest_directory(tmp_path, population)
    a, b = connect(workspace), connect(tmp_path)
    try:
        assert workspace_status(a)["checksums"] == workspace_status(b)["checksums"]
    finally:
        a.close()
        b.close()
