"""The county portal: an old static site only the generic adapter reads.

Unit checks on its pages (paging anchors, look-alikes, the spam block, the two encoding traps
through `archive.extract.decode_html`), then a real crawl over HTTP: every report found once
(the repost and the 301 included), no look-alike stored, nothing fetched off-site.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from w3lib.encoding import html_body_declared_encoding

from archive.classify import is_report_title
from archive.extract import decode_html, extract_page
from archive.parser import parse_report
from crawler.platforms import Page, discover, platform_names
from tests.world import crawl_portal, site_bytes
from tests.world.county import CONTENT_TYPES, PORTAL, SITE_DIR
from tests.world.county import build as B

BASE = "http://127.0.0.1:8000"


def raw(path: str) -> bytes:
    return (SITE_DIR / path.lstrip("/")).read_bytes()


def page(path: str) -> Page:
    return Page(BASE + path, raw(path).decode("utf-8"))


def test_committed_site_is_what_the_build_writes(tmp_path: Path) -> None:
    B.build(tmp_path / "site")
    assert site_bytes(tmp_path / "site") == site_bytes(SITE_DIR)


def test_no_platform_adapter_claims_the_site() -> None:
    for path in ("/index.html", "/zwgk/ndbg/index.html", "/zwgk/ndbg/index_1.html"):
        assert platform_names(page(path)) == [], path


def test_column_pages_chain_by_plain_anchors() -> None:
    first = {link.url for link in discover(page("/zwgk/ndbg/index.html")) if link.kind == "listing"}
    assert f"{BASE}/zwgk/ndbg/index_1.html" in first
    middle = {link.url for link in discover(page("/zwgk/ndbg/index_1.html")) if link.kind == "listing"}
    assert f"{BASE}/zwgk/ndbg/index_2.html" in middle


def test_column_names_its_reports_and_not_the_meeting_news() -> None:
    reports = {
        urlsplit(link.url).path for link in discover(page("/zwgk/ndbg/index.html")) if link.kind == "report"
    }
    assert reports == {B.REPORTS[k].path for k in ("gov2023", "edu2023", "town2022")}
    old = {
        urlsplit(link.url).path for link in discover(page("/zwgk/ndbg/index_1.html")) if link.kind == "report"
    }
    assert B.OLD_PATH in old  # the listing still links the address that now answers 301


def test_lookalikes_are_reachable_but_not_report_titles() -> None:
    """The crawl meets every look-alike (the precision test is not vacuous) and must turn it down."""
    reachable = set()
    for path in ("/index.html", "/zwgk/index.html", "/zwgk/ndbg/index.html"):
        reachable |= {urlsplit(link.url).path for link in discover(page(path)) if link.kind != "report"}
    for path, title, *_ in B.LOOKALIKES:
        assert path in reachable, path
        assert not is_report_title(title), title


def test_spam_mirror_is_off_site() -> None:
    home = page("/index.html")
    hrefs = home.selector.xpath("//a/@href").getall()
    assert set(PORTAL.expected["offsite"]) <= set(hrefs)
    spam_links = [link for link in discover(home) if link.url.startswith(B.SPAM_HOST)]
    # The adapter may name a mirror link (its title looks like a report): scope must drop it, and the
    # crawl test below checks that nothing off-site is ever fetched.
    assert all(urlsplit(link.url).hostname != "127.0.0.1" for link in spam_links)


def test_late_meta_trap_is_real_and_decoded() -> None:
    body = raw(B.REPORTS["gov2023"].path)
    assert body.find(b"charset=gb2312") > 4096
    assert html_body_declared_encoding(body) is None  # what w3lib alone concludes
    text, encoding = decode_html(body, CONTENT_TYPES[B.REPORTS["gov2023"].path])
    assert encoding in ("gb18030", "gbk", "gb2312")
    assert B.REPORTS["gov2023"].title in text


def test_utf8_header_on_gbk_body_is_redecoded() -> None:
    report = B.REPORTS["edu2023"]
    body = raw(report.path)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text, encoding = decode_html(body, CONTENT_TYPES[report.path])
    assert encoding == "gb18030"
    assert report.title in text and "\ufffd" not in text


@pytest.mark.parametrize("key", sorted(B.REPORTS))
def test_each_report_page_parses(key: str) -> None:
    report = B.REPORTS[key]
    html, encoding = decode_html(raw(report.path), CONTENT_TYPES.get(report.path, "text/html"))
    extracted = extract_page(html, BASE + report.path, encoding)
    assert "首　页" not in extracted.text and "网站标识码" not in extracted.text  # layout tables left out
    parsed = parse_report(extracted.text, url=BASE + report.path)
    assert (parsed.title, parsed.agency, parsed.year) == (report.title, report.text.agency, report.text.year)
    assert parsed.format == report.text.fmt
    assert all(c.ok for c in parsed.checks)


def test_repost_is_the_same_report_in_another_column() -> None:
    a, b = PORTAL.expected["duplicates"][0]
    ta = extract_page(raw(a).decode("utf-8"), BASE + a).text
    tb = extract_page(raw(b).decode("utf-8"), BASE + b).text
    assert ta == tb and raw(a) != raw(b)


# --- end to end -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], set[str]]:
    data = tmp_path_factory.mktemp("county-crawl")
    records = crawl_portal(PORTAL, data)
    with sqlite3.connect(data / "nianbao.sqlite") as conn:
        fetched = {row[0] for row in conn.execute("select url from captures")}
    shutil.rmtree(data / "warc", ignore_errors=True)
    return records, fetched


def test_crawl_recall_and_precision(crawled: tuple[list[dict], set[str]]) -> None:
    records, fetched = crawled
    # A repost is stored once, under whichever of its URLs the crawl met first.
    same = {b: a for a, b in PORTAL.expected["duplicates"]}
    stored = [same.get(urlsplit(r["url"]).path, urlsplit(r["url"]).path) for r in records]
    expected = {r["path"]: r for r in PORTAL.expected["reports"]}
    assert sorted(stored) == sorted(expected), "each report exactly once (repost and redirect included)"
    for path, r in zip(stored, records, strict=True):
        want = expected[path]
        assert (r["title"], r["agency"], r["year"]) == (want["title"], want["agency"], want["year"])
    assert not {urlsplit(r["url"]).path for r in records} & set(PORTAL.expected["not_reports"])
    fetched_paths = {urlsplit(u).path for u in fetched}
    assert set(PORTAL.expected["not_reports"]) <= fetched_paths  # met and turned down, not missed
    for pair in PORTAL.expected["duplicates"]:
        assert set(pair) <= fetched_paths  # both copies were fetched: the store, not luck, kept one
    assert not [u for u in fetched if urlsplit(u).hostname != "127.0.0.1"]  # nothing off-site


def test_redirected_report_is_stored_at_its_final_url(crawled: tuple[list[dict], set[str]]) -> None:
    records, _fetched = crawled
    paths = {urlsplit(r["url"]).path for r in records}
    for old, new in PORTAL.expected["redirects"]:
        assert new in paths and old not in paths
