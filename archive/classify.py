"""Is this title an annual information-disclosure report? Pure functions on titles and anchor text.

The crawler uses them to decide which links are worth following first, and ingestion uses them to
decide which captured pages are report documents. Both read only what is on the page, so an offline
re-parse of the WARC archive makes the same decisions as the live crawl did.

A report title names a year, the disclosure work (政府信息公开 / 政务公开 / 信息公开) and a yearly
report (年度报告 / 年报). Look-alikes share some of those words: 部门预算/决算, 法治政府建设年度报告,
统计年报, the 公开指南, meetings and notices *about* compiling the report.
"""

from __future__ import annotations

import re
import unicodedata

_YEAR = re.compile(r"(?:19|20)\d{2}\s*年?")
_DISCLOSURE = re.compile(r"(?:政府信息公开|政务公开|信息公开|政府信息)")
_ANNUAL = re.compile(r"(?:年度报告|年报|年度.{0,12}?工作报告|公开工作报告)")
# Words that make a title about something else, even when it mentions the report.
_LOOKALIKE = re.compile(
    r"预算|决算|法治政府|统计年报|统计公报|指南|目录|制度|部署会|会议|召开|培训|通知|通报|解读|"
    r"征求意见|考核|评估|审查|听证|工作要点|实施方案|检查|督查"
)
# Titles of pages that lead towards the reports (columns, sections, listings).
_NAVIGATION_TEXT = re.compile(r"政府信息公开|政务公开|信息公开|公开年报|年度报告|年报")
_NAVIGATION_URL = re.compile(r"zfxxgk|xxgk|zwgk|gknb|ndbg|ndxxgkbg")
# Forward links only: 首页/上一页 point at pages already read (and 首页 is usually the site's home).
_PAGINATION_TEXT = re.compile(r"^(?:下一页|下页|尾页|末页|后一页|>|>>|»|\d{1,4})$")


def normalise_title(title: str) -> str:
    """NFKC, no whitespace: titles arrive with full-width digits, NBSPs and line breaks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", title or ""))


def is_report_title(title: str | None) -> bool:
    """True for the title of an annual government-information-disclosure report."""
    t = normalise_title(title or "")
    if not t or not _YEAR.search(t) or not _ANNUAL.search(t) or not _DISCLOSURE.search(t):
        return False
    return not _LOOKALIKE.search(t)


def is_navigation(text: str, url: str) -> bool:
    """True for a link that leads towards the disclosure section or the report column."""
    return bool(_NAVIGATION_TEXT.search(normalise_title(text)) or _NAVIGATION_URL.search(url.lower()))


def is_pagination(text: str) -> bool:
    """True for the anchor text of a listing's paging bar (下一页, 尾页, page numbers)."""
    return bool(_PAGINATION_TEXT.match(normalise_title(text)))
