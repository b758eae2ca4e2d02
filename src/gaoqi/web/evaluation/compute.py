"""How a report's numbers are made, from its stamps alone (ADR 0032): the snapshot's workspace (engine measures),
the platform's records (``measures``), the indicator file's bytes and, for sub-parks, the mapping's bytes. The
service computing a report and the selector reproducing it both call ``compute_scores``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gaoqi.engine import (
    ENGINE_MEASURES,
    AreaScore,
    IndicatorLoadError,
    IndicatorVersion,
    district_codes,
    groups_of,
    load_indicators_bytes,
    load_subparks_bytes,
    score_areas,
)
from gaoqi.web.core.errors import Conflict, DomainError
from gaoqi.web.evaluation import measures as platform
from gaoqi.web.evaluation.models import DISTRICT

_SIX = Decimal("0.000001")


@dataclass(frozen=True)
class Computed:
    set_id: str
    version: IndicatorVersion
    areas: list[tuple[str, str, tuple[str, ...]]]  # (code, name, districts)
    scores: list[AreaScore]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def number_text(value: Any) -> str | None:
    """A value as decimal text (6 decimals, trailing zeros dropped); None stays None (无数据)."""
    if value is None:
        return None
    d = Decimal(repr(float(value))).quantize(_SIX)
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def compute_scores(snapshot: Any, year: int, area_kind: str, indicators: str, areas: str, actor: Any) -> Computed:
    """The areas' scores for ``year`` over ``snapshot`` by the indicator file ``indicators`` (its text) and, for
    sub-parks, the mapping ``areas`` (its text). Refusals in words (a file that no longer loads, no version for the
    year, a snapshot file gone)."""
    from gaoqi.web.intake.selectors import snapshot_workspace

    try:
        iset = load_indicators_bytes(indicators.encode("utf-8"), "indicators.yaml", platform.platform_measures())
    except IndicatorLoadError as exc:
        raise DomainError(f"指标文件未通过校验：{exc.errors[0]}") from exc
    version = iset.version_for_year(year)
    if version is None:
        raise DomainError(f"指标文件没有适用于{year}年度的版本")
    names = district_codes()
    if area_kind == DISTRICT:
        area_list: list[tuple[str, str, tuple[str, ...]]] = [(c, n, (c,)) for c, n in sorted(names.items())]
        groups = None
    else:
        try:
            subparks = load_subparks_bytes(areas.encode("utf-8"), "subparks.yaml")
        except IndicatorLoadError as exc:
            raise DomainError(f"分园对应表未通过校验：{exc.errors[0]}") from exc
        area_list = [(s.code, s.name, s.districts) for s in subparks]
        groups = groups_of(subparks)
    engine_names = {m.name for m in ENGINE_MEASURES}
    rows: list[tuple[str, str, float]] = []
    if engine_names & set(version.measures):
        ws = snapshot_workspace(snapshot)
        if ws is None:
            raise Conflict("数据快照文件不存在，无法计算")
        with ws:
            rows.extend(r for r in ws.district_measures(year) if r[1] in version.measures)
    rows.extend(platform.compute(year, actor, version.measures))
    scores = score_areas(version, rows, [a[0] for a in area_list], groups)
    return Computed(iset.id, version, area_list, scores)
