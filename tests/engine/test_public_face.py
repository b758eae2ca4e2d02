"""The engine's public face: ``gaoqi.engine.__all__`` and the ``Workspace``.

A small synthetic Beijing goes through the Workspace (ingest → resolve → profiles → evaluate); each read the
platform makes (profile, profile_details, explain, simulate, loads, quarantine, refused files, the rows a
snapshot publishes) gives the values the engine's own functions and the SQL the web layer used to run give.
The import-linter contract forbids ``gaoqi.web`` every engine submodule, and the web's sources hold no SQL on
engine tables.
"""

from __future__ import annotations

import ast
import pkgutil
import re
import shutil
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

import gaoqi.engine
from gaoqi.engine import (
    SimulationError,
    Source,
    Workspace,
    default_policies,
    evaluate_one,
    load_policies,
    score_total,
)
from gaoqi.engine import rules as rules_mod
from gaoqi.engine.trace import ip_rows_by_feature
from gaoqi.engine.workspace import connect
from gaoqi.synth import generate

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    feeds = tmp_path_factory.mktemp("face") / "feeds"
    generate(feeds, enterprises=150, seed=11)
    (feeds / "budget_2026.csv").write_text("a,b\n1,2\n", encoding="utf-8")  # no feed in its name: refused
    home = tmp_path_factory.mktemp("face-ws")
    with Workspace.open(home) as ws:
        summary = ws.ingest(feeds)
        assert [r.file for r in summary.errors] == ["budget_2026.csv"]  # the refused file only
        ws.resolve()
        assert ws.profiles(AS_OF) is True
        assert ws.profiles(AS_OF) is False  # same inputs: not rebuilt
        meta = ws.evaluate(AS_OF, default_policies())
        assert meta["engine_version"] == rules_mod.ENGINE_VERSION and len(meta["ruleset_hash"]) == 64
        ws.checkpoint()
    yield home


@pytest.fixture(scope="module")
def con(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = connect(home, read_only=True)
    yield c
    c.close()


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _usccs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Enterprises with finance, R&D, credit and certificate rows, then any others: the reads' hard cases."""
    rich = [
        r[0]
        for r in con.execute(
            "SELECT uscc FROM profile WHERE uscc IN (SELECT uscc FROM finance_cur) AND uscc IN (SELECT uscc FROM "
            "rd_cur) AND uscc IN (SELECT uscc FROM credit_cur) ORDER BY uscc LIMIT 3"
        ).fetchall()
    ]
    certified = [r[0] for r in con.execute("SELECT min(uscc) FROM certificate_cur").fetchall()]
    plain = [r[0] for r in con.execute("SELECT uscc FROM profile ORDER BY uscc LIMIT 2").fetchall()]
    return sorted({*rich, *certified, *plain})


def _old_profile_details(con: duckdb.DuckDBPyConnection, uscc: str) -> dict[str, Any]:
    """What ``web/enterprises/selectors.profile_details`` read before the face (its SQL, unchanged), with
    the source as (feed, file, line) instead of the page's words."""
    one = _records(con, "SELECT * FROM profile WHERE uscc = ?", [uscc])
    profile = one[0] if one else {}
    loads = {
        lid: (feed, fname) for lid, feed, fname in con.execute("SELECT load_id, feed, file_name FROM loads").fetchall()
    }

    def src(load_id: Any, line: Any) -> Source:
        feed, fname = loads.get(load_id, (None, "?"))
        return Source(feed, fname, line)

    q = "'" + uscc.replace("'", "''") + "'"
    finance = sorted(
        (
            {"year": fy, "sales": s, "total": t, "assets": a, "liabilities": li, "source": src(lid, ln)}
            for fy, s, t, a, li, lid, ln in con.execute(
                "SELECT fiscal_year, sales_revenue, total_revenue, total_assets, total_liabilities, _load_id, _line "
                f"FROM finance_cur WHERE uscc = {q}"
            ).fetchall()
        ),
        key=lambda x: x["year"],
    )
    rd = sorted(
        (
            {"year": fy, "staff": st, "st_staff": sst, "rd": r, "ht": h, "source": src(lid, ln)}
            for fy, st, sst, r, h, lid, ln in con.execute(
                "SELECT fiscal_year, staff_count, st_staff_count, rd_expense, ht_revenue, _load_id, _line "
                f"FROM rd_cur WHERE uscc = {q}"
            ).fetchall()
        ),
        key=lambda x: x["year"],
    )
    credit = sorted(
        (
            {"event_type": t, "decided": d, "removed": rm, "authority": au, "document": doc, "source": src(lid, ln)}
            for t, d, rm, au, doc, lid, ln in con.execute(
                "SELECT event_type, decided_date, removed_date, authority, document_number, _load_id, _line "
                f"FROM credit_cur WHERE uscc = {q}"
            ).fetchall()
        ),
        key=lambda x: str(x["decided"]),
        reverse=True,
    )
    certs = con.execute(
        "SELECT kind, number, issue_date, expiry_date, status, tech_field, _load_id, _line FROM certificate_cur "
        f"WHERE uscc = {q} ORDER BY issue_date"
    ).fetchall()
    return {
        "profile": profile,
        "finance": finance,
        "rd": rd,
        "ip": ip_rows_by_feature(con, uscc, profile["as_of"]) if profile.get("as_of") else {},
        "credit": credit,
        "certificates": [
            {"kind": k, "number": n, "issue": i, "expiry": e, "status": s, "field": f, "source": src(lid, ln)}
            for k, n, i, e, s, f, lid, ln in certs
        ],
        "sources": {"registration": src(profile.get("registration_load_id"), profile.get("registration_line"))},
    }


def test_profile_and_details_are_what_the_web_read_before(home: Path, con: duckdb.DuckDBPyConnection) -> None:
    usccs = _usccs(con)
    assert len(usccs) >= 3
    seen_finance = seen_cert = 0
    with Workspace.open(home, read_only=True) as ws:
        for uscc in usccs:
            old = _old_profile_details(con, uscc)
            assert ws.profile(uscc) == old["profile"] and old["profile"]["uscc"] == uscc
            details = ws.profile_details(uscc)
            assert details == old
            seen_finance += len(details["finance"])
            seen_cert += len(details["certificates"])
            for row in details["finance"]:
                assert row["source"].feed == "finance" and row["source"].file_name.startswith("finance")
                assert row["source"].line >= 2  # header = line 1
            assert details["sources"]["registration"].feed == "registration"
        assert ws.profile("91110000000000000X") == {}
        empty = ws.profile_details("91110000000000000X")
        assert (empty["profile"], empty["finance"], empty["ip"], empty["sources"]) == (
            {},
            [],
            {},
            {"registration": Source(None, "?", None)},
        )
    assert seen_finance > 0 and seen_cert > 0


def test_explain_and_simulate_are_the_engines(home: Path, con: duckdb.DuckDBPyConnection) -> None:
    policies = load_policies(ROOT / "policies")
    uscc = _usccs(con)[0]
    hte = next(p for p in policies if p.id == "hte-certification")
    with Workspace.open(home, read_only=True) as ws:
        got = ws.explain(uscc, "hte-certification", AS_OF, policies)
        assert got == rules_mod.explain(con, uscc, "hte-certification", AS_OF, policies)
        assert got["uscc"] == uscc and got["conditions"]
        with pytest.raises(ValueError):
            ws.explain(uscc, "no-such-policy", AS_OF, policies)
        same = ws.simulate(AS_OF, hte, {})
        assert same["flips"] == {} and sum(same["totals"].values()) == ws.profile_count() > 0
        stricter = ws.simulate(AS_OF, hte, {"ip_min": "5"})
        assert stricter == rules_mod.simulate(con, AS_OF, hte, {"ip_min": "5"})
        assert stricter["changes"] == {"ip_min": {"from": "1", "to": "5"}}
    assert issubclass(SimulationError, ValueError)  # the web's callers catch ValueError as before


def test_loads_quarantine_and_refused_files(home: Path, con: duckdb.DuckDBPyConnection) -> None:
    with Workspace.open(home, read_only=True) as ws:
        loads = ws.loads()
        assert loads == _records(
            con,
            "SELECT load_id, feed, file_name, file_format, encoding, rows_read, rows_loaded, rows_quarantined, "
            "loaded_at FROM loads ORDER BY load_id",
        )
        assert {r["feed"] for r in loads} >= {"registration", "finance", "rd", "ip", "credit"}
        messy = next(r for r in loads if r["rows_quarantined"])
        rows = ws.quarantine(messy["load_id"], 1000)
        assert (
            len(rows)
            == con.execute("SELECT count(*) FROM quarantine WHERE load_id = ?", [messy["load_id"]]).fetchall()[0][0]
        )
        assert rows and [r["line"] for r in rows] == sorted(r["line"] for r in rows)
        assert {r["feed"] for r in rows} == {messy["feed"]}
        assert len(ws.quarantine(messy["load_id"], 1)) == 1
        by_hash = ws.loads_by_hash([r["content_sha256"] for r in _records(con, "SELECT content_sha256 FROM loads")])
        assert {r["load_id"] for r in by_hash.values()} == {r["load_id"] for r in loads}
        assert ws.loads_by_hash([]) == {} and ws.loads_by_hash(["0" * 64]) == {}
        refused = ws.refused_files()
        assert [(r["file_name"], r["feed"], r["reason_code"]) for r in refused] == [
            ("budget_2026.csv", None, "unknown_feed")
        ]
        sha = con.execute("SELECT content_sha256 FROM refused_files").fetchall()[0][0]
        assert set(ws.refused_by_hash([sha])) == {(sha, "")}
        report = ws.quarantine_report_path(messy["load_id"], messy["file_name"])
        assert report.is_file() and report.parent == home / "quarantine"


def test_the_rows_a_snapshot_publishes(home: Path, con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot-1.duckdb"
    shutil.copy2(Workspace.open(home).path, snapshot)
    with Workspace.open(snapshot, read_only=True) as ws:
        ents = list(ws.enterprise_rows())
        results = list(ws.result_rows())
        assert ws.profile_count() == len(ents) == con.execute("SELECT count(*) FROM profile").fetchall()[0][0]
        assert [e["uscc"] for e in ents] == sorted(e["uscc"] for e in ents)
        above = {
            r[0]
            for r in con.execute(
                "SELECT uscc FROM results WHERE policy_id = 'above-scale' AND status = 'pass'"
            ).fetchall()
        }
        assert {e["uscc"] for e in ents if e["above_scale"]} == above
        assert results == _records(
            con,
            "SELECT uscc, policy_id, policy_version, status, failed_conditions, unknown_features, "
            "binding_condition, binding_gap, benefit_amount FROM results_with_gap ORDER BY uscc, policy_id",
        )
        assert ws.results_meta() == _records(con, "SELECT engine_version, ruleset_hash FROM results_meta")[0]
        with pytest.raises(ValueError):
            ws.quarantine_report_path(1, "x.csv")  # a snapshot file has no home


def test_the_workspace_evaluates_as_the_engine_does(home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ws"
    copy.mkdir()
    shutil.copy2(home / "gaoqi.duckdb", copy / "gaoqi.duckdb")
    policies = default_policies()
    with Workspace.open(copy) as ws:
        before = list(ws.result_rows())
        c = ws.backend.con
        rules_mod.evaluate(c, AS_OF, policies)
        assert list(ws.result_rows()) == before and before


def test_the_field_classifiers_texts(home: Path, con: duckdb.DuckDBPyConnection) -> None:
    """``field_texts`` (all enterprises, Arrow batches) and ``field_texts_of`` (one) read the registration scope
    and the titles of the IP that resolve linked to the enterprise, as the tables hold them."""
    scopes = dict(con.execute("SELECT uscc, business_scope FROM enterprise").fetchall())
    titles: dict[str, list[str]] = {}
    for uscc, title in con.execute(
        "SELECT l.uscc, i.title FROM ip_link l JOIN ip_cur i USING (ip_number) ORDER BY i.ip_number"
    ).fetchall():
        titles.setdefault(uscc, []).append(title)
    assert titles, "the synthetic population holds linked IP"
    with Workspace.open(home, read_only=True) as ws:
        batches = list(ws.field_texts(batch_rows=40))
        rows = [r for b in batches for r in b.to_pylist()]
        assert [b.num_rows for b in batches[:-1]] == [40] * (len(batches) - 1)
        assert [r["uscc"] for r in rows] == sorted(scopes)
        for r in rows:
            assert r["business_scope"] == scopes[r["uscc"]]
            assert r["ip_titles"] == ("；".join(titles[r["uscc"]]) if r["uscc"] in titles else None)
        holder = next(iter(titles))
        one = ws.field_texts_of(holder)
        assert one == {"uscc": holder, "business_scope": scopes[holder], "ip_titles": titles[holder]}
        assert ws.field_texts_of("91110000000000000X") is None


def test_score_total_combines_by_the_policys_rules() -> None:
    hte = next(p for p in load_policies(ROOT / "policies") if p.id == "hte-certification")
    version = hte.version_at(AS_OF)
    top = {
        "tech_advancement": 8, "core_support": 8, "ip_quantity": 8, "ip_acquisition": 6, "standards_bonus": 2,
        "commercialization": 30, "rd_rules": 6, "rd_institution": 6, "commercialization_rules": 4,
        "talent_rules": 4, "net_asset_growth_score": 10, "sales_growth_score": 10,
    }  # fmt: skip
    assert score_total(hte, version, top) == 100  # IP 32 capped at 30
    low = {**top, "tech_advancement": 2, "core_support": 2, "commercialization": 11}
    assert score_total(hte, version, low) == (2 + 2 + 8 + 6 + 2) + 11 + 20 + 20
    assert score_total(hte, None, low) == score_total(hte, hte.versions[-1], low)


def test_evaluate_one_agrees_with_the_sql_for_every_enterprise(con: duckdb.DuckDBPyConnection) -> None:
    """The tech-SME self-check's read (one row of feature values through the interpreter) gives the results
    table's status and failed conditions for every enterprise; counting an indicator 0 lowers the total by it."""
    sme = next(p for p in default_policies() if p.id == "tech-sme")
    version = sme.version_at(AS_OF)
    assert version is not None
    results = {
        r["uscc"]: (r["status"], list(r["failed_conditions"]))
        for r in _records(con, "SELECT uscc, status, failed_conditions FROM results WHERE policy_id = 'tech-sme'")
    }
    profiles = _records(con, "SELECT * FROM profile")
    assert len(profiles) == len(results) > 100
    zeroed = 0
    for row in profiles:
        one = evaluate_one(version, row)
        assert (one["status"], one["failed"]) == results[row["uscc"]], row["uscc"]
        s = one["scores"]
        if (
            s["rd_to_sales"]["grade"]
            and s["rd_to_costs"]["grade"]
            and s["st_staff"]["grade"]
            and s["ip_results"]["grade"]
        ):
            only_costs = evaluate_one(version, row, zero=["rd_to_sales"])["scores"]
            assert only_costs["rd_to_sales"] == {"lo": 0, "hi": 0, "grade": None}
            assert only_costs["total"]["lo"] == s["st_staff"]["lo"] + s["rd_to_costs"]["lo"] + s["ip_results"]["lo"]
            zeroed += 1
    assert zeroed > 10
    # a feature not given is missing: the caps are unknown, the status too
    assert evaluate_one(version, {})["conditions"]["staff_cap"] is None


# -- the contract ----------------------------------------------------------------------------------------------


def _engine_modules() -> set[str]:
    return {m.name for m in pkgutil.walk_packages(gaoqi.engine.__path__, prefix="gaoqi.engine.")}


def _matches(expression: str, module: str) -> bool:
    """import-linter's module expressions: ``*`` one component, ``**`` one or more."""
    pattern = re.escape(expression).replace(r"\*\*", "[\\w.]+").replace(r"\*", r"\w+")
    return re.fullmatch(pattern, module) is not None


def _face_contract() -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"] if c.get("source_modules") == ["gaoqi.web"]]
    assert len(contracts) == 1
    return contracts[0]


def test_the_contract_forbids_every_engine_submodule_and_not_the_face() -> None:
    contract = _face_contract()
    assert contract["type"] == "forbidden"
    forbidden = contract["forbidden_modules"]
    modules = _engine_modules()
    assert {"gaoqi.engine.rules", "gaoqi.engine.workspace_api", "gaoqi.engine.features"} <= modules
    missing = sorted(m for m in modules if not any(_matches(e, m) for e in forbidden))
    assert missing == []
    assert not any(_matches(e, "gaoqi.engine") for e in forbidden)
    assert _matches("gaoqi.engine.**", "gaoqi.engine.a.b") and not _matches("gaoqi.engine.*", "gaoqi.engine.a.b")


def test_every_name_in_all_exists_once() -> None:
    names = gaoqi.engine.__all__
    assert len(names) == len(set(names))
    assert [n for n in names if not hasattr(gaoqi.engine, n)] == []
    assert set(names) == set(gaoqi.engine._LAZY)  # the face's two lists (names loaded on first use) in step
    assert {"Workspace", "Policy", "FEATURE_BY_NAME", "load_policies", "score_total", "check_uscc"} <= set(names)


def _web_sources() -> Iterator[Path]:
    for path in sorted((ROOT / "src" / "gaoqi" / "web").rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def test_the_web_imports_only_the_face() -> None:
    bad = []
    for path in _web_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gaoqi.engine"):
                submodules = [a.name for a in node.names if f"gaoqi.engine.{a.name}" in _engine_modules()]
                if node.module != "gaoqi.engine" or submodules:  # ``from gaoqi.engine import rules`` too
                    bad.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("gaoqi.engine.") for a in node.names):
                bad.append(f"{path.name}:{node.lineno}")
    assert bad == []


ENGINE_TABLES = r"(profile|profile_meta|loads|quarantine|refused_files|results|results_meta|enterprise|name_history|ip_link|link_review|\w+_cur|registration|finance|rd|ip|credit|certificate|name_change)"


def test_no_sql_on_engine_tables_in_the_web() -> None:
    pattern = re.compile(rf"\b(FROM|JOIN|INTO|UPDATE)\s+{ENGINE_TABLES}\b")  # SQL keywords are upper case here
    found = []
    for path in _web_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.search(node.value):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
    assert pattern.search("SELECT * FROM profile WHERE uscc = ?")  # the check can fail
