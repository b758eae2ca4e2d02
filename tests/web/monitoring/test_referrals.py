"""移送撤销 (ADR 0030): referred once per source, in scope; the municipal office decides — a platform certificate is
revoked through the existing path, a certificate known only from the feed is recorded as to be told to its
issuing system; of two officials deciding at once, one wins."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.certification import services
from gaoqi.web.certification.models import Certificate, Revocation, RevocationReferral
from gaoqi.web.core.errors import DomainError, NotFound, StaleActionError
from tests.web import factories as f

pytestmark = pytest.mark.django_db


def _refer(mon: dict[str, Any], source_id: int = 7, **kw: Any) -> RevocationReferral:
    args = {"enterprise": mon["hd"], "source": "warning", "source_id": source_id, "reasons": "科技人员占比连续低于10%"}
    return services.revocation_refer(mon["haidian"], **{**args, **kw})


def test_a_referral_is_made_once_per_source_and_in_scope(mon: dict[str, Any]) -> None:
    ref = _refer(mon)
    assert (ref.status, ref.uscc, ref.district_code, ref.source_kind, ref.source_id) == (
        "referred", mon["hd"].uscc, mon["hd"].district_code, "warning", 7,
    )  # fmt: skip
    assert [log.action for log in ref.transitions.all()] == ["refer"]
    with pytest.raises(DomainError, match="不能重复移送"):
        _refer(mon)
    with pytest.raises(NotFound):  # 朝阳's official cannot refer a 海淀 enterprise
        services.revocation_refer(mon["chaoyang"], enterprise=mon["hd"].uscc, source="spot_check", source_id=1,
                                  reasons="抽查未通过")  # fmt: skip
    with pytest.raises(DomainError, match="事实与理由"):
        _refer(mon, source_id=8, reasons="  ")


def test_revoking_a_platform_certificate_uses_the_revocation_path(mon: dict[str, Any]) -> None:
    cert = f.certificate(code=mon["hd"].uscc)
    ref = _refer(mon)
    done = services.revocation_decide(
        mon["municipal"], ref.pk, decision="revoke", note="核查属实", reason="not_qualified"
    )
    cert.refresh_from_db()
    assert (done.status, done.certificate_id, done.external, cert.status) == ("revoked", cert.pk, False, "revoked")
    rev = Revocation.objects.get(certificate=cert)
    assert (rev.reason, rev.recover_tax_from_year, rev.detail) == ("not_qualified", 2025, "核查属实")


def test_a_feed_certificate_is_recorded_not_revoked(mon: dict[str, Any]) -> None:
    ref = _refer(mon)
    done = services.revocation_decide(mon["municipal"], ref.pk, decision="revoke", note="核查属实")
    assert (done.status, done.external, done.certificate_id) == ("revoked", True, None)
    assert not Certificate.objects.exists() and not Revocation.objects.exists()
    assert "须书面告知发证系统" in done.transitions.get(action="revoke").comment


def test_only_the_municipal_office_decides_once(mon: dict[str, Any]) -> None:
    ref = _refer(mon)
    with pytest.raises(DomainError):
        services.revocation_decide(mon["haidian"], ref.pk, decision="decline", note="不属实")
    services.revocation_decide(mon["municipal"], ref.pk, decision="decline", note="不属实")
    with pytest.raises(StaleActionError):
        services.revocation_decide(mon["municipal2"], ref.pk, decision="revoke", note="属实", seen="referred")


def test_the_municipal_queue_and_decision_pages(mon: dict[str, Any]) -> None:
    from tests.web.conftest import login

    ref = _refer(mon)
    c = login(mon["municipal"])
    html = c.get("/certification/referrals/").content.decode()
    assert f'href="/certification/referrals/{ref.pk}/"' in html and "北京海淀预警测试科技有限公司" in html
    page = c.get(f"/certification/referrals/{ref.pk}/").content.decode()
    assert "须书面告知发证系统" in page and 'id="referral-decide"' in page
    assert login(mon["haidian"]).get(f"/certification/referrals/{ref.pk}/").status_code == 403
    r = c.post(
        f"/certification/referrals/{ref.pk}/", {"decision": "decline", "note": "核查后不属实", "seen": "referred"}
    )
    assert r.status_code == 302
    ref.refresh_from_db()
    assert (ref.status, ref.decision_note, ref.decided_by) == ("declined", "核查后不属实", mon["municipal"])
    page = c.get(f"/certification/referrals/{ref.pk}/").content.decode()
    assert 'id="referral-decide"' not in page and "不予撤销" in page
