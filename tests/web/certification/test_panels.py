"""Random expert panels: the rules hold for any pool (Hypothesis), draws are reproducible, shortages are explained."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gaoqi.web.certification.panels import (
    FIELDS,
    Exclusion,
    Expert,
    ExpertPool,
    Panel,
    PanelError,
    PanelRules,
    bench_panels,
    conflict_of_interest,
    draw_panel,
    redraw_check,
)

D = dt.date
ON = D(2026, 6, 30)
APPLICANT = "91110108MA01ABCD1X"
OTHER_CO = "91110105MA02EFGH2Y"
RULES = PanelRules()
FIELD = "电子信息"


def tech(i: int, *fields: str, **kw: object) -> Expert:
    return Expert(id=f"T{i:02d}", name=f"技术专家{i}", kind="technical", fields=frozenset(fields or (FIELD,)), **kw)  # type: ignore[arg-type]


def fin(i: int, **kw: object) -> Expert:
    return Expert(id=f"F{i:02d}", name=f"财务专家{i}", kind="financial", **kw)  # type: ignore[arg-type]


# --- an independent statement of the rules, used as the oracle of the property tests -------------------------


def three_years_before(on: dt.date, years: int) -> dt.date:
    year = on.year - years
    day = on.day if not (on.month == 2 and on.day == 29) else 28
    return D(year, on.month, day)


def oracle_conflict(e: Expert, applicant: str, on: dt.date, years: int) -> bool:
    """The spec: current employer, or left it within `years` years (until > on − years), or declared avoidance."""
    return (
        e.employer_uscc == applicant
        or any(u == applicant and until > three_years_before(on, years) for u, until in e.past_employers)
        or applicant in e.avoid_usccs
    )


def oracle_eligible(e: Expert, applicant: str, on: dt.date, years: int) -> bool:
    return e.active and not oracle_conflict(e, applicant, on, years)


# --- strategies ------------------------------------------------------------------------------------------------

COMPANIES = [APPLICANT, OTHER_CO, "91110102MA03IJKL3Z"]
SOME_FIELDS = list(FIELDS[:3])  # few fields, so that experts share the application's field often


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Expert], str, str, dt.date, PanelRules]:
    on = draw(st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)))
    rules = draw(
        st.sampled_from(
            [
                PanelRules(),
                PanelRules(size=7, min_technical_share=0.6, min_financial=2),
                PanelRules(size=5, min_technical_share=0.8, min_financial=1, conflict_years=2),
                PanelRules(allow_other_fields=True),
            ]
        )
    )
    cutoff = three_years_before(on, rules.conflict_years)
    # until dates clustered on the boundary: exactly N years ago, one day either side, and further away
    until = st.sampled_from([-400, -2, -1, 0, 1, 2, 400, 2000]).map(lambda k: cutoff + dt.timedelta(days=k))
    n = draw(st.integers(min_value=0, max_value=30))
    experts = []
    for i in range(n):
        technical = draw(st.booleans()) or draw(st.booleans())  # about 3 in 4 technical
        experts.append(
            Expert(
                id=f"E{i:03d}",
                name=f"专家{i}",
                kind="technical" if technical else "financial",
                fields=frozenset(draw(st.sets(st.sampled_from(SOME_FIELDS), min_size=1, max_size=2)))
                if technical
                else frozenset(),
                employer_uscc=draw(st.none() | st.sampled_from(COMPANIES)),
                past_employers=tuple(draw(st.lists(st.tuples(st.sampled_from(COMPANIES), until), max_size=2))),
                avoid_usccs=frozenset(draw(st.sets(st.sampled_from(COMPANIES), max_size=1))),
                active=draw(st.integers(0, 9)) > 0,
            )
        )
    field = draw(st.sampled_from(SOME_FIELDS))
    applicant = draw(st.sampled_from(COMPANIES))
    return experts, applicant, field, on, rules


def check_panel(
    panel: Panel, experts: list[Expert], applicant: str, field: str, on: dt.date, rules: PanelRules
) -> None:
    by_id = {e.id: e for e in experts}
    members = [by_id[i] for i in panel.expert_ids]
    assert len(panel.expert_ids) == rules.size == len(set(panel.expert_ids))
    in_field = [e for e in members if e.kind == "technical" and field in e.fields]
    technical = [e for e in members if e.kind == "technical"]
    assert len(technical) >= rules.min_technical
    if not rules.allow_other_fields:
        assert len(in_field) >= rules.min_technical
        assert panel.other_field_ids == ()
    assert set(panel.other_field_ids) == {e.id for e in technical if field not in e.fields}
    assert len(technical) >= rules.size * rules.min_technical_share - 1e-9
    assert sum(e.kind == "financial" for e in members) >= rules.min_financial
    assert by_id[panel.leader_id].kind == "technical" and panel.leader_id in panel.expert_ids
    if in_field:
        assert field in by_id[panel.leader_id].fields
    for e in members:  # no conflict of interest, no inactive expert
        assert oracle_eligible(e, applicant, on, rules.conflict_years), e
    for e in experts:  # every relevant ineligible expert is recorded as excluded
        relevant = e.kind == "financial" or field in e.fields or rules.allow_other_fields
        if relevant and not oracle_eligible(e, applicant, on, rules.conflict_years):
            assert e.id in panel.excluded
    assert not set(panel.excluded) & set(panel.expert_ids)
    assert all(not by_id[i].active for i, r in panel.excluded.items() if r == Exclusion.INACTIVE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(min_value=0, max_value=2**32))
def test_rules_always_hold_or_panel_error_says_why(
    scenario: tuple[list[Expert], str, str, dt.date, PanelRules], seed: int
) -> None:
    experts, applicant, field, on, rules = scenario
    ok = [e for e in experts if oracle_eligible(e, applicant, on, rules.conflict_years)]
    t_in = sum(e.kind == "technical" and field in e.fields for e in ok)
    t_other = sum(e.kind == "technical" and field not in e.fields for e in ok) if rules.allow_other_fields else 0
    f = sum(e.kind == "financial" for e in ok)
    short_t = t_in + t_other < rules.min_technical if rules.allow_other_fields else t_in < rules.min_technical
    short_f = f < rules.min_financial
    short_all = t_in + t_other + f < rules.size
    on_boundary = any(
        u == applicant and until == three_years_before(on, rules.conflict_years)
        for e in experts
        for u, until in e.past_employers
    )
    event(f"an expert left the applicant exactly {rules.conflict_years} years ago: {on_boundary}")
    try:
        panel = draw_panel(applicant, field, experts, rules, seed=seed, on=on)
        event("drawn")
    except PanelError as error:
        event("PanelError")
        message = str(error)
        assert short_t or short_f or short_all, message
        assert applicant in message and field in message
        if short_t:
            assert f"needs {rules.min_technical} technical experts in {field}, only {t_in} eligible" in message
        if short_f:
            assert f"needs {rules.min_financial} financial experts, only {f} eligible" in message
        if not (short_t or short_f):
            assert f"needs {rules.size} experts in all" in message
        return
    assert not (short_t or short_f or short_all)
    check_panel(panel, experts, applicant, field, on, rules)
    # reproducible, whatever the order of the pool
    shuffled = experts[:]
    random.Random(seed).shuffle(shuffled)
    assert draw_panel(applicant, field, shuffled, rules, seed=seed, on=on) == panel
    assert redraw_check(panel, shuffled, rules).matches


@settings(max_examples=100, deadline=None)
@given(scenario=scenarios())
def test_different_seeds_usually_give_different_panels(
    scenario: tuple[list[Expert], str, str, dt.date, PanelRules],
) -> None:
    experts, applicant, field, on, rules = scenario
    ok = [e for e in experts if oracle_eligible(e, applicant, on, rules.conflict_years)]
    if sum(e.kind == "technical" and field in e.fields for e in ok) < rules.min_technical + 2:
        return
    if sum(e.kind == "financial" for e in ok) < rules.min_financial + 1:
        return
    panels = {draw_panel(applicant, field, experts, rules, seed=s, on=on).expert_ids for s in range(20)}
    assert len(panels) >= 2


# --- conflicts of interest -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "until", "conflict"),
    [
        (D(2026, 6, 30), D(2023, 6, 30), False),  # left exactly 3 years ago to the day: no longer in conflict
        (D(2026, 6, 30), D(2023, 7, 1), True),  # one day less than 3 years ago: within 3 years
        (D(2026, 6, 30), D(2023, 6, 29), False),
        (D(2026, 6, 30), D(2026, 6, 30), True),  # left today
        (D(2026, 6, 30), D(2027, 1, 1), True),  # contract still running
        (D(2028, 2, 29), D(2025, 2, 28), False),  # 29 Feb − 3 years = 28 Feb 2025
        (D(2028, 2, 29), D(2025, 3, 1), True),
    ],
)
def test_former_employer_three_year_boundary(on: dt.date, until: dt.date, conflict: bool) -> None:
    expert = tech(1, past_employers=((APPLICANT, until),))
    assert (conflict_of_interest(expert, APPLICANT, on, 3) is Exclusion.FORMER_EMPLOYER) is conflict
    pool = [expert, *(tech(i) for i in range(2, 8)), fin(1), fin(2)]
    panel = draw_panel(APPLICANT, FIELD, pool, RULES, seed=1, on=on)
    assert ("T01" in panel.excluded) is conflict
    if conflict:
        assert panel.excluded["T01"] is Exclusion.FORMER_EMPLOYER
        assert "T01" not in panel.expert_ids


def test_conflict_kinds_and_uscc_normalisation() -> None:
    assert (
        conflict_of_interest(tech(1, employer_uscc=APPLICANT.lower()), APPLICANT, ON, 3) is Exclusion.CURRENT_EMPLOYER
    )
    assert conflict_of_interest(tech(1, avoid_usccs=frozenset({APPLICANT})), f" {APPLICANT} ", ON, 3) is (
        Exclusion.DECLARED_AVOIDANCE
    )
    assert conflict_of_interest(tech(1, employer_uscc=OTHER_CO), APPLICANT, ON, 3) is None
    # a former employer that is another company is no conflict
    assert conflict_of_interest(tech(1, past_employers=((OTHER_CO, ON),)), APPLICANT, ON, 3) is None


# --- a fixed panel ----------------------------------------------------------------------------------------------


def small_pool() -> list[Expert]:
    return [
        tech(1),
        tech(2, employer_uscc=APPLICANT),  # current employer
        tech(3),
        tech(4, past_employers=((APPLICANT, D(2024, 1, 31)),)),  # left 2½ years ago
        tech(5, active=False),
        tech(6),
        tech(7, "生物与新医药"),  # another field
        tech(8, FIELD, "新材料"),
        tech(9, avoid_usccs=frozenset({APPLICANT})),
        tech(10, past_employers=((APPLICANT, D(2023, 6, 30)),)),  # left 3 years ago to the day: eligible
        fin(1),
        fin(2, employer_uscc=APPLICANT),
        fin(3),
    ]


def test_a_specific_panel_for_a_fixed_pool_and_seed() -> None:
    panel = draw_panel(APPLICANT, FIELD, small_pool(), RULES, seed=20260630, on=ON)
    assert panel.expert_ids == ("T06", "T08", "T03", "F03", "F01")
    assert panel.leader_id == "T08"
    assert panel.excluded == {
        "F02": Exclusion.CURRENT_EMPLOYER,
        "T02": Exclusion.CURRENT_EMPLOYER,
        "T04": Exclusion.FORMER_EMPLOYER,
        "T05": Exclusion.INACTIVE,
        "T09": Exclusion.DECLARED_AVOIDANCE,
    }
    assert (panel.seed, panel.on, panel.applicant_uscc, panel.other_field_ids) == (20260630, ON, APPLICANT, ())
    # The same panel by hand, following the documented procedure: random.Random(seed) samples the technical
    # quota from the eligible in-field experts sorted by id, then the financial quota, then the free seat from
    # the rest (sorted by id), then the leader among the in-field technical members.
    rng = random.Random(20260630)
    in_field = ["T01", "T03", "T06", "T08", "T10"]
    technical = rng.sample(in_field, 3)
    financial = rng.sample(["F01", "F03"], 1)
    rest = sorted([i for i in (*in_field, "F01", "F03") if i not in {*technical, *financial}])
    free = rng.sample(rest, 1)
    assert panel.expert_ids == (*technical, *financial, *free)
    assert panel.leader_id == rng.choice([*technical, *(i for i in free if i.startswith("T"))])


def test_string_seeds_are_reproducible() -> None:
    a = draw_panel(APPLICANT, FIELD, small_pool(), RULES, seed="GQ-2026-000123", on=ON)
    b = draw_panel(APPLICANT, FIELD, list(reversed(small_pool())), RULES, seed="GQ-2026-000123", on=ON)
    assert a == b


# --- shortages, fallback, rules ---------------------------------------------------------------------------------


def test_panel_error_names_the_shortage() -> None:
    pool = [tech(1), tech(2, employer_uscc=APPLICANT), tech(3, active=False), tech(4, "新材料"), fin(1), fin(2), fin(3)]
    with pytest.raises(PanelError) as info:
        draw_panel(APPLICANT, FIELD, pool, RULES, seed=1, on=ON)
    message = str(info.value)
    assert message == (
        f"cannot draw a panel for {APPLICANT} (电子信息) on 2026-06-30: needs 3 technical experts in 电子信息, "
        "only 1 eligible (3 in the pool: 1 excluded for conflict of interest, 1 inactive); "
        "the rules do not allow technical experts of other fields"
    )
    no_financial = [tech(i) for i in range(1, 7)] + [fin(1, employer_uscc=APPLICANT)]
    with pytest.raises(PanelError, match=r"needs 1 financial experts, only 0 eligible \(1 in the pool: 1 excluded"):
        draw_panel(APPLICANT, FIELD, no_financial, RULES, seed=1, on=ON)
    too_few = [tech(1), tech(2), tech(3), fin(1)]
    with pytest.raises(PanelError, match=r"needs 5 experts in all, only 4 eligible"):
        draw_panel(APPLICANT, FIELD, too_few, RULES, seed=1, on=ON)


def test_other_fields_only_when_the_rules_allow_and_the_panel_says_so() -> None:
    pool = [tech(1), tech(2), tech(3, "新材料"), tech(4, "航空航天"), fin(1), fin(2)]
    with pytest.raises(PanelError, match="do not allow technical experts of other fields"):
        draw_panel(APPLICANT, FIELD, pool, RULES, seed=3, on=ON)
    rules = PanelRules(allow_other_fields=True)
    panel = draw_panel(APPLICANT, FIELD, pool, rules, seed=3, on=ON)
    check_panel(panel, pool, APPLICANT, FIELD, ON, rules)
    assert {"T01", "T02"} <= set(panel.expert_ids)  # the field's own experts first
    assert len(panel.other_field_ids) == 1
    assert panel.leader_id in {"T01", "T02"}  # the leader comes from the application's field


def test_rules_validation() -> None:
    assert PanelRules().min_technical == 3
    assert PanelRules(size=10, min_technical_share=0.7).min_technical == 7  # not 8 from 7.000000000000001
    assert PanelRules(size=5, min_technical_share=0.0).min_technical == 1  # the leader is technical
    with pytest.raises(ValueError, match="exceed a panel of 5"):
        PanelRules(size=5, min_technical_share=0.9, min_financial=1)
    with pytest.raises(ValueError, match="unknown technical field"):
        Expert(id="X", name="x", kind="technical", fields=frozenset({"软件"}))
    with pytest.raises(ValueError, match="duplicate expert id"):
        ExpertPool([tech(1), tech(1)])
    with pytest.raises(ValueError, match="unknown technical field"):
        draw_panel(APPLICANT, "软件", small_pool(), RULES, seed=1, on=ON)


# --- audit redraw -----------------------------------------------------------------------------------------------


def test_redraw_check() -> None:
    pool = small_pool()
    panel = draw_panel(APPLICANT, FIELD, pool, RULES, seed=7, on=ON)
    assert redraw_check(panel, pool, RULES) == dataclasses.replace(redraw_check(panel, pool, RULES))
    result = redraw_check(panel, ExpertPool(pool), RULES)
    assert result.matches and result.redrawn == panel and result.differences == ()
    outsider = next(i for i in ("T01", "T03", "T06", "T08", "T10") if i not in panel.expert_ids)
    altered = dataclasses.replace(panel, expert_ids=(outsider, *panel.expert_ids[1:]))
    result = redraw_check(altered, pool, RULES)
    assert not result.matches and result.differences[0].startswith("expert_ids: recorded")
    # the pool changed since the drawing (an expert went inactive): the digest says so
    changed = [dataclasses.replace(e, active=False) if e.id == "T01" else e for e in pool]
    result = redraw_check(panel, changed, RULES)
    assert not result.matches
    assert result.differences[0].startswith("the expert pool differs")


# --- performance ------------------------------------------------------------------------------------------------


def test_benchmark_1000_panels_from_2000_experts() -> None:
    seconds = bench_panels(n_applications=1000, n_experts=2000)
    print(f"\n1,000 panels from a pool of 2,000 experts: {seconds:.3f} s")
    assert seconds < 5.0
