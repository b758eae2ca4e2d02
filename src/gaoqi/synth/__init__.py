"""A synthetic Beijing: the ten department feeds (the incubator roster and relations included) for N enterprises, with planted mess and its truth.

``generate(out_dir, enterprises, seed)`` writes delivered-looking files (several files per feed, CSV in
UTF-8, UTF-8 with BOM or GBK, English or Chinese headers, two .xlsx workbooks, mixed date formats, an
extra column) and under ``out_dir/_truth/`` what a loader and a name linker should find:

* ``enterprises.csv``  uscc, name, former_names (``|``-separated, oldest first), district_code,
  tech_field (canonical, or empty), is_hte (1 when a valid HTE certificate is held on ``AS_OF``);
* ``ip_holders.csv``   ip_number, holder_name, true_uscc (empty for holders outside the population),
  variant (exact, former_name, bracket, width, suffix, region, space, typo, none_enterprise);
* ``defects.csv``      feed, file, line, reason_code: every planted malformed row, by physical line
  (header = line 1; for .xlsx the sheet row);
* ``files.csv``        file, feed, rows, encoding, format, header_language, date_style, extra_column;
* ``summary.json``     parameters and counts.

The same seed and configuration give the same bytes. The package sits outside the engine: it may import
the engine (schemas, USCC check characters), the engine never imports it (an import-linter contract).
Its word pools are data files under ``data/`` (see ``README.md``).
"""

from __future__ import annotations

from gaoqi.synth.codes import id_number, id_number_ok
from gaoqi.synth.config import (
    AS_OF,
    DEFECT_CODES,
    FISCAL_YEARS,
    VARIANTS,
    SynthConfig,
    SynthFile,
    SynthSummary,
)
from gaoqi.synth.files import FILE_PLANS, FilePlan
from gaoqi.synth.generate import generate

__all__ = [
    "AS_OF",
    "DEFECT_CODES",
    "FILE_PLANS",
    "FISCAL_YEARS",
    "VARIANTS",
    "FilePlan",
    "SynthConfig",
    "SynthFile",
    "SynthSummary",
    "generate",
    "id_number",
    "id_number_ok",
]
