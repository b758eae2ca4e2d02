"""兑现方式 on the draft form: 免申即享 is written into the version as ``delivery: automatic`` and the engine's
loader refuses it, next to the field, when a condition is attested or there is no amount to pay."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.engine.rules.mode import policy_mode
from gaoqi.web.drafting.models import PolicyDraft
from tests.web.conftest import login
from tests.web.drafting.test_views import _post


def _cell(html: str, field: str) -> str:
    at = html.index(f'name="{field}"')
    end = min(i for i in (html.find("</td>", at), html.find("</p>", at), html.find("</div>", at)) if i > 0)
    return html[at:end]


@pytest.mark.django_db
def test_an_automatic_draft_is_saved_with_its_delivery_and_period(catalogue: Any, officials: Any) -> None:
    r = login(officials["author"]).post("/drafting/new/", _post(delivery="automatic", benefit_period="once"))
    assert r.status_code == 302
    draft = PolicyDraft.objects.get()
    assert draft.spec["delivery"] == "automatic"
    assert "  delivery: automatic\n" in draft.yaml_text
    assert "    period: once\n" in draft.yaml_text
    from gaoqi.engine import load_policy_text

    version = load_policy_text(draft.yaml_text, "t").versions[0]
    assert version.delivery == "automatic" and version.benefit is not None and version.benefit.period == "once"
    assert policy_mode(version).code == "MSJX"
    # the form reopened keeps 免申即享
    page = login(officials["author"]).get(f"/drafting/{draft.pk}/edit/")
    assert page.status_code == 200
    assert 'value="automatic" selected' in page.content.decode()


@pytest.mark.django_db
def test_the_default_is_application(catalogue: Any, officials: Any) -> None:
    r = login(officials["author"]).post("/drafting/new/", _post())
    assert r.status_code == 302
    draft = PolicyDraft.objects.get()
    assert "delivery: application" in draft.yaml_text and "period:" not in draft.yaml_text


@pytest.mark.django_db
def test_automatic_with_an_attested_condition_is_refused_next_to_the_field(catalogue: Any, officials: Any) -> None:
    post = _post(delivery="automatic", c1_label="承诺无重大违法行为", c1_kind="attested",
                 c1_article="京科发〔2026〕8号 第四条")  # fmt: skip
    r = login(officials["author"]).post("/drafting/new/", post)
    assert r.status_code == 400
    form = r.context["form"]
    why = "免申即享要求全部条件由数据判定：条件「承诺无重大违法行为」为企业承诺"
    assert form.errors["delivery"] == [why]
    assert "免申即享要求全部条件由数据判定" in " ".join(form.errors["c1_kind"])
    assert why in _cell(r.content.decode(), "delivery")
    assert not PolicyDraft.objects.exists()
    # the same draft delivered by application is a good 快申快享 draft (the attested condition is allowed)
    post["delivery"] = "application"
    assert login(officials["author"]).post("/drafting/new/", post).status_code == 302
    assert "kind: attested" in PolicyDraft.objects.get().yaml_text


@pytest.mark.django_db
def test_automatic_without_an_amount_is_refused(catalogue: Any, officials: Any) -> None:
    r = login(officials["author"]).post("/drafting/new/", _post(delivery="automatic", benefit_amount=""))
    assert r.status_code == 400
    assert r.context["form"].errors["delivery"] == ["免申即享须填写可计算的奖励金额"]


@pytest.mark.django_db
def test_an_unknown_delivery_is_refused(catalogue: Any, officials: Any) -> None:
    r = login(officials["author"]).post("/drafting/new/", _post(delivery="sometimes"))
    assert r.status_code == 400
    assert "delivery" in r.context["form"].errors


def test_a_text_features_value_is_written_as_text() -> None:
    from gaoqi.web.drafting.render import condition_expr

    assert condition_expr({"feature": "district_code", "op": "=", "value": "110108"}) == "district_code = '110108'"
    assert condition_expr({"feature": "has_hte_certificate", "op": "=", "value": "是"}) == "has_hte_certificate = TRUE"
    assert (
        condition_expr({"feature": "established_full_years", "op": ">=", "value": "1"}) == "established_full_years >= 1"
    )
