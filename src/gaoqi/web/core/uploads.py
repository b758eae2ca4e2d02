"""Files the platform stores from uploads (certification attachments, training materials): written by content
under their own folder of ``settings.UPLOAD_DIR``, and opened only from there, so that a path in a database row
never reaches elsewhere."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

from django.conf import settings

from gaoqi.web.core.errors import DomainError


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


def shown_name(name: str | None, default: str) -> str:
    """An uploaded file's name as the platform keeps and shows it: no folders, no NULs, at most 200 characters."""
    return Path((name or "").replace("\x00", "")).name[:200] or default


def pdf_upload(
    name: str | None, data: bytes, *, max_bytes: int, noun: str = "附件", field: str = "file"
) -> tuple[str, int]:
    """An uploaded PDF checked by content, never by its name (``certification.pdfcheck``: a real PDF without
    scripts, actions or embedded files): the name to show and its page count. Refused in words, naming the file:
    empty, larger than ``max_bytes``, not an acceptable PDF."""
    from gaoqi.web.certification.pdfcheck import PdfRefused, check_pdf

    shown = shown_name(name, f"{noun}.pdf")
    if not data:
        raise DomainError(f"{noun}“{shown}”为空文件", fields={field: "空文件"})
    if len(data) > max_bytes:
        raise DomainError(f"{noun}不能超过 {max_bytes // (1024 * 1024)} MB（{shown}）", fields={field: "文件过大"})
    try:
        return shown, check_pdf(data)
    except PdfRefused as exc:
        reason = str(exc).replace("附件", noun, 1)
        raise DomainError(f"{noun}“{shown}”：{reason}", fields={field: "不是可接受的 PDF"}) from exc
