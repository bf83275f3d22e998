"""A generated county portal of a thousand pages and a few hundred reports, served from memory.

The world portals (`tests/world/*`) are small and hand-written: each shows one platform or trap.
Fault-injection tests (kill a crawl at random points, resume, compare the export with an
uninterrupted crawl's) and benchmarks need the opposite: a portal big enough that a crawl takes a
while and can be interrupted anywhere, yet deterministic, so that two crawls of "the same site" meet
byte-identical pages. `build_portal(seed)` makes such a site for the fictional 澄川县; `serve()` puts
it on 127.0.0.1.

The site is a TRS WCM portal as county governments run them (domain notes §3.1–3.4):

- a home page with the usual furniture (无障碍, 关怀版, 繁體版, search box, main navigation, news
  blocks, 政务微信/政务微博 QR codes, 网站地图, 主办单位/网站标识码/ICP备案/公网安备 footer);
- a 新闻中心 whose columns make up most of the pages (县内要闻, 部门动态, 乡镇动态, 通知公告): as on a
  real portal most pages are not reports;
- a 政务公开 section: 指南, 制度, 依申请公开, 法定主动公开内容 (政策文件, 政策解读, 财政预决算, 人事信息,
  规划计划, 统计信息, 法治政府建设), 部门信息公开 (one page per department, with its own 政府信息公开年报
  sub-column, and the market regulator's 企业年报公示), 乡镇（街道）信息公开 (the same per town), and the
  政府信息公开年报 column itself, with tier sub-columns 本级政府 / 部门 / 乡镇（街道）;
- columns paged TRS style (`index.html`, `index_1.html`, …) with a plain-anchor bar
  共N条 共N页 当前第N页 首页 上一页 下一页 尾页; list items linked relatively (`./202401/t….html`) when
  the article lives in the column, by absolute path when it lives elsewhere (TRS 引用);
- articles at `{column}/{YYYYMM}/t{YYYYMMDD}_{id}.html`, ids growing with the date, each with the
  standard `<meta name="ArticleTitle">`, `<meta name="PubDate">` set, a breadcrumb, a 发布日期 info
  line, the body in `<div class="TRS_Editor">`, 打印本页 / 关闭窗口, and 上一篇 / 下一篇;
- look-alikes among the neighbours of the reports: 部门预算/决算, 法治政府建设年度报告, 统计年报, 企业年报公示,
  the notice about compiling the reports and the 解读 of the county's own report (the last two in the
  report column itself);
- a few dead links (`Portal.dead_links`), one of them a report title whose page was removed.

Reports (`Portal.reports`): every (agency, year) at most once, years 2019–2024, titled
`{agency}{year}年政府信息公开工作年度报告`. Their text is `tests.reportgen`'s, with reportgen's agency
replaced by the portal's and its title variants by the portal's title, so what the page says is what
`ExpectedReport` says. Most are HTML pages; report years ≤ 2020 are sometimes GBK pages (an older
template: `<meta http-equiv … charset=gb2312>`, no charset in the Content-Type); about one in eight is
an article page whose body is only 「附件：….docx」, the report being the DOCX. About one in ten
department or town reports is listed only in its agency's own 年报 sub-column, not in the county's
report column: a crawler finds those only by navigating 政务公开 > 部门信息公开 > agency > 年报.

    python -m tests.portalgen [SEED] [PAGES] [REPORTS] [--serve] [--port N] [--delay S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import io
import math
import posixpath
import random
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import tests.reportgen as reportgen
from archive.report import CellValue

COUNTY = "澄川县"
GOV = "澄川县人民政府"
DOMAIN = "www.chengchuan.gov.cn"
SITE_ID = "3399000012"
YEARS = tuple(range(2019, 2025))
HTML_UTF8 = "text/html; charset=utf-8"
HTML_BARE = "text/html"  # GBK pages: the server names no charset, the page's <meta> does
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LAST_MODIFIED = email.utils.formatdate(dt.datetime(2025, 4, 1, 8, 0, tzinfo=dt.UTC).timestamp(), usegmt=True)
LIST_PER_PAGE = 20
TITLE_SHOWN = 30  # list items longer than this are cut with "…" (the full title stays in title="")
DOCX_SHARE = 0.12
GBK_SHARE = 0.5  # of the HTML reports on 2019 and 2020
AGENCY_ONLY_SHARE = 0.1  # of department and town reports: only in the agency's own 年报 sub-column

# (code, agency): the 本级 government, departments, towns and sub-districts.
DEPARTMENTS = (
    ("xzfb", "澄川县人民政府办公室"), ("fgj", "澄川县发展和改革局"), ("jyj", "澄川县教育局"),
    ("kjj", "澄川县科学技术局"), ("jxj", "澄川县经济和信息化局"), ("gaj", "澄川县公安局"),
    ("mzj", "澄川县民政局"), ("sfj", "澄川县司法局"), ("czj", "澄川县财政局"),
    ("rsj", "澄川县人力资源和社会保障局"), ("zrzyj", "澄川县自然资源和规划局"), ("sthjj", "澄川县生态环境局"),
    ("zjj", "澄川县住房和城乡建设局"), ("jtj", "澄川县交通运输局"), ("slj", "澄川县水利局"),
    ("nyncj", "澄川县农业农村局"), ("swj", "澄川县商务局"), ("wgltj", "澄川县文化广电旅游体育局"),
    ("wjj", "澄川县卫生健康局"), ("tyjrj", "澄川县退役军人事务局"), ("yjglj", "澄川县应急管理局"),
    ("sjj", "澄川县审计局"), ("scjgj", "澄川县市场监督管理局"), ("tjj", "澄川县统计局"),
    ("ybj", "澄川县医疗保障局"), ("lyj", "澄川县林业局"), ("xzspj", "澄川县行政审批服务局"),
    ("xfj", "澄川县信访局"), ("zhzfj", "澄川县综合行政执法局"), ("mzzjj", "澄川县民族宗教事务局"),
    ("lsj", "澄川县粮食和物资储备局"), ("xczxj", "澄川县乡村振兴局"), ("dsjj", "澄川县大数据发展管理局"),
    ("jgswj", "澄川县机关事务服务中心"), ("gzb", "澄川县国有资产监督管理办公室"), ("tzcjj", "澄川县投资促进局"),
    ("rfb", "澄川县人民防空办公室"), ("gjj", "澄川县住房公积金管理中心"), ("kfq", "澄川经济开发区管理委员会"),
    ("zwfwb", "澄川县政务服务管理办公室"), ("qxj", "澄川县气象局"), ("dag", "澄川县档案馆"),
)  # fmt: skip
TOWNS = (
    ("cgz", "澄川县城关镇人民政府"), ("cjz", "澄川县澄江镇人民政府"), ("smz", "澄川县石门镇人民政府"),
    ("qsz", "澄川县青山镇人民政府"), ("tyz", "澄川县桃源镇人民政府"), ("lqz", "澄川县龙泉镇人民政府"),
    ("bmx", "澄川县白马乡人民政府"), ("lxx", "澄川县柳溪乡人民政府"), ("hsx", "澄川县黄沙乡人民政府"),
    ("ytx", "澄川县云台乡人民政府"), ("sxx", "澄川县双溪乡人民政府"), ("cdjd", "澄川县城东街道办事处"),
    ("cxjd", "澄川县城西街道办事处"), ("jbjd", "澄川县江北街道办事处"),
)  # fmt: skip
TOPICS = (
    "安全生产", "森林防火", "防汛抗旱", "乡村振兴", "优化营商环境", "民生实事", "文明城市创建", "农村人居环境整治",
    "耕地保护", "河湖长制", "招商引资", "重点项目建设", "食品安全", "消防安全", "就业创业", "居家养老服务",
    "义务教育均衡发展", "医疗保障", "生态环境保护", "农村饮水安全", "道路交通安全", "平安建设", "信访维稳",
    "数字政府建设", "高标准农田建设", "燃气安全", "秸秆禁烧", "城乡环境卫生", "社会救助", "退役军人服务保障",
)  # fmt: skip
LEADERS = ("县委书记", "县长", "县委副书记", "常务副县长", "副县长", "县人大常委会主任", "县政协主席")
SENTENCES = (
    "会议传达学习了上级有关会议和文件精神，听取了相关工作进展情况汇报。",
    "会议强调，各级各部门要提高政治站位，压紧压实责任，确保各项任务落到实处。",
    "下一步，将持续加大工作力度，健全长效机制，推动工作提质增效。",
    "活动现场发放宣传资料两千余份，解答群众咨询一百余人次。",
    "检查组深入现场查看台账资料，对发现的问题当场反馈并督促限期整改。",
    "截至目前，已完成年度目标任务的百分之八十以上，各项工作有序推进。",
    "与会人员围绕工作实际进行了交流发言，并对下一阶段工作提出了意见建议。",
    "各乡镇（街道）、县直有关单位负责同志参加会议。",
    "此次活动进一步增强了群众的安全意识和法治意识，营造了良好的社会氛围。",
    "要坚持问题导向，聚焦群众急难愁盼，切实增强人民群众的获得感、幸福感、安全感。",
)
FOOTER_LINKS = (("https://www.gov.cn/", "中国政府网"), ("https://www.12345.gov.cn/", "12345政务服务便民热线"))


@dataclass(frozen=True)
class ExpectedReport:
    """A report of the portal, as a correct crawl and parse must record it.

    `path` is the document the report text comes from (the HTML page, or the DOCX for an attachment
    report); `page` is the article page (the same as `path` for an HTML report). `cells` and
    `checks_failed` are `tests.reportgen`'s expectation for the text.
    """

    path: str
    page: str
    agency: str
    year: int
    title: str
    kind: str  # "html" | "docx"
    encoding: str  # "utf-8" | "gbk" (of the page)
    format: str  # "2019" | "2021"
    published: str  # YYYY-MM-DD, the page's 发布日期 and PubDate
    tier: str  # "本级政府" | "部门" | "乡镇（街道）"
    cells: dict[str, CellValue] = field(compare=False, repr=False)
    checks_failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Portal:
    """A generated site: every file by URL path, and what a crawl of it must find.

    `page_count` counts HTML pages (what `pages` asked for); `files` also holds the DOCX attachments,
    robots.txt, the stylesheet, the script and the images. `listings` are the column pages (the
    report columns among them), `lookalikes` the articles a crawler must not store as reports,
    `dead_links` the paths pages link to on purpose that answer 404, `titles` the title of every
    HTML page.
    """

    seed: int
    files: dict[str, tuple[bytes, str]]
    reports: list[ExpectedReport]
    page_count: int
    listings: frozenset[str]
    lookalikes: frozenset[str]
    dead_links: frozenset[str]
    titles: dict[str, str]

    @property
    def size(self) -> int:
        return sum(len(body) for body, _ in self.files.values())


# ---------------------------------------------------------------------------------------------
# The plan: columns and articles, before any page is rendered
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Column:
    """A column (a directory of the CMS): its pages list `items`, wherever those articles live."""

    dir: str  # "/zwgk/ndbg/"
    name: str
    crumbs: tuple[tuple[str, str], ...]  # (name, href) of the ancestors, home first
    items: list[_Article] = field(default_factory=list)
    per_page: int = LIST_PER_PAGE
    dated: bool = True
    tabs: tuple[tuple[str, str], ...] = ()  # sub-columns shown above the list
    intro: str = ""
    side: str = "zwgk"  # the side menu: "zwgk", "xwzx" or ""

    @property
    def href(self) -> str:
        return self.dir + "index.html"

    def page_path(self, n: int) -> str:
        return self.dir + ("index.html" if n == 0 else f"index_{n}.html")

    def pages(self) -> int:
        return max(1, math.ceil(len(self.items) / self.per_page))

    def trail(self) -> tuple[tuple[str, str], ...]:
        return (*self.crumbs, (self.name, self.href))


@dataclass(eq=False)
class _Agency:
    code: str
    name: str
    tier: str  # 本级政府 | 部门 | 乡镇（街道）

    @property
    def short(self) -> str:
        """How news titles name it: 县水利局, 石门镇, 城东街道."""
        if self.tier == "乡镇（街道）":
            return self.name.removeprefix(COUNTY).removesuffix("人民政府").removesuffix("办事处")
        return self.name.replace(COUNTY, "县", 1) if self.name.startswith(COUNTY) else self.name


@dataclass(eq=False)
class _Report:
    agency: _Agency
    year: int
    doc: reportgen.Doc
    expected: reportgen.Expected
    rng: random.Random  # the report's own generator, where reportgen left it (for render_html)
    kind: str  # html | docx
    encoding: str  # utf-8 | gbk
    attachment: str = ""

    @property
    def title(self) -> str:
        return f"{self.agency.name}{self.year}年政府信息公开工作年度报告"


@dataclass(eq=False)
class _Article:
    column: _Column  # where the page lives (its URL is under column.dir)
    title: str
    date: dt.date
    kind: str  # report | lookalike | article | dead
    source: str
    body: Callable[[], str] | None = None  # HTML paragraphs; None for reports and dead links
    report: _Report | None = None
    clock: str = "09:00"
    doc_no: str = ""  # 发文字号 of a policy document
    path: str = ""  # set once ids are assigned


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


def _paragraphs(rng: random.Random, lead: str, n: int) -> Callable[[], str]:
    """A news-like body: a lead sentence and n stock sentences (drawn now, rendered later)."""
    picks = [rng.choice(SENTENCES) for _ in range(n)]
    return lambda: "".join(f'<p style="text-indent:2em;">{escape(s)}</p>' for s in (lead, *picks))


# -- reports ------------------------------------------------------------------------------------

_SUFFIX = "年政府信息公开工作年度报告"
_SUFFIX_VARIANTS = ("年度政府信息公开工作年度报告", "年度信息公开工作报告")


def _report_model(key: str, year: int) -> tuple[reportgen.Doc, reportgen.Expected, random.Random]:
    """A reportgen report on `year`: its model (paragraphs and tables), expectation and generator.

    reportgen draws the year first (`rng.randint(2019, 2025)`), so seeds are tried until one gives
    `year`: the report is then exactly what `generate(rng, shape)` makes, format included (2019 for
    years ≤ 2020), and `render_html(doc, rng, …)` with the same generator afterwards gives what
    `generate(rng, "html")` would have.
    """
    for attempt in range(1000):
        seed = f"{key}/{attempt}"
        if random.Random(seed).randint(2019, 2025) == year:
            break
    else:  # pragma: no cover - 1000 misses at p = 6/7 each
        raise RuntimeError(f"no reportgen seed for {year}")
    rng = random.Random(seed)
    report = reportgen.model(rng)
    if report.expected.year != year:
        raise RuntimeError("tests.reportgen no longer draws the year first; update _report_model")
    return report.doc, report.expected, rng


def _rewrite(text: str, old_agency: str, agency: str, year: int) -> str:
    """reportgen's text with the portal's agency, and its title variants as the portal's title."""
    text = text.replace(old_agency, agency)
    if text in _SUFFIX_VARIANTS:  # the second line of a title split over two paragraphs
        return _SUFFIX
    for variant in _SUFFIX_VARIANTS:
        text = text.replace(f"{year}{variant}", f"{year}{_SUFFIX}")
    return text


def _make_report(key: str, agency: _Agency, year: int, rng: random.Random) -> _Report:
    doc, expected, report_rng = _report_model(key, year)
    old = expected.agency
    doc.meta_lines = [_rewrite(line, old, agency.name, year) for line in doc.meta_lines]
    doc.blocks = [
        (kind, _rewrite(str(payload), old, agency.name, year)) if kind == "p" else (kind, payload)
        for kind, payload in doc.blocks
    ]
    expected.agency = agency.name
    kind = "docx" if rng.random() < DOCX_SHARE else "html"
    gbk = kind == "html" and year <= 2020 and rng.random() < GBK_SHARE
    return _Report(agency, year, doc, expected, report_rng, kind, "gbk" if gbk else "utf-8")


# -- the plan ---------------------------------------------------------------------------------


@dataclass(eq=False)
class _Plan:
    columns: list[_Column] = field(default_factory=list)
    articles: list[_Article] = field(default_factory=list)
    hubs: dict[str, tuple[str, tuple[tuple[str, str], ...], list[_Column]]] = field(default_factory=dict)
    singles: dict[str, tuple[str, tuple[tuple[str, str], ...], str]] = field(default_factory=dict)

    def column(self, directory: str, name: str, crumbs: tuple[tuple[str, str], ...], **kw: object) -> _Column:
        col = _Column(directory, name, crumbs, **kw)  # type: ignore[arg-type]
        self.columns.append(col)
        return col

    def article(
        self, column: _Column, title: str, date: dt.date, kind: str, source: str, **kw: object
    ) -> _Article:
        art = _Article(column, title, date, kind, source, **kw)  # type: ignore[arg-type]
        self.articles.append(art)
        column.items.append(art)
        return art

    def html_pages(self) -> int:
        listed = sum(c.pages() for c in self.columns)
        live = sum(1 for a in self.articles if a.kind != "dead")
        return 1 + listed + live + len(self.hubs) + len(self.singles)  # 1: the home page


HOME = (("首页", "/index.html"),)
ZWGK = (*HOME, ("政务公开", "/zwgk/index.html"))
XWZX = (*HOME, ("新闻中心", "/xwzx/index.html"))
FDZD = (*ZWGK, ("法定主动公开内容", "/zwgk/fdzdgknr/index.html"))
BMXXGK = (*ZWGK, ("部门信息公开", "/zwgk/bmxxgk/index.html"))
XZJD = (*ZWGK, ("乡镇（街道）信息公开", "/zwgk/xzjd/index.html"))
FIRST_DAY, LAST_DAY = dt.date(2019, 1, 2), dt.date(2025, 3, 31)


def _plan(seed: int, pages: int, reports: int, fill: str = "news") -> _Plan:
    """Every column and article of the site, with dates; paths come later, from ids in date order."""
    rng = random.Random(f"portalgen/{seed}")
    p = _Plan()
    gov = _Agency("xzf", GOV, "本级政府")
    depts = [_Agency(c, n, "部门") for c, n in DEPARTMENTS]
    towns = [_Agency(c, n, "乡镇（街道）") for c, n in TOWNS]
    agencies = [gov, *depts, *towns]

    # The report column, its tier sub-columns, and one 年报 sub-column per department and town.
    tier_tabs = (("本级政府", "/zwgk/ndbg/bjzf/index.html"), ("部门", "/zwgk/ndbg/bm/index.html"),
                 ("乡镇（街道）", "/zwgk/ndbg/xzjd/index.html"))  # fmt: skip
    ndbg = p.column("/zwgk/ndbg/", "政府信息公开年报", ZWGK, tabs=tier_tabs)
    tiers = {
        name: p.column(href.removesuffix("index.html"), name, ndbg.trail(), tabs=tier_tabs, per_page=15)
        for name, href in tier_tabs
    }
    own: dict[str, _Column] = {}
    homes: dict[str, _Column] = {}
    for agency in [*depts, *towns]:
        parent = BMXXGK if agency.tier == "部门" else XZJD
        base = "/zwgk/bmxxgk/" if agency.tier == "部门" else "/zwgk/xzjd/"
        home = _Column(f"{base}{agency.code}/", agency.name, parent, dated=True, per_page=10)
        budget = "部门预决算" if agency.tier == "部门" else "财政预决算"
        subs = [("政府信息公开年报", f"{home.dir}ndbg/index.html"), (budget, "/zwgk/czyjs/index.html")]
        if agency.code == "scjgj":
            subs.append(("企业年报公示", f"{home.dir}qynbgs/index.html"))
        home.tabs = tuple(subs)
        home.intro = _agency_intro(agency)
        homes[agency.code] = home
        own[agency.code] = p.column(f"{home.dir}ndbg/", "政府信息公开年报", home.trail(), dated=False)

    slots = [(a, y) for a in agencies for y in YEARS]
    rng.shuffle(slots)
    slots.sort(key=lambda s: s[0].tier != "本级政府")  # the county's own reports are all there
    if reports > len(slots):
        raise ValueError(f"at most {len(slots)} reports (one per agency and year)")
    for i, (agency, year) in enumerate(sorted(slots[:reports], key=lambda s: (s[1], s[0].code))):
        report = _make_report(f"portalgen/{seed}/report/{i}", agency, year, rng)
        date = dt.date.fromisoformat(report.expected.published_on)
        clock = f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
        only_own = agency.tier != "本级政府" and rng.random() < AGENCY_ONLY_SHARE
        home_col = own[agency.code] if only_own else ndbg
        art = p.article(home_col, report.title, date, "report", agency.name, report=report, clock=clock)
        if not only_own:
            tiers[agency.tier].items.append(art)
            if agency.tier != "本级政府":
                own[agency.code].items.append(art)

    # The report column's other items: notices about compiling the reports, 解读 of the county's own.
    for year in YEARS:
        day = _date_between(rng, dt.date(year, 12, 1), dt.date(year, 12, 28))
        p.article(ndbg, f"关于做好{year}年度政府信息公开工作年度报告编制发布工作的通知", day, "lookalike",
                  "县政务公开办", body=_paragraphs(rng, f"各乡镇人民政府、街道办事处，县政府各部门：现就做好{year}年度政府信息公开工作年度报告编制发布工作通知如下。", 3))  # fmt: skip
        day = _date_between(rng, dt.date(year + 1, 3, 29), dt.date(year + 1, 4, 20))
        p.article(ndbg, f"《{GOV}{year}年政府信息公开工作年度报告》解读", day, "lookalike", "县政务公开办",
                  body=_paragraphs(rng, f"{GOV}{year}年政府信息公开工作年度报告已正式发布，现就报告主要内容解读如下。", 3))  # fmt: skip
    gone = p.article(
        ndbg, "澄川县档案局2019年政府信息公开工作年度报告", dt.date(2020, 1, 21), "dead", "澄川县档案局"
    )
    tiers["部门"].items.append(gone)

    # 政务公开: guide, rules, 法定主动公开内容 and its columns, per-agency pages.
    _plan_zwgk(p, rng, depts, homes)
    p.hubs["/zwgk/index.html"] = (
        "政务公开",
        ZWGK[:-1],
        [ndbg, *_find(p, ("zcwj", "czyjs", "zfxxgkzd", "tjxx"))],
    )
    p.hubs["/zwgk/fdzdgknr/index.html"] = (
        "法定主动公开内容",
        ZWGK,
        _find(p, ("zcwj", "zcjd", "czyjs", "rsxx", "ghjh", "tjxx", "fzzf")),
    )
    p.hubs["/zwgk/bmxxgk/index.html"] = ("部门信息公开", ZWGK, [homes[c] for c, _ in DEPARTMENTS])
    p.hubs["/zwgk/xzjd/index.html"] = ("乡镇（街道）信息公开", ZWGK, [homes[c] for c, _ in TOWNS])
    p.columns.extend(homes.values())

    # Small sections, then 新闻中心 filled up to `pages`.
    zjcc = p.column("/zjcc/", "走进澄川", HOME, side="", dated=False)
    for name in ("县情概况", "历史沿革", "行政区划", "自然地理", "人口民族", "经济发展", "旅游资源"):
        p.article(zjcc, name, dt.date(2024, 1, 8), "article", "县人民政府办公室",
                  body=_paragraphs(rng, f"{COUNTY}{name}。", 2))  # fmt: skip
    hdjl = p.column("/hdjl/", "留言选登", (*HOME, ("政民互动", "/hdjl/index.html")), side="")
    for _ in range(12):
        topic = rng.choice(TOPICS)
        p.article(hdjl, f"关于{topic}问题的咨询", _date_between(rng, FIRST_DAY, LAST_DAY), "article", "县长信箱",
                  body=_paragraphs(rng, f"网友来信反映{topic}有关问题，经转办，有关部门答复如下。", 2))  # fmt: skip
    p.singles["/bsfw/index.html"] = ("办事服务", HOME, _services())
    p.singles["/wzdt/index.html"] = ("网站地图", HOME, "")  # rendered last, from the columns
    p.singles["/wzgl/lxwm.html"] = ("联系我们", HOME, _contact())
    p.singles["/wzgl/wzsm.html"] = ("网站声明", HOME, _statement())

    news = [
        p.column("/xwzx/ywdt/", "县内要闻", XWZX, side="xwzx"),
        p.column("/xwzx/bmdt/", "部门动态", XWZX, side="xwzx"),
        p.column("/xwzx/xzdt/", "乡镇动态", XWZX, side="xwzx"),
        p.column("/xwzx/tzgg/", "通知公告", XWZX, side="xwzx"),
    ]
    p.hubs["/xwzx/index.html"] = ("新闻中心", HOME, news)
    left = pages - p.html_pages()
    if left < 0:
        raise ValueError(f"{reports} reports need pages >= {pages - left}")
    makers = (_news_ywdt, _news_bmdt, _news_xzdt, _news_tzgg)
    filled = news
    if fill == "reports column":  # notices in the 年报 column: pages a report crawler must fetch
        filled, makers = [ndbg], (_news_tzgg,)
    turn = 0
    while left > 0:
        costs = [1 + (bool(col.items) and len(col.items) % col.per_page == 0) for col in filled]
        fits = [i for i in range(len(filled)) if costs[i] <= left]
        if not fits:  # one page short and every column would open a new listing page
            p.article(zjcc, "澄川风光", dt.date(2024, 1, 8), "article", "县人民政府办公室",
                      body=_paragraphs(rng, "澄川山清水秀，四季分明。", 2))  # fmt: skip
            left -= 1
            continue
        i = fits[turn % len(fits)]
        turn += 1
        makers[i](p, filled[i], rng, depts, towns)
        left -= costs[i]
    withdrawn = ((news[3], "/xwzx/tzgg/201903/t20190311_1000117.html", "关于调整部分公交线路的公告", dt.date(2019, 3, 11)),
                 (news[0], "/xwzx/ywdt/202005/t20200506_1001845.html", "县政府召开第三次全体会议", dt.date(2020, 5, 6)))  # fmt: skip
    for col, path, title, day in withdrawn:  # linked from the home page, answering 404
        p.articles.append(_Article(col, title, day, "dead", GOV, path=path))
    return p


def _find(p: _Plan, codes: tuple[str, ...]) -> list[_Column]:
    by_dir = {c.dir: c for c in p.columns}
    return [by_dir[f"/zwgk/{code}/"] for code in codes]


def _agency_intro(agency: _Agency) -> str:
    if agency.tier == "部门":
        duty = f"{agency.name}是县人民政府工作部门，负责贯彻执行国家、省、市有关方针政策和法律法规，承担本行业领域的管理和服务职责。"
    else:
        duty = f"{agency.short}位于{COUNTY}境内，辖若干行政村（社区），负责本行政区域内的经济社会发展和公共服务工作。"
    return (f'<div class="jgzn"><h3>机构职能</h3><p style="text-indent:2em;">{escape(duty)}</p>'
            f"<p>办公地址：{COUNTY}{agency.short}办公楼　联系电话：0599-78{zlib.crc32(agency.code.encode()) % 100000:05d}</p></div>")  # fmt: skip


def _plan_zwgk(p: _Plan, rng: random.Random, depts: list[_Agency], homes: dict[str, _Column]) -> None:
    """政务公开's columns other than the reports: most of them full of look-alikes of a report."""
    p.singles["/zwgk/zfxxgkzn/index.html"] = ("政府信息公开指南", ZWGK, _guide())
    p.singles["/zwgk/ysqgk/index.html"] = ("依申请公开", ZWGK, _on_request())
    zd = p.column("/zwgk/zfxxgkzd/", "政府信息公开制度", ZWGK, dated=False)
    for name in (
        "政府信息公开保密审查制度",
        "政府信息公开发布协调制度",
        "依申请公开工作规程",
        "政务公开工作考核办法",
    ):
        p.article(zd, f"{COUNTY}{name}", _date_between(rng, FIRST_DAY, dt.date(2021, 6, 30)), "article", "县政务公开办",
                  body=_paragraphs(rng, f"为规范{COUNTY}政府信息公开工作，根据《中华人民共和国政府信息公开条例》，制定本制度。", 3))  # fmt: skip

    zcwj = p.column("/zwgk/zcwj/", "政策文件", FDZD)
    zcjd = p.column("/zwgk/zcjd/", "政策解读", FDZD)
    for n in range(48):
        topic, kind = (
            rng.choice(TOPICS),
            rng.choice(("实施方案", "管理办法", "三年行动计划", "工作方案", "若干措施")),
        )
        day = _date_between(rng, FIRST_DAY, LAST_DAY)
        no = f"澄政{'发' if n % 3 else '办发'}〔{day.year}〕{rng.randint(1, 60)}号"
        name = f"{COUNTY}{topic}{kind}"
        p.article(zcwj, f"{GOV}{'办公室' if '办' in no else ''}关于印发{name}的通知", day, "article", GOV, doc_no=no,
                  body=_paragraphs(rng, f"各乡镇人民政府、街道办事处，县政府各部门：现将《{name}》印发给你们，请认真贯彻执行。", 4))  # fmt: skip
        if n % 2 == 0:
            p.article(zcjd, f"《{name}》政策解读", day + dt.timedelta(days=rng.randint(0, 5)), "article", GOV,
                      body=_paragraphs(rng, f"为便于社会公众了解《{name}》，现就有关内容解读如下。", 3))  # fmt: skip

    czyjs = p.column("/zwgk/czyjs/", "财政预决算", FDZD)
    for agency in rng.sample(depts, 18):
        for year in (2023, 2024):
            budget = _date_between(rng, dt.date(year, 1, 20), dt.date(year, 2, 25))
            art = p.article(czyjs, f"{agency.name}{year}年部门预算", budget, "lookalike", agency.name,
                            body=_paragraphs(rng, f"根据县人大批准的预算，现将{agency.name}{year}年部门预算公开如下。", 2))  # fmt: skip
            homes[agency.code].items.append(art)
            final = _date_between(rng, dt.date(year, 8, 20), dt.date(year, 9, 25))
            art = p.article(czyjs, f"{agency.name}{year - 1}年部门决算", final, "lookalike", agency.name,
                            body=_paragraphs(rng, f"现将{agency.name}{year - 1}年部门决算公开如下，包括决算报表和情况说明。", 2))  # fmt: skip
            homes[agency.code].items.append(art)

    rsxx = p.column("/zwgk/rsxx/", "人事信息", FDZD)
    for _ in range(16):
        day = _date_between(rng, FIRST_DAY, LAST_DAY)
        title = rng.choice((f"{COUNTY}{day.year}年公开招聘事业单位工作人员公告", f"{GOV}关于{rng.choice('张王李赵刘陈杨黄')}某某等同志职务任免的通知",
                            f"{COUNTY}{day.year}年公开招聘教师拟聘用人员公示"))  # fmt: skip
        p.article(
            rsxx, title, day, "article", "县人力资源和社会保障局", body=_paragraphs(rng, title + "。", 2)
        )

    ghjh = p.column("/zwgk/ghjh/", "规划计划", FDZD)
    for year in YEARS:
        p.article(ghjh, f"{COUNTY}{year}年政府工作报告", dt.date(year, 1, 20), "lookalike", GOV,
                  body=_paragraphs(rng, f"{year}年1月在{COUNTY}第十八届人民代表大会上所作的政府工作报告。", 4))  # fmt: skip
        p.article(ghjh, f"关于{COUNTY}{year - 1}年国民经济和社会发展计划执行情况与{year}年计划草案的报告", dt.date(year, 1, 22),
                  "lookalike", "澄川县发展和改革局", body=_paragraphs(rng, "受县人民政府委托，现将有关情况报告如下。", 3))  # fmt: skip

    tjxx = p.column("/zwgk/tjxx/", "统计信息", FDZD)
    for year in YEARS:
        p.article(tjxx, f"{COUNTY}{year}年国民经济和社会发展统计公报", dt.date(year + 1, 3, 26), "lookalike", "澄川县统计局",
                  body=_paragraphs(rng, f"{year}年，全县经济运行总体平稳、稳中有进。", 3))  # fmt: skip
        p.article(tjxx, f"{COUNTY}{year}年统计年报", dt.date(year + 1, 5, 12), "lookalike", "澄川县统计局",
                  body=_paragraphs(rng, f"{year}年全县主要统计指标如下。", 2))  # fmt: skip

    fzzf = p.column("/zwgk/fzzf/", "法治政府建设", FDZD)
    for year in YEARS:
        p.article(fzzf, f"{GOV}{year}年法治政府建设年度报告", dt.date(year + 1, 3, 18), "lookalike", GOV,
                  body=_paragraphs(rng, f"{year}年，县政府深入推进依法行政，法治政府建设取得新成效。现将有关情况报告如下。", 3))  # fmt: skip

    scjgj = homes["scjgj"]
    qynb = p.column(f"{scjgj.dir}qynbgs/", "企业年报公示", scjgj.trail(), dated=True)
    companies = ("澄川县恒达建材有限公司", "澄川县青山茶业有限公司", "澄川县江源水务有限公司", "澄川县华兴农业开发有限公司",
                 "澄川县顺通物流有限公司", "澄川县明远电子科技有限公司", "澄川县绿源食品有限公司")  # fmt: skip
    for year in YEARS[:-1]:
        p.article(qynb, f"关于开展{year}年度市场主体年报公示工作的通告", dt.date(year + 1, 1, 5), "lookalike", "澄川县市场监督管理局",
                  body=_paragraphs(rng, f"根据《企业信息公示暂行条例》，{year}年度年报公示时间为{year + 1}年1月1日至6月30日。", 2))  # fmt: skip
        for company in rng.sample(companies, 2):
            p.article(qynb, f"{company}{year}年度报告", _date_between(rng, dt.date(year + 1, 3, 1), dt.date(year + 1, 6, 28)),
                      "lookalike", "澄川县市场监督管理局", body=_paragraphs(rng, f"{company}{year}年度报告公示信息。", 1))  # fmt: skip


def _news_ywdt(
    p: _Plan, col: _Column, rng: random.Random, depts: list[_Agency], towns: list[_Agency]
) -> None:
    topic = rng.choice(TOPICS)
    title = rng.choice((f"{rng.choice(LEADERS)}调研{topic}工作", f"县政府召开常务会议 研究部署{topic}等工作",
                        f"我县召开{topic}工作推进会", f"{rng.choice(LEADERS)}带队督导检查{topic}工作",
                        f"我县{topic}工作取得阶段性成效", f"{rng.choice(LEADERS)}主持召开{topic}专题会议"))  # fmt: skip
    day = _date_between(rng, FIRST_DAY, LAST_DAY)
    p.article(col, title, day, "article", "县融媒体中心",
              body=_paragraphs(rng, f"{day.month}月{day.day}日，{title}。", rng.randint(2, 5)))  # fmt: skip


def _news_bmdt(
    p: _Plan, col: _Column, rng: random.Random, depts: list[_Agency], towns: list[_Agency]
) -> None:
    agency, topic = rng.choice(depts), rng.choice(TOPICS)
    title = rng.choice((f"{agency.short}开展{topic}专项检查", f"{agency.short}组织开展{topic}业务培训",
                        f"{agency.short}召开{topic}工作部署会", f"{agency.short}扎实推进{topic}工作"))  # fmt: skip
    day = _date_between(rng, FIRST_DAY, LAST_DAY)
    p.article(col, title, day, "article", agency.name,
              body=_paragraphs(rng, f"近日，{title}。", rng.randint(2, 4)))  # fmt: skip


def _news_xzdt(
    p: _Plan, col: _Column, rng: random.Random, depts: list[_Agency], towns: list[_Agency]
) -> None:
    town, topic = rng.choice(towns), rng.choice(TOPICS)
    title = rng.choice((f"{town.short}扎实推进{topic}", f"{town.short}开展{topic}宣传活动",
                        f"{town.short}多措并举抓好{topic}", f"{town.short}召开{topic}工作会议"))  # fmt: skip
    day = _date_between(rng, FIRST_DAY, LAST_DAY)
    p.article(col, title, day, "article", town.name,
              body=_paragraphs(rng, f"近日，{title}。", rng.randint(2, 4)))  # fmt: skip


def _news_tzgg(
    p: _Plan, col: _Column, rng: random.Random, depts: list[_Agency], towns: list[_Agency]
) -> None:
    topic, day = rng.choice(TOPICS), _date_between(rng, FIRST_DAY, LAST_DAY)
    title = rng.choice((f"关于做好{day.year}年{topic}工作的通知", f"{COUNTY}{topic}公告（{day.year}年第{rng.randint(1, 30)}号）",
                        f"关于{rng.choice(depts).name}公开招聘编外工作人员的公告", f"关于开展{topic}集中整治行动的通告"))  # fmt: skip
    p.article(col, title, day, "article", GOV, body=_paragraphs(rng, title + "。", rng.randint(2, 3)))


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

_NAV = (("首页", "/index.html"), ("走进澄川", "/zjcc/index.html"), ("新闻中心", "/xwzx/index.html"),
        ("政务公开", "/zwgk/index.html"), ("办事服务", "/bsfw/index.html"), ("政民互动", "/hdjl/index.html"))  # fmt: skip
_ZWGK_MENU = (("政府信息公开指南", "/zwgk/zfxxgkzn/index.html"), ("政府信息公开制度", "/zwgk/zfxxgkzd/index.html"),
              ("法定主动公开内容", "/zwgk/fdzdgknr/index.html"), ("依申请公开", "/zwgk/ysqgk/index.html"),
              ("政府信息公开年报", "/zwgk/ndbg/index.html"), ("部门信息公开", "/zwgk/bmxxgk/index.html"),
              ("乡镇（街道）信息公开", "/zwgk/xzjd/index.html"))  # fmt: skip
_XWZX_MENU = (("县内要闻", "/xwzx/ywdt/index.html"), ("部门动态", "/xwzx/bmdt/index.html"),
              ("乡镇动态", "/xwzx/xzdt/index.html"), ("通知公告", "/xwzx/tzgg/index.html"))  # fmt: skip


def _links(items: tuple[tuple[str, str], ...] | list[tuple[str, str]], sep: str = "") -> str:
    return sep.join(f'<li><a href="{href}">{escape(name)}</a></li>' for name, href in items)


def _shell(title: str, body: str, *, crumbs: tuple[tuple[str, str], ...], side: str = "",
           charset: str = "utf-8", metas: str = "") -> str:  # fmt: skip
    """A page of the portal's template: header toolbar, navigation, breadcrumb, body, footer."""
    if charset == "utf-8":
        declared = '<meta charset="utf-8">'
    else:
        declared = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    crumb = " &gt; ".join(f'<a href="{href}">{escape(name)}</a>' for name, href in crumbs)
    menu = {"zwgk": ("政务公开", _ZWGK_MENU), "xwzx": ("新闻中心", _XWZX_MENU)}.get(side)
    aside = f'<div class="side"><h3>{menu[0]}</h3><ul>{_links(menu[1])}</ul></div>\n' if menu else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{declared}
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="SiteName" content="{GOV}">
<meta name="SiteDomain" content="{DOMAIN}">
<meta name="SiteIDCode" content="{SITE_ID}">
{metas}<title>{escape(title) + "_" + GOV if title != "首页" else GOV}</title>
<link rel="stylesheet" href="/css/style.css">
<script src="/js/common.js"></script>
</head>
<body>
<div class="topbar"><div class="w"><span class="today"><script>showDate();</script></span>
<span class="tools"><a href="javascript:void(0);" id="wza">无障碍</a> | <a href="javascript:void(0);" id="ghb">关怀版</a> | <a href="javascript:void(0);" onclick="switchFont()">繁體版</a> | <span>网站支持IPv6</span></span></div></div>
<div class="header"><div class="w"><a href="/index.html"><img src="/images/logo.png" alt="{GOV}"></a>
<form class="search" action="/was5/web/search" method="get"><input type="text" name="searchword" placeholder="请输入关键字"><input type="submit" value="搜索"></form></div></div>
<div class="nav"><ul class="w">{_links(_NAV)}</ul></div>
<div class="w main">
<div class="crumb">当前位置：{crumb}</div>
{aside}<div class="content">
{body}
</div>
</div>
<div class="footer"><div class="w">
<p class="flinks"><a href="/wzdt/index.html">网站地图</a> | <a href="/wzgl/lxwm.html">联系我们</a> | <a href="/wzgl/wzsm.html">网站声明</a> | {" | ".join(f'<a href="{u}" target="_blank">{n}</a>' for u, n in FOOTER_LINKS)}</p>
<div class="qr"><div><img src="/images/qr_wx.png" alt="政务微信"><p>政务微信</p></div><div><img src="/images/qr_wb.png" alt="政务微博"><p>政务微博</p></div></div>
<p>主办单位：{GOV}办公室　承办单位：澄川县大数据发展管理局　联系电话：0599-7812345</p>
<p>网站标识码：{SITE_ID}　<a href="https://beian.miit.gov.cn/" target="_blank">澄ICP备05012345号-1</a>　<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=33990002000123" target="_blank">澄公网安备 33990002000123号</a></p>
<p>建议使用1024×768以上分辨率浏览本网站</p>
<a href="https://bszs.conac.cn/sitename?method=show&amp;id=0F3A21C7" target="_blank"><img src="/images/dzjg.png" alt="党政机关"></a>
<script id="_jiucuo_" sitecode="{SITE_ID}" src="https://pucha.kaipuyun.cn/exposure/jiucuo.js"></script>
</div></div>
</body>
</html>
"""


def _shown(title: str) -> str:
    return title if len(title) <= TITLE_SHOWN else title[: TITLE_SHOWN - 1] + "…"


def _href(col_dir: str | None, art: _Article) -> str:
    """TRS links an article of the same column relatively, an article of another column (or from a
    page that is no column, `col_dir` None) by path."""
    return "./" + art.path.removeprefix(col_dir) if col_dir and art.path.startswith(col_dir) else art.path


def _item(col_dir: str | None, art: _Article, dated: bool) -> str:
    date = f'<span class="date">{art.date.isoformat()}</span>' if dated else ""
    return (f'<li><a href="{_href(col_dir, art)}" target="_blank" title="{escape(art.title)}">'
            f"{escape(_shown(art.title))}</a>{date}</li>")  # fmt: skip


def _pager(col: _Column, n: int, total: int) -> str:
    pages = col.pages()

    def name(i: int) -> str:
        return "index.html" if i == 0 else f"index_{i}.html"

    bar = [f"共{total}条　共{pages}页　当前第{n + 1}页　"]
    bar.append(f'<a href="{name(0)}">首页</a>' if n else "<span>首页</span>")
    bar.append(f'<a href="{name(n - 1)}">上一页</a>' if n else "<span>上一页</span>")
    bar.append(f'<a href="{name(n + 1)}">下一页</a>' if n + 1 < pages else "<span>下一页</span>")
    bar.append(f'<a href="{name(pages - 1)}">尾页</a>' if n + 1 < pages else "<span>尾页</span>")
    return f'<div class="page">{" ".join(bar)}</div>'


def _listing(col: _Column, n: int, items: list[_Article]) -> str:
    chunk = items[n * col.per_page : (n + 1) * col.per_page]
    links = "".join(f'<a href="{href}">{escape(name)}</a>' for name, href in col.tabs)
    tabs = f'<div class="tabs">{links}</div>' if col.tabs else ""
    rows = "\n".join(_item(col.dir, a, col.dated) for a in chunk) or "<li>暂无信息</li>"
    body = (f'<div class="lm-title"><h2>{escape(col.name)}</h2></div>\n{col.intro}{tabs}\n'
            f'<ul class="list">\n{rows}\n</ul>\n{_pager(col, n, len(items))}')  # fmt: skip
    metas = f'<meta name="ColumnName" content="{escape(col.name)}">\n<meta name="ColumnType" content="{escape(col.name)}">\n'
    return _shell(col.name, body, crumbs=col.trail(), side=col.side, metas=metas)


def _ordered(items: list[_Article]) -> list[_Article]:
    return sorted(items, key=lambda a: (a.date, a.path), reverse=True)


def _article_page(art: _Article, prev: _Article | None, nxt: _Article | None, charset: str = "utf-8") -> str:
    col = art.column
    if art.report is not None:
        body = _report_body(art)
    else:
        assert art.body is not None
        body = f'<div class="TRS_Editor">{art.body()}</div>'
    meta_table = ""
    if art.doc_no:
        meta_table = (f'<table class="xxgk-table"><tr><td>索引号：</td><td>11330000{zlib.crc32(art.title.encode()) % 10**8:08d}/{art.date.year}-00{art.date.month:02d}</td>'
                      f"<td>发布机构：</td><td>{escape(art.source)}</td></tr><tr><td>成文日期：</td><td>{art.date.isoformat()}</td>"
                      f"<td>发文字号：</td><td>{escape(art.doc_no)}</td></tr></table>\n")  # fmt: skip
    hits = zlib.crc32(art.path.encode()) % 5000 + 37

    def neighbour(label: str, other: _Article | None) -> str:
        if other is None:
            return f"<p>{label}：没有了</p>"
        href = posixpath.relpath(other.path, posixpath.dirname(art.path))
        href = href if href.startswith("../") else "./" + href  # TRS writes ./t….html and ../202401/t….html
        return f'<p>{label}：<a href="{href}" title="{escape(other.title)}">{escape(other.title)}</a></p>'

    content = f"""<div class="article">
<h1 class="title">{escape(art.title)}</h1>
{meta_table}<div class="info">发布日期：{art.date.isoformat()}　来源：{escape(art.source)}　浏览次数：<span>{hits}</span>　字号：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>]</div>
{body}
<div class="tools"><a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a> <span>分享到：</span><a href="javascript:void(0);">微信</a> <a href="javascript:void(0);">微博</a> <span class="ewm">扫一扫在手机打开当前页</span></div>
<div class="near">{neighbour("上一篇", prev)}{neighbour("下一篇", nxt)}</div>
</div>"""
    metas = (f'<meta name="ColumnName" content="{escape(col.name)}">\n<meta name="ColumnType" content="{escape(col.name)}">\n'
             f'<meta name="ArticleTitle" content="{escape(art.title)}">\n<meta name="PubDate" content="{art.date.isoformat()} {art.clock}">\n'
             f'<meta name="ContentSource" content="{escape(art.source)}">\n<meta name="Keywords" content="{escape(col.name)}">\n'
             f'<meta name="Description" content="{escape(art.title)}">\n<meta name="Url" content="http://{DOMAIN}{art.path}">\n')  # fmt: skip
    crumbs = (*col.trail(), ("正文", art.path))
    return _shell(art.title, content, crumbs=crumbs, side=col.side, charset=charset, metas=metas)


def _report_body(art: _Article) -> str:
    report = art.report
    assert report is not None
    if report.kind == "docx":
        name = report.attachment.rsplit("/", 1)[1]
        return (f'<div class="TRS_Editor"><p style="text-indent:2em;">{escape(report.title)}全文详见附件。</p></div>\n'
                f'<div class="fj"><p>附件：<a href="./{name}" title="{escape(report.title)}.docx">{escape(report.title)}.docx</a></p></div>')  # fmt: skip
    html = reportgen.render_html(report.doc, report.rng, report.title)
    fragment = html[html.index('<div class="info">') : html.index("<div class='foot'>")]
    return fragment.replace('<div class="info">', '<div class="xxgk-meta">', 1)


def _docx(report: _Report) -> bytes:
    """The report as a Word file: paragraphs, and tables whose spans are Word merges (w:gridSpan for
    a colspan, w:vMerge for a rowspan). Written as XML directly: python-docx's merge takes over a
    second a report, and the fixture must build in a few seconds. Fixed zip timestamps keep it
    byte-identical from build to build."""
    body = [_w_para(line) for line in report.doc.meta_lines]
    for kind, payload in report.doc.blocks:
        if kind == "p":
            body.append(_w_para(str(payload)))
        else:
            _name, rows = payload  # type: ignore[misc]
            body.append(_w_table(rows))
            body.append("<w:p/>")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{w}"><w:body>{"".join(body)}'
                '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1800" w:bottom="1440" w:left="1800"/></w:sectPr>'
                "</w:body></w:document>")  # fmt: skip
    stamp = f"{report.expected.published_on}T09:00:00Z"
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{xml_escape(report.title)}</dc:title><dc:creator>{xml_escape(report.agency.name)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>")  # fmt: skip
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
             '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')  # fmt: skip
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>")  # fmt: skip
    y, m, d = (int(x) for x in report.expected.published_on.split("-"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("[Content_Types].xml", types), ("_rels/.rels", rels),
                           ("docProps/core.xml", core), ("word/document.xml", document)):  # fmt: skip
            info = zipfile.ZipInfo(name, date_time=(y, m, d, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def _w_para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r></w:p>'


def _w_table(rows: list[list[reportgen.Cellish]]) -> str:
    origin: dict[tuple[int, int], tuple[int, int, reportgen.Cellish]] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in origin:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    origin[(r + dr, c + dc)] = (r, c, cell)
            c += cell.colspan
    width = max(c for _, c in origin) + 1
    height = max(r for r, _ in origin) + 1
    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))  # fmt: skip
    out = [
        f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{border}</w:tblBorders></w:tblPr><w:tblGrid>'
    ]
    out.append('<w:gridCol w:w="800"/>' * width)
    out.append("</w:tblGrid>")
    for r in range(height):
        out.append("<w:tr>")
        c = 0
        while c < width:
            found = origin.get((r, c))
            if found is None:
                out.append("<w:tc><w:p/></w:tc>")
                c += 1
                continue
            r0, c0, cell = found
            props = f'<w:gridSpan w:val="{cell.colspan}"/>' if cell.colspan > 1 else ""
            if cell.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>' if r == r0 else "<w:vMerge/>"
            text = _w_para(cell.text) if r == r0 and cell.text else "<w:p/>"
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{text}</w:tc>" if props else f"<w:tc>{text}</w:tc>")
            c = c0 + cell.colspan
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _hub(title: str, crumbs: tuple[tuple[str, str], ...], blocks: list[_Column], path: str) -> str:
    """A section page: one block per sub-column, its latest items and a 更多 link."""
    parts = []
    for col in blocks:
        items = _ordered(col.items)[:6]
        rows = "".join(_item(None, a, True) for a in items)
        parts.append(f'<div class="block"><div class="hd"><h3><a href="{col.href}">{escape(col.name)}</a></h3>'
                     f'<a class="more" href="{col.href}">更多&gt;&gt;</a></div><ul class="list">{rows}</ul></div>')  # fmt: skip
    side = "zwgk" if path.startswith("/zwgk/") else "xwzx" if path.startswith("/xwzx/") else ""
    return _shell(title, f'<div class="lm-title"><h2>{escape(title)}</h2></div>\n' + "\n".join(parts),
                  crumbs=(*crumbs, (title, path)), side=side)  # fmt: skip


def _home(p: _Plan) -> str:
    by_dir = {c.dir: c for c in p.columns}

    def block(directory: str, count: int) -> str:
        col = by_dir[directory]
        rows = "".join(_item(None, a, True) for a in _ordered(col.items)[:count])
        # Links the home page kept after their articles were withdrawn: they answer 404.
        gone = "".join(f'<li><a href="{a.path}" target="_blank">{escape(a.title)}</a></li>'
                       for a in p.articles if a.kind == "dead" and a.column is col)  # fmt: skip
        return (f'<div class="block"><div class="hd"><h3>{escape(col.name)}</h3><a class="more" href="{col.href}">更多&gt;&gt;</a></div>'
                f'<ul class="list">{rows}{gone}</ul></div>')  # fmt: skip

    top = _ordered(by_dir["/xwzx/ywdt/"].items)[:4]
    slides = "".join(f'<li><a href="{a.path}" target="_blank"><img src="/images/slide.png" alt="{escape(a.title)}"><span>{escape(a.title)}</span></a></li>'
                     for a in top)  # fmt: skip
    zwgk = _links([*_ZWGK_MENU, ("政策文件", "/zwgk/zcwj/index.html"), ("政策解读", "/zwgk/zcjd/index.html"),
                   ("财政预决算", "/zwgk/czyjs/index.html"), ("统计信息", "/zwgk/tjxx/index.html")])  # fmt: skip
    services = _links([("个人办事", "/bsfw/index.html"), ("法人办事", "/bsfw/index.html"), ("县长信箱", "/hdjl/index.html"),
                       ("留言选登", "/hdjl/index.html")])  # fmt: skip
    body = f"""<div class="home">
<div class="slide"><ul>{slides}</ul></div>
{block("/xwzx/ywdt/", 8)}
{block("/xwzx/tzgg/", 8)}
{block("/xwzx/bmdt/", 6)}
{block("/xwzx/xzdt/", 6)}
<div class="block zwgk"><div class="hd"><h3>政务公开</h3><a class="more" href="/zwgk/index.html">更多&gt;&gt;</a></div><ul>{zwgk}</ul></div>
<div class="block bsfw"><div class="hd"><h3>办事服务</h3></div><ul>{services}</ul></div>
<div class="block yqlj"><div class="hd"><h3>友情链接</h3></div><select onchange="window.open(this.value)"><option>—政府网站—</option><option value="https://www.gov.cn/">中国政府网</option></select></div>
</div>"""
    return _shell("首页", body, crumbs=HOME)


def _sitemap(p: _Plan) -> str:
    sections = [
        ("走进澄川", [("走进澄川", "/zjcc/index.html")]),
        ("新闻中心", list(_XWZX_MENU)),
        ("政务公开", [*_ZWGK_MENU, *[(c.name, c.href) for c in p.columns if c.crumbs == FDZD]]),
        ("部门信息公开", [(c.name, c.href) for c in p.columns if c.crumbs == BMXXGK]),
        ("乡镇（街道）信息公开", [(c.name, c.href) for c in p.columns if c.crumbs == XZJD]),
        ("办事服务", [("办事服务", "/bsfw/index.html")]),
        ("政民互动", [("留言选登", "/hdjl/index.html")]),
    ]
    body = "".join(
        f'<div class="map"><h3>{escape(name)}</h3><ul>{_links(links)}</ul></div>' for name, links in sections
    )
    return body


def _guide() -> str:
    return ('<div class="TRS_Editor"><p style="text-indent:2em;">为方便公民、法人和其他组织获取县政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。</p>'
            '<p style="text-indent:2em;">县政府每年3月31日前公布上一年度政府信息公开工作年度报告；县政府各部门每年1月31日前公布本机关上一年度政府信息公开工作年度报告。</p>'
            '<p>受理机构：县政府办公室（县政务公开办）　地址：澄川县城关镇人民路1号</p></div>')  # fmt: skip


def _on_request() -> str:
    return ('<div class="TRS_Editor"><p style="text-indent:2em;">公民、法人或者其他组织可以向县政府及其部门申请获取相关政府信息。</p>'
            '<p>申请方式：当面申请、信函申请、网上申请。<a href="javascript:void(0);">在线申请</a></p></div>')  # fmt: skip


def _services() -> str:
    items = ("户籍办理", "社保医保", "不动产登记", "企业开办", "公积金", "婚姻登记", "教育入学", "交通出行")
    return (
        '<ul class="services">'
        + "".join(f'<li><a href="javascript:void(0);">{t}</a></li>' for t in items)
        + "</ul>"
    )


def _contact() -> str:
    return ("<p>主办单位：澄川县人民政府办公室</p><p>地址：澄川县城关镇人民路1号　邮编：339900</p>"
            "<p>联系电话：0599-7812345　电子邮箱：ccxzfb@chengchuan.gov.cn</p>")  # fmt: skip


def _statement() -> str:
    return "<p>本网站所刊登的信息，版权归澄川县人民政府所有。未经授权，任何单位和个人不得转载、摘编或以其他方式使用。</p>"


# 1x1 PNG: every image of the template.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)
_CSS = (b"body{margin:0;font:14px/1.8 'Microsoft YaHei',SimSun}.w{width:1200px;margin:0 auto}"
        b".nav li,.tabs a{display:inline-block;padding:0 20px}.list li{overflow:hidden}.date{float:right}"
        b".TRS_Editor{font-size:16px;line-height:2}.TRS_Editor table{border-collapse:collapse}\n")  # fmt: skip
_JS = (b"function showDate(){var d=new Date(),w='\\u65e5\\u4e00\\u4e8c\\u4e09\\u56db\\u4e94\\u516d';"
       b"document.write(d.getFullYear()+'-'+(d.getMonth()+1)+'-'+d.getDate()+' \\u661f\\u671f'+w.charAt(d.getDay()));}\n"
       b"function doZoom(s){var e=document.querySelector('.TRS_Editor');if(e){e.style.fontSize=s+'px';}}\n"
       b"function switchFont(){}\n")  # fmt: skip
_ROBOTS = b"User-agent: *\nDisallow:\n"


def build_portal(seed: int = 0, *, pages: int = 1300, reports: int = 300, fill: str = "news") -> Portal:
    """The portal for `seed`: byte-identical for the same arguments, `pages` HTML pages exactly.

    `fill` says where the pages beyond the fixed sections go: "news" (新闻中心, which a report
    crawler never reads), or "reports column" (notices listed in the 年报 column, which it must
    read: a crawl that fetches nearly every page, for measuring memory).

    Raises ValueError when `reports` exceeds one per agency and year (342), or `pages` is too small
    to hold them and the fixed sections.
    """
    p = _plan(seed, pages, reports, fill)
    rng = random.Random(f"portalgen/{seed}/ids")

    # Ids grow with the date (TRS numbers documents as they are created), attachments named P0{date}{n}.
    next_id = 1_000_000 + rng.randint(0, 99_999)
    for art in sorted((a for a in p.articles if not a.path), key=lambda a: a.date):
        next_id += rng.randint(1, 29)
        d = art.date
        art.path = f"{art.column.dir}{d:%Y%m}/t{d:%Y%m%d}_{next_id}.html"
        if art.report is not None and art.report.kind == "docx":
            art.report.attachment = (
                f"{art.column.dir}{d:%Y%m}/P0{d:%Y%m%d}{rng.randrange(10**11, 10**12)}.docx"
            )

    files: dict[str, tuple[bytes, str]] = {}
    attachments: dict[str, tuple[bytes, str]] = {}
    titles: dict[str, str] = {}

    def put(path: str, html: str, title: str, charset: str = "utf-8") -> None:
        if path in files:
            raise RuntimeError(f"two pages at {path}")
        if charset == "utf-8":
            files[path] = (html.encode("utf-8"), HTML_UTF8)
        else:  # GBK has no NBSP, ©…: the CMS writes what it cannot encode as character references
            files[path] = (html.encode("gbk", "xmlcharrefreplace"), HTML_BARE)
        titles[path] = title

    listings: set[str] = set()
    for col in p.columns:
        items = _ordered(col.items)
        for n in range(col.pages()):
            put(col.page_path(n), _listing(col, n, items), col.name)
            listings.add(col.page_path(n))
    for col in p.columns:
        own = [a for a in _ordered(col.items) if a.column is col and a.kind != "dead"]
        for i, art in enumerate(own):
            prev = own[i - 1] if i > 0 else None
            nxt = own[i + 1] if i + 1 < len(own) else None
            charset = "gb2312" if art.report is not None and art.report.encoding == "gbk" else "utf-8"
            put(art.path, _article_page(art, prev, nxt, charset), art.title, charset)
            if art.report is not None and art.report.kind == "docx":
                attachments[art.report.attachment] = (_docx(art.report), DOCX_TYPE)
    for path, (title, crumbs, blocks) in p.hubs.items():
        put(path, _hub(title, crumbs, blocks, path), title)
    for path, (title, crumbs, html) in p.singles.items():
        html = _sitemap(p) if path == "/wzdt/index.html" else html
        body = f'<div class="lm-title"><h2>{escape(title)}</h2></div>\n<div class="single">{html}</div>'
        side = "zwgk" if path.startswith("/zwgk/") else ""
        put(path, _shell(title, body, crumbs=(*crumbs, (title, path)), side=side), title)
    put("/index.html", _home(p), "首页")
    page_count = len(files)
    if page_count != pages:
        raise RuntimeError(f"planned {pages} pages, rendered {page_count}")
    files.update(attachments)
    files["/robots.txt"] = (_ROBOTS, "text/plain")
    files["/css/style.css"] = (_CSS, "text/css")
    files["/js/common.js"] = (_JS, "application/javascript")
    for name in ("logo", "qr_wx", "qr_wb", "dzjg", "slide"):
        files[f"/images/{name}.png"] = (_PNG, "image/png")

    expected = []
    for art in sorted((a for a in p.articles if a.report is not None), key=lambda a: a.path):
        r = art.report
        assert r is not None
        expected.append(ExpectedReport(
            path=r.attachment or art.path, page=art.path, agency=r.agency.name, year=r.year, title=r.title,
            kind=r.kind, encoding=r.encoding, format=r.expected.format, published=art.date.isoformat(),
            tier=r.agency.tier, cells=dict(r.expected.cells), checks_failed=tuple(r.expected.checks_failed),
        ))  # fmt: skip
    return Portal(
        seed=seed,
        files=files,
        reports=expected,
        page_count=page_count,
        listings=frozenset(listings),
        lookalikes=frozenset(a.path for a in p.articles if a.kind == "lookalike"),
        dead_links=frozenset(a.path for a in p.articles if a.kind == "dead"),
        titles=titles,
    )


# ---------------------------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------------------------


class Hits(Counter[str]):
    """Requests by path. The server's threads count under a lock; read a consistent copy with
    `snapshot()` while a crawl is running (iterating the live counter could meet a resize)."""

    def __init__(self, *args: object, **kwargs: int) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lock = threading.Lock()

    def hit(self, path: str) -> None:
        with self._lock:
            self[path] += 1

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self)


_NOT_FOUND = (b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>"
              b"<hr><center>nginx</center></body></html>\n")  # fmt: skip


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], portal: Portal, delay: float, hits: Hits) -> None:
        self.portal = portal
        self.delay = delay
        self.hits = hits
        self.etags = {
            path: f'"{zlib.crc32(body):08x}-{len(body):x}"' for path, (body, _) in portal.files.items()
        }
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Pre-rendered files from memory: Content-Length, ETag/Last-Modified, 304 on If-None-Match."""

    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are dropped, so nothing waits on a dead client
    server: _Server

    def version_string(self) -> str:
        return "nginx/1.24.0"

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a crawl makes thousands of requests."""

    def do_GET(self) -> None:
        self._reply(head=False)

    def do_HEAD(self) -> None:
        self._reply(head=True)

    def _reply(self, *, head: bool) -> None:
        path = urlsplit(self.path).path or "/"
        if not head:
            self.server.hits.hit(path)
        if self.server.delay:
            time.sleep(self.server.delay)
        key = path + "index.html" if path.endswith("/") else path
        found = self.server.portal.files.get(key)
        if found is None:
            self._send(404, _NOT_FOUND, "text/html", {}, head)
            return
        body, content_type = found
        etag = self.server.etags[key]
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if etag in [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")]:
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self._send(200, body, content_type, headers, head)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str], head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


@contextmanager
def serve(
    portal: Portal, *, delay: float = 0.0, host: str = "127.0.0.1", port: int = 0
) -> Iterator[tuple[str, Hits]]:
    """Serve `portal` in a daemon thread; yields the base URL (ending in '/') and the request counter.

    `port=0` picks a free port; `delay` seconds are slept before every response, so a test can kill
    a crawl while it is still running.
    """
    hits = Hits()
    server = _Server((host, port), portal, delay, hits)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}/", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build (and serve) the generated 澄川县 portal.")
    parser.add_argument("seed", nargs="?", type=int, default=0)
    parser.add_argument("pages", nargs="?", type=int, default=1300)
    parser.add_argument("reports", nargs="?", type=int, default=300)
    parser.add_argument("--serve", action="store_true", help="serve it in the foreground")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before every response")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    portal = build_portal(args.seed, pages=args.pages, reports=args.reports)
    took = time.perf_counter() - started
    kinds = Counter((r.kind, r.encoding) for r in portal.reports)
    print(f"seed {args.seed}: {portal.page_count} pages, {len(portal.reports)} reports "
          f"({', '.join(f'{k} {e}: {n}' for (k, e), n in sorted(kinds.items()))}), "
          f"{len(portal.files)} files, {portal.size:,} bytes, built in {took:.2f} s")  # fmt: skip
    if not args.serve:
        return
    with serve(portal, delay=args.delay, host=args.host, port=args.port) as (url, hits):
        try:
            print(f"serving at {url}  (Ctrl-C to stop)", flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(f"{sum(hits.snapshot().values())} requests")


if __name__ == "__main__":
    main()
