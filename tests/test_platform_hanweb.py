"""The Hanweb JCMS adapter on the 江北市 fixture portal: embedded datastore records, jpage range
POSTs, dataproxy answers; and a crawl of the portal over HTTP with the real CLI.
"""

from __future__ import annotations

import filecmp
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.platforms import Page, discover
from crawler.platforms.hanweb import PLATFORM, jpage_configs, range_requests, records
from tests.world import crawl_portal
from tests.world.hanweb import PORTAL
from tests.world.hanweb import build as hb

COLUMN = f"/col/col{hb.COL_NB}/index.html"
BASE = "http://www.jiangbeishi.gov.cn"
EXPECTED = PORTAL.expected


def page(path: str, content_type: str = "text/html") -> Page:
    raw = (hb.SITE_DIR / path.lstrip("/")).read_bytes()
    text = raw.decode("gb18030") if b'charset="gb2312"' in raw[:300] else raw.decode()
    return Page(url=BASE + path, text=text, content_type=content_type)


def report_paths(group: slice) -> set[str]:
    return {i.path for i in hb.NB_ITEMS[group] if i.kind == "report"}


def post(base: str, url: str, body: bytes | None, headers: dict[str, str]) -> tuple[str, str]:
    request = urllib.request.Request(base.rstrip("/") + url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode(), response.headers.get("Content-Type", "")


# -- the column page ---------------------------------------------------------------------------------


def test_column_page_reports_come_from_the_embedded_datastore_only() -> None:
    col = page(COLUMN)
    assert PLATFORM.matches(col)
    links = PLATFORM.links(col)
    reports = {urlsplit(link.url).path for link in links if link.kind == "report"}
    assert reports == report_paths(slice(0, 10))
    # the records are script text: plain anchors alone see none of them
    generic = {
        urlsplit(link.url).path for link in discover(Page(col.url, col.text.replace("<datastore", "<x")))
    }
    assert not generic & reports


def test_column_page_posts_every_remaining_record_range_with_the_widget_form() -> None:
    api = [link for link in PLATFORM.links(page(COLUMN)) if link.kind == "api"]
    assert [link.url for link in api] == [
        f"{BASE}/module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=20&perpage=5",
        f"{BASE}/module/web/jpage/dataproxy.jsp?startrecord=21&endrecord=30&perpage=5",
    ]
    for link in api:
        assert link.method == "POST"
        assert link.headers == (("Content-Type", "application/x-www-form-urlencoded"),)
        form = parse_qs(link.body.decode())
        assert form == {
            "col": ["1"],
            "appid": ["1"],
            "webid": [hb.WEBID],
            "path": ["/"],
            "columnid": [hb.COL_NB],
            "sourceContentType": ["1"],
            "unitid": [hb.UNIT[hb.COL_NB]],
            "webname": [hb.WEBNAME],
            "permissiontype": ["0"],
        }


def test_jpage_configuration_is_read_from_the_widget_call() -> None:
    (config,) = jpage_configs(page(COLUMN).text)
    assert (config.total, config.per_page, config.group_size) == (22, 5, 2)
    assert config.proxy_url == "/module/web/jpage/dataproxy.jsp"
    assert len(records(page(COLUMN).text)) == 10


def test_a_truncated_datastore_also_requests_the_first_group() -> None:
    (config,) = jpage_configs(page(COLUMN).text)
    starts = [
        parse_qs(urlsplit(link.url).query)["startrecord"][0] for link in range_requests(BASE, config, 3)
    ]
    assert starts == ["1", "11", "21"]


def test_a_single_group_column_asks_the_proxy_nothing() -> None:
    links = PLATFORM.links(page(f"/col/col{hb.COL_CZ}/index.html"))
    assert not [link for link in links if link.kind == "api"]
    # 部门预算/决算 records are neither reports nor navigation
    assert not [link for link in links if "art_" in link.url]


def test_without_a_widget_the_nextgroup_link_is_fetched() -> None:
    text = page(COLUMN).text.replace(".jpage(", ".pager(")
    api = [link for link in PLATFORM.links(Page(BASE + COLUMN, text)) if link.kind == "api"]
    assert len(api) == 1 and api[0].method == "GET"
    query = parse_qs(urlsplit(api[0].url).query)
    assert (
        query["page"] == ["1"]
        and query["columnid"] == [hb.COL_NB]
        and query["unitid"] == [hb.UNIT[hb.COL_NB]]
    )


def test_the_report_columns_tier_and_year_subcolumns_are_followed() -> None:
    """市直部门 and 2023年度 are named by nothing but that word: followed (as listings) because the
    page holding them is the 年报 column, by its title there and by its breadcrumb below."""
    tier = f"{BASE}/col/col{hb.COL_SZBM}/index.html"
    year = f"{BASE}/col/col{hb.COL_SZBM_2023}/index.html"
    assert {link.url: link.kind for link in discover(page(COLUMN))}.get(tier) == "listing"
    assert {link.url: link.kind for link in discover(page(f"/col/col{hb.COL_SZBM}/index.html"))}.get(
        year
    ) == "listing"
    found = {urlsplit(link.url).path for link in discover(page(f"/col/col{hb.COL_SZBM_2023}/index.html"))}
    assert {i.path for i in hb.SZBM_2023_ITEMS if i.kind == "report"} <= found


def test_article_pages_give_nothing_beyond_their_anchors() -> None:
    article = page(hb.NB_ITEMS[0].path)
    assert PLATFORM.matches(article)
    assert PLATFORM.links(article) == []


def test_not_hanweb_pages_are_not_matched() -> None:
    other = Page("http://example.gov.cn/zwgk/index.html", "<html><body><a href='/a.html'>x</a></body></html>")
    assert not PLATFORM.matches(other)


# -- the proxy, over HTTP ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base() -> str:
    with PORTAL.serve() as url:
        yield url


@pytest.mark.parametrize(("start", "group"), [(11, slice(10, 20)), (21, slice(20, 22))])
def test_dataproxy_answers_parse_into_the_group_reports(base: str, start: int, group: slice) -> None:
    link = next(
        link
        for link in PLATFORM.links(page(COLUMN))
        if link.kind == "api" and f"startrecord={start}&" in link.url
    )
    path = urlsplit(link.url)
    text, content_type = post(base, f"{path.path}?{path.query}", link.body, dict(link.headers))
    assert content_type.startswith("text/xml")
    for ct in (content_type, "text/html;charset=UTF-8"):  # some proxies answer XML as text/html
        answer = Page(base.rstrip("/") + f"{path.path}?{path.query}", text, content_type=ct)
        found = PLATFORM.links(answer)
        assert {urlsplit(x.url).path for x in found if x.kind == "report"} == report_paths(group)
        assert all(x.kind in ("report", "navigation") for x in found)


def test_dataproxy_without_the_form_is_empty(base: str) -> None:
    text, _ = post(base, "/module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=20&perpage=5", b"", {})
    assert records(text) == []
    assert (
        PLATFORM.links(Page(base + "module/web/jpage/dataproxy.jsp?startrecord=11", text, "text/xml")) == []
    )


def test_page_variant_answers_name_the_remaining_pages() -> None:
    url = f"{BASE}/module/web/jpage/dataproxy.jsp?page=1&webid=3&columnid={hb.COL_NB}&unitid=1"
    text = (
        "<datastore><recordset></recordset><totalrecord>22</totalrecord><totalpage>3</totalpage></datastore>"
    )
    links = PLATFORM.links(Page(url, text, "text/xml"))
    assert [parse_qs(urlsplit(x.url).query)["page"] for x in links] == [["2"], ["3"]]
    assert all(x.kind == "api" and x.method == "GET" for x in links)


def test_static_paging_does_not_exist(base: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(base + f"col/col{hb.COL_NB}/index_1.html", timeout=10)
    assert err.value.code == 404


def test_gbk_report_is_served_without_charset(base: str) -> None:
    gbk = next(r for r in EXPECTED["reports"] if r["encoding"] == "gbk")
    with urllib.request.urlopen(base.rstrip("/") + gbk["path"], timeout=10) as response:
        assert response.headers["Content-Type"] == "text/html"
        assert "江北市民政局".encode("gbk") in response.read()


def test_fixture_is_generated(tmp_path: Path) -> None:
    hb.build(tmp_path / "site", tmp_path / "site_data.json")
    compare = filecmp.dircmp(tmp_path / "site", hb.SITE_DIR)
    assert not (compare.left_only or compare.right_only or compare.diff_files)
    for sub in compare.subdirs.values():
        assert not (sub.left_only or sub.right_only or sub.diff_files), sub.left
    assert (tmp_path / "site_data.json").read_bytes() == hb.DATA_PATH.read_bytes()


def test_reports_are_spread_over_all_three_groups() -> None:
    assert report_paths(slice(0, 10)) and report_paths(slice(10, 20)) and report_paths(slice(20, 22))
    assert len(EXPECTED["reports"]) >= 4 and len(EXPECTED["not_reports"]) >= 4


# -- end to end --------------------------------------------------------------------------------------


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
