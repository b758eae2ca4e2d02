"""The forms of 监测预警's pages: each turns the query or the posted text into the values a selector or a service
takes (refusals in Chinese)."""

from __future__ import annotations

from django import forms

from gaoqi.web.monitoring import workflow as wf
from gaoqi.web.monitoring.selectors import WarningFilter


class FilterForm(forms.Form):
    status = forms.CharField(required=False, max_length=16)
    district = forms.CharField(required=False, max_length=6)
    rule = forms.CharField(required=False, max_length=64)
    severity = forms.CharField(required=False, max_length=10)
    age = forms.CharField(required=False, max_length=2)
    escalated = forms.BooleanField(required=False)
    opened = forms.IntegerField(required=False, min_value=1)

    def asked(self) -> WarningFilter:
        """The filter asked for; what does not parse is ignored (a bookmarked query with an old code)."""
        d = self.cleaned_data if self.is_valid() else {}
        status = d.get("status") or "open"
        return WarningFilter(
            status=status if status in ("open", "all", *wf.STATUS_LABELS) else "open",
            district=d.get("district") or "", rule=d.get("rule") or "",
            severity=str(d.get("severity") or "") if d.get("severity") in wf.SEVERITIES else "",
            age=d.get("age") or "", escalated=bool(d.get("escalated")), opened=d.get("opened"),
        )  # fmt: skip


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[("acknowledge", "签收"), ("handle", "处置"), ("dismiss", "排除预警")],
                               error_messages={"required": "请选择操作", "invalid_choice": "未知操作"})  # fmt: skip
    how = forms.ChoiceField(choices=[("", ""), *wf.ACTIONS.items()], required=False,
                            error_messages={"invalid_choice": "请选择处置方式（约谈、核查或移送撤销）"})  # fmt: skip
    comment = forms.CharField(required=False, max_length=5000)
    seen = forms.CharField(required=False, max_length=16)
