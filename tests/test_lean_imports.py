"""What the command line imports at start-up, in a fresh interpreter each time: names of modules, not timings.

``gaoqi explain`` should take well under a second, and imports were most of it: typer (which imports pydantic
and click) and rich at start-up, sqlglot (and its DuckDB dialect) to compile a statement the cache already
holds, the profile builder to read the feature registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gaoqi.engine.features

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("typer", "click", "pydantic", "rich", "sqlglot", "yaml")


def _modules(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages and gaoqi modules imported after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport sys, json\nsys.stderr.write('\\n@@' + json.dumps(sorted(sys.modules)))"
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "PYTHONPATH": path},
        timeout=300,
    )
    assert "@@" in proc.stderr, proc.stderr
    names = json.loads(proc.stderr.rsplit("@@", 1)[1])
    return {n for n in names if n.startswith("gaoqi")} | {n.split(".")[0] for n in names}


def test_the_command_line_starts_without_typer_rich_or_the_engine() -> None:
    loaded = _modules("from gaoqi.cli import main\nimport contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n"
                      "    assert main(['--help']) == 0 and main(['explain', '--help']) == 0")  # fmt: skip
    assert loaded.isdisjoint({*HEAVY, "duckdb"}), sorted(loaded & {*HEAVY, "duckdb"})
    assert not any(n.startswith("gaoqi.engine") for n in loaded)


def test_the_feature_registry_is_read_without_sqlglot_or_the_profile_builder() -> None:
    loaded = _modules("from gaoqi.engine.features import FEATURE_BY_NAME, IP_COUNT_FEATURES, MONEY")
    assert "sqlglot" not in loaded and "duckdb" not in loaded
    assert "gaoqi.engine.features.build" not in loaded
    loaded = _modules("import gaoqi.engine.rules")  # parsing and compiling import sqlglot and yaml when they run
    assert loaded.isdisjoint({"sqlglot", "yaml"})


def test_every_feature_name_loads_on_first_use() -> None:
    names = gaoqi.engine.features.__all__
    assert len(names) == len(set(names)) and set(names) == set(gaoqi.engine.features._LAZY)
    assert [n for n in names if not hasattr(gaoqi.engine.features, n)] == []
    with pytest.raises(AttributeError):
        _ = gaoqi.engine.features.no_such_name


def test_explain_with_its_sql_cached_imports_neither_sqlglot_nor_rich(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    from gaoqi.engine.ingest import ingest_directory
    from gaoqi.engine.resolve import resolve
    from gaoqi.engine.workspace import connect
    from gaoqi.synth import generate

    feeds, ws = tmp_path_factory.mktemp("feeds"), tmp_path_factory.mktemp("ws")
    generate(feeds, enterprises=40, seed=5)
    ingest_directory(ws, feeds)
    con = connect(ws)
    resolve(con)
    uscc = con.execute("SELECT min(uscc) FROM enterprise").fetchall()[0][0]
    con.close()
    args = ["explain", uscc, "--policy", "hte-certification", "--as-of", "2026-06-30", "--workspace", str(ws), "--json"]
    code = (
        "from gaoqi.cli import main\nimport contextlib, io\nout = io.StringIO()\n"
        f"with contextlib.redirect_stdout(out):\n    assert main({args!r}) == 0\n"
        f"open({str(tmp_path / 'out.json')!r}, 'a', encoding='utf-8').write(out.getvalue())"
    )
    env = {"GAOQI_CACHE_DIR": str(tmp_path / "cache"), "GAOQI_POLICY_CACHE": "1"}
    first = _modules(code, env)  # compiles, and fills the caches
    assert "sqlglot" in first and "rich" not in first
    again = _modules(code, env)
    assert again.isdisjoint(HEAVY), sorted(again & set(HEAVY))
    both = (tmp_path / "out.json").read_text(encoding="utf-8")
    one = both[: len(both) // 2]
    assert both == one + one and json.loads(one)["uscc"] == uscc  # the same explanation, compiled or cached
