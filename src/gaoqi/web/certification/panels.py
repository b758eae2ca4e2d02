"""Random drawing of the expert panel that reviews an HTE application.

The rules (Measures Art. 12 and Guidelines 国科发火〔2016〕195号 §二.4): experts are drawn **at random** from the
pool **by technical field**; a panel has at least 5 experts, technical experts at least 60 %, at least one
financial expert, and its leader is a technical expert. The figures are not hard-coded: the caller passes a
:class:`PanelRules` built from configuration.

What this module guarantees (and its property tests check):

- **Size.** A panel has exactly ``rules.size`` experts, all distinct.
- **Technical share.** At least ``rules.min_technical`` = max(1, ⌈size × min_technical_share⌉) technical experts
  of the application's field (one of the eight top-level fields of 《国家重点支持的高新技术领域》, :data:`FIELDS`).
  Only when ``rules.allow_other_fields`` is true may technical experts of *other* fields fill a shortfall, and
  the panel then says so (:attr:`Panel.other_field_ids`); otherwise a shortfall raises :class:`PanelError`.
- **Financial experts.** At least ``rules.min_financial``.
- The remaining seats are drawn uniformly from the other eligible experts of the field and financial experts
  (other-field technical experts only if still short and allowed).
- **Leader.** A technical expert of the panel (of the application's field when the panel has one), drawn with
  the same seeded generator.
- **Conflicts of interest** (:func:`conflict_of_interest`) and **inactive** experts are never drawn, and
  :attr:`Panel.excluded` records, for each expert who would otherwise have been a candidate for this application,
  why they were left out. An expert is in conflict with the applicant when the applicant is

  1. the expert's current employer, or
  2. a former employer the expert left *within* ``rules.conflict_years`` years before the drawing date ``on``:
     **within N years means until_date > on − N years** (calendar years; 29 February maps to 28 February). An
     expert who left exactly N years ago to the day is no longer in conflict; one day later (one day less ago)
     they are. An ``until_date`` on or after ``on`` is a current relationship and a conflict too.
  3. in the expert's declared avoidances.

  USCCs are compared after stripping blanks and upper-casing.
- **Reproducibility.** ``random.Random(seed)`` on candidates in a stable order (sorted by expert id; the order
  of the input pool does not matter): same pool, application, date, rules and seed → the same panel. The panel
  records its inputs (applicant, field, date, seed) and a digest of the pool, so an auditor can redraw it with
  :func:`redraw_check`; a different digest tells "the pool changed since" apart from "the panel was altered".

This module is framework-free (no Django): the certification app stores experts and panels and calls it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Final, Literal, get_args

__all__ = [
    "FIELDS",
    "Exclusion",
    "Expert",
    "ExpertPool",
    "Kind",
    "Panel",
    "PanelError",
    "PanelRules",
    "RedrawResult",
    "bench_panels",
    "conflict_of_interest",
    "draw_panel",
    "redraw_check",
    "years_before",
]

# The eight top-level fields of 《国家重点支持的高新技术领域》 (annex to 国科发火〔2016〕32号).
FIELDS: Final[tuple[str, ...]] = (
    "电子信息",
    "生物与新医药",
    "航空航天",
    "新材料",
    "高技术服务",
    "新能源与节能",
    "资源与环境",
    "先进制造与自动化",
)

Kind = Literal["technical", "financial"]
_KINDS: Final = frozenset(get_args(Kind))


class PanelError(Exception):
    """The pool cannot satisfy the rules for this application; the message says what is short and why."""


class Exclusion(StrEnum):
    """Why an expert who would otherwise have been a candidate was left out of the draw."""

    INACTIVE = "inactive"
    CURRENT_EMPLOYER = "current_employer"
    FORMER_EMPLOYER = "former_employer"
    DECLARED_AVOIDANCE = "declared_avoidance"


def _norm(uscc: str) -> str:
    return uscc.strip().upper()


@dataclass(frozen=True, slots=True)
class Expert:
    """One expert of the pool.

    ``fields`` are top-level fields of :data:`FIELDS` (meaningful for technical experts); ``past_employers`` are
    ``(uscc, until_date)`` pairs, ``until_date`` being the last day of employment; ``avoid_usccs`` are the
    enterprises the expert declared they must avoid.
    """

    id: str
    name: str
    kind: Kind
    fields: frozenset[str] = frozenset()
    employer_uscc: str | None = None
    past_employers: tuple[tuple[str, dt.date], ...] = ()
    avoid_usccs: frozenset[str] = frozenset()
    active: bool = True

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("an expert needs an id")
        if self.kind not in _KINDS:
            raise ValueError(f"expert {self.id}: kind must be 'technical' or 'financial', got {self.kind!r}")
        unknown = self.fields - set(FIELDS)
        if unknown:
            raise ValueError(f"expert {self.id}: unknown technical field(s) {sorted(unknown)}; expected {FIELDS}")


@dataclass(frozen=True, slots=True)
class PanelRules:
    """The panel rules, as data (the caller passes the configured values)."""

    size: int = 5
    min_technical_share: float = 0.6
    min_financial: int = 1
    conflict_years: int = 3
    allow_other_fields: bool = False  # may technical experts of other fields fill a field's shortfall?

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"panel size must be at least 1, got {self.size}")
        if not 0 <= self.min_technical_share <= 1:
            raise ValueError(f"min_technical_share must be within [0, 1], got {self.min_technical_share}")
        if self.min_financial < 0:
            raise ValueError(f"min_financial must be >= 0, got {self.min_financial}")
        if self.conflict_years < 0:
            raise ValueError(f"conflict_years must be >= 0, got {self.conflict_years}")
        if self.min_technical + self.min_financial > self.size:
            raise ValueError(
                f"rules cannot be met: {self.min_technical} technical + {self.min_financial} financial experts "
                f"exceed a panel of {self.size}"
            )

    @property
    def min_technical(self) -> int:
        """⌈size × share⌉ computed exactly (0.6 × 5 = 3, not 3.0000000001 → 4); at least 1 for the leader."""
        return max(1, math.ceil(Fraction(str(self.min_technical_share)) * self.size))


@dataclass(frozen=True, slots=True)
class Panel:
    """A drawn panel, with everything needed to redraw it."""

    applicant_uscc: str
    field: str
    on: dt.date
    seed: int | str
    expert_ids: tuple[str, ...]  # in draw order: technical quota, financial quota, then the remaining seats
    leader_id: str
    excluded: dict[str, Exclusion]  # expert id → reason, for experts who would otherwise have been candidates
    other_field_ids: tuple[str, ...] = ()  # technical experts of other fields (only under allow_other_fields)
    pool_digest: str = ""
    # expert routing (ADR 0034): technical seats reserved for experts of another field (the field classifier's
    # prediction when the declared field disagrees with the evidence), what was asked and who filled them
    reserved_field: str | None = None
    reserved_seats: int = 0
    reserved_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RedrawResult:
    """The outcome of :func:`redraw_check`: ``matches`` is true when the redraw gives the same panel."""

    matches: bool
    redrawn: Panel | None
    differences: tuple[str, ...] = field(default=())


def years_before(on: dt.date, years: int) -> dt.date:
    """``on`` minus whole calendar years (29 February → 28 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a non-leap year
        return on.replace(year=on.year - years, day=28)


def conflict_of_interest(expert: Expert, applicant_uscc: str, on: dt.date, conflict_years: int) -> Exclusion | None:
    """The conflict of interest between ``expert`` and the applicant on ``on``, or ``None``.

    Former employer: a conflict when ``until_date > on − conflict_years years`` (left within the period).
    """
    applicant = _norm(applicant_uscc)
    if expert.employer_uscc is not None and _norm(expert.employer_uscc) == applicant:
        return Exclusion.CURRENT_EMPLOYER
    cutoff = years_before(on, conflict_years)
    if any(_norm(uscc) == applicant and until > cutoff for uscc, until in expert.past_employers):
        return Exclusion.FORMER_EMPLOYER
    if any(_norm(uscc) == applicant for uscc in expert.avoid_usccs):
        return Exclusion.DECLARED_AVOIDANCE
    return None


class ExpertPool:
    """The pool, indexed once (by id, kind, field and related enterprise) so that many panels draw fast."""

    __slots__ = ("_by_field", "_financial", "_related", "_technical", "digest", "experts")

    def __init__(self, experts: Iterable[Expert]) -> None:
        ordered = tuple(sorted(experts, key=lambda e: e.id))
        for previous, current in itertools.pairwise(ordered):
            if previous.id == current.id:
                raise ValueError(f"duplicate expert id {current.id!r} in the pool")
        self.experts: tuple[Expert, ...] = ordered
        self._technical: tuple[Expert, ...] = tuple(e for e in ordered if e.kind == "technical")
        self._financial: tuple[Expert, ...] = tuple(e for e in ordered if e.kind == "financial")
        self._by_field: dict[str, tuple[Expert, ...]] = {
            f: tuple(e for e in self._technical if f in e.fields) for f in FIELDS
        }
        related: dict[str, list[Expert]] = {}
        for e in ordered:
            usccs = {*(u for u, _ in e.past_employers), *e.avoid_usccs}
            if e.employer_uscc is not None:
                usccs.add(e.employer_uscc)
            for u in {_norm(u) for u in usccs}:
                related.setdefault(u, []).append(e)
        self._related: dict[str, tuple[Expert, ...]] = {u: tuple(es) for u, es in related.items()}
        self.digest: str = _digest(ordered)

    def __len__(self) -> int:
        return len(self.experts)

    def technical_in(self, field: str) -> tuple[Expert, ...]:
        """Technical experts of ``field`` (active or not), sorted by id."""
        return self._by_field[field]

    def technical_outside(self, field: str) -> tuple[Expert, ...]:
        """Technical experts without ``field``, sorted by id."""
        return tuple(e for e in self._technical if field not in e.fields)

    @property
    def financial(self) -> tuple[Expert, ...]:
        return self._financial

    def related_to(self, uscc: str) -> tuple[Expert, ...]:
        """Experts with any tie (current, former or declared) to the enterprise ``uscc``."""
        return self._related.get(_norm(uscc), ())


def _digest(experts: Sequence[Expert]) -> str:
    canonical = [
        [
            e.id,
            e.name,
            e.kind,
            sorted(e.fields),
            e.employer_uscc,
            sorted([u, d.isoformat()] for u, d in e.past_employers),
            sorted(e.avoid_usccs),
            e.active,
        ]
        for e in experts
    ]
    blob = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _shortage(what: str, need: int, group: Sequence[Expert], eligible: int, excluded: dict[str, Exclusion]) -> str:
    conflicts = sum(1 for e in group if excluded.get(e.id) not in (None, Exclusion.INACTIVE))
    inactive = sum(1 for e in group if excluded.get(e.id) == Exclusion.INACTIVE)
    return (
        f"needs {need} {what}, only {eligible} eligible "
        f"({len(group)} in the pool: {conflicts} excluded for conflict of interest, {inactive} inactive)"
    )


def draw_panel(
    applicant_uscc: str,
    field: str,
    experts: Iterable[Expert] | ExpertPool,
    rules: PanelRules,
    seed: int | str,
    on: dt.date,
    *,
    reserve: tuple[str, int] | None = None,
) -> Panel:
    """Draw the review panel for one application; raise :class:`PanelError` if the pool cannot meet the rules.

    ``field`` is the application's top-level technical field; ``on`` the drawing date (for the former-employer
    period); ``seed`` is recorded in the panel. Pass an :class:`ExpertPool` to draw many panels from one pool.

    ``reserve=(other_field, n)``: up to ``n`` of the technical seats go first to eligible technical experts of
    ``other_field`` (drawn with the same seeded generator; a field's own experts fill what the other field cannot,
    so a reservation never makes a panel impossible); they count towards the technical quota, the leader is still
    of ``field`` when the panel has one, and :attr:`Panel.reserved_ids` says who took the reserved seats. Without
    ``reserve`` (or with ``n = 0`` or ``other_field == field``) the draw is exactly the one without routing.
    """
    if field not in FIELDS:
        raise ValueError(f"unknown technical field {field!r}; expected one of {FIELDS}")
    if reserve is not None and (reserve[0] not in FIELDS or reserve[1] < 0):
        raise ValueError(f"reserve must be (one of {FIELDS}, seats >= 0), got {reserve!r}")
    if not applicant_uscc.strip():
        raise ValueError("the applicant's USCC is empty")
    pool = experts if isinstance(experts, ExpertPool) else ExpertPool(experts)

    conflicts: dict[str, Exclusion] = {}
    for e in pool.related_to(applicant_uscc):
        reason = conflict_of_interest(e, applicant_uscc, on, rules.conflict_years)
        if reason is not None:
            conflicts[e.id] = reason

    excluded: dict[str, Exclusion] = {}

    def eligible(group: Sequence[Expert]) -> list[Expert]:
        kept = []
        for e in group:
            if not e.active:
                excluded[e.id] = Exclusion.INACTIVE
            elif e.id in conflicts:
                excluded[e.id] = conflicts[e.id]
            else:
                kept.append(e)
        return kept

    in_field_group, financial_group = pool.technical_in(field), pool.financial
    in_field, financial = eligible(in_field_group), eligible(financial_group)
    other_group = pool.technical_outside(field) if rules.allow_other_fields else ()
    other = eligible(other_group)
    excluded = dict(sorted(excluded.items()))

    need_t, need_f, size = rules.min_technical, rules.min_financial, rules.size
    short: list[str] = []
    if len(in_field) < need_t:
        if not rules.allow_other_fields:
            short.append(
                _shortage(f"technical experts in {field}", need_t, in_field_group, len(in_field), excluded)
                + "; the rules do not allow technical experts of other fields"
            )
        elif len(in_field) + len(other) < need_t:
            short.append(
                _shortage(f"technical experts in {field}", need_t, in_field_group, len(in_field), excluded)
                + f", and only {len(other)} eligible technical experts of other fields to make up for it"
            )
    if len(financial) < need_f:
        short.append(_shortage("financial experts", need_f, financial_group, len(financial), excluded))
    if not short and len(in_field) + len(financial) + len(other) < size:
        short.append(
            f"needs {size} experts in all, only {len(in_field) + len(financial) + len(other)} eligible "
            f"({len(in_field)} technical in {field}, {len(financial)} financial"
            + (f", {len(other)} technical of other fields" if rules.allow_other_fields else "")
            + ")"
        )
    if short:
        raise PanelError(f"cannot draw a panel for {applicant_uscc} ({field}) on {on.isoformat()}: " + "; ".join(short))

    rng = random.Random(seed)
    reserved: list[Expert] = []
    if reserve is not None and reserve[1] > 0 and reserve[0] != field:
        routed = [e for e in eligible(pool.technical_in(reserve[0])) if field not in e.fields]
        excluded = dict(sorted(excluded.items()))
        reserved = rng.sample(routed, min(reserve[1], len(routed), need_t - 1))  # one seat stays for a leader
    members = reserved + rng.sample(in_field, min(need_t - len(reserved), len(in_field)))
    if len(members) < need_t:  # only reached under allow_other_fields (checked above)
        members += rng.sample(other, need_t - len(members))
    members += rng.sample(financial, need_f)
    chosen = {e.id for e in members}
    rest = sorted((e for e in (*in_field, *financial) if e.id not in chosen), key=lambda e: e.id)
    members += rng.sample(rest, min(size - len(members), len(rest)))
    if len(members) < size:  # the field and the financial experts are exhausted: other fields, if allowed
        chosen = {e.id for e in members}
        members += rng.sample([e for e in other if e.id not in chosen], size - len(members))

    leaders = [e for e in members if e.kind == "technical" and field in e.fields]
    leader = rng.choice(leaders or [e for e in members if e.kind == "technical"])
    return Panel(
        applicant_uscc=applicant_uscc,
        field=field,
        on=on,
        seed=seed,
        expert_ids=tuple(e.id for e in members),
        leader_id=leader.id,
        excluded=excluded,
        other_field_ids=tuple(
            e.id for e in members if e.kind == "technical" and field not in e.fields and e not in reserved
        ),
        pool_digest=pool.digest,
        reserved_field=reserve[0] if reserve is not None and reserve[1] > 0 and reserve[0] != field else None,
        reserved_seats=reserve[1] if reserve is not None and reserve[0] != field else 0,
        reserved_ids=tuple(e.id for e in reserved),
    )


def redraw_check(panel: Panel, experts: Iterable[Expert] | ExpertPool, rules: PanelRules) -> RedrawResult:
    """Redraw ``panel`` from its recorded inputs and the given pool and rules, and compare.

    The pool must be the one as at the drawing (experts' employers and status change over time): a different
    pool digest is reported first, so "the pool changed since" is told apart from "the panel was altered".
    """
    pool = experts if isinstance(experts, ExpertPool) else ExpertPool(experts)
    differences: list[str] = []
    if panel.pool_digest and panel.pool_digest != pool.digest:
        differences.append(f"the expert pool differs from the one drawn from ({panel.pool_digest[:12]}…)")
    try:
        redrawn = draw_panel(
            panel.applicant_uscc,
            panel.field,
            pool,
            rules,
            panel.seed,
            panel.on,
            reserve=(panel.reserved_field, panel.reserved_seats) if panel.reserved_field else None,
        )
    except PanelError as error:
        return RedrawResult(False, None, (*differences, f"the redraw fails: {error}"))
    for name in ("expert_ids", "leader_id", "excluded", "other_field_ids", "reserved_ids"):
        recorded, again = getattr(panel, name), getattr(redrawn, name)
        if recorded != again:
            differences.append(f"{name}: recorded {recorded!r}, redrawn {again!r}")
    return RedrawResult(not differences, redrawn, tuple(differences))


def bench_panels(n_applications: int = 1000, n_experts: int = 2000, seed: int = 2026) -> float:
    """Seconds to index a synthetic pool of ``n_experts`` and draw panels for ``n_applications`` (default rules)."""
    gen = random.Random(seed)
    usccs = [f"91110108MA{i:07d}X" for i in range(max(50, n_experts // 4))]
    on = dt.date(2026, 6, 30)
    experts = []
    for i in range(n_experts):
        technical = gen.random() < 0.8
        experts.append(
            Expert(
                id=f"E{i:05d}",
                name=f"专家{i}",
                kind="technical" if technical else "financial",
                fields=frozenset(gen.sample(FIELDS, gen.choice((1, 1, 2)))) if technical else frozenset(),
                employer_uscc=gen.choice(usccs) if gen.random() < 0.5 else None,
                past_employers=tuple(
                    (gen.choice(usccs), on - dt.timedelta(days=gen.randrange(1, 3000))) for _ in range(gen.randrange(3))
                ),
                avoid_usccs=frozenset(gen.sample(usccs, gen.randrange(3))),
                active=gen.random() < 0.95,
            )
        )
    applications = [(gen.choice(usccs), gen.choice(FIELDS)) for _ in range(n_applications)]
    rules = PanelRules()
    started = time.perf_counter()
    pool = ExpertPool(experts)
    for k, (uscc, fld) in enumerate(applications):
        draw_panel(uscc, fld, pool, rules, seed=k, on=on)
    return time.perf_counter() - started


if __name__ == "__main__":  # python -m gaoqi.web.certification.panels
    print(f"1,000 panels from a pool of 2,000 experts: {bench_panels():.3f} s")
