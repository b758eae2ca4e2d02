"""Fixtures of the platform's tests: a small published snapshot and one user per role.

The snapshot is real: a synthetic population (300 enterprises) through the engine (ingest → resolve →
profiles → evaluate) and the platform's publishing service (``snapshot_run``), for every test that asks for it.
The engine's work on the same inputs is done once per test session (per xdist worker) and replayed after
(``EngineMemo``); everything the platform does, publishing included, runs for real in every test. Canary
enterprises (CANARY_*) are planted in 朝阳 (110105) with names that never occur elsewhere, so a test can prove
they never reach a 海淀 (110108) official.

Accounts are hashed with MD5 unless a test is marked ``argon2``: Argon2's deliberate cost (half a second a
hash; ``users`` makes nine accounts) is under test only where a test says so (test_security.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from gaoqi.web import roles

AS_OF = dt.date(2026, 6, 30)
PASSWORD = "test-password-2026"
CANARY_NAME = "金丝雀哨兵测试科技有限公司"  # only the canaries carry it
HAIDIAN, CHAOYANG = "110108", "110105"


def pytest_configure(config: pytest.Config) -> None:
    """The SQLite test database is a file (settings: TEST NAME) in GAOQI_HOME, which a fresh clone lacks."""
    from django.conf import settings

    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if test_name and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(test_name).parent.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def engine_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An engine workspace with a resolved synthetic population (built once per test session)."""
    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.engine.resolve import resolve
    from gaoqi.engine.workspace import connect
    from gaoqi.synth import generate

    feeds, home = tmp_path_factory.mktemp("feeds"), tmp_path_factory.mktemp("home")
    generate(feeds, enterprises=300, seed=7)
    ingest_directory(home, feeds)
    con = connect(home)
    try:
        resolve(con)
    finally:
        con.close()
    return home


@pytest.fixture()
def gaoqi_home(engine_workspace: Path, tmp_path: Path, settings: Any) -> Path:
    """A private copy of the workspace as GAOQI_HOME (publishing writes to it)."""
    home = tmp_path / "home"
    shutil.copytree(engine_workspace, home)
    settings.GAOQI_HOME = home
    settings.SNAPSHOT_DIR = home / "snapshots"
    settings.UPLOAD_DIR = home / "uploads"
    return home


class EngineMemo:
    """The engine's resolve → profiles → evaluate of one workspace state, done once and replayed after.

    ``snapshot_run`` always re-resolves and re-evaluates (only the profiles are skipped when up to date, by
    ``profile_meta``), which is most of a snapshot's cost: seconds for every test that asks for one, on the same
    inputs each time. While ``replaying()`` is active, the first run's workspace state just before resolution
    (every table's row count and every load's id, feed, file and content hash: the ingests of that run
    included) is recorded with the database its evaluation left. A later run whose workspace is in the very
    same state before resolution gets that database instead of resolving; the engine's own check then finds the
    profiles up to date, and the evaluation is skipped only when the profiles were not rebuilt and the as-of
    date and the policies equal the recorded run's. Any difference (another file, another date, other
    policies) runs the engine for real. Only the engine's steps are replayed: the run lock, the platform's
    feed files, the ingests, the snapshot copy and publishing always run. One per session: per xdist worker."""

    def __init__(self, folder: Path) -> None:
        self.database = folder / "evaluated.duckdb"
        self.state: tuple[Any, ...] | None = None
        self.as_of: dt.date | None = None
        self.policies: list[Any] | None = None

    @staticmethod
    def _state(ws: Any) -> tuple[Any, ...]:
        rows = ws.backend.rows
        tables = sorted(
            str(r["table_name"])
            for r in rows("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'")
        )
        counts = tuple((t, next(rows(f'SELECT count(*) AS n FROM "{t}"'))["n"]) for t in tables)
        loads = tuple(
            tuple(r.values()) for r in rows("SELECT load_id, feed, file_name, content_sha256 FROM loads ORDER BY 1")
        )
        return counts, loads

    @contextmanager
    def replaying(self) -> Iterator[dict[str, Any]]:
        """Within the block, ``Workspace.resolve`` and ``evaluate`` replay the recorded run when they can; the
        block's ``run`` says what happened (``replayed``, the ``state`` and the evaluation when not)."""
        from gaoqi.engine import Workspace

        real_resolve, real_profiles, real_evaluate = Workspace.resolve, Workspace.profiles, Workspace.evaluate
        run: dict[str, Any] = {"state": None, "replayed": False, "rebuilt": None, "evaluated": None}

        def resolve(ws: Any) -> Any:
            state = self._state(ws)
            if self.state is not None and state == self.state:
                ws.close()
                ws.path.with_name(ws.path.name + ".wal").unlink(missing_ok=True)
                shutil.copyfile(self.database, ws.path)
                run["replayed"] = True
                return None
            run.update(state=state, replayed=False)
            return real_resolve(ws)

        def profiles(ws: Any, as_of: dt.date) -> bool:
            run["rebuilt"] = real_profiles(ws, as_of)
            return bool(run["rebuilt"])

        def evaluate(ws: Any, as_of: dt.date, policies: Any = None) -> dict[str, Any]:
            from gaoqi.engine import default_policies

            chosen = list(policies if policies is not None else default_policies())
            if run["replayed"] and run["rebuilt"] is False and (as_of, chosen) == (self.as_of, self.policies):
                return dict(ws.results_meta())
            run.update(replayed=False, evaluated=(as_of, chosen))
            return dict(real_evaluate(ws, as_of, chosen))

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(Workspace, "resolve", resolve)
            mp.setattr(Workspace, "profiles", profiles)
            mp.setattr(Workspace, "evaluate", evaluate)
            yield run

    def record(self, run: dict[str, Any], snapshot: Any) -> None:
        """Keep a run that resolved and evaluated for real (its snapshot file is the evaluated database)."""
        if self.state is not None or run["replayed"] or run["state"] is None or run["evaluated"] is None:
            return
        if snapshot.status != snapshot.PUBLISHED:
            return
        shutil.copyfile(snapshot.duckdb_path, self.database)
        self.state = run["state"]
        self.as_of, self.policies = run["evaluated"]


@pytest.fixture(scope="session")
def engine_memo(tmp_path_factory: pytest.TempPathFactory) -> EngineMemo:
    return EngineMemo(tmp_path_factory.mktemp("engine-memo"))


@pytest.fixture()
def snapshot(gaoqi_home: Path, db: Any, engine_memo: EngineMemo) -> Any:
    """The synthetic population published as the current snapshot, plus the canaries."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    with engine_memo.replaying() as run:
        snap = snapshot_run(Snapshot.objects.create(as_of=AS_OF).pk)
    engine_memo.record(run, snap)
    # the canaries: copies of two real 朝阳 rows with a unique name (the DuckDB snapshot keeps the originals)
    for i, src in enumerate(Enterprise.objects.filter(district_code=CHAOYANG).order_by("uscc")[:2]):
        Enterprise.objects.filter(pk=src.pk).update(name=f"{CANARY_NAME}{i}", legal_rep_id_number="110105199001011234")
    return snap


@pytest.fixture(autouse=True)
def _fast_password_hasher(request: pytest.FixtureRequest, settings: Any) -> None:
    """MD5 instead of Argon2 (see the module docstring), unless the test is marked ``argon2``."""
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_triggers_out_of_the_flush(request: pytest.FixtureRequest) -> Any:
    """Transactional tests (live_server, transaction=True) end with a flush that deletes every row; the audit
    log's append-only triggers refuse that, as they should. Such tests drop the triggers just before the flush
    and put them back first thing in the next test (as a DBA would around a test database reset)."""
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    transactional = transactional or bool(marker and marker.kwargs.get("transaction"))
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    _set_audit_triggers(True)
    yield
    _set_audit_triggers(False)


def _set_audit_triggers(on: bool) -> None:
    from importlib import import_module

    from django.db import connection

    migration = import_module("gaoqi.web.audit.migrations.0002_append_only")
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        if pg:
            cur.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_no_update'")
        else:
            cur.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_no_update'")
        present = cur.fetchone()[0] > 0
        if on and not present:
            for sql in migration.POSTGRES if pg else migration.SQLITE:
                cur.execute(sql)
        elif not on and present:
            for sql in migration.POSTGRES_REVERSE if pg else migration.SQLITE_REVERSE:
                cur.execute(sql)


def make_user(role: str, username: str | None = None, **extra: Any) -> Any:
    from gaoqi.web.accounts.services import user_create

    return user_create(None, username=username or f"u_{role}", password=PASSWORD, role=role, **extra)


@pytest.fixture()
def users(snapshot: Any) -> dict[str, Any]:
    """One user per role (district: 海淀; enterprise: a 海淀 enterprise; incubator: 10 海淀 enterprises)."""
    from gaoqi.web.enterprises.models import Enterprise

    haidian = list(Enterprise.objects.filter(district_code=HAIDIAN).order_by("uscc").values_list("uscc", flat=True))
    Enterprise.objects.filter(uscc__in=haidian[:10]).update(incubator_code="INC-T")
    extra: dict[str, dict[str, str]] = {
        roles.DISTRICT: {"district_code": HAIDIAN},
        roles.ENTERPRISE: {"uscc": haidian[0]},
        roles.INCUBATOR: {"incubator_code": "INC-T"},
    }
    return {role: make_user(role, **extra.get(role, {})) for role in roles.ROLES}


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def race(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run the calls at once (one thread each, each with its own database connection, released together by a
    barrier); ("ok", result) or ("error", exception) per call, in order."""
    barrier = threading.Barrier(len(calls))
    out: list[tuple[str, Any]] = [("error", RuntimeError("did not run"))] * len(calls)

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            out[i] = ("ok", fn())
        except Exception as exc:
            out[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a racing call did not finish (deadlock?)"
    return out


@pytest.fixture(scope="module")
def browser() -> Any:
    """Debian's chromium (installed by `make install`), headless, one per test module (Playwright)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        yield b
        b.close()
