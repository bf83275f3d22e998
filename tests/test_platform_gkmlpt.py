"""The gkmlpt adapter on the fixture portal's pages and API answers, and a real crawl of the portal.

Unit tests read the committed site files and the API answers `tests.world.gkmlpt.data` serves, so
they pin the adapter to the platform's shapes: the `_CONFIG` tree, rows with absolute,
protocol-relative and missing `url`, jump rows, paging by `total`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.platforms import Page, discover, gkmlpt, platform_names
from tests.world import crawl_portal, site_bytes
from tests.world.gkmlpt import PORTAL, SITE_DIR, build
from tests.world.gkmlpt import data as D

BASE = "http://127.0.0.1:8000"
HOST = "127.0.0.1:8000"
INDEX = f"{BASE}/nyjtj/gkmlpt/index"


def site_page(path: str, url: str | None = None) -> Page:
    text = (SITE_DIR / path.lstrip("/")).read_text(encoding="utf-8")
    return Page(url or BASE + path, text)


def api_page(category: int, page: int) -> Page:
    answer = D.api_answer(category, page, HOST)
    url = gkmlpt.api_url(f"{BASE}/nyjtj/gkmlpt/", category, page, D.SID)
    return Page(url, json.dumps(answer, ensure_ascii=False), content_type="application/json;charset=utf-8")


def test_committed_site_is_what_the_build_writes(tmp_path: Path) -> None:
    build.build(tmp_path / "site")
    assert site_bytes(tmp_path / "site") == site_bytes(SITE_DIR)


def test_the_catalogue_page_has_no_article_anchors() -> None:
    """The premise: anchors alone never reach a report on this platform."""
    page = site_page("/nyjtj/gkmlpt/index.html", INDEX)
    assert not [a for a in page.selector.xpath("//a/@href").getall() if "/content/" in a]
    assert "gkmlpt" in platform_names(page)


def test_config_is_read() -> None:
    html = site_page("/nyjtj/gkmlpt/index.html").text
    assert gkmlpt.site_id(html) == D.SID
    tree = gkmlpt.category_tree(html)
    assert {c.id for c in tree} == set(D.CATEGORY_NAMES)
    assert [c.id for c in gkmlpt.report_categories(tree)] == [D.REPORT_CATEGORY]
    by_id = {c.id: c for c in tree}
    assert by_id[D.REPORT_CATEGORY].post_count == len(D.rows_in(D.REPORT_CATEGORY))
    assert by_id[2652].jump_url.endswith("/gkzn/index.html")


@pytest.mark.parametrize("route", ["index", "annualreport"])
def test_catalogue_page_asks_the_api_for_the_report_category_and_for_all(route: str) -> None:
    page = site_page(f"/nyjtj/gkmlpt/{route}.html", f"{BASE}/nyjtj/gkmlpt/{route}")
    api = [link.url for link in discover(page) if link.kind == "api"]
    assert api == [
        f"{BASE}/nyjtj/gkmlpt/api/all/{D.REPORT_CATEGORY}?page=1&sid={D.SID}",
        f"{BASE}/nyjtj/gkmlpt/api/all/0?page=1&sid={D.SID}",
    ]


def test_api_pages_follow_from_total_on_page_one_only() -> None:
    first = [link.url for link in discover(api_page(0, 1)) if link.kind == "api"]
    pages = -(-len(D.ROWS) // D.PAGE_SIZE)
    assert pages == 3
    assert first == [f"{BASE}/nyjtj/gkmlpt/api/all/0?page={n}&sid={D.SID}" for n in range(2, pages + 1)]
    assert not [link for link in discover(api_page(0, 2)) if link.kind == "api"]
    assert not [link for link in discover(api_page(D.REPORT_CATEGORY, 1)) if link.kind == "api"]


def test_every_report_row_is_named_and_no_lookalike() -> None:
    """Over every API page of category 0: each report once, at its desktop URL; nothing else local."""
    found: dict[str, str] = {}
    for n in (1, 2, 3):
        for link in discover(api_page(0, n)):
            if link.kind == "report":
                found[link.url] = link.title
    local = {urlsplit(u).path: t for u, t in found.items() if u.startswith(BASE)}
    assert local == {r.path: r.title for r in D.REPORTS}
    assert [u for u in found if not u.startswith(BASE)] == [
        r.jump_url for r in D.LOOKALIKES if r.kind == "jump"
    ]
    # the reports really are spread over the three pages (the fixture's promise)
    assert {D.api_page_of(r) for r in D.REPORTS} == {1, 2, 3}


def test_row_urls_absolute_protocol_relative_and_missing() -> None:
    api = f"{BASE}/nyjtj/gkmlpt/api/all/0?page=1&sid={D.SID}"
    root = gkmlpt.gkmlpt_root(api)
    assert root == f"{BASE}/nyjtj/gkmlpt/"
    for row in D.REPORTS:
        article = D.article_json(row, HOST)
        assert gkmlpt.article_url(api, root, article) == BASE + row.path, row.url_style
    assert {r.url_style for r in D.REPORTS} >= {"absolute", "protocol", "none"}


def test_mobile_rows_map_to_the_desktop_page() -> None:
    api = f"{BASE}/nyjtj/gkmlpt/api/all/0?page=1&sid={D.SID}"
    mobile = {
        "id": 10794083,
        "url": "//www.example.gov.cn/gzpyjy/gkmlpt/content/10/10794/mpost_10794083.html",
    }
    assert (
        gkmlpt.article_url(api, None, mobile)
        == "http://www.example.gov.cn/gzpyjy/gkmlpt/content/10/10794/post_10794083.html"
    )
    assert gkmlpt.article_url(api, f"{BASE}/nyjtj/gkmlpt/", {"id": 963149}) == (
        f"{BASE}/nyjtj/gkmlpt/content/0/963/post_963149.html"
    )


def test_guangdong_portal_column_mobile_links() -> None:
    """Shenzhen/Guangzhou columns outside gkmlpt: a report linked as mpost_ is asked for as post_."""
    html = (
        "<html><body><ul class='list'>"
        "<li><a href='./content/mpost_12675915.html' title='深圳市2023年政府信息公开工作年度报告'>深圳市2023年政府信息…</a></li>"
        "<li><a href='./content/post_12675000.html'>深圳市2023年法治政府建设年度报告</a></li>"
        "</ul></body></html>"
    )
    page = Page("https://www.example.gov.cn/cn/xxgk/ndxxgkbg/index.html", html)
    links = gkmlpt.mobile_to_desktop(page)
    assert [(link.url, link.kind) for link in links] == [
        ("https://www.example.gov.cn/cn/xxgk/ndxxgkbg/content/post_12675915.html", "report")
    ]


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"articles": "x"}', '{"articles": [1, null, {"title": 3}]}', '{"total": "9"}'],
)
def test_malformed_api_answers_give_nothing(text: str) -> None:
    page = Page(f"{BASE}/nyjtj/gkmlpt/api/all/0?page=1&sid=1", text, content_type="application/json")
    assert gkmlpt.PLATFORM.links(page) == []


def test_page_count_is_capped() -> None:
    answer = {"total": 10**9, "articles": [{"id": 1, "title": "x"}]}
    page = Page(f"{BASE}/nyjtj/gkmlpt/api/all/0?page=1&sid=1", json.dumps(answer), "application/json")
    assert len(gkmlpt.PLATFORM.links(page)) == gkmlpt.MAX_PAGES - 1


def test_unreadable_tree_falls_back_to_all_categories() -> None:
    html = '<script>window._CONFIG = { SID: \'42\', TREE: [{"id": 1, "name": "年报"], SERVICE_AREA_ID: 1 };</script>'
    links = gkmlpt.PLATFORM.links(Page(f"{BASE}/x/gkmlpt/index", html))
    assert [link.url for link in links] == [f"{BASE}/x/gkmlpt/api/all/0?page=1&sid=42"]


def test_not_gkmlpt() -> None:
    page = Page(
        "http://www.example.gov.cn/zwgk/index.html", "<html><script>var _CONFIG = {};</script></html>"
    )
    assert "gkmlpt" not in platform_names(page)


def test_report_page_is_extracted_and_parsed() -> None:
    from archive.extract import extract_page
    from archive.parser import parse_report

    row = D.REPORTS[0]
    page = site_page(row.path)
    extracted = extract_page(page.text, page.url)
    assert extracted.metadata["标题"] == row.title
    assert extracted.metadata["发布日期"] == row.published.strftime("%Y-%m-%d")
    report = parse_report(extracted.text, url=page.url)
    assert (report.title, report.agency, report.year) == (row.title, D.AGENCY, row.text.year)
    assert all(c.ok for c in report.checks)
    # the attachment is named on the report page
    assert any(link.kind == "attachment" and link.url.endswith(f"/{row.id}.pdf") for link in discover(page))


# --- end to end -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    data = tmp_path_factory.mktemp("gkmlpt-crawl")
    try:
        return crawl_portal(PORTAL, data)
    finally:
        shutil.rmtree(data / "warc", ignore_errors=True)


def test_crawl_finds_every_report_and_nothing_else(crawled: list[dict]) -> None:
    stored = {urlsplit(r["url"]).path: r for r in crawled}
    expected = {r["path"]: r for r in PORTAL.expected["reports"]}
    assert set(stored) == set(expected), (
        sorted(set(expected) - set(stored)),
        sorted(set(stored) - set(expected)),
    )
    for path, want in expected.items():
        assert (stored[path]["title"], stored[path]["agency"], stored[path]["year"]) == (
            want["title"], want["agency"], want["year"],
        )  # fmt: skip
    assert len(crawled) == len(expected)
    assert not set(stored) & set(PORTAL.expected["not_reports"])
