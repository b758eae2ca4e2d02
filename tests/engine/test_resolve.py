"""Entity resolution on small hand-built feeds, and precision/recall on a synthetic Beijing."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from gaoqi.engine.current import create_current_views
from gaoqi.engine.feeds import feed_spec
from gaoqi.engine.resolve import ResolveSummary, resolve
from gaoqi.engine.uscc import complete
from gaoqi.engine.workspace import connect

D = dt.date


def code(n: int) -> str:
    return complete(f"91110108MA{n:07d}")


def insert(con: duckdb.DuckDBPyConnection, feed: str, rows: list[dict[str, Any]], load_id: int = 1) -> None:
    spec = feed_spec(feed)
    cols = [*spec.field_names, "_load_id", "_line"]
    sql = f"INSERT INTO {feed} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    for line, r in enumerate(rows, start=2):
        unknown = set(r) - set(spec.field_names)
        assert not unknown, unknown
        con.execute(sql, [r.get(c) for c in spec.field_names] + [load_id, line])


def reg(n: int, name: str, established: dt.date) -> dict[str, Any]:
    return {"uscc": code(n), "name": name, "established_date": established, "district_code": "110108",
            "status": "存续"}  # fmt: skip


def ip(number: str, holder: str, app: dt.date | None, **kw: Any) -> dict[str, Any]:
    return {"ip_number": number, "ip_type": "invention_patent", "holder_name": holder, "application_date": app,
            "status": "valid", **kw}  # fmt: skip


# Enterprises (by number in code()):
#  1 北京星图科技 — renamed from 北京甲乙科技 on 2018-03-01
#  2 北京甲乙科技 — established 2019-06-01, took 1's former name
#  3 云图AI（北京）信息技术
#  4 北京华创智能科技 — a patent carries a typo of its name
#  5, 6 北京同名科技 / 同名科技（北京）有限责任公司 — same normalised name
#  7 北京星图科技 上海分公司 — a branch of 1
#  8 北京恒远精密机械 — renamed twice: 北京老一机械 → 北京老二机械 (2012) → 北京恒远精密机械 (2016)
#  9 北京济致浩科技发展 — one edit from a Jinan company's name
REGISTRATION = [
    reg(1, "北京星图科技有限公司", D(2010, 1, 1)),
    reg(2, "北京甲乙科技有限公司", D(2019, 6, 1)),
    reg(3, "云图AI（北京）信息技术有限公司", D(2012, 1, 1)),
    reg(4, "北京华创智能科技有限公司", D(2011, 1, 1)),
    reg(5, "北京同名科技有限公司", D(2011, 1, 1)),
    reg(6, "同名科技（北京）有限责任公司", D(2013, 1, 1)),
    reg(7, "北京星图科技有限公司上海分公司", D(2015, 1, 1)),
    reg(8, "北京恒远精密机械有限公司", D(2008, 1, 1)),
    reg(9, "北京济致浩科技发展有限公司", D(2014, 1, 1)),
]
NAME_CHANGE = [
    {"uscc": code(1), "old_name": "北京甲乙科技有限公司", "new_name": "北京星图科技有限公司",
     "change_date": D(2018, 3, 1)},
    # delivered out of order: the chain is ordered by date
    {"uscc": code(8), "old_name": "北京老二机械有限公司", "new_name": "北京恒远精密机械有限公司",
     "change_date": D(2016, 5, 1)},
    {"uscc": code(8), "old_name": "北京老一机械有限公司", "new_name": "北京老二机械有限公司",
     "change_date": D(2012, 5, 1)},
]  # fmt: skip
IP = [
    ip("P01", "北京甲乙科技有限公司", D(2015, 1, 1)),  # former name of 1, before the change → 1
    ip("P02", "北京甲乙科技有限公司", D(2020, 1, 1)),  # after: 2 has the name since 2019 → 2
    ip("P03", "北京甲乙科技有限公司", D(2018, 10, 1)),  # 1 changed, 2 not yet born → review
    ip("P04", "云图ＡＩ(北京)信息技术有限责任公司", D(2020, 1, 1)),  # width, brackets, suffix → 3
    ip("P05", "北京市 云图AI 信息技术有限公司", None),  # region, spaces, no date → 3
    ip("P06", "北京华创智能科枝有限公司", D(2020, 1, 1)),  # typo → splink → 4
    ip("P07", "北京大学", D(2020, 1, 1)),  # a university: no link, no review
    ip("P08", "北京同名科技有限公司", D(2020, 1, 1)),  # 5 and 6 → review
    ip("P09", "北京星图科技有限公司", D(2020, 1, 1), holder_uscc=code(7)),  # holder_uscc wins → 7
    ip("P10", "北京星图科技有限公司上海分公司", D(2020, 1, 1)),  # the branch, not its parent → 7
    ip("P11", "北京星图科技有限公司", D(2020, 1, 1)),  # the parent → 1
    ip("P12", "北京老二机械有限公司", D(2014, 1, 1)),  # middle of a chain → 8
    ip("P13", "北京老一机械有限公司", D(2009, 1, 1)),  # start of a chain → 8
    ip("P14", "北京甲乙科技有限公司", D(2010, 1, 1), acquisition="transfer",
       acquired_date=D(2021, 1, 1)),  # acquired in 2021 under 2's name → 2
    ip("P15", "北京星图科技有限公司", D(2020, 1, 1), holder_uscc=complete("91310115MA1234567")),  # a
    # Shanghai holder by its code, whatever its name says → no link
    ip("P16", "济南致浩科技发展有限公司", D(2020, 1, 1)),  # a Jinan company one edit from 9 → no link
    ip("P17", "张伟", D(2020, 1, 1)),  # a person → no link
]  # fmt: skip
EXPECTED_LINKS = {
    "P01": (1, "exact_name"), "P02": (2, "exact_name"), "P04": (3, "exact_name"), "P05": (3, "exact_name"),
    "P06": (4, "splink"), "P09": (7, "uscc"), "P10": (7, "exact_name"), "P11": (1, "exact_name"),
    "P12": (8, "exact_name"), "P13": (8, "exact_name"), "P14": (2, "exact_name"),
}  # fmt: skip


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = connect(tmp_path)
    insert(c, "registration", REGISTRATION)
    insert(c, "name_change", NAME_CHANGE)
    insert(c, "ip", IP)
    create_current_views(c)
    yield c
    c.close()


def links(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, float]]:
    rows = con.execute("SELECT ip_number, uscc, method, match_probability FROM ip_link").fetchall()
    return {str(n): (str(u), str(m), float(p)) for n, u, m, p in rows}


def test_links(con: duckdb.DuckDBPyConnection) -> None:
    s = resolve(con)
    got = links(con)
    assert {k: (u, m) for k, (u, m, _) in got.items()} == {k: (code(n), m) for k, (n, m) in EXPECTED_LINKS.items()}
    assert got["P06"][2] >= 0.99
    assert all(p == 1.0 for k, (_, m, p) in got.items() if m != "splink")
    assert s.links == {"uscc": 1, "exact_name": 9, "splink": 1}
    assert s.ip_records == len(IP)
    assert s.unlinked == len(IP) - len(EXPECTED_LINKS)
    assert s.held_by_unknown_uscc == 1


def test_review_queue(con: duckdb.DuckDBPyConnection) -> None:
    s = resolve(con)
    rows = con.execute(
        "SELECT ip_number, holder_name, candidate_uscc, candidate_name, match_probability, reason FROM link_review"
    ).fetchall()
    assert sorted((r[0], r[2], r[5]) for r in rows) == sorted(
        [
            ("P03", code(1), "ambiguous_exact_name"),
            ("P03", code(2), "ambiguous_exact_name"),
            ("P08", code(5), "ambiguous_exact_name"),
            ("P08", code(6), "ambiguous_exact_name"),
        ]
    )
    assert {r[4] for r in rows} == {0.5}
    assert {r[3] for r in rows if r[0] == "P08"} == {"北京同名科技有限公司", "同名科技（北京）有限责任公司"}
    # never linked silently
    assert not set(links(con)) & {r[0] for r in rows}
    assert (s.review_rows, s.review_records) == (4, 2)
    assert s.review_reasons == {"ambiguous_exact_name": 4, "splink_ambiguous": 0, "splink_low_confidence": 0}


def test_typo_goes_to_review_when_the_threshold_is_stricter(con: duckdb.DuckDBPyConnection) -> None:
    s = resolve(con, review_threshold=0.999)
    assert "P06" not in links(con)
    row = con.execute(
        "SELECT candidate_uscc, match_probability, reason FROM link_review WHERE ip_number = 'P06'"
    ).fetchall()
    assert len(row) == 1
    assert row[0][0] == code(4) and 0.99 <= row[0][1] < 0.999 and row[0][2] == "splink_low_confidence"
    assert s.links["splink"] == 0


def test_two_close_candidates_are_reviewed_not_linked(con: duckdb.DuckDBPyConnection) -> None:
    # A second enterprise one edit away from the typo: neither is linked.
    insert(con, "registration", [reg(20, "北京华创智能科大有限公司", D(2015, 1, 1))], load_id=2)
    resolve(con)
    assert "P06" not in links(con)
    rows = con.execute("SELECT candidate_uscc, reason FROM link_review WHERE ip_number = 'P06'").fetchall()
    assert sorted(rows) == sorted([(code(4), "splink_ambiguous"), (code(20), "splink_ambiguous")])


def test_tables_and_contract(con: duckdb.DuckDBPyConnection) -> None:
    resolve(con)

    def columns(table: str) -> list[tuple[str, str]]:
        return [(str(n), str(t)) for n, t in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()]  # fmt: skip

    reg_cols = [n for n, _ in columns("registration") if n != "_extra"]
    assert [n for n, _ in columns("enterprise")] == [*reg_cols, "name_norm"]
    assert columns("name_history") == [("uscc", "VARCHAR"), ("name", "VARCHAR"), ("name_norm", "VARCHAR"),
                                       ("valid_from", "DATE"), ("valid_to", "DATE"), ("source", "VARCHAR")]  # fmt: skip
    assert columns("ip_link") == [("ip_number", "VARCHAR"), ("uscc", "VARCHAR"), ("method", "VARCHAR"),
                                  ("match_probability", "DOUBLE")]  # fmt: skip
    assert columns("link_review") == [("ip_number", "VARCHAR"), ("holder_name", "VARCHAR"),
                                      ("candidate_uscc", "VARCHAR"), ("candidate_name", "VARCHAR"),
                                      ("match_probability", "DOUBLE"), ("reason", "VARCHAR")]  # fmt: skip
    assert con.execute("SELECT count(*), count(DISTINCT uscc) FROM enterprise").fetchall() == [(9, 9)]
    assert con.execute("SELECT count(*) = count(DISTINCT ip_number) FROM ip_link").fetchall() == [(True,)]
    assert con.execute("SELECT count(*) FROM ip_link WHERE uscc NOT IN (SELECT uscc FROM enterprise)").fetchall() == [
        (0,)
    ]
    # nothing of resolution's own is left behind (Splink's tables, work tables)
    tables = {str(r[0]) for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert not {t for t in tables if t.startswith(("_gq_", "__splink"))}


def test_name_history(con: duckdb.DuckDBPyConnection) -> None:
    resolve(con)
    rows = con.execute(
        "SELECT name, name_norm, valid_from, valid_to, source FROM name_history WHERE uscc = ? ORDER BY valid_from",
        [code(8)],
    ).fetchall()
    assert rows == [
        ("北京老一机械有限公司", "老一机械", D(2008, 1, 1), D(2012, 5, 1), "name_change"),
        ("北京老二机械有限公司", "老二机械", D(2012, 5, 1), D(2016, 5, 1), "name_change"),
        ("北京恒远精密机械有限公司", "恒远精密机械", D(2016, 5, 1), None, "registration"),
    ]
    assert con.execute("SELECT count(*) FROM name_history WHERE uscc = ?", [code(2)]).fetchall() == [(1,)]


def test_incomplete_chain_keeps_the_unrepeated_new_name(con: duckdb.DuckDBPyConnection) -> None:
    # The department never sent the change 北京中间名 → 北京星图: the intermediate name is still known.
    insert(con, "name_change", [{"uscc": code(9), "old_name": "北京最早名有限公司", "new_name": "北京中间名有限公司",
                                 "change_date": D(2016, 1, 1)}], load_id=2)  # fmt: skip
    resolve(con)
    rows = con.execute(
        "SELECT name_norm, valid_from, valid_to, source FROM name_history WHERE uscc = ? ORDER BY valid_from, name_norm",
        [code(9)],
    ).fetchall()
    assert rows == [
        ("最早名", D(2014, 1, 1), D(2016, 1, 1), "name_change"),
        ("中间名", D(2016, 1, 1), None, "name_change"),
        ("济致浩科技发展", D(2016, 1, 1), None, "registration"),
    ]


def test_rerun_is_stable_and_follows_redeliveries(con: duckdb.DuckDBPyConnection) -> None:
    resolve(con)
    first = links(con)
    resolve(con)
    assert links(con) == first
    # A redelivered registration renames enterprise 4 so that the typo'd patent now matches exactly.
    insert(con, "registration", [reg(4, "北京华创智能科枝有限公司", D(2011, 1, 1))], load_id=3)
    s = resolve(con)
    assert links(con)["P06"] == (code(4), "exact_name", 1.0)
    assert s.enterprises == 9


def test_summary(con: duckdb.DuckDBPyConnection) -> None:
    seen: list[tuple[str, int, int]] = []
    s = resolve(con, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert isinstance(s, ResolveSummary)
    assert [d for _, d, _ in seen] == list(range(1, len(seen) + 1)) and seen[-1][1] == seen[-1][2]
    d = s.as_dict()
    assert d["linked"] == sum(d["links"].values()) == 11
    assert set(d["seconds"]) == {stage for stage, _, _ in seen}
    assert s.enterprises == 9 and s.name_history == 12
    assert s.splink_holder_names >= 1


def test_bad_thresholds(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError):
        resolve(con, review_threshold=0.4)


def test_empty_workspace(tmp_path: Path) -> None:
    c = connect(tmp_path)
    create_current_views(c)
    s = resolve(c)
    assert (s.enterprises, s.ip_records, s.linked, s.review_rows) == (0, 0, 0, 0)
    c.close()


# --------------------------------------------------------------------------------------------------
# A synthetic Beijing: every planted holder-name variant, against the truth file.


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    synth = pytest.importorskip("gaoqi.synth")
    ingest = pytest.importorskip("gaoqi.engine.ingest")
    data = tmp_path_factory.mktemp("synth") / "feeds"
    synth.generate(data, enterprises=3000, seed=5)
    ws = tmp_path_factory.mktemp("ws")
    ingest.ingest_directory(ws, data)
    return data, ws


def truth_of(data: Path) -> dict[str, str | None]:
    with (data / "_truth" / "ip_holders.csv").open(encoding="utf-8") as fh:
        return {r["ip_number"]: (r["true_uscc"] or None) for r in csv.DictReader(fh)}


def test_precision_and_recall_on_a_synthetic_population(synthetic: tuple[Path, Path], tmp_path: Path) -> None:
    data, ws = synthetic
    (tmp_path / "gaoqi.duckdb").write_bytes((ws / "gaoqi.duckdb").read_bytes())
    c = connect(tmp_path)
    create_current_views(c)
    resolve(c)
    loaded = {str(r[0]) for r in c.execute("SELECT ip_number FROM ip_cur").fetchall()}
    got = {k: u for k, (u, _, _) in links(c).items()}
    c.close()
    truth = {k: v for k, v in truth_of(data).items() if k in loaded}
    positives = [k for k, v in truth.items() if v is not None]
    correct = sum(1 for k in positives if got.get(k) == truth[k])
    wrong = sum(1 for k, u in got.items() if truth.get(k) != u)
    assert len(positives) > 2000
    assert correct / len(positives) >= 0.995  # recall
    assert (len(got) - wrong) / len(got) >= 0.999  # precision


def test_mistyped_holder_names_on_a_synthetic_population(synthetic: tuple[Path, Path], tmp_path: Path) -> None:
    """One character of the trade name replaced, in 300 name-only records: Splink links them or sends
    them to review, and is right whenever it links."""
    data, ws = synthetic
    (tmp_path / "gaoqi.duckdb").write_bytes((ws / "gaoqi.duckdb").read_bytes())
    c = connect(tmp_path)
    truth = truth_of(data)
    rows = c.execute(
        "SELECT ip_number, holder_name FROM ip WHERE holder_uscc IS NULL ORDER BY hash(ip_number) LIMIT 1000"
    ).fetchall()
    rare = "彧翀琰翊昶珏璇"  # not used by the generator: a typo cannot spell another enterprise's name
    typos: dict[str, str] = {}
    for i, (number, holder) in enumerate(rows):
        if truth.get(str(number)) is None or len(typos) == 300:
            continue
        pos = 3 if holder.startswith("北京") else 1
        typos[str(number)] = holder[:pos] + rare[i % len(rare)] + holder[pos + 1 :]
    for number, holder in typos.items():
        c.execute("UPDATE ip SET holder_name = ? WHERE ip_number = ?", [holder, number])
    c.execute("DROP TABLE IF EXISTS current_state")  # the raw table changed in place: rebuild ip_cur
    create_current_views(c)
    s = resolve(c)
    got = links(c)
    review = {str(r[0]) for r in c.execute("SELECT DISTINCT ip_number FROM link_review").fetchall()}
    c.close()
    # the generator plants typos of its own (variant "typo"); the injected ones are judged separately
    every_fuzzy = {k: u for k, (u, m, _) in got.items() if m == "splink"}
    assert sum(1 for k, u in every_fuzzy.items() if u == truth[k]) >= 0.99 * len(every_fuzzy)
    fuzzy = {k: u for k, u in every_fuzzy.items() if k in typos}
    assert sum(1 for k, u in fuzzy.items() if u == truth[k]) >= 0.99 * len(fuzzy)
    assert len(fuzzy) >= 0.8 * len(typos)
    assert not {k for k in typos if k in got and got[k][1] != "splink"}  # none linked exactly
    assert len(fuzzy) + len(review & set(typos)) >= 0.95 * len(typos)
    assert s.links["splink"] == len(every_fuzzy)
