"""Generate the 江北市 Hanweb JCMS fixture portal: `python -m tests.world.hanweb.build`.

江北市 is a fictional city; every name, code and figure here is invented. The markup imitates a
大汉 JCMS site: column pages `/col/col{columnId}/index.html` whose list is an embedded
`<datastore>` plus a `jpage` widget that fetches later groups from `/module/web/jpage/dataproxy.jsp`
(served by `server.py` from `site_data.json`), the 年报 column's tier sub-column 市直部门 and its
year sub-column 2023年度 (columns of their own, whose links name nothing but that tier or year),
articles `/art/{Y}/{M}/{D}/art_{col}_{id}.html` with the body in `#zoom` between `ContentStart`/`ContentEnd` markers, a 信息公开 metadata table and the
usual furniture. One report is GBK-encoded and declares `gb2312` only in its own `<meta>`.

Report bodies and their tables come from the sample portal's renderer (`report_body`), so the
official layout (rowspan/colspan, Word-pasted markup) is the one the parser is tested on, and the
expected cells come from the same model (`report_cells`), never from the parser.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from html import escape
from pathlib import Path

from nianbao.sample_portal.build import report_body
from nianbao.sample_portal.content import ReportPage
from tests.world.common_build import expected_from_items, write_site

HERE = Path(__file__).resolve().parent
SITE_DIR = HERE / "site"
DATA_PATH = HERE / "site_data.json"

SITE_NAME = "江北市人民政府"
SITE_DOMAIN = "www.jiangbeishi.gov.cn"  # fictional; only ever served from 127.0.0.1
SITE_ID_CODE = "9999000231"
ICP_NO = "江ICP备20230231号-1"
PSB_NO = "江公网安备 99023102000231号"
WEBID = "3"
WEBNAME = "江北市人民政府"

COL_ZWGK = "1229710001"  # 政府信息公开 专栏 (static links)
COL_NB = "1229710421"  # 政府信息公开年报 (jpage, three groups)
COL_CZ = "1229710430"  # 财政预决算 (jpage, one group)
COL_NEWS = "1229710002"  # 新闻动态 (jpage, one group)
COL_SZBM = "1229710424"  # 市直部门: the 年报 column's tier sub-column (jpage, one group)
COL_SZBM_2023 = "1229710425"  # 2023年度: a year sub-column of 市直部门 (jpage, one group)
UNIT = {
    COL_NB: "4171208",
    COL_CZ: "4171236",
    COL_NEWS: "4171190",
    COL_SZBM: "4171209",
    COL_SZBM_2023: "4171210",
}
PER_PAGE = 5
GROUP_SIZE = 2  # the 年报 column asks for 10 records at a time: 1–10 embedded, 11–20, 21–22

_NO_FEE = "本年度未收取信息处理费。"


@dataclass(frozen=True)
class Item:
    """One article in a column: a report (with its model) or another page."""

    column: str
    art_id: int
    title: str
    date: str  # YYYY-MM-DD
    report: ReportPage | None = None
    kind: str = "other"  # report | lookalike | other
    body: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        y, m, d = (int(x) for x in self.date.split("-"))
        return f"/art/{y}/{m}/{d}/art_{self.column}_{self.art_id}.html"


# ---------------------------------------------------------------------------------------------------
# Report content: figures drawn from a seeded RNG, prose filled from the report's own tables
# ---------------------------------------------------------------------------------------------------

_OUTCOME_2021 = (
    "granted",
    "partially_granted",
    "denied.third_party",
    "denied.process_info",
    "unable.not_held",
    "unable.needs_creation",
    "not_processed.duplicate",
    "other_handling.no_correction",
    "other_handling.other",
)
_OUTCOME_2019 = ("granted", "partially_granted", "denied.third_party", "unable.not_held", "other_handling")


def make_report(
    *,
    agency: str,
    year: int,
    pub: str,
    index_no: str,
    seed: int,
    fmt: str = "2021",
    style: str = "plain",
    encoding: str = "utf-8",
    publisher: str | None = None,
) -> ReportPage:
    """A consistent report of `agency` on `year`: every 勾稽 rule holds, numbers vary by `seed`."""
    rng = random.Random(seed)
    title = f"{agency}{year}年政府信息公开工作年度报告"
    new = tuple(rng.randint(3, 40) if i == 0 else rng.choice((0, 0, 1, 2, 4)) for i in range(6))
    carried = tuple(rng.choice((0, 0, 1, 2)) if i < 2 else 0 for i in range(6))
    outcome_keys = _OUTCOME_2021 if fmt == "2021" else _OUTCOME_2019
    outcomes: dict[str, list[int]] = {k: [0] * 6 for k in outcome_keys}
    for col in range(6):
        available = new[col] + carried[col]
        handle = available - min(available, rng.choice((0, 0, 1, 2)))
        for _ in range(handle):
            key = outcome_keys[0] if rng.random() < 0.55 else rng.choice(outcome_keys)
            outcomes[key][col] += 1
    apps = {"new": new, "carried_over": carried} | {k: tuple(v) for k, v in outcomes.items()}
    review = []
    for _group in range(3):
        four = [rng.choice((0, 0, 0, 1, 2)), rng.choice((0, 0, 1)), 0, rng.choice((0, 0, 1))]
        review += [*four, sum(four)]
    if fmt == "2021":
        active = {
            "rules": (0, 0, 0),
            "normative_documents": (rng.randint(0, 6), rng.randint(0, 2), rng.randint(8, 40)),
            "licensing": (rng.randint(0, 900),),
            "penalty": (rng.randint(0, 60),),
            "enforcement": (rng.randint(0, 5),),
            "fees": ("0",),
        }
    else:
        active = {
            "rules": (0, 0, 0),
            "normative_documents": (rng.randint(1, 6), rng.randint(1, 6), rng.randint(8, 40)),
            "licensing": (rng.randint(10, 90), f"+{rng.randint(0, 9)}", rng.randint(50, 900)),
            "other_services": (rng.randint(0, 20), "0", rng.randint(0, 60)),
            "penalty": (rng.randint(5, 60), f"-{rng.randint(0, 4)}", rng.randint(0, 80)),
            "enforcement": (rng.randint(0, 10), "0", rng.randint(0, 9)),
            "fees": (rng.randint(0, 6), "0"),
            "procurement": (rng.randint(1, 30), f"{rng.randint(10, 900) * 1000}元"),
        }
    short = agency.removeprefix("江北市")
    return ReportPage(
        file="",
        title=title,
        agency=agency,
        publisher=publisher or agency,
        year=year,
        fmt=fmt,
        pub=pub,
        written=pub[:10],
        index_no=index_no,
        views=rng.randint(90, 3000),
        heading_top=agency,
        heading_bottom=f"{year}年政府信息公开工作年度报告",
        intro=(
            "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和政府信息公开工作年度报告格式要求编制，"
            f"由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等部分组成。统计期限自{{year}}年1月1日起"
            f"至{{year}}年12月31日止。如对本报告有疑问，请与{agency}办公室联系。"
        ),
        lead=f"{{year}}年，{short}坚持以公开为常态、不公开为例外，持续深化政务公开，各项工作平稳有序推进。",
        overview=(
            (
                "（一）主动公开",
                "全年主动公开政府信息，公开行政许可决定{licensing}件、行政处罚决定{penalty}件。",
            ),
            (
                "（二）依申请公开",
                "全年新收政府信息公开申请{new}件，上年结转{carried_over}件，办结{done}件，"
                "结转下年度继续办理{carried_forward}件。",
            ),
            ("（三）政府信息管理", "严格落实公开属性源头认定和保密审查，动态更新政府信息公开目录。"),
            ("（四）平台建设", "依托市政府网站集约化平台维护信息公开专栏，优化栏目设置和检索功能。"),
            ("（五）监督保障", "将政务公开纳入年度考核，本年度未发生因信息公开工作引发的责任追究。"),
        ),
        problems=(
            "一是主动公开的深度和解读质量有待提升；二是依申请公开答复的规范化水平仍需加强。",
            "下一步将加强业务培训，规范答复文书，提升政策解读质量。",
        ),
        other=(_NO_FEE,),
        fee_yuan=0,
        sign=(agency, f"{pub[:4]}年{int(pub[5:7])}月{int(pub[8:10])}日"),
        active=active,
        apps=apps,
        review=tuple(review),
        style=style,
        encoding=encoding,
    )


def _r(agency: str, year: int, pub: str, seed: int, **kw: object) -> ReportPage:
    return make_report(
        agency=agency, year=year, pub=pub, index_no=f"00250{seed:03d}/{pub[:4]}-{seed:05d}", seed=seed, **kw
    )  # type: ignore[arg-type]


def _report(n: int, r: ReportPage, column: str = COL_NB) -> Item:
    return Item(column, 3018800 + n, r.title, r.pub[:10], report=r, kind="report")


def _page(col: str, n: int, title: str, date: str, kind: str, *paras: str) -> Item:
    return Item(col, 3018800 + n, title, date, kind=kind, body=paras or (f"{title}。",))


GOV = "江北市人民政府"
NB_ITEMS: tuple[Item, ...] = (
    # group 1 (embedded in the column page): records 1–10
    _report(1, _r(GOV, 2024, "2025-03-28 16:20", 1, publisher="江北市人民政府办公室")),
    _report(2, _r("江北市教育局", 2024, "2025-01-24 09:30", 2, style="word")),
    _page(
        COL_NB,
        3,
        "江北市2024年度政府网站工作年度报表",
        "2025-01-20",
        "other",
        "江北市人民政府门户网站2024年度工作年度报表。",
    ),
    _page(
        COL_NB,
        4,
        "江北市人民政府办公室关于做好2024年度政府信息公开工作年度报告编制发布工作的通知",
        "2024-12-20",
        "lookalike",
        "各县（市、区）人民政府，市政府各部门：",
        "为做好2024年度政府信息公开工作年度报告编制发布工作，现将有关事项通知如下。各单位应于2025年1月31日前在本单位网站发布年度报告。",
    ),
    _page(
        COL_NB,
        5,
        "江北市2023年统计年报",
        "2024-03-26",
        "lookalike",
        "2023年，全市地区生产总值比上年增长5.6%。",
    ),
    _report(6, _r(GOV, 2023, "2024-03-25 15:00", 6, publisher="江北市人民政府办公室")),
    _page(
        COL_NB,
        7,
        "一图读懂江北市人民政府2023年政府信息公开工作年度报告解读",
        "2024-03-25",
        "lookalike",
        "本文对江北市人民政府2023年政府信息公开工作年度报告进行图文解读。",
    ),
    _page(
        COL_NB,
        8,
        "江北市2023年法治政府建设年度报告",
        "2024-02-05",
        "lookalike",
        "2023年，江北市深入推进法治政府建设，现将有关情况报告如下。",
    ),
    _report(9, _r("江北市民政局", 2023, "2024-01-29 10:05", 9, encoding="gbk")),
    _page(
        COL_NB, 10, "江北市2024年政务公开工作要点", "2024-01-15", "other", "为深入推进政务公开，制定本要点。"
    ),
    # group 2 (dataproxy records 11–20)
    _report(11, _r(GOV, 2022, "2023-03-29 17:10", 11, publisher="江北市人民政府办公室")),
    _report(12, _r("江北市卫生健康委员会", 2022, "2023-01-30 11:00", 12, style="word")),
    _page(
        COL_NB,
        13,
        "江北市召开2022年度政府信息公开工作年度报告编制工作培训会",
        "2023-01-12",
        "lookalike",
        "1月12日，市政府办公室召开全市政府信息公开工作年度报告编制工作培训会。",
    ),
    _report(14, _r(GOV, 2021, "2022-03-30 16:45", 14, publisher="江北市人民政府办公室")),
    _report(15, _r("江北市自然资源和规划局", 2021, "2022-01-28 08:50", 15)),
    _report(16, _r(GOV, 2020, "2021-03-31 18:00", 16, fmt="2019", publisher="江北市人民政府办公室")),
    _page(
        COL_NB,
        17,
        "江北市2020年度政府信息公开工作考核结果通报",
        "2021-02-10",
        "other",
        "现将考核结果通报如下。",
    ),
    _page(
        COL_NB,
        18,
        "关于开展2019年度政府信息公开工作年度报告质量评估的通知",
        "2020-11-18",
        "lookalike",
        "为提升年度报告编制质量，决定开展质量评估。",
    ),
    _page(
        COL_NB,
        19,
        "江北市人民政府政府信息公开指南（2020年修订）",
        "2020-06-01",
        "other",
        "本指南依据《条例》编制。",
    ),
    _report(20, _r(GOV, 2019, "2020-03-30 17:30", 20, fmt="2019", publisher="江北市人民政府办公室")),
    # group 3 (dataproxy records 21–22)
    _report(21, _r("江北市司法局", 2019, "2020-01-20 09:00", 21, fmt="2019")),
    _page(COL_NB, 22, "江北市2019年统计年报", "2020-03-20", "lookalike", "2019年，全市经济运行总体平稳。"),
)

CZ_ITEMS: tuple[Item, ...] = (
    _page(
        COL_CZ,
        31,
        "江北市教育局2024年部门预算",
        "2024-02-02",
        "lookalike",
        "一、部门基本情况。二、收支预算总表。",
    ),
    _page(
        COL_CZ,
        32,
        "江北市教育局2023年部门决算",
        "2024-08-30",
        "lookalike",
        "一、部门基本情况。二、收支决算总表。",
    ),
    _page(COL_CZ, 33, "江北市本级2024年政府预算", "2024-02-01", "other", "市本级一般公共预算收入安排情况。"),
)

NEWS_ITEMS: tuple[Item, ...] = (
    _page(
        COL_NEWS,
        41,
        "江北市召开全市优化营商环境推进会",
        "2025-03-20",
        "other",
        "3月20日，全市优化营商环境推进会召开。",
    ),
    _page(
        COL_NEWS, 42, "江北大桥主体工程顺利合龙", "2025-03-12", "other", "3月12日，江北大桥主体工程顺利合龙。"
    ),
)

# The departments' reports of the last two years sit in the 年报 column's sub-columns: this year's in
# 市直部门, the year before in 市直部门 > 2023年度.
SZBM_ITEMS: tuple[Item, ...] = (
    _report(51, _r("江北市交通运输局", 2024, "2025-01-27 15:10", 51), COL_SZBM),
    _page(COL_SZBM, 52, "江北市交通运输局2025年部门预算", "2025-01-21", "lookalike", "一、部门基本情况。"),
    _report(53, _r("江北市市场监督管理局", 2024, "2025-01-16 10:40", 53), COL_SZBM),
)
SZBM_2023_ITEMS: tuple[Item, ...] = (
    _report(61, _r("江北市交通运输局", 2023, "2024-01-30 16:25", 61), COL_SZBM_2023),
    _report(62, _r("江北市人力资源和社会保障局", 2023, "2024-01-22 09:15", 62), COL_SZBM_2023),
)

COLUMNS = {
    COL_NB: ("政府信息公开年报", NB_ITEMS),
    COL_CZ: ("财政预决算", CZ_ITEMS),
    COL_NEWS: ("新闻动态", NEWS_ITEMS),
    COL_SZBM: ("市直部门", SZBM_ITEMS),
    COL_SZBM_2023: ("2023年度", SZBM_2023_ITEMS),
}
# Sub-columns: each one's parent column, and the tab bar a column page shows (name, column).
PARENT = {COL_SZBM: COL_NB, COL_SZBM_2023: COL_SZBM}
ON = ' class="on"'
TABS = {
    COL_NB: (("本级政府", COL_NB), ("市直部门", COL_SZBM)),
    COL_SZBM: (("2024年度", COL_SZBM), ("2023年度", COL_SZBM_2023)),
}

# ---------------------------------------------------------------------------------------------------
# Markup
# ---------------------------------------------------------------------------------------------------


def _head(title: str, charset: str, metas: tuple[tuple[str, str], ...]) -> str:
    meta = "\n".join(f'<meta name="{n}" content="{escape(v)}">' for n, v in metas)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="{charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>{escape(title, quote=False)}</title>
<meta name="SiteName" content="{SITE_NAME}">
<meta name="SiteDomain" content="{SITE_DOMAIN}">
<meta name="SiteIDCode" content="{SITE_ID_CODE}">
{meta}
<link rel="stylesheet" href="/images/jb_common.css">
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="/module/jslib/urite/urite.min.js"></script>
</head>
<body>
<div class="topbar"><div class="w1200">
<span class="date" id="today"></span>
<a href="javascript:void(0);" id="cniil_wza">无障碍</a> | <a href="/col/col1229710009/index.html">关怀版</a> |
<a href="javascript:void(0);" class="fanti">繁體版</a> | <a href="https://m.{SITE_DOMAIN}/">手机版</a>
</div></div>
<div class="header w1200"><img src="/images/jb_logo.png" alt="{SITE_NAME}">
<form action="/module/search/index.jsp" method="get" class="search"><input type="text" name="q" placeholder="请输入关键词"><input type="hidden" name="webid" value="{WEBID}"><button type="submit">搜索</button></form>
</div>
<div class="nav"><ul class="w1200">
<li><a href="/index.html">首页</a></li>
<li><a href="/col/col{COL_NEWS}/index.html">新闻动态</a></li>
<li><a href="/col/col{COL_ZWGK}/index.html">政务公开</a></li>
<li><a href="https://www.zjzwfw.gov.cn/">政务服务</a></li>
<li><a href="/col/col1229710005/index.html">互动交流</a></li>
</ul></div>
"""


def _foot(extra_script: str = "") -> str:
    return f"""<div class="footer"><div class="w1200">
<p><a href="/col/col1229710006/index.html">网站地图</a> | <a href="/col/col1229710007/index.html">联系我们</a> | <a href="/col/col1229710008/index.html">网站声明</a></p>
<p>主办：江北市人民政府办公室　承办：江北市大数据发展管理局　技术支持：大汉网络</p>
<p>网站标识码：{SITE_ID_CODE}　<a href="https://beian.miit.gov.cn/" target="_blank">{ICP_NO}</a>　<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=99023102000231" target="_blank"><img src="/images/ga.png" alt="">{PSB_NO}</a></p>
<p><a href="https://bszs.conac.cn/sitename?method=show&id=99023102" target="_blank"><img src="/images/dzjg.png" alt="党政机关网站标识"></a>
<script id="_jiucuo_" sitecode="{SITE_ID_CODE}" src="https://pucha.kaipuyun.cn/exposure/jiucuo.js"></script></p>
</div></div>
{extra_script}<script type="text/javascript" src="/module/visitcount/visit.js"></script>
</body>
</html>
"""


def _crumbs(*parts: tuple[str, str | None]) -> str:
    bits = [f'<a href="{href}">{name}</a>' if href else f"<span>{name}</span>" for name, href in parts]
    return '<div class="crumbs">当前位置：' + " &gt; ".join(bits) + "</div>"


def _record(item: Item) -> str:
    return (
        f'<record><![CDATA[\n<li><a href="{item.path}" title="{escape(item.title)}" target="_blank">'
        f'{escape(_short(item.title))}</a><span class="bt-data-time">{item.date}</span></li>]]></record>'
    )


def _short(title: str, limit: int = 30) -> str:
    """List templates cut long titles; the full title stays in the title attribute."""
    return title if len(title) <= limit else title[: limit - 3] + "..."


def column_page(col: str) -> str:
    """A jpage column page: the first group as an embedded datastore, the widget's configuration."""
    name, items = COLUMNS[col]
    unit = UNIT[col]
    group = PER_PAGE * GROUP_SIZE
    webname_q = "%E6%B1%9F%E5%8C%97%E5%B8%82%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"
    nextgroup = (
        f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={WEBID}&path=/&columnid={col}"
        f"&unitid={unit}&webname={webname_q}&permissiontype=0"
    )
    records = "\n".join(_record(i) for i in items[:group])
    tabs = "".join(
        f'<a href="/col/col{c}/index.html"{ON if c == col else ""}>{tab}</a>' for tab, c in TABS.get(col, ())
    )
    tabs = f'<div class="sub-tabs">{tabs}</div>\n' if tabs else ""
    main = f"""<div class="main w1200">
{_crumbs(("首页", "/index.html"), ("政务公开", f"/col/col{COL_ZWGK}/index.html"), *_parents(col), (name, None))}
<div class="left-menu"><h3>政务公开</h3><ul>
<li><a href="/col/col{COL_NB}/index.html">政府信息公开年报</a></li>
<li><a href="/col/col{COL_CZ}/index.html">财政预决算</a></li>
</ul></div>
<div class="right-list"><div class="list-title">{name}</div>
{tabs}<div class="bt-list">
<div id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore>
</script><script language="javascript" src="/module/web/jpage/jquery.jpage.js"></script>
<script>
$(function(){{$('#{unit}').jpage({{themeName:'default',showMode:'full',totalRecord:{len(items)},openCookies:false,dataBefore:'<ul class="bt-list-ul">',dataStore:dataStore,dataAfter:'</ul>',groupSize:{GROUP_SIZE},proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:{PER_PAGE},barPosition:'bottom',ajaxParam:{{col:1,appid:1,webid:{WEBID},path:'/',columnid:{col},sourceContentType:1,unitid:'{unit}',webname:'{WEBNAME}',permissiontype:0}}}});}});
</script></div>
</div></div>
</div>
"""
    return (
        _head(f"{name} {SITE_NAME}", "utf-8", (("ColumnName", name), ("ColumnType", name))) + main + _foot()
    )


def _parents(col: str) -> list[tuple[str, str | None]]:
    """Breadcrumb entries of a sub-column's parent columns, outermost first."""
    chain: list[tuple[str, str | None]] = []
    while col in PARENT:
        col = PARENT[col]
        chain.insert(0, (COLUMNS[col][0], f"/col/col{col}/index.html"))
    return chain


def _meta_table(item: Item, publisher: str, index_no: str) -> str:
    return f"""<table class="xxgk_table" width="100%" cellspacing="0" cellpadding="0">
<tr><td class="bt">索引号：</td><td>{escape(index_no)}</td><td class="bt">公开方式：</td><td>主动公开</td></tr>
<tr><td class="bt">发布机构：</td><td>{escape(publisher)}</td><td class="bt">生成日期：</td><td>{item.date}</td></tr>
<tr><td class="bt">文号：</td><td></td><td class="bt">主题分类：</td><td>综合政务/政务公开</td></tr>
</table>"""


def article_page(item: Item) -> tuple[str, str]:
    """(HTML, encoding) of an article: metadata table, title, tools, the `#zoom` body, hit counter."""
    column = COLUMNS[item.column][0]
    r = item.report
    if r is not None:
        body = report_body(r)
        publisher, index_no, pub, encoding = r.publisher, r.index_no, r.pub, r.encoding
    else:
        body = "\n".join(f'<p style="text-indent:2em;">{escape(p, quote=False)}</p>' for p in item.body)
        publisher, index_no, pub, encoding = (
            GOV,
            f"00250000/{item.date[:4]}-{item.art_id}",
            item.date + " 10:00",
            "utf-8",
        )
    charset = "gb2312" if encoding == "gbk" else "utf-8"
    metas = (
        ("ColumnName", column),
        ("ColumnType", column),
        ("ArticleTitle", item.title),
        ("PubDate", pub),
        ("ContentSource", publisher),
        ("Keywords", ""),
        ("Url", f"http://{SITE_DOMAIN}{item.path}"),
    )
    main = f"""<div class="main w1200">
{_crumbs(("首页", "/index.html"), ("政务公开", f"/col/col{COL_ZWGK}/index.html"), *_parents(item.column), (column, f"/col/col{item.column}/index.html"))}
<div class="article">
{_meta_table(item, publisher, index_no)}
<div class="art-title">{escape(item.title, quote=False)}</div>
<div class="art-info"><span>发布日期：{pub}</span><span>信息来源：<!--<$[信息来源]>begin-->{escape(publisher)}<!--<$[信息来源]>end--></span>
<span>浏览次数：<script language="javascript" src="/module/visitcount/articlehits.jsp?colid={item.column}&artid={item.art_id}"></script></span>
<span class="font">【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span></div>
<meta name="ContentStart">
<div id="zoom">
{body}
</div>
<meta name="ContentEnd">
<div class="art-tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a>
<span class="share">分享到：<a href="javascript:void(0)" class="wx">微信</a></span></div>
</div>
</div>
"""
    return _head(f"{item.title} {SITE_NAME}", charset, metas) + main + _foot(), encoding


def home_page() -> str:
    latest = "\n".join(
        f'<li><a href="{i.path}" title="{escape(i.title)}" target="_blank">{escape(_short(i.title, 24))}</a><span>{i.date}</span></li>'
        for i in NEWS_ITEMS
    )
    main = f"""<div class="main w1200">
<div class="banner"><img src="/images/jb_banner.jpg" alt=""></div>
<div class="box news"><div class="box-title"><a href="/col/col{COL_NEWS}/index.html">新闻动态</a></div><ul>
{latest}
</ul></div>
<div class="box gk"><div class="box-title">政务公开</div><ul>
<li><a href="/col/col{COL_ZWGK}/index.html">政府信息公开</a></li>
<li><a href="/col/col1229710012/index.html">政策文件</a></li>
<li><a href="/col/col1229710013/index.html">人事信息</a></li>
</ul></div>
</div>
"""
    return _head(SITE_NAME, "utf-8", ()) + main + _foot()


def zwgk_page() -> str:
    main = f"""<div class="main w1200">
{_crumbs(("首页", "/index.html"), ("政府信息公开", None))}
<div class="gk-columns"><ul>
<li><a href="/art/2020/6/1/art_{COL_NB}_3018819.html">政府信息公开指南</a></li>
<li><a href="/col/col1229710422/index.html">政府信息公开制度</a></li>
<li><a href="/col/col1229710423/index.html">法定主动公开内容</a></li>
<li><a href="/col/col{COL_NB}/index.html">政府信息公开年报</a></li>
<li><a href="/col/col{COL_CZ}/index.html">财政预决算</a></li>
</ul></div>
</div>
"""
    return _head(f"政府信息公开 {SITE_NAME}", "utf-8", (("ColumnName", "政府信息公开"),)) + main + _foot()


def not_found_page() -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
        '<body><div class="err"><p>您访问的页面不存在或已被删除！</p><a href="/index.html">返回首页</a></div></body></html>\n'
    )


# ---------------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------------


def site_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {
        "index.html": home_page().encode(),
        f"col/col{COL_ZWGK}/index.html": zwgk_page().encode(),
        "404.html": not_found_page().encode(),
    }
    for col in COLUMNS:
        files[f"col/col{col}/index.html"] = column_page(col).encode()
        for item in COLUMNS[col][1]:
            html, encoding = article_page(item)
            files[item.path.lstrip("/")] = html.encode("gbk" if encoding == "gbk" else "utf-8")
    return files


def site_data() -> dict[str, object]:
    """What the dataproxy serves: every column's records, in list order."""
    return {
        "webid": WEBID,
        "columns": {
            col: {"unitid": UNIT[col], "records": [_record(i) for i in items]}
            for col, (_name, items) in COLUMNS.items()
        },
    }


def expected() -> dict[str, object]:
    return expected_from_items((i for _name, its in COLUMNS.values() for i in its), with_encoding=True)


def build(site_dir: Path = SITE_DIR, data_path: Path = DATA_PATH) -> None:
    write_site(site_dir, site_files())
    data_path.write_text(json.dumps(site_data(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build()
