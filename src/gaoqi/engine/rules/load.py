"""Policies as data: ``policies/*.yaml`` loaded, validated, type-checked and turned into the IR (``ir``).

A policy file describes one programme (HTE certification, a subsidy, …) and its dated versions. Each
version holds typed parameters and the conditions of the text. A ``data`` condition is a small SQL
comparison over ``profile`` feature names (``features.FEATURES``) and the version's parameters; the
expressions are parsed once (SQLGlot, DuckDB dialect) and converted to typed IR trees (``to_ir``, with the
type rules of ``typecheck``); ``compile`` turns a version into one set-based SQL statement.

File format (see ``policies/hte-certification.yaml`` for a complete example)::

    id: hte-certification                  # [a-z0-9-]+, unique across files
    name: 高新技术企业认定
    authority: 科技部 财政部 国家税务总局
    document_number: 国科发火〔2016〕32号
    kind: certification                    # certification | recognition | subsidy | tax | list | evaluation
    subject: enterprise                    # optional: enterprise (profile) | incubator (rules/subjects.py)
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
            lever: {per: sales_revenue_window, unit: 万元, what: 增加研究开发费用}   # optional

        scores:                            # optional: scored items, see "Scores" below
          - id: st_staff
            label: 科技人员指标
            article: 国科发政〔2017〕115号 第七条（一）
            assessed_by: data                # data (bands decided by the data) | expert (points by experts)
            max: 20
            value: st_staff_share            # optional; bands then test it with at_least / above
            bands:                           # first band whose test is TRUE; the last band has no test
              - {grade: A, at_least: 0.30, points: 20}
              - {grade: F, points: 0}        # points: N or [low, high] (experts choose inside)
          - id: total
            label: 综合评价得分
            expr: score.st_staff + score.rd_input   # combined: +, least(), greatest() of scores only
        conditions:
          - …
          - id: score_pass
            kind: data
            expr: score.total >= param.pass_min
            waived_if: {when: has_hte_certificate = TRUE, label: 直接确认…, article: …第八条（一）}
          - id: innovation_score
            kind: expert
            screen: score.innovation_total > param.pass_above   # the data can fail an expert item
        benefit: {amount: param.reward, label: 一次性奖励10万元}  # optional, money (万元) per passing enterprise
                                         # optional 'period: year | once' (default year): how often it is given
        delivery: automatic                # optional, per version: application (default) | automatic (免申即享)

``delivery`` may also stand at the top of the file (the default of every version; a version's own wins).
``automatic`` (免申即享: paid without an application) is refused unless every condition is ``data``, no score is
assessed by experts and the version has a ``benefit`` amount (``rules/mode.py``; the platform's ``benefits`` app
records what it gives).

Scores: every score is an interval [min, max] per enterprise. A ``data`` score takes the points of its band
(an unknown band test leaves the whole range of the bands); an ``expert`` score is [min, max] until an
expert scores it; a combined score maps its inputs' intervals through its sum/least/greatest. A condition
reading ``score.<id>`` (observed side only) passes when even the interval's minimum passes, fails when even
its maximum fails, and is unknown otherwise (ADR 0005).

A ``screen`` on an attested or expert condition is a data comparison that can fail it (outcome ``fail``)
but never pass it: otherwise it stays pending. ``waived_if`` passes a data condition outright when its
boolean test is TRUE (e.g. direct qualification).

Articles cite ``<document number> 第X条（Y）``, a section (``国科发火〔2016〕195号 二（四）``) or an annex
(``附件2``); documents without a 〔year〕number are cited by their exact name in ``documents``, a space and
the part.

Expression rules (checked at load, errors carry file and line):

* ``expr`` must be one comparison ``<observed> <op> <required>`` with op in ``>= > <= < =``; the two
  sides are the structured form the evaluator uses for gaps ("by how much"). Alternatively write
  ``observed:``, ``op:`` and ``required:`` separately; ``expr`` is then derived.
* Scores may also be formulas: ``points: <numeric expression>`` instead of bands (README: formula scores).
* Names: the subject's features (``features.FEATURES`` for enterprises, ``features.incubator.FEATURES`` for
  ``subject: incubator``) and parameters as ``param.<name>`` (declared in the
  version's ``parameters``). Literals: numbers, strings, TRUE/FALSE. No subqueries, no ``*``.
* Operators and functions: ``+ - * /``, comparisons, ``AND OR NOT``, ``x IN (literal, …)`` and ``CASE WHEN
  … THEN … ELSE … END`` (ELSE required), and the functions in ``ALLOWED_FUNCTIONS`` (least, greatest, abs,
  round). ``IS NULL``
  and COALESCE are not allowed: missing data is the engine's business — a data condition with any NULL
  input feature is *unknown*, never false and never 0.
* Types: money, ratio, count, integer, date, boolean, text, plus ``number`` for bare literals. Comparisons
  need compatible types (money vs money, ratio vs ratio/number, count/integer vs count/integer/number,
  date vs date, boolean vs boolean, text vs text; a bare number literal fits any numeric type); ``money /
  money`` is a ratio, ``money * ratio`` money; anything else (e.g. ratio vs money) is a type error.
* ``lever`` (optional): the amount that would close the gap = (required − observed) × ``per`` (a feature
  expression), shown in ``unit``; e.g. extra R&D = (required ratio − ratio) × sales over the window.
  ``what`` is a Chinese verb phrase: the gap text ends '；约需{what} {amount}{unit}'.
* Versions of one policy must not overlap and leave no gap (next valid_from = previous valid_to + 1 day).
* ``article`` must read ``<document number> 第X条[（Y）]…`` and cite one of the version's ``documents``.

Warning rules (``kind: warning``, ADR 0029; the subject ``warning`` is implied): every condition is ``data``
and must hold for the warning to be raised (unknown = not raised); each version has ``severity: INFO | WARN |
HIGH | CRITICAL`` and optionally ``escalate: [{severity: HIGH, when: <boolean expression>}]`` (first that
holds wins); no scores, benefit or delivery. They read the enterprise features and ``features.warning``'s, and
are loaded apart (``load_policies(dir, "warning")``): every enterprise consumer is unchanged.

``load_policies(dir)`` returns the policies (raises ``PolicyLoadError`` listing every error);
``check_policies(dir)`` returns the errors.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import itertools
import os
import pickle
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from gaoqi.engine.features import FEATURE_BY_NAME
from gaoqi.engine.features.declare import Feature
from gaoqi.engine.lazy import LazyMapping, LazyModule
from gaoqi.engine.rules import ir, typecheck
from gaoqi.engine.rules.ir import (
    SEVERITIES,
    Band,
    Benefit,
    Condition,
    Escalation,
    Lever,
    Op,
    Parameter,
    Policy,
    PolicyVersion,
    Score,
    Waiver,
)
from gaoqi.engine.rules.mode import BENEFIT_PERIODS, DELIVERIES, automatic_refusals
from gaoqi.engine.rules.subjects import DEFAULT_SUBJECT, SUBJECTS
from gaoqi.engine.rules.typecheck import NUMERIC, TypeErr

if TYPE_CHECKING:
    import sqlglot
    import yaml
    from sqlglot import exp
else:  # imported on first use (gaoqi.engine.lazy): a policy loaded from the cache
    # (the pickled IR) needs neither sqlglot nor yaml
    sqlglot = LazyModule("sqlglot", globals(), "sqlglot")
    yaml = LazyModule("yaml", globals(), "yaml")
    exp = LazyModule("sqlglot.expressions", globals(), "exp")

PolicyKind = Literal["certification", "recognition", "subsidy", "tax", "list", "evaluation", "warning"]
ConditionKind = Literal["data", "attested", "expert"]

POLICY_KINDS: tuple[str, ...] = ("certification", "recognition", "subsidy", "tax", "list", "evaluation", "warning")
#: A ``kind: warning`` policy is a warning rule (ADR 0029): evaluated over the subject ``warning`` (its subject,
#: implied), only data conditions, a ``severity`` per version and optional ``escalate`` items.
WARNING_KIND = "warning"
CONDITION_KINDS: tuple[str, ...] = ("data", "attested", "expert")
OPS: Mapping[type[exp.Expr], Op] = LazyMapping(
    lambda: {exp.GTE: ">=", exp.GT: ">", exp.LTE: "<=", exp.LT: "<", exp.EQ: "="}
)
PARAM_TYPES: tuple[str, ...] = ("money", "ratio", "count", "integer", "date", "boolean", "text")
#: SQL functions a condition may use (sqlglot expression classes).
ALLOWED_FUNCTIONS: Mapping[type[exp.Expr], str] = LazyMapping(
    lambda: {
        exp.Least: "least",
        exp.Greatest: "greatest",
        exp.Abs: "abs",
        exp.Round: "round",
    }
)
PARAM_PREFIX = "param"
SCORE_PREFIX = "score"
SCORE_KINDS: tuple[str, ...] = ("data", "expert")

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_CN_NUM = "一二三四五六七八九十百零"
#: 国科发火〔2016〕32号 第十一条（五） — document number, then an article, optional item and free text.
#: Guidelines without articles are cited by section: 国科发火〔2016〕195号 二（四）, or by annex: … 附件2. A text
#: whose article numbers were not seen is cited by 正文 and what the passage is: 京科高发〔2022〕117号 正文（试点范围）.
_ARTICLE = re.compile(
    rf"^(?P<doc>\S+〔\d{{4}}〕\d+号) (第[{_CN_NUM}]+条|[{_CN_NUM}]+、?|附件\d*|正文(?=（))(（[{_CN_NUM}]+）)*(\S.*)?$"
)


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


def _parse_yaml(text: str) -> Any:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    return None if node is None else _compose(node)


def parse_located(data: bytes, file: str) -> Any:
    """A YAML file's bytes as located mappings and lists (every value knows its line), or :class:`PolicyLoadError`
    naming the file and, where YAML marks it, the line of the fault: the one way every loader of data files
    (policies, indicators, sub-parks, tags) reads its YAML, so a syntax error reads the same in each."""
    try:
        return _parse_yaml(data.decode("utf-8"))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = int(mark.line) + 1 if mark is not None else 0
        raise PolicyLoadError([PolicyError(file, line, f"invalid YAML: {e.problem or e}")]) from e
    except UnicodeDecodeError as e:
        raise PolicyLoadError([PolicyError(file, 0, f"cannot read: not UTF-8 ({e.reason})")]) from e
    except yaml.YAMLError as e:
        raise PolicyLoadError([PolicyError(file, 0, f"invalid YAML: {e}")]) from e


# ------------------------------------------------------------------------------------------------------
# Loading


class _Ctx:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[PolicyError] = []
        # the features names resolve to: the policy's subject's (set when its 'subject' is read)
        self.features: Mapping[str, Feature] = SUBJECTS[DEFAULT_SUBJECT].features

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


def load_policies(directory: Path | str, subject: str = DEFAULT_SUBJECT) -> list[Policy]:
    """The policies over ``subject`` (``rules.subjects``: enterprises unless asked) in ``directory/*.yaml``,
    sorted by id; raises PolicyLoadError on any error in any file (of whatever subject)."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown policy subject {subject!r} (one of {', '.join(SUBJECTS)})")
    policies, errors = _load(Path(directory))
    if errors:
        raise PolicyLoadError(errors)
    return [p for p in policies if p.subject == subject]


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
        policy = _load_file_cached(path, ctx)
        errors.extend(ctx.errors)
        if policy is not None and not ctx.errors:
            if policy.id in seen:
                errors.append(PolicyError(str(path), 1, f"policy id '{policy.id}' also defined in {seen[policy.id]}"))
                continue
            seen[policy.id] = str(path)
            policies.append(policy)
    return sorted(policies, key=lambda p: p.id), errors


# Checked policies cached by file: YAML parsing, SQLGlot parsing and type checks cost ~0.5 s per CLI call;
# unpickling the IR of an unchanged file costs milliseconds. The key is the file's sha256 and path, the
# engine's code (the stat of the rules and features modules) and the feature registry (names, types,
# units, labels); only files that loaded without errors are stored; an unreadable entry is reloaded.
# $GAOQI_CACHE_DIR, else $XDG_CACHE_HOME/gaoqi, else ~/.cache/gaoqi; GAOQI_POLICY_CACHE=0 turns it off.
_CACHE_FORMAT = "gaoqi-policy-ir/3"
_code_stamp: str | None = None


def _policy_cache_dir() -> Path | None:
    if os.environ.get("GAOQI_POLICY_CACHE", "1") in ("0", "false", "no", ""):
        return None
    base = os.environ.get("GAOQI_CACHE_DIR")
    if base:
        return Path(base) / "policies"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "gaoqi" / "policies"


def _engine_stamp() -> str:
    """The code and registry the IR depends on: the rules and features modules' stat, sqlglot's (it parses the
    expressions and renders their text, which the IR keeps) and the features (all fixed for the life of the
    process: computed once)."""
    global _code_stamp
    if _code_stamp is None:
        here = Path(__file__).resolve().parent
        parts = [_CACHE_FORMAT, sys.version.split()[0]]
        for folder in (here, here.parent / "features"):
            for f in sorted(folder.glob("*.py")):
                st = f.stat()
                parts.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
        spec = importlib.util.find_spec("sqlglot")  # where it is installed, without importing it
        if spec is not None and spec.origin is not None:
            for f in (Path(spec.origin).parent / "__init__.py", Path(spec.origin).parent / "_version.py"):
                found = f.stat() if f.exists() else None
                parts.append(
                    f"sqlglot/{f.name}:{found.st_size}:{found.st_mtime_ns}" if found else f"sqlglot/{f.name}:-"
                )
        for subject in SUBJECTS.values():
            parts += (f"{f.name}:{f.type}:{f.unit}:{f.label}" for f in subject.features.values())
        _code_stamp = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return _code_stamp


def _load_file_cached(path: Path, ctx: _Ctx) -> Policy | None:
    """_load_file, through the cache of checked policies (see _CACHE_FORMAT)."""
    folder = _policy_cache_dir()
    if folder is None:
        return _load_file(path, ctx)
    try:
        data = path.read_bytes()
    except OSError:
        return _load_file(path, ctx)
    key = hashlib.sha256(f"{_engine_stamp()}|{path.resolve()}|{hashlib.sha256(data).hexdigest()}".encode()).hexdigest()
    entry = folder / f"{key}.pickle"
    try:
        cached = pickle.loads(entry.read_bytes())
        if isinstance(cached, Policy) and cached.file == str(path):
            return cached
    except Exception:  # a missing or unreadable entry: load the file
        pass
    policy = _load_file(path, ctx)
    if policy is not None and not ctx.errors:
        _render_texts(policy)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = entry.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(policy, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, entry)
        except OSError:
            pass
    return policy


def _render_texts(value: Any) -> None:
    """Render (``str``) every expression of the policy once, so that the pickle keeps their DSL text (the
    explanations and ``policies show`` print it; rendering it needs sqlglot)."""
    if isinstance(value, ir.Expr):
        str(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _render_texts(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            _render_texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            _render_texts(item)


def _load_file(path: Path, ctx: _Ctx) -> Policy | None:
    try:
        data = path.read_bytes()
    except OSError as e:
        ctx.err(0, f"cannot read: {e}")
        return None
    return _load_text(data, str(path), ctx)


def _load_text(data: bytes, file: str, ctx: _Ctx) -> Policy | None:
    """One policy from the bytes of its YAML (a file's, or a draft's), named ``file``; its errors in ``ctx``."""
    try:
        doc = parse_located(data, file)
    except PolicyLoadError as e:
        ctx.errors.extend(e.errors)
        return None
    if not isinstance(doc, _Map):
        ctx.err(1, "a policy file must be a mapping")
        return None
    known = {"id", "name", "authority", "document_number", "kind", "versions", "notes", "subject", "delivery"}
    for key in doc:
        if key not in known:
            ctx.err(doc.lines[key], f"unknown key '{key}'")
    kind = ctx.text(doc, "kind")
    warning = kind == WARNING_KIND
    subject = ctx.text(doc, "subject", required=False) or (WARNING_KIND if warning else DEFAULT_SUBJECT)
    if subject not in SUBJECTS:
        ctx.err(doc.lines["subject"], f"subject '{subject}' must be one of {', '.join(SUBJECTS)}")
        return None
    if warning != (subject == WARNING_KIND):
        ctx.err(
            doc.lines.get("subject", doc.lines.get("kind", doc.line)),
            "a warning rule (kind: warning) is evaluated over the subject 'warning', and only a warning rule is",
        )
        return None
    if warning and "delivery" in doc:
        ctx.err(doc.lines["delivery"], "a warning rule has no 'delivery' (it is raised, not applied for)")
    ctx.features = SUBJECTS[subject].features
    pid = ctx.text(doc, "id")
    if pid is not None and not _ID.match(pid):
        ctx.err(doc.lines["id"], f"policy id '{pid}' must match [a-z0-9][a-z0-9_-]*")
    name = ctx.text(doc, "name")
    authority = ctx.text(doc, "authority")
    docno = ctx.text(doc, "document_number")
    if kind is not None and kind not in POLICY_KINDS:
        ctx.err(doc.lines["kind"], f"kind '{kind}' must be one of {', '.join(POLICY_KINDS)}")
    delivery = _delivery(doc, ctx) or "application"
    raw_versions = doc.get("versions")
    versions: list[PolicyVersion] = []
    if not isinstance(raw_versions, _List) or not raw_versions:
        ctx.err(doc.lines.get("versions", doc.line), "'versions' must be a non-empty list")
    else:
        for item in raw_versions:
            v = _load_version(item, ctx, docno, delivery=delivery, warning=warning)
            if v is not None:
                versions.append(v)
        _check_intervals(versions, ctx)
        for v in versions:
            for line, message in automatic_refusals(v):
                ctx.err(line, f"policy '{pid}' version '{v.id}': {message}")
    if ctx.errors or None in (pid, name, authority, docno, kind):
        return None
    assert pid is not None and name is not None and authority is not None and docno is not None
    assert kind is not None
    sha = hashlib.sha256(data).hexdigest()
    # each version knows its file's hash: compiled SQL is cached by (file sha256, version id, parameters)
    stamped = tuple(dataclasses.replace(v, sha256=sha) for v in versions)
    return Policy(pid, name, authority, docno, kind, stamped, file, sha, subject)


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


def _delivery(m: _Map, ctx: _Ctx) -> str | None:
    """The ``delivery`` key of a policy or a version: ``application`` | ``automatic``; None when absent."""
    if "delivery" not in m:
        return None
    value = str(m["delivery"])
    if value not in DELIVERIES:
        ctx.err(m.lines["delivery"], f"delivery '{value}' must be one of {', '.join(DELIVERIES)}")
        return None
    return value


def _load_version(
    item: Any, ctx: _Ctx, docno: str | None, *, delivery: str = "application", warning: bool = False
) -> PolicyVersion | None:
    if not isinstance(item, _Map):
        ctx.err(getattr(item, "line", 0), "a version must be a mapping")
        return None
    n_errors = len(ctx.errors)
    known = {"id", "valid_from", "valid_to", "documents", "parameters", "scores", "conditions", "benefit", "notes"}
    known.add("delivery")
    known |= {"severity", "escalate"}
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
    scores: dict[str, Score] = {}
    raw_scores = item.get("scores")
    if raw_scores is not None:
        if not isinstance(raw_scores, _List):
            ctx.err(item.lines["scores"], "'scores' must be a list")
        else:
            for sc in raw_scores:
                score = _load_score(sc, ctx, params, documents, scores)
                if score is not None:
                    scores[score.id] = score
    conditions: list[Condition] = []
    raw_conds = item.get("conditions")
    if not isinstance(raw_conds, _List) or not raw_conds:
        ctx.err(item.lines.get("conditions", item.line), "'conditions' must be a non-empty list")
    else:
        for c in raw_conds:
            cond = _load_condition(c, ctx, params, documents, scores)
            if cond is not None:
                if any(x.id == cond.id for x in conditions):
                    ctx.err(cond.line, f"duplicate condition id '{cond.id}'")
                conditions.append(cond)
    benefit = _load_benefit(item, ctx, params) if "benefit" in item else None
    notes = ctx.text(item, "notes", required=False)
    own_delivery = _delivery(item, ctx)
    severity, escalations = _load_severity(item, ctx, params, conditions, warning=warning)
    if len(ctx.errors) > n_errors or vid is None or valid_from is None:
        return None
    return PolicyVersion(
        vid, valid_from, valid_to, documents, params, tuple(conditions), item.line, tuple(scores.values()),
        benefit, notes, delivery=own_delivery or delivery, severity=severity, escalations=escalations,
    )  # fmt: skip


def _load_severity(
    item: _Map, ctx: _Ctx, params: dict[str, Parameter], conditions: list[Condition], *, warning: bool
) -> tuple[str | None, tuple[Escalation, ...]]:
    """A warning version's ``severity`` and ``escalate`` items (and what a warning rule may not have); for any
    other kind, the refusal of those keys."""
    if not warning:
        for key in ("severity", "escalate"):
            if key in item:
                ctx.err(item.lines[key], f"'{key}' is only for warning rules (kind: warning)")
        return None, ()
    for key in ("scores", "benefit", "delivery"):
        if key in item:
            ctx.err(item.lines[key], f"a warning rule has no '{key}'")
    for c in conditions:
        if c.kind != "data":
            ctx.err(c.line, f"a warning rule's conditions are data conditions, not {c.kind} ('{c.id}')")
    severity = ctx.text(item, "severity")
    if severity is not None and severity not in SEVERITIES:
        ctx.err(item.lines["severity"], f"severity '{severity}' must be one of {', '.join(SEVERITIES)}")
        severity = None
    raw = item.get("escalate")
    if raw is None:
        return severity, ()
    if not isinstance(raw, _List):
        ctx.err(item.lines["escalate"], "'escalate' must be a list of {severity, when}")
        return severity, ()
    out: list[Escalation] = []
    for esc in raw:
        if not isinstance(esc, _Map) or "severity" not in esc or "when" not in esc:
            ctx.err(getattr(esc, "line", item.lines["escalate"]), "an escalation needs 'severity' and 'when'")
            continue
        for key in esc:
            if key not in ("severity", "when"):
                ctx.err(esc.lines[key], f"unknown key '{key}' in escalation")
        level = str(esc["severity"])
        if level not in SEVERITIES:
            ctx.err(esc.lines["severity"], f"severity '{level}' must be one of {', '.join(SEVERITIES)}")
            continue
        when = _typed(str(esc["when"]), esc.lines["when"], ctx, params)
        if when is not None and when.type != "boolean":
            ctx.err(esc.lines["when"], f"type error: an escalation's 'when' must be boolean, not {when.type}")
            continue
        if when is not None:
            out.append(Escalation(level, when, esc.line, ir.features_of(when)))
    return severity, tuple(out)


def _load_benefit(item: _Map, ctx: _Ctx, params: dict[str, Parameter]) -> Benefit | None:
    raw = item["benefit"]
    if not isinstance(raw, _Map) or "amount" not in raw or "label" not in raw:
        ctx.err(item.lines["benefit"], "'benefit' needs 'amount' (money, 万元) and 'label'")
        return None
    for key in raw:
        if key not in ("amount", "label", "unconfirmed", "note", "period"):
            ctx.err(raw.lines[key], f"unknown key '{key}' in benefit")
    period = str(raw.get("period", "year"))
    if period not in BENEFIT_PERIODS:
        ctx.err(raw.lines["period"], f"benefit period '{period}' must be one of {', '.join(BENEFIT_PERIODS)}")
        return None
    amount = _typed(str(raw["amount"]), raw.lines["amount"], ctx, params)
    if amount is not None and amount.type not in ("money", "number"):
        ctx.err(raw.lines["amount"], f"type error: a benefit amount is money (万元), not {amount.type}")
        return None
    if amount is None:
        return None
    return Benefit(
        amount, str(raw["label"]), ir.features_of(amount), bool(raw.get("unconfirmed", False)), period=period
    )


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


def _load_condition(
    c: Any, ctx: _Ctx, params: dict[str, Parameter], documents: tuple[str, ...], scores: dict[str, Score]
) -> Condition | None:
    if not isinstance(c, _Map):
        ctx.err(getattr(c, "line", 0), "a condition must be a mapping")
        return None
    n_errors = len(ctx.errors)
    known = {"id", "label", "article", "kind", "expr", "observed", "op", "required", "lever", "note", "screen"}
    known.add("waived_if")
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
        _check_article(article, c.lines["article"], ctx, documents)
    if kind is not None and kind not in CONDITION_KINDS:
        ctx.err(c.lines["kind"], f"condition kind '{kind}' must be one of {', '.join(CONDITION_KINDS)}")
    if kind != "data":
        for k in ("expr", "observed", "op", "required", "lever", "waived_if"):
            if k in c:
                hint = " (a data screen of an attested or expert condition is written 'screen')" if k == "expr" else ""
                ctx.err(c.lines[k], f"'{k}' is only for data conditions (this one is {kind}){hint}")
        comparison = None
        if "screen" in c:
            comparison = _comparison(str(c["screen"]), c.lines["screen"], ctx, params, scores)
        if len(ctx.errors) > n_errors or None in (cid, label, article, kind):
            return None
        assert cid is not None and label is not None and article is not None and kind is not None
        if comparison is None:
            return Condition(cid, label, article, kind, c.line, note)
        obs, op, req, obs_t, feats, used = comparison
        return Condition(
            cid, label, article, kind, c.line, note, observed=obs, op=op, required=req, observed_type=obs_t,
            features=feats, scores=used,
        )  # fmt: skip
    if "screen" in c:
        ctx.err(c.lines["screen"], "'screen' is for attested and expert conditions; a data condition has 'expr'")
    # data condition: the comparison
    comparison = None
    if "expr" in c:
        if any(k in c for k in ("observed", "op", "required")):
            ctx.err(c.lines["expr"], "give either 'expr' or 'observed'/'op'/'required', not both")
        else:
            comparison = _comparison(str(c["expr"]), c.lines["expr"], ctx, params, scores)
    else:
        for k in ("observed", "op", "required"):
            if k not in c:
                ctx.err(c.line, f"data condition needs 'expr' or '{k}'")
        if all(k in c for k in ("observed", "op", "required")):
            op_text = str(c["op"])
            if op_text not in OPS.values():
                ctx.err(c.lines["op"], f"op '{op_text}' must be one of >=, >, <=, <, =")
            else:
                text = f"({c['observed']}) {op_text} ({c['required']})"
                comparison = _comparison(text, c.lines["observed"], ctx, params, scores)
    lever: Lever | None = None
    if "lever" in c:
        raw = c["lever"]
        if not isinstance(raw, _Map) or "per" not in raw:
            ctx.err(c.lines["lever"], "'lever' needs 'per' (a feature expression), 'unit' and 'what'")
        else:
            per = _typed(str(raw["per"]), raw.lines["per"], ctx, {})
            if per is not None and per.type not in NUMERIC:
                ctx.err(raw.lines["per"], f"type error: lever 'per' must be numeric, not {per.type}")
            if per is not None:
                lever = Lever(per, str(raw.get("unit") or ""), str(raw.get("what") or ""))
    waiver = _load_waiver(c, ctx, params, documents) if "waived_if" in c else None
    if len(ctx.errors) > n_errors or comparison is None or None in (cid, label, article):
        return None
    assert cid is not None and label is not None and article is not None
    obs, op, req, obs_t, feats, used = comparison
    return Condition(
        cid, label, article, "data", c.line, note,
        observed=obs, op=op, required=req, observed_type=obs_t,
        lever=lever, features=feats, lever_features=ir.features_of(lever.per if lever else None), scores=used,
        waiver=waiver,
    )  # fmt: skip


def _check_article(article: str, line: int, ctx: _Ctx, documents: tuple[str, ...]) -> None:
    # documents without a 〔year〕number (an announcement, a statistical standard) are cited by their exact
    # name from the version's 'documents', then a space and the part
    if any(article.startswith(d + " ") and article[len(d) + 1 :].strip() for d in documents if "〔" not in d):
        return
    m = _ARTICLE.match(article)
    if m is None:
        ctx.err(
            line,
            f"article '{article}' must read '<document number> 第X条（Y）' (or a section '二（四）', or '附件N'), "
            "e.g. '国科发火〔2016〕32号 第十一条（五）'",
        )
    elif documents and m.group("doc") not in documents:
        ctx.err(
            line,
            f"article '{article}' cites {m.group('doc')}, not one of this version's documents ({', '.join(documents)})",
        )


_Comparison = tuple[ir.Expr, Op, ir.Expr, str, tuple[str, ...], tuple[str, ...]]


def _comparison(
    text: str, line: int, ctx: _Ctx, params: dict[str, Parameter], scores: dict[str, Score]
) -> _Comparison | None:
    """One comparison ``<observed> <op> <required>``, type-checked: (observed tree, op, required tree,
    observed type, features read, scores read). Scores may appear on the observed side only, in a form
    non-decreasing in each of them (sums, least, greatest)."""
    tree = _parse(text, line, ctx)
    if tree is None:
        return None
    if type(tree) not in OPS:
        ctx.err(line, "'expr' must be one comparison <observed> (>=|>|<=|<|=) <required>")
        return None
    assert isinstance(tree, exp.Binary)
    op = OPS[type(tree)]
    try:
        left = ir.unparen(to_ir(tree.left, params, scores, ctx.features))
        right = ir.unparen(to_ir(tree.right, params, scores, ctx.features))
    except TypeErr as e:
        ctx.err(line, f"{e} (in '{text}')")
        return None
    lt, rt = left.type, right.type
    if ir.scores_of(right):
        ctx.err(line, f"scores belong on the left (observed) side of the comparison ('{text}')")
        return None
    used = ir.scores_of(left)
    if used and not typecheck.monotone_in_scores(left):
        ctx.err(line, f"an observed side with scores may only add, least() or greatest() them ('{left}')")
        return None
    if not typecheck.comparable(lt, rt):
        ctx.err(line, f"type error: cannot compare {lt} with {rt} ({left} {op} {right})")
        return None
    if op != "=" and lt in ("boolean", "text"):
        ctx.err(line, f"type error: {op} on {lt}")
        return None
    return left, op, right, (lt if lt != "number" else rt), ir.features_of(left, right), used


def _load_waiver(c: _Map, ctx: _Ctx, params: dict[str, Parameter], documents: tuple[str, ...]) -> Waiver | None:
    raw = c["waived_if"]
    line = c.lines["waived_if"]
    if not isinstance(raw, _Map) or "when" not in raw or "label" not in raw:
        ctx.err(line, "'waived_if' needs 'when' (a boolean data test) and 'label'")
        return None
    when = _typed(str(raw["when"]), raw.lines["when"], ctx, params)
    if when is not None and when.type != "boolean":
        ctx.err(raw.lines["when"], f"type error: 'waived_if.when' must be boolean, not {when.type}")
        return None
    article = raw.get("article")
    if article is not None:
        _check_article(str(article), raw.lines["article"], ctx, documents)
    if when is None:
        return None
    return Waiver(when, str(raw["label"]), None if article is None else str(article), ir.features_of(when))


def _load_score(
    item: Any, ctx: _Ctx, params: dict[str, Parameter], documents: tuple[str, ...], scores: dict[str, Score]
) -> Score | None:
    if not isinstance(item, _Map):
        ctx.err(getattr(item, "line", 0), "a score must be a mapping")
        return None
    n_errors = len(ctx.errors)
    known = {"id", "label", "article", "assessed_by", "max", "min", "value", "bands", "expr", "note", "points"}
    for key in item:
        if key not in known:
            ctx.err(item.lines[key], f"unknown key '{key}' in score")
    sid = ctx.text(item, "id")
    if sid is not None and not re.match(r"^[a-z][a-z0-9_]*$", sid):
        ctx.err(item.lines["id"], f"score id '{sid}' must match [a-z][a-z0-9_]*")
    if sid is not None and sid in scores:
        ctx.err(item.lines["id"], f"duplicate score id '{sid}'")
    label = ctx.text(item, "label")
    article = ctx.text(item, "article", required=False)
    if article is not None:
        _check_article(article, item.lines["article"], ctx, documents)
    note = ctx.text(item, "note", required=False)

    def whole(key: str) -> int | None:
        if key not in item:
            return None
        v = item[key]
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            ctx.err(item.lines[key], f"score '{key}' must be a whole number ≥ 0, not {v!r}")
            return None
        return v

    max_points, min_points = whole("max"), whole("min") or 0
    if "expr" in item:
        if any(k in item for k in ("bands", "value", "assessed_by")):
            ctx.err(item.lines["expr"], "a combined score has 'expr' only (no 'bands', 'value' or 'assessed_by')")
            return None
        tree = _typed(str(item["expr"]), item.lines["expr"], ctx, params, scores)
        if tree is not None and (
            ir.features_of(tree) or not ir.scores_of(tree) or not typecheck.monotone_in_scores(tree)
        ):
            ctx.err(
                item.lines["expr"],
                "a combined score adds, least()s or greatest()s other scores, parameters and numbers only",
            )
        if len(ctx.errors) > n_errors or None in (sid, label) or tree is None:
            return None
        assert sid is not None and label is not None
        return Score(sid, label, article, "combined", max_points, item.line, expr=tree,
                     scores=ir.scores_of(tree), note=note)  # fmt: skip
    assessed_by = ctx.text(item, "assessed_by")
    if assessed_by is not None and assessed_by not in SCORE_KINDS:
        ctx.err(item.lines["assessed_by"], f"assessed_by '{assessed_by}' must be one of {', '.join(SCORE_KINDS)}")
    if max_points is None:
        ctx.err(item.line, "a scored item needs 'max' (its maximum points)")
    if assessed_by == "expert":
        for k in ("bands", "value"):
            if k in item:
                ctx.err(item.lines[k], f"an expert score has no '{k}': the points are the expert's")
        if len(ctx.errors) > n_errors or None in (sid, label, max_points):
            return None
        assert sid is not None and label is not None and max_points is not None
        return Score(sid, label, article, "expert", max_points, item.line, min_points=min_points, note=note)
    if "points" in item:
        # a formula score: its points computed from features and parameters (no bands)
        for k in ("bands", "value"):
            if k in item:
                ctx.err(item.lines[k], f"a score with 'points' (a formula) has no '{k}'")
        if assessed_by not in (None, "data"):
            ctx.err(item.lines["points"], "'points' (a formula) is for data scores")
        formula = _typed(str(item["points"]), item.lines["points"], ctx, params)
        if formula is not None and formula.type not in NUMERIC:
            ctx.err(item.lines["points"], f"type error: a score's points must be numeric, not {formula.type}")
        if len(ctx.errors) > n_errors or None in (sid, label, max_points) or formula is None:
            return None
        assert sid is not None and label is not None and max_points is not None
        return Score(sid, label, article, "data", max_points, item.line, min_points=min_points,
                     features=ir.features_of(formula), note=note, value_type=formula.type, formula=formula)  # fmt: skip
    value: ir.Expr | None = None
    # a value that parses but does not type-check is given (its error is reported once, at the value)
    value_given = "value" in item and _parses(str(item["value"]))
    if "value" in item:
        value = _typed(str(item["value"]), item.lines["value"], ctx, params)
        if value is not None and value.type not in NUMERIC:
            ctx.err(item.lines["value"], f"type error: a score's value must be numeric, not {value.type}")
    bands: list[Band] = []
    raw_bands = item.get("bands")
    if not isinstance(raw_bands, _List) or not raw_bands:
        ctx.err(item.lines.get("bands", item.line), "a data score needs 'bands' (a non-empty list)")
    else:
        for i, b in enumerate(raw_bands):
            band = _load_band(b, ctx, params, value, value_given, max_points, last=i == len(raw_bands) - 1)
            if band is not None:
                bands.append(band)
    if len(ctx.errors) > n_errors or None in (sid, label, max_points):
        return None
    assert sid is not None and label is not None and max_points is not None
    feats = ir.features_of(value, *(b.when for b in bands))
    return Score(
        sid, label, article, "data", max_points, item.line, value=value, bands=tuple(bands),
        features=feats, note=note, value_type=None if value is None else value.type,
    )  # fmt: skip


def _load_band(
    b: Any,
    ctx: _Ctx,
    params: dict[str, Parameter],
    value: ir.Expr | None,
    value_given: bool,
    max_points: int | None,
    *,
    last: bool,
) -> Band | None:
    if not isinstance(b, _Map) or "grade" not in b or "points" not in b:
        ctx.err(getattr(b, "line", 0), "a band needs 'grade' and 'points' (a number or [low, high])")
        return None
    for key in b:
        if key not in ("grade", "points", "when", "at_least", "above"):
            ctx.err(b.lines[key], f"unknown key '{key}' in band")
    pts = b["points"]
    if isinstance(pts, _List) and len(pts) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in pts):
        lo, hi = int(pts[0]), int(pts[1])
    elif isinstance(pts, int) and not isinstance(pts, bool):
        lo = hi = int(pts)
    else:
        ctx.err(b.lines["points"], f"band points must be a whole number or [low, high], not {pts!r}")
        return None
    if not 0 <= lo <= hi or (max_points is not None and hi > max_points):
        ctx.err(b.lines["points"], f"band points {lo}–{hi} must lie within 0–{max_points}")
    tests = [k for k in ("when", "at_least", "above") if k in b]
    if len(tests) > 1:
        ctx.err(b.line, "a band has one of 'when', 'at_least' or 'above'")
        return None
    when: ir.Expr | None = None
    threshold: tuple[str, ir.Expr] | None = None
    if tests and last:
        ctx.err(b.line, "the last band is the 'otherwise' band: give it no 'when', 'at_least' or 'above'")
        return None
    if tests:
        key = tests[0]
        text = str(b[key])
        line = b.lines[key]
        if key == "when":
            when = _typed(text, line, ctx, params)
            if when is not None and when.type != "boolean":
                ctx.err(line, f"type error: band 'when' must be boolean, not {when.type}")
        elif value is None:
            if not value_given:
                ctx.err(line, f"'{key}' compares the score's 'value', which this score does not have")
        else:
            bound = _typed(text, line, ctx, params)
            if bound is not None and not typecheck.comparable(value.type, bound.type):
                ctx.err(line, f"type error: cannot compare value ({value.type}) with {bound.type}")
            if bound is not None:
                op: ir.CompareOp = ">=" if key == "at_least" else ">"
                threshold = (op, bound)
                when = ir.Compare(op, ir.Paren(value, value.type), ir.Paren(bound, bound.type))
    elif not last:
        ctx.err(b.line, "only the last band may omit its test ('when', 'at_least' or 'above')")
    return Band(str(b["grade"]), lo, hi, when, threshold)


def _parses(text: str) -> bool:
    try:
        sqlglot.parse_one(text, dialect="duckdb")
    except sqlglot.errors.ParseError:
        return False
    return True


def _parse(text: str, line: int, ctx: _Ctx) -> exp.Expr | None:
    try:
        return sqlglot.parse_one(text, dialect="duckdb")
    except sqlglot.errors.ParseError as e:
        ctx.err(line, f"cannot parse '{text}': {str(e).splitlines()[0]}")
        return None


def _typed(
    text: str,
    line: int,
    ctx: _Ctx,
    params: dict[str, Parameter],
    scores: dict[str, Score] | None = None,
) -> ir.Expr | None:
    """The text parsed and converted to a typed IR tree; errors (with the text) go to ``ctx``."""
    tree = _parse(text, line, ctx)
    if tree is None:
        return None
    try:
        return to_ir(tree, params, scores, ctx.features)
    except TypeErr as e:
        ctx.err(line, f"{e} (in '{text}')")
        return None


def to_ir(
    node: exp.Expr,
    params: dict[str, Parameter],
    scores: dict[str, Score] | None = None,
    features: Mapping[str, Feature] | None = None,
) -> ir.Expr:
    """A parsed DSL expression as a typed IR tree; raises TypeErr on anything not allowed.

    Names resolve to features (``features.FEATURES``), parameters (``param.<name>``) and, only when
    ``scores`` is given, scores (``score.<id>``). Each node's type comes from ``typecheck``'s rule for
    its kind, children first (so the first error met is the one reported)."""

    known = FEATURE_BY_NAME if features is None else features

    def t(n: exp.Expr) -> ir.Expr:
        return to_ir(n, params, scores, known)

    if isinstance(node, exp.Paren):
        inner = t(node.this)
        return ir.Paren(inner, inner.type)
    if isinstance(node, exp.Column):
        if node.table:
            if node.table == SCORE_PREFIX and not node.db:
                if scores is None:
                    raise TypeErr(f"scores cannot be used here ('{node.sql()}')")
                if node.name not in scores:
                    raise TypeErr(f"unknown score '{node.name}' (scores are defined before use under 'scores')")
                return ir.ScoreRef(node.name)
            if node.table != PARAM_PREFIX or node.db:
                raise TypeErr(f"unknown name '{node.sql()}' (parameters are written param.<name>)")
            if node.name not in params:
                raise TypeErr(f"undeclared parameter '{node.name}'")
            return ir.Param(node.name, params[node.name].type)
        if node.name not in known:
            raise TypeErr(f"unknown feature '{node.name}'")
        f = known[node.name]
        if f.sql_type.endswith("[]"):
            raise TypeErr(f"feature '{node.name}' is a list")
        return ir.Feature(node.name, f.type)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return ir.Literal(str(node.this), "text")
        return ir.Literal(Decimal(str(node.this)), "number")
    if isinstance(node, exp.Boolean):
        return ir.Literal(bool(node.this), "boolean")
    if isinstance(node, exp.Neg):
        inner = t(node.this)
        return ir.Neg(inner, typecheck.neg(inner.type))
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div)):
        a, b = t(node.left), t(node.right)
        op = _ARITH[type(node)]
        return ir.Arith(op, a, b, typecheck.arith(op, a.type, b.type))
    if isinstance(node, (exp.And, exp.Or)):
        sides = []
        for side in (node.left, node.right):
            s = t(side)
            typecheck.logic(s.type)
            sides.append(s)
        return (ir.And if isinstance(node, exp.And) else ir.Or)(sides[0], sides[1])
    if isinstance(node, exp.Not):
        inner = t(node.this)
        typecheck.negation(inner.type)
        return ir.Not(inner)
    if isinstance(node, exp.In):
        if node.args.get("query") is not None or node.args.get("unnest") is not None:
            raise TypeErr("subqueries are not allowed")
        left = t(node.this)
        items: list[ir.Expr] = []
        for item in node.expressions:
            if not isinstance(item, (exp.Literal, exp.Boolean, exp.Neg)):
                raise TypeErr(f"IN takes a list of literals, not {item.sql(dialect='duckdb')}")
            it = t(item)
            typecheck.in_item(left.type, it.type)
            items.append(it)
        return ir.In(left, tuple(items))
    if isinstance(node, exp.Binary) and (type(node) in OPS or isinstance(node, exp.NEQ)):
        a, b = t(node.left), t(node.right)
        typecheck.compare(a.type, b.type)
        return ir.Compare("<>" if isinstance(node, exp.NEQ) else OPS[type(node)], a, b)
    if isinstance(node, exp.Case):
        if node.this is not None:
            raise TypeErr("use CASE WHEN <condition> THEN … (the simple CASE x WHEN … form is not allowed)")
        whens: list[tuple[ir.Expr, ir.Expr]] = []
        for when in node.args.get("ifs") or []:
            cond = t(when.this)
            typecheck.case_condition(cond.type)
            whens.append((cond, t(when.args["true"])))
        default = node.args.get("default")
        if default is None:
            raise TypeErr("CASE needs an ELSE branch")
        other = t(default)
        return ir.Case(tuple(whens), other, typecheck.case([*(v.type for _, v in whens), other.type]))
    if type(node) in ALLOWED_FUNCTIONS:
        name = ALLOWED_FUNCTIONS[type(node)]
        args = [a for a in (node.this, *node.expressions) if isinstance(a, exp.Expr)]
        decimals: list[ir.Expr] = []
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            dec = node.args["decimals"]
            if not (isinstance(dec, exp.Literal) and not dec.is_string):
                raise TypeErr("round() takes a literal number of decimals")
            decimals.append(ir.Literal(Decimal(str(dec.this)), "number"))
        typed = [t(a) for a in args]
        return ir.Func(name, (*typed, *decimals), typecheck.func(name, [a.type for a in typed]))  # type: ignore[arg-type]
    if isinstance(node, (exp.Subquery, exp.Select, exp.Exists, exp.Query)):
        raise TypeErr("subqueries are not allowed")
    if isinstance(node, exp.Func):
        name = node.sql_name() if hasattr(node, "sql_name") else type(node).__name__
        raise TypeErr(
            f"function {name} is not allowed (allowed: CASE, IN, {', '.join(sorted(ALLOWED_FUNCTIONS.values()))})"
        )
    raise TypeErr(f"construct not allowed: {node.sql(dialect='duckdb')}")


_ARITH: Mapping[type[exp.Expr], ir.ArithOp] = LazyMapping(
    lambda: {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}
)


def ruleset_hash(policies: list[Policy]) -> str:
    """sha256 over (policy id, file sha256) of the given policies, in id order."""
    h = hashlib.sha256()
    for p in sorted(policies, key=lambda p: p.id):
        h.update(f"{p.id}\0{p.sha256}\n".encode())
    return h.hexdigest()


def load_policy_text(text: str, name: str = "draft.yaml") -> Policy:
    """One policy from YAML ``text`` (a draft written in the platform), through exactly the checks a file in
    ``policies/`` goes through (``_load_text``); raises PolicyLoadError whose errors name ``name`` and the
    text's lines. The policy's ``file`` is ``name`` and its ``sha256`` the text's (the compile cache keys on it)."""
    ctx = _Ctx(name)
    policy = _load_text(text.encode("utf-8"), name, ctx)
    if ctx.errors or policy is None:
        raise PolicyLoadError(ctx.errors or [PolicyError(name, 0, "not a policy")])
    return policy
