"""``gaoqi-web sysadmin_create USERNAME``: the first system administrator of a new installation.

Every other account is created on the 账号管理 page by a system administrator; this command only bootstraps
(it refuses while an active system administrator exists), through the same audited service (``user.create``,
no acting user). The password is read from ``GAOQI_SYSADMIN_PASSWORD`` or asked for, never taken from the
command line (it would stay in the shell's history)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.accounts.services import user_create


class Command(BaseCommand):
    help = "创建首个系统管理员（已有启用的系统管理员时拒绝）；密码取自 GAOQI_SYSADMIN_PASSWORD 或交互输入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--display-name", default="系统管理员")

    def handle(self, *args: Any, **opts: Any) -> None:
        if User.objects.filter(role=roles.SYSADMIN, is_active=True).exists():
            raise CommandError("已有启用的系统管理员：其他账号请在“账号管理”页面创建")
        password = os.environ.get("GAOQI_SYSADMIN_PASSWORD") or getpass.getpass("密码：")
        try:
            user = user_create(
                None,
                username=opts["username"],
                password=password,
                role=roles.SYSADMIN,
                display_name=opts["display_name"],
            )
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        self.stdout.write(f"系统管理员 {user.username} 已创建")
