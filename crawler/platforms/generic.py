"""The generic adapter: plain anchors, on any platform.

Follows links whose text (or title attribute) is a report title, attachments (PDF, DOC, DOCX, WPS,
RTF, ZIP archives holding one, and the XLS/XLSX/ET spreadsheets published with a report) linked
from a report page or named like a report, the paging bar of a listing, the year and tier
sub-columns of the report column (2023年, 部门, 乡镇（街道）: followed from the report column's own
pages only, as listings), and
navigation toward the disclosure section. Everything else (news, services, other sites' banners) is
left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from archive.classify import in_report_column, is_navigation, is_pagination, is_report_title, is_subcolumn
from archive.urls import absolute_url, is_document_link, scanned_page_images
from crawler.platforms.base import Link, Page

_SKIP = re.compile(r"\.(?:jpe?g|png|gif|bmp|css|js|ico|mp4|mp3|rar|7z|swf|exe|apk)$", re.I)
_NON_HTTP = ("#", "javascript:", "mailto:", "tel:", "data:")
# A report page this small (markup included) holds no tables of text: its pictures may be its pages.
MAX_SCANNED_PAGE_CHARS = 30_000


@dataclass(frozen=True)
class _Generic:
    name: str = "generic"

    def matches(self, page: Page) -> bool:
        return True

    def links(self, page: Page) -> list[Link]:
        on_report_page = is_report_title(page.title)
        on_report_column = in_report_column(page.names, page.breadcrumb)
        found = []
        # The anchors of the parsed tree itself: a parsel Selector made for each of a page's few
        # hundred anchors cost the crawl more than deciding what they are.
        for anchor in page.selector.root.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.lower().startswith(_NON_HTTP):
                continue
            url = absolute(page.url, href)
            if url is None:
                continue
            path = urlsplit(url).path
            text = normalize_space("".join(anchor.itertext()))
            title = (anchor.get("title") or "").strip()
            link = classify_anchor(url, path, text, title, on_report_page, on_report_column)
            if link is not None:
                found.append(link)
        if on_report_page and len(page.text) < MAX_SCANNED_PAGE_CHARS:
            pictures = [
                (img.attrib.get("src", ""), img.attrib.get("width")) for img in page.selector.xpath("//img")
            ]
            found += [Link(url, "image", page.title) for url in scanned_page_images(page.url, pictures)]
        return found


def classify_anchor(
    url: str, path: str, text: str, title: str, on_report_page: bool, on_report_column: bool = False
) -> Link | None:
    """What kind of link an anchor is, or None when it is not worth following.

    Paging links and the report column's sub-columns are listings: they spend the listing budget
    (`NIANBAO_MAX_LISTING_PAGES`), not the navigation hops."""
    named_report = is_report_title(title) or is_report_title(text)
    if is_document_link(url, text or title):  # by the path's suffix, a download endpoint, or the text
        return Link(url, "attachment", title or text) if named_report or on_report_page else None
    if _SKIP.search(path):
        return None
    if named_report:
        return Link(url, "report", title or text)
    if is_pagination(text):
        return Link(url, "listing", text)
    if on_report_column and is_subcolumn(text or title):
        return Link(url, "listing", text or title)
    if is_navigation(text or title, url):
        return Link(url, "navigation", text or title)
    return None


_XML_SPACE = re.compile(r"[ \t\n\r]+")


def normalize_space(text: str) -> str:
    """XPath's normalize-space(): runs of XML whitespace (not NBSP nor U+3000) made one space."""
    return _XML_SPACE.sub(" ", text).strip(" \t\n\r")


def absolute(base: str, href: str) -> str | None:
    """`href` resolved against `base`, percent-encoded as a browser would; None for non-HTTP."""
    url = absolute_url(base, href)
    return url if urlsplit(url).scheme in ("http", "https") else None


PLATFORM = _Generic()
