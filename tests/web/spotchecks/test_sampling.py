"""The draw as a pure function: the same seed, population and pool give the same selection and inspectors
(whatever order the population was read in); ceil per stratum at its boundary; 100% CRITICAL, ≥ 30% HIGH,
20% pilot; the conflict rule; a balanced assignment."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from gaoqi.web.spotchecks import rules
from gaoqi.web.spotchecks import sampling as s
from gaoqi.web.spotchecks.sampling import Inspector, Member, Params, population_hash, quota, select

CRITICAL, HIGH, PILOT, RANDOM = s.CRITICAL, s.HIGH, s.PILOT, s.RANDOM

P = Params(random_share=Decimal("0.05"), critical_share=Decimal("1"), high_share=Decimal("0.3"),
           pilot_share=Decimal("0.2"), inspectors_per_case=2)  # fmt: skip


def uscc(i: int, d: str = "110108") -> str:
    return f"91{d}MA{i:08d}"


def population(n: int, district: str = "110108", year: int | None = 2024, start: int = 0, **kw: object) -> list[Member]:
    return [Member(uscc(start + i, district), district, year, **kw) for i in range(n)]  # type: ignore[arg-type]


POOL = [Inspector(1, "110108"), Inspector(2, "110108"), Inspector(3, "110105"), Inspector(4, "110105"),
        Inspector(5, ""), Inspector(6, "")]  # fmt: skip


@pytest.mark.parametrize(
    ("size", "share", "expected"),
    [(20, "0.05", 1), (21, "0.05", 2), (40, "0.05", 2), (41, "0.05", 3), (1, "0.05", 1), (0, "0.05", 0),
     (10, "0.3", 3), (11, "0.3", 4), (5, "0.2", 1), (6, "0.2", 2), (7, "1", 7), (3, "0", 0)],
)  # fmt: skip
def test_quota_is_ceil_of_exact_decimals(size: int, share: str, expected: int) -> None:
    assert quota(size, Decimal(share)) == expected


def test_other_roundings_at_the_same_boundary() -> None:
    assert quota(21, Decimal("0.05"), "floor") == 1
    assert quota(30, Decimal("0.05"), "half_up") == 2  # 1.5 → 2
    assert quota(29, Decimal("0.05"), "half_up") == 1  # 1.45 → 1


def test_stratification_counts_per_district_and_certification_year() -> None:
    pop = (population(21, year=2024) + population(20, year=2023, start=100)
           + population(3, "110105", 2025, start=200) + population(1, "110105", None, start=300))  # fmt: skip
    sel = select("seed-1", pop, POOL, P)
    by_key = {s.key: (s.size, s.drawn) for s in sel.strata}
    assert by_key == {"110108/2024": (21, 2), "110108/2023": (20, 1), "110105/2025": (3, 1), "110105/": (1, 1)}
    assert sel.groups[RANDOM] == (45, 5)
    assert len(sel.cases) == 5
    assert all(c.reasons == (RANDOM,) for c in sel.cases)


def test_the_same_seed_gives_the_same_selection_and_inspectors_whatever_the_order() -> None:
    pop = population(200) + population(150, "110105", 2023, start=1000)
    a = select("7f3a", pop, POOL, P)
    shuffled = pop[:]
    random.Random(1).shuffle(shuffled)
    b = select("7f3a", shuffled, list(reversed(POOL)), P)
    assert a == b
    c = select("7f3b", pop, POOL, P)
    assert c.usccs() != a.usccs()  # another seed, another selection (10 + 8 of 350: a clash is impossible here)
    assert len(c.cases) == len(a.cases) == 10 + 8


def test_every_critical_and_at_least_30_percent_of_high_and_20_percent_of_pilots() -> None:
    pop = (population(100) + population(7, start=500, warning=CRITICAL) + population(11, start=600, warning=HIGH)
           + population(6, start=700, pilot=True))  # fmt: skip
    sel = select("s", pop, POOL, P)
    chosen = {c.uscc: c for c in sel.cases}
    crit = [m.uscc for m in pop if m.warning == CRITICAL]
    high = [m.uscc for m in pop if m.warning == HIGH]
    pilot = [m.uscc for m in pop if m.pilot]
    assert all(u in chosen and CRITICAL in chosen[u].reasons for u in crit)
    assert sel.groups[CRITICAL] == (7, 7)
    assert sel.groups[HIGH] == (11, 4)  # ceil(3.3)
    assert sum(1 for u in high if u in chosen) >= 4
    assert sel.groups[PILOT] == (6, 2)  # ceil(1.2)
    assert sum(1 for u in pilot if u in chosen and PILOT in chosen[u].reasons) == 2
    # the random part is stratified over everyone (124 in one stratum: ceil(6.2) = 7), reasons merge
    assert sel.groups[RANDOM] == (124, 7)
    assert len(sel.cases) == len({u for c in sel.cases for u in [c.uscc]})


def test_inspectors_respect_the_conflict_rule_and_are_balanced() -> None:
    pop = population(60) + population(60, "110105", start=1000)
    sel = select("s", pop, POOL, Params(**{**P.__dict__, "random_share": Decimal("0.5")}))
    district_of = {i.id: i.district for i in POOL}
    load: dict[int, int] = {}
    for c in sel.cases:
        assert len(c.inspectors) == 2 and len(set(c.inspectors)) == 2
        assert all(district_of[i] != c.district for i in c.inspectors)
        for i in c.inspectors:
            load[i] = load.get(i, 0) + 1
    assert sum(load.values()) == 2 * 60
    # 海淀's 30 cases go to 朝阳's and the city's 4 inspectors, 朝阳's 30 to 海淀's and the city's: 60 each side
    assert max(load.values()) - min(load.values()) <= 10
    assert sel.understaffed == ()


def test_too_few_eligible_inspectors_is_reported_not_hidden() -> None:
    pop = population(5)
    sel = select("s", pop, [Inspector(1, "110108"), Inspector(5, "")], P)
    assert all(c.inspectors == (5,) for c in sel.cases)
    assert sel.understaffed == tuple(sorted(c.uscc for c in sel.cases))


def test_refusals() -> None:
    pop = population(3)
    with pytest.raises(ValueError, match="twice"):
        select("s", pop + pop[:1], POOL, P)
    with pytest.raises(ValueError, match="seed"):
        select("", pop, POOL, P)
    with pytest.raises(ValueError, match="conflict_rule"):
        Params(**{**P.__dict__, "conflict_rule": "nearby"})


def test_population_hash_is_of_the_sorted_usccs() -> None:
    import hashlib

    assert population_hash(["B", "A"]) == hashlib.sha256(b"A\nB").hexdigest()


def test_the_shipped_rules_are_the_defaults_marked_unconfirmed() -> None:
    v = rules.in_force(__import__("datetime").date(2026, 12, 7))
    assert v.version == "2026-1"
    assert v.value("random_share") == Decimal("0.05") and v.parameters["random_share"].unconfirmed
    assert v.value("market_minimum_share") == Decimal("0.03") and not v.parameters["market_minimum_share"].unconfirmed
    assert v.value("critical_share") == Decimal("1") and v.value("high_share") == Decimal("0.3")
    assert v.value("pilot_share") == Decimal("0.2") and v.value("inspectors_per_case") == 2
    assert v.value("conflict_rule") == "not_same_district" and v.value("rounding") == "ceil"
    assert all(p.source for p in v.parameters.values())


BAD = """
versions:
  - version: "x"
    valid_from: 2026-01-01
    valid_to: null
    parameters:
      random_share: {value: "0.02", source: s}
      market_minimum_share: {value: "0.03", source: s}
      strata: {value: [district], source: s}
      rounding: {value: ceil, source: s}
      critical_share: {value: "1", source: s}
      high_share: {value: "0.3", source: s}
      pilot_share: {value: "0.2", source: s}
      inspectors_per_case: {value: 2, source: s}
      conflict_rule: {value: not_same_district, source: s}
"""


def test_a_bad_rules_file_is_refused_in_words() -> None:
    with pytest.raises(rules.RulesError, match="market-regulation minimum"):
        rules.load_text(BAD)
    with pytest.raises(rules.RulesError, match="between 0 and 1"):
        rules.load_text(BAD.replace('"0.02"', '"1.5"'))
    with pytest.raises(rules.RulesError, match="rounding"):
        rules.load_text(BAD.replace('"0.02"', '"0.05"').replace("value: ceil", "value: banker"))
    with pytest.raises(rules.RulesError, match="missing parameters"):
        rules.load_text(BAD.replace('      pilot_share: {value: "0.2", source: s}\n', ""))
    assert rules.load_text(BAD.replace('"0.02"', '"0.05"'))[0].params().strata == ("district",)
