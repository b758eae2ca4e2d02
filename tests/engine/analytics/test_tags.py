"""Each tag group at its boundary (hand-computed), list tags from the same file's results, and load errors
with file and line."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from gaoqi.engine import PolicyLoadError, Workspace, default_tags, load_tags
from gaoqi.engine.analytics.tags import default_tags_file, load_tags_text

from .conftest import build, ent

LISTS = frozenset({"cultivation-pool", "small-to-above-scale", "above-scale-to-strong", "above-scale"})


def tags_of(
    tmp_path: Path, rows: list[dict], results: tuple = (), warnings: tuple | None = None
) -> dict[str, list[str]]:
    """Every enterprise's tags, computed on read and stored by ``build_tags``: the two must agree."""
    path = build(tmp_path / "s.duckdb", rows, results, warnings=warnings)
    with Workspace.open(path, read_only=True) as ws:
        computed = {r["uscc"]: list(r["tags"]) for r in ws.tag_rows()}
    with Workspace.open(path) as ws:
        assert ws.build_tags() == len(rows)
        stored = {r["uscc"]: list(r["tags"]) for r in ws.tag_rows()}
        assert ws._tag_source(None)[1].sql() == "profile_tags"
    assert stored == computed
    return stored


def test_shipped_tags_load_with_marked_defaults() -> None:
    ts = default_tags()
    assert ts.version == "2026-12"
    assert [g.code for g in ts.groups] == ["tech_field", "size", "growth", "qualification", "list", "warning"]
    assert [t.code for t in ts.in_group("warning")] == [
        "warning_any", "warning_critical", "warning_high_or_above", "warning_relocation",
    ]  # fmt: skip
    assert ts.group("warning").exclusive is False
    assert {w.name: (w.rules, w.min_severity) for w in ts.warnings} == {
        "warning_any": ((), "INFO"),
        "warning_high_or_above": ((), "HIGH"),
        "warning_critical": ((), "CRITICAL"),
        "warning_relocation": (("warning-relocation-*",), "INFO"),
    }
    assert len(ts.in_group("tech_field")) == 8
    assert all(ts.parameters[p].unconfirmed for p in ("large_staff", "small_revenue", "high_growth", "decline_below"))
    assert {lf.policy_id for lf in ts.lists} == LISTS


def test_size_bands_at_their_lines(tmp_path: Path) -> None:
    rows = [
        ent("A", staff_count_last_year=D(1000), sales_revenue_last_year=D(40000)),  # both lines: large
        ent("B", staff_count_last_year=D(999), sales_revenue_last_year=D(40000)),  # one short of large: medium
        ent("C", staff_count_last_year=D(300), sales_revenue_last_year=D("1999.9999")),  # below medium revenue: small
        ent("D", staff_count_last_year=D(300), sales_revenue_last_year=D(2000)),  # medium, inclusive
        ent("E", staff_count_last_year=D(20), sales_revenue_last_year=D(300)),  # small, inclusive
        ent("F", staff_count_last_year=D(19), sales_revenue_last_year=D(300)),  # one person short: micro
        ent("G", staff_count_last_year=D(20), sales_revenue_last_year=D("299.9999")),  # revenue short: micro
        ent("H", staff_count_last_year=None, sales_revenue_last_year=D(50000)),  # unknown staff: no band
        ent("I", staff_count_last_year=D(5), sales_revenue_last_year=None),  # under 20 either way: micro
        ent("J", staff_count_last_year=D(500), sales_revenue_last_year=None),  # could be anything: no band
    ]
    got = tags_of(tmp_path, rows)
    size = {u: [t for t in tags if t.startswith("size_")] for u, tags in got.items()}
    assert size == {
        "A": ["size_large"], "B": ["size_medium"], "C": ["size_small"], "D": ["size_medium"], "E": ["size_small"],
        "F": ["size_micro"], "G": ["size_micro"], "H": [], "I": ["size_micro"], "J": [],
    }  # fmt: skip


def test_growth_bands_at_their_lines(tmp_path: Path) -> None:
    rows = [
        ent("A", sales_growth=D("0.20")),
        ent("B", sales_growth=D("0.199999999999")),
        ent("C", sales_growth=D(0)),
        ent("D", sales_growth=D("-0.000000000001")),
        ent("E", sales_growth=None),
    ]
    got = tags_of(tmp_path, rows)
    assert got == {
        "A": ["growth_high"],
        "B": ["growth_steady"],
        "C": ["growth_steady"],
        "D": ["growth_decline"],
        "E": [],
    }


def test_tech_field_and_qualifications(tmp_path: Path) -> None:
    rows = [
        ent("A", tech_field="aerospace", has_hte_certificate=True, has_tech_sme=False),
        ent("B", tech_field="", has_hte_certificate=False, has_tech_sme=True, has_zgc_hte=True),
        ent("C", tech_field="not_a_field"),
    ]
    got = tags_of(tmp_path, rows)
    assert got == {"A": ["field_aerospace", "qual_hte"], "B": ["qual_tech_sme", "qual_zgc_hte"], "C": []}


def test_list_tags_read_the_list_results_of_the_same_file(tmp_path: Path) -> None:
    rows = [ent(u) for u in "ABCDE"]
    results = (
        ("A", "cultivation-pool", "pass"),
        ("A", "above-scale", "pass"),
        ("B", "cultivation-pool", "fail"),
        ("C", "cultivation-pool", "unknown"),
        ("D", "small-to-above-scale", "pass"),
        ("D", "above-scale-to-strong", "pass"),
        ("E", "hte-certification", "pass"),  # not a list
    )
    got = tags_of(tmp_path, rows, results)
    assert got == {
        "A": ["list_cultivation_pool", "list_above_scale"],
        "B": [],
        "C": [],
        "D": ["list_small_to_above_scale", "list_above_scale_to_strong"],
        "E": [],
    }
    with Workspace.open(tmp_path / "s.duckdb", read_only=True) as ws:
        assert ws.enterprise_tags("D") == ["list_small_to_above_scale", "list_above_scale_to_strong"]
        assert ws.enterprise_tags("nobody") == []


def _shipped_with(old: str, new: str) -> str:
    text = default_tags_file().read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_feature_refused_with_file_and_line() -> None:
    text = _shipped_with("expr: sales_growth >= param.high_growth", "expr: sales_growht >= param.high_growth")
    with pytest.raises(PolicyLoadError) as e:
        load_tags_text(text, "tags.yaml", list_policies=LISTS)
    [err] = e.value.errors
    assert (err.file, err.line) == ("tags.yaml", _line_of(text, "sales_growht"))
    assert "unknown feature 'sales_growht'" in err.message
    assert str(err).startswith(f"tags.yaml:{err.line}: ")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("param.high_growth}", "param.high_growh}", "undeclared parameter 'high_growh'"),
        ("expr: has_tech_sme = TRUE", "expr: st_staff_count_last_year", "must be a boolean test, not count"),
        ("expr: has_zgc_hte = TRUE", "expr: has_zgc_hte = 'yes'", "type error"),
        ("policy: above-scale,", "policy: hte-certification,", "'hte-certification' is not a policy of kind list"),
        ("group: qualification, expr: has_hte", "group: qualifications, expr: has_hte", "unknown group"),
        ("min_severity: CRITICAL,", "min_severity: FATAL,", "severity 'FATAL' must be one of INFO, WARN, HIGH"),
        ("min_severity: HIGH,", "min_severity: high,", "severity 'high' must be one of"),
        ("rules: [warning-relocation-*]", "rules: [warning-relocaton-*]", "no warning rule id starts with"),
        (
            "rules: [warning-relocation-*]",
            "rules: [warning-relocation-district, warning-relocation-moon]",
            "'warning-relocation-moon' is not a warning rule",
        ),
        ("warning_any: {label: 有预警}", "warning_any: {label: 有预警, rule: x}", "unknown key 'rule'"),
        ("warning_any: {label: 有预警}", "staff_count_last_year: {label: 有预警}", "is already a feature"),
    ],
)
def test_bad_tags_refused_at_their_line(old: str, new: str, message: str) -> None:
    text = _shipped_with(old, new)
    with pytest.raises(PolicyLoadError) as e:
        load_tags_text(text, "tags.yaml", list_policies=LISTS)
    err = e.value.errors[0]  # (a list feature refused also leaves its tag's name unknown: a second error)
    assert message in err.message
    assert err.line == _line_of(text, new)


def test_load_from_a_file_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "tags.yaml"
    bad.write_text(_shipped_with("tech_field = 'aerospace'", "tech_feld = 'aerospace'"), encoding="utf-8")
    with pytest.raises(PolicyLoadError) as e:
        load_tags(bad, list_policies=LISTS)
    assert e.value.errors[0].file == str(bad)


def test_described_in_words_with_defaults_marked() -> None:
    from gaoqi.engine import describe_tags

    groups = {g["code"]: g for g in describe_tags(default_tags())}
    size = groups["size"]
    assert size["label"] == "规模" and size["exclusive"] is True
    assert [t["label"] for t in size["tags"]] == ["大型企业", "中型企业", "小型企业", "微型企业"]
    assert all(t["unconfirmed"] for t in size["tags"])  # every line a DEFAULT
    assert not any(t["unconfirmed"] for t in groups["qualification"]["tags"])  # no parameter read
    assert [t["label"] for t in groups["warning"]["tags"]] == ["有预警", "特别严重预警", "严重及以上预警", "迁移风险"]
    assert not any(t["unconfirmed"] for t in groups["warning"]["tags"])


# the 预警 tags, in the file's order
W_ANY, W_CRIT, W_HIGH, W_RELOC = "warning_any", "warning_critical", "warning_high_or_above", "warning_relocation"


def test_warning_tags_read_the_raised_warnings_of_the_same_file(tmp_path: Path) -> None:
    rows = [ent(u) for u in "ABCDEFG"]
    warnings = (
        ("A", "warning-credit-dishonesty", "CRITICAL"),  # every severity line
        ("B", "warning-relocation-district", "HIGH"),  # HIGH is 严重及以上, not 特别严重; a relocation
        ("C", "warning-revenue-decline", "WARN"),  # below HIGH: 有预警 only
        ("D", "warning-relocation-moved-out", "WARN"),  # a relocation below HIGH
        ("E", "warning-staff-decline", "WARN"),  # two warnings: the highest counts
        ("E", "warning-rd-ratio", "HIGH"),
        ("F", "warning-certificate-expiring", "INFO"),  # the lowest severity is still a warning
        # G: none raised
    )
    got = tags_of(tmp_path, rows, warnings=warnings)
    assert got == {
        "A": [W_ANY, W_CRIT, W_HIGH],
        "B": [W_ANY, W_HIGH, W_RELOC],
        "C": [W_ANY],
        "D": [W_ANY, W_RELOC],
        "E": [W_ANY, W_HIGH],
        "F": [W_ANY],
        "G": [],
    }
    with Workspace.open(tmp_path / "s.duckdb", read_only=True) as ws:
        assert ws.enterprise_tags("B") == [W_ANY, W_HIGH, W_RELOC]


def test_warnings_evaluated_with_none_raised(tmp_path: Path) -> None:
    assert tags_of(tmp_path, [ent("A"), ent("B")], warnings=()) == {"A": [], "B": []}


def test_never_warnings_evaluated_gives_no_warning_tag_and_no_error(tmp_path: Path) -> None:
    rows = [ent("A", has_hte_certificate=True), ent("B")]
    assert tags_of(tmp_path, rows, warnings=None) == {"A": ["qual_hte"], "B": []}


def test_stored_before_warnings_were_evaluated_is_recomputed_once_they_are(tmp_path: Path) -> None:
    """Tags stored without ``warning_results`` (or by the build before the warning features: no ``build_key``)
    are not current once the warnings are there: the warning tags are computed on read."""
    import duckdb

    from .conftest import WARNINGS_DDL

    path = build(tmp_path / "s.duckdb", [ent("A"), ent("B")], stored=True)
    with Workspace.open(path, read_only=True) as ws:
        assert ws._tag_source(None)[1].sql() == "profile_tags"
        assert ws.enterprise_tags("A") == []
    con = duckdb.connect(str(path))
    con.execute(WARNINGS_DDL)
    con.execute(
        "INSERT INTO warning_results VALUES ('A', 'warning-credit-dishonesty', '2026-01', 'CRITICAL', NULL, 'h')"
    )
    con.close()
    with Workspace.open(path, read_only=True) as ws:
        assert ws._tag_source(None)[1].sql() != "profile_tags"
        assert ws.enterprise_tags("A") == [W_ANY, W_CRIT, W_HIGH]
    with Workspace.open(path) as ws:
        ws.build_tags()
        assert ws._tag_source(None)[1].sql() == "profile_tags"
        assert ws.enterprise_tags("A") == [W_ANY, W_CRIT, W_HIGH]
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE profile_tags_meta DROP COLUMN build_key")  # as stored before this change
    con.close()
    with Workspace.open(path, read_only=True) as ws:
        assert ws._tag_source(None)[1].sql() != "profile_tags"
        assert ws.enterprise_tags("A") == [W_ANY, W_CRIT, W_HIGH]


def test_a_warning_feature_is_a_feature_of_any_tag_expression() -> None:
    """A tag may combine a warning feature with profile features (the language is the policies')."""
    text = _shipped_with(
        "expr: warning_relocation = TRUE}", "expr: warning_relocation = TRUE AND has_hte_certificate = TRUE}"
    )
    ts = load_tags_text(text, "tags.yaml", list_policies=LISTS)
    assert set(ts.by_code["warning_relocation"].features) == {"warning_relocation", "has_hte_certificate"}


def test_a_yaml_syntax_error_names_its_line() -> None:
    """The tags file reads its YAML as the policy loader does: a syntax error carries the line YAML marks."""
    text = _shipped_with("warning_any: {label: 有预警}", "warning_any: {label: 有预警")
    with pytest.raises(PolicyLoadError) as e:
        load_tags_text(text, "tags.yaml", list_policies=LISTS)
    err = e.value.errors[0]
    assert err.file == "tags.yaml" and "invalid YAML" in err.message
    assert err.line >= _line_of(text, "warning_any: {label: 有预警")
