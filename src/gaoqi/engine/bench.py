"""``gaoqi bench ingest``: the engine's speed, memory and linking-quality figures on a folder of feeds.

The pipeline (ingest → resolve → profiles) runs in a fresh child process so that its peak memory (the
child's maximum resident set size) is measured alone, without the generator's. The synthetic Beijing is made
by :mod:`gaoqi.synth.bench` (the engine never imports the generator).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 6, 30)


def _pipeline(data_dir: str, home: str, queue: Any) -> None:
    from gaoqi.engine.current import create_current_views
    from gaoqi.engine.features import build_profiles
    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.engine.resolve import resolve
    from gaoqi.engine.workspace import connect

    figures: dict[str, Any] = {}
    t0 = time.perf_counter()
    summary = ingest_directory(home, data_dir)
    t1 = time.perf_counter()
    figures["ingest"] = {
        "seconds": round(t1 - t0, 2),
        "rows_read": summary.rows_read,
        "rows_loaded": summary.rows_loaded,
        "rows_quarantined": summary.rows_quarantined,
        "rows_per_second": round(summary.rows_read / (t1 - t0)),
        "file_errors": [f.error for f in summary.errors],
    }
    con = connect(home)
    try:
        create_current_views(con)
        t2 = time.perf_counter()
        rs = resolve(con)
        t3 = time.perf_counter()
        ip_rows = int(con.execute("SELECT count(*) FROM ip_cur").fetchone()[0])  # type: ignore[index]
        enterprises = int(con.execute("SELECT count(*) FROM enterprise").fetchone()[0])  # type: ignore[index]
        figures["resolve"] = {
            "seconds": round(t3 - t2, 2),
            "ip_rows": ip_rows,
            "ip_rows_per_second": round(ip_rows / (t3 - t2)),
            "summary": rs.as_dict() if hasattr(rs, "as_dict") else str(rs),
        }
        t4 = time.perf_counter()
        build_profiles(con, AS_OF)
        t5 = time.perf_counter()
        figures["profiles"] = {
            "seconds": round(t5 - t4, 2),
            "enterprises": enterprises,
            "enterprises_per_second": round(enterprises / (t5 - t4)),
            "as_of": AS_OF.isoformat(),
        }
        figures["linking"] = linking_quality(con, Path(data_dir) / "_truth" / "ip_holders.csv")
    finally:
        con.close()
    figures["total_seconds"] = round(
        figures["ingest"]["seconds"] + figures["resolve"]["seconds"] + figures["profiles"]["seconds"], 2
    )
    queue.put(figures)


def linking_quality(con: Any, truth_csv: Path) -> dict[str, Any]:
    """Precision and recall of name-only IP records (no holder_uscc) against the planted truth."""
    if not truth_csv.exists():
        return {"error": f"no truth file at {truth_csv}"}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE truth AS SELECT ip_number, NULLIF(true_uscc, '') AS true_uscc "
        f"FROM read_csv('{truth_csv}', all_varchar = true)"
    )
    row = con.execute(
        """
        WITH name_only AS (
            SELECT i.ip_number, t.true_uscc, l.uscc AS linked
            FROM ip_cur i JOIN truth t USING (ip_number)
            LEFT JOIN ip_link l USING (ip_number)
            WHERE i.holder_uscc IS NULL
        )
        SELECT count(*) AS records,
               count(true_uscc) AS with_true_enterprise,
               count(linked) AS linked,
               count(*) FILTER (WHERE linked = true_uscc) AS correct,
               count(*) FILTER (WHERE linked IS NOT NULL AND linked IS DISTINCT FROM true_uscc) AS wrong
        FROM name_only
        """
    ).fetchone()
    records, positives, linked, correct, wrong = (int(x) for x in row)
    review = int(con.execute("SELECT count(DISTINCT ip_number) FROM link_review").fetchone()[0])
    return {
        "name_only_records": records,
        "with_true_enterprise": positives,
        "linked": linked,
        "correct": correct,
        "wrong": wrong,
        "in_review_queue": review,
        "precision": round(correct / linked, 6) if linked else None,
        "recall": round(correct / positives, 6) if positives else None,
    }


def _result_of(proc: Any, queue: Any) -> dict[str, Any]:
    """The child's figures; a clear error (not a hang) if the child died without sending them."""
    import queue as queue_module

    while True:
        try:
            figures: dict[str, Any] = queue.get(timeout=2)
            break
        except queue_module.Empty:
            if not proc.is_alive():
                raise RuntimeError(
                    f"the benchmark process died (exit code {proc.exitcode}); see its traceback above"
                ) from None
    proc.join()
    return figures


def run_ingest_benchmark(data: Path, *, workspace: Path | None = None) -> dict[str, Any]:
    """Figures of ingest → resolve → profiles on the feeds in ``data`` (linking quality against
    ``data/_truth/ip_holders.csv`` when there is one)."""
    home = workspace or Path(tempfile.mkdtemp(prefix="gaoqi-bench-ws-"))
    if (home / "gaoqi.duckdb").exists():
        shutil.rmtree(home)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_pipeline, args=(str(data), str(home), queue))
    proc.start()
    figures = _result_of(proc, queue)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["peak_memory_gib"] = round(peak_kib / 1024 / 1024, 2)
    figures["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "memory_limit": os.environ.get("GAOQI_MEMORY_LIMIT", "6GB"),
    }
    figures["data_dir"] = str(data)
    figures["workspace"] = str(home)
    return figures


#: Parameter changes timed by the rules benchmark (policy id → overrides), one threshold and one amount.
SIMULATIONS: dict[str, dict[str, str]] = {
    "hte-certification": {"rd_ratio_tier1": "0.04"},
    "dongcheng-hte-reward": {"reward": "20"},
}


def _rules_child(home: str, as_of: str, repeats: int, queue: Any) -> None:
    import statistics

    from gaoqi.engine.features import ensure_profiles
    from gaoqi.engine.rules import default_policy_dir, evaluate, explain, load_policies, simulate
    from gaoqi.engine.workspace import connect

    day = dt.date.fromisoformat(as_of)
    policies = load_policies(default_policy_dir())
    con = connect(home)
    try:
        ensure_profiles(con, day)
        enterprises = int(con.execute("SELECT count(*) FROM profile").fetchall()[0][0])
        t0 = time.perf_counter()
        evaluate(con, day, policies)
        evaluate_s = time.perf_counter() - t0
        rows = int(con.execute("SELECT count(*) FROM results").fetchall()[0][0])
        statuses = dict(con.execute("SELECT status, count(*) FROM results GROUP BY 1").fetchall())
        # enterprises spread over the population (hash order), one more for the warm-up
        sample = [
            str(r[0])
            for r in con.execute("SELECT uscc FROM profile ORDER BY hash(uscc) LIMIT ?", [repeats + 1]).fetchall()
        ]
        explain_ms: dict[str, dict[str, float]] = {}
        for policy in policies:
            explain(con, sample[0], policy.id, day, policies)  # warm-up
            times = []
            for uscc in sample[1:]:
                t = time.perf_counter()
                explain(con, uscc, policy.id, day, policies)
                times.append(time.perf_counter() - t)
            explain_ms[policy.id] = {
                "median": round(statistics.median(times) * 1000, 1),
                "max": round(max(times) * 1000, 1),
            }
        simulate_s: dict[str, float] = {}
        by_id = {p.id: p for p in policies}
        for pid, overrides in SIMULATIONS.items():
            if pid in by_id:
                t = time.perf_counter()
                simulate(con, day, by_id[pid], overrides)
                simulate_s[f"{pid} {overrides}"] = round(time.perf_counter() - t, 2)
    finally:
        con.close()
    queue.put(
        {
            "as_of": as_of,
            "policies": [p.id for p in policies],
            "enterprises": enterprises,
            "evaluate": {
                "seconds": round(evaluate_s, 2),
                "results": rows,
                "evaluations_per_second": round(rows / evaluate_s),
                "statuses": {str(k): int(v) for k, v in statuses.items()},
            },
            "explain_ms": explain_ms,
            "explain_runs_per_policy": repeats,
            "simulate_seconds": simulate_s,
        }
    )


def run_rules_benchmark(*, workspace: Path, as_of: str = "2026-06-30", repeats: int = 20) -> dict[str, Any]:
    """Evaluate every shipped policy for every enterprise of an ingested and resolved workspace, and time
    ``explain`` for single enterprises after a warm-up, in a child process (peak memory is its own)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_rules_child, args=(str(workspace), as_of, repeats, queue))
    proc.start()
    figures = _result_of(proc, queue)
    figures["peak_memory_gib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024, 2)
    figures["workspace"] = str(workspace)
    return figures
