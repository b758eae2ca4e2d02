"""certificates.py: certificates current at as_of, re-certification."""

from __future__ import annotations

from datetime import date

from tests.engine.features.workspace import Workspace


def test_certificates_current_at_as_of(ws: Workspace) -> None:
    expired = ws.enterprise()
    ws.certificate(expired, "hte", date(2022, 3, 1), date(2025, 2, 28))
    ws.certificate(expired, "tech_sme", date(2024, 5, 1), date(2025, 12, 31))
    last_day = ws.enterprise()
    ws.certificate(last_day, "hte", date(2022, 12, 1), date(2025, 3, 1), tech_field="electronic_information")
    revoked = ws.enterprise()
    ws.certificate(revoked, "hte", date(2023, 1, 1), date(2026, 1, 1), status="revoked")
    derived_in = ws.enterprise()
    ws.certificate(derived_in, "hte", date(2022, 3, 2), None, status=None)
    derived_out = ws.enterprise()
    ws.certificate(derived_out, "hte", date(2022, 3, 1), None)
    future = ws.enterprise()
    ws.certificate(future, "hte", date(2025, 3, 2), date(2028, 3, 1))
    renewed = ws.enterprise()
    ws.certificate(renewed, "hte", date(2022, 1, 10), date(2025, 12, 1), number="OLD", tech_field="aerospace")
    ws.certificate(renewed, "hte", date(2024, 11, 1), date(2027, 11, 1), number="NEW", tech_field="new_energy")
    none = ws.enterprise()

    got = ws.build()
    assert got[expired]["has_hte_certificate"] is False
    assert got[expired]["hte_expiry_date"] is None
    assert got[expired]["has_tech_sme"] is True
    p = got[last_day]
    assert p["has_hte_certificate"] is True
    assert (p["hte_expiry_date"], p["tech_field"]) == (date(2025, 3, 1), "electronic_information")
    assert p["hte_certificate_load_id"] == 6 and p["hte_certificate_line"] is not None
    assert got[revoked]["has_hte_certificate"] is False
    assert got[derived_in]["has_hte_certificate"] is True
    assert got[derived_in]["hte_expiry_date"] == date(2025, 3, 1)
    assert got[derived_out]["has_hte_certificate"] is False
    assert got[future]["has_hte_certificate"] is False
    p = got[renewed]
    assert (p["hte_certificate_number"], p["hte_issue_date"], p["tech_field"]) == (
        "NEW",
        date(2024, 11, 1),
        "new_energy",
    )
    assert got[none]["has_hte_certificate"] is False and got[none]["has_tech_sme"] is False
    assert got[none]["has_zgc_hte"] is False


def test_prior_hte_certificate_and_first_issue_date(ws: Workspace) -> None:
    renewed = ws.enterprise()  # two certificates: the current one and an expired earlier one
    ws.certificate(renewed, "hte", date(2019, 11, 1), date(2022, 10, 31), status="expired")
    ws.certificate(renewed, "hte", date(2022, 12, 1), date(2025, 11, 30))
    day_before = ws.enterprise()  # the earlier one issued the day before the current one, revoked later
    ws.certificate(day_before, "hte", date(2022, 11, 30), None, status="revoked")
    ws.certificate(day_before, "hte", date(2022, 12, 1), None)
    same_day = ws.enterprise()  # two current certificates issued the same day: neither is before the other
    ws.certificate(same_day, "hte", date(2023, 1, 5), None, number="A")
    ws.certificate(same_day, "hte", date(2023, 1, 5), None, number="B")
    one = ws.enterprise()  # only the current one
    ws.certificate(one, "hte", date(2023, 6, 1), date(2026, 5, 31))
    ws.certificate(one, "tech_sme", date(2020, 1, 1), None)  # not a HTE certificate
    ws.certificate(one, "hte", date(2025, 3, 2), None)  # issued after as_of: ignored
    lapsed = ws.enterprise()  # held one, none current now
    ws.certificate(lapsed, "hte", date(2021, 1, 1), date(2023, 12, 31))
    none = ws.enterprise()
    ws.certificate(none, "zgc_hte", date(2018, 1, 1), None)

    got = ws.build()
    want = {
        renewed: (True, date(2019, 11, 1), date(2022, 12, 1)),
        day_before: (True, date(2022, 11, 30), date(2022, 12, 1)),
        same_day: (False, date(2023, 1, 5), date(2023, 1, 5)),
        one: (False, date(2023, 6, 1), date(2023, 6, 1)),
        lapsed: (False, date(2021, 1, 1), None),
        none: (False, None, None),
    }
    for e, expected in want.items():
        p = got[e]
        assert (p["hte_prior_certificate"], p["hte_first_issue_date"], p["hte_issue_date"]) == expected, e
    assert got[lapsed]["has_hte_certificate"] is False and got[day_before]["has_hte_certificate"] is True
    # a year earlier the renewed enterprise's current certificate was its first one
    p = ws.build(date(2022, 3, 1))[renewed]
    assert (p["hte_prior_certificate"], p["hte_first_issue_date"]) == (False, date(2019, 11, 1))


def test_zgc_hte_of_the_innovative_subtype(ws: Workspace) -> None:
    innovative = ws.enterprise()
    ws.certificate(innovative, "zgc_hte", date(2024, 6, 1), date(2027, 5, 31), subtype="科技创新型")
    long_form = ws.enterprise()
    ws.certificate(long_form, "zgc_hte", date(2024, 6, 1), None, subtype="科技创新型企业")
    other = ws.enterprise()  # a current ZGC certificate of another sub-type
    ws.certificate(other, "zgc_hte", date(2024, 6, 1), None, subtype="科技服务型")
    lapsed = ws.enterprise()  # 科技创新型, expired the day before as_of; a current one of another sub-type
    ws.certificate(lapsed, "zgc_hte", date(2022, 3, 1), date(2025, 2, 28), subtype="科技创新型", number="A")
    ws.certificate(lapsed, "zgc_hte", date(2024, 6, 1), None, subtype="科技服务型", number="B")
    revoked = ws.enterprise()
    ws.certificate(revoked, "zgc_hte", date(2024, 6, 1), None, status="revoked", subtype="科技创新型")
    future = ws.enterprise()  # issued the day after as_of
    ws.certificate(future, "zgc_hte", date(2025, 3, 2), None, subtype="科技创新型")
    national_only = ws.enterprise()  # a sub-type on another kind does not count
    ws.certificate(national_only, "hte", date(2024, 6, 1), None, subtype="科技创新型")
    none = ws.enterprise()
    unstated = ws.enterprise()  # a current ZGC certificate delivered without its sub-type
    ws.certificate(unstated, "zgc_hte", date(2024, 6, 1), None)
    unstated_too = ws.enterprise()  # … beside a current 科技创新型 one: that one decides
    ws.certificate(unstated_too, "zgc_hte", date(2024, 6, 1), None, number="A")
    ws.certificate(unstated_too, "zgc_hte", date(2024, 6, 1), None, subtype="科技创新型", number="B")

    got = ws.build()
    flags = {e: (got[e]["has_zgc_hte"], got[e]["has_zgc_hte_innovative"]) for e in got}
    assert flags[unstated] == (True, None)
    assert flags[unstated_too] == (True, True)
    assert flags[innovative] == flags[long_form] == (True, True)
    assert flags[other] == flags[lapsed] == (True, False)
    assert flags[revoked] == flags[future] == flags[none] == flags[national_only] == (False, False)
