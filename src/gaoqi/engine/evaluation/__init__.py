"""The district evaluation (分析评价, ADR 0032): measures per area, indicators as data, min–max scores."""

from gaoqi.engine.evaluation.indicators import (
    Indicator,
    IndicatorLoadError,
    IndicatorSet,
    IndicatorVersion,
    Subpark,
    default_indicator_path,
    default_subpark_path,
    groups_of,
    load_indicators,
    load_indicators_bytes,
    load_subparks,
    load_subparks_bytes,
)
from gaoqi.engine.evaluation.measures import ENGINE_MEASURES, MeasureSpec, district_measures_sql
from gaoqi.engine.evaluation.scoring import AreaScore, score_areas

__all__ = [
    "ENGINE_MEASURES",
    "AreaScore",
    "Indicator",
    "IndicatorLoadError",
    "IndicatorSet",
    "IndicatorVersion",
    "MeasureSpec",
    "Subpark",
    "default_indicator_path",
    "default_subpark_path",
    "district_measures_sql",
    "groups_of",
    "load_indicators",
    "load_indicators_bytes",
    "load_subparks",
    "load_subparks_bytes",
    "score_areas",
]
