"""ip.py: the IP counts."""

from __future__ import annotations

from datetime import date

from tests.engine.features.workspace import Workspace


def test_ip_counting(ws: Workspace) -> None:
    e = ws.enterprise()
    other = ws.enterprise()
    none = ws.enterprise()
    ws.ip("ZL1", e, "invention_patent", date(2025, 2, 28))  # counted: granted the day before
    ws.ip("ZL2", e, "invention_patent", date(2025, 3, 1))  # granted on as_of: not yet
    ws.ip("ZL3", e, "invention_patent", date(2025, 3, 2))  # after
    ws.ip("ZL4", e, "plant_variety", None)  # no grant date: not granted
    ws.ip("UM1", e, "utility_model", date(2020, 1, 1), acquisition="transfer", acquired=date(2021, 1, 1))
    ws.ip("UM2", e, "utility_model", date(2020, 1, 1), status="invalid")
    ws.ip("UM3", e, "utility_model", date(2020, 1, 1), acquisition="transfer", acquired=date(2025, 3, 1))
    ws.ip("TM1", e, "trademark", date(2019, 1, 1))
    ws.ip("SW1", e, "software_copyright", date(2019, 1, 1), acquisition="gift")
    ws.ip("DS1", e, "design", date(2019, 1, 1), acquisition=None)
    ws.link("SW1", e)  # duplicated link: counted once
    ws.ip("DS2", other, "design", date(2019, 1, 1), acquisition="merger")
    ws.ip("NL1", None, "invention_patent", date(2019, 1, 1))  # not linked to anyone

    got = ws.build()
    p = got[e]
    assert (p["ip_class1_count"], p["ip_class2_count"]) == (1, 3)  # ZL1; UM1, SW1, DS1
    assert (p["ip_original_count"], p["ip_acquired_count"]) == (1, 2)  # ZL1; UM1, SW1 (DS1 unknown)
    p = got[other]
    assert (p["ip_class1_count"], p["ip_class2_count"], p["ip_acquired_count"]) == (0, 1, 1)
    p = got[none]
    assert (p["ip_class1_count"], p["ip_class2_count"], p["ip_original_count"]) == (0, 0, 0)
