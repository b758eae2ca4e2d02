from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gaoqi.web.accounts.selectors import users_for_admin


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "accounts:login"  # (POST only) there is no logged-out template: back to the login page


def me(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/me.html", {})


def users(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/users.html", {"users": users_for_admin(request.user)})


def security(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    facts = [
        ("登录失败锁定", f"{settings.AXES_FAILURE_LIMIT} 次失败后锁定 {int(settings.AXES_COOLOFF_TIME * 60)} 分钟"),
        ("会话空闲超时", f"{settings.SESSION_COOKIE_AGE // 60} 分钟"),
        ("口令散列", "Argon2"),
        ("内容安全策略", "default-src 'self'"),
    ]
    return render(request, "accounts/security.html", {"facts": facts})
