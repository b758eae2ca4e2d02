"""The payment list and its outcome: matched record by record; bad lines refused with a reason, the rest applied
in one transaction; the same file twice applies nothing twice; totals equal a count by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from gaoqi.web.audit.models import AuditEvent
from gaoqi.web.benefits import selectors, services
from gaoqi.web.benefits.models import Benefit, PaymentUpload
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden
from gaoqi.web.exports import xlsx
from tests.web.benefits.conftest import at

HEADER = list(services.LIST_HEADER)


def outcome_file(rows: list[tuple[str, Any, str, str, str]]) -> bytes:
    """(record id, amount, outcome, reason, reference) lines under the payment list's header."""
    out = []
    for rid, amount, outcome, reason, ref in rows:
        line: list[Any] = [""] * len(HEADER)
        line[0], line[6], line[10], line[11], line[12] = rid, amount, outcome, reason, ref
        out.append(line)
    return xlsx("兑付结果", HEADER, out)


@pytest.fixture()
def payable(granted: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    services.benefit_confirm(
        granted["ent"], granted["b_dc"].pk, bank_name="工商银行", account_number="6222020200001234"
    )
    at(monkeypatch, dt.date(2026, 12, 22))  # the day after the window (ends Monday 21 December)
    assert services.benefits_mature()["payable"] == 3
    return granted


def test_the_payment_list_is_scoped_and_masked_by_role(payable: dict[str, Any]) -> None:
    rows = list(services.payment_list(payable["municipal"]))
    ids = [r[0] for r in rows]
    assert ids == sorted(ids) and len(ids) == 3
    dc = next(r for r in rows if r[1] == payable["dc"].uscc)
    assert (dc[2], dc[3], dc[4], dc[5], dc[6], dc[7], dc[9]) == (
        "东城奖励测试科技有限公司", "东城区", "工商银行", "6222020200001234", Decimal("10"), "东城区新认定国家高新技术企业一次性奖励",
        "一次性",
    )  # fmt: skip
    # the district: its own enterprises only (朝阳's row is not on 东城's list)
    assert {r[1] for r in services.payment_list(payable["dongcheng"])} == {payable["dc"].uscc, payable["dc2"].uscc}
    assert [r[1] for r in services.payment_list(payable["chaoyang"])] == [payable["cy"].uscc]
    with pytest.raises(Forbidden):
        list(services.payment_list(payable["evaluator"]))
    entry = AuditEvent.objects.filter(action="benefits.payment_list").order_by("id").first()
    assert entry is not None and entry.detail == {"rows": 3, "unmasked": True}
    assert selectors.mask_account("6222020200001234") == "************1234"


def test_each_bad_line_is_refused_with_its_reason_and_the_rest_applied(payable: dict[str, Any]) -> None:
    b_dc, b_dc2, b_cy = payable["b_dc"], payable["b_dc2"], payable["b_cy"]
    # b_cy already paid by an earlier file
    services.payment_upload(payable["municipal"], name="first.xlsx",
                            data=outcome_file([(b_cy.record_id, 10, "已兑付", "", "PAY-0")]))  # fmt: skip
    data = outcome_file([
        (b_dc.record_id, 10, "已兑付", "", "PAY-1"),            # applied
        (b_dc2.record_id, 12, "已兑付", "", "PAY-2"),           # changed amount
        (b_cy.record_id, 10, "已兑付", "", "PAY-3"),            # already paid
        ("MS99999999", 10, "已兑付", "", "PAY-4"),              # unknown record
        ("MS1", 10, "已兑付", "", "PAY-5"),                     # malformed
        (b_dc2.record_id, 10, "兑付失败", "", ""),              # duplicate in the file (and no reason)
    ])  # fmt: skip
    up = services.payment_upload(payable["municipal"], name="结果.xlsx", data=data)
    assert (up.rows, up.applied, up.refused) == (6, 1, 5)
    reasons = [(e["line"], e["result"], e["reason"]) for e in up.report]
    assert reasons == [
        (2, "applied", ""),
        (3, "refused", "记录编号在文件中出现 2 次，均不处理"),
        (4, "refused", "该记录已于2026年12月22日兑付，不重复兑付"),
        (5, "refused", "记录编号不存在或不在您的管辖范围内"),
        (6, "refused", "记录编号格式不正确（应为兑付清单中的记录编号）"),
        (7, "refused", "记录编号在文件中出现 2 次，均不处理"),
    ]
    assert {b.pk: b.status for b in Benefit.objects.all()} == {b_dc.pk: "paid", b_dc2.pk: "payable", b_cy.pk: "paid"}
    paid = Benefit.objects.get(pk=b_dc.pk)
    assert (paid.payment_ref, paid.paid_on, paid.paid_amount, paid.payment_upload_id) == (
        "PAY-1", dt.date(2026, 12, 22), Decimal("10"), up.pk,
    )  # fmt: skip


def test_changed_amount_and_missing_reason_and_reference(payable: dict[str, Any]) -> None:
    b_dc, b_dc2, b_cy = payable["b_dc"], payable["b_dc2"], payable["b_cy"]
    data = outcome_file([
        (b_dc.record_id, "10.5", "已兑付", "", "PAY-1"),
        (b_dc2.record_id, 10, "兑付失败", "", ""),
        (b_cy.record_id, 10, "已兑付", "", ""),
    ])  # fmt: skip
    up = services.payment_upload(payable["municipal"], name="x.xlsx", data=data)
    assert [e["reason"] for e in up.report] == [
        "金额与兑付清单不符（清单 10 万元，文件 10.5 万元）",
        "兑付失败须填写原因",
        "已兑付须填写支付凭证号",
    ]
    assert up.applied == 0 and set(Benefit.objects.values_list("status", flat=True)) == {"payable"}


def test_a_failure_is_recorded_and_may_be_put_back_on_the_list(payable: dict[str, Any]) -> None:
    b = payable["b_dc2"]
    data = outcome_file([(b.record_id, 10, "兑付失败", "账户已销户", "")])
    up = services.payment_upload(payable["dongcheng"], name="x.xlsx", data=data)
    assert up.applied == 1
    failed = Benefit.objects.get(pk=b.pk)
    assert (failed.status, failed.fail_reason) == ("failed", "账户已销户")
    assert services.benefit_retry(payable["dongcheng"], b.pk, comment="企业已更正账户").status == "payable"


def test_the_same_file_twice_applies_nothing_twice(payable: dict[str, Any]) -> None:
    b = payable["b_dc"]
    data = outcome_file([(b.record_id, 10, "已兑付", "", "PAY-1")])
    services.payment_upload(payable["municipal"], name="a.xlsx", data=data)
    with pytest.raises(Conflict, match=r"已于.*上传过"):
        services.payment_upload(payable["municipal"], name="renamed.xlsx", data=data)
    assert PaymentUpload.objects.count() == 1
    assert AuditEvent.objects.filter(action="benefits.paid").count() == 1
    # the same lines in another file: refused as already paid
    again = outcome_file([(b.record_id, 10, "已兑付", "", "PAY-1"), ("", "", "", "", "")])
    up = services.payment_upload(payable["municipal"], name="b.xlsx", data=again + b"")
    assert (up.applied, up.refused) == (0, 1)


def test_a_district_cannot_record_another_districts_payment(payable: dict[str, Any]) -> None:
    b = payable["b_dc"]
    up = services.payment_upload(
        payable["chaoyang"], name="x.xlsx", data=outcome_file([(b.record_id, 10, "已兑付", "", "PAY-1")])
    )
    assert up.report[0]["reason"] == "记录编号不存在或不在您的管辖范围内"
    assert Benefit.objects.get(pk=b.pk).status == "payable"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "文件不是 Excel"),
        (b"PK\x03\x04garbage", "文件已损坏"),
        (xlsx("x", ["编号", "金额"], [["MS00000001", 1]]), "表头缺少列：记录编号、金额（万元）、结果"),
    ],
)
def test_a_file_that_is_not_the_payment_list_is_refused_whole(
    payable: dict[str, Any], data: bytes, message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        services.payment_upload(payable["municipal"], name="结果.xlsx", data=data)
    assert PaymentUpload.objects.count() == 0


def test_totals_equal_a_count_by_hand(payable: dict[str, Any]) -> None:
    b = payable["b_dc"]
    services.payment_upload(payable["municipal"], name="x.xlsx",
                            data=outcome_file([(b.record_id, 10, "已兑付", "", "PAY-1")]))  # fmt: skip
    got = {(t["district_code"], t["policy_id"], t["status"]): (t["n"], t["amount"])
           for t in selectors.totals(payable["municipal"])}  # fmt: skip
    by_hand: dict[tuple[str, str, str], tuple[int, Decimal]] = {}
    for x in Benefit.objects.select_related("enterprise"):
        key = (x.enterprise.district_code, x.policy_id, x.status)
        n, amount = by_hand.get(key, (0, Decimal(0)))
        by_hand[key] = (n + 1, amount + x.amount)
    assert got == by_hand
    assert got[("110101", "dongcheng-hte-reward", "paid")] == (1, Decimal("10"))
    # 朝阳's official: its own district only
    assert {t["district_code"] for t in selectors.totals(payable["chaoyang"])} == {"110105"}
    assert selectors.totals(payable["incubator"]) == []
