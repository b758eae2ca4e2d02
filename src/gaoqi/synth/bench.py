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
    data = data_dir or Path(tempfile.gettempdir()) / f"gaoqi-bench-{enterprises}-{seed}"
    home = workspace or Path(tempfile.gettempdir()) / f"gaoqi-bench-warnings-ws-{enterprises}-{seed}"
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
