"""Jurisdiction: the canary enterprises (朝阳, named CANARY_NAME) never reach a 海淀 district official, the
incubator operator or the enterprise user — not in the directory, the export, the policy lists, the API,
profile or error pages — while the municipal official does see them (so the canaries are real)."""

from __future__ import annotations

import io
import math
import re
from typing import Any

import pytest
from django.test import Client

from gaoqi.engine import default_policies
from gaoqi.web import roles
from tests.web.conftest import CANARY_NAME, CHAOYANG, HAIDIAN, login


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    """Accounts here only log in with force_login: skip Argon2's deliberate cost (test_security checks it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SCOPED = (roles.DISTRICT, roles.INCUBATOR, roles.ENTERPRISE)
POLICY = "hte-certification"


def canaries() -> list[Any]:
    from gaoqi.web.enterprises.models import Enterprise

    found = list(Enterprise.objects.filter(name__startswith=CANARY_NAME).order_by("uscc"))
    assert len(found) == 2 and all(e.district_code == CHAOYANG for e in found)
    return found


def _text(response: Any) -> str:
    return response.content.decode("utf-8", errors="replace")


def assert_no_canary(text: str, what: str, cans: list[Any]) -> None:
    assert CANARY_NAME not in text, f"canary name leaked in {what}"
    for e in cans:
        assert e.uscc not in text, f"canary {e.uscc} leaked in {what}"


def _pages(client: Client, url: str, total: int) -> list[str]:
    """Every page of a paginated list (25 per page) of at most ``total`` rows, the search box's echo removed."""
    sep = "&" if "?" in url else "?"
    pages = [_text(client.get(f"{url}{sep}page={n}")) for n in range(1, max(1, math.ceil(total / 25)) + 1)]
    return [ECHO.sub("", p) for p in pages]


#: the search box echoes the query (the canary's name when searched for): not a leak
ECHO = re.compile(r'<input name="q" value="[^"]*"')


def _xlsx_cells(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    return [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]


DIRECTORY_QUERIES = (
    "",
    "q=金丝雀",
    f"q={CANARY_NAME}",
    "q=jsq",  # the canaries' pinyin initials
    f"district={CHAOYANG}",
    f"q=金丝雀&district={CHAOYANG}",
    "hte=yes",
    "hte=no",
    "above_scale=no",
    f"policy={POLICY}&policy_status=fail",
    f"policy={POLICY}&policy_status=unknown",
    "sort=-sales",
)


@pytest.mark.django_db
def test_municipal_sees_the_canaries(users: dict[str, Any]) -> None:
    cans = canaries()
    c = login(users[roles.MUNICIPAL])
    html = _text(c.get("/enterprises/?q=金丝雀"))
    assert all(e.uscc in html for e in cans) and CANARY_NAME in html
    cells = _xlsx_cells(c.get("/enterprises/export.xlsx?q=金丝雀").content)
    assert sorted(x for x in cells if x.startswith(CANARY_NAME)) == sorted(e.name for e in cans)
    api = c.get("/api/enterprises", {"q": "金丝雀"}).json()
    assert api["count"] == 2 and {i["uscc"] for i in api["items"]} == {e.uscc for e in cans}
    for e in cans:
        assert c.get(f"/api/enterprises/{e.uscc}").json()["name"] == e.name
        assert len(c.get(f"/api/enterprises/{e.uscc}/results").json()) == len(default_policies())
        assert c.get(f"/api/enterprises/{e.uscc}/explain/{POLICY}").status_code == 200
        assert e.name in _text(c.get(f"/enterprises/{e.uscc}/"))
    lists = "".join(
        "".join(_pages(c, f"/policies/{POLICY}/enterprises/?status={s}", 300))
        for s in ("pass", "fail", "unknown", "near")
    )
    assert sum(lists.count(e.uscc) for e in cans) >= 2


@pytest.mark.django_db
@pytest.mark.parametrize("role", SCOPED)
def test_canaries_never_reach_scoped_roles(users: dict[str, Any], role: str) -> None:
    from gaoqi.web.enterprises.selectors import enterprises_visible_to

    cans = canaries()
    user = users[role]
    c = login(user)
    visible = enterprises_visible_to(user).count()
    assert visible > 0

    # the directory (HTML, every page, with and without search and filters), also as the htmx fragment
    for query in DIRECTORY_QUERIES:
        r = c.get(f"/enterprises/?{query}")
        if role == roles.ENTERPRISE:
            assert r.status_code == 403
        else:
            assert r.status_code == 200, query
        for page in _pages(c, f"/enterprises/?{query}", visible):
            assert_no_canary(page, f"directory ?{query}", cans)
        htmx = _text(c.get(f"/enterprises/?{query}", headers={"HX-Request": "true"}))
        assert_no_canary(ECHO.sub("", htmx), "htmx table", cans)

    # the Excel export: every cell of every sheet
    for query in ("", "q=金丝雀", f"district={CHAOYANG}"):
        r = c.get(f"/enterprises/export.xlsx?{query}")
        if role == roles.ENTERPRISE:
            assert r.status_code == 403
            continue
        assert r.status_code == 200
        cells = _xlsx_cells(r.content)
        assert cells[0] == "统一社会信用代码"
        for cell in cells:
            assert CANARY_NAME not in cell and cell not in {e.uscc for e in cans}, f"export ?{query}: {cell}"
        if not query:  # the unfiltered export is exactly the visible set
            exported = {x for x in cells if len(x) == 18 and x.isalnum()}
            assert exported == set(enterprises_visible_to(user).values_list("uscc", flat=True))

    # the policy lists
    for status in ("pass", "fail", "unknown", "near"):
        for page in _pages(c, f"/policies/{POLICY}/enterprises/?status={status}", visible):
            assert_no_canary(page, f"policy list {status}", cans)

    # the API: search finds nothing, the canaries' own URLs answer 404
    for q in ("", "金丝雀", CANARY_NAME, "jsq", cans[0].uscc, cans[0].uscc[:15]):
        r = c.get("/api/enterprises", {"q": q, "page_size": 100})
        if role == roles.ENTERPRISE:
            assert r.status_code == 403
            continue
        assert r.status_code == 200
        assert_no_canary(_text(r), f"API search q={q!r}", cans)
        if q in ("金丝雀", CANARY_NAME) or q.startswith(cans[0].uscc[:15]):
            assert r.json()["count"] == 0
    for e in cans:
        for url in (
            f"/api/enterprises/{e.uscc}",
            f"/api/enterprises/{e.uscc}/results",
            f"/api/enterprises/{e.uscc}/explain/{POLICY}",
        ):
            r = c.get(url)
            assert r.status_code == 404, url
            assert_no_canary(_text(r), url, cans[:0])
            assert CANARY_NAME not in _text(r)

        # the profile page, explanations and reveal: 404 (never 403: existence is not disclosed), no name
        for method, url in (
            ("get", f"/enterprises/{e.uscc}/"),
            ("get", f"/enterprises/{e.uscc}/explain/{POLICY}/"),
        ):
            r = getattr(c, method)(url)
            assert r.status_code == 404, url
            assert CANARY_NAME not in _text(r) and e.name not in _text(r)

    # the dashboard and catalogue figures are scoped too
    for url in ("/", "/policies/", f"/policies/{POLICY}/"):
        assert_no_canary(_text(c.get(url)), url, cans)


@pytest.mark.django_db
def test_reveal_of_a_canary_is_404_and_not_recorded_as_success(users: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent

    cans = canaries()
    c = login(users[roles.DISTRICT])
    r = c.post(f"/enterprises/{cans[0].uscc}/reveal/")
    assert r.status_code == 404
    assert "110105199001011234" not in _text(r) and CANARY_NAME not in _text(r)
    assert not AuditEvent.objects.filter(
        action="personal.reveal", target=f"enterprise:{cans[0].uscc}", outcome="success"
    ).exists()


@pytest.mark.django_db
def test_error_pages_do_not_leak(users: dict[str, Any]) -> None:
    """404 for unknown URLs and a missing policy, with DEBUG off, echo neither canary nor query."""
    cans = canaries()
    c = login(users[roles.DISTRICT])
    for url in (
        f"/enterprises/{cans[0].uscc}/nonexistent/",
        f"/policies/{CANARY_NAME}/",
        f"/policies/{CANARY_NAME}/enterprises/",
        f"/api/enterprises/{cans[0].uscc}/explain/no-such-policy",
        f"/enterprises/{cans[0].uscc}/explain/no-such-policy/",
    ):
        r = c.get(url)
        assert r.status_code == 404, url
        assert_no_canary(_text(r), url, cans)


@pytest.mark.django_db
def test_district_official_sees_exactly_the_district(users: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise, PolicyResult

    n_haidian = Enterprise.objects.filter(district_code=HAIDIAN).count()
    assert 0 < n_haidian < Enterprise.objects.count()
    c = login(users[roles.DISTRICT])
    api = c.get("/api/enterprises", {"page_size": 100}).json()
    assert api["count"] == n_haidian
    assert {i["district_code"] for i in api["items"]} == {HAIDIAN}
    # a district filter for another district narrows to nothing rather than widening the scope
    assert c.get("/api/enterprises", {"district": CHAOYANG}).json()["count"] == 0
    cells = _xlsx_cells(c.get("/enterprises/export.xlsx").content)
    exported = [x for x in cells if len(x) == 18 and x.isalnum()]
    assert len(exported) == n_haidian
    html = "".join(_pages(c, "/enterprises/", n_haidian))
    assert html.count("<td>海淀区</td>") == n_haidian and "<td>朝阳区</td>" not in html
    # every policy list (pass + fail + unknown) covers the district exactly once
    listed = 0
    for status in ("pass", "fail", "unknown"):
        n = PolicyResult.objects.filter(
            snapshot__is_current=True, policy_id=POLICY, status=status, enterprise__district_code=HAIDIAN
        ).count()
        pages = _pages(c, f"/policies/{POLICY}/enterprises/?status={status}", n)
        got = sum(page.count("<td>海淀区</td>") for page in pages)
        assert got == n, status
        assert all("<td>朝阳区</td>" not in page for page in pages)
        listed += got
    assert listed == n_haidian


@pytest.mark.django_db
def test_each_district_official_sees_their_district_count(snapshot: Any) -> None:
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.selectors import enterprises_visible_to
    from tests.web.conftest import make_user

    codes = sorted(set(Enterprise.objects.values_list("district_code", flat=True)) - {""})
    assert len(codes) > 3
    for code in codes:
        user = make_user(roles.DISTRICT, username=f"d_{code}", district_code=code)
        assert enterprises_visible_to(user).count() == Enterprise.objects.filter(district_code=code).count()
        got = login(user).get("/api/enterprises", {"page_size": 1}).json()["count"]
        assert got == Enterprise.objects.filter(district_code=code).count(), code
