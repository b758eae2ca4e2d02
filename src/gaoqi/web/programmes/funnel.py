"""The cultivation pool's funnel (issue 12): in the pool → applied → certified, per district, cohort (the year
of entry) and route in (``rule``: automatic inclusion; ``recommendation``), with conversion rates, certification
by the end of year y+k (k = 1, 2, 3) and the median days from entry to certification. A selector: scoped like
the counts per district (``core.scoping.district_scope``: municipal officials and evaluators every district, a
district official the district's enterprises, every other role nothing).

How it counts (shared/reference/programmes.md §2.2, conversion metric, DEFAULT):

- **entrant**: one stay (``ListMembership``) on the list; its cohort is the year of ``entered_on``. An
  enterprise that leaves and enters again is a new entrant of its new entry's year. Its district is the
  enterprise's district now, as for every other scoped read.
- **certified date** of a stay: the earliest of (a) a certificate the platform issued (``Certificate.issue_date``,
  any status but ``revoked``: a revoked qualification is void) dated on or after the entry, and (b) the stay's
  exit with reason ``certified`` (``left_on``: the as-of date of the first snapshot whose department data showed
  a valid HTE certificate — a certificate obtained outside the platform, through the national system, arrives
  so; the index keeps no issue date for those, so the snapshot's date is the date known). A certificate dated
  before the entry never counts (the stay cannot have brought it).
- **certified** (the funnel's last stage): a certified date on or before the stay's end (while on the list, or
  as its exit).
- **applied**: an application submitted through the platform (``Application.submitted_at``: submitted, or filed
  on the pilot route; a draft is not an application) between the entry and the stay's end, **or** certified: a
  certificate from department data means an application was filed with the national system, which the platform
  does not see. So applied ≥ certified always; ``applied_here`` counts the platform's applications alone.
- **conversion(y, k)** = entrants of cohort y with a certified date by 31 December of y+k ÷ entrants of cohort y
  (the reference's metric: a certificate after the stay ended counts too, when the platform issued it). Until
  that day has passed the figure is still moving: ``open_k`` says so.

Set-based: one SQL statement groups the stays by district, cohort, route and the few per-stay outcomes (applied
or not, certified or not, certificate year − cohort, days to certification); Python only adds those groups up
(they are additive: a stay is in exactly one) and reads medians off the days' counts. The dates are compared in
SQL that runs on SQLite and PostgreSQL alike (``_YEAR`` and ``_DAYS`` are the two vendor spellings)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import Case, DateField, F, OuterRef, Subquery, When
from django.db.models.functions import ExtractYear, TruncDate

from gaoqi.web.core import clock
from gaoqi.web.core.scoping import district_scope

#: k of conversion(y, k): certified by the end of year y+k (the reference reports 1, 2 and 3).
KS: tuple[int, ...] = (1, 2, 3)


@dataclass(frozen=True)
class FunnelFilter:
    cohort: int | None = None  # the year of entry; None: every cohort
    route: str = ""  # "rule" / "recommendation"; "": both


@dataclass
class FunnelRow:
    """The funnel of one group of stays (``district`` "" = every district in scope, ``cohort`` None = every
    cohort, ``route`` "" = both routes)."""

    district: str = ""
    cohort: int | None = None
    route: str = ""
    entrants: int = 0
    applied: int = 0
    applied_here: int = 0  # of which through this platform
    certified: int = 0
    #: k → stays certified by 31 December of (cohort + k)
    by_end: dict[int, int] = field(default_factory=lambda: dict.fromkeys(KS, 0))
    #: k → some stay's cohort + k has not ended yet (the figure may still grow)
    open_k: dict[int, bool] = field(default_factory=lambda: dict.fromkeys(KS, False))
    #: days from entry to certification (certified stays) → how many stays
    days: Counter[int] = field(default_factory=Counter)

    def add(self, other: FunnelRow) -> None:
        self.entrants += other.entrants
        self.applied += other.applied
        self.applied_here += other.applied_here
        self.certified += other.certified
        for k in KS:
            self.by_end[k] += other.by_end[k]
            self.open_k[k] = self.open_k[k] or other.open_k[k]
        self.days.update(other.days)

    @staticmethod
    def _rate(n: int, d: int) -> float | None:
        return n / d if d else None

    @property
    def applied_rate(self) -> float | None:
        return self._rate(self.applied, self.entrants)

    @property
    def certified_rate(self) -> float | None:
        """certified ÷ entrants."""
        return self._rate(self.certified, self.entrants)

    @property
    def certified_of_applied(self) -> float | None:
        return self._rate(self.certified, self.applied)

    @property
    def conversion(self) -> dict[int, float | None]:
        """k → conversion(y, k) of the reference (certified by the end of y+k ÷ entrants)."""
        return {k: self._rate(self.by_end[k], self.entrants) for k in KS}

    @property
    def conversions(self) -> list[tuple[int, float | None, bool]]:
        """(k, conversion(y, k), still moving) for k in KS: what a page shows."""
        return [(k, self._rate(self.by_end[k], self.entrants), self.open_k[k]) for k in KS]

    @property
    def median_days(self) -> float | None:
        """The median of the days from entry to certification of the certified stays (None: none certified)."""
        return median(self.days)


def median(counts: Counter[int]) -> float | None:
    """The median of values given as value → how many (the mean of the two middle values for an even count)."""
    n = sum(counts.values())
    if n == 0:
        return None
    lo_rank, hi_rank = (n + 1) // 2, n // 2 + 1  # 1-based ranks of the middle value(s)
    seen, lo, hi = 0, None, None
    for value in sorted(counts):
        seen += counts[value]
        if lo is None and seen >= lo_rank:
            lo = value
        if seen >= hi_rank:
            hi = value
            break
    assert lo is not None and hi is not None
    return (lo + hi) / 2


@dataclass(frozen=True)
class Funnel:
    list_id: str
    today: dt.date
    f: FunnelFilter
    cohorts: list[int]  # every cohort in the user's scope (for the filter), oldest first
    total: FunnelRow  # the selection (filter applied), every district
    by_route: list[FunnelRow]  # the selection per route
    by_cohort: list[FunnelRow]  # the selection per cohort
    by_district: list[FunnelRow]  # the selection per district
    rows: list[FunnelRow]  # the selection per district × cohort × route

    @property
    def empty(self) -> bool:
        return self.total.entrants == 0


#: The year of a date and the days between two dates, per database (the only vendor SQL here).
_YEAR = {"postgresql": "CAST(EXTRACT(YEAR FROM {0}) AS integer)", "sqlite": "CAST(strftime('%%Y', {0}) AS integer)"}
_DAYS = {"postgresql": "({0} - {1})", "sqlite": "CAST(julianday({0}) - julianday({1}) AS integer)"}


def _sql(qs: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, tuple(params)


def _grouped(scope: Any, list_id: str) -> list[tuple[Any, ...]]:
    """(district, cohort, route, applied here, certified, certificate year − cohort, days, stays), one SQL
    statement of joins (no subquery per stay): the stays in scope (materialised once), the platform's
    certificates and applications by USCC (their dates as the platform's calendar has them: Django compiles the
    three row sources for the database), the first certificate on or after each entry and whether an application
    was submitted in the stay, then the groups."""
    from gaoqi.web.certification.models import Application, Certificate
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.programmes.models import CERTIFIED, ListMembership

    # the enterprise's district and USCC by its key, one index probe each per stay: a join let PostgreSQL hash
    # the whole enterprise table (2 million rows) for the pool's few tens of thousands of stays
    of_enterprise = Enterprise.objects.filter(pk=OuterRef("enterprise_id")).order_by()
    stays = (
        ListMembership.objects.filter(list_id=list_id)
        .annotate(
            d=Subquery(of_enterprise.values("district_code")[:1]),
            u=Subquery(of_enterprise.values("uscc")[:1]),
        )
        .filter(scope)
        .order_by()
        .values(
            "d",
            "u",
            i=F("pk"),
            y=ExtractYear("entered_on"),
            r=F("route"),
            e=F("entered_on"),
            l=F("left_on"),
            xc=Case(When(left_reason=CERTIFIED, then=F("left_on")), default=None, output_field=DateField()),
        )
    )
    certificates = (
        Certificate.objects.exclude(status=Certificate.REVOKED).order_by().values(u=F("uscc"), day=F("issue_date"))
    )
    applications = (
        Application.objects.filter(submitted_at__isnull=False)
        .order_by()
        .values(u=F("uscc"), day=TruncDate("submitted_at"))
    )
    (st, p1), (ce, p2), (ap, p3) = _sql(stays), _sql(certificates), _sql(applications)
    db = connections[stays.db]
    vendor = db.vendor if db.vendor in _YEAR else "postgresql"
    cert = "CASE WHEN pc.pc IS NULL THEN st.xc WHEN st.xc IS NULL OR pc.pc < st.xc THEN pc.pc ELSE st.xc END"
    in_stay = "c IS NOT NULL AND (l IS NULL OR c <= l)"
    sql = (
        f"WITH st AS MATERIALIZED ({st}), ce AS ({ce}), ap AS ({ap}), "
        "pc AS (SELECT st.i, MIN(ce.day) AS pc FROM st JOIN ce ON ce.u = st.u AND ce.day >= st.e GROUP BY st.i), "
        "sa AS (SELECT DISTINCT st.i FROM st JOIN ap ON ap.u = st.u AND ap.day >= st.e "
        "AND (st.l IS NULL OR ap.day <= st.l)), "
        f"t AS (SELECT st.d, st.y, st.r, st.e, st.l, CASE WHEN sa.i IS NULL THEN 0 ELSE 1 END AS a, {cert} AS c "
        "FROM st LEFT JOIN pc ON pc.i = st.i LEFT JOIN sa ON sa.i = st.i) "
        f"SELECT d, y, r, a, CASE WHEN {in_stay} THEN 1 ELSE 0 END, {_YEAR[vendor].format('c')} - y, "
        f"CASE WHEN {in_stay} THEN {_DAYS[vendor].format('c', 'e')} END, COUNT(*) FROM t GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )
    with db.cursor() as cur:
        cur.execute(sql, (*p1, *p2, *p3))
        return list(cur.fetchall())


#: How long a computed funnel is kept at most (the data signature below changes with every write it counts).
CACHE_SECONDS = 600


def data_signature() -> tuple[Any, ...]:
    """What the funnel is computed from, in a few index reads: the current snapshot (publishing moves districts and
    stays), the latest stay (entries by rule or recommendation), officials' removals (``left_by``: they end stays
    between snapshots), the applications' latest submission and the certificates' latest issue and revocations."""
    from django.db.models import Count, Max, Q

    from gaoqi.web.certification.models import Application, Certificate
    from gaoqi.web.intake.selectors import current_snapshot
    from gaoqi.web.programmes.models import ListMembership

    snap = current_snapshot()
    return (
        None if snap is None else snap.pk,
        ListMembership.objects.aggregate(m=Max("pk"))["m"],
        tuple(ListMembership.objects.filter(left_by__isnull=False).aggregate(n=Count("pk"), m=Max("pk")).values()),
        tuple(Application.objects.aggregate(m=Max("pk"), s=Max("submitted_at")).values()),
        tuple(Certificate.objects.aggregate(m=Max("pk"), r=Count("pk", filter=Q(status=Certificate.REVOKED))).values()),
    )


def _cached_grouped(user: Any, scope: Any, list_id: str) -> list[tuple[Any, ...]]:
    """``_grouped`` for the user's districts, kept (Django's cache) until the data it counts changes: the funnel
    reads every stay of the list with its enterprise, certificates and applications (40,000 stays at 2M
    enterprises: half a second), and the data changes with a publication or an official's act, not per request."""
    import hashlib

    from django.core.cache import cache

    who = "all" if not scope else getattr(user, "district_code", "")
    raw = repr((list_id, who, data_signature())).encode()
    key = "programmes.funnel." + hashlib.sha256(raw).hexdigest()
    rows = cache.get(key)
    if rows is None:
        rows = _grouped(scope, list_id)
        cache.set(key, rows, CACHE_SECONDS)
    return list(rows)


def _rows(grouped: Iterable[tuple[Any, ...]], today: dt.date) -> dict[tuple[str, int, str], FunnelRow]:
    out: dict[tuple[str, int, str], FunnelRow] = {}
    for d, y, r, ap, cf, offset, days, n in grouped:
        key = (d or "", int(y), r)
        row = out.get(key)
        if row is None:
            row = out[key] = FunnelRow(district=key[0], cohort=key[1], route=r)
            # 31 December of y + k has not passed: the figure may still grow
            row.open_k = {k: today <= dt.date(key[1] + k, 12, 31) for k in KS}
        row.entrants += n
        row.applied_here += n if ap else 0
        row.applied += n if (ap or cf) else 0
        if cf:
            row.certified += n
            row.days[int(days)] += n
        for k in KS:
            if offset is not None and offset <= k:
                row.by_end[k] += n
    return out


def _sum(rows: Iterable[FunnelRow], **key: Any) -> FunnelRow:
    total = FunnelRow(**key)
    for r in rows:
        total.add(r)
    return total


def funnel(user: Any, list_id: str, f: FunnelFilter | None = None) -> Funnel | None:
    """The funnel of ``list_id`` for ``user`` (None: the user reads no district figures), the filter applied to
    the grouped rows (the cohorts offered are every cohort in scope)."""
    from gaoqi.web.programmes.models import ROUTES

    scope = district_scope(user, "d")  # the stay's enterprise's district (``_grouped``)
    if scope is None:
        return None
    ORDER = {code: i for i, (code, _) in enumerate(ROUTES)}  # routes as the model lists them (rule first)
    f = f or FunnelFilter()
    today = clock.today()
    everything = _rows(_cached_grouped(user, scope, list_id), today)
    cohorts = sorted({y for _, y, _ in everything})
    rows = sorted(
        (
            r
            for (_, y, route), r in everything.items()
            if (f.cohort is None or y == f.cohort) and (not f.route or route == f.route)
        ),
        key=lambda r: (r.district, r.cohort or 0, ORDER.get(r.route, len(ORDER))),
    )

    def by(attr: str) -> list[FunnelRow]:
        keys = sorted({getattr(r, attr) for r in rows}, key=lambda k: (ORDER.get(k, len(ORDER)), k))
        return [_sum((r for r in rows if getattr(r, attr) == k), **{attr: k}) for k in keys]

    return Funnel(
        list_id=list_id,
        today=today,
        f=f,
        cohorts=cohorts,
        total=_sum(rows, cohort=f.cohort, route=f.route),
        by_route=by("route"),
        by_cohort=by("cohort"),
        by_district=by("district"),
        rows=rows,
    )


def chart(data: Funnel) -> dict[str, Any]:
    """The chart's data: the selection's three stages, and the rate certified ÷ entrants per district and route."""
    from gaoqi.web.core.labels import district
    from gaoqi.web.programmes.models import ADJUSTMENT, ROUTES

    t = data.total
    districts = [r.district for r in data.by_district]
    series = []
    for route, name in ROUTES:
        if data.f.route not in ("", route) or route == ADJUSTMENT:  # the lists certification ends take none
            continue
        values = []
        for d in districts:
            total = FunnelRow()
            for r in data.rows:
                if r.district == d and r.route == route:
                    total.add(r)
            values.append(None if total.certified_rate is None else round(total.certified_rate * 100, 1))
        series.append({"name": name, "data": values})
    return {
        "stages": [
            {"name": "纳入培育库", "value": t.entrants},
            {"name": "提出认定申请", "value": t.applied},
            {"name": "获得认定", "value": t.certified},
        ],
        "districts": [district(d) for d in districts],
        "rates": series,
    }


__all__ = ["KS", "Funnel", "FunnelFilter", "FunnelRow", "chart", "data_signature", "funnel", "median"]
