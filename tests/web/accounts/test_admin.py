"""账号管理 and 安全设置: the system administrator's account services and pages, the security administrator's
run-time settings (read by the lockout handler and the session idle middleware). Real database, no snapshot."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gaoqi.web import roles
from tests.web.conftest import PASSWORD, login, make_user

USCC = "91110108551385082Q"  # valid (GB 32100-2015)
BAD_USCC = "91110108551385082A"  # wrong check character
NEW_PASSWORD = "another-strong-2026"


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture()
def staff(db: Any) -> dict[str, Any]:
    return {
        "sysadmin": make_user(roles.SYSADMIN, "admin1"),
        "secadmin": make_user(roles.SECADMIN, "sec1"),
        "auditor": make_user(roles.AUDITOR, "aud1"),
        "municipal": make_user(roles.MUNICIPAL, "muni1"),
        "district": make_user(roles.DISTRICT, "dist1", district_code="110108"),
    }


def _events(action: str) -> list[Any]:
    from gaoqi.web.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# services ----------------------------------------------------------------------------------------------------


def test_create_checks_the_jurisdiction_each_role_needs(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.services import user_create

    admin = staff["sysadmin"]
    cases = [
        (roles.DISTRICT, {}, "district_code", "区级管理人员须填写所属区县"),
        (roles.DISTRICT, {"district_code": "110199"}, "district_code", "区县代码 110199 不在北京市区县名单中"),
        (roles.ENTERPRISE, {}, "uscc", "企业用户须填写统一社会信用代码"),
        (roles.ENTERPRISE, {"uscc": BAD_USCC}, "uscc", f"统一社会信用代码 {BAD_USCC} 无效"),
        (roles.INCUBATOR, {"incubator_code": "a b"}, "incubator_code", "孵化器代码须为 2 至 32 位"),
    ]
    for role, extra, field, message in cases:
        with pytest.raises(ValidationError) as err:
            user_create(admin, username=f"x_{role}", password=PASSWORD, role=role, **extra)
        assert field in err.value.message_dict, (role, extra)
        assert err.value.message_dict[field][0].startswith(message), err.value.message_dict
    ent = user_create(admin, username="ent_ok", password=PASSWORD, role=roles.ENTERPRISE, uscc=USCC.lower())
    assert ent.uscc == USCC and ent.district_code == ""
    # a role without jurisdiction keeps none, whatever was typed
    muni = user_create(admin, username="muni_ok", password=PASSWORD, role=roles.MUNICIPAL, district_code="110108")
    assert muni.district_code == ""
    created = _events("user.create")[-2:]
    assert [(e.username, e.target, e.detail) for e in created] == [
        ("admin1", "user:ent_ok", {"role": roles.ENTERPRISE, "uscc": USCC}),
        ("admin1", "user:muni_ok", {"role": roles.MUNICIPAL}),
    ]


def test_only_the_system_administrator_manages_accounts(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts import services
    from gaoqi.web.accounts.models import User

    for actor in (staff["secadmin"], staff["auditor"], staff["municipal"]):
        with pytest.raises(PermissionError):
            services.user_create(actor, username="nope", password=PASSWORD, role=roles.EXPERT)
        with pytest.raises(PermissionError):
            services.user_disable(actor, staff["district"])
        with pytest.raises(PermissionError):
            services.user_password_reset(actor, staff["district"], NEW_PASSWORD)
        with pytest.raises(PermissionError):
            services.user_role_set(actor, staff["district"], role=roles.MUNICIPAL)
    assert not User.objects.filter(username="nope").exists()
    assert User.objects.get(username="dist1").is_active


def test_disable_ends_sessions_and_enable_restores(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User
    from gaoqi.web.accounts.services import user_disable, user_enable

    victim = staff["district"]
    c = login(victim)
    assert c.get("/").status_code == 200
    user_disable(staff["sysadmin"], victim)
    assert User.objects.get(pk=victim.pk).is_active is False
    assert c.get("/").status_code == 302  # the session is gone: back to the login page
    assert Client().post("/accounts/login/", {"username": "dist1", "password": PASSWORD}).status_code == 200
    user_disable(staff["sysadmin"], victim)  # again: nothing new recorded
    assert [(e.target, e.detail) for e in _events("user.disable")] == [("user:dist1", {"role": roles.DISTRICT})]
    user_enable(staff["sysadmin"], victim)
    assert User.objects.get(pk=victim.pk).is_active is True
    assert Client().post("/accounts/login/", {"username": "dist1", "password": PASSWORD}).status_code == 302
    assert len(_events("user.enable")) == 1


def test_the_last_administrator_of_a_role_cannot_be_disabled_or_demoted(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User
    from gaoqi.web.accounts.services import user_create, user_disable, user_role_set
    from gaoqi.web.core.locks import DomainError

    admin = staff["sysadmin"]
    with pytest.raises(DomainError, match="admin1 是唯一启用的系统管理员，不能停用"):
        user_disable(admin, admin)
    with pytest.raises(DomainError, match="admin1 是唯一启用的系统管理员，不能改为其他角色"):
        user_role_set(admin, admin, role=roles.MUNICIPAL)
    with pytest.raises(DomainError, match="aud1 是唯一启用的审计管理员"):
        user_disable(admin, staff["auditor"])
    assert User.objects.get(pk=admin.pk).role == roles.SYSADMIN and User.objects.get(pk=admin.pk).is_active
    second = user_create(admin, username="admin2", password=PASSWORD, role=roles.SYSADMIN)
    user_role_set(admin, admin, role=roles.MUNICIPAL)  # another administrator is left: allowed
    assert User.objects.get(pk=admin.pk).role == roles.MUNICIPAL
    with pytest.raises(DomainError, match="admin2 是唯一启用的系统管理员"):
        user_disable(second, second)


def test_role_and_jurisdiction_change_is_checked_and_audited(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User
    from gaoqi.web.accounts.services import user_role_set

    admin, dist = staff["sysadmin"], staff["district"]
    with pytest.raises(ValidationError):
        user_role_set(admin, dist, role=roles.DISTRICT, district_code="999999")
    user_role_set(admin, dist, role=roles.DISTRICT, district_code="110105")
    user_role_set(admin, dist, role=roles.ENTERPRISE, uscc=USCC)
    fresh = User.objects.get(pk=dist.pk)
    assert (fresh.role, fresh.district_code, fresh.uscc) == (roles.ENTERPRISE, "", USCC)
    assert [e.detail for e in _events("user.role_set")] == [
        {"district_code": {"from": "110108", "to": "110105"}},
        {
            "role": {"from": roles.DISTRICT, "to": roles.ENTERPRISE},
            "district_code": {"from": "110105", "to": ""},
            "uscc": {"from": "", "to": USCC},
        },
    ]


def test_password_reset_validates_and_forgets_the_lockout(staff: dict[str, Any]) -> None:
    from axes.models import AccessAttempt

    from gaoqi.web.accounts.models import User
    from gaoqi.web.accounts.services import user_password_reset

    admin, dist = staff["sysadmin"], staff["district"]
    for i in range(5):
        Client().post("/accounts/login/", {"username": "dist1", "password": f"wrong-{i}-password"})
    assert AccessAttempt.objects.filter(username="dist1").exists()
    with pytest.raises(ValidationError) as err:
        user_password_reset(admin, dist, "123")
    assert "密码太短，至少需要 10 个字符。" in err.value.messages
    user_password_reset(admin, dist, NEW_PASSWORD)
    assert User.objects.get(pk=dist.pk).check_password(NEW_PASSWORD)
    assert not AccessAttempt.objects.filter(username="dist1").exists()
    assert Client().post("/accounts/login/", {"username": "dist1", "password": NEW_PASSWORD}).status_code == 302
    assert [(e.username, e.target) for e in _events("user.password_reset")] == [("admin1", "user:dist1")]


def test_security_settings_are_bounded_audited_and_read_by_the_lockout(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.security import security_values
    from gaoqi.web.accounts.services import security_settings_update
    from gaoqi.web.core.locks import DomainError

    sec = staff["secadmin"]
    assert security_values() == {
        "failure_limit": 5,
        "address_failure_limit": 50,
        "lock_minutes": 15,
        "session_idle_minutes": 30,
    }
    with pytest.raises(PermissionError):
        security_settings_update(staff["sysadmin"], {"failure_limit": 3})
    with pytest.raises(DomainError, match="会话空闲超时须在 5 至 30 分钟之间"):
        security_settings_update(sec, {"session_idle_minutes": 60})
    with pytest.raises(DomainError, match="同一账号失败次数上限须在 3 至 10 次之间"):
        security_settings_update(sec, {"failure_limit": 1})
    assert security_settings_update(sec, {"failure_limit": 3, "lock_minutes": 15}) == {
        "failure_limit": {"from": 5, "to": 3}
    }
    assert [(e.username, e.detail) for e in _events("security.settings_update")] == [
        ("sec1", {"failure_limit": {"from": 5, "to": 3}})
    ]
    c = Client(REMOTE_ADDR="10.9.9.9")
    codes = [
        c.post("/accounts/login/", {"username": "muni1", "password": f"bad-{i}-password"}).status_code for i in range(3)
    ]
    assert codes == [200, 200, 429]  # locked at the third failure, not the fifth
    assert c.post("/accounts/login/", {"username": "muni1", "password": PASSWORD}).status_code == 429


def test_the_session_idle_length_in_force_ends_idle_sessions(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.middleware import SEEN
    from gaoqi.web.accounts.services import security_settings_update

    c = login(staff["municipal"])
    assert c.get("/").status_code == 200
    session = c.session
    session[SEEN] = time.time() - 10 * 60  # idle for 10 minutes: within the default 30
    session.save()
    assert c.get("/").status_code == 200
    security_settings_update(staff["secadmin"], {"session_idle_minutes": 5})
    session = c.session
    session[SEEN] = time.time() - 6 * 60
    session.save()
    response = c.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert c.get("/").status_code == 302  # and stays signed out
    [event] = _events("session.idle_timeout")
    assert event.username == "muni1" and event.detail["limit_seconds"] == 300


# pages -------------------------------------------------------------------------------------------------------


def test_the_account_list_filters(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.services import user_disable

    user_disable(staff["sysadmin"], staff["municipal"])
    c = login(staff["sysadmin"])

    def listed(**query: str) -> set[str]:
        page = c.get("/accounts/users/", query).content.decode()
        table = page[page.index('id="accounts"') : page.index("</table>")]
        return {u for u in ("admin1", "sec1", "aud1", "muni1", "dist1") if f"<td>{u}</td>" in table}

    assert listed() == {"admin1", "sec1", "aud1", "muni1", "dist1"}
    assert listed(role=roles.DISTRICT) == {"dist1"}
    assert "海淀区" in c.get("/accounts/users/", {"role": roles.DISTRICT}).content.decode()
    assert listed(state="disabled") == {"muni1"}
    assert listed(q="aud") == {"aud1"}
    assert listed(district_code="110108") == {"dist1"}


def test_the_create_form_says_what_is_wrong_in_chinese(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User

    c = login(staff["sysadmin"])
    form = {"username": "new_dist", "display_name": "延庆区科委", "role": roles.DISTRICT, "password": PASSWORD}
    r = c.post("/accounts/users/new/", form)
    assert r.status_code == 400 and "区级管理人员须填写所属区县" in r.content.decode()
    r = c.post("/accounts/users/new/", {**form, "district_code": "110199"})
    assert r.status_code == 400  # not a choice of the district list
    r = c.post("/accounts/users/new/", {**form, "district_code": "110119", "password": "short"})
    assert r.status_code == 400 and "密码太短，至少需要 10 个字符。" in r.content.decode()
    r = c.post("/accounts/users/new/", {**form, "username": "admin1", "district_code": "110119"})
    assert r.status_code == 400 and "该用户名已被使用" in r.content.decode()
    assert not User.objects.filter(username="new_dist").exists()
    r = c.post("/accounts/users/new/", {**form, "district_code": "110119"})
    assert r.status_code == 302
    user = User.objects.get(username="new_dist")
    assert (user.role, user.district_code, user.display_name) == (roles.DISTRICT, "110119", "延庆区科委")
    detail = c.get(r["Location"]).content.decode()
    assert "延庆区" in detail and "账号 new_dist 已创建" in detail


def test_account_pages_disable_reset_and_change_role(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User

    c = login(staff["sysadmin"])
    dist = staff["district"]
    assert c.post(f"/accounts/users/{dist.pk}/active/", {"active": "0"}).status_code == 302
    assert User.objects.get(pk=dist.pk).is_active is False
    assert "停用" in c.get(f"/accounts/users/{dist.pk}/").content.decode()
    assert c.post(f"/accounts/users/{dist.pk}/active/", {"active": "1"}).status_code == 302
    assert User.objects.get(pk=dist.pk).is_active is True
    r = c.post(f"/accounts/users/{dist.pk}/password/", {"password": NEW_PASSWORD, "confirm": "different-2026x"})
    assert r.status_code == 400 and "两次输入的密码不一致" in r.content.decode()
    r = c.post(f"/accounts/users/{dist.pk}/password/", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and User.objects.get(pk=dist.pk).check_password(NEW_PASSWORD)
    r = c.post(f"/accounts/users/{dist.pk}/role/", {"role": roles.ENTERPRISE, "uscc": BAD_USCC})
    assert r.status_code == 400 and f"统一社会信用代码 {BAD_USCC} 无效" in r.content.decode()
    r = c.post(f"/accounts/users/{dist.pk}/role/", {"role": roles.ENTERPRISE, "uscc": USCC, "display_name": "某企业"})
    assert r.status_code == 302
    assert (User.objects.get(pk=dist.pk).role, User.objects.get(pk=dist.pk).uscc) == (roles.ENTERPRISE, USCC)
    # the only system administrator disabling themselves: refused, said why
    admin = staff["sysadmin"]
    r = c.post(f"/accounts/users/{admin.pk}/active/", {"active": "0"})
    assert r.status_code == 400 and "admin1 是唯一启用的系统管理员，不能停用" in r.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_account_and_security_pages_refuse_other_roles(staff: dict[str, Any]) -> None:
    from gaoqi.web.accounts.models import User

    target = staff["district"].pk
    account_urls = [
        "/accounts/users/",
        "/accounts/users/new/",
        f"/accounts/users/{target}/",
        f"/accounts/users/{target}/role/",
        f"/accounts/users/{target}/active/",
        f"/accounts/users/{target}/password/",
    ]
    for who in ("secadmin", "auditor", "municipal", "district"):
        c = login(staff[who])
        for url in account_urls:
            assert c.post(url, {"active": "0", "username": "sneaky", "role": roles.SYSADMIN}).status_code == 403
    for who in ("sysadmin", "auditor", "municipal"):
        c = login(staff[who])
        assert c.get("/accounts/security/").status_code == 403
        assert c.post("/accounts/security/update/", {"failure_limit": "10"}).status_code == 403
    assert not User.objects.filter(username="sneaky").exists() and User.objects.get(pk=target).is_active


def test_the_security_page_shows_what_is_in_force_and_changes_it(staff: dict[str, Any]) -> None:
    c = login(staff["secadmin"])
    page = c.get("/accounts/security/").content.decode()
    assert "同一账号 5 次失败后锁定 15 分钟" in page and "空闲 30 分钟后失效" in page and "至少 10 个字符" in page
    fields = {"failure_limit": "5", "address_failure_limit": "50", "lock_minutes": "15", "session_idle_minutes": "30"}
    r = c.post("/accounts/security/update/", {**fields, "session_idle_minutes": "90"})
    assert r.status_code == 400 and "会话空闲超时不能大于 30 分钟" in r.content.decode()
    r = c.post(
        "/accounts/security/update/", {**fields, "lock_minutes": "20", "session_idle_minutes": "10"}, follow=True
    )
    text = r.content.decode()
    assert "安全设置已更新，立即生效" in text and "首次锁定时长：15 → 20 分钟" in text
    assert "同一账号 5 次失败后锁定 20 分钟" in text and "空闲 10 分钟后失效" in text


def test_the_first_system_administrator_comes_from_a_command_not_the_shell(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import CommandError, call_command

    from gaoqi.web.accounts.models import User

    monkeypatch.setenv("GAOQI_SYSADMIN_PASSWORD", "short")
    with pytest.raises(CommandError, match="密码太短"):
        call_command("sysadmin_create", "root_admin")
    monkeypatch.setenv("GAOQI_SYSADMIN_PASSWORD", PASSWORD)
    call_command("sysadmin_create", "root_admin")
    assert User.objects.get(username="root_admin").role == roles.SYSADMIN
    assert [(e.username, e.target) for e in _events("user.create")] == [("", "user:root_admin")]
    with pytest.raises(CommandError, match="已有启用的系统管理员"):
        call_command("sysadmin_create", "second_admin")
    assert not User.objects.filter(username="second_admin").exists()
