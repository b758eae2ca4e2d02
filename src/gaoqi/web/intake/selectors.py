from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.db.models import Max, QuerySet

from gaoqi.engine import Workspace
from gaoqi.web import roles
from gaoqi.web.core.labels import field_name
from gaoqi.web.core.scoping import visible_to
from gaoqi.web.intake.models import Snapshot, Upload
from gaoqi.web.intake.runlock import run_lock

_T = TypeVar("_T")


def current_snapshot() -> Snapshot | None:
    return Snapshot.objects.filter(is_current=True).first()


#: The data intake is the municipal office's (数据汇聚): no one else reads uploads or snapshot runs here.
INTAKE = frozenset({roles.MUNICIPAL})


def uploads_visible_to(user: Any) -> QuerySet[Upload]:
    """The delivered files, newest first, with who uploaded them."""
    return visible_to(Upload.objects.select_related("uploaded_by").order_by("-id"), user, sees_all=INTAKE)


def upload_get(user: Any, pk: int) -> Upload | None:
    return uploads_visible_to(user).filter(pk=pk).first()


def snapshots_visible_to(user: Any) -> QuerySet[Snapshot]:
    """The pipeline's runs (queued, running, published, failed), newest first."""
    return visible_to(Snapshot.objects.order_by("-id"), user, sees_all=INTAKE)


def snapshot_get(user: Any, pk: int) -> Snapshot | None:
    return snapshots_visible_to(user).filter(pk=pk).first()


def snapshot_interrupted(snapshot: Snapshot) -> bool:
    """A RUNNING snapshot whose run no longer holds the run lock: its process died (see runlock.py). Read
    before the worker restarts and marks it failed, so that the page stops waiting for it."""
    if snapshot.status != Snapshot.RUNNING:
        return False
    with run_lock(None, timeout=0) as free:
        # with the lock held here no run can finish meanwhile: still RUNNING now means interrupted
        return free and Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.RUNNING).exists()


def snapshot_workspace(snapshot: Snapshot | None = None) -> Workspace | None:
    """A published snapshot's workspace file, read-only (profiles, results, sources); None without one.
    The connection opens on first read; close it (``with``)."""
    snapshot = snapshot or current_snapshot()
    if snapshot is None or not snapshot.duckdb_path or not Path(snapshot.duckdb_path).exists():
        return None
    return Workspace.open(snapshot.duckdb_path, read_only=True)


def _read(snapshot: Snapshot | None, read: Callable[[Workspace], _T], empty: _T) -> _T:
    """One read on a snapshot's workspace (``empty`` without a snapshot)."""
    ws = snapshot_workspace(snapshot)
    if ws is None:
        return empty
    with ws:
        return read(ws)


def loads_of(snapshot: Snapshot | None) -> list[dict[str, Any]]:
    """Every delivered file of the snapshot with its row counts (quarantine reports are per load)."""
    return _read(snapshot, Workspace.loads, [])


def quarantine_of(snapshot: Snapshot | None, load_id: int, limit: int = 200) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _read(snapshot, lambda ws: ws.quarantine(load_id, limit), [])
    # the column as the department's file calls it (统一社会信用代码, not uscc)
    return [{**r, "field_name": field_name(r["feed"], r["field"])} for r in rows]


def refused_of(snapshot: Snapshot | None) -> list[dict[str, Any]]:
    """The delivered files refused as a whole (no feed in the name, damaged, a ZIP bomb, a required column
    missing), each once, with its reason; [] for a snapshot taken before the engine recorded them."""
    return _read(snapshot, Workspace.refused_files, [])


def loads_by_hash(snapshot: Snapshot | None, hashes: list[str]) -> dict[str, dict[str, Any]]:
    """The snapshot's loads of these contents (SHA-256), by hash."""
    if not hashes:
        return {}
    return _read(snapshot, lambda ws: ws.loads_by_hash(hashes), {})


PENDING = "待导入（下次运行时处理）"
REPLACED = "已被同名文件替换，未导入"


@dataclass(frozen=True)
class Verdict:
    """What became of an uploaded file, as the page says it. ``load`` is its load in the current snapshot
    (for the quarantine rows and report) when it was loaded."""

    kind: str  # pending | loaded | quarantined | same | refused | replaced
    text: str
    load: dict[str, Any] | None = None


def upload_verdicts(uploads: Iterable[Upload], snapshot: Snapshot | None = None) -> list[tuple[Upload, Verdict]]:
    """Each upload with its verdict: refused or a repeat as told at upload time; then, by content hash (not by
    name), loaded (with its quarantined rows) or refused as a whole in the current snapshot; else replaced by a
    later same-named upload before a run took it, or waiting for the next run."""
    uploads = list(uploads)
    snapshot = snapshot or current_snapshot()
    hashes = sorted({u.sha256 for u in uploads})
    # the snapshot's loads and refusals of these contents, in one opening of its file
    nothing: tuple[dict[str, dict[str, Any]], dict[tuple[str, str], dict[str, Any]]] = ({}, {})
    loads, refused = _read(snapshot, lambda ws: (ws.loads_by_hash(hashes), ws.refused_by_hash(hashes)), nothing)
    names = {u.stored_name for u in uploads if u.stored_name}
    latest = dict(
        Upload.objects.filter(stored_name__in=names)
        .values("stored_name")
        .annotate(last=Max("id"))
        .values_list("stored_name", "last")
    )
    out = []
    for u in uploads:
        load = loads.get(u.sha256)
        if u.refused_reason:
            v = Verdict("refused", f"整体未导入：{u.refused_reason}")
        elif u.same_as:
            done = "已导入" if load is not None else "已上传"
            v = Verdict("same", f"内容与{done}文件相同，未重复导入（{u.same_as}）")
        elif load is not None:
            n, m = load["rows_loaded"], load["rows_quarantined"]
            v = (
                Verdict("quarantined", f"已导入 {n} 行，隔离 {m} 行", load)
                if m
                else Verdict("loaded", f"已导入 {n} 行", load)
            )
        elif (u.sha256, u.feed) in refused:
            v = Verdict("refused", f"整体未导入：{refused[(u.sha256, u.feed)]['reason']}")
        elif latest.get(u.stored_name, u.pk) != u.pk:
            v = Verdict("replaced", REPLACED)
        else:
            v = Verdict("pending", PENDING)
        out.append((u, v))
    return out


def upload_load(upload: Upload, snapshot: Snapshot | None = None) -> dict[str, Any] | None:
    """The load of this upload's own content in the current snapshot (None for a repeat or a refusal)."""
    if upload.refused_reason or upload.same_as:
        return None
    return loads_by_hash(snapshot or current_snapshot(), [upload.sha256]).get(upload.sha256)
