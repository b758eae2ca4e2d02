"""The gaoqi command line: help everywhere, exit codes, JSON output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from gaoqi.cli import main


@dataclass
class Result:
    """One run of ``main``: its exit code, what it printed, and the exception it raised (None if none)."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(capsys: pytest.CaptureFixture[str], args: list[str]) -> Result:
    """``gaoqi ARGS`` in process, as the console script runs it; an uncaught exception is exit 1."""
    capsys.readouterr()  # what the test printed before
    error: BaseException | None = None
    try:
        code = main(args)
    except Exception as exc:
        code, error = 1, exc
    out, err = capsys.readouterr()
    return Result(code, out, err, error)


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["synth"],
        ["ingest"],
        ["status"],
        ["uscc"],
        ["resolve"],
        ["profiles"],
        ["bench"],
        ["bench", "ingest"],
        ["bench", "rules"],
        ["bench", "compare"],
        ["bench", "warnings"],
        ["bench", "signals"],
        ["cluster"],
        ["cluster", "start"],
        ["cluster", "status"],
        ["cluster", "stop"],
    ],
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_uscc_says_why_and_exits_1_when_any_code_is_bad(capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, ["uscc", "91110108551385082Q", "91110108551385082A"])
    assert result.exit_code == 1
    assert "uscc_check_character" in result.output
    assert "应为“Q”" in result.output
    ok = invoke(capsys, ["uscc", "91110108551385082Q"])
    assert ok.exit_code == 0


def test_ingest_json_then_status_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = tmp_path / "in"
    feeds.mkdir()
    (feeds / "finance.csv").write_text(
        "uscc,fiscal_year,sales_revenue\n91110108551385082Q,2024,100\n91110108551385082Q,2023,-1\n", encoding="utf-8"
    )
    ws = tmp_path / "ws"
    result = invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"])
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
    again = json.loads(invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"]).stdout)
    assert again["files"][0]["skipped"] is True
    status = json.loads(invoke(capsys, ["status", "--workspace", str(ws), "--json"]).stdout)
    assert status["rows"]["finance"] == 1
    assert status["quarantined_problems"] == {"negative_value": 1}
    assert status["checksums"]["finance"].startswith("1:")


def test_ingest_exits_1_when_a_file_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = tmp_path / "in"
    feeds.mkdir()
    (feeds / "finance.csv").write_bytes(b"")
    result = invoke(capsys, ["ingest", str(feeds), "--workspace", str(tmp_path / "ws"), "--json"])
    assert result.exit_code == 1
    assert "finance.csv" in json.loads(result.stdout)["files"][0]["error"]


def test_policies_check_list_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(capsys, ["policies", "check"]).exit_code == 0
    listing = invoke(capsys, ["policies", "list"])
    assert listing.exit_code == 0 and "hte-certification" in listing.output
    show = invoke(capsys, ["policies", "show", "hte-certification"])
    assert show.exit_code == 0 and "第十一条（五）" in show.output
    assert invoke(capsys, ["policies", "show", "no-such-policy"]).exit_code == 2


def test_policies_check_names_file_and_line_of_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = (Path(__file__).resolve().parents[1] / "policies" / "hte-certification.yaml").read_text(encoding="utf-8")
    bad = bad.replace("days_since_established", "days_since_founded", 1)
    (tmp_path / "hte.yaml").write_text(bad, encoding="utf-8")
    result = invoke(capsys, ["policies", "check", "--policies", str(tmp_path)])
    assert result.exit_code == 1
    assert "hte.yaml:" in result.output and "days_since_founded" in result.output


def test_evaluate_and_explain_on_a_synthetic_population(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gaoqi.engine.rules import default_policy_dir, load_policies
    from gaoqi.synth import generate

    feeds, ws = tmp_path / "feeds", tmp_path / "ws"
    generate(feeds, enterprises=300, seed=3)
    assert invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"]).exit_code == 0
    assert invoke(capsys, ["resolve", "--workspace", str(ws)]).exit_code == 0
    out_csv = tmp_path / "results.csv"
    result = invoke(capsys, ["evaluate", "--as-of", "2026-06-30", "--workspace", str(ws), "--out", str(out_csv)])
    assert result.exit_code == 0, result.output
    import csv

    with out_csv.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 300 * len(load_policies(default_policy_dir()))  # every enterprise × every policy
    assert list(rows[0])[:8] == [
        "uscc",
        "policy_id",
        "policy_version",
        "status",
        "failed_conditions",
        "unknown_features",
        "binding_condition",
        "binding_gap",
    ]
    assert {r["status"] for r in rows} <= {"pass", "fail", "unknown"}
    failing = next(r for r in rows if r["status"] == "fail" and r["policy_id"] == "hte-certification")
    explained = invoke(
        capsys,
        [
            "explain",
            failing["uscc"],
            "--policy",
            "hte-certification",
            "--as-of",
            "2026-06-30",
            "--workspace",
            str(ws),
            "--json",
        ],
    )
    assert explained.exit_code == 0, explained.output
    data = json.loads(explained.stdout)
    assert data["status"] == "fail"
    assert data["binding_condition"] == failing["binding_condition"]


def test_simulate_counts_exactly_the_enterprises_a_threshold_change_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt

    from gaoqi.engine.rules import default_policy_dir, evaluate, load_policies
    from gaoqi.engine.workspace import connect
    from gaoqi.synth import generate

    feeds, ws = tmp_path / "feeds", tmp_path / "ws"
    generate(feeds, enterprises=600, seed=21)
    assert invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"]).exit_code == 0
    assert invoke(capsys, ["resolve", "--workspace", str(ws)]).exit_code == 0
    result = invoke(
        capsys,
        [
            "simulate",
            "--policy",
            "hte-certification",
            "--set",
            "rd_ratio_tier1=0",
            "--set",
            "innovation_pass_above=0",
            "--as-of",
            "2026-06-30",
            "--workspace",
            str(ws),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Expected from the baseline alone: failing only on the R&D ratio (in the lowest sales tier, with a known
    # ratio: a 0% requirement passes them) and/or the innovation screen (a pass mark of 0 opens it); the
    # expert conditions keep them 'unknown'.
    flips = (
        "policy_id = 'hte-certification' AND len(failed_conditions) > 0 "
        "AND len(list_filter(failed_conditions, lambda c: c NOT IN ('rd_ratio', 'innovation_score'))) = 0 "
        "AND (NOT list_contains(failed_conditions, 'rd_ratio') "
        "OR (sales_revenue_last_year <= 5000 AND hte_rd_ratio IS NOT NULL))"
    )
    con = connect(ws)
    try:
        evaluate(con, dt.date(2026, 6, 30), load_policies(default_policy_dir()))
        expected = con.execute(f"SELECT count(*) FROM results JOIN profile USING (uscc) WHERE {flips}").fetchall()[0][0]
        by_district = dict(
            con.execute(
                f"SELECT district_code, count(*) FROM results JOIN profile USING (uscc) WHERE {flips} GROUP BY 1"
            ).fetchall()
        )
    finally:
        con.close()
    assert expected > 0
    assert data["flips"] == {"fail→unknown": expected}
    assert {k: v["fail→unknown"] for k, v in data["groups"].items() if "fail→unknown" in v} == by_district
    bad = invoke(capsys, ["simulate", "--policy", "hte-certification", "--set", "no_such=1", "--workspace", str(ws)])
    assert bad.exit_code == 2 and "no_such" in bad.output


def test_evaluate_on_spark_stores_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--engine spark: results computed on Spark land in the workspace exactly as DuckDB's would."""
    pytest.importorskip("pyspark")
    import duckdb

    from gaoqi.engine import spark as gs
    from gaoqi.synth import generate

    feeds, ws = tmp_path / "feeds", tmp_path / "ws"
    generate(feeds, enterprises=120, seed=5)
    assert invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"]).exit_code == 0
    assert invoke(capsys, ["resolve", "--workspace", str(ws)]).exit_code == 0
    args = ["evaluate", "--as-of", "2026-06-30", "--workspace", str(ws)]
    outs = {}
    for engine in ("duckdb", "spark"):
        outs[engine] = tmp_path / f"{engine}.parquet"
        result = invoke(capsys, [*args, "--engine", engine, "--out", str(outs[engine])])
        assert result.exit_code == 0, result.output
        assert "why not" in result.output
    con = duckdb.connect()
    expected, actual = (
        con.sql(f"SELECT * FROM '{outs[e]}' ORDER BY uscc, policy_id").to_arrow_table() for e in ("duckdb", "spark")
    )
    assert expected.num_rows > 0
    assert gs.parity_report(expected, actual, key=("uscc", "policy_id")) == []

    # without pyspark: a clear message and exit 2, nothing evaluated
    def missing() -> None:
        raise gs.SparkUnavailableError("the Spark engine needs pyspark")

    monkeypatch.setattr(gs, "_require_pyspark", missing)
    result = invoke(capsys, [*args, "--engine", "spark"])
    assert result.exit_code == 2 and "needs pyspark" in result.output
    assert invoke(capsys, [*args, "--engine", "flink"]).exit_code == 2


def test_a_refused_file_is_reported_once_and_listed_by_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds, ws = tmp_path / "in", tmp_path / "ws"
    feeds.mkdir()
    (feeds / "budget_2026.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    first = invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"])
    assert first.exit_code == 1  # reported: an error, once
    assert json.loads(first.stdout)["files"][0]["reason_code"] == "unknown_feed"
    again = invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["files"][0]["skipped"] is True
    status = json.loads(invoke(capsys, ["status", "--workspace", str(ws), "--json"]).stdout)
    assert [(r["file"], r["feed"], r["reason_code"]) for r in status["refused_files"]] == [
        ("budget_2026.csv", None, "unknown_feed")
    ]
    assert status["refused_files"][0]["reason"].startswith("文件名不以任何数据接口名称开头")
    text = invoke(capsys, ["status", "--workspace", str(ws)]).stdout
    assert "budget_2026.csv" in text and "文件名不以任何数据接口名称开头" in text


# --- commands run out of order: the step to run first, in Chinese and English, exit 1, no traceback ----------

AS_OF = ["--as-of", "2026-06-30"]
UNKNOWN_USCC = "91110108551385082Q"  # a valid code no synthetic population holds


def _out_of_order(capsys: pytest.CaptureFixture[str], args: list[str], ws: Path) -> str:
    result = invoke(capsys, [*args, "--workspace", str(ws)])
    text = result.output
    assert result.exit_code == 1, (args, result.exit_code, text)
    assert result.exception is None, result.exception  # no uncaught exception
    assert "Traceback" not in text and "does not exist" not in text and "Catalog Error" not in text, text
    return text


LATER_STEPS = [
    ["profiles", *AS_OF],
    ["evaluate", *AS_OF],
    ["explain", UNKNOWN_USCC, "--policy", "hte-certification", *AS_OF],
    ["simulate", "--policy", "hte-certification", "--set", "ip_min=2", *AS_OF],
    ["status"],
]


@pytest.mark.parametrize("args", [["resolve"], *LATER_STEPS], ids=lambda a: a[0])
def test_every_step_on_an_empty_workspace_names_ingest(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _out_of_order(capsys, args, tmp_path / "ws")
    assert "工作区还没有导入任何数据：请先运行 gaoqi ingest DIR" in text
    assert "(nothing ingested yet: run `gaoqi ingest DIR` first)" in text


@pytest.fixture(scope="module")
def ingested_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gaoqi.synth import generate

    feeds, ws = tmp_path_factory.mktemp("feeds"), tmp_path_factory.mktemp("ws")
    generate(feeds, enterprises=40, seed=5)
    assert main(["ingest", str(feeds), "--workspace", str(ws), "--json"]) == 0
    return ws


@pytest.mark.parametrize("args", LATER_STEPS, ids=lambda a: a[0])
def test_every_step_after_ingest_without_resolve_names_resolve(
    args: list[str], ingested_only: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(ingested_only, ws)
    text = _out_of_order(capsys, args, ws)
    assert "数据已导入，但尚未进行实体解析：请先运行 gaoqi resolve" in text
    assert "(ingested but not resolved: run `gaoqi resolve` first)" in text


def test_resolve_without_a_registration_feed_names_the_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = tmp_path / "in"
    feeds.mkdir()
    (feeds / "finance.csv").write_text(
        "uscc,fiscal_year,sales_revenue\n91110108551385082Q,2024,100\n", encoding="utf-8"
    )
    ws = tmp_path / "ws"
    assert invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"]).exit_code == 0
    text = _out_of_order(capsys, ["resolve"], ws)
    assert "尚未导入工商登记数据（registration）" in text and "with the registration feed first" in text


@pytest.fixture(scope="module")
def resolved(ingested_only: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    ws = tmp_path_factory.mktemp("resolved") / "ws"
    shutil.copytree(ingested_only, ws)
    assert main(["resolve", "--workspace", str(ws)]) == 0
    return ws


def test_a_file_ingested_after_resolve_names_resolve_again(
    resolved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(resolved, ws)
    assert invoke(capsys, ["status", "--workspace", str(ws)]).exit_code == 0  # ready
    feeds = tmp_path / "more"
    feeds.mkdir()
    (feeds / "finance_late.csv").write_text("uscc,fiscal_year,sales_revenue\n91110108551385082Q,2024,7\n", "utf-8")
    assert invoke(capsys, ["ingest", str(feeds), "--workspace", str(ws), "--json"]).exit_code == 0
    text = _out_of_order(capsys, ["evaluate", *AS_OF], ws)
    assert "上次实体解析之后又导入了新文件：请先重新运行 gaoqi resolve" in text
    status = invoke(capsys, ["status", "--workspace", str(ws), "--json"])
    assert status.exit_code == 1
    assert json.loads(status.stdout)["next_step"]["step"] == "resolve"


def test_explain_of_an_unknown_enterprise_or_policy_says_so(resolved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _out_of_order(capsys, ["explain", UNKNOWN_USCC, "--policy", "hte-certification", *AS_OF], resolved)
    assert f"工作区中没有统一社会信用代码为 {UNKNOWN_USCC} 的企业" in text
    assert f"(no enterprise {UNKNOWN_USCC} in the workspace" in text
    result = invoke(capsys, ["explain", UNKNOWN_USCC, "--policy", "no-such-policy", *AS_OF, "-w", str(resolved)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "没有此政策 no-such-policy：运行 gaoqi policies list 查看政策目录" in result.output
    result = invoke(capsys, ["evaluate", "--policy", "no-such-policy", *AS_OF, "-w", str(resolved)])
    assert result.exit_code == 2 and "没有此政策 no-such-policy" in result.output


def test_bench_compare_prints_the_differing_cells_and_exits_1_unless_there_are_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    con = duckdb.connect()
    rows = "('A1', 'hte', 'fail', ['core_ip'], '差 0.7 个百分点'), ('A2', 'hte', 'unknown', [], NULL)"
    cols = "(uscc, policy_id, status, failed_conditions, binding_gap)"
    con.execute(f"COPY (SELECT * FROM (VALUES {rows}) AS t{cols}) TO '{tmp_path / 'old.parquet'}' (FORMAT parquet)")
    changed = rows.replace("'unknown'", "'fail'").replace("0.7", "0.70")  # a status; the same number
    con.execute(f"COPY (SELECT * FROM (VALUES {changed}) AS t{cols}) TO '{tmp_path / 'new.parquet'}' (FORMAT parquet)")
    con.close()
    same = invoke(capsys, ["bench", "compare", str(tmp_path / "old.parquet"), str(tmp_path / "old.parquet")])
    assert same.exit_code == 0, same.output
    assert "differing cells: 0" in same.stdout
    got = invoke(capsys, ["bench", "compare", str(tmp_path / "old.parquet"), str(tmp_path / "new.parquet"), "--json"])
    assert got.exit_code == 1
    data = json.loads(got.stdout)
    assert (data["columns"], data["differing_cells"]) == (
        {"status": 1, "failed_conditions": 0, "binding_gap": 0}, 1,
    )  # fmt: skip
    missing = invoke(capsys, ["bench", "compare", str(tmp_path / "nope.parquet"), str(tmp_path / "new.parquet")])
    assert missing.exit_code == 2


def test_bench_signals_prints_precision_and_recall(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, ["bench", "signals", "-n", "1500", "--seed", "5", "--data-dir", str(tmp_path / "feeds"),
                             "--workspace", str(tmp_path / "ws"), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["enterprises"] == 1500 and data["applicants"] > 50
    assert [r["kind"] for r in data["by_kind"]] == [
        "ip_transfer_recent", "transferor_many", "rd_near_duplicate", "st_staff_above_insured", "rd_vs_deduction",
        "shared_contact",
    ]  # fmt: skip
    assert all(r["precision"] in (None, 1.0) for r in data["by_kind"]), data["by_kind"]
