"""An uploaded proof is a PDF only if a PDF library can read it, and an acceptable one only if it carries no
active content: JavaScript, launch/submit/import actions, embedded files or rich media (the reviewers who open
it must not run what an applicant put in it). Framework-free, so the rules are tested on bytes alone.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

#: Dictionary keys and action types that make a PDF active (ISO 32000-1 §12.6, §7.11.4, §13.2).
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/AA"})
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"})
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/Filespec"})
#: Markup a browser would sniff as HTML (a polyglot that also parses as a PDF).
_HTML = re.compile(rb"<\s*(html|script|body|iframe|svg|!doctype|object|embed)\b", re.IGNORECASE)
MAX_OBJECTS = 200_000


class PdfRefused(ValueError):
    """Why the file is not accepted as a PDF proof (in Chinese)."""


def check_pdf(data: bytes) -> int:
    """Raise ``PdfRefused`` unless ``data`` is a readable PDF without active content; returns its page count."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise PdfRefused("附件必须是 PDF 文件（按内容检查：文件头或文件尾不是 PDF）")
    if _HTML.search(data):
        raise PdfRefused("附件含有网页代码（HTML/脚本），不予接收")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfRefused("附件已加密，无法检查内容，请上传未加密的 PDF")
        pages = len(reader.pages)
        _walk(reader.trailer)
    except PdfRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise PdfRefused("附件无法按 PDF 解析，请上传完整、未损坏的 PDF 文件") from exc
    if pages < 1:
        raise PdfRefused("附件没有页面")
    return pages


def _walk(root: PdfObject) -> None:
    """Every object reachable from the trailer (what a viewer could act on), each visited once."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_OBJECTS:
                raise PdfRefused("附件对象过多，无法检查")
            resolved = obj.get_object()
            if resolved is not None:
                stack.append(resolved)
        elif isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in ACTIVE_KEYS:
                    raise PdfRefused(f"附件含有活动内容（{key[1:]}），不予接收")
                if key == "/S" and isinstance(value, NameObject) and value in ACTIVE_ACTIONS:
                    raise PdfRefused(f"附件含有活动内容（{value[1:]} 动作），不予接收")
                if key == "/Type" and isinstance(value, NameObject) and value in ACTIVE_TYPES:
                    raise PdfRefused("附件含有嵌入文件，不予接收")
                if key != "/Parent":  # the page tree's back links lead only to what is already on the stack
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
