from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gaoqi.web.accounts.lockout import remember_device
from gaoqi.web.accounts.selectors import users_for_admin


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
