"""Every word a person reads is Chinese: every page the platform serves, opened by every role that may open it,
over a state with applications at each stage, a certificate, a revocation, a rename, objections, runs and uploads.

The test reads what a browser shows (text nodes, button and input values, placeholders, option labels, and the
string values of the JSON blocks the charts draw their labels from) and fails on any ASCII word outside a short
allow-list: identifiers (USCCs, certificate numbers, user names, file names), numbers and units, and the names
of standards and formats."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.access import ACCESS, PUBLIC
from gaoqi.web.certification import services as sv
from tests.web.certification.conftest import PILOT_DECLARATIONS, candidate, certifiable, clock, draft, people  # noqa: F401 (fixtures used below)
from tests.web.conftest import login, make_user
from tests.web.test_access import FUNNEL_PAGES, PARAM, RECOMMENDATION_PAGES, all_patterns

#: ASCII words a Chinese page may show: names of standards, formats and units (case-sensitive).
ALLOWED = {
    "GB", "T", "PDF", "CSV", "Excel", "xlsx", "xls", "API", "ID", "HTTP", "URL", "GR", "MB", "KB", "GB2312",
    "GBK", "UTF", "BOM", "OpenAPI", "Bearer", "ISO", "Token", "token", "IP", "R", "D", "SHA",
    "Argon",  # Argon2, the password hash (RFC 9106): the word pattern stops at the digit
    "A", "B", "C", "E", "F",  # grade letters of the official scoring table (国科发火〔2016〕195号 附件2; D above)
}  # fmt: skip

#: downloads and machine-facing endpoints (not pages): their bytes are checked by their own tests
NOT_PAGES = ("api:", "certification:certificate", "certification:attachment", "enterprises:export",
             "intake:report", "audit:export", "accounts:logout", "programmes:export",
             "programmes:funnel_export", "support:export", "support:delivery_export", "benefits:payment_list",
             "benefits:upload_report", "quickapply:export", "quickapply:attachment", "push:export",
             "analytics:export", "spotchecks:export", "monitoring:export", "reviewsignals:export")  # fmt: skip

#: 政策问答's questions read anonymously: nothing found, and answers from the rules digests and the policy files
ASSIST_QUESTIONS = ("今天天气怎么样", "研发费用占比", "高企认定流程有哪些环节", "更名怎么办理", "科技型中小企业评分标准",
                    "免申即享的定义是什么", "企业诉求办理时限", "加计扣除比例", "证书即将到期预警")  # fmt: skip

#: a browser that prefers English (many officials' machines do): the platform still answers in Chinese
BROWSER = {"Accept-Language": "en-US,en;q=0.9"}

WORD = re.compile(r"[A-Za-z][A-Za-z_.]*[A-Za-z]|[A-Za-z]")
#: identifiers: a version in a work's title (V2.0), a USCC (18 characters), a certificate number, a seed or hash,
#: an email address, a file name, an IP number (ZL…, …SR…), an item code of the form (RD01, PS01, CG01, GL01)
IDENTIFIER = re.compile(
    r"(?<![A-Za-z])V\d+(?:\.\d+)*|\b[0-9A-HJ-NPQRTUWXY]{18}\b|\bGR\d{10,}\b|\b[0-9a-f]{16,64}\b|[\w.+-]+@[\w-]+\.[\w.]+|[\w\-（）()\u4e00-\u9fff]+\.(?:pdf|csv|xlsx|xls)\b"
    r"|\bZL\d{8,12}\.[\dX]\b|\b\d{4}SR\d{5,8}\b|\b(?:RD|PS|CG|GL)\d{2,}\b"
)


class VisibleText(HTMLParser):
    """The text a browser shows, plus the string values of JSON data blocks (chart labels)."""

    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "button") and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.parts.append(a["value"] or "")
        if a.get("placeholder"):
            self.parts.append(a["placeholder"] or "")
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        tag, attrs = self._stack[-1] if self._stack else ("", {})
        if tag == "script" and attrs.get("type") == "application/json":
            self.parts.extend(_json_strings(json.loads(data)))
        elif not any(t in self.HIDDEN or "mono" in (a.get("class") or "").split() for t, a in self._stack):
            # class="mono" sets identifiers and values as delivered (USCCs, IP and certificate numbers, a
            # quarantined cell): they are data, not words
            self.parts.append(data)


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


def ascii_words(html: str, known: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    text = IDENTIFIER.sub(" ", " ".join(parser.parts))
    for k in known:  # names of accounts and enterprises, codes: data, shown as delivered
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(k)}(?![A-Za-z0-9_])", " ", text)
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def test_the_reader_sees_labels_and_chart_strings_but_not_code() -> None:
    html = (
        "<html><head><title>企业库</title><style>.x{color:red}</style></head><body><h1>政策 status</h1>"
        '<script>var pass = 1;</script><script type="application/json" id="c">{"labels": ["fail", "符合"], "n": 3}</script>'
        '<input type="submit" value="Save"><input name="q" placeholder="uscc or name">'
        "<p>91110108MA01ABCD2X · GR202611000001 · rd01.pdf · PDF 10 MB · u_municipal · dist_code</p>"
        '<td class="mono">2020SR0012345</td></body></html>'
    )
    assert ascii_words(html, {"u_municipal", "dist"}) == {"status", "fail", "Save", "uscc", "or", "name", "dist_code"}


@pytest.fixture()
def world(users: dict[str, Any], people: dict[str, Any], clock: dict[str, dt.date]) -> dict[str, Any]:  # noqa: F811
    """An application in expert review with its panel, and a certificate (报备即批准) with a pending rename."""
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import Certificate
    from gaoqi.web.enterprises.models import Enterprise

    p = people
    # in expert review, with a panel (the candidate enterprise)
    reviewed = sv.application_transition(p["enterprise"], draft(p), "submit")
    reviewed = sv.application_transition(p["district"], reviewed, "district_pass")
    reviewed = sv.application_transition(p["municipal"], reviewed, "accept")
    # another certifiable enterprise, certified through 报备即批准 and then renaming
    others = [u for u in certifiable(enterprise__has_hte=False) if u != reviewed.uscc]
    assert others
    other = Enterprise.objects.get(uscc=others[0])
    second = {**p, "enterprise": make_user(roles.ENTERPRISE, "ent2", uscc=other.uscc)}
    filed = draft(second)
    sv.application_declare(second["enterprise"], filed, PILOT_DECLARATIONS)
    pilot = process_config().pilot
    share, pilot["post_check_share"] = pilot["post_check_share"], 0.0
    try:
        filed = sv.application_transition(second["enterprise"], filed, "file")
    finally:
        pilot["post_check_share"] = share
    cert = Certificate.objects.get(application=filed)
    sv.name_change_request(second["enterprise"], cert, new_name="北京新名称科技有限公司")
    return {"people": p, "users": users, "reviewed": reviewed, "filed": filed, "certificate": cert, "second": second}


def _principals(world: dict[str, Any]) -> dict[str, Any]:
    """One account per role: the certification people where they act, the others from the users fixture."""
    p, u = world["people"], world["users"]
    return {
        roles.ENTERPRISE: world["second"]["enterprise"],
        "enterprise_applicant": p["enterprise"],
        roles.DISTRICT: p["district"],
        roles.MUNICIPAL: p["municipal"],
        roles.EXPERT: next(e.user for e in p["experts"] if e.pk in world["reviewed"].panel.expert_ids),
        **{r: u[r] for r in (roles.EVALUATOR, roles.INCUBATOR, roles.SYSADMIN, roles.SECADMIN, roles.AUDITOR)},
    }


def _role(principal: str) -> str:
    return roles.ENTERPRISE if principal.startswith("enterprise") else principal


def _support_world(world: dict[str, Any]) -> dict[str, Any]:
    """定向支持 with something on every page: the district's enterprises and the enterprise user's on the 小升规 list,
    a record of each, a talent quota with an allocation, a space need with an offer, a policy told of."""
    import datetime as dt

    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.intake.selectors import current_snapshot
    from gaoqi.web.programmes.models import ListMembership
    from gaoqi.web.support import services as support

    district = world["people"]["district"]
    own = Enterprise.objects.get(uscc=world["second"]["enterprise"].uscc)
    local = Enterprise.objects.filter(district_code=district.district_code).order_by("uscc").first()
    snap = current_snapshot()
    for ent in {own.pk: own, local.pk: local}.values():
        ListMembership.objects.get_or_create(
            enterprise=ent, list_id="small-to-above-scale", left_on=None,
            defaults={"route": "rule", "entered_on": dt.date(2026, 6, 30), "entered_snapshot": snap},
        )  # fmt: skip
        PolicyResult.objects.get_or_create(snapshot=snap, enterprise=ent, policy_id="tech-sme",
                                           defaults={"policy_version": "v1", "status": "pass"})  # fmt: skip
        PolicyResult.objects.of(snap).filter(enterprise=ent, policy_id="tech-sme").update(status="pass")
    from gaoqi.web.core import clock as platform_clock

    municipal, today = world["people"]["municipal"], platform_clock.today()
    for ent in (own, local):
        support.record_create(municipal, uscc=ent.uscc, category="financing", kind="listing_stage", on=today,
                              unit="m.finance", details={"stage": "辅导备案", "board": "北交所"})  # fmt: skip
    support.delivery_inform(municipal, uscc=local.uscc, policy_id="tech-sme", informed_on=today, via="visit")
    quota = support.quota_set(municipal, district_code=local.district_code, year=today.year, quota_type="wrp", total=10)
    support.allocation_create(municipal, quota.pk, uscc=local.uscc, tier="B", count=2)
    need = support.space_need_create(municipal, uscc=own.uscc, area="500", district_code=local.district_code,
                                     wanted_from="2027-02-01", use="production")  # fmt: skip
    support.space_offer_create(municipal, need.pk, address="产业园三号楼", area="480",
                               unit=f"{local.district_code}.planning", price="3.2")  # fmt: skip
    return {"quota": quota, "need": need}


def _servicedesk_rows(world: dict[str, Any]) -> dict[str, int]:
    """An answered and rated enterprise request (escalated once) and a service day with a follow-up."""
    from gaoqi.web.servicedesk import services as sd
    from gaoqi.web.units.services import units_sync

    units_sync()
    ent, muni = world["second"]["enterprise"], world["people"]["municipal"]
    req = sd.request_file(ent, category="hte", title="复审材料咨询", description="复审时研发费用归集口径")
    sd.request_accept(muni, req.pk)
    sd.request_answer(muni, req.pk, "按认定工作指引归集")
    sd.request_rate(ent, req.pk, resolved="PARTLY", satisfaction="BASICALLY", comment="基本清楚")
    day = sd.service_day_create(muni, district_code=ent_district(ent), held_on=dt.date(2026, 6, 1), leader_name="张三",
                                leader_title="副区长", topic="高企政策宣讲", invited=[ent.uscc])  # fmt: skip
    sd.service_day_attendance(muni, day.pk, [ent.uscc])
    sd.service_day_followup(muni, day.pk, on=dt.date(2026, 6, 5), text="已协调区科信局跟进")
    return {"request": req.pk, "day": day.pk}


def ent_district(user: Any) -> str:
    from gaoqi.web.enterprises.models import Enterprise

    return str(Enterprise.objects.get(uscc=user.uscc).district_code)


def _benefits_world(world: dict[str, Any]) -> dict[str, Any]:
    """免申即享 with something on every page: a benefit of the enterprise user's (account confirmed) and one of the
    district's enterprise (objected), a note of a changed amount, an outcome upload with a refused line."""
    import datetime as dt
    from decimal import Decimal

    from gaoqi.web.benefits.models import Benefit, BenefitNote
    from gaoqi.web.benefits.services import payment_upload
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.exports import xlsx
    from gaoqi.web.intake.selectors import current_snapshot

    district = world["people"]["district"]
    own = Enterprise.objects.get(uscc=world["second"]["enterprise"].uscc)
    local = Enterprise.objects.filter(district_code=district.district_code).order_by("uscc").first()
    snap = current_snapshot()
    made = []
    for ent, status, account in ((own, "confirmed", "6222020200001234"), (local, "objected", "")):
        made.append(Benefit.objects.create(
            enterprise=ent, policy_id="dongcheng-hte-reward", policy_version="2022", period="once",
            amount=Decimal("10"), status=status, snapshot=snap, as_of=snap.as_of, ruleset_hash=snap.ruleset_hash,
            notified_on=dt.date(2026, 12, 1), window_ends=dt.date(2026, 12, 15), bank_name="工商银行" if account else "",
            account_number=account, objection="数据有误" if status == "objected" else "",
        ))  # fmt: skip
    BenefitNote.objects.create(benefit=made[0], snapshot=snap, old_amount=Decimal("10"), new_amount=Decimal("12"))
    header = ["记录编号", "金额（万元）", "结果", "原因", "支付凭证号"]
    up = payment_upload(world["people"]["municipal"], name="结果.xlsx",
                        data=xlsx("兑付结果", header, [[made[0].record_id, 10, "已兑付", "", "PAY-1"]]))  # fmt: skip
    return {"benefits": made, "upload": up}


def _matching_world(world: dict[str, Any]) -> dict[str, Any]:
    """供需对接 with something on every page: a demand in the district official's district, a confirmed product of
    the enterprise user's enterprise that it matches, a result, and an event with that enterprise signed up."""
    import datetime as dt

    from gaoqi.web.core import clock as platform_clock
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.matching import services as matching

    district, municipal = world["people"]["district"], world["people"]["municipal"]
    owner = world["second"]["enterprise"]
    own = Enterprise.objects.get(uscc=owner.uscc)
    today = platform_clock.today()
    d = matching.demand_publish(
        district, kind="scenario", publisher_kind="soe", publisher="北京公交集团", title="公交场站视觉巡检",
        field="electronic_information", description="需要计算机视觉和目标检测的场站巡检方案，预算两百万元以内。",
        district_code=district.district_code, window_start=today, window_end=today + dt.timedelta(days=30),
        budget_min="10", budget_max="200",
    )  # fmt: skip
    prod = matching.product_register(owner, title="视觉巡检终端", field="electronic_information", price="150",
                                     description="基于计算机视觉的目标检测巡检终端。")  # fmt: skip
    matching.product_move(municipal, prod.pk, "confirm")
    csv = "成果名称,技术领域,持有单位,成果简介,所在区\n目标检测算法,电子信息,北京某大学,计算机视觉目标检测,海淀区\n"
    matching.results_upload(municipal, csv.encode())
    matching.demand_match(district, d.pk)
    ev = matching.event_create(district, title="视觉巡检对接会", on=today + dt.timedelta(days=3), place="中关村",
                               district_code=district.district_code, demand_ids=[d.pk])  # fmt: skip
    s = matching.event_signup(owner, ev.pk)
    matching.signup_result(district, s.pk, result="contract", amount="20")
    del own
    return {"demand": d, "product": prod, "event": ev}


def _quickapply_world(world: dict[str, Any]) -> Any:
    """快申快享: the enterprise user's application for the R&D super deduction (a city policy), submitted when its
    self-check passes, else left a draft whose page shows the reasons."""
    from gaoqi.web.core.errors import DomainError
    from gaoqi.web.quickapply import services as quickapply

    user = world["second"]["enterprise"]
    app = quickapply.application_start(user, "rd-super-deduction")
    with contextlib.suppress(DomainError):  # a failing self-check keeps the draft: its page shows why
        app = quickapply.application_transition(user, app, "submit")
    return app


def _push_world(world: dict[str, Any], snapshot: Any) -> dict[str, Any]:
    """政策推送: a message of each kind for the enterprise account's enterprise, a mandatory notice, a job."""
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.push import services as push
    from gaoqi.web.push.models import EVENT_KINDS, Message

    uscc = _principals(world)[roles.ENTERPRISE].uscc
    ent = Enterprise.objects.get(uscc=uscc)
    from gaoqi.web.programmes.lists import list_ids

    results = list(PolicyResult.objects.of(snapshot).filter(enterprise=ent).exclude(policy_id__in=list_ids())[:4])
    first = Message.objects.filter(enterprise=ent, snapshot=snapshot).first()  # the publishing switch's events
    for kind, r in zip(EVENT_KINDS, results, strict=False):
        if Message.objects.filter(enterprise=ent, policy_id=r.policy_id, kind=kind).exists():
            continue
        m = Message.objects.create(
            enterprise=ent, kind=kind, category="certification", policy_id=r.policy_id, snapshot=snapshot, result=r,
            policy_version=r.policy_version, ruleset_hash=snapshot.ruleset_hash, status=r.status,
            binding_condition=r.binding_condition, binding_gap=r.binding_gap, unknown_features=r.unknown_features,
            benefit_amount=r.benefit_amount,
        )  # fmt: skip
        first = first or m
    notice = push.notice_send(None, uscc, "compliance", "合规提醒：高企资格即将到期", "请及时办理复审。")
    municipal = next(u for u in _principals(world).values() if u.role == roles.MUNICIPAL)
    job = push.job_start(municipal, snapshot.pk)
    return {"message": first or notice, "notice": notice, "job": job}


def _evaluation_world(world: dict[str, Any]) -> list[int]:
    """分析评价: a district report computed, commented and published (the district's own page), a sub-park draft."""
    from gaoqi.web.evaluation import services as evaluation

    evaluator, municipal = _principals(world)[roles.EVALUATOR], world["people"]["municipal"]
    report = evaluation.report_compute(evaluator, 2025, "district")
    district = world["people"]["district"].district_code
    evaluation.report_comment(evaluator, report.pk, district, "本区高企存量稳步增长，培育库转化率有待提高。")
    evaluation.report_move(evaluator, report.pk, "submit")
    evaluation.report_move(municipal, report.pk, "publish")
    parks = evaluation.report_compute(evaluator, 2025, "subpark")
    return [report.pk, parks.pk]


def _spotchecks_world(world: dict[str, Any]) -> dict[str, Any]:
    """双随机抽查: an inspector pool (the district principal's account among it), the year's draw, a case checking
    and a case failed (its reasons shown)."""
    from gaoqi.web.spotchecks import services as spot
    from gaoqi.web.spotchecks.models import Case, Inspector

    district, municipal = world["people"]["district"], world["people"]["municipal"]
    Inspector.objects.create(name="张检查", unit="区科委", district_code=district.district_code, user=district)
    Inspector.objects.create(name="李检查", unit="市科委")
    Inspector.objects.create(name="王检查", unit="市市场监管局")
    d = spot.draw_run(municipal)
    cases = list(Case.objects.filter(draw=d).order_by("order")[:2])
    for c in cases:
        spot.case_move(municipal, c.pk, "start")
    spot.case_move(municipal, cases[0].pk, "fail", comment="高新技术产品收入占比不足")
    return {"draw": d, "cases": [c.pk for c in Case.objects.filter(draw=d).order_by("order")[:3]]}


@pytest.mark.django_db
def _drafting_world(world: dict[str, Any], folder: Any) -> dict[str, Any]:
    """政策沙盘: a draft tried over the snapshot, a new version tried beside the version in force (returned), and a
    published one (written into a copy of the catalogue: the shipped files are never touched)."""
    import shutil

    from gaoqi.web.drafting import services as drafting
    from tests.web.drafting.conftest import REPO, good_data

    author, approver = world["people"]["municipal"], make_user(roles.MUNICIPAL, "u_municipal_drafting")
    tried = drafting.draft_create(author, good_data())
    drafting.draft_try(author, tried.pk)
    version = good_data(policy_id="dongcheng-hte-reward", version_id="2027", valid_from=dt.date(2027, 1, 1))
    version.spec["documents"] = ["东城区园区支持措施（2022）"]
    for c in version.spec["conditions"]:
        c["article"] = "东城区园区支持措施（2022） 高新技术企业支持"
    returned = drafting.draft_create(author, version)
    drafting.draft_try(author, returned.pk)
    drafting.draft_submit(author, returned.pk)
    drafting.draft_return(approver, returned.pk, "奖励金额请核实")
    shutil.copytree(REPO / "policies", folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAOQI_POLICIES", str(folder))
        mp.setenv("GAOQI_POLICY_CACHE", "0")
        published = drafting.draft_create(author, good_data(policy_id="haidian-hte-reward-b"))
        drafting.draft_submit(author, published.pk)
        drafting.draft_approve(approver, published.pk)
    return {"drafts": [tried.pk, returned.pk, published.pk], "editable": [tried.pk, returned.pk]}


def _monitoring_world(world: dict[str, Any], snapshot: Any) -> dict[str, Any]:
    """监测预警: warnings of the district official's enterprises (one with an engine rule's evidence, one of the
    platform's list rule), one handled by a referral (its revocation referral page), one escalated."""
    from django.db import transaction

    from gaoqi.web.core import clock as platform_clock
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.monitoring import services as mon
    from gaoqi.web.monitoring.models import Warning

    district = world["people"]["district"]
    ents = list(Enterprise.objects.filter(district_code=district.district_code).order_by("uscc")[:3])
    evidence = [{"feature": "st_staff_share", "label": "科技人员占比", "value": "0.08", "unit": "%",
                 "feed": "social_insurance", "file": "social_insurance_2025.csv", "line": 12}]  # fmt: skip
    rows = [{"uscc": e.uscc, "rule_id": "warning-st-staff-share", "rule_version": "2016", "severity": sev,
             "name": "科技人员占比低于认定条件", "articles": ["国科发火〔2016〕32号 第十一条（四）"], "evidence": evidence}
            for e, sev in zip(ents, ("HIGH", "CRITICAL", "WARN"), strict=False)]  # fmt: skip
    with transaction.atomic():
        mon.warnings_derive(snapshot, rows, set())
    # (the published snapshot raised the engine's own warnings too: these are the district's rows above)
    ws = list(
        Warning.objects.filter(enterprise__in=ents, rule_id="warning-st-staff-share", status="open").order_by("pk")
    )
    mon.warning_handle(district, ws[0].pk, action="referral", note="科技人员占比连续不达标")
    mon.warning_acknowledge(district, ws[1].pk)
    platform_clock_day = platform_clock.today()
    if ws[1].due_on < platform_clock_day:  # 已督办 shown where the clock allows it
        mon.warning_escalate(ws[1].pk)
    return {"warnings": [w.pk for w in ws], "referral": Warning.objects.get(pk=ws[0].pk).referral_id}


def _reviewsignals_world(world: dict[str, Any], snapshot: Any) -> None:
    """审查风险提示 on the application under expert review (its district's official, its panel's expert and the
    municipal office read them): one open with a related applicant, one concluded, one cleared."""
    from django.db import transaction

    from gaoqi.web.reviewsignals import services as rsv
    from gaoqi.web.reviewsignals.models import ReviewSignal

    app, other = world["reviewed"], world["filed"]
    evidence = [{"label": "研发项目", "value": "RD01 智能巡检机器人", "feed": "hte_rd_project",
                 "file_name": "hte_rd_project_高企认定系统.csv", "line": 3}]  # fmt: skip
    rows = [{"uscc": app.uscc, "batch_year": app.year, "kind": kind, "summary": "与另1家申报企业的研发项目描述高度相似",
             "evidence": evidence, "related_usccs": [other.uscc]}
            for kind in ("rd_near_duplicate", "shared_contact", "ip_transfer_recent")]  # fmt: skip
    with transaction.atomic():
        rsv.signals_derive(snapshot, rows, None)
    signals = {s.kind: s for s in ReviewSignal.objects.filter(application=app)}
    rsv.signal_conclude(
        world["people"]["district"], signals["shared_contact"].pk, conclusion="explained", note="已说明"
    )
    with transaction.atomic():
        rsv.signals_derive(snapshot, rows[:2], {"ip_transfer_recent"})


def test_every_page_as_every_role_is_in_chinese(world: dict[str, Any], snapshot: Any, tmp_path: Any) -> None:
    from gaoqi.web.accounts.models import User
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.selectors import enterprises_visible_to

    drafts = _drafting_world(world, tmp_path / "policies")  # (its second official's name is known below)
    # data that is ASCII by nature: user names, incubator codes, and enterprises' registered names (北京飞驭鼎AR…)
    names = Enterprise.objects.filter(name__regex=r"[A-Za-z]").values_list("name", flat=True)
    from gaoqi.web.incubators.models import Incubator

    codes = list(Incubator.objects.order_by("code").values_list("code", flat=True))  # the roster's (FH0108001)
    known = set(User.objects.values_list("username", flat=True)) | {"INC-T"} | set(names) | set(codes)
    values = {
        "policy_id": "hte-certification",
        "list_id": "above-scale",
        "att": "1",
        "code": codes[0] if codes else "FH0000000",
    }
    support = _support_world(world)
    desk = _servicedesk_rows(world)
    benefits = _benefits_world(world)
    matching = _matching_world(world)
    quick = _quickapply_world(world)
    push = _push_world(world, snapshot)
    evaluation = _evaluation_world(world)
    spot = _spotchecks_world(world)
    monitoring = _monitoring_world(world, snapshot)
    _reviewsignals_world(world, snapshot)
    pks = {
        "evaluation:detail": evaluation,
        "evaluation:area": evaluation,
        "evaluation:comment": [],  # forms' POSTs and files, not pages
        "evaluation:move": [],
        "evaluation:export": [],
        "evaluation:pdf": [],
        "spotchecks:draw_detail": [spot["draw"].pk],
        "spotchecks:public_draw": [spot["draw"].pk],
        "spotchecks:case": spot["cases"],
        "spotchecks:verify": [],  # forms' POSTs, not pages
        "spotchecks:case_act": [],
        "spotchecks:inspector_update": [],
        "spotchecks:case_refer": [],
        "monitoring:detail": monitoring["warnings"],
        "monitoring:act": [],  # a form's POST, not a page
        "reviewsignals:conclude": [],  # a form's POST, not a page
        "certification:referral": [monitoring["referral"]],
        "push:message": [push["message"].pk, push["notice"].pk],
        "push:job": [push["job"].pk],
        "benefits:detail": [b.pk for b in benefits["benefits"]],
        "benefits:upload_detail": [benefits["upload"].pk],
        "matching:demand_detail": [matching["demand"].pk],
        "matching:product_detail": [matching["product"].pk],
        "matching:event_detail": [matching["event"].pk],
        "drafting:detail": drafts["drafts"],
        "drafting:edit": drafts["editable"],
        "drafting:try": [],  # forms' POSTs, not pages
        "drafting:act": [],
        "push:job_progress": [push["job"].pk],
        "support:quota_detail": [support["quota"].pk],
        "support:space_detail": [support["need"].pk],
        "servicedesk:detail": [desk["request"]],
        "servicedesk:day": [desk["day"]],
        "quickapply:detail": [quick.pk],
        "quickapply:attachment": [],
        "certification:detail": [world["reviewed"].pk, world["filed"].pk],
        "certification:postcheck": [],
        "certification:annual": [world["certificate"].pk],
        "certification:rename": [world["certificate"].pk],
        "intake:progress": [snapshot.pk],
        "programmes:remove": [],  # a form's POST, not a page
        "programmes:recommendation_confirm": [],  # forms' POSTs, not pages
        "programmes:recommendation_decline": [],
        "programmes:recommendation_withdraw": [],
    }
    found: dict[str, set[str]] = {}
    opened = 0
    for principal, user in _principals(world).items():
        client = login(user)
        role = _role(principal)
        first = enterprises_visible_to(user).order_by("uscc").first()
        for name, route in all_patterns():
            rule = ACCESS[name]
            if name.startswith(NOT_PAGES) or not (rule == PUBLIC or role in rule):
                continue
            params = PARAM.findall(route)
            candidates = pks.get(name, [world["reviewed"].pk]) if "pk" in params else [None]
            for pk in candidates:
                kwargs = {k: values[k] for k in params if k in values}
                if name in RECOMMENDATION_PAGES or name in FUNNEL_PAGES:
                    kwargs["list_id"] = "cultivation-pool"
                if "uscc" in params:
                    if first is None:
                        continue
                    kwargs["uscc"] = first.uscc
                if pk is not None:
                    kwargs["pk"] = str(pk)
                url = reverse(name, kwargs=kwargs)
                response = client.get(url, headers={"HX-Request": "true", **BROWSER})
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                opened += 1
                words = ascii_words(response.content.decode(), known)
                if words:
                    found[f"{principal} {url}"] = words
        # pages that show more with a query: a simulation's result, a filtered directory
        extra = {
            roles.MUNICIPAL: ["/policies/simulate/?policy=hte-certification&param=ip_min&value=2",
                              "/drafting/new/?base=hte-certification", "/drafting/new/?base=dongcheng-hte-reward",
                              "/enterprises/?hte=yes&sort=-sales", "/policies/hte-certification/enterprises/?status=fail",
                              "/analytics/?has_hte=1&size=size_small&tag_any=list_cultivation_pool&revenue_min=abc",
                              "/review-signals/?status=all"],
        }.get(role if principal == role else "", [])  # fmt: skip
        for url in extra:
            response = client.get(url, headers=BROWSER)
            assert response.status_code == 200, url
            opened += 1
            words = ascii_words(response.content.decode(), known)
            if words:
                found[f"{principal} {url}"] = words
    # the public pages, anonymous
    public = ("certification:publicity", "accounts:login", "spotchecks:public", "assist:search")
    spot_public = reverse("spotchecks:public_draw", kwargs={"pk": spot["draw"].pk})
    # 政策问答: the answer when nothing matches, and answers whose passages quote the Chinese digests and the policy
    # files (the digests are indexed in their Chinese renderings: ADR 0037)
    asked = [reverse("assist:search") + "?" + urlencode({"q": q}) for q in ASSIST_QUESTIONS]
    for url in (*(reverse(n) for n in public), spot_public, *asked):
        html = Client().get(url, headers=BROWSER).content.decode()
        if url in asked:  # an answer with its passages, or (the first question) the 未找到 message
            found_nothing = url == asked[0]
            assert ('class="hits"' in html) != found_nothing, url
            assert ("未找到与问题相关的条文" in html) == found_nothing, url
        words = ascii_words(html, known)
        if words:
            found[f"anonymous {url}"] = words
    assert opened >= 60
    assert not found, "ASCII words on Chinese pages:\n" + "\n".join(f"{k}: {sorted(v)}" for k, v in found.items())
