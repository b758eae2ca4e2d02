"""Plain factories for the platform's tests: users of each role, enterprises, applications in a given status,
certificates, renames, post-checks and objections — rows made directly, without the synthetic snapshot (which
the lifecycle tests need and these do not), so a test can put an object in any status in milliseconds.

A status given here is test data (the row as it would be after its moves), not a move: moves go through the
services and ``core.workflow``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from gaoqi.engine.uscc import complete
from gaoqi.web import roles
from tests.web.conftest import AS_OF, HAIDIAN, make_user

_serial = itertools.count(1)


def uscc(n: int | None = None, district_code: str = HAIDIAN) -> str:
    """A valid unified social credit code (check character by GB 32100-2015), distinct per ``n``."""
    return complete(f"91{district_code}MA{(next(_serial) if n is None else n):07d}")


def snapshot() -> Any:
    """A published snapshot row (no DuckDB file behind it): what an enterprise row points to."""
    from gaoqi.web.intake.models import Snapshot

    return Snapshot.objects.create(as_of=AS_OF, status=Snapshot.PUBLISHED, is_current=True)


def enterprise(*, code: str | None = None, name: str = "北京测试科技有限公司", district_code: str = HAIDIAN) -> Any:
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.intake.models import Snapshot

    snap = Snapshot.objects.filter(is_current=True).first() or snapshot()
    return Enterprise.objects.create(
        uscc=code or uscc(district_code=district_code), name=name, district_code=district_code, snapshot=snap
    )


def user(role: str, username: str | None = None, **jurisdiction: str) -> Any:
    """An active account of ``role`` with the jurisdiction its role needs (海淀; a made-up USCC; INC-T)."""
    defaults = {
        roles.DISTRICT: {"district_code": HAIDIAN},
        roles.ENTERPRISE: {"uscc": uscc()},
        roles.INCUBATOR: {"incubator_code": "INC-T"},
    }.get(role, {})
    return make_user(role, username or f"{role}_{next(_serial)}", **{**defaults, **jurisdiction})


def users_by_role(*, uscc_of_enterprise: str, district_code: str = HAIDIAN) -> dict[str, Any]:
    """One user per role; the enterprise user holds ``uscc_of_enterprise``, the district user ``district_code``."""
    where = {roles.ENTERPRISE: {"uscc": uscc_of_enterprise}, roles.DISTRICT: {"district_code": district_code}}
    return {role: user(role, f"f_{role}", **where.get(role, {})) for role in roles.ROLES}


def application(
    status: str,
    *,
    code: str | None = None,
    created_by: Any = None,
    district_code: str = HAIDIAN,
    year: int = 2026,
    tech_field: str = "电子信息",
    stage_started_at: dt.date = dt.date(2026, 7, 1),
    **extra: Any,
) -> Any:
    """An application in ``status`` (its enterprise's account is made when ``created_by`` is not given)."""
    from gaoqi.web.certification.models import Application

    code = code or (created_by.uscc if created_by is not None and created_by.uscc else uscc())
    created_by = created_by or user(roles.ENTERPRISE, uscc=code)
    return Application.objects.create(
        uscc=code, enterprise_name=f"企业{code[-6:]}", district_code=district_code, year=year, tech_field=tech_field,
        status=status, stage_started_at=stage_started_at, as_of=AS_OF, created_by=created_by, **extra,
    )  # fmt: skip


def certificate(
    *,
    code: str | None = None,
    issue_date: dt.date = dt.date(2025, 12, 1),
    status: str = "valid",
    number: str | None = None,
    app: Any = None,
    name: str = "北京测试科技有限公司",
) -> Any:
    from gaoqi.web.certification.models import Certificate

    expiry = issue_date.replace(year=issue_date.year + 3) - dt.timedelta(days=1)
    return Certificate.objects.create(
        number=number or f"GR{issue_date.year}11{next(_serial):06d}", uscc=code or (app.uscc if app else uscc()),
        enterprise_name=name, tech_field="电子信息", issue_date=issue_date, expiry_date=expiry, status=status,
        application=app,
    )  # fmt: skip


def name_change(cert: Any, status: str = "publicity", *, new_name: str = "北京新名称科技有限公司", **extra: Any) -> Any:
    from gaoqi.web.certification.models import NameChange

    publicity = {"publicity_start": dt.date(2026, 7, 1), "publicity_end": dt.date(2026, 7, 15)}
    return NameChange.objects.create(
        certificate=cert, old_name=cert.enterprise_name, new_name=new_name, status=status,
        **({} if status == "re_review" else publicity), **extra,
    )  # fmt: skip


def post_check(app: Any, outcome: str = "", *, due_date: dt.date = dt.date(2026, 8, 31)) -> Any:
    from gaoqi.web.certification.models import PostCheck

    return PostCheck.objects.create(application=app, seed=1, due_date=due_date, outcome=outcome)


def objection(app: Any, status: str = "pending", *, content: str = "研发费用归集不实") -> Any:
    from gaoqi.web.certification.models import Objection

    return Objection.objects.create(application=app, name="张三", contact="13800000000", content=content, status=status)


def expert(account: Any = None, *, kind: str = "technical", fields: list[str] | None = None, **extra: Any) -> Any:
    from gaoqi.web.certification.models import Expert

    account = account or user(roles.EXPERT)
    return Expert.objects.create(user=account, kind=kind, fields=["电子信息"] if fields is None else fields, **extra)
