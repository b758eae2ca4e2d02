"""The 快申快享 parameters (process.yaml) as typed values: the decision time limit per policy (DEFAULT 60 working
days), the policies with their own procedure, the period, and the attachments a policy requires."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class QuickApplyConfig:
    default_days: int
    default_unconfirmed: bool
    per_policy: dict[str, int]
    own_procedure: dict[str, str]
    period: str
    period_unconfirmed: bool
    near_failed_max: int
    attachments_required: dict[str, frozenset[str]]

    def limit(self, policy_id: str) -> tuple[int, bool]:
        """The working days the office has to decide an application for ``policy_id``, and whether the figure is
        the unconfirmed DEFAULT (shown as 默认值，待确认)."""
        if policy_id in self.per_policy:
            return self.per_policy[policy_id], False
        return self.default_days, self.default_unconfirmed


@lru_cache(maxsize=1)
def config() -> QuickApplyConfig:
    raw = yaml.safe_load(resources.files("gaoqi.web.quickapply").joinpath("process.yaml").read_text("utf-8"))
    decision = raw["decision"]
    cfg = QuickApplyConfig(
        default_days=int(decision["default_days"]),
        default_unconfirmed=bool(decision.get("default_unconfirmed", True)),
        per_policy={str(k): int(v) for k, v in (decision.get("per_policy") or {}).items()},
        own_procedure={str(k): str(v) for k, v in (raw.get("own_procedure") or {}).items()},
        period=str(raw.get("period", "year")),
        period_unconfirmed=bool(raw.get("period_unconfirmed", True)),
        near_failed_max=int(raw.get("near_failed_max", 1)),
        attachments_required={
            str(k): frozenset(str(c) for c in v) for k, v in (raw.get("attachments_required") or {}).items()
        },
    )
    if cfg.default_days < 1 or any(d < 1 for d in cfg.per_policy.values()):
        raise ValueError("quickapply/process.yaml: a time limit has at least one working day")
    if cfg.period != "year":
        raise ValueError("quickapply/process.yaml: period must be 'year'")
    return cfg
