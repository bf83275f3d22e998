"""The ucap adapter on the 云川县 fixture portal: `createPageHTML('page_div', …)` list paging, article
pages read through `<ucapcontent>`; and a crawl of the portal over HTTP with the real CLI.
"""

from __future__ import annotations

import filecmp
from pathlib import Path
from urllib.parse import urlsplit

from archive.extract import extract_page
from archive.parser import parse_report
from crawler.platforms import Page, discover
from crawler.platforms.ucap import PLATFORM, script_pages
from tests.world import crawl_portal
from tests.world.ucap import PORTAL
from tests.world.ucap import build as ub

BASE = "http://www.yunchuan.gov.cn"
EXPECTED = PORTAL.expected


def page(path: str) -> Page:
    return Page(url=BASE + path, text=(ub.SITE_DIR / path.lstrip("/")).read_text(encoding="utf-8"))


def test_list_pages_are_read_from_the_pager_script() -> None:
    first = page("/yunchuan/gknb/xxgk_list.shtml")
    assert PLATFORM.matches(first)
    assert [(x.url, x.kind) for x in PLATFORM.links(first)] == [
        (f"{BASE}/yunchuan/gknb/xxgk_list_2.shtml", "listing"),
        (f"{BASE}/yunchuan/gknb/xxgk_list_3.shtml", "listing"),
    ]
    # a later page names the same set, from its own directory
    assert script_pages(
        BASE + "/yunchuan/gknb/xxgk_list_3.shtml", page("/yunchuan/gknb/xxgk_list_3.shtml").text
    ) == [
        f"{BASE}/yunchuan/gknb/xxgk_list_2.shtml",
        f"{BASE}/yunchuan/gknb/xxgk_list_3.shtml",
    ]
    assert script_pages(BASE + "/ycfgj/gknb/list.shtml", page("/ycfgj/gknb/list.shtml").text) == [
        f"{BASE}/ycfgj/gknb/list_2.shtml"
    ]


def test_without_the_pager_only_page_one_reports_are_reachable() -> None:
    first = page("/yunchuan/gknb/xxgk_list.shtml")
    anchors_only = Page(first.url, first.text.replace("createPageHTML", "noop"))
    urls = {urlsplit(x.url).path for x in discover(anchors_only)}
    assert not any("xxgk_list_" in u for u in urls)
    later = {r["path"] for r in EXPECTED["reports"]} - urls
    assert later, "reports must sit on later list pages too"


def test_article_pages_match_and_add_nothing() -> None:
    article = page(ub.COUNTY[0].path)
    assert PLATFORM.matches(article)
    assert PLATFORM.links(article) == []
    assert not PLATFORM.matches(Page("http://example.gov.cn/a/index.html", "<html><a href='/x'>x</a></html>"))


def test_extraction_reads_ucapcontent_with_its_tables() -> None:
    report = next(r for r in EXPECTED["reports"] if "word" not in r["path"])
    extracted = extract_page(page(report["path"]).text, BASE + report["path"])
    assert extracted.title == report["title"]
    assert "| 一、本年新收政府信息公开申请数量 |" in extracted.text
    for furniture in ("网站标识码", "打印本页", "当前位置", "无障碍"):
        assert furniture not in extracted.text
    parsed = parse_report(extracted.text, url=report["path"])
    for key, value in report["cells"].items():
        assert parsed.cells[key] == value, key


def test_fixture_is_generated(tmp_path: Path) -> None:
    ub.build(tmp_path / "site")
    pending = [filecmp.dircmp(tmp_path / "site", ub.SITE_DIR)]
    while pending:
        compare = pending.pop()
        assert not (compare.left_only or compare.right_only or compare.diff_files), compare.left
        pending += compare.subdirs.values()


def test_crawl_finds_every_report_and_no_lookalike(tmp_path: Path) -> None:
    stored = {urlsplit(r["url"]).path: r for r in crawl_portal(PORTAL, tmp_path, timeout=300)}
    missing = [r["path"] for r in EXPECTED["reports"] if r["path"] not in stored]
    assert not missing, f"reports not found: {missing}"
    assert not set(EXPECTED["not_reports"]) & set(stored)
    assert set(stored) == {r["path"] for r in EXPECTED["reports"]}
    for r in EXPECTED["reports"]:
        got = stored[r["path"]]
        assert (got["title"], got["year"]) == (r["title"], r["year"])
        for key, value in r["cells"].items():
            assert got["cells"][key] == value, (r["path"], key)
