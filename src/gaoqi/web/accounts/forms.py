"""The forms of 账号管理 and 安全设置 (errors in Chinese). The checks themselves are the services' (jurisdiction,
password rules, allowed ranges): a form only carries them to the field they concern."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.accounts.security import runtime_settings
from gaoqi.web.accounts.services import jurisdiction_check, password_check

ROLE_CHOICES = list(roles.ROLE_LABELS.items())


def _district_choices() -> list[tuple[str, str]]:
    from gaoqi.engine import district_codes

    return [("", "—"), *((code, f"{name}（{code}）") for code, name in district_codes().items())]


class JurisdictionMixin(forms.Form):
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES)
    district_code = forms.ChoiceField(label="所属区县（区级管理人员）", required=False, choices=_district_choices)
    uscc = forms.CharField(label="统一社会信用代码（企业用户）", required=False, max_length=18)
    incubator_code = forms.CharField(label="机构代码（孵化器、服务机构）", required=False, max_length=32)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role:
            try:
                data.update(
                    jurisdiction_check(
                        role, data.get("district_code", ""), data.get("uscc", ""), data.get("incubator_code", "")
                    )
                )
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    for err in errors:
                        self.add_error(field if field in self.fields else None, err)
        return data


class UserCreateForm(JurisdictionMixin):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ + - 符号"},
    )
    display_name = forms.CharField(label="姓名或单位", max_length=64, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput(render_value=False), strip=False)
    field_order = ["username", "display_name", "role", "district_code", "uscc", "incubator_code", "password"]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("该用户名已被使用")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("username"):
            try:
                password_check(
                    data["password"], User(username=data["username"], display_name=data.get("display_name", ""))
                )
            except ValidationError as e:
                for msg in e.messages:
                    self.add_error("password", msg)
        return data


class UserRoleForm(JurisdictionMixin):
    display_name = forms.CharField(label="姓名或单位", max_length=64, required=False)
    field_order = ["display_name", "role", "district_code", "uscc", "incubator_code"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(label="新密码", widget=forms.PasswordInput(render_value=False), strip=False)
    confirm = forms.CharField(label="再次输入", widget=forms.PasswordInput(render_value=False), strip=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("confirm"):
            self.add_error("confirm", "两次输入的密码不一致")
        elif data.get("password"):
            try:
                password_check(data["password"], self.user)
            except ValidationError as e:
                for msg in e.messages:
                    self.add_error("password", msg)
        return data


class UserFilterForm(forms.Form):
    q = forms.CharField(label="用户名或姓名", required=False, max_length=64)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部"), *ROLE_CHOICES])
    district_code = forms.ChoiceField(label="区县", required=False, choices=_district_choices)
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("active", "启用"), ("disabled", "停用")]
    )


class SecuritySettingsForm(forms.Form):
    """One integer field per run-time setting, bounded by its allowed range."""

    def __init__(self, *args: Any, values: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, spec in runtime_settings().items():
            self.fields[key] = forms.IntegerField(
                label=f"{spec.label}（{spec.unit}）",
                min_value=spec.low,
                max_value=spec.high,
                initial=values[key],
                help_text=f"允许 {spec.low} 至 {spec.high}，默认 {spec.default}",
                error_messages={
                    "min_value": f"{spec.label}不能小于 {spec.low} {spec.unit}",
                    "max_value": f"{spec.label}不能大于 {spec.high} {spec.unit}",
                    "invalid": "请输入整数",
                    "required": "请填写此项",
                },
            )


class TokenCreateForm(forms.Form):
    """签发令牌: an active account, a purpose and a lifetime in days (bounds and purpose: the service's)."""

    username = forms.ModelChoiceField(
        queryset=User.objects.none(),
        to_field_name="username",
        error_messages={"required": "请选择一个启用的账号", "invalid_choice": "请选择一个启用的账号"},
    )
    name = forms.CharField(required=False, strip=False)
    days = forms.RegexField(regex=r"^\s*\d+\s*$", required=False, error_messages={"invalid": "有效期须为天数"})

    def __init__(self, *args: Any, holders: Any, default_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].queryset = holders
        self.default_days = default_days

    def clean_days(self) -> int:
        days = str(self.cleaned_data.get("days") or "").strip()
        return int(days) if days else self.default_days


class UserActiveForm(forms.Form):
    """停用 (``0``) or 启用 (``1``) an account."""

    active = forms.TypedChoiceField(
        choices=[("0", "停用"), ("1", "启用")],
        coerce=lambda v: v == "1",
        error_messages={
            "required": "请求无效：请在页面上点击“停用账号”或“启用账号”",
            "invalid_choice": "请求无效：请在页面上点击“停用账号”或“启用账号”",
        },
    )
