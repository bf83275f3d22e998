"""大汉 Hanweb JCMS: column lists that live in XML, not in anchors.

A Hanweb column page (`/col/col{columnId}/index.html`) ships its first group of list items inside
`<script type="text/xml"><datastore><recordset><record><![CDATA[<li><a …>]]></record>…`, which an
HTML parser sees as script text, so a crawler reading anchors finds no articles at all. The later
groups are fetched by the `jpage` widget from `/module/web/jpage/dataproxy.jsp?startrecord=S&
endrecord=E&perpage=P`, POSTing the widget's `ajaxParam` (col, appid, webid, path, columnid,
sourceContentType, unitid, webname, permissiontype) as a form; static `index_1.html` pages do not
exist. The proxy answers with the same `<datastore>` XML, plus `<totalrecord>` / `<totalpage>`.

So this adapter reads the CDATA records of a column page, reads the widget's configuration
(`$('#unitid').jpage({totalRecord:…, perPage:…, groupSize:…, proxyUrl:…, ajaxParam:{…}})`) to
request every remaining record range the way the widget would, and reads the records of a proxy
response. Articles are `/art/{Y}/{M}/{D}/art_{columnId}_{articleId}.html`, without zero padding.

Everything is read with regular expressions on the raw text: the datastore is script text in a
column page and CDATA in a proxy response (which an HTML parser would drop as a bogus comment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from archive.classify import in_report_column
from crawler.platforms.base import Link, Page
from crawler.platforms.generic import absolute, classify_anchor

PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
FORM_HEADERS: tuple[tuple[str, str], ...] = (("Content-Type", "application/x-www-form-urlencoded"),)
MAX_RANGES = 200  # record counts are untrusted input
DEFAULT_GROUP_SIZE = 3  # jpage's default: three pages of records per request
# Page text is untrusted too: a hostile or broken page must cost time linear in its size. A real
# widget configuration is a few hundred bytes (a few KB with long parameters), a page has one or
# two widgets, a proxy answer a group of records (perPage × groupSize, 45 by default).
MAX_CONFIG_CHARS = 16_000  # scanned for the end of one `jpage({…})` object
MAX_JPAGE_CALLS = 8  # widget calls read per page
MAX_RECORDS = 2_000  # datastore records read per page
MAX_NEXTGROUPS = 8  # `<nextgroup>` elements read per page

_ARTICLE = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$")
_COLUMN = re.compile(r"/col/col\d+/")
_DATASTORE = re.compile(r"<datastore\b.*?(?:</datastore>|$)", re.S | re.I)
# Elements are cut out by searching their start tag, then their end tag from there, never with one
# `<x>(.*?)</x>` pattern: that one rescans to the end of the text for every start tag left open.
_RECORD_OPEN = re.compile(r"<record\b[^<>]*>", re.I)
_RECORD_CLOSE = re.compile(r"</record\s*>", re.I)
_RECORD_CDATA_END = re.compile(r"\]\]>\s*</record\s*>", re.I)
_NEXTGROUP_OPEN = re.compile(r"<nextgroup\b[^<>]*>", re.I)
_NEXTGROUP_CLOSE = re.compile(r"</nextgroup\s*>", re.I)
_NEXTGROUP_CDATA_END = re.compile(r"\]\]>\s*</nextgroup\s*>", re.I)
_CDATA_OPEN = re.compile(r"\s*<!\[CDATA\[")
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d{1,9})\s*</totalpage>", re.I)
_JPAGE_CALL = re.compile(r"\.jpage\(\s*\{")
_AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{")
# `\b` first: a failed key is not retried from every later letter of the same word.
_KEY_VALUE = re.compile(r"""\b(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


@dataclass(frozen=True)
class JpageConfig:
    """What a column page's `jpage` widget needs to fetch the groups after the embedded one."""

    proxy_url: str
    total: int
    per_page: int
    group_size: int
    params: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Hanweb:
    name: str = "hanweb"

    def matches(self, page: Page) -> bool:
        path = urlsplit(page.url).path
        if "dataproxy.jsp" in path or _ARTICLE.search(path) or _COLUMN.search(path):
            return True
        head = page.text[:200_000]
        return "/module/web/jpage/" in head or "<datastore" in head or ".jpage(" in head

    def links(self, page: Page) -> list[Link]:
        if is_proxy_response(page):
            return record_links(page.url, page.text) + proxy_followups(page.url, page.text)
        found = record_links(page.url, page.text, in_report_column(page.names, page.breadcrumb))
        configs = jpage_configs(page.text)
        for config in configs:
            found += range_requests(page.url, config, embedded=len(records(page.text)))
        if not configs:
            found += nextgroup_links(page.url, page.text)
        return found


def is_proxy_response(page: Page) -> bool:
    """A dataproxy answer: its URL, or an XML body that is a bare `<datastore>`."""
    if "dataproxy.jsp" in urlsplit(page.url).path:
        return True
    return "xml" in page.content_type and "<datastore" in page.text[:2000]


def records(text: str) -> list[str]:
    """The HTML fragments of every `<record>` in every `<datastore>` of `text` (at most MAX_RECORDS)."""
    out: list[str] = []
    for store in _DATASTORE.findall(text):
        out += _elements(store, _RECORD_OPEN, _RECORD_CLOSE, _RECORD_CDATA_END, MAX_RECORDS - len(out))
        if len(out) >= MAX_RECORDS:
            break
    return out


def _elements(
    text: str, opening: re.Pattern[str], closing: re.Pattern[str], cdata_end: re.Pattern[str], limit: int
) -> list[str]:
    """The contents of up to `limit` elements: a CDATA section's text, else the stripped content.

    Linear in `text`: each search starts where the previous element ended, and a search that
    finds nothing is not repeated (an end tag missing after one point is missing after any later).
    """
    out: list[str] = []
    pos, cdata_possible = 0, True
    while len(out) < limit:
        start = opening.search(text, pos)
        if start is None:
            break
        cdata = _CDATA_OPEN.match(text, start.end())
        if cdata and cdata_possible:
            end = cdata_end.search(text, cdata.end())
            if end is not None:
                out.append(text[cdata.end() : end.start()])
                pos = end.end()
                continue
            cdata_possible = False
        end = closing.search(text, start.end())
        if end is None:
            break
        out.append(text[start.end() : end.start()].strip())
        pos = end.end()
    return out


def record_links(page_url: str, text: str, on_report_column: bool = False) -> list[Link]:
    """Report, attachment and navigation links named by the datastore records (and the year and tier
    sub-columns, when they are records of the report column's page)."""
    found = []
    for fragment in records(text):
        for anchor in Selector(text=f"<div>{fragment}</div>", type="html").xpath("//a[@href]"):
            href = (anchor.attrib.get("href") or "").strip()
            url = absolute(page_url, href) if href and not href.startswith(("#", "javascript:")) else None
            if url is None:
                continue
            text_ = anchor.xpath("normalize-space(string())").get() or ""
            title = (anchor.attrib.get("title") or "").strip()
            link = classify_anchor(url, urlsplit(url).path, text_, title, False, on_report_column)
            if link is not None:
                found.append(link)
    return found


def jpage_configs(text: str) -> list[JpageConfig]:
    """Every `jpage({...})` widget configuration on a page that pages through a proxy."""
    configs = []
    for n, match in enumerate(_JPAGE_CALL.finditer(text)):
        if n >= MAX_JPAGE_CALLS:
            break
        body = _balanced(text, match.end() - 1)
        if body is None:
            continue  # never closes within MAX_CONFIG_CHARS: not a configuration
        params_at = _AJAX_PARAM.search(body)
        params: list[tuple[str, str]] = []
        outer = body
        if params_at:
            inner = _balanced(body, params_at.end() - 1)
            if inner is None:
                continue
            params = [(k, a or b or c) for k, a, b, c in _KEY_VALUE.findall(inner[1:-1])]
            outer = body[: params_at.start()] + body[params_at.start() + len(inner) :]
        options = {k: a or b or c for k, a, b, c in _KEY_VALUE.findall(outer[1:-1])}
        total = _count(options.get("totalRecord", ""))
        per_page = _count(options.get("perPage", ""))
        if total is None or per_page is None:
            continue
        proxy = options.get("proxyUrl") or PROXY_PATH
        group = _count(options.get("groupSize", ""))
        group = DEFAULT_GROUP_SIZE if group is None else group
        if per_page <= 0 or not params:
            continue
        configs.append(JpageConfig(proxy, total, per_page, max(group, 1), tuple(params)))
    return configs


def range_requests(page_url: str, config: JpageConfig, embedded: int) -> list[Link]:
    """POSTs for every record range after the embedded group, as the jpage widget sends them.

    jpage asks for a group (`perPage × groupSize` records) at a time: 1–45, 46–90, … with the
    widget's `ajaxParam` as the form. The first group is the embedded datastore; it is requested
    too when the page embedded fewer records than a full first group (a truncated datastore).
    """
    step = config.per_page * config.group_size
    first_group_embedded = embedded >= min(step, config.total)
    body = urlencode(config.params).encode()
    proxy = urljoin(page_url, config.proxy_url)
    links = []
    for k in range(1 if first_group_embedded else 0, MAX_RANGES):
        start = k * step + 1
        if start > config.total:
            break
        end = start + step - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": config.per_page})
        links.append(Link(f"{proxy}?{query}", "api", method="POST", body=body, headers=FORM_HEADERS))
    return links


def nextgroup_links(page_url: str, text: str) -> list[Link]:
    """The `<nextgroup>` link, when no widget configuration says how many records there are.

    Some templates (and the `page=N` variant of the proxy) carry every parameter in this URL, so a
    GET of it returns the next group; its answer then names the page count (`proxy_followups`).
    """
    found = []
    groups: list[str] = []
    for store in _DATASTORE.findall(text):
        groups += _elements(
            store, _NEXTGROUP_OPEN, _NEXTGROUP_CLOSE, _NEXTGROUP_CDATA_END, MAX_NEXTGROUPS - len(groups)
        )
        if len(groups) >= MAX_NEXTGROUPS:
            break
    for group in groups:
        for a, b in _HREF.findall(group):
            url = absolute(page_url, a or b)
            if url and "dataproxy.jsp" in url:
                found.append(Link(url, "api"))
    return found


def proxy_followups(page_url: str, text: str) -> list[Link]:
    """For the `page=N` GET variant: the remaining pages up to the answer's `<totalpage>`."""
    parts = urlsplit(page_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    current = next((v for k, v in query if k == "page"), None)
    total = _TOTAL_PAGE.search(text)
    if current is None or not current.isdigit() or total is None:
        return []
    last = min(int(total[1]), int(current) + MAX_RANGES)
    found = []
    for n in range(int(current) + 1, last + 1):
        new_query = urlencode([(k, str(n) if k == "page" else v) for k, v in query])
        found.append(Link(urlunsplit(parts._replace(query=new_query)), "api"))
    return found


def _count(value: str) -> int | None:
    """A non-negative integer option, or None (also for absurd lengths `int()` would refuse)."""
    value = value.strip()
    return int(value) if value.isdecimal() and len(value) <= 12 else None


def _balanced(text: str, start: int, limit: int = MAX_CONFIG_CHARS) -> str | None:
    """The `{…}` block opening at `text[start]`, skipping braces inside quoted strings; None when it
    does not close within `limit` characters (so a page of unclosed calls costs linear time)."""
    depth, quote, i = 0, "", start
    end = min(len(text), start + limit)
    while i < end:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return None


PLATFORM = _Hanweb()
