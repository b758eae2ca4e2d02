"""``gaoqi bench ingest`` on a synthetic Beijing: generate the feeds once (not timed), then the engine's
benchmark (:func:`gaoqi.engine.bench.run_ingest_benchmark`) on them."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from gaoqi.engine.bench import run_ingest_benchmark
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
