"""免申即享 / 快申快享 / standard (programmes.md §9.2): ``delivery`` in the loader and ``policy_mode`` (M1–M3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaoqi.engine import PolicyMode, policy_mode
from gaoqi.engine.rules import check_policies, load_policies
from tests.engine.rules.support import POLICIES_DIR

HEAD = """\
id: demo
name: 示例奖励
authority: 北京市科学技术委员会
document_number: 京科发〔2024〕1号
kind: subsidy
{top}versions:
  - id: "v1"
    valid_from: 2024-01-01
    valid_to: null
{delivery}    parameters:
      district: {{type: text, value: "110101"}}
      reward: {{type: money, value: 10}}
      share: {{type: ratio, value: 0.2}}
{benefit}    conditions:
      - id: in_district
        label: 注册在东城区
        article: 京科发〔2024〕1号 第三条
        kind: data
        expr: district_code = param.district
      - id: first_cert
        label: 首次认定
        article: 京科发〔2024〕1号 第三条
        kind: data
        expr: hte_prior_certificate = FALSE
{extra}"""
BENEFIT = "    benefit: {amount: param.reward, label: 一次性奖励10万元}\n"
ATTESTED = """\
      - id: invoices
        label: 购置研发设备的发票
        article: 京科发〔2024〕1号 第四条
        kind: attested
"""
EXPERT = """\
      - id: review
        label: 项目专家评审
        article: 京科发〔2024〕1号 第五条
        kind: expert
"""


def policy(tmp_path: Path, *, top: str = "", delivery: str = "", benefit: str = BENEFIT, extra: str = "") -> Path:
    (tmp_path / "demo.yaml").write_text(
        HEAD.format(top=top, delivery=delivery, benefit=benefit, extra=extra), encoding="utf-8"
    )
    return tmp_path


def messages(tmp_path: Path) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in check_policies(tmp_path)]


def test_m1_a_one_off_award_from_authoritative_data_is_msjx(tmp_path: Path) -> None:
    (p,) = load_policies(policy(tmp_path, delivery="    delivery: automatic\n"))
    (v,) = p.versions
    assert v.delivery == "automatic"
    mode = policy_mode(v)
    assert isinstance(mode, PolicyMode) and mode.code == "MSJX"
    assert "免申即享" in mode.reason


def test_the_default_is_application_and_all_data_without_the_declaration_is_kskx(tmp_path: Path) -> None:
    (p,) = load_policies(policy(tmp_path))
    (v,) = p.versions
    assert v.delivery == "application"
    assert policy_mode(v).code == "KSKX"
    assert "未声明免申即享" in policy_mode(v).reason


def test_a_top_level_delivery_is_every_versions_default_and_a_version_may_override(tmp_path: Path) -> None:
    (p,) = load_policies(policy(tmp_path, top="delivery: automatic\n"))
    assert p.versions[0].delivery == "automatic"
    (p,) = load_policies(policy(tmp_path, top="delivery: automatic\n", delivery="    delivery: application\n"))
    assert p.versions[0].delivery == "application"


def test_m2_automatic_with_an_attested_condition_is_refused_naming_policy_and_condition(tmp_path: Path) -> None:
    errs = messages(policy(tmp_path, delivery="    delivery: automatic\n", extra=ATTESTED))
    assert errs == [
        (
            27,  # the condition's line
            "policy 'demo' version 'v1': delivery 'automatic' (免申即享) needs every condition to be data; "
            "condition 'invoices' is attested",
        )
    ]
    # without the declaration it loads, and an attested condition is 快申快享 (prefill plus upload)
    (p,) = load_policies(policy(tmp_path, extra=ATTESTED))
    mode = policy_mode(p.versions[0])
    assert mode.code == "KSKX" and "购置研发设备的发票" in mode.reason


def test_m3_automatic_with_an_expert_review_is_refused_and_classified_standard(tmp_path: Path) -> None:
    errs = messages(policy(tmp_path, top="delivery: automatic\n", extra=EXPERT))
    assert len(errs) == 1 and "condition 'review' is expert" in errs[0][1] and "policy 'demo'" in errs[0][1]
    (p,) = load_policies(policy(tmp_path, extra=EXPERT + ATTESTED))
    mode = policy_mode(p.versions[0])
    assert mode.code == "STANDARD" and "项目专家评审" in mode.reason


def test_automatic_without_a_benefit_amount_is_refused(tmp_path: Path) -> None:
    errs = messages(policy(tmp_path, delivery="    delivery: automatic\n", benefit=""))
    assert len(errs) == 1 and "needs a computable benefit amount" in errs[0][1]
    assert errs[0][0] == 7  # the version's line


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("    delivery: automatc\n", "delivery 'automatc' must be one of application, automatic"),
        ("    delivery: [automatic]\n", "delivery '['automatic']' must be one of application, automatic"),
    ],
)
def test_a_misspelt_delivery_is_refused(tmp_path: Path, text: str, wanted: str) -> None:
    assert [m for _, m in messages(policy(tmp_path, delivery=text))] == [wanted]


def test_benefit_period(tmp_path: Path) -> None:
    once = "    benefit: {amount: param.reward, label: 一次性奖励, period: once}\n"
    (p,) = load_policies(policy(tmp_path, benefit=once))
    assert p.versions[0].benefit is not None and p.versions[0].benefit.period == "once"
    (p,) = load_policies(policy(tmp_path))
    assert p.versions[0].benefit is not None and p.versions[0].benefit.period == "year"
    bad = "    benefit: {amount: param.reward, label: 一次性奖励, period: monthly}\n"
    assert [m for _, m in messages(policy(tmp_path, benefit=bad))] == [
        "benefit period 'monthly' must be one of year, once"
    ]


def test_the_shipped_dongcheng_reward_is_msjx_and_the_hte_certification_standard() -> None:
    policies = {p.id: p for p in load_policies(POLICIES_DIR)}
    (v,) = policies["dongcheng-hte-reward"].versions
    assert (v.delivery, policy_mode(v).code) == ("automatic", "MSJX")
    assert v.benefit is not None and v.benefit.period == "once"
    hte = policies["hte-certification"].versions[-1]
    assert (hte.delivery, policy_mode(hte).code) == ("application", "STANDARD")
