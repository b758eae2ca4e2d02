"""The form is the profile: every feature the policy version reads, with the current snapshot's value and its
source, locked (a posted change is refused, nothing changes); attested conditions need an attestation; PDFs only
for attested conditions, checked by content; the self-check says what passes, fails or is unknown and why."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from gaoqi.engine import version_features
from gaoqi.web.core.errors import DomainError
from gaoqi.web.quickapply import prefill as pf
from gaoqi.web.quickapply import services
from gaoqi.web.quickapply import workflow as wf
from gaoqi.web.quickapply.models import PolicyApplication
from tests.web.conftest import login
from tests.web.quickapply.conftest import CITY_POLICY, DISTRICT_POLICY, _profile

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _as_profile(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, str)) else str(value)


@pytest.mark.parametrize("policy_id", [DISTRICT_POLICY, "rd-super-deduction", "dongcheng-hte-renewal-reward"])
def test_prefill_values_equal_the_profile_with_sources(people: dict[str, Any], policy_id: str) -> None:
    user = people["ent"]
    app = services.application_start(user, policy_id)
    profile = _profile(user.uscc)
    version = pf.policy_get(policy_id).version_at(profile["as_of"])  # type: ignore[union-attr]
    values = app.prefill["values"]
    assert set(values) == version_features(version) - {"uscc", "as_of"}
    assert values, "the policy reads features"
    for name, entry in values.items():
        assert entry["value"] == _as_profile(profile.get(name)), name
        if entry["value"] is not None:
            assert entry["source"], f"{name}: a held value names its source"
        else:
            assert entry["source"] == ""
    assert app.as_of == profile["as_of"] and app.policy_version == version.id
    if policy_id == DISTRICT_POLICY:  # a sourced feature names its feed file and line
        assert (
            "第" in values["sales_revenue_last_year"]["source"] and "行" in values["sales_revenue_last_year"]["source"]
        )
        assert Decimal(values["sales_revenue_last_year"]["value"]) > 0


def test_a_posted_change_to_a_locked_value_is_refused(people: dict[str, Any]) -> None:
    user = people["ent"]
    app = services.application_start(user, DISTRICT_POLICY)
    before = dict(app.prefill)
    with pytest.raises(DomainError, match="已锁定"):
        services.application_fill(user, app, note="说明", values={"sales_revenue_last_year": "99999"})
    client = login(user)
    r = client.post(
        f"/quick-apply/{app.pk}/fill/", {"note": "我们的说明", "sales_revenue_last_year": "99999"}, follow=True
    )
    assert "已锁定" in r.content.decode()
    app.refresh_from_db()
    assert app.prefill == before and app.note == ""
    # the note alone is kept
    client.post(f"/quick-apply/{app.pk}/fill/", {"note": "我们的说明"})
    app.refresh_from_db()
    assert app.note == "我们的说明" and app.prefill == before
    # the page shows the values as text (no input to change them) with their source
    page = client.get(f"/quick-apply/{app.pk}/").content.decode()
    assert 'name="sales_revenue_last_year"' not in page
    assert before["values"]["sales_revenue_last_year"]["source"] in page


def test_attestation_is_required_before_submission(people: dict[str, Any]) -> None:
    user = people["ent"]
    app = services.application_start(user, DISTRICT_POLICY)
    with pytest.raises(DomainError, match="近三年无重大违法违规行为：需要企业作出承诺"):
        services.application_transition(user, app, "submit")
    assert PolicyApplication.objects.get(pk=app.pk).status == wf.DRAFT
    with pytest.raises(DomainError, match="不能承诺的事项"):
        services.application_declare(user, app, ["has_sales"])  # a data condition: the data decide it
    with pytest.raises(DomainError, match="请选择"):
        services.application_declare(user, app, [])
    services.application_declare(user, app, ["no_violation"])
    app = services.application_transition(user, PolicyApplication.objects.get(pk=app.pk), "submit")
    assert app.status == wf.SUBMITTED
    assert app.self_check["passed"] is True
    assert [c["outcome"] for c in app.self_check["conditions"]] == ["pass", "pass", "declared"]


def test_attachments_only_for_attested_conditions_and_only_real_pdfs(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = people["ent"]
    app = services.application_start(user, CITY_POLICY)
    with pytest.raises(DomainError, match="PDF"):
        services.attachment_add(user, app, "equipment_invoices", "发票.pdf", b"%PDF-1.4\nnot really a pdf\n%%EOF")
    with pytest.raises(DomainError, match="网页代码"):
        services.attachment_add(user, app, "equipment_invoices", "发票.pdf", b"%PDF-1.4\n<script>x</script>\n%%EOF")
    with pytest.raises(DomainError, match="PDF"):
        services.attachment_add(user, app, "equipment_invoices", "发票.pdf", b"GIF89a....")
    with pytest.raises(DomainError, match="政府已掌握"):
        services.attachment_add(user, app, "has_sales", "销售.pdf", pdf_bytes())  # the government holds it
    assert app.attachments.count() == 0
    # required by the policy's parameter: blocks the self-check until it is uploaded
    from gaoqi.web.quickapply import config as cfg_module

    cfg = cfg_module.config()
    monkeypatch.setitem(cfg.attachments_required, CITY_POLICY, frozenset({"equipment_invoices"}))
    services.application_declare(user, app, ["equipment_invoices"])
    with pytest.raises(DomainError, match="请上传证明材料"):
        services.application_transition(user, PolicyApplication.objects.get(pk=app.pk), "submit")
    client = login(user)
    upload = io.BytesIO(pdf_bytes())
    upload.name = "发票.pdf"
    client.post(f"/quick-apply/{app.pk}/attach/", {"condition": "equipment_invoices", "file": upload})
    att = app.attachments.get()
    assert (att.condition_id, att.file_name, att.pages) == ("equipment_invoices", "发票.pdf", 1)
    app = services.application_transition(user, PolicyApplication.objects.get(pk=app.pk), "submit")
    assert app.status == wf.SUBMITTED
    # the reviewer downloads it (never rendered inline, never cached); a 朝阳 official cannot
    r = login(people["municipal"]).get(f"/quick-apply/{app.pk}/attachments/{att.pk}/")
    assert (
        r.status_code == 200 and r["Content-Disposition"].startswith("attachment") and "no-store" in r["Cache-Control"]
    )
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    assert login(people["chaoyang"]).get(f"/quick-apply/{app.pk}/attachments/{att.pk}/").status_code == 404


def test_self_check_refuses_a_failing_data_condition_and_says_why(people: dict[str, Any]) -> None:
    user = people["ent_nosales"]
    app = services.application_start(user, DISTRICT_POLICY)
    services.application_declare(user, app, ["no_violation"])
    with pytest.raises(DomainError) as refused:
        services.application_transition(user, PolicyApplication.objects.get(pk=app.pk), "submit")
    assert "上年度有销售收入" in refused.value.message
    assert PolicyApplication.objects.get(pk=app.pk).status == wf.DRAFT
    check = PolicyApplication.objects.get(pk=app.pk).self_check
    sales = next(c for c in check["conditions"] if c["id"] == "has_sales")
    assert sales["outcome"] in ("fail", "unknown") and sales["why"]
    # the enterprise sees why on its page
    page = login(user).get(f"/quick-apply/{app.pk}/").content.decode()
    assert "自评未通过" in page and sales["why"] in page
    # a 朝阳 enterprise fails the 海淀 policy's district condition, with the values compared
    cy = people["ent_chaoyang"]
    other = services.application_start(cy, DISTRICT_POLICY)
    services.application_declare(cy, other, ["no_violation"])
    with pytest.raises(
        DomainError, match="注册在海淀区：不满足（要求：所属区县代码 = 海淀区；贵企业：所属区县代码为朝阳区）"
    ):
        services.application_transition(cy, PolicyApplication.objects.get(pk=other.pk), "submit")


def test_policies_not_applied_for_here_are_refused(people: dict[str, Any]) -> None:
    user = people["ent"]
    with pytest.raises(DomainError, match="专门程序"):
        services.application_start(user, "hte-certification")
    with pytest.raises(DomainError, match="无需申请"):
        services.application_start(user, "cultivation-pool")
    with pytest.raises(DomainError, match="政策不存在"):
        services.application_start(user, "no-such-policy")
    with pytest.raises(DomainError, match="只有企业用户"):
        services.application_start(people["municipal"], DISTRICT_POLICY)
    assert not PolicyApplication.objects.exists()


def test_delivery_reads_the_policy_field_with_a_default(people: dict[str, Any]) -> None:
    import dataclasses
    import datetime as dt

    policy = pf.policy_get(DISTRICT_POLICY)
    assert policy is not None and pf.applies_by_application(policy)  # no delivery: application
    lst = pf.policy_get("cultivation-pool")
    assert lst is not None and not pf.applies_by_application(lst)  # a list: automatic
    # the shipped Dongcheng first-certification reward is 免申即享 (its versions say `delivery: automatic`)
    reward = pf.policy_get("dongcheng-hte-reward")
    assert reward is not None and not pf.applies_by_application(reward)
    with pytest.raises(DomainError):
        services.application_start(people["ent"], "dongcheng-hte-reward")
    # the version in force decides: the same policy with a later version delivered by application
    closed = dataclasses.replace(reward.versions[-1], valid_to=dt.date(2029, 12, 31))
    later = dataclasses.replace(
        closed, id="later", valid_from=dt.date(2030, 1, 1), valid_to=None, delivery="application"
    )
    mixed = dataclasses.replace(reward, versions=(*reward.versions[:-1], closed, later))
    assert pf.delivery_of(mixed, dt.date(2026, 12, 7)) == "automatic"
    assert pf.delivery_of(mixed, dt.date(2030, 1, 1)) == "application"
