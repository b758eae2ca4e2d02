"""The information form's values and the self-check (自评), by the engine's rules interpreter
(``gaoqi.engine.evaluate_one`` over the tech-sme policy of ``policies/tech-sme.yaml``).

The values the policy scores (staff, S&T staff, sales, assets, costs, R&D, IP counts) are prefilled from the
published snapshot's profile when it holds them — locked, each with its source (feed, file, line) — and the
enterprise fills in the others. The R&D indicator counts the one the enterprise chose (Art. 7(二)): the other is
given 0 points, so the policy's own ``greatest`` of the two is the chosen one. Pass marks and caps are the
policy version's parameters; nothing is decided here that the policy file does not say."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from gaoqi.engine import Policy, PolicyVersion, evaluate_one, version_features
from gaoqi.web.core.labels import feature_label
from gaoqi.web.techsme.config import process_config
from gaoqi.web.techsme.models import RD_COSTS, RD_SALES, Evaluation

#: The values of the information form the policy scores, and the profile's part that delivers each.
INPUTS: dict[str, str] = {
    "staff_count_last_year": "rd",
    "st_staff_count_last_year": "rd",
    "sales_revenue_last_year": "finance",
    "total_assets_last_year": "finance",
    "total_costs_last_year": "finance",
    "rd_expense_last_year": "rd",
    "ip_class1_count": "ip",
    "ip_class2_count": "ip",
}
COUNTS = frozenset({"staff_count_last_year", "st_staff_count_last_year", "ip_class1_count", "ip_class2_count"})
#: The R&D indicator's score id and the denominator it needs, by the enterprise's choice (Art. 7(二)).
RD_SCORES = {RD_SALES: ("rd_to_sales", "sales_revenue_last_year"), RD_COSTS: ("rd_to_costs", "total_costs_last_year")}
#: The scores shown per indicator, in the measures' order (the R&D one: the chosen indicator).
SHOWN_SCORES = ("st_staff", "rd", "ip_results")
#: Art. 8 grounds (2)–(4): declared by the enterprise and verified by the office (no department feed holds them).
DECLARED_GROUNDS = frozenset({"award", "rd_institution", "standard"})
SHARE_PLACES = Decimal("1e-12")


def policy() -> Policy:
    from gaoqi.web.policies.selectors import policy_get

    found = policy_get(process_config().policy_id)
    if found is None:
        raise LookupError(f"policy {process_config().policy_id} is not in the catalogue")
    return found


def version_at(ev: Evaluation) -> PolicyVersion:
    return version_for_date(ev.as_of)


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int)) else str(value)


def prefill(ent: Any) -> dict[str, Any]:
    """The shared data of the enterprise the form starts from: each input's value and source, and the other
    features the policy reads (credit events, lists, the HTE certificate), as the snapshot's profile has them."""
    from gaoqi.web.enterprises.selectors import profile_details

    details = profile_details(ent)
    profile = details.get("profile", {})
    last_year = (profile["as_of"].year - 1) if profile.get("as_of") else None
    by_year = {part: {row["year"]: row["source"] for row in details.get(part, [])} for part in ("finance", "rd")}
    values: dict[str, dict[str, Any]] = {}
    for name, part in INPUTS.items():
        value = profile.get(name)
        if part == "ip":
            rows = details.get("ip", {}).get(name, [])
            source = "；".join(f"{r['file_name']} 第{r['line']}行" for r in rows[:5]) + ("等" if len(rows) > 5 else "")
            source = source or (details.get("sources", {}).get("registration", "") if value is not None else "")
        else:
            source = by_year[part].get(last_year, "")
        values[name] = {"value": _text(value), "source": source if value is not None else ""}
    # the keys (uscc, as_of) are the snapshot's, not values the policy scores
    read = version_features(version_for_date(profile.get("as_of"))) - {"uscc", "as_of"}
    others = sorted(read - set(INPUTS) - {"st_staff_share"})
    return {"values": values, "profile": {k: _text(profile.get(k)) for k in others}}


def version_for_date(as_of: Any) -> PolicyVersion:
    p = policy()
    return (p.version_at(as_of) if as_of else None) or p.versions[-1]


def sourced(ev: Evaluation, name: str) -> bool:
    """Whether the shared data hold ``name`` (then it is locked in the form)."""
    return ev.prefill.get("values", {}).get(name, {}).get("value") is not None


def value_of(ev: Evaluation, name: str) -> Any:
    """The form's value of ``name``: the shared data's when they hold it, else the enterprise's (None: empty)."""
    if sourced(ev, name):
        return ev.prefill["values"][name]["value"]
    return ev.form.get(name)


def attested(ev: Evaluation) -> list[str]:
    return [c.id for c in version_at(ev).conditions if c.kind == "attested"]


def _number(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    return Decimal(str(value))


def row_of(ev: Evaluation) -> dict[str, Any]:
    """The feature values the policy reads, for the interpreter: the prefilled profile, the form's inputs, and
    the S&T staff share from the two staff counts."""
    row: dict[str, Any] = {k: _number(v) for k, v in ev.prefill.get("profile", {}).items()}
    for name in INPUTS:
        row[name] = _number(value_of(ev, name))
    staff, st = row["staff_count_last_year"], row["st_staff_count_last_year"]
    # the profile's definition (st_staff_share: S&T staff ÷ staff, NULL without staff, kept to 12 decimals)
    row["st_staff_share"] = None if staff is None or st is None or staff == 0 else (st / staff).quantize(SHARE_PLACES)
    return row


def _points(score: dict[str, Any]) -> str:
    lo, hi = score["lo"], score["hi"]
    return f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"


def self_check(ev: Evaluation) -> dict[str, Any]:
    """The evaluation checked against the policy version in force at its as-of date: each indicator's score, the
    total against the pass mark, every condition's outcome, what is missing, and what blocks submission."""
    version = version_at(ev)
    chosen = RD_SCORES[ev.rd_indicator][0]
    # the indicator not chosen: its score counts 0 and its denominator is not asked for
    other, unneeded = next(v for k, v in RD_SCORES.items() if k != ev.rd_indicator)
    row = row_of(ev)
    result = evaluate_one(version, row, zero=[other])
    scores = result["scores"]
    pass_min = Decimal(str(version.parameters["pass_min"].value))
    needed = [n for n in INPUTS if n != unneeded]
    missing = [feature_label(n) for n in needed if row[n] is None]
    blocking: list[str] = []
    if missing:
        blocking.append("请填写：" + "、".join(missing))
    shown = []
    for key in SHOWN_SCORES:
        sid = chosen if key == "rd" else key
        s = version.score(sid)
        shown.append({"id": sid, "label": s.label, "article": s.article or "", "max": s.max_points,
                      "points": _points(scores[sid]), "grade": scores[sid]["grade"] or ""})  # fmt: skip
    total = scores["total"]
    ground = ev.direct_ground
    conditions = []
    for c in version.conditions:
        item = {"id": c.id, "label": c.label, "article": c.article, "kind": c.kind}
        if c.kind == "attested":
            declared = c.id in ev.declarations
            item["outcome"] = "declared" if declared else "needs_declaration"
            if not declared:
                blocking.append(f"{c.label}：需要企业作出承诺")
        else:
            decided = result["conditions"].get(c.id)
            outcome = {True: "pass", False: "fail", None: "unknown"}[decided]
            if decided is not True and c.waiver is not None and ground in DECLARED_GROUNDS:
                outcome = "direct_declared"  # Art. 8: the office verifies the ground
            elif decided is False:
                blocking.append(_why(c, total, pass_min))
            elif decided is None and not missing:
                blocking.append(f"{c.label}：缺少共享数据")
            item["outcome"] = outcome
        conditions.append(item)
    if ground == "hte" and row.get("has_hte_certificate") is not True:
        blocking.append("直接确认（一）：共享数据中没有贵企业有效期内的高新技术企业证书")
    if ground in DECLARED_GROUNDS and not ev.direct_evidence:
        blocking.append("直接确认：请说明依据（奖励、研发机构或标准的名称与文号）")
    return {
        "scores": shown,
        "total": _points(total),
        "pass_min": int(pass_min),
        "score_passed": total["lo"] >= pass_min,
        "rd_indicator": ev.rd_indicator,
        "conditions": conditions,
        "missing": missing,
        "blocking": blocking,
        "passed": not blocking,
        "policy_version": version.id,
        "checked_at": timezone.now().isoformat(),
    }


def _why(c: Any, total: dict[str, Any], pass_min: Any) -> str:
    if c.id == "score_pass":
        return f"{c.label}：综合评价得分 {_points(total)} 分，低于 {pass_min} 分"
    return f"{c.label}：不满足"
