"""Is this title an annual information-disclosure report? Pure functions on titles and anchor text.

The crawler uses them to decide which links are worth following first, and ingestion uses them to
decide which captured pages are report documents. Both read only what is on the page, so an offline
re-parse of the WARC archive makes the same decisions as the live crawl did.

A report title names a year, the disclosure work (政府信息公开 / 政务公开 / 信息公开) and a yearly
report (年度报告 / 年报). Look-alikes share some of those words: 部门预算/决算, 法治政府建设年度报告,
统计年报, the 公开指南, meetings and notices *about* compiling the report.

The crawler also reads the furniture around the reports: the names of the report column and of its
year and tier sub-columns (2023年, 部门, 乡镇（街道）, domain notes §3.2), the site map, and the
paging bar in its many spellings (下一页, [下一页], 下页>>, [2], », domain notes §3.1).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_YEAR = re.compile(r"(?:19|20)\d{2}\s*年?")
_DISCLOSURE = re.compile(r"(?:政府信息公开|政务公开|信息公开|政府信息)")
_ANNUAL = re.compile(r"(?:年度报告|年报|年度.{0,12}?工作报告|公开工作报告)")
# Words that make a title about something else, even when it mentions the report.
_LOOKALIKE = re.compile(
    r"预算|决算|法治政府|统计年报|统计公报|指南|目录|制度|部署会|会议|召开|培训|通知|通报|解读|图解|一图|读懂|看懂|"
    r"征求意见|考核|评估|审查|听证|工作要点|实施方案|检查|督查"
)
# Titles of pages that lead towards the reports (columns, sections, listings), and the site map
# (网站地图, in every footer), which names every column of the site on one static page.
_NAVIGATION_TEXT = re.compile(r"政府信息公开|政务公开|信息公开|公开年报|年度报告|年报|网站地图|站点地图")
_NAVIGATION_URL = re.compile(r"zfxxgk|xxgk|zwgk|gknb|ndbg|ndxxgkbg|(?<![a-z])(?:wzdt|zddt|sitemap)(?![a-z])")
# Forward links only: 首页/上一页 point at pages already read (and 首页 is usually the site's home).
# Paging bars wrap their words in brackets and arrows ([下一页], 下页>>, [2]): those are cut off first.
_PAGINATION_TEXT = re.compile(r"^(?:下一?页|后一?页|尾页|末页|最后一?页|\d{1,4})$")
_FORWARD_ARROWS = re.compile(r"^(?:>+|»+|›+|→)\|?$")
_PAGINATION_WRAPPING = "[]【】()〔〕<>《》〈〉«»‹›→|"
# The report column by its own name: 政府信息公开年报, 政府信息公开工作年度报告, 年度报告 … (with a year,
# a title is a report or a look-alike, not the column).
_REPORT_COLUMN = re.compile(r"年度报告|年报")
# Other annual reports a portal has columns for (企业年报公示 on a market regulator's site, …).
_OTHER_ANNUAL_REPORTS = re.compile(
    r"企业|公司|统计|环境|环保|社会责任|财务|审计|工商|公示|年检|信用|社会组织|慈善|质量"
)
# Sub-columns of the report column (domain notes §3.2): one per year, or one per tier of government.
_YEAR_COLUMN = re.compile(r"^(?:19|20)\d{2}(?:年度?)?(?:及以前|以前)?(?:年报|年度报告)?$")
_TIER_COLUMN = re.compile(
    r"^(?:本级(?:政府)?|[省市县区州旗盟](?:人民)?政府|(?:[省市县区州旗盟][直级]|政府|各)?部门|"
    r"乡镇(?:人民政府)?|街道(?:办事处)?|乡镇(?:\(街道\)|、?街道)|镇\(街道\)|镇街|街镇|"
    r"县区|区县|县市区|县\(市、区\)|县\(市、区、开发区\))(?:政府信息公开)?(?:年报|年度报告)?$"
)


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
    """True for the anchor text of a listing's paging bar: 下一页, 尾页, page numbers, forward arrows,
    also in brackets or with arrows ([下一页], 下页>>, [2], 后页, ›)."""
    t = normalise_title(text)
    if _FORWARD_ARROWS.match(t):
        return True
    return bool(_PAGINATION_TEXT.match(t.strip(_PAGINATION_WRAPPING)))


def is_report_column(name: str | None) -> bool:
    """True for the name of the report column itself (政府信息公开年报), not of a report or look-alike."""
    t = normalise_title(name or "")
    if not t or len(t) > 24 or not _REPORT_COLUMN.search(t) or _YEAR.search(t):
        return False
    return not (_LOOKALIKE.search(t) or _OTHER_ANNUAL_REPORTS.search(t))


def is_subcolumn(text: str | None) -> bool:
    """True for the name of a year or tier sub-column of the report column: 2023年, 2022年度, 本级政府,
    部门, 市直部门, 乡镇（街道）, 【2023年】. Only meaningful on the report column's own pages."""
    t = normalise_title(text or "").strip("[]【】")
    return bool(_YEAR_COLUMN.match(t) or _TIER_COLUMN.match(t))


def in_report_column(names: Iterable[str], trail: Sequence[str] = ()) -> bool:
    """Whether a page is the report column or one of its sub-columns: one of its own `names` (title,
    heading, column name) names the column, or its breadcrumb `trail` ends at the column, followed
    by nothing but sub-columns (…> 政府信息公开年报 > 2023年 > 部门)."""
    if any(is_report_column(name) for name in names):
        return True
    crumbs = [c for c in (normalise_title(c) for c in trail) if c]
    while crumbs and is_subcolumn(crumbs[-1]):
        crumbs.pop()
    return bool(crumbs) and is_report_column(crumbs[-1])
