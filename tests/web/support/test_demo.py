"""The demo's support rows: written through the services once (a second run adds nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from gaoqi.web.programmes.models import ListMembership
from gaoqi.web.support.models import Allocation, Quota, SupportRecord


@pytest.mark.django_db
def test_demo_setup_adds_haidians_quotas_and_support_once(snapshot: Any) -> None:
    call_command("demo_setup")
    members = ListMembership.objects.filter(
        list_id__in=("small-to-above-scale", "above-scale-to-strong"), left_on__isnull=True,
        enterprise__district_code="110108",
    )  # fmt: skip
    assert members.exists()
    assert sorted(Quota.objects.values_list("district_code", "quota_type", "total")) == [
        ("110108", "housing", 50), ("110108", "wrp", 200),
    ]  # fmt: skip
    n = SupportRecord.objects.count()
    assert n >= 3 and Allocation.objects.filter(tier="B", count=3).exists()
    call_command("demo_setup")
    assert SupportRecord.objects.count() == n and Quota.objects.count() == 2
