"""Jiangsu's consolidated government-site platform ("ucap" templates): `.shtml` lists paged by script.

Sites are path-prefixed under one host (`/shuyang/`, `/sygfj/` …). A column's list is a static
page, `…/gknb/xxgk_list.shtml` or `…/list.shtml`, whose paging bar is written by
`createPageHTML('page_div', pageCount, currentPage, 'xxgk_list', 'shtml', recordCount)`: page 1
is `xxgk_list.shtml`, page N is `xxgk_list_N.shtml` (seen in public crawlers of 宿迁, 昆山 and 镇江
sites). No anchor names the later pages, so a crawler reading anchors alone stops at page 1.

Articles are `/{site}/{column}/{YYYYMM}/{32 hex}.shtml` with the body in `<ucapcontent>`, the title
in `<ucaptitle>`, the date in `<publishtime>`, a metadata table (名称/索引号/分类/发布机构/公开日期/
文号/关键词/文件下载/时效) and the footer in an iframe; the generic adapter follows their anchors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from crawler.platforms.base import Link, Page

MAX_PAGES = 500  # a page count is untrusted input

# createPageHTML('page_div', 3, 1, 'xxgk_list', 'shtml', 41): container id first, then the counts.
_PAGER = re.compile(
    r"createPageHTML\(\s*['\"][^'\"]*['\"]\s*,\s*(\d+)\s*,\s*\d+\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_ARTICLE = re.compile(r"/\d{6}/[0-9a-f]{32}\.shtml$")
_MARKERS = re.compile(r"<ucap(?:content|title)\b|createPageHTML\(\s*['\"]page_div['\"]", re.I)


def page_count(digits: str) -> int:
    """A script's page count, capped at MAX_PAGES (without converting a thousand-digit number)."""
    return min(int(digits), MAX_PAGES) if len(digits) <= 6 else MAX_PAGES


@dataclass(frozen=True)
class _Ucap:
    name: str = "ucap"

    def matches(self, page: Page) -> bool:
        if _ARTICLE.search(urlsplit(page.url).path):
            return True
        return bool(_MARKERS.search(page.text[:300_000]) or _PAGER.search(page.text))

    def links(self, page: Page) -> list[Link]:
        return [Link(url, "listing") for url in script_pages(page.url, page.text)]


def script_pages(page_url: str, html: str) -> list[str]:
    """The list pages 2…N that `createPageHTML('page_div', N, …, stem, ext, …)` would link to."""
    match = _PAGER.search(html)
    if not match:
        return []
    count, stem, ext = page_count(match[1]), match[2], match[3]
    base = urljoin(page_url, f"{stem}.{ext}")
    return [urljoin(base, f"{stem}_{n}.{ext}") for n in range(2, min(count, MAX_PAGES) + 1)]


PLATFORM = _Ucap()
