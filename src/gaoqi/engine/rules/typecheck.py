"""The type rules of the rules DSL, over the IR.

``load`` builds each node bottom-up and asks the rule of its kind for the node's type (``arith``,
``compare``, …); a rule raises ``TypeErr`` with the message the policy author sees (``load`` adds the file,
line and expression). ``type_of`` re-derives the type of a whole tree by the same rules (a tree built in code
is checked the same way as one loaded from a file).

Types: money, ratio, count, integer, date, boolean, text, plus ``number`` for bare literals. Comparisons
need compatible types (money vs money, ratio vs ratio/number, count/integer vs count/integer/number, date
vs date, boolean vs boolean, text vs text; a bare number fits any numeric type); ``money / money`` is a
ratio, ``money * ratio`` money; anything else (e.g. ratio vs money) is a type error.
"""

from __future__ import annotations

from collections.abc import Sequence

from gaoqi.engine.rules import ir

NUMERIC: frozenset[str] = frozenset({"money", "ratio", "count", "integer", "number"})
FUNCTIONS: tuple[str, ...] = ("least", "greatest", "abs", "round")


class TypeErr(Exception):
    """A type rule broken; the message is the policy author's."""


def comparable(a: str, b: str) -> bool:
    if a == b:
        return True
    if "number" in (a, b):
        return (a if b == "number" else b) in NUMERIC
    return {a, b} <= {"count", "integer"}


def unify(types: Sequence[str], what: str) -> str:
    concrete = [x for x in types if x != "number"]
    if not concrete:
        return "number"
    first = concrete[0]
    for x in concrete[1:]:
        if not comparable(first, x):
            raise TypeErr(f"type error: {what} mix {first} and {x}")
    return first


def neg(inner: str) -> str:
    if inner not in NUMERIC:
        raise TypeErr(f"type error: cannot negate {inner}")
    return inner


def arith(op: str, a: str, b: str) -> str:
    if a not in NUMERIC or b not in NUMERIC:
        raise TypeErr(f"type error: arithmetic on {a} and {b}")
    if op in ("+", "-"):
        if not comparable(a, b):
            raise TypeErr(f"type error: cannot add or subtract {a} and {b}")
        return b if a == "number" else a
    if op == "*":
        if a == "number" or b == "number":
            return b if a == "number" else a
        if {a, b} == {"money", "ratio"}:
            return "money"
        if a == b == "ratio":
            return "ratio"
        if {a, b} <= {"count", "integer", "ratio"}:
            return "count" if "count" in (a, b) else a if a != "ratio" else b
        raise TypeErr(f"type error: cannot multiply {a} by {b}")
    if b == "number":
        return a
    if a == b or {a, b} <= {"count", "integer"}:
        return "ratio"
    if a == "money" and b == "ratio":
        return "money"
    raise TypeErr(f"type error: cannot divide {a} by {b}")


def logic(side: str) -> None:
    """One operand of AND/OR."""
    if side != "boolean":
        raise TypeErr(f"type error: AND/OR on {side}")


def negation(inner: str) -> None:
    if inner != "boolean":
        raise TypeErr("type error: NOT on a non-boolean")


def in_item(left: str, item: str) -> None:
    if not comparable(left, item):
        raise TypeErr(f"type error: {left} IN a list holding {item}")


def compare(a: str, b: str) -> str:
    if not comparable(a, b):
        raise TypeErr(f"type error: cannot compare {a} with {b}")
    return "boolean"


def case_condition(t: str) -> None:
    if t != "boolean":
        raise TypeErr("type error: CASE WHEN needs a boolean condition")


def case(types: Sequence[str]) -> str:
    return unify(types, "CASE branches")


def func(name: str, types: Sequence[str]) -> str:
    out = unify(types, name + "()")
    if out not in NUMERIC:
        raise TypeErr(f"type error: {name}() on {out}")
    return out


def type_of(node: ir.Expr) -> str:
    """The type of a tree by the rules above (raises TypeErr); checks the types the nodes carry."""
    if isinstance(node, (ir.Feature, ir.Param, ir.Literal, ir.ScoreRef)):
        return node.type
    if isinstance(node, ir.Paren):
        out = type_of(node.inner)
    elif isinstance(node, ir.Neg):
        out = neg(type_of(node.operand))
    elif isinstance(node, ir.Arith):
        out = arith(node.op, type_of(node.left), type_of(node.right))
    elif isinstance(node, (ir.And, ir.Or)):
        logic(type_of(node.left))
        logic(type_of(node.right))
        out = "boolean"
    elif isinstance(node, ir.Not):
        negation(type_of(node.operand))
        out = "boolean"
    elif isinstance(node, ir.In):
        left = type_of(node.value)
        for item in node.items:
            in_item(left, type_of(item))
        out = "boolean"
    elif isinstance(node, ir.Compare):
        out = compare(type_of(node.left), type_of(node.right))
    elif isinstance(node, ir.Case):
        types: list[str] = []
        for cond, value in node.whens:
            case_condition(type_of(cond))
            types.append(type_of(value))
        types.append(type_of(node.default))
        out = case(types)
    elif isinstance(node, ir.Func):
        if node.name not in FUNCTIONS:
            raise TypeErr(f"function {node.name} is not allowed")
        args = node.args[:1] if node.name == "round" else node.args
        out = func(node.name, [type_of(a) for a in args])
    else:
        raise TypeErr(f"construct not allowed: {type(node).__name__}")
    if out != node.type:
        raise TypeErr(f"type error: a {type(node).__name__} node says {node.type}, its operands make {out}")
    return out


def monotone_in_scores(node: ir.Expr) -> bool:
    """Is the expression non-decreasing in every score it reads? (sums, least, greatest of scores,
    parameters and literals). Score intervals [min, max] then map to the expression's interval."""
    if isinstance(node, ir.Paren):
        return monotone_in_scores(node.inner)
    if isinstance(node, ir.Arith) and node.op == "+":
        return monotone_in_scores(node.left) and monotone_in_scores(node.right)
    if isinstance(node, ir.Func) and node.name in ("least", "greatest"):
        return all(monotone_in_scores(a) for a in node.args)
    if isinstance(node, (ir.ScoreRef, ir.Param)):
        return True
    return isinstance(node, ir.Literal) and node.type == "number"
