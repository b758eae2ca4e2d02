"""企业画像标签: tags as data (``policies/analytics/tags.yaml``), loaded with the rules core's parser and type checks.

A tag is a boolean expression over the profile's features (and the list features: a list policy's result of the
same snapshot; and the warning features: whether a warning rule was raised in the same snapshot, ADR 0029), in the SAME expression language as a policy's conditions: parsed once with SQLGlot and converted
by ``rules.load.to_ir`` (so an unknown feature, an undeclared parameter or a type error is refused with the file
and line, as in a policy file), its parameters declared as a policy version's (``unconfirmed`` marks a DEFAULT).

Groups ``exclusive: true`` are bands (first TRUE tag in file order wins, as score bands do); an unknown
expression (a NULL input) never gives a tag. ``tagged_sql`` compiles every tag into one set-based SELECT over
``profile`` (and ``results`` for the list features, ``warning_results`` for the warning features), printed for
DuckDB from SQLGlot builders.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaoqi.engine.features import FEATURE_BY_NAME
from gaoqi.engine.features.declare import Feature
from gaoqi.engine.lazy import LazyModule
from gaoqi.engine.rules import ir
from gaoqi.engine.rules.compile import to_sqlglot
from gaoqi.engine.rules.evaluate import default_policy_dir
from gaoqi.engine.rules.ir import SEVERITIES, Parameter
from gaoqi.engine.rules.load import (
    PolicyError,
    PolicyLoadError,
    _Ctx,
    _List,
    _load_parameter,
    _Map,
    _typed,
    parse_located,
)

if TYPE_CHECKING:
    from sqlglot import exp
else:
    exp = LazyModule("sqlglot.expressions", globals(), "exp")

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
#: Result statuses a list feature reads as TRUE.
LIST_PASS = "pass"
#: The workspace table of raised warnings (``warning_rules``, ADR 0029) the warning features read.
WARNING_RESULTS = "warning_results"
#: The version of how stored tags are built (``build_key``): bump it when ``tagged_select`` reads something new,
#: so tags stored before are recomputed on read. 2: the warning features.
BUILD_VERSION = 2


@dataclass(frozen=True)
class TagGroup:
    code: str
    label: str
    exclusive: bool


@dataclass(frozen=True)
class Tag:
    code: str
    label: str
    group: str
    expr: ir.Expr
    text: str
    line: int
    features: tuple[str, ...]


@dataclass(frozen=True)
class ListFeature:
    """A boolean feature read from a list policy's results: TRUE when its status is ``pass``."""

    name: str
    policy_id: str
    label: str


@dataclass(frozen=True)
class WarningFeature:
    """A boolean feature read from the raised warnings (``warning_results``) of the same snapshot: TRUE when the
    enterprise has a raised warning of one of ``rules`` (empty: any rule; a rule id, or a prefix ending in ``*``)
    whose severity is ``min_severity`` or above (``SEVERITIES`` order); FALSE when it has none."""

    name: str
    label: str
    rules: tuple[str, ...]
    min_severity: str

    def severities(self) -> tuple[str, ...]:
        return SEVERITIES[SEVERITIES.index(self.min_severity) :]

    def definition(self) -> str:
        which = "任一预警规则" if not self.rules else "所列预警规则"
        # the 监测预警 pages' words for the severities (提示 < 一般 < 严重 < 特别严重)
        level = {"INFO": "任何等级", "WARN": "一般及以上", "HIGH": "严重及以上", "CRITICAL": "特别严重"}
        return f"{which}触发的{level[self.min_severity]}预警"


@dataclass(frozen=True)
class TagSet:
    """The loaded tags file: its version, parameters, list features, groups and tags (file order)."""

    id: str
    name: str
    version: str
    valid_from: date
    file: str
    sha256: str
    parameters: Mapping[str, Parameter]
    lists: tuple[ListFeature, ...]
    warnings: tuple[WarningFeature, ...]
    groups: tuple[TagGroup, ...]
    tags: tuple[Tag, ...]
    by_code: Mapping[str, Tag] = field(default_factory=dict)

    def group(self, code: str) -> TagGroup:
        return next(g for g in self.groups if g.code == code)

    def in_group(self, group: str) -> tuple[Tag, ...]:
        return tuple(t for t in self.tags if t.group == group)

    def tag_test(self, code: str) -> exp.Expr:
        """The boolean test 'the enterprise has this tag' over ``tagged_sql``'s columns (never NULL)."""
        tag = self.by_code[code]
        if self.group(tag.group).exclusive:
            return exp.EQ(this=exp.column(band_column(tag.group)), expression=exp.Literal.string(code))
        return exp.column(tag_column(code))


def band_column(group: str) -> str:
    return f"band_{group}"


def tag_column(code: str) -> str:
    return f"tag_{code}"


def default_tags_file() -> Path:
    """``$GAOQI_TAGS``, else ``analytics/tags.yaml`` under the policy directory."""
    env = os.environ.get("GAOQI_TAGS")
    return Path(env) if env else default_policy_dir() / "analytics" / "tags.yaml"


def list_policy_ids(policy_dir: Path | None = None) -> frozenset[str]:
    """The ids of the shipped policies of kind ``list`` (what a list feature may name)."""
    from gaoqi.engine.rules.load import load_policies

    return frozenset(p.id for p in load_policies(policy_dir or default_policy_dir()) if p.kind == "list")


def warning_rule_ids(policy_dir: Path | None = None) -> frozenset[str]:
    """The ids of the shipped warning rules (``kind: warning``: what a warning feature may name)."""
    from gaoqi.engine.rules.load import WARNING_KIND, load_policies

    return frozenset(p.id for p in load_policies(policy_dir or default_policy_dir(), WARNING_KIND))


def load_tags(
    path: Path | str | None = None,
    *,
    list_policies: frozenset[str] | None = None,
    warning_rules: frozenset[str] | None = None,
) -> TagSet:
    """The tags file, checked (``PolicyLoadError`` listing every error with file and line)."""
    p = Path(path) if path is not None else default_tags_file()
    try:
        data = p.read_bytes()
    except OSError as e:
        raise PolicyLoadError([PolicyError(str(p), 0, f"cannot read: {e}")]) from e
    return load_tags_text(data.decode("utf-8"), str(p), list_policies=list_policies, warning_rules=warning_rules)


def load_tags_text(
    text: str,
    name: str = "tags.yaml",
    *,
    list_policies: frozenset[str] | None = None,
    warning_rules: frozenset[str] | None = None,
) -> TagSet:
    ctx = _Ctx(name)
    doc = parse_located(text.encode("utf-8"), name)
    if not isinstance(doc, _Map):
        raise PolicyLoadError([PolicyError(name, 0, "a tags file is a mapping")])
    known = {"id", "name", "version", "valid_from", "parameters", "lists", "warnings", "groups", "tags", "notes"}
    for key in doc:
        if key not in known:
            ctx.err(doc.lines[key], f"unknown key '{key}'")
    tid = ctx.text(doc, "id") or ""
    tname = ctx.text(doc, "name") or ""
    version = ctx.text(doc, "version") or ""
    valid_from = ctx.date(doc, "valid_from") or date.min

    params: dict[str, Parameter] = {}
    raw_params = doc.get("parameters") or _Map()
    if isinstance(raw_params, _Map):
        for pname, spec in raw_params.items():
            param = _load_parameter(pname, spec, raw_params.lines[pname], ctx)
            if param is not None:
                params[pname] = param

    allowed_lists = list_policies if list_policies is not None else list_policy_ids()
    lists: list[ListFeature] = []
    features: dict[str, Feature] = dict(FEATURE_BY_NAME)
    raw_lists = doc.get("lists") or _Map()
    if isinstance(raw_lists, _Map):
        for lname, spec in raw_lists.items():
            line = raw_lists.lines[lname]
            if not _CODE.match(lname):
                ctx.err(line, f"list feature '{lname}' must match [a-z][a-z0-9_]*")
                continue
            if lname in FEATURE_BY_NAME:
                ctx.err(line, f"list feature '{lname}' is already a profile feature")
                continue
            if not isinstance(spec, _Map) or "policy" not in spec:
                ctx.err(line, f"list feature '{lname}' needs 'policy' (a policy of kind list) and 'label'")
                continue
            pid = str(spec["policy"])
            if pid not in allowed_lists:
                ctx.err(spec.lines["policy"], f"list feature '{lname}': '{pid}' is not a policy of kind list")
                continue
            label = str(spec.get("label") or lname)
            lists.append(ListFeature(lname, pid, label))
            features[lname] = Feature(
                name=lname,
                label=label,
                type="boolean",
                unit=None,
                definition=f"{pid} 的评估结果为符合",
                article=None,
                group="lists",
                sql_type="BOOLEAN",
                feeds=(),
                sql="NULL",
            )
    warnings = _load_warnings(doc, ctx, features, warning_rules)
    ctx.features = features

    groups: list[TagGroup] = []
    raw_groups = doc.get("groups")
    if not isinstance(raw_groups, _List) or not raw_groups:
        ctx.err(doc.lines.get("groups", doc.line), "'groups' must be a non-empty list")
        raw_groups = _List()
    for g in raw_groups:
        if not isinstance(g, _Map) or "code" not in g or "label" not in g:
            ctx.err(getattr(g, "line", doc.line), "a group needs 'code' and 'label'")
            continue
        gcode = str(g["code"])
        if not _CODE.match(gcode) or any(x.code == gcode for x in groups):
            ctx.err(g.lines["code"], f"group code '{gcode}' must match [a-z][a-z0-9_]* and be unique")
            continue
        exclusive = g.get("exclusive", False)
        if not isinstance(exclusive, bool):
            ctx.err(g.lines["exclusive"], "'exclusive' must be true or false")
            continue
        groups.append(TagGroup(gcode, str(g["label"]), exclusive))
    group_codes = {g.code for g in groups}

    tags: list[Tag] = []
    raw_tags = doc.get("tags")
    if not isinstance(raw_tags, _List):
        ctx.err(doc.lines.get("tags", doc.line), "'tags' must be a list")
        raw_tags = _List()
    seen: set[str] = set()
    for item in raw_tags:
        if not isinstance(item, _Map):
            ctx.err(getattr(item, "line", doc.line), "a tag must be a mapping")
            continue
        for key in item:
            if key not in {"code", "label", "group", "expr", "note"}:
                ctx.err(item.lines[key], f"unknown key '{key}' in tag")
        code = ctx.text(item, "code")
        tlabel = ctx.text(item, "label")
        group = ctx.text(item, "group")
        expr_text = ctx.text(item, "expr")
        if code is None or tlabel is None or group is None or expr_text is None:
            continue
        if not _CODE.match(code) or code in seen:
            ctx.err(item.lines["code"], f"tag code '{code}' must match [a-z][a-z0-9_]* and be unique")
            continue
        seen.add(code)
        if group not in group_codes:
            ctx.err(item.lines["group"], f"tag '{code}': unknown group '{group}'")
            continue
        line = item.lines["expr"]
        tree = _typed(expr_text, line, ctx, params)
        if tree is None:
            continue
        if tree.type != "boolean":
            ctx.err(line, f"type error: tag '{code}' must be a boolean test, not {tree.type} (in '{expr_text}')")
            continue
        tags.append(Tag(code, tlabel, group, tree, expr_text, line, ir.features_of(tree)))
    if ctx.errors:
        raise PolicyLoadError(ctx.errors)
    return TagSet(
        tid,
        tname,
        version,
        valid_from,
        name,
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        params,
        tuple(lists),
        warnings,
        tuple(groups),
        tuple(tags),
        {t.code: t for t in tags},
    )


def _load_warnings(
    doc: _Map, ctx: _Ctx, features: dict[str, Feature], warning_rules: frozenset[str] | None
) -> tuple[WarningFeature, ...]:
    """The ``warnings:`` section: each ``name: {label, rules?, min_severity?}`` checked (a rule id no warning rule
    has, a prefix no rule id starts with, a severity not in ``SEVERITIES``: refused at its line) and declared as a
    boolean feature in ``features``."""
    raw = doc.get("warnings") or _Map()
    if not isinstance(raw, _Map):
        ctx.err(doc.lines["warnings"], "'warnings' must be a mapping of warning features")
        return ()
    allowed = warning_rules if warning_rules is not None else warning_rule_ids()
    out: list[WarningFeature] = []
    for wname, spec in raw.items():
        line = raw.lines[wname]
        if not _CODE.match(wname):
            ctx.err(line, f"warning feature '{wname}' must match [a-z][a-z0-9_]*")
            continue
        if wname in features:
            ctx.err(line, f"warning feature '{wname}' is already a feature")
            continue
        if not isinstance(spec, _Map) or "label" not in spec:
            ctx.err(line, f"warning feature '{wname}' needs 'label' (and optionally 'rules', 'min_severity')")
            continue
        bad = False
        for key in spec:
            if key not in {"label", "rules", "min_severity"}:
                ctx.err(spec.lines[key], f"unknown key '{key}' in warning feature '{wname}'")
                bad = True
        severity = str(spec.get("min_severity", SEVERITIES[0]))
        if severity not in SEVERITIES:
            ctx.err(
                spec.lines["min_severity"],
                f"warning feature '{wname}': severity '{severity}' must be one of {', '.join(SEVERITIES)}",
            )
            bad = True
        rules: list[str] = []
        raw_rules = spec.get("rules", _List())
        if not isinstance(raw_rules, _List):
            ctx.err(spec.lines["rules"], f"warning feature '{wname}': 'rules' must be a list of warning rule ids")
            bad = True
            raw_rules = _List()
        for i, r in enumerate(raw_rules):
            rid = str(r)
            prefix = rid.endswith("*")
            if not (any(a.startswith(rid[:-1]) for a in allowed) if prefix else rid in allowed):
                what = f"no warning rule id starts with '{rid[:-1]}'" if prefix else f"'{rid}' is not a warning rule"
                ctx.err(raw_rules.lines[i], f"warning feature '{wname}': {what}")
                bad = True
            rules.append(rid)
        if bad:
            continue
        wf = WarningFeature(wname, str(spec["label"]), tuple(rules), severity)
        out.append(wf)
        features[wname] = Feature(
            name=wname,
            label=wf.label,
            type="boolean",
            unit=None,
            definition=wf.definition(),
            article=None,
            group="warnings",
            sql_type="BOOLEAN",
            feeds=(),
            sql="NULL",
        )
    return tuple(out)


# ------------------------------------------------------------------------------------------------------
# SQL


def _lists_relation(tags: TagSet) -> exp.Expr:
    """One row per enterprise with a list result: each list feature TRUE/FALSE (NULL: not evaluated)."""
    cols: list[exp.Expr] = [exp.column("uscc")]
    for lf in tags.lists:
        of_policy = exp.EQ(this=exp.column("policy_id"), expression=exp.Literal.string(lf.policy_id))
        is_pass = exp.EQ(this=exp.column("status"), expression=exp.Literal.string(LIST_PASS))
        # NULL when the enterprise has no result of this policy; else whether it passed
        value = exp.Max(this=exp.Case(ifs=[exp.If(this=of_policy, true=exp.Cast(this=is_pass, to="INT"))]))
        cols.append(exp.alias_(exp.EQ(this=value, expression=exp.Literal.number(1)), lf.name))
    policies = [exp.Literal.string(lf.policy_id) for lf in tags.lists]
    return (
        exp.select(*cols)
        .from_("results")
        .where(exp.In(this=exp.column("policy_id"), expressions=policies))
        .group_by("uscc")
    )


def _warnings_relation(tags: TagSet) -> exp.Select:
    """One row per enterprise with a raised warning: each warning feature TRUE/FALSE (an enterprise without a row
    has none: FALSE, applied in ``_bound``)."""
    cols: list[exp.Expr] = [exp.column("uscc")]
    for wf in tags.warnings:
        rule_id = exp.column("rule_id")
        tests: list[exp.Expr] = []
        for r in wf.rules:
            if r.endswith("*"):
                tests.append(exp.func("starts_with", rule_id, exp.Literal.string(r[:-1])))
            else:
                tests.append(exp.EQ(this=rule_id, expression=exp.Literal.string(r)))
        severity: exp.Expr = exp.In(
            this=exp.column("severity"), expressions=[exp.Literal.string(x) for x in wf.severities()]
        )
        test = severity if not tests else exp.and_(exp.Paren(this=exp.or_(*tests)), severity)
        hit = exp.Max(this=exp.Case(ifs=[exp.If(this=test, true=exp.Literal.number(1))], default=exp.Literal.number(0)))
        cols.append(exp.alias_(exp.EQ(this=hit, expression=exp.Literal.number(1)), wf.name))
    return exp.select(*cols).from_(WARNING_RESULTS).group_by("uscc")


#: Profile columns the cohort filters and distributions read (beside the tags).
BASE_COLUMNS: tuple[str, ...] = (
    "uscc",
    "district_code",
    "tech_field",
    "industry_section",
    "has_hte_certificate",
    "sales_revenue_last_year",
)


def tagged_select(tags: TagSet, *, with_results: bool = True, with_warnings: bool = True) -> exp.Select:
    """One row per profile: ``BASE_COLUMNS``, ``established_year``, a ``band_<group>`` column per exclusive group
    (the first tag whose test is TRUE, else NULL) and a ``tag_<code>`` column per other tag (TRUE/FALSE; unknown
    is FALSE). ``with_results``: join the list features from ``results`` (False: a workspace never evaluated —
    every list feature unknown); ``with_warnings``: join the warning features from ``warning_results`` (False:
    warnings never evaluated — every warning feature unknown)."""
    cols: list[exp.Expr] = [exp.column(c, table="p") for c in BASE_COLUMNS]
    cols.append(exp.alias_(exp.func("year", exp.column("established_date", table="p")), "established_year"))
    for g in tags.groups:
        members = tags.in_group(g.code)
        if g.exclusive:
            if members:
                case = exp.Case(
                    ifs=[exp.If(this=_bound(t, tags, with_warnings), true=exp.Literal.string(t.code)) for t in members],
                    default=exp.Null(),
                )
                cols.append(exp.alias_(exp.Cast(this=case, to="VARCHAR"), band_column(g.code)))
            else:
                cols.append(exp.alias_(exp.Cast(this=exp.Null(), to="VARCHAR"), band_column(g.code)))
        else:
            for t in members:
                test = exp.Coalesce(this=exp.Paren(this=_bound(t, tags, with_warnings)), expressions=[exp.false()])
                cols.append(exp.alias_(test, tag_column(t.code)))
    q = exp.select(*cols).from_(exp.alias_(exp.to_table("profile"), "p", table=True))
    if tags.lists:
        if with_results:
            q = q.join(
                exp.alias_(exp.Subquery(this=_lists_relation(tags)), "l", table=True), using=["uscc"], join_type="left"
            )
        else:
            nulls = exp.select(
                exp.alias_(exp.Cast(this=exp.Null(), to="VARCHAR"), "uscc"),
                *(exp.alias_(exp.Cast(this=exp.Null(), to="BOOLEAN"), lf.name) for lf in tags.lists),
            ).where(exp.false())
            q = q.join(exp.alias_(exp.Subquery(this=nulls), "l", table=True), using=["uscc"], join_type="left")
    if tags.warnings and with_warnings:
        q = q.join(
            exp.alias_(exp.Subquery(this=_warnings_relation(tags)), "w", table=True), using=["uscc"], join_type="left"
        )
    return q


def _bound(tag: Tag, tags: TagSet, with_warnings: bool = True) -> exp.Expr:
    """The tag's test with its parameters bound as exact literals; features are columns of ``p`` or ``l``, a
    warning feature ``w``'s column (no row: no raised warning, FALSE) or unknown when warnings were never
    evaluated (``with_warnings`` False)."""
    tree = to_sqlglot(tag.expr, tags.parameters)
    list_names = {lf.name for lf in tags.lists}
    warning_names = {wf.name for wf in tags.warnings}

    def place(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Column):
            return node
        if node.name in warning_names:
            if not with_warnings:
                return exp.Cast(this=exp.Null(), to="BOOLEAN")
            return exp.Coalesce(this=exp.column(node.name, table="w"), expressions=[exp.false()])
        return exp.column(node.name, table="l" if node.name in list_names else "p")

    return tree.transform(place)


#: The stored tags of a workspace (``Workspace.build_tags``): ``tagged_select`` materialised, by USCC.
TABLE = "profile_tags"
META_TABLE = "profile_tags_meta"


def build_key(tags: TagSet, *, with_results: bool = True, with_warnings: bool = True) -> str:
    """What stored tags were built from beside the profile: the tags file's sha256, ``BUILD_VERSION`` and whether
    the list results and the warnings were there (tags stored before warnings were evaluated are not current once
    they are)."""
    key = f"{tags.sha256}|v{BUILD_VERSION}|results={int(with_results)}|warnings={int(with_warnings)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def build_statements(tags: TagSet, *, with_results: bool = True, with_warnings: bool = True) -> list[str]:
    """``profile_tags`` (``tagged_select`` by USCC) and its one meta row (the tags file's id, version and sha256,
    the ``build_key``, the profile's as-of date and row count: what makes it current), as DuckDB statements."""
    select = tagged_select(tags, with_results=with_results, with_warnings=with_warnings).order_by(
        exp.column("uscc", table="p")
    )
    meta = exp.select(
        exp.alias_(exp.Literal.string(tags.id), "tags_id"),
        exp.alias_(exp.Literal.string(tags.version), "tags_version"),
        exp.alias_(exp.Literal.string(tags.sha256), "tags_sha256"),
        exp.alias_(
            exp.Literal.string(build_key(tags, with_results=with_results, with_warnings=with_warnings)), "build_key"
        ),
        exp.alias_(exp.Max(this=exp.column("as_of")), "as_of"),
        exp.alias_(exp.Count(this=exp.Star()), "profile_rows"),
        exp.alias_(exp.func("now"), "built_at"),
    ).from_("profile")
    return [
        f"CREATE OR REPLACE TABLE {TABLE} AS {select.sql(dialect='duckdb')}",
        f"CREATE OR REPLACE TABLE {META_TABLE} AS {meta.sql(dialect='duckdb')}",
    ]


#: Whether the stored tags were built with the ``build_key`` given as the parameter, over this profile (a meta
#: table without ``build_key``, stored before the warning features, is never current: see ``META_KEY_SQL``).
META_KEY_SQL = (
    f"SELECT count(*) FROM information_schema.columns WHERE table_name = '{META_TABLE}' AND column_name = 'build_key'"
)
CURRENT_SQL = (
    f"SELECT m.build_key = ? AND m.profile_rows = (SELECT count(*) FROM profile) "
    f"AND m.as_of IS NOT DISTINCT FROM (SELECT max(as_of) FROM profile) FROM {META_TABLE} AS m"
)


def source(tags: TagSet, *, stored: bool, with_results: bool = True, with_warnings: bool = True) -> exp.Expr:
    """What the cohort and tag reads select from: the stored table, or ``tagged_select`` computed on read."""
    if stored:
        return exp.to_table(TABLE)
    return exp.Subquery(this=tagged_select(tags, with_results=with_results, with_warnings=with_warnings))


def tag_codes_sql(tags: TagSet) -> exp.Expr:
    """The enterprise's tags as one list (file order), over ``tagged_select``'s columns."""
    items: list[exp.Expr] = []
    for t in tags.tags:
        items.append(exp.If(this=tags.tag_test(t.code), true=exp.Literal.string(t.code)))
    cases = [exp.Case(ifs=[i]) for i in items]
    arr = exp.Array(expressions=cases)
    return exp.func(
        "list_filter",
        arr,
        exp.Lambda(
            this=exp.Not(this=exp.Is(this=exp.column("x"), expression=exp.Null())), expressions=[exp.to_identifier("x")]
        ),
    )


def tag_rows_sql(tags: TagSet, src: exp.Expr, uscc: str | None = None) -> str:
    """``uscc`` and ``tags`` (the codes, file order) per enterprise by USCC from ``src`` (``source``); ``uscc``:
    that enterprise only."""
    q = exp.select(exp.column("uscc"), exp.alias_(tag_codes_sql(tags), "tags")).from_(exp.alias_(src, "t", table=True))
    if uscc is not None:
        q = q.where(exp.EQ(this=exp.column("uscc"), expression=exp.Literal.string(uscc)))
    return q.order_by("uscc").sql(dialect="duckdb")


def describe(tags: TagSet) -> list[dict[str, Any]]:
    """The groups and their tags in words (code, label, group, expression, whether a DEFAULT parameter is read)."""
    out = []
    for g in tags.groups:
        members = []
        for t in tags.in_group(g.code):
            reads = {n.name for n in t.expr.walk() if isinstance(n, ir.Param)}
            members.append(
                {
                    "code": t.code,
                    "label": t.label,
                    "expr": t.text,
                    "unconfirmed": any(tags.parameters[n].unconfirmed for n in reads),
                }
            )
        out.append({"code": g.code, "label": g.label, "exclusive": g.exclusive, "tags": members})
    return out


_CACHE: dict[tuple[str, int, int], TagSet] = {}


def default_tags() -> TagSet:
    """The shipped tags file (``default_tags_file``), loaded once per content (path, size, mtime)."""
    path = default_tags_file()
    try:
        st = path.stat()
    except OSError as e:
        raise PolicyLoadError([PolicyError(str(path), 0, f"cannot read: {e}")]) from e
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_tags(path)
    return _CACHE[key]
