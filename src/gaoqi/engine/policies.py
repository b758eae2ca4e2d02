"""Policies as data: ``policies/*.yaml`` loaded, validated and type-checked.

A policy file describes one programme (HTE certification, a subsidy, …) and its dated versions. Each
version holds typed parameters and the conditions of the text. A ``data`` condition is a small SQL
comparison over ``profile`` feature names (``features.FEATURES``) and the version's parameters; the
evaluator (``rules.py``) compiles all conditions of a version into one set-based SQL statement.

File format (see ``policies/hte-certification.yaml`` for a complete example)::

    id: hte-certification                  # [a-z0-9-]+, unique across files
    name: 高新技术企业认定
    authority: 科技部 财政部 国家税务总局
    document_number: 国科发火〔2016〕32号
    kind: certification                    # certification | recognition | subsidy | tax | list
    versions:
      - id: "2016"
        valid_from: 2016-01-01
        valid_to: null                     # inclusive; null = open-ended (last version only)
        documents: [国科发火〔2016〕32号, 国科发火〔2016〕195号]   # articles must cite one of these
        parameters:
          rd_ratio_tier1: {type: ratio, value: 0.05, label: …, unconfirmed: false}
        conditions:
          - id: rd_ratio
            label: 近三年研究开发费用总额占同期销售收入总额的比例符合要求
            article: 国科发火〔2016〕32号 第十一条（五）
            kind: data                     # data | attested | expert
            expr: hte_rd_ratio >= CASE WHEN sales_revenue_last_year <= param.tier1_max THEN … END
            lever: {per: sales_revenue_window, unit: 万元, what: more R&D}   # optional

Expression rules (checked at load, errors carry file and line):

* ``expr`` must be one comparison ``<observed> <op> <required>`` with op in ``>= > <= < =``; the two
  sides are the structured form the evaluator uses for gaps ("by how much"). Alternatively write
  ``observed:``, ``op:`` and ``required:`` separately; ``expr`` is then derived.
* Names: profile features (``features.FEATURES``) and parameters as ``param.<name>`` (declared in the
  version's ``parameters``). Literals: numbers, strings, TRUE/FALSE. No subqueries, no ``*``.
* Operators and functions: ``+ - * /``, comparisons, ``AND OR NOT`` and ``CASE WHEN … THEN … ELSE … END``
  (ELSE required), and the functions in ``ALLOWED_FUNCTIONS`` (least, greatest, abs, round). ``IS NULL``
  and COALESCE are not allowed: missing data is the engine's business — a data condition with any NULL
  input feature is *unknown*, never false and never 0.
* Types: money, ratio, count, integer, date, boolean, text, plus ``number`` for bare literals. Comparisons
  need compatible types (money vs money, ratio vs ratio/number, count/integer vs count/integer/number,
  date vs date, boolean vs boolean, text vs text; a bare number literal fits any numeric type); ``money /
  money`` is a ratio, ``money * ratio`` money; anything else (e.g. ratio vs money) is a type error.
* ``lever`` (optional): the amount that would close the gap = (required − observed) × ``per`` (a feature
  expression), shown in ``unit``; e.g. extra R&D = (required ratio − ratio) × sales over the window.
* Versions of one policy must not overlap and leave no gap (next valid_from = previous valid_to + 1 day).
* ``article`` must read ``<document number> 第X条[（Y）]…`` and cite one of the version's ``documents``.

``load_policies(dir)`` returns the policies (raises ``PolicyLoadError`` listing every error);
``check_policies(dir)`` returns the errors.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import sqlglot
import yaml
from sqlglot import exp

from gaoqi.engine.features import FEATURE_BY_NAME

PolicyKind = Literal["certification", "recognition", "subsidy", "tax", "list"]
ConditionKind = Literal["data", "attested", "expert"]
Op = Literal[">=", ">", "<=", "<", "="]
ValueType = Literal["money", "ratio", "count", "integer", "date", "boolean", "text", "number"]

POLICY_KINDS: tuple[str, ...] = ("certification", "recognition", "subsidy", "tax", "list")
CONDITION_KINDS: tuple[str, ...] = ("data", "attested", "expert")
OPS: dict[type[exp.Expr], Op] = {exp.GTE: ">=", exp.GT: ">", exp.LTE: "<=", exp.LT: "<", exp.EQ: "="}
PARAM_TYPES: tuple[str, ...] = ("money", "ratio", "count", "integer", "date", "boolean", "text")
#: SQL functions a condition may use (sqlglot expression classes).
ALLOWED_FUNCTIONS: dict[type[exp.Expr], str] = {
    exp.Least: "least",
    exp.Greatest: "greatest",
    exp.Abs: "abs",
    exp.Round: "round",
}
PARAM_PREFIX = "param"
NUMERIC: frozenset[str] = frozenset({"money", "ratio", "count", "integer", "number"})

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_CN_NUM = "一二三四五六七八九十百零"
#: 国科发火〔2016〕32号 第十一条（五） — document number, then an article, optional item and free text.
_ARTICLE = re.compile(rf"^(?P<doc>\S+〔\d{{4}}〕\d+号) 第[{_CN_NUM}]+条(（[{_CN_NUM}]+）)*(\S.*)?$")


@dataclass(frozen=True)
class PolicyError:
    file: str
    line: int  # 1-based; 0 when the file could not be read at all
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PolicyLoadError(ValueError):
    def __init__(self, errors: list[PolicyError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    value: Any  # Decimal for numbers, date, bool or str
    label: str
    unconfirmed: bool
    line: int

    def sql(self) -> str:
        """The value as a SQL literal (numbers as exact DECIMAL literals)."""
        if isinstance(self.value, bool):
            return "TRUE" if self.value else "FALSE"
        if isinstance(self.value, Decimal):
            return _decimal_sql(self.value)
        if isinstance(self.value, date):
            return f"DATE '{self.value.isoformat()}'"
        return "'" + str(self.value).replace("'", "''") + "'"


def _decimal_sql(value: Decimal) -> str:
    text = format(value, "f")
    if "." not in text:
        return text
    digits = len(text.split(".")[1])
    return f"CAST({text} AS DECIMAL(38,{max(digits, 1)}))"


@dataclass(frozen=True)
class Lever:
    per: str  # feature expression (SQL, no parameters)
    unit: str
    what: str


@dataclass(frozen=True)
class Condition:
    id: str
    label: str
    article: str
    kind: str
    line: int
    note: str | None = None
    # data conditions only (SQL text with param.<name> references)
    observed: str | None = None
    op: Op | None = None
    required: str | None = None
    observed_type: str | None = None
    lever: Lever | None = None
    features: tuple[str, ...] = ()  # the features the comparison reads (observed and required)
    lever_features: tuple[str, ...] = ()

    @property
    def expr(self) -> str | None:
        if self.observed is None:
            return None
        return f"{self.observed} {self.op} {self.required}"


@dataclass(frozen=True)
class PolicyVersion:
    id: str
    valid_from: date
    valid_to: date | None
    documents: tuple[str, ...]
    parameters: dict[str, Parameter]
    conditions: tuple[Condition, ...]
    line: int

    def in_force(self, as_of: date) -> bool:
        return self.valid_from <= as_of and (self.valid_to is None or as_of <= self.valid_to)


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    authority: str
    document_number: str
    kind: str
    versions: tuple[PolicyVersion, ...]
    file: str
    sha256: str = field(repr=False)

    def version_at(self, as_of: date) -> PolicyVersion | None:
        return next((v for v in self.versions if v.in_force(as_of)), None)


# ------------------------------------------------------------------------------------------------------
# YAML with line numbers


class _Map(dict[str, Any]):
    line: int
    lines: dict[str, int]


class _List(list[Any]):
    line: int
    lines: list[int]


def _compose(node: yaml.Node) -> Any:
    line = int(node.start_mark.line) + 1
    if isinstance(node, yaml.MappingNode):
        out = _Map()
        out.line, out.lines = line, {}
        for k, v in node.value:
            key = str(k.value)
            out[key] = _compose(v)
            out.lines[key] = int(v.start_mark.line) + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        lst = _List()
        lst.line, lst.lines = line, []
        for item in node.value:
            lst.append(_compose(item))
            lst.lines.append(int(item.start_mark.line) + 1)
        return lst
    # scalars: resolve with the safe constructor (dates, numbers, booleans, null); keep floats exact
    if node.tag == "tag:yaml.org,2002:float":
        return _exact(str(node.value))
    return yaml.SafeLoader("").construct_object(node)


def _exact(text: str) -> Decimal | str:
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text


def _read_yaml(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    return None if node is None else _compose(node)


# ------------------------------------------------------------------------------------------------------
# Loading


class _Ctx:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[PolicyError] = []

    def err(self, line: int, message: str) -> None:
        self.errors.append(PolicyError(self.file, line, message))

    def text(self, m: _Map, key: str, *, required: bool = True) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                self.err(m.line, f"missing '{key}'")
            return None
        if isinstance(value, (_Map, _List)):
            self.err(m.lines.get(key, m.line), f"'{key}' must be a scalar")
            return None
        return str(value)

    def date(self, m: _Map, key: str, *, required: bool = True) -> date | None:
        value = m.get(key)
        if value is None:
            if required:
                self.err(m.line, f"missing '{key}'")
            return None
        if not isinstance(value, date):
            self.err(m.lines.get(key, m.line), f"'{key}' must be a date (YYYY-MM-DD), not {value!r}")
            return None
        return value


def check_policies(directory: Path | str) -> list[PolicyError]:
    """Every error in the policy files of ``directory`` (empty when all load)."""
    return _load(Path(directory))[1]


def load_policies(directory: Path | str) -> list[Policy]:
    """The policies in ``directory/*.yaml``, sorted by id; raises PolicyLoadError on any error."""
    policies, errors = _load(Path(directory))
    if errors:
        raise PolicyLoadError(errors)
    return policies


def load_policy_file(path: Path | str) -> Policy:
    path = Path(path)
    ctx = _Ctx(str(path))
    policy = _load_file(path, ctx)
    if ctx.errors or policy is None:
        raise PolicyLoadError(ctx.errors or [PolicyError(str(path), 0, "not a policy")])
    return policy


def _load(directory: Path) -> tuple[list[Policy], list[PolicyError]]:
    policies: list[Policy] = []
    errors: list[PolicyError] = []
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        errors.append(PolicyError(str(directory), 0, "no policy files (*.yaml)"))
    seen: dict[str, str] = {}
    for path in files:
        ctx = _Ctx(str(path))
        policy = _load_file(path, ctx)
        errors.extend(ctx.errors)
        if policy is not None and not ctx.errors:
            if policy.id in seen:
                errors.append(PolicyError(str(path), 1, f"policy id '{policy.id}' also defined in {seen[policy.id]}"))
                continue
            seen[policy.id] = str(path)
            policies.append(policy)
    return sorted(policies, key=lambda p: p.id), errors


def _load_file(path: Path, ctx: _Ctx) -> Policy | None:
    try:
        doc = _read_yaml(path)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        ctx.err(int(mark.line) + 1 if mark is not None else 0, f"invalid YAML: {e.problem or e}")
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        ctx.err(0, f"cannot read: {e}")
        return None
    if not isinstance(doc, _Map):
        ctx.err(1, "a policy file must be a mapping")
        return None
    known = {"id", "name", "authority", "document_number", "kind", "versions", "notes"}
    for key in doc:
        if key not in known:
            ctx.err(doc.lines[key], f"unknown key '{key}'")
    pid = ctx.text(doc, "id")
    if pid is not None and not _ID.match(pid):
        ctx.err(doc.lines["id"], f"policy id '{pid}' must match [a-z0-9][a-z0-9_-]*")
    name = ctx.text(doc, "name")
    authority = ctx.text(doc, "authority")
    docno = ctx.text(doc, "document_number")
    kind = ctx.text(doc, "kind")
    if kind is not None and kind not in POLICY_KINDS:
        ctx.err(doc.lines["kind"], f"kind '{kind}' must be one of {', '.join(POLICY_KINDS)}")
    raw_versions = doc.get("versions")
    versions: list[PolicyVersion] = []
    if not isinstance(raw_versions, _List) or not raw_versions:
        ctx.err(doc.lines.get("versions", doc.line), "'versions' must be a non-empty list")
    else:
        for item in raw_versions:
            v = _load_version(item, ctx, docno)
            if v is not None:
                versions.append(v)
        _check_intervals(versions, ctx)
    if ctx.errors or None in (pid, name, authority, docno, kind):
        return None
    assert pid is not None and name is not None and authority is not None and docno is not None
    assert kind is not None
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return Policy(pid, name, authority, docno, kind, tuple(versions), str(path), sha)


def _check_intervals(versions: list[PolicyVersion], ctx: _Ctx) -> None:
    ids = [v.id for v in versions]
    for v in versions:
        if ids.count(v.id) > 1:
            ctx.err(v.line, f"duplicate version id '{v.id}'")
        if v.valid_to is not None and v.valid_to < v.valid_from:
            ctx.err(v.line, f"version '{v.id}': valid_to {v.valid_to} is before valid_from {v.valid_from}")
    ordered = sorted(versions, key=lambda v: v.valid_from)
    for prev, nxt in itertools.pairwise(ordered):
        if prev.valid_to is None or prev.valid_to >= nxt.valid_from:
            ctx.err(
                nxt.line,
                f"version '{nxt.id}' (from {nxt.valid_from}) overlaps version '{prev.id}' "
                f"({prev.valid_from} – {prev.valid_to or 'open'})",
            )
        elif prev.valid_to + timedelta(days=1) != nxt.valid_from:
            ctx.err(
                nxt.line,
                f"gap between version '{prev.id}' (to {prev.valid_to}) and version '{nxt.id}' (from {nxt.valid_from})",
            )


def _load_version(item: Any, ctx: _Ctx, docno: str | None) -> PolicyVersion | None:
    if not isinstance(item, _Map):
        ctx.err(getattr(item, "line", 0), "a version must be a mapping")
        return None
    n_errors = len(ctx.errors)
    known = {"id", "valid_from", "valid_to", "documents", "parameters", "conditions", "notes"}
    for key in item:
        if key not in known:
            ctx.err(item.lines[key], f"unknown key '{key}' in version")
    vid = ctx.text(item, "id")
    valid_from = ctx.date(item, "valid_from")
    valid_to = ctx.date(item, "valid_to", required=False)
    raw_docs = item.get("documents")
    documents: tuple[str, ...]
    if raw_docs is None:
        documents = (docno,) if docno else ()
    elif isinstance(raw_docs, _List) and all(isinstance(d, str) for d in raw_docs):
        documents = tuple(raw_docs)
    else:
        ctx.err(item.lines["documents"], "'documents' must be a list of document numbers")
        documents = ()
    params: dict[str, Parameter] = {}
    raw_params = item.get("parameters") or _Map()
    if not isinstance(raw_params, _Map):
        ctx.err(item.lines.get("parameters", item.line), "'parameters' must be a mapping")
    else:
        for pname, spec in raw_params.items():
            p = _load_parameter(pname, spec, raw_params.lines[pname], ctx)
            if p is not None:
                params[pname] = p
    conditions: list[Condition] = []
    raw_conds = item.get("conditions")
    if not isinstance(raw_conds, _List) or not raw_conds:
        ctx.err(item.lines.get("conditions", item.line), "'conditions' must be a non-empty list")
    else:
        for c in raw_conds:
            cond = _load_condition(c, ctx, params, documents)
            if cond is not None:
                if any(x.id == cond.id for x in conditions):
                    ctx.err(cond.line, f"duplicate condition id '{cond.id}'")
                conditions.append(cond)
    if len(ctx.errors) > n_errors or vid is None or valid_from is None:
        return None
    return PolicyVersion(vid, valid_from, valid_to, documents, params, tuple(conditions), item.line)


def _load_parameter(name: str, spec: Any, line: int, ctx: _Ctx) -> Parameter | None:
    if not re.match(r"^[a-z][a-z0-9_]*$", name):
        ctx.err(line, f"parameter name '{name}' must match [a-z][a-z0-9_]*")
        return None
    if not isinstance(spec, _Map) or "value" not in spec or "type" not in spec:
        ctx.err(line, f"parameter '{name}' needs 'type' and 'value'")
        return None
    ptype = str(spec["type"])
    value = spec["value"]
    vline = spec.lines["value"]
    if ptype not in PARAM_TYPES:
        ctx.err(spec.lines["type"], f"parameter '{name}': type '{ptype}' must be one of {', '.join(PARAM_TYPES)}")
        return None
    if ptype in NUMERIC:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            ctx.err(vline, f"parameter '{name}': {ptype} value must be a number, not {value!r}")
            return None
        value = Decimal(value)
        if ptype in ("count", "integer") and value != value.to_integral_value():
            ctx.err(vline, f"parameter '{name}': {ptype} value must be a whole number")
            return None
    elif ptype == "date" and not isinstance(value, date):
        ctx.err(vline, f"parameter '{name}': value must be a date")
        return None
    elif ptype == "boolean" and not isinstance(value, bool):
        ctx.err(vline, f"parameter '{name}': value must be true or false")
        return None
    elif ptype == "text" and not isinstance(value, str):
        ctx.err(vline, f"parameter '{name}': value must be text")
        return None
    unconfirmed = spec.get("unconfirmed", False)
    if not isinstance(unconfirmed, bool):
        ctx.err(spec.lines["unconfirmed"], f"parameter '{name}': 'unconfirmed' must be true or false")
        return None
    return Parameter(name, ptype, value, str(spec.get("label") or ""), unconfirmed, line)


def _load_condition(c: Any, ctx: _Ctx, params: dict[str, Parameter], documents: tuple[str, ...]) -> Condition | None:
    if not isinstance(c, _Map):
        ctx.err(getattr(c, "line", 0), "a condition must be a mapping")
        return None
    n_errors = len(ctx.errors)
    known = {"id", "label", "article", "kind", "expr", "observed", "op", "required", "lever", "note"}
    for key in c:
        if key not in known:
            ctx.err(c.lines[key], f"unknown key '{key}' in condition")
    cid = ctx.text(c, "id")
    if cid is not None and not re.match(r"^[a-z][a-z0-9_]*$", cid):
        ctx.err(c.lines["id"], f"condition id '{cid}' must match [a-z][a-z0-9_]*")
    label = ctx.text(c, "label")
    article = ctx.text(c, "article")
    kind = ctx.text(c, "kind")
    note = ctx.text(c, "note", required=False)
    if article is not None:
        m = _ARTICLE.match(article)
        if m is None:
            ctx.err(
                c.lines["article"],
                f"article '{article}' must read '<document number> 第X条（Y）', e.g. "
                "'国科发火〔2016〕32号 第十一条（五）'",
            )
        elif documents and m.group("doc") not in documents:
            ctx.err(
                c.lines["article"],
                f"article '{article}' cites {m.group('doc')}, not one of this "
                f"version's documents ({', '.join(documents)})",
            )
    if kind is not None and kind not in CONDITION_KINDS:
        ctx.err(c.lines["kind"], f"condition kind '{kind}' must be one of {', '.join(CONDITION_KINDS)}")
    data_keys = [k for k in ("expr", "observed", "op", "required", "lever") if k in c]
    if kind != "data":
        for k in data_keys:
            ctx.err(c.lines[k], f"'{k}' is only for data conditions (this one is {kind})")
        if len(ctx.errors) > n_errors or None in (cid, label, article, kind):
            return None
        assert cid is not None and label is not None and article is not None and kind is not None
        return Condition(cid, label, article, kind, c.line, note)
    # data condition: the comparison
    observed_sql: str | None = None
    op: Op | None = None
    required_sql: str | None = None
    observed_t: str | None = None
    feats: set[str] = set()
    if "expr" in c:
        if any(k in c for k in ("observed", "op", "required")):
            ctx.err(c.lines["expr"], "give either 'expr' or 'observed'/'op'/'required', not both")
        else:
            line = c.lines["expr"]
            tree = _parse(str(c["expr"]), line, ctx)
            if tree is not None:
                if type(tree) not in OPS:
                    ctx.err(line, "'expr' must be one comparison <observed> (>=|>|<=|<|=) <required>")
                else:
                    op = OPS[type(tree)]
                    assert isinstance(tree, exp.Binary)
                    observed_sql = tree.left.sql(dialect="duckdb")
                    required_sql = tree.right.sql(dialect="duckdb")
    else:
        for k in ("observed", "op", "required"):
            if k not in c:
                ctx.err(c.line, f"data condition needs 'expr' or '{k}'")
        if all(k in c for k in ("observed", "op", "required")):
            op_text = str(c["op"])
            if op_text not in OPS.values():
                ctx.err(c.lines["op"], f"op '{op_text}' must be one of >=, >, <=, <, =")
            else:
                op = op_text  # type: ignore[assignment]
                observed_sql, required_sql = str(c["observed"]), str(c["required"])
    if observed_sql is not None and required_sql is not None and op is not None:
        line = c.lines.get("expr", c.lines.get("observed", c.line))
        lt = _typed(observed_sql, line, ctx, params, feats)
        rt = _typed(required_sql, c.lines.get("required", line), ctx, params, feats)
        if lt is not None and rt is not None:
            if not _comparable(lt, rt):
                ctx.err(line, f"type error: cannot compare {lt} with {rt} ({observed_sql} {op} {required_sql})")
            elif op != "=" and lt in ("boolean", "text"):
                ctx.err(line, f"type error: {op} on {lt}")
            observed_t = lt if lt != "number" else rt
    lever: Lever | None = None
    lever_feats: set[str] = set()
    if "lever" in c:
        raw = c["lever"]
        if not isinstance(raw, _Map) or "per" not in raw:
            ctx.err(c.lines["lever"], "'lever' needs 'per' (a feature expression), 'unit' and 'what'")
        else:
            per = str(raw["per"])
            pt = _typed(per, raw.lines["per"], ctx, {}, lever_feats)
            if pt is not None and pt not in NUMERIC:
                ctx.err(raw.lines["per"], f"type error: lever 'per' must be numeric, not {pt}")
            lever = Lever(per, str(raw.get("unit") or ""), str(raw.get("what") or ""))
    if len(ctx.errors) > n_errors or None in (cid, label, article, observed_sql, required_sql, op):
        return None
    assert cid is not None and label is not None and article is not None
    return Condition(
        cid, label, article, "data", c.line, note,
        observed=observed_sql, op=op, required=required_sql, observed_type=observed_t,
        lever=lever, features=tuple(sorted(feats)), lever_features=tuple(sorted(lever_feats)),
    )  # fmt: skip


def _parse(text: str, line: int, ctx: _Ctx) -> exp.Expr | None:
    try:
        return sqlglot.parse_one(text, dialect="duckdb")
    except sqlglot.errors.ParseError as e:
        ctx.err(line, f"cannot parse '{text}': {str(e).splitlines()[0]}")
        return None


def _typed(text: str, line: int, ctx: _Ctx, params: dict[str, Parameter], feats: set[str]) -> str | None:
    tree = _parse(text, line, ctx)
    if tree is None:
        return None
    try:
        return _type_of(tree, params, feats)
    except _TypeErr as e:
        ctx.err(line, f"{e} (in '{text}')")
        return None


class _TypeErr(Exception):
    pass


def _comparable(a: str, b: str) -> bool:
    if a == b:
        return True
    if "number" in (a, b):
        return (a if b == "number" else b) in NUMERIC
    return {a, b} <= {"count", "integer"}


def _type_of(node: exp.Expr, params: dict[str, Parameter], feats: set[str]) -> str:
    """The value type of a condition expression; raises _TypeErr on anything not allowed."""
    t = _type_of
    if isinstance(node, exp.Paren):
        return t(node.this, params, feats)
    if isinstance(node, exp.Column):
        if node.table:
            if node.table != PARAM_PREFIX or node.db:
                raise _TypeErr(f"unknown name '{node.sql()}' (parameters are written param.<name>)")
            if node.name not in params:
                raise _TypeErr(f"undeclared parameter '{node.name}'")
            return params[node.name].type
        if node.name not in FEATURE_BY_NAME:
            raise _TypeErr(f"unknown feature '{node.name}'")
        f = FEATURE_BY_NAME[node.name]
        if f.sql_type.endswith("[]"):
            raise _TypeErr(f"feature '{node.name}' is a list")
        feats.add(node.name)
        return f.type
    if isinstance(node, exp.Literal):
        return "text" if node.is_string else "number"
    if isinstance(node, exp.Boolean):
        return "boolean"
    if isinstance(node, exp.Neg):
        inner = t(node.this, params, feats)
        if inner not in NUMERIC:
            raise _TypeErr(f"type error: cannot negate {inner}")
        return inner
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div)):
        a, b = t(node.left, params, feats), t(node.right, params, feats)
        if a not in NUMERIC or b not in NUMERIC:
            raise _TypeErr(f"type error: arithmetic on {a} and {b}")
        if isinstance(node, (exp.Add, exp.Sub)):
            if not _comparable(a, b):
                raise _TypeErr(f"type error: cannot add or subtract {a} and {b}")
            return b if a == "number" else a
        if isinstance(node, exp.Mul):
            if a == "number" or b == "number":
                return b if a == "number" else a
            if {a, b} == {"money", "ratio"}:
                return "money"
            if a == b == "ratio":
                return "ratio"
            if {a, b} <= {"count", "integer", "ratio"}:
                return "count" if "count" in (a, b) else a if a != "ratio" else b
            raise _TypeErr(f"type error: cannot multiply {a} by {b}")
        if b == "number":
            return a
        if a == b or {a, b} <= {"count", "integer"}:
            return "ratio"
        if a == "money" and b == "ratio":
            return "money"
        raise _TypeErr(f"type error: cannot divide {a} by {b}")
    if isinstance(node, (exp.And, exp.Or)):
        for side in (node.left, node.right):
            st = t(side, params, feats)
            if st != "boolean":
                raise _TypeErr(f"type error: AND/OR on {st}")
        return "boolean"
    if isinstance(node, exp.Not):
        if t(node.this, params, feats) != "boolean":
            raise _TypeErr("type error: NOT on a non-boolean")
        return "boolean"
    if isinstance(node, exp.Binary) and (type(node) in OPS or isinstance(node, exp.NEQ)):
        a, b = t(node.left, params, feats), t(node.right, params, feats)
        if not _comparable(a, b):
            raise _TypeErr(f"type error: cannot compare {a} with {b}")
        return "boolean"
    if isinstance(node, exp.Case):
        if node.this is not None:
            raise _TypeErr("use CASE WHEN <condition> THEN … (the simple CASE x WHEN … form is not allowed)")
        types: list[str] = []
        for when in node.args.get("ifs") or []:
            if t(when.this, params, feats) != "boolean":
                raise _TypeErr("type error: CASE WHEN needs a boolean condition")
            types.append(t(when.args["true"], params, feats))
        default = node.args.get("default")
        if default is None:
            raise _TypeErr("CASE needs an ELSE branch")
        types.append(t(default, params, feats))
        return _unify(types, "CASE branches")
    if type(node) in ALLOWED_FUNCTIONS:
        args = [a for a in (node.this, *node.expressions) if isinstance(a, exp.Expr)]
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            dec = node.args["decimals"]
            if not (isinstance(dec, exp.Literal) and not dec.is_string):
                raise _TypeErr("round() takes a literal number of decimals")
        types = [t(a, params, feats) for a in args]
        out = _unify(types, ALLOWED_FUNCTIONS[type(node)] + "()")
        if out not in NUMERIC:
            raise _TypeErr(f"type error: {ALLOWED_FUNCTIONS[type(node)]}() on {out}")
        return out
    if isinstance(node, (exp.Subquery, exp.Select, exp.Exists, exp.Query)):
        raise _TypeErr("subqueries are not allowed")
    if isinstance(node, exp.Func):
        name = node.sql_name() if hasattr(node, "sql_name") else type(node).__name__
        raise _TypeErr(
            f"function {name} is not allowed (allowed: CASE, {', '.join(sorted(ALLOWED_FUNCTIONS.values()))})"
        )
    raise _TypeErr(f"construct not allowed: {node.sql(dialect='duckdb')}")


def _unify(types: list[str], what: str) -> str:
    concrete = [x for x in types if x != "number"]
    if not concrete:
        return "number"
    first = concrete[0]
    for x in concrete[1:]:
        if not _comparable(first, x):
            raise _TypeErr(f"type error: {what} mix {first} and {x}")
    return first


def substitute_params(sql_text: str, params: dict[str, Parameter]) -> exp.Expr:
    """Parse a condition expression and replace param.<name> by the parameter's literal."""
    tree = sqlglot.parse_one(sql_text, dialect="duckdb")

    def repl(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.table == PARAM_PREFIX:
            return sqlglot.parse_one(params[node.name].sql(), dialect="duckdb")
        return node

    return tree.transform(repl)


def ruleset_hash(policies: list[Policy]) -> str:
    """sha256 over (policy id, file sha256) of the given policies, in id order."""
    h = hashlib.sha256()
    for p in sorted(policies, key=lambda p: p.id):
        h.update(f"{p.id}\0{p.sha256}\n".encode())
    return h.hexdigest()
