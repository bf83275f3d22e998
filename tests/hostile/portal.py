"""A hostile portal on 127.0.0.1: a 政府信息公开年报 column whose report links all misbehave.

`serve_hostile()` starts a `ThreadingHTTPServer` in a daemon thread and yields `(base_url, log)`.
`/` is a realistic column listing (UTF-8, header furniture with 无障碍/关怀版, breadcrumb, paging,
footer with 网站标识码/ICP/公网安备) whose anchors are report titles such as
`临水县水利局2023年政府信息公开工作年度报告`: one healthy report (`HEALTHY`) and one link per
misbehaviour in `CASES`. `/robots.txt` allows everything; every other path is a 404. `log` gets
`(path, time.monotonic())` for every request, robots.txt included.

What a crawl of it must show (the spec the fixtures are written against): the healthy report is
stored; every link in `CASES` leaves a failure record whose reason contains at least one of the
case's keywords (lowercase; compare with `reason.lower()`); the paths in `MAY_SUCCEED` may
instead be stored as correctly read reports; no reason for a report that has real text contains a
`MISLEADING` phrase. Peak memory stays under 1 GB and the crawl ends in bounded time.

Settings the test must pass (`crawl_settings()` gives them as `-s` arguments, `SETTINGS` as a
dict): `DOWNLOAD_MAXSIZE=1048576` (the oversized bodies are 3 MiB; every hostile document
that is *not* about size is served below 1 MiB, so that it reaches the decoders instead of being
cut by the download limit), `DOWNLOAD_TIMEOUT=3` (the timeout case stalls `timeout_after`
seconds, 30 by default), and `NIANBAO_ALLOWED_HOSTS=invalid` for the DNS case.

Two cases need more than the listing's own host:port, because the crawl's scope is the start
URLs' host:port plus the allowed registry hosts (tests/test_scope.py: `netloc()` is host:port,
without the scheme; registry hosts are allowed with their subdomains, on default ports only):

- DNS failure (`/zfxxgknb/dns.html`): linked as `http://nianbao-hostile.invalid/zfxxgknb/dns.html`.
  `.invalid` never resolves (RFC 6761), also offline, and fails at once here (no network wait).
  It is in scope only if the crawl allows the host: pass `-s NIANBAO_ALLOWED_HOSTS=invalid`
  (Scrapy's `getlist` splits a string on commas). The scope check itself may refuse the name as
  "unresolvable" before any fetch (tests/test_scope.py); that refusal must still leave a failure
  record for the report link, so "resolv" is among the keywords. No server is involved: a real
  DNS failure cannot be staged offline without patching the resolver inside the crawler.
- TLS failure: `/zfxxgknb/tls-plain.html` is linked as `https://127.0.0.1:PORT/...` on the
  listing's own port, a plain-HTTP server: it answers the ClientHello with a plain-text HTTP 400
  (OpenSSL: "wrong version number"). In scope through the listing's start URL, scheme aside.
  `/zfxxgknb/tls-closed.html` is linked as `https://127.0.0.1:TLS_PORT/...`, a second listener
  that reads the ClientHello and closes the connection (Scrapy/Twisted report a bare
  ConnectionLost, so "connection" is among its keywords). Its port is
  in scope only if the crawl also starts there: pass every URL of `start_urls(base_url)`; the
  extra one, `http://127.0.0.1:TLS_PORT/`, serves a tiny page without links over plain HTTP.
  Requests to that listener are logged as `TLS_PORT_PREFIX + path`; ClientHellos as
  `TLS_HELLO_PLAIN` (on the listing's port) and `TLS_HELLO_CLOSED` (on the second listener).

`extras=True` adds `EXTRA_CASES` (lying zip sizes, billion laughs, chained FlateDecode, gzip
inside gzip, XLSX/OFD bombs, cyclic page tree, garbage xref, an unclosed tag) to the listing.

Shutdown is quick even with a stalled response pending: the stall waits on an Event that the
context manager sets before it stops the servers.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

from tests.hostile import documents as docs

MiB = docs.MiB
TITLE = "临水县{}2023年政府信息公开工作年度报告"
HEALTHY = "/zfxxgknb/healthy.html"
HEALTHY_TITLE = TITLE.format("审计局")
DNS_HOST = "nianbao-hostile.invalid"
DNS_ALLOWED_HOST = "invalid"
TLS_HELLO_PLAIN = "<tls-hello on the plain-HTTP port>"
TLS_HELLO_CLOSED = "<tls-hello on the closing port>"
TLS_PORT_PREFIX = "tls-port:"

SETTINGS: dict[str, str] = {
    "DOWNLOAD_MAXSIZE": str(MiB),
    "DOWNLOAD_TIMEOUT": "3",
    "NIANBAO_ALLOWED_HOSTS": DNS_ALLOWED_HOST,
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "NIANBAO_BROWSER_ENABLED": "False",
}

_SIZE = ["size", "too large", "too big", "limit", "exceed"]
_BOMB = ["decompress", "bomb", "inflat", "size", "ratio", "limit", "exceed"]

# path -> (what the server does, keywords a failure reason may contain: any one is enough)
CASES: dict[str, tuple[str, list[str]]] = {
    "/zfxxgknb/empty.html": (
        "200 text/html; charset=utf-8 with an empty body (Content-Length: 0)",
        ["empty"],
    ),
    "/zfxxgknb/garbage.html": (
        "200 text/html (no charset); 64 KiB of random bytes: no markup, no encoding, no text",
        ["garbage", "binary", "decod", "unreadable", "not text", "encoding"],
    ),
    "/zfxxgknb/undecodable.html": (
        "200 text/html; charset=utf-8 and <meta charset=utf-8>; ASCII markup, every text byte pair invalid in "
        "UTF-8, GBK/GB18030, Big5, Shift_JIS and EUC-KR (documents.undecodable_page)",
        ["decod", "encoding", "charset", "garbage", "unreadable", "mojibake"],
    ),
    "/zfxxgknb/oversized.html": (
        "a genuine report page padded to 3 x DOWNLOAD_MAXSIZE (3 MiB), with Content-Length",
        _SIZE,
    ),
    "/zfxxgknb/oversized-chunked.html": (
        "the same 3 MiB report page, Transfer-Encoding: chunked, no Content-Length: the limit trips mid-body",
        _SIZE,
    ),
    "/zfxxgknb/gzip-bomb.html": (
        "Content-Encoding: gzip; about 1 MB that inflates to about 1000 MiB of HTML (documents.gzip_bomb)",
        _BOMB,
    ),
    "/zfxxgknb/bomb.docx": (
        "a DOCX attachment (1 MB) whose word/document.xml inflates to about 1000 MiB (documents.docx_zip_bomb)",
        [*_BOMB, "zip"],
    ),
    "/zfxxgknb/bomb.pdf": (
        "a one-page PDF (1 MB) whose FlateDecode content stream inflates to about 1000 MiB (documents.pdf_bomb)",
        [*_BOMB, "memory", "time", "stream"],
    ),
    "/zfxxgknb/pages.pdf": (
        "a valid 50,000-page PDF (compact, 0.4 MB), every page the same line of text (documents.pdf_many_pages)",
        ["page"],
    ),
    "/zfxxgknb/deep.html": (
        "a report page whose h1 and body sit inside 5,000 nested <div>s; libxml2 stops at 256 "
        "(documents.deep_html). Reading it correctly is also acceptable (MAY_SUCCEED)",
        ["depth", "nest", "deep"],
    ),
    "/zfxxgknb/utf16.html": (
        "a report page in UTF-16LE without BOM, Content-Type text/html without charset, no <meta charset> "
        "(documents.utf16_page). Reading it correctly is also acceptable (MAY_SUCCEED)",
        ["utf-16", "utf16", "encoding", "bom", "charset"],
    ),
    "/zfxxgknb/timeout.html": (
        "status and headers (Content-Length of a report page), then nothing for `timeout_after` seconds "
        "(30 by default; the test sets DOWNLOAD_TIMEOUT=3)",
        ["timeout", "timed out", "took longer"],
    ),
    "/zfxxgknb/cut.html": (
        "Content-Length: 100000, the first 1000 bytes of a report page, then the connection is closed",
        ["connection", "lost", "cut", "truncat", "incomplete", "data loss", "dataloss", "partial", "closed"],
    ),
    "/zfxxgknb/busy-503.html": ("503 with Retry-After: 1, on every attempt", ["503", "retr", "unavailable"]),
    "/zfxxgknb/busy-429.html": ("429 with Retry-After: 1, on every attempt", ["429", "retr", "too many"]),
    "/zfxxgknb/dns.html": (
        f"linked as http://{DNS_HOST}/zfxxgknb/dns.html: an allowed host (NIANBAO_ALLOWED_HOSTS=invalid) "
        "whose name does not resolve",
        ["dns", "resolv", "lookup"],
    ),
    "/zfxxgknb/tls-plain.html": (
        "linked as https://127.0.0.1:PORT/zfxxgknb/tls-plain.html on the listing's own plain-HTTP port: the "
        "ClientHello gets a plain-text HTTP 400",
        ["tls", "ssl", "handshake", "certificate"],
    ),
    "/zfxxgknb/tls-closed.html": (
        "linked as https://127.0.0.1:TLS_PORT/zfxxgknb/tls-closed.html, a listener that reads the ClientHello "
        "and closes the connection (the test must also start at start_urls(base_url)[1]). Twisted reports "
        "only ConnectionLost here, so a reason may say so",
        ["tls", "ssl", "handshake", "certificate", "connection"],
    ),
}

# Served only with serve_hostile(extras=True); same format as CASES.
EXTRA_CASES: dict[str, tuple[str, list[str]]] = {
    "/zfxxgknb/lying.docx": (
        "a DOCX whose word/document.xml declares 24 KiB and inflates to ~1000 MiB (documents.docx_lying_sizes)",
        [*_BOMB, "zip", "crc", "corrupt", "mismatch", "declared"],
    ),
    "/zfxxgknb/laughs.docx": (
        "a DOCX whose document.xml is a billion-laughs entity bomb (documents.docx_billion_laughs)",
        ["entit", "amplification", "xml", "bomb", "corrupt", "limit", "malformed"],
    ),
    "/zfxxgknb/declared-huge.docx": (
        "an honest 2 KB DOCX whose zip headers declare word/document.xml at 4 GiB "
        "(documents.docx_declared_huge). Reading it is also acceptable (MAY_SUCCEED)",
        [*_BOMB, "zip", "declared"],
    ),
    "/zfxxgknb/bomb.xlsx": (
        "an XLSX whose sheet1.xml inflates to ~1000 MiB (documents.xlsx_zip_bomb)",
        # nianbao does not read spreadsheets at all: saying so is as clear (and as safe) as a bomb
        [*_BOMB, "zip", "not parsed"],
    ),
    "/zfxxgknb/bomb.ofd": (
        "an OFD whose page Content.xml inflates to ~1000 MiB (documents.ofd_zip_bomb)",
        # nianbao has no OFD reader: saying so is as clear (and as safe) as naming the bomb
        [*_BOMB, "zip", "not read"],
    ),
    "/zfxxgknb/nested-flate.pdf": (
        "a 40 KB PDF whose content stream is /Filter [/FlateDecode /FlateDecode] and inflates to 16 GiB",
        [*_BOMB, "memory", "time", "stream"],
    ),
    "/zfxxgknb/nested-gzip.html": (
        "Content-Encoding: gzip, gzip; 40 KB that inflates to 16 GiB of HTML (documents.gzip_nested_bomb)",
        _BOMB,
    ),
    "/zfxxgknb/cyclic.pdf": (
        "a PDF whose root /Pages lists itself in /Kids (documents.pdf_cyclic_pages). Reading its one page is "
        "also acceptable (MAY_SUCCEED)",
        ["cycl", "loop", "recurs", "page tree", "corrupt", "malformed"],
    ),
    "/zfxxgknb/garbage-xref.pdf": (
        "a one-page PDF whose xref is random bytes and startxref points past EOF (documents.pdf_garbage_xref). "
        "Reading it is also acceptable (MAY_SUCCEED)",
        ["xref", "corrupt", "damaged", "malformed", "broken"],
    ),
    "/zfxxgknb/unclosed.html": (
        'a report page whose body is one unclosed <span style="... tag to the end, just under '
        "DOWNLOAD_MAXSIZE (documents.unclosed_tag_page). Storing the title with an empty body, or a clear "
        "reason, are both acceptable (MAY_SUCCEED); hanging is not",
        ["unclosed", "malformed", "no text", "empty", "truncat", "markup"],
    ),
}

# Paths where a correctly read report is as good as a failure record with a clear reason.
MAY_SUCCEED = frozenset(
    {
        "/zfxxgknb/deep.html",
        "/zfxxgknb/utf16.html",
        "/zfxxgknb/declared-huge.docx",
        "/zfxxgknb/cyclic.pdf",
        "/zfxxgknb/garbage-xref.pdf",
        "/zfxxgknb/unclosed.html",
    }
)

# Verdicts that are wrong for every document here that has real text (deep.html, utf16.html,
# pages.pdf, cyclic.pdf, garbage-xref.pdf): the text is there, the reader failed to get it.
MISLEADING = ("image-only", "no text layer", "not a report")

AGENCIES: dict[str, str] = {
    "/zfxxgknb/empty.html": "水利局",
    "/zfxxgknb/garbage.html": "林业局",
    "/zfxxgknb/undecodable.html": "教育局",
    "/zfxxgknb/oversized.html": "财政局",
    "/zfxxgknb/oversized-chunked.html": "民政局",
    "/zfxxgknb/gzip-bomb.html": "交通运输局",
    "/zfxxgknb/bomb.docx": "农业农村局",
    "/zfxxgknb/bomb.pdf": "卫生健康局",
    "/zfxxgknb/pages.pdf": "自然资源局",
    "/zfxxgknb/deep.html": "生态环境局",
    "/zfxxgknb/utf16.html": "住房和城乡建设局",
    "/zfxxgknb/timeout.html": "商务局",
    "/zfxxgknb/cut.html": "文化和旅游局",
    "/zfxxgknb/busy-503.html": "统计局",
    "/zfxxgknb/busy-429.html": "市场监督管理局",
    "/zfxxgknb/dns.html": "人力资源和社会保障局",
    "/zfxxgknb/tls-plain.html": "应急管理局",
    "/zfxxgknb/tls-closed.html": "医疗保障局",
    "/zfxxgknb/lying.docx": "退役军人事务局",
    "/zfxxgknb/laughs.docx": "司法局",
    "/zfxxgknb/declared-huge.docx": "科学技术局",
    "/zfxxgknb/bomb.xlsx": "发展和改革局",
    "/zfxxgknb/bomb.ofd": "工业和信息化局",
    "/zfxxgknb/nested-flate.pdf": "城市管理局",
    "/zfxxgknb/nested-gzip.html": "体育局",
    "/zfxxgknb/cyclic.pdf": "档案局",
    "/zfxxgknb/garbage-xref.pdf": "信访局",
    "/zfxxgknb/unclosed.html": "机关事务管理局",
    HEALTHY: "审计局",
}


def title_for(path: str) -> str:
    """The report title the listing gives the link to `path`."""
    return TITLE.format(AGENCIES[path])


def crawl_settings(**overrides: str) -> list[str]:
    """`SETTINGS` (with overrides) as `-s NAME=VALUE` arguments for `nianbao crawl`."""
    args: list[str] = []
    for name, value in {**SETTINGS, **overrides}.items():
        args += ["-s", f"{name}={value}"]
    return args


@dataclass
class _Portal:
    port: int
    tls_port: int
    log: list[tuple[str, float]]
    stop: threading.Event
    timeout_after: float
    retry_after: int
    bodies: dict[str, tuple[str, bytes, dict[str, str]]]  # path -> (content type, body, extra headers)
    paths: list[str] = field(default_factory=list)


_LIVE: dict[str, _Portal] = {}


def _portal(base_url: str) -> _Portal:
    try:
        return _LIVE[base_url]
    except KeyError:
        raise KeyError(f"{base_url} is not a running serve_hostile() portal") from None


def report_url(base_url: str, path: str) -> str:
    """The absolute URL the listing links for `path` (another host or scheme for DNS and TLS)."""
    portal = _portal(base_url)
    if path == "/zfxxgknb/dns.html":
        return f"http://{DNS_HOST}{path}"
    if path == "/zfxxgknb/tls-plain.html":
        return f"https://127.0.0.1:{portal.port}{path}"
    if path == "/zfxxgknb/tls-closed.html":
        return f"https://127.0.0.1:{portal.tls_port}{path}"
    return base_url.rstrip("/") + path


def start_urls(base_url: str) -> list[str]:
    """Every start URL the crawl needs: the listing, and the closing TLS listener's plain-HTTP
    page, which puts that listener's host:port in scope for the https link to it."""
    return [base_url, f"http://127.0.0.1:{_portal(base_url).tls_port}/"]


# ---------------------------------------------------------------------------------------------
# Pages and bodies
# ---------------------------------------------------------------------------------------------

_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HTML = "text/html; charset=utf-8"


def _attachment(path: str) -> dict[str, str]:
    name = title_for(path) + path[path.rindex(".") :]
    return {
        "Content-Disposition": f"attachment; filename=\"{path.rsplit('/', 1)[1]}\"; filename*=UTF-8''{quote(name)}"
    }


def listing(base_url: str, paths: list[str]) -> bytes:
    """The column page: furniture, breadcrumb, one `<li>` per report link, paging, footer."""
    items = []
    for i, path in enumerate(paths):
        title = escape(title_for(path))
        date = f"2024-01-{28 - i % 27:02d}"
        href = escape(report_url(base_url, path))
        items.append(
            f'<li><a href="{href}" target="_blank" title="{title}">{title}</a><span class="date">{date}</span></li>'
        )
    lis = "\n".join(items)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>政府信息公开年报_{docs.SITE}</title>
<meta name="SiteName" content="{docs.SITE}">
<meta name="SiteIDCode" content="3399000001">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ColumnType" content="政府信息公开年报">
</head>
<body>
<div class="top"><div class="w1200"><span class="date">2024年1月28日 星期日</span>
<a href="javascript:void(0);" id="cniil_wza">无障碍</a> | <a href="javascript:void(0);" class="ghb">关怀版</a> |
<a href="javascript:void(0);" id="StranLink">繁體版</a> | <span>网站支持IPv6</span></div></div>
<div class="header"><img src="/images/logo.png" alt="{docs.SITE}"></div>
<div class="nav"><a href="/">首页</a><a href="/">政务公开</a><a href="javascript:;">办事服务</a><a href="javascript:;">政民互动</a></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/">政府信息公开</a> &gt; 政府信息公开年报</div>
<div class="main">
<div class="left"><h3>政府信息公开</h3><ul><li><a href="javascript:;">政府信息公开指南</a></li>
<li><a href="javascript:;">政府信息公开制度</a></li><li><a href="javascript:;">法定主动公开内容</a></li>
<li class="on"><a href="/">政府信息公开年报</a></li></ul></div>
<div class="right"><h2 class="column-title">政府信息公开年报</h2>
<ul class="list">
{lis}
</ul>
<div class="page">共{len(paths)}条 共1页 <a href="javascript:;">首页</a> <a href="javascript:;">上一页</a> <span class="current">1</span> <a href="javascript:;">下一页</a> <a href="javascript:;">尾页</a></div>
</div></div>
<div class="footer">
<p>主办：临水县人民政府办公室 &nbsp; 承办：临水县大数据发展中心 &nbsp; 网站标识码：3399000001</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">临ICP备20240001号-1</a> &nbsp;
<a href="http://www.beian.gov.cn/portal/registerSystemInfo" target="_blank">临公网安备 33990002000001号</a></p>
<p><a href="javascript:;">网站地图</a> &nbsp; <a href="javascript:;">联系我们</a> &nbsp; <a href="javascript:;">网站声明</a></p>
</div>
</body>
</html>
""".encode()


def _fitted(build: Callable[[int], bytes], limit: int) -> int:
    """The largest decoded size (whole MiB) whose bomb from `build` stays under 98% of `limit`.

    A bomb's compressed size is linear in its decoded size (one repeated block per MiB), so two
    small probes give the line. At a 1 MiB limit that is about 1000 MiB: a reader with no cap
    then allocates over 1 GB, which a crawl's memory bound sees, while the bomb still reaches the
    decoder instead of being cut by the download limit.
    """
    probe = 32 * MiB
    small, large = len(build(probe)), len(build(2 * probe))
    per_mib = (large - small) / 32
    fixed = small - 32 * per_mib
    return max(1, int((0.98 * limit - fixed) / per_mib)) * MiB


@lru_cache(maxsize=4)
def _bodies(
    download_maxsize: int, bomb_size: int | None, pages: int, depth: int, extras: bool, seed: int
) -> dict[str, tuple[str, bytes, dict[str, str]]]:
    """Every fixed response body, built once (a second or two) before the server answers."""
    t = title_for

    def size(build: Callable[[int, str], bytes], path: str) -> int:
        return bomb_size or _fitted(lambda n: build(n, t(path)), download_maxsize)

    def bomb(build: Callable[[int, str], bytes], path: str) -> bytes:
        return build(size(build, path), t(path))

    gz = {"Content-Encoding": "gzip"}
    bodies: dict[str, tuple[str, bytes, dict[str, str]]] = {
        HEALTHY: (_HTML, docs.report_page(HEALTHY_TITLE).encode(), {}),
        "/zfxxgknb/empty.html": (_HTML, b"", {}),
        "/zfxxgknb/garbage.html": ("text/html", docs.garbage_body(seed=seed), {}),
        "/zfxxgknb/undecodable.html": (_HTML, docs.undecodable_page(seed=seed), {}),
        "/zfxxgknb/oversized.html": (
            _HTML,
            docs.padded_report_page(3 * download_maxsize, t("/zfxxgknb/oversized.html")),
            {},
        ),
        "/zfxxgknb/oversized-chunked.html": (
            _HTML,
            docs.padded_report_page(3 * download_maxsize, t("/zfxxgknb/oversized-chunked.html")),
            {},
        ),
        "/zfxxgknb/gzip-bomb.html": (_HTML, bomb(docs.gzip_bomb, "/zfxxgknb/gzip-bomb.html"), gz),
        "/zfxxgknb/bomb.docx": (_DOCX, bomb(docs.docx_zip_bomb, "/zfxxgknb/bomb.docx"), {}),
        "/zfxxgknb/bomb.pdf": ("application/pdf", bomb(docs.pdf_bomb, "/zfxxgknb/bomb.pdf"), {}),
        "/zfxxgknb/pages.pdf": (
            "application/pdf",
            docs.pdf_many_pages(pages, t("/zfxxgknb/pages.pdf"), compact=True),
            {},
        ),
        "/zfxxgknb/deep.html": (_HTML, docs.deep_html(depth, t("/zfxxgknb/deep.html"), seed=seed), {}),
        "/zfxxgknb/utf16.html": ("text/html", docs.utf16_page(t("/zfxxgknb/utf16.html"), seed=seed), {}),
        "/zfxxgknb/timeout.html": (_HTML, docs.report_page(t("/zfxxgknb/timeout.html")).encode(), {}),
        "/zfxxgknb/cut.html": (_HTML, docs.padded_report_page(100_000, t("/zfxxgknb/cut.html")), {}),
    }
    if extras:
        bodies |= {
            "/zfxxgknb/lying.docx": (
                _DOCX,
                docs.docx_lying_sizes(
                    size(docs.docx_zip_bomb, "/zfxxgknb/lying.docx"), title=t("/zfxxgknb/lying.docx")
                ),
                {},
            ),
            "/zfxxgknb/laughs.docx": (_DOCX, docs.docx_billion_laughs(t("/zfxxgknb/laughs.docx")), {}),
            "/zfxxgknb/declared-huge.docx": (
                _DOCX,
                docs.docx_declared_huge(title=t("/zfxxgknb/declared-huge.docx")),
                {},
            ),
            "/zfxxgknb/bomb.xlsx": (_XLSX, bomb(docs.xlsx_zip_bomb, "/zfxxgknb/bomb.xlsx"), {}),
            "/zfxxgknb/bomb.ofd": (
                "application/ofd",
                bomb(docs.ofd_zip_bomb, "/zfxxgknb/bomb.ofd"),
                {},
            ),
            "/zfxxgknb/nested-flate.pdf": (
                "application/pdf",
                docs.pdf_bomb(16 * docs.GiB, t("/zfxxgknb/nested-flate.pdf"), layers=2),
                {},
            ),
            "/zfxxgknb/nested-gzip.html": (
                _HTML,
                docs.gzip_nested_bomb(16 * docs.GiB, t("/zfxxgknb/nested-gzip.html")),
                {"Content-Encoding": "gzip, gzip"},
            ),
            "/zfxxgknb/cyclic.pdf": ("application/pdf", docs.pdf_cyclic_pages(t("/zfxxgknb/cyclic.pdf")), {}),
            "/zfxxgknb/garbage-xref.pdf": (
                "application/pdf",
                docs.pdf_garbage_xref(t("/zfxxgknb/garbage-xref.pdf"), seed=seed),
                {},
            ),
            "/zfxxgknb/unclosed.html": (
                _HTML,
                docs.unclosed_tag_page(download_maxsize * 9 // 10, t("/zfxxgknb/unclosed.html")),
                {},
            ),
        }
    for path, (ctype, body, headers) in list(bodies.items()):
        if path.endswith(".pdf"):
            bodies[path] = (ctype, body, {**headers, "Content-Disposition": "inline"})
        elif path.endswith((".docx", ".xlsx", ".ofd")):
            bodies[path] = (ctype, body, {**headers, **_attachment(path)})
    for path, (_, body, _) in bodies.items():
        if "oversized" not in path and len(body) >= download_maxsize:
            raise ValueError(
                f"{path} is {len(body)} bytes, not under DOWNLOAD_MAXSIZE={download_maxsize}: it would be cut by "
                "the download limit instead of reaching the decoder; lower bomb_size"
            )
    return bodies


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hang up on purpose here (size limits, timeouts): no tracebacks on stderr


def _peek(connection: socket.socket) -> bytes:
    with suppress(OSError):
        return connection.recv(1, socket.MSG_PEEK)
    return b""


def _handler(portal: _Portal, base_url: Callable[[], str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 60  # idle keep-alive connections end on their own

        def log_message(self, *args: object) -> None:
            pass

        def handle(self) -> None:
            if _peek(self.connection) == b"\x16":  # a TLS ClientHello on this plain-HTTP port
                portal.log.append((TLS_HELLO_PLAIN, time.monotonic()))
                body = b"<html><body><h1>400 Bad Request</h1>plain HTTP port</body></html>"
                with suppress(OSError):
                    self.connection.sendall(
                        b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nConnection: close\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                    )
                self.close_connection = True
                return
            super().handle()

        def send(self, status: int, ctype: str, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Server", "Microsoft-IIS/8.5")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with suppress(OSError):
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            portal.log.append((self.path, time.monotonic()))
            if path == "/":
                return self.send(200, _HTML, listing(base_url(), portal.paths))
            if path == "/robots.txt":
                return self.send(200, "text/plain", b"User-agent: *\nAllow: /\n")
            if path == "/zfxxgknb/timeout.html":
                return self.stall(*portal.bodies[path][:2])
            if path == "/zfxxgknb/cut.html":
                return self.cut(portal.bodies[path][1])
            if path == "/zfxxgknb/oversized-chunked.html":
                return self.chunked(portal.bodies[path][1])
            if path in ("/zfxxgknb/busy-503.html", "/zfxxgknb/busy-429.html"):
                status = 503 if "503" in path else 429
                body = "<html><body><h1>服务器繁忙，请稍后再试</h1></body></html>".encode()
                return self.send(status, _HTML, body, {"Retry-After": str(portal.retry_after)})
            if path in portal.bodies and path in portal.paths:
                ctype, body, headers = portal.bodies[path]
                return self.send(200, ctype, body, headers)
            return self.send(404, _HTML, b"<html><body><h1>404 Not Found</h1></body></html>")

        def stall(self, ctype: str, body: bytes) -> None:
            """Headers now, the body after `timeout_after` seconds (or at shutdown)."""
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(OSError):
                self.wfile.flush()
            portal.stop.wait(portal.timeout_after)
            with suppress(OSError):
                self.wfile.write(body)
            self.close_connection = True

        def cut(self, body: bytes) -> None:
            """Content-Length of the whole body, 1000 bytes of it, then the connection closes."""
            self.send_response(200)
            self.send_header("Content-Type", _HTML)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(OSError):
                self.wfile.write(body[:1000])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def chunked(self, body: bytes) -> None:
            """The body in 64 KiB chunks, without Content-Length."""
            self.send_response(200)
            self.send_header("Content-Type", _HTML)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for i in range(0, len(body), 64 * 1024):
                    piece = body[i : i + 64 * 1024]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                self.close_connection = True

    return Handler


def _tls_closing_handler(portal: _Portal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Plain HTTP for `/` and robots.txt; a TLS ClientHello is read and the connection closed."""

        protocol_version = "HTTP/1.1"
        timeout = 60

        def log_message(self, *args: object) -> None:
            pass

        def handle(self) -> None:
            if _peek(self.connection) == b"\x16":
                portal.log.append((TLS_HELLO_CLOSED, time.monotonic()))
                with suppress(OSError):
                    self.connection.recv(65536)  # drain, so that close() sends FIN, not RST
                self.close_connection = True
                return
            super().handle()

        def do_GET(self) -> None:
            portal.log.append((TLS_PORT_PREFIX + self.path, time.monotonic()))
            if self.path == "/":
                status = 200
                body = (
                    f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{docs.SITE}</title></head>'
                    f'<body><div class="top"><a href="javascript:void(0);">无障碍</a> | '
                    '<a href="javascript:void(0);">关怀版</a></div><p>系统维护中。</p></body></html>'
                ).encode()
            elif self.path == "/robots.txt":
                status, body = 200, b"User-agent: *\nAllow: /\n"
            else:
                status, body = 404, b"<html><body><h1>404 Not Found</h1></body></html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else _HTML)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(OSError):
                self.wfile.write(body)

    return Handler


@contextmanager
def serve_hostile(
    *,
    timeout_after: float = 30.0,
    download_maxsize: int = MiB,
    bomb_size: int | None = None,
    pages: int = 50_000,
    depth: int = 5000,
    retry_after: int = 1,
    extras: bool = False,
    seed: int = 0,
) -> Iterator[tuple[str, list[tuple[str, float]]]]:
    """Serve the hostile portal; yield `(base_url, log)`.

    `timeout_after`: how long the timeout case stalls after its headers (must exceed the crawl's
    DOWNLOAD_TIMEOUT; the stall ends early at shutdown). `download_maxsize`: the DOWNLOAD_MAXSIZE
    the crawl will use; oversized bodies are three times it, and every other document must fit
    under it (ValueError otherwise). `bomb_size`: decoded size of the bombs; by default the
    largest that fits under 98% of `download_maxsize` (about 1000 MiB, 1.03 MB compressed, at
    1 MiB), so that a missing cap costs over 1 GB. `pages`, `depth`: of pages.pdf and deep.html. `retry_after`:
    the Retry-After of the 503/429 cases. `extras`: also serve `EXTRA_CASES`.
    """
    bodies = _bodies(download_maxsize, bomb_size, pages, depth, extras, seed)
    portal = _Portal(0, 0, [], threading.Event(), timeout_after, retry_after, bodies)
    paths = list(CASES) + (list(EXTRA_CASES) if extras else [])
    paths.insert(len(CASES) // 2, HEALTHY)
    portal.paths = paths
    url = ""
    httpd = _Server(("127.0.0.1", 0), _handler(portal, lambda: url))
    tls = _Server(("127.0.0.1", 0), _tls_closing_handler(portal))
    portal.port, portal.tls_port = httpd.server_address[1], tls.server_address[1]
    url = f"http://127.0.0.1:{portal.port}/"
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (httpd, tls)]
    for thread in threads:
        thread.start()
    _LIVE[url] = portal
    try:
        yield url, portal.log
    finally:
        _LIVE.pop(url, None)
        portal.stop.set()
        for server in (httpd, tls):
            server.shutdown()
            server.server_close()
