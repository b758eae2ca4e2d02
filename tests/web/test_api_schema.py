"""Schemathesis over the platform's own OpenAPI schema (/api/openapi.json).

Every operation is called through the WSGI application (in process: the test's database) as a municipal
official holding an API token (``Authorization: Bearer``), with cases generated from the schema plus cases
pinned to real identifiers (so the 200 paths are exercised, not only the 404s). For every response: no 5xx,
a documented status code, the documented content type and a body that validates against the schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaoqi.web import roles
from tests.web.conftest import CANARY_NAME, CHAOYANG, HAIDIAN, make_user

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = 50  # per operation and strategy: the whole module stays well under a minute


@pytest.fixture()
def api_schema(db: Any) -> Iterator[Any]:
    """The schema, loaded from and called through the WSGI application in this process.

    Like Django's test client, the requests keep the test's database connection: ``close_old_connections``
    at the end of a request would otherwise close it in the middle of the test's transaction (PostgreSQL).
    """
    from django.core import signals
    from django.db import close_old_connections

    from gaoqi.web.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture()
def bearer(db: Any) -> dict[str, str]:
    """A municipal official's API token (the role that sees every enterprise and every operation)."""
    from gaoqi.web.accounts.services import api_token_create

    user = make_user(roles.MUNICIPAL, username="st_municipal")
    return {"Authorization": f"Bearer {api_token_create(None, user, 'schemathesis')}"}


@pytest.fixture()
def district_bearer(db: Any) -> dict[str, str]:
    """A 海淀 district official's API token: the operations only a district calls (recommend, withdraw)."""
    from gaoqi.web.accounts.services import api_token_create

    user = make_user(roles.DISTRICT, username="st_district", district_code=HAIDIAN)
    return {"Authorization": f"Bearer {api_token_create(None, user, 'schemathesis')}"}


#: Operations only a district official may call (every other one is called as the municipal office).
DISTRICT_OPERATIONS = {"POST /api/recommendations", "POST /api/recommendations/{pk}/withdraw"}
#: Operations only an enterprise calls, for itself (its tutoring records, its requests).
ENTERPRISE_OPERATIONS = {
    "POST /api/tutorings/{pk}/confirm",
    "POST /api/tutorings/{pk}/dispute",
    "POST /api/servicedesk/filings",
    "POST /api/servicedesk/requests/{pk}/rate",
    "POST /api/quick-apply/applications/{pk}/submit",
}
POOL = "cultivation-pool"


@pytest.fixture()
def tutorings(snapshot: Any) -> dict[str, Any]:
    """A 海淀 pool member with tutoring records waiting for its answer (each answered once: one 200, then 409),
    and its account's API token."""
    import datetime as dt

    from gaoqi.web.accounts.services import api_token_create
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.programmes.models import ListMembership
    from gaoqi.web.programmes.services import tutoring_create

    ent = (
        Enterprise.objects.filter(district_code=HAIDIAN, has_hte=False)
        .exclude(list_memberships__list_id=POOL)
        .exclude(name__startswith=CANARY_NAME)
        .order_by("-uscc")
        .first()
    )
    assert ent is not None
    ListMembership.objects.create(enterprise=ent, list_id=POOL, route="recommendation", entered_on=snapshot.as_of,
                                  entered_snapshot=snapshot, reason="推荐")  # fmt: skip
    tutor = make_user(roles.DISTRICT, username="st_tutor", district_code=HAIDIAN)
    pks = [tutoring_create(tutor, ent.uscc, dt.date(2026, 6, 1), "建议规范研发费用归集").pk for _ in range(6)]
    user = make_user(roles.ENTERPRISE, username="st_enterprise", uscc=ent.uscc)
    token = {"Authorization": f"Bearer {api_token_create(None, user, 'schemathesis')}"}
    return {"confirm": pks[:3], "dispute": pks[3:], "bearer": token}


@pytest.fixture()
def recommendations(snapshot: Any) -> dict[str, Any]:
    """Waiting 海淀 recommendations, a few for each decision (each is decided once: one 200, then 409), and 海淀
    enterprises free to be recommended."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.programmes.models import Recommendation

    free = list(
        Enterprise.objects.filter(district_code=HAIDIAN, has_hte=False)
        .exclude(list_memberships__list_id=POOL, list_memberships__left_on__isnull=True)
        .exclude(name__startswith=CANARY_NAME)
        .order_by("uscc")[:12]
    )
    assert len(free) == 12
    by = make_user(roles.DISTRICT, username="st_recommender", district_code=HAIDIAN)
    waiting = [
        Recommendation.objects.create(enterprise=e, list_id=POOL, reason="研发投入增长", district_code=HAIDIAN,
                                      recommended_by=by)
        for e in free[:9]
    ]  # fmt: skip
    from tests.web.techsme.factories import evaluation

    return {
        "self-check": [evaluation(code=free[0].uscc).pk],  # a tech-SME evaluation (any official sees its self-check)
        "confirm": [r.pk for r in waiting[0:3]],
        "decline": [r.pk for r in waiting[3:6]],
        "withdraw": [r.pk for r in waiting[6:9]],
        "free": [e.uscc for e in free[9:]],
    }


def _service_package() -> dict[str, int]:
    """A 海淀 规升强 member's service package with one item (made once per test)."""
    from gaoqi.web.programmes.models import ListMembership
    from gaoqi.web.servicepacks.models import ServiceItem, ServicePackage

    pkg = ServicePackage.objects.first()
    if pkg is None:
        from gaoqi.web.core import clock
        from gaoqi.web.enterprises.models import Enterprise
        from gaoqi.web.intake.models import Snapshot
        from gaoqi.web.servicepacks.services import item_assign, package_create

        ent = Enterprise.objects.filter(district_code=HAIDIAN).exclude(name__startswith=CANARY_NAME).order_by("uscc")[0]
        snap = Snapshot.objects.get(is_current=True)
        ListMembership.objects.create(enterprise=ent, list_id="above-scale-to-strong", route="rule",
                                      entered_on=snap.as_of, entered_snapshot=snap)  # fmt: skip
        muni = make_user(roles.MUNICIPAL, username="st_sp_municipal")
        dist = make_user(roles.DISTRICT, username="st_sp_district", district_code=HAIDIAN)
        pkg = package_create(
            muni, uscc=ent.uscc, year=clock.today().year, municipal_steward=muni, district_steward=dist
        )
        item_assign(muni, pkg.pk, need="协调研发用房", category="space", unit_code="110108.sci", handler=dist)
    item = ServiceItem.objects.filter(package=pkg).first()
    assert item is not None
    return {"package": pkg.pk, "item": item.pk}


def _quick_applications() -> list[int]:
    """快申快享 drafts of the enterprise holding the enterprise token (st_enterprise), whose shared data pass the
    R&D super deduction (test data: each is submitted once, one 200, then 409)."""
    import datetime as dt

    from gaoqi.web.accounts.models import User
    from gaoqi.web.quickapply.models import PolicyApplication

    found = list(PolicyApplication.objects.order_by("pk").values_list("pk", flat=True))
    if found:
        return found
    user = User.objects.get(username="st_enterprise")
    values = {"has_hte_certificate": {"value": True, "type": "boolean", "source": "测试"},
              "industry_section": {"value": "C", "type": "text", "source": "测试"},
              "industry_division": {"value": "39", "type": "text", "source": "测试"},
              "rd_expense_last_year": {"value": "100", "type": "money", "source": "测试"}}  # fmt: skip
    return [
        PolicyApplication.objects.create(
            uscc=user.uscc, enterprise_name="测试企业", district_code=HAIDIAN, policy_id="rd-super-deduction",
            policy_name="研发费用税前加计扣除（100%）", policy_version="2023", period=str(year), status="draft",
            as_of=dt.date(2026, 6, 30), prefill={"values": values}, time_limit_days=60,
            stage_started_at=dt.date(2026, 7, 1), created_by=user,
        ).pk
        for year in (2024, 2025, 2026)
    ]  # fmt: skip


def _policy_draft() -> int:
    """A policy draft of the municipal office (政策沙盘), made once per test."""
    from gaoqi.web.drafting.models import PolicyDraft

    draft = PolicyDraft.objects.first()
    if draft is None:
        from gaoqi.web.drafting.services import draft_create
        from tests.web.drafting.conftest import good_data

        draft = draft_create(make_user(roles.MUNICIPAL, username="st_draft_municipal"), good_data())
    return int(draft.pk)


def _evaluation_report() -> int:
    """A district evaluation report of 2025, computed and published (分析评价)."""
    from gaoqi.web.evaluation import services as evaluation
    from gaoqi.web.evaluation.models import EvaluationReport

    report = EvaluationReport.objects.first()
    if report is None:
        report = evaluation.report_compute(make_user(roles.EVALUATOR, username="st_evaluator"), 2025, "district")
        evaluation.report_move(report.computed_by, report.pk, "submit")
        evaluation.report_move(make_user(roles.MUNICIPAL, username="st_eval_municipal"), report.pk, "publish")
    return int(report.pk)


def _open_warnings() -> list[int]:
    """Three warnings of a test rule, open when first made (one per move: acknowledge, handle, dismiss), the same
    three for every operation."""
    from django.db import transaction

    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.intake.selectors import current_snapshot
    from gaoqi.web.monitoring.models import Warning
    from gaoqi.web.monitoring.services import warnings_derive

    mine = Warning.objects.filter(rule_id="schema-test").order_by("pk")
    if mine.count() < 3:
        ents = Enterprise.objects.order_by("uscc").values_list("uscc", flat=True)[:3]
        rows = [
            {"uscc": u, "rule_id": "schema-test", "severity": "WARN", "name": "接口测试预警", "evidence": []}
            for u in ents
        ]
        with transaction.atomic():
            warnings_derive(current_snapshot(), rows, set())
    return list(mine.values_list("pk", flat=True)[:3])


def _open_signals() -> list[int]:
    """A review signal open on an application in district review (审查风险提示), the same one for every operation."""
    from django.db import transaction

    from gaoqi.web.certification.models import Application
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.intake.selectors import current_snapshot
    from gaoqi.web.reviewsignals.models import ReviewSignal
    from gaoqi.web.reviewsignals.services import signals_derive

    mine = ReviewSignal.objects.filter(summary="接口测试风险提示").order_by("pk")
    if not mine.exists():
        ent = Enterprise.objects.order_by("uscc").first()
        app = Application.objects.create(
            uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, year=2026, tech_field="电子信息",
            status="district_review", stage_started_at=dt.date(2026, 7, 1), as_of=dt.date(2026, 6, 30),
            created_by=make_user(roles.ENTERPRISE, username="st_signal_ent", uscc=ent.uscc),
        )  # fmt: skip
        row = {"uscc": app.uscc, "batch_year": 2026, "kind": "shared_contact", "summary": "接口测试风险提示",
               "evidence": [{"label": "共用电话", "value": "010-12345678", "feed": None, "file_name": None,
                             "line": None}], "related_usccs": []}  # fmt: skip
        with transaction.atomic():
            signals_derive(current_snapshot(), [row], set())
    return list(mine.values_list("pk", flat=True)[:1])


def _pinned(operation: Any, recs: dict[str, Any] | None = None, tuts: dict[str, Any] | None = None) -> list[Any]:
    """Strategies with real path parameters: a visible enterprise, a canary, a made-up code; real policies; real
    waiting recommendations and enterprises free to be recommended."""
    from gaoqi.web.enterprises.models import Enterprise

    names = {p.name for p in operation.path_parameters}
    if recs is not None and operation.path == "/api/recommendations":
        bodies = st.sampled_from([{"uscc": u, "list_id": POOL, "reason": "研发投入增长快"} for u in recs["free"]])
        return [bodies.flatmap(lambda b: operation.as_strategy(body=b))]
    if tuts is not None and "pk" in names and operation.path.startswith("/api/tutorings/"):
        action = operation.path.rsplit("/", 1)[-1]
        pks = st.sampled_from([*tuts[action], 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}, body={"comment": "日期有误"}))]
    if recs is not None and operation.path == "/api/tech-sme/evaluations/{pk}/self-check":
        pks = st.sampled_from([*recs["self-check"], 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}))]
    if "pk" in names and operation.path.startswith("/api/service-packages/"):  # a real package and item
        real = _service_package()
        pks = st.sampled_from([real["item" if "/items/" in operation.path else "package"], 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}))]
    if "pk" in names and operation.path.startswith("/api/servicedesk/"):  # enterprise requests: real ones and none
        from gaoqi.web.servicedesk.models import Request

        pks = st.sampled_from([*Request.objects.order_by("pk").values_list("pk", flat=True)[:2], 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}))]
    if "pk" in names and operation.path.startswith("/api/quick-apply/"):  # real drafts of the enterprise token
        pks = st.sampled_from([*_quick_applications(), 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}))]
    if "pk" in names and operation.path.startswith("/api/policy-drafts/"):  # a real draft
        pks = st.sampled_from([_policy_draft(), 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}))]
    if "pk" in names and operation.path.startswith("/api/evaluation/"):  # a real report (分析评价) and none
        pks = st.sampled_from([_evaluation_report(), 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}))]
    if "pk" in names and operation.path.startswith("/api/warnings/"):  # 监测预警: an open warning per move, and none
        open_ = _open_warnings()
        move = (
            ["acknowledge", "handle", "dismiss"].index(operation.path.rsplit("/", 1)[-1])
            if operation.method.upper() == "POST"
            else 0
        )
        pks = st.sampled_from([*open_[move : move + 1], 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}))]
    if "pk" in names and operation.path.startswith("/api/review-signals/"):  # 审查风险提示: an open one, and none
        pks = st.sampled_from([*_open_signals(), 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}))]
    if recs is not None and "pk" in names:
        action = operation.path.rsplit("/", 1)[-1]
        pks = st.sampled_from([*recs[action], 10**9])
        return [pks.flatmap(lambda pk: operation.as_strategy(path_parameters={"pk": pk}, body={"comment": "理由不足"}))]
    if operation.path == "/api/enterprises":  # searches that find something
        queries = st.sampled_from([{"q": "北京"}, {"q": "bj"}, {"q": CANARY_NAME}, {"page": 2, "page_size": 100}])
        return [queries.flatmap(lambda q: operation.as_strategy(query=q))]
    if "code" in names:  # the roster's bodies (incubators pages) and a made-up code
        from gaoqi.web.incubators.models import Incubator

        codes = st.sampled_from([*Incubator.objects.order_by("code").values_list("code", flat=True)[:3], "NO-SUCH"])
        return [codes.flatmap(lambda code: operation.as_strategy(path_parameters={"code": code}))]
    if "list_id" in names:  # real lists (one published with members) and a made-up one
        list_ids = st.sampled_from(["above-scale", "cultivation-pool", "no-such-list"])
        return [list_ids.flatmap(lambda lid: operation.as_strategy(path_parameters={"list_id": lid}))]
    if "uscc" not in names:
        return []
    real = Enterprise.objects.exclude(name__startswith=CANARY_NAME).order_by("uscc").values_list("uscc", flat=True)
    canary = Enterprise.objects.filter(district_code=CHAOYANG, name__startswith=CANARY_NAME).values_list(
        "uscc", flat=True
    )
    usccs = st.sampled_from([*real[:5], *canary[:1], "91110000000000000X"])
    policy_ids = st.sampled_from(["hte-certification", "tech-sme", "above-scale", "no-such-policy"])

    def fixed(uscc: str, policy_id: str) -> dict[str, str]:
        return {"uscc": uscc, "policy_id": policy_id} if "policy_id" in names else {"uscc": uscc}

    return [st.builds(fixed, usccs, policy_ids).flatmap(lambda pp: operation.as_strategy(path_parameters=pp))]


@pytest.fixture()
def requests_answered(tutorings: dict[str, Any]) -> list[int]:
    """The tutored enterprise's requests, answered (each rated once: one 200, then 409)."""
    from gaoqi.web.accounts.models import User
    from gaoqi.web.servicedesk import services as sd
    from gaoqi.web.units.services import units_sync

    units_sync()  # a transactional test's flush may have emptied the roster
    ent, muni = User.objects.get(username="st_enterprise"), make_user(roles.MUNICIPAL, username="st_handler")
    pks = [sd.request_file(ent, category="hte", title="复审材料", description="复审材料要求").pk for _ in range(3)]
    for pk in pks:
        sd.request_accept(muni, pk)
        sd.request_answer(muni, pk, "按认定工作指引准备")
    return pks


def test_every_operation_conforms_to_the_schema(
    requests_answered: list[int],
    snapshot: Any,
    api_schema: Any,
    bearer: dict[str, str],
    district_bearer: dict[str, str],
    recommendations: dict[str, Any],
    tutorings: dict[str, Any],
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/enterprises", "/api/enterprises/{uscc}", "/api/policies"}
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= DISTRICT_OPERATIONS
    statuses: dict[str, set[int]] = {}

    for operation in operations:
        strategy = st.one_of(operation.as_strategy(), *_pinned(operation, recommendations, tutorings))
        label = f"{operation.method.upper()} {operation.path}"
        token = district_bearer if label in DISTRICT_OPERATIONS else bearer
        token = tutorings["bearer"] if label in ENTERPRISE_OPERATIONS else token

        @settings(
            max_examples=EXAMPLES * 2,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            response = case.call_and_validate(headers=token)  # noqa: B023 (run() is called in this iteration)
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        run()

    # the pinned cases reached the real answers: every operation answered 200 (a creation: 201) at least once
    for operation in operations:
        assert statuses.get(operation.label, set()) & {200, 201}, (operation.label, statuses)


def test_the_schema_documents_the_error_answers(api_schema: Any) -> None:
    """401 (no token/session), 403 (role) and 404 (outside the jurisdiction) are part of the contract."""
    for result in api_schema.get_all_operations():
        operation = result.ok()
        documented = set(operation.definition.raw.get("responses", {}))
        assert {"401", "403"} <= documented and documented & {"200", "201"}, (operation.label, documented)
        if "{uscc}" in operation.path:
            assert "404" in documented, (operation.label, documented)


def test_without_credentials_the_api_answers_401_as_documented(api_schema: Any, db: Any) -> None:
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call_and_validate()
            assert response.status_code == 401

        run()


#: Requests that once answered 500 (PostgreSQL refuses NUL in text; a huge page overflowed the OFFSET): now 400,
#: the API's one error shape naming the parameter.
ONCE_500 = [
    ("/api/enterprises", {"q": "a\x00b"}),
    ("/api/enterprises", {"page": str(10**30)}),
    ("/api/enterprises", {"page": "9223372036854775807"}),
    ("/api/enterprises", {"page_size": str(10**30)}),
    ("/api/enterprises/9111%00/results", {}),
]


def test_what_once_answered_500_is_a_documented_400(api_schema: Any, bearer: dict[str, str]) -> None:
    from django.test import Client

    c = Client()
    for url, params in ONCE_500:
        response = c.get(url, params, headers=bearer)
        assert response.status_code == 400, (url, params, response.content)
        error = response.json()["error"]
        assert error["code"] == "invalid" and error["message"].startswith("请求参数无效"), error
        # the parameter at fault, and why, in Chinese
        field = next(iter(params), "uscc")
        assert set(error["fields"]) == {field}, error
        assert error["fields"][field] in ("含有不允许的字符", "不能大于 100000", "不能大于 100"), error


def test_no_two_api_schemas_share_a_name() -> None:
    """django-ninja names a schema's OpenAPI component after its class: two classes of one name (ScoreOut in two
    apps) leave one component for both, and one of the two answers then violates the published schema."""
    import ast
    from collections import Counter
    from pathlib import Path

    web = Path(__file__).resolve().parents[2] / "src" / "gaoqi" / "web"
    names = Counter(
        node.name
        for path in [web / "api.py", *web.glob("*/api.py")]
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "Schema" for b in node.bases)
    )
    assert [n for n, k in names.items() if k > 1] == []
