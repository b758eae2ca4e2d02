"""The forms of 数据汇聚 (errors in Chinese)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

#: The largest delivered file the page takes.
MAX_UPLOAD = 512 * 1024 * 1024


class UploadForm(forms.Form):
    # an empty file is the service's to refuse, with its reason recorded
    file = forms.FileField(allow_empty_file=True, error_messages={"required": "请选择文件", "invalid": "请选择文件"})

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size is not None and f.size > MAX_UPLOAD:
            raise ValidationError("文件过大")
        return f


class PublishForm(forms.Form):
    as_of = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={"required": "评估基准日格式应为 YYYY-MM-DD", "invalid": "评估基准日格式应为 YYYY-MM-DD"},
    )


class LoadChoiceForm(forms.Form):
    """Which load's quarantined rows the page shows (``?load=``); anything else shows none."""

    load = forms.IntegerField(required=False, min_value=0)
