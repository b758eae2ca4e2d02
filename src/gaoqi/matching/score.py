"""Ranking supply items for demands: TF-IDF cosine of their terms plus the structured parts of the score.

The score of a demand d and a supply item s (programmes.md §10.2, DEFAULT weights, configurable):

    field      40 × [field(d) = field(s)]                       (HTE technical field code, top level)
    keywords   30 × cosine(tfidf(d), tfidf(s))                  (0 … 1)
    location   10 × [district(d) empty or = district(s)]        (a demand without a district takes anyone)
    budget     10 × 1   when price(s) ≤ budget_max(d)  (a price equal to the ceiling fits)
               10 × 0   when price(s) > budget_max(d)
               10 × ½   when either is unknown
    credit     10 × 1 clean, 0 not clean or unknown

Only items sharing at least one term with the demand are candidates (a cosine of 0 proposes nothing: a match
must have a reason in the text). The demand × item similarities are computed one block of demands at a time
as a sparse product (``block`` rows × all items), the structured parts on its non-zero entries only, and the
top ``k`` of each row by ``argpartition``: 10,000 × 200,000 never becomes a dense matrix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

#: below this many items a term is never dropped as too common
MIN_COMMON = 100
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Weights:
    """Points of each part (DEFAULT of programmes.md §10.2: 40 / 30 / 10 / 10 / 10)."""

    field: float = 40.0
    keywords: float = 30.0
    location: float = 10.0
    budget: float = 10.0
    credit: float = 10.0

    def total(self) -> float:
        return self.field + self.keywords + self.location + self.budget + self.credit

    def __post_init__(self) -> None:
        for name in ("field", "keywords", "location", "budget", "credit"):
            v = getattr(self, name)
            if not math.isfinite(v) or v < 0:
                raise ValueError(f"weight {name} must be a finite number ≥ 0, not {v!r}")


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Demand:
    key: str
    field: str
    terms: Sequence[str]
    district: str = ""  # "" = anywhere
    budget_max: float | None = None  # 万元; None = not said


@dataclass(frozen=True)
class Supply:
    key: str
    field: str
    terms: Sequence[str]
    district: str = ""
    price: float | None = None  # 万元; None = not said
    credit_clean: bool | None = None  # None = not known
    past_deliveries: int = 0  # signed matches of its supplier before (a reason, not a part of the score)


def budget_fit(price: float | None, budget_max: float | None) -> float:
    """1 when the price is within the ceiling (equal included), 0 above it, ½ when either is unknown."""
    if price is None or budget_max is None or math.isnan(price) or math.isnan(budget_max):
        return 0.5
    return 1.0 if price <= budget_max else 0.0


def location_fit(demand_district: str, supply_district: str) -> float:
    return 1.0 if not demand_district or demand_district == supply_district else 0.0


@dataclass(frozen=True)
class Parts:
    """One match's points per part (each already multiplied by its weight) and the shared terms."""

    field: float
    keywords: float
    location: float
    budget: float
    credit: float
    shared: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        return self.field + self.keywords + self.location + self.budget + self.credit


def parts(d: Demand, s: Supply, cosine: float, w: Weights = DEFAULT_WEIGHTS) -> Parts:
    """The score of one pair from its cosine (the ranked path computes the same, vectorised)."""
    shared = tuple(sorted(set(d.terms) & set(s.terms), key=list(d.terms).index))
    return Parts(
        field=w.field * (1.0 if d.field and d.field == s.field else 0.0),
        keywords=w.keywords * max(0.0, min(1.0, cosine)),
        location=w.location * location_fit(d.district, s.district),
        budget=w.budget * budget_fit(s.price, d.budget_max),
        credit=w.credit * (1.0 if s.credit_clean else 0.0),
        shared=shared,
    )


@dataclass(frozen=True)
class Ranked:
    """For each demand (in input order), its top items: indexes into the supply list, scores and cosines, best
    first (ties: the lower index first)."""

    items: list[I64]
    scores: list[F32]
    cosines: list[F32]


@dataclass
class Index:
    """The supply side, vectorised once (TF-IDF fitted on the items' terms) for many demands."""

    supplies: Sequence[Supply]
    max_df: float = 0.05  # a term found in more than 5% of the items says little about which one fits
    vectorizer: object = field(init=False, repr=False)
    matrix: sparse.csr_matrix = field(init=False, repr=False)
    _field: I64 = field(init=False, repr=False)
    _district: I64 = field(init=False, repr=False)
    _price: F32 = field(init=False, repr=False)
    _credit: F32 = field(init=False, repr=False)
    _codes: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        n = len(self.supplies)
        # every term as given (already segmented); min_df=1 keeps a rare term; a term in more than max_df of the
        # items (and in more than MIN_COMMON of them: a small catalogue drops nothing) is no evidence and would
        # make every item a candidate
        self.vectorizer = TfidfVectorizer(
            analyzer=_identity, lowercase=False, sublinear_tf=True, dtype=np.float32,
            max_df=max(math.ceil(self.max_df * n), MIN_COMMON),
        )  # fmt: skip
        if n:
            self.matrix = sparse.csr_matrix(self.vectorizer.fit_transform([list(s.terms) for s in self.supplies]))  # type: ignore[attr-defined]
        else:
            self.matrix = sparse.csr_matrix((0, 0), dtype=np.float32)
        self._codes = {}
        self._field = np.array([self._code("f:" + s.field) for s in self.supplies], dtype=np.int64)
        self._district = np.array([self._code("d:" + s.district) for s in self.supplies], dtype=np.int64)
        self._price = np.array([np.nan if s.price is None else s.price for s in self.supplies], dtype=np.float32)
        self._credit = np.array([1.0 if s.credit_clean else 0.0 for s in self.supplies], dtype=np.float32)

    def _code(self, key: str) -> int:
        return self._codes.setdefault(key, len(self._codes))

    def _lookup(self, key: str) -> int:
        return self._codes.get(key, -1)

    def demand_matrix(self, demands: Sequence[Demand]) -> sparse.csr_matrix:
        if not len(self.supplies):
            return sparse.csr_matrix((len(demands), 0), dtype=np.float32)
        m = self.vectorizer.transform([list(d.terms) for d in demands])  # type: ignore[attr-defined]
        return sparse.csr_matrix(m, dtype=np.float32)

    def rank(self, demands: Sequence[Demand], k: int = 20, w: Weights = DEFAULT_WEIGHTS, block: int = 256) -> Ranked:
        """The top ``k`` items of each demand (see the module's docstring for the score)."""
        if k < 1:
            raise ValueError("k must be ≥ 1")
        out = Ranked([], [], [])
        if not len(self.supplies):
            for _ in demands:
                out.items.append(np.zeros(0, dtype=np.int64))
                out.scores.append(np.zeros(0, dtype=np.float32))
                out.cosines.append(np.zeros(0, dtype=np.float32))
            return out
        pt = self.matrix.T.tocsr()
        for start in range(0, len(demands), block):
            part = demands[start : start + block]
            sims = sparse.csr_matrix(self.demand_matrix(part) @ pt)
            sims.sort_indices()
            rows = np.repeat(np.arange(len(part), dtype=np.int64), np.diff(sims.indptr))
            cols = sims.indices.astype(np.int64)
            cos = np.clip(sims.data, 0.0, 1.0).astype(np.float32)
            dfield = np.array([self._lookup("f:" + d.field) if d.field else -2 for d in part], dtype=np.int64)
            ddist = np.array([self._lookup("d:" + d.district) if d.district else -2 for d in part], dtype=np.int64)
            dbudget = np.array([np.nan if d.budget_max is None else d.budget_max for d in part], dtype=np.float32)
            score = w.keywords * cos
            score += w.field * (self._field[cols] == dfield[rows])
            dd = ddist[rows]
            score += w.location * ((dd == -2) | (self._district[cols] == dd))
            price, ceiling = self._price[cols], dbudget[rows]
            unknown = np.isnan(price) | np.isnan(ceiling)
            with np.errstate(invalid="ignore"):
                fits = np.where(unknown, 0.5, (price <= ceiling).astype(np.float32))
            score += w.budget * fits
            score += w.credit * self._credit[cols]
            score = score.astype(np.float32)
            for r in range(len(part)):
                lo, hi = sims.indptr[r], sims.indptr[r + 1]
                s, c, x = score[lo:hi], cols[lo:hi], cos[lo:hi]
                if hi - lo > k:
                    top = np.argpartition(-s, k - 1)[:k]
                    s, c, x = s[top], c[top], x[top]
                order = np.lexsort((c, -s))  # best first, ties by the lower index
                out.items.append(c[order])
                out.scores.append(s[order])
                out.cosines.append(x[order])
        return out


def _identity(terms: list[str]) -> list[str]:
    return terms


def precision_at(ranked: Sequence[Sequence[int]], truth: Sequence[set[int]], k: int) -> float:
    """Mean over demands of (true items among the first ``k``) ÷ ``k``."""
    if not ranked:
        return 0.0
    return float(np.mean([len(set(list(r)[:k]) & t) / k for r, t in zip(ranked, truth, strict=True)]))


def recall_at(ranked: Sequence[Sequence[int]], truth: Sequence[set[int]], k: int) -> float:
    """Mean over demands with at least one true item of (true items among the first ``k``) ÷ (true items)."""
    vals = [len(set(list(r)[:k]) & t) / len(t) for r, t in zip(ranked, truth, strict=True) if t]
    return float(np.mean(vals)) if vals else 0.0
