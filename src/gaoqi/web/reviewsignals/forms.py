"""The forms of 审查风险提示's pages (refusals in Chinese)."""

from __future__ import annotations

from django import forms

from gaoqi.web.reviewsignals import workflow as wf
from gaoqi.web.reviewsignals.selectors import SignalFilter


class FilterForm(forms.Form):
    status = forms.CharField(required=False, max_length=16)
    kind = forms.CharField(required=False, max_length=40)
    district = forms.CharField(required=False, max_length=6)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    def asked(self) -> SignalFilter:
        """The filter asked for; what does not parse is ignored (a bookmarked query with an old code)."""
        d = self.cleaned_data if self.is_valid() else {}
        status = d.get("status") or "open"
        return SignalFilter(
            status=status if status in ("all", *wf.STATUS_LABELS) else "open",
            kind=d.get("kind") or "", district=d.get("district") or "", year=d.get("year"),
        )  # fmt: skip


class ConcludeForm(forms.Form):
    conclusion = forms.ChoiceField(
        choices=list(wf.CONCLUSIONS.items()),
        error_messages={"required": "请选择核实结论", "invalid_choice": "请选择核实结论（属实、已作说明或不成立）"},
    )
    note = forms.CharField(required=False, max_length=5000, error_messages={"max_length": "核实说明不能超过5000字"})
    seen = forms.CharField(required=False, max_length=16)
    back = forms.CharField(required=False, max_length=200)
