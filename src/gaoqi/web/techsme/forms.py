"""The tech-SME forms: start, the information form, declarations, an official's act, a revocation, the
queue's filter."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.web.core.labels import feature_label
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.models import DIRECT_GROUNDS, FIRST, RD_INDICATORS, UPDATE
from gaoqi.web.techsme.selfcheck import INPUTS

COMMENT_TOO_LONG = {"max_length": "意见不能超过2000字"}


class StartForm(forms.Form):
    kind = forms.ChoiceField(choices=[(FIRST, "入库评价"), (UPDATE, "年度更新")])


class FillForm(forms.Form):
    """The values the shared data lack (each may stay empty), the R&D indicator and the Art. 8 ground."""

    rd_indicator = forms.ChoiceField(choices=RD_INDICATORS, error_messages={"required": "请选择研发投入指标"})
    direct_ground = forms.ChoiceField(choices=DIRECT_GROUNDS, required=False)
    direct_evidence = forms.CharField(required=False, max_length=2000, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in INPUTS:
            self.fields[name] = forms.CharField(required=False, max_length=32, strip=True, label=feature_label(name))

    def values(self) -> dict[str, Any]:
        """The inputs posted (a locked one is not posted: its field is disabled on the page)."""
        return {n: self.cleaned_data.get(n) for n in INPUTS if n in self.data}


class DeclareForm(forms.Form):
    conditions = forms.MultipleChoiceField(error_messages={"required": "请选择要承诺的事项"})

    def __init__(self, *args: Any, choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = [(c, c) for c in choices]


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in wf.EVALUATION.actions()])
    comment = forms.CharField(required=False, max_length=2000, strip=True, error_messages=COMMENT_TOO_LONG)
    seen = forms.ChoiceField(required=False, choices=[("", ""), *wf.STATUS_LABELS.items()])


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(
        choices=list(wf.REVOCATION_REASONS.items()), error_messages={"required": "请选择撤销原因"}
    )
    comment = forms.CharField(
        max_length=2000, strip=True, error_messages={"required": "请填写撤销说明", **COMMENT_TOO_LONG}
    )
    seen = forms.ChoiceField(required=False, choices=[("", ""), (wf.VALID, "有效"), (wf.REVOKED, "已撤销")])


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), ("all", "全部"), *wf.STATUS_LABELS.items()])

    def status_asked(self) -> str:
        self.is_valid()
        asked = self.cleaned_data.get("status") or wf.SUBMITTED
        return "" if asked == "all" else asked
