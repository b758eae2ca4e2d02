"""A review signal's life as data (core/workflow.py, ADR 0036): open (待核实) → concluded (已核实: the reviewer's
conclusion 属实 / 已作说明 / 不成立 with a note) by the application's district official or the municipal office;
an open signal the engine no longer raises for the application is cleared by the platform (已消除, "风险提示已消除
（快照 N）") and reopened (重新出现) if a later snapshot raises it again. A concluded signal keeps its conclusion
whatever later snapshots say (the platform only records that it was seen again).

The platform's moves over many signals at once (raise, update, clear, reopen at publication) are applied set-based
by ``services.signals_derive``, which takes them from this table and writes the log rows set-based too."""

from __future__ import annotations

from gaoqi.web import roles
from gaoqi.web.core.workflow import NEW, SYSTEM, Transition, Workflow, register

OPEN, CONCLUDED, CLEARED = "open", "concluded", "cleared"
STATUS_LABELS: dict[str, str] = {OPEN: "待核实", CONCLUDED: "已核实", CLEARED: "已消除"}

#: Who records a conclusion: the district official of the application's district (its reviewer) or the municipal
#: office (the ``in_charge`` guard narrows the district to its own). Experts read, never conclude.
OFFICE = frozenset({roles.DISTRICT, roles.MUNICIPAL})
AUTO = frozenset({SYSTEM})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("raise", NEW, OPEN, AUTO, "风险提示生成"),
    Transition("conclude", OPEN, CONCLUDED, OFFICE, "记录核实结论", guard="in_charge", needs_comment=True),
    Transition("clear", OPEN, CLEARED, AUTO, "风险提示已消除"),
    Transition("reopen", CLEARED, OPEN, AUTO, "风险提示重新出现"),
    Transition("update", OPEN, OPEN, AUTO, "风险提示内容更新", audit=""),
)  # fmt: skip

SIGNAL = register(
    Workflow(
        "review_signal",
        "风险提示",
        STATUS_LABELS,
        TRANSITIONS,
        stale="风险提示已由“{seen}”变为“{now}”，{stale}",
        forbidden="风险提示当前为“{now}”，不能执行该操作（{stale}）",
        forbidden_is_stale=True,  # one conclusion: a second reviewer finds it concluded by the first
    )
)

#: The reviewer's conclusions (核实结论).
CONFIRMED, EXPLAINED, UNFOUNDED = "confirmed", "explained", "unfounded"
CONCLUSIONS: dict[str, str] = {CONFIRMED: "属实", EXPLAINED: "已作说明", UNFOUNDED: "不成立"}
