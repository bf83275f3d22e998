"""World portal: 赤岩市生态环境局 on 拓尔思 TRS WCM, whose column pager lives in a linked script.

Real shape reproduced: a TRS WCM department site: the 政府信息公开年报 column
`/zwgk/zfxxgknb/index.html`, `index_1.html`, `index_2.html`; articles at
`./{YYYYMM}/t{YYYYMMDD}_{id}.html` relative to the column, bodies in `div.TRS_Editor`, the standard
`<meta>` set (SiteName, SiteIDCode, ColumnName, ArticleTitle, PubDate), `_trs_`-style furniture and
the classic `createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt)` writer.

Hallmark moved: the listing pages carry NO paging script and no paging anchors of their own, not
even `var countPage` or a `createPageHTML(3, …)` call: each page only includes
`<script src="./page.js">`, a per-column file WCM publishes, which holds the page count
(`var PAGE_TOTAL = 3;`), works out the current page from `location.pathname` and
`document.write`s the bar. A browser shows the 首页/上一页/1 2 3/下一页/尾页 anchors; a reader of the
HTML alone sees three rows and nothing to follow. Reports are on every page (two a page), so a
crawler that reads only `index.html` misses four of six.

Six reports (2019–2024); look-alikes, one a page: 部门预算, a 解读 and 统计年报 of the 环境 kind.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from html import escape
from pathlib import Path

from tests.world import WorldPortal
from tests.world import variant_build as V

HERE = Path(__file__).resolve().parent
AGENCY = "赤岩市生态环境局"
COLUMN = "/zwgk/zfxxgknb/"
PER_PAGE = 3
LISTINGS = [f"{COLUMN}index.html", f"{COLUMN}index_1.html", f"{COLUMN}index_2.html"]


@dataclass(frozen=True)
class Item(V.GeneratedItem):
    agency = AGENCY

    @property
    def href(self) -> str:
        ymd = self.date.replace("-", "")
        return f"./{ymd[:6]}/t{ymd}_{self.id}.html"

    @property
    def path(self) -> str:
        return COLUMN + self.href[2:]


REPORTS = (
    Item(1287345, seed=84),
    Item(1203518, seed=35),
    Item(1130992, seed=99),
    Item(1058806, seed=36),
    Item(1002217, seed=79),
    Item(956120, seed=43),
)
LOOKALIKES = (
    Item(
        1290411,
        title_=f"{AGENCY}2025年部门预算",
        date_="2025-02-12",
        body="<p>现将赤岩市生态环境局2025年部门预算公开如下：</p><table border='1'><tr><td>项目</td><td>金额（万元）</td></tr>"
        "<tr><td>一般公共预算拨款</td><td>5120.36</td></tr><tr><td>支出合计</td><td>5120.36</td></tr></table>",
    ),
    Item(
        1130995,
        title_=f"一图读懂《{AGENCY}2022年政府信息公开工作年度报告》",
        date_="2023-01-16",
        body="<p>2022年，我局主动公开政府信息856条，新收政府信息公开申请31件，全部按期办结。</p>",
    ),
    Item(
        1011530,
        title_="赤岩市2019年环境统计年报",
        date_="2020-06-05",
        body="<p>2019年全市环境统计年报数据如下：</p><table border='1'><tr><td>指标</td><td>数值</td></tr>"
        "<tr><td>化学需氧量排放量（吨）</td><td>21846</td></tr><tr><td>氨氮排放量（吨）</td><td>1932</td></tr></table>",
    ),
)
ITEMS = V.newest_first(REPORTS + LOOKALIKES)
PAGES = [ITEMS[k : k + PER_PAGE] for k in range(0, len(ITEMS), PER_PAGE)]

METAS = f"""<meta name="SiteName" content="{AGENCY}">
<meta name="SiteDomain" content="sthjj.chiyan.gov.cn">
<meta name="SiteIDCode" content="4306000023">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ColumnType" content="政府信息公开年报">
<link href="/images/sthjj.css" rel="stylesheet" type="text/css" />"""
TOP = f"""<div class="topbar"><div class="w1100"><span class="fl">欢迎访问{AGENCY}网站</span><span class="fr">
<a href="javascript:void(0);" onclick="aria.start()">无障碍</a>｜<a href="javascript:void(0);" onclick="aria.oldFixedStart()">关怀版</a>｜<a href="javascript:void(0);">政务微博</a>｜<a href="javascript:void(0);">简|繁</a></span></div></div>
<div class="head w1100"><a href="/" class="logo">{AGENCY}</a>
<form action="/was5/web/search" method="get" target="_blank"><input type="hidden" name="channelid" value="246812" /><input type="text" name="searchword" /><input type="submit" value="搜索" /></form></div>
<div class="nav w1100"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/zwgk/zfxxgknb/">政府信息公开年报</a><a href="/hdjl/">互动交流</a></div>"""
FOOT = f"""<div class="foot"><div class="w1100">
<p><a href="/wzdt/">网站地图</a>｜<a href="/hdjl/">联系我们</a></p>
<p>主办单位：{AGENCY}　地址：赤岩市人民路128号　电话：0739-5102300</p>
<p>网站标识码：4306000023　<a href="https://beian.miit.gov.cn/" target="_blank">湘ICP备12004501号</a>　湘公网安备 43060202000187号</p>
</div></div>"""
FURNITURE = V.Furniture(top=TOP, foot=FOOT, wrap="w1100 main", crumb="dqwz", home="/")


def _shell(title: str, crumbs: str, main: str, metas: str = METAS) -> str:
    head = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{escape(title)}</title>
{metas}
</head>"""
    return FURNITURE.page(head, crumbs, main)


def listing(number: int) -> str:
    rows = "\n".join(f'<li><a href="{i.href}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a><span>{i.date}</span></li>'
                     for i in PAGES[number])  # fmt: skip
    main = f"""<div class="left-menu"><h3>政府信息公开</h3><ul>
<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li><li><a href="/zwgk/">法定主动公开内容</a></li>
<li class="cur"><a href="./">政府信息公开年报</a></li></ul></div>
<div class="right-con"><div class="lm-tit">政府信息公开年报</div>
<ul class="list">
{rows}
</ul>
<div class="page"><script type="text/javascript" src="./page.js"></script></div>
</div>"""
    crumbs = '<a href="/zwgk/">政务公开</a> &gt; <a href="./">政府信息公开年报</a>'
    return _shell(f"政府信息公开年报_{AGENCY}", crumbs, main)


def article(item: Item) -> str:
    crumbs = '<a href="/zwgk/">政务公开</a> &gt; <a href="../">政府信息公开年报</a> &gt; 正文'
    info = f"""<div class="xxgk-info"><table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><th>索引号：</th><td>11430600MB1C{item.id % 100000:05d}/{item.date[:4]}-{item.id % 1000:05d}</td><th>发布机构：</th><td>{AGENCY}</td></tr>
<tr><th>发布日期：</th><td>{item.date}</td><th>公开方式：</th><td>主动公开</td></tr></table></div>"""
    if item.seed is None:
        main = f"""<div class="art"><h1>{escape(item.title)}</h1>{info}
<div class="TRS_Editor">{item.body}</div>
<div class="art-tool">【字体：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】【<a href="javascript:window.print();">打印</a>】【<a href="javascript:window.close();">关闭</a>】</div></div>"""
        metas = (
            METAS
            + f'\n<meta name="ArticleTitle" content="{escape(item.title)}">\n<meta name="PubDate" content="{item.date} 10:20">'
        )
        return _shell(f"{item.title}_{AGENCY}", crumbs, main, metas)
    return FURNITURE.article(item, crumbs, info, head=METAS)


def site_files() -> dict[str, bytes]:
    files = V.static_files(HERE / "site")
    for number, path in enumerate(LISTINGS):
        files[path.lstrip("/")] = listing(number).encode()
    for item in ITEMS:
        files[item.path.lstrip("/")] = article(item).encode()
    columns = '<ul class="list"><li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li><li><a href="/zwgk/zfxxgknb/">政府信息公开年报</a></li></ul>'
    files["index.html"] = _shell(AGENCY, "首页", f'<div class="zwgk"><h3>政务公开</h3>{columns}</div>'
                                 f'<div class="tzgg"><h3>通知公告</h3><ul class="list"><li><a href="{LOOKALIKES[0].path}">'
                                 f"{escape(LOOKALIKES[0].title)}</a><span>{LOOKALIKES[0].date}</span></li></ul></div>").encode()  # fmt: skip
    files["zwgk/index.html"] = _shell(f"政务公开_{AGENCY}", "政务公开", columns).encode()
    files["zwgk/zfxxgkzn/index.html"] = _shell(f"政府信息公开指南_{AGENCY}", "政府信息公开指南",
        '<div class="TRS_Editor"><p>本机关政府信息公开指南，依据《中华人民共和国政府信息公开条例》编制。</p></div>').encode()  # fmt: skip
    files["hdjl/index.html"] = _shell(
        f"互动交流_{AGENCY}", "互动交流", "<p>咨询电话：0739-5102300</p>"
    ).encode()
    files["wzdt/index.html"] = _shell(f"网站地图_{AGENCY}", "网站地图", columns).encode()
    return files


def serve_portal() -> AbstractContextManager[str]:
    return V.serve_site("world-trs-jspager-", site_files)


EXPECTED = V.expected_for(REPORTS, LOOKALIKES, may_render=[COLUMN, *LISTINGS])
PORTAL = WorldPortal(name="trs_jspager", platform="trs", serve=serve_portal, expected=EXPECTED)
