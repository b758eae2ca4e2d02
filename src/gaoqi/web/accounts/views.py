from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gaoqi.web.accounts import services
from gaoqi.web.accounts.lockout import remember_device
from gaoqi.web.accounts.selectors import api_tokens_for_admin, token_holders, users_for_admin


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


def users(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/users.html", {"users": users_for_admin(request.user)})


def security(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    facts = [
        (
            "登录失败锁定",
            f"同一账号 {settings.AXES_FAILURE_LIMIT} 次失败后锁定 {settings.AXES_LOCK_MINUTES} 分钟，再次失败时加倍"
            f"（该账号已登录过的设备不受其他地址的失败影响）；同一地址 {settings.AXES_ADDRESS_FAILURE_LIMIT} 次失败后锁定该地址",
        ),
        ("会话空闲超时", f"{settings.SESSION_COOKIE_AGE // 60} 分钟"),
        ("口令散列", "Argon2"),
        ("内容安全策略", "default-src 'self'"),
    ]
    return render(request, "accounts/security.html", {"facts": facts})


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
    from gaoqi.web.accounts.models import User

    holder = User.objects.filter(username=request.POST.get("username", ""), is_active=True).first()
    days = request.POST.get("days", str(services.TOKEN_DAYS)).strip()
    if holder is None:
        return tokens(request, error="请选择一个启用的账号", status=400)
    if not days.isdigit():
        return tokens(request, error="有效期须为天数", status=400)
    try:
        key = services.api_token_create(request.user, holder, request.POST.get("name", ""), days=int(days))
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
