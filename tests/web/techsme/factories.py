"""Tech-SME rows made directly (no snapshot): an evaluation with the shared data it was started from, in any
status. A status given here is test data (the row as it would be after its moves), not a move."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gaoqi.web import roles
from tests.web.conftest import AS_OF, HAIDIAN
from tests.web.factories import uscc, user

#: Shared data of an enterprise that passes every condition: 30% S&T staff (20), R&D 6% of sales (50) and 7.5%
#: of costs (0), one Class I IP (30): 100 points.
GOOD: dict[str, Any] = {
    "staff_count_last_year": 100,
    "st_staff_count_last_year": 30,
    "sales_revenue_last_year": "1000",
    "total_assets_last_year": "1000",
    "total_costs_last_year": "800",
    "rd_expense_last_year": "60",
    "ip_class1_count": 1,
    "ip_class2_count": 0,
}
CLEAN_PROFILE: dict[str, Any] = {
    "days_since_established": 1000,
    "credit_hte_accidents_365d": 0,
    "credit_research_misconduct_365d": 0,
    "abnormal_operation_listed": 0,
    "serious_dishonesty_listed": 0,
    "has_hte_certificate": False,
}


def prefill(values: dict[str, Any] | None = None, **profile: Any) -> dict[str, Any]:
    """Shared data: every value of ``values`` sourced (None: not held, the enterprise fills it in)."""
    vals = {**GOOD, **(values or {})}
    return {
        "values": {k: {"value": v, "source": "" if v is None else f"测试文件.csv 第{i + 2}行"} for i, (k, v) in enumerate(vals.items())},
        "profile": {**CLEAN_PROFILE, **profile},
    }  # fmt: skip


def evaluation(
    status: str = "draft",
    *,
    code: str | None = None,
    district_code: str = HAIDIAN,
    values: dict[str, Any] | None = None,
    profile: dict[str, Any] | None = None,
    year: int = 2026,
    stage_started_at: dt.date = dt.date(2026, 7, 1),
    declared: bool = True,
    name: str | None = None,
    **extra: Any,
) -> Any:
    from gaoqi.web.techsme.models import Evaluation

    code = code or uscc(district_code=district_code)
    owner = extra.pop("created_by", None) or user(roles.ENTERPRISE, uscc=code)
    return Evaluation.objects.create(
        uscc=code, enterprise_name=name or f"科小企业{code[-6:]}", district_code=district_code, year=year,
        status=status, stage_started_at=stage_started_at, as_of=AS_OF,
        prefill=prefill(values, **(profile or {})), created_by=owner,
        declarations={"not_restricted": "2026-07-01T00:00:00+08:00"} if declared else {}, **extra,
    )  # fmt: skip


def registration(ev: Any, *, number: str, status: str = "valid", valid_until: dt.date = dt.date(2027, 3, 31)) -> Any:
    from gaoqi.web.techsme.models import Registration

    return Registration.objects.create(
        number=number, uscc=ev.uscc, enterprise_name=ev.enterprise_name, district_code=ev.district_code,
        year=2026, registered_on=dt.date(2026, 7, 20), updated_year=2026, valid_until=valid_until, status=status,
        evaluation=ev, **({"revoked_on": dt.date(2026, 8, 1), "revoke_reason": "falsification"} if status == "revoked" else {}),
    )  # fmt: skip
