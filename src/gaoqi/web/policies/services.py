"""Policy simulation for municipal officials (audited: a simulation reads the whole population)."""

from __future__ import annotations

from typing import Any

import duckdb

from gaoqi.engine.policies import Policy
from gaoqi.engine.rules import simulate
from gaoqi.web.audit.services import audit_record
from gaoqi.web.intake.selectors import current_snapshot, snapshot_connection


def policy_simulate(actor: Any, policy: Policy, overrides: dict[str, str]) -> dict[str, Any]:
    snap = current_snapshot()
    con = snapshot_connection(snap)
    if con is None or snap is None:
        raise ValueError("尚无已发布的数据快照")
    try:
        result = simulate(con, snap.as_of, policy, overrides)
    except duckdb.Error as exc:  # a value the SQL cannot take: the user's input, not a server fault
        raise ValueError("模拟无法按该参数值计算，请换一个数值") from exc
    finally:
        con.close()
    audit_record(actor, "policy.simulate", target=f"policy:{policy.id}", detail={"overrides": overrides})
    return result
