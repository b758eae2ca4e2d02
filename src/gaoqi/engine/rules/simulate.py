"""What if a parameter changed? The population impact in one pass over ``profile``.

``simulate(con, as_of, policy, overrides, by)`` counts, per district or HTE technical field, how many
enterprises move between pass, fail and unknown when ``with_parameters(version, overrides)`` replaces the
version in force, and what the passing (and possibly passing) enterprises would be paid before and after.

One SELECT over ``profile`` (``one_pass_sql``) gives both outcomes: every condition is computed once, and
only the conditions (and the benefit amount) reading a changed parameter a second time with the new
values — no second evaluation of the whole version, no join of two. When a changed parameter is read by a
score (a band threshold), both versions are evaluated and joined on uscc (``_two_pass_sql``).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import duckdb

from gaoqi.engine.features import MONEY
from gaoqi.engine.lazy import LazyModule
from gaoqi.engine.rules import ir
from gaoqi.engine.rules.compile import (
    compile_condition,
    compile_expr,
    explain_order,
    score_layers,
    status_sql,
    version_sql,
)
from gaoqi.engine.rules.evaluate import check_profile
from gaoqi.engine.rules.ir import Condition, Policy, PolicyVersion

if TYPE_CHECKING:
    import sqlglot
else:  # imported on first use (gaoqi.engine.lazy)
    sqlglot = LazyModule("sqlglot", globals(), "sqlglot")

#: The largest magnitude a simulated parameter may take (amounts are in 万元 or 元; thresholds far below this).
PARAMETER_LIMIT = Decimal(10) ** 15


def with_parameters(version: PolicyVersion, overrides: dict[str, str]) -> PolicyVersion:
    """A copy of ``version`` with some parameter values replaced (text parsed by each parameter's type)."""
    params = dict(version.parameters)
    for name, text in overrides.items():
        if name not in params:
            known = ", ".join(sorted(params))
            raise ValueError(f"policy version {version.id} has no parameter {name!r} (parameters: {known})")
        old = params[name]
        value: Any
        if isinstance(old.value, bool):
            value = text.strip().lower() in ("1", "true", "yes", "是")
        elif isinstance(old.value, Decimal):
            try:
                value = Decimal(text.strip())
            except InvalidOperation as exc:
                raise ValueError(f"参数 {name} 须为数字 ({name} takes a number, not {text[:40]!r})") from exc
            # NaN and Infinity parse as Decimals but are no threshold; nor is a number no column can hold
            if not value.is_finite() or abs(value) >= PARAMETER_LIMIT:
                raise ValueError(
                    f"参数 {name} 须为绝对值小于 10^15 的有限数值 ({name} takes a finite number, not {text[:40]!r})"
                )
        elif isinstance(old.value, date):
            try:
                value = date.fromisoformat(text.strip())
            except ValueError as exc:
                raise ValueError(f"参数 {name} 须为日期 YYYY-MM-DD ({name} takes a date, not {text[:40]!r})") from exc
        else:
            value = text
        params[name] = dataclasses.replace(old, value=value)
    return dataclasses.replace(version, parameters=params)


def simulate(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    policy: Policy,
    overrides: dict[str, str],
    by: str = "district",
) -> dict[str, Any]:
    """The population impact of a parameter change, in one pass over ``profile``: per group (district or
    HTE technical field), how many enterprises move between pass, fail and unknown."""
    check_profile(con, as_of)
    version = policy.version_at(as_of)
    if version is None:
        raise ValueError(f"policy {policy.id} has no version in force at {as_of}")
    changed = with_parameters(version, overrides)
    group = {"district": "district_code", "field": "coalesce(tech_field, '(none)')"}.get(by)
    if group is None:
        raise ValueError("by must be 'district' or 'field'")
    # fiscal cost: what the passing enterprises are paid, before and after; "unknown" rows would cost
    # the same amounts if their outstanding items were settled in their favour
    sql = one_pass_sql(version, changed, set(overrides), as_of, group)
    if sql is None:
        sql = _two_pass_sql(policy, version, changed, as_of, group)
    sqlglot.parse_one(sql, dialect="duckdb")
    rows = con.execute(sql).fetchall()
    groups: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    money = ("cost_before", "cost_after", "potential_before", "potential_after")
    cost: dict[str, Any] = dict.fromkeys(money, Decimal(0))
    group_cost: dict[str, dict[str, Any]] = {}
    for grp, before, after, n, *amounts in rows:
        key = f"{before}→{after}"
        groups.setdefault(str(grp), {})[key] = groups.get(str(grp), {}).get(key, 0) + int(n)
        totals[key] = totals.get(key, 0) + int(n)
        gc = group_cost.setdefault(str(grp), dict.fromkeys(money, Decimal(0)))
        for name, amount in zip(money, amounts, strict=True):
            if amount is not None:
                cost[name] += amount
                gc[name] += amount
    pays = version.benefit is not None
    return {
        "policy_id": policy.id,
        "policy_version": version.id,
        "as_of": as_of.isoformat(),
        "changes": {
            k: {"from": str(version.parameters[k].value), "to": str(changed.parameters[k].value)} for k in overrides
        },
        "by": by,
        "totals": totals,
        "flips": {k: v for k, v in totals.items() if k.split("→")[0] != k.split("→")[1]},
        "groups": groups,
        # 万元; None when the policy pays no amount
        "cost": ({**cost, "change": cost["cost_after"] - cost["cost_before"]} if pays else None),
        "group_cost": (
            {g: {**c, "change": c["cost_after"] - c["cost_before"]} for g, c in group_cost.items()} if pays else None
        ),
    }


def _two_pass_sql(policy: Policy, version: PolicyVersion, changed: PolicyVersion, as_of: date, group: str) -> str:
    """Both versions evaluated in full and joined on uscc (a changed parameter read by a score)."""
    base_sql = version_sql(policy, version, as_of, "")
    new_sql = version_sql(policy, changed, as_of, "")
    outcomes = (
        f"WITH base AS (SELECT uscc, status, benefit_amount AS amount FROM ({base_sql})), "
        f"new AS (SELECT uscc, status, benefit_amount AS amount FROM ({new_sql})) "
        f"SELECT {group} AS grp, base.status AS before, new.status AS after, base.amount AS amount_before, "
        "new.amount AS amount_after FROM base JOIN new USING (uscc) JOIN profile USING (uscc)"
    )
    return _flips_and_cost(outcomes)


def _flips_and_cost(outcomes: str) -> str:
    """Per group, the (before, after) status pairs with their counts, and what the passing (cost) and the
    unknown (potential) enterprises are paid before and after, from rows (grp, before, after, amount_before,
    amount_after)."""
    return (
        "SELECT grp, before, after, count(*) AS n, "
        "sum(CASE WHEN before = 'pass' THEN amount_before END) AS cost_before, "
        "sum(CASE WHEN after = 'pass' THEN amount_after END) AS cost_after, "
        "sum(CASE WHEN before = 'unknown' THEN amount_before END) AS potential_before, "
        "sum(CASE WHEN after = 'unknown' THEN amount_after END) AS potential_after "
        f"FROM ({outcomes}) AS o GROUP BY ALL ORDER BY ALL"
    )


def _params_read(*nodes: ir.Expr | None) -> set[str]:
    return {n.name for node in nodes if node is not None for n in node.walk() if isinstance(n, ir.Param)}


def _condition_params(cond: Condition) -> set[str]:
    """The parameters a condition's outcome reads (its comparison and waiver; a lever decides nothing)."""
    return _params_read(cond.observed, cond.required, None if cond.waiver is None else cond.waiver.when)


def one_pass_sql(
    version: PolicyVersion, changed: PolicyVersion, names: set[str], as_of: date, group: str
) -> str | None:
    """Per group, the (before, after) status pairs with counts and amounts, in one SELECT over ``profile``:
    the outcomes of ``version``'s conditions (``version_sql``'s expressions and status rule) and, a second
    time with the values of ``changed``, only those of the conditions reading a parameter in ``names``.
    None when a score reads one (its layers would have to be duplicated too)."""
    for sc in version.scores:
        bands = [t for b in sc.bands for t in (b.when, None if b.threshold is None else b.threshold[1])]
        if _params_read(sc.value, sc.expr, *bands) & names:
            return None
    data = [c for c in version.conditions if c.kind == "data"]
    pending = any(c.kind != "data" for c in version.conditions)
    cols = [f"{group} AS grp"]
    before: list[str] = []
    after: list[str] = []
    for i, cond in enumerate(explain_order(version)):
        cols.append(f"{compile_condition(cond, version).ok.sql(dialect='duckdb')} AS c{i}_ok")
        before.append(f"c{i}_ok")
        if _condition_params(cond) & names:
            cols.append(f"{compile_condition(cond, changed).ok.sql(dialect='duckdb')} AS n{i}_ok")
            after.append(f"n{i}_ok")
        else:
            after.append(f"c{i}_ok")
    benefit = version.benefit
    if benefit is None:
        cols += [f"CAST(NULL AS {MONEY}) AS amount_before", "amount_before AS amount_after"]
    else:
        cols.append(f"CAST({compile_expr(benefit.amount, version)} AS {MONEY}) AS amount_before")
        new_amount = f"CAST({compile_expr(benefit.amount, changed)} AS {MONEY})"
        cols.append(f"{new_amount if _params_read(benefit.amount) & names else 'amount_before'} AS amount_after")

    scored = score_layers(version, f"SELECT * FROM profile WHERE as_of = DATE '{as_of.isoformat()}'")
    outcomes = (
        f"SELECT grp, {status_sql(before, len(data), pending)} AS before, "
        f"{status_sql(after, len(data), pending)} AS after, amount_before, amount_after "
        f"FROM (SELECT {', '.join(cols)} FROM ({scored}) AS sc) AS c"
    )
    return _flips_and_cost(outcomes)
