"""A full disk during an ingest (issue 17): a real small filesystem (tmpfs, 10 MB) as the workspace's home.

- a delivery too big for the disk is refused before anything is written: a Chinese-first message naming the
  disk, exit code 1, ``gaoqi status`` the same before and after;
- the disk filling in the middle of a file (the up-front estimate turned off, as when another writer fills the
  disk): the run stops with the same kind of message, the file's transaction is rolled back and its temporary
  files removed, every load recorded is whole; after space is freed the same ingest loads the rest.

Skipped where mounting a tmpfs is not permitted (not root, or a container without CAP_SYS_ADMIN)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gaoqi.synth import generate

REPO = Path(__file__).resolve().parents[2]
GAOQI = [str(Path(sys.executable).with_name("gaoqi"))]


def _mount(point: Path, size: str) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], check=True,
                   capture_output=True)  # fmt: skip


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "disk"
    point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        _mount(point, "10m")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        pytest.skip(f"mounting a tmpfs is not permitted here: {exc}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False, capture_output=True)


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("deliveries")
    generate(root / "small", enterprises=200, seed=3)  # ~0.3 MB of feeds: fits
    generate(root / "big", enterprises=12000, seed=5)  # ~14 MB of feeds: does not fit in 10 MB
    return {"small": root / "small", "big": root / "big"}


def _gaoqi(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([*GAOQI, *args], env=env, capture_output=True, text=True, timeout=300)


def _status(home: Path) -> dict[str, object]:
    """The tables' row counts and checksums and the loads (``gaoqi status --json``; exit 1 = not resolved)."""
    out = _gaoqi("status", "--workspace", str(home), "--json")
    data = json.loads(out.stdout)
    data.pop("next_step", None)
    return data


def test_a_delivery_too_big_for_the_disk_is_refused_before_anything_is_written(
    small_disk: Path, deliveries: dict[str, Path]
) -> None:
    home = small_disk / "home"
    assert _gaoqi("ingest", str(deliveries["small"]), "--workspace", str(home)).returncode == 0
    before = _status(home)
    files_before = sorted(p.name for p in home.iterdir())

    run = _gaoqi("ingest", str(deliveries["big"]), "--workspace", str(home))
    assert run.returncode == 1
    message = run.stderr + run.stdout
    assert message.lstrip().startswith("磁盘空间不足"), message  # Chinese first
    assert str(small_disk) in message and "工作区未改动" in message  # names the disk; says nothing changed
    assert "Traceback" not in message
    assert _status(home) == before  # every table's rows and checksum, the loads
    assert sorted(p.name for p in home.iterdir()) == files_before  # no temporary file, no log left behind


def test_the_disk_filling_mid_file_rolls_the_file_back_and_a_later_ingest_loads_the_rest(
    small_disk: Path, deliveries: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaoqi.engine import ingest
    from gaoqi.engine.workspace import connect

    home = small_disk / "home"
    ingest.ingest_directory(home, deliveries["small"])
    first = len(ingest.delivered_files(deliveries["small"]))
    monkeypatch.setattr(ingest, "SPACE_PER_BYTE", 0.0)  # no estimate: the disk fills during a file
    with pytest.raises(ingest.DiskFullError, match=r"^磁盘空间不足：导入 .* 已满") as caught:
        ingest.ingest_directory(home, deliveries["big"])
    assert str(small_disk) in str(caught.value)
    assert not list(home.glob("ingest-*"))  # the file's temporary directory was removed

    con = connect(home)
    try:
        # every recorded load is whole: its rows are all there (no partial load)
        loads = con.execute("SELECT load_id, feed, rows_loaded FROM loads ORDER BY load_id").fetchall()
        for load_id, feed, rows_loaded in loads:
            (n,) = con.execute(f"SELECT count(*) FROM {feed} WHERE _load_id = ?", [load_id]).fetchone()  # type: ignore[misc]
            assert n == rows_loaded, (feed, load_id)
        loaded_before = len(loads)
    finally:
        con.close()

    subprocess.run(["mount", "-o", "remount,size=200m", str(small_disk)], check=True)  # space freed
    run = _gaoqi("ingest", str(deliveries["big"]), "--workspace", str(home))
    assert run.returncode == 0, run.stderr[-2000:]
    con = connect(home)
    try:
        files = {
            f for (f,) in con.execute("SELECT DISTINCT file_name FROM loads WHERE load_id > ?", [first]).fetchall()
        }
        (total,) = con.execute("SELECT count(*) FROM loads").fetchone()  # type: ignore[misc]
    finally:
        con.close()
    delivered = {p.name for p in ingest.delivered_files(deliveries["big"])}
    assert files == delivered  # the rest of the delivery is in, the kept files were skipped, not loaded twice
    assert total == first + len(delivered) and total > loaded_before
