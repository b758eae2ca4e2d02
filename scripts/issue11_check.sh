#!/bin/bash
# Issue 11: the results of every shipped policy before and after the rules rewrite, cell by cell, on DuckDB and
# on Spark, then `gaoqi bench rules` with the old code beside the new one and the floor.
#
# Usage (from the root of the checkout holding the new code):
#   scripts/issue11_check.sh [WORKSPACE] [BENCH_DIR] [OLD_SRC]
# Defaults: /work/bench/ws2m, /work/bench (holding old-duckdb.parquet and old-spark.parquet, written by the old
# code with `gaoqi evaluate --as-of 2026-06-30 [--engine spark] --out ...`), /work/old/src.
# Exit status: 1 if any comparison finds a differing cell (the bench still runs).
set -uo pipefail
WS=${1:-/work/bench/ws2m}
DIR=${2:-/work/bench}
OLD_SRC=${3:-/work/old/src}
AS_OF=2026-06-30
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=/work/main/.venv/bin/python
export PYTHONPATH=$PWD/src
gaoqi() { "$PY" -m gaoqi.cli "$@"; }
status=0
uptime
for engine in duckdb spark; do
  start=$(date +%s)
  gaoqi evaluate --as-of $AS_OF --workspace "$WS" --engine $engine --out "$DIR/new-$engine.parquet" >/dev/null || exit 2
  echo "== evaluate --engine $engine (new code): $(( $(date +%s) - start )) s"
  echo "== old-$engine.parquet vs new-$engine.parquet"
  gaoqi bench compare "$DIR/old-$engine.parquet" "$DIR/new-$engine.parquet" || status=1
done
uptime
gaoqi bench rules --workspace "$WS" --as-of $AS_OF --baseline-src "$OLD_SRC" --out-dir "$DIR/bench-rules" \
  --rounds "${ROUNDS:-3}"
uptime
exit $status
