"""The ranking's query parameters (the page and its export read the same filter)."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.web.enterprises.forms import SearchText
from gaoqi.web.incubators.models import KINDS
from gaoqi.web.incubators.selectors import SORTS, RankingFilter


class RankingForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", ""), *KINDS])
    district = SearchText(required=False, max_length=6)
    status = forms.ChoiceField(required=False, choices=[("", ""), ("pass", "pass"), ("fail", "fail"),
                                                        ("unknown", "unknown")])  # fmt: skip
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS])

    def filter(self) -> RankingFilter:
        """The filter asked for; a parameter that does not parse is ignored."""
        self.is_valid()
        data: dict[str, Any] = {k: v for k, v in self.cleaned_data.items() if v}
        return RankingFilter(**data)
