"""Security controls (等保 level 3): masked personal data and audited reveal, lockout, session timeout, Argon2,
CSP and framing headers, CSRF, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from gaoqi.web import roles
from gaoqi.web.access import ACCESS
from tests.web.conftest import HAIDIAN, PASSWORD, login

ID_NUMBER = "110108198507071234"


@pytest.fixture()
def fast_hasher(settings: Any) -> None:
    """For tests that log in many times: Argon2's deliberate cost is not under test there."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PHONE = "13912345678"


def _haidian_enterprise() -> Any:
    from gaoqi.web.enterprises.models import Enterprise

    e = Enterprise.objects.filter(district_code=HAIDIAN, incubator_code="INC-T").order_by("uscc").first()
    assert e is not None
    Enterprise.objects.filter(pk=e.pk).update(legal_rep_id_number=ID_NUMBER, phone=PHONE)
    e.refresh_from_db()
    return e


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_personal_data_masked_for_every_role(users: dict[str, Any]) -> None:
    e = _haidian_enterprise()
    users[roles.ENTERPRISE].uscc = e.uscc  # the enterprise user of this enterprise
    users[roles.ENTERPRISE].save()
    seen = 0
    for role in roles.ROLES:
        r = login(users[role]).get(f"/enterprises/{e.uscc}/")
        html = r.content.decode()
        assert ID_NUMBER not in html and PHONE not in html, role
        if role in roles.ENTERPRISE_VIEWERS:
            assert r.status_code == 200, role
            assert "110***********1234" in html and "139****5678" in html, role
            assert ("查看完整信息" in html) == (role in roles.MAY_REVEAL_PERSONAL), role
            seen += 1
        else:
            assert r.status_code == 403, role
    assert seen == len(roles.ENTERPRISE_VIEWERS)
    # nor in the API (personal data is never there)
    api = login(users[roles.MUNICIPAL]).get(f"/api/enterprises/{e.uscc}").content.decode()
    assert ID_NUMBER not in api and PHONE not in api


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_reveal_returns_full_data_and_is_audited(users: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent

    e = _haidian_enterprise()
    assert ACCESS["enterprises:reveal"] == roles.MAY_REVEAL_PERSONAL == {roles.DISTRICT, roles.MUNICIPAL}
    for role in (roles.DISTRICT, roles.MUNICIPAL):
        r = login(users[role]).post(f"/enterprises/{e.uscc}/reveal/")
        assert r.status_code == 200
        assert ID_NUMBER in r.content.decode() and PHONE in r.content.decode()
        ev = AuditEvent.objects.filter(action="personal.reveal", username=f"u_{role}").get()
        assert (ev.target, ev.outcome, ev.role) == (f"enterprise:{e.uscc}", "success", role)
    for role in set(roles.ROLES) - roles.MAY_REVEAL_PERSONAL:
        r = login(users[role]).post(f"/enterprises/{e.uscc}/reveal/")
        assert r.status_code == 403, role
        assert ID_NUMBER not in r.content.decode()
    assert AuditEvent.objects.filter(action="personal.reveal").count() == 2
    # GET never reveals
    assert login(users[roles.DISTRICT]).get(f"/enterprises/{e.uscc}/reveal/").status_code == 405


def test_reveal_service_refuses_and_audits_other_roles(db: Any) -> None:
    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.services import enterprise_reveal

    class Actor:
        role = roles.INCUBATOR
        is_authenticated = True

        def get_username(self) -> str:
            return "inc"

    with pytest.raises(PermissionError):
        enterprise_reveal(Actor(), Enterprise(uscc="X" * 18, legal_rep_id_number=ID_NUMBER))
    ev = AuditEvent.objects.get(action="personal.reveal")
    assert (ev.username, ev.outcome) == ("inc", "denied")


@pytest.mark.argon2
def test_lockout_and_session_settings() -> None:
    s = django_settings
    assert s.AXES_FAILURE_LIMIT == 5
    assert s.AXES_LOCK_MINUTES == 15 and s.AXES_ADDRESS_FAILURE_LIMIT == 50
    assert dt.timedelta(hours=s.AXES_COOLOFF_TIME) == dt.timedelta(days=1)  # failures remembered (escalation)
    assert s.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "username", "ip_address"]
    assert s.AXES_HANDLER == "gaoqi.web.accounts.lockout.LockoutHandler"
    assert "axes.middleware.AxesMiddleware" in s.MIDDLEWARE
    assert s.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert s.SESSION_COOKIE_AGE == 1800
    assert s.SESSION_SAVE_EVERY_REQUEST is True
    assert s.SESSION_COOKIE_HTTPONLY is True
    assert s.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_lockout_after_five_failures(users: dict[str, Any]) -> None:
    from axes.models import AccessAttempt

    c = Client()
    for i in range(5):
        r = c.post("/accounts/login/", {"username": "u_municipal", "password": f"wrong-{i}-password"})
        assert r.status_code == (200 if i < 4 else 429) and "_auth_user_id" not in c.session, i
    r = c.post("/accounts/login/", {"username": "u_municipal", "password": PASSWORD})
    assert r.status_code == 429
    assert "账号已锁定" in r.content.decode()
    assert "_auth_user_id" not in c.session
    assert c.get("/").status_code == 302  # not logged in
    # another client (another address, not a known device of the account) is refused too
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post("/accounts/login/", {"username": "u_municipal", "password": PASSWORD}).status_code == 429
    # another account is not affected
    assert Client().post("/accounts/login/", {"username": "u_district", "password": PASSWORD}).status_code == 302
    # after the cool-off (15 minutes) the right password works again
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    r = Client().post("/accounts/login/", {"username": "u_municipal", "password": PASSWORD})
    assert r.status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_four_failures_do_not_lock(users: dict[str, Any]) -> None:
    c = Client()
    for i in range(4):
        c.post("/accounts/login/", {"username": "u_district", "password": f"wrong-{i}-password"})
    assert c.post("/accounts/login/", {"username": "u_district", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_session_ends_after_30_idle_minutes(users: dict[str, Any]) -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    c = Client()
    assert c.post("/accounts/login/", {"username": "u_auditor", "password": PASSWORD}).status_code == 302
    key = c.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    assert c.get("/").status_code == 200
    # every request pushes the expiry 30 minutes ahead (an idle timeout, not an absolute one)
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)
    # 30 idle minutes later the session is gone
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.argon2
def test_argon2_is_the_hasher_of_a_created_user(db: Any) -> None:
    from gaoqi.web.accounts.models import User
    from tests.web.conftest import make_user

    make_user(roles.EXPERT, username="argon_user")
    user = User.objects.get(username="argon_user")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_security_headers(users: dict[str, Any]) -> None:
    for client, url in ((Client(), "/accounts/login/"), (login(users[roles.MUNICIPAL]), "/")):
        r = client.get(url)
        assert r.status_code == 200
        csp = r["Content-Security-Policy"]
        directives = {d.split()[0]: d.split()[1:] for d in (x.strip() for x in csp.split(";")) if d}
        assert directives["default-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert r["X-Frame-Options"] == "DENY"
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_csrf_is_enforced_on_reveal(users: dict[str, Any]) -> None:
    e = _haidian_enterprise()
    c = Client(enforce_csrf_checks=True)
    c.force_login(users[roles.DISTRICT])
    r = c.post(f"/enterprises/{e.uscc}/reveal/")
    assert r.status_code == 403
    assert ID_NUMBER not in r.content.decode()
    # with the token from a page the same POST works
    page = c.get(f"/enterprises/{e.uscc}/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else c.cookies["csrftoken"].value
    r = c.post(f"/enterprises/{e.uscc}/reveal/", headers={"X-CSRFToken": token})
    assert r.status_code == 200 and ID_NUMBER in r.content.decode()
    # a login form without the token is refused too
    anon = Client(enforce_csrf_checks=True)
    assert anon.post("/accounts/login/", {"username": "u_district", "password": PASSWORD}).status_code == 403


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_api_token_acts_as_its_user(users: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import ApiToken
    from gaoqi.web.accounts.services import api_token_create
    from gaoqi.web.enterprises.models import Enterprise

    key = api_token_create(users[roles.MUNICIPAL], users[roles.DISTRICT], "统计局系统")
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only the hash is stored
    c = Client()
    auth = {"Authorization": f"Bearer {key}"}
    r = c.get("/api/enterprises", {"page_size": 100}, headers=auth)
    assert r.status_code == 200
    data = r.json()
    n = Enterprise.objects.filter(district_code=HAIDIAN).count()
    assert data["count"] == n and len(data["items"]) == min(n, 100)
    assert {i["district_code"] for i in data["items"]} == {HAIDIAN}
    chaoyang = Enterprise.objects.exclude(district_code=HAIDIAN).order_by("uscc").first()
    assert chaoyang is not None
    assert c.get(f"/api/enterprises/{chaoyang.uscc}", headers=auth).status_code == 404
    # bad, empty and revoked tokens are refused; no token is 401 as well
    for bad in ("Bearer not-a-token", "Bearer ", f"Bearer {key}x"):
        r = c.get("/api/enterprises", headers={"Authorization": bad})
        assert r.status_code == 401, bad
        assert "items" not in r.json()
    assert c.get("/api/enterprises").status_code == 401
    ApiToken.objects.update(revoked_at=dt.datetime.now(dt.UTC))
    assert c.get("/api/enterprises", headers=auth).status_code == 401
    # a token does not open the pages
    assert c.get("/enterprises/", headers=auth).status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_api_token_of_a_role_without_api_access_gets_403(users: dict[str, Any]) -> None:
    from gaoqi.web.accounts.services import api_token_create

    key = api_token_create(None, users[roles.EXPERT], "expert")
    r = Client().get("/api/enterprises", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 403
    assert Client().get("/api/policies", headers={"Authorization": f"Bearer {key}"}).status_code == 200
