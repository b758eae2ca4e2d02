from pathlib import Path

from gaoqi.engine.current import create_current_views
from gaoqi.engine.workspace import connect

JD = "91110302562134916R"


def test_latest_delivery_of_a_key_wins_and_tables_refresh_only_when_data_change(tmp_path: Path) -> None:
    con = connect(tmp_path)
    con.execute(
        "INSERT INTO loads VALUES (1, 'finance', 'finance_a.csv', 'h1', 'csv', 'utf-8', 'en', 2, 2, 0, now()), "
        "(2, 'finance', 'finance_b.csv', 'h2', 'csv', 'utf-8', 'en', 1, 1, 0, now())"
    )
    con.execute(
        f"INSERT INTO finance (uscc, fiscal_year, sales_revenue, _load_id, _line) VALUES "
        f"('{JD}', 2024, 100, 1, 2), ('{JD}', 2023, 90, 1, 3), ('{JD}', 2024, 120, 2, 2)"
    )
    assert "finance" in create_current_views(con)
    assert con.execute("SELECT fiscal_year, sales_revenue, _load_id FROM finance_cur ORDER BY 1").fetchall() == [
        (2023, 90, 1),
        (2024, 120, 2),
    ]
    assert create_current_views(con) == []  # nothing changed: nothing rebuilt
    con.execute(
        f"INSERT INTO finance (uscc, fiscal_year, sales_revenue, _load_id, _line) VALUES ('{JD}', 2023, 95, 2, 3)"
    )
    assert create_current_views(con) == ["finance"]
    assert con.execute("SELECT sales_revenue FROM finance_cur WHERE fiscal_year = 2023").fetchall() == [(95,)]
    con.close()
