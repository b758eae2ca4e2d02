"""The list page's query parameters (the page and its export read the same filter), the removal form, and the
recommendation forms (recommend, decide, the queue's filter)."""

from __future__ import annotations

from typing import Any

from django import forms

from gaoqi.web.enterprises.forms import SearchText
from gaoqi.web.programmes.funnel import FunnelFilter
from gaoqi.web.programmes.models import MODES, OUTCOMES, ROUTES
from gaoqi.web.programmes.selectors import MemberFilter
from gaoqi.web.programmes.workflow import RECORD_LABELS, STATUS_LABELS, SUBMITTED


class MemberFilterForm(forms.Form):
    district = SearchText(required=False, max_length=6)
    section = SearchText(required=False, max_length=1)
    tech_field = SearchText(required=False, max_length=64)
    route = forms.ChoiceField(required=False, choices=[("", ""), *ROUTES])
    entered_since = forms.DateField(required=False)

    def filter(self) -> MemberFilter:
        """The filter asked for; a parameter that does not parse is ignored (the whole list is shown)."""
        self.is_valid()  # the fields that parse are in cleaned_data
        data: dict[str, Any] = {k: v for k, v in self.cleaned_data.items() if v}
        return MemberFilter(**data)


class FunnelFilterForm(forms.Form):
    """The funnel's filter (the page, its export and the API read the same): a cohort (year of entry) and a
    route in; a value that does not parse is ignored (every cohort, both routes)."""

    cohort = forms.IntegerField(required=False, min_value=1900, max_value=9998)
    route = forms.ChoiceField(required=False, choices=[("", ""), *ROUTES])

    def filter(self) -> FunnelFilter:
        self.is_valid()
        return FunnelFilter(cohort=self.cleaned_data.get("cohort"), route=self.cleaned_data.get("route") or "")


class RemoveForm(forms.Form):
    comment = forms.CharField(max_length=2000, strip=True, error_messages={"required": "请填写移出说明"})


class RecommendForm(forms.Form):
    reason = forms.CharField(max_length=2000, strip=True, error_messages={"required": "请填写推荐理由",
                                                                          "max_length": "推荐理由不能超过2000字"})  # fmt: skip


class DecisionForm(forms.Form):
    """The municipal office's confirmation or decline (the comment is required to decline: the service says so),
    or the district's withdrawal; ``seen``: the status the page showed (a stale page is refused)."""

    comment = forms.CharField(required=False, max_length=2000, strip=True,
                              error_messages={"max_length": "意见不能超过2000字"})  # fmt: skip
    seen = forms.ChoiceField(required=False, choices=[("", ""), *STATUS_LABELS.items()])


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), ("all", "全部"), *STATUS_LABELS.items()])

    def status_asked(self) -> str:
        """The status to show: the waiting ones unless another (or all: "") is asked; a bad value: the default."""
        self.is_valid()
        asked = self.cleaned_data.get("status") or SUBMITTED
        return "" if asked == "all" else asked


# the records of cultivation (issue 12)

_REQ = "请填写{}"


class TutoringForm(forms.Form):
    """A one-to-one tutoring session: the enterprise (USCC), the date, the advice, and up to five follow-up actions
    (``followup_action_N`` with ``followup_due_N``)."""

    uscc = SearchText(max_length=18, error_messages={"required": "请选择企业"})
    held_on = forms.DateField(error_messages={"required": _REQ.format("辅导日期"), "invalid": "辅导日期格式不对"})
    advice = forms.CharField(max_length=4000, strip=True, error_messages={"required": _REQ.format("辅导意见"),
                                                                          "max_length": "辅导意见不能超过4000字"})  # fmt: skip
    FOLLOWUPS = 5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(self.FOLLOWUPS):
            self.fields[f"followup_action_{i}"] = forms.CharField(required=False, max_length=2000, strip=True)
            self.fields[f"followup_due_{i}"] = forms.DateField(required=False,
                                                               error_messages={"invalid": "完成期限格式不对"})  # fmt: skip

    def followups(self) -> list[tuple[str, Any]]:
        data = self.cleaned_data
        return [(data[f"followup_action_{i}"], data.get(f"followup_due_{i}")) for i in range(self.FOLLOWUPS)
                if data.get(f"followup_action_{i}")]  # fmt: skip


class AnswerForm(forms.Form):
    """The enterprise's confirmation or dispute, or the tutor's correction, of a record; ``seen``: the status the
    page showed."""

    action = forms.ChoiceField(choices=[("confirm", "确认无误"), ("dispute", "提出异议"), ("correct", "更正记录")],
                               error_messages={"required": "请选择操作", "invalid_choice": "未知的操作"})  # fmt: skip
    comment = forms.CharField(required=False, max_length=2000, strip=True,
                              error_messages={"max_length": "意见不能超过2000字"})  # fmt: skip
    advice = forms.CharField(required=False, max_length=4000, strip=True,
                             error_messages={"max_length": "辅导意见不能超过4000字"})  # fmt: skip
    attended = forms.ChoiceField(required=False, choices=[("", ""), ("yes", "参训"), ("no", "未参训")])
    seen = forms.ChoiceField(required=False, choices=[("", ""), *RECORD_LABELS.items()])


class FollowUpForm(forms.Form):
    action = forms.CharField(max_length=2000, strip=True, error_messages={"required": _REQ.format("跟进事项")})
    due_on = forms.DateField(error_messages={"required": _REQ.format("完成期限"), "invalid": "完成期限格式不对"})


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=OUTCOMES, error_messages={"required": "请选择结果",
                                                                  "invalid_choice": "未知的结果"})  # fmt: skip
    outcome_on = forms.DateField(required=False, error_messages={"invalid": "结果日期格式不对"})
    outcome_note = forms.CharField(required=False, max_length=4000, strip=True)


class TrainingForm(forms.Form):
    held_on = forms.DateField(error_messages={"required": _REQ.format("培训日期"), "invalid": "培训日期格式不对"})
    topic = forms.CharField(max_length=200, strip=True, error_messages={"required": _REQ.format("培训主题"),
                                                                        "max_length": "培训主题不能超过200字"})  # fmt: skip
    mode = forms.ChoiceField(choices=MODES, error_messages={"required": "请选择培训方式",
                                                            "invalid_choice": "未知的培训方式"})  # fmt: skip
    hours = forms.DecimalField(min_value=0.1, max_value=100, decimal_places=1,
                               error_messages={"required": _REQ.format("培训时长"), "invalid": "培训时长应为数字",
                                               "min_value": "培训时长应大于0", "max_value": "培训时长不能超过100小时",
                                               "max_decimal_places": "培训时长最多一位小数"})  # fmt: skip
    invited = forms.MultipleChoiceField(required=False, choices=[])

    def __init__(self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invited"].choices = choices or []
        self.fields["invited"].error_messages["invalid_choice"] = "所选企业不在可邀请的培育库企业中"


class AnyValues(forms.MultipleChoiceField):
    """Several values, each checked by the service (which names the ones it refuses), not here."""

    def valid_value(self, value: Any) -> bool:
        return len(str(value)) <= 64


class AttendanceForm(forms.Form):
    attended = AnyValues(required=False, error_messages={"invalid_choice": "企业代码不对"})


class MaterialForm(forms.Form):
    file = forms.FileField(error_messages={"required": "请选择要上传的文件"})
