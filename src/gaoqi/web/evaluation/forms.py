from __future__ import annotations

from django import forms

from gaoqi.web.evaluation.models import AREA_KINDS


class ComputeForm(forms.Form):
    year = forms.IntegerField(label="评价年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写评价年度", "invalid": "评价年度须为整数"})  # fmt: skip
    area_kind = forms.ChoiceField(label="评价对象", choices=AREA_KINDS,
                                  error_messages={"required": "请选择评价对象", "invalid_choice": "请选择评价对象"})  # fmt: skip


class CommentForm(forms.Form):
    area_code = forms.CharField(max_length=16, error_messages={"required": "请选择评价对象"})
    comment = forms.CharField(max_length=2000, required=False, widget=forms.Textarea,
                              error_messages={"max_length": "评估意见不能超过2000字"})  # fmt: skip


class MoveForm(forms.Form):
    action = forms.ChoiceField(choices=[("submit", "提交"), ("return", "退回"), ("publish", "通报")],
                               error_messages={"required": "请选择操作", "invalid_choice": "未知操作"})  # fmt: skip
    seen = forms.CharField(max_length=12, required=False)
    comment = forms.CharField(max_length=2000, required=False)
