"""Every uploaded file gets a verdict the user sees; nothing vanishes (issue 10).

Uploads go through the 数据汇聚 page as the municipal data office would; a run is the platform's own
``snapshot_run`` over the upload directory. Verdicts are asserted as the exact text the page shows."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import struct
import zipfile
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.conftest import AS_OF, login

JD = "91110302562134916R"
XIAOMI = "91110108551385082Q"
BAIDU = "91110000802100433B"
FORMULA = '=HYPERLINK("http://example.com","x")'

GOOD = "统一社会信用代码,年度,销售收入\n" + f"{JD},2019,100\n{XIAOMI},2019,200\n{BAIDU},2019,300\n"
# two good rows, a bad check character and a formula where the code should be: 2 loaded, 2 quarantined
MIXED = (
    "uscc,fiscal_year,sales_revenue\n"
    + f"{JD},2018,10\n{XIAOMI},2018,20\n91110108551385082X,2018,30\n"
    + f'"{FORMULA.replace(chr(34), chr(34) * 2)}",2018,40\n'
)


def png() -> bytes:
    """A real one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0"))
        + chunk(b"IEND", b"")
    )


def a_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "不是表格")
    return buf.getvalue()


def upload(c: Client, name: str, data: bytes) -> list[str]:
    """Upload through the page; the messages shown after the redirect."""
    r = c.post("/intake/upload/", {"file": SimpleUploadedFile(name, data)}, follow=True)
    assert r.status_code == 200
    return [str(m) for m in r.context["messages"]]


def verdicts(c: Client) -> dict[str, list[str]]:
    """File name → the verdicts of its uploads on the page, newest first (the template's rows)."""
    r = c.get("/intake/")
    assert r.status_code == 200
    out: dict[str, list[str]] = {}
    for u, v in r.context["uploads"]:
        out.setdefault(u.file_name, []).append(v.text)
    return out


def run() -> Any:
    from django.conf import settings

    from gaoqi.web.intake.models import Snapshot
    from gaoqi.web.intake.services import snapshot_run

    snap = snapshot_run(Snapshot.objects.create(as_of=AS_OF, source_dir=str(settings.UPLOAD_DIR)).pk)
    assert snap.status == Snapshot.PUBLISHED, snap.message
    return snap


@pytest.mark.django_db
def test_a_good_file_waits_then_says_how_many_rows_were_loaded(users: dict[str, Any]) -> None:
    from gaoqi.web.intake.models import Upload

    c = login(users["municipal"])
    data = GOOD.encode()
    assert upload(c, "finance_2019.csv", data) == ["finance_2019.csv：待导入（下次运行时处理）"]
    assert verdicts(c) == {"finance_2019.csv": ["待导入（下次运行时处理）"]}
    u = Upload.objects.get()
    assert (u.size, u.sha256, u.feed, u.stored_name) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
        "finance",
        "finance_2019.csv",
    )
    assert u.uploaded_by == users["municipal"]
    page = c.get("/intake/").content.decode()
    assert "上传文件" in page and u.sha256 in page and f"{len(data)} 字节" in page and "u_municipal" in page

    run()
    assert verdicts(c) == {"finance_2019.csv": ["已导入 3 行"]}
    assert "quarantine.csv" not in c.get("/intake/").content.decode()
    assert c.get(f"/intake/uploads/{u.pk}/quarantine.csv").status_code == 404  # nothing quarantined


@pytest.mark.django_db
def test_quarantined_rows_are_counted_and_the_report_is_for_the_municipal_office_only(
    users: dict[str, Any],
) -> None:
    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.intake.models import Upload

    c = login(users["municipal"])
    upload(c, "finance_mixed.csv", MIXED.encode())
    run()
    assert verdicts(c) == {"finance_mixed.csv": ["已导入 2 行，隔离 2 行"]}
    u = Upload.objects.get()
    page = c.get("/intake/")
    ((_, v),) = page.context["uploads"]
    html = page.content.decode()
    assert f'href="?load={v.load["load_id"]}#quarantine"' in html
    assert f'href="/intake/uploads/{u.pk}/quarantine.csv"' in html
    rows = c.get(f"/intake/?load={v.load['load_id']}").context["quarantine"]
    assert sorted(q["line"] for q in rows) == [4, 5]

    r = c.get(f"/intake/uploads/{u.pk}/quarantine.csv")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="load-{v.load["load_id"]:05d}-finance_mixed.csv"'
    assert "no-store" in r["Cache-Control"]
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    report = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert report[0] == ["数据接口", "文件", "行号", "字段", "值", "原因代码", "说明"]
    assert sorted(int(row[2]) for row in report[1:]) == [4, 5]
    values = {row[4] for row in report[1:]}
    assert "'" + FORMULA in values and FORMULA not in values  # neutralised: a spreadsheet shows it as text
    assert "91110108551385082X" in values
    event = AuditEvent.objects.filter(action="quarantine.download").get()
    assert (event.username, event.target) == ("u_municipal", f"load:{v.load['load_id']}")
    assert event.detail["rows"] == 2

    district = login(users["district"])
    assert district.get(f"/intake/uploads/{u.pk}/quarantine.csv").status_code == 403
    assert district.get("/intake/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "registration_logo.csv",
            png(),
            "既不是 UTF-8 也不是 GB18030 编码，约第 32 字节处无法解码 "
            "(neither UTF-8 nor GB18030: undecodable byte near offset 32)",
        ),
        ("credit_2026.csv", a_zip(), "ZIP 文件不是 Excel 工作簿 (a ZIP archive but not an .xlsx workbook)"),
        (
            "finance_wrong.csv",
            "企业,金额\n甲,1\n".encode(),
            "缺少必填列: 统一社会信用代码(uscc)、年度(fiscal_year) (missing required column(s)); 表头为: 企业, 金额",
        ),
        (
            "tax_refunds.csv",
            GOOD.encode(),
            "文件名不以任何数据接口名称开头，无法判断所属接口 (the file name does not start with a feed name)",
        ),
    ],
    ids=["png-renamed-csv", "zip-renamed-csv", "wrong-header", "no-feed-in-name"],
)
def test_a_file_the_engine_would_refuse_is_told_at_once_and_recorded(
    users: dict[str, Any], name: str, data: bytes, reason: str
) -> None:
    from django.conf import settings

    from gaoqi.web.audit.models import AuditEvent
    from gaoqi.web.intake.models import Upload

    c = login(users["municipal"])
    assert upload(c, name, data) == [f"{name}：整体未导入：{reason}"]
    assert verdicts(c) == {name: [f"整体未导入：{reason}"]}
    u = Upload.objects.get()
    assert (u.sha256, u.size, u.stored_name) == (hashlib.sha256(data).hexdigest(), len(data), "")
    assert not (settings.UPLOAD_DIR / name).exists()  # not handed to the next run
    assert [p.name for p in settings.UPLOAD_DIR.iterdir()] == []  # nothing left aside either
    assert AuditEvent.objects.filter(action="upload", outcome="failure", target=f"file:{name}").count() == 1


@pytest.mark.django_db
def test_a_file_the_run_refuses_shows_the_engines_reason_matched_by_content(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook accepted at upload but refused by the run (the inflation limit lowered meanwhile): the verdict
    is the engine's refused_files row for these bytes."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["uscc", "fiscal_year", "sales_revenue"])
    ws.append([JD, 2017, 1])
    buf = io.BytesIO()
    wb.save(buf)
    c = login(users["municipal"])
    assert upload(c, "finance_2017.xlsx", buf.getvalue()) == ["finance_2017.xlsx：待导入（下次运行时处理）"]
    monkeypatch.setenv("GAOQI_XLSX_MAX_BYTES", "100")
    run()
    (verdict,) = verdicts(c)["finance_2017.xlsx"]
    assert verdict.startswith("整体未导入：Excel 文件解压后过大（")
    assert "疑为压缩炸弹，未导入" in verdict
    from gaoqi.web.intake.selectors import current_snapshot, refused_of

    (row,) = [r for r in refused_of(current_snapshot()) if r["file_name"] == "finance_2017.xlsx"]
    assert verdict == f"整体未导入：{row['reason']}"


@pytest.mark.django_db
def test_a_file_type_the_platform_does_not_take_is_still_recorded(users: dict[str, Any]) -> None:
    c = login(users["municipal"])
    assert upload(c, "logo.png", png()) == ["logo.png：整体未导入：只接受 CSV 或 Excel (.xlsx) 文件"]
    assert verdicts(c) == {"logo.png": ["整体未导入：只接受 CSV 或 Excel (.xlsx) 文件"]}


@pytest.mark.django_db
def test_the_same_bytes_twice_are_not_loaded_again_and_the_earlier_file_is_named(users: dict[str, Any]) -> None:
    from django.conf import settings

    c = login(users["municipal"])
    data = GOOD.encode()
    upload(c, "finance_2019.csv", data)
    assert upload(c, "finance_copy.csv", data) == [
        "finance_copy.csv：内容与已上传文件相同，未重复导入（finance_2019.csv）"
    ]
    assert not (settings.UPLOAD_DIR / "finance_copy.csv").exists()
    run()
    assert verdicts(c) == {
        "finance_copy.csv": ["内容与已导入文件相同，未重复导入（finance_2019.csv）"],
        "finance_2019.csv": ["已导入 3 行"],
    }
    # after the run, the same bytes again under yet another name: told at once, from the snapshot's loads
    assert upload(c, "finance_again.csv", data) == [
        "finance_again.csv：内容与已导入文件相同，未重复导入（finance_2019.csv）"
    ]


@pytest.mark.django_db
def test_a_waiting_file_replaced_by_a_same_named_one_says_so(users: dict[str, Any]) -> None:
    c = login(users["municipal"])
    upload(c, "finance_2019.csv", GOOD.encode())
    upload(c, "finance_2019.csv", MIXED.encode())
    assert verdicts(c) == {"finance_2019.csv": ["待导入（下次运行时处理）", "已被同名文件替换，未导入"]}
    # the first bytes uploaded once more: they are no longer waiting anywhere, so they are taken again
    assert upload(c, "finance_2019b.csv", GOOD.encode()) == ["finance_2019b.csv：待导入（下次运行时处理）"]


@pytest.mark.django_db
def test_uploads_are_paged_newest_first(users: dict[str, Any]) -> None:
    c = login(users["municipal"])
    for i in range(21):
        upload(c, f"finance_{i:02d}.csv", GOOD.replace("2019,100", f"2019,{i}").encode())
    first = [u.file_name for u, _ in c.get("/intake/").context["uploads"]]
    assert first == [f"finance_{i:02d}.csv" for i in range(20, 0, -1)]
    assert [u.file_name for u, _ in c.get("/intake/?page=2").context["uploads"]] == ["finance_00.csv"]
    assert re.search(r"第 1 / 2 页", c.get("/intake/").content.decode())
