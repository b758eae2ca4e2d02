"""``{% review_signals_panel app %}``: the application's 审查风险提示 section, for the roles that see signals (the
district reviewer, the panel's experts, the municipal office); nothing for the others. One line in the
certification pages keeps this app's markup in its own template (``reviewsignals/_panel.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from gaoqi.web.reviewsignals.selectors import application_panel

register = template.Library()


@register.inclusion_tag("reviewsignals/_panel.html", takes_context=True)
def review_signals_panel(context: Any, application: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    panel = application_panel(user, application) if user is not None else {"signals": []}
    return {**panel, "request": request, "csrf_token": context.get("csrf_token"), "application": application}
