"""A message's words, rendered when read (never stored per message: a million messages would carry a million
copies of the same sentences). What the policy gives (its name, number, issuing department, the benefit amount
where the result has one), why (its conditions in words; the enterprise's own values with their sources on the
explanation page the message links to), what to do next and by when, and the contact and correction route."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.urls import reverse

from gaoqi.web.push import config
from gaoqi.web.push.models import NEAR_MISS, NEEDS_DATA, NO_LONGER, NOTICE, QUALIFIES


@dataclass
class Text:
    title: str
    lines: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    next_step: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (words, path)
    contact: str = ""

    def plain(self, base_url: str = "") -> str:
        parts = [self.title, *self.lines]
        if self.conditions:
            parts.append("条件：" + "；".join(self.conditions))
        if self.next_step:
            parts.append("下一步：" + self.next_step)
        parts += [f"{words}：{base_url}{path}" for words, path in self.links]
        parts.append(self.contact)
        return "\n".join(p for p in parts if p)

    def short(self) -> str:
        """The SMS: title and the next step, pointing to the inbox (no personal data, no amounts)."""
        return f"【高企服务平台】{self.title}。详情请登录平台“消息中心”查看。咨询与纠错：{config.contact()}"


def _amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}万元" if value == value.to_integral() else f"{value:.2f}万元"


def _sha(policy_id: str) -> str:
    """The policy file's hash as the catalogue has it now: the words below are kept per (policy, hash, version),
    so that a policy published or closed by 政策沙盘 reads anew (the catalogue re-reads changed files)."""
    from gaoqi.web.policies.selectors import policy_get

    policy = policy_get(policy_id)
    return policy.sha256 if policy is not None else ""


def _policy(policy_id: str, version_id: str) -> tuple[str, tuple[str, ...], tuple[str, ...], dict[str, str], str]:
    return _policy_words(policy_id, _sha(policy_id), version_id)


def _next_step(policy_id: str, version_id: str) -> tuple[str, tuple[str, str] | None]:
    return _next_step_words(policy_id, _sha(policy_id), version_id)


@lru_cache(maxsize=256)
def _policy_words(
    policy_id: str, sha: str, version_id: str
) -> tuple[str, tuple[str, ...], tuple[str, ...], dict[str, str], str]:
    """A policy version's words, once per process and file version (a million messages share a handful of
    versions): its name, number and department, its conditions by name, condition id → name, the benefit's words."""
    from gaoqi.web.policies.selectors import condition_labels, policy_get

    policy = policy_get(policy_id)
    if policy is None:
        return policy_id, (), (), {}, ""
    version = next((v for v in policy.versions if v.id == version_id), None)
    header = tuple(h for h in ("、".join(x for x in (policy.document_number, policy.authority) if x),) if h)
    conditions = tuple(c.label for c in version.conditions) if version else ()
    benefit = version.benefit.label if version is not None and version.benefit is not None else ""
    return policy.name, header, conditions, condition_labels(policy_id, version_id), benefit


@lru_cache(maxsize=256)
def _next_step_words(policy_id: str, sha: str, version_id: str) -> tuple[str, tuple[str, str] | None]:
    """What the enterprise does next and by when, by how the policy is delivered: 免申即享 (nothing to apply for;
    the window to confirm the account or object), 快申快享 (the prefilled application and the office's time limit),
    or the policy's own procedure; with the version's last day when it has one. And the page to do it on."""
    from gaoqi.web.benefits.config import window_workdays
    from gaoqi.web.quickapply.config import config as quickapply_config
    from gaoqi.web.quickapply.prefill import applicable

    policy, refused = applicable(policy_id)
    version = next((v for v in policy.versions if v.id == version_id), None) if policy else None
    until = (
        f"本政策版本有效期至{version.valid_to:%Y年%-m月%-d日}，请在此之前办理。" if version and version.valid_to else ""
    )
    if version is not None and version.delivery == "automatic":
        return (
            f"本政策免申即享，无需申请：兑现通知发出后，请在{window_workdays()}个工作日内于“我的免申即享”确认收款账户"
            "或提出异议，逾期无异议即进入兑付。",
            ("我的免申即享", reverse("benefits:mine")),
        )
    if policy is not None and refused is None:  # 快申快享: the generic application takes it
        days, _ = quickapply_config().limit(policy_id)
        return (
            f"本政策快申快享：请在“我的政策申请”中提交申请（表单已按共享数据预填，无需提交政府已掌握的材料），"
            f"主管部门在{days}个工作日内办结。{until}",
            ("我的政策申请", reverse("quickapply:mine")),
        )
    return f"请在政策详情页查看申报方式和时限。{until}", None


_TITLES = {
    QUALIFIES: "贵企业符合“{name}”的条件",
    NEAR_MISS: "贵企业距“{name}”只差一项条件",
    NO_LONGER: "贵企业不再符合“{name}”的条件",
    NEEDS_DATA: "“{name}”待补充数据",
}


def sms_text(message: Any) -> str:
    """The SMS alone (the sending job's hot path: the title only, no links rendered)."""
    if message.kind == NOTICE:
        title = message.title
    else:
        title = _TITLES.get(message.kind, "{name}").format(name=_policy(message.policy_id, message.policy_version)[0])
    return Text(title).short()


def render(message: Any) -> Text:
    contact = f"如有疑问或数据有误，请拨打{config.contact()}反映，或在平台“我的企业”中查看数据来源后申请更正。"
    if message.kind == NOTICE:
        links = [("办理地址", message.link)] if message.link else []
        return Text(title=message.title, lines=[message.body], links=links, contact=contact)
    from gaoqi.engine import FEATURE_BY_NAME

    name, header_t, conditions_t, labels, benefit = _policy(message.policy_id, message.policy_version)
    header, conditions = list(header_t), list(conditions_t)
    explain = (
        "查看本企业逐项数据和来源",
        reverse("enterprises:explain", args=[message.enterprise.uscc, message.policy_id]),
    )
    policy_link = ("政策详情", reverse("policies:detail", args=[message.policy_id]))
    amount = _amount(message.benefit_amount)
    if message.kind == QUALIFIES:
        lines = [*header, f"根据最新数据，贵企业符合“{name}”的全部条件。"]
        if amount:
            lines.append(f"预计可享受：{amount}（以主管部门核定为准）。")
        elif benefit:
            lines.append(f"可享受：{benefit}。")
        step, where = _next_step(message.policy_id, message.policy_version)
        return Text(f"贵企业符合“{name}”的条件", lines, conditions, step,
                    [*([where] if where else []), policy_link, explain], contact)  # fmt: skip
    if message.kind == NEAR_MISS:
        binding = labels.get(message.binding_condition, "")
        lines = [*header, f"根据最新数据，贵企业距“{name}”只差一项条件" + (f"：{binding}。" if binding else "。")]
        if message.binding_gap:
            lines.append(f"差距：{message.binding_gap}")
        return Text(f"贵企业距“{name}”只差一项条件", lines, conditions,
                    "可对照差距改进；如数据有误，请申请更正。", [policy_link, explain], contact)  # fmt: skip
    if message.kind == NO_LONGER:
        lines = [*header, f"根据最新数据，贵企业不再符合“{name}”的条件。"]
        return Text(f"贵企业不再符合“{name}”的条件", lines, conditions,
                    "请查看未满足的条件；如数据有误，请申请更正。", [policy_link, explain], contact)  # fmt: skip
    if message.kind == NEEDS_DATA:
        missing = []
        for u in message.unknown_features or []:
            key = u[8:] if u.startswith("pending:") else u
            missing.append(labels.get(key) or (FEATURE_BY_NAME[key].label if key in FEATURE_BY_NAME else key))
        lines = [*header, f"判断贵企业是否符合“{name}”还缺少以下数据：{'、'.join(missing) or '（未列明）'}。"]
        return Text(f"“{name}”待补充数据", lines, conditions,
                    "请向数据主管部门报送或更正上述数据，下次评估时将自动重新判断。", [policy_link, explain], contact)  # fmt: skip
    return Text(name, header, conditions, "", [policy_link], contact)
