"""The generated portal (`tests/portalgen.py`) itself: deterministic, the size asked for, every report
linked from a listing and saying what its expectation says, every link resolving, GBK pages GBK, and
the server answering like a static site. Crawls of it are other tests' business.
"""

from __future__ import annotations

import http.client
import io
import re
import zipfile
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest

from archive.classify import is_report_title
from tests import reportgen
from tests.portalgen import COUNTY, YEARS, Portal, build_portal, serve

HOST = "http://127.0.0.1"
_LINK = re.compile(r'<a\s[^>]*?href="([^"]*)"')
_REF = re.compile(r'(?:href|src)="([^"]*)"')


@pytest.fixture(scope="module")
def portal() -> Portal:
    return build_portal(0)


def text_of(portal: Portal, path: str) -> str:
    body, content_type = portal.files[path]
    return body.decode("utf-8" if "utf-8" in content_type else "gbk")


def local(page: str, href: str) -> str | None:
    """The file path a link on `page` points at, or None for script, mail and other sites' links."""
    if href.startswith(("javascript:", "mailto:", "#")):
        return None
    url = urlsplit(urljoin(HOST + page, href))
    if f"{url.scheme}://{url.netloc}" != HOST:
        return None
    return url.path + "index.html" if url.path.endswith("/") else url.path


def html_pages(portal: Portal) -> list[str]:
    return [p for p, (_, t) in portal.files.items() if t.startswith("text/html")]


def test_same_seed_same_site_other_seed_other_site(portal: Portal) -> None:
    again = build_portal(0)
    assert again.files == portal.files
    assert again.reports == portal.reports
    assert [r.cells for r in again.reports] == [r.cells for r in portal.reports]
    other = build_portal(1)
    assert other.files.keys() != portal.files.keys()
    assert other.page_count == portal.page_count == 1300


def test_size_and_mix(portal: Portal) -> None:
    assert portal.page_count == len(html_pages(portal)) == 1300
    assert len(portal.reports) == 300
    kinds = Counter((r.kind, r.encoding) for r in portal.reports)
    assert kinds[("docx", "utf-8")] >= 15 and kinds[("html", "gbk")] >= 15 and kinds[("html", "utf-8")] >= 200
    assert sum(1 for r in portal.reports if "/ndbg/" in r.page and not r.page.startswith("/zwgk/ndbg/")) >= 10
    assert len(portal.lookalikes) >= 100
    assert len(html_pages(portal)) - len(portal.reports) > 900  # most pages are not reports


def test_reports_are_one_per_agency_and_year_and_consistent(portal: Portal) -> None:
    assert len({(r.agency, r.year) for r in portal.reports}) == len(portal.reports)
    assert len({r.path for r in portal.reports}) == len(portal.reports)
    for r in portal.reports:
        assert r.year in YEARS
        assert r.title == f"{r.agency}{r.year}年政府信息公开工作年度报告"
        assert r.format == ("2019" if r.year <= 2020 else "2021")
        assert r.published.startswith(f"{r.year + 1}-")
        assert r.agency.startswith(("澄川县", "澄川经济开发区"))
        assert re.fullmatch(r"/zwgk/.+/\d{6}/t\d{8}_\d{7}\.html", r.page)
        day = r.published.replace("-", "")
        assert f"/{day[:6]}/t{day}_" in r.page


def test_report_pages_say_what_the_expectation_says(portal: Portal) -> None:
    others = [a for a in reportgen.AGENCIES if not a.startswith("某某")]
    for r in portal.reports:
        page = text_of(portal, r.page)
        assert f"<title>{r.title}_澄川县人民政府</title>" in page
        assert f'<meta name="ArticleTitle" content="{r.title}">' in page
        assert f'<meta name="PubDate" content="{r.published} ' in page
        assert f"发布日期：{r.published}" in page
        assert '<div class="TRS_Editor">' in page
        if r.kind == "html":
            assert r.path == r.page
            assert f"现公布{r.agency}{r.year}年政府信息公开工作年度报告" in page
            assert f"统计期限自{r.year}年1月1日起至{r.year}年12月31日止" in page
            text = page[page.index('<div class="xxgk-meta">') : page.index('<div class="tools">')]
            assert not any(a in text for a in others), r.page  # reportgen's agencies are all replaced
            assert "年度信息公开工作报告" not in text and "年度政府信息公开工作年度报告" not in text
        else:
            assert r.path.endswith(".docx") and r.path.rsplit("/", 1)[1] in page
            document = zipfile.ZipFile(io.BytesIO(portal.files[r.path][0])).read("word/document.xml").decode()
            assert f"现公布{r.agency}{r.year}年政府信息公开工作年度报告" in document
            assert document.count("<w:tbl>") == 3 and "w:vMerge" in document and "w:gridSpan" in document


def test_docx_opens_in_python_docx(portal: Portal) -> None:
    docx = pytest.importorskip("docx")
    r = next(r for r in portal.reports if r.kind == "docx")
    document = docx.Document(io.BytesIO(portal.files[r.path][0]))
    assert len(document.tables) == 3
    assert any(r.agency in p.text for p in document.paragraphs)
    assert document.core_properties.title == r.title


def test_gbk_pages_are_gbk_declared_only_in_the_page(portal: Portal) -> None:
    gbk = [r for r in portal.reports if r.encoding == "gbk"]
    assert gbk
    for r in gbk:
        body, content_type = portal.files[r.page]
        assert content_type == "text/html"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        page = body.decode("gbk")
        assert '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' in page[:200]
        assert r.title in page
    for path in html_pages(portal):
        body, content_type = portal.files[path]
        if content_type != "text/html":
            assert content_type == "text/html; charset=utf-8"
            assert '<meta charset="utf-8">' in body.decode("utf-8")[:200]


def test_every_report_is_listed_and_paged_by_next_anchors(portal: Portal) -> None:
    listed: set[str] = set()
    for path in portal.listings:
        page = text_of(portal, path)
        listed.update(filter(None, (local(path, h) for h in _LINK.findall(page))))
        pages = int(re.search(r"共(\d+)页", page).group(1))  # type: ignore[union-attr]
        n = int(re.search(r"当前第(\d+)页", page).group(1))  # type: ignore[union-attr]
        following = re.search(r'<a href="(index_\d+\.html)">下一页</a>', page)
        if n < pages:
            assert (
                following and local(path, following.group(1)) == path.rsplit("/", 1)[0] + f"/index_{n}.html"
            )
        else:
            assert following is None and "<span>下一页</span>" in page
    assert {r.page for r in portal.reports} <= listed
    column = [p for p in portal.listings if re.fullmatch(r"/zwgk/ndbg/index(_\d+)?\.html", p)]
    assert len(column) >= 10  # the report column runs over many pages


def test_every_link_resolves_or_is_an_intentional_404(portal: Portal) -> None:
    linked: set[str] = set()
    for path in html_pages(portal):
        page = text_of(portal, path)
        for href in _REF.findall(page):
            target = local(path, href.replace("&amp;", "&"))
            if target is not None:
                linked.add(target)
                assert target in portal.files or target in portal.dead_links, (path, href)
    assert portal.dead_links and portal.dead_links <= linked
    assert not portal.dead_links & portal.files.keys()
    assert linked >= set(html_pages(portal)) - {"/index.html"}  # no orphan page


def test_titles_classify_as_the_expectation_says(portal: Portal) -> None:
    reports = {r.page for r in portal.reports}
    for path, title in portal.titles.items():
        assert is_report_title(title) == (path in reports), (path, title)
    assert all(COUNTY in portal.titles[p] or "年" in portal.titles[p] for p in portal.lookalikes)


def test_smaller_portals_and_bounds() -> None:
    small = build_portal(3, pages=600, reports=40)
    assert small.page_count == 600 and len(small.reports) == 40
    with pytest.raises(ValueError, match="reports"):
        build_portal(0, reports=400)
    with pytest.raises(ValueError, match="pages"):
        build_portal(0, pages=300, reports=300)


def get(base: str, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_served_like_a_static_site(portal: Portal) -> None:
    gbk = next(r for r in portal.reports if r.encoding == "gbk")
    docx = next(r for r in portal.reports if r.kind == "docx")
    with serve(portal) as (base, hits):
        assert base.startswith("http://127.0.0.1:") and base.endswith("/")
        status, headers, body = get(base, "/")
        assert status == 200 and body == portal.files["/index.html"][0]
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Content-Length"] == str(len(body))
        assert get(base, "/robots.txt")[2] == b"User-agent: *\nDisallow:\n"
        status, headers, body = get(base, gbk.page)
        assert (status, headers["Content-Type"], body) == (200, "text/html", portal.files[gbk.page][0])
        status, headers, body = get(base, docx.path)
        assert status == 200 and body[:2] == b"PK" and "wordprocessingml" in headers["Content-Type"]
        assert get(base, "/zwgk/ndbg/")[2] == portal.files["/zwgk/ndbg/index.html"][0]
        assert get(base, next(iter(portal.dead_links)))[0] == 404
        assert get(base, "/no/such/page.html")[0] == 404
        status, headers, _ = get(base, "/zwgk/index.html")
        assert headers["Last-Modified"].endswith("GMT")
        assert get(base, "/zwgk/index.html", {"If-None-Match": headers["ETag"]})[0] == 304
        status, headers, body = get(base, "/zwgk/index.html", method="HEAD")
        assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
        counted = hits.snapshot()
    assert counted["/"] == 1 and counted["/zwgk/index.html"] == 2 and counted["/no/such/page.html"] == 1
    assert sum(counted.values()) == 9  # every GET (the 304 too), no HEAD
