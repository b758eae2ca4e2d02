"""``gaoqi-web demo_setup`` gives a 海淀 规升强 member a package with three items (once)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from gaoqi.web.servicepacks.models import ServiceItem, ServicePackage
from tests.web.servicepacks.conftest import join_list

pytestmark = pytest.mark.django_db


def test_demo_setup_makes_a_package(snapshot: Any) -> None:
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.programmes.models import ListMembership

    if not ListMembership.objects.filter(list_id="above-scale-to-strong", enterprise__district_code="110108",
                                         left_on__isnull=True).exists():  # fmt: skip
        join_list(Enterprise.objects.filter(district_code="110108").order_by("uscc").first())
    call_command("demo_setup")
    pkg = ServicePackage.objects.get()
    assert sorted(ServiceItem.objects.filter(package=pkg).values_list("status", flat=True)) == [
        "accepted", "assigned", "done"]  # fmt: skip
    call_command("demo_setup")  # again: nothing more
    assert ServicePackage.objects.count() == 1 and ServiceItem.objects.count() == 3
