"""The statuses of 供需对接 (core/workflow.py).

- ``DEMAND``: an official publishes a demand (published); it is closed when served or withdrawn by its publisher.
- ``PRODUCT``: an enterprise registers its new product or service (submitted); the municipal office confirms it
  (confirmed: it takes part in matching) or returns it with a reason (returned), after which the enterprise may
  submit it again; a confirmed item may be withdrawn by the enterprise or the office. A university or institute
  result uploaded by the office arrives confirmed (``import``).
- ``MATCH``: a proposal (proposed) — the parties contacted (contacted) — a contract signed (signed, with its
  amount) — delivered or landed (delivered); declined at any open stage (programmes.md §10.2's lifecycle, per pair).
"""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, SYSTEM, Transition, Workflow, register

PUBLISHED, CLOSED, WITHDRAWN = "published", "closed", "withdrawn"
SUBMITTED, CONFIRMED, RETURNED = "submitted", "confirmed", "returned"
PROPOSED, CONTACTED, SIGNED, DELIVERED, DECLINED = "proposed", "contacted", "signed", "delivered", "declined"

OFFICIALS = frozenset({roles.DISTRICT, roles.MUNICIPAL})
OFFICE = frozenset({roles.MUNICIPAL})
ENT = frozenset({roles.ENTERPRISE})

DEMAND = register(
    Workflow(
        "matching_demand",
        "需求",
        {PUBLISHED: "已发布", CLOSED: "已关闭", WITHDRAWN: "已撤回"},
        (
            Transition("publish", NEW, PUBLISHED, OFFICIALS, "发布需求", audit="matching.demand_publish"),
            Transition("close", PUBLISHED, CLOSED, OFFICIALS, "关闭需求", needs_comment=True,
                       audit="matching.demand_close"),
            Transition("withdraw", PUBLISHED, WITHDRAWN, OFFICIALS, "撤回需求", needs_comment=True,
                       audit="matching.demand_withdraw"),
        ),
    )
)  # fmt: skip

PRODUCT = register(
    Workflow(
        "matching_supply",
        "供给",
        {SUBMITTED: "待确认", CONFIRMED: "已确认", RETURNED: "已退回", WITHDRAWN: "已撤回"},
        (
            Transition("register", NEW, SUBMITTED, ENT, "登记产品", audit="matching.product_register"),
            Transition("import", NEW, CONFIRMED, OFFICE, "导入科技成果", audit=""),
            Transition("confirm", SUBMITTED, CONFIRMED, OFFICE, "确认", audit="matching.product_confirm"),
            Transition("return", SUBMITTED, RETURNED, OFFICE, "退回", needs_comment=True,
                       audit="matching.product_return"),
            Transition("resubmit", RETURNED, SUBMITTED, ENT, "重新提交", audit="matching.product_resubmit"),
            Transition("withdraw", CONFIRMED, WITHDRAWN, ENT | OFFICE, "撤回", needs_comment=True,
                       audit="matching.product_withdraw"),
        ),
        forbidden="该供给当前为“{now}”，不能执行该操作，{stale}",
    )
)  # fmt: skip

MATCH = register(
    Workflow(
        "matching_match",
        "匹配",
        {PROPOSED: "已推荐", CONTACTED: "已对接", SIGNED: "已签约", DELIVERED: "已交付落地", DECLINED: "未成"},
        (
            Transition("propose", NEW, PROPOSED, OFFICIALS | {SYSTEM}, "推荐", audit=""),
            Transition("contact", PROPOSED, CONTACTED, OFFICIALS, "登记已对接", audit="matching.match_contact"),
            Transition("sign", CONTACTED, SIGNED, OFFICIALS, "登记签约", audit="matching.match_sign"),
            Transition("deliver", SIGNED, DELIVERED, OFFICIALS, "登记交付落地", audit="matching.match_deliver"),
            *(
                Transition("decline", s, DECLINED, OFFICIALS, "登记未成", needs_comment=True,
                           audit="matching.match_decline")
                for s in (PROPOSED, CONTACTED)
            ),
        ),
        forbidden="该匹配当前为“{now}”，不能执行该操作，{stale}",
    )
)  # fmt: skip

WORKFLOWS = (DEMAND, PRODUCT, MATCH)
