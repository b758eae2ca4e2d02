"""What the synthetic Beijing is made of: its dates, defect and variant codes, the rates of everything
planted (:class:`SynthConfig`) and what :func:`gaoqi.synth.generate` returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
Column = list[str] | I64 | F64
Cell = str | dt.date
Row = tuple[Cell, ...]
Progress = Callable[[str, int, int], None]

AS_OF = dt.date(2026, 3, 31)
FISCAL_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025)
# Social insurance: the twelve months before AS_OF's month, 2025-03 .. 2026-02, as year*12 + month-1.
SI_FIRST_MONTH = 2025 * 12 + 2
SI_MONTHS = 12

AS_OF_ORD = AS_OF.toordinal()
ORD_MIN = dt.date(1985, 1, 1).toordinal()
ORD_MAX = dt.date(2031, 12, 31).toordinal()
ORD_1990 = dt.date(1990, 1, 1).toordinal()
ORD_2000 = dt.date(2000, 1, 1).toordinal()
ORD_2005 = dt.date(2005, 1, 1).toordinal()
ORD_MA = dt.date(2015, 10, 1).toordinal()  # new-style "MA" identifiers after the USCC reform

DEFECT_CODES: tuple[str, ...] = (
    "uscc_check_character",
    "negative_value",
    "not_a_number",
    "invalid_date",
    "duplicate_row",
    "column_count",
    "unknown_reference",
)
VARIANTS: tuple[str, ...] = (
    "exact",
    "former_name",
    "bracket",
    "width",
    "suffix",
    "region",
    "space",
    "typo",
    "none_enterprise",
)
IP_TYPES: tuple[str, ...] = (
    "invention_patent",
    "utility_model",
    "design",
    "software_copyright",
    "ic_layout",
    "plant_variety",
    "new_drug",
    "trademark",
)


@dataclass(frozen=True)
class SynthConfig:
    """Rates of everything planted. Defaults give the realistic mix described in the module docstring."""

    chunk_size: int = 25_000
    #: the opt-in applications world (issue 16, ADR 0035): this year's HTE applications with their R&D projects
    #: and the planted review-signal patterns (``gaoqi.synth.applications``, its own random stream); off, the
    #: files are byte for byte the default world's
    applications: bool = False
    application_share: float = 0.08  # live enterprises applying in AS_OF's year (besides the renewals)
    rename_rate: float = 0.05  # enterprises with a name change
    second_rename_rate: float = 0.10  # of the renamed, those renamed twice
    rd_share: float = 0.60  # enterprises with rd rows (approximate; HTEs nearly always have them)
    social_insurance_share: float = 0.25  # enterprises with monthly social insurance rows
    #: the platform's own records (issue 15): renewal applications of certificates expiring within a year, annual
    #: development reports of the years a certificate was held, tax registrations moved in the last fiscal year
    renewal_rate: float = 0.6
    annual_report_rate: float = 0.93
    tax_move_rate: float = 0.01
    credit_rate: float = 0.05  # enterprises with credit events (more among deregistered ones)
    holder_uscc_share: float = 0.30  # IP rows whose holder_uscc is filled
    none_enterprise_rate: float = 0.06  # IP rows held by universities, individuals, non-Beijing companies
    # Holder-name variants of enterprise IP rows (the rest is exact or former_name).
    variant_rates: tuple[tuple[str, float], ...] = (
        ("bracket", 0.04),
        ("suffix", 0.03),
        ("region", 0.03),
        ("space", 0.02),
        # one wrong character, as a clerk mistypes a name: only a fuzzy matcher (Splink) can link these
        ("typo", 0.005),
    )
    # Only names with Latin letters, digits or brackets have a full-width form; of their IP rows:
    width_rate: float = 0.25
    ascii_name_rate: float = 0.04  # trade names with Latin letters or digits (云图AI科技)
    bracket_name_rate: float = 0.06  # names registered as 字号（北京）行业有限公司
    defect_rate: float = 0.0004  # per row and per defect kind a file carries (at least one each)
    missing_rate: float = 0.01  # finance values left empty
    # 中关村高新技术企业 certificates of young tech enterprises (established 4 months to 3 years before AS_OF),
    # the route into the cultivation pool; older ZGC certificates (Haidian, before 2019) have lapsed.
    zgc_young_rate: float = 0.12
    # The sub-types written on ZGC certificates, with their shares. The sub-types' definition was not found
    # (programmes.md row 1.9): 科技服务型 as the other one is a guess.
    zgc_subtypes: tuple[tuple[str, float], ...] = (("科技创新型", 0.7), ("科技服务型", 0.3))
    # The incubator roster: about one incubator or maker space per this many enterprises (at least 3), and one
    # service agency per this many (at least 1).
    enterprises_per_incubator: int = 2000
    enterprises_per_agency: int = 10000
    # Incubation relations of young enterprises (established within incubated_max_age_years of AS_OF): the share
    # incubated, higher for tech enterprises; of those, the shares that moved to another incubator (vector I4),
    # graduated and exited.
    incubated_tech_rate: float = 0.35
    incubated_other_rate: float = 0.08
    incubated_max_age_years: int = 6
    moved_rate: float = 0.10
    graduated_rate: float = 0.25
    exited_rate: float = 0.10


class SynthFile(NamedTuple):
    name: str
    feed: str
    rows: int  # data rows as delivered (planted duplicates and malformed rows included)
    encoding: str | None  # "utf-8", "utf-8-sig", "gb18030"; None for .xlsx
    file_format: str  # "csv" | "xlsx"


@dataclass(frozen=True)
class SynthSummary:
    out_dir: Path
    enterprises: int
    seed: int
    files: tuple[SynthFile, ...]
    defects: dict[str, int]  # planted malformed rows by reason code
    seconds: float

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)
