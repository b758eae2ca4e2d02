"""The framework-free data engine: ingest → resolve → features → rules → results.

Nothing in this package imports Django or the web layer (import-linter enforces it). This module is the
engine's public face: the platform imports only the names in ``__all__`` (a second import-linter contract
forbids ``gaoqi.web`` every submodule). See README.md beside it.
"""

from gaoqi.engine.describe import describe_condition, describe_parameter, describe_value
from gaoqi.engine.features import FEATURE_BY_NAME, FEATURES, Feature
from gaoqi.engine.feeds import FEED_NAMES, FeedSpec, FieldSpec, all_feeds, feed_for_filename, feed_spec
from gaoqi.engine.ingest import FileResult, IngestSummary
from gaoqi.engine.rules import (
    Benefit,
    Condition,
    ConditionOutcome,
    Explanation,
    Parameter,
    Policy,
    PolicyLoadError,
    PolicyVersion,
    Provenance,
    Score,
    ScoreOutcome,
    compile_all_seconds,
    default_policy_dir,
    load_policies,
)
from gaoqi.engine.uscc import UsccCheck
from gaoqi.engine.uscc import validate as check_uscc
from gaoqi.engine.validate import district_codes, industry_section_names
from gaoqi.engine.workspace_api import (
    Backend,
    DuckDBBackend,
    SimulationError,
    Source,
    Workspace,
    default_policies,
    score_total,
)

__all__ = [
    "FEATURES",
    "FEATURE_BY_NAME",
    "FEED_NAMES",
    "Backend",
    "Benefit",
    "Condition",
    "ConditionOutcome",
    "DuckDBBackend",
    "Explanation",
    "Feature",
    "FeedSpec",
    "FieldSpec",
    "FileResult",
    "IngestSummary",
    "Parameter",
    "Policy",
    "PolicyLoadError",
    "PolicyVersion",
    "Provenance",
    "Score",
    "ScoreOutcome",
    "SimulationError",
    "Source",
    "UsccCheck",
    "Workspace",
    "all_feeds",
    "check_uscc",
    "compile_all_seconds",
    "default_policies",
    "default_policy_dir",
    "describe_condition",
    "describe_parameter",
    "describe_value",
    "district_codes",
    "feed_for_filename",
    "feed_spec",
    "industry_section_names",
    "load_policies",
    "score_total",
]
