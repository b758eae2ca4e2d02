"""政策沙盘's pages and API: the form shows a refusal next to its field, only the municipal office enters, the
catalogue shows a published policy, the API reads drafts."""

from __future__ import annotations

from typing import Any

import pytest

from gaoqi.web.drafting import services
from tests.web.conftest import login
from tests.web.drafting.conftest import good_data


def _post(**over: str) -> dict[str, str]:
    data = {
        "policy_id": "haidian-hte-reward", "name": "海淀区高新技术企业奖励", "authority": "北京市海淀区人民政府",
        "document_number": "京科发〔2026〕8号", "kind": "subsidy", "version_id": "2027", "valid_from": "2027-01-01",
        "documents": "京科发〔2026〕8号", "p0_name": "reward", "p0_label": "奖励金额", "p0_type": "money",
        "p0_value": "20", "p0_unit": "万元", "c0_label": "持有高新技术企业证书", "c0_feature": "has_hte_certificate",
        "c0_op": "=", "c0_value": "是", "c0_article": "京科发〔2026〕8号 第三条", "benefit_amount": "param.reward",
        "benefit_label": "奖励20万元",
    }  # fmt: skip
    data.update(over)
    return data


@pytest.mark.django_db
def test_the_form_saves_a_good_draft(catalogue: Any, officials: Any) -> None:
    r = login(officials["author"]).post("/drafting/new/", _post())
    assert r.status_code == 302
    page = login(officials["author"]).get(r["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "草稿" in text and "has_hte_certificate = TRUE" in text and "提交审核" in text


@pytest.mark.parametrize(
    ("change", "field", "why"),
    [
        ({"c0_feature": "no_such_feature"}, "c0_feature", "未知的画像指标「no_such_feature」"),
        ({"c0_value": "20"}, "c0_value", "类型不符：是否不能与数值比较"),
        ({"c0_article": "京科发〔2025〕3号 第三条"}, "c0_article", "条款引用的「京科发〔2025〕3号」不在本版本的文件中"),
        (
            {
                "policy_id": "dongcheng-hte-reward",
                "valid_from": "2022-08-02",
                "documents": "东城区园区支持措施（2022）",
                "c0_article": "东城区园区支持措施（2022） 高新技术企业支持",
            },
            "valid_from",
            "重叠",
        ),
    ],
)
@pytest.mark.django_db
def test_a_refusal_is_shown_next_to_its_field(catalogue: Any, officials: Any, change: dict[str, str], field: str,
                                              why: str) -> None:  # fmt: skip
    r = login(officials["author"]).post("/drafting/new/", _post(**change))
    assert r.status_code == 400
    form = r.context["form"]
    assert why in " ".join(form.errors[field])
    html = r.content.decode()
    # the message sits in the field's own table cell / paragraph, right after its input
    at = html.index(f'name="{field}"')
    end = min(i for i in (html.find("</td>", at), html.find("</p>", at)) if i > 0)
    assert why in html[at:end]


@pytest.mark.django_db
def test_only_the_municipal_office_enters(catalogue: Any, officials: Any, users: dict[str, Any]) -> None:
    draft = services.draft_create(officials["author"], good_data())
    for role in ("district", "enterprise", "evaluator", "expert", "incubator"):
        c = login(users[role])
        assert c.get("/drafting/").status_code == 403
        assert c.get(f"/drafting/{draft.pk}/").status_code == 403
        assert c.get(f"/api/policy-drafts/{draft.pk}").status_code == 403
    m = login(officials["approver"])
    assert m.get("/drafting/").status_code == 200
    assert m.get("/drafting/999999/").status_code == 404


@pytest.mark.django_db
def test_four_eyes_through_the_pages_and_the_catalogue_shows_it(catalogue: Any, officials: Any) -> None:
    author, approver = login(officials["author"]), login(officials["approver"])
    draft = services.draft_create(officials["author"], good_data())
    assert author.post(f"/drafting/{draft.pk}/act/", {"action": "submit", "seen": "draft"}).status_code == 302
    # the author's page offers no approval; a forged POST is refused with the reason
    assert "审核通过并发布" not in author.get(f"/drafting/{draft.pk}/").content.decode()
    r = author.post(f"/drafting/{draft.pk}/act/", {"action": "approve", "seen": "submitted"}, follow=True)
    assert "起草人不能审核自己的草稿" in r.content.decode()
    r = approver.post(f"/drafting/{draft.pk}/act/", {"action": "approve", "seen": "submitted"}, follow=True)
    assert "已审核通过并发布到政策目录（haidian-hte-reward.yaml）" in r.content.decode()
    catalogue_page = approver.get("/policies/").content.decode()
    assert "海淀区高新技术企业奖励" in catalogue_page
    api = approver.get(f"/api/policy-drafts/{draft.pk}").json()
    assert api["status"] == "published" and api["approved_by"] == "u_municipal_b"
    assert api["yaml_text"] == (catalogue / "haidian-hte-reward.yaml").read_text(encoding="utf-8")
    listing = approver.get("/api/policy-drafts").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == draft.pk


@pytest.mark.django_db
def test_a_new_version_form_is_prefilled_from_the_version_in_force(catalogue: Any, officials: Any) -> None:
    r = login(officials["author"]).get("/drafting/new/", {"base": "hte-certification"})
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["policy_id"] == "hte-certification" and r.context["skipped"] > 0
    r = login(officials["author"]).get("/drafting/new/", {"base": "dongcheng-hte-reward"})
    assert r.context["form"].initial["c3_param"] == "award_window_days" and r.context["skipped"] == 0


@pytest.mark.django_db
def test_an_unconfirmed_parameter_says_so_on_the_draft_page(catalogue: Any, officials: Any) -> None:
    draft = services.draft_create(officials["author"], good_data())
    html = login(officials["author"]).get(f"/drafting/{draft.pk}/").content.decode()
    row = html[html.index("注册地区县代码") :]
    assert "默认值，待确认" in row[: row.index("</tr>")]
    row = html[html.index("<td>奖励金额</td>") :]
    assert "已确认" in row[: row.index("</tr>")]
