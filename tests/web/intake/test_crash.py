"""Real ``kill -9`` of a process publishing or running the pipeline, on SQLite (issue 9).

Each test runs ``gaoqi-web`` in subprocesses on a private GAOQI_HOME (a copy of the session's resolved engine
workspace and a migrated SQLite database) and kills it with SIGKILL at a named point (``GAOQI_CRASH_AT``: the
process signals itself, exactly as ``kill -9`` would). The database is then read directly.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

SRC = Path(__file__).resolve().parents[3] / "src"
AS_OF = "2026-06-30"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAOQI_", "DJANGO_"))}
    env.update(
        GAOQI_HOME=str(home),
        PYTHONPATH=f"{SRC}{os.pathsep}{env.get('PYTHONPATH', '')}",
        DJANGO_SETTINGS_MODULE="gaoqi.web.settings",
        GAOQI_DEBUG="1",  # the demo keys (production settings refuse them)
        **extra,
    )
    return env  # no GAOQI_DATABASE: SQLite in $GAOQI_HOME/platform.sqlite3


def _web(home: Path, *args: str, crash_at: str = "") -> subprocess.CompletedProcess[str]:
    extra = {"GAOQI_CRASH_AT": crash_at} if crash_at else {}
    return subprocess.run(
        [sys.executable, "-m", "gaoqi.web.manage", *args],
        env=_env(home, **extra),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def migrated(engine_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("crash") / "home"
    shutil.copytree(engine_workspace, home)
    r = _web(home, "migrate", "--verbosity", "0")
    assert r.returncode == 0, r.stderr
    return home


@pytest.fixture()
def home(migrated: Path, tmp_path: Path) -> Path:
    target = tmp_path / "home"
    shutil.copytree(migrated, target)
    return target


def _rows(home: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(home / "platform.sqlite3")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_while_publishing_leaves_the_previous_snapshot_current(home: Path) -> None:
    r = _web(home, "publish", "--as-of", AS_OF)
    assert r.returncode == 0, r.stderr
    ((first, n),) = _rows(home, "SELECT id, enterprises FROM intake_snapshot WHERE is_current")
    before = _rows(home, "SELECT uscc, name, name_initials, snapshot_id FROM enterprises_enterprise ORDER BY uscc")
    assert len(before) == n == 300 and {row[3] for row in before} == {first}
    results = _rows(home, "SELECT count(*) FROM enterprises_policyresult")

    # killed after every enterprise and result was staged, just before the switch
    r = _web(home, "publish", "--as-of", AS_OF, crash_at="publish-staged")
    assert r.returncode == -signal.SIGKILL, r.stderr
    ((second, status),) = _rows(home, f"SELECT id, status FROM intake_snapshot WHERE id > {first}")
    assert status == "running"  # as the kill left it
    assert _rows(home, f"SELECT count(*) FROM enterprises_enterprise WHERE snapshot_id = {second}") == [(0,)]
    assert _rows(home, f"SELECT count(*) FROM enterprises_policyresult WHERE snapshot_id = {second}") == [(0,)]
    assert (
        _rows(home, "SELECT uscc, name, name_initials, snapshot_id FROM enterprises_enterprise ORDER BY uscc") == before
    )
    assert _rows(home, "SELECT count(*) FROM enterprises_policyresult") == results
    assert _rows(home, "SELECT id FROM intake_snapshot WHERE is_current") == [(first,)]

    # the next run recovers the interrupted one and publishes
    r = _web(home, "publish", "--as-of", AS_OF)
    assert r.returncode == 0, r.stderr
    assert _rows(home, f"SELECT status, message FROM intake_snapshot WHERE id = {second}") == [
        ("failed", "运行中断：工作进程异常退出，请重新运行")
    ]
    ((third,),) = _rows(home, "SELECT id FROM intake_snapshot WHERE is_current")
    assert third > second
    # the same data again: nothing rewritten (ADR 0042), every enterprise still in the current snapshot
    assert _rows(home, "SELECT DISTINCT snapshot_id, gone_snapshot_id FROM enterprises_enterprise") == [(first, None)]


@pytest.mark.slow
def test_kill_9_mid_run_is_marked_failed_when_the_worker_restarts(home: Path) -> None:
    enqueue = (
        "import datetime; from gaoqi.web.intake.services import snapshot_request; "
        f"print(snapshot_request(None, as_of=datetime.date.fromisoformat('{AS_OF}')).pk)"
    )
    r = _web(home, "shell", "-c", enqueue)
    assert r.returncode == 0, r.stderr
    pk = int(r.stdout.split()[-1])
    worker = ("worker", "--batch", "--no-reload", "--no-startup-delay", "--verbosity", "0")

    r = _web(home, *worker, crash_at="run-profiles")  # killed in the middle of the run
    assert r.returncode == -signal.SIGKILL, r.stderr
    assert _rows(home, f"SELECT status, progress FROM intake_snapshot WHERE id = {pk}") == [("running", 50)]
    ((task_id, task_status),) = _rows(home, "SELECT id, status FROM django_tasks_database_dbtaskresult")
    assert task_status == "RUNNING"  # nothing else would ever reclaim it

    r = _web(home, *worker)  # the worker restarts: recovery first, then the (empty) queue
    assert r.returncode == 0, r.stderr
    assert _rows(home, f"SELECT status, message, is_current FROM intake_snapshot WHERE id = {pk}") == [
        ("failed", "运行中断：工作进程异常退出，请重新运行", 0)
    ]
    ((status, exc),) = _rows(
        home, f"SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult WHERE id = '{task_id}'"
    )
    assert status == "FAILED" and exc.endswith("RunInterrupted")
    assert _rows(
        home, f"SELECT outcome FROM audit_auditevent WHERE action = 'snapshot.recover' AND target = 'snapshot:{pk}'"
    ) == [("failure",)]
    assert not (home / "snapshots" / f"snapshot-{pk}.duckdb").exists()


@pytest.mark.slow
def test_a_worker_killed_while_publishing_is_retried_and_the_retry_publishes_everything(home: Path) -> None:
    """Issue 17: ``kill -9`` of the worker in the publish step (every row staged, the switch not begun). While it
    is dead the current snapshot and its results are untouched; the restarted worker marks the run failed
    (interrupted) and queues it again (attempt 2), and the retry publishes completely: the index and the results
    read through the versions are the engine's, row for row."""
    r = _web(home, "publish", "--as-of", AS_OF)
    assert r.returncode == 0, r.stderr
    ((first,),) = _rows(home, "SELECT id FROM intake_snapshot WHERE is_current")
    results = _rows(home, "SELECT id, snapshot_id, until_snapshot_id, status FROM enterprises_policyresult ORDER BY id")
    index = _rows(home, "SELECT uscc, name, snapshot_id, gone_snapshot_id FROM enterprises_enterprise ORDER BY uscc")
    enqueue = (
        "import datetime; from gaoqi.web.intake.services import snapshot_request; "
        f"print(snapshot_request(None, as_of=datetime.date.fromisoformat('{AS_OF}')).pk)"
    )
    r = _web(home, "shell", "-c", enqueue)
    assert r.returncode == 0, r.stderr
    pk = int(r.stdout.split()[-1])
    worker = ("worker", "--batch", "--no-reload", "--no-startup-delay", "--verbosity", "0")

    r = _web(home, *worker, crash_at="publish-staged")
    assert r.returncode == -signal.SIGKILL, r.stderr
    ((status, progress),) = _rows(home, f"SELECT status, progress FROM intake_snapshot WHERE id = {pk}")
    assert status == "running" and progress >= 75  # in the publish step, as the kill left it
    # dead: nothing half-published
    assert _rows(home, "SELECT id FROM intake_snapshot WHERE is_current") == [(first,)]
    assert (
        _rows(home, "SELECT id, snapshot_id, until_snapshot_id, status FROM enterprises_policyresult ORDER BY id")
        == results
    )
    assert (
        _rows(home, "SELECT uscc, name, snapshot_id, gone_snapshot_id FROM enterprises_enterprise ORDER BY uscc")
        == index
    )

    r = _web(home, *worker)  # restarted: recovery, the retry queued, then the queue (the retry) runs
    assert r.returncode == 0, r.stderr
    assert _rows(home, f"SELECT status, message, attempt FROM intake_snapshot WHERE id = {pk}") == [
        ("failed", "运行中断：工作进程异常退出，请重新运行", 1)
    ]
    ((retry, status, attempt, retry_of, n_enterprises, n_results),) = _rows(
        home,
        f"SELECT id, status, attempt, retry_of_id, enterprises, results FROM intake_snapshot WHERE id > {pk}",
    )
    assert (status, attempt, retry_of) == ("published", 2, pk)
    assert _rows(home, "SELECT id FROM intake_snapshot WHERE is_current") == [(retry,)]
    assert _rows(
        home, f"SELECT detail FROM audit_auditevent WHERE action = 'snapshot.retry' AND target = 'snapshot:{retry}'"
    )
    # complete: what the platform reads of the retry is what the engine computed, row for row
    engine = duckdb.connect(str(home / "snapshots" / f"snapshot-{retry}.duckdb"), read_only=True)
    try:
        expected = sorted(engine.execute("SELECT uscc, policy_id, status FROM results").fetchall())
        profiles = sorted(u for (u,) in engine.execute("SELECT uscc FROM profile").fetchall())
    finally:
        engine.close()
    read = sorted(
        _rows(
            home,
            "SELECT e.uscc, r.policy_id, r.status FROM enterprises_policyresult r "
            "JOIN enterprises_enterprise e ON e.id = r.enterprise_id "
            f"WHERE r.snapshot_id <= {retry} AND (r.until_snapshot_id IS NULL OR r.until_snapshot_id > {retry})",
        )
    )
    assert read == expected and len(read) == n_results
    present = _rows(home, "SELECT uscc FROM enterprises_enterprise WHERE gone_snapshot_id IS NULL ORDER BY uscc")
    assert [u for (u,) in present] == profiles and len(profiles) == n_enterprises
