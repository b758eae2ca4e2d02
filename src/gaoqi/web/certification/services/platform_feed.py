"""The platform as a department feed (feed.py, ADR 0011): its certificates and completed renames as files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from gaoqi.web.audit.services import audit_record


@transaction.atomic
def platform_feed_write(actor: Any, directory: Path) -> list[str]:
    """Write the platform's certificates and completed renames into ``directory`` as feed files, read in one
    transaction (a consistent state); returns the files whose bytes changed (written atomically and audited)."""
    from gaoqi.web.certification import feed

    return feed_files_write(actor, directory, feed.feed_files())


@transaction.atomic
def feed_files_write(actor: Any, directory: Path, files: dict[str, bytes]) -> list[str]:
    """Write feed files (name → bytes) into ``directory``: each changed file atomically (a dot file renamed into
    place), the changed ones audited and returned. An unchanged file is left alone: the ingest would skip the
    same bytes anyway. The platform's other apps deliver their feeds through it (techsme: its registrations)."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, data in files.items():
        target = directory / name
        if target.is_file() and target.read_bytes() == data:
            continue
        tmp = target.with_name(f".{name}.tmp")  # a dot file: never taken for a delivery
        tmp.write_bytes(data)
        tmp.replace(target)
        changed.append(name)
    if changed:
        audit_record(actor, "platform_feed.write", target=f"dir:{directory.name}", detail={"files": changed})
    return changed
