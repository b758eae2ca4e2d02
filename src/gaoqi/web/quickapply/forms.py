"""The 快申快享 forms: the note (with any locked value posted, which the service refuses), attestations, an
attachment, an act, the queue's filter."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.web.quickapply import workflow as wf

COMMENT_TOO_LONG = {"max_length": "意见不能超过2000字"}


class FillForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=2000, strip=True, error_messages={"max_length": "申请说明不能超过2000字"}
    )

    def locked_posted(self, names: list[str]) -> dict[str, Any]:
        """The shared-data values posted (the page shows them as text: only a crafted request posts one)."""
        return {n: self.data.get(n) for n in names if n in self.data}


class DeclareForm(forms.Form):
    conditions = forms.MultipleChoiceField(error_messages={"required": "请选择要承诺的事项"})

    def __init__(self, *args: Any, choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = [(c, c) for c in choices]
        self.fields["conditions"].error_messages["invalid_choice"] = "不能承诺的事项"


class AttachForm(forms.Form):
    condition = forms.CharField(max_length=64, error_messages={"required": "请选择附件对应的条件"})
    file = forms.FileField(error_messages={"required": "请选择要上传的 PDF 文件"})


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in wf.APPLICATION.actions()])
    comment = forms.CharField(required=False, max_length=2000, strip=True, error_messages=COMMENT_TOO_LONG)
    seen = forms.ChoiceField(required=False, choices=[("", ""), *wf.STATUS_LABELS.items()])


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), ("all", "全部"), *wf.STATUS_LABELS.items()])
    policy = forms.CharField(required=False, max_length=64)
    district = forms.RegexField(required=False, regex=r"^\d{6}$")
    overdue = forms.BooleanField(required=False)
    mine = forms.BooleanField(required=False)
