"""Lists answered as data: the JSON (or XML) behind a script-drawn column, on any platform.

A data URL found in a page's scripts (`crawler.scripts`) answers with rows in whatever shape its
CMS chose: `{"data": {"list": [{"title", "linkUrl", "publishDate"}], "total": 23}}`, `{"rows": […],
"pages": 3}`, `[{"name", "url"}]`, XML `<record>`s wrapping HTML, JSONP `cb({…})`. Rather than one
adapter per shape, this reads any of them: every list of objects in the answer whose objects have a
title-like and an address-like field is a list of rows; rows titled like a report are report links.
A page count (`pages`, `totalPage`…) or a row count (`total`…) with the request's page parameter
(`page`, `pageNo`, `curPage`… in the query or the form/JSON body) gives the list's other pages.

Known platforms' APIs keep their own adapters (gkmlpt names its rows by id); this one yields nothing
for an answer in which it finds no rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector

from crawler.platforms.base import Link, Page
from crawler.platforms.generic import absolute, classify_anchor

MAX_PAGES = 200  # a page count in an answer is untrusted input
MAX_DEPTH = 8
MAX_ROWS = 5000
TITLE_KEYS = ("title", "doctitle", "articletitle", "showtitle", "infotitle", "name", "bt", "vc_title",
              "subject", "filename", "mc", "wzbt", "biaoti")  # fmt: skip
URL_KEYS = ("url", "linkurl", "link", "href", "docurl", "articleurl", "detailurl", "pageurl",
            "htmlurl", "infourl", "docpuburl", "puburl", "wburl", "path", "fileurl", "vc_url",
            "redirecturl")  # fmt: skip
PAGE_COUNT_KEYS = ("pages", "totalpage", "totalpages", "pagecount", "pagetotal", "totalpagenum")
ROW_COUNT_KEYS = ("total", "totalcount", "totalelements", "totalrecord", "totalrecords", "recordcount",
                  "totalnum", "count", "totalsize", "rowcount")  # fmt: skip
PAGE_PARAMS = ("page", "pageno", "pagenum", "pagenumber", "pageindex", "curpage", "currentpage",
               "pn", "p", "page_no", "page_num", "pageidx", "nowpage", "cpage", "current")  # fmt: skip
SIZE_PARAMS = ("pagesize", "size", "rows", "limit", "page_size", "perpage", "pagecount_per")
_ANSWER_START = re.compile(r"[\[{]|[\w$.]{1,80}\s*\(\s*[\[{]")
_JSONP = re.compile(r"^\s*[\w$.]{1,80}\s*\(\s*(?P<body>[\[{].*[\]}])\s*\)\s*;?\s*$", re.S)


@dataclass(frozen=True)
class _DataList:
    name: str = "datalist"

    def matches(self, page: Page) -> bool:
        if "html" in page.content_type:
            return False
        head = page.text[:200].lstrip()
        return "json" in page.content_type or "xml" in page.content_type or bool(_ANSWER_START.match(head))

    def links(self, page: Page) -> list[Link]:
        if "xml" in page.content_type or page.text.lstrip().startswith("<"):
            return xml_rows(page)
        payload = parse_answer(page.text)
        if payload is None:
            return []
        rows = list(find_rows(payload))
        found = [link for row in rows if (link := row_link(page.url, row)) is not None]
        if rows:  # a page holds as many rows as its longest list, usable or not
            found += more_pages(page, payload, _longest_list(payload))
        return found


def parse_answer(text: str) -> Any:
    """The JSON of an answer (JSONP unwrapped), or None."""
    jsonp = _JSONP.match(text) if not text.lstrip().startswith(("{", "[")) else None
    try:
        return json.loads(jsonp["body"] if jsonp else text)
    except (ValueError, RecursionError):
        return None


def _key(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    lowered = {str(k).lower(): v for k, v in row.items()}
    for name in names:
        value = lowered.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def find_rows(payload: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object, in any list of the answer, that has a title and an address."""
    if depth > MAX_DEPTH:
        return
    if isinstance(payload, list):
        for item in payload[:MAX_ROWS]:
            if isinstance(item, dict) and _key(item, TITLE_KEYS) and _key(item, URL_KEYS):
                yield item
            elif isinstance(item, (dict, list)):
                yield from find_rows(item, depth + 1)
    elif isinstance(payload, dict):
        for value in payload.values():
            if isinstance(value, (dict, list)):
                yield from find_rows(value, depth + 1)


def _longest_list(payload: Any, depth: int = 0) -> int:
    if depth > MAX_DEPTH:
        return 0
    if isinstance(payload, list):
        items = payload[:MAX_ROWS]
        own = sum(isinstance(item, dict) for item in items)
    elif isinstance(payload, dict):
        items, own = list(payload.values()), 0
    else:
        return 0
    return max([own, *(_longest_list(i, depth + 1) for i in items if isinstance(i, (dict, list)))])


def row_link(page_url: str, row: dict[str, Any]) -> Link | None:
    """A row as a link: a report, an attachment, or a sub-column (a listing); else None."""
    title = re.sub(r"<[^>]+>", "", str(_key(row, TITLE_KEYS)))  # titles come with <em> highlights
    url = absolute(page_url, str(_key(row, URL_KEYS)))
    if url is None:
        return None
    link = classify_anchor(url, urlsplit(url).path, title, "", on_report_page=False, on_report_column=True)
    if link is None or link.kind == "navigation":
        return None
    return link


def _count(payload: Any, names: tuple[str, ...], depth: int = 0) -> int | None:
    """The first count named `names` at the top levels of the answer."""
    if not isinstance(payload, dict) or depth > 2:
        return None
    lowered = {str(k).lower(): v for k, v in payload.items()}
    for name in names:
        value = lowered.get(name)
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and value >= 0:
            return value
        if isinstance(value, str) and value.isdecimal() and len(value) <= 9:
            return int(value)
    for value in payload.values():
        found = _count(value, names, depth + 1)
        if found is not None:
            return found
    return None


def more_pages(page: Page, payload: Any, rows: int) -> list[Link]:
    """The list's other pages, from the first page's answer: its page count, or its row count over
    the page size (the request's size parameter, else the rows it holds)."""
    method = page.extra.get("method", "GET")
    body = page.extra.get("body", "")
    body_type = page.extra.get("body_type", "")
    parts = urlsplit(page.url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    in_body = method == "POST" and body
    params: list[tuple[str, str]] | dict[str, Any]
    if in_body and "json" in body_type:
        try:
            params = json.loads(body)
        except ValueError:
            return []
        if not isinstance(params, dict):
            return []
        items = [(k, str(v)) for k, v in params.items()]
    else:
        params = parse_qsl(body, keep_blank_values=True) if in_body else query
        items = list(params)
    page_key = next((k for k, _ in items if k.lower() in PAGE_PARAMS), None)
    if page_key is None:
        return []
    current = dict(items)[page_key]
    if current not in ("0", "1"):
        return []  # only the first page pages the list (later pages would repeat it)
    size = next((int(v) for k, v in items if k.lower() in SIZE_PARAMS and v.isdecimal() and v != "0"), rows)
    pages = _count(payload, PAGE_COUNT_KEYS)
    if pages is None:
        total = _count(payload, ROW_COUNT_KEYS)
        if total is None:
            return []
        pages = -(-total // max(size, 1))
    first = int(current)
    last = min(pages - (1 - first), MAX_PAGES)  # 0-based lists end at pages - 1
    found = []
    for n in range(first + 1, last + 1):
        if isinstance(params, dict):
            new_body = json.dumps({**params, page_key: n if isinstance(params[page_key], int) else str(n)},
                                  ensure_ascii=False).encode()  # fmt: skip
            found.append(_api(page.url, "POST", new_body, body_type))
        else:
            changed = [(k, str(n) if k == page_key else v) for k, v in params]
            if in_body:
                found.append(_api(page.url, "POST", urlencode(changed).encode(), body_type))
            else:
                url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(changed), ""))
                found.append(Link(url, "api"))
    return found


def _api(url: str, method: str, body: bytes, body_type: str) -> Link:
    headers = (("Content-Type", body_type),) if body_type else ()
    return Link(url, "api", method=method, body=body, headers=headers)


def xml_rows(page: Page) -> list[Link]:
    """Anchors inside an XML answer's CDATA rows (`<record><![CDATA[<li><a …>]]></record>`)."""
    found = []
    for chunk in re.findall(r"<!\[CDATA\[(.*?)\]\]>", page.text, re.S)[:MAX_ROWS]:
        for anchor in Selector(text=chunk).xpath("//a[@href]"):
            url = absolute(page.url, anchor.attrib.get("href", ""))
            if url is None:
                continue
            text = anchor.xpath("normalize-space(string())").get() or ""
            link = classify_anchor(url, urlsplit(url).path, text, anchor.attrib.get("title", ""), False, True)
            if link is not None and link.kind != "navigation":
                found.append(link)
    return found


PLATFORM = _DataList()
