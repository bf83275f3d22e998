"""World portal: 柘川县人民政府, whose current 年报 column is broken and whose archive column is not.

Real shape reproduced: a county portal after a half-finished migration to a new CMS back end. The
政府信息公开年报 column `/zwgk/zfxxgknb/index.html` (title, `ColumnName` meta and breadcrumb
当前位置：首页 > 政务公开 > 政府信息公开年报) ships an empty `<ul id="nbList">`; its inline script
calls `$.ajax({url: '/api/cms/article/page', data: {columnId: 301, pageIndex: 1, pageSize: 15}})`,
and the API answers HTTP 500 (a Spring Boot error body) to every request, so even a browser shows
only 暂无数据. The same page's tab 历史年报 leads to `/zwgk/zfxxgknb/lsnb/index.html`, a static
column left over from the old CMS, listing the county's 2019 and 2020 reports and a notice about
compiling them.

Hallmark: none is missing on the readable column; on the broken one, every way of reading the list
fails (no rows in the HTML, the API fails, a browser renders an empty list). The crawl must store
the two archive reports and report the 年报 column as empty (`column_empty`), rather than fail or
invent rows. The broken page is in `may_render` (rendering it is acceptable, and finds nothing).
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from nianbao.sample_portal.server import PortalHandler
from tests.world import WorldPortal
from tests.world import variant_build as V

AGENCY = "柘川县人民政府"
COLUMN = "/zwgk/zfxxgknb/index.html"
ARCHIVE = "/zwgk/zfxxgknb/lsnb/index.html"
API = "/api/cms/article/page"


@dataclass(frozen=True)
class Item(V.GeneratedItem):
    agency = AGENCY

    @property
    def path(self) -> str:
        return f"/zwgk/zfxxgknb/lsnb/{self.date[:4]}{self.date[5:7]}/t{self.date.replace('-', '')}_{self.id}.html"


REPORTS = (Item(30218, seed=82), Item(27731, seed=113))
LOOKALIKES = (
    Item(
        29804,
        title_="关于做好2020年度政府信息公开工作年度报告编制和公布工作的通知",
        date_="2020-12-28",
        body="<p>各乡镇人民政府，县政府各部门：</p><p>请于2021年1月20日前完成本单位2020年度报告的编制，经主要负责同志审定后报县政府办公室。</p>",
    ),
)
ITEMS = V.newest_first(REPORTS + LOOKALIKES)

TOP = f"""<div class="top"><div class="wrap"><span>{AGENCY}门户网站</span><span class="top-r"><a href="javascript:;">无障碍</a> | <a href="javascript:;">关怀版</a> | <a href="javascript:;">政务微博</a></span></div></div>
<div class="nav"><div class="wrap"><a href="/index.html">首页</a><a href="/zwgk/index.html">政务公开</a><a href="/wzdt/index.html">网站地图</a></div></div>"""
FOOT = f"""<div class="foot"><div class="wrap"><p><a href="/wzdt/index.html">网站地图</a> | <a href="/zwgk/index.html">联系我们</a></p>
<p>主办：{AGENCY}办公室　网站标识码：4331240002　<a href="https://beian.miit.gov.cn/" target="_blank">湘ICP备16011243号</a>　湘公网安备 43312402000051号</p></div></div>"""
FURNITURE = V.Furniture(top=TOP, foot=FOOT, wrap="wrap main", crumb="position")


def _shell(title: str, crumbs: str, main: str, tail: str = "", metas: str = "") -> str:
    head = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(title)}</title>
<meta name="SiteName" content="{AGENCY}">
<meta name="SiteIDCode" content="4331240002">
{metas}<style>.wrap{{width:1100px;margin:0 auto}}.nb-list li span{{float:right}}</style>
</head>"""
    return FURNITURE.page(head, crumbs, main, tail)


TABS = f"""<div class="nb-tabs"><a class="on" href="{COLUMN}">政府信息公开年报</a><a href="{ARCHIVE}">历史年报</a></div>"""
LIST_SCRIPT = """<script src="/static/js/jquery.min.js"></script>
<script>
$(function () {
  $.ajax({
    url: '/api/cms/article/page',
    type: 'GET',
    data: { columnId: 301, pageIndex: 1, pageSize: 15 },
    dataType: 'json',
    success: function (res) {
      var rows = (res && res.data && res.data.records) || [];
      var html = '';
      $.each(rows, function (i, r) {
        html += '<li><a href="' + r.url + '" target="_blank">' + r.title + '</a><span>' + r.publishDate + '</span></li>';
      });
      $('#nbList').html(html || '<li class="nodata">暂无数据</li>');
    },
    error: function () {
      $('#nbList').html('<li class="nodata">暂无数据</li>');
    }
  });
});
</script>
"""


def column_page() -> str:
    main = f"""{TABS}
<div class="nb-box"><h2 class="nb-tit">政府信息公开年报</h2>
<ul class="nb-list" id="nbList"></ul>
<div class="pagination" id="nbPager"></div></div>"""
    crumbs = '<a href="/zwgk/index.html">政务公开</a> &gt; <span>政府信息公开年报</span>'
    return _shell(
        f"政府信息公开年报_{AGENCY}",
        crumbs,
        main,
        LIST_SCRIPT,
        '<meta name="ColumnName" content="政府信息公开年报">\n',
    )


def archive_page() -> str:
    rows = "\n".join(f'<li><a href="{i.path}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a><span>{i.date}</span></li>'
                     for i in ITEMS)  # fmt: skip
    main = f"""{TABS.replace(' class="on"', "").replace('">历史年报', '" class="on">历史年报')}
<div class="nb-box"><h2 class="nb-tit">历史年报</h2>
<ul class="nb-list">
{rows}
</ul>
<div class="pagination">共{len(ITEMS)}条　第1/1页</div></div>"""
    crumbs = f'<a href="/zwgk/index.html">政务公开</a> &gt; <a href="{COLUMN}">政府信息公开年报</a> &gt; <span>历史年报</span>'
    return _shell(f"历史年报_{AGENCY}", crumbs, main, metas='<meta name="ColumnName" content="历史年报">\n')


def article(item: Item) -> str:
    crumbs = f'<a href="/zwgk/index.html">政务公开</a> &gt; <a href="{COLUMN}">政府信息公开年报</a> &gt; <a href="{ARCHIVE}">历史年报</a>'
    if item.seed is None:
        main = f'<div class="art"><h1>{escape(item.title)}</h1><div class="art-info">发布日期：{item.date}</div><div class="TRS_Editor">{item.body}</div></div>'
        return _shell(
            f"{item.title}_{AGENCY}",
            crumbs,
            main,
            metas=f'<meta name="ArticleTitle" content="{escape(item.title)}">\n',
        )
    return FURNITURE.article(item, crumbs)


def site_files() -> dict[str, bytes]:
    files = {"static/js/jquery.min.js": V.JQUERY}
    files[COLUMN.lstrip("/")] = column_page().encode()
    files[ARCHIVE.lstrip("/")] = archive_page().encode()
    for item in ITEMS:
        files[item.path.lstrip("/")] = article(item).encode()
    columns = (f'<ul class="nb-list"><li><a href="/zwgk/gkzn/index.html">政府信息公开指南</a></li>'
               f'<li><a href="{COLUMN}">政府信息公开年报</a></li></ul>')  # fmt: skip
    files["index.html"] = _shell(
        f"{AGENCY}门户网站", "首页", f'<div class="box"><h3>政务公开</h3>{columns}</div>'
    ).encode()
    files["zwgk/index.html"] = _shell(f"政务公开_{AGENCY}", "政务公开", columns).encode()
    files["zwgk/gkzn/index.html"] = _shell(f"政府信息公开指南_{AGENCY}", "政府信息公开指南",
        "<div class='TRS_Editor'><p>本指南依据《中华人民共和国政府信息公开条例》编制。</p></div>").encode()  # fmt: skip
    files["wzdt/index.html"] = _shell(f"网站地图_{AGENCY}", "网站地图",
        f'<ul><li><a href="/zwgk/index.html">政务公开</a><ul><li><a href="{COLUMN}">政府信息公开年报</a></li>'
        f'<li><a href="{ARCHIVE}">历史年报</a></li></ul></li></ul>').encode()  # fmt: skip
    return files


class Handler(PortalHandler):
    """Static files; the new CMS's list API fails with HTTP 500 whatever it is asked."""

    def _api_error(self) -> bool:
        if urlsplit(self.path).path != API:
            return False
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"timestamp": "2025-02-11T09:14:07.532+08:00", "status": 500, "error": "Internal Server Error",
                           "message": "nested exception is org.apache.ibatis.exceptions.PersistenceException",
                           "path": API}).encode()  # fmt: skip
        self._send_simple(500, body, "application/json")
        return True

    def do_GET(self) -> None:
        if not self._api_error():
            super().do_GET()

    def do_POST(self) -> None:
        if not self._api_error():
            super().do_POST()


def serve_portal() -> AbstractContextManager[str]:
    return V.serve_site("world-broken-column-", site_files, Handler)


EXPECTED = V.expected_for(REPORTS, LOOKALIKES, may_render=[COLUMN], column_empty=[COLUMN])
PORTAL = WorldPortal(name="broken_column", platform="generic", serve=serve_portal, expected=EXPECTED)
