"""Files the platform stores from uploads (certification attachments, training materials): written by content
under their own folder of ``settings.UPLOAD_DIR``, and opened only from there, so that a path in a database row
never reaches elsewhere."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

from django.conf import settings


def stored_open(path: str, folder: str) -> IO[bytes] | None:
    """The stored file at ``path`` opened for reading, or None when it is missing or outside ``UPLOAD_DIR/folder``."""
    file = Path(path)
    root = (Path(settings.UPLOAD_DIR) / folder).resolve()
    if not file.resolve().is_relative_to(root) or not file.is_file():
        return None
    return file.open("rb")


def stored_write(folder: str, owner: object, data: bytes) -> tuple[str, str]:
    """Store ``data`` as ``UPLOAD_DIR/folder/owner/<sha256>.pdf`` (the same bytes twice: one file); return the
    path and the digest."""
    digest = hashlib.sha256(data).hexdigest()
    place = Path(settings.UPLOAD_DIR) / folder / str(owner)
    place.mkdir(parents=True, exist_ok=True)
    path = place / f"{digest}.pdf"
    path.write_bytes(data)
    return str(path), digest
