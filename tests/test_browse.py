"""`nianbao datasette`: the store flattened into browse.sqlite and served by Datasette.

The store is built through the real archive → ingest path (report pages of the sample portal's
generator written as WARC records at chosen capture times, as tests/test_audit.py does), so that
every audit finding is there once: late, backdated, edited, checks failed, needs review. The browse
file is built from it, then read through Datasette's own in-process client, as a browser would: the
wide and long tables must hold the export's numbers exactly, and the search must find a two-character
Chinese word inside longer words, through the canned query and the table's own search box. One test
starts the real command and loads the search page in headless Chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.browse.build import BROWSE_FILE, build_browse
from archive.browse.labels import cell_keys
from archive.browse.search import fts_query, index_text
from archive.browse.site import browse_metadata, make_datasette
from archive.db import open_database, sessions
from archive.export import iter_export_records
from archive.ingest import start_run
from nianbao.cli import main
from nianbao.sample_portal.build import report_page
from nianbao.sample_portal.content import REPORTS
from settings.registry import load_registry
from tests.test_audit import LISTING, SITE, World, at, listing, variant
from tests.test_quality import TORN_URL, torn_page

TODAY = date(2025, 6, 1)
CHROMIUM = Path("/usr/bin/chromium")
DRC_2023, EDU_2023, XIQIAO_2021, EDU_2020 = REPORTS[4], REPORTS[3], REPORTS[6], REPORTS[7]
DRC_URL = f"{SITE}/zwgk/zfxxgknb/202401/t20240125_1.html"
AUDIT_URL = f"{SITE}/zwgk/zfxxgknb/202401/t20240122_4.html"  # the report that never says 复议
SHANG_URL = f"{SITE}/zwgk/zfxxgknb/202401/t20240125_9.html"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    w = World(tmp_path_factory.mktemp("browse"))
    w.page(LISTING, listing(), at("2024-01-20T09:00:00"))
    # On time, says 复议 (in 行政复议 and the table headings).
    w.report(DRC_URL, DRC_2023, at("2024-01-26T10:00:00"))
    w.page(LISTING, listing(("202401/t20240125_1.html", DRC_2023.title)), at("2024-01-26T10:00:05"))
    # Late: claims 02-05, after the 01-31 deadline.
    late = dataclasses.replace(EDU_2023, pub="2024-02-05 10:00")
    w.report(f"{SITE}/zwgk/zfxxgknb/202402/t20240205_3.html", late, at("2024-02-06T08:00:00"))
    # A report whose page never says 复议 (its table 四 calls it 复查).
    audit = variant(EDU_2023, "青禾市审计局", 2023, "2024-01-22 09:00")
    w.page(AUDIT_URL, report_page(audit).replace("复议", "复查"), at("2024-01-23T10:00:00"))
    # Backdated: claims 01-25, the listing of 02-10 does not show it, the one of 02-20 does.
    w.page(LISTING, listing(("202401/t20240125_1.html", DRC_2023.title)), at("2024-02-10T09:00:00"))
    shang = variant(DRC_2023, "青禾市商务局", 2023, "2024-01-25 09:30")
    w.page(LISTING, listing(("202401/t20240125_1.html", DRC_2023.title),
                            ("202401/t20240125_9.html", shang.title)), at("2024-02-20T09:00:00"))  # fmt: skip
    w.report(SHANG_URL, shang, at("2024-02-20T09:00:10"))
    # Edited: the same report in March, with one more natural-person application.
    edit = dataclasses.replace(DRC_2023, apps={**DRC_2023.apps, "new": (19, 9, 1, 0, 0, 1)})
    w.report(DRC_URL, edit, at("2024-03-26T11:00:00"))
    # Checks failed (the 复议 group counts one case and a 总计 of 0), and a 2019-format report.
    w.report(f"{SITE}/zwgk/zfxxgknb/202202/t20220225_6.html", XIQIAO_2021, at("2022-02-26T10:00:00"))
    w.report(f"{SITE}/zwgk/zfxxgknb/202101/t20210122_7.html", EDU_2020, at("2021-01-23T10:00:00"))
    # Needs review: a converter's torn applications table (tests/test_quality.py).
    w.page(TORN_URL, torn_page(), at("2024-01-23T10:00:00"))
    w.ingest()
    return w


@pytest.fixture(scope="module")
def records(world: World) -> list[dict[str, Any]]:
    return list(iter_export_records(world.engine))


@pytest.fixture(scope="module")
def browse(world: World) -> Path:
    result = build_browse(world.engine, world.data, registry=load_registry(world.registry_file), today=TODAY)
    assert result.rebuilt
    return result.path


@pytest.fixture(scope="module")
def get(browse: Path) -> Iterator[Callable[[str], Any]]:
    """GET through Datasette's in-process client (one event loop for the module)."""
    datasette = make_datasette(browse)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(datasette.invoke_startup())

    def fetch(path: str) -> Any:
        response = loop.run_until_complete(datasette.client.get(path))
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response

    yield fetch
    loop.close()


@pytest.fixture(scope="module")
def reports_page(get) -> str:
    """The wide table's HTML page, as a browser gets it."""
    return get("/browse/reports").text


def _rows(get: Callable[[str], Any], path: str) -> list[dict[str, Any]]:
    joiner = "&" if "?" in path else "?"
    return get(f"{path}{joiner}_shape=array&_size=max").json()


def _holds(record: dict[str, Any], word: str) -> bool:
    return word in (record.get("title") or "") or word in record["text"]


# --- the tables hold the export ----------------------------------------------------------------


def test_wide_table_holds_every_report_with_the_exports_numbers(get, records) -> None:
    rows = {r["url"]: r for r in _rows(get, "/browse/reports.json")}
    assert len(records) == 7 and set(rows) == {r["url"] for r in records}
    keys = {k for r in records for k in r["cells"]}
    assert {"active.procurement.amount", "applications.other_handling.total"} <= keys  # the 2019 report
    for record in records:
        row = rows[record["url"]]
        for field in ("title", "agency", "year", "published_on", "format", "page_url", "index_no"):
            assert row[field] == record[field], field
        assert row["needs_review"] == int(record["quality"]["needs_review"])
        assert {k: row[k] for k in keys} == {k: record["cells"].get(k) for k in keys}
        assert (row["region"], row["level"]) == ("测试省", "municipal")
    assert (
        rows[TORN_URL]["needs_review"] == 1 and "applications.granted.total" in rows[TORN_URL]["unresolved"]
    )
    assert rows[DRC_URL]["status"] == "on_time" and rows[DRC_URL]["checks_failed"] is None


def test_long_table_holds_every_cell_once(get, records) -> None:
    cells = _rows(get, "/browse/cells.json?_labels=off")
    by_report = {r["url"]: r for r in records}
    got = {(c["report_url"], c["key"]): c["value"] for c in cells}
    assert len(got) == len(cells) == sum(len(r["cells"]) for r in records)
    assert got == {(r["url"], k): v for r in records for k, v in r["cells"].items()}
    for c in cells:
        quality = by_report[c["report_url"]]["quality"]
        assert c["unresolved"] == int(c["key"] in quality["unresolved"])
        assert c["table"] == c["key"].split(".")[0]
    assert sum(c["unresolved"] for c in cells) >= 2  # the torn report's doubtful rows


def test_cell_keys_carry_the_templates_chinese_labels(get, reports_page) -> None:
    key = "applications.denied.state_secret.natural_person"
    row = next(k for k in _rows(get, "/browse/cell_keys.json") if k["key"] == key)
    assert "属于国家秘密" in row["label"] and row["label"].endswith("自然人")
    assert (row["section"], row["formats"]) == ("三、收到和处理政府信息公开申请情况", "2021 2019")
    keys = cell_keys()
    assert (keys["active.procurement.amount"].formats, keys["active.rules.issued"].formats) == (
        "2019",
        "2021",
    )
    assert "行政复议" in keys["review.upheld"].label and "结果维持" in keys["review.upheld"].label
    # The wide table's column carries it as its description.
    description = r'data-column-description="[^"]*属于国家秘密[^"]*自然人"[^>]*data-column="'
    assert re.search(description + re.escape(key), reports_page)
    assert "属于国家秘密" in get("/browse/cells?key=" + key).text  # the key shown by its label


def test_each_report_links_its_archived_capture_in_the_replay(get, reports_page) -> None:
    row = next(r for r in _rows(get, "/browse/reports.json") if r["url"] == DRC_URL)
    assert row["archive"] == f"/replay/20240326030000/{DRC_URL}"  # its latest version: 11:00 in China
    assert re.fullmatch(r"[^#]+\.warc\.gz#offset=\d+", row["warc"])
    assert f'href="http://127.0.0.1:8080/replay/20240326030000/{DRC_URL}"' in reports_page


# --- search ------------------------------------------------------------------------------------


def test_a_two_character_word_is_found_inside_longer_words(get, records) -> None:
    expected = {r["url"] for r in records if _holds(r, "复议")}
    assert AUDIT_URL not in expected and len(expected) == len(records) - 1
    box = _rows(get, "/browse/reports.json?_col=url&_search=" + quote("复议"))  # the table's search box
    canned = _rows(get, "/browse/search.json?q=" + quote("复议"))
    assert {r["url"] for r in box} == {r["url"] for r in canned} == expected
    assert all("复议" in r["context"] for r in canned)
    only = _rows(get, "/browse/search.json?q=" + quote("复查"))
    assert [r["url"] for r in only] == [AUDIT_URL]


def test_longer_and_several_word_queries(get, records) -> None:
    for query in ("复议后起诉", "青禾市商务局", "商务局 2023年", "教育局 年度", "复"):
        expected = {r["url"] for r in records if all(_holds(r, w) for w in query.split())}
        assert (expected and len(expected) < len(records)) or query == "复", query
        found = {r["url"] for r in _rows(get, "/browse/reports.json?_col=url&_search=" + quote(query))}
        assert found == expected, query
    assert _rows(get, "/browse/search.json?q=" + quote("不存在的词")) == []
    assert _rows(get, "/browse/search.json?q=") == []  # nothing asked, nothing found (no FTS error)


@settings(max_examples=100, deadline=None)
@given(
    docs=st.lists(st.text(alphabet="行政复议诉讼、", max_size=12), min_size=1, max_size=6),
    query=st.text(alphabet="行政复议诉讼", min_size=1, max_size=4),
)
def test_search_is_substring_search_on_chinese_text(docs: list[str], query: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(text)")
    db.executemany(
        "INSERT INTO f (rowid, text) VALUES (?, ?)", [(i, index_text(d)) for i, d in enumerate(docs)]
    )
    found = {i for (i,) in db.execute("SELECT rowid FROM f WHERE f MATCH ?", [fts_query(query)])}
    assert found == {i for i, d in enumerate(docs) if query in d}


def test_query_rewriting() -> None:
    assert fts_query("复议") == '"复议"'
    assert fts_query("行政复议") == '"行政 政复 复议"'
    assert fts_query("复") == '"复"*'
    assert fts_query("复议、诉讼") == '"复议 议 、 诉讼"'  # punctuation inside ends a run
    assert fts_query("２０２３年 Report") == '"2023 年"* "Report"'  # NFKC; Latin words as words
    assert fts_query('say "a"b"') == '"say" "a" "b"'  # unbalanced quotes closed, as Datasette does
    assert fts_query("") == fts_query("、。 ") == '""'
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(text)")
    db.execute("INSERT INTO f (rowid, text) VALUES (1, ?)", [index_text("2023年度 Annual REPORT，行政复议")])
    for query, hit in (("2023年", True), ("2024年", False), ("annual report", True), ("度", True),
                       ("复议、", True), ("年度行政", False), ('"复 议"', False)):  # fmt: skip
        assert bool(db.execute("SELECT 1 FROM f WHERE f MATCH ?", [fts_query(query)]).fetchall()) == hit, (
            query
        )


# --- facets and findings -----------------------------------------------------------------------


def test_the_reports_table_is_faceted(get, records) -> None:
    facets = get("/browse/reports.json?_size=0").json()["facet_results"]
    assert {"region", "level", "year", "format", "status"} <= set(facets)
    counts = {f: {v["value"]: v["count"] for v in facets[f]["results"]} for f in facets}
    assert counts["region"] == {"测试省": len(records)}
    assert counts["format"] == {"2021": 6, "2019": 1}
    assert counts["year"] == {2023: 5, 2021: 1, 2020: 1}
    assert counts["status"]["late"] >= 2


def test_canned_queries_return_the_audits_findings(get, world: World) -> None:
    audit = [r for r in world.audit(today=TODAY) if r.url]
    expected = {
        "late": {(r.agency, r.year) for r in audit if r.status == "late"},
        "backdated": {(r.agency, r.year) for r in audit if r.backdated},
        "edited": {(r.agency, r.year) for r in audit if r.edited},
        "checks_failed": {(r.agency, r.year) for r in audit if r.checks_failed},
        "needs_review": {(r.agency, r.year) for r in audit if r.needs_review},
    }
    assert ("青禾市教育局", 2023) in expected["late"]
    assert expected["backdated"] == {("青禾市商务局", 2023)}
    assert expected["edited"] == {("青禾市发展和改革委员会", 2023)}
    assert ("青禾市溪桥区人民政府", 2021) in expected["checks_failed"]
    assert ("青禾市统计局", 2023) in expected["needs_review"]
    for query, found in expected.items():
        rows = _rows(get, f"/browse/{query}.json")
        assert {(r["agency"], r["year"]) for r in rows} == found, query
        assert all(r["detail"] and r["archive"].startswith("/replay/") for r in rows), query
    (edit,) = _rows(get, "/browse/edited.json")
    assert "applications.new.natural_person:18→19" in edit["detail"]
    missing = _rows(get, "/browse/missing.json")
    assert ("青禾市发展和改革委员会", 2024) in {(r["agency"], r["year"]) for r in missing}


# --- building and serving ----------------------------------------------------------------------


def test_the_build_is_skipped_until_the_store_changes(world: World, browse: Path, tmp_path: Path) -> None:
    registry = load_registry(world.registry_file)
    before = browse.stat().st_mtime_ns
    again = build_browse(world.engine, world.data, registry=registry, today=TODAY)
    assert not again.rebuilt and browse.stat().st_mtime_ns == before and again.reports == 7
    # A copy of the store, then a crawl starting on it: a new parse run changes the store.
    with contextlib.closing(sqlite3.connect(world.data / "nianbao.sqlite")) as src:
        with contextlib.closing(sqlite3.connect(tmp_path / "nianbao.sqlite")) as dst:
            src.backup(dst)
    shutil.copy(browse, tmp_path / BROWSE_FILE)
    engine = open_database(f"sqlite:///{tmp_path / 'nianbao.sqlite'}")
    assert not build_browse(engine, tmp_path, registry=registry, today=TODAY).rebuilt
    assert build_browse(engine, tmp_path, registry=registry, today=date(2025, 6, 2)).rebuilt  # missing rows
    with sessions(engine, write=True).begin() as session:
        start_run(session, "crawl")
    assert build_browse(engine, tmp_path, registry=registry, today=date(2025, 6, 2)).rebuilt
    assert not list(tmp_path.glob(".*partial"))


def test_the_command_refuses_a_directory_without_a_store(tmp_path: Path, capsys) -> None:
    assert main(["datasette", "--data", str(tmp_path), "--build-only"]) == 2
    assert "no store" in capsys.readouterr().err
    assert not (tmp_path / "nianbao.sqlite").exists()


def test_metadata_labels_every_cell_column() -> None:
    columns = browse_metadata()["databases"]["browse"]["tables"]["reports"]["columns"]
    assert set(cell_keys()) <= set(columns)
    new_total = columns["applications.new.total"]
    assert new_total.startswith("三、收到和处理政府信息公开申请情况 · 一、本年新收政府信息公开申请数量")
    assert columns["agency"].startswith("机关")  # the shipped description is kept


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_search_page_in_a_real_browser(world: World, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: the served page cannot be opened in a browser")
    with contextlib.closing(sqlite3.connect(world.data / "nianbao.sqlite")) as src:
        with contextlib.closing(sqlite3.connect(tmp_path / "nianbao.sqlite")) as dst:
            src.backup(dst)
    port = _free_port()
    command = [sys.executable, "-m", "nianbao.cli", "datasette", "--data", str(tmp_path), "--port", str(port),
               "--registry", str(world.registry_file)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[1]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert time.monotonic() < deadline, "datasette did not start"
            time.sleep(0.1)
        page = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             f"--user-data-dir={tmp_path / 'chromium'}", "--dump-dom",
             f"http://127.0.0.1:{port}/browse/search?q={quote('复议')}"],
            capture_output=True, text=True, timeout=90, check=True,
        ).stdout  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert DRC_2023.title in page
    assert "青禾市审计局" not in page  # its report never says 复议
    assert page.count('<td class="col-title') == 6  # every report but that one
