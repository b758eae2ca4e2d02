"""The rules core: policies as a typed IR, compiled to SQL (DuckDB, Spark) or interpreted in Python.

``load`` (YAML → IR, with ``typecheck``) → ``ir`` (the trees) → ``compile`` (IR → SQLGlot → one statement per
version) → ``evaluate`` / ``explain`` / ``simulate`` (run it); ``interpret`` evaluates the same trees in
Python for one enterprise. See README.md beside this file.
"""

from gaoqi.engine.rules.compile import (
    ENGINE_VERSION,
    RESULT_COLUMNS,
    RESULT_VIEW_COLUMNS,
    binding_gap_sql,
    compile_all_seconds,
    compile_expr,
    compile_version,
    results_sql,
    source_text,
    to_sqlglot,
    transpile_results_sql,
    version_features,
    version_sql,
)
from gaoqi.engine.rules.evaluate import check_profile, default_policy_dir, evaluate, write_results_meta
from gaoqi.engine.rules.explain import EXPLAIN_SCHEMA, ConditionOutcome, Explanation, Provenance, ScoreOutcome, explain
from gaoqi.engine.rules.ir import (
    Band,
    Benefit,
    Condition,
    Lever,
    Parameter,
    Policy,
    PolicyVersion,
    Score,
    Waiver,
)
from gaoqi.engine.rules.load import (
    PolicyError,
    PolicyLoadError,
    check_policies,
    load_policies,
    load_policy_file,
    load_policy_text,
    ruleset_hash,
)
from gaoqi.engine.rules.mode import MODES, PolicyMode, automatic_refusals, policy_mode
from gaoqi.engine.rules.simulate import PARAMETER_LIMIT, simulate, with_parameters

__all__ = [
    "ENGINE_VERSION",
    "EXPLAIN_SCHEMA",
    "MODES",
    "PARAMETER_LIMIT",
    "RESULT_COLUMNS",
    "RESULT_VIEW_COLUMNS",
    "Band",
    "Benefit",
    "Condition",
    "ConditionOutcome",
    "Explanation",
    "Lever",
    "Parameter",
    "Policy",
    "PolicyError",
    "PolicyLoadError",
    "PolicyMode",
    "PolicyVersion",
    "Provenance",
    "Score",
    "ScoreOutcome",
    "Waiver",
    "automatic_refusals",
    "binding_gap_sql",
    "check_policies",
    "check_profile",
    "compile_all_seconds",
    "compile_expr",
    "compile_version",
    "default_policy_dir",
    "evaluate",
    "explain",
    "load_policies",
    "load_policy_file",
    "load_policy_text",
    "policy_mode",
    "results_sql",
    "ruleset_hash",
    "simulate",
    "source_text",
    "to_sqlglot",
    "transpile_results_sql",
    "version_features",
    "version_sql",
    "with_parameters",
    "write_results_meta",
]
