"""``gaoqi bench cohort``: the 企业画像 tags and cohort queries (``gaoqi.engine.analytics``) timed on a snapshot file.

With ``--snapshot FILE`` the figures are taken on that published snapshot (e.g. a 2M workspace ``gaoqi bench
ingest`` and ``evaluate`` left). Without it, a real small population (``seed_enterprises``, default 2,000: synth →
ingest → resolve → profiles → evaluate) is replicated to ``enterprises`` rows in a new DuckDB file: every
profile and result row copied with a suffixed USCC, so the distributions (districts, fields, sizes, lists) are
the synthetic population's and the tables have the target's size. Building it is not timed.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from gaoqi.engine import CohortFilter, Workspace, default_tags

AS_OF = dt.date(2026, 6, 30)


def build_scaled_snapshot(out: Path, enterprises: int, seed_enterprises: int, seed: int) -> dict[str, Any]:
    """A snapshot-like DuckDB file of ``enterprises`` profiles (and their results) replicated from a real
    synthetic population of ``seed_enterprises``."""
    from gaoqi.synth.generate import generate

    work = Path(tempfile.mkdtemp(prefix="gaoqi-cohort-bench-"))
    feeds, home = work / "feeds", work / "home"
    t = time.perf_counter()
    generate(feeds, enterprises=seed_enterprises, seed=seed)
    with Workspace.open(home) as ws:
        ws.ingest(feeds)
    with Workspace.open(home) as ws:
        ws.resolve()
        ws.profiles(AS_OF)
        ws.evaluate(AS_OF)
        ws.checkpoint()
        src = ws.path
    out.unlink(missing_ok=True)
    con = duckdb.connect(str(out))
    try:
        con.execute(f"ATTACH '{src}' AS seed (READ_ONLY)")
        n = int(con.execute("SELECT count(*) FROM seed.profile").fetchall()[0][0])
        copies = -(-enterprises // n)
        con.execute(
            "CREATE TABLE profile AS SELECT * REPLACE (p.uscc || '-' || lpad(k::VARCHAR, 6, '0') AS uscc) "
            f"FROM seed.profile p, range({copies}) r(k) ORDER BY k, p.uscc LIMIT {enterprises}"
        )
        con.execute(
            "CREATE TABLE results AS SELECT x.* REPLACE (x.uscc || '-' || lpad(k::VARCHAR, 6, '0') AS uscc) "
            f"FROM seed.results x, range({copies}) r(k) "
            "WHERE x.uscc || '-' || lpad(k::VARCHAR, 6, '0') IN (SELECT uscc FROM profile)"
        )
        rows = int(con.execute("SELECT count(*) FROM profile").fetchall()[0][0])
        results = int(con.execute("SELECT count(*) FROM results").fetchall()[0][0])
        con.execute("DETACH seed")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"enterprises": rows, "results": results, "seed_enterprises": n, "build_seconds": time.perf_counter() - t}


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[float, float, Any]:
    """(median, max) seconds over ``rounds`` runs, and the last value."""
    times: list[float] = []
    value: Any = None
    for _ in range(rounds):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), max(times), value


def run_cohort_benchmark(
    *,
    snapshot: Path | None,
    enterprises: int,
    seed_enterprises: int,
    seed: int,
    rounds: int,
    trend_files: int,
    keep: Path | None = None,
    build_tags: bool = False,
) -> dict[str, Any]:
    """Figures (seconds: median and max of ``rounds``) for the cohort page's queries on one snapshot file."""
    built: dict[str, Any] = {}
    if snapshot is None:
        snapshot = keep or Path(tempfile.gettempdir()) / f"gaoqi-cohort-{enterprises}.duckdb"
        built = build_scaled_snapshot(snapshot, enterprises, seed_enterprises, seed)
        build_tags = True
    tags = default_tags()
    figures: list[dict[str, Any]] = []
    if build_tags:  # the snapshot run's step (intake's run calls it before copying the workspace)
        with Workspace.open(snapshot) as ws:
            t = time.perf_counter()
            n = ws.build_tags(tags)
            ws.checkpoint()
            figures.append(
                {
                    "figure": "build_tags (snapshot run step)",
                    "median_s": time.perf_counter() - t,
                    "max_s": time.perf_counter() - t,
                    "count": n,
                }
            )
    with Workspace.open(snapshot, read_only=True) as ws:
        size = ws.profile_count()
        some = next(iter(ws.backend.rows("SELECT uscc, district_code FROM profile LIMIT 1")))
        district = str(some["district_code"])
        filters: dict[str, CohortFilter] = {
            "whole population, no filter": CohortFilter(),
            "one district (scope)": CohortFilter(),
            "HTE, 2 fields, size small/medium, revenue 300–20000 万元": CohortFilter(
                has_hte=True,
                tech_fields=("electronic_information", "advanced_manufacturing"),
                size_bands=("size_small", "size_medium"),
                revenue_min=Decimal(300),
                revenue_max=Decimal(20000),
            ),
            "tags any (培育库, 小升规) and growth high": CohortFilter(
                tags_any=("list_cultivation_pool", "list_small_to_above_scale"), growth_bands=("growth_high",)
            ),
        }
        for name, f in filters.items():
            scope: tuple[str, ...] | None = (district,) if "scope" in name else None

            def run(f: CohortFilter = f, scope: tuple[str, ...] | None = scope) -> Any:
                return ws.cohort(f, scope, tags)

            med, worst, r = _timed(run, rounds)
            figures.append({"figure": f"cohort: {name}", "median_s": med, "max_s": worst, "count": r.count})
        med, worst, n = _timed(lambda: ws.cohort_count(CohortFilter(has_hte=True), None, tags), rounds)
        figures.append({"figure": "count only (has_hte)", "median_s": med, "max_s": worst, "count": n})
        med, worst, one = _timed(lambda: ws.enterprise_tags(str(some["uscc"]), tags), rounds)
        figures.append({"figure": "one enterprise's tags (profile page)", "median_s": med, "max_s": worst})
        stored = ws._tag_source(tags)[1].sql() == "profile_tags"
        med, worst, total = _timed(lambda: sum(1 for _ in ws.tag_rows(tags)), 1)
        figures.append(
            {"figure": "every enterprise's tags, fetched (tag_rows)", "median_s": med, "max_s": worst, "count": total}
        )
    if stored:  # the same whole-population cohort with the tags computed on read (a snapshot older than its tags)
        import duckdb

        con = duckdb.connect(str(snapshot), read_only=True)
        try:
            from gaoqi.engine.analytics import cohort as _cohort
            from gaoqi.engine.analytics import tags as _tags

            sql = _cohort.cohort_sql(CohortFilter(), tags, None, _tags.source(tags, stored=False))
            med, worst, _ = _timed(lambda: con.execute(sql).fetchall(), max(1, rounds // 2))
            figures.append(
                {"figure": "cohort: no filter, tags computed on read (no stored tags)", "median_s": med, "max_s": worst}
            )
        finally:
            con.close()
    files = [snapshot] * trend_files
    med, worst, trend = _timed(lambda: Workspace.cohort_trend(files, CohortFilter(has_hte=True), None, tags), rounds)
    figures.append(
        {
            "figure": f"trend over {trend_files} snapshot files (has_hte)",
            "median_s": med,
            "max_s": worst,
            "count": trend[-1],
        }
    )
    return {
        "snapshot": str(snapshot),
        "enterprises": size,
        "tags": len(tags.tags),
        "tags_version": tags.version,
        "rounds": rounds,
        "built": built,
        "stored_tags": stored,
        "figures": figures,
        "one_enterprise_tags": one,
    }
