"""Typed exports: Parquet and XLSX hold what the JSON export holds, cell for cell.

A store is filled through the real archive → ingest path with sample-portal reports of both formats
(an amount with a fraction, a blank fee cell, a negative 本年增/减) and the torn report of
`test_quality`, whose two doubtful cells are unresolved. Each typed export is read back with its own
library (pyarrow, openpyxl) and compared with the JSON lines of the same store; the workbook is also
converted by LibreOffice, as a user's spreadsheet program opens it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archive.export import write_jsonl
from archive.export_tables import (
    ABSENT_FILL,
    TABLES,
    TEMPLATE,
    UNREAD_FILL,
    cell_label,
    table_of,
    write_parquet,
    write_xlsx,
)
from archive.warcstore import WarcStore
from nianbao.cli import main as nianbao
from nianbao.sample_portal.build import report_page
from nianbao.sample_portal.content import REPORTS
from tests.archived import capture, ingest_archive
from tests.test_audit import SITE
from tests.test_quality import DOUBTFUL, TORN_URL, torn_page

SAMPLES = (1, 6, 7, 8)  # 2021 with 3562.48 万元 in fees; 2021 with the fee cell blank; two 2019 reports


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    data = tmp_path_factory.mktemp("export_tables")
    warc = WarcStore(data / "warc")
    for i in SAMPLES:
        url = f"{SITE}/zwgk/zfxxgknb/{REPORTS[i].file}"
        capture(
            warc, url, report_page(REPORTS[i]).encode(), datetime(2024, 3, 30, 8, 15, 42, 123456, tzinfo=UTC)
        )
    capture(warc, TORN_URL, torn_page().encode(), datetime(2024, 1, 23, 10, tzinfo=UTC))
    warc.close()
    engine = ingest_archive(data)
    out = io.StringIO()
    write_jsonl(engine, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return SimpleNamespace(data=data, engine=engine, records=records, by_url={r["url"]: r for r in records})


def test_the_store_holds_what_the_comparisons_need(store: SimpleNamespace) -> None:
    """Without these the round trips below would prove less than they claim."""
    records = store.records
    assert len(records) == len(SAMPLES) + 1
    assert {r["format"] for r in records} == {"2021", "2019"}
    cells = [v for r in records for v in r["cells"].values()]
    assert any(isinstance(v, float) for v in cells) and any(isinstance(v, int) and v < 0 for v in cells)
    assert any(
        v is None and k not in r["quality"]["unresolved"] for r in records for k, v in r["cells"].items()
    )
    torn = store.by_url[TORN_URL]
    assert DOUBTFUL <= set(torn["quality"]["unresolved"]) and all(torn["cells"][k] is None for k in DOUBTFUL)


# --- Parquet ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parquet(store: SimpleNamespace) -> SimpleNamespace:
    n, (reports, cells) = write_parquet(store.records, store.data / "export")
    assert n == len(store.records)
    assert (reports.name, cells.name) == ("export.reports.parquet", "export.cells.parquet")
    return SimpleNamespace(reports=pq.read_table(reports), cells=pq.read_table(cells))


def test_parquet_metadata_columns_are_typed(parquet: SimpleNamespace) -> None:
    schema = parquet.reports.schema
    assert schema.field("year").type == pa.int32()
    assert schema.field("published_on").type == pa.date32()
    assert schema.field("first_seen").type == pa.timestamp("us", tz="UTC")
    assert schema.field("needs_review").type == pa.bool_()
    assert schema.field("processing_fee_yuan").type == pa.float64()
    for name in ("unresolved", "checks_failed", "inferred"):
        assert schema.field(name).type == pa.list_(pa.string())
    assert schema.field("active.fees.amount").type == pa.float64()  # money, even where it is whole
    assert schema.field("applications.new.total").type == pa.int64()
    assert schema.field("active.licensing.change").type == pa.int64()  # 2019 本年增/减: may be negative


def test_parquet_reports_equal_the_jsonl_export(store: SimpleNamespace, parquet: SimpleNamespace) -> None:
    rows = parquet.reports.to_pylist()
    assert [r["url"] for r in rows] == [r["url"] for r in store.records]  # same order as the jsonl
    keys = [n for n in parquet.reports.column_names if "." in n]
    assert set(keys) == {k for r in store.records for k in r["cells"]}
    for row, rec in zip(rows, store.records, strict=True):
        for field in ("page_url", "title", "agency", "year", "index_no", "format", "processing_fee_yuan"):
            assert row[field] == rec[field], (rec["url"], field)
        assert row["published_on"] == date.fromisoformat(rec["published_on"])
        assert row["first_seen"] == datetime.fromisoformat(rec["first_seen"])  # to the microsecond
        assert row["checks_failed"] == [f"{c['rule']}:{c['column']}" for c in rec["checks"] if not c["ok"]]
        assert row["needs_review"] is rec["quality"]["needs_review"]
        assert row["unresolved"] == rec["quality"]["unresolved"]
        assert row["inferred"] == rec["quality"]["inferred"]
        for key in keys:
            assert row[key] == rec["cells"].get(key), (rec["url"], key)
            assert type(row[key]) is not bool
    torn = next(r for r in rows if r["url"] == TORN_URL)
    assert torn["needs_review"] is True and DOUBTFUL <= set(torn["unresolved"])
    assert all(torn[key] is None for key in DOUBTFUL)


def test_parquet_cells_table_is_the_jsonl_cells_with_unresolved_marked(
    store: SimpleNamespace, parquet: SimpleNamespace
) -> None:
    got = {(c["url"], c["key"]): c for c in parquet.cells.to_pylist()}
    want = {(r["url"], k): (v, r) for r in store.records for k, v in r["cells"].items()}
    assert set(got) == set(want)  # a row per cell a report has: absent cells have none
    for (url, key), (value, rec) in want.items():
        cell = got[url, key]
        assert cell["value"] == value and (cell["value"] is None) == (value is None), (url, key)
        assert cell["unresolved"] is (key in rec["quality"]["unresolved"])
        assert cell["inferred"] is (key in rec["quality"]["inferred"])
        assert cell["table"] == table_of(key).name
    assert {c["table"] for c in got.values()} == {"active", "applications", "review"}
    unread = {k for (u, k), c in got.items() if c["unresolved"]}
    assert unread == set(store.by_url[TORN_URL]["quality"]["unresolved"]) and DOUBTFUL <= unread
    assert all(got[TORN_URL, k]["value"] is None for k in unread)


# --- XLSX ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(store: SimpleNamespace) -> Path:
    path = store.data / "reports.xlsx"
    assert write_xlsx(store.records, path) == len(store.records)
    return path


def _header(ws) -> list[str]:
    """The key each column holds, from the header cells' comments."""
    return [cell.comment.text for cell in ws[1]]


def test_xlsx_sheets_headers_and_frozen_row(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert (
        book.sheetnames
        == ["报告", *(t.sheet for t in TABLES)]
        == ["报告", "主动公开", "依申请公开", "复议诉讼"]
    )
    for ws in book.worksheets:
        assert ws.freeze_panes in ("B2", "C2")  # the header row (and the report's name) stay in view
        assert all(cell.font.bold for cell in ws[1])
        keys = _header(ws)
        assert [c.value for c in ws[1]] == [
            cell_label(k) if "." in k else c.value for k, c in zip(keys, ws[1], strict=True)
        ]
        assert len(set(keys)) == len(keys) and len({c.value for c in ws[1]}) == len(keys)
    assert len(set(TEMPLATE.values())) == len(TEMPLATE)  # every key of both formats, each its own header
    labels = {k: c.value for ws in book.worksheets[1:] for k, c in zip(_header(ws), ws[1], strict=True)}
    # The template's own wording, not the keys
    assert labels["applications.denied.state_secret.natural_person"] == "（三）不予公开1.属于国家秘密·自然人"
    assert labels["applications.new.total"] == "一、本年新收政府信息公开申请数量·总计"
    assert labels["active.fees.amount"] == "行政事业性收费·本年收费金额（单位：万元）"
    assert labels["litigation_after_review.pending"] == "行政诉讼（复议后起诉）·尚未审结"
    assert [c.value for c in book["报告"][1]][:6] == [
        "网址",
        "页面网址",
        "首次抓取时间（UTC）",
        "标题",
        "机关",
        "年度",
    ]


def test_xlsx_equals_the_jsonl_export_cell_for_cell(store: SimpleNamespace, workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    reports = book["报告"]
    fields = _header(reports)
    rows = [dict(zip(fields, (c.value for c in row), strict=True)) for row in reports.iter_rows(min_row=2)]
    assert [r["url"] for r in rows] == [r["url"] for r in store.records]
    for row, rec in zip(rows, store.records, strict=True):
        assert row["year"] == rec["year"] and type(row["year"]) is int
        assert row["published_on"] == datetime.fromisoformat(rec["published_on"])  # a date cell
        assert (
            abs(
                row["first_seen"] - datetime.fromisoformat(rec["first_seen"]).replace(tzinfo=None)
            ).total_seconds()
            < 0.001
        )
        assert row["needs_review"] is rec["quality"]["needs_review"]
        assert (row["unresolved"] or "") == ";".join(rec["quality"]["unresolved"])
        assert row["processing_fee_yuan"] == rec["processing_fee_yuan"]
        assert row["title"] == rec["title"] and row["agency"] == rec["agency"]
    seen: set[str] = set()
    for table in TABLES:
        ws = book[table.sheet]
        keys = _header(ws)
        assert keys[:3] == ["agency", "year", "url"]
        seen |= set(keys[3:])
        for row, rec in zip(ws.iter_rows(min_row=2), store.records, strict=True):
            assert row[2].value == rec["url"]
            unread = set(rec["quality"]["unresolved"])
            for key, cell in zip(keys[3:], row[3:], strict=True):
                assert table_of(key) is table
                value = rec["cells"].get(key)
                assert cell.value == value, (rec["url"], key)
                if value is not None:
                    assert cell.data_type == "n" and not isinstance(cell.value, bool)
                fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
                if key in unread:  # not read: empty, yellow, and says so
                    assert cell.value is None and fill == "00" + UNREAD_FILL
                    assert "unresolved" in cell.comment.text
                elif key not in rec["cells"]:  # the report's format has no such cell
                    assert cell.value is None and fill == "00" + ABSENT_FILL
                else:  # read (a number) or left blank by the report: unmarked
                    assert fill is None and cell.comment is None
    assert seen == {k for r in store.records for k in r["cells"]}
    torn = book["依申请公开"]
    marked = {
        k for row in torn.iter_rows(min_row=2) if row[2].value == TORN_URL
        for k, c in zip(_header(torn), row, strict=True) if c.comment is not None
    }  # fmt: skip
    assert DOUBTFUL <= marked


def test_page_text_that_looks_like_a_formula_stays_text(store: SimpleNamespace) -> None:
    record = dict(store.by_url[TORN_URL])
    record["title"] = '=HYPERLINK("http://evil.example/","点此")\x07'
    record["agency"] = "+1 青禾市统计局"
    out = io.BytesIO()
    write_xlsx([record], out)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["报告"]
    title, agency = ws.cell(2, 4), ws.cell(2, 5)
    assert title.data_type == "s" and title.value == '=HYPERLINK("http://evil.example/","点此")'
    assert agency.data_type == "s" and agency.value == "+1 青禾市统计局"


def test_xlsx_opens_in_libreoffice_with_the_same_values(
    store: SimpleNamespace, workbook: Path, tmp_path: Path
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: ./setup.sh installs libreoffice-calc-nogui")
    filter_options = "44,34,76,1,,0,false,true,false,false,false,-1"  # UTF-8, every sheet, as shown
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", f"csv:Text - txt - csv (StarCalc):{filter_options}", "--outdir", str(tmp_path),
         str(workbook)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    sheets = {p.stem.split("-", 1)[1]: p for p in tmp_path.glob("reports-*.csv")}
    if not sheets and "could not be loaded" in proc.stdout + proc.stderr:
        pytest.skip(
            f"soffice cannot open xlsx (LibreOffice Calc missing: apt install libreoffice-calc-nogui): {proc.stderr.strip()}"
        )
    assert set(sheets) == {"报告", "主动公开", "依申请公开", "复议诉讼"}, proc.stdout + proc.stderr
    book = openpyxl.load_workbook(workbook)
    for name, path in sheets.items():
        converted = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        keys = _header(book[name])
        assert converted[0] == [c.value for c in book[name][1]]  # the Chinese headers survive
        assert len(converted) == len(store.records) + 1
        for line, rec in zip(converted[1:], store.records, strict=True):
            shown = dict(zip(keys, line, strict=True))
            assert shown["url"] == rec["url"] and shown["year"] == str(rec["year"])
            if name == "报告":
                assert shown["published_on"] == rec["published_on"]
                assert shown["first_seen"] == rec["first_seen"][:19].replace("T", " ")
                continue
            for key in keys[3:]:
                value = rec["cells"].get(key)
                assert shown[key] == ("" if value is None else str(value)), (name, rec["url"], key)


# --- the command line --------------------------------------------------------------------------


def test_cli_writes_each_format_and_refuses_what_cannot_work(
    store: SimpleNamespace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(store.data)]
    assert nianbao(["export", *data, "--format", "parquet", "--out", str(tmp_path)]) == 0
    assert pq.read_table(tmp_path / "reports.parquet").num_rows == len(store.records)
    assert pq.read_table(tmp_path / "cells.parquet").num_rows == sum(len(r["cells"]) for r in store.records)
    assert nianbao(["export", *data, "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "r.xlsx")["报告"].max_row == len(store.records) + 1
    assert nianbao(["export", *data, "--format", "csv", "--excel", "--out", str(tmp_path / "r.csv")]) == 0
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfurl,") and raw.count(b"\r\n") == len(store.records) + 1
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert raw.decode("utf-8-sig").count("青禾市") >= len(store.records)
    assert not (tmp_path / ".r.xlsx.tmp").exists()
    capsys.readouterr()
    assert nianbao(["export", *data, "--format", "parquet"]) == 2
    assert "--out" in capsys.readouterr().err
    assert nianbao(["export", *data, "--format", "xlsx", "--excel", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "--excel" in capsys.readouterr().err
