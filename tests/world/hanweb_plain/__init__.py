"""World portal: 桐坞县人民政府 on 大汉 Hanweb JCMS, with a column listed in plain static HTML.

Real shape reproduced: a Zhejiang county site on Hanweb JCMS: columns at
`/col/col{columnId}/index.html` (column ids 1229xxxxxx), articles at
`/art/{Y}/{M}/{D}/art_{columnId}_{articleId}.html` (no zero padding), `/module/…` services
(`/module/search/index.jsp` search form, `/module/visitcount/articlehits.jsp` hit counter script),
the classic column template (`table.bt_link`, `td.bt_time`), the article template (`table.xxgk_table`
metadata, `div#zoom` between `<!--<$[信息内容]>begin-->` comments) and the jpage class names on the
paging bar (`default_pgBtn`, `default_pgCurrentPage`, …).

Hallmark missing: the 政府信息公开年报 column `/col/col1229530071/index.html` has no
`<script type="text/xml"><datastore>` and no `dataproxy.jsp` call: its rows are plain `<a>` tags in
the HTML, and its paging bar is static anchors to `index.html?uid=5283301&pageNum=2` (the URL
shape jpage uses, answered here by the server with the second page's static rows). Six items on
page 1, four on page 2; reports on both, so a crawler that ignores the query-string page loses two.

Five reports (2019–2024, not 2022); the 2019 one is GBK, declared only by its `<meta>`
(`charset=gb2312`) and served as bare `text/html`. Look-alikes in the column: 部门预算, 部门决算, a
解读, a 统计年报 and the notice about compiling the reports.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, urlsplit

from tests.world import WorldPortal
from tests.world import variant_build as V

AGENCY = "桐坞县人民政府"
COL = 1229530071  # 政府信息公开年报
COL_XXGK = 1229530001  # 政府信息公开 (parent)
COL_ZN = 1229530068  # 政府信息公开指南
COL_YJS = 1229530075  # 财政预决算
UID = 5283301
PER_PAGE = 6
COLUMN = f"/col/col{COL}/index.html"
PAGE2 = f"{COLUMN}?uid={UID}&pageNum=2"
_PAGE2_FILE = f"/col/col{COL}/index_2.html"  # where the server keeps page 2: a 404 when asked for
GBK_SEED = 31


@dataclass(frozen=True)
class Item(V.GeneratedItem):
    agency = AGENCY

    @property
    def path(self) -> str:
        y, m, d = (int(x) for x in self.date.split("-"))
        return f"/art/{y}/{m}/{d}/art_{COL}_{self.id}.html"


REPORTS = (
    Item(58710342, seed=103),
    Item(58001296, seed=10),
    Item(57120584, seed=52),
    Item(56433017, seed=59),
    Item(55872203, seed=GBK_SEED),
)
LOOKALIKES = (
    Item(
        58790115,
        title_=f"{AGENCY}2025年部门预算",
        date_="2025-02-10",
        body="<p>根据《中华人民共和国预算法》有关规定，现将桐坞县人民政府2025年部门预算公开如下。</p>"
        "<table border='1'><tr><td>收入总计</td><td>2846.30</td></tr><tr><td>支出总计</td><td>2846.30</td></tr></table>",
    ),
    Item(
        58655908,
        title_="关于做好2024年度政府信息公开工作年度报告编制发布工作的通知",
        date_="2024-12-16",
        body="<p>各乡镇人民政府、街道办事处，县政府各部门：</p><p>请各单位于2025年1月31日前在本单位政府信息公开专栏发布"
        "2024年度政府信息公开工作年度报告，并报县政务公开办备案。</p>",
    ),
    Item(
        58001301,
        title_=f"《{AGENCY}2023年政府信息公开工作年度报告》政策解读",
        date_="2024-03-13",
        body="<p>一、出台背景</p><p>根据《中华人民共和国政府信息公开条例》第四十九条规定，县政府编制了2023年度报告。</p>"
        "<p>二、主要内容</p><p>2023年，全县主动公开政府信息4120条，受理政府信息公开申请96件。</p>",
    ),
    Item(
        57680230,
        title_="桐坞县2022年统计年报",
        date_="2023-06-28",
        body="<p>桐坞县统计局编印。</p><table border='1'><tr><td>指标</td><td>2022年</td><td>比上年增长（%）</td></tr>"
        "<tr><td>地区生产总值（亿元）</td><td>386.2</td><td>4.1</td></tr><tr><td>常住人口（万人）</td><td>41.7</td><td>0.3</td></tr></table>",
    ),
    Item(
        56790544,
        title_=f"{AGENCY}2020年部门决算",
        date_="2021-08-25",
        body="<p>现将桐坞县人民政府2020年部门决算公开如下。</p>"
        "<table border='1'><tr><td>本年收入合计</td><td>2511.08</td></tr><tr><td>本年支出合计</td><td>2498.64</td></tr></table>",
    ),
)
# By date alone (not `V.newest_first`): on the same day the report stays before its 解读.
ITEMS = tuple(sorted(REPORTS + LOOKALIKES, key=lambda i: i.date, reverse=True))
PAGES = (ITEMS[:PER_PAGE], ITEMS[PER_PAGE:])

HEAD = """<meta name="SiteName" content="桐坞县人民政府">
<meta name="SiteDomain" content="www.tongwu.gov.cn">
<meta name="SiteIDCode" content="3311270011">
<link rel="stylesheet" type="text/css" href="/images/tw_style.css">"""
TOP = f"""<div class="top"><div class="w1000"><span class="fl">今天是：<script>var d=new Date();document.write(d.getFullYear()+'年'+(d.getMonth()+1)+'月'+d.getDate()+'日');</script></span>
<span class="fr"><a href="javascript:void(0);" id="wza">无障碍</a> | <a href="javascript:void(0);" id="ghb">关怀版</a> | <a href="javascript:void(0);">政务微博</a> | <a href="javascript:void(0);">政务微信</a></span></div></div>
<div class="header"><div class="w1000"><a href="/index.html" class="logo">{AGENCY}</a>
<form action="/module/search/index.jsp" method="get" target="_blank" class="search"><input type="hidden" name="field" value="field_name:1:1"><input type="hidden" name="i_columnid" value="style_6"><input type="text" name="field_name" placeholder="请输入关键字"><input type="submit" value="搜索"></form></div></div>
<div class="nav"><div class="w1000"><a href="/index.html">首页</a><a href="/col/col{COL_XXGK}/index.html">政务公开</a><a href="/col/col{COL_ZN}/index.html">政府信息公开指南</a><a href="/col/col{COL_YJS}/index.html">财政预决算</a></div></div>"""
FOOT = f"""<div class="footer"><div class="w1000">
<p><a href="/col/col{COL_XXGK}/index.html">网站地图</a> | <a href="/col/col{COL_ZN}/index.html">联系我们</a></p>
<p>主办：{AGENCY}办公室　承办：桐坞县大数据发展中心　技术支持：南京大汉网络有限公司</p>
<p>网站标识码：3311270011　<a href="https://beian.miit.gov.cn/" target="_blank">浙ICP备05031127号-1</a>　浙公网安备 33112702000105号</p>
</div></div>"""
FURNITURE = V.Furniture(top=TOP, foot=FOOT, wrap="w1000 main", crumb="bt-position")


def _page(title: str, crumbs: str, main: str, charset: str = "utf-8") -> str:
    head = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{escape(title)}</title>
{HEAD}
</head>"""
    return FURNITURE.page(head, crumbs, main)


def column_page(number: int) -> str:
    rows = "\n".join(
        f"""<tr><td width="16"><img src="/images/dot.gif" width="3" height="3" alt=""></td>
<td><a href="{i.path}" class="bt_link" title="{escape(i.title)}" target="_blank">{escape(i.title)}</a></td>
<td class="bt_time" width="90">[{i.date}]</td></tr>"""
        for i in PAGES[number - 1]
    )

    def link(n: int, text: str, cls: str) -> str:
        return f'<a class="{cls}" href="{COLUMN}?uid={UID}&amp;pageNum={n}" title="{text}">{text}</a>'

    bar = [
        f'<span class="default_pgTotalRecord">共{len(ITEMS)}条</span> <span class="default_pgTotalPage">共{len(PAGES)}页</span>'
    ]
    bar.append(link(1, "首页", "default_pgBtn default_pgFirst"))
    bar.append(link(max(number - 1, 1), "上页", "default_pgBtn default_pgPrev"))
    for n in range(1, len(PAGES) + 1):
        bar.append(
            f'<span class="default_pgCurrentPage">{n}</span>'
            if n == number
            else link(n, str(n), "default_pgNumber")
        )
    bar.append(link(min(number + 1, len(PAGES)), "下页", "default_pgBtn default_pgNext"))
    bar.append(link(len(PAGES), "尾页", "default_pgBtn default_pgLast"))
    main = f"""<div class="lm-left"><div class="lm-tit">政府信息公开</div><ul class="lm-menu">
<li><a href="/col/col{COL_ZN}/index.html">政府信息公开指南</a></li>
<li><a href="/col/col{COL_XXGK}/index.html">法定主动公开内容</a></li>
<li class="on"><a href="{COLUMN}">政府信息公开年报</a></li>
<li><a href="/col/col{COL_YJS}/index.html">财政预决算</a></li></ul></div>
<div class="lm-right"><div class="lm-name">政府信息公开年报</div>
<div id="{UID}"><table width="100%" border="0" cellspacing="0" cellpadding="0" class="tb_list">
{rows}
</table></div>
<div class="default_pgPanel" align="center">{" ".join(bar)}</div>
</div>"""
    crumbs = f'<a href="/col/col{COL_XXGK}/index.html">政务公开</a> &gt; <span>政府信息公开年报</span>'
    return _page(f"政府信息公开年报_{AGENCY}", crumbs, main)


def plain_column(col: int, name: str, items: tuple[Item, ...], extra: str = "") -> str:
    rows = "\n".join(
        f'<tr><td><a href="{i.path}" class="bt_link" title="{escape(i.title)}" target="_blank">{escape(i.title)}</a></td>'
        f'<td class="bt_time">[{i.date}]</td></tr>'
        for i in items
    )
    main = f"""<div class="lm-right"><div class="lm-name">{name}</div>{extra}
<div id="{UID + col % 1000}"><table width="100%" class="tb_list">{rows}</table></div></div>"""
    return _page(f"{name}_{AGENCY}", f"<span>{name}</span>", main)


def article_page(item: Item) -> bytes:
    col_link = (
        f'<a href="/col/col{COL_XXGK}/index.html">政务公开</a> &gt; <a href="{COLUMN}">政府信息公开年报</a>'
    )
    meta = f"""<table class="xxgk_table" width="100%" border="1" cellspacing="0" cellpadding="0">
<tr><td class="xxgk_td_l">索引号</td><td>002584117/{item.date[:4]}-{item.id % 100000:05d}</td><td class="xxgk_td_l">公开方式</td><td>主动公开</td></tr>
<tr><td class="xxgk_td_l">发布单位</td><td>{AGENCY}办公室</td><td class="xxgk_td_l">发布日期</td><td>{item.date}</td></tr>
</table>
<div class="art-hits">浏览次数：<script src="/module/visitcount/articlehits.jsp?colid={COL}&amp;artid={item.id}"></script></div>"""
    if item.seed is None:
        main = f"""<div class="art-tit">{escape(item.title)}</div>{meta}
<div id="zoom"><!--<$[信息内容]>begin-->{item.body}<!--<$[信息内容]>end--></div>
<div class="art-tool">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>"""
        html = _page(f"{item.title}_{AGENCY}", col_link, main)
        return html.replace(
            "</title>", f'</title>\n<meta name="ArticleTitle" content="{escape(item.title)}">', 1
        ).encode()
    html = FURNITURE.article(
        item,
        col_link,
        meta,
        head=HEAD,
        editor='<div id="zoom"><!--<$[信息内容]>begin-->',
        closing="<!--<$[信息内容]>end--></div></div>",
    )
    if item.seed == GBK_SEED:  # an older page, still in GB2312
        html = html.replace(
            "<meta charset='utf-8'>",
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />',
            1,
        )
        return html.encode("gbk")
    return html.encode()


def home_page() -> str:
    news = "\n".join(f'<li><a href="{i.path}" target="_blank">{escape(i.title)}</a><span>{i.date}</span></li>'
                     for i in (LOOKALIKES[0], LOOKALIKES[1]))  # fmt: skip
    main = f"""<div class="tzgg"><div class="tit">通知公告</div><ul>{news}</ul></div>
<div class="zwgk"><div class="tit">政务公开</div><ul>
<li><a href="/col/col{COL_XXGK}/index.html">政府信息公开</a></li>
<li><a href="{COLUMN}">政府信息公开年报</a></li>
<li><a href="/col/col{COL_YJS}/index.html">财政预决算</a></li></ul></div>"""
    return _page(AGENCY, "<span>首页</span>", main)


def site_files() -> dict[str, bytes]:
    files = {
        "index.html": home_page().encode(),
        COLUMN.lstrip("/"): column_page(1).encode(),
        _PAGE2_FILE.lstrip("/"): column_page(2).encode(),
        f"col/col{COL_XXGK}/index.html": plain_column(
            COL_XXGK,
            "政府信息公开",
            (),
            f'<ul class="xxgk-sub"><li><a href="/col/col{COL_ZN}/index.html">政府信息公开指南</a></li>'
            f'<li><a href="{COLUMN}">政府信息公开年报</a></li><li><a href="/col/col{COL_YJS}/index.html">财政预决算</a></li></ul>',
        ).encode(),
        f"col/col{COL_ZN}/index.html": _page(
            f"政府信息公开指南_{AGENCY}",
            "<span>政府信息公开指南</span>",
            "<div id='zoom'><p>为便于公民、法人和其他组织获取政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。</p></div>",
        ).encode(),
        f"col/col{COL_YJS}/index.html": plain_column(
            COL_YJS, "财政预决算", (LOOKALIKES[0], LOOKALIKES[4])
        ).encode(),
        "images/tw_style.css": b"body{margin:0;font:14px/1.8 SimSun}.w1000{width:1000px;margin:0 auto}.bt_time{color:#999}\n",
        "images/dot.gif": b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
    }
    for item in ITEMS:
        files[item.path.lstrip("/")] = article_page(item)
    return files


class Handler(V.RoutedHandler):
    """Static files; the jpage-style `?pageNum=N` query of the column, and the hit counter."""

    def _dynamic(self) -> bool:
        split = urlsplit(self.path)
        if split.path == "/module/visitcount/articlehits.jsp":
            body = b'document.write("386");\n'
            self._send_simple(
                200, body, "application/javascript;charset=UTF-8", {"Cache-Control": "no-cache"}
            )
            return True
        if split.path == _PAGE2_FILE:  # the stored page is only reachable through the query
            self._not_found()
            return True
        if split.path == COLUMN and (parse_qs(split.query).get("pageNum") or ["1"])[0] == "2":
            self.path = _PAGE2_FILE
        return False


def serve_portal() -> AbstractContextManager[str]:
    return V.serve_site("world-hanweb-plain-", site_files, Handler)


EXPECTED = V.expected_for(REPORTS, LOOKALIKES, may_render=[])
PORTAL = WorldPortal(name="hanweb_plain", platform="hanweb", serve=serve_portal, expected=EXPECTED)
