"""广东 政府信息公开目录管理平台 (gkmlpt): article lists that only a JSON API holds.

Every Guangdong government site (province, cities, districts, departments, towns) runs the same
disclosure catalogue at `/{site}/gkmlpt/index` (mobile `/gkmlpt/mindex`, the report tab at
`/gkmlpt/annualreport`). The page is a script application: its HTML holds no article anchors,
only a config object,

    window._CONFIG = { SID: '755031', ..., TREE: [{"id": 2651, "name": "政府信息公开工作年度报告",
                       "post_count": 7, "children": [...], "jump_url": ""}, ...], SERVICE_AREA_ID: ... }

and the browser fetches each category's rows from

    {site}/gkmlpt/api/all/{catId}?page={n}&sid={SID}     (catId 0 = every category)

which answers `{"classify": {...}, "total": N, "offset": ..., "articles": [{"id", "title",
"url", "type", "create_time", "date", ...}]}`, 100 rows a page (the web page shows them as five
pages of 20). Articles live at `{site}/gkmlpt/content/{id // 10**6}/{id // 10**3}/post_{id}.html`
(`mpost_` for the mobile template); a row without `url` gets that path from its id, as the
platform's own list script builds it. A row of type "url" is a jump to another page.
(All of the above is seen in public code that reads the live platform; see the fixture's README.)

So this adapter reads the config, asks the API for the report category and for category 0 (a
report misfiled under 其他 is only in the latter), pages through the JSON by its `total`, and
names the report rows: the report pages are then fetched like any other, no browser involved.

Shenzhen and Guangzhou portal columns outside gkmlpt (`…/ndxxgkbg/`, `…/content/post_{id}.html`)
are static HTML that the generic adapter reads; here their mobile `mpost_` links are mapped to the
desktop page so that one report is not fetched under two URLs.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from archive.classify import is_report_title, normalise_title
from crawler.platforms.base import Link, Page
from crawler.platforms.generic import absolute

MAX_PAGES = 300  # a page count computed from `total` is untrusted input
# The page and the API answers are untrusted too: bounded scans, nesting and counts, so that a
# hostile page costs time linear in its size and never raises out of the adapter.
MAX_TREE_CHARS = 2_000_000  # scanned for the end of the `TREE` array
MAX_TREE_DEPTH = 50  # real catalogue trees are three or four levels deep
MAX_CATEGORIES = 20_000
ALL_CATEGORIES = 0

_APP = re.compile(r"^(?P<root>.*?/gkmlpt/)(?:index|mindex|annualreport|policy)?/?$")
_API = re.compile(r"^(?P<root>.*?/gkmlpt/)api/all/(?P<cat>\d+)$")
_SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
_TREE = re.compile(r"""\bTREE\s*[:=]\s*\[""")
_POST = re.compile(r"/(?:m?post)_(\d+)\.html?$")
_MOBILE_POST = re.compile(r"/mpost_(\d+\.html?)$")
# Category names of the yearly-report column across sites: 政府信息公开工作年度报告, 政府信息公开年报,
# 政务公开年度报告 …
_REPORT_CATEGORY = re.compile(r"年度报告|年报")


@dataclass(frozen=True)
class Category:
    """A node of the catalogue tree, as `_CONFIG.TREE` gives it."""

    id: int
    name: str
    post_count: int | None = None
    jump_url: str = ""


@dataclass(frozen=True)
class _Gkmlpt:
    name: str = "gkmlpt"

    def matches(self, page: Page) -> bool:
        path = urlsplit(page.url).path
        if _API.match(path):
            return True
        if "/gkmlpt/" in path:
            return True
        return "_CONFIG" in page.text and bool(_SID.search(page.text)) and "gkmlpt" in page.text

    def links(self, page: Page) -> list[Link]:
        path = urlsplit(page.url).path
        api = _API.match(path)
        if api is not None or "json" in page.content_type:
            return list(api_links(page.url, page.text))
        found = list(app_links(page.url, page.text))
        found += mobile_to_desktop(page)
        return found


def gkmlpt_root(url: str) -> str | None:
    """`http://host/{site}/gkmlpt/` for any URL inside a gkmlpt catalogue, else None."""
    parts = urlsplit(url)
    match = _APP.match(parts.path) or _API.match(parts.path)
    if match is None:
        index = parts.path.find("/gkmlpt/")
        if index < 0:
            return None
        root_path = parts.path[: index + len("/gkmlpt/")]
    else:
        root_path = match["root"]
    return urlunsplit((parts.scheme, parts.netloc, root_path, "", ""))


def api_url(root: str, category: int, page: int, sid: str) -> str:
    """The list API address exactly as the platform's script writes it (one spelling per page)."""
    return f"{root}api/all/{category}?" + urlencode({"page": page, "sid": sid})


def site_id(html: str) -> str | None:
    """`_CONFIG.SID`, the site id every API call carries."""
    match = _SID.search(html)
    return match[1] if match else None


def category_tree(html: str) -> list[Category]:
    """Every node of `_CONFIG.TREE` (or `var TREE = [...]`), depth first; [] when unreadable.

    The tree is a JSON array inside a script, so it is cut out by bracket matching (strings may hold
    brackets) and decoded with `json`; a page whose tree is not JSON yields no categories rather
    than an error, and the adapter then falls back to category 0.
    """
    match = _TREE.search(html)
    if match is None:
        return []
    text = _balanced(html, match.end() - 1)
    if text is None:
        return []
    tree = _json(text)
    return list(itertools.islice(_walk(tree), MAX_CATEGORIES))


def _json(text: str) -> Any:
    """`json.loads`, or None for text that is not JSON (nesting too deep for the decoder included)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _balanced(text: str, start: int) -> str | None:
    """The bracketed JSON value starting at `text[start]`, honouring strings and escapes."""
    depth, in_string, escaped = 0, False, False
    for i in range(start, min(len(text), start + MAX_TREE_CHARS)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return None


def _walk(nodes: Any, depth: int = 0) -> Iterator[Category]:
    if not isinstance(nodes, list) or depth >= MAX_TREE_DEPTH:
        return
    for node in nodes:
        if not isinstance(node, dict):
            continue
        ident = _int(node.get("id"))
        if ident is not None:
            yield Category(
                id=ident,
                name=str(node.get("name") or ""),
                post_count=_int(node.get("post_count")),
                jump_url=str(node.get("jump_url") or ""),
            )
        yield from _walk(node.get("children"), depth + 1)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdecimal() and len(value) <= 18:
        return int(value)
    return None


def report_categories(tree: list[Category]) -> list[Category]:
    """Categories named like the yearly-report column."""
    return [c for c in tree if _REPORT_CATEGORY.search(normalise_title(c.name))]


def app_links(page_url: str, html: str) -> Iterator[Link]:
    """From the catalogue page: the first API page of the report categories and of category 0.

    Later pages come from each API answer's `total` (see `api_links`), so one rule pages every
    list whatever the tree says. A report category that is a jump (`jump_url`) is followed as a
    listing instead.
    """
    root = gkmlpt_root(page_url)
    sid = site_id(html)
    if root is None or sid is None:
        return
    wanted: list[int] = []
    for category in report_categories(category_tree(html)):
        if category.jump_url:
            url = absolute(page_url, category.jump_url)
            if url:
                yield Link(url, "listing", category.name)
        elif category.id not in wanted:
            wanted.append(category.id)
    wanted.append(ALL_CATEGORIES)
    for category_id in wanted:
        yield Link(api_url(root, category_id, 1, sid), "api")


def api_links(page_url: str, text: str) -> Iterator[Link]:
    """From an API answer: its report rows, and (on page 1) the list's other pages."""
    payload = _json(text)
    if not isinstance(payload, dict):
        return
    articles = payload.get("articles")
    if not isinstance(articles, list):
        return
    root = gkmlpt_root(page_url)
    for article in articles:
        if not isinstance(article, dict):
            continue
        title = str(article.get("title") or "").strip()
        if not is_report_title(title):
            continue
        url = article_url(page_url, root, article)
        if url is not None:
            yield Link(url, "report", title)
    yield from _more_pages(page_url, payload, len(articles))


def article_url(page_url: str, root: str | None, article: dict[str, Any]) -> str | None:
    """Where a row's article is: its `url` (absolute, protocol-relative or relative), else the
    path the platform derives from the id; mobile `mpost_` pages mapped to the desktop page."""
    raw = article.get("url")
    if isinstance(raw, str) and raw.strip():
        url = absolute(page_url, raw.strip())
    else:
        ident = _int(article.get("id"))
        if ident is None or root is None:
            return None
        url = urljoin(root, f"content/{ident // 1_000_000}/{ident // 1000}/post_{ident}.html")
    return desktop(url) if url else None


def desktop(url: str) -> str:
    """The desktop page of a gkmlpt or Guangdong portal article (`mpost_ID` → `post_ID`)."""
    parts = urlsplit(url)
    path = _MOBILE_POST.sub(r"/post_\1", parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def _more_pages(page_url: str, payload: dict[str, Any], rows: int) -> Iterator[Link]:
    parts = urlsplit(page_url)
    query = parse_qs(parts.query)
    page = _int((query.get("page") or ["1"])[0])
    sid = (query.get("sid") or [""])[0]
    api = _API.match(parts.path)
    total = _int(payload.get("total"))
    if api is None or page not in (0, 1) or not sid or total is None or rows == 0 or total <= rows:
        return
    # The page size is what page 1 holds (100 on the live platform), not a constant to trust.
    pages = min(-(-total // rows), MAX_PAGES)  # integer ceiling: `total` may be any JSON integer
    root = urlunsplit((parts.scheme, parts.netloc, api["root"], "", ""))
    for n in range(2, pages + 1):
        yield Link(api_url(root, int(api["cat"]), n, sid), "api")


def mobile_to_desktop(page: Page) -> list[Link]:
    """Report anchors that point at a mobile `mpost_` page, as the desktop page's link."""
    found = []
    for anchor in page.selector.xpath("//a[@href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if "mpost_" not in href:
            continue
        title = (anchor.attrib.get("title") or "").strip() or (
            anchor.xpath("normalize-space(string())").get() or ""
        )
        url = absolute(page.url, href)
        if url and _POST.search(urlsplit(url).path) and is_report_title(title):
            found.append(Link(desktop(url), "report", title))
    return found


PLATFORM = _Gkmlpt()
