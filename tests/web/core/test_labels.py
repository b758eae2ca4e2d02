"""The words for codes: every code the engine's feeds and policies can produce has a Chinese word in the one
catalogue, and the formatting helpers read as a Beijing official expects."""

from __future__ import annotations

import ast
import datetime as dt
import json
import pathlib
from importlib import resources

import pytest

from gaoqi.web.core import labels

#: catalogue kind → the feed schema field whose enumeration it names
ENUMS = {
    "ip_type": ("ip", "ip_type"),
    "ip_status": ("ip", "status"),
    "acquisition": ("ip", "acquisition"),
    "certificate_kind": ("certificate", "kind"),
    "certificate_status": ("certificate", "status"),
    "tech_field": ("certificate", "tech_field"),
    "credit_event": ("credit", "event_type"),
}


def _enum(feed: str, field: str) -> list[str]:
    text = resources.files("gaoqi.engine").joinpath("schemas", f"{feed}.json").read_text(encoding="utf-8")
    spec = next(f for f in json.loads(text)["fields"] if f["name"] == field)
    return list(spec["constraints"]["enum"])


@pytest.mark.parametrize("kind", sorted(ENUMS))
def test_every_enumerated_code_has_a_word(kind: str) -> None:
    codes = _enum(*ENUMS[kind])
    assert codes
    missing = [c for c in codes if labels.label(kind, c) == c]
    assert not missing, f"{kind}: no Chinese word for {missing}"


def test_every_feed_method_policy_kind_and_status_has_a_word() -> None:
    from gaoqi.engine.feeds import all_feeds
    from gaoqi.engine.resolve import METHODS
    from gaoqi.web.policies.selectors import catalogue

    cases = {
        "feed": [f.name for f in all_feeds()],
        "link_method": list(METHODS),
        "policy_kind": sorted({p.kind for p in catalogue()}),
        "status": ["pass", "fail", "unknown"],
        "outcome": ["pass", "fail", "unknown", "pending"],
        "condition_kind": ["data", "attested", "expert"],
    }
    for kind, codes in cases.items():
        missing = [c for c in codes if labels.label(kind, c) == c]
        assert not missing, f"{kind}: no Chinese word for {missing}"


def test_words_for_codes_and_values() -> None:
    assert labels.label("ip_type", "invention_patent") == "发明专利"
    assert labels.label("status", "fail") == "不符合"
    assert labels.label("tech_field", "electronic_information") == "电子信息"
    assert labels.label("status", None) == labels.EMPTY == "—"
    assert labels.district("110115") == "大兴区"
    assert labels.district("999999") == "999999"  # an unknown code is shown as delivered
    assert labels.industry("I") == "信息传输、软件和信息技术服务业"
    assert labels.percent(0.543157894737) == "54.3%"
    assert labels.percent(0.1) == "10%"
    assert labels.percent(0.04272, 2) == "4.27%"
    assert labels.cn_date(dt.date(2026, 12, 15)) == "2026年12月15日"
    assert labels.cn_date("2026-07-01") == "2026年7月1日"
    assert labels.cn_date(dt.datetime(2026, 1, 2, 9, 30)) == "2026年1月2日"


# --- the certification, account and audit pages ---------------------------------------------------------------

WEB = resources.files("gaoqi.web")


def _audit_calls() -> list[tuple[str, ast.Call]]:
    """Every ``audit_record(...)`` call in the platform's source, with its file name."""
    calls = []
    for path in sorted(pathlib.Path(str(WEB)).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit_record"
            ):
                calls.append((path.name, node))
    return calls


def _daily_steps() -> list[str]:
    """The daily job's step names (``attempt("step", ...)`` in certification/services/daily_job.py): audited as
    daily.<step>."""
    source = pathlib.Path(str(WEB)).joinpath("certification", "services", "daily_job.py").read_text(encoding="utf-8")
    return [
        n.args[0].value
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "attempt" and isinstance(n.args[0], ast.Constant)
    ]


def audit_actions() -> set[str]:
    """Every action the platform can write to the audit log: the literal ones, the workflows' (core/workflow.py
    writes each registered table's), daily.<step>, and the audited reads (access.AUDITED_READS). A new kind of
    computed action fails here until it is listed."""
    from gaoqi.web.access import AUDITED_READS
    from gaoqi.web.core.workflow import registered

    expand = {"daily.": _daily_steps()}
    actions: set[str] = set()
    for name, call in _audit_calls():
        if len(call.args) < 2:
            continue
        arg = call.args[1]
        if isinstance(arg, ast.Constant):
            actions.add(arg.value)
        elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
            prefix = arg.values[0].value
            assert prefix in expand, f"{name}: an audit action computed as {prefix}…: list its values here"
            actions |= {prefix + suffix for suffix in expand[prefix]}
        elif (name, ast.unparse(arg)) == ("workflow.py", "action"):
            actions |= {a for w in registered() for a in w.audit_actions()}
        else:
            assert (name, ast.unparse(arg)) == ("access.py", "action"), f"{name}: audit action {ast.unparse(arg)}"
            actions |= {a for a, _, _ in AUDITED_READS.values()}
    return actions


def test_audit_actions_are_collected() -> None:
    actions = audit_actions()
    assert {"user.create", "login.lockout", "application.submit", "application.revoke", "daily.name_change",
            "enterprise.view", "certificate.download", "access.not_found", "csrf.failure"} <= actions  # fmt: skip
    assert len(actions) > 50


def test_every_audit_action_outcome_role_and_target_kind_has_a_word() -> None:
    from gaoqi.web import roles
    from gaoqi.web.audit.selectors import action_label

    missing = sorted(a for a in audit_actions() if action_label(a) == a)
    assert not missing, f"audit actions without a word: {missing}"
    outcomes = {"success"}  # audit_record's default
    from gaoqi.web.access import AUDITED_READS

    # targets computed from a variable: the daily job's, the API token refusal's, the audited reads'
    kinds = {"application", "name_change", "api_token"} | {k for _, _, k in AUDITED_READS.values()}
    whole = {"certificates", "api_token"}  # whole targets, read as they are
    for _, call in _audit_calls():
        for kw in call.keywords:
            if kw.arg == "outcome" and isinstance(kw.value, ast.Constant):
                outcomes.add(kw.value.value)
            if kw.arg == "target" and isinstance(kw.value, ast.Constant):
                whole.add(kw.value.value)
            if (
                kw.arg == "target"
                and isinstance(kw.value, ast.JoinedStr)
                and isinstance(kw.value.values[0], ast.Constant)
            ):
                kinds.add(kw.value.values[0].value.partition(":")[0])
    assert {"failure", "denied", "refused"} <= outcomes
    assert not [o for o in outcomes if labels.label("audit_outcome", o) == o]
    assert not [r for r in roles.ROLES if labels.label("role", r) == r]
    assert {"user", "url", "path", "security:settings"} <= kinds | whole
    assert not [k for k in kinds if labels.label("audit_target", k) == k]
    assert not [t for t in whole if labels.audit_target(t) == t]


def test_every_page_and_url_parameter_has_a_word() -> None:
    from gaoqi.web.access import ACCESS
    from tests.web.test_access import PARAM, all_patterns

    assert not [n for n in ACCESS if labels.label("page", n) == n]
    params = {p for _, route in all_patterns() for p in PARAM.findall(route)}  # a refused URL's target: pk:1,att:2
    assert {"pk", "uscc"} <= params
    assert not [p for p in params if labels.label("audit_target", p) == p]


def test_every_certification_and_token_state_has_a_word() -> None:
    from gaoqi.web.accounts.models import ApiToken  # noqa: F401 (the states below are ApiToken.state's)
    from gaoqi.web.certification.models import Certificate, Expert

    cases = {
        "certificate_status": [Certificate.VALID, Certificate.REVOKED, Certificate.CANCELLED, Certificate.EXPIRED,
                               Certificate.REPLACED],
        "self_check": ["pass", "fail", "unknown", "pending", "declared", "needs_declaration"],
        "post_check": ["passed", "failed"],
        "token_state": ["active", "expired", "revoked"],
        "expert_kind": [k for k, _ in Expert._meta.get_field("kind").choices or []],
    }  # fmt: skip
    assert cases["expert_kind"]
    for kind, codes in cases.items():
        missing = [c for c in codes if labels.label(kind, c) == c]
        assert not missing, f"{kind}: no Chinese word for {missing}"


def test_audit_targets_read_as_nouns() -> None:
    assert labels.audit_target("application:12") == "申请 #12"
    assert labels.audit_target("user:u_x") == "账号 u_x"
    assert labels.audit_target("certificate:GR202611000001") == "证书 GR202611000001"
    assert labels.audit_target("url:accounts:users") == "页面「账号管理」"
    assert labels.audit_target("path:/accounts/users/") == "页面「账号管理」"
    assert labels.audit_target("path:/nowhere/") == "地址 /nowhere/"
    assert labels.audit_target("att:3,pk:1") == "附件 #3，编号 #1"
    # every row kind reads by number without being listed; a name that happens to be digits stays a name
    assert labels.audit_target("benefit:12") == "免申即享事项 #12"
    assert labels.audit_target("servicedesk_request:3").endswith(" #3")
    assert labels.audit_target("year:2026") == "年度 2026"
    assert labels.audit_target("uscc:911101080000000000").endswith(" 911101080000000000")
    assert labels.audit_target("security:settings") == "安全设置"
    assert labels.audit_target("enterprises") == "企业名单"
    assert labels.audit_target("enterprise:911100000432516869") == "企业 911100000432516869"  # a name, not a row
    from gaoqi.web.policies.selectors import policy_names

    assert labels.audit_target("policy:hte-certification") == f"政策「{policy_names()['hte-certification']}」"
    assert labels.audit_target("") == labels.EMPTY
    assert labels.audit_target("thing:7") == "thing:7"  # a kind without a word is shown as written


def test_application_moves_in_the_log_read_as_the_workflow_says() -> None:
    from gaoqi.web.audit.selectors import action_label
    from gaoqi.web.certification import workflow as wf

    assert action_label("application.submit") == wf.APPLICATION.find(wf.DRAFT, "submit").label == "提交申请"  # type: ignore[union-attr]
    assert action_label("application.start") == "发起认定申请"
    assert action_label("user.create") == "创建账号"
