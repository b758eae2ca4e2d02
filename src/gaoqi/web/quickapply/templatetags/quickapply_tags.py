"""``{% apply_button policy_id %}``: the 申请 button of a 快申快享 policy for an enterprise user (its result passes or
nearly passes, the policy is applied for here, none of the period yet), or a link to its open application. Other
apps' pages (a policy's page, 我的企业) show it with one line and no change to their views."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("quickapply/_apply_button.html", takes_context=True)
def apply_button(context: Any, policy_id: str) -> dict[str, Any]:
    from gaoqi.web.quickapply.selectors import offers

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or getattr(user, "role", None) != "enterprise":
        return {"offer": None}
    found = getattr(request, "_quickapply_offers", None)
    if found is None:  # once per page, however many buttons it shows
        found = {o["policy_id"]: o for o in offers(user)}
        request._quickapply_offers = found
    return {"offer": found.get(policy_id), "csrf_token": context.get("csrf_token")}
