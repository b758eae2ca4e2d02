"""The list page's query parameters (the page and its export read the same filter) and the removal form."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.web.enterprises.forms import SearchText
from gaoqi.web.programmes.models import ROUTES
from gaoqi.web.programmes.selectors import MemberFilter


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


class RemoveForm(forms.Form):
    comment = forms.CharField(max_length=2000, strip=True, error_messages={"required": "请填写移出说明"})
