"""World portal: 云岫区人民政府 on an unknown custom CMS whose column rows come from a JSON API.

Real shape reproduced: the custom-built front ends of many newer district portals (a jQuery page
over a Java back end): the 政府信息公开年报 column `/xxgk/ndbg/index.html` ships an empty
`<ul class="news-list" id="newsList">` and an INLINE script that calls
`$.ajax({url: '/api/content/list', data: {channelId: 1087, pageNo: N, pageSize: 6}, dataType: 'json'})`
and answers `{"code": 0, "msg": "success", "data": {"list": [{"id", "title", "linkUrl",
"publishDate", "source"}], "total": 9, "pages": 2, "pageNo", "pageSize"}}`; the script writes the
rows and a pager of real anchors (`index.html?pageNo=2`), reading `pageNo` from the query string.
`jquery.min.js` is the site's own small file (ajax over XMLHttpRequest), so a browser runs it
without any network. Articles are static pages at `/detail/1087/{yyyyMM}/{hex}.html`.

Hallmark missing: no platform at all: no datastore, no `_CONFIG`, no `createPageHTML`, no static
pager; the only trace of the list is the inline script's literal URL and parameter object. A
browser gets page 1's rows by running the page and page 2's by following the drawn pager link; a
crawler without one must call the API (page 2, or one big `pageSize`).

Five reports (2019–2022, 2024) across the two API pages; look-alikes among the rows: 部门预算, 部门决算,
a 解读 of the 2024 report and the notice about compiling the reports.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from nianbao.sample_portal.server import PortalHandler
from tests.world import WorldPortal
from tests.world import variant_build as V

HERE = Path(__file__).resolve().parent
AGENCY = "云岫区人民政府"
CHANNEL = 1087
PAGE_SIZE = 6
COLUMN = "/xxgk/ndbg/index.html"


@dataclass(frozen=True)
class Item(V.GeneratedItem):
    agency = AGENCY
    source: str = "区政府办公室"

    @property
    def path(self) -> str:
        key = hashlib.md5(f"{CHANNEL}/{self.id}".encode()).hexdigest()[:20]
        return f"/detail/{CHANNEL}/{self.date[:4]}{self.date[5:7]}/{key}.html"


REPORTS = (
    Item(90412, seed=24),
    Item(78105, seed=88),
    Item(70233, seed=109),
    Item(61870, seed=102),
    Item(55021, seed=46),
)
LOOKALIKES = (
    Item(
        91207,
        title_=f"{AGENCY}2025年部门预算公开",
        date_="2025-02-14",
        source="区财政局",
        body="<p>现将云岫区人民政府2025年部门预算公开如下：</p><table border='1'><tr><td>收入预算</td><td>6318.20</td></tr>"
        "<tr><td>支出预算</td><td>6318.20</td></tr></table>",
    ),
    Item(
        90415,
        title_=f"【图解】{AGENCY}2024年政府信息公开工作年度报告",
        date_="2025-01-10",
        body="<p>图解：2024年，区政府主动公开政府信息3021条，受理依申请公开147件，办结率100%。</p>",
    ),
    Item(
        89960,
        title_="关于报送2024年度政府信息公开工作年度报告的通知",
        date_="2024-12-12",
        body="<p>区政府各部门、各街道办事处：</p><p>请于2025年1月15日前将本单位年度报告报送区政务公开办审核。</p>",
    ),
    Item(
        74456,
        title_=f"{AGENCY}2022年部门决算公开",
        date_="2023-08-21",
        source="区财政局",
        body="<p>现将云岫区人民政府2022年部门决算公开如下：</p><table border='1'><tr><td>收入决算</td><td>5904.66</td></tr>"
        "<tr><td>支出决算</td><td>5871.02</td></tr></table>",
    ),
)
ROWS = V.newest_first(REPORTS + LOOKALIKES)

HEADER = f"""<header class="header"><div class="top-bar container"><span>欢迎访问{AGENCY}门户网站</span>
<div class="tools"><a href="javascript:;" id="btnWza">无障碍</a><a href="javascript:;" id="btnOld">关怀版</a><a href="javascript:;">政务微博</a><a href="javascript:;">移动版</a></div></div>
<div class="container logo-bar"><a href="/index.html" class="logo">{AGENCY}</a>
<div class="search"><input type="text" id="keyword" placeholder="搜索本站"><button type="button" id="btnSearch">搜索</button></div></div>
<nav class="main-nav container"><a href="/index.html">首页</a><a href="/xxgk/index.html">政务公开</a><a href="/bsfw/index.html">政务服务</a><a href="/hdjl/index.html">互动交流</a></nav></header>"""
FOOTER = f"""<footer class="footer"><div class="container">
<p><a href="/wzdt/index.html">网站地图</a> | <a href="/hdjl/index.html">联系我们</a> | <a href="/wzsm/index.html">网站声明</a></p>
<p>主办：{AGENCY}办公室　承办：云岫区大数据中心</p>
<p>网站标识码：5101990008　<a href="https://beian.miit.gov.cn/" target="_blank">蜀ICP备18031087号-1</a>　川公网安备 51019902000320号</p>
</div></footer>"""
FURNITURE = V.Furniture(top=HEADER, foot=FOOTER, wrap="container main", crumb="breadcrumb")


def _shell(title: str, crumbs: str, main: str, tail: str = "", metas: str = "") -> str:
    head = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="SiteName" content="{AGENCY}">
<meta name="SiteDomain" content="www.yunxiu.gov.cn">
<meta name="SiteIDCode" content="5101990008">
{metas}<title>{escape(title)}</title>
<link rel="stylesheet" href="/static/css/main.css">
</head>"""
    return FURNITURE.page(head, crumbs, main, tail)


LIST_SCRIPT = """<script src="/static/lib/jquery/jquery.min.js"></script>
<script>
  function getQueryString(name) {
    var m = new RegExp('(^|&)' + name + '=([^&]*)(&|$)').exec(window.location.search.substr(1));
    return m ? decodeURIComponent(m[2]) : null;
  }
  var listParams = { channelId: __CHANNEL__, pageNo: parseInt(getQueryString('pageNo') || '1', 10), pageSize: __SIZE__ };
  $(function () {
    $.ajax({
      url: '/api/content/list',
      type: 'GET',
      data: listParams,
      dataType: 'json',
      success: function (res) {
        if (res.code !== 0 || !res.data) { $('#newsList').html('<li class="empty">暂无数据</li>'); return; }
        var html = '';
        $.each(res.data.list, function (i, item) {
          html += '<li><a href="' + item.linkUrl + '" target="_blank" title="' + item.title + '">' + item.title +
            '</a><span class="date">' + item.publishDate.substr(0, 10) + '</span></li>';
        });
        $('#newsList').html(html);
        var pager = '<span class="total">共' + res.data.total + '条</span>';
        for (var p = 1; p <= res.data.pages; p++) {
          pager += p === listParams.pageNo ? '<span class="active">' + p + '</span>'
            : '<a href="' + (p === 1 ? 'index.html' : 'index.html?pageNo=' + p) + '">' + p + '</a>';
        }
        if (listParams.pageNo < res.data.pages) { pager += '<a href="index.html?pageNo=' + (listParams.pageNo + 1) + '">下一页</a>'; }
        $('#pager').html(pager);
      },
      error: function () { $('#newsList').html('<li class="empty">加载失败，请稍后重试</li>'); }
    });
  });
</script>
""".replace("__CHANNEL__", str(CHANNEL)).replace("__SIZE__", str(PAGE_SIZE))


def column_page() -> str:
    main = """<aside class="side-menu"><h3>政府信息公开</h3><ul>
<li><a href="/xxgk/gkzn/index.html">政府信息公开指南</a></li><li><a href="/xxgk/index.html">法定主动公开内容</a></li>
<li class="active"><a href="/xxgk/ndbg/index.html">政府信息公开年报</a></li></ul></aside>
<section class="list-box"><h2 class="list-title">政府信息公开年报</h2>
<ul class="news-list" id="newsList" v-cloak></ul>
<div class="pagination" id="pager"></div>
</section>"""
    crumbs = '<a href="/xxgk/index.html">政务公开</a> &gt; <span>政府信息公开年报</span>'
    return _shell(
        f"政府信息公开年报-{AGENCY}",
        crumbs,
        main,
        LIST_SCRIPT,
        '<meta name="ColumnName" content="政府信息公开年报">\n',
    )


def article(item: Item) -> str:
    crumbs = '<a href="/xxgk/index.html">政务公开</a> &gt; <a href="/xxgk/ndbg/index.html">政府信息公开年报</a> &gt; 正文'
    info = f'<div class="article-info"><span>发布时间：{item.date}</span><span>来源：{item.source}</span><span>浏览次数：<em id="views">--</em></span></div>'
    if item.seed is None:
        main = f'<article class="article"><h1 class="article-title">{escape(item.title)}</h1>{info}<div class="article-content" id="Zoom">{item.body}</div></article>'
        return _shell(
            f"{item.title}-{AGENCY}",
            crumbs,
            main,
            metas=f'<meta name="ArticleTitle" content="{escape(item.title)}">\n',
        )
    return FURNITURE.article(
        item,
        crumbs,
        f'<article class="article">{info}',
        title_sep="-",
        editor='<div class="article-content" id="Zoom">',
        closing="</div></article></div>",
    )


def api_answer(query: dict[str, list[str]]) -> dict[str, object]:
    def number(name: str, default: int) -> int:
        try:
            return max(int((query.get(name) or [str(default)])[0]), 1)
        except ValueError:
            return default

    if (query.get("channelId") or [""])[0] != str(CHANNEL):
        return {
            "code": 0,
            "msg": "success",
            "data": {"list": [], "total": 0, "pages": 0, "pageNo": 1, "pageSize": 10},
        }
    page, size = number("pageNo", 1), min(number("pageSize", 10), 50)
    chunk = ROWS[(page - 1) * size : page * size]
    rows = [{"id": i.id, "title": i.title, "linkUrl": i.path, "publishDate": f"{i.date} 10:30:00", "source": i.source}
            for i in chunk]  # fmt: skip
    pages = -(-len(ROWS) // size)
    return {"code": 0, "msg": "success",
            "data": {"list": rows, "total": len(ROWS), "pages": pages, "pageNo": page, "pageSize": size}}  # fmt: skip


def site_files() -> dict[str, bytes]:
    files = V.static_files(HERE / "site")
    files["static/lib/jquery/jquery.min.js"] = V.JQUERY
    files[COLUMN.lstrip("/")] = column_page().encode()
    for item in ROWS:
        files[item.path.lstrip("/")] = article(item).encode()
    columns = ('<ul class="news-list"><li><a href="/xxgk/gkzn/index.html">政府信息公开指南</a></li>'
               '<li><a href="/xxgk/ndbg/index.html">政府信息公开年报</a></li></ul>')  # fmt: skip
    home = (f'<section class="tzgg"><h3>通知公告</h3><ul class="news-list"><li><a href="{LOOKALIKES[2].path}">'
            f'{escape(LOOKALIKES[2].title)}</a><span class="date">{LOOKALIKES[2].date}</span></li></ul></section>'
            f'<section class="zwgk"><h3>政务公开</h3>{columns}</section>')  # fmt: skip
    files["index.html"] = _shell(f"{AGENCY}门户网站", "首页", home).encode()
    files["xxgk/index.html"] = _shell(f"政务公开-{AGENCY}", "政务公开", columns).encode()
    for rel, name, text in (
        ("xxgk/gkzn/index.html", "政府信息公开指南", "本指南依据《中华人民共和国政府信息公开条例》编制。"),
        ("bsfw/index.html", "政务服务", "请登录一体化政务服务平台办理。"),
        ("hdjl/index.html", "互动交流", "区长信箱、咨询投诉。"),
        ("wzdt/index.html", "网站地图", "首页 政务公开 政务服务 互动交流"),
        ("wzsm/index.html", "网站声明", "本网站所载内容版权归云岫区人民政府所有。"),
    ):
        files[rel] = _shell(
            f"{name}-{AGENCY}", name, f'<div class="article-content"><p>{text}</p></div>'
        ).encode()
    return files


class Handler(PortalHandler):
    """Static files plus the list API."""

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        if split.path == "/api/content/list":
            body = json.dumps(api_answer(parse_qs(split.query)), ensure_ascii=False).encode()
            return self._send_simple(
                200, body, "application/json;charset=UTF-8", {"Cache-Control": "no-store"}
            )
        return super().do_GET()


def serve_portal() -> AbstractContextManager[str]:
    return V.serve_site("world-jsonapi-cms-", site_files, Handler)


EXPECTED = V.expected_for(REPORTS, LOOKALIKES, may_render=[COLUMN, f"{COLUMN}?pageNo=2"])
PORTAL = WorldPortal(name="jsonapi_cms", platform="generic", serve=serve_portal, expected=EXPECTED)
