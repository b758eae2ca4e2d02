"""行动建议 over hand-built enterprises (the engine's rules test workspace): the plan's numbers are the engine's
explanation's, unknown data gives 补充数据 steps, the order, the limit and the dates."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gaoqi.ai.assist.plan import DATA, GAP, build_plan, policy_plan, settings
from gaoqi.engine.rules import Policy, explain, load_policies
from tests.engine.rules.support import AS_OF, POLICIES_DIR, HteWorkspace

D = Decimal


@pytest.fixture(scope="module")
def hte() -> Policy:
    return next(p for p in load_policies(POLICIES_DIR) if p.id == "hte-certification")


@pytest.fixture(scope="module")
def world(hte: Policy) -> dict[str, Any]:
    ws = HteWorkspace()
    people = {
        "one": ws.company(sales=(1000, 2000, 2000), rd=(70, 70, 75)),  # R&D ratio 4.3% < 5%
        "two": ws.company(sales=(1000, 2000, 2000), rd=(70, 70, 75), st_staff=5),  # and S&T staff 5% < 10%
        "three": ws.company(sales=(1000, 2000, 2000), rd=(70, 70, 75), st_staff=5, ht=100),  # and HT revenue
        "ok": ws.company(),
    }
    bare = ws.enterprise()  # no R&D rows: the R&D conditions are unknown, no IP: core_ip fails
    ws.finance(bare, 2024, 1000)
    people["bare"] = bare
    ws.evaluate([hte])
    return {k: explain(ws.con, v, "hte-certification", AS_OF, [hte]).to_dict() for k, v in people.items()}


def test_the_gap_steps_numbers_are_the_engines(hte: Policy, world: dict[str, Any]) -> None:
    for who in ("one", "two"):
        engine = {c["id"]: c for c in world[who]["conditions"] if c["outcome"] == "fail"}
        plan = policy_plan(hte, world[who], AS_OF)
        assert plan is not None and {s.condition_id for s in plan.gaps} == set(engine)
        for step in plan.gaps:
            c = engine[step.condition_id]
            assert (step.observed, step.required, step.op, step.lever, step.gap) == (
                c["observed"], c["required"], c["op"], c["lever"], c["gap"],
            )  # fmt: skip
            assert (step.label, step.article) == (c["label"], c["article"])
            stated = re.search(r"，差 ([\d.]+) 个百分点", c["gap"])
            assert stated and step.difference == D(stated.group(1)) and step.difference_unit == "个百分点"
            assert step.difference == (step.required - step.observed) * 100  # the engine's own values agree
    one = policy_plan(hte, world["one"], AS_OF)
    assert one is not None
    rd = one.gaps[0]
    assert (rd.observed, rd.required, rd.difference, rd.lever) == (D("0.043"), D("0.05"), D("0.7"), D("35"))
    assert rd.sentence == (
        "近三个会计年度研究开发费用总额占同期销售收入总额的比例符合要求（国科发火〔2016〕32号 第十一条（五））："
        "目前为 4.3%，要求不低于 5%，差 0.7 个百分点。按引擎测算，约需增加研究开发费用 35万元。"
    )
    assert (rd.due, rd.due_text.startswith("须在2025年12月31日前达到")) == (date(2025, 12, 31), True)
    assert one.unlocks == "完成以上各项后可满足：高新技术企业认定。"


def test_unknown_data_gives_supplementary_data_steps_not_gaps(hte: Policy, world: dict[str, Any]) -> None:
    plan = policy_plan(hte, world["bare"], AS_OF)
    assert plan is not None
    unknown = {c["id"] for c in world["bare"]["conditions"] if c["outcome"] == "unknown"}
    assert unknown and {s.condition_id for s in plan.data_steps} == unknown
    assert [s.condition_id for s in plan.gaps] == ["core_ip"]  # the only failing condition
    rd = next(s for s in plan.data_steps if s.condition_id == "rd_ratio")
    assert rd.kind == DATA and rd.difference is None and rd.observed is None
    missing = {m.feature: m for m in rd.missing}
    assert set(missing) == {"hte_rd_ratio"} and missing["hte_rd_ratio"].department == "科技统计"
    assert rd.sentence.startswith("补充数据：") and "研究开发费用占比" in rd.sentence and "科技统计" in rd.sentence
    # the gaps come first, the data steps after them
    assert [s.kind for s in plan.steps] == [GAP] + [DATA] * len(plan.data_steps)


def test_no_date_is_invented(hte: Policy, world: dict[str, Any]) -> None:
    core_ip = policy_plan(hte, world["bare"], AS_OF).gaps[0]  # type: ignore[union-attr]
    # IP is no yearly figure; the only listed deadlines are 2026's (unconfirmed), none for 2025: unknown
    assert core_ip.due is None and "没有可用的日期" in core_ip.due_text
    later = policy_plan(hte, world["bare"], date(2026, 6, 1)).gaps[0]  # type: ignore[union-attr]
    assert later.due == date(2026, 7, 17) and "高企规则摘要 §6.6" in later.due_text
    assert policy_plan(hte, world["bare"], date(2026, 10, 1)).gaps[0].due is None  # type: ignore[union-attr]


def test_the_order_and_the_limit(hte: Policy, world: dict[str, Any]) -> None:
    two = policy_plan(hte, world["two"], AS_OF)
    assert two is not None
    # R&D ratio is 14% short of its requirement, S&T staff 50%: the smaller gap first
    assert [s.condition_id for s in two.gaps] == ["rd_ratio", "st_staff_share"]
    assert settings().max_failed == 2
    assert policy_plan(hte, world["three"], AS_OF) is None  # three failing conditions: beyond the plan
    assert policy_plan(hte, world["three"], AS_OF, max_failed=3) is not None
    assert policy_plan(hte, world["ok"], AS_OF) is None  # nothing fails, nothing lacks data (experts pending)
    plan = build_plan("x", AS_OF, [(hte, world[w]) for w in ("two", "bare", "one", "three")])
    assert [p.failed for p in plan.policies] == [1, 1, 2]  # nearest first: one, bare (1 gap + data), two
    assert plan.policies[0].gaps[0].rank < plan.policies[1].gaps[0].rank
