"""The generator: enterprises made in chunks, and every chunk's rows of the eight feeds and the truth.

Each chunk draws from a numpy Generator seeded with (seed, chunk index), and its rows are written before the
next chunk starts. The only state kept across chunks is the set of name keys (字号 + industry word, so that
every name stays unique after normalisation), a few serial-number counters and the per-file writers.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gaoqi.engine.feeds import feed_spec
from gaoqi.engine.uscc import complete
from gaoqi.synth import pools
from gaoqi.synth.applications import ApplicationsWorld
from gaoqi.synth.codes import base31, id_number, org_code, patent_number
from gaoqi.synth.config import (
    AS_OF,
    AS_OF_ORD,
    DEFECT_CODES,
    F64,
    FISCAL_YEARS,
    I64,
    IP_TYPES,
    ORD_1990,
    ORD_2000,
    ORD_2005,
    ORD_MA,
    SI_FIRST_MONTH,
    SI_MONTHS,
    VARIANTS,
    Bool,
    Progress,
    SynthConfig,
    SynthFile,
    SynthSummary,
)
from gaoqi.synth.files import APPLICATION_PLANS, FILE_PLANS, Defect, FileWriter, Table
from gaoqi.synth.names import Name, holder_variant, ip_title


def generate(
    out_dir: Path,
    enterprises: int = 20000,
    seed: int = 2026,
    progress: Progress | None = None,
    *,
    config: SynthConfig | None = None,
) -> SynthSummary:
    """Write the eight feeds for ``enterprises`` synthetic Beijing enterprises into ``out_dir``."""
    if enterprises < 1:
        raise ValueError("enterprises must be at least 1")
    started = time.perf_counter()
    cfg = config or SynthConfig()
    out_dir = Path(out_dir)
    gen = _Generator(out_dir, enterprises, seed, cfg)
    try:
        chunks = (enterprises + cfg.chunk_size - 1) // cfg.chunk_size
        for c in range(chunks):
            start = c * cfg.chunk_size
            n = min(cfg.chunk_size, enterprises - start)
            gen.chunk(c, start, n)
            if progress:
                progress("enterprises", start + n, enterprises)
        files = gen.close(progress)
    except BaseException:
        gen.abort()
        raise
    seconds = time.perf_counter() - started
    summary = SynthSummary(out_dir, enterprises, seed, tuple(files), gen.defect_counts(), round(seconds, 3))
    gen.write_summary(summary)
    if progress:
        progress("done", 1, 1)
    return summary


# --------------------------------------------------------------------------------------------------
# Enterprises
# --------------------------------------------------------------------------------------------------


@dataclass
class _Ents:
    n: int
    uscc: list[str]
    district: I64
    group: I64
    industry: list[str]
    tech: I64  # index into TECH_FIELDS, -1 none
    est: I64  # ordinal
    dead: Bool
    status: list[str]
    status_date: I64  # 0 = empty
    last_fy: I64
    names: list[list[Name]]  # oldest first; the last is the current name
    change_dates: list[list[int]]
    revenue: F64  # FY2025-level revenue, 万元
    growth: F64
    zero_revenue: Bool
    staff: F64
    hte_ever: Bool
    is_hte: Bool
    rd: Bool
    si: Bool


_GROUPS = pools.INDUSTRY_GROUPS
_G = len(_GROUPS)
_GROUP_INDEX = {g.key: i for i, g in enumerate(_GROUPS)}
_TECH_GROUPS = frozenset(
    {"software", "research", "biomed", "electronics", "manufacturing", "materials", "energy", "environment"}
)
# IP type mix by industry group, over IP_TYPES.
_IP_MIX: dict[str, tuple[float, ...]] = {
    "software": (0.15, 0.05, 0.02, 0.60, 0.01, 0.0, 0.0, 0.17),
    "research": (0.30, 0.30, 0.05, 0.20, 0.0, 0.0, 0.0, 0.15),
    "biomed": (0.45, 0.20, 0.05, 0.05, 0.0, 0.0, 0.02, 0.23),
    "electronics": (0.30, 0.30, 0.08, 0.15, 0.05, 0.0, 0.0, 0.12),
    "manufacturing": (0.30, 0.45, 0.08, 0.07, 0.0, 0.0, 0.0, 0.10),
    "materials": (0.35, 0.40, 0.03, 0.07, 0.0, 0.0, 0.0, 0.15),
    "energy": (0.35, 0.40, 0.03, 0.07, 0.0, 0.0, 0.0, 0.15),
    "environment": (0.35, 0.40, 0.03, 0.07, 0.0, 0.0, 0.0, 0.15),
    "agriculture": (0.20, 0.20, 0.02, 0.05, 0.0, 0.30, 0.0, 0.23),
}
_IP_MIX_DEFAULT = (0.05, 0.10, 0.05, 0.20, 0.0, 0.0, 0.0, 0.60)
# (min, max) days from application to grant/registration, by IP type.
_IP_LAG: tuple[tuple[int, int], ...] = (
    (500, 1300),
    (150, 400),
    (100, 300),
    (20, 120),
    (60, 200),
    (700, 1500),
    (700, 2000),
    (270, 500),
)
# Protection term in years from application (0 = none).
_IP_TERM: tuple[int, ...] = (20, 10, 10, 50, 10, 20, 0, 10)


def _cum(weights: Sequence[float]) -> F64:
    w = np.asarray(weights, dtype=np.float64)
    c: F64 = np.cumsum(w / w.sum())
    c[-1] = 1.0
    return c


def _pick(rng: np.random.Generator, cum: F64, n: int) -> I64:
    """n draws from a categorical distribution given by its cumulative weights."""
    r: I64 = np.searchsorted(cum, rng.random(n), side="right").astype(np.int64)
    return np.minimum(r, len(cum) - 1)


_DISTRICT_CODES = [d[0] for d in pools.DISTRICT_SHARES]
_DISTRICT_NAMES = [d[1] for d in pools.DISTRICT_SHARES]
_DISTRICT_CUM = _cum([d[2] for d in pools.DISTRICT_SHARES])


def _group_cums() -> list[F64]:
    base = np.array([g.share for g in _GROUPS], dtype=np.float64)
    out = []
    for code in _DISTRICT_CODES:
        tilt = pools.DISTRICT_TILT.get(code, {})
        w = base * np.array([tilt.get(g.key, 1.0) for g in _GROUPS])
        out.append(_cum(w.tolist()))
    return out


_GROUP_CUMS = _group_cums()
_CODE_CUMS = [_cum([w for _, w in g.codes]) for g in _GROUPS]
_TECH_CUMS = [(_cum(g.tech_weights) if sum(g.tech_weights) > 0 else _cum([1.0] * 8)) for g in _GROUPS]
_IP_CUMS = np.stack([_cum(_IP_MIX.get(g.key, _IP_MIX_DEFAULT)) for g in _GROUPS])
_FORM_CUM = _cum(pools.ORG_FORM_WEIGHTS)
_LLC_CUM = _cum([w for _, w in pools.LLC_TYPES])
_JSC_CUM = _cum([w for _, w in pools.JSC_TYPES])
_ID_AREA_CUM = _cum([w for _, w in pools.ID_AREAS])
_CREDIT_CUM = _cum([w for _, _, w in pools.CREDIT_EVENTS])
_SURNAME_CUM = _cum([1.0 / (i + 8) for i in range(len(pools.SURNAMES))])


def _add_years(o: int, years: int) -> int:
    d = dt.date.fromordinal(o)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).toordinal()


def _year_of(o: I64) -> I64:
    """Calendar year of ordinals (vectorised, exact)."""
    years = np.arange(1984, 2033)
    starts = np.array([dt.date(int(y), 1, 1).toordinal() for y in years], dtype=np.int64)
    idx = np.searchsorted(starts, o, side="right") - 1
    r: I64 = years[idx].astype(np.int64)
    return r


_YEAR_START = {y: dt.date(y, 1, 1).toordinal() for y in range(1984, 2033)}


# --------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------
class _Generator:
    def __init__(self, out_dir: Path, enterprises: int, seed: int, cfg: SynthConfig) -> None:
        self.out_dir = out_dir
        self.n_total = enterprises
        self.seed = seed
        self.cfg = cfg
        out_dir.mkdir(parents=True, exist_ok=True)
        truth = out_dir / "_truth"
        truth.mkdir(exist_ok=True)
        self.truth_dir = truth
        self.defects: list[Defect] = []
        self.writers: dict[str, FileWriter] = {}
        self.plans = FILE_PLANS + (APPLICATION_PLANS if cfg.applications else ())
        for plan in self.plans:
            self.writers[plan.name] = FileWriter(out_dir, plan, cfg, self.defects)
        # the opt-in applications world (ADR 0035): its own streams, its edits made through the writers
        self.apps = ApplicationsWorld(seed, cfg, truth) if cfg.applications else None
        if self.apps is not None:
            for w in self.writers.values():
                w.patch = self.apps.patch
        self.keys: set[str] = set()  # 字号 + industry word of every name ever given out
        self.counters: dict[tuple[str, int], int] = {}
        init = np.random.default_rng([seed, 0x5EED])
        self.perm_a = int(init.integers(1, 31**7 // 1000)) * 31 + 7  # odd multiplier, coprime to 31
        self.perm_b = int(init.integers(0, 31**7))
        self.org_a = int(init.integers(1, 10**7)) * 10 + 3  # ends in 3: coprime to 10**8
        self.org_b = int(init.integers(0, 10**8))
        self.serial_base = {
            t: int(init.integers(1000, 90000)) for t in (*IP_TYPES, "hte", "tech_sme", "zgc_hte", "credit")
        }
        self.outside = 0  # out-of-Beijing companies made so far
        self._ent_fh = (truth / "enterprises.csv").open("w", encoding="utf-8", newline="")
        self._ent_csv = csv.writer(self._ent_fh, lineterminator="\n")
        self._ent_csv.writerow(["uscc", "name", "former_names", "district_code", "tech_field", "is_hte"])
        self._ip_fh = (truth / "ip_holders.csv").open("w", encoding="utf-8", newline="")
        self._ip_csv = csv.writer(self._ip_fh, lineterminator="\n")
        self._ip_csv.writerow(["ip_number", "holder_name", "true_uscc", "variant"])
        self.variant_counts: dict[str, int] = dict.fromkeys(VARIANTS, 0)
        self.enterprises_written = 0
        self._chunk = 0
        self.incubators = self._roster(enterprises)

    # -- incubators ---------------------------------------------------------------------------------
    def _roster(self, enterprises: int) -> list[tuple[str, str]]:
        """Write the incubator roster (its own random stream: the other files' draws are unchanged); return
        (code, district code) of each body that incubates."""
        cfg = self.cfg
        rng = np.random.default_rng([self.seed, 0x1CB0])
        n_inc = max(3, enterprises // cfg.enterprises_per_incubator)
        n_agency = max(1, enterprises // cfg.enterprises_per_agency)
        n = n_inc + n_agency
        district = _pick(rng, _DISTRICT_CUM, n).tolist()
        maker = (rng.random(n) < 0.3).tolist()
        levels = ("national", "municipal", "district", "other")
        level = _pick(rng, _cum([0.15, 0.35, 0.35, 0.15]), n).tolist()
        recognised = rng.integers(dt.date(2015, 1, 1).toordinal(), dt.date(2025, 12, 31).toordinal(), n).tolist()
        rows: dict[str, list[Any]] = {k: [] for k in feed_spec("incubator").field_names}
        out: list[tuple[str, str]] = []
        for k in range(n):
            code = _DISTRICT_CODES[district[k]]
            abbr = _DISTRICT_NAMES[district[k]].removesuffix("区")
            body = f"FH{code[2:]}{k + 1:03d}"
            if k >= n_inc:
                kind, name = "service_agency", f"{abbr}科技企业孵化服务中心第{k + 1}号"
            elif maker[k]:
                kind, name = "maker_space", f"{abbr}创新工场众创空间第{k + 1}号"
            else:
                kind, name = "incubator", f"{abbr}科技企业孵化器第{k + 1}号"
            rows["code"].append(body)
            rows["name"].append(name)
            rows["kind"].append(kind)
            rows["level"].append(levels[level[k]])
            rows["district_code"].append(code)
            rows["operator_uscc"].append(complete(f"91{code}MH{base31(self.seed * 1000 + k, 7)}"))
            rows["recognised_on"].append(recognised[k])
            rows["valid_to"].append(_add_years(recognised[k], 3) - 1)
            out.append((body, code))
        table = Table(
            n,
            {k: (np.array(v, dtype=np.int64) if k in ("recognised_on", "valid_to") else v) for k, v in rows.items()},
        )
        self.writers["incubator_2026.csv"].write(table, rng)
        return out

    def _incubation(self, c: int, e: _Ents) -> None:
        """Relations of young enterprises (their own random stream per chunk): mostly in an incubator of their
        district; some graduate, some leave, some move to another incubator (vector I4)."""
        cfg = self.cfg
        rng = np.random.default_rng([self.seed, c + 1, 0x1CB1])
        n = e.n
        by_district: dict[str, list[str]] = {}
        for code, d in self.incubators:
            by_district.setdefault(d, []).append(code)
        codes = [code for code, _ in self.incubators]
        u = rng.random((n, 6)).tolist()
        young_from = AS_OF_ORD - cfg.incubated_max_age_years * 365
        rows: list[tuple[str, str, int, int, str]] = []
        for i in range(n):
            est = int(e.est[i])
            if est < young_from or e.dead[i]:
                continue
            rate = cfg.incubated_tech_rate if e.tech[i] >= 0 else cfg.incubated_other_rate
            if u[i][0] >= rate:
                continue
            local = by_district.get(_DISTRICT_CODES[int(e.district[i])])
            pool = local if local and u[i][1] < 0.7 else codes
            first = pool[int(u[i][2] * len(pool)) % len(pool)]
            entered = est + int(u[i][3] * 365)
            if entered >= AS_OF_ORD:
                continue
            r = u[i][4]
            stay = 180 + int(u[i][5] * 4 * 365)  # days until graduation or leaving
            left = entered + stay
            if r < cfg.moved_rate and left < AS_OF_ORD - 30:
                rows.append((first, e.uscc[i], entered, left, "exited"))
                second = codes[(codes.index(first) + 1 + int(u[i][2] * 1000) % max(1, len(codes) - 1)) % len(codes)]
                rows.append((second, e.uscc[i], left + 1 + int(u[i][1] * 29), 0, "incubating"))
            elif r < cfg.moved_rate + cfg.graduated_rate and left < AS_OF_ORD:
                rows.append((first, e.uscc[i], entered, left, "graduated"))
            elif r < cfg.moved_rate + cfg.graduated_rate + cfg.exited_rate and left < AS_OF_ORD:
                rows.append((first, e.uscc[i], entered, left, "exited"))
            else:
                rows.append((first, e.uscc[i], entered, 0, "incubating"))
        table = Table(
            len(rows),
            {
                "incubator_code": [r[0] for r in rows],
                "uscc": [r[1] for r in rows],
                "entered_on": np.array([r[2] for r in rows], dtype=np.int64),
                "left_on": np.array([r[3] for r in rows], dtype=np.int64),
                "status": [r[4] for r in rows],
            },
        )
        self.writers["incubation_2026-03.csv"].write(table, rng)

    # -- serials ----------------------------------------------------------------------------------
    def _serial(self, kind: str, year: int) -> int:
        key = (kind, year)
        v = self.counters.get(key, 0)
        self.counters[key] = v + 1
        return self.serial_base[kind] + (year * 7919) % 40000 + v

    # -- names ------------------------------------------------------------------------------------
    def _zh(self, rng: np.random.Generator, kind: int) -> str:
        pool = pools.TRADE_WORDS if kind == 2 else pools.TRADE_CHARS
        picks: list[int] = rng.integers(len(pool), size=3 if kind == 1 else 2).tolist()
        return "".join(pool[i] for i in picks)

    def _fresh(self, rng: np.random.Generator, words: Sequence[str], ascii_rate: float) -> tuple[str, str]:
        """A (字号, industry word) pair whose key no name has used yet; the key is reserved."""
        for attempt in range(1000):
            # Two-character trade names run out first; after a few collisions use longer ones.
            kind = int(_pick(rng, _ZH_KIND_CUM, 1)[0]) if attempt < 3 else 1 + attempt % 2
            z = self._zh(rng, kind)
            if rng.random() < ascii_rate:
                z += pools.ASCII_TAILS[int(rng.integers(len(pools.ASCII_TAILS)))]
            w = words[int(rng.integers(len(words)))]
            key = z + w
            if key not in self.keys:
                self.keys.add(key)
                return z, w
        raise RuntimeError("name space exhausted")  # pragma: no cover

    # -- one chunk --------------------------------------------------------------------------------
    def chunk(self, c: int, start: int, n: int) -> None:
        rng = np.random.default_rng([self.seed, c + 1])
        self._chunk = c  # the own streams of the later additions (tax districts, platform records) are per chunk
        e = self._enterprises(rng, start, n)
        if self.apps is not None:
            self.apps.plan_chunk(c, e)
        self._registration(e, rng)
        self._name_change(e, rng)
        fin_rev = self._finance(e, rng)
        self._rd(e, rng, fin_rev)
        self._social_insurance(e, rng)
        self._ip(e, rng)
        self._credit(e, rng)
        self._certificates(e, rng)
        self._incubation(c, e)
        self._truth_enterprises(e)
        if self.apps is not None:
            self.writers["ip-batch1.csv"].write(self.apps.ip_table(self._ip_number), self.apps.rng)
            self.writers[APPLICATION_PLANS[0].name].write(self.apps.project_table(), self.apps.rng)

    def _enterprises(self, rng: np.random.Generator, start: int, n: int) -> _Ents:
        cfg = self.cfg
        gid = np.arange(start, start + n, dtype=np.int64)
        district = _pick(rng, _DISTRICT_CUM, n)
        group = np.empty(n, dtype=np.int64)
        u = rng.random(n)
        for d in range(len(_DISTRICT_CODES)):
            m = district == d
            group[m] = np.minimum(np.searchsorted(_GROUP_CUMS[d], u[m], side="right"), _G - 1)
        industry: list[str] = []
        code_u = rng.random(n).tolist()
        tech = np.full(n, -1, dtype=np.int64)
        tech_u = rng.random(n)
        tech_v = rng.random(n)
        for i, g in enumerate(group.tolist()):
            grp = _GROUPS[g]
            j = min(int(np.searchsorted(_CODE_CUMS[g], code_u[i], side="right")), len(grp.codes) - 1)
            industry.append(grp.codes[j][0])
            if tech_u[i] < grp.tech_prob:
                tech[i] = min(int(np.searchsorted(_TECH_CUMS[g], tech_v[i], side="right")), 7)
        # Established: exponential ages (mean 10 years) inside 1990-01-01 .. AS_OF.
        max_age = AS_OF_ORD - ORD_1990
        age = rng.exponential(10 * 365.25, n)
        age = np.where(age > max_age, rng.random(n) * max_age, age)
        est = (AS_OF_ORD - age.astype(np.int64)).astype(np.int64)
        age_years = (AS_OF_ORD - est) / 365.25
        # Registration status.
        p_dead = 0.11 * np.clip(age_years / 12.0, 0.0, 1.0)
        dead = rng.random(n) < p_dead
        span = AS_OF_ORD - (est + 183)
        dead &= span > 30
        status_date = np.where(dead, est + 183 + (rng.random(n) * np.maximum(span, 1)).astype(np.int64), 0)
        status_date = status_date.astype(np.int64)
        dead_kind = _pick(rng, _cum([0.5, 0.31, 0.19]), n).tolist()
        alive_kind = (rng.random(n) < 0.75).tolist()
        status = [
            (("注销", "吊销", "迁出")[k] if dd else ("存续" if a else "在业"))
            for dd, k, a in zip(dead.tolist(), dead_kind, alive_kind, strict=True)
        ]
        last_fy = np.where(dead, _year_of(np.maximum(status_date, 1)) - 1, 2025).astype(np.int64)
        # Size: FY2025-level revenue (万元), log-normal; young enterprises are smaller.
        mu = np.array([g.revenue_mu for g in _GROUPS])[group] + 0.45 * np.log1p(age_years) - 1.0
        revenue = np.exp(rng.normal(mu, 1.5))
        growth = rng.normal(0.07, 0.18, n)
        zero_revenue = rng.random(n) < np.where(age_years < 2.0, 0.25, 0.03)
        productivity = np.exp(rng.normal(np.log(60.0), 0.6, n))  # 万元 per employee
        staff = np.maximum(1.0, revenue / productivity)
        staff = np.where(zero_revenue, rng.integers(1, 15, n).astype(np.float64), staff)
        # HTE: tech enterprises of some size and at least a year old.
        affinity = np.array([g.hte_affinity for g in _GROUPS])[group]
        size_mult = np.clip((np.log(revenue) - 3.0) / 3.0, 0.15, 1.8)
        p_hte = np.clip(0.17 * affinity * size_mult, 0.0, 0.85)
        hte_ever = (tech >= 0) & (est <= AS_OF_ORD - 400) & (rng.random(n) < p_hte) & ~zero_revenue
        p_rd = np.where(hte_ever, 0.98, np.where(tech >= 0, 0.70, 0.30)) * (cfg.rd_share / 0.6)
        rd = rng.random(n) < np.clip(p_rd, 0.0, 1.0)
        si = (~dead) & (est < _YEAR_START[2026] + 31) & (rng.random(n) < cfg.social_insurance_share / 0.93)

        # USCC: 9 1 + registration authority division + identifier + check.
        div: list[str] = []
        div_u = rng.random(n).tolist()
        for i, d in enumerate(district.tolist()):
            code = _DISTRICT_CODES[d]
            y = est[i]
            r = div_u[i]
            if r < 0.08:
                code = "110000"
            elif code == "110115" and r < 0.55:
                code = "110302"  # E-Town registration authority
            elif code in ("110101", "110102") and y < _YEAR_START[2010] and r < 0.5:
                code = "110103" if code == "110101" else "110104"
            elif code in ("110118", "110119") and y < _YEAR_START[2015] and r < 0.6:
                code = "110228" if code == "110118" else "110229"
            div.append(code)
        uscc: list[str] = []
        for i, g in enumerate(gid.tolist()):
            if est[i] >= ORD_MA:
                ident = "MA" + base31((g * self.perm_a + self.perm_b) % 31**7, 7)
            else:
                ident = org_code((g * self.org_a + self.org_b) % 10**8)
            uscc.append(complete(f"91{div[i]}{ident}"))

        # Names: current and former.
        form_idx = _pick(rng, _FORM_CUM, n).tolist()
        bracket = (rng.random(n) < cfg.bracket_name_rate).tolist()
        renamed = (rng.random(n) < cfg.rename_rate) & (est + 200 < AS_OF_ORD - 30)
        twice = renamed & (rng.random(n) < cfg.second_rename_rate) & (est + 400 < AS_OF_ORD - 60)
        all_names: list[list[Name]] = []
        change_dates: list[list[int]] = []
        for i in range(n):
            grp = _GROUPS[int(group[i])]
            zh, word = self._fresh(rng, grp.words, cfg.ascii_name_rate)
            cur = Name(zh, word, pools.ORG_FORMS[form_idx[i]], bool(bracket[i]))
            chain = [cur]
            dates: list[int] = []
            if renamed[i]:
                k = 2 if twice[i] else 1
                lo, hi = int(est[i]) + 180, AS_OF_ORD - 30
                ds = sorted(int(x) for x in rng.integers(lo, hi, size=k))
                if k == 2 and ds[1] - ds[0] < 30:
                    ds = ds[:1]
                for _ in ds:
                    chain.insert(0, self._former(rng, chain[0], grp.words))
                dates = ds
            all_names.append(chain)
            change_dates.append(dates)
        return _Ents(
            n=n,
            uscc=uscc,
            district=district,
            group=group,
            industry=industry,
            tech=tech,
            est=est,
            dead=dead,
            status=status,
            status_date=status_date,
            last_fy=last_fy,
            names=all_names,
            change_dates=change_dates,
            revenue=revenue,
            growth=growth,
            zero_revenue=zero_revenue,
            staff=staff,
            hte_ever=hte_ever,
            is_hte=np.zeros(n, dtype=np.bool_),
            rd=rd,
            si=si,
        )

    def _former(self, rng: np.random.Generator, later: Name, words: Sequence[str]) -> Name:
        """The name an enterprise had before ``later``."""
        r = rng.random()
        if r < 0.25:  # organisation form changed (e.g. 有限公司 -> 股份有限公司): same key
            old_form = (
                "有限公司"
                if later.form == "股份有限公司"
                else ("有限责任公司" if later.form == "有限公司" else "有限公司")
            )
            return Name(later.zh, later.word, old_form, later.bracket)
        if r < 0.65 and len(words) > 1:  # same 字号, another industry word
            others = [w for w in words if w != later.word]
            for _ in range(5):
                w = others[int(rng.integers(len(others)))]
                if later.zh + w not in self.keys:
                    self.keys.add(later.zh + w)
                    return Name(later.zh, w, later.form, later.bracket)
        zh, w = self._fresh(rng, (later.word,), self.cfg.ascii_name_rate)
        return Name(zh, w, later.form, later.bracket and rng.random() < 0.5)

    # -- registration -----------------------------------------------------------------------------
    def _registration(self, e: _Ents, rng: np.random.Generator) -> None:
        n = e.n
        names_cur = [ch[-1].render() for ch in e.names]
        forms = [ch[-1].form for ch in e.names]
        llc = _pick(rng, _LLC_CUM, n).tolist()
        jsc = _pick(rng, _JSC_CUM, n).tolist()
        etype = [
            (pools.JSC_TYPES[j][0] if f == "股份有限公司" else pools.LLC_TYPES[k][0])
            for f, k, j in zip(forms, llc, jsc, strict=True)
        ]
        people = self._people(rng, n)
        area = _pick(rng, _ID_AREA_CUM, n).tolist()
        birth = rng.integers(dt.date(1955, 1, 1).toordinal(), dt.date(2001, 12, 31).toordinal(), n).tolist()
        seq = rng.integers(0, 1000, n).tolist()
        ids = [
            id_number(pools.ID_AREAS[a][0], dt.date.fromordinal(b), s) for a, b, s in zip(area, birth, seq, strict=True)
        ]
        ph_kind = rng.random(n).tolist()
        ph_pre = rng.integers(len(pools.MOBILE_PREFIXES), size=n).tolist()
        ph_num = rng.integers(0, 100_000_000, n).tolist()
        phones = [
            (f"{pools.MOBILE_PREFIXES[p]}{x:08d}" if k < 0.7 else f"010-{'568'[x % 3]}{x % 10_000_000:07d}")
            for k, p, x in zip(ph_kind, ph_pre, ph_num, strict=True)
        ]
        round_caps = np.array(
            [10, 30, 50, 100, 100, 200, 300, 500, 500, 1000, 1000, 2000, 3000, 5000, 10000], dtype=np.float64
        )
        cap = np.where(
            rng.random(n) < 0.8,
            round_caps[rng.integers(len(round_caps), size=n)],
            np.round(np.exp(rng.normal(5.5, 1.6, n)), 2),
        )
        cap = np.where(e.revenue > 50_000, cap * 10, cap)
        st_pick = rng.integers(0, 1 << 30, size=(n, 4)).tolist()
        addresses: list[str] = []
        scopes: list[str] = []
        for i in range(n):
            code = _DISTRICT_CODES[int(e.district[i])]
            streets = pools.STREETS[code]
            p = st_pick[i]
            street = streets[p[0] % len(streets)]
            prefix = (
                "北京市" if street.startswith("北京经济技术开发区") else f"北京市{_DISTRICT_NAMES[int(e.district[i])]}"
            )
            building = pools.BUILDINGS[p[1] % len(pools.BUILDINGS)]
            room = (
                f"{(p[2] % 20) + 1}层{(p[2] % 20) + 1}{(p[3] % 30) + 1:02d}室"
                if p[2] % 3
                else f"{(p[3] % 900) + 100}室"
            )
            addresses.append(f"{prefix}{street}{(p[1] % 300) + 1}号{building}{room}")
            grp = _GROUPS[int(e.group[i])]
            k = 2 + p[3] % 3
            items = [grp.scope[(p[0] + j * 7 + p[2]) % len(grp.scope)] for j in range(k)]
            scopes.append("；".join(dict.fromkeys(items)) + "。")
        table = Table(
            n,
            {
                "uscc": e.uscc,
                "name": names_cur,
                "enterprise_type": etype,
                "legal_representative": people,
                "legal_rep_id_number": ids,
                "phone": phones,
                "registered_capital": np.round(cap, 2).astype(np.float64),
                "established_date": e.est,
                "district_code": [_DISTRICT_CODES[d] for d in e.district.tolist()],
                "address": addresses,
                "industry_code": e.industry,
                "business_scope": scopes,
                "status": e.status,
                "status_date": e.status_date,
            },
        )
        self.writers["registration_2026-03.csv"].write(table, rng)

    def _people(self, rng: np.random.Generator, n: int) -> list[str]:
        sur = _pick(rng, _SURNAME_CUM, n).tolist()
        g = rng.integers(len(pools.GIVEN_CHARS), size=(n, 2)).tolist()
        two = (rng.random(n) < 0.7).tolist()
        return [
            pools.SURNAMES[s] + pools.GIVEN_CHARS[a] + (pools.GIVEN_CHARS[b] if t else "")
            for s, (a, b), t in zip(sur, g, two, strict=True)
        ]

    # -- name_change ------------------------------------------------------------------------------
    def _name_change(self, e: _Ents, rng: np.random.Generator) -> None:
        uscc: list[str] = []
        old: list[str] = []
        new: list[str] = []
        dates: list[int] = []
        for i in range(e.n):
            ds = e.change_dates[i]
            chain = e.names[i]
            for j, d in enumerate(ds):
                uscc.append(e.uscc[i])
                old.append(chain[j].render())
                new.append(chain[j + 1].render())
                dates.append(d)
        table = Table(
            len(uscc),
            {
                "uscc": uscc,
                "old_name": old,
                "new_name": new,
                "change_date": np.array(dates, dtype=np.int64),
            },
        )
        self.writers["name_change.csv"].write(table, rng)

    # -- finance ----------------------------------------------------------------------------------
    def _finance(self, e: _Ents, rng: np.random.Generator) -> F64:
        """Write finance; return the revenue matrix (n x years, NaN where no row) for rd."""
        n, years = e.n, np.array(FISCAL_YEARS, dtype=np.int64)
        ny = len(years)
        est_year = _year_of(e.est)
        exists = (est_year[:, None] <= years[None, :]) & (years[None, :] <= e.last_fy[:, None])
        exists &= rng.random((n, ny)) > 0.02
        exists[:, -1] &= rng.random(n) < 0.9
        t = (years - 2025)[None, :].astype(np.float64)
        rev = e.revenue[:, None] * np.exp(e.growth[:, None] * t + rng.normal(0.0, 0.1, (n, ny)))
        first_year = est_year[:, None] == years[None, :]
        frac = np.clip(
            (np.array([_YEAR_START[int(y) + 1] for y in years])[None, :] - e.est[:, None]) / 365.0, 0.02, 1.0
        )
        rev = np.where(first_year, rev * frac, rev)
        rev = np.where(e.zero_revenue[:, None], 0.0, rev)
        rev = np.round(rev, 2)
        tech_like = (e.tech >= 0)[:, None]
        sales = np.round(rev * np.where(tech_like, rng.uniform(0.85, 1.0, (n, ny)), rng.uniform(0.95, 1.0, (n, ny))), 2)
        non_tax = np.where(rng.random((n, ny)) < 0.15, np.round(rev * rng.uniform(0.0, 0.05, (n, ny)), 2), 0.0)
        costs = np.where(
            rev > 0,
            np.round(rev * np.exp(rng.normal(np.log(0.92), 0.12, (n, ny))), 2),
            np.round(np.exp(rng.normal(3.0, 1.0, (n, ny))), 2),
        )
        assets = np.round(np.maximum(rev, costs) * np.exp(rng.normal(np.log(1.2), 0.6, (n, ny))), 2)
        liab = np.round(assets * rng.beta(2.0, 3.0, (n, ny)), 2)
        tax = np.round(rev * rng.uniform(0.01, 0.08, (n, ny)), 2)
        values = [sales, rev, non_tax, costs, assets, liab, tax]
        tax_district = self._tax_districts(e, ny)
        fields = [
            "sales_revenue",
            "total_revenue",
            "non_taxable_revenue",
            "total_costs",
            "total_assets",
            "total_liabilities",
            "tax_paid",
        ]
        miss = rng.random((len(values), n, ny)) < self.cfg.missing_rate
        values = [np.where(miss[k], np.nan, v) for k, v in enumerate(values)]
        plan_years = {
            "finance_2024-06.csv": (2021, 2022, 2023),
            "finance_2025-06.csv": (2024,),
            "finance_2026-03.csv": (2025,),
        }
        for fname, yrs in plan_years.items():
            cols_idx = [FISCAL_YEARS.index(y) for y in yrs]
            sub = exists[:, cols_idx]
            ent, yi = np.nonzero(sub)  # enterprise-major order
            yj = np.array(cols_idx, dtype=np.int64)[yi]
            table = Table(
                len(ent),
                {
                    "uscc": [e.uscc[i] for i in ent.tolist()],
                    "fiscal_year": years[yj],
                    **{f: v[ent, yj] for f, v in zip(fields, values, strict=True)},
                    "tax_district_code": [tax_district[i][j] for i, j in zip(ent.tolist(), yj.tolist(), strict=True)],
                },
            )
            self.writers[fname].write(table, rng)
        out: F64 = np.where(exists, rev, np.nan)
        return out

    def _tax_districts(self, e: _Ents, ny: int) -> list[list[str]]:
        """Per enterprise and fiscal year, the district of its tax registration (its own stream: the other
        draws are unchanged): the registered district, except that ``tax_move_rate`` of enterprises moved their
        tax registration to another district in the last fiscal year (a relocation risk the warnings see)."""
        rng = np.random.default_rng([self.seed, 0x7A4D, self._chunk])
        moved = (rng.random(e.n) < self.cfg.tax_move_rate).tolist()
        other = _pick(rng, _DISTRICT_CUM, e.n).tolist()
        out: list[list[str]] = []
        for i in range(e.n):
            own = _DISTRICT_CODES[int(e.district[i])]
            last = _DISTRICT_CODES[int(other[i])] if moved[i] and other[i] != int(e.district[i]) else own
            out.append([own] * (ny - 1) + [last])
        return out

    # -- rd ---------------------------------------------------------------------------------------
    def _rd(self, e: _Ents, rng: np.random.Generator, rev: F64) -> None:
        n, years = e.n, np.array(FISCAL_YEARS, dtype=np.int64)
        ny = len(years)
        est_year = _year_of(e.est)
        exists = e.rd[:, None] & (est_year[:, None] <= years[None, :]) & (years[None, :] <= e.last_fy[:, None])
        exists &= rng.random((n, ny)) > 0.05
        exists[:, -1] &= rng.random(n) < 0.85
        t = (years - 2025)[None, :].astype(np.float64)
        staff = np.maximum(1.0, e.staff[:, None] * np.exp(0.5 * e.growth[:, None] * t + rng.normal(0.0, 0.05, (n, ny))))
        staff = np.round(np.round(staff * 12.0) / 12.0, 2)  # annual average of monthly head counts
        hte = e.hte_ever[:, None]
        tech = (e.tech >= 0)[:, None]
        st_share = np.where(
            hte,
            rng.uniform(0.12, 0.6, (n, ny)),
            np.where(tech, rng.beta(2.0, 8.0, (n, ny)), rng.uniform(0.0, 0.15, (n, ny))),
        )
        st = np.minimum(staff, np.round(np.round(staff * st_share * 12.0) / 12.0, 2))
        base_rev = np.where(np.isnan(rev), e.revenue[:, None], rev)
        threshold = np.where(base_rev < 5000, 0.05, np.where(base_rev < 20000, 0.04, 0.03))
        compliant = rng.random((n, 1)) > 0.08  # some HTEs no longer meet the R&D ratio
        ratio = np.where(
            hte,
            threshold * np.where(compliant, rng.uniform(1.05, 2.5, (n, ny)), rng.uniform(0.5, 0.95, (n, ny))),
            np.where(
                tech, np.exp(rng.normal(np.log(0.04), 0.8, (n, ny))), 0.005 * np.exp(rng.normal(0.0, 0.8, (n, ny)))
            ),
        )
        ratio = np.minimum(ratio, 0.9)
        rd_exp = np.where(base_rev > 0, base_rev * ratio, np.exp(rng.normal(3.0, 1.0, (n, ny))))
        rd_exp = np.round(rd_exp, 2)
        dom = np.where(rng.random((n, ny)) < 0.9, rd_exp, np.round(rd_exp * rng.uniform(0.85, 1.0, (n, ny)), 2))
        ht_share = np.where(
            hte,
            np.where(compliant, rng.uniform(0.6, 0.98, (n, ny)), rng.uniform(0.3, 0.6, (n, ny))),
            np.where(tech, rng.uniform(0.0, 0.9, (n, ny)), np.where(rng.random((n, ny)) < 0.8, 0.0, 0.1)),
        )
        ht_rev = np.round(np.where(np.isnan(rev), base_rev, rev) * ht_share, 2)
        results = rng.poisson(np.where(hte, 3.0, np.where(tech, 0.8, 0.1)), (n, ny)).astype(np.int64)
        ent, yi = np.nonzero(exists)
        table = Table(
            len(ent),
            {
                "uscc": [e.uscc[i] for i in ent.tolist()],
                "fiscal_year": years[yi],
                "staff_count": staff[ent, yi],
                "st_staff_count": st[ent, yi],
                "rd_expense": rd_exp[ent, yi].astype(np.float64),
                "rd_expense_domestic": dom[ent, yi].astype(np.float64),
                "ht_revenue": ht_rev[ent, yi],
                "results_commercialized": results[ent, yi],
            },
        )
        self.writers["rd_2021-2025.csv"].write(table, rng)

    # -- social insurance -------------------------------------------------------------------------
    def _social_insurance(self, e: _Ents, rng: np.random.Generator) -> None:
        n = e.n
        months = SI_FIRST_MONTH + np.arange(SI_MONTHS, dtype=np.int64)
        est_d = [dt.date.fromordinal(int(o)) for o in e.est.tolist()]
        est_m = np.array([d.year * 12 + d.month - 1 for d in est_d], dtype=np.int64)
        exists = e.si[:, None] & (est_m[:, None] <= months[None, :])
        level = e.staff * rng.normal(0.9, 0.1, n)
        drift = rng.normal(0.0, 0.01, n)
        counts = np.maximum(
            0,
            np.round(
                level[:, None]
                * np.exp(drift[:, None] * np.arange(SI_MONTHS)[None, :] + rng.normal(0.0, 0.03, (n, SI_MONTHS)))
            ),
        ).astype(np.int64)
        split = 2026 * 12  # January 2026 starts the second file
        for fname, sel in (
            ("social_insurance_2025.csv", months < split),
            ("social_insurance_2026-01.csv", months >= split),
        ):
            idx = np.nonzero(sel)[0]
            ent, mi = np.nonzero(exists[:, idx])
            mj = idx[mi]
            table = Table(
                len(ent),
                {
                    "uscc": [e.uscc[i] for i in ent.tolist()],
                    "period": months[mj],
                    "insured_count": counts[ent, mj],
                },
            )
            self.writers[fname].write(table, rng)

    # -- ip ---------------------------------------------------------------------------------------
    def _ip(self, e: _Ents, rng: np.random.Generator) -> None:
        cfg = self.cfg
        n = e.n
        size = np.clip(np.exp((np.log(e.revenue + 1.0) - 5.0) / 3.0), 0.3, 4.0)
        mean = np.where(e.hte_ever, 6.5, np.where(e.tech >= 0, 0.5, 0.08)) * size
        cnt = np.minimum(rng.negative_binomial(1, 1.0 / (1.0 + mean)), 400)
        owner = np.repeat(np.arange(n, dtype=np.int64), cnt)
        m = len(owner)
        cums = _IP_CUMS[e.group[owner]]
        types = np.minimum((rng.random(m)[:, None] > cums).sum(axis=1), 7).astype(np.int64)
        acq = _pick(rng, _cum([0.88, 0.09, 0.01, 0.02]), m)
        lag_lo = np.array([a for a, _ in _IP_LAG])[types]
        lag_hi = np.array([b for _, b in _IP_LAG])[types]
        lag = rng.integers(lag_lo, lag_hi + 1).astype(np.int64)
        est = e.est[owner]
        end = np.where(e.status_date[owner] > 0, e.status_date[owner], AS_OF_ORD)
        # Original: applied by the owner, granted before the end.
        lo = np.maximum(est, ORD_2000)
        hi = end - lag
        app_o = lo + ((rng.random(m) ** 0.6) * np.maximum(hi - lo, 0)).astype(np.int64)
        ok_o = hi >= lo
        # Acquired: granted to someone else (any time since 2005), acquired by the owner later.
        grant_t = ORD_2005 + (rng.random(m) ** 0.7 * (end - ORD_2005)).astype(np.int64)
        acq_lo = np.maximum(est, grant_t)
        acquired_t = acq_lo + (rng.random(m) * np.maximum(end - acq_lo, 0)).astype(np.int64)
        ok_t = end >= acq_lo
        original = acq == 0
        keep = np.where(original, ok_o, ok_t)
        app = np.where(original, app_o, grant_t - lag)
        grant = app + lag
        acquired = np.where(original, np.where(rng.random(m) < 0.5, grant, 0), acquired_t)
        owner, types, acq, app, grant, acquired = (a[keep] for a in (owner, types, acq, app, grant, acquired))
        m = len(owner)
        status = self._ip_status(rng, types, app, e.dead[owner])
        ref = np.where(acq == 0, app, acquired)
        vcum = _cum([r for _, r in cfg.variant_rates] + [max(0.0, 1.0 - sum(r for _, r in cfg.variant_rates))])
        vpick = _pick(rng, vcum, m).tolist()
        vnames = [v for v, _ in cfg.variant_rates]
        vrand = rng.integers(0, 1 << 30, m).tolist()
        with_uscc = (rng.random(m) < cfg.holder_uscc_share).tolist()
        wpick = (rng.random(m) < cfg.width_rate).tolist()

        rows_num: list[str] = []
        rows_type: list[str] = []
        rows_title: list[str] = []
        rows_holder: list[str] = []
        rows_huscc: list[str] = []
        truth: list[tuple[str, str, str, str]] = []
        title_r = rng.integers(0, 1 << 30, (m, 3)).tolist()
        owner_l, types_l, app_l, grant_l, ref_l = (
            owner.tolist(),
            types.tolist(),
            app.tolist(),
            grant.tolist(),
            ref.tolist(),
        )
        for j in range(m):
            i = owner_l[j]
            chain = e.names[i]
            k = bisect.bisect_right(e.change_dates[i], ref_l[j])
            if k < len(chain) - 1:
                holder, variant = chain[k].render(), "former_name"
            elif wpick[j] and chain[-1].has_width_form():
                holder, variant = holder_variant(chain[-1], "width", vrand[j])
            elif vpick[j] < len(vnames):
                holder, variant = holder_variant(chain[-1], vnames[vpick[j]], vrand[j])
            else:
                holder, variant = chain[-1].render(), "exact"
            t = types_l[j]
            rows_num.append(self._ip_number(t, app_l[j], grant_l[j]))
            rows_type.append(IP_TYPES[t])
            rows_title.append(ip_title(t, chain[-1].zh, _GROUPS[int(e.group[i])], title_r[j]))
            rows_holder.append(holder)
            rows_huscc.append(e.uscc[i] if with_uscc[j] else "")
            truth.append((rows_num[-1], holder, e.uscc[i], variant))
        # Holders outside the population.
        m2 = int(rng.binomial(max(m, 1), cfg.none_enterprise_rate))
        o_types, o_app, o_grant, o_acquired, o_status = self._outside_ip(rng, m2)
        o_cat = rng.random(m2).tolist()
        o_r = rng.integers(0, 1 << 30, (m2, 3)).tolist()
        pool: list[tuple[str, str]] = []
        for j in range(m2):
            t = int(o_types[j])
            r = o_r[j]
            if o_cat[j] < 0.4:
                holder, huscc = pools.INSTITUTIONS[r[0] % len(pools.INSTITUTIONS)], ""
                zh = holder[:2]
            elif o_cat[j] < 0.7:
                holder, huscc = self._people(rng, 1)[0], ""
                zh = holder[-2:]
            else:
                if not pool or r[1] % 3 == 0:
                    pool.append(self._outside_company(rng))
                holder, code = pool[r[2] % len(pool)]
                huscc = code if r[1] % 10 < 3 else ""
                zh = holder[2:4]
            rows_num.append(self._ip_number(t, int(o_app[j]), int(o_grant[j])))
            rows_type.append(IP_TYPES[t])
            rows_title.append(ip_title(t, zh, _GROUPS[_GROUP_INDEX["research"]], r))
            rows_holder.append(holder)
            rows_huscc.append(huscc)
            truth.append((rows_num[-1], holder, "", "none_enterprise"))
        all_app = np.concatenate([app, o_app]).astype(np.int64)
        all_grant = np.concatenate([grant, o_grant]).astype(np.int64)
        all_acq = np.concatenate([acquired, o_acquired]).astype(np.int64)
        all_types = np.concatenate([types, o_types]).astype(np.int64)
        all_status = status + o_status
        all_acqkind = [("original", "transfer", "gift", "merger")[a] for a in acq.tolist()] + ["original"] * m2
        order = rng.permutation(len(rows_num))
        for v in (t[3] for t in truth):
            self.variant_counts[v] += 1
        batches = {"ip-batch1.csv": (0, 1, 2), "ip-batch2.csv": (3, 4), "ip-batch3.csv": (5, 6, 7)}
        for fname, tset in batches.items():
            sel = order[np.isin(all_types[order], tset)].tolist()
            table = Table(
                len(sel),
                {
                    "ip_number": [rows_num[j] for j in sel],
                    "ip_type": [rows_type[j] for j in sel],
                    "title": [rows_title[j] for j in sel],
                    "holder_name": [rows_holder[j] for j in sel],
                    "holder_uscc": [rows_huscc[j] for j in sel],
                    "application_date": all_app[sel],
                    "grant_date": all_grant[sel],
                    "status": [all_status[j] for j in sel],
                    "acquisition": [all_acqkind[j] for j in sel],
                    "acquired_date": all_acq[sel],
                },
            )
            self.writers[fname].write(table, rng)
        self._ip_csv.writerows(truth[j] for j in order.tolist())

    def _ip_status(self, rng: np.random.Generator, types: I64, app: I64, dead: Bool) -> list[str]:
        m = len(types)
        term = np.array(_IP_TERM, dtype=np.int64)[types]
        term = np.where((types == 2) & (app >= dt.date(2021, 6, 1).toordinal()), 15, term)
        expired = (term > 0) & (app + (term * 365.25).astype(np.int64) < AS_OF_ORD)
        age = (AS_OF_ORD - app) / 365.25
        patent = types <= 2
        lapse = rng.random(m) < np.where(patent, 0.15 * np.clip(age / 8.0, 0.0, 1.0), 0.03)
        lapse |= dead & (rng.random(m) < 0.6)
        invalid = expired | lapse
        return ["invalid" if x else "valid" for x in invalid.tolist()]

    def _outside_ip(self, rng: np.random.Generator, m: int) -> tuple[I64, I64, I64, I64, list[str]]:
        types = _pick(rng, _cum([0.45, 0.30, 0.10, 0.15, 0.0, 0.0, 0.0, 0.0]), m)
        lag_lo = np.array([a for a, _ in _IP_LAG])[types]
        lag_hi = np.array([b for _, b in _IP_LAG])[types]
        lag = rng.integers(lag_lo, lag_hi + 1).astype(np.int64)
        app = (ORD_2005 + rng.random(m) ** 0.6 * (AS_OF_ORD - lag - ORD_2005)).astype(np.int64)
        grant = app + lag
        acquired = np.where(rng.random(m) < 0.5, grant, 0).astype(np.int64)
        status = self._ip_status(rng, types, app, np.zeros(m, dtype=np.bool_))
        return types, app, grant, acquired, status

    def _outside_company(self, rng: np.random.Generator) -> tuple[str, str]:
        city, div = pools.OTHER_CITIES[int(rng.integers(len(pools.OTHER_CITIES)))]
        grp = _GROUPS[int(rng.integers(8))]
        zh, word = self._fresh(rng, grp.words, 0.0)
        form = pools.ORG_FORMS[int(_pick(rng, _FORM_CUM, 1)[0])]
        v = self.outside
        self.outside += 1
        code = complete(f"91{div}MA{base31((v * 7919 + 12345) % 31**7, 7)}")
        return f"{city}{zh}{word}{form}", code

    def _ip_number(self, t: int, app: int, grant: int) -> str:
        kind = IP_TYPES[t]
        ay = dt.date.fromordinal(app).year
        gy = dt.date.fromordinal(grant).year
        if t <= 2:
            return patent_number(ay, t + 1, self._serial(kind, ay))
        if t == 3:
            return f"{gy}SR{self._serial(kind, gy):07d}"
        if t == 4:
            return f"BS.{ay % 100:02d}5{self._serial(kind, ay):06d}"
        if t == 5:
            s = self._serial(kind, ay)
            return f"CNA{ay}{s:05d}.{s % 7}"
        if t == 6:
            return f"国药准字H{gy}{self._serial(kind, gy):05d}"
        return str(10_000_000 + self._serial(kind, 0))

    # -- credit -----------------------------------------------------------------------------------
    def _credit(self, e: _Ents, rng: np.random.Generator) -> None:
        n = e.n
        p = np.where(e.dead, 0.25, 0.035) * (self.cfg.credit_rate / 0.05)
        flagged = (rng.random(n) < p) & (e.est < AS_OF_ORD - 60)
        k = np.where(flagged, rng.geometric(0.6, n), 0)
        owner = np.repeat(np.arange(n, dtype=np.int64), k)
        m = len(owner)
        kind = _pick(rng, _CREDIT_CUM, m).tolist()
        est = e.est[owner]
        end = np.where(e.status_date[owner] > 0, e.status_date[owner], AS_OF_ORD)
        decided = (est + 30 + rng.random(m) * np.maximum(end - est - 30, 1)).astype(np.int64)
        removed_p = np.array([0.5, 0.3, 0.2, 0.0, 0.0, 0.1, 0.0, 0.1])[np.array(kind, dtype=np.int64)]
        removed = decided + rng.integers(30, 540, m)
        removed = np.where((rng.random(m) < removed_p) & (removed <= AS_OF_ORD), removed, 0).astype(np.int64)
        authority: list[str] = []
        docs: list[str] = []
        for j, i in enumerate(owner.tolist()):
            code = _DISTRICT_CODES[int(e.district[i])]
            dname = _DISTRICT_NAMES[int(e.district[i])]
            abbr = pools.DISTRICT_ABBR[code]
            canon = pools.CREDIT_EVENTS[kind[j]][0]
            year = dt.date.fromordinal(int(decided[j])).year
            serial = self._serial("credit", year)
            if canon in ("abnormal_operation", "administrative_penalty"):
                authority.append(f"北京市{dname}市场监督管理局")
                tag = "经异" if canon == "abnormal_operation" else "罚"
                docs.append(f"京{abbr}市监{tag}〔{year}〕{serial}号")
            elif canon == "serious_dishonesty":
                authority.append("北京市第一中级人民法院")
                docs.append(f"（{year}）京01执{serial}号")
            elif canon == "serious_environmental_violation":
                authority.append("北京市生态环境局")
                docs.append(f"京环罚〔{year}〕{serial}号")
            elif canon == "major_tax_violation":
                authority.append("国家税务总局北京市税务局")
                docs.append(f"京税稽罚〔{year}〕{serial}号")
            elif canon == "research_misconduct":
                authority.append("北京市科学技术委员会、中关村科技园区管理委员会")
                docs.append(f"京科信〔{year}〕{serial}号")
            else:
                authority.append("北京市应急管理局" if canon == "major_safety_accident" else "北京市市场监督管理局")
                docs.append(
                    f"京应急罚〔{year}〕{serial}号"
                    if canon == "major_safety_accident"
                    else f"京市监质〔{year}〕{serial}号"
                )
        table = Table(
            m,
            {
                "uscc": [e.uscc[i] for i in owner.tolist()],
                "event_type": [pools.CREDIT_EVENTS[k_][0] for k_ in kind],
                "decided_date": decided,
                "authority": authority,
                "document_number": docs,
                "removed_date": removed,
            },
        )
        self.writers["credit.xlsx"].write(table, rng)

    # -- certificates -----------------------------------------------------------------------------
    def _certificates(self, e: _Ents, rng: np.random.Generator) -> None:
        n = e.n
        hte_rows: list[tuple[int, str, str, int, int, str, str]] = []
        sme_rows: list[tuple[int, str, str, int, int, str, str]] = []
        est_year = _year_of(e.est).tolist()
        first_u = rng.random(n).tolist()
        renew_u = rng.random((n, 4)).tolist()
        revoke_u = rng.random(n).tolist()
        batch = rng.integers(0, 4, (n, 6)).tolist()
        zgc_u = rng.random((n, 2)).tolist()
        sme_u = rng.random(n).tolist()
        sme_years_u = rng.random((n, 5)).tolist()
        tech_l = e.tech.tolist()
        # drawn after the draws above, which the ZGC sub-types left as they were
        names, shares = zip(*self.cfg.zgc_subtypes, strict=True)
        zgc_sub = [names[j] for j in _pick(rng, _cum(shares), n).tolist()]
        young_u = rng.random((n, 2)).tolist()
        for i in range(n):
            end = int(e.status_date[i]) if e.dead[i] else 0
            if e.hte_ever[i]:
                # First certified some year after establishment, renewed every three years (mostly).
                first = max(est_year[i] + 1, 2014)
                ys = [min(2025, first + int(first_u[i] * (2025 - first + 1)))]
                while ys[-1] + 3 <= 2025 and renew_u[i][len(ys) - 1] < 0.8:
                    ys.append(ys[-1] + 3)
                for j, yy in enumerate(ys):
                    issue = _hte_issue(yy, batch[i][j])
                    if end and issue >= end:
                        break
                    expiry = _add_years(issue, 3)
                    if (end and expiry > end) or (j == len(ys) - 1 and revoke_u[i] < 0.01):
                        st = "revoked"
                    else:
                        st = "valid" if expiry > AS_OF_ORD else "expired"
                    number = f"GR{yy}11{self._serial('hte', yy):06d}"
                    hte_rows.append((i, "hte", number, issue, expiry, st, ""))
                    if st == "valid" and issue <= AS_OF_ORD < expiry:
                        e.is_hte[i] = True
            code = _DISTRICT_CODES[int(e.district[i])]
            if tech_l[i] >= 0 and code == "110108" and est_year[i] < 2015 and zgc_u[i][0] < 0.06:
                yy = min(2019, max(est_year[i] + 1, 2012) + int(zgc_u[i][1] * 5))
                issue = dt.date(yy, 6, 15 + batch[i][4]).toordinal()
                if not end or issue < end:
                    number = f"ZGC{yy}{self._serial('zgc_hte', yy):05d}"
                    hte_rows.append((i, "zgc_hte", number, issue, _add_years(issue, 3), "expired", zgc_sub[i]))
            young = AS_OF_ORD - 3 * 365 <= int(e.est[i]) <= AS_OF_ORD - 120
            if tech_l[i] >= 0 and young and not e.dead[i] and young_u[i][0] < self.cfg.zgc_young_rate:
                # certified 90 days after establishment or later, valid three years
                issue = int(e.est[i]) + 90 + int(young_u[i][1] * (AS_OF_ORD - int(e.est[i]) - 90))
                yy = dt.date.fromordinal(issue).year
                number = f"ZGC{yy}{self._serial('zgc_hte', yy):05d}"
                hte_rows.append((i, "zgc_hte", number, issue, _add_years(issue, 3), "valid", zgc_sub[i]))
            small = e.revenue[i] < 20000 and e.staff[i] < 500 and not e.dead[i]
            if tech_l[i] >= 0 and small and sme_u[i] < 0.06:
                # Evaluated yearly (2022..2026); each registration number is valid for a year.
                first_sme = True
                for yy in range(max(2022, est_year[i]), 2027):
                    if not first_sme and sme_years_u[i][yy - 2022] < 0.35:
                        continue
                    issue = _sme_issue(yy, batch[i][5])
                    if issue > AS_OF_ORD or issue < int(e.est[i]) + 30:
                        continue
                    first_sme = False
                    expiry = issue + 365
                    st = "valid" if expiry > AS_OF_ORD else "expired"
                    number = f"{yy}11{code[2:]}A{self._serial('tech_sme', yy):07d}"
                    sme_rows.append((i, "tech_sme", number, issue, expiry, st, ""))
        self._platform(e, [r for r in hte_rows if r[1] == "hte"])
        for fname, rows in (("certificate_hte.csv", hte_rows), ("certificate_tech_sme.xlsx", sme_rows)):
            table = Table(
                len(rows),
                {
                    "uscc": [e.uscc[x[0]] for x in rows],
                    "kind": [x[1] for x in rows],
                    "number": [x[2] for x in rows],
                    "issue_date": np.array([x[3] for x in rows], dtype=np.int64),
                    "expiry_date": np.array([x[4] for x in rows], dtype=np.int64),
                    "status": [x[5] for x in rows],
                    "tech_field": [(pools.TECH_FIELDS[tech_l[x[0]]] if x[1] != "tech_sme" else "") for x in rows],
                    "subtype": [x[6] for x in rows],
                },
            )
            self.writers[fname].write(table, rng)

    # -- the platform's own records ---------------------------------------------------------------
    def _platform(self, e: _Ents, hte_rows: list[tuple[int, str, str, int, int, str, str]]) -> None:
        """The platform's HTE applications and annual development reports (its own random stream: the other
        files are unchanged). Every certificate after the first came from an application of its year (submitted
        about five months before issue, certified); a current certificate expiring within a year was applied for
        again this year with probability ``renewal_rate`` (in review); each year an enterprise held a valid
        certificate is reported on in April–May of the next year with probability ``annual_report_rate``, 5% late
        (June) — the last year's reports fall after AS_OF: a snapshot sees them from their submission date."""
        cfg = self.cfg
        rng = np.random.default_rng([self.seed, 0xA7713, self._chunk])
        apps: list[tuple[int, int, int, str]] = []
        reports: list[tuple[int, int, int]] = []
        reported: set[tuple[int, int]] = set()
        by_ent: dict[int, list[tuple[int, int, str]]] = {}
        for i, _kind, _number, issue, expiry, st, _sub in hte_rows:
            by_ent.setdefault(i, []).append((issue, expiry, st))
        for i, certs in sorted(by_ent.items()):
            certs.sort()
            for j, (issue, expiry, st) in enumerate(certs):
                year = dt.date.fromordinal(issue).year
                if j > 0:
                    apps.append((i, year, issue - 150 - int(rng.integers(0, 40)), "certified"))
                expiring = st == "valid" and issue <= AS_OF_ORD < expiry and expiry - AS_OF_ORD <= 365
                if expiring and rng.random() < cfg.renewal_rate:
                    apps.append((i, AS_OF.year, AS_OF_ORD - int(rng.integers(0, 60)), "in_review"))
                end = expiry if st != "revoked" else issue + 365
                for y in range(max(year, 2021), AS_OF.year):
                    held = issue <= dt.date(y, 12, 31).toordinal() and end >= _YEAR_START[y]
                    if not held or (i, y) in reported:
                        continue
                    reported.add((i, y))
                    if rng.random() >= cfg.annual_report_rate:
                        continue
                    late = rng.random() < 0.05
                    start = dt.date(y + 1, 6 if late else 4, 1).toordinal()
                    reports.append((i, y, start + int(rng.integers(0, 30 if late else 61))))
        # one application per enterprise and batch year (the feed's key): the latest kept
        seen: dict[tuple[int, int], tuple[int, int, int, str]] = {}
        for a in apps:
            seen[(a[0], a[1])] = a
        apps = sorted(seen.values())
        self.writers["hte_application_高企认定系统.csv"].write(
            Table(
                len(apps),
                {
                    "uscc": [e.uscc[a[0]] for a in apps],
                    "batch_year": np.array([a[1] for a in apps], dtype=np.int64),
                    "submitted_date": np.array([a[2] for a in apps], dtype=np.int64),
                    "status": [a[3] for a in apps],
                },
            ),
            rng,
        )
        self.writers["hte_annual_report_高企认定系统.csv"].write(
            Table(
                len(reports),
                {
                    "uscc": [e.uscc[r[0]] for r in reports],
                    "report_year": np.array([r[1] for r in reports], dtype=np.int64),
                    "submitted_date": np.array([r[2] for r in reports], dtype=np.int64),
                },
            ),
            rng,
        )

    # -- truth ------------------------------------------------------------------------------------
    def _truth_enterprises(self, e: _Ents) -> None:
        rows = []
        for i in range(e.n):
            chain = e.names[i]
            t = int(e.tech[i])
            rows.append(
                (
                    e.uscc[i],
                    chain[-1].render(),
                    "|".join(x.render() for x in chain[:-1]),
                    _DISTRICT_CODES[int(e.district[i])],
                    pools.TECH_FIELDS[t] if t >= 0 else "",
                    "1" if e.is_hte[i] else "0",
                )
            )
        self._ent_csv.writerows(rows)
        self.enterprises_written += e.n

    def defect_counts(self) -> dict[str, int]:
        out = dict.fromkeys(DEFECT_CODES, 0)
        for d in self.defects:
            out[d.reason_code] += 1
        return out

    def close(self, progress: Progress | None) -> list[SynthFile]:
        files: list[SynthFile] = []
        for k, writer in enumerate(self.writers.values()):
            if progress:
                progress("closing", k, len(self.writers))
            files.append(writer.close())
        self._ent_fh.close()
        self._ip_fh.close()
        if self.apps is not None:
            self.apps.close()
        order = {p.name: i for i, p in enumerate(self.plans)}
        self.defects.sort(key=lambda d: (order[d.file], d.line))
        with (self.truth_dir / "defects.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["feed", "file", "line", "reason_code"])
            w.writerows((d.feed, d.file, d.line, d.reason_code) for d in self.defects)
        with (self.truth_dir / "files.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["file", "feed", "rows", "encoding", "format", "header_language", "date_style", "extra_column"])
            for f, p in zip(files, self.plans, strict=True):
                w.writerow(
                    [f.name, f.feed, f.rows, f.encoding or "", f.file_format, p.header, p.date_style, p.extra or ""]
                )
        return files

    def write_summary(self, s: SynthSummary) -> None:
        config = asdict(self.cfg)
        if not self.cfg.applications:  # the default world's summary as it was before the opt-in world existed
            del config["applications"], config["application_share"]
        data = {
            "enterprises": s.enterprises,
            "seed": s.seed,
            "as_of": AS_OF.isoformat(),
            "fiscal_years": list(FISCAL_YEARS),
            "config": config,
            "files": [f._asdict() for f in s.files],
            "rows": s.rows,
            "defects": s.defects,
            "ip_holder_variants": self.variant_counts,
        }
        (self.truth_dir / "summary.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    def abort(self) -> None:
        for w in self.writers.values():
            w.abort()
        self._ent_fh.close()
        self._ip_fh.close()


_ZH_KIND_CUM = _cum([0.25, 0.45, 0.30])


def _hte_issue(year: int, batch: int) -> int:
    # Beijing certifies in batches late in the year.
    month, day = ((10, 26), (11, 30), (12, 12), (12, 20))[batch % 4]
    return dt.date(year, month, day).toordinal()


def _sme_issue(year: int, batch: int) -> int:
    if year == 2026:
        return dt.date(2026, (2, 3, 3, 3)[batch % 4], (27, 13, 20, 27)[batch % 4]).toordinal()
    month, day = ((4, 28), (6, 30), (8, 31), (10, 31))[batch % 4]
    return dt.date(year, month, day).toordinal()
