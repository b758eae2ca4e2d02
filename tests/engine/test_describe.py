"""Conditions and parameters read as words: feature names, parameter values with their unit, codes by name."""

from __future__ import annotations

import pytest

from gaoqi.engine.describe import describe_condition, describe_parameter
from gaoqi.engine.rules import PolicyVersion, default_policy_dir, load_policies


def _version(policy_id: str, version_id: str) -> PolicyVersion:
    policy = next(p for p in load_policies(default_policy_dir()) if p.id == policy_id)
    return next(v for v in policy.versions if v.id == version_id)


@pytest.mark.parametrize(
    ("policy_id", "version_id", "condition_id", "text"),
    [
        ("hte-certification", "2016", "established_one_year", "成立天数 ≥ 365天"),
        ("hte-certification", "2016", "core_ip", "Ⅰ类知识产权数 + Ⅱ类知识产权数 ≥ 1件"),
        ("hte-certification", "2016", "st_staff_share", "科技人员占比 ≥ 10%"),
        (
            "hte-certification", "2016", "rd_ratio",
            "研究开发费用占比 ≥ （若 最近一年销售收入 ≤ 5000万元 则 5%；若 最近一年销售收入 ≤ 20000万元 则 4%；否则 3%）",
        ),
        # the 2008 version's first tier was 6%
        ("hte-certification", "2008", "rd_ratio",
         "研究开发费用占比 ≥ （若 最近一年销售收入 ≤ 5000万元 则 6%；若 最近一年销售收入 ≤ 20000万元 则 4%；否则 3%）"),
        # an expert condition's data screen
        ("hte-certification", "2016", "innovation_score", "企业创新能力评价总分 > 70"),
        ("dongcheng-hte-reward", "2022", "registered_in_dongcheng", "所属区县代码 = 东城区"),
        ("dongcheng-hte-reward", "2022", "first_certification", "曾持有更早的高企证书（重新认定） = 否"),
        # a factor has no unit; a ratio parameter reads as a percentage
        ("dongcheng-hte-renewal-reward", "2022", "revenue_growth", "销售收入（第3年） > 销售收入（第2年） × （1 + 10%）"),
        ("tech-sme", "2017", "sales_cap", "最近一年销售收入 ≤ 20000万元"),
        ("rd-super-deduction", "2023", "not_excluded_industry",
         "（行业门类 属于 “批发和零售业”、“住宿和餐饮业”、“房地产业”、“租赁和商务服务业” 或 行业大类 属于 “16”、“90”） = 否"),
    ],
)  # fmt: skip
def test_a_condition_reads_as_words(policy_id: str, version_id: str, condition_id: str, text: str) -> None:
    version = _version(policy_id, version_id)
    cond = next(c for c in version.conditions if c.id == condition_id)
    assert describe_condition(cond, version) == text


def test_a_condition_without_a_data_test_has_no_text() -> None:
    version = _version("hte-certification", "2016")
    cond = next(c for c in version.conditions if c.id == "tech_field")
    assert describe_condition(cond, version) is None


def test_parameters_read_with_their_unit() -> None:
    version = _version("hte-certification", "2016")
    assert describe_parameter(version.parameters["st_staff_share_min"]) == "10%"
    assert describe_parameter(version.parameters["ip_min"]) == "1"
    assert describe_parameter(_version("dongcheng-hte-reward", "2022").parameters["district"]) == "东城区"
    assert describe_parameter(_version("dongcheng-hte-reward", "2022").parameters["reward"]) == "10万元"


def test_values_read_with_their_unit_and_at_most_two_decimals() -> None:
    import datetime as dt
    from decimal import Decimal

    from gaoqi.engine.describe import describe_value

    assert describe_value(0.042724, "ratio") == "4.27%"
    assert describe_value(Decimal("711.4349"), "money") == "711.43万元"
    assert describe_value(4.75, "count", "人") == "4.75人"
    assert describe_value(365, "integer", "天") == "365天"
    assert describe_value("110108", "text", feature="district_code") == "海淀区"
    assert describe_value(True, "boolean") == describe_value(True) == "是"
    assert describe_value(dt.date(2026, 6, 30)) == "2026年6月30日"
    assert describe_value(None, "ratio") == "—"
    assert describe_value(["110101", "110108"], "text", feature="district_code") == "东城区、海淀区"
