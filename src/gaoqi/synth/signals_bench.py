"""``gaoqi bench signals``: the review signals (ADR 0035) measured against the planted truth of the opt-in
applications world (``gaoqi.synth.applications``): generate, ingest, resolve, evaluate every signal, and per
signal the planted, the raised, the true positives, precision, recall and the seconds it took."""

from __future__ import annotations

import csv
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from gaoqi.synth.config import AS_OF, SynthConfig
from gaoqi.synth.generate import generate


def planted(out_dir: Path) -> dict[str, set[str]]:
    """kind → the applicants planted with it (``_truth/signals.csv``, expected 1)."""
    out: dict[str, set[str]] = defaultdict(set)
    with (out_dir / "_truth" / "signals.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["expected"] == "1":
                out[row["kind"]].add(row["uscc"])
    return out


def negatives(out_dir: Path) -> dict[str, set[str]]:
    """kind → the applicants planted as a near-boundary negative (expected 0)."""
    out: dict[str, set[str]] = defaultdict(set)
    with (out_dir / "_truth" / "signals.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["expected"] == "0":
                out[row["kind"]].add(row["uscc"])
    return out


def score(truth: dict[str, set[str]], raised: dict[str, set[str]], kinds: list[str]) -> list[dict[str, Any]]:
    """Per kind: planted, raised (applicants), true positives, precision and recall (None when undefined)."""
    rows = []
    for kind in kinds:
        t, r = truth.get(kind, set()), raised.get(kind, set())
        tp = len(t & r)
        rows.append({
            "kind": kind, "planted": len(t), "raised": len(r), "true_positives": tp,
            "precision": round(tp / len(r), 4) if r else None, "recall": round(tp / len(t), 4) if t else None,
        })  # fmt: skip
    return rows


def run_signals_benchmark(
    *, enterprises: int, seed: int, data_dir: Path | None = None, workspace: Path | None = None, progress: Any = None
) -> dict[str, Any]:
    """Generate the applications world (``data_dir``, default ``$TMP/gaoqi-bench-signals-<n>-<seed>``; reused when
    it holds a truth), ingest and resolve it into ``workspace`` (default beside it), evaluate the signals at the
    world's as-of date and score them against the truth."""
    from gaoqi.engine.current import create_current_views
    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.engine.resolve import resolve
    from gaoqi.engine.signals import REVIEW_SIGNAL_KINDS, load_signal_params, review_signals
    from gaoqi.engine.workspace import connect

    tmp = Path(tempfile.gettempdir())
    data = data_dir or tmp / f"gaoqi-bench-signals-{enterprises}-{seed}"
    home = workspace or tmp / f"gaoqi-bench-signals-ws-{enterprises}-{seed}"
    figures: dict[str, Any] = {"enterprises": enterprises, "seed": seed, "as_of": AS_OF.isoformat()}
    if not (data / "_truth" / "signals.csv").exists():
        if progress is not None:
            progress(f"generating {enterprises:,} enterprises")
        t = time.perf_counter()
        generate(data, enterprises=enterprises, seed=seed, config=SynthConfig(applications=True))
        figures["synth_seconds"] = round(time.perf_counter() - t, 1)
    if progress is not None:
        progress("ingest and resolve")
    t = time.perf_counter()
    ingest_directory(home, data)
    con = connect(home)
    try:
        create_current_views(con)
        resolve(con)
        figures["ingest_resolve_seconds"] = round(time.perf_counter() - t, 1)
        applicants = con.execute(
            "SELECT count(*) FROM hte_application_cur WHERE batch_year = ? AND status IN ('in_review', 'certified') "
            "AND submitted_date <= ?",
            [AS_OF.year, AS_OF],
        ).fetchall()[0][0]
        if progress is not None:
            progress("signals")
        timings: dict[str, float] = {}
        t = time.perf_counter()
        signals = review_signals(con, AS_OF, params=load_signal_params(), timings=timings)
        figures["signals_seconds"] = round(time.perf_counter() - t, 2)
    finally:
        con.close()
    raised: dict[str, set[str]] = defaultdict(set)
    for s in signals:
        raised[s.kind].add(s.uscc)
    kinds = list(REVIEW_SIGNAL_KINDS)
    rows = score(planted(data), raised, kinds)
    neg = negatives(data)
    for row in rows:
        row["negatives_planted"] = len(neg.get(row["kind"], set()))
        row["negatives_raised"] = len(neg.get(row["kind"], set()) & raised.get(row["kind"], set()))
        row["seconds"] = round(timings.get(row["kind"], 0.0), 3)
    figures.update(applicants=int(applicants), signals=len(signals), by_kind=rows, data_dir=str(data))
    return figures
