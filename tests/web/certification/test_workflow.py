"""Certification's workflows (certification/workflow.py), each as a table: every status × action × role through
the one mechanism (core.workflow.transition) on real rows → moved to the expected status, or refused with the
expected words. The expectations are written out here, so a change of a table fails until it is made here too.

Then the services that move certificates, renames, post-checks and objections on rows made by the factories
(no snapshot needed): the statuses, the log rows and the audit entries they write; and a scan that no status is
assigned anywhere else than in the mechanism.
"""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from gaoqi.web import roles
from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.certification import services as sv
from gaoqi.web.certification import workflow as wf
from gaoqi.web.core.locks import STALE, DomainError
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import NEW, SYSTEM, Workflow, WorkflowError, create, transition
from tests.web import factories

E, D, M = roles.ENTERPRISE, roles.DISTRICT, roles.MUNICIPAL
S = SYSTEM
ACTORS = (*roles.ROLES, SYSTEM)  # every account role, and no account (the platform's jobs, the public)

#: workflow → (action, source, target, roles, label, guard, needs a comment, audit action ("" none))
EXPECTED: dict[str, list[tuple[str, str, str, set[str], str, str | None, bool, str]]] = {
    "application": [
        ("start", NEW, "draft", {E}, "发起申请", None, False, "application.start"),
        ("submit", "draft", "district_review", {E}, "提交申请", "self_check_passes", False, "application.submit"),
        ("file", "draft", "filed", {E}, "报备即批准：报备", "pilot_eligible", False, "application.file"),
        ("resubmit", "correction", "district_review", {E}, "补正后重新提交", "self_check_passes", False, "application.resubmit"),
        ("withdraw", "draft", "withdrawn", {E}, "撤回", None, False, "application.withdraw"),
        ("withdraw", "correction", "withdrawn", {E}, "撤回", None, False, "application.withdraw"),
        ("district_pass", "district_review", "municipal_review", {D}, "形式审查通过", "in_jurisdiction", False, "application.district_pass"),
        ("district_return", "district_review", "correction", {D}, "退回补正", "in_jurisdiction", True, "application.district_return"),
        ("accept", "municipal_review", "expert_review", {M}, "受理并抽取专家", "panel_drawn", False, "application.accept"),
        ("municipal_return", "municipal_review", "correction", {M}, "退回补正", None, True, "application.municipal_return"),
        ("scores_complete", "expert_review", "decision", {S}, "专家评分完成", "all_scored", False, "application.scores_complete"),
        ("approve", "decision", "publicity", {M}, "认定通过，进入公示", "panel_passes", False, "application.approve"),
        ("reject", "decision", "rejected", {M}, "不予认定", None, True, "application.reject"),
        ("publicity_end", "publicity", "certified", {S, M}, "公示期满无异议，备案发证", "publicity_over", False, "application.publicity_end"),
        ("objection_upheld", "publicity", "rejected", {M}, "异议成立，不予认定", None, True, "application.objection_upheld"),
        ("revoke", "certified", "revoked", {M}, "撤销资格", None, True, "application.revoke"),
        ("revoke", "filed", "revoked", {M}, "撤销资格（事后核查未通过）", None, True, "application.revoke"),
    ],
    "certificate": [
        ("issue", NEW, "valid", {S}, "备案发证", None, False, "certificate.issue"),
        ("reissue", NEW, "valid", {S}, "更名换发新证书", None, False, ""),
        ("revoke", "valid", "revoked", {M}, "取消高企资格", None, True, "certificate.revoke"),
        ("replace", "valid", "replaced", {S}, "更名换发，原证书失效", None, False, ""),
    ],
    "name_change": [
        ("request", NEW, "publicity", {E}, "申请更名", None, False, "name_change.request"),
        ("request_major", NEW, "re_review", {E}, "申请更名（重大变化）", None, False, "name_change.request"),
        ("complete", "publicity", "done", {S}, "公示期满，换发证书", "rename_publicity_over", False, "name_change.complete"),
    ],
    "post_check": [
        ("pass", "", "passed", {M}, "核查通过", "application_filed", False, "post_check.complete"),
        ("fail", "", "failed", {M}, "核查未通过（撤销资格）", "application_filed", True, "post_check.complete"),
    ],
    "objection": [
        ("file", NEW, "pending", {S}, "提出异议", None, False, "objection.file"),
        ("uphold", "pending", "upheld", {M}, "异议成立", "in_publicity", True, "objection.handle"),
        ("dismiss", "pending", "dismissed", {M}, "异议不成立", "in_publicity", True, "objection.handle"),
    ],
}  # fmt: skip

#: workflow → its statuses and their words (the catalogue's where it has them)
LABELS: dict[str, dict[str, str]] = {
    "application": {
        "draft": "草稿", "correction": "退回补正", "district_review": "区级形式审查", "municipal_review": "市级受理",
        "expert_review": "专家评审", "decision": "待认定决定", "publicity": "公示中", "certified": "已认定",
        "rejected": "未通过", "withdrawn": "已撤回", "filed": "报备即批准", "revoked": "已撤销",
    },
    "certificate": {"valid": "有效", "revoked": "已撤销", "cancelled": "已注销", "expired": "已过期", "replaced": "已换发"},
    "name_change": {"publicity": "更名公示中", "re_review": "重大变化重新审查", "done": "已换发新证书"},
    "post_check": {"": "待核查", "passed": "核查通过", "failed": "核查未通过"},
    "objection": {"pending": "待处理", "upheld": "成立", "dismissed": "不成立"},
}  # fmt: skip

#: workflow → (the status field, the refusal of an action the fresh status does not have, the stale refusal)
WORDS: dict[str, tuple[str, str, str]] = {
    "application": ("status", "状态“{now}”下不能执行该操作", "申请已由“{seen}”变为“{now}”，" + STALE),
    "certificate": ("status", "证书当前为“{now}”，不能执行该操作", "证书已不是{seen}状态，" + STALE),
    "name_change": ("status", "更名公示尚未期满", "更名申请已由“{seen}”变为“{now}”，" + STALE),
    "post_check": ("outcome", "该核查已由他人完成（{now}），" + STALE, "该核查已由他人完成（{now}），" + STALE),
    "objection": ("status", "该异议已处理（{now}），" + STALE, "该异议已处理（{now}），" + STALE),
}


def test_the_tables_are_the_expected_ones() -> None:
    assert [w.name for w in wf.WORKFLOWS] == list(EXPECTED)
    for w in wf.WORKFLOWS:
        got = [(t.action, t.source, t.target, set(t.roles), t.label, t.guard, t.needs_comment, w.audit_action(t))
               for t in w.transitions]  # fmt: skip
        assert got == EXPECTED[w.name], w.name
        assert w.labels() == LABELS[w.name], w.name
        assert (
            w.field,
            w.forbidden.replace("{stale}", STALE),
            w.stale.replace("{stale}", STALE).replace("{noun}", w.noun),
        ) == WORDS[w.name]
    # the application table the pages and the time limits read is the workflow's
    assert wf.APPLICATION.transitions == wf.TRANSITIONS and wf.APPLICATION.labels() == wf.STATUS_LABELS


class _Rollback(Exception):
    def __init__(self, status: str, audit: str | None, log: tuple[str, str, str]) -> None:
        self.status, self.audit, self.log = status, audit, log


def _attempt(w: Workflow, obj: Any, action: str, actor: Any, before: int) -> tuple[str, Any]:
    """One cell: the move through the mechanism (every guard passing), rolled back; what happened."""
    passing = {t.guard: (lambda actor, obj: None) for t in w.transitions if t.guard}
    try:
        with transaction.atomic():
            moved = transition(w, type(obj), obj.pk, action, actor, comment="处理意见", guards=passing)
            last = AuditEvent.objects.filter(pk__gt=before).order_by("-id").first()
            log = WorkflowLog.objects.get(pk=moved.log.pk)
            raise _Rollback(
                getattr(moved.obj, w.field), last.action if last else None, (log.workflow, log.source, log.target)
            )
    except _Rollback as done:
        return "moved", (done.status, done.audit, done.log)
    except DomainError as refused:
        return "refused", (type(refused).__name__, str(refused))


def _expected(name: str, status: str, action: str, role: str) -> tuple[str, Any]:
    rows = {(r[1], r[0]): r for r in EXPECTED[name]}
    row = rows.get((status, action))
    if row is None:
        error = "StaleActionError" if name in ("post_check", "objection") else "StatusRefused"
        return "refused", (error, WORDS[name][1].format(now=LABELS[name][status]))
    _, source, target, allowed, label, _, _, audit = row
    if role not in allowed:
        return "refused", ("RoleRefused", f"您的角色不能执行“{label}”")
    return "moved", (target, audit or None, (name, source, target))


def _objects(name: str) -> dict[str, Any]:
    """One row in each status of the workflow."""
    statuses = LABELS[name]
    if name == "application":
        return {s: factories.application(s) for s in statuses}
    if name == "certificate":
        return {s: factories.certificate(status=s) for s in statuses}
    if name == "name_change":
        return {s: factories.name_change(factories.certificate(), s) for s in statuses}
    if name == "post_check":
        return {s: factories.post_check(factories.application(wf.FILED), s) for s in statuses}
    in_publicity = factories.application(wf.PUBLICITY)
    return {s: factories.objection(in_publicity, s) for s in statuses}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_status_action_and_role(name: str) -> None:
    w = next(w for w in wf.WORKFLOWS if w.name == name)
    actors: dict[str, Any] = {r: factories.user(r, f"t_{r}") for r in roles.ROLES} | {SYSTEM: None}
    objects = _objects(name)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    got, want = {}, {}
    for status, obj in objects.items():
        for action in w.actions():  # generated from the table …
            for role in ACTORS:
                got[(status, action, role)] = _attempt(w, obj, action, actors[role], before)
                want[(status, action, role)] = _expected(name, status, action, role)  # … expected from this file
    assert got == want
    moved = sorted(k for k, v in got.items() if v[0] == "moved")
    assert len(moved) == sum(len(r[3]) for r in EXPECTED[name] if r[1] != NEW)  # every allowed move was made
    assert not WorkflowLog.objects.exists()  # all rolled back


@pytest.mark.django_db
def test_creating_moves_by_role() -> None:
    """The creating transitions (source NEW) refuse every role but theirs."""
    from gaoqi.web.certification.models import Certificate, Objection

    cert_app = factories.application(wf.PUBLICITY)
    makers: dict[tuple[str, str], Callable[[str], Any]] = {
        ("certificate", "issue"): lambda s: factories.certificate(status=s),
        ("objection", "file"): lambda s: factories.objection(cert_app, s),
    }
    for (name, action), make in makers.items():
        w = next(w for w in wf.WORKFLOWS if w.name == name)
        for role in ACTORS:
            actor = None if role == SYSTEM else factories.user(role)
            t = w.find(NEW, action)
            assert t is not None
            try:
                with transaction.atomic():
                    obj = create(w, action, actor, make)
                    outcome = ("created", getattr(obj, w.field))
                    raise _Rollback("", None, ("", "", ""))
            except _Rollback:
                pass
            except WorkflowError as refused:
                outcome = ("refused", str(refused))
            assert outcome == (
                ("created", t.target) if role in t.roles else ("refused", f"您的角色不能执行“{t.label}”")
            )
    assert not Certificate.objects.exists() and not Objection.objects.exists()  # all rolled back


# ------------------------------------------------------------------------------------------------------
# the services on factory-made rows


def _log(obj: Any) -> list[tuple[str, str, str, str]]:
    from django.contrib.contenttypes.models import ContentType

    rows = WorkflowLog.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)
    return list(rows.values_list("workflow", "action", "source", "target"))


def _audits(since: int) -> list[tuple[str, str, dict[str, Any]]]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("id").values_list("action", "target", "detail"))


def _last_audit() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.django_db
def test_an_upheld_objection_rejects_a_dismissed_one_does_not(clock: dict[str, dt.date]) -> None:
    muni = factories.user(M, "muni")
    app = factories.application(wf.PUBLICITY)
    upheld, dismissed = factories.objection(app), factories.objection(app, content="另一份异议")
    since = _last_audit()
    sv.objection_handle(muni, dismissed, upheld=False, handling="经核实不成立")
    dismissed.refresh_from_db()
    assert (dismissed.status, dismissed.upheld, dismissed.handling, dismissed.handled_by) == (
        "dismissed",
        False,
        "经核实不成立",
        muni,
    )
    sv.objection_handle(muni, upheld, upheld=True, handling="经核实成立")
    upheld.refresh_from_db()
    app.refresh_from_db()
    assert (upheld.status, upheld.upheld, app.status) == ("upheld", True, wf.REJECTED)
    assert _log(upheld) == [("objection", "uphold", "pending", "upheld")]
    assert _log(app) == [("application", "objection_upheld", "publicity", "rejected")]
    assert _audits(since) == [
        ("objection.handle", f"application:{app.pk}", {"upheld": False}),
        ("objection.handle", f"application:{app.pk}", {"upheld": True}),
        ("application.objection_upheld", f"application:{app.pk}", {"from": "publicity", "to": "rejected", "comment": "经核实成立"}),
    ]  # fmt: skip
    with pytest.raises(sv.StaleActionError) as refused:
        sv.objection_handle(muni, factories.objection(app), upheld=False, handling="迟到的处理")
    assert str(refused.value) == f"该申请已不在公示期，{STALE}"
    with pytest.raises(sv.StaleActionError) as refused:
        stale = type(upheld).objects.get(pk=upheld.pk)
        stale.status = "pending"  # a page loaded before it was handled
        sv.objection_handle(muni, stale, upheld=False, handling="改判")
    assert str(refused.value) == f"该异议已处理（成立），{STALE}"


@pytest.mark.django_db
def test_a_failed_post_check_revokes_certificate_and_application(clock: dict[str, dt.date]) -> None:
    from gaoqi.web.certification.models import Revocation

    muni = factories.user(M, "muni")
    app = factories.application(wf.FILED)
    cert = factories.certificate(app=app, issue_date=dt.date(2026, 6, 1))
    check = factories.post_check(app)
    since = _last_audit()
    sv.post_check_complete(muni, check, passed=False, reasons="研发费用不实")
    check.refresh_from_db()
    cert.refresh_from_db()
    app.refresh_from_db()
    assert (check.outcome, check.reasons, check.checked_by, cert.status, app.status) == (
        "failed", "研发费用不实", muni, "revoked", wf.REVOKED,
    )  # fmt: skip
    rev = Revocation.objects.get(certificate=cert)
    assert (rev.reason, rev.recover_tax_from_year, rev.no_application_in_year) == ("post_check_failed", 2026, 2026)
    assert _log(check) == [("post_check", "fail", "", "failed")]
    assert _log(cert) == [("certificate", "revoke", "valid", "revoked")]
    assert _log(app) == [("application", "revoke", "filed", "revoked")]
    assert [(a, t) for a, t, _ in _audits(since)] == [
        ("post_check.complete", f"application:{app.pk}"),
        ("certificate.revoke", f"certificate:{cert.number}"),
        ("application.revoke", f"application:{app.pk}"),
    ]
    assert _audits(since)[1][2] == {"reason": "post_check_failed", "recover_from": 2026}
    with pytest.raises(sv.StaleActionError) as refused:
        stale = type(check).objects.get(pk=check.pk)
        stale.outcome = ""  # a page loaded before the check was completed
        sv.post_check_complete(factories.user(M, "muni2"), stale, passed=True)
    assert str(refused.value) == f"该核查已由他人完成（核查未通过），{STALE}"


@pytest.mark.django_db
def test_a_rename_replaces_the_certificate_through_both_workflows(clock: dict[str, dt.date]) -> None:
    cert = factories.certificate(name="北京旧名称科技有限公司")
    nc = factories.name_change(cert, new_name="北京新名称科技有限公司")
    assert nc.publicity_end == dt.date(2026, 7, 15)
    with pytest.raises(sv.WorkflowError, match=r"^更名公示尚未期满$"):
        sv.name_change_complete(nc, dt.date(2026, 7, 15))
    since = _last_audit()
    new = sv.name_change_complete(nc, dt.date(2026, 7, 16))
    cert.refresh_from_db()
    nc.refresh_from_db()
    assert (cert.status, new.status, new.number, new.enterprise_name, new.replaces) == (
        "replaced", "valid", cert.number, "北京新名称科技有限公司", cert,
    )  # fmt: skip
    assert (nc.status, nc.new_certificate, nc.completed_on) == ("done", new, dt.date(2026, 7, 16))
    assert _log(cert) == [("certificate", "replace", "valid", "replaced")]
    assert _log(new) == [("certificate", "reissue", "", "valid")]
    assert _log(nc) == [("name_change", "complete", "publicity", "done")]
    # one audit entry, as before: the rename's completion
    assert _audits(since) == [
        ("name_change.complete", f"certificate:{cert.number}", {"new_name": "北京新名称科技有限公司"})
    ]
    # the old certificate revoked during the publicity: no new certificate
    other = factories.certificate()
    pending = factories.name_change(other, new_name="北京另一新名称有限公司")
    type(other).objects.filter(pk=other.pk).update(status="revoked")
    with pytest.raises(sv.WorkflowError) as refused:
        sv.name_change_complete(pending, dt.date(2026, 7, 16))
    assert str(refused.value) == "原证书已不是有效状态（已撤销），不能换发"
    pending.refresh_from_db()
    assert pending.status == "publicity" and not _log(pending)


def test_every_service_reads_the_one_clock() -> None:
    """The platform's date is core.clock.today: no service module keeps a date function of its own (a test or a
    load run moving the clock moves every service)."""
    import inspect
    import re

    from gaoqi.web.certification import services as package

    for path in sorted(pathlib.Path(inspect.getfile(package)).parent.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"def today\(|timezone\.localdate\(|date\.today\(", text), path.name
        assert not re.search(r"(?<![\w.])today\(\)", text), f"{path.name} calls a today() that is not clock.today()"


def test_no_status_is_assigned_outside_the_mechanism() -> None:
    """``obj.status = …`` (or a workflow's other status field) only in core/workflow.py: every other status
    change goes through it. Model defaults and rows created in their first status are not assignments."""
    web = pathlib.Path(sv.__file__).parents[2]
    fields = {w.field for w in wf.WORKFLOWS}
    found = []
    for path in sorted(web.rglob("*.py")):
        if path.relative_to(web).as_posix() == "core/workflow.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            flat = [e for t in targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
            found += [
                f"{path.relative_to(web)}:{node.lineno}"
                for e in flat
                if isinstance(e, ast.Attribute) and e.attr in fields
            ]
    assert fields == {"status", "outcome"}
    assert found == []
