"""Files the platform stored from uploads (certification attachments, training materials): opened only from
under their own folder of ``settings.UPLOAD_DIR``, so that a path in a database row never reaches elsewhere."""

from __future__ import annotations

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
