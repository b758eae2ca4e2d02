"""The rules benchmark's tools: the cell-by-cell comparison of two result files, and the hand-written floor of
HTE certification, which must give the engine's statuses (else the ratio to it means nothing).

Speed is not tested here: ``gaoqi bench rules`` prints it.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from gaoqi.engine import Workspace, default_policies, default_policy_dir
from gaoqi.engine.bench import (
    FloorStaleError,
    compare_results,
    floor_sql,
    hte_floor_parameters,
    hte_floor_simulation_sql,
    hte_floor_sql,
)
from gaoqi.synth import generate

AS_OF = date(2026, 6, 30)
HTE_FILE = default_policy_dir() / "hte-certification.yaml"

_COLUMNS = (
    "uscc VARCHAR, policy_id VARCHAR, policy_version VARCHAR, status VARCHAR, failed_conditions VARCHAR[], "
    "binding_gap VARCHAR, benefit_amount DECIMAL(18,4)"
)
_ROWS: list[tuple[Any, ...]] = [
    ("A1", "hte", "2016", "fail", ["core_ip", "rd_ratio"], "研究开发费用占比 4.3%，至少需 5%，差 0.7 个百分点", None),
    ("A1", "reward", "2022", "pass", [], None, 10),
    ("A2", "hte", "2016", "unknown", [], None, None),
    ("A2", "reward", "2022", "fail", ["newly_certified"], "发证天数 400 天，至多 365 天，超出 35 天", None),
    ("A3", "hte", "2016", "fail", ["rd_ratio"], "研究开发费用 1,234.5万元，至少需 2000万元，差 765.5万元", None),
]


def _parquet(path: Path, rows: list[tuple[Any, ...]], columns: str = _COLUMNS) -> Path:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE r ({columns})")
    con.executemany(f"INSERT INTO r VALUES ({', '.join('?' * len(rows[0]))})", rows)
    con.execute(f"COPY r TO '{path}' (FORMAT parquet)")
    con.close()
    return path


def test_identical_files_differ_in_no_cell(tmp_path: Path) -> None:
    old = _parquet(tmp_path / "old.parquet", _ROWS)
    new = _parquet(tmp_path / "new.parquet", list(reversed(_ROWS)))  # row order does not matter
    got = compare_results(old, new)
    assert got["differing_cells"] == 0
    assert got["columns"] == dict.fromkeys(
        ["policy_version", "status", "failed_conditions", "binding_gap", "benefit_amount"], 0
    )
    assert (got["rows_old"], got["rows_new"], got["rows_joined"]) == (5, 5, 5)
    assert (got["rows_only_old"], got["rows_only_new"], got["examples"]) == (0, 0, {})


def test_a_gap_text_of_another_form_with_the_same_numbers_is_no_difference(tmp_path: Path) -> None:
    new_rows = list(_ROWS)
    new_rows[0] = (*_ROWS[0][:5], "研发费用占比为4.30%（至少5.0%），差0.70个百分点", None)
    new_rows[4] = (*_ROWS[4][:5], "研究开发费用 1234.50 万元 / 2,000 万元 / 765.5", None)
    got = compare_results(_parquet(tmp_path / "o.parquet", _ROWS), _parquet(tmp_path / "n.parquet", new_rows))
    assert got["columns"]["binding_gap"] == 0
    assert got["differing_cells"] == 0


def test_planted_differences_are_counted_per_column(tmp_path: Path) -> None:
    new_rows = [
        ("A1", "hte", "2016", "fail", ["core_ip", "st_staff_share"], _ROWS[0][5], None),  # a list element
        ("A1", "reward", "2022", "pass", [], None, 10),
        ("A2", "hte", "2016", "fail", [], None, None),  # a status
        (
            "A2",
            "reward",
            "2022",
            "fail",
            ["newly_certified"],
            "发证天数 400 天，至多 365 天，超出 36 天",
            None,
        ),  # a number
        # A3 × hte is missing; a row the old file does not have:
        ("A4", "hte", "2016", "unknown", [], None, None),
    ]
    got = compare_results(_parquet(tmp_path / "o.parquet", _ROWS), _parquet(tmp_path / "n.parquet", new_rows))
    assert got["columns"] == {
        "policy_version": 0, "status": 1, "failed_conditions": 1, "binding_gap": 1, "benefit_amount": 0,
    }  # fmt: skip
    assert (got["rows_joined"], got["rows_only_old"], got["rows_only_new"]) == (4, 1, 1)
    assert got["differing_cells"] == 5
    assert got["examples"]["status"] == [{"key": ["A2", "hte"], "old": "unknown", "new": "fail"}]
    assert got["examples"]["failed_conditions"][0]["new"] == "[core_ip, st_staff_share]"


def test_a_column_on_one_side_counts_every_joined_row_unless_ignored(tmp_path: Path) -> None:
    old = _parquet(
        tmp_path / "o.parquet", [(*r, "gaoqi-rules/1") for r in _ROWS], _COLUMNS + ", engine_version VARCHAR"
    )
    new = _parquet(tmp_path / "n.parquet", _ROWS)
    got = compare_results(old, new)
    assert (got["columns"]["engine_version"], got["columns_only_old"], got["differing_cells"]) == (
        5, ["engine_version"], 5,
    )  # fmt: skip
    assert compare_results(old, new, ignore=["engine_version"])["differing_cells"] == 0


def test_duplicate_keys_are_differences(tmp_path: Path) -> None:
    got = compare_results(_parquet(tmp_path / "o.parquet", _ROWS), _parquet(tmp_path / "n.parquet", [*_ROWS, _ROWS[2]]))
    assert (got["duplicate_keys_old"], got["duplicate_keys_new"], got["differing_cells"]) == (0, 1, 1)


# --- the floor ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    feeds, home = tmp_path_factory.mktemp("feeds"), tmp_path_factory.mktemp("ws")
    generate(feeds, enterprises=400, seed=5)
    with Workspace.open(home) as ws:
        ws.ingest(feeds)
    with Workspace.open(home) as ws:
        ws.resolve()
        ws.profiles(AS_OF)
    return home


def test_the_floor_gives_the_engines_statuses_and_failed_conditions(workspace: Path) -> None:
    hte = [p for p in default_policies() if p.id == "hte-certification"]
    with Workspace.open(workspace) as ws:
        ws.evaluate(AS_OF, hte)
        con = ws.backend.con
        engine = {
            r[0]: (r[1], r[2]) for r in con.execute("SELECT uscc, status, failed_conditions FROM results").fetchall()
        }
        floor = {
            r[0]: (r[1], r[2])
            for r in con.execute(
                f"SELECT uscc, status, failed_conditions FROM ({hte_floor_sql(HTE_FILE, AS_OF)})"
            ).fetchall()
        }
        one = next(iter(sorted(engine)))
        single = con.execute(f"SELECT uscc, status FROM ({hte_floor_sql(HTE_FILE, AS_OF, one)})").fetchall()
    assert len(engine) == 400
    assert floor == engine
    # the population exercises both statuses and the screen (HTE certification never passes: expert items)
    assert {s for s, _ in engine.values()} == {"fail", "unknown"}
    failed = {c for _, f in engine.values() for c in f}
    assert {"core_ip", "rd_ratio", "innovation_score"} <= failed
    assert single == [(one, engine[one][0])]


def test_the_floor_of_every_policy_gives_the_engines_statuses_and_failed_conditions(workspace: Path) -> None:
    with Workspace.open(workspace) as ws:
        ws.evaluate(AS_OF)
        con = ws.backend.con
        columns = [r[0] for r in con.execute("DESCRIBE profile").fetchall()]
        sql = "SELECT uscc, policy_id, status, failed_conditions FROM {}"
        engine = {(r[0], r[1]): r[2:] for r in con.execute(sql.format("results")).fetchall()}
        floor = {
            (r[0], r[1]): r[2:]
            for r in con.execute(sql.format(f"({floor_sql(HTE_FILE.parent, AS_OF, columns)})")).fetchall()
        }
    assert len(engine) == 400 * len(default_policies())  # the shipped enterprise policies
    assert floor == engine
    statuses: dict[str, set[str]] = {}
    for (_, pid), (status, _) in engine.items():
        statuses.setdefault(pid, set()).add(status)
    # every status of every policy that can pass is exercised (HTE certification and tech-sme have pending items)
    assert statuses["above-scale"] == statuses["rd-super-deduction"] == {"pass", "fail", "unknown"}
    assert statuses["tech-sme"] == {"fail", "unknown"}
    tech = {c for (_, pid), (_, failed) in engine.items() if pid == "tech-sme" for c in failed}
    assert {"score_pass", "st_staff_score_nonzero", "not_listed"} <= tech


def test_the_floor_simulation_moves_the_enterprises_the_engine_moves(workspace: Path) -> None:
    hte = next(p for p in default_policies() if p.id == "hte-certification")
    change = {"rd_ratio_tier1": "0.2"}  # 5% → 20%: some unknowns fail
    with Workspace.open(workspace) as ws:
        got = ws.simulate(AS_OF, hte, change)
        rows = ws.backend.con.execute(hte_floor_simulation_sql(HTE_FILE, AS_OF, change)).fetchall()
    floor_groups: dict[str, dict[str, int]] = {}
    for grp, before, after, n in rows:
        floor_groups.setdefault(grp, {})[f"{before}→{after}"] = n
    assert floor_groups == got["groups"]
    assert got["flips"].get("unknown→fail", 0) > 0


def test_the_floor_reads_its_parameters_from_the_policy_file_and_refuses_other_conditions(tmp_path: Path) -> None:
    params = hte_floor_parameters(HTE_FILE, AS_OF)
    assert (params["rd_ratio_tier1"], params["sales_tier1_max"], params["innovation_pass_above"]) == (
        "0.05",
        "5000",
        "70",
    )
    assert hte_floor_parameters(HTE_FILE, AS_OF, {"rd_ratio_tier1": "0.04"})["rd_ratio_tier1"] == "0.04"
    with pytest.raises(ValueError):
        hte_floor_parameters(HTE_FILE, AS_OF, {"rd_ratio_tier1": "0; DROP TABLE profile"})
    changed = tmp_path / "hte-certification.yaml"
    shutil.copy(HTE_FILE, changed)
    text = changed.read_text(encoding="utf-8")
    changed.write_text(
        text.replace(
            "expr: st_staff_share >= param.st_staff_share_min", "expr: st_staff_share > param.st_staff_share_min"
        ),
        encoding="utf-8",
    )
    with pytest.raises(FloorStaleError, match="other conditions"):
        hte_floor_parameters(changed, AS_OF)


def test_typed_binding_values_are_compared_by_the_sentence_they_render(workspace: Path, tmp_path: Path) -> None:
    """A results file as stored (binding values typed, no sentence) against one holding the sentences: the
    sentences are rendered from the values and compared; a changed value shows as a differing sentence."""
    home = tmp_path / "ws"
    shutil.copytree(workspace, home)
    with Workspace.open(home) as ws:
        ws.evaluate(AS_OF)
        con = ws.backend.con
        con.execute(f"COPY results_with_gap TO '{tmp_path / 'texts.parquet'}' (FORMAT parquet)")
        con.execute(f"COPY results TO '{tmp_path / 'typed.parquet'}' (FORMAT parquet)")
        failing = con.execute(
            "SELECT count(*) FROM results WHERE status = 'fail' AND binding_observed IS NOT NULL"
        ).fetchall()[0][0]
        con.execute(
            f"COPY (SELECT * REPLACE (binding_observed + 1 AS binding_observed) FROM results) "
            f"TO '{tmp_path / 'moved.parquet'}' (FORMAT parquet)"
        )
    same = compare_results(tmp_path / "texts.parquet", tmp_path / "typed.parquet")
    assert (same["rendered"], same["differing_cells"], same["columns"]["binding_gap"]) == ("new", 0, 0)
    assert "binding_observed" not in same["columns"]  # compared through the sentence it renders
    moved = compare_results(tmp_path / "texts.parquet", tmp_path / "moved.parquet")
    assert failing > 50 and moved["columns"]["binding_gap"] == failing == moved["differing_cells"]


def test_the_warnings_benchmark_reports_every_rule_and_reads_every_raised_warning(tmp_path: Path) -> None:
    """``gaoqi bench warnings`` on a small synthetic Beijing (the feeds and the workspace made once, then reused)."""
    import datetime as dt

    from gaoqi.engine import load_warning_rules
    from gaoqi.synth.bench import run_synthetic_warnings_benchmark

    kwargs = {"enterprises": 300, "seed": 5, "as_of": dt.date(2026, 6, 30), "previous_as_of": dt.date(2025, 6, 30),
              "data_dir": tmp_path / "feeds", "workspace": tmp_path / "ws", "rounds": 1}  # fmt: skip
    first = run_synthetic_warnings_benchmark(**kwargs)  # type: ignore[arg-type]
    assert first["enterprises"] == 300 and first["synth_seconds"] is not None
    assert set(first["by_rule"]) == {p.id for p in load_warning_rules(default_policy_dir())}
    assert first["rows_read"] == first["raised"] == sum(first["by_rule"].values())
    assert first["seconds"] >= first["features_seconds"] >= 0 and first["goal_seconds"] == 30
    again = run_synthetic_warnings_benchmark(**kwargs)  # type: ignore[arg-type]
    assert again["synth_seconds"] is None and again["ingest_resolve_seconds"] is None  # reused
    assert again["by_rule"] == first["by_rule"]
