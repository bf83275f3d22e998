"""Scheduled re-crawls over real HTTP: the sample portal in two states, crawled twice into one
data directory, and a crawl interrupted midway and resumed.

State 2 differs from state 1 by exactly: one report edited in place (two cells), one report added
(教育局 on 2024, claiming a publication date before the first crawl, which did not list it:
backdated; past its deadline: late; its 上年结转 disagreeing with the 结转下年度 of 教育局's 2023
report: a cross-year finding), one report removed from its listing; every other file
byte-identical with the same Last-Modified/ETag.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warcstore import iter_records
from nianbao.sample_portal.server import SITE_DIR, PortalServer

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]
COLUMN = "zwgk/zfxxgknb"
EDITED = f"/{COLUMN}/202401/t20240129_3166893.html"  # 青禾市教育局 2023
ADDED = f"/{COLUMN}/202502/t20250220_3180001.html"  # 青禾市教育局 2024
REMOVED = f"/{COLUMN}/202001/t20200116_1987254.html"  # 青禾市财政局 2019, dropped from index_2.html
TEMPLATE = f"/{COLUMN}/202501/t20250120_3318452.html"  # 发改委 2024, the added report's model


def nianbao(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=300
    )
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@contextmanager
def portal(root: Path, delay: float = 0.0) -> Iterator[tuple[PortalServer, str]]:
    server = PortalServer(("127.0.0.1", 0), root, delay=delay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def bump_cell(html: str, row_label: str, column: int, delta: int) -> tuple[str, int, int]:
    """Add `delta` to the column-th number cell of the row labelled `row_label`; (html, old, new)."""
    row_start = html.index(row_label)
    row_end = html.index("</tr>", row_start)
    row = html[row_start:row_end]
    numbers = list(re.finditer(r">(\d+)<", row))
    match = numbers[column]
    old = int(match[1])
    new_row = row[: match.start(1)] + str(old + delta) + row[match.end(1) :]
    return html[:row_start] + new_row + html[row_end:], old, old + delta


def make_state2(state1: Path, state2: Path) -> dict[str, tuple[int, int]]:
    shutil.copytree(state1, state2)  # copy2: same bytes, same mtimes → same ETag/Last-Modified
    later = time.time() + 3600
    # 1. edited in place: 本年新收 自然人 and 总计 both +3
    page = state2 / EDITED.lstrip("/")
    html = page.read_text(encoding="utf-8")
    html, np_old, np_new = bump_cell(html, "本年新收", 0, 3)
    html, total_old, total_new = bump_cell(html, "本年新收", 6, 3)
    page.write_text(html, encoding="utf-8")
    os.utime(page, (later, later))
    # 2. added: 教育局's report on 2024, claiming 2025-02-20 (after its 01-31 deadline)
    html = (
        (state2 / TEMPLATE.lstrip("/"))
        .read_text(encoding="utf-8")
        .replace("青禾市发展和改革委员会", "青禾市教育局")
    )
    for old, new in (
        ("2025-01-20", "2025-02-20"),
        ("2025-01-17", "2025-02-19"),
        ("2025年1月17日", "2025年2月19日"),
    ):
        html = html.replace(old, new)
    added = state2 / ADDED.lstrip("/")
    added.parent.mkdir(parents=True, exist_ok=True)
    added.write_text(html, encoding="utf-8")
    listing = state2 / COLUMN / "index.html"
    text = listing.read_text(encoding="utf-8")
    item = '<li><a href="./202502/t20250220_3180001.html" title="青禾市教育局2024年政府信息公开工作年度报告" target="_blank">青禾市教育局2024年政府信息公开工作年度报告</a><span>2025-02-20</span></li>\n'
    first = text.index('<li><a href="./')
    listing.write_text(text[:first] + item + text[first:], encoding="utf-8")
    # 3. removed from its listing (the page itself stays)
    page2 = state2 / COLUMN / "index_2.html"
    text = page2.read_text(encoding="utf-8")
    text = re.sub(r"<li><a href=\"\./202001/t20200116_1987254\.html\".*?</li>\s*", "", text, flags=re.S)
    page2.write_text(text, encoding="utf-8")
    for changed in (listing, page2, added):
        os.utime(changed, (later, later))
    return {
        "applications.new.natural_person": (np_old, np_new),
        "applications.new.total": (total_old, total_new),
    }


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    tmp = tmp_path_factory.mktemp("recrawl")
    state1, state2, data = tmp / "state1", tmp / "state2", tmp / "data"
    shutil.copytree(SITE_DIR, state1)
    changes = make_state2(state1, state2)
    with portal(state1) as (server, base):
        nianbao("crawl", base, "--data", str(data), *FAST)
        first = {r.ref.record_id for r in iter_records(data / "warc")}
        server.root = state2.resolve()  # the portal changes between two scheduled crawls
        nianbao("crawl", base, "--data", str(data), *FAST)
    second = [
        r for r in iter_records(data / "warc", types=("response", "revisit")) if r.ref.record_id not in first
    ]
    exported = [json.loads(line) for line in nianbao("export", "--data", str(data)).stdout.splitlines()]
    audit = [json.loads(line) for line in nianbao("audit", "--data", str(data), "--format", "jsonl", "--today", "2026-11-21").stdout.splitlines()]  # fmt: skip
    return SimpleNamespace(
        base=base.rstrip("/"), data=data, second=second, export=exported, audit=audit, changes=changes
    )


def test_second_crawl_writes_revisits_for_every_unchanged_page(twice: SimpleNamespace) -> None:
    changed = {EDITED, ADDED, f"/{COLUMN}/index.html", f"/{COLUMN}/index_2.html"}
    by_type: dict[str, set[str]] = {"response": set(), "revisit": set()}
    for record in twice.second:
        by_type[record.record_type].add(record.url.removeprefix(twice.base))
    assert by_type["response"] == changed
    assert by_type["revisit"] and not by_type["revisit"] & changed
    profiles = Counter()
    with sqlite3.connect(twice.data / "nianbao.sqlite") as conn:
        for status, refers_to in conn.execute(
            "select status, refers_to from captures where record_type = 'revisit'"
        ):
            profiles[status] += 1
            assert refers_to
    # Every page is asked for conditionally, listings too: the server's 304s are server-not-modified
    # revisits (identical-payload-digest, a 200 whose body did not change, is for servers without
    # validators: test_warcstore, test_ingest).
    assert profiles[304] > 0 and profiles[200] == 0
    dates = {r.ref.record_id: r.ref.warc_date for r in iter_records(twice.data / "warc")}
    for path in sorted((twice.data / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "revisit":  # WARC 1.1 §6.3: the referred record's WARC-Date
                    h = record.rec_headers
                    assert h.get_header("WARC-Refers-To-Date") == dates[h.get_header("WARC-Refers-To")]


def test_unchanged_reports_are_not_reparsed_but_gain_a_capture(twice: SimpleNamespace) -> None:
    with sqlite3.connect(twice.data / "nianbao.sqlite") as conn:
        versions = dict(
            conn.execute(
                "select r.url, count(v.id) from reports r join report_versions v on v.report_id = r.id group by r.id"
            )
        )
        captures = dict(
            conn.execute(
                "select r.url, count(*) from reports r join report_captures c on c.report_id = r.id group by r.id"
            )
        )
    for url, count in versions.items():
        path = url.removeprefix(twice.base)
        assert count == (2 if path == EDITED else 1), path
        assert captures[url] == (1 if path in (ADDED, REMOVED) else 2), path


def test_edited_report_is_a_new_version_with_exactly_its_changed_cells(twice: SimpleNamespace) -> None:
    report = next(r for r in twice.export if r["url"].endswith(EDITED))
    for key, (_, new) in twice.changes.items():
        assert report["cells"][key] == new
    row = next(r for r in twice.audit if (r.get("url") or "").endswith(EDITED))
    assert row["edited"] is True
    assert {c["key"]: (c["old"], c["new"]) for c in row["changes"]} == twice.changes


def test_added_report_is_found_backdated_and_late(twice: SimpleNamespace) -> None:
    assert any(r["url"].endswith(ADDED) for r in twice.export)
    row = next(r for r in twice.audit if (r.get("url") or "").endswith(ADDED))
    assert row["published_on"] == "2025-02-20" and row["deadline"] == "2025-01-31"
    assert row["backdated"] is True
    assert row["status"] == "late"
    others = [r for r in twice.audit if r.get("url") and not r["url"].endswith(ADDED)]
    assert others and not any(r["backdated"] for r in others)


def test_statuses_and_cross_year_checks(twice: SimpleNamespace) -> None:
    by_path = {(r.get("url") or "").removeprefix(twice.base): r for r in twice.audit}
    # 市人民政府 2023, claimed 2024-03-28: a government-wide report, due 03-31
    gov = by_path[f"/{COLUMN}/202403/t20240328_3190276.html"]
    assert gov["deadline"] == "2024-03-31" and gov["status"] == "on_time"
    # 发改委 2024, claimed 2025-01-20: a department, due 01-31
    dept = by_path[TEMPLATE]
    assert dept["deadline"] == "2025-01-31" and dept["status"] == "on_time"
    assert all(r["status"] in ("on_time", "late", "missing", "unknown") for r in twice.audit)
    # 教育局 2023 (edited, its 结转下年度 untouched) and 2024 (added, cells of the 发改委 2024 page):
    # the cross-year rule fails exactly where 上年结转 2024 ≠ 结转下年度继续办理 2023
    expected = {
        r["path"]: r
        for r in json.loads((SITE_DIR.parent / "expected.json").read_text(encoding="utf-8"))["reports"]
    }
    y2023, y2024 = expected[EDITED]["cells"], expected[TEMPLATE]["cells"]
    columns = (
        "natural_person",
        "commercial",
        "research",
        "social_welfare",
        "legal_service",
        "other_org",
        "total",
    )
    want = {
        f"cross_year:{c}"
        for c in columns
        if y2024[f"applications.carried_over.{c}"] != y2023[f"applications.carried_forward.{c}"]
    }
    assert want  # the fixture does disagree
    added = next(r for r in twice.audit if (r.get("url") or "").endswith(ADDED))
    assert {c for c in added["checks_failed"] if c.startswith("cross_year:")} == want
    assert not any(c.startswith("cross_year:") for c in by_path[TEMPLATE]["checks_failed"])  # 发改委 agrees


def test_interrupted_crawl_resumes_without_losing_or_duplicating(tmp_path: Path) -> None:
    reference, data = tmp_path / "reference", tmp_path / "resumed"
    with portal(SITE_DIR) as (_, base):
        nianbao("crawl", base, "--data", str(reference), *FAST)
    with portal(SITE_DIR, delay=0.1) as (_, base):
        proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", "crawl", base, "--data", str(data), *FAST],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            not (data / "warc").is_dir() or len(list(iter_records(data / "warc"))) < 8
        ):
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy stops cleanly and keeps its queue in JOBDIR
        proc.wait(timeout=60)
        assert (data / "job").is_dir()
        assert stat.S_IMODE((data / "job" / "nianbao-plan.json").stat().st_mode) == 0o600  # may hold --db
        refused = nianbao("crawl", base, "--data", str(data), *FAST, check=False)
        assert refused.returncode == 2 and "--resume" in refused.stderr
        nianbao("crawl", "--resume", "--data", str(data))
    assert not (data / "job").exists()

    def fetched(d: Path) -> Counter[str]:
        return Counter(
            r.url.split("/", 3)[3]
            for r in iter_records(d / "warc", types=("response",))
            if not r.url.endswith("/robots.txt")
        )

    got, want = fetched(data), fetched(reference)
    assert set(got) == set(want)  # nothing lost
    assert all(n == 1 for n in got.values()), [u for u, n in got.items() if n > 1]  # nothing fetched twice
    exports = [nianbao("export", "--data", str(d)).stdout for d in (reference, data)]
    # By page: the order reports reach the store is the order their last record was archived in
    # (a 图片版 report's, its last picture), which two crawls of the same site need not share.
    strip = [
        {
            urlsplit(r["page_url"]).path: {
                k: v for k, v in r.items() if k not in ("url", "page_url", "first_seen")
            }
            for r in map(json.loads, text.splitlines())
        }
        for text in exports
    ]
    assert sorted(strip[0]) == sorted(strip[1])
    differ = {
        page: {k: (a.get(k), strip[1][page].get(k)) for k in a if a.get(k) != strip[1][page].get(k)}
        for page, a in strip[0].items()
        if a != strip[1][page]
    }
    assert not differ, differ


def attachment_site(root: Path, docx: bytes, agency: str, year: int) -> tuple[str, str]:
    """A county column whose report is an article page with its DOCX attached; (page, attachment)."""
    column, title = "/xxgk/gknb", f"{agency}{year}年政府信息公开工作年度报告"
    page, attachment = f"{column}/202503/t20250305_4001.html", f"{column}/202503/P020250305401234.docx"
    furniture = ('<div class="top"><a href="/">首页</a> <a href="javascript:;">无障碍</a> '
                 '<a href="javascript:;">关怀版</a></div>')  # fmt: skip
    footer = '<div class="footer">网站标识码：3311280002　浙ICP备00000001号 <a href="javascript:window.print()">打印本页</a></div>'
    files = {  # path: (page title, body)
        "/index.html": ("", f'<a href="{column}/index.html">政府信息公开年报</a>'),
        f"{column}/index.html": (
            "政府信息公开年报",
            f'<ul class="list"><li><a href="./202503/t20250305_4001.html" title="{title}">{title}</a>'
            "<span>2025-03-05</span></li></ul>",
        ),
        page: (
            title,
            f'<h1>{title}</h1><table class="xxgk-info"><tr><td>发布机构：</td><td>{agency}</td>'
            f"<td>发布日期：</td><td>{year + 1}-01-20</td></tr></table>"
            f'<div id="zoom"><p>{title}全文详见附件。</p><p>附件：<a href="./P020250305401234.docx">'
            f"{title}.docx</a></p></div>",
        ),
    }
    for path, (name, body) in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        head = f"{name}_溪口县人民政府" if name else "溪口县人民政府"
        target.write_text(
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{head}</title></head>'
            f"<body>{furniture}{body}{footer}</body></html>",
            encoding="utf-8",
        )
    (root / attachment.lstrip("/")).write_bytes(docx)
    return page, attachment


def edit_one_number(docx: bytes, delta: int) -> bytes:
    """The DOCX with the first whole-number cell of its last table raised by `delta` (a silent edit)."""
    import docx as python_docx

    document = python_docx.Document(io.BytesIO(docx))
    for row in document.tables[-1].rows:
        for cell in row.cells:
            if cell.text.strip().isdigit():
                cell.paragraphs[0].runs[0].text = str(int(cell.text) + delta)
                out = io.BytesIO()
                document.save(out)
                return out.getvalue()
    raise AssertionError("no number cell in the last table")


def test_attachment_replaced_behind_an_unchanged_page_is_seen(tmp_path: Path) -> None:
    """The page answers 304, but its DOCX was replaced in place: the re-crawl still asks for the
    DOCX (conditionally), archives the new one and records the edit with exactly its cell."""
    from tests.test_documents import build_docx, report_model

    doc, expected = report_model("recrawl-attachment-0")
    site, data = tmp_path / "site", tmp_path / "data"
    page, attachment = attachment_site(site, build_docx(doc), expected["agency"], expected["year"])
    with portal(site) as (_, base):
        nianbao("crawl", base, "--data", str(data), *FAST)
        (before,) = [json.loads(line) for line in nianbao("export", "--data", str(data)).stdout.splitlines()]
        first = {r.ref.record_id for r in iter_records(data / "warc")}
        replaced = site / attachment.lstrip("/")
        replaced.write_bytes(edit_one_number(replaced.read_bytes(), 1000))
        later = time.time() + 3600
        os.utime(replaced, (later, later))  # a new ETag / Last-Modified, the page's unchanged
        nianbao("crawl", base, "--data", str(data), *FAST)
    second = {
        r.url.removeprefix(base.rstrip("/")): (r.record_type, r.status)
        for r in iter_records(data / "warc", types=("response", "revisit"))
        if r.ref.record_id not in first
    }
    assert second[page] == ("revisit", 304)
    assert second[attachment] == ("response", 200)
    (after,) = [json.loads(line) for line in nianbao("export", "--data", str(data)).stdout.splitlines()]
    assert after["url"] == before["url"] and after["url"].endswith(attachment)
    changed = {k: (before["cells"][k], v) for k, v in after["cells"].items() if v != before["cells"][k]}
    assert len(changed) == 1 and all(new == old + 1000 for old, new in changed.values()), changed
    audit = [json.loads(line) for line in nianbao("audit", "--data", str(data), "--format", "jsonl").stdout.splitlines()]  # fmt: skip
    (row,) = [r for r in audit if r.get("url")]
    assert row["edited"] is True
    assert {c["key"]: (c["old"], c["new"]) for c in row["changes"]} == changed
