"""The list page's query parameters (the page and its export read the same filter), the removal form, and the
recommendation forms (recommend, decide, the queue's filter)."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.web.enterprises.forms import SearchText
from gaoqi.web.programmes.funnel import FunnelFilter
from gaoqi.web.programmes.models import ROUTES
from gaoqi.web.programmes.selectors import MemberFilter
from gaoqi.web.programmes.workflow import STATUS_LABELS, SUBMITTED


class MemberFilterForm(forms.Form):
    district = SearchText(required=False, max_length=6)
    section = SearchText(required=False, max_length=1)
    tech_field = SearchText(required=False, max_length=64)
    route = forms.ChoiceField(required=False, choices=[("", ""), *ROUTES])
    entered_since = forms.DateField(required=False)

    def filter(self) -> MemberFilter:
        """The filter asked for; a parameter that does not parse is ignored (the whole list is shown)."""
        self.is_valid()  # the fields that parse are in cleaned_data
        data: dict[str, Any] = {k: v for k, v in self.cleaned_data.items() if v}
        return MemberFilter(**data)


class FunnelFilterForm(forms.Form):
    """The funnel's filter (the page, its export and the API read the same): a cohort (year of entry) and a
    route in; a value that does not parse is ignored (every cohort, both routes)."""

    cohort = forms.IntegerField(required=False, min_value=1900, max_value=9998)
    route = forms.ChoiceField(required=False, choices=[("", ""), *ROUTES])

    def filter(self) -> FunnelFilter:
        self.is_valid()
        return FunnelFilter(cohort=self.cleaned_data.get("cohort"), route=self.cleaned_data.get("route") or "")


class RemoveForm(forms.Form):
    comment = forms.CharField(max_length=2000, strip=True, error_messages={"required": "请填写移出说明"})


class RecommendForm(forms.Form):
    reason = forms.CharField(max_length=2000, strip=True, error_messages={"required": "请填写推荐理由",
                                                                          "max_length": "推荐理由不能超过2000字"})  # fmt: skip


class DecisionForm(forms.Form):
    """The municipal office's confirmation or decline (the comment is required to decline: the service says so),
    or the district's withdrawal; ``seen``: the status the page showed (a stale page is refused)."""

    comment = forms.CharField(required=False, max_length=2000, strip=True,
                              error_messages={"max_length": "意见不能超过2000字"})  # fmt: skip
    seen = forms.ChoiceField(required=False, choices=[("", ""), *STATUS_LABELS.items()])


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), ("all", "全部"), *STATUS_LABELS.items()])

    def status_asked(self) -> str:
        """The status to show: the waiting ones unless another (or all: "") is asked; a bad value: the default."""
        self.is_valid()
        asked = self.cleaned_data.get("status") or SUBMITTED
        return "" if asked == "all" else asked
