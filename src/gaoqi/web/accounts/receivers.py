"""Login outcomes go to the audit log (the only receivers in the project: Django and django-axes report logins
and lockouts by signal). One row per login request: a refused or failed attempt that locks (or finds locked) is
recorded as the lockout, not a second time as a failure."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gaoqi.web.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(user, "login", request=request, outcome="success")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(user, "logout", request=request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if getattr(request, "axes_locked_out", False):
        return  # recorded by _locked_out (axes' receiver runs first: axes is installed before accounts)
    audit_record(None, "login", request=request, outcome="failure", target=f"user:{credentials.get('username', '')}")


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any, username: str | None = None, ip_address: str | None = None, **kw: Any
) -> None:
    audit_record(
        None,
        "login.lockout",
        request=request,
        outcome="denied",
        target=f"user:{username or ''}",
        detail={"reason": getattr(request, "gaoqi_lock_reason", None) or "", "address": ip_address or ""},
    )
