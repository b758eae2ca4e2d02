"""The service packages' input: each view parses its request with one of these (errors in Chinese)."""

from __future__ import annotations

from django import forms

from gaoqi.web.servicepacks.config import config
from gaoqi.web.servicepacks.selectors import STATUS_CHOICES
from gaoqi.web.servicepacks.workflow import ITEM, RATING_LABELS, STATUS_LABELS

TOO_LONG = {"max_length": "内容过长（最多 %(limit_value)d 字）"}


def _categories() -> list[tuple[str, str]]:
    return list(config().categories.items())


class PackageForm(forms.Form):
    uscc = forms.CharField(max_length=18, strip=True, error_messages={"required": "请选择企业"})
    year = forms.IntegerField(min_value=2000, max_value=2100, error_messages={"required": "请填写年度"})
    municipal_steward = forms.CharField(max_length=150, error_messages={"required": "请选择市级服务管家"})
    district_steward = forms.CharField(max_length=150, error_messages={"required": "请选择区级服务管家"})


class BulkForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, error_messages={"required": "请填写年度"})
    municipal_steward = forms.CharField(max_length=150, error_messages={"required": "请选择市级服务管家"})


class ItemForm(forms.Form):
    need = forms.CharField(max_length=4000, strip=True, error_messages={"required": "请填写服务需求", **TOO_LONG})
    category = forms.ChoiceField(
        choices=_categories, error_messages={"required": "请选择类别", "invalid_choice": "未知类别"}
    )
    complex_item = forms.BooleanField(required=False)
    unit = forms.CharField(max_length=32, strip=True, error_messages={"required": "请选择责任单位"})
    handler = forms.CharField(max_length=150, error_messages={"required": "请选择责任人"})


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ITEM.actions()], error_messages={"invalid_choice": "未知操作"})
    comment = forms.CharField(required=False, max_length=4000, strip=True, error_messages=TOO_LONG)
    seen = forms.ChoiceField(required=False, choices=[("", ""), *STATUS_LABELS.items()])
    unit = forms.CharField(required=False, max_length=32, strip=True)
    handler = forms.CharField(required=False, max_length=150)


class RateForm(forms.Form):
    rating = forms.ChoiceField(choices=list(RATING_LABELS.items()), error_messages={"required": "请选择评价",
                               "invalid_choice": "请选择满意、基本满意或不满意"})  # fmt: skip
    comment = forms.CharField(required=False, max_length=2000, strip=True, error_messages=TOO_LONG)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), *STATUS_CHOICES.items()])
    overdue = forms.BooleanField(required=False)
    unit = forms.CharField(required=False, max_length=32)
    category = forms.ChoiceField(required=False, choices=lambda: [("", ""), *_categories()])
    mine = forms.BooleanField(required=False)
    after = forms.RegexField(required=False, regex=r"^\d{4}-\d{2}-\d{2}_\d{1,12}$")
