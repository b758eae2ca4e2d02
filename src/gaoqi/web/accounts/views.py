from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gaoqi.web.accounts import services
from gaoqi.web.accounts.forms import (
    PasswordResetForm,
    SecuritySettingsForm,
    TokenCreateForm,
    UserActiveForm,
    UserCreateForm,
    UserFilterForm,
    UserRoleForm,
)
from gaoqi.web.accounts.lockout import remember_device
from gaoqi.web.accounts.models import User
from gaoqi.web.accounts.security import runtime_settings, security_values
from gaoqi.web.accounts.selectors import (
    api_tokens_for_admin,
    stored_security_settings,
    token_holders,
    user_for_admin,
    users_for_admin,
)
from gaoqi.web.core.errors import DomainError, valid_data
from gaoqi.web.paging import CappedPaginator as Paginator


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        remember_device(self.request, response, form.get_user().get_username())  # exempt from account-wide lock
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "accounts:login"  # (POST only) there is no logged-out template: back to the login page


def me(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/me.html", {})


def users(request: HttpRequest, *, form: UserCreateForm | None = None, status: int = 200) -> HttpResponse:
    """账号管理: the accounts with filters, and the form creating one."""
    filters = UserFilterForm(request.GET or None, auto_id="filter_%s")  # ids apart from the create form's
    f = filters.cleaned_data if filters.is_valid() else {}
    qs = users_for_admin(
        request.user,
        q=f.get("q", ""),
        role=f.get("role", ""),
        district_code=f.get("district_code", ""),
        state=f.get("state", ""),
    )
    page = Paginator(qs, 50, allow_empty_first_page=True).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "page": page,
        "filters": filters,
        "form": form or UserCreateForm(),
        "query_prefix": f"{query.urlencode()}&" if query else "",
    }
    return render(request, "accounts/users.html", ctx, status=status)


@require_POST
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST)
    if not form.is_valid():
        return users(request, form=form, status=400)
    d = form.cleaned_data
    try:
        user = services.user_create(
            request.user,
            username=d["username"],
            password=d["password"],
            role=d["role"],
            district_code=d["district_code"],
            uscc=d["uscc"],
            incubator_code=d["incubator_code"],
            display_name=d["display_name"],
        )
    except ValidationError as e:
        for msg in e.messages:
            form.add_error(None, msg)
        return users(request, form=form, status=400)
    messages.success(request, f"账号 {user.username} 已创建。")
    return redirect("accounts:user_detail", pk=user.pk)


def _managed(request: HttpRequest, pk: int) -> User:
    user = user_for_admin(request.user, pk)
    if user is None:
        raise Http404("账号不存在")
    return user


def user_detail(
    request: HttpRequest,
    pk: int,
    *,
    role_form: UserRoleForm | None = None,
    password_form: PasswordResetForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """One account: its role and jurisdiction (changeable), enable/disable, password reset, its recent audit."""
    user = _managed(request, pk)
    initial = {k: getattr(user, k) for k in ("role", "district_code", "uscc", "incubator_code", "display_name")}
    ctx = {
        "account": user,
        "role_form": role_form or UserRoleForm(initial=initial),
        "password_form": password_form or PasswordResetForm(user=user),
        "error": error,
    }
    return render(request, "accounts/user_detail.html", ctx, status=status)


@require_POST
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    user = _managed(request, pk)
    form = UserRoleForm(request.POST)
    if not form.is_valid():
        return user_detail(request, pk, role_form=form, status=400)
    d = form.cleaned_data
    try:
        services.user_role_set(
            request.user,
            user,
            role=d["role"],
            district_code=d["district_code"],
            uscc=d["uscc"],
            incubator_code=d["incubator_code"],
            display_name=d["display_name"],
        )
    except (DomainError, ValidationError) as e:
        return user_detail(request, pk, role_form=form, error=_reason(e), status=400)
    messages.success(request, f"账号 {user.username} 的角色与辖区已保存。")
    return redirect("accounts:user_detail", pk=pk)


@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    """停用 (``active=0``) or 启用 (``active=1``) an account."""
    user = _managed(request, pk)
    try:
        enable = valid_data(UserActiveForm(request.POST))["active"]
        if enable:
            services.user_enable(request.user, user)
        else:
            services.user_disable(request.user, user)
    except DomainError as e:
        return user_detail(request, pk, error=str(e), status=400)
    messages.success(request, f"账号 {user.username} 已{'启用' if enable else '停用'}。")
    return redirect("accounts:user_detail", pk=pk)


@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _managed(request, pk)
    form = PasswordResetForm(request.POST, user=user)
    if not form.is_valid():
        return user_detail(request, pk, password_form=form, status=400)
    try:
        services.user_password_reset(request.user, user, form.cleaned_data["password"])
    except ValidationError as e:
        for msg in e.messages:
            form.add_error("password", msg)
        return user_detail(request, pk, password_form=form, status=400)
    messages.success(request, f"账号 {user.username} 的密码已重置，请通过安全渠道告知本人并提醒其登录后修改。")
    return redirect("accounts:user_detail", pk=pk)


def _reason(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "；".join(e.messages)
    return str(e)


def security(request: HttpRequest, *, form: SecuritySettingsForm | None = None, status: int = 200) -> HttpResponse:
    """安全设置: the settings in force (what may change here, and what is fixed by the deployment)."""
    from django.conf import settings

    values = security_values()
    specs = runtime_settings()
    rules = []
    for v in settings.AUTH_PASSWORD_VALIDATORS:
        name = v["NAME"].rsplit(".", 1)[-1]
        label = PASSWORD_RULES.get(name, name)
        if name == "MinimumLengthValidator":
            label = f"至少 {v.get('OPTIONS', {}).get('min_length', 8)} 个字符"
        rules.append(label)
    fixed = [
        (
            "登录失败锁定",
            f"同一账号 {values['failure_limit']} 次失败后锁定 {values['lock_minutes']} 分钟，此后每再失败 "
            f"{values['failure_limit']} 次锁定时间加倍（最长一天）；该账号已登录过的设备不受其他地址的失败影响；"
            f"同一地址 {values['address_failure_limit']} 次失败后锁定该地址；失败记录保留 {settings.AXES_COOLOFF_TIME} 小时",
        ),
        (
            "会话",
            f"空闲 {values['session_idle_minutes']} 分钟后失效（上限 {settings.SESSION_COOKIE_AGE // 60} 分钟，由部署配置决定）；"
            "关闭浏览器即失效",
        ),
        ("密码规则", "；".join(rules)),
        ("密码存储", "以 Argon2 算法加盐散列存储，不保存明文"),
        ("内容安全策略", "仅允许本站脚本与样式（不允许内联脚本）"),
    ]
    changed = {k: v for k, v in values.items() if v != specs[k].default}
    ctx = {
        "facts": fixed,
        "form": form or SecuritySettingsForm(values=values),
        "changed": changed,
        "rows": [
            (specs[r.key].label, r.value, specs[r.key].unit, r.updated_by, r.updated_at)
            for r in stored_security_settings()
            if r.key in specs
        ],
    }
    return render(request, "accounts/security.html", ctx, status=status)


#: Django's password validators, as a person reads them.
PASSWORD_RULES = {
    "UserAttributeSimilarityValidator": "不能与用户名、姓名相近",
    "CommonPasswordValidator": "不能是常见密码",
    "NumericPasswordValidator": "不能全为数字",
}


@require_POST
def security_update(request: HttpRequest) -> HttpResponse:
    form = SecuritySettingsForm(request.POST, values=security_values())
    if not form.is_valid():
        return security(request, form=form, status=400)
    try:
        changed = services.security_settings_update(request.user, dict(form.cleaned_data))
    except DomainError as e:
        form.add_error(None, str(e))
        return security(request, form=form, status=400)
    specs = runtime_settings()
    if changed:
        text = "；".join(f"{specs[k].label}：{c['from']} → {c['to']} {specs[k].unit}" for k, c in changed.items())
        messages.success(request, f"安全设置已更新，立即生效：{text}。")
    else:
        messages.info(request, "设置未改变。")
    return redirect("accounts:security")


def tokens(request: HttpRequest, *, issued: str = "", error: str = "", status: int = 200) -> HttpResponse:
    """API 令牌: the list (never a key), the issue form; right after issuing, the new key, once."""
    now = timezone.now()
    rows = [(t, t.state(now)) for t in api_tokens_for_admin(request.user)[:500]]
    ctx = {
        "rows": rows,
        "holders": token_holders(request.user),
        "issued": issued,
        "error": error,
        "default_days": services.TOKEN_DAYS,
        "max_days": services.TOKEN_MAX_DAYS,
    }
    return render(request, "accounts/tokens.html", ctx, status=status)


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST, holders=token_holders(request.user), default_days=services.TOKEN_DAYS)
    try:  # DomainError is a ValueError, as the service's refusals are
        d = valid_data(form)
        key = services.api_token_create(request.user, d["username"], d["name"], days=d["days"])
    except ValueError as e:
        return tokens(request, error=str(e), status=400)
    return tokens(request, issued=key)  # shown in this answer only (no-store), never again


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = api_tokens_for_admin(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("令牌不存在")
    services.api_token_revoke(request.user, token)
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("accounts:tokens")
