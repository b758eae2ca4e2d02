"""``load_policy_text``: a policy written in the platform goes through exactly the checks of a file."""

from __future__ import annotations

import hashlib

import pytest

import gaoqi.engine
from gaoqi.engine.rules import PolicyLoadError, load_policy_file, load_policy_text
from tests.engine.rules.support import POLICIES_DIR

TEXT = """\
id: draft-reward
name: 草稿奖励
authority: 北京市科学技术委员会
document_number: 京科发〔2026〕1号
kind: subsidy
versions:
  - id: "2027"
    valid_from: 2027-01-01
    valid_to: null
    documents: [京科发〔2026〕1号]
    parameters:
      reward: {type: money, value: 20, label: 奖励金额}
    benefit: {amount: param.reward, label: 奖励20万元}
    conditions:
      - id: hte
        label: 持有高新技术企业证书
        article: 京科发〔2026〕1号 第三条
        kind: data
        expr: has_hte_certificate = TRUE
"""


def test_text_loads_like_a_file() -> None:
    policy = load_policy_text(TEXT, "草稿#1")
    assert policy.id == "draft-reward"
    assert policy.file == "草稿#1"
    assert policy.sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    (version,) = policy.versions
    assert version.sha256 == policy.sha256
    assert str(version.benefit.amount) == "param.reward"  # type: ignore[union-attr]
    assert version.conditions[0].features == ("has_hte_certificate",)
    assert "load_policy_text" in gaoqi.engine.__all__
    assert gaoqi.engine.load_policy_text is load_policy_text


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("has_hte_certificate = TRUE", "no_such_feature = TRUE", 19, "unknown feature 'no_such_feature'"),
        ("has_hte_certificate = TRUE", "has_hte_certificate = param.reward", 19, "cannot compare boolean with money"),
        ("京科发〔2026〕1号 第三条", "京科发〔2025〕9号 第三条", 17, "not one of this version's documents"),
    ],
)
def test_a_bad_text_is_refused_with_its_line(old: str, new: str, line: int, words: str) -> None:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_text(TEXT.replace(old, new), "草稿#1")
    (error,) = caught.value.errors
    assert (error.file, error.line) == ("草稿#1", line)
    assert words in error.message


def test_overlapping_versions_in_text_are_refused() -> None:
    second = (
        TEXT
        + '  - id: "2028"\n    valid_from: 2027-06-01\n    valid_to: null\n'
        + TEXT.split("    valid_to: null\n")[1]
    )
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_text(second)
    assert any("overlaps version '2027'" in e.message for e in caught.value.errors)


def test_a_shipped_file_read_as_text_is_the_same_policy() -> None:
    path = POLICIES_DIR / "dongcheng-hte-reward.yaml"
    shipped = load_policy_file(path)
    again = load_policy_text(path.read_text(encoding="utf-8"), str(path))
    assert again == shipped
