"""The engine on a real Spark standalone cluster: a master and two workers (separate JVMs, free ports) started on
this machine, ``gaoqi evaluate --engine spark --spark-master … --spark-shared …`` gives DuckDB's results cell by
cell, both workers' executors ran tasks, and stopping the cluster leaves no JVM behind (ADR 0040).

Skipped only when pyspark is not importable. Under two minutes (108 s on the shared 2-core machine, load 4–6): the
cluster's start (~18 s), the workspace, the application's executors starting on the workers, the first query's
warm-up.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from gaoqi.cli import main
from gaoqi.engine import spark_cluster as sc
from gaoqi.engine.spark import parity_report
from gaoqi.synth import generate

AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sc.Cluster]:
    pytest.importorskip("pyspark")
    root = tmp_path_factory.mktemp("cluster")
    spec = sc.ClusterSpec(root=root, master_port=0, webui_port=0, workers=2, worker_cores=1, worker_memory="2g")
    started = sc.start_cluster(spec)
    try:
        yield started
    finally:
        assert sc.stop_cluster(root) == ["worker-1", "worker-2", "master"]
        # no JVM left: the daemons, nor an executor in their process groups
        assert not [p for p in started.pids.values() if sc._alive(p)]
        assert not [p for p in _spark_jvms() if Path(f"/proc/{p}/cwd").resolve().is_relative_to(root)]
        assert sc.read_state(root) is None


def _spark_jvms() -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if b"org.apache.spark" in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def _json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/json/", timeout=5) as response:
        data: dict[str, Any] = json.load(response)
    return data


def _gaoqi(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def test_the_cluster_is_up_with_two_registered_workers(cluster: sc.Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    state = sc.master_json(cluster.webui_url)
    assert state["status"] == "ALIVE" and state["url"] == cluster.master_url
    workers = [w for w in state["workers"] if w["state"] == "ALIVE"]
    assert len(workers) == 2 and {w["cores"] for w in workers} == {1}
    assert {w["host"] for w in workers} == {"127.0.0.1"}
    code, output = _gaoqi(capsys, "cluster", "status", "--dir", str(cluster.root), "--json")
    assert code == 0, output
    status = json.loads(output)
    assert status["running"] is True and status["master"]["aliveworkers"] == 2
    assert status["daemons"] == {"master": True, "worker-1": True, "worker-2": True}
    # a second cluster from the same directory is refused while this one runs
    with pytest.raises(sc.ClusterError, match="already running"):
        sc.start_cluster(sc.ClusterSpec(root=cluster.root, master_port=0, webui_port=0))


@pytest.mark.slow
def test_evaluate_on_the_cluster_gives_duckdbs_results_cell_by_cell(
    cluster: sc.Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds, ws, shared = tmp_path / "feeds", tmp_path / "ws", tmp_path / "shared"
    generate(feeds, enterprises=120, seed=7)
    for step in (["ingest", str(feeds)], ["resolve"], ["profiles", "--as-of", AS_OF]):
        code, output = _gaoqi(capsys, *step, "--workspace", str(ws))
        assert code == 0, output
    evaluate = ["evaluate", "--as-of", AS_OF, "--workspace", str(ws)]
    # the cluster's options belong to the Spark engine, and a cluster needs the shared directory
    assert _gaoqi(capsys, *evaluate, "--spark-master", cluster.master_url)[0] == 2
    code, output = _gaoqi(capsys, *evaluate, "--engine", "spark", "--spark-master", cluster.master_url)
    assert code == 2 and "--spark-shared" in output

    code, output = _gaoqi(capsys, *evaluate, "--out", str(tmp_path / "duckdb.parquet"))
    assert code == 0, output
    on_cluster = [*evaluate, "--engine", "spark", "--spark-master", cluster.master_url]
    code, output = _gaoqi(
        capsys, *on_cluster, "--spark-shared", str(shared), "--out", str(tmp_path / "cluster.parquet")
    )
    assert code == 0, output
    assert f"Spark cluster {cluster.master_url}" in output

    con = duckdb.connect()
    expected, actual = (
        con.sql(f"SELECT * FROM '{tmp_path / name}' ORDER BY uscc, policy_id").to_arrow_table()
        for name in ("duckdb.parquet", "cluster.parquet")
    )
    assert expected.num_rows >= 120 * 6
    assert parity_report(expected, actual, key=("uscc", "policy_id")) == []
    assert expected.schema == actual.schema
    assert {"pass", "fail", "unknown"} <= set(actual.column("status").to_pylist())

    # both workers ran the application's tasks: one executor on each (the master's and workers' view), and the
    # application's event log (written in the shared dir) counts successful tasks on both
    apps = [a for a in sc.master_json(cluster.webui_url)["completedapps"] if a["name"] == "gaoqi-evaluate"]
    assert len(apps) == 1
    app_id = apps[0]["id"]
    for url in cluster.worker_webui_urls:
        ran = [e for e in _json(url)["finishedexecutors"] if e["appid"] == app_id]
        assert len(ran) == 1, url
    tasks = sc.tasks_by_executor(shared / "spark-events" / app_id)
    assert len(tasks) == 2 and all(n > 0 for n in tasks.values()), tasks
    assert "driver" not in tasks
    # the hand-off (tables in, results out) is removed; only the event log stays
    assert sorted(p.name for p in shared.iterdir()) == ["spark-events"]
