"""Demo rows for ``gaoqi-web demo_setup`` (DEMO ONLY): a few requests of the demo enterprise at each stage and a
海淀 entrepreneur service day with a request collected there and the leader's follow-up. Skipped when the
database already holds requests."""

from __future__ import annotations

from typing import Any

from gaoqi.web.core import clock
from gaoqi.web.servicedesk import services as sv
from gaoqi.web.servicedesk.models import Request


def demo_rows(enterprise: Any, district: Any, municipal: Any) -> int:
    if Request.objects.exists():
        return 0
    first = sv.request_file(enterprise, category="wrp", title="研发骨干工作居住证办理",
                            description="三名研发骨干申请工作居住证，窗口要求的材料与办事指南不一致。")  # fmt: skip
    sv.request_accept(district, first.pk)
    sv.request_answer(district, first.pk, "已与窗口核实，按新版办事指南准备材料，区人社局专人对接。")
    sv.request_rate(enterprise, first.pk, resolved="YES", satisfaction="SATISFIED", comment="办理及时")
    second = sv.request_file(enterprise, category="hte", urgency="COMPLEX", title="高企复审研发费用归集口径",
                             description="委托研发费用在复审时如何归集，请给出书面意见。")  # fmt: skip
    sv.request_accept(municipal, second.pk)
    sv.request_file(enterprise, category="space", title="扩大中试场地", description="需新增约2000平方米中试场地。")
    day = sv.service_day_create(district, district_code=district.district_code, held_on=clock.today(),
                                leader_name="王五", leader_title="副区长", topic="人才与空间政策专场",
                                invited=[enterprise.uscc])  # fmt: skip
    sv.service_day_attendance(district, day.pk, [enterprise.uscc])
    sv.request_file(district, uscc=enterprise.uscc, channel="entrepreneur_day", event_id=day.pk, category="housing",
                    title="保障性租赁住房申请", description="为新引进的博士申请保障性租赁住房。")  # fmt: skip
    sv.service_day_followup(district, day.pk, on=clock.today(), text="已要求区住建委一周内与企业对接房源。")
    return Request.objects.count()
