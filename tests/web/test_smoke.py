"""The published snapshot reaches the pages: a municipal official sees every enterprise, with results."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.engine import default_policies
from tests.web.conftest import login


@pytest.mark.django_db
def test_snapshot_publishes_every_enterprise_and_result(snapshot: Any) -> None:
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    assert snapshot.status == "published" and snapshot.is_current
    assert Enterprise.objects.count() == snapshot.enterprises == 300 + 0
    assert PolicyResult.objects.of(snapshot).count() == snapshot.results == 300 * len(default_policies())


@pytest.mark.django_db
def test_municipal_pages_render(users: dict[str, Any]) -> None:
    c = login(users["municipal"])
    from gaoqi.web.enterprises.models import Enterprise

    e = Enterprise.objects.order_by("uscc").first()
    assert e is not None
    for url in ["/", "/enterprises/", f"/enterprises/{e.uscc}/", "/policies/", "/policies/hte-certification/"]:
        assert c.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_second_run_updates_the_index_and_switches_the_current_snapshot(snapshot: Any) -> None:
    """Publishing again (SQLite: ORM batches; PostgreSQL: COPY + upsert) keeps one row per enterprise, keeps
    names' pinyin, adds the new run's results and makes it the only current snapshot."""
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run
    from tests.web.conftest import AS_OF

    before = dict(Enterprise.objects.values_list("uscc", "name_initials"))
    second = snapshot_run(Snapshot.objects.create(as_of=AS_OF).pk)
    assert second.status == "published" and second.enterprises == len(before)
    assert list(Snapshot.objects.filter(is_current=True).values_list("pk", flat=True)) == [second.pk]
    after = dict(Enterprise.objects.values_list("uscc", "name_initials"))
    assert after.keys() == before.keys()
    changed = [u for u in before if before[u] != after[u]]
    # only the canaries' names were altered by the fixture, so only they get new initials
    assert all(Enterprise.objects.get(uscc=u).district_code == "110105" for u in changed)
    assert PolicyResult.objects.of(second).count() == second.results == len(before) * len(default_policies())
    # the same data: no row rewritten (ADR 0042), every enterprise still in the new snapshot
    assert set(Enterprise.objects.values_list("snapshot_id", flat=True)) == {snapshot.pk}
    assert Enterprise.objects.of(second).count() == len(before)
    assert not PolicyResult.objects.filter(snapshot=second).exists()
    r = PolicyResult.objects.of(second).filter(status="fail").first()
    assert r is not None and r.failed_count == len(r.failed_conditions) > 0


@pytest.mark.django_db
def test_pinyin_initials_follow_phrases() -> None:
    from gaoqi.web.intake.services import initials

    assert initials("北京小米科技有限责任公司") == "bjxmkjyxzrgs"
    assert initials("重庆银行") == "cqyh"  # 重 as chong, 行 as hang: phrase readings, not single characters


@pytest.mark.django_db
def test_precomputed_dashboard_counts_equal_live_counts(users: dict[str, Any]) -> None:
    """The counts computed at publication (read by municipal and district dashboards) are the live counts."""
    from collections import Counter

    from gaoqi.web.dashboard.selectors import dashboard_figures
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult
    from gaoqi.web.policies.selectors import status_counts

    for role, where in (
        ("municipal", {}),
        ("district", {"enterprise__district_code": users["district"].district_code}),
    ):
        live: Counter[tuple[str, str]] = Counter()
        for r in PolicyResult.objects.filter(**where):
            live[(r.policy_id, r.status)] += 1
            live[(r.policy_id, "near")] += r.status == "fail" and r.failed_count == 1
        got = status_counts(users[role])
        assert {(p, k): v for p, d in got.items() for k, v in d.items() if k != "amount" and v} == +live
        ents = Enterprise.objects.filter(**{k.removeprefix("enterprise__"): v for k, v in where.items()})
        fig = dashboard_figures(users[role])
        assert fig["totals"] == {
            "enterprises": ents.count(),
            "hte": ents.filter(has_hte=True).count(),
            "tech_sme": ents.filter(has_tech_sme=True).count(),
            "above_scale": ents.filter(above_scale=True).count(),
        }


@pytest.mark.django_db
def test_the_profile_explains_staff_counts_and_reads_codes_as_words(users: dict[str, Any]) -> None:
    """Staff counts are annual monthly averages (4.75 人 is possible: said on the page); the district and the
    industry read by name."""
    from gaoqi.web.core import labels
    from gaoqi.web.enterprises.models import Enterprise

    e = Enterprise.objects.filter(district_code="110108").order_by("uscc").first()
    assert e is not None
    page = login(users["municipal"]).get(f"/enterprises/{e.uscc}/").content.decode()
    assert "人数按全年月平均数计算" in page and "如 4.75 人" in page
    assert "<dd>海淀区</dd>" in page and labels.industry(e.industry_section) in page
