"""The forms of 高企认定's pages: each parses one POST (errors in Chinese). What is allowed is the services'
to say (lengths, ranges, the workflow's guards): a form only turns the posted text into the values a service
takes, so a refusal reads the same whether it comes from the form or from the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from gaoqi.web.certification import services


class StringListField(forms.Field):
    """Every value posted under the name (``getlist``), as strings."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(v) for v in value or []]


class FlagField(forms.Field):
    """A yes/no posted as ``1`` (anything else, or nothing, is no)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> bool:
        return value == "1"


def _text(**kwargs: Any) -> forms.CharField:
    """Free text as posted (the service trims and bounds it)."""
    return forms.CharField(required=False, strip=False, **kwargs)


class StartForm(forms.Form):
    as_of = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "评估基准日应为“年-月-日”，如 2026-06-30",
            "invalid": "评估基准日应为“年-月-日”，如 2026-06-30",
        },
    )
    tech_field = _text()


class ApplicationForm(forms.Form):
    """The application's lists (RD, PS, …): one line per item, "code name" (the name may go on with a short
    description: "RD01 名称：简述"); and its texts (the agent, 申报代理机构), kept as they were when not posted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in services.FORM_SECTIONS:
            self.fields[section] = _text()
        for key in services.FORM_FIELDS:
            self.fields[key] = _text()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        items: dict[str, Any] = {}
        for section in services.FORM_SECTIONS:
            rows = []
            for line in str(data.get(section) or "").splitlines():
                code, _, name = line.strip().partition(" ")
                if code:
                    rows.append({"code": code, "name": name.strip()})
            items[section] = rows
        for key in services.FORM_FIELDS:
            if key in self.data:
                items[key] = str(data.get(key) or "")
        return items


class AttachForm(forms.Form):
    file = forms.FileField(error_messages={"required": "请选择不超过 20 MB 的 PDF 文件"})
    item = _text()

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size is None or f.size > services.MAX_ATTACHMENT:
            raise ValidationError("请选择不超过 20 MB 的 PDF 文件")
        return f


class DeclareForm(forms.Form):
    condition = StringListField(required=False)


class ActForm(forms.Form):
    action = _text()
    comment = _text()
    reason = _text()  # 撤销资格's ground

    def clean_reason(self) -> str:
        return str(self.cleaned_data.get("reason") or "") if "reason" in self.data else "not_qualified"


class ScoreForm(forms.Form):
    """One whole-number score per item the expert scores (its range is the service's check)."""

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in items:
            self.fields[key] = forms.IntegerField(
                error_messages={"required": "每一项都须填写整数分", "invalid": "每一项都须填写整数分"}
            )


class ObjectionForm(forms.Form):
    name = _text()
    contact = _text()
    content = _text()


class ObjectionHandleForm(forms.Form):
    upheld = FlagField()
    handling = _text()


class PostCheckForm(forms.Form):
    passed = FlagField()
    reasons = _text()


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(error_messages={"required": "请填写报告年度", "invalid": "请填写报告年度"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in services.ANNUAL_REPORT_FIELDS:
            self.fields[key] = _text()

    def report(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in services.ANNUAL_REPORT_FIELDS}


class RenameForm(forms.Form):
    new_name = forms.CharField(required=False)
    major = FlagField()


class ExpertAddForm(forms.Form):
    username = forms.CharField(required=False)
    kind = _text()
    fields = StringListField(required=False)
    employer_uscc = _text()
    avoid_usccs = _text()

    def clean_avoid_usccs(self) -> list[str]:
        return str(self.cleaned_data.get("avoid_usccs") or "").split()


class ExpertUpdateForm(forms.Form):
    expert = _text()
    active = FlagField()
    employer_uscc = _text()
    avoid_usccs = _text()
    past_employers = _text()
    version = _text()

    def clean_avoid_usccs(self) -> list[str]:
        return str(self.cleaned_data.get("avoid_usccs") or "").split()

    def clean_past_employers(self) -> list[list[str]]:
        """One past employer a line, "USCC until" (the service checks the date)."""
        lines = [line.split() for line in str(self.cleaned_data.get("past_employers") or "").splitlines()]
        return [[p[0], p[1]] for p in lines if len(p) == 2]

    def clean_version(self) -> int | None:
        version = str(self.cleaned_data.get("version") or "")
        return int(version) if version.isdigit() else None


class ReferralDecisionForm(forms.Form):
    """The municipal office's decision on a revocation referral."""

    decision = forms.ChoiceField(choices=[("revoke", "决定撤销资格"), ("decline", "不予撤销")],
                                 error_messages={"required": "请选择决定", "invalid_choice": "请选择决定"})  # fmt: skip
    note = forms.CharField(max_length=5000, error_messages={"required": "请写明决定的事实与理由"})
    reason = forms.CharField(max_length=32, required=False)
    from_year = forms.IntegerField(required=False, min_value=2000, max_value=2100,
                                   error_messages={"invalid": "请填写年度"})  # fmt: skip
    seen = forms.CharField(max_length=12, required=False)

    def clean_reason(self) -> str:
        return self.cleaned_data.get("reason") or "not_qualified"
