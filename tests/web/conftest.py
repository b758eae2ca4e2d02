"""Fixtures of the platform's tests: a small published snapshot and one user per role.

The snapshot is real: a synthetic population (300 enterprises) through the engine (ingest → resolve →
profiles → evaluate) and the platform's publishing service, once per test session and database. Canary
enterprises (CANARY_*) are planted in 朝阳 (110105) with names that never occur elsewhere, so a test can prove
they never reach a 海淀 (110108) official.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
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


@pytest.fixture()
def snapshot(gaoqi_home: Path, db: Any) -> Any:
    """The synthetic population published as the current snapshot, plus the canaries."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    snap = snapshot_run(Snapshot.objects.create(as_of=AS_OF).pk)
    # the canaries: copies of two real 朝阳 rows with a unique name (the DuckDB snapshot keeps the originals)
    for i, src in enumerate(Enterprise.objects.filter(district_code=CHAOYANG).order_by("uscc")[:2]):
        Enterprise.objects.filter(pk=src.pk).update(name=f"{CANARY_NAME}{i}", legal_rep_id_number="110105199001011234")
    return snap


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


@pytest.fixture(scope="module")
def browser() -> Any:
    """Debian's chromium (installed by `make install`), headless, one per test module (Playwright)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        yield b
        b.close()
