"""build.py: building, summarising and rebuilding the profile table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gaoqi.engine.features import FEATURE_BY_NAME, build_profiles, ensure_profiles, profile_summary
from tests.engine.features.workspace import AS_OF, Workspace, three_years, write_registration_fix


def test_one_row_per_enterprise_and_rebuild_replaces(ws: Workspace) -> None:
    for _ in range(5):
        ws.enterprise()
    summary = build_profiles(ws.con, AS_OF)
    assert summary.enterprises == 5
    assert (summary.fy_window_start, summary.fy_window_end) == (2022, 2024)
    summary = build_profiles(ws.con, date(2024, 7, 1))
    assert ws.con.execute("SELECT COUNT(*), MIN(as_of), MAX(as_of) FROM profile").fetchall() == [
        (5, date(2024, 7, 1), date(2024, 7, 1))
    ]


def test_profile_summary(ws: Workspace) -> None:
    e = ws.enterprise()
    three_years(ws, e, (100, 0, 50), (1, 1, 1))
    ws.enterprise(established=date(2024, 6, 1))
    ws.certificate(e, "hte", date(2024, 1, 1), date(2026, 12, 31))
    ws.build()
    summary = profile_summary(ws.con)
    assert summary["as_of"] == AS_OF and summary["fy_window"] == [2022, 2024]
    assert summary["enterprises"] == 2 and summary["with_hte_certificate"] == 1
    assert summary["sales_growth_basis"] == {"insufficient_years": 1, "year2_zero": 1}
    assert summary["non_null"]["hte_rd_ratio"] == 1
    assert summary["non_null"]["uscc"] == 2
    assert set(summary["non_null"]) == set(FEATURE_BY_NAME)


@pytest.mark.slow
def test_profiles_are_rebuilt_when_a_load_or_the_resolution_changed_for_the_same_as_of(tmp_path: Path) -> None:
    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.engine.resolve import resolve
    from gaoqi.engine.workspace import connect
    from gaoqi.synth import generate

    feeds, home, fix = tmp_path / "feeds", tmp_path / "home", tmp_path / "fix"
    fix.mkdir()
    generate(feeds, enterprises=60, seed=3)
    ingest_directory(home, feeds)
    day = date(2026, 6, 30)
    con = connect(home)
    try:
        resolve(con)
        assert ensure_profiles(con, day) is True
        assert ensure_profiles(con, day) is False  # nothing changed: not rebuilt
        resolve(con)  # the same loads resolved again: the same inputs
        assert ensure_profiles(con, day) is False
        uscc = con.execute("SELECT min(uscc) FROM profile").fetchall()[0][0]
        write_registration_fix(con, uscc, "北京新名称哨兵科技有限公司", fix / "registration_fix.csv")
    finally:
        con.close()
    summary = ingest_directory(home, fix)
    assert [f.rows_loaded for f in summary.files] == [1]
    con = connect(home)
    try:
        assert ensure_profiles(con, day) is True  # a new load, not yet resolved: rebuilt
        resolve(con)
        assert ensure_profiles(con, day) is True  # the resolution changed (enterprise carries the new name)
        assert con.execute("SELECT name FROM profile WHERE uscc = ?", [uscc]).fetchall() == [
            ("北京新名称哨兵科技有限公司",)
        ]
        assert ensure_profiles(con, day) is False
        assert ensure_profiles(con, date(2026, 7, 1)) is True  # another as-of
    finally:
        con.close()
