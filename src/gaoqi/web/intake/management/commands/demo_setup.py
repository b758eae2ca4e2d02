"""``gaoqi-web demo_setup``: one demo account per role (the incubator account: the roster's busiest body, from the
incubation feed). FOR THE DEMO ONLY."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.accounts.services import user_create
from gaoqi.web.certification.panels import FIELDS
from gaoqi.web.enterprises.models import Enterprise, PolicyResult
from gaoqi.web.intake.selectors import current_snapshot

DEMO_PASSWORD = "gaoqi-demo-2026"
DEMO_INCUBATOR = "ZGC-INC-01"  # only when no enterprise counts for any incubator (no incubation feed)


class Command(BaseCommand):
    help = "Create the demo accounts (password gaoqi-demo-2026) after a snapshot was published. Demo only."

    def handle(self, *args: Any, **opts: Any) -> None:
        snap = current_snapshot()
        if snap is None:
            raise CommandError("publish a snapshot first (gaoqi-web publish --as-of …)")
        # the enterprise account: a 海淀 enterprise meeting every data condition of HTE certification (so the
        # demo can walk an application to its certificate); failing that, one a single condition short
        rows = (
            PolicyResult.objects.of(snap)
            .filter(
                # not already an HTE: a valid certificate means applying again only in its expiry year
                policy_id="hte-certification",
                enterprise__district_code="110108",
                enterprise__has_hte=False,
            )
            .select_related("enterprise")
            .order_by("enterprise__uscc")
        )
        ready = [r for r in rows.filter(status="unknown", failed_count=0)
                 if all(u.startswith("pending:") for u in r.unknown_features)]  # fmt: skip
        near = rows.filter(status="fail", failed_count=1).first()
        demo_ent = ready[0].enterprise if ready else near.enterprise if near else None
        if demo_ent is None:
            raise CommandError("no Haidian enterprise in the snapshot")
        # the incubator account: the roster's body (incubator feed) counting the most enterprises, as published
        busiest = (
            Enterprise.objects.exclude(incubator_code="")
            .values("incubator_code")
            .annotate(n=Count("id"))
            .order_by("-n", "incubator_code")
            .first()
        )
        incubator = busiest["incubator_code"] if busiest else DEMO_INCUBATOR
        accounts = [
            ("enterprise_demo", roles.ENTERPRISE, {"uscc": demo_ent.uscc, "display_name": demo_ent.name}),
            ("district_haidian", roles.DISTRICT, {"district_code": "110108", "display_name": "海淀区科委"}),
            ("district_chaoyang", roles.DISTRICT, {"district_code": "110105", "display_name": "朝阳区科委"}),
            ("municipal", roles.MUNICIPAL, {"display_name": "市科委、中关村管委会"}),
            ("evaluator", roles.EVALUATOR, {"display_name": "第三方评估机构"}),
            ("incubator", roles.INCUBATOR, {"incubator_code": incubator, "display_name": "示范孵化机构"}),
            ("sysadmin", roles.SYSADMIN, {"display_name": "系统管理员"}),
            ("secadmin", roles.SECADMIN, {"display_name": "安全管理员"}),
            ("auditor", roles.AUDITOR, {"display_name": "审计管理员"}),
        ]
        for username, role, extra in accounts:
            if not User.objects.filter(username=username).exists():
                user_create(None, username=username, password=DEMO_PASSWORD, role=role, **extra)
        self._experts()
        self._service_package()
        self._support()
        from gaoqi.web.servicedesk.demo import demo_rows  # 企业诉求 and a 企业家服务日 (servicedesk)

        demo_rows(*(User.objects.get(username=u) for u in ("enterprise_demo", "district_haidian", "municipal")))
        self.stdout.write(
            f"demo accounts ready (experts expert1–expert{len(EXPERTS)}) "
            f" (password {DEMO_PASSWORD}, demo only); enterprise_demo = {demo_ent.name} {demo_ent.uscc}"
        )

    def _service_package(self) -> None:
        """A 海淀 规升强 member's service package for this year with three items (one assigned, one accepted, one
        done), if the list has a 海淀 member and no package exists yet."""
        from gaoqi.web.core import clock
        from gaoqi.web.programmes.models import ListMembership
        from gaoqi.web.servicepacks import services as sp
        from gaoqi.web.servicepacks.models import ServicePackage

        member = (ListMembership.objects.filter(list_id=sp.STRONG_LIST, left_on__isnull=True,
                                                enterprise__district_code="110108")
                  .select_related("enterprise").order_by("enterprise__uscc").first())  # fmt: skip
        if member is None or ServicePackage.objects.filter(enterprise=member.enterprise).exists():
            return
        muni, haidian = User.objects.get(username="municipal"), User.objects.get(username="district_haidian")
        pkg = sp.package_create(muni, uscc=member.enterprise.uscc, year=clock.today().year, municipal_steward=muni,
                                district_steward=haidian)  # fmt: skip
        needs = [
            ("space", "110108.planning", haidian, "扩建研发中心，需协调用地指标约 20 亩"),
            ("talent", "110108.hr", haidian, "引进博士 5 名，申请工作居住证指标"),
            ("policy", "m.hte", muni, "高新技术企业重新认定前的政策辅导"),
        ]
        items = [sp.item_assign(muni, pkg.pk, need=n, category=c, unit_code=u, handler=h) for c, u, h, n in needs]
        sp.item_act(haidian, items[1].pk, "accept")
        sp.item_act(muni, items[2].pk, "accept")
        sp.item_act(muni, items[2].pk, "complete", "已组织一对一政策辅导，企业已明确研发费用归集要求")
        self.stdout.write(f"service package: {member.enterprise.name} {pkg.year}")

    def _experts(self) -> None:
        """The demo expert pool: technical experts in every field (three per field) and financial experts."""
        from gaoqi.web.certification.models import Expert

        for i, (kind, fields) in enumerate(EXPERTS, start=1):
            username = f"expert{i}"
            user = User.objects.filter(username=username).first() or user_create(
                None, username=username, password=DEMO_PASSWORD, role=roles.EXPERT, display_name=f"评审专家{i}"
            )
            Expert.objects.get_or_create(user=user, defaults={"kind": kind, "fields": fields})

    def _support(self) -> None:
        """定向支持 demo rows (once): 海淀's talent quotas of the year, and a few support records and an allocation for
        海淀's 小升规 / 规升强 members, written through the services by the 海淀 account."""
        from gaoqi.web.core import clock
        from gaoqi.web.programmes.lists import FISCAL_KEY_LIST, KEY_ENTERPRISE_LISTS
        from gaoqi.web.programmes.models import ListMembership
        from gaoqi.web.support import services as support
        from gaoqi.web.support.models import Quota

        haidian = User.objects.get(username="district_haidian")
        year = clock.today().year
        if Quota.objects.filter(district_code="110108", year=year).exists():
            return
        wrp = support.quota_set(haidian, district_code="110108", year=year, quota_type="wrp", total=200)
        support.quota_set(haidian, district_code="110108", year=year, quota_type="housing", total=50)
        members = (
            ListMembership.objects.filter(
                list_id__in=tuple(KEY_ENTERPRISE_LISTS),
                left_on__isnull=True,
                enterprise__district_code="110108",
            )
            .select_related("enterprise")
            .order_by("list_id", "enterprise__uscc")
        )
        for m in list(members[:1]) + list(members.filter(list_id=FISCAL_KEY_LIST)[:1]):
            ent = m.enterprise
            support.record_create(
                haidian, uscc=ent.uscc, category="financing", kind="credit_product", on=clock.today(),
                unit="110108.finance", details={"bank": "北京银行", "product": "科技信用贷"}, amount="300",
            )  # fmt: skip
            support.record_create(
                haidian, uscc=ent.uscc, category="technology", kind="university_match", on=clock.today(),
                unit="110108.sci", details={"university": "清华大学", "topic": "联合研发"},
            )  # fmt: skip
            support.allocation_create(haidian, wrp.pk, uscc=ent.uscc, tier="B", count=3)


#: expert1 is technical in 电子信息; three technical experts per field, then four financial experts.
EXPERTS: list[tuple[str, list[str]]] = [("technical", [f]) for f in FIELDS for _ in range(3)] + [("financial", [])] * 4
