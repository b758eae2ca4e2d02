"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), entity type (1), division code (6, GB/T 2260),
entity identifier (9) and a check character (1) computed mod 31 over the first 17 with weights
3^(i-1) mod 31. The 31-symbol alphabet leaves out I, O, S, V and Z.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FORBIDDEN_LETTERS = frozenset("IOSVZ")


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (which must be in the alphabet)."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class UsccCheck:
    code: str
    ok: bool
    reason_code: str | None = None
    message: str = "有效 (valid)"


def validate(code: str) -> UsccCheck:
    """Say whether a code is valid and, if not, exactly why."""
    raw = code
    code = code.strip().upper()
    if len(code) != 18:
        return UsccCheck(
            raw, False, "uscc_length", f"长度应为18位，实际为{len(code)}位 (length {len(code)}, expected 18)"
        )
    for pos, ch in enumerate(code, start=1):
        if ch in FORBIDDEN_LETTERS:
            return UsccCheck(
                raw,
                False,
                "uscc_illegal_character",
                f"第{pos}位含非法字符“{ch}” (I、O、S、V、Z 不用于统一社会信用代码; illegal character {ch!r} at position {pos})",
            )
        if ch not in VALUE:
            return UsccCheck(
                raw,
                False,
                "uscc_illegal_character",
                f"第{pos}位含非法字符“{ch}” (illegal character {ch!r} at position {pos})",
            )
    if not code[2:8].isdigit():
        return UsccCheck(
            raw,
            False,
            "uscc_division_code",
            f"第3–8位应为行政区划代码（6位数字），实际为“{code[2:8]}” (positions 3-8 must be digits)",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccCheck(
            raw,
            False,
            "uscc_check_character",
            f"校验码错误：第18位应为“{expected}”，实际为“{code[17]}” (wrong check character: expected {expected!r}, got {code[17]!r})",
        )
    return UsccCheck(raw, True)


def is_valid(code: str) -> bool:
    return validate(code).ok


def complete(first17: str) -> str:
    """Append the check character: turns 17 characters into a valid code."""
    return first17 + check_character(first17)


# The same check as DuckDB SQL macros, so that validation of millions of rows stays set-based.
SQL_MACROS = (
    f"""
CREATE OR REPLACE TEMP MACRO uscc_expected_check(code) AS
    substr('{ALPHABET}', CAST(((31 - list_sum(list_transform(range(1, 18),
        lambda i: (strpos('{ALPHABET}', substr(upper(code), i, 1)) - 1) * {list(WEIGHTS)}[i])) % 31) % 31) + 1 AS BIGINT), 1)
""",
    """
CREATE OR REPLACE TEMP MACRO uscc_ok(code) AS (
    length(code) = 18
    AND regexp_full_match(upper(code), '[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}')
    AND uscc_expected_check(code) = substr(upper(code), 18, 1)
)
""",
)


def install_sql_macros(con: duckdb.DuckDBPyConnection) -> None:
    for sql in SQL_MACROS:
        con.execute(sql)
