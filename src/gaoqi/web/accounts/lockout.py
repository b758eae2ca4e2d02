"""The login lockout (django-axes handler; the rules are in settings.py and ADR 0009).

Axes records every failed login as an ``AccessAttempt`` row per (username, address, user agent). Axes alone
applies one limit to every parameter; this handler applies three, each with an escalating lock:

The three numbers are the 安全设置 in force (``security.security_value``: what the security administrator set,
else settings.py's ``AXES_FAILURE_LIMIT``, ``AXES_ADDRESS_FAILURE_LIMIT``, ``AXES_LOCK_MINUTES``), read at each
login attempt.

- account at one address: ``AXES_FAILURE_LIMIT`` failures;
- account from anywhere: the same limit, except on a known device of the account (a signed cookie set at a
  successful login), so that failures elsewhere never lock the account's owner out of their own machine;
- one address, whatever the accounts: ``AXES_ADDRESS_FAILURE_LIMIT`` (an office behind one NAT address).

A lock lasts ``AXES_LOCK_MINUTES`` after the last failure, doubled for every further limit's worth of failures
(at most a day). A correct login forgets the failures of its account at its address only: someone else's
attempts on the account elsewhere stay counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gaoqi.web.accounts.security import security_value, security_values

MAX_LOCK = dt.timedelta(days=1)
DEVICE_SALT = "gaoqi.accounts.known-device"
DEVICE_ACCOUNTS = 5  # accounts remembered per device (a shared office computer)


def lock_duration(failures: int, limit: int, minutes: int | None = None) -> dt.timedelta:
    """Nothing below the limit; from it, the base lock doubled for every further ``limit`` failures."""
    if failures < limit:
        return dt.timedelta(0)
    doublings = min((failures - limit) // limit, 10)  # 15 minutes × 2**7 is past a day already
    base = security_value("lock_minutes") if minutes is None else minutes
    return min(dt.timedelta(minutes=base) * 2**doublings, MAX_LOCK)


def known_accounts(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(
        settings.KNOWN_DEVICE_COOKIE,
        default="",
        salt=DEVICE_SALT,
        max_age=dt.timedelta(days=settings.KNOWN_DEVICE_DAYS),
    )
    return [u for u in value.split(",") if u]


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful login: this browser is a known device of ``username`` (usernames hold no comma)."""
    accounts = [username, *(u for u in known_accounts(request) if u != username)][:DEVICE_ACCOUNTS]
    response.set_signed_cookie(
        settings.KNOWN_DEVICE_COOKIE,
        ",".join(accounts),
        salt=DEVICE_SALT,
        max_age=settings.KNOWN_DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _locked(qs: QuerySet[AccessAttempt], limit: int, now: dt.datetime, minutes: int) -> bool:
    agg = qs.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    n, last = agg["n"] or 0, agg["last"]
    return last is not None and now - last < lock_duration(n, limit, minutes)


def lock_reason(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """``address``, ``account_address``, ``account`` or None (not locked)."""
    now = timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - dt.timedelta(hours=settings.AXES_COOLOFF_TIME))
    ip = getattr(request, "axes_ip_address", None) or ""
    values = security_values()  # one query: the settings in force
    minutes = values["lock_minutes"]
    if _locked(recent.filter(ip_address=ip), values["address_failure_limit"], now, minutes):
        return "address"
    username = get_client_username(request, credentials)
    if not username:
        return None
    limit = values["failure_limit"]
    if _locked(recent.filter(username=username, ip_address=ip), limit, now, minutes):
        return "account_address"
    if username not in known_accounts(request) and _locked(recent.filter(username=username), limit, now, minutes):
        return "account"
    return None


class LockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        reason = lock_reason(request, credentials)
        request.gaoqi_lock_reason = reason
        return reason is not None

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # axes compares this with the failure limit after recording a failure: the limit means "now locked"
        return get_failure_limit(request, credentials) if self.is_locked(request, credentials) else 0

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
