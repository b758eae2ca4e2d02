#!/bin/bash
# The cluster's figures (docs/benchmarks.md, "The cluster (issue 17)"): DuckDB, Spark in local mode and Spark on a
# standalone cluster started here (a master and two workers, 1 core each) evaluate copies of the same workspace;
# then the cluster's results and local mode's are compared with DuckDB's cell by cell (exit 1 if a cell differs).
#
#   scripts/issue17_cluster_bench.sh /work/bench/ws2m [/work/bench/spark]
#
# The source workspace is only read (its gaoqi.duckdb is copied). Every heavy step takes the machine's lock
# ($LOCK, flock) so that benchmarks of other work do not run at the same time; the lock's wait is not timed.
set -euo pipefail
SRC=${1:?usage: $0 SOURCE_WORKSPACE [OUT_DIR]}
OUT=${2:-/work/bench/spark}
LOCK=${LOCK:-/work/bench/heavy.lock}
G=${G:-.venv/bin/gaoqi}
AS_OF=${AS_OF:-2026-06-30}

mkdir -p "$OUT/ws" "$OUT/shared"
flock "$LOCK" cp "$SRC/gaoqi.duckdb" "$OUT/ws/gaoqi.duckdb"
timed() {  # timed NAME COMMAND…: wall time and peak RSS of the command (not its JVMs), under the lock
  local name=$1
  shift
  flock "$LOCK" /usr/bin/time -f "== $name: %e s wall, max RSS of the gaoqi process %M KB" "$@"
}
evaluate=("$G" evaluate --as-of "$AS_OF" --workspace "$OUT/ws")

timed duckdb "${evaluate[@]}" --out "$OUT/duckdb.parquet"
timed spark-local "${evaluate[@]}" --engine spark --out "$OUT/spark-local.parquet"

"$G" cluster start --dir "$OUT/cluster" --port 0 --webui-port 0 --json > "$OUT/cluster.json"
trap '"$G" cluster stop --dir "$OUT/cluster"' EXIT
master=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["master_url"])' "$OUT/cluster.json")
timed spark-cluster "${evaluate[@]}" --engine spark --spark-master "$master" --spark-shared "$OUT/shared" \
  --out "$OUT/cluster.parquet"
"$G" cluster status --dir "$OUT/cluster"

timed compare-cluster "$G" bench compare "$OUT/duckdb.parquet" "$OUT/cluster.parquet"
timed compare-local "$G" bench compare "$OUT/duckdb.parquet" "$OUT/spark-local.parquet"
