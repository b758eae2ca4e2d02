"""A stored upload is opened only from under its own folder of UPLOAD_DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gaoqi.web.core.uploads import stored_open


def test_a_stored_file_opens_only_from_its_folder(settings: Any, tmp_path: Path) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    inside = tmp_path / "uploads" / "training" / "1" / "a.pdf"
    inside.parent.mkdir(parents=True)
    inside.write_bytes(b"%PDF-1.4")
    other_folder = tmp_path / "uploads" / "attachments" / "b.pdf"
    other_folder.parent.mkdir(parents=True)
    other_folder.write_bytes(b"%PDF-1.4")
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"secret")
    handle = stored_open(str(inside), "training")
    assert handle is not None and handle.read() == b"%PDF-1.4"
    handle.close()
    assert stored_open(str(other_folder), "training") is None  # another kind's folder
    assert stored_open(str(tmp_path / "uploads" / "training" / ".." / ".." / "elsewhere.pdf"), "training") is None
    assert stored_open(str(outside), "training") is None
    assert stored_open(str(inside.parent / "missing.pdf"), "training") is None
