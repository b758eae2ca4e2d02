"""The yearly draw as a pure function of (seed, frozen population, inspector pool, rules version): no database,
no clock, no process randomness — the draw service and the verify action call the same function on the same
frozen inputs and must get the same selection and the same inspectors (ADR 0031).

Every choice is a ranking by a keyed hash, ``sha256(seed | purpose | uscc [| inspector])``, not a walk of a
pseudo-random stream: an enterprise's rank depends on the seed and its own USCC only, so the order the
population was read in changes nothing, and anyone holding the published seed can recompute a rank.

- random part: the population is stratified (by district and certification year, DEFAULT); each non-empty stratum
  draws ``quota(size, random_share)`` enterprises, the lowest keys first;
- mandatory parts: of the enterprises with an open CRITICAL warning ``quota(n, critical_share)`` (100%, DEFAULT),
  of those with an open HIGH warning (and no CRITICAL one) ``quota(n, high_share)`` (≥ 30%), of the 报备即批准
  certifications of the previous year ``quota(n, pilot_share)`` (20%); each ranked by its own purpose's key;
- a case is one selected enterprise with every reason it was selected for;
- inspectors: cases in the order of their key; each takes the ``inspectors_per_case`` eligible inspectors (the
  conflict rule: not of the enterprise's district, DEFAULT) with the fewest cases so far, ties by key — a
  deterministic, balanced assignment. A case with fewer eligible inspectors than asked takes those there are and
  is listed in ``understaffed``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

RANDOM, CRITICAL, HIGH, PILOT = "random", "critical", "high", "pilot"
REASONS = (RANDOM, CRITICAL, HIGH, PILOT)
ROUNDINGS = {"ceil": ROUND_CEILING, "floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP}
CONFLICT_RULES = ("not_same_district", "none")
STRATA = ("district", "cert_year")


@dataclass(frozen=True)
class Member:
    """One enterprise of the frozen population."""

    uscc: str
    district: str
    cert_year: int | None  # the year its current HTE certificate was issued (None: unknown)
    warning: str = ""  # its most severe open warning counted here: CRITICAL, HIGH or ""
    pilot: bool = False  # certified through 报备即批准 in the year before the draw's year

    def row(self) -> list[Any]:
        return [self.uscc, self.district, self.cert_year, self.warning, self.pilot]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Member:
        year = row[2]
        return cls(str(row[0]), str(row[1]), None if year is None else int(year), str(row[3]), bool(row[4]))


@dataclass(frozen=True)
class Inspector:
    id: int
    district: str  # "" for a municipal unit's inspector (no district to conflict with)

    def row(self) -> list[Any]:
        return [self.id, self.district]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Inspector:
        return cls(int(row[0]), str(row[1]))


@dataclass(frozen=True)
class Params:
    random_share: Decimal
    critical_share: Decimal
    high_share: Decimal
    pilot_share: Decimal
    inspectors_per_case: int
    conflict_rule: str = "not_same_district"
    rounding: str = "ceil"
    strata: tuple[str, ...] = STRATA

    def __post_init__(self) -> None:
        for name in ("random_share", "critical_share", "high_share", "pilot_share"):
            share = getattr(self, name)
            if not isinstance(share, Decimal) or not Decimal(0) <= share <= Decimal(1):
                raise ValueError(f"{name} must be a decimal share between 0 and 1, not {share!r}")
        if self.inspectors_per_case < 1:
            raise ValueError("inspectors_per_case must be at least 1")
        if self.conflict_rule not in CONFLICT_RULES:
            raise ValueError(f"unknown conflict_rule {self.conflict_rule!r} (known: {', '.join(CONFLICT_RULES)})")
        if self.rounding not in ROUNDINGS:
            raise ValueError(f"unknown rounding {self.rounding!r} (known: {', '.join(ROUNDINGS)})")
        if not set(self.strata) <= set(STRATA):
            raise ValueError(f"unknown strata {sorted(set(self.strata) - set(STRATA))}")


@dataclass(frozen=True)
class Case:
    uscc: str
    district: str
    stratum: str
    reasons: tuple[str, ...]  # in REASONS order
    inspectors: tuple[int, ...]  # inspector ids, in assignment order


@dataclass(frozen=True)
class Stratum:
    key: str
    district: str
    cert_year: int | None
    size: int
    drawn: int


@dataclass(frozen=True)
class Selection:
    cases: tuple[Case, ...]  # in assignment order
    strata: tuple[Stratum, ...]  # by key
    groups: dict[str, tuple[int, int]]  # reason → (group size, drawn for that reason)
    understaffed: tuple[str, ...]  # USCCs with fewer inspectors than inspectors_per_case

    def usccs(self) -> list[str]:
        return sorted(c.uscc for c in self.cases)


def quota(size: int, share: Decimal, rounding: str = "ceil") -> int:
    """How many of ``size`` a share draws: ``size × share`` rounded by the rule (ceil, DEFAULT), at most ``size``.
    Exact decimals: 20 × 0.05 = 1 draws 1; 21 × 0.05 = 1.05 draws 2 under ceil."""
    if size <= 0:
        return 0
    n = int((Decimal(size) * share).to_integral_value(rounding=ROUNDINGS[rounding]))
    return min(size, max(n, 0))


def digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def population_hash(usccs: Iterable[str]) -> str:
    """SHA-256 of the sorted USCC list, one per line: what the public page shows of the frozen population."""
    return hashlib.sha256("\n".join(sorted(usccs)).encode()).hexdigest()


def frozen_hash(population: Iterable[Member], pool: Iterable[Inspector]) -> str:
    """SHA-256 of every frozen input the selection reads (members' strata and flags, the inspector pool)."""
    rows = sorted(m.row() for m in population)
    inspectors = sorted(i.row() for i in pool)
    return hashlib.sha256(repr((rows, inspectors)).encode()).hexdigest()


def stratum_key(m: Member, strata: Sequence[str]) -> str:
    parts = [m.district if s == "district" else ("" if m.cert_year is None else str(m.cert_year)) for s in strata]
    return "/".join(parts)


def _ranked(seed: str, purpose: str, members: Iterable[Member]) -> list[Member]:
    return sorted(members, key=lambda m: (digest(seed, purpose, m.uscc), m.uscc))


def _eligible(i: Inspector, m: Member, rule: str) -> bool:
    if rule == "not_same_district":
        return not (i.district and i.district == m.district)
    return True


def select(seed: str, population: Sequence[Member], pool: Sequence[Inspector], params: Params) -> Selection:
    """The selection and its inspectors (see the module's docstring). ValueError: a USCC twice in the population
    or an inspector id twice in the pool."""
    if not seed:
        raise ValueError("a draw needs its seed")
    by_uscc = {m.uscc: m for m in population}
    if len(by_uscc) != len(population):
        raise ValueError("the population names an enterprise twice")
    if len({i.id for i in pool}) != len(pool):
        raise ValueError("the inspector pool names an inspector twice")
    reasons: dict[str, set[str]] = {}

    def take(purpose: str, members: Sequence[Member], share: Decimal) -> int:
        n = quota(len(members), share, params.rounding)
        for m in _ranked(seed, purpose, members)[:n]:
            reasons.setdefault(m.uscc, set()).add(purpose)
        return n

    strata: dict[str, list[Member]] = {}
    for m in population:
        strata.setdefault(stratum_key(m, params.strata), []).append(m)
    stratum_rows = []
    for key in sorted(strata):
        members = strata[key]
        drawn = take(RANDOM, members, params.random_share)
        first = members[0]
        stratum_rows.append(Stratum(key, first.district if "district" in params.strata else "",
                                    first.cert_year if "cert_year" in params.strata else None,
                                    len(members), drawn))  # fmt: skip
    groups = {RANDOM: (len(population), sum(s.drawn for s in stratum_rows))}
    critical = [m for m in population if m.warning == CRITICAL]
    high = [m for m in population if m.warning == HIGH]
    pilot = [m for m in population if m.pilot]
    groups[CRITICAL] = (len(critical), take(CRITICAL, critical, params.critical_share))
    groups[HIGH] = (len(high), take(HIGH, high, params.high_share))
    groups[PILOT] = (len(pilot), take(PILOT, pilot, params.pilot_share))

    load = {i.id: 0 for i in pool}
    cases, understaffed = [], []
    for m in _ranked(seed, "case", (by_uscc[u] for u in reasons)):
        eligible = [i for i in pool if _eligible(i, m, params.conflict_rule)]
        eligible.sort(key=lambda i: (load[i.id], digest(seed, "inspector", m.uscc, i.id), i.id))
        chosen = eligible[: params.inspectors_per_case]
        for i in chosen:
            load[i.id] += 1
        if len(chosen) < params.inspectors_per_case:
            understaffed.append(m.uscc)
        cases.append(Case(m.uscc, m.district, stratum_key(m, params.strata),
                          tuple(r for r in REASONS if r in reasons[m.uscc]), tuple(i.id for i in chosen)))  # fmt: skip
    return Selection(tuple(cases), tuple(stratum_rows), groups, tuple(sorted(understaffed)))


__all__ = [
    "CRITICAL", "HIGH", "PILOT", "RANDOM", "REASONS", "Case", "Inspector", "Member", "Params", "Selection", "Stratum",
    "digest", "frozen_hash", "population_hash", "quota", "select", "stratum_key",
]  # fmt: skip
