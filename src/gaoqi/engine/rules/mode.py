"""How a policy version reaches the enterprise (programmes.md §9.2): 免申即享, 快申快享 or the standard route.

A version declares ``delivery: automatic`` (免申即享: paid without an application) or ``application`` (the
default). The loader admits ``automatic`` only when ``automatic_refusals`` finds nothing: every condition is
``data`` (decided by the authoritative data, no attestation, no expert), no score is assessed by experts, and
the version has a ``benefit`` amount to pay. ``policy_mode`` classifies any version, with the reason in words:

- ``MSJX`` (免申即享): ``delivery: automatic`` (the lead department's sign-off is the declaration in the file);
- ``STANDARD``: an expert condition or an expert-assessed score (discretionary review);
- ``KSKX`` (快申快享) otherwise: the form is prefilled from the data, the enterprise attests or uploads what the
  data does not hold, and the decision has a time limit in working days (60, DEFAULT).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from gaoqi.engine.rules.ir import PolicyVersion

Mode = Literal["MSJX", "KSKX", "STANDARD"]
MSJX: Final = "MSJX"
KSKX: Final = "KSKX"
STANDARD: Final = "STANDARD"
MODES: tuple[Mode, ...] = ("MSJX", "KSKX", "STANDARD")
DELIVERIES: tuple[str, ...] = ("application", "automatic")
BENEFIT_PERIODS: tuple[str, ...] = ("year", "once")


@dataclass(frozen=True)
class PolicyMode:
    """A version's classification and why (Chinese, shown to officials and enterprises)."""

    code: Mode
    reason: str


def automatic_refusals(version: PolicyVersion) -> list[tuple[int, str]]:
    """Why ``version`` may not be delivered automatically: (line, message) pairs; empty when it may, or when it
    does not ask to be."""
    if version.delivery != "automatic":
        return []
    out: list[tuple[int, str]] = []
    for c in version.conditions:
        if c.kind != "data":
            out.append(
                (
                    c.line,
                    f"delivery 'automatic' (免申即享) needs every condition to be data; condition '{c.id}' is {c.kind}",
                )
            )
    for s in version.scores:
        if s.assessed_by == "expert":
            out.append(
                (s.line, f"delivery 'automatic' (免申即享) allows no expert assessment; score '{s.id}' is expert")
            )
    if version.benefit is None:
        out.append(
            (
                version.line,
                "delivery 'automatic' (免申即享) needs a computable benefit amount: add 'benefit: {amount: …, label: …}'",
            )
        )
    return out


def policy_mode(version: PolicyVersion) -> PolicyMode:
    """MSJX / KSKX / STANDARD with the reason (§9.2; test vectors M1–M3)."""
    experts = [c for c in version.conditions if c.kind == "expert"]
    expert_scores = [s for s in version.scores if s.assessed_by == "expert"]
    if version.delivery == "automatic" and not automatic_refusals(version):
        return PolicyMode(MSJX, "全部条件均由权威共享数据判定，奖励金额可计算，已声明免申即享：无需申请，直接兑现")
    if experts or expert_scores:
        names = "、".join([c.label for c in experts] + [s.label for s in expert_scores])
        return PolicyMode(STANDARD, f"含专家评审事项（{names}），按一般程序申请办理")
    attested = [c for c in version.conditions if c.kind == "attested"]
    if attested:
        names = "、".join(c.label for c in attested)
        return PolicyMode(KSKX, f"可由共享数据预填，需企业承诺或补充材料（{names}），快申快享")
    if version.benefit is None:
        return PolicyMode(KSKX, "条件均可由数据判定，但无可计算的兑现金额，快申快享")
    return PolicyMode(KSKX, "条件均可由数据判定，但未声明免申即享（需牵头部门确认），快申快享")
