"""``gaoqi bench ingest`` on a synthetic Beijing: generate the feeds once (not timed), then the engine's
benchmark (:func:`gaoqi.engine.bench.run_ingest_benchmark`) on them."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from gaoqi.engine.bench import run_ingest_benchmark, run_warnings_benchmark
from gaoqi.synth.generate import generate


def run_synthetic_ingest_benchmark(
    *, enterprises: int, seed: int, data_dir: Path | None = None, workspace: Path | None = None
) -> dict[str, Any]:
    """The engine's figures plus the population's size and the generator's seconds (None when the feeds in
    ``data_dir`` were reused)."""
    data = data_dir or Path(tempfile.gettempdir()) / f"gaoqi-bench-{enterprises}-{seed}"
    synth_seconds: float | None = None
    if not (data / "_truth").exists():
        t = time.perf_counter()
        generate(data, enterprises=enterprises, seed=seed)
        synth_seconds = round(time.perf_counter() - t, 1)
    figures = run_ingest_benchmark(data, workspace=workspace)
    figures["enterprises"] = enterprises
    figures["synth_seconds"] = synth_seconds
    return figures


def run_synthetic_warnings_benchmark(
    *,
    enterprises: int,
    seed: int,
    as_of: dt.date,
    previous_as_of: dt.date,
    data_dir: Path | None = None,
    workspace: Path | None = None,
    rounds: int = 3,
    progress: Any = None,
) -> dict[str, Any]:
    """``gaoqi bench warnings``: the synthetic feeds generated once (``data_dir``, default
    ``$TMP/gaoqi-bench-<n>-<seed>``), a workspace ingested and resolved once (``workspace``, default
    ``$TMP/gaoqi-bench-warnings-ws-<n>-<seed>``; reused when it holds an ``enterprise`` table), then the engine's
    warnings benchmark (``run_warnings_benchmark``). The seconds of the steps not timed are reported too."""
    data, home, synth_seconds, prepare_seconds = prepare_resolved_workspace(
        enterprises=enterprises, seed=seed, data_dir=data_dir, workspace=workspace, name="warnings", progress=progress
    )
    figures = run_warnings_benchmark(home, as_of=as_of, previous_as_of=previous_as_of, rounds=rounds, progress=progress)
    figures.update(data_dir=str(data), synth_seconds=synth_seconds, ingest_resolve_seconds=prepare_seconds)
    return figures


def _resolved(home: Path) -> bool:
    import duckdb

    db = home / "gaoqi.duckdb"
    if not db.exists():
        return False
    con = duckdb.connect(str(db), read_only=True)
    try:
        return bool(
            con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'enterprise'").fetchall()[0][
                0
            ]
        )
    finally:
        con.close()


def prepare_resolved_workspace(
    *, enterprises: int, seed: int, data_dir: Path | None, workspace: Path | None, name: str, progress: Any = None
) -> tuple[Path, Path, float | None, float | None]:
    """The synthetic feeds (generated once) and a workspace ingested and resolved once (reused when it holds an
    ``enterprise`` table): ``(data dir, workspace home, synth seconds, ingest+resolve seconds)``."""
    data = data_dir or Path(tempfile.gettempdir()) / f"gaoqi-bench-{enterprises}-{seed}"
    home = workspace or Path(tempfile.gettempdir()) / f"gaoqi-bench-{name}-ws-{enterprises}-{seed}"
    synth_seconds = prepare_seconds = None
    if not (data / "_truth").exists():
        if progress is not None:
            progress(f"generating {enterprises:,} enterprises")
        t = time.perf_counter()
        generate(data, enterprises=enterprises, seed=seed)
        synth_seconds = round(time.perf_counter() - t, 1)
    if not _resolved(home):
        from gaoqi.engine.current import create_current_views
        from gaoqi.engine.ingest import ingest_directory
        from gaoqi.engine.resolve import resolve
        from gaoqi.engine.workspace import connect

        if progress is not None:
            progress("ingest and resolve")
        t = time.perf_counter()
        ingest_directory(home, data)
        con = connect(home)
        try:
            create_current_views(con)
            resolve(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        prepare_seconds = round(time.perf_counter() - t, 1)
    return data, home, synth_seconds, prepare_seconds


def run_synthetic_fields_benchmark(
    *,
    enterprises: int,
    seed: int,
    data_dir: Path | None = None,
    workspace: Path | None = None,
    models: Path | None = None,
    out: Path | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """``gaoqi bench fields``: a resolved synthetic workspace (prepared once, not timed), the classifier loaded
    (or trained once, timed apart), then every enterprise's texts (``Workspace.field_texts``) classified in
    batches; timed end to end (query, features, probabilities, Arrow output, and the Parquet file if ``out``)."""
    import os
    from collections import Counter

    import pyarrow.parquet as pq

    from gaoqi.ai.fields import PREDICTION_SCHEMA, classify_record_batches
    from gaoqi.ai.fields.corpus import field_classifier
    from gaoqi.engine import Workspace

    data, home, synth_seconds, prepare_seconds = prepare_resolved_workspace(
        enterprises=enterprises, seed=seed, data_dir=data_dir, workspace=workspace, name="fields", progress=progress
    )
    if progress is not None:
        progress("loading (or training) the classifier")
    t = time.perf_counter()
    clf = field_classifier(models)
    load_seconds = round(time.perf_counter() - t, 1)
    if progress is not None:
        progress(f"classifying {enterprises:,} enterprises")
    by_field: Counter[str] = Counter()
    rows = 0
    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    writer = pq.ParquetWriter(out, PREDICTION_SCHEMA) if out is not None else None
    try:
        with Workspace.open(home, read_only=True) as ws:
            for batch in classify_record_batches(clf, ws.field_texts()):
                rows += batch.num_rows
                by_field.update(batch.column("field_name").to_pylist())
                if writer is not None:
                    writer.write_batch(batch)
    finally:
        if writer is not None:
            writer.close()
    seconds = time.perf_counter() - t
    return {
        "enterprises": rows,
        "classify_seconds": round(seconds, 1),
        "enterprises_per_second": round(rows / seconds) if seconds else None,
        "model_version": clf.version,
        "model_load_or_train_seconds": load_seconds,
        "by_field": dict(by_field.most_common()),
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "data_dir": str(data),
        "workspace": str(home),
        "synth_seconds": synth_seconds,
        "ingest_resolve_seconds": prepare_seconds,
    }


def run_fields_quality(
    *, heldout: Path, synthetic_per_sub_field: int = 40, models: Path | None = None, progress: Any = None
) -> dict[str, Any]:
    """``gaoqi bench fields-quality``: the classifier (trained or loaded), then its quality on (a) a synthetic
    held-out set generated with another seed and (b) the hand-written held-out set ``heldout``."""
    from gaoqi.ai.fields import evaluate, read_labelled_csv
    from gaoqi.ai.fields.corpus import HELDOUT_SEED, field_classifier, generate_field_corpus

    t = time.perf_counter()
    clf = field_classifier(models, progress=progress)
    load_seconds = round(time.perf_counter() - t, 1)
    synth_docs, synth_labels = generate_field_corpus(synthetic_per_sub_field, HELDOUT_SEED)
    hand_docs, hand_labels = read_labelled_csv(heldout)
    boundary_docs, boundary_labels = read_labelled_csv(heldout, kind="boundary")
    return {
        "model_version": clf.version,
        "train_or_load_seconds": load_seconds,
        "synthetic": evaluate(clf, synth_docs, synth_labels),
        "handwritten": evaluate(clf, hand_docs, hand_labels),
        "handwritten_boundary": evaluate(clf, boundary_docs, boundary_labels) if boundary_docs else None,
        "handwritten_documents": hand_docs,
    }
