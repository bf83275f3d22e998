"""拓尔思 TRS WCM: listing pages `index.html`, `index_1.html` … that only inline scripts link to.

TRS templates write the paging bar with `createPageHTML(countPage, currentPage, "index", "html")`
(or set `var countPage = N` and `document.write("<a href=\"index_" + i + ".html\">")`) instead of
static anchors, so a crawler reading anchors alone stops at the first page. The page names follow the
column's own: `index.shtml`, `index_1.shtml` … on km.gov.cn sites (domain notes §3.1), so the stem
and extension come from the script's call or string, else from the page's own URL. Articles are
`./YYYYMM/tYYYYMMDD_ID.html` relative to the column directory, with the body in `div.TRS_Editor`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from crawler.platforms.base import Link, Page

_PAGER = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
# The page name a `document.write` builds: "…href=\"index_" + i + ".shtml\"…" (any expression for i).
_WRITTEN_PAGE = re.compile(r"""(?<![\w-])([\w-]{1,40})_['"]\s*\+[^'"\n]{1,60}?\+\s*\\?['"]\.(s?html?)\b""")
# The page's own name: index.shtml, index_3.shtml.
_OWN_PAGE = re.compile(r"/([\w-]+?)(?:_\d+)?\.(s?html?)$")
# The call with names for arguments, and the literals a script binds to names.
_ARG = r"""(\w+|'[\w-]*'|"[\w-]*")"""
_CURRENT = r"[^,()]*(?:\([^()]*\)[^,()]*)*"  # the current page: any expression, one level of calls
_PAGER_CALL = re.compile(rf"createPageHTML\(\s*{_ARG}\s*,{_CURRENT},\s*{_ARG}\s*,\s*{_ARG}\s*\)")
_BINDING = re.compile(r"""\b(?:var|let|const)\s+(\w+)\s*=\s*(\d{1,6}|'[\w-]*'|"[\w-]*")\s*;""")
MAX_PAGES = 500  # a page count is untrusted input


def _resolved_call(text: str) -> tuple[str, str, str, str] | None:
    """`createPageHTML(PAGE_TOTAL, cur, PAGE_NAME, PAGE_EXT)` with its names bound to literals in the
    script (`var PAGE_TOTAL = 3; var PAGE_NAME = "index";`), as a per-column pager file writes it."""
    bound = {m[1]: m[2].strip("'\"") for m in _BINDING.finditer(text)}
    for call in _PAGER_CALL.finditer(text):  # the function's own definition does not resolve
        values = [bound.get(arg, arg.strip("'\"")) for arg in (call[1], call[2], call[3])]
        if values[0].isdecimal() and all(re.fullmatch(r"[\w-]+", v) for v in values[1:]):
            return (call[0], values[0], values[1], values[2])
    return None


def page_count(digits: str) -> int:
    """A script's page count, capped at MAX_PAGES (without converting a thousand-digit number)."""
    return min(int(digits), MAX_PAGES) if len(digits) <= 6 else MAX_PAGES


@dataclass(frozen=True)
class _Trs:
    name: str = "trs"

    def matches(self, page: Page) -> bool:
        return "createPageHTML" in page.text or "countPage" in page.text or "TRS_Editor" in page.text

    def links(self, page: Page) -> list[Link]:
        return [Link(url, "listing") for url in script_pages(page.url, page.text)]


def script_pages(page_url: str, html: str) -> list[str]:
    """Listing pages a TRS template writes only from script: index_1.html … index_{N-1}.html (or
    index_1.shtml …, as the script or the page's own name says)."""
    match = _PAGER.search(html) or _resolved_call(html)
    if match:
        count, stem, ext = page_count(match[1]), match[2], match[3]
    else:
        counted = _COUNT_PAGE.search(html)
        if not counted:
            return []
        count = page_count(counted[1])
        written = _WRITTEN_PAGE.search(html)
        own = _OWN_PAGE.search(urlsplit(page_url).path)
        stem, ext = written.groups() if written else own.groups() if own else ("index", "html")
    base = urljoin(page_url, f"{stem}.{ext}")
    return [urljoin(base, f"{stem}_{i}.{ext}") for i in range(1, min(count, MAX_PAGES))]


PLATFORM = _Trs()
