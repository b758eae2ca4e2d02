"""The 审计日志 pages' query parameters."""

from __future__ import annotations

from typing import Any

from django import forms


class AuditFilterForm(forms.Form):
    """The log's filter: one action, one account (either may be empty)."""

    action = forms.CharField(required=False)
    username = forms.CharField(required=False)


class AnchorForm(forms.Form):
    """A verification anchor kept outside the platform: an event's id and the chain hash it had."""

    anchor_id = forms.IntegerField(min_value=0)
    anchor_hash = forms.CharField(max_length=128)

    def anchor(self) -> tuple[int, str] | None:
        return (self.cleaned_data["anchor_id"], self.cleaned_data["anchor_hash"]) if self.is_valid() else None


def filters(data: Any) -> dict[str, str]:
    form = AuditFilterForm(data)
    return {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
