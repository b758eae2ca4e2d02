"""The policy pages' query parameters."""

from __future__ import annotations

from django import forms

#: The lists of one policy's enterprises: near misses (one failing condition) or one status.
WHICH = ("near", "pass", "fail", "unknown")


class PolicyEnterprisesForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[(w, w) for w in WHICH])

    def which(self) -> str:
        return (self.cleaned_data.get("status") if self.is_valid() else "") or "near"


class SimulateForm(forms.Form):
    """政策模拟: a policy, and one parameter with its new value (none: only the form is shown)."""

    policy = forms.CharField(required=False)
    param = forms.CharField(required=False)
    value = forms.CharField(required=False, strip=False)
