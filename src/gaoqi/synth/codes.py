"""Identifiers with their check characters: resident ID numbers (GB 11643), legacy organisation codes
(GB 11714), base-31 USCC identifiers and patent numbers."""

from __future__ import annotations

import datetime as dt

from gaoqi.engine.uscc import ALPHABET

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def id_number(area: str, birth: dt.date, seq: int) -> str:
    """An 18-digit resident ID number (GB 11643) with its ISO 7064 MOD 11-2 check character."""
    first = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(first, _ID_WEIGHTS, strict=True))
    return first + _ID_CHECK[total % 11]


def id_number_ok(code: str) -> bool:
    if len(code) != 18 or not code[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(code[:17], _ID_WEIGHTS, strict=True))
    return code[17] == _ID_CHECK[total % 11]


def org_code(v: int) -> str:
    """A legacy 9-character organisation code (GB 11714): 8 digits and a check character."""
    body = f"{v % 100_000_000:08d}"
    c = 11 - sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def base31(v: int, width: int) -> str:
    out = []
    for _ in range(width):
        v, r = divmod(v, 31)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


def patent_number(year: int, kind: int, serial: int) -> str:
    body = f"{year}{kind}{serial % 10_000_000:07d}"
    s = sum(int(c) * w for c, w in zip(body, _PATENT_WEIGHTS, strict=True)) % 11
    return f"ZL{body}.{'X' if s == 10 else s}"
