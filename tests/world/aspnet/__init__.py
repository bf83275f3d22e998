"""滇川市人力资源和社会保障局 on an ASP.NET WebForms site: a 年报 column paged by an AspNetPager bar.

What the portal reproduces (the shape of hrss.yn.gov.cn's `InfoPublic.aspx?cid=1019&pid=971`,
domain notes §3.1/§4.2; 滇川市 and everything on its pages are invented):

- the column `InfoPublic.aspx?cid=1019&pid=971` lists five items a page in a `GridView` table; the
  AspNetPager bar in URL-paging mode links `…&page=N` with bracketed texts, `[首页] [上一页] [1] [2]
  [3] [4] [5] [下一页] [尾页]`, and nothing else names the later pages;
- reports on every page, the oldest on the last, so a crawler that does not read `[下一页]`/`[2]`
  as paging finds only the first five items;
- `__VIEWSTATE` / `__EVENTVALIDATION` form furniture, article pages `InfoDetail.aspx?cid=1019&id=N`
  with the body in `#zoom`, and look-alikes (部门预算, 部门决算, a notice about the report, an
  解读) in the same column.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from nianbao.sample_portal.build import report_body
from nianbao.sample_portal.server import PortalHandler, serve
from tests.world import WorldPortal
from tests.world.common_build import ListedItem, expected_from_items
from tests.world.hanweb.build import make_report

HERE = Path(__file__).resolve().parent
SITE = "滇川市人力资源和社会保障局"
COLUMN = "InfoPublic.aspx?cid=1019&pid=971"
PER_PAGE = 5
_VIEWSTATE = "/wEPDwUKLTM4NjA5NzQ1Mw9kFgICAw9kFgQCAQ8PFgIeBFRleHQFGOaUv+W6nOS/oeaBr+WFrOW8gOW5tOaKpWRkZA=="


class Item(ListedItem):
    @property
    def path(self) -> str:
        return f"/InfoDetail.aspx?cid=1019&id={self.id}"


def _report(art_id: int, agency: str, year: int, pub: str, seed: int, fmt: str = "2021") -> Item:
    r = make_report(
        agency=agency, year=year, pub=pub, index_no=f"11530000/{pub[:4]}-{seed:05d}", seed=300 + seed, fmt=fmt
    )
    return Item(art_id, r.title, pub[:10], report=r, kind="report")


def _page(art_id: int, title: str, date: str, kind: str, body: str) -> Item:
    return Item(art_id, title, date, kind=kind, body=body)


SB = "滇川市社会保险事业管理局"
JY = "滇川市就业局"
# Newest first, as the GridView sorts them: five a page, six pages.
ITEMS: tuple[Item, ...] = (
    _report(5231, SITE, 2024, "2025-01-22 10:30", 1),
    _page(5230, f"{SITE}2025年部门预算", "2025-01-20", "lookalike", "现将本局2025年部门预算公开如下。"),
    _report(5226, SB, 2024, "2025-01-17 16:05", 2),
    _page(
        5219,
        "关于做好2024年度政府信息公开工作年度报告编制发布工作的通知",
        "2024-12-26",
        "lookalike",
        "各县（市、区）人力资源和社会保障局，局属各单位：请于2025年1月15日前报送年度报告。",
    ),
    _page(5187, f"{SITE}2023年部门决算", "2024-09-02", "lookalike", "现将本局2023年部门决算公开如下。"),
    # page 2
    _report(5102, SITE, 2023, "2024-01-25 09:20", 3),
    _page(
        5101,
        f"《{SITE}2023年政府信息公开工作年度报告》解读",
        "2024-01-25",
        "lookalike",
        "一图读懂本局2023年政府信息公开工作年度报告。",
    ),
    _page(
        5077,
        f"{SITE}政府信息公开指南",
        "2023-11-14",
        "other",
        "为便于公民、法人和其他组织获取本局政府信息，编制本指南。",
    ),
    _page(
        5040,
        "2023年全市人力资源和社会保障事业发展统计公报",
        "2023-06-30",
        "other",
        "2022年末全市就业人员总量保持稳定。",
    ),
    _report(4980, JY, 2022, "2023-01-30 15:40", 4),
    # page 3
    _report(4977, SITE, 2022, "2023-01-29 11:00", 5),
    _page(4960, f"{SITE}2023年部门预算", "2023-01-18", "lookalike", "现将本局2023年部门预算公开如下。"),
    _page(
        4901,
        "关于开展2022年度政府信息公开工作考核的通知",
        "2022-11-02",
        "other",
        "现就考核有关事项通知如下。",
    ),
    _page(4866, f"{SITE}2021年部门决算", "2022-08-26", "lookalike", "现将本局2021年部门决算公开如下。"),
    _page(
        4850,
        "市人社局召开政务公开工作推进会",
        "2022-05-12",
        "other",
        "5月11日，市人社局召开全局政务公开工作推进会。",
    ),
    # page 4
    _report(4801, SB, 2021, "2022-01-27 10:10", 6),
    _report(4799, SITE, 2021, "2022-01-26 17:30", 7),
    _page(4760, f"{SITE}2022年部门预算", "2022-01-20", "lookalike", "现将本局2022年部门预算公开如下。"),
    _page(4702, "2021年政务公开工作要点", "2021-06-08", "other", "为深入推进政务公开，制定本要点。"),
    _page(4655, f"{SITE}2020年部门决算", "2021-08-30", "lookalike", "现将本局2020年部门决算公开如下。"),
    # page 5
    _report(4590, SITE, 2020, "2021-01-28 09:00", 8, fmt="2019"),
    _page(4571, f"{SITE}2021年部门预算", "2021-01-21", "lookalike", "现将本局2021年部门预算公开如下。"),
    _page(
        4530, "关于调整政府信息公开工作领导小组成员的通知", "2020-09-15", "other", "因人事变动，现调整如下。"
    ),
    _page(4470, "2020年政务公开工作要点", "2020-05-20", "other", "为深入推进政务公开，制定本要点。"),
    _page(4433, f"{SITE}2020年部门预算", "2020-02-10", "lookalike", "现将本局2020年部门预算公开如下。"),
    # page 6
    _report(4402, SITE, 2019, "2020-01-21 16:20", 9, fmt="2019"),
    _page(4390, f"{SITE}2019年部门决算", "2020-01-10", "lookalike", "现将本局2019年部门决算公开如下。"),
)
PAGES = -(-len(ITEMS) // PER_PAGE)


def _shell(title: str, action: str, crumbs: str, main: str) -> bytes:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><title>
	{escape(title)}_{SITE}
</title><link href="css/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="js/jquery-1.8.3.min.js"></script></head>
<body>
<form name="form1" method="post" action="./{escape(action)}" id="form1">
<div class="aspNetHidden">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{_VIEWSTATE}" />
</div>
<div class="top"><img src="images/logo.png" alt="{SITE}" /><span class="date">今天是：<span id="lblToday"></span></span></div>
<div class="nav"><ul>
<li><a href="Default.aspx">首页</a></li>
<li><a href="About.aspx?cid=1001">机构概况</a></li>
<li><a href="News.aspx?cid=1002">工作动态</a></li>
<li><a href="InfoPublic.aspx?cid=1000">信息公开</a></li>
<li><a href="Service.aspx?cid=1004">办事服务</a></li>
<li><a href="Message.aspx?cid=1005">互动交流</a></li>
</ul></div>
<div class="weizhi">当前位置：<a href="Default.aspx">首页</a> &gt; {crumbs}</div>
{main}
<div class="footer">
<p><a href="About.aspx?cid=1009">联系我们</a> | <a href="About.aspx?cid=1010">网站声明</a></p>
<p>主办：{SITE}　网站标识码：9999530011　<a href="https://beian.miit.gov.cn/" target="_blank">滇ICP备99053001号-1</a></p>
</div>
<div class="aspNetHidden">
<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="C0A4C71B" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEdAAKyJ8mXG3l0g1vS7Y0a1JXl3cK4o0x1pZk=" />
</div>
</form>
</body>
</html>
""".encode()


def _href(page: int) -> str:
    return escape(COLUMN if page == 1 else f"{COLUMN}&page={page}")


def _pager(page: int) -> str:
    """AspNetPager in URL-paging mode, texts in brackets, a window of five numbers."""

    def button(text: str, target: int, enabled: bool) -> str:
        if not enabled:
            return f'<a disabled="disabled" style="margin-right:5px;">{text}</a>'
        return f'<a href="{_href(target)}" style="margin-right:5px;">{text}</a>'

    first = (page - 1) // 5 * 5 + 1
    numbers = []
    for n in range(first, min(first + 4, PAGES) + 1):
        if n == page:
            numbers.append(
                f'<span class="current" style="margin-right:5px;font-weight:Bold;color:red;">[{n}]</span>'
            )
        else:
            numbers.append(button(f"[{n}]", n, True))
    more = button("...", first + 5, True) if first + 5 <= PAGES else ""
    return (
        f'<div id="AspNetPager1" class="pager">共{len(ITEMS)}条记录 第{page}/{PAGES}页 '
        + button("[首页]", 1, page > 1)
        + button("[上一页]", page - 1, page > 1)
        + "".join(numbers)
        + more
        + button("[下一页]", page + 1, page < PAGES)
        + button("[尾页]", PAGES, page < PAGES)
        + "</div>"
    )


def column_page(page: int) -> bytes:
    rows = "\n".join(
        f'<tr><td class="dot">·</td><td><a href="{escape(i.path)}" target="_blank" title="{escape(i.title)}">'
        f'{escape(i.title)}</a></td><td class="date">{i.date}</td></tr>'
        for i in ITEMS[(page - 1) * PER_PAGE : page * PER_PAGE]
    )
    main = f"""<div class="main"><div class="left"><h3>信息公开</h3><ul>
<li><a href="InfoPublic.aspx?cid=1016&amp;pid=971">政府信息公开指南</a></li>
<li><a href="InfoPublic.aspx?cid=1018&amp;pid=971">法定主动公开内容</a></li>
<li class="on"><a href="{escape(COLUMN)}">政府信息公开年报</a></li>
</ul></div>
<div class="right"><div class="lm_title">政府信息公开年报</div>
<table id="GridView1" class="list" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;">
{rows}
</table>
{_pager(page)}
</div></div>"""
    action = COLUMN if page == 1 else f"{COLUMN}&page={page}"
    return _shell(
        "政府信息公开年报",
        action,
        '<a href="InfoPublic.aspx?cid=1000">信息公开</a> &gt; 政府信息公开年报',
        main,
    )


def article_page(item: Item) -> bytes:
    r = item.report
    body = report_body(r) if r is not None else f'<p style="text-indent:2em;">{escape(item.body)}</p>'
    source = r.publisher if r is not None else SITE
    main = f"""<div class="main"><div class="article">
<h1 id="lblTitle">{escape(item.title)}</h1>
<div class="info">发布时间：<span id="lblDate">{item.date}</span>　来源：<span id="lblSource">{escape(source)}</span>　浏览次数：<span id="lblHits">{item.id % 700 + 40}</span>
【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</div>
<div id="zoom" class="content">
{body}
</div>
<div class="tools"><a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a></div>
</div></div>"""
    crumbs = f'<a href="InfoPublic.aspx?cid=1000">信息公开</a> &gt; <a href="{escape(COLUMN)}">政府信息公开年报</a>'
    return _shell(item.title, item.path.lstrip("/"), crumbs, main)


def _home() -> bytes:
    main = """<div class="main"><div class="box"><div class="box-title">信息公开</div><ul>
<li><a href="InfoPublic.aspx?cid=1000">政府信息公开</a></li>
<li><a href="News.aspx?cid=1002">工作动态</a></li>
</ul></div></div>"""
    return _shell(SITE, "Default.aspx", "首页", main)


def _overview() -> bytes:
    main = f"""<div class="main"><div class="left"><h3>信息公开</h3><ul>
<li><a href="InfoPublic.aspx?cid=1016&amp;pid=971">政府信息公开指南</a></li>
<li><a href="InfoPublic.aspx?cid=1018&amp;pid=971">法定主动公开内容</a></li>
<li><a href="{escape(COLUMN)}">政府信息公开年报</a></li>
</ul></div></div>"""
    return _shell("信息公开", "InfoPublic.aspx?cid=1000", "信息公开", main)


def routes() -> dict[str, bytes]:
    """Every page by path and query, as requested."""
    out = {"/": _home(), "/Default.aspx": _home(), "/InfoPublic.aspx?cid=1000": _overview()}
    for page in range(1, PAGES + 1):
        out["/" + (COLUMN if page == 1 else f"{COLUMN}&page={page}")] = column_page(page)
    for item in ITEMS:
        out[item.path] = article_page(item)
    return out


ROUTES = routes()


class AspNetHandler(PortalHandler):
    """IIS in front of ASP.NET: pages by path and query string, a plain 404 otherwise."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        body = ROUTES.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if body is None:
            body = b"<html><head><title>404 - \xe6\x89\xbe\xe4\xb8\x8d\xe5\x88\xb0\xe6\x96\x87\xe4\xbb\xb6</title></head><body></body></html>"
            return self._send_simple(404, body, "text/html; charset=utf-8")
        return self._send_simple(200, body, "text/html; charset=utf-8", {"X-AspNet-Version": "4.0.30319"})


@contextmanager
def serve_portal() -> Iterator[str]:
    with serve(HERE, handler=AspNetHandler) as base:
        yield base


PORTAL = WorldPortal(
    name="aspnet", platform="generic", serve=serve_portal, expected=expected_from_items(ITEMS)
)
