"""Results as versions and publishing the difference (issue 17, ADR 0042): a republication writes only the rows
that changed, every snapshot still reads exactly its own results (cell for cell the engine's), a reader of a
snapshot keeps reading it across a switch, snapshots publish in id order, and old versions are pruned."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.web.conftest import AS_OF

NEW_USCC = "91110108MA0NEW0017"


def _variant(source: Path, target: Path, statements: list[str]) -> Path:
    """A snapshot file: ``source`` with the statements applied (what a run with other data would have written)."""
    shutil.copyfile(source, target)
    con = duckdb.connect(str(target))
    try:
        for sql in statements:
            con.execute(sql)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return target


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.0001"))


def _engine(path: Path) -> list[tuple[Any, ...]]:
    from gaoqi.engine import Workspace

    with Workspace.open(path, read_only=True) as ws:
        return sorted(
            (r["uscc"], r["policy_id"], r["policy_version"], r["status"], list(r["failed_conditions"] or []),
             len(r["failed_conditions"] or []), list(r["unknown_features"] or []), r["binding_condition"] or "",
             r["binding_gap"] or "", _amount(r["benefit_amount"]))
            for r in ws.result_rows()
        )  # fmt: skip


def _platform(snap: Any) -> list[tuple[Any, ...]]:
    from gaoqi.web.enterprises.models import PolicyResult

    return sorted(
        (r.enterprise.uscc, r.policy_id, r.policy_version, r.status, r.failed_conditions, r.failed_count,
         r.unknown_features, r.binding_condition, r.binding_gap, _amount(r.benefit_amount))
        for r in PolicyResult.objects.of(snap).select_related("enterprise")
    )  # fmt: skip


def _usccs(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {u for (u,) in con.execute("SELECT uscc FROM profile").fetchall()}
    finally:
        con.close()


def _publish(path: Path) -> tuple[Any, dict[str, Any]]:
    """Publish a snapshot file as the next snapshot, as a run's last step does."""
    from gaoqi.engine import Workspace
    from gaoqi.web.intake import services
    from gaoqi.web.intake.models import Snapshot

    snap = Snapshot.objects.create(as_of=AS_OF, status=Snapshot.RUNNING)
    with Workspace.open(path, read_only=True) as ws:
        meta = ws.results_meta()
    figures = services._publish(snap, path, (meta["engine_version"], meta["ruleset_hash"]))
    snap.refresh_from_db()
    return snap, figures


@pytest.fixture()
def files(snapshot: Any, tmp_path: Path) -> dict[str, Path]:
    """Two later snapshot files of the published one: renames, changed results, an enterprise gone, one new, a
    result gone; then some of it back, other changes, and another enterprise gone."""
    first = Path(snapshot.duckdb_path)
    con = duckdb.connect(str(first), read_only=True)
    usccs = [u for (u,) in con.execute("SELECT uscc FROM profile ORDER BY uscc").fetchall()]
    con.close()
    renamed, flipped, gone, gone2 = usccs[10:13], usccs[20:25], usccs[-1], usccs[-2]
    quoted = lambda xs: ", ".join(f"'{u}'" for u in xs)  # noqa: E731
    second = _variant(first, tmp_path / "snapshot-second.duckdb", [
        f"UPDATE profile SET name = name || '新' WHERE uscc IN ({quoted(renamed)})",
        f"UPDATE results SET status = CASE status WHEN 'pass' THEN 'fail' ELSE 'pass' END, failed_conditions = [] "
        f"WHERE uscc IN ({quoted(flipped)}) AND policy_id = 'hte-certification'",
        f"DELETE FROM results WHERE uscc = '{gone}'",
        f"DELETE FROM profile WHERE uscc = '{gone}'",
        f"INSERT INTO profile SELECT * REPLACE ('{NEW_USCC}' AS uscc) FROM profile WHERE uscc = '{usccs[0]}'",
        f"INSERT INTO results SELECT * REPLACE ('{NEW_USCC}' AS uscc) FROM results WHERE uscc = '{usccs[0]}'",
        f"DELETE FROM results WHERE uscc = '{usccs[30]}' AND policy_id = 'above-scale'",
    ])  # fmt: skip
    third = _variant(second, tmp_path / "snapshot-third.duckdb", [
        f"UPDATE profile SET name = replace(name, '新', '') WHERE uscc = '{renamed[0]}'",
        f"UPDATE results SET benefit_amount = 123.5 WHERE uscc IN ({quoted(usccs[40:44])}) AND status = 'pass'",
        f"DELETE FROM results WHERE uscc = '{gone2}'",
        f"DELETE FROM profile WHERE uscc = '{gone2}'",
    ])  # fmt: skip
    return {"first": first, "second": second, "third": third}


@pytest.mark.django_db
def test_a_republication_writes_only_what_changed_and_every_snapshot_reads_its_own_results(
    snapshot: Any, files: dict[str, Path]
) -> None:
    from gaoqi.engine import Workspace
    from gaoqi.web.enterprises.models import DistrictStat, Enterprise, PolicyResult
    from gaoqi.web.intake.models import Snapshot

    first = snapshot
    assert first.results_full and _platform(first) == _engine(files["first"])
    total = PolicyResult.objects.count()
    reader = PolicyResult.objects.of(first).filter(status="pass")  # built before the switch, read after it
    passes = reader.count()

    with Workspace.open(files["second"], read_only=True) as ws:
        changed = len(list(ws.changed_result_rows(files["first"])))
        gone = ws.gone_results(files["first"])
        changed_enterprises = len(list(ws.changed_enterprise_rows(files["first"])))
    con = duckdb.connect(str(files["second"]), read_only=True)
    (per_enterprise,) = con.execute(f"SELECT count(*) FROM results WHERE uscc = '{NEW_USCC}'").fetchone() or (0,)
    con.close()
    assert 0 < changed < 100 and len(gone) == per_enterprise + 1  # the gone enterprise's results and one more
    second, figures = _publish(files["second"])
    assert second.status == Snapshot.PUBLISHED and second.is_current and not second.results_full
    assert figures["full"] is False
    assert figures["results_written"] == changed == PolicyResult.objects.filter(snapshot=second).count()
    assert figures["results_superseded"] == changed - per_enterprise + len(gone)  # the new one's replace nothing
    assert PolicyResult.objects.count() == total + changed  # nothing rewritten but the changes
    assert figures["enterprises_written"] == changed_enterprises == Enterprise.objects.filter(snapshot=second).count()
    assert figures["enterprises_gone"] == 1

    third, figures3 = _publish(files["third"])
    assert figures3["full"] is False and figures3["results_written"] < 30

    # every snapshot reads exactly its file's results, cell for cell, through the versions
    for snap, name in ((first, "first"), (second, "second"), (third, "third")):
        assert _platform(snap) == _engine(files[name]), name
    assert reader.count() == passes  # the reader of the first snapshot still reads the first snapshot
    # the enterprise index: the current snapshot's enterprises, the gone ones marked, the dashboards' counts
    assert set(Enterprise.objects.of(third).values_list("uscc", flat=True)) == _usccs(files["third"])
    assert Enterprise.objects.get(uscc=NEW_USCC).gone_snapshot_id is None
    assert sum(DistrictStat.objects.filter(snapshot=third).values_list("enterprises", flat=True)) == len(
        _usccs(files["third"])
    )
    renamed = Enterprise.objects.filter(name__endswith="新")
    assert renamed.count() == 2 and all(e.name_initials.endswith("x") for e in renamed)  # 新 → x


@pytest.mark.django_db
def test_the_same_file_published_again_writes_nothing(snapshot: Any, files: dict[str, Path], tmp_path: Path) -> None:
    from gaoqi.web.enterprises.models import PolicyResult

    total = PolicyResult.objects.count()
    again = tmp_path / "snapshot-again.duckdb"
    shutil.copyfile(files["first"], again)
    snap, figures = _publish(again)
    assert (figures["full"], figures["results_written"], figures["results_superseded"]) == (False, 0, 0)
    assert figures["enterprises_written"] == 0 and PolicyResult.objects.count() == total
    assert _platform(snap) == _engine(files["first"])


@pytest.mark.django_db
def test_a_missing_previous_file_means_a_full_publication_that_ends_every_open_version(
    snapshot: Any, files: dict[str, Path]
) -> None:
    from gaoqi.web.enterprises.models import PolicyResult

    total = PolicyResult.objects.count()
    moved = Path(snapshot.duckdb_path).rename(Path(snapshot.duckdb_path).with_suffix(".moved"))
    snap, figures = _publish(files["second"])
    assert figures["full"] is True and snap.results_full
    assert figures["results_superseded"] == total and PolicyResult.objects.filter(until_snapshot=snap).count() == total
    assert _platform(snap) == _engine(files["second"])
    assert _platform(snapshot) == _engine(moved)  # the earlier snapshot is still read as it was


@pytest.mark.django_db
def test_an_older_snapshot_is_never_published_over_a_newer_one(snapshot: Any, files: dict[str, Path]) -> None:
    from gaoqi.engine import Workspace
    from gaoqi.web.intake import services
    from gaoqi.web.intake.models import Snapshot

    older = Snapshot.objects.create(as_of=AS_OF, status=Snapshot.RUNNING)
    newer, _ = _publish(files["second"])
    with Workspace.open(files["third"], read_only=True) as ws:
        meta = ws.results_meta()
    with pytest.raises(ValueError, match=f"快照 #{older.pk} 早于已发布的快照 #{newer.pk}"):
        services._publish(older, files["third"], (meta["engine_version"], meta["ruleset_hash"]))
    assert list(Snapshot.objects.filter(is_current=True).values_list("pk", flat=True)) == [newer.pk]
    assert _platform(newer) == _engine(files["second"])


@pytest.mark.django_db
def test_retention_prunes_the_versions_no_kept_snapshot_reads(snapshot: Any, files: dict[str, Path]) -> None:
    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.enterprises.models import PolicyResult
    from gaoqi.web.intake.services import results_prune

    second, _ = _publish(files["second"])
    third, _ = _publish(files["third"])
    assert results_prune(keep=3) == {"pruned": 0}  # all three kept
    ended_by_second = PolicyResult.objects.filter(until_snapshot=second).count()
    assert ended_by_second > 0
    assert results_prune(keep=2) == {"pruned": ended_by_second}
    assert not PolicyResult.objects.filter(until_snapshot=second).exists()
    assert _platform(second) == _engine(files["second"]) and _platform(third) == _engine(files["third"])
    assert _platform(snapshot) != _engine(files["first"])  # no longer kept: its superseded versions are gone
    assert AuditEvent.objects.filter(action="snapshot.prune").count() == 2  # each run, pruning or not
    assert results_prune(keep=1) == {"pruned": 0}  # never fewer than two kept: the differences read both
