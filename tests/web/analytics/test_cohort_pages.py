"""企业画像分析 on the platform: counts against the published index (an independent count), the scoping canary
(a district official never counts another district, whatever the URL asks), the trend over three hand-built
snapshots, the Excel values, the API, and the profile page's tags."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from gaoqi.engine import Workspace
from gaoqi.web import roles
from tests.engine.analytics.conftest import build, ent
from tests.web.conftest import CHAOYANG, HAIDIAN, login, make_user

pytestmark = pytest.mark.django_db


def _count(response: Any) -> int:
    html = response.content.decode()
    start = html.index('id="cohort-count">') + len('id="cohort-count">')
    return int(html[start : html.index("<", start)])


def test_counts_equal_the_published_index(users: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    municipal = login(users[roles.MUNICIPAL])
    r = municipal.get(reverse("analytics:cohort"))
    assert r.status_code == 200
    assert _count(r) == Enterprise.objects.count()
    r = municipal.get(reverse("analytics:cohort"), {"has_hte": "1", "district": HAIDIAN})
    assert _count(r) == Enterprise.objects.filter(has_hte=True, district_code=HAIDIAN).count()
    r = municipal.get(reverse("analytics:cohort"), {"industry": ["C", "I"]})
    assert _count(r) == Enterprise.objects.filter(industry_section__in=["C", "I"]).count()
    evaluator = login(users[roles.EVALUATOR])
    assert _count(evaluator.get(reverse("analytics:cohort"))) == Enterprise.objects.count()


def test_revenue_and_years_filter_like_the_index(users: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    client = login(users[roles.MUNICIPAL])
    r = client.get(
        reverse("analytics:cohort"),
        {"revenue_min": "1000", "revenue_max": "50000", "established_from": "2010", "established_to": "2020"},
    )
    expected = Enterprise.objects.filter(
        sales_last_year__gte=D(1000),
        sales_last_year__lte=D(50000),
        established_date__year__gte=2010,
        established_date__year__lte=2020,
    ).count()
    assert _count(r) == expected


def test_district_official_never_counts_another_district(users: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    district = login(users[roles.DISTRICT])  # 海淀
    haidian = Enterprise.objects.filter(district_code=HAIDIAN).count()
    assert Enterprise.objects.filter(district_code=CHAOYANG).exists()
    r = district.get(reverse("analytics:cohort"))
    assert _count(r) == haidian
    html = r.content.decode()
    assert "朝阳区" not in html  # neither a figure nor a choice
    # asking for 朝阳 in the URL: a choice outside the scope is refused and never counted
    r = district.get(reverse("analytics:cohort"), {"district": CHAOYANG})
    assert r.status_code == 200 and _count(r) in (0, haidian)
    assert "朝阳区" not in r.content.decode().split("标签口径")[0].replace("选择一个有效的选项", "")
    api = district.get("/api/analytics/cohort", {"district": CHAOYANG})
    assert api.status_code == 200
    assert (api.json()["count"], api.json()["by_district"]) == (0, [])
    assert all(p["count"] == 0 for p in api.json()["trend"])
    api = district.get("/api/analytics/cohort")
    body = api.json()
    assert body["count"] == haidian
    assert [d["code"] for d in body["by_district"]] == [HAIDIAN]
    assert all(p["count"] == haidian for p in body["trend"])


def test_engine_scope_wins_even_past_the_form(users: dict[str, Any]) -> None:
    """Belt and braces: the selector passes the account's districts to the engine, whatever the filter says."""
    from gaoqi.engine import CohortFilter
    from gaoqi.web.analytics.selectors import cohort_for

    view = cohort_for(users[roles.DISTRICT], CohortFilter(districts=(CHAOYANG,)))
    assert view.scope == (HAIDIAN,)
    assert view.result is not None and view.result.count == 0 and view.result.by_district == {}


def test_other_roles_are_refused(users: dict[str, Any]) -> None:
    for role in (roles.ENTERPRISE, roles.INCUBATOR, roles.EXPERT, roles.SYSADMIN):
        assert login(users[role]).get(reverse("analytics:cohort")).status_code == 403
        assert login(users[role]).get("/api/analytics/cohort").status_code == 403


def test_excel_holds_the_page_figures(users: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    from gaoqi.web.enterprises.models import Enterprise

    client = login(users[roles.DISTRICT])
    r = client.get(reverse("analytics:export"), {"has_hte": "1"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    rows = [tuple(c for c in row) for row in wb.active.iter_rows(values_only=True)]
    assert rows[0] == ("分组", "类别", "企业数", "占比")
    total = next(row for row in rows if row[0] == "合计")
    hte_haidian = Enterprise.objects.filter(district_code=HAIDIAN, has_hte=True).count()
    assert total[2] == hte_haidian
    by_district = [row for row in rows if row[0] == "按区县"]
    assert by_district == [("按区县", "海淀区", hte_haidian, "100%")]
    assert ("筛选条件", "有效高企：是", None, None) in rows
    hte_tag = next(row for row in rows if row[0] == "按标签：资质" and row[1] == "有效高新技术企业")
    assert hte_tag[2] == hte_haidian
    # no personal data: no USCC, name or phone in any cell
    cells = " ".join(str(c) for row in rows for c in row if c is not None)
    first = Enterprise.objects.filter(district_code=HAIDIAN).first()
    assert first is not None and first.uscc not in cells and first.name not in cells
    from gaoqi.web.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="export", target="url:analytics:cohort").count() == 1


def test_profile_page_shows_the_enterprise_tags(users: dict[str, Any], snapshot: Any) -> None:
    from gaoqi.engine import default_tags
    from gaoqi.web.enterprises.models import Enterprise

    tags = default_tags()
    with Workspace.open(snapshot.duckdb_path, read_only=True) as ws:
        tagged = next(r for r in ws.tag_rows() if len(r["tags"]) >= 2)
    uscc = tagged["uscc"]
    ent_row = Enterprise.objects.get(uscc=uscc)
    user = users[roles.MUNICIPAL]
    html = login(user).get(reverse("enterprises:detail", args=[ent_row.uscc])).content.decode()
    section = html[html.index('id="tags"') : html.index("</dd>", html.index('id="tags"'))]
    for code in tagged["tags"]:
        assert tags.by_code[code].label in section


def test_api_answers_the_distributions(users: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    body = login(users[roles.MUNICIPAL]).get("/api/analytics/cohort", {"tag_any": ["qual_hte"]}).json()
    assert body["count"] == Enterprise.objects.filter(has_hte=True).count()
    assert sum(d["count"] for d in body["by_district"]) == body["count"]
    assert {t["code"]: t["count"] for t in body["by_tag"]}["qual_hte"] == body["count"]
    bad = login(users[roles.MUNICIPAL]).get("/api/analytics/cohort", {"tag_all": ["no_such_tag"]})
    assert bad.status_code == 400
    assert "list_above_scale" in str(bad.json()["error"]["fields"])  # the codes it takes
    empty = login(users[roles.MUNICIPAL]).get("/api/analytics/cohort", {"revenue_min": "10", "revenue_max": "5"})
    assert (empty.status_code, empty.json()["count"]) == (200, 0)


def test_trend_over_three_snapshots(db: Any, tmp_path: Path, settings: Any) -> None:
    """Three published snapshots built by hand (2, 3 and 5 enterprises; 海淀 1, 2, 3): the trend counts each, in
    the order of their dates, scoped; an unpublished or failed run is not a point."""
    from gaoqi.web.intake.models import Snapshot

    settings.GAOQI_HOME = tmp_path
    rows = [
        ent("A", district_code=HAIDIAN, has_hte_certificate=True),
        ent("B", district_code=CHAOYANG, has_hte_certificate=True),
        ent("C", district_code=HAIDIAN, has_hte_certificate=False),
        ent("D", district_code=CHAOYANG),
        ent("E", district_code=HAIDIAN, has_hte_certificate=True),
    ]
    sizes = (2, 3, 5)
    snaps = []
    for i, n in enumerate(sizes):
        path = build(tmp_path / f"snapshot-{i}.duckdb", rows[:n])
        snaps.append(
            Snapshot.objects.create(
                as_of=dt.date(2026, 3 * (i + 1), 30),
                status=Snapshot.PUBLISHED,
                duckdb_path=str(path),
                is_current=(i == len(sizes) - 1),
            )
        )
    Snapshot.objects.create(as_of=dt.date(2026, 12, 31), status=Snapshot.FAILED)
    municipal = make_user(roles.MUNICIPAL, "trend_m")
    district = make_user(roles.DISTRICT, "trend_d", district_code=HAIDIAN)
    body = login(municipal).get("/api/analytics/cohort").json()
    assert [(p["as_of"], p["count"]) for p in body["trend"]] == [
        ("2026-03-30", 2),
        ("2026-06-30", 3),
        ("2026-09-30", 5),
    ]
    body = login(district).get("/api/analytics/cohort", {"has_hte": "1"}).json()
    assert [p["count"] for p in body["trend"]] == [1, 1, 2]  # A; A; A and E
    assert body["count"] == 2
    page = login(district).get(reverse("analytics:cohort"), {"has_hte": "1"}).content.decode()
    assert "2026年9月30日" in page and 'id="analytics-trend-chart"' in page
