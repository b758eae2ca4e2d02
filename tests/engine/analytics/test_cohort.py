"""The cohort filter compiler: each field, combinations, the empty filter, the scope, distributions and the
trend over three snapshot files, all against hand counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from gaoqi.engine import CohortFilter, CohortFilterError, Workspace, default_tags
from gaoqi.engine.analytics.cohort import cohort_sql
from gaoqi.engine.analytics.tags import source

from .conftest import build, ent

HD, CY, DC = "110108", "110105", "110101"

# nine enterprises, each field's value chosen so every filter below has a hand count
ROWS = [
    ent("A", district_code=HD, tech_field="aerospace", industry_section="C", has_hte_certificate=True,
        staff_count_last_year=D(1000), sales_revenue_last_year=D(40000), sales_growth=D("0.25"),
        established_date=dt.date(2010, 5, 1)),
    ent("B", district_code=HD, tech_field="aerospace", industry_section="I", has_hte_certificate=False,
        staff_count_last_year=D(50), sales_revenue_last_year=D(500), sales_growth=D("0.20"),
        established_date=dt.date(2015, 1, 1)),
    ent("C", district_code=HD, tech_field="new_materials", industry_section="C", has_hte_certificate=True,
        staff_count_last_year=D(10), sales_revenue_last_year=D(100), sales_growth=D("-0.1"),
        established_date=dt.date(2020, 12, 31)),
    ent("D", district_code=CY, tech_field="aerospace", industry_section="M", has_hte_certificate=True,
        staff_count_last_year=D(400), sales_revenue_last_year=D(3000), sales_growth=D("0.05"),
        established_date=dt.date(2015, 6, 30)),
    ent("E", district_code=CY, tech_field="new_energy", industry_section="C", has_hte_certificate=None,
        staff_count_last_year=None, sales_revenue_last_year=None, sales_growth=None,
        established_date=dt.date(2021, 1, 1)),
    ent("F", district_code=DC, tech_field=None, industry_section="I", has_hte_certificate=False,
        staff_count_last_year=D(20), sales_revenue_last_year=D(300), sales_growth=D(0),
        established_date=None),
]  # fmt: skip
RESULTS = (
    ("A", "cultivation-pool", "fail"),
    ("B", "cultivation-pool", "pass"),
    ("C", "cultivation-pool", "pass"),
    ("D", "above-scale", "pass"),
    ("A", "above-scale", "pass"),
)


@pytest.fixture(params=["computed", "stored"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Workspace:
    """The same file read with its tags computed on read, and stored by ``build_tags``: same figures."""
    path = build(tmp_path / "snap.duckdb", ROWS, RESULTS, stored=request.param == "stored")
    w = Workspace.open(path, read_only=True)
    yield w
    w.close()


def members(ws: Workspace, f: CohortFilter, scope: tuple[str, ...] | None = None) -> int:
    return ws.cohort_count(f, scope)


@pytest.mark.parametrize(
    ("f", "count"),
    [
        (CohortFilter(), 6),
        (CohortFilter(districts=(HD,)), 3),
        (CohortFilter(districts=(HD, DC)), 4),
        (CohortFilter(tech_fields=("aerospace",)), 3),
        (CohortFilter(industry_sections=("C",)), 3),
        (CohortFilter(size_bands=("size_large",)), 1),
        (CohortFilter(size_bands=("size_small", "size_medium")), 3),  # B, F small; D medium
        (CohortFilter(growth_bands=("growth_high",)), 2),  # A 0.25, B 0.20 (inclusive)
        (CohortFilter(growth_bands=("growth_steady",)), 2),  # D 0.05, F 0
        (CohortFilter(growth_bands=("growth_decline",)), 1),
        (CohortFilter(tags_all=("list_cultivation_pool",)), 2),  # B, C (A failed)
        (CohortFilter(tags_all=("list_cultivation_pool", "qual_hte")), 1),  # C
        (CohortFilter(tags_any=("list_cultivation_pool", "list_above_scale")), 4),  # A, B, C, D
        (CohortFilter(tags_any=("growth_decline", "size_large")), 2),  # C, A
        (CohortFilter(has_hte=True), 3),  # A, C, D
        (CohortFilter(has_hte=False), 3),  # B, F and E (unknown counts as not holding one)
        (CohortFilter(revenue_min=D(300)), 4),  # A, B, D, F (inclusive); E unknown is out
        (CohortFilter(revenue_max=D(300)), 2),  # C, F
        (CohortFilter(revenue_min=D(300), revenue_max=D(3000)), 3),  # B, D, F
        (CohortFilter(established_from=2015), 4),  # B, C, D, E
        (CohortFilter(established_to=2015), 3),  # A, B, D
        (CohortFilter(established_from=2015, established_to=2020), 3),  # B, C, D
        (CohortFilter(districts=(HD,), has_hte=True, tech_fields=("aerospace",)), 1),  # A
        (CohortFilter(districts=(CY,), tags_all=("list_cultivation_pool",)), 0),
    ],
)
def test_each_field_and_combinations(ws: Workspace, f: CohortFilter, count: int) -> None:
    assert members(ws, f) == count
    assert ws.cohort(f).count == count


def test_distributions_hand_counted(ws: Workspace) -> None:
    r = ws.cohort(CohortFilter())
    assert r.count == 6
    assert r.by_district == {HD: 3, CY: 2, DC: 1}
    assert r.by_tech_field == {"aerospace": 3, "": 1, "new_energy": 1, "new_materials": 1}
    assert r.by_size == {"size_small": 2, "": 1, "size_large": 1, "size_medium": 1, "size_micro": 1}
    assert r.by_growth == {"growth_high": 2, "growth_steady": 2, "": 1, "growth_decline": 1}
    assert r.by_tag["qual_hte"] == 3
    assert r.by_tag["list_cultivation_pool"] == 2
    assert r.by_tag["list_above_scale"] == 2
    assert r.by_tag["field_aerospace"] == 3
    assert r.by_tag["list_above_scale_to_strong"] == 0
    assert r.tags_version == "2026-12"


def test_scope_is_intersected_with_the_filter(ws: Workspace) -> None:
    assert members(ws, CohortFilter(), (HD,)) == 3
    # asking for another district inside a 海淀 scope gives nothing, never 朝阳's count
    assert members(ws, CohortFilter(districts=(CY,)), (HD,)) == 0
    assert ws.cohort(CohortFilter(districts=(CY,)), (HD,)).by_district == {}
    assert members(ws, CohortFilter(), ()) == 0  # no district at all
    r = ws.cohort(CohortFilter(), (HD,))
    assert r.by_district == {HD: 3} and r.by_tag["qual_hte"] == 2


def test_empty_cohort(ws: Workspace) -> None:
    r = ws.cohort(CohortFilter(districts=("110119",)))
    assert (r.count, r.by_district, r.by_tag) == (0, {}, {})


def test_values_are_literals_never_sql(ws: Workspace) -> None:
    evil = "110108') OR TRUE --"
    f = CohortFilter(districts=(evil,))
    assert members(ws, f) == 0
    assert "'110108'') OR TRUE --'" in cohort_sql(f, default_tags(), None, source(default_tags(), stored=True))


def test_unknown_codes_refused(ws: Workspace) -> None:
    with pytest.raises(CohortFilterError):
        ws.cohort(CohortFilter(tags_all=("no_such_tag",)))
    with pytest.raises(CohortFilterError):
        ws.cohort(CohortFilter(size_bands=("growth_high",)))  # a tag, but not a size band


def test_trend_over_three_snapshots(tmp_path: Path) -> None:
    first = build(tmp_path / "1.duckdb", ROWS[:2])  # A, B (海淀); an older file without stored tags
    second = build(tmp_path / "2.duckdb", ROWS[:4], RESULTS, stored=True)  # + C (海淀), D (朝阳)
    third = build(tmp_path / "3.duckdb", ROWS, RESULTS, stored=True)
    files = [first, second, third, tmp_path / "gone.duckdb"]
    assert Workspace.cohort_trend(files) == [2, 4, 6, None]
    assert Workspace.cohort_trend(files, CohortFilter(has_hte=True), (HD,)) == [1, 2, 2, None]
    assert Workspace.cohort_trend(files, CohortFilter(tags_all=("list_cultivation_pool",))) == [0, 2, 2, None]


def test_a_file_without_results_has_no_list_tags(tmp_path: Path) -> None:
    import duckdb

    path = build(tmp_path / "s.duckdb", ROWS, RESULTS)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE results")
    con.close()
    with Workspace.open(path, read_only=True) as w:
        assert w.cohort(CohortFilter(tags_any=("list_cultivation_pool",))).count == 0
        assert w.cohort(CohortFilter()).count == 6


def test_stored_tags_are_used_only_while_current(tmp_path: Path) -> None:
    """A tags file edited after the build, or a profile rebuilt since, reads the tags computed on read."""
    import duckdb

    from gaoqi.engine.analytics.tags import default_tags_file, load_tags_text

    path = build(tmp_path / "s.duckdb", ROWS, RESULTS, stored=True)
    with Workspace.open(path, read_only=True) as w:
        assert w._tag_source(None)[1].sql() == "profile_tags"
        # a DEFAULT changed: 高成长 from 20 % to 25 % — B (20 %) leaves the band, A (25 %) stays
        text = default_tags_file().read_text(encoding="utf-8").replace("value: 0.20,", "value: 0.25,")
        edited = load_tags_text(text, "tags.yaml")
        assert w._tag_source(edited)[1].sql() != "profile_tags"
        assert w.cohort_count(CohortFilter(growth_bands=("growth_high",)), None, edited) == 1
        assert w.cohort_count(CohortFilter(growth_bands=("growth_high",))) == 2
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM profile WHERE uscc = 'F'")  # the profile changed after the build
    con.close()
    with Workspace.open(path, read_only=True) as w:
        assert w._tag_source(None)[1].sql() != "profile_tags"
        assert w.cohort_count() == 5
