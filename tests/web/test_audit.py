"""The audit log: who/what/outcome/where of logins, reveals, exports and publishing; the hash chain verifies on
an untouched log and finds a changed or deleted row; the database itself refuses UPDATE and DELETE."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from gaoqi.engine import default_policies
from gaoqi.web import roles
from tests.web.conftest import HAIDIAN, PASSWORD, login

IP = "10.20.30.40"


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(**filters: Any) -> list[Any]:
    from gaoqi.web.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def _haidian_uscc() -> str:
    from gaoqi.web.enterprises.models import Enterprise

    e = Enterprise.objects.filter(district_code=HAIDIAN).order_by("uscc").first()
    assert e is not None
    return e.uscc


@pytest.mark.django_db
def test_login_success_and_failure_are_recorded(users: dict[str, Any]) -> None:
    c = Client(REMOTE_ADDR=IP)
    r = c.post("/accounts/login/", {"username": "u_district", "password": "wrong-password-x"})
    assert r.status_code == 200  # the form again
    r = c.post("/accounts/login/", {"username": "u_district", "password": PASSWORD})
    assert r.status_code == 302
    failed = events(action="login", outcome="failure")
    assert [(e.target, e.ip, e.username) for e in failed] == [("user:u_district", IP, "")]
    ok = events(action="login", outcome="success", username="u_district")
    assert [(e.role, e.ip) for e in ok] == [(roles.DISTRICT, IP)]
    assert ok[0].id > failed[0].id
    c.post("/accounts/logout/")
    assert [e.ip for e in events(action="logout", username="u_district")] == [IP]


@pytest.mark.django_db
def test_reveal_export_and_publish_are_recorded(users: dict[str, Any], snapshot: Any) -> None:
    uscc = _haidian_uscc()
    c = login(users[roles.DISTRICT])
    c.defaults["REMOTE_ADDR"] = IP
    assert c.post(f"/enterprises/{uscc}/reveal/").status_code == 200
    (reveal,) = events(action="personal.reveal")
    assert (reveal.username, reveal.role, reveal.target, reveal.outcome, reveal.ip) == (
        "u_district",
        roles.DISTRICT,
        f"enterprise:{uscc}",
        "success",
        IP,
    )
    assert reveal.detail == {"fields": ["legal_rep_id_number", "phone"]}

    assert c.get("/enterprises/export.xlsx?hte=yes").status_code == 200
    (export,) = events(action="export")
    from gaoqi.web.enterprises.models import Enterprise

    n = Enterprise.objects.filter(district_code=HAIDIAN, has_hte=True).count()
    assert (export.username, export.ip, export.outcome, export.target) == ("u_district", IP, "success", "enterprises")
    assert export.detail["rows"] == n and export.detail["filters"]["hte"] == "yes"

    (published,) = events(action="snapshot.publish")
    assert published.target == f"snapshot:{snapshot.pk}" and published.outcome == "success"
    assert (published.detail["enterprises"], published.detail["results"]) == (300, 300 * len(default_policies()))
    assert published.detail["full"] is True and published.detail["enterprises_written"] == 300  # the first: full

    m = login(users[roles.MUNICIPAL])
    m.defaults["REMOTE_ADDR"] = IP
    assert m.post("/intake/publish/", {"as_of": "2026-06-30"}).status_code == 302
    (requested,) = events(action="snapshot.request")
    assert (requested.username, requested.role, requested.ip) == ("u_municipal", roles.MUNICIPAL, IP)
    assert requested.detail == {"as_of": "2026-06-30"}


@pytest.mark.django_db
def test_verify_is_ok_on_an_untouched_log(users: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.audit.services import GENESIS, audit_record, audit_verify

    audit_record(users[roles.MUNICIPAL], "test.unicode", detail={"名称": "北京", "n": 1.5, "nested": {"b": 2, "a": 1}})
    result = audit_verify()
    n = AuditEvent.objects.count()
    assert n >= 10  # publishing, user creation, the event above
    assert (result.ok, result.events, result.first_bad_id) == (True, n, None)
    first, last = AuditEvent.objects.order_by("id")[0], AuditEvent.objects.order_by("-id")[0]
    assert first.prev_hash == GENESIS and len(last.hash) == 64


@pytest.mark.django_db
def test_database_refuses_update_and_delete(users: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent

    e = AuditEvent.objects.order_by("id").first()
    assert e is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=e.pk).update(username="mallory")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=e.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"x": 1}', e.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute("TRUNCATE audit_auditevent CASCADE")
    e.refresh_from_db()
    assert e.username != "mallory" and AuditEvent.objects.filter(pk=e.pk).exists()


def _disable_triggers() -> None:
    """What a DBA could do: the triggers off (inside the test's transaction, rolled back afterwards)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update")
        else:
            cur.execute("DROP TRIGGER audit_no_update")
            cur.execute("DROP TRIGGER audit_no_delete")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "column,value",
    [("username", "mallory"), ("detail", '{"rows": 1}'), ("outcome", "success"), ("ip", "127.0.0.1")],
)
def test_tampering_with_one_row_is_found(snapshot: Any, column: str, value: str) -> None:
    from gaoqi.web.accounts.services import user_create
    from gaoqi.web.audit.services import audit_record, audit_verify

    user = user_create(None, username="tamper_u", password=PASSWORD, role=roles.MUNICIPAL)
    victim = audit_record(user, "export", target="enterprises", outcome="failure", detail={"rows": 99}, request=None)
    for i in range(3):
        audit_record(user, f"after.{i}")
    assert audit_verify().ok
    _disable_triggers()
    with connection.cursor() as cur:
        cur.execute(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [value, victim.pk])
    victim.refresh_from_db()
    assert str(getattr(victim, column)) != "" and victim.pk
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == victim.pk
    assert "篡改" in result.reason


@pytest.mark.django_db
def test_deleting_a_middle_row_is_found(snapshot: Any) -> None:
    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.audit.services import audit_record, audit_verify

    made = [audit_record(None, f"row.{i}") for i in range(5)]
    assert audit_verify().ok
    _disable_triggers()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [made[2].pk])
    assert not AuditEvent.objects.filter(pk=made[2].pk).exists()
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == made[3].pk  # the row after the gap no longer links to its predecessor
    assert "删除" in result.reason


@pytest.mark.django_db
def test_auditor_page_lists_events_and_verify(users: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent

    uscc = _haidian_uscc()
    login(users[roles.DISTRICT]).post(f"/enterprises/{uscc}/reveal/")
    c = login(users[roles.AUDITOR])
    html = c.get("/audit/").content.decode()
    newest = AuditEvent.objects.order_by("-id").first()
    assert newest is not None
    assert newest.action == "login"  # the auditor's own
    assert f"<td>{newest.id}</td>" in html and "<td>登录</td>" in html and "<td>查看完整个人信息</td>" in html
    assert "personal.reveal" not in html.replace('value="personal.reveal"', "")  # a code only as the filter's value
    filtered = c.get("/audit/", {"action": "personal.reveal"}).content.decode()
    assert f"<td>企业 {uscc}</td>" in filtered and "<td>u_district</td><td>区级管理人员</td>" in filtered
    assert "<td>创建账号</td>" not in filtered
    assert "完整" in c.get("/audit/verify/").content.decode()
    for role in roles.ROLES:
        if role != roles.AUDITOR:
            assert login(users[role]).get("/audit/").status_code == 403, role


@pytest.mark.django_db
def test_a_chain_rewritten_without_the_key_fails(users: dict[str, Any]) -> None:
    """The chain is an HMAC with a key the database does not hold: recomputing it with plain SHA-256 after an
    edit does not verify."""
    import hashlib

    from django.db import connection

    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.audit.services import GENESIS, _canonical, audit_record, audit_verify

    for i in range(3):
        audit_record(users["municipal"], "test.event", target=f"t{i}")
    good = audit_verify()
    newest = AuditEvent.objects.order_by("-id").first()
    assert newest is not None and good.ok and good.head_id == newest.pk
    assert audit_verify((newest.pk, good.head_hash)).ok
    _disable_triggers()  # rolled back with the test's transaction
    # an attacker without the key edits a row and re-chains everything with SHA-256
    first = AuditEvent.objects.order_by("id").first()
    assert first is not None
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET username = %s WHERE id = %s", ["someone_else", first.pk])
    prev = GENESIS
    for e in AuditEvent.objects.order_by("id"):
        digest = hashlib.sha256((prev + _canonical(e)).encode()).hexdigest()
        with connection.cursor() as cur:
            cur.execute("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, e.pk])
        prev = digest
    bad = audit_verify()
    assert (bad.ok, bad.first_bad_id) == (False, first.pk)


@pytest.mark.django_db
def test_an_anchor_finds_the_deletion_of_the_newest_events(users: dict[str, Any]) -> None:
    from django.db import connection

    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.audit.services import audit_record, audit_verify

    for i in range(3):
        audit_record(users["municipal"], "test.event", target=f"t{i}")
    head = audit_verify()
    assert head.head_id is not None
    _disable_triggers()  # rolled back with the test's transaction
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [head.head_id])
    assert audit_verify().ok  # the chain alone cannot tell
    late = audit_verify((head.head_id, head.head_hash))
    assert (late.ok, late.first_bad_id) == (False, head.head_id)
    assert AuditEvent.objects.filter(pk=head.head_id).count() == 0
