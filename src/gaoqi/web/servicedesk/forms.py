"""The servicedesk's forms: filing, an act on a request, the queue's and the statistics' filters, a service day,
its attendance and follow-up."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.web.servicedesk import workflow as wf
from gaoqi.web.servicedesk.config import CATEGORIES, CHANNELS, RESOLVED, SATISFACTION, URGENCIES
from gaoqi.web.servicedesk.selectors import DIMENSIONS


def _codes(codes: tuple[str, ...], blank: bool = False) -> list[tuple[str, str]]:
    return ([("", "")] if blank else []) + [(c, c) for c in codes]


class FileForm(forms.Form):
    category = forms.ChoiceField(
        choices=_codes(CATEGORIES), error_messages={"required": "请选择诉求类别", "invalid_choice": "未知的诉求类别"}
    )
    urgency = forms.ChoiceField(
        choices=_codes(URGENCIES, blank=True), required=False, error_messages={"invalid_choice": "未知的紧急程度"}
    )
    channel = forms.ChoiceField(
        choices=_codes(CHANNELS, blank=True), required=False, error_messages={"invalid_choice": "未知的来源渠道"}
    )
    title = forms.CharField(
        max_length=100, strip=True, error_messages={"required": "请填写标题", "max_length": "标题不能超过100字"}
    )
    description = forms.CharField(
        max_length=5000,
        strip=True,
        error_messages={"required": "请填写诉求内容", "max_length": "诉求内容不能超过5000字"},
    )
    uscc = forms.CharField(
        max_length=18, required=False, strip=True, error_messages={"max_length": "统一社会信用代码为18位"}
    )
    event = forms.IntegerField(required=False, min_value=1, error_messages={"invalid": "企业家服务日无效"})


ACTIONS = ("accept", "answer", "transfer", "rate", "reopen")


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=_codes(ACTIONS), error_messages={"required": "未指定操作"})
    comment = forms.CharField(
        required=False, max_length=5000, strip=True, error_messages={"max_length": "意见不能超过5000字"}
    )
    seen = forms.ChoiceField(required=False, choices=[("", ""), *wf.STATUS_LABELS.items()])
    unit = forms.CharField(required=False, max_length=32, strip=True)
    resolved = forms.ChoiceField(required=False, choices=_codes(RESOLVED, blank=True))
    satisfaction = forms.ChoiceField(required=False, choices=_codes(SATISFACTION, blank=True))


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), *wf.STATUS_LABELS.items()])
    category = forms.ChoiceField(required=False, choices=_codes(CATEGORIES, blank=True))
    unit = forms.CharField(required=False, max_length=32, strip=True)
    overdue = forms.BooleanField(required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        return {k: data.get(k) or ("" if k != "overdue" else False) for k in ("status", "category", "unit", "overdue")}


class StatsForm(forms.Form):
    by = forms.ChoiceField(required=False, choices=_codes(tuple(DIMENSIONS), blank=True))
    year = forms.IntegerField(required=False, min_value=2019, max_value=2100)

    def asked(self) -> tuple[str, int | None]:
        self.is_valid()
        return self.cleaned_data.get("by") or "unit", self.cleaned_data.get("year")


class DayForm(forms.Form):
    district_code = forms.CharField(required=False, max_length=6, strip=True)
    held_on = forms.DateField(error_messages={"required": "请填写日期", "invalid": "日期格式应为 2026-12-15"})
    leader_name = forms.CharField(max_length=50, strip=True, error_messages={"required": "请填写带队领导姓名"})
    leader_title = forms.CharField(max_length=100, strip=True, error_messages={"required": "请填写带队领导职务"})
    topic = forms.CharField(max_length=200, strip=True, error_messages={"required": "请填写主题"})
    invited = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)

    def codes(self) -> list[str]:
        return [
            c for c in str(self.cleaned_data.get("invited") or "").replace("，", ",").replace(",", "\n").split() if c
        ]


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(c, c) for c in choices]
        self.fields["attended"].error_messages = {"invalid_choice": "出席企业须在受邀企业之中"}


class FollowUpForm(forms.Form):
    on = forms.DateField(error_messages={"required": "请填写日期", "invalid": "日期格式应为 2026-12-15"})
    text = forms.CharField(
        max_length=2000,
        strip=True,
        error_messages={"required": "请填写跟进情况", "max_length": "跟进情况不能超过2000字"},
    )
