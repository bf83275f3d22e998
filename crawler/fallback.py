"""The fallback chain: a report column the adapters could not read is tried by every other means,
and recorded as `column_empty` when none of them reads it.

Adapters are written from the portals their authors saw; portals drift (a CMS upgrade, a new
template, a province-wide migration). A column whose adapter matches but finds nothing is the worst
case for an auditor: reports we missed look exactly like reports never published. So when a page is
a report column (`column_reason`) and the adapters name no report, no listing page and no API on it
(or it shows a paging bar whose pages they did not find: `wanted`), the spider climbs these rungs in
order, one request at a time, each carrying the chain in its meta (so a resumed crawl goes on where
it stopped):

1. `data-api`: the data URLs the page's inline scripts load (`crawler.scripts`), read as lists
   (`crawler.platforms.datalist`);
2. `scripts`: the page's own linked scripts, read by the platform adapters as if inline (a TRS
   pager in a separate file) and for data URLs (then read as in 1);
3. `browser`: the page rendered by scrapy-playwright, its DOM read by the adapters;
4. nothing read the column: the spider sends `column_empty` (URL, why it is a column, the rungs
   that ran), which the archive keeps as a metadata record and the store as a finding.

A rung has read the column when its answer names a report, an attachment, a listing or a paging API
(`read`): a data list with rows but no report among them is a readable column, not an empty one.
The decisions here are pure; the spider makes the requests.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from archive.classify import in_report_column, is_report_column, is_report_title, normalise_title
from crawler.platforms.base import Link, Page
from crawler.scripts import DataRequest

FALLBACK = "nianbao_fallback"  # request meta key holding the chain
RUNGS = ("adapters", "data-api", "scripts", "browser")
MAX_LEADS = 4  # data URLs tried per column

# A known platform's catalogue URL: the page is a listing whatever its markup says.
_PLATFORM_LISTING = re.compile(r"/gkmlpt/(?:index|mindex|annualreport)?/?$")
# Article pages name their column in the breadcrumb too; these mark a page as an article.
_ARTICLE_MARKS = re.compile(
    r"发布(?:日期|时间)|成文日期|打印本页|【打印】|关闭窗口|上一篇|下一篇|字号\s*[:：]"
)
# A paging bar's words, and the containers scripts draw one into.
_PAGER_TEXT = re.compile(r"共\s*(\d{1,5})\s*页|第\s*\d+\s*/\s*(\d{1,5})\s*页|\d+\s*/\s*(\d{1,5})\s*页")
_PAGING_ANCHOR = re.compile(r"^[\[【<«‹]?(?:上一?页|前一?页|下一?页|后一?页|尾页|末页)[\]】>»›]*$")
_TITLE_PARTS = re.compile(r"\s*[_|｜\-–—]+\s*|\s+")
WEAK_REASONS = ("breadcrumb", "column-meta")
_PAGER_BOX = re.compile(r"page|pager|paging|pagination|fenye|pagebar|pagenav", re.I)


@dataclass
class Chain:
    """A column's climb down the rungs; plain data, stored in request meta (JSON)."""

    column: str  # the column page's URL
    want: str  # "reports": the column named none; "pages": its paging bar was not read
    reason: str  # why the page is a column: named | link-text | platform | breadcrumb | column-meta |
    # script-rendered
    ran: list[str] = field(default_factory=lambda: ["adapters"])
    leads: list[dict[str, str]] = field(default_factory=list)  # data URLs still to try
    scripts: list[str] = field(default_factory=list)  # linked scripts still to read
    values: dict[str, str] = field(default_factory=dict)  # literals the page's inline scripts bind
    title: str = ""  # the column page's title, for the finding

    def to_meta(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_meta(cls, meta: Any) -> Chain | None:
        if not isinstance(meta, dict):
            return None
        try:
            return cls(**meta)
        except TypeError:
            return None

    def add_leads(self, requests: Iterable[DataRequest]) -> None:
        for request in requests:
            lead = {
                "url": request.url,
                "method": request.method,
                "body": base64.b64encode(request.body or b"").decode("ascii"),
                "content_type": request.content_type,
            }
            if lead not in self.leads and len(self.leads) < MAX_LEADS:
                self.leads.append(lead)

    def ran_rung(self, rung: str) -> None:
        if rung not in self.ran:
            self.ran.append(rung)

    @property
    def reports_column(self) -> bool:
        """Whether an empty end is a finding: the page was a report column, not just script-drawn."""
        return self.want == "reports" and self.reason != "script-rendered"


def lead_link(lead: dict[str, str]) -> Link:
    """A stored lead as the API link to request."""
    body = base64.b64decode(lead.get("body") or "") or None
    headers = (("Content-Type", lead["content_type"]),) if lead.get("content_type") else ()
    return Link(lead["url"], "api", method=lead.get("method") or "GET", body=body, headers=headers)


def column_reason(page: Page, link_text: str = "", *, script_rendered: bool = False) -> str | None:
    """Why `page` is a report column (or a listing that must list something), or None.

    Its own names (title, heading, `ColumnName` meta) naming the column; the anchor text that led
    here naming it; a known platform's catalogue URL; its breadcrumb ending at the column, unless
    the page is an article (a look-alike filed in the column carries the same breadcrumb); a page
    whose list a script draws into an empty container."""
    if is_report_title(page.title):
        return None  # a report page, not its column
    own = (page.title, *_TITLE_PARTS.split(page.selector.xpath("normalize-space(//title)").get() or ""))
    if any(is_report_column(name) for name in own):
        return "named"
    if link_text and is_report_column(link_text):
        return "link-text"
    if _PLATFORM_LISTING.search(urlsplit(page.url).path):
        return "platform"
    weak = "breadcrumb" if in_report_column((), page.breadcrumb) else None
    if weak is None and any(is_report_column(name) for name in page.names):
        weak = "column-meta"  # a template's ColumnName meta: some sites print it on every page
    if weak and not (
        page.selector.xpath("//meta[@name='ArticleTitle']") or _ARTICLE_MARKS.search(_visible(page))
    ):
        return weak
    if script_rendered:
        return "script-rendered"
    return None


def wanted(page: Page, links: list[Link], reason: str = "") -> str | None:
    """What the adapters failed to find on a column page: "reports", "pages", or None.

    A page that is a column only by its breadcrumb or `ColumnName` meta and links to the report
    column elsewhere (a home page whose template prints a crumb, or the column's meta on every
    page) expects its reports there, not here."""
    kinds = {link.kind for link in links}
    if reason in WEAK_REASONS and any(
        link.kind == "navigation" and is_report_column(link.title) and link.url != page.url for link in links
    ):
        return None
    if not kinds & {"report", "attachment", "listing", "api"}:
        return "reports"
    if not kinds & {"listing", "api"} and pager_hint(page):
        return "pages"
    return None


def read(want: str, links: list[Link]) -> bool:
    """Whether a rung's answer read the column."""
    kinds = {link.kind for link in links}
    if want == "pages":
        return bool(kinds & {"listing", "api"})
    return bool(kinds & {"report", "attachment", "listing", "api"})


def pager_hint(page: Page) -> bool:
    """Whether the page shows a paging bar of more than one page, or a box a script draws one into.

    `共5页`, `第1/5页` in the text; an empty element whose id or class says page/pager/fenye; a
    linked script named like a pager. A bar with any paging anchor (上一页 on the last page)
    was drawn in the page, and read."""
    anchors = page.selector.xpath("//a[@href]")
    if any(_PAGING_ANCHOR.match(normalise_title(a.xpath("string()").get() or "")) for a in anchors):
        return False
    for match in _PAGER_TEXT.finditer(_visible(page)):
        count = next(int(g) for g in match.groups() if g)
        if count > 1:
            return True
    for node in page.selector.xpath("//body//*[@id or @class][not(*)][not(normalize-space())]"):
        names = f"{node.attrib.get('id', '')} {node.attrib.get('class', '')}"
        if _PAGER_BOX.search(names) and node.root.tag in ("div", "span", "p", "ul", "td", "nav"):
            return True
    sources = page.selector.xpath("//script/@src").getall()
    return any(_PAGER_BOX.search(src.rsplit("/", 1)[-1]) for src in sources)


def _visible(page: Page) -> str:
    texts = page.selector.xpath("//body//text()[not(ancestor::script or ancestor::style)]").getall()
    return " ".join(texts)[:200_000]
