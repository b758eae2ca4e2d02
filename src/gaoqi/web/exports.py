"""Every file the platform hands out for a spreadsheet goes through here (OWASP "CSV injection"): a text cell
that starts with ``= + - @``, a tab or a carriage return would be read by Excel or WPS as a formula
(``=HYPERLINK(...)``, ``cmd|' /C calc'!A0``), so it is prefixed with a single quote and stored as text.
Numbers, dates and booleans are written as they are (a negative number stays a number)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value as a spreadsheet may safely hold it: text that could start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def xlsx(sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook (write-only, streamed) with every cell passed through ``cell``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)

    def line(values: Sequence[Any]) -> list[Any]:
        out = []
        for v in map(cell, values):
            c = WriteOnlyCell(ws, value=v)
            if isinstance(v, str):
                c.data_type = "s"  # text, never a formula, whatever it starts with
            out.append(c)
        return out

    ws.append(line(header))
    for row in rows:
        ws.append(line(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """The workbook ``data`` as a download named ``filename`` (an ASCII name: the browser's default)."""
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
