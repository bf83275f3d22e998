"""`nianbao serve` hit as an attacker or a sloppy client would: the server is a reading room bound to
127.0.0.1, but what it serves (titles, agencies, URLs, cells) came from untrusted government sites.

The store is built through the real path (`WarcStore.write_exchange`, then `ingest_archive`): a
report whose title and agency carry `<script>`, quotes and `</table>`, archived at a URL with Chinese
characters, `&` and a percent-escaped `#`; a decoy report at that URL cut at its `&` (where a client
that forgets to encode the query lands); a report whose stored version is then tampered with (hostile
cell values and keys, as another tool or a hand edit could leave it); a listing at a Chinese URL. A
real WACZ of it is built with `build_wacz` and served with `--wacz`, next to the store's
`nianbao.sqlite`. Requests go over a raw socket, so the exact bytes sent and received are checked.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from archive.db import ReportRow, sessions
from archive.ingest.rows import current_version
from archive.serve import make_server
from archive.serve.rwp import replaywebpage_dir
from archive.wacz import build_wacz
from archive.warcstore import WarcStore
from nianbao.sample_portal.build import report_page
from nianbao.sample_portal.content import REPORTS
from settings.registry import load_registry
from tests.archived import capture, ingest_archive

SITE = "http://www.qingheshi.gov.cn"
HOSTILE = '<script>alert("nianbao")</script>\'"</table>'
# The stored URL: Chinese path, two query parameters, and a percent-escaped '#' that must stay one.
HOSTILE_URL = f"{SITE}/zwgk/年报/报告.html?id=1&sec=%23b"
DECOY_URL = f"{SITE}/zwgk/年报/报告.html?id=1"  # HOSTILE_URL cut at its '&'
TAMPERED_URL = f"{SITE}/zwgk/tampered.html"
CN_LISTING_URL = f"{SITE}/zwgk/年报/index.html"
HOSTILE_REPORT = dataclasses.replace(
    REPORTS[0],
    title=REPORTS[0].title.replace("委员会", "委员会" + HOSTILE),
    agency=REPORTS[0].agency + HOSTILE,
    publisher=REPORTS[0].publisher + HOSTILE,
)
DECOY_REPORT = REPORTS[1]  # 青禾市人民政府2023年…
TAMPERED_REPORT = REPORTS[6]  # 青禾市溪桥区人民政府2021年…
T1 = datetime(2025, 1, 21, 2, 15, tzinfo=UTC)
TS = f"{T1:%Y%m%d%H%M%S}"
WACZ = "qinghe.wacz"
SQLITE_MAGIC = b"SQLite format 3"
# Cell keys and values written into the tampered report's stored version.
BAD_VALUE = "<script>alert(1)</script>"
BAD_KEY = '"><script>alert(2)</script>'
BAD_UNREAD = "review.total</table><script>alert(3)</script>"


# --- the store and the server --------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    data = tmp_path_factory.mktemp("adversarial")
    with WarcStore(data / "warc") as store:
        capture(store, HOSTILE_URL, report_page(HOSTILE_REPORT).encode("utf-8"), T1)
        capture(store, DECOY_URL, report_page(DECOY_REPORT).encode("utf-8"), T1)
        capture(store, TAMPERED_URL, report_page(TAMPERED_REPORT).encode("utf-8"), T1)
        listing = (
            '<html><head><title>年报</title></head><body><a href="报告.html?id=1">年报</a></body></html>'
        )
        capture(store, CN_LISTING_URL, listing.encode("utf-8"), T1)
    engine = ingest_archive(data)
    with sessions(engine).begin() as session:  # the tampered version: hostile cells and keys
        row = session.scalars(select(ReportRow).where(ReportRow.url == TAMPERED_URL)).one()
        version = current_version(row)
        assert version is not None
        record = dict(version.data)
        cells = dict(record["cells"])
        cells["applications.new.natural_person"] = BAD_VALUE
        cells[BAD_KEY] = 5
        quality = dict(record.get("quality") or {})
        quality["unresolved"] = [*(quality.get("unresolved") or []), BAD_UNREAD, "review.total"]
        quality["inferred"] = [*(quality.get("inferred") or []), BAD_KEY]
        record |= {"cells": cells, "quality": quality, "format": "2021", "title": HOSTILE}
        version.data = record
        flag_modified(version, "data")
    wacz = data / WACZ
    build_wacz(engine, data / "warc", wacz)
    server = make_server(engine, data, registry=load_registry(), port=0, waczs=[wacz])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(
            port=server.server_address[1], data=data, wacz=wacz.read_bytes(), sqlite=data / "nianbao.sqlite"
        )
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


@dataclass
class Answer:
    status: int
    head: bytes  # the status line and headers as sent
    headers: list[tuple[str, str]]  # (lower-case name, value)
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for n, v in self.headers if n == name.lower()]
        return values[0] if values else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def ask(
    served: SimpleNamespace, target: str | bytes, method: str = "GET", headers: dict[str, str] | None = None
) -> Answer:
    """One request with exactly the bytes given, the whole answer read until the server closes."""
    raw = target if isinstance(target, bytes) else target.encode("ascii")
    lines = [method.encode() + b" " + raw + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [f"{k}: {v}".encode("latin-1") for k, v in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", served.port), timeout=20) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    out = b"".join(chunks)
    if not out.startswith(b"HTTP/"):  # an HTTP/0.9 answer (a request line without a version): no head
        return Answer(0, b"", [], out)
    head, _, body = out.partition(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    status = int(status_line.split()[1])
    parsed = []
    for line in header_lines:
        name, _, value = line.decode("latin-1").partition(":")
        parsed.append((name.strip().lower(), value.strip()))
    return Answer(status, head, parsed, body)


def assert_well_formed(answer: Answer, head_request: bool = False) -> None:
    """One status line, a Content-Length telling the body's length (none sent to a HEAD)."""
    starts = [line for line in answer.head.split(b"\r\n") if line.startswith(b"HTTP/")]
    assert len(starts) == 1, f"{len(starts)} status lines in one response:\n{answer.head.decode('latin-1')}"
    length = answer.header("Content-Length")
    assert length is not None, answer.headers
    if head_request:
        assert answer.body == b"", f"a HEAD answered with {len(answer.body)} body bytes"
    else:
        assert int(length) == len(answer.body), f"Content-Length {length}, body {len(answer.body)} bytes"


class _Tags(HTMLParser):
    """The start tags of a page, as a browser's tokenizer would see them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def names(self) -> list[str]:
        return [t for t, _ in self.tags]


def assert_nothing_executable(page: str) -> None:
    """No script of the archived content runs: no injected tag, handler or attribute breakout."""
    tags = _Tags(page)
    assert not any("alert(" in s for s in tags.scripts), tags.scripts
    assert not re.search(r"<script>alert", page, re.IGNORECASE)
    for tag, attrs in tags.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "script":
            assert "alert" not in (attrs.get("src") or ""), attrs


def report_query(url: str) -> str:
    return "/report?" + urlencode({"url": url})


def browser_spelling(url: str) -> str:
    """How a browser sends a URL it was given: non-ASCII percent-encoded as UTF-8, escapes kept."""
    return quote(url, safe="".join(chr(c) for c in range(0x21, 0x7F)))


# --- path traversal ------------------------------------------------------------------------------

TRAVERSALS = [
    "/wacz/../nianbao.sqlite",
    "/wacz/%2e%2e%2fnianbao.sqlite",
    "/wacz/%2E%2E/nianbao.sqlite",
    "/wacz/..%2fnianbao.sqlite",
    "/wacz/..%5cnianbao.sqlite",
    "/wacz/....//nianbao.sqlite",
    f"/wacz/{WACZ}/../nianbao.sqlite",
    f"/wacz/{WACZ}%2f..%2fnianbao.sqlite",
    f"/wacz/{WACZ}%00.sqlite",
    "/wacz/nianbao.sqlite",  # a file next to the package, not given with --wacz
    "/wacz/%6eianbao.sqlite",
    "/wacz//etc/passwd",
    "/wacz/%2fetc%2fpasswd",
    "/wacz/../../../../etc/passwd",
    "/wacz/",
    "/wacz",
    "/rwp/replay/../../etc/passwd",
    "/rwp/replay/..%2f..%2fetc%2fpasswd",
    "/rwp/replay/%2e%2e/%2e%2e/etc/passwd",
    "/rwp/../nianbao.sqlite",
    "/rwp/nianbao.sqlite",
    f"/rwp/{WACZ}/../../nianbao.sqlite",
    "/rwp/LICENSE",  # a file in ReplayWeb.page's directory that is not one of its bundles
    "/rwp/replay/LICENSE",
    "/rwp/replay/../LICENSE",
    "/rwp/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/../nianbao.sqlite",
    "/nianbao.sqlite",
    "/warc/",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_is_a_404_and_leaks_no_file(served: SimpleNamespace, target: str) -> None:
    answer = ask(served, target)
    assert answer.status == 404, (target, answer.status, answer.text[:300])
    assert_well_formed(answer)
    assert SQLITE_MAGIC not in answer.body and b"root:x:0:0" not in answer.body
    assert answer.body[:4] != b"PK\x03\x04" and b"GNU AFFERO" not in answer.body.upper()
    assert answer.header("Content-Type") == "text/html; charset=utf-8"
    head = ask(served, target, method="HEAD")
    assert head.status == 404 and head.body == b""


def test_the_package_itself_is_served(served: SimpleNamespace) -> None:
    """The control for the traversal tests: the one name given with --wacz answers, whole."""
    answer = ask(served, f"/wacz/{WACZ}")
    assert answer.status == 200 and answer.body == served.wacz
    assert_well_formed(answer)
    assert answer.header("Accept-Ranges") == "bytes"


# --- Range headers -------------------------------------------------------------------------------

HUGE = "9" * 5000  # more digits than int() converts by default (sys.get_int_max_str_digits)
RANGES = [
    "bytes=0-0",
    "bytes=10-",
    "bytes=-22",
    "bytes=abc",
    "bytes=5-1",
    "bytes=-0",
    "bytes=0-1,5-9",
    "bytes=0-1, 5-9",
    "bytes=0-1,",
    "bytes=-",
    "bytes=",
    "bytes=1",
    "bytes=--1",
    "bytes=1--2",
    "bytes=-1-2",
    "bytes=0x10-0x20",
    "bytes=+1-2",
    "bytes = 0-1",
    "BYTES=0-1",
    "items=0-1",
    "bytes=99999999999999999999-",
    "bytes=0-99999999999999999999",
    "bytes=-99999999999999999999",
    f"bytes={HUGE}-",
    f"bytes=0-{HUGE}",
    f"bytes=-{HUGE}",
    "bytes={size}-",
    "bytes={size_plus}-{size_plus_more}",
    "bytes={last}-{size_plus}",
    "bytes={last}-{last}",
]


def _range_value(template: str, size: int) -> str:
    if "{" not in template:
        return template
    return template.format(size=size, size_plus=size + 10, size_plus_more=size + 20, last=size - 1)


def _check_ranged(answer: Answer, whole: bytes, asked: str) -> None:
    size = len(whole)
    assert answer.status in (200, 206, 416), (asked[:60], answer.status, answer.text[:300])
    assert_well_formed(answer)
    if answer.status == 200:
        assert answer.body == whole, f"{asked[:60]}: a 200 that is not the whole file"
        assert answer.header("Content-Range") is None
    elif answer.status == 206:
        content_range = answer.header("Content-Range") or ""
        m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", content_range)
        assert m, f"{asked[:60]}: 206 with Content-Range {content_range!r}"
        first, last, total = map(int, m.groups())
        assert total == size and 0 <= first <= last < size, (
            f"{asked[:60]}: 206 with Content-Range {content_range!r} for a {size}-byte file "
            f"(RFC 9110 §14.4: first-pos <= last-pos < complete-length)"
        )
        assert answer.body == whole[first : last + 1]
    else:
        assert whole[:64] not in answer.body
        content_range = answer.header("Content-Range")
        assert content_range is None or content_range == f"bytes */{size}"


@pytest.mark.parametrize("template", RANGES, ids=lambda t: t.replace(HUGE, "<5000 nines>"))
def test_a_range_never_errs_or_leaves_the_file(served: SimpleNamespace, template: str) -> None:
    asked = _range_value(template, len(served.wacz))
    answer = ask(served, f"/wacz/{WACZ}", headers={"Range": asked})
    _check_ranged(answer, served.wacz, asked)
    head = ask(served, f"/wacz/{WACZ}", method="HEAD", headers={"Range": asked})
    assert head.status == answer.status
    assert_well_formed(head, head_request=True)
    assert _comparable(head.headers) == _comparable(answer.headers)


def test_valid_ranges_give_the_bytes_asked_for(served: SimpleNamespace) -> None:
    whole = served.wacz
    tail = ask(served, f"/wacz/{WACZ}", headers={"Range": "bytes=-22"})
    assert tail.status == 206 and tail.body == whole[-22:] and tail.body[:4] == b"PK\x05\x06"
    middle = ask(served, f"/wacz/{WACZ}", headers={"Range": "bytes=100-199"})
    assert middle.status == 206 and middle.body == whole[100:200]
    assert middle.header("Content-Range") == f"bytes 100-199/{len(whole)}"


@pytest.mark.parametrize(
    "template",
    ["bytes=-100", "bytes=5-1", "bytes={size}-", "bytes=-0", f"bytes=0-{HUGE}"],
    ids=lambda t: t.replace(HUGE, "<5000 nines>"),
)
def test_a_range_on_a_bundle_stays_in_the_bundle(served: SimpleNamespace, template: str) -> None:
    """The bundles go through the same byte-range code as the packages."""
    bundles = replaywebpage_dir()
    if bundles is None:
        pytest.skip("ReplayWeb.page is not installed (./setup.sh unpacks it into .venv/share)")
    whole = (bundles / "sw.js").read_bytes()
    asked = _range_value(template, len(whole))
    _check_ranged(ask(served, "/rwp/replay/sw.js", headers={"Range": asked}), whole, asked)


# --- the report view with a hostile stored report ------------------------------------------------


def test_hostile_title_and_agency_are_shown_escaped(served: SimpleNamespace) -> None:
    answer = ask(served, report_query(HOSTILE_URL))
    assert answer.status == 200, answer.text[:300]
    assert_well_formed(answer)
    page = answer.text
    assert_nothing_executable(page)
    tags = _Tags(page)
    assert "script" not in tags.names()
    assert tags.names().count("table") == 3 and page.count("</table>") == 3  # the title closed none
    assert "&lt;script&gt;alert(&quot;nianbao&quot;)&lt;/script&gt;&#x27;&quot;&lt;/table&gt;" in page
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert title and "<" not in title.group(1)
    assert re.search(r'title="applications\.new\.natural_person">21<', page)  # the real figures


def test_tampered_cells_and_keys_are_shown_escaped(served: SimpleNamespace) -> None:
    answer = ask(served, report_query(TAMPERED_URL))
    assert answer.status == 200, answer.text[:300]
    page = answer.text
    assert_nothing_executable(page)
    assert "script" not in _Tags(page).names()
    assert page.count("</table>") == 3
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the hostile value, as text in its cell
    assert "alert(2)" not in page or "&lt;script&gt;alert(2)" in page
    assert "alert(3)" not in page or "&lt;script&gt;alert(3)" in page


def test_the_audit_page_shows_hostile_reports_escaped(served: SimpleNamespace) -> None:
    answer = ask(served, "/")
    assert answer.status == 200
    assert_well_formed(answer)
    page = answer.text
    assert "&lt;script&gt;alert(" in page  # the hostile agency or title is listed, as text
    assert_nothing_executable(page)


MISSING = [
    report_query(f"{SITE}/never.html"),
    report_query(HOSTILE_URL + "&extra=1"),
    report_query(HOSTILE_URL.replace("%23", "#")),  # the escape decoded: another URL
    report_query("<script>alert(1)</script>"),
    report_query("javascript:alert(1)"),
    "/report?url=",
    "/report?",
    "/report?nourl=" + quote(HOSTILE_URL, safe=""),
    "/report?url=%ff%fe%00",
    "/report?url=%",
    "/report?url=" + "A" * 20000,
]


@pytest.mark.parametrize("target", MISSING, ids=lambda t: t[:60])
def test_a_report_not_stored_is_a_404(served: SimpleNamespace, target: str) -> None:
    answer = ask(served, target)
    assert answer.status == 404, (target[:80], answer.status, answer.text[:300])
    assert_well_formed(answer)
    assert_nothing_executable(answer.text)
    assert "script" not in _Tags(answer.text).names()


SPELLINGS = {
    "urlencode (the audit's own link)": report_query(HOSTILE_URL),
    "every byte escaped": "/report?url=" + quote(HOSTILE_URL, safe=""),
    "other parameters around it": "/report?a=1&url=" + quote(HOSTILE_URL, safe="") + "&b=%26",
    "a fragment after the query": report_query(HOSTILE_URL) + "#section-3",
    "the URL as a browser spells it, escaped as a value": report_query(browser_spelling(HOSTILE_URL)),
    "raw UTF-8 bytes in the request (curl)": (
        "/report?url=" + HOSTILE_URL.replace("%", "%25").replace("&", "%26")
    ).encode("utf-8"),
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_the_report_url_is_found_however_it_is_spelled(served: SimpleNamespace, spelling: str) -> None:
    answer = ask(served, SPELLINGS[spelling])
    assert answer.status == 200, f"{spelling}: {answer.status} {answer.text[:300]}"
    assert "&lt;script&gt;alert(&quot;nianbao&quot;)" in answer.text, f"{spelling}: another report"
    assert DECOY_REPORT.title not in answer.text


def test_the_audit_links_each_report_to_its_own_view(served: SimpleNamespace) -> None:
    page = ask(served, "/").text
    hrefs = {a.get("href") for t, a in _Tags(page).tags if t == "a" and "tables" in (a.get("class") or "")}
    assert len(hrefs) == 3, hrefs
    for href in hrefs:
        assert href is not None
        view = ask(served, href)
        assert view.status == 200, (href, view.status)
        if "sec" in href:
            assert "&lt;script&gt;alert(&quot;nianbao&quot;)" in view.text


def test_the_unencoded_ampersand_does_not_give_the_hostile_report(served: SimpleNamespace) -> None:
    """A client that forgets to encode the '&' asks for the URL cut there: the decoy, not a mix."""
    answer = ask(served, "/report?url=" + browser_spelling(HOSTILE_URL))
    assert answer.status == 200 and DECOY_REPORT.title in answer.text


# --- a capture at a Chinese URL, through the links the server itself gives ------------------------


def test_a_capture_at_a_chinese_url_replays_as_one_well_formed_response(served: SimpleNamespace) -> None:
    answer = ask(served, f"/replay/{TS}/" + browser_spelling(CN_LISTING_URL))
    assert_well_formed(answer)
    assert answer.status == 200, (answer.status, answer.head.decode("latin-1"))
    link = answer.header("Link") or ""
    assert link.isascii() and 'rel="original"' in link, link


def test_the_report_views_capture_link_opens_the_capture(served: SimpleNamespace) -> None:
    page = ask(served, report_query(HOSTILE_URL)).text
    hrefs = [
        a["href"] for t, a in _Tags(page).tags if t == "a" and (a.get("href") or "").startswith("/replay/")
    ]
    assert len(hrefs) == 1
    answer = ask(served, browser_spelling(hrefs[0]))  # as the browser sends the link it was given
    assert_well_formed(answer)
    assert answer.status == 200, (hrefs[0], answer.status, answer.text[:300])
    assert f"{HOSTILE_URL.replace('&', '&amp;')}</div>" in answer.text  # the banner names the capture


# --- HEAD ----------------------------------------------------------------------------------------

ROUTES = [
    "/",
    "/index.html",
    report_query(HOSTILE_URL),
    report_query(TAMPERED_URL),
    report_query(f"{SITE}/never.html"),
    f"/replay/{TS}/{TAMPERED_URL}",
    f"/replay/{TS}/{SITE}/never.html",
    f"/replay/notatime/{TAMPERED_URL}",
    f"/wacz/{WACZ}",
    "/wacz/absent.wacz",
    f"/rwp/{WACZ}?url=" + quote(TAMPERED_URL, safe=""),
    f"/rwp/{WACZ}",
    "/rwp/ui.js",
    "/rwp/replay/ui.js",
    "/rwp/replay/sw.js",
    "/rwp/replay/",
    "/nowhere",
]


def _comparable(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(n, v) for n, v in headers if n != "date"]


@pytest.mark.parametrize("target", ROUTES)
def test_head_answers_as_get_without_a_body(served: SimpleNamespace, target: str) -> None:
    get = ask(served, target)
    head = ask(served, target, method="HEAD")
    assert get.status != 500 and head.status == get.status, (target, get.status, head.status)
    assert_well_formed(get)
    assert_well_formed(head, head_request=True)
    assert _comparable(head.headers) == _comparable(get.headers)


def test_head_with_a_range_answers_as_get(served: SimpleNamespace) -> None:
    for asked in ("bytes=0-99", "bytes=-22", "bytes=abc"):
        get = ask(served, f"/wacz/{WACZ}", headers={"Range": asked})
        head = ask(served, f"/wacz/{WACZ}", method="HEAD", headers={"Range": asked})
        assert head.status == get.status and head.body == b""
        assert _comparable(head.headers) == _comparable(get.headers)


# --- /replay/ with hostile URLs ------------------------------------------------------------------

HOSTILE_REPLAYS = [
    f"/replay/{TS}/javascript:alert(document.domain)",
    f"/replay/{TS}/javascript:alert(1)//http://www.qingheshi.gov.cn/",
    f"/replay/{TS}/JaVaScRiPt:alert(1)",
    f"/replay/{TS}/data:text/html,<script>alert(1)</script>",
    f"/replay/{TS}/data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
    f"/replay/{TS}/data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    f"/replay/{TS}/http://www.qingheshi.gov.cn/%0d%0aX-Injected:%20yes",
    f"/replay/{TS}/{TAMPERED_URL}%0d%0aX-Injected:%20yes",
    f"/replay/{TS}/{TAMPERED_URL}%0D%0ASet-Cookie:%20x=1%0D%0A%0D%0A<script>alert(1)</script>",
    f"/replay/{TS}/http://www.qingheshi.gov.cn/%0aX-Injected:%20yes",
    f"/replay/{TS}/http://www.qingheshi.gov.cn/%0dX-Injected:%20yes",
    f"/replay/{TS}/http://%0d%0aX-Injected:%20yes/",
    f'/replay/{TS}/http://www.qingheshi.gov.cn/"><script>alert(1)</script>',
    "/replay/99999999999999/" + TAMPERED_URL,
    "/replay/00000000000000/" + TAMPERED_URL,
    "/replay/2025/",
    "/replay//" + TAMPERED_URL,
    f"/replay/{TS}/%",
    f"/replay/{TS}/http://[::1/",
    f"/replay/{TS}/http://www.qingheshi.gov.cn:99999999/",
]


@pytest.mark.parametrize("target", HOSTILE_REPLAYS, ids=lambda t: t[:70])
def test_a_hostile_replay_url_is_no_500_and_injects_nothing(served: SimpleNamespace, target: str) -> None:
    for method in ("GET", "HEAD"):
        answer = ask(served, target, method=method)
        assert answer.status in (400, 404), (method, target, answer.status, answer.text[:300])
        assert_well_formed(answer, head_request=method == "HEAD")
        names = {n for n, _ in answer.headers}
        assert not names & {"x-injected", "set-cookie", "location"}, answer.headers
        assert answer.header("Content-Type") == "text/html; charset=utf-8"
        if method == "GET":
            assert_nothing_executable(answer.text)
            assert "script" not in _Tags(answer.text).names()
            assert not any(
                (a.get("href") or "").lower().startswith(("javascript:", "data:"))
                for _, a in _Tags(answer.text).tags
            )


def test_any_valid_timestamp_answers_the_closest_capture(served: SimpleNamespace) -> None:
    """The control for the timestamps above: far past or far future, a valid one finds the capture."""
    for ts in ("00010101000000", "99991231235959", "2025"):
        answer = ask(served, f"/replay/{ts}/{TAMPERED_URL}")
        assert answer.status == 200 and TAMPERED_REPORT.title in answer.text, (ts, answer.status)


def test_the_replaywebpage_embed_escapes_a_hostile_url(served: SimpleNamespace) -> None:
    for url in (
        '"><script>alert(1)</script>',
        "' onload='alert(1)",
        "</replay-web-page><script>alert(1)</script>",
    ):
        answer = ask(served, f"/rwp/{WACZ}?url=" + quote(url, safe=""))
        assert answer.status in (200, 503), (url, answer.status)
        assert_well_formed(answer)
        assert_nothing_executable(answer.text)
        tags = _Tags(answer.text)
        assert [a.get("src") for t, a in tags.tags if t == "script"] in ([], ["/rwp/ui.js"]), tags.tags


def test_a_bare_cr_in_the_request_line_injects_no_header(served: SimpleNamespace) -> None:
    for raw in (
        f"/replay/{TS}/{TAMPERED_URL}\rX-Injected: yes".encode(),
        f"/replay/{TS}/{TAMPERED_URL}\r\nX-Injected: yes".encode(),  # ends the request line early
    ):
        answer = ask(served, raw)
        assert answer.status != 500, answer.text[:300]
        assert not any(n == "x-injected" for n, _ in answer.headers), answer.headers
