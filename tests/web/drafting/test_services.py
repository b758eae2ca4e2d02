"""政策沙盘's services: the engine's loader refuses a bad draft with its field and reason; a good draft renders
a policy file the loader accepts and that round-trips; four eyes; a published version is frozen; audited."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from gaoqi.engine import default_policies, load_policy_text
from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.core.errors import DomainError
from gaoqi.web.core.workflow import RoleRefused, StatusRefused, WorkflowError
from gaoqi.web.drafting import services
from gaoqi.web.drafting.forms import initial_from_policy
from gaoqi.web.drafting.models import PolicyDraft
from gaoqi.web.policies.selectors import catalogue as policy_catalogue
from tests.web.drafting.conftest import good_data


@pytest.mark.django_db
def test_a_good_draft_renders_a_file_the_loader_accepts_and_that_round_trips(catalogue: Any, officials: Any) -> None:
    draft = services.draft_create(officials["author"], good_data())
    assert draft.status == "draft" and not draft.new_version
    policy = load_policy_text(draft.yaml_text)
    (version,) = policy.versions
    assert (policy.id, policy.name, policy.kind, version.id) == ("haidian-hte-reward", "海淀区高新技术企业奖励",
                                                                "subsidy", "2027")  # fmt: skip
    assert [c.expr for c in version.conditions] == ["district_code = param.district", "has_hte_certificate = TRUE"]
    assert [c.article for c in version.conditions] == ["京科发〔2026〕8号 第三条", "京科发〔2026〕8号 第三条（一）"]
    assert version.parameters["reward"].type == "money" and str(version.parameters["reward"].value) == "20"
    assert version.parameters["reward"].label == "奖励金额（万元）"
    assert version.parameters["district"].unconfirmed is True
    assert str(version.benefit.amount) == "param.reward"  # type: ignore[union-attr]
    # round trip: the loaded policy read back into the form's content renders the same text
    initial, skipped = initial_from_policy(policy, version.valid_from)
    assert skipped == 0
    again = copy.deepcopy(good_data().spec)
    for p in again["parameters"]:
        p["label"] = f"{p['label']}（{p['unit']}）" if p["unit"] else p["label"]
        p["unit"] = ""
    again["conditions"][1]["value"] = "TRUE"
    from gaoqi.web.drafting import render

    rebuilt = {
        "parameters": [{"row": i, "name": initial[f"p{i}_name"], "label": initial[f"p{i}_label"],
                        "type": initial[f"p{i}_type"], "value": initial[f"p{i}_value"], "unit": "",
                        "unconfirmed": initial[f"p{i}_unconfirmed"]} for i in range(2)],
        "conditions": [{"row": i, **{f: initial[f"c{i}_{f}"] for f in
                                     ("id", "label", "feature", "op", "value", "param", "article")}} for i in range(2)],
        "documents": initial["documents"].splitlines(), "notes": "",
        "benefit": {"amount": initial["benefit_amount"], "label": initial["benefit_label"]},
    }  # fmt: skip
    assert render.render_new(good_data().as_dict(), rebuilt).text == draft.yaml_text
    assert load_policy_text(render.render_new(good_data().as_dict(), rebuilt).text) == policy


def _refusal(actor: Any, data: Any) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        services.draft_create(actor, data)
    return caught.value.fields


def _with_condition(**change: Any) -> Any:
    data = good_data()
    data.spec["conditions"][1].update(change)
    return data


@pytest.mark.django_db
def test_an_unknown_feature_is_refused_at_its_field(catalogue: Any, officials: Any) -> None:
    assert _refusal(officials["author"], _with_condition(feature="no_such_feature")) == {
        "c1_feature": "未知的画像指标「no_such_feature」：请从画像指标中选择"
    }
    assert PolicyDraft.objects.count() == 0


@pytest.mark.django_db
def test_a_wrong_type_is_refused_at_its_field(catalogue: Any, officials: Any) -> None:
    # a yes/no feature compared with a number; a yes/no feature compared with a money parameter
    assert _refusal(officials["author"], _with_condition(value="5")) == {"c1_value": "类型不符：是否不能与数值比较"}
    assert _refusal(officials["author"], _with_condition(value="", param="reward")) == {
        "c1_param": "类型不符：是否不能与金额比较"
    }
    # a money threshold typed as text; a parameter of type money whose value is no number
    fields = _refusal(officials["author"], _with_condition(feature="sales_revenue_y3", op=">=", value="很多"))
    assert fields == {"c1_value": "类型不符：金额不能与文本比较"}
    data = good_data()
    data.spec["parameters"][0]["value"] = "二十"
    fields = _refusal(officials["author"], data)
    assert fields["p0_value"] == "参数「reward」的值须为数字"  # (and the amount reading it, as a consequence)


@pytest.mark.django_db
def test_an_article_outside_the_documents_is_refused_at_its_field(catalogue: Any, officials: Any) -> None:
    assert _refusal(officials["author"], _with_condition(article="京科发〔2025〕3号 第三条")) == {
        "c1_article": "条款引用的「京科发〔2025〕3号」不在本版本的文件中（京科发〔2026〕8号）"
    }


@pytest.mark.django_db
def test_a_version_overlapping_the_one_in_force_is_refused_at_its_start(catalogue: Any, officials: Any) -> None:
    # dongcheng-hte-reward's version 2022 runs from 2022-08-02, open-ended: a version from that day overlaps it
    data = good_data(
        policy_id="dongcheng-hte-reward", version_id="2026", valid_from=__import__("datetime").date(2022, 8, 2)
    )
    data.spec["documents"] = ["东城区园区支持措施（2022）"]
    for c in data.spec["conditions"]:
        c["article"] = "东城区园区支持措施（2022） 高新技术企业支持"
    fields = _refusal(officials["author"], data)
    assert fields == {"valid_from": "有效期与已有版本「2022」（2022-08-02 至 长期）重叠"} or fields == {
        "valid_from": "有效期与已有版本「2026」（2022-08-02 至 长期）重叠"
    }


@pytest.mark.django_db
def test_an_empty_or_double_operand_and_a_bad_name_are_refused(catalogue: Any, officials: Any) -> None:
    assert _refusal(officials["author"], _with_condition(value="", param="")) == {
        "c1_value": "请填写一个数值，或选择一个参数（二者只选其一）"
    }
    assert _refusal(officials["author"], _with_condition(feature="x; DROP")) == {
        "c1_feature": "未知的画像指标「x; DROP」：请从画像指标中选择"
    }
    assert _refusal(officials["author"], good_data(policy_id="Bad_ID")) == {
        "policy_id": "政策编号「Bad_ID」只能含小写字母、数字和连字符"
    }


def _published(officials: Any, data: Any = None) -> PolicyDraft:
    draft = services.draft_create(officials["author"], data or good_data())
    services.draft_submit(officials["author"], draft.pk, "draft")
    return services.draft_approve(officials["approver"], draft.pk, "submitted")


@pytest.mark.django_db
def test_four_eyes_publishes_into_the_catalogue_for_the_next_evaluation(catalogue: Any, officials: Any) -> None:
    assert "haidian-hte-reward" not in {p.id for p in policy_catalogue()}
    draft = _published(officials)
    assert draft.status == "published" and draft.approved_by == officials["approver"]
    assert draft.published_at is not None and draft.published_file == "haidian-hte-reward.yaml"
    written = catalogue / "haidian-hte-reward.yaml"
    assert written.read_text(encoding="utf-8") == draft.yaml_text
    # the catalogue the pages read and the policies the next evaluation loads both have it
    assert "haidian-hte-reward" in {p.id for p in policy_catalogue()}
    assert "haidian-hte-reward" in {p.id for p in default_policies()}
    actions = list(AuditEvent.objects.filter(target=f"policy_draft:{draft.pk}").values_list("action", flat=True))
    assert actions == ["drafting.create", "drafting.submit", "drafting.publish"]
    publish = AuditEvent.objects.get(action="drafting.publish")
    assert publish.username == "u_municipal_b" and publish.detail == {"policy": "haidian-hte-reward", "version": "2027"}


@pytest.mark.django_db
def test_the_author_cannot_approve_nor_a_district_official(catalogue: Any, officials: Any) -> None:
    draft = services.draft_create(officials["author"], good_data())
    services.draft_submit(officials["author"], draft.pk, "draft")
    with pytest.raises(WorkflowError, match="起草人不能审核自己的草稿"):
        services.draft_approve(officials["author"], draft.pk, "submitted")
    with pytest.raises(RoleRefused):
        services.draft_approve(officials["district"], draft.pk, "submitted")
    with pytest.raises(WorkflowError, match="起草人不能审核自己的草稿"):
        services.draft_return(officials["author"], draft.pk, "自己退回", "submitted")
    assert PolicyDraft.objects.get(pk=draft.pk).status == "submitted"
    assert not (catalogue / "haidian-hte-reward.yaml").exists()
    # nor may a district official draft, nor anyone but the author submit
    with pytest.raises(DomainError):
        services.draft_create(officials["district"], good_data())
    other = services.draft_create(officials["author"], good_data(version_id="2028"))
    with pytest.raises(WorkflowError, match="只有起草人"):
        services.draft_submit(officials["approver"], other.pk, "draft")


@pytest.mark.django_db
def test_a_return_needs_a_comment_and_the_author_edits_and_resubmits(catalogue: Any, officials: Any) -> None:
    draft = services.draft_create(officials["author"], good_data())
    services.draft_submit(officials["author"], draft.pk, "draft")
    with pytest.raises(WorkflowError, match="需要填写意见"):
        services.draft_return(officials["approver"], draft.pk, "  ", "submitted")
    services.draft_return(officials["approver"], draft.pk, "奖励金额请按文件核实", "submitted")
    with pytest.raises(DomainError, match="只有起草人"):
        services.draft_update(officials["approver"], draft.pk, good_data())
    data = good_data()
    data.spec["parameters"][0]["value"] = "30"
    edited = services.draft_update(officials["author"], draft.pk, data)
    assert "value: 30," in edited.yaml_text and edited.status == "returned"
    services.draft_submit(officials["author"], draft.pk, "returned")
    assert services.draft_approve(officials["approver"], draft.pk, "submitted").status == "published"


@pytest.mark.django_db
def test_a_published_version_is_never_edited(catalogue: Any, officials: Any) -> None:
    draft = _published(officials)
    with pytest.raises(DomainError, match="不能修改"):
        services.draft_update(officials["author"], draft.pk, good_data())
    with pytest.raises(StatusRefused):
        services.draft_return(officials["approver"], draft.pk, "再改改")
    # the database refuses any UPDATE of the published row, whoever writes it
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyDraft.objects.filter(pk=draft.pk).update(name="改名")
    assert PolicyDraft.objects.get(pk=draft.pk).name == "海淀区高新技术企业奖励"


@pytest.mark.django_db
def test_a_new_version_closes_the_open_one_and_keeps_the_file_s_comments(catalogue: Any, officials: Any) -> None:
    import datetime as dt

    base = next(p for p in policy_catalogue() if p.id == "dongcheng-hte-reward")
    initial, skipped = initial_from_policy(base, dt.date(2026, 6, 30))
    assert skipped == 0 and initial["c0_feature"] == "district_code" and initial["c0_param"] == "district"
    data = good_data(policy_id="dongcheng-hte-reward", version_id="2027", valid_from=dt.date(2027, 1, 1),
                     name="被忽略的名称")  # fmt: skip
    data.spec["documents"] = ["东城区园区支持措施（2022）"]
    for c in data.spec["conditions"]:
        c["article"] = "东城区园区支持措施（2022） 高新技术企业支持"
    draft = services.draft_create(officials["author"], data)
    assert draft.new_version and draft.name == "东城区新认定国家高新技术企业一次性奖励"
    policy = load_policy_text(draft.yaml_text)
    assert [(v.id, v.valid_from, v.valid_to) for v in policy.versions] == [
        ("2022", dt.date(2022, 8, 2), dt.date(2026, 12, 31)),
        ("2027", dt.date(2027, 1, 1), None),
    ]
    assert "# UNCONFIRMED: publication date of the English page" in draft.yaml_text
    services.draft_submit(officials["author"], draft.pk, "draft")
    services.draft_approve(officials["approver"], draft.pk, "submitted")
    assert (catalogue / "dongcheng-hte-reward.yaml").read_text(encoding="utf-8") == draft.yaml_text
    loaded = next(p for p in default_policies() if p.id == "dongcheng-hte-reward")
    assert loaded.version_at(dt.date(2026, 12, 31)).id == "2022"  # type: ignore[union-attr]
    assert loaded.version_at(dt.date(2027, 1, 1)).id == "2027"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_draft_that_no_longer_fits_the_catalogue_is_not_published(catalogue: Any, officials: Any) -> None:
    first = services.draft_create(officials["author"], good_data())
    second = services.draft_create(officials["author"], good_data())  # the same new policy, twice
    for d in (first, second):
        services.draft_submit(officials["author"], d.pk, "draft")
    services.draft_approve(officials["approver"], first.pk, "submitted")
    text = (catalogue / "haidian-hte-reward.yaml").read_text(encoding="utf-8")
    with pytest.raises(WorkflowError, match="草稿已不能按现行政策目录发布"):
        services.draft_approve(officials["approver"], second.pk, "submitted")
    assert PolicyDraft.objects.get(pk=second.pk).status == "submitted"
    assert (catalogue / "haidian-hte-reward.yaml").read_text(encoding="utf-8") == text


@pytest.mark.django_db
def test_a_new_version_may_start_the_day_after_the_one_in_force_starts_not_the_same_day(
    catalogue: Any, officials: Any
) -> None:
    import datetime as dt

    def version_from(day: dt.date) -> Any:
        data = good_data(policy_id="dongcheng-hte-reward", version_id="2022b", valid_from=day)
        data.spec["documents"] = ["东城区园区支持措施（2022）"]
        for c in data.spec["conditions"]:
            c["article"] = "东城区园区支持措施（2022） 高新技术企业支持"
        return data

    # the version in force starts 2022-08-02: the same day overlaps, the day after closes it after one day
    assert set(_refusal(officials["author"], version_from(dt.date(2022, 8, 2)))) == {"valid_from"}
    draft = services.draft_create(officials["author"], version_from(dt.date(2022, 8, 3)))
    policy = load_policy_text(draft.yaml_text)
    assert [(v.valid_from, v.valid_to) for v in policy.versions] == [
        (dt.date(2022, 8, 2), dt.date(2022, 8, 2)),
        (dt.date(2022, 8, 3), None),
    ]
