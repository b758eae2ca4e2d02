"""行动建议 on the platform: the plan's numbers are the engine's for the same enterprise and policy, unknown data
gives 补充数据 steps, and the plan is scoped like the profile (page and API: 404 outside the jurisdiction)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.web import roles
from gaoqi.web.assist import selectors
from gaoqi.web.enterprises.models import PolicyResult
from gaoqi.web.enterprises.selectors import explain_for
from tests.web.conftest import CANARY_NAME, CHAOYANG, HAIDIAN, login

pytestmark = pytest.mark.django_db


def _near(status: str = "fail", **extra: Any) -> list[PolicyResult]:
    qs = PolicyResult.objects.filter(status=status, **extra).select_related("enterprise").order_by("enterprise__uscc")
    return list(qs)


def test_the_plans_numbers_are_the_engines_gaps(users: dict[str, Any]) -> None:
    municipal = users[roles.MUNICIPAL]
    compared = 0
    ratio_checked = 0
    for result in _near(failed_count=1)[:12]:
        view = selectors.plan_for(municipal, result.enterprise.uscc)
        assert view is not None and view.plan is not None
        plan = next(p for p in view.plan.policies if p.policy_id == result.policy_id)
        engine = explain_for(result.enterprise.uscc, result.policy_id)
        assert engine is not None
        failing = {c["id"]: c for c in engine["conditions"] if c["outcome"] == "fail"}
        assert {s.condition_id for s in plan.gaps} == set(failing) and len(plan.gaps) == 1
        for step in plan.gaps:
            cond = failing[step.condition_id]
            assert (step.observed, step.required, step.op) == (cond["observed"], cond["required"], cond["op"])
            assert (step.gap, step.lever, step.article, step.label) == (
                cond["gap"], cond["lever"], cond["article"], cond["label"],
            )  # fmt: skip
            found = re.search(r"，(?:差|超出|相差) (-?[\d.]+)", cond["gap"] or "")
            if found:
                assert step.difference == Decimal(found.group(1))
                # and the difference is the engine's required − observed (ratios in percentage points)
                if step.op in (">=", "<=") and isinstance(step.observed, Decimal):
                    scale = Decimal(100) if step.difference_unit == "个百分点" else Decimal(1)
                    exact = abs(step.required - step.observed) * scale
                    assert abs(exact - step.difference) <= Decimal("0.01") * scale, (step, exact)
                    ratio_checked += 1
                assert step.sentence.count(found.group(1)) >= 1
            compared += 1
    assert compared >= 5 and ratio_checked >= 1, (compared, ratio_checked)


def test_unknown_data_gives_a_supplementary_data_step(users: dict[str, Any]) -> None:
    municipal = users[roles.MUNICIPAL]
    with_missing = [r for r in _near("unknown") if any(not u.startswith("pending:") for u in r.unknown_features)]
    assert with_missing, "the synthetic population has enterprises with missing data"
    result = with_missing[0]
    view = selectors.plan_for(municipal, result.enterprise.uscc)
    assert view is not None and view.plan is not None
    plan = next(p for p in view.plan.policies if p.policy_id == result.policy_id)
    assert plan.data_steps and not plan.gaps
    missing = {m.feature for s in plan.data_steps for m in s.missing}
    wanted = {u for u in result.unknown_features if not u.startswith("pending:")}
    assert missing & wanted, (missing, wanted)
    step = plan.data_steps[0]
    assert step.sentence.startswith("补充数据：") and step.missing[0].department
    assert step.missing[0].department in step.sentence and step.difference is None


def test_a_district_official_gets_no_plan_of_another_district(users: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    official = users[roles.DISTRICT]  # 海淀
    other = Enterprise.objects.filter(district_code=CHAOYANG).order_by("uscc").first()
    own = Enterprise.objects.filter(district_code=HAIDIAN).order_by("uscc").first()
    assert other is not None and own is not None
    assert selectors.plan_for(official, other.uscc) is None
    assert other.name.startswith(CANARY_NAME)  # the first 朝阳 enterprises are the canaries
    client = login(official)
    page, api = client.get(reverse("assist:plan", args=[other.uscc])), client.get(f"/api/assist/plan/{other.uscc}")
    assert (page.status_code, api.status_code) == (404, 404)
    assert CANARY_NAME not in page.content.decode() + api.content.decode()
    assert client.get(reverse("assist:plan", args=[own.uscc])).status_code == 200
    assert client.get(f"/api/assist/plan/{own.uscc}").status_code == 200
    # an enterprise sees its own plan, no one else's
    mine = login(users[roles.ENTERPRISE])
    assert mine.get(reverse("assist:plan", args=[users[roles.ENTERPRISE].uscc])).status_code == 200
    assert mine.get(reverse("assist:plan", args=[other.uscc])).status_code == 404
    assert mine.get(f"/api/assist/plan/{other.uscc}").status_code == 404


def test_the_page_and_the_api_show_the_steps(users: dict[str, Any]) -> None:
    result = _near(failed_count=1)[0]
    uscc = result.enterprise.uscc
    client = login(users[roles.MUNICIPAL])
    page = client.get(reverse("assist:plan", args=[uscc])).content.decode()
    view = selectors.plan_for(users[roles.MUNICIPAL], uscc)
    assert view is not None and view.plan is not None
    step = next(p for p in view.plan.policies if p.policy_id == result.policy_id).gaps[0]
    assert step.article in page and step.label in page and "行动建议" in page
    data = client.get(f"/api/assist/plan/{uscc}").json()
    got = next(p for p in data["policies"] if p["policy_id"] == result.policy_id)["steps"][0]
    assert (got["condition_id"], got["gap"], got["kind"]) == (step.condition_id, step.gap, "gap")
    assert got["difference"] is None or Decimal(str(got["difference"])) == step.difference
    # the profile page and the policy's near misses link to it
    assert (
        reverse("assist:plan", args=[uscc]) in client.get(reverse("enterprises:detail", args=[uscc])).content.decode()
    )
    near = client.get(reverse("policies:enterprises", args=[result.policy_id]) + "?status=near").content.decode()
    linked = set(re.findall(r"/assist/plan/(\w+)/", near))
    nearby = {r.enterprise.uscc for r in _near(failed_count=1, policy_id=result.policy_id)}
    assert linked and linked <= nearby


def test_plan_reads_are_audited(users: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent

    own = users[roles.ENTERPRISE].uscc
    login(users[roles.ENTERPRISE]).get(reverse("assist:plan", args=[own]))
    assert AuditEvent.objects.filter(action="enterprise.plan_view", target=f"enterprise:{own}").count() == 1
