"""The 企业库 directory's query parameters (the page and its export read the same filter)."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.web.enterprises.selectors import DirectoryFilter


class SearchText(forms.CharField):
    """Text as typed, trimmed, without NUL (PostgreSQL refuses NUL in text: the page once answered 500)."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value) or "").replace("\x00", "").strip()


class DirectoryFilterForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in DirectoryFilter.__dataclass_fields__:
            self.fields[name] = SearchText(required=False)

    def filter(self) -> DirectoryFilter:
        """The filter asked for (an unset parameter keeps the default: the sort by name)."""
        data = self.cleaned_data if self.is_valid() else {}
        return DirectoryFilter(**{k: v for k, v in data.items() if v})
