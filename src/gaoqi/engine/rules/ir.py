"""The rules as a typed intermediate representation: frozen dataclasses, no SQL text.

A policy file's expressions (``expr``, ``screen``, band tests, ``waived_if``, ``lever.per``, benefit
amounts, combined scores) are parsed once by ``load`` and kept as trees of the nodes below. Every node
carries its value type (``typecheck`` computed it at load): money, ratio, count, integer, date, boolean,
text, or ``number`` for a bare numeric literal. ``compile`` turns a tree into a SQLGlot expression
(DuckDB or Spark), ``interpret`` evaluates it in Python for one enterprise.

``Paren`` keeps the author's parentheses: it means nothing to the value, but the file's text (shown in
explanations and by ``gaoqi policies show``) and the compiled SQL read as written.

``str(node)`` gives the expression as the policy file's DSL (``param.<name>``, ``score.<id>``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal as TypingLiteral

ValueType = TypingLiteral["money", "ratio", "count", "integer", "date", "boolean", "text", "number"]
Op = TypingLiteral[">=", ">", "<=", "<", "="]
CompareOp = TypingLiteral[">=", ">", "<=", "<", "=", "<>"]
ArithOp = TypingLiteral["+", "-", "*", "/"]
FuncName = TypingLiteral["least", "greatest", "abs", "round"]


class Expr:
    """A typed expression node (every subclass is a frozen dataclass with a ``type`` field)."""

    type: str

    def children(self) -> tuple[Expr, ...]:
        return ()

    def walk(self) -> Iterator[Expr]:
        """This node and every node below it, depth first, left to right."""
        yield self
        for child in self.children():
            yield from child.walk()

    def __str__(self) -> str:
        # rendered once and kept on the node (a memo, not a field: not compared, hashed or shown by repr); the
        # policy cache pickles it, so that a cached policy shows its text without sqlglot (rules.load)
        text = self.__dict__.get("_text")
        if text is None:
            from gaoqi.engine.rules.compile import source_text  # the DSL text is rendered by the one visitor

            text = source_text(self)
            object.__setattr__(self, "_text", text)
        return str(text)


@dataclass(frozen=True)
class Feature(Expr):
    """A ``profile`` column (``features.FEATURES``)."""

    name: str
    type: str


@dataclass(frozen=True)
class Param(Expr):
    """A version parameter, ``param.<name>`` (bound to its value as an exact literal when compiled)."""

    name: str
    type: str


@dataclass(frozen=True)
class Literal(Expr):
    """A number (Decimal, type ``number``), text or TRUE/FALSE."""

    value: Decimal | str | bool
    type: str


@dataclass(frozen=True)
class ScoreRef(Expr):
    """``score.<id>``: a score's points (an interval [min, max] per enterprise, see ADR 0005)."""

    id: str
    type: str = "integer"


@dataclass(frozen=True)
class Paren(Expr):
    """The author's parentheses (no meaning of their own)."""

    inner: Expr
    type: str

    def children(self) -> tuple[Expr, ...]:
        return (self.inner,)


@dataclass(frozen=True)
class Arith(Expr):
    op: ArithOp
    left: Expr
    right: Expr
    type: str

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr
    type: str

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Compare(Expr):
    op: CompareOp
    left: Expr
    right: Expr
    type: str = "boolean"

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class And(Expr):
    left: Expr
    right: Expr
    type: str = "boolean"

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Or(Expr):
    left: Expr
    right: Expr
    type: str = "boolean"

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Not(Expr):
    operand: Expr
    type: str = "boolean"

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class In(Expr):
    """``value IN (literal, …)``."""

    value: Expr
    items: tuple[Expr, ...]
    type: str = "boolean"

    def children(self) -> tuple[Expr, ...]:
        return (self.value, *self.items)


@dataclass(frozen=True)
class Case(Expr):
    """``CASE WHEN c1 THEN v1 … ELSE default END`` (the ELSE is required)."""

    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr
    type: str

    def children(self) -> tuple[Expr, ...]:
        return (*(x for pair in self.whens for x in pair), self.default)


@dataclass(frozen=True)
class Func(Expr):
    """least, greatest, abs or round; round's optional second argument is a literal number of decimals."""

    name: FuncName
    args: tuple[Expr, ...]
    type: str

    def children(self) -> tuple[Expr, ...]:
        return self.args


def unparen(node: Expr) -> Expr:
    while isinstance(node, Paren):
        node = node.inner
    return node


def features_of(*nodes: Expr | None) -> tuple[str, ...]:
    """The features read, sorted."""
    return tuple(sorted({n.name for node in nodes if node is not None for n in node.walk() if isinstance(n, Feature)}))


def scores_of(*nodes: Expr | None) -> tuple[str, ...]:
    """The scores read, sorted."""
    return tuple(sorted({n.id for node in nodes if node is not None for n in node.walk() if isinstance(n, ScoreRef)}))


# ------------------------------------------------------------------------------------------------------
# The policy structure


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    value: Decimal | date | bool | str  # Decimal for numbers
    label: str
    unconfirmed: bool
    line: int


@dataclass(frozen=True)
class Lever:
    """The amount closing a gap = (required − observed) × ``per`` (a feature expression), in ``unit``."""

    per: Expr
    unit: str
    what: str


@dataclass(frozen=True)
class Band:
    """One grade of a banded score: points ``lo``–``hi`` when ``when`` (a boolean tree) holds; ``when`` None =
    every other case (the last band). Value bands (``at_least``/``above``) also keep ``threshold``: (">=" or
    ">", the threshold), compared with the score's value; their ``when`` is ``(value) op (threshold)``."""

    grade: str
    lo: int
    hi: int
    when: Expr | None
    threshold: tuple[str, Expr] | None = None


@dataclass(frozen=True)
class Score:
    """A scored item of a version (an innovation-capacity sub-item, a tech-SME indicator).

    Every score is an interval [min, max] per enterprise: a banded ``data`` score is one band's points
    (an unknown input widens it to the lowest and highest band), an ``expert`` score is [min_points,
    max_points] until an expert scores it, and a combined score (``expr``: sums, least, greatest of other
    scores) maps the intervals through. Conditions reading ``score.<id>`` are decided on the interval:
    pass when even its minimum passes, fail when even its maximum fails, else unknown."""

    id: str
    label: str
    article: str | None
    assessed_by: str  # data | expert | combined
    max_points: int | None
    line: int
    min_points: int = 0
    value: Expr | None = None  # the measured value (value bands compare it)
    bands: tuple[Band, ...] = ()
    expr: Expr | None = None  # combined scores: over score.<id>, params and literals
    features: tuple[str, ...] = ()
    scores: tuple[str, ...] = ()  # the scores a combined score reads
    note: str | None = None
    value_type: str | None = None
    #: a data score computed by a formula (``points:``) over features and parameters instead of bands: its
    #: interval is [value, value], or [min_points, max_points] when the formula is NULL (an input unknown)
    formula: Expr | None = None


@dataclass(frozen=True)
class Waiver:
    """A data test that, when TRUE, passes a condition outright (e.g. direct qualification)."""

    when: Expr
    label: str
    article: str | None
    features: tuple[str, ...]


@dataclass(frozen=True)
class Benefit:
    """What a pass is worth: ``amount`` (money over features and parameters), in 万元."""

    amount: Expr
    label: str
    features: tuple[str, ...]
    unconfirmed: bool = False
    #: how often an enterprise may receive it (免申即享 records are unique per enterprise, policy and period):
    #: ``year`` (once per as-of year, the DEFAULT) or ``once`` (a one-off award: once ever)
    period: str = "year"


@dataclass(frozen=True)
class Condition:
    id: str
    label: str
    article: str
    kind: str  # data | attested | expert
    line: int
    note: str | None = None
    # data conditions, and the data screens of attested/expert ones: observed op required
    observed: Expr | None = None
    op: Op | None = None
    required: Expr | None = None
    observed_type: str | None = None
    lever: Lever | None = None
    features: tuple[str, ...] = ()  # the features the comparison reads (observed and required)
    lever_features: tuple[str, ...] = ()
    scores: tuple[str, ...] = ()  # the scores the observed side reads (interval semantics)
    waiver: Waiver | None = None

    @property
    def screened(self) -> bool:
        """An attested or expert condition with a data screen: the data can fail it, not pass it."""
        return self.kind != "data" and self.observed is not None

    @property
    def expr(self) -> str | None:
        """The comparison as the policy file's DSL text (for people: explanations, ``policies show``)."""
        if self.observed is None:
            return None
        return f"{self.observed} {self.op} {self.required}"

    @property
    def observed_feature(self) -> str | None:
        """The feature name when the observed side is one feature, else None."""
        return self.observed.name if isinstance(self.observed, Feature) else None


#: The severities of a warning (``kind: warning``), lowest first.
SEVERITIES: tuple[str, ...] = ("INFO", "WARN", "HIGH", "CRITICAL")


@dataclass(frozen=True)
class Escalation:
    """A warning version's ``escalate`` item: the warning is raised at ``severity`` when ``when`` (a boolean tree
    over the warning subject's features and the version's parameters) is TRUE; the first that holds wins (an
    unknown test does not hold)."""

    severity: str
    when: Expr
    line: int
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyVersion:
    id: str
    valid_from: date
    valid_to: date | None
    documents: tuple[str, ...]
    parameters: dict[str, Parameter]
    conditions: tuple[Condition, ...]
    line: int
    scores: tuple[Score, ...] = ()
    benefit: Benefit | None = None
    notes: str | None = None
    sha256: str = field(default="", repr=False)  # the policy file's, for the compile cache
    #: ``application`` (the enterprise applies: 快申快享 or the standard route) or ``automatic`` (免申即享: the
    #: loader admits it only when every condition and score is data and the benefit amount is computable)
    delivery: str = "application"
    #: warnings only (``kind: warning``): the severity a raised warning has (``SEVERITIES``), and the escalations
    #: tried first, in file order
    severity: str | None = None
    escalations: tuple[Escalation, ...] = ()

    def score(self, score_id: str) -> Score:
        return next(s for s in self.scores if s.id == score_id)

    def in_force(self, as_of: date) -> bool:
        return self.valid_from <= as_of and (self.valid_to is None or as_of <= self.valid_to)


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    authority: str
    document_number: str
    kind: str  # certification | recognition | subsidy | tax | list: one compiler path for all
    versions: tuple[PolicyVersion, ...]
    file: str
    sha256: str = field(repr=False)
    #: what the policy is evaluated over (``rules.subjects``): ``enterprise`` (``profile``) or ``incubator``
    subject: str = "enterprise"

    def version_at(self, as_of: date) -> PolicyVersion | None:
        return next((v for v in self.versions if v.in_force(as_of)), None)
