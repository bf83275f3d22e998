"""The bundled sample portal: served over real HTTP, its headers, its link graph, and its ground truth.

The cell comparison reads the served tables with its own small grid reader instead of reusing the
generator's code: `expected.json` is what every crawler/parser test trusts, so it must be checked
against what a client actually receives, not against the data it was generated from.
"""

from __future__ import annotations

import gzip
import http.client
import io
import json
import re
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from PIL import Image

from nianbao.sample_portal import build as portal_build
from nianbao.sample_portal.server import serve

PACKAGE_DIR = Path(portal_build.__file__).resolve().parent
SITE_DIR = PACKAGE_DIR / "site"
EXPECTED: dict[str, Any] = json.loads((PACKAGE_DIR / "expected.json").read_text(encoding="utf-8"))


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes  # as sent (still gzipped if Content-Encoding says so); chunking already undone

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class Client:
    """A raw HTTP/1.1 client: http.client shows the headers exactly as the server sent them."""

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Fetched:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return Fetched(resp.status, resp.msg, resp.read())
        finally:
            conn.close()

    def html(self, path: str) -> tuple[str, Fetched]:
        """Fetch and decode a page the way a careful client must: HTTP charset, then <meta>, GBK as gb18030."""
        page = self.get(path)
        assert page.status == 200, path
        charset = None
        ctype = page.header("Content-Type") or ""
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].strip()
        if charset is None:
            m = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", page.body[:2048])
            charset = m.group(1).decode() if m else "utf-8"
        if charset.lower() in ("gb2312", "gbk", "gb18030"):
            charset = "gb18030"
        return page.body.decode(charset), page


@pytest.fixture(scope="module")
def portal() -> Iterator[Client]:
    with serve() as base:
        yield Client(base)


def _reports() -> list[dict[str, Any]]:
    """The reports whose page carries their text (the 图片版 one is pictures: see its own test)."""
    return [r for r in EXPECTED["reports"] if not r["scanned"]]


# ---------------------------------------------------------------------------------------------------
# HTTP behaviour
# ---------------------------------------------------------------------------------------------------


def test_home_page_headers(portal: Client) -> None:
    page = portal.get("/index.html")
    assert page.status == 200
    assert page.header("Content-Type") == "text/html; charset=utf-8"
    assert (page.header("Server") or "").startswith("nginx")
    cookies = page.headers.get_all("Set-Cookie") or []
    assert len(cookies) == 2
    assert {c.split("=", 1)[0] for c in cookies} == {"JSESSIONID", "_trs_uv"}
    assert page.header("Content-Length") == str(len(page.body))
    assert "青禾市人民政府" in page.body.decode("utf-8")


def test_root_and_directory_urls(portal: Client) -> None:
    assert portal.get("/").status == 200
    moved = portal.get("/zwgk")
    assert moved.status == 301 and moved.header("Location") == "/zwgk/"
    assert portal.get("/zwgk/").body == portal.get("/zwgk/index.html").body


def test_gzip_only_when_asked(portal: Client) -> None:
    path = "/zwgk/zfxxgknb/202401/t20240129_3166893.html"
    plain = portal.get(path)
    zipped = portal.get(path, {"Accept-Encoding": "gzip, deflate"})
    refused = portal.get(path, {"Accept-Encoding": "gzip;q=0, identity"})
    assert plain.header("Content-Encoding") is None
    assert zipped.header("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in (zipped.header("Vary") or "")
    assert gzip.decompress(zipped.body) == plain.body
    assert refused.header("Content-Encoding") is None
    png = portal.get("/images/logo.png", {"Accept-Encoding": "gzip"})
    assert png.header("Content-Encoding") is None and png.header("Content-Type") == "image/png"


def test_etag_and_last_modified_give_304(portal: Client) -> None:
    path = _reports()[0]["path"]
    first = portal.get(path)
    etag, modified = first.header("ETag"), first.header("Last-Modified")
    assert etag and modified
    again = portal.get(path, {"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert portal.get(path, {"If-Modified-Since": modified}).status == 304
    assert portal.get(path, {"If-None-Match": '"other"'}).status == 200
    assert portal.get(path, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status == 200
    zipped = portal.get(path, {"Accept-Encoding": "gzip"})
    weak = zipped.header("ETag") or ""
    assert weak.startswith("W/")
    assert portal.get(path, {"Accept-Encoding": "gzip", "If-None-Match": weak}).status == 304


def test_listings_are_chunked_articles_have_length(portal: Client) -> None:
    listing = portal.get("/zwgk/zfxxgknb/index_1.html")
    assert listing.header("Transfer-Encoding") == "chunked"
    assert listing.header("Content-Length") is None
    assert b"createPageHTML" in listing.body
    article = portal.get(_reports()[0]["path"])
    assert article.header("Transfer-Encoding") is None
    assert article.header("Content-Length") == str(len(article.body))


def test_gbk_page_has_no_http_charset(portal: Client) -> None:
    gbk = [r for r in _reports() if r["encoding"] == "gbk"]
    assert gbk
    for report in gbk:
        page = portal.get(report["path"])
        assert page.header("Content-Type") == "text/html"
        assert b'charset=gb2312"' in page.body[:1024]
        with pytest.raises(UnicodeDecodeError):
            page.body.decode("utf-8")
        with pytest.raises(UnicodeDecodeError):
            page.body.decode("gb2312")  # 堃 is GBK but not GB2312
        text = page.body.decode("gb18030")
        assert "堃" in text and report["title"] in text


def test_404_robots_head_post(portal: Client) -> None:
    missing = portal.get("/zwgk/zfxxgknb/202401/t20240101_0000000.html")
    assert missing.status == 404 and "页面不存在" in missing.body.decode("utf-8")
    robots = portal.get("/robots.txt")
    assert robots.status == 200 and "Disallow: /search/" in robots.body.decode()
    head = portal.get("/index.html", method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.header("Content-Length") or 0) > 0
    assert portal.get("/zmhd/submit", method="POST").status == 405


def test_delay_slows_every_response() -> None:
    with serve(delay=0.3) as base:
        client = Client(base)
        started = time.monotonic()
        assert client.get("/robots.txt").status == 200
        assert time.monotonic() - started >= 0.3


# ---------------------------------------------------------------------------------------------------
# Portal content and link graph
# ---------------------------------------------------------------------------------------------------


def test_every_expected_path_is_served(portal: Client) -> None:
    paths = {p["path"] for p in EXPECTED["pages"]}
    paths |= {r["path"] for r in _reports()} | {f["path"] for f in EXPECTED["failures"]}
    paths |= set(EXPECTED["not_reports"])
    for path in sorted(paths):
        assert portal.get(path).status == 200, path


def test_report_column_pagination(portal: Client) -> None:
    pages = EXPECTED["site"]["report_column_pages"]
    assert pages == [
        "/zwgk/zfxxgknb/index.html",
        "/zwgk/zfxxgknb/index_1.html",
        "/zwgk/zfxxgknb/index_2.html",
    ]
    linked: set[str] = set()
    for n, path in enumerate(pages):
        text, _ = portal.html(path)
        assert f"var currentPage = {n};" in text and "var countPage = 3" in text
        assert f'createPageHTML(3, {n}, "index", "html");' in text
        doc = lxml.html.fromstring(text)
        pager = {a.get("href") for a in doc.xpath('//div[@class="page"]//a')}
        assert {"index.html", "index_2.html"} <= pager
        if n < 2:
            assert f"index_{n + 1}.html" in pager
        items = doc.xpath('//ul[@class="list"]/li/a')
        assert 1 <= len(items) <= 4
        for a in items:
            href = a.get("href")
            assert re.fullmatch(r"\./\d{6}/t\d{8}_\d+\.html", href), href
            assert a.get("title") == a.text_content()
            linked.add(urlsplit(urljoin(portal.base + path.lstrip("/"), href)).path)
    expected = {r["path"] for r in _reports()} | {f["path"] for f in EXPECTED["failures"]}
    assert expected <= linked
    assert any("年度报告" in n["title"] and n["path"] in linked for n in EXPECTED["lookalikes"])


def _crawl(client: Client) -> set[str]:
    """Every same-site path reachable from the home page by plain links, honouring robots.txt."""
    seen: set[str] = set()
    queue = deque(["/index.html"])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        page = client.get(path)
        if page.status != 200 or not (page.header("Content-Type") or "").startswith("text/html"):
            continue
        text, _ = client.html(path)
        doc = lxml.html.fromstring(text)
        for href in doc.xpath("//a/@href"):
            url = urljoin(client.base + path.lstrip("/"), href)
            parts = urlsplit(url)
            if parts.scheme != "http" or parts.netloc != urlsplit(client.base).netloc:
                continue
            target = parts.path if not parts.path.endswith("/") else parts.path + "index.html"
            if target.startswith("/search/") or not target.endswith(".html"):
                continue
            queue.append(target)
    return seen


def test_everything_is_reachable_by_links(portal: Client) -> None:
    reachable = _crawl(portal)
    html_pages = {p["path"] for p in EXPECTED["pages"] if p["kind"] != "error"}
    assert html_pages <= reachable, sorted(html_pages - reachable)
    assert set(EXPECTED["not_reports"]) <= reachable


def _zoom(text: str) -> lxml.html.HtmlElement:
    doc = lxml.html.fromstring(text)
    (zoom,) = doc.xpath('//div[@id="zoom"]')
    return zoom


def _visible_text(el: lxml.html.HtmlElement) -> str:
    el = lxml.html.fromstring(lxml.html.tostring(el))
    for hidden in el.xpath('.//*[contains(translate(@style, " ", ""), "display:none")]'):
        hidden.getparent().remove(hidden)
    return el.text_content()


def test_report_pages_metadata(portal: Client) -> None:
    for report in _reports():
        text, _ = portal.html(report["path"])
        doc = lxml.html.fromstring(text)
        assert doc.xpath('string(//meta[@name="ArticleTitle"]/@content)') == report["title"]
        assert doc.xpath('string(//meta[@name="PubDate"]/@content)')[:10] == report["published_on"]
        assert doc.xpath("string(//h1)").strip() == report["title"]
        assert report["index_no"] in doc.xpath('string(//div[@class="xxgk-meta"])')
        assert "当前位置" in text and "政府信息公开年报" in doc.xpath('string(//div[@class="location"])')
        assert str(report["year"]) in report["title"] and report["agency"] in report["title"]


def test_furniture_on_pages_not_in_report_text(portal: Client) -> None:
    furniture = EXPECTED["furniture"]
    assert {"无障碍", "关怀版", "政务微信", "政务微博", "政务APP", "背景色", "ICP备", "公网安备"} <= set(
        furniture
    )
    for report in _reports():
        text, _ = portal.html(report["path"])
        for word in (
            "无障碍",
            "关怀版",
            "政务微信",
            "政务微博",
            "政务APP",
            "背景色",
            "打印本页",
            "关闭窗口",
            "网站标识码",
        ):
            assert word in text, (report["path"], word)
        clean = _visible_text(_zoom(text))
        for word in furniture + EXPECTED["spam"]:
            assert word not in clean, (report["path"], word)


def test_spam_injected_in_one_report(portal: Client) -> None:
    spammed = [r for r in _reports() if r["spam"]]
    assert len(spammed) == 1
    text, _ = portal.html(spammed[0]["path"])
    for word in EXPECTED["spam"]:
        assert word in text
    assert "left:-9999px" in text and "display:none" in text
    for other in _reports():
        if not other["spam"]:
            body, _ = portal.html(other["path"])
            assert not any(w in body for w in EXPECTED["spam"])


def test_the_scanned_report_is_pictures_of_its_printed_pages(portal: Client) -> None:
    """图片版: the page has no text of its own (its extraction fails, as expected.json's failure
    says), and its pictures are JPEG scans of the printed report whose cells expected.json holds."""
    (failure,) = EXPECTED["failures"]
    assert failure["reason"] == "image" and "图片版" in failure["title"]
    (scanned,) = [r for r in EXPECTED["reports"] if r["scanned"]]
    assert scanned["path"] == failure["path"] and len(scanned["cells"]) == 200
    text, _ = portal.html(failure["path"])
    zoom = _zoom(text)
    assert zoom.xpath(".//table") == []
    assert zoom.text_content().strip() == ""
    sources = zoom.xpath(".//img/@src")
    assert len(sources) == 4
    for src in sources:
        img = portal.get(urlsplit(urljoin(portal.base + failure["path"].lstrip("/"), src)).path)
        assert img.status == 200 and img.body.startswith(b"\xff\xd8\xff")  # JPEG
        with Image.open(io.BytesIO(img.body)) as picture:
            assert picture.width >= 1200  # a page at 150 dpi: readable, as real scans are


def test_expected_json_shape() -> None:
    reports = _reports()
    assert len(reports) >= 7
    assert {r["format"] for r in reports} == {"2019", "2021"}
    assert len({r["agency"] for r in reports}) >= 5
    assert {r["year"] for r in reports} >= {2019, 2020, 2021, 2022, 2023, 2024}
    assert any(r["markup"] == "word" for r in reports)
    assert any(v is None for r in reports for v in r["cells"].values())
    fees = {r["processing_fee_yuan"] for r in reports}
    assert {0, 120, None} <= fees
    assert EXPECTED["not_reports"] == [n["path"] for n in EXPECTED["lookalikes"]]
    kinds = {n["kind"] for n in EXPECTED["lookalikes"]}
    assert {"budget", "final_accounts", "rule_of_law", "guide", "meeting_news"} <= kinds


# ---------------------------------------------------------------------------------------------------
# expected.json cells against the served tables
# ---------------------------------------------------------------------------------------------------

ACTIVE_ROWS = {
    "规章": "rules",
    "规范性文件": "normative_documents",
    "行政规范性文件": "normative_documents",
    "行政许可": "licensing",
    "其他对外管理服务事项": "other_services",
    "行政处罚": "penalty",
    "行政强制": "enforcement",
    "行政事业性收费": "fees",
    "政府集中采购": "procurement",
}
ACTIVE_COLUMNS = {
    "2021": {
        "rules": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "penalty": ("decisions",),
        "enforcement": ("decisions",),
        "fees": ("amount",),
    },
    "2019": {
        "rules": ("made", "published", "total_public"),
        "normative_documents": ("made", "published", "total_public"),
        "licensing": ("prior_items", "change", "decisions"),
        "other_services": ("prior_items", "change", "decisions"),
        "penalty": ("prior_items", "change", "decisions"),
        "enforcement": ("prior_items", "change", "decisions"),
        "fees": ("prior_items", "change"),
        "procurement": ("items", "amount"),
    },
}
_OUTCOMES = [
    "granted",
    "partially_granted",
    *(
        f"denied.{k}"
        for k in (
            "state_secret",
            "prohibited_by_law",
            "three_safeties",
            "third_party",
            "internal_affairs",
            "process_info",
            "enforcement_file",
            "query_item",
        )
    ),
    "unable.not_held",
    "unable.needs_creation",
    "unable.unclear",
    *(f"not_processed.{k}" for k in ("petition", "duplicate", "publication", "excessive", "confirmation")),
]
APP_ROWS = {
    "2021": [
        "new",
        "carried_over",
        *_OUTCOMES,
        "other_handling.no_correction",
        "other_handling.unpaid_fee",
        "other_handling.other",
        "total",
        "carried_forward",
    ],
    "2019": ["new", "carried_over", *_OUTCOMES, "other_handling", "total", "carried_forward"],
}
APP_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
REVIEW_KEYS = [
    f"{g}.{c}"
    for g in ("review", "litigation_direct", "litigation_after_review")
    for c in ("upheld", "corrected", "other", "pending", "total")
]


def _number(td: lxml.html.HtmlElement) -> int | Decimal | None:
    text = re.sub(r"\s+", "", td.text_content().replace("\xa0", ""))
    if not text:
        return None
    text = text.removesuffix("元").lstrip("+")
    return Decimal(text) if "." in text else int(text)


def _label(td: lxml.html.HtmlElement) -> str:
    return re.sub(r"\s+", "", td.text_content().replace("\xa0", ""))


def read_cells(text: str, fmt: str) -> dict[str, int | Decimal | None]:
    """Every standard cell of a served report page, read straight from its three tables."""
    tables = _zoom(text).xpath(".//table")
    assert len(tables) == 3
    active, apps, review = ([tr.xpath("./td") for tr in t.xpath(".//tr")] for t in tables)
    cells: dict[str, int | Decimal | None] = {}
    for tds in active:
        row = ACTIVE_ROWS.get(_label(tds[0]))
        if row is None:
            continue
        columns = ACTIVE_COLUMNS[fmt][row]
        assert len(tds) - 1 == len(columns), row
        for column, td in zip(columns, tds[1:], strict=True):
            cells[f"active.{row}.{column}"] = _number(td)
    data_rows = [tds for tds in apps if len(tds) >= 8]
    assert len(data_rows) == len(APP_ROWS[fmt])
    for key, tds in zip(APP_ROWS[fmt], data_rows, strict=True):
        for column, td in zip(APP_COLUMNS, tds[-7:], strict=True):
            cells[f"applications.{key}.{column}"] = _number(td)
    (numbers,) = [
        tds
        for tds in review
        if len(tds) == 15 and all(_label(t) == "" or _label(t)[0].isdigit() for t in tds)
    ]
    for key, td in zip(REVIEW_KEYS, numbers, strict=True):
        cells[key] = _number(td)
    return cells


def _as_decimal(value: object) -> object:
    return Decimal(str(value)) if isinstance(value, float) else value


@pytest.mark.parametrize("report", _reports(), ids=lambda r: r["path"].rsplit("/", 1)[-1])
def test_expected_cells_match_served_tables(portal: Client, report: dict[str, Any]) -> None:
    text, _ = portal.html(report["path"])
    served = read_cells(text, report["format"])
    expected = {k: _as_decimal(v) for k, v in report["cells"].items()}
    assert served == expected


@pytest.mark.parametrize("report", _reports(), ids=lambda r: r["path"].rsplit("/", 1)[-1])
def test_table_spans_follow_the_official_layout(portal: Client, report: dict[str, Any]) -> None:
    text, _ = portal.html(report["path"])
    apps = _zoom(text).xpath(".//table")[1]
    spans = {_label(td): (td.get("colspan"), td.get("rowspan")) for td in apps.xpath(".//td")}
    assert spans["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] == ("3", "3")
    assert spans["申请人情况"] == ("7", None)
    assert spans["自然人"] == (None, "2") and spans["总计"] == (None, "2")
    assert spans["法人或其他组织"] == ("5", None)
    assert spans["三、本年度办理结果"] == (None, "22" if report["format"] == "2021" else "20")
    assert spans["（三）不予公开"] == (None, "8")


def test_processing_fee_is_stated_in_section_six(portal: Client) -> None:
    for report in _reports():
        text, _ = portal.html(report["path"])
        clean = _visible_text(_zoom(text))
        fee = report["processing_fee_yuan"]
        if fee is None:
            assert "信息处理费" not in clean
        elif fee == 0:
            assert "未收取信息处理费" in clean
        else:
            assert f"信息处理费{fee}元" in clean


# ---------------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------------


def test_build_is_deterministic_and_matches_committed_files(tmp_path: Path) -> None:
    site, expected = tmp_path / "site", tmp_path / "expected.json"
    portal_build.build(site, expected)
    built = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(SITE_DIR).as_posix(): p.read_bytes() for p in SITE_DIR.rglob("*") if p.is_file()
    }
    assert sorted(built) == sorted(committed)
    changed = [name for name in built if built[name] != committed[name]]
    assert changed == [], "run `python -m nianbao.sample_portal.build` and commit the result"
    assert expected.read_bytes() == (PACKAGE_DIR / "expected.json").read_bytes()
