"""explain: every condition of one enterprise with its values, gap, article and sources.

The typed explanation (``Explanation``) and its JSON form are checked here too; explain agreeing with the
batch for every shipped policy over a synthetic population is in test_shipped_policies.py.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from gaoqi.engine.rules import (
    EXPLAIN_SCHEMA,
    ConditionOutcome,
    Explanation,
    Policy,
    Provenance,
    ScoreOutcome,
    explain,
    load_policies,
)
from tests.engine.rules.support import AS_OF, POLICIES_DIR
from tests.engine.rules.support import HteWorkspace as Workspace

D = Decimal


@pytest.fixture(scope="module")
def policies() -> list[Policy]:
    return [p for p in load_policies(POLICIES_DIR) if p.id == "hte-certification"]


@pytest.fixture()
def ws() -> Workspace:
    return Workspace()


def test_explain_gives_every_condition_with_values_and_sources(ws: Workspace, policies: list[Policy]) -> None:
    e = ws.company(sales=(1000, 2000, 2000), rd=(70, 70, 75))
    ws.evaluate(policies)
    x = explain(ws.con, e, "hte-certification", AS_OF, policies)
    assert (x["status"], x["policy_version"], x["binding_condition"]) == ("fail", "2016", "rd_ratio")
    by_id = {c["id"]: c for c in x["conditions"]}
    assert list(by_id) == [
        "established_one_year", "core_ip", "tech_field", "st_staff_share", "rd_ratio", "rd_domestic_share",
        "ht_revenue_share", "innovation_score", "no_major_accident",
    ]  # fmt: skip
    rd = by_id["rd_ratio"]
    assert (rd["outcome"], rd["observed"], rd["required"], rd["op"]) == ("fail", D("0.043"), D("0.05"), ">=")
    assert rd["article"] == "国科发火〔2016〕32号 第十一条（五）"
    assert rd["gap"] == "研究开发费用占比 4.3%，至少需 5%，差 0.7 个百分点；约需增加研究开发费用 35万元"
    assert rd["lever"] == D("35")
    assert rd["values"]["sales_revenue_last_year"] == D("2000")
    last = rd["provenance"]["sales_revenue_last_year"]
    assert [(p["feed"], p["file_name"], p["load_id"]) for p in last] == [("finance", "finance_2025.csv", 2)]
    window = rd["provenance"]["sales_revenue_window"]
    assert [(p["fiscal_year"], p["feed"]) for p in window] == [(2022, "finance"), (2023, "finance"), (2024, "finance")]
    ratio = rd["provenance"]["hte_rd_ratio"]
    assert [(p["feed"], p["fiscal_year"]) for p in ratio] == [
        ("rd", 2022), ("rd", 2023), ("rd", 2024), ("finance", 2022), ("finance", 2023), ("finance", 2024),
    ]  # fmt: skip
    age = by_id["established_one_year"]["provenance"]["days_since_established"]
    assert [(p["feed"], p["file_name"]) for p in age] == [("registration", "registration_2025.csv")]
    assert by_id["innovation_score"]["outcome"] == "pending"
    assert by_id["innovation_score"]["article"] == "国科发火〔2016〕32号 第十一条（七）"
    assert by_id["established_one_year"]["outcome"] == "pass"
    assert by_id["established_one_year"]["gap"] is None


# --- the typed explanation ----------------------------------------------------------------------------------


def test_the_explanation_is_typed_and_reads_as_its_dictionary(ws: Workspace, policies: list[Policy]) -> None:
    e = ws.company(sales=(1000, 2000, 2000), rd=(70, 70, 75))
    ws.evaluate(policies)
    x = explain(ws.con, e, "hte-certification", AS_OF, policies)
    assert isinstance(x, Explanation)
    assert all(isinstance(c, ConditionOutcome) for c in x.conditions)
    assert all(isinstance(s, ScoreOutcome) for s in x.scores)
    # attribute and key alike (templates read both the same way), field names = the dictionary's keys
    plain = x.to_dict()
    assert list(plain) == [
        "uscc", "policy_id", "policy_version", "as_of", "status", "binding_condition", "binding_gap",
        "benefit_amount", "benefit_label", "conditions", "scores",
    ]  # fmt: skip
    assert (x.status, x["status"], plain["status"]) == ("fail", "fail", "fail")
    assert x == plain and {**x} == plain
    rd = next(c for c in x.conditions if c.id == "rd_ratio")
    assert (rd.outcome, rd.observed, rd.required, rd.lever) == ("fail", D("0.043"), D("0.05"), D("35"))
    assert rd.expr == "hte_rd_ratio >= CASE WHEN sales_revenue_last_year <= param.sales_tier1_max THEN " \
        "param.rd_ratio_tier1 WHEN sales_revenue_last_year <= param.sales_tier2_max THEN param.rd_ratio_tier2 " \
        "ELSE param.rd_ratio_tier3 END"  # fmt: skip
    assert list(rd.to_dict()) == [
        "id", "label", "article", "kind", "note", "outcome", "observed", "required", "op", "expr", "gap", "lever",
        "difference", "difference_unit", "difference_word", "observed_min", "observed_max", "waived", "values",
        "provenance",
    ]  # fmt: skip
    # the difference the sentence states, typed: 4.3 % against 5 % is short by 0.7 percentage points
    assert (rd.difference, rd.difference_unit, rd.difference_word) == (D("0.7"), "个百分点", "差")
    assert rd.gap is not None and "，差 0.7 个百分点" in rd.gap
    passing = next(c for c in x.conditions if c.outcome == "pass")
    assert (passing.difference, passing.difference_unit, passing.difference_word) == (None, None, None)
    last = rd.provenance["sales_revenue_last_year"]
    assert last == (Provenance("finance", "finance_2025.csv", 2, last[0].line),)
    assert rd.to_dict()["provenance"]["sales_revenue_last_year"] == [
        {"load_id": 2, "line": last[0].line, "feed": "finance", "file_name": "finance_2025.csv"}
    ]
    window = rd.provenance["sales_revenue_window"]
    assert [(p.fiscal_year, p.feed) for p in window] == [(2022, "finance"), (2023, "finance"), (2024, "finance")]
    assert list(window[0].to_dict()) == ["fiscal_year", "load_id", "line", "feed", "file_name"]
    # IP counts trace to the records counted: kept as they are
    ip = next(c for c in x.conditions if c.id == "core_ip").provenance["ip_class1_count"]
    assert ip and all(p.record is not None and p.feed is None for p in ip)
    assert ip[0].to_dict() == dict(ip[0].record or {})


def test_the_json_form_is_stable_and_names_its_schema(ws: Workspace, policies: list[Policy]) -> None:
    e = ws.company(sales=(1000, 2000, 2000), rd=(70, 70, 75))
    ws.evaluate(policies)
    x = explain(ws.con, e, "hte-certification", AS_OF, policies)
    data = json.loads(x.to_json())
    assert list(data)[:2] == ["schema", "uscc"] and data["schema"] == EXPLAIN_SCHEMA == "gaoqi-explain/1"
    assert (data["as_of"], data["status"], data["binding_condition"]) == ("2025-03-01", "fail", "rd_ratio")
    rd = next(c for c in data["conditions"] if c["id"] == "rd_ratio")
    # Decimals exactly, as text
    assert (rd["observed"], rd["required"], rd["lever"]) == ("0.043000000000", "0.05", "35.0000000000000000")
    assert x.to_json() == explain(ws.con, e, "hte-certification", AS_OF, policies).to_json()
