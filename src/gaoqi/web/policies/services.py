"""Policy simulation for municipal officials (audited: a simulation reads the whole population)."""

from __future__ import annotations

from typing import Any

from gaoqi.engine import Policy, SimulationError
from gaoqi.web.audit.services import audit_record
from gaoqi.web.intake.selectors import current_snapshot, snapshot_workspace


def policy_simulate(actor: Any, policy: Policy, overrides: dict[str, str]) -> dict[str, Any]:
    snap = current_snapshot()
    ws = snapshot_workspace(snap)
    if ws is None or snap is None:
        raise ValueError("尚无已发布的数据快照")
    with ws:
        try:
            result = ws.simulate(snap.as_of, policy, overrides)
        except SimulationError as exc:  # a value the SQL cannot take: the user's input, not a server fault
            raise ValueError("模拟无法按该参数值计算，请换一个数值") from exc
    audit_record(actor, "policy.simulate", target=f"policy:{policy.id}", detail={"overrides": overrides})
    return result
