"""The portal spider: from a portal's home or column page to every annual-report page.

It reads each page's links and follows three kinds, most promising first: links whose text is a
report title, the listing's paging bar (static anchors, and the pages TRS templates only write from
`createPageHTML(N, …)` / `countPage = N` scripts), and navigation toward the disclosure section
(政府信息公开, 政务公开, 年报 …), bounded by DEPTH_LIMIT. Everything it fetches is archived by the WARC
extension; the spider only yields a `CaptureItem` per response so the store ingests its records.
Deciding which pages are reports is the store's job, from the page itself.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from archive.classify import is_navigation, is_pagination, is_report_title
from crawler.items import CaptureItem

_TRS_PAGER = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_SKIP_EXT = re.compile(r"\.(?:jpg|jpeg|png|gif|bmp|css|js|ico|mp4|mp3|zip|rar|swf|xls|xlsx)$", re.I)

# Priorities: reports first, then listings, then navigation; Scrapy serves higher first.
PRIORITY_REPORT = 30
PRIORITY_PAGE = 20
PRIORITY_NAV = 10


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, start_urls: list[str] | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(start_urls, str):
            start_urls = [u for u in start_urls.split(",") if u]
        self.start_urls = list(start_urls or [])

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, priority=PRIORITY_NAV, dont_filter=True)

    def parse(self, response: Response, **_: Any) -> Iterator[CaptureItem | scrapy.Request]:
        yield CaptureItem(url=response.url, warc_refs=list(response.meta.get("warc_refs", [])))
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        yield from self.follow_links(response)

    def follow_links(self, response: TextResponse) -> Iterator[scrapy.Request]:
        for anchor in response.xpath("//a[@href]"):
            href = anchor.attrib.get("href", "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                continue
            url = response.urljoin(href)
            if urlsplit(url).scheme not in ("http", "https") or _SKIP_EXT.search(urlsplit(url).path):
                continue
            text = anchor.xpath("normalize-space(string())").get() or ""
            title = anchor.attrib.get("title", "")
            if is_report_title(title) or is_report_title(text):
                yield response.follow(url, callback=self.parse, priority=PRIORITY_REPORT)
            elif is_pagination(text):
                yield response.follow(url, callback=self.parse, priority=PRIORITY_PAGE)
            elif is_navigation(text or title, url):
                yield response.follow(url, callback=self.parse, priority=PRIORITY_NAV)
        for url in script_pages(response.url, response.text):
            yield response.follow(url, callback=self.parse, priority=PRIORITY_PAGE)


def script_pages(page_url: str, html: str) -> list[str]:
    """Listing pages a TRS template writes only from script: index_1.html … index_{N-1}.html."""
    match = _TRS_PAGER.search(html)
    if match:
        count, stem, ext = int(match[1]), match[2], match[3]
    else:
        counted = _COUNT_PAGE.search(html)
        if not counted:
            return []
        count, stem, ext = int(counted[1]), "index", "html"
    count = min(count, 500)  # a page count is untrusted input
    return [urljoin(page_url, f"{stem}_{i}.{ext}") for i in range(1, count)]
