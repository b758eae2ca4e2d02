"""Policy files: loading, the shipped HTE file, and rejection with file and line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gaoqi.engine.rules import PolicyError, PolicyLoadError, check_policies, ir, load_policies
from tests.engine.rules.support import POLICIES_DIR

# Line numbers matter below: 'expr' is line 18, 'article' line 16, the version starts on line 7.
DEMO = """\
id: demo
name: 示例政策
authority: 科技部
document_number: 国科发火〔2016〕32号
kind: certification
versions:
  - id: "v1"
    valid_from: 2016-01-01
    valid_to: null
    parameters:
      min_days: {type: integer, value: 365}
      ratio_min: {type: ratio, value: 0.05}
    conditions:
      - id: age
        label: 成立一年以上
        article: 国科发火〔2016〕32号 第十一条（一）
        kind: data
        expr: days_since_established >= param.min_days
      - id: field
        label: 技术领域
        article: 国科发火〔2016〕32号 第十一条（三）
        kind: expert
"""


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(tmp_path: Path, text: str) -> list[tuple[str, int, str]]:
    path = write(tmp_path, text)
    return [(Path(e.file).name, e.line, e.message) for e in check_policies(path.parent)]


def test_demo_loads(tmp_path: Path) -> None:
    write(tmp_path, DEMO)
    (p,) = load_policies(tmp_path)
    assert (p.id, p.kind, len(p.versions)) == ("demo", "certification", 1)
    v = p.versions[0]
    age = v.conditions[0]
    assert (str(age.observed), age.op, str(age.required), age.observed_type) == (
        "days_since_established", ">=", "param.min_days", "integer",
    )  # fmt: skip
    # the sides are typed IR trees
    assert age.observed == ir.Feature("days_since_established", "integer")
    assert age.required == ir.Param("min_days", "integer")
    assert age.features == ("days_since_established",)
    assert v.parameters["ratio_min"].value == Decimal("0.05")
    assert p.version_at(date(2015, 12, 31)) is None
    assert p.version_at(date(2030, 1, 1)) is v
    assert len(p.sha256) == 64


def test_the_shipped_hte_file(tmp_path: Path) -> None:
    assert check_policies(POLICIES_DIR) == []
    (hte,) = [p for p in load_policies(POLICIES_DIR) if p.id == "hte-certification"]
    v2008, v2016 = hte.versions
    assert (v2008.valid_from, v2008.valid_to) == (date(2008, 4, 14), date(2015, 12, 31))
    assert (v2016.valid_from, v2016.valid_to) == (date(2016, 1, 1), None)
    assert hte.version_at(date(2015, 12, 31)) is v2008 and hte.version_at(date(2016, 1, 1)) is v2016
    # all eight items of Art. 11, (五) twice
    items = [c.article.removeprefix("国科发火〔2016〕32号 第十一条") for c in v2016.conditions]
    assert items == ["（一）", "（二）", "（三）", "（四）", "（五）", "（五）", "（六）", "（七）", "（八）"]
    kinds = {c.id: c.kind for c in v2016.conditions}
    assert kinds["tech_field"] == kinds["innovation_score"] == "expert"
    assert [k for k in kinds.values() if k == "data"] == ["data"] * 7
    p = v2016.parameters
    assert [p[n].value for n in ("sales_tier1_max", "sales_tier2_max")] == [5000, 20000]
    assert [p[n].value for n in ("rd_ratio_tier1", "rd_ratio_tier2", "rd_ratio_tier3")] == [
        Decimal("0.05"), Decimal("0.04"), Decimal("0.03"),
    ]  # fmt: skip
    assert p["st_staff_share_min"].value == Decimal("0.10") and p["min_days_established"].value == 365
    # the 2008 values that could not be checked say so
    unconfirmed = {n for n, q in v2008.parameters.items() if q.unconfirmed}
    assert {"rd_ratio_tier1", "rd_ratio_tier2", "rd_ratio_tier3", "college_st_staff_share_min"} <= unconfirmed
    assert v2008.parameters["rd_ratio_tier1"].value == Decimal("0.06")
    assert {c.id: c.kind for c in v2008.conditions}["staff"] == "attested"


def test_structured_form_is_accepted(tmp_path: Path) -> None:
    text = DEMO.replace(
        "        expr: days_since_established >= param.min_days\n",
        '        observed: hte_rd_ratio\n        op: ">="\n        required: param.ratio_min\n'
        "        lever: {per: sales_revenue_window, unit: 万元, what: 增加研究开发费用}\n",
    )
    write(tmp_path, text)
    age = load_policies(tmp_path)[0].versions[0].conditions[0]
    assert age.expr == "hte_rd_ratio >= param.ratio_min"
    assert age.lever is not None and age.lever_features == ("sales_revenue_window",)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("days_since_established >=", "days_since_establishd >=", 18, "unknown feature 'days_since_establishd'"),
        (
            "days_since_established >= param.min_days",
            "hte_rd_ratio >= sales_revenue_last_year",
            18,
            "type error: cannot compare ratio with money",
        ),
        (
            "days_since_established >= param.min_days",
            "hte_rd_ratio >= param.min_days",
            18,
            "type error: cannot compare ratio with integer",
        ),
        ("param.min_days", "param.min_dayz", 18, "undeclared parameter 'min_dayz'"),
        ("param.min_days", "limits.min_days", 18, "unknown name 'limits.min_days'"),
        (
            "days_since_established >= param.min_days",
            "COALESCE(hte_rd_ratio, 0) >= param.ratio_min",
            18,
            "function COALESCE is not allowed",
        ),
        ("days_since_established >= param.min_days", "hte_rd_ratio >= (SELECT 1)", 18, "subqueries are not allowed"),
        (
            "days_since_established >= param.min_days",
            "has_hte_certificate AND has_tech_sme",
            18,
            "'expr' must be one comparison",
        ),
        (
            "days_since_established >= param.min_days",
            "hte_rd_ratio >= CASE WHEN has_tech_sme THEN param.ratio_min ELSE sales_revenue_window END",
            18,
            "type error: CASE branches mix ratio and money",
        ),
        ("days_since_established >= param.min_days", "days_since_established >=", 18, "cannot parse"),
        ("article: 国科发火〔2016〕32号 第十一条（一）", "article: 第十一条（一）", 16, "must read '<document number>"),
        (
            "article: 国科发火〔2016〕32号 第十一条（一）",
            "article: 国科发火〔2016〕99号 第十一条（一）",
            16,
            "cites 国科发火〔2016〕99号, not one of this version's documents",
        ),
        ("kind: data", "kind: maybe", 17, "condition kind 'maybe'"),
        (
            "ratio_min: {type: ratio, value: 0.05}",
            "ratio_min: {type: ratio, value: five}",
            12,
            "ratio value must be a number",
        ),
        ("valid_to: null", "valid_to: 2015-01-01", 7, "valid_to 2015-01-01 is before valid_from"),
        ("    valid_to: null\n", "    valid_to: null\n    valid_until: 2020-01-01\n", 10, "unknown key 'valid_until'"),
    ],
)
def test_errors_carry_file_and_line(tmp_path: Path, old: str, new: str, line: int, message: str) -> None:
    assert old in DEMO
    errors = errors_of(tmp_path, DEMO.replace(old, new, 1))
    assert len(errors) >= 1
    file, got_line, got = errors[0]
    assert (file, got_line) == ("demo.yaml", line), errors
    assert message in got, errors
    with pytest.raises(PolicyLoadError, match=r"demo\.yaml:\d+: "):
        load_policies(tmp_path)


def second_version(valid_from: str, valid_to: str = "null") -> str:
    first = DEMO.replace("valid_to: null", "valid_to: 2019-12-31")
    extra = (
        f'  - id: "v2"\n    valid_from: {valid_from}\n    valid_to: {valid_to}\n    conditions:\n'
        "      - id: field\n        label: 技术领域\n        article: 国科发火〔2016〕32号 第十一条（三）\n"
        "        kind: expert\n"
    )
    return first + extra


def test_consecutive_versions_load(tmp_path: Path) -> None:
    write(tmp_path, second_version("2020-01-01"))
    p = load_policies(tmp_path)[0]
    assert [v.id for v in p.versions] == ["v1", "v2"]
    assert p.version_at(date(2019, 12, 31)).id == "v1"  # type: ignore[union-attr]
    assert p.version_at(date(2020, 1, 1)).id == "v2"  # type: ignore[union-attr]


def test_overlapping_versions_are_rejected_with_file_and_line(tmp_path: Path) -> None:
    assert errors_of(tmp_path, second_version("2019-06-01")) == [
        ("demo.yaml", 23, "version 'v2' (from 2019-06-01) overlaps version 'v1' (2016-01-01 – 2019-12-31)")
    ]


def test_open_ended_version_before_another_overlaps(tmp_path: Path) -> None:
    text = second_version("2020-01-01").replace("valid_to: 2019-12-31", "valid_to: null")
    assert errors_of(tmp_path, text) == [
        ("demo.yaml", 23, "version 'v2' (from 2020-01-01) overlaps version 'v1' (2016-01-01 – open)")
    ]


def test_gap_between_versions_is_rejected(tmp_path: Path) -> None:
    assert errors_of(tmp_path, second_version("2020-01-02")) == [
        ("demo.yaml", 23, "gap between version 'v1' (to 2019-12-31) and version 'v2' (from 2020-01-02)")
    ]


def test_invalid_yaml_and_missing_keys(tmp_path: Path) -> None:
    errs = errors_of(tmp_path, DEMO.replace("kind: certification", "kind: [certification"))
    assert errs[0][:2] == ("demo.yaml", 6) and "invalid YAML" in errs[0][2]
    errs = errors_of(tmp_path, DEMO.replace("name: 示例政策\n", ""))
    assert errs == [("demo.yaml", 1, "missing 'name'")]


def test_duplicate_policy_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, DEMO, "a.yaml")
    write(tmp_path, DEMO, "b.yaml")
    errors = check_policies(tmp_path)
    assert [(Path(e.file).name, e.line) for e in errors] == [("b.yaml", 1)]
    assert "also defined in" in errors[0].message
    assert str(errors[0]).startswith(str(tmp_path / "b.yaml") + ":1: ")


def test_policy_error_str() -> None:
    assert str(PolicyError("x.yaml", 3, "boom")) == "x.yaml:3: boom"


# --- scores, screens, waivers, benefits -----------------------------------------------------------------

SCORED = DEMO.replace(
    "    conditions:\n",
    """    scores:
      - id: staff
        label: 科技人员
        assessed_by: data
        max: 20
        value: st_staff_share
        bands:
          - {grade: A, at_least: 0.3, points: 20}
          - {grade: B, above: 0.1, points: [5, 10]}
          - {grade: F, points: 0}
      - id: panel
        label: 专家评分
        assessed_by: expert
        max: 10
      - id: total
        label: 合计
        expr: score.staff + least(score.panel, 8)
    conditions:
""",
).replace(
    "        kind: expert\n",
    "        kind: expert\n        screen: score.total > 20\n",
)


def test_scores_screens_and_benefits_load(tmp_path: Path) -> None:
    text = SCORED.replace(
        "        expr: days_since_established >= param.min_days\n",
        "        expr: days_since_established >= param.min_days\n"
        "        waived_if: {when: has_hte_certificate = TRUE, label: 直接认定}\n",
    ).replace("    conditions:\n", "    benefit: {amount: param.reward, label: 奖励}\n    conditions:\n", 1)
    text = text.replace("      ratio_min:", "      reward: {type: money, value: 10}\n      ratio_min:", 1)
    write(tmp_path, text)
    v = load_policies(tmp_path)[0].versions[0]
    staff, panel, total = v.scores
    assert [(b.grade, b.lo, b.hi, b.when and str(b.when)) for b in staff.bands] == [
        ("A", 20, 20, "(st_staff_share) >= (0.3)"),
        ("B", 5, 10, "(st_staff_share) > (0.1)"),
        ("F", 0, 0, None),
    ]
    assert (panel.assessed_by, panel.max_points, total.assessed_by, total.scores) == (
        "expert", 10, "combined", ("panel", "staff"),
    )  # fmt: skip
    age, field = v.conditions
    assert age.waiver is not None and age.waiver.features == ("has_hte_certificate",)
    assert field.screened and field.scores == ("total",) and str(field.observed) == "score.total"
    assert v.benefit is not None and str(v.benefit.amount) == "param.reward"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("score.total > 20", "score.totl > 20", "unknown score 'totl'"),
        ("score.total > 20", "20 < score.total", "scores belong on the left"),
        ("score.total > 20", "score.total - score.panel > 20", "may only add, least() or greatest() them"),
        ("expr: score.staff + least(score.panel, 8)", "expr: score.staff - score.panel", "a combined score adds"),
        ("expr: score.staff + least(score.panel, 8)", "expr: score.staff + ip_class1_count", "a combined score adds"),
        ("{grade: A, at_least: 0.3, points: 20}", "{grade: A, at_least: 0.3, points: 25}", "must lie within 0–20"),
        ("{grade: F, points: 0}", "{grade: F, above: 0, points: 0}", "the last band is the 'otherwise' band"),
        ("{grade: B, above: 0.1, points: [5, 10]}", "{grade: B, points: [5, 10]}", "only the last band may omit"),
        ("at_least: 0.3", "at_least: sales_revenue_last_year", "cannot compare value (ratio) with money"),
        ("value: st_staff_share", "value: name", "a score's value must be numeric"),
        ("        kind: expert\n        screen:", "        kind: data\n        screen:", "'screen' is for attested"),
        ("assessed_by: expert", "assessed_by: guess", "assessed_by 'guess' must be one of"),
        (
            "days_since_established >= param.min_days",
            "(district_code IN ('110108', sales_revenue_last_year)) = TRUE",
            "IN takes a list of literals",
        ),
        ("days_since_established >= param.min_days", "district_code IN (110108) = TRUE", "text IN a list"),
    ],
)
def test_score_errors_are_rejected(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in SCORED, old
    errors = errors_of(tmp_path, SCORED.replace(old, new, 1))
    assert errors and message in errors[0][2], errors
    assert errors[0][1] > 1  # a line inside the file


def test_articles_without_a_bracketed_number_cite_the_document_by_name(tmp_path: Path) -> None:
    text = DEMO.replace("    valid_to: null\n", "    valid_to: null\n    documents: [财政部 税务总局公告2023年第7号]\n")
    text = text.replace("国科发火〔2016〕32号 第十一条（一）", "财政部 税务总局公告2023年第7号 第一条")
    text = text.replace("国科发火〔2016〕32号 第十一条（三）", "财政部 税务总局公告2023年第7号 第二条")
    write(tmp_path, text)
    assert check_policies(tmp_path) == []
    bad = text.replace("财政部 税务总局公告2023年第7号 第二条", "财政部 税务总局公告2023年第8号 第二条")
    assert "must read '<document number>" in errors_of(tmp_path, bad)[0][2]


def test_checked_policies_are_cached_by_file_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean file is stored as pickled IR and read back equal; a changed file is loaded (and checked)
    again; an unreadable entry is replaced by a fresh load; GAOQI_POLICY_CACHE=0 reads the YAML."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GAOQI_CACHE_DIR", str(cache))
    pdir = tmp_path / "p"
    pdir.mkdir()
    src = (POLICIES_DIR / "dongcheng-hte-reward.yaml").read_text(encoding="utf-8")
    (pdir / "x.yaml").write_text(src, encoding="utf-8")
    monkeypatch.setenv("GAOQI_POLICY_CACHE", "0")
    plain = load_policies(pdir)
    assert not cache.exists()
    monkeypatch.setenv("GAOQI_POLICY_CACHE", "1")
    first = load_policies(pdir)
    entries = list((cache / "policies").glob("*.pickle"))
    assert len(entries) == 1
    assert load_policies(pdir) == first == plain
    entries[0].write_bytes(b"not a pickle")
    assert load_policies(pdir) == plain
    # a changed file: a new key, and the checks run (a bad edit is reported, not served from the cache)
    (pdir / "x.yaml").write_text(src.replace("kind: data", "kind: dataa", 1), encoding="utf-8")
    with pytest.raises(PolicyLoadError):
        load_policies(pdir)
