"""typecheck: the type rules over the IR (the file-and-line messages of a policy file are in test_load.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gaoqi.engine.rules import ir
from gaoqi.engine.rules.typecheck import TypeErr, arith, comparable, monotone_in_scores, type_of, unify

RATIO = ir.Feature("hte_rd_ratio", "ratio")
MONEY = ir.Feature("sales_revenue_last_year", "money")
COUNT = ir.Feature("ip_class1_count", "count")
DAYS = ir.Feature("days_since_established", "integer")
FIVE = ir.Literal(Decimal(5), "number")


@pytest.mark.parametrize(
    ("op", "a", "b", "out"),
    [
        ("/", "money", "money", "ratio"),
        ("*", "money", "ratio", "money"),
        ("*", "ratio", "ratio", "ratio"),
        ("*", "count", "ratio", "count"),
        ("+", "count", "integer", "count"),
        ("+", "number", "money", "money"),
        ("/", "money", "ratio", "money"),
        ("/", "count", "integer", "ratio"),
        ("-", "ratio", "number", "ratio"),
    ],
)
def test_arithmetic_types(op: str, a: str, b: str, out: str) -> None:
    assert arith(op, a, b) == out


@pytest.mark.parametrize(
    ("op", "a", "b", "message"),
    [
        ("+", "ratio", "money", "type error: cannot add or subtract ratio and money"),
        ("*", "money", "money", "type error: cannot multiply money by money"),
        ("/", "ratio", "money", "type error: cannot divide ratio by money"),
        ("+", "date", "number", "type error: arithmetic on date and number"),
    ],
)
def test_arithmetic_type_errors(op: str, a: str, b: str, message: str) -> None:
    with pytest.raises(TypeErr) as e:
        arith(op, a, b)
    assert str(e.value) == message


def test_comparable_and_unify() -> None:
    assert comparable("ratio", "number") and comparable("count", "integer") and not comparable("ratio", "money")
    assert not comparable("text", "number") and comparable("date", "date")
    assert unify(["number", "ratio", "number"], "CASE branches") == "ratio"
    with pytest.raises(TypeErr, match="CASE branches mix ratio and money"):
        unify(["ratio", "money"], "CASE branches")


def test_type_of_a_tree_built_in_code() -> None:
    tier = ir.Case(((ir.Compare("<=", MONEY, ir.Literal(Decimal(5000), "number")), ir.Param("t1", "ratio")),),
                   ir.Param("t2", "ratio"), "ratio")  # fmt: skip
    assert type_of(ir.Compare(">=", RATIO, tier)) == "boolean"
    assert type_of(ir.Arith("/", MONEY, MONEY, "ratio")) == "ratio"
    assert type_of(ir.Func("least", (COUNT, DAYS, FIVE), "count")) == "count"
    assert type_of(ir.In(ir.Feature("industry_section", "text"), (ir.Literal("F", "text"),))) == "boolean"


def test_type_of_refuses_a_node_that_misstates_its_type_or_breaks_a_rule() -> None:
    with pytest.raises(TypeErr, match="a Arith node says money, its operands make ratio"):
        type_of(ir.Arith("/", MONEY, MONEY, "money"))
    with pytest.raises(TypeErr, match="type error: cannot compare ratio with money"):
        type_of(ir.Compare(">=", RATIO, MONEY))
    with pytest.raises(TypeErr, match="type error: AND/OR on ratio"):
        type_of(ir.And(RATIO, ir.Literal(True, "boolean")))
    with pytest.raises(TypeErr, match="type error: NOT on a non-boolean"):
        type_of(ir.Not(COUNT))
    with pytest.raises(TypeErr, match="type error: text IN a list holding number"):
        type_of(ir.In(ir.Feature("industry_section", "text"), (FIVE,)))


def test_every_node_knows_its_type() -> None:
    assert ir.Compare(">=", RATIO, FIVE).type == "boolean"
    assert ir.ScoreRef("total").type == "integer"
    assert ir.Paren(MONEY, "money").type == "money"


def test_monotone_in_scores() -> None:
    a, b = ir.ScoreRef("a"), ir.ScoreRef("b")
    cap = ir.Param("cap", "integer")
    assert monotone_in_scores(ir.Arith("+", a, ir.Func("least", (b, cap), "integer"), "integer"))
    assert not monotone_in_scores(ir.Arith("-", a, b, "integer"))
    assert not monotone_in_scores(ir.Arith("+", a, COUNT, "count"))  # features are not allowed beside scores


def test_features_and_scores_read() -> None:
    node = ir.Compare(">=", ir.Arith("+", COUNT, ir.Feature("ip_class2_count", "count"), "count"), FIVE)
    assert ir.features_of(node, None, RATIO) == ("hte_rd_ratio", "ip_class1_count", "ip_class2_count")
    assert ir.scores_of(ir.Arith("+", ir.ScoreRef("b"), ir.ScoreRef("a"), "integer")) == ("a", "b")
    assert str(node) == "ip_class1_count + ip_class2_count >= 5"
