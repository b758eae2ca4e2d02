import duckdb
import pytest

from gaoqi.engine import uscc

# Codes published by the enterprises themselves (invoices, annual reports, the reference's example).
REAL_CODES = [
    "91110302562134916R",  # 北京京东世纪信息技术有限公司 (the reference's E-Town example)
    "91110108551385082Q",  # 小米科技有限责任公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert uscc.validate(code).ok
    assert uscc.check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_wrong_check_character_is_caught_and_the_expected_one_named(code: str) -> None:
    for ch in uscc.ALPHABET:
        if ch == code[17]:
            continue
        r = uscc.validate(code[:17] + ch)
        assert not r.ok
        assert r.reason_code == "uscc_check_character"
        assert f"“{code[17]}”" in r.message


def test_single_character_substitutions_in_the_body_are_caught() -> None:
    code = REAL_CODES[0]
    for pos in range(17):
        for ch in "0A7":
            if code[pos] == ch:
                continue
            mutated = code[:pos] + ch + code[pos + 1 :]
            assert not uscc.validate(mutated).ok, mutated


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("9111030256213491", "uscc_length"),
        ("91110302562134916R0", "uscc_length"),
        ("91110302562I34916R", "uscc_illegal_character"),
        ("91110302562O34916R", "uscc_illegal_character"),
        ("9111030256213491SR", "uscc_illegal_character"),
        ("91110302562134916V", "uscc_illegal_character"),
        ("9111030256213491ZR", "uscc_illegal_character"),
        ("911A0302562134916R", "uscc_division_code"),
    ],
)
def test_bad_codes_say_why(code: str, reason: str) -> None:
    r = uscc.validate(code)
    assert not r.ok
    assert r.reason_code == reason


def test_lower_case_and_spaces_are_tolerated() -> None:
    assert uscc.validate(" 9144030071526726xg ").ok


def test_sql_macros_agree_with_python() -> None:
    con = duckdb.connect()
    uscc.install_sql_macros(con)
    codes = REAL_CODES + [c[:17] + "0" for c in REAL_CODES] + ["abc", "91110302562I34916R"]
    for code in codes:
        got = con.execute("SELECT uscc_ok(?)", [code]).fetchone()
        assert got is not None and got[0] == uscc.is_valid(code), code
        if len(code) == 18 and uscc.validate(code).reason_code in (None, "uscc_check_character"):
            exp = con.execute("SELECT uscc_expected_check(?)", [code]).fetchone()
            assert exp is not None and exp[0] == uscc.check_character(code[:17])


def test_complete_makes_valid_codes() -> None:
    assert uscc.complete("91110108MA01A2XX8") == "91110108MA01A2XX84"
    assert uscc.is_valid(uscc.complete("91110108MA01A2XX8"))
