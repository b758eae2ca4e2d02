"""The ``snapshot`` fixture replays the engine's work (conftest.EngineMemo): a replayed run must publish exactly
what a real run of the engine publishes, and anything that changes the engine's inputs must run it for real."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from gaoqi.engine import Workspace, default_policies
from tests.web.conftest import AS_OF, CANARY_NAME, EngineMemo


def _fresh_run(
    engine_workspace: Path,
    home: Path,
    settings: Any,
    memo: EngineMemo | None,
    *,
    as_of: dt.date = AS_OF,
    source: Path | None = None,
) -> tuple[Any, dict[str, Any]]:
    """A snapshot run on a fresh copy of the resolved workspace (as the fixture's), replaying through ``memo``
    (None: for real)."""
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    shutil.copytree(engine_workspace, home)
    settings.GAOQI_HOME, settings.SNAPSHOT_DIR = home, home / "snapshots"
    pk = Snapshot.objects.create(as_of=as_of, source_dir=str(source or "")).pk
    if memo is None:
        return snapshot_run(pk), {"replayed": False}
    with memo.replaying() as run:
        snap = snapshot_run(pk)
    return snap, run


def _published(snap: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[dict[str, Any]]]:
    """The snapshot's results in the platform's database, its enterprise index in DuckDB and its results there."""
    from gaoqi.web.enterprises.models import PolicyResult

    fields = ("enterprise__uscc", "policy_id", "policy_version", "status", "failed_conditions", "unknown_features",
              "binding_condition", "binding_gap", "benefit_amount")  # fmt: skip
    rows = list(PolicyResult.objects.of(snap).order_by(*fields[:2]).values_list(*fields))
    with Workspace.open(snap.duckdb_path, read_only=True) as ws:
        index = [tuple(r.values()) for r in ws.enterprise_rows()]
        results = list(ws.result_rows())
    return rows, index, results


@pytest.mark.django_db
def test_a_replayed_run_publishes_what_the_engine_computes(
    snapshot: Any, engine_memo: EngineMemo, engine_workspace: Path, tmp_path: Path, settings: Any
) -> None:
    assert engine_memo.state is not None  # the fixture's run (this test's or an earlier one) was recorded
    replayed, run = _fresh_run(engine_workspace, tmp_path / "replayed", settings, engine_memo)
    assert run["replayed"] is True and replayed.status == "published"
    real, _ = _fresh_run(engine_workspace, tmp_path / "real", settings, None)
    assert real.status == "published"
    assert (
        (replayed.enterprises, replayed.results)
        == (real.enterprises, real.results)
        == (300, 300 * len(default_policies()))
    )
    assert (replayed.engine_version, replayed.ruleset_hash) == (real.engine_version, real.ruleset_hash)
    assert _published(replayed) == _published(real)


@pytest.mark.django_db
def test_another_as_of_date_is_evaluated_for_real(
    snapshot: Any, engine_memo: EngineMemo, engine_workspace: Path, tmp_path: Path, settings: Any
) -> None:
    """The workspace is as recorded before resolution (so resolution is replayed) but the profile is for
    another date: it is rebuilt, and the evaluation runs."""
    other = AS_OF.replace(day=29)
    snap, run = _fresh_run(engine_workspace, tmp_path / "fresh", settings, engine_memo, as_of=other)
    assert run["rebuilt"] is True and run["evaluated"][0] == other
    assert snap.status == "published" and snap.as_of == other
    con = duckdb.connect(snap.duckdb_path, read_only=True)
    try:
        dates = con.execute("SELECT (SELECT list(DISTINCT as_of) FROM profile), (SELECT list(as_of) FROM results_meta)")
        assert dates.fetchall() == [([other], [other])]
    finally:
        con.close()


@pytest.mark.django_db
def test_another_file_is_resolved_and_evaluated_for_real(
    snapshot: Any, engine_memo: EngineMemo, engine_workspace: Path, tmp_path: Path, settings: Any
) -> None:
    from gaoqi.engine.workspace import connect
    from gaoqi.web.enterprises.models import Enterprise
    from tests.engine.features.workspace import write_registration_fix

    uscc = Enterprise.objects.exclude(name__startswith=CANARY_NAME).order_by("uscc").values_list("uscc", flat=True)[0]
    source = tmp_path / "delivered"
    source.mkdir()
    con = connect(engine_workspace, read_only=True)
    try:
        write_registration_fix(con, uscc, "北京改名哨兵科技有限公司", source / "registration_rename.csv")
    finally:
        con.close()
    snap, run = _fresh_run(engine_workspace, tmp_path / "fresh", settings, engine_memo, source=source)
    assert run["replayed"] is False and run["state"] != engine_memo.state and run["evaluated"] is not None
    assert snap.status == "published"
    assert Enterprise.objects.get(uscc=uscc).name == "北京改名哨兵科技有限公司"
