"""The framework-free data engine: ingest → resolve → features → rules → results.

Nothing in this package imports Django or the web layer (import-linter enforces it). This module is the
engine's public face: the platform imports only the names in ``__all__`` (a second import-linter contract
forbids ``gaoqi.web`` every submodule). See README.md beside it.
"""

from typing import TYPE_CHECKING

from gaoqi.engine.lazy import lazy_attributes

if TYPE_CHECKING:
    from gaoqi.engine.describe import describe_condition, describe_parameter, describe_value
    from gaoqi.engine.features import FEATURE_BY_NAME, FEATURES, Feature
    from gaoqi.engine.feeds import FEED_NAMES, FeedSpec, FieldSpec, all_feeds, feed_for_filename, feed_spec
    from gaoqi.engine.incubators import IncubatorFiguresError
    from gaoqi.engine.ingest import FileResult, IngestSummary
    from gaoqi.engine.rules import (
        Benefit,
        Condition,
        ConditionOutcome,
        Explanation,
        Parameter,
        Policy,
        PolicyLoadError,
        PolicyMode,
        PolicyVersion,
        Provenance,
        Score,
        ScoreOutcome,
        compile_all_seconds,
        default_policy_dir,
        load_policies,
        load_policy_text,
        policy_mode,
    )
    from gaoqi.engine.rules.compile import version_features
    from gaoqi.engine.rules.ir import SEVERITIES
    from gaoqi.engine.uscc import UsccCheck
    from gaoqi.engine.uscc import validate as check_uscc
    from gaoqi.engine.validate import district_codes, industry_section_names
    from gaoqi.engine.warning_rules import load_warning_rules
    from gaoqi.engine.workspace_api import (
        Backend,
        DuckDBBackend,
        SimulationError,
        Source,
        Workspace,
        default_policies,
        evaluate_one,
        score_total,
    )

# The names load on first use (PEP 562): `gaoqi explain` and the other CLI commands import one module of the
# engine, not all of them (ingest, describe, the workspace API: ~0.4 s of start-up).
_LAZY: dict[str, tuple[str, str]] = {
    "describe_condition": ("gaoqi.engine.describe", "describe_condition"),
    "describe_parameter": ("gaoqi.engine.describe", "describe_parameter"),
    "describe_value": ("gaoqi.engine.describe", "describe_value"),
    "FEATURE_BY_NAME": ("gaoqi.engine.features", "FEATURE_BY_NAME"),
    "FEATURES": ("gaoqi.engine.features", "FEATURES"),
    "Feature": ("gaoqi.engine.features", "Feature"),
    "FEED_NAMES": ("gaoqi.engine.feeds", "FEED_NAMES"),
    "FeedSpec": ("gaoqi.engine.feeds", "FeedSpec"),
    "FieldSpec": ("gaoqi.engine.feeds", "FieldSpec"),
    "all_feeds": ("gaoqi.engine.feeds", "all_feeds"),
    "feed_for_filename": ("gaoqi.engine.feeds", "feed_for_filename"),
    "feed_spec": ("gaoqi.engine.feeds", "feed_spec"),
    "FileResult": ("gaoqi.engine.ingest", "FileResult"),
    "IngestSummary": ("gaoqi.engine.ingest", "IngestSummary"),
    "Benefit": ("gaoqi.engine.rules", "Benefit"),
    "Condition": ("gaoqi.engine.rules", "Condition"),
    "ConditionOutcome": ("gaoqi.engine.rules", "ConditionOutcome"),
    "Explanation": ("gaoqi.engine.rules", "Explanation"),
    "Parameter": ("gaoqi.engine.rules", "Parameter"),
    "Policy": ("gaoqi.engine.rules", "Policy"),
    "PolicyLoadError": ("gaoqi.engine.rules", "PolicyLoadError"),
    "PolicyMode": ("gaoqi.engine.rules", "PolicyMode"),
    "policy_mode": ("gaoqi.engine.rules", "policy_mode"),
    "PolicyVersion": ("gaoqi.engine.rules", "PolicyVersion"),
    "Provenance": ("gaoqi.engine.rules", "Provenance"),
    "Score": ("gaoqi.engine.rules", "Score"),
    "ScoreOutcome": ("gaoqi.engine.rules", "ScoreOutcome"),
    "compile_all_seconds": ("gaoqi.engine.rules", "compile_all_seconds"),
    "default_policy_dir": ("gaoqi.engine.rules", "default_policy_dir"),
    "load_policies": ("gaoqi.engine.rules", "load_policies"),
    "load_policy_text": ("gaoqi.engine.rules", "load_policy_text"),
    "UsccCheck": ("gaoqi.engine.uscc", "UsccCheck"),
    "check_uscc": ("gaoqi.engine.uscc", "validate"),
    "district_codes": ("gaoqi.engine.validate", "district_codes"),
    "industry_section_names": ("gaoqi.engine.validate", "industry_section_names"),
    "Backend": ("gaoqi.engine.workspace_api", "Backend"),
    "DuckDBBackend": ("gaoqi.engine.workspace_api", "DuckDBBackend"),
    "SimulationError": ("gaoqi.engine.workspace_api", "SimulationError"),
    "IncubatorFiguresError": ("gaoqi.engine.incubators", "IncubatorFiguresError"),
    "Source": ("gaoqi.engine.workspace_api", "Source"),
    "Workspace": ("gaoqi.engine.workspace_api", "Workspace"),
    "default_policies": ("gaoqi.engine.workspace_api", "default_policies"),
    "score_total": ("gaoqi.engine.workspace_api", "score_total"),
    "evaluate_one": ("gaoqi.engine.workspace_api", "evaluate_one"),
    "version_features": ("gaoqi.engine.rules.compile", "version_features"),
    "SEVERITIES": ("gaoqi.engine.rules.ir", "SEVERITIES"),
    "load_warning_rules": ("gaoqi.engine.warning_rules", "load_warning_rules"),
}


__getattr__ = lazy_attributes(__name__, _LAZY, globals())


__all__ = [
    "FEATURES",
    "FEATURE_BY_NAME",
    "FEED_NAMES",
    "SEVERITIES",
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
    "IncubatorFiguresError",
    "IngestSummary",
    "Parameter",
    "Policy",
    "PolicyLoadError",
    "PolicyMode",
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
    "evaluate_one",
    "feed_for_filename",
    "feed_spec",
    "industry_section_names",
    "load_policies",
    "load_policy_text",
    "load_warning_rules",
    "policy_mode",
    "score_total",
    "version_features",
]
