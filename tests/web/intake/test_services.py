"""Publishing is atomic, runs are serialised, and a run a crash interrupted is marked failed (issue 9)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import AS_OF, CANARY_NAME, login


def _state() -> dict[str, Any]:
    """What the pages read: the enterprise index (with its snapshot stamps), the results per snapshot, the
    current snapshot."""
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.intake.models import Snapshot

    return {
        "enterprises": sorted(Enterprise.objects.values_list("uscc", "name", "name_initials", "snapshot_id")),
        "results": sorted(PolicyResult.objects.values_list("snapshot_id", "enterprise_id", "policy_id", "status")),
        "current": list(Snapshot.objects.filter(is_current=True).values_list("pk", flat=True)),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["after staging", "inside the switch"])
def test_an_exception_while_publishing_changes_nothing(
    snapshot: Any, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Failing after every row was staged, or inside the switch after the upsert and the results' insert
    ran, leaves the index, the results and the current snapshot exactly as they were."""
    from django.db import connection

    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.intake import services
    from gaoqi.web.intake.models import Snapshot

    before = _state()
    assert Enterprise.objects.filter(name__startswith=CANARY_NAME).count() == 2  # a new run would rename them

    def boom(*args: Any) -> None:
        if where == "inside the switch" or args == ("GAOQI_CRASH_AT", "publish-staged"):
            raise RuntimeError("injected")

    monkeypatch.setattr(services, "_stats" if where == "inside the switch" else "crash_point", boom)
    second = Snapshot.objects.create(as_of=AS_OF)
    with pytest.raises(RuntimeError, match="injected"):
        services.snapshot_run(second.pk)
    second.refresh_from_db()
    assert second.status == Snapshot.FAILED and not second.is_current
    # the page says where the technical error went; the audit record keeps it
    assert second.message == "运行失败：内部错误，技术细节已记入运行日志与审计日志，请联系系统管理员"
    from gaoqi.web.audit.models import AuditEvent

    failed = AuditEvent.objects.filter(action="snapshot.run", outcome="failure", target=f"snapshot:{second.pk}").get()
    assert failed.detail == {"error": "injected"}
    assert not Enterprise.objects.filter(snapshot=second).exists()
    assert not PolicyResult.objects.filter(snapshot=second).exists()
    assert _state() == before
    assert Enterprise.objects.filter(name__startswith=CANARY_NAME).count() == 2
    with connection.cursor() as cur:  # nothing left aside either
        if connection.vendor == "postgresql":
            cur.execute("SELECT tablename FROM pg_tables WHERE tablename IN ('_pub_enterprise', '_pub_result')")
        else:
            cur.execute("SELECT name FROM sqlite_temp_master WHERE name IN ('_pub_enterprise', '_pub_result')")
        assert cur.fetchall() == []


@pytest.mark.django_db
def test_a_second_run_is_refused_while_one_is_in_progress(snapshot: Any) -> None:
    from gaoqi.web.intake import services
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.runlock import run_lock

    other = Snapshot.objects.create(as_of=AS_OF)
    with run_lock(snapshot.pk, timeout=0) as locked:
        assert locked
        with pytest.raises(services.RunBusy):
            services.snapshot_run(other.pk, wait=False)
    other.refresh_from_db()
    assert other.status == Snapshot.FAILED
    assert other.message == f"另一个运行正在进行（快照 #{snapshot.pk}），请待其结束后再启动"
    assert list(Snapshot.objects.filter(is_current=True).values_list("pk", flat=True)) == [snapshot.pk]


@pytest.mark.django_db
def test_an_interrupted_run_is_shown_failed_and_recovered(users: dict[str, Any], snapshot: Any) -> None:
    """A RUNNING snapshot whose run holds no lock (its worker died): the progress fragment says so and stops
    the polling; recovery marks it, and its claimed task, failed, and audits it. While a run holds the lock
    the same snapshot is a live run: neither the page nor the recovery touch it."""
    from django_tasks_db.models import DBTaskResult

    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.intake import services
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.runlock import run_lock
    from gaoqi.web.intake.tasks import run_snapshot

    dead = Snapshot.objects.create(as_of=AS_OF, status=Snapshot.RUNNING, progress=77, step="发布 publish")
    task = DBTaskResult.objects.get(id=run_snapshot.enqueue(dead.pk).id)
    task.claim("worker-that-died")
    c = login(users["municipal"])

    with run_lock(dead.pk, timeout=0):  # alive
        r = c.get(f"/intake/progress/{dead.pk}/", HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and "运行中" in r.content.decode() and "运行中断" not in r.content.decode()
        assert services.snapshot_recover_interrupted(users["municipal"]) == []

    r = c.get(f"/intake/progress/{dead.pk}/", HTTP_HX_REQUEST="true")
    assert r.status_code == 286  # htmx: stop polling
    assert "运行中断" in r.content.decode()

    assert services.snapshot_recover_interrupted(users["municipal"]) == [dead.pk]
    dead.refresh_from_db()
    task.refresh_from_db()
    assert (dead.status, dead.message, dead.is_current) == (Snapshot.FAILED, services.INTERRUPTED, False)
    assert task.status == "FAILED" and "RunInterrupted" in task.exception_class_path
    event = AuditEvent.objects.filter(action="snapshot.recover", target=f"snapshot:{dead.pk}").get()
    assert event.outcome == "failure"
    r = c.get(f"/intake/progress/{dead.pk}/", HTTP_HX_REQUEST="true")
    assert r.status_code == 286 and services.INTERRUPTED in r.content.decode()
    page = c.get("/intake/").content.decode()
    assert services.INTERRUPTED in page
    assert services.snapshot_recover_interrupted(None) == []  # once
    assert list(Snapshot.objects.filter(is_current=True).values_list("pk", flat=True)) == [snapshot.pk]


@pytest.mark.django_db
def test_a_new_registration_file_with_the_same_as_of_reaches_the_next_snapshot(snapshot: Any, gaoqi_home: Any) -> None:
    """Publish; a registration file renaming one enterprise arrives; publish again for the same as-of date:
    the profile is rebuilt, and the new snapshot (index and file) carries the new name."""
    from gaoqi.engine.workspace import connect
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.selectors import snapshot_workspace
    from gaoqi.web.intake.services import snapshot_run
    from tests.engine.features.workspace import write_registration_fix

    uscc = Enterprise.objects.exclude(name__startswith=CANARY_NAME).order_by("uscc").values_list("uscc", flat=True)[0]
    source = gaoqi_home / "delivered"
    source.mkdir()
    con = connect(gaoqi_home)
    try:
        write_registration_fix(con, uscc, "北京改名哨兵科技有限公司", source / "registration_rename.csv")
    finally:
        con.close()
    second = snapshot_run(Snapshot.objects.create(as_of=AS_OF, source_dir=str(source)).pk)
    assert second.status == Snapshot.PUBLISHED and second.is_current
    ent = Enterprise.objects.get(uscc=uscc)
    assert (ent.name, ent.name_initials, ent.snapshot_id) == ("北京改名哨兵科技有限公司", "bjgmsbkjyxgs", second.pk)
    ws = snapshot_workspace(second)
    assert ws is not None
    with ws:
        assert ws.profile(uscc)["name"] == "北京改名哨兵科技有限公司"


@pytest.mark.django_db
def test_refused_files_are_shown_on_the_intake_page_once_with_their_reason(
    users: dict[str, Any], gaoqi_home: Any
) -> None:
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    source = gaoqi_home / "delivered"
    source.mkdir()
    (source / "budget_2026.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (source / "credit_2026.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    for _ in range(2):  # the second run does not retry them, and the page still lists each once
        snap = snapshot_run(Snapshot.objects.create(as_of=AS_OF, source_dir=str(source)).pk)
        assert snap.status == Snapshot.PUBLISHED
        page = login(users["municipal"]).get("/intake/").content.decode()
        assert "未导入的文件" in page
        assert page.count("<td>budget_2026.csv</td>") == 1 and page.count("<td>credit_2026.xlsx</td>") == 1
        assert "文件名不以任何数据接口名称开头，无法判断所属接口" in page
        assert "ZIP 文件已损坏" in page


def test_a_failed_run_says_why_in_chinese() -> None:
    """The data office reads the engine's own Chinese reason; a technical error (English) goes to the log and
    the audit record, and the page says where it went."""
    from gaoqi.web.intake.services import failure_message

    assert failure_message(ValueError("先运行 resolve（名称匹配）")) == "运行失败：先运行 resolve（名称匹配）"
    assert failure_message(RuntimeError("Catalog Error: Table with name enterprise does not exist!")) == (
        "运行失败：内部错误，技术细节已记入运行日志与审计日志，请联系系统管理员"
    )


@pytest.mark.django_db
def test_an_interrupted_run_is_retried_while_it_has_attempts_left(settings: Any) -> None:
    """Issue 17: the worker's recovery queues an interrupted run again as a new snapshot (the next attempt),
    up to GAOQI_RUN_ATTEMPTS in all; audited. Other recoveries (a run starting, ``gaoqi-web publish``) do not."""
    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import INTERRUPTED, snapshot_recover_interrupted

    settings.GAOQI_RUN_ATTEMPTS = 2
    died = Snapshot.objects.create(as_of=AS_OF, status=Snapshot.RUNNING, source_dir="/data/in")
    assert snapshot_recover_interrupted(None, retry=True) == [died.pk]
    died.refresh_from_db()
    assert (died.status, died.message) == (Snapshot.FAILED, INTERRUPTED)
    again = Snapshot.objects.get(retry_of=died)
    assert (again.status, again.attempt, again.as_of, again.source_dir) == (Snapshot.QUEUED, 2, AS_OF, "/data/in")
    assert AuditEvent.objects.get(action="snapshot.retry").detail == {"retry_of": died.pk, "attempt": 2, "attempts": 2}

    Snapshot.objects.filter(pk=again.pk).update(status=Snapshot.RUNNING)  # the retry dies too: no third attempt
    assert snapshot_recover_interrupted(None, retry=True) == [again.pk]
    assert not Snapshot.objects.filter(retry_of=again).exists()

    third = Snapshot.objects.create(as_of=AS_OF, status=Snapshot.RUNNING)
    assert snapshot_recover_interrupted(None) == [third.pk]  # not the worker: marked failed, not retried
    assert not Snapshot.objects.filter(retry_of=third).exists()
