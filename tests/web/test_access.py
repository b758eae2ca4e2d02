"""The authorization matrix: every URL pattern of the project × every role and anonymous, against
``gaoqi.web.access.ACCESS`` (the one place that says who may open what).

A pattern whose name is not in the table fails the test (deny by default would hide it from everyone, but it
must be declared); a name in the table that matches no pattern is stale and fails too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gaoqi.web import roles
from gaoqi.web.access import ACCESS, PUBLIC
from tests.web.conftest import login

ANONYMOUS = "anonymous"
#: URL names whose ``list_id`` must name a list that takes recommendations (the cultivation pool)
RECOMMENDATION_PAGES = ("programmes:recommendations", "programmes:recommend", "api:recommendation_list")
#: URL names whose ``list_id`` must name a list that certification ends (the cultivation pool's funnel)
FUNNEL_PAGES = ("programmes:funnel", "programmes:funnel_export", "api:list_funnel")


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    """Accounts here only log in with force_login: skip Argon2's deliberate cost (test_security checks it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def walk(patterns: list[Any], route: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(namespaced name, full route) of every URL pattern, resolvers included recursively (the ninja API's
    operations are patterns under the ``api`` namespace)."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace or "") if x)
            yield from walk(p.url_patterns, route + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else str(p.name)
            yield name, route + str(p.pattern)


def all_patterns() -> list[tuple[str, str]]:
    return list(walk(get_resolver().url_patterns))


def test_every_url_pattern_is_declared_in_access() -> None:
    patterns = all_patterns()
    assert len(patterns) >= 30, "the walk found too few patterns (the API's operations are missing?)"
    names = {n for n, _ in patterns}
    assert "api:enterprise_explain" in names and "enterprises:reveal" in names
    missing = sorted(f"{name} ({route})" for name, route in patterns if name not in ACCESS)
    assert not missing, f"URL patterns missing from access.ACCESS: {missing}"
    unnamed = sorted(route for name, route in patterns if name in ("None", "") or name.endswith(":None"))
    assert not unnamed, f"URL patterns without a name cannot be declared: {unnamed}"


def test_access_has_no_stale_names() -> None:
    names = {n for n, _ in all_patterns()}
    stale = sorted(set(ACCESS) - names)
    assert not stale, f"names in access.ACCESS that match no URL pattern: {stale}"


def test_access_rules_name_only_known_roles() -> None:
    for name, rule in ACCESS.items():
        if rule != PUBLIC:
            assert isinstance(rule, frozenset) and rule, name
            assert rule <= set(roles.ROLES), (name, rule - set(roles.ROLES))


def _uscc_for(role: str, users: dict[str, Any]) -> str:
    """An enterprise the role may see, else any enterprise."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.selectors import enterprises_visible_to

    user = users.get(role)
    ent = enterprises_visible_to(user).order_by("uscc").first() if user is not None else None
    if ent is None:
        ent = Enterprise.objects.order_by("uscc").first()
    assert ent is not None
    return ent.uscc


def _request(client: Client, url: str) -> Any:
    """GET, or POST when the view answers GET with 405 (require_POST, LogoutView)."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


@pytest.mark.django_db
def test_matrix_every_pattern_every_role(users: dict[str, Any], snapshot: Any) -> None:
    failures: list[str] = []
    checked = 0
    from gaoqi.web.incubators.models import Incubator

    first = Incubator.objects.order_by("code").first()  # a body of the published roster (incubators pages)
    values_fixed = {"policy_id": "hte-certification", "list_id": "above-scale", "pk": str(snapshot.pk), "att": "1",
                    "code": first.code if first is not None else "FH0000000"}  # fmt: skip
    # pages of the lists that take recommendations (the others answer 404 there)
    values_by_name = {name: {"list_id": "cultivation-pool"} for name in (*RECOMMENDATION_PAGES, *FUNNEL_PAGES)}
    for name, route in all_patterns():
        rule = ACCESS.get(name)
        if rule is None:
            failures.append(f"{name}: not declared in ACCESS")
            continue
        api = route.startswith("api/")
        for principal in (ANONYMOUS, *roles.ROLES):
            kwargs: dict[str, str] = {}
            for param in PARAM.findall(route):
                if param == "uscc":
                    kwargs[param] = _uscc_for(principal, users)
                elif param in values_by_name.get(name, {}):
                    kwargs[param] = values_by_name[name][param]
                elif param in values_fixed:
                    kwargs[param] = values_fixed[param]
                else:
                    failures.append(f"{name}: no test value for path parameter {param!r}")
            url = reverse(name, kwargs=kwargs)
            client = Client() if principal == ANONYMOUS else login(users[principal])
            response = _request(client, url)
            status = response.status_code
            checked += 1
            where = f"{principal:>10} {status} {url} ({name})"
            if rule == PUBLIC or (principal != ANONYMOUS and principal in rule):
                # (404 is possible: a path parameter may name no object the role may see; scoping is tested
                # in test_scoping)
                if status in (401, 403) or status >= 500:
                    failures.append(f"{where}: allowed but refused or failed")
            elif principal == ANONYMOUS:
                if api:
                    if status != 401:
                        failures.append(f"{where}: anonymous API call should be 401")
                elif status != 302 or not response["Location"].startswith(reverse("accounts:login") + "?next="):
                    failures.append(f"{where}: anonymous page should redirect to the login page")
            elif status != 403:
                failures.append(f"{where}: role not in ACCESS should get 403")
    assert checked >= 30 * 10
    assert not failures, "authorization matrix failures:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_undeclared_url_is_refused_for_everyone(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deny by default: take a real URL out of the table and even its allowed role gets 403."""
    from gaoqi.web import access
    from tests.web.conftest import make_user

    users = {roles.MUNICIPAL: make_user(roles.MUNICIPAL)}

    table = dict(access.ACCESS)
    del table["policies:catalogue"]
    monkeypatch.setattr(access, "ACCESS", table)
    assert login(users[roles.MUNICIPAL]).get("/policies/").status_code == 403
    assert Client().get("/policies/").status_code == 403
    monkeypatch.undo()
    assert login(users[roles.MUNICIPAL]).get("/policies/").status_code == 200
