"""The parser's doubts reach the user: `quality` in the export, the CSV and the audit.

A report page whose 申请 table came out of a PDF-to-HTML converter one line per paragraph, with one
row's numbers printed before its label and the next row's lost, is archived as WARC and ingested
through the real path; its two doubtful rows must be null *and* listed in `quality.unresolved`
everywhere a user reads the report (export JSON, CSV columns, the audit's `needs review` finding),
while a clean report from the same portal says `needs_review: false`. A cell one capture could not
read is not an edit when a later capture reads it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

import pytest

from archive.audit import audit_rows, diff_versions, render
from archive.db import sessions
from archive.export import iter_export_records, write_csv
from archive.warcstore import WarcStore
from nianbao.sample_portal.build import report_page
from nianbao.sample_portal.content import REPORTS
from settings.registry import load_registry
from tests.archived import capture, ingest_archive
from tests.test_audit import REGISTRY_TOML, SITE

# The applications table as a converter leaves it: a paragraph per printed line. 予以公开's numbers
# came out above its label and 部分公开's were lost: which of the two rows `1 0 0 0 0 0 1` is
# cannot be told.
TORN_LINES = [
    "青禾市统计局2023年政府信息公开工作年度报告",
    "发布日期：2024-01-22",
    "一、总体情况",
    "2023年，青禾市统计局认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作。",
    "二、主动公开政府信息情况",
    "规章 0 0 0",
    "行政规范性文件 1 0 5",
    "行政许可 0",
    "行政处罚 0",
    "行政强制 0",
    "行政事业性收费 0",
    "三、收到和处理政府信息公开申请情况",
    "一、本年新收政府信息公开申请数量",
    "3 0 0 0 0 0 3",
    "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
    "三、本年度办理结果",
    "1 0 0 0 0 0 1",
    "（一）予以公开",
    "- 2 -",
    "（二）部分公开（区分处理的，只计这一",
    "情形，不计其他情形）",
    "（七）总计 1 0 0 0 0 0 1",
    "四、结转下年度继续办理",
    "2 0 0 0 0 0 2",
    "四、政府信息公开行政复议、行政诉讼情况",
    "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
    "五、存在的主要问题及改进情况",
    "一是公开内容还不够全面。下一步将持续加强信息发布审核。",
    "六、其他需要报告的事项",
    "本机关未收取信息处理费。",
]
TORN_URL = f"{SITE}/zwgk/zfxxgknb/202401/t20240122_3.html"
CLEAN_URL = f"{SITE}/zwgk/zfxxgknb/202401/t20240125_1.html"
DOUBTFUL = {"applications.granted.total", "applications.partially_granted.natural_person"}


def torn_page() -> str:
    body = "".join(f"<p>{escape(line)}</p>" for line in TORN_LINES)
    return (
        "<html><head><meta charset='utf-8'><title>青禾市统计局2023年政府信息公开工作年度报告</title>"
        f"</head><body><div class='nav'>首页 | 无障碍 | 关怀版</div><div class='TRS_Editor'>{body}</div>"
        "<div class='foot'>政务微信 政务微博</div></body></html>"
    )


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("quality")
    store = WarcStore(data / "warc")
    capture(store, CLEAN_URL, report_page(REPORTS[4]).encode(), datetime(2024, 1, 26, 10, tzinfo=UTC))
    capture(store, TORN_URL, torn_page().encode(), datetime(2024, 1, 23, 10, tzinfo=UTC))
    store.close()
    engine = ingest_archive(data)
    (data / "registry.toml").write_text(REGISTRY_TOML, encoding="utf-8")
    engine.registry = data / "registry.toml"  # type: ignore[attr-defined]
    return engine


def _records(engine) -> dict[str, dict]:
    return {r["url"]: r for r in iter_export_records(engine)}


def test_export_carries_quality_and_leaves_doubtful_cells_null(engine) -> None:
    records = _records(engine)
    torn, clean = records[TORN_URL], records[CLEAN_URL]
    quality = torn["quality"]
    assert quality["needs_review"] is True
    assert DOUBTFUL <= set(quality["unresolved"])
    assert all(torn["cells"][key] is None for key in quality["unresolved"])
    assert torn["cells"]["applications.new.total"] == 3  # what could be read, is
    assert torn["cells"]["applications.carried_forward.total"] == 2
    assert quality["notes"]
    assert clean["quality"] == {"needs_review": False, "inferred": [], "unresolved": [], "notes": []}
    json.dumps(torn, ensure_ascii=False)  # JSON-ready


def test_csv_has_needs_review_and_unresolved_columns(engine) -> None:
    out = io.StringIO()
    write_csv(engine, out)
    rows = {r["url"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    torn, clean = rows[TORN_URL], rows[CLEAN_URL]
    assert torn["needs_review"] == "true" and clean["needs_review"] == "false"
    assert DOUBTFUL <= set(torn["unresolved"].split(";"))
    assert clean["unresolved"] == ""
    assert torn["applications.granted.total"] == ""  # not read: the unresolved column says so


def test_audit_shows_a_needs_review_finding(engine) -> None:
    with sessions(engine)() as session:
        rows = audit_rows(session, load_registry(engine.registry), year=None, today=date(2024, 6, 1))
    torn = next(r for r in rows if r.url == TORN_URL)
    clean = next(r for r in rows if r.url == CLEAN_URL)
    assert torn.needs_review and DOUBTFUL <= set(torn.unresolved)
    assert not clean.needs_review
    table = render(rows, "table", data_dir=Path("data"))
    assert "needs review" in table
    parsed = {r["url"]: r for r in csv.DictReader(io.StringIO(render(rows, "csv", data_dir=Path("data"))))}
    assert parsed[TORN_URL]["needs_review"] == "true" and parsed[CLEAN_URL]["needs_review"] == "false"
    page = render(rows, "html", data_dir=Path("data"))
    assert "b-review" in page and "applications.granted.total" in page


def test_a_cell_one_reading_could_not_read_is_not_an_edit() -> None:
    old = {"cells": {"a.x": None, "a.y": 1}, "quality": {"unresolved": ["a.x"]}}
    new = {"cells": {"a.x": 4, "a.y": 2}, "quality": {"unresolved": []}}
    assert diff_versions(old, new) == [{"key": "a.y", "old": 1, "new": 2}]
    assert diff_versions({"cells": {"a.x": None}}, {"cells": {"a.x": 4}}) == [
        {"key": "a.x", "old": None, "new": 4}
    ]
