"""docs/feeds.md, generated from the feed schemas so the documentation cannot drift from the loader."""

from __future__ import annotations

from gaoqi.engine.feeds import all_feeds
from gaoqi.engine.validate import district_codes

KIND_TEXT = {
    "uscc": "统一社会信用代码 (GB 32100-2015, check character verified)",
    "text": "text",
    "name": "enterprise or holder name (text)",
    "enum": "one of the listed values (English code or Chinese alias)",
    "district_code": "Beijing district code, GB/T 2260 (6 digits)",
    "admin_code": "any county-level code, GB/T 2260 (6 digits, in Beijing or elsewhere)",
    "industry_code": "GB/T 4754-2017 code with its section letter, e.g. I6513",
    "money": "amount in 万元, ≥ 0, thousands separators allowed",
    "count": "number ≥ 0, may be fractional (annual average)",
    "year": "fiscal year, 1949–2100",
    "integer": "whole number ≥ 0",
    "date": "date: 2024-03-01, 2024/3/1 or 2024年3月1日",
    "period": "month: 2024-03, 2024/3 or 2024年3月",
}

REASONS = [
    ("required_missing", "a required field is empty"),
    ("uscc_length", "the USCC is not 18 characters"),
    ("uscc_illegal_character", "the USCC holds a character outside its alphabet (I, O, S, V, Z are never used)"),
    (
        "uscc_check_character",
        "the USCC's 18th character is not the check character (the message names the expected one)",
    ),
    ("not_a_number", "a money or count field is not a number"),
    ("negative_value", "a money or count field is negative"),
    ("out_of_range", "a year outside 1949–2100, a fractional whole number, or an amount too large to store"),
    ("invalid_date", "not a date in an accepted format, or an impossible date (2023-02-30)"),
    ("invalid_period", "not a month in an accepted format"),
    ("invalid_enum", "a value outside the field's list"),
    ("too_long", "a text longer than the field allows"),
    (
        "unknown_reference",
        "a code another feed must hold and does not (an incubation row naming no body of the incubator roster)",
    ),
    ("invalid_district_code", "not one of Beijing's 16 district codes"),
    ("invalid_admin_code", "not a six-digit GB/T 2260 code"),
    ("invalid_industry_code", "not a GB/T 4754-2017 code, or the section letter does not match the division"),
    ("duplicate_row", "an exact copy of an earlier row of the same file (the first copy is kept)"),
    ("column_count", "the row has more or fewer cells than the header"),
    ("malformed_row", "the row cannot be parsed as CSV (e.g. an unclosed quote)"),
]


def render() -> str:
    lines = [
        "# Department feeds (数据接口规范)",
        "",
        "<!-- Generated from src/gaoqi/engine/schemas/*.json by `gaoqi feeds-doc`; do not edit by hand. -->",
        "",
        "Departments deliver one file per feed per delivery. The file name starts with the feed's name followed by",
        "a separator, a dot or nothing (`registration.csv`, `registration_2025-06.xlsx`, `ip-batch3.csv`).",
        "",
        "* **Formats**: CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030, always decoded as GB18030 and detected over the",
        "  whole file) and Excel .xlsx/.xls, recognised by content, not by extension (first sheet).",
        "* **Headers**: the English names or the Chinese names below, in any order; case, spaces and full-width forms",
        "  are ignored. Extra columns are kept (in `_extra`), not rejected. A file missing a required column is",
        "  refused as a whole with one clear error; the other files still load.",
        "* **Refused files**: a file whose name names no feed, an unreadable or damaged file, an .xlsx inflating to",
        "  more than 2 GiB (or, beyond 16 MiB, to more than 200 times its size: a ZIP bomb) or one missing a required",
        "  column is refused as a whole, recorded once with its reason (`gaoqi status`, the 数据汇聚 page) and not",
        "  retried for the same bytes and feed; correct it and deliver it again.",
        "* **Money** is in 万元. **Dates**: 2024-03-01, 2024/3/1 or 2024年3月1日.",
        "* **Machine-readable schemas**: each feed has a Frictionless Table Schema in",
        "  `src/gaoqi/engine/schemas/<feed>.json` (with `gaoqi:kind`, `gaoqi:aliases` and `gaoqi:personal`).",
        "* **Line numbers** in reports are physical lines of the delivered file (header = line 1); for Excel, sheet rows.",
        "* **Redelivery**: the same bytes are skipped; a later delivery of the same key (see each feed) supersedes",
        "  the earlier one in every derived table.",
        "",
        f"District codes accepted: {', '.join(f'{k} {v}' for k, v in district_codes().items())}.",
        "",
    ]
    for i, spec in enumerate(all_feeds(), start=1):
        lines += [
            f"## {i}. `{spec.name}` ({spec.title}, {spec.department})",
            "",
            f"Key (a later delivery of the same key supersedes): {', '.join(spec.key)}",
            "",
            "| column | 中文列名 | kind | required | values |",
            "|---|---|---|---|---|",
        ]
        for f in spec.fields:
            values = "; ".join(f"`{k}` ({'、'.join(v)})" for k, v in f.aliases.items())
            if f.personal:
                values = (values + " " if values else "") + "personal data: masked unless the role may reveal it"
            if f.max_length is not None:
                values = (values + " " if values else "") + f"at most {f.max_length} characters."
            if f.references is not None:
                values = (
                    values + " " if values else ""
                ) + f"One of the `{f.references[1]}` values of `{f.references[0]}`."
            if f.description:
                values = (values + " " if values else "") + f.description
            required = "yes" if f.required else ""
            if f.required_when:
                required = "; ".join(
                    f"when {k} is {' or '.join(f'`{x}`' for x in v)}" for k, v in f.required_when.items()
                )
            lines.append(f"| `{f.name}` | {f.title} | {KIND_TEXT[f.kind]} | {required} | {values} |")
        lines.append("")
    lines += ["## Quarantine reason codes", "", "| reason_code | meaning |", "|---|---|"]
    lines += [f"| `{code}` | {text} |" for code, text in REASONS]
    lines += [
        "",
        "Each bad row is kept in the workspace table `quarantine` (one row per problem: load, feed, file, line,",
        "field, value, reason code, message) and in `<workspace>/quarantine/load-NNNNN-<file>.csv` (UTF-8 with BOM,",
        "opens in Excel). A good row is never dropped because a neighbour is bad.",
        "",
    ]
    return "\n".join(lines)
