"""岚江市财政局 on 拓尔思 TRS WCM, in the shape of a km.gov.cn department site (domain notes §3.1).

What the portal reproduces (岚江市 and everything on its pages are invented):

- pages are `.shtml`; the 年报 column `/zfxxgk/zfxxgknb/index.shtml` is paged by the classic TRS
  script (`var countPage = 3` and `document.write("<a href=\\"index_"+i+".shtml\\">…")`), so its
  later pages are `index_1.shtml` and `index_2.shtml`, and `index_1.html` is a 404;
- the home page's entry to 政府信息公开 is a picture opened by `onclick` (no address to follow): the
  footer's 网站地图 (`/wzdt/`) is the only static page that names the disclosure columns;
- the newest report publishes its tables a second time as an XLSX workbook attached to the page:
  the workbook is archived and recorded as "spreadsheet attachments are not parsed";
- the usual 财政局 look-alikes in the same column: 部门预算, 部门决算, a 解读, a notice.
"""

from __future__ import annotations

import io
import zipfile
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
SITE = "岚江市财政局"
COLUMN = "/zfxxgk/zfxxgknb/"
PER_PAGE = 5
HTML = "text/html; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Item(ListedItem):
    @property
    def path(self) -> str:
        ymd = self.date.replace("-", "")
        return f"{COLUMN}{ymd[:6]}/t{ymd}_{self.id}.shtml"


def _report(doc_id: int, year: int, pub: str, seed: int, fmt: str = "2021") -> Item:
    r = make_report(agency=SITE, year=year, pub=pub, index_no=f"11530100MB0Q{seed:05d}/{pub[:4]}-{seed:05d}",
                    seed=500 + seed, fmt=fmt)  # fmt: skip
    return Item(doc_id, r.title, pub[:10], report=r, kind="report")


def _page(doc_id: int, title: str, date: str, kind: str, body: str) -> Item:
    return Item(doc_id, title, date, kind=kind, body=body)


ITEMS: tuple[Item, ...] = (
    _report(1190452, 2024, "2025-01-23 16:40", 1),
    _page(
        1190311,
        f"{SITE}2025年部门预算",
        "2025-01-16",
        "lookalike",
        "现将岚江市财政局2025年部门预算公开如下。",
    ),
    _page(
        1186023,
        "关于做好2024年度政府信息公开工作年度报告编制发布工作的通知",
        "2024-12-20",
        "lookalike",
        "局属各单位、各科室：请于2025年1月10日前报送本单位年度报告素材。",
    ),
    _page(
        1171830,
        f"{SITE}2023年部门决算",
        "2024-09-10",
        "lookalike",
        "现将岚江市财政局2023年部门决算公开如下。",
    ),
    _report(1150277, 2023, "2024-01-26 10:15", 2),
    # index_1.shtml
    _page(
        1150280,
        f"《{SITE}2023年政府信息公开工作年度报告》解读",
        "2024-01-26",
        "lookalike",
        "一图读懂岚江市财政局2023年政府信息公开工作年度报告解读。",
    ),
    _page(
        1149902,
        f"{SITE}2024年部门预算",
        "2024-01-19",
        "lookalike",
        "现将岚江市财政局2024年部门预算公开如下。",
    ),
    _report(1120345, 2022, "2023-01-29 09:30", 3),
    _page(
        1101288,
        f"{SITE}2022年部门决算",
        "2023-09-05",
        "lookalike",
        "现将岚江市财政局2022年部门决算公开如下。",
    ),
    _report(1090210, 2021, "2022-01-27 15:00", 4),
    # index_2.shtml
    _report(1060118, 2020, "2021-01-28 11:20", 5, fmt="2019"),
    _page(
        1059930,
        f"{SITE}2021年部门预算",
        "2021-01-20",
        "lookalike",
        "现将岚江市财政局2021年部门预算公开如下。",
    ),
    _report(1030076, 2019, "2020-01-22 17:05", 6, fmt="2019"),
)
PAGES = -(-len(ITEMS) // PER_PAGE)
WORKBOOK = f"{ITEMS[0].path.rsplit('/', 1)[0]}/P020250123583027519846.xlsx"

# The classic TRS paging script, as km.gov.cn templates print it (the page numbers and names are
# written only by document.write).
PAGER = r"""<script language="JavaScript">
var currentPage = {current};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {count}//共多少页
document.write("共"+countPage+"页&nbsp;&nbsp;");
if(countPage>1&&currentPage!=0&&currentPage!=1)
	document.write("<a href=\"index_"+prevPage+".shtml\">上一页</a>&nbsp;");
else if(countPage>1&&currentPage!=0&&currentPage==1)
	document.write("<a href=\"index.shtml\">上一页</a>&nbsp;");
else
	document.write("上一页&nbsp;");
for(var i=0;i<countPage;i++){
	if(currentPage==i)
		document.write("<span class=\"on\">"+(i+1)+"</span>&nbsp;");
	else if(i==0)
		document.write("<a href=\"index.shtml\">"+(i+1)+"</a>&nbsp;");
	else
		document.write("<a href=\"index_"+i+".shtml\">"+(i+1)+"</a>&nbsp;");
}
if(countPage>1&&currentPage!=(countPage-1))
	document.write("<a href=\"index_"+nextPage+".shtml\">下一页</a>&nbsp;");
else
	document.write("下一页&nbsp;");
</script>"""


def _shell(title: str, crumbs: str, main: str, metas: str = "") -> bytes:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{escape(title)}</title>
<meta name="SiteName" content="{SITE}">
<meta name="SiteDomain" content="czj.lanjiang.gov.cn">
<meta name="SiteIDCode" content="9999010031">
{metas}<link href="/images/czj_style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<div class="head"><img src="/images/czj_logo.png" alt="{SITE}" />
<div class="search"><form action="/was5/web/search" method="get" target="_blank"><input type="hidden" name="channelid" value="257614" /><input type="text" name="searchword" /><input type="submit" value="搜索" /></form></div></div>
<div class="nav"><a href="/">首页</a><a href="/jgzn/">机构职能</a><a href="/czdt/">财政动态</a><a href="/zcfg/">政策法规</a><a href="/bsfw/">办事服务</a>
<a href="javascript:void(0);" onclick="window.open('/zfxxgk/index.shtml')"><img src="/images/nav_xxgk.png" alt="政府信息公开" /></a></div>
{crumbs}
{main}
<div class="foot"><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a><br />
主办：{SITE}　网站标识码：9999010031　<a href="https://beian.miit.gov.cn/" target="_blank">滇ICP备99010031号</a>
<script id="_jiucuo_" sitecode="9999010031" src="https://pucha.kaipuyun.cn/exposure/jiucuo.js"></script></div>
</body>
</html>
""".encode()


def _crumbs(*parts: tuple[str, str]) -> str:
    links = " &gt; ".join(f'<a href="{href}">{name}</a>' for name, href in (("首页", "/"), *parts))
    return f'<div class="dqwz">当前位置：{links}</div>'


def column_page(n: int) -> bytes:
    chunk = ITEMS[n * PER_PAGE : (n + 1) * PER_PAGE]
    lis = "\n".join(
        f'<li><span>{i.date}</span><a href="./{i.path.removeprefix(COLUMN)}" target="_blank" '
        f'title="{escape(i.title)}">{escape(i.title)}</a></li>'
        for i in chunk
    )
    main = f"""<div class="main"><div class="lm">政府信息公开年报</div>
<ul class="list">
{lis}
</ul>
<div class="fy">{PAGER.replace("{current}", str(n)).replace("{count}", str(PAGES))}</div></div>"""
    crumbs = _crumbs(("政府信息公开", "../"), ("政府信息公开年报", "./"))
    meta = '<meta name="ColumnName" content="政府信息公开年报">\n'
    return _shell(f"政府信息公开年报-{SITE}", crumbs, main, meta)


def article_page(item: Item) -> bytes:
    r = item.report
    body = report_body(r) if r is not None else f'<p style="text-indent:2em;">{escape(item.body)}</p>'
    attachment = ""
    if item.path == ITEMS[0].path:
        name = WORKBOOK.rsplit("/", 1)[1]
        attachment = (f'<div class="fj">附件：<a href="./{name}" OLDSRC="/protect/{name}">'
                      f"{SITE}2024年政府信息公开情况统计表.xlsx</a></div>")  # fmt: skip
    main = f"""<div class="main"><div class="article">
<h1>{escape(item.title)}</h1>
<div class="info">发布日期：{item.date}　来源：{SITE}　【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</div>
<div class="TRS_Editor">
{body}
</div>
{attachment}
<div class="tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div></div>"""
    crumbs = _crumbs(("政府信息公开", "/zfxxgk/index.shtml"), ("政府信息公开年报", COLUMN))
    metas = (f'<meta name="ArticleTitle" content="{escape(item.title)}">\n'
             f'<meta name="PubDate" content="{item.date} 09:00">\n'
             f'<meta name="ColumnName" content="政府信息公开年报">\n')  # fmt: skip
    return _shell(f"{item.title}-{SITE}", crumbs, main, metas)


def workbook() -> bytes:
    """The report's first table as an XLSX workbook (SpreadsheetML, inline strings, fixed dates)."""
    rows = [("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"), ("规章", "0", "0", "0"),
            ("行政规范性文件", "3", "1", "26")]  # fmt: skip

    def cell(ref: str, value: str) -> str:
        if value.isdigit():
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    sheet_rows = "".join(
        f'<row r="{y}">' + "".join(cell(f"{'ABCD'[x]}{y}", v) for x, v in enumerate(row)) + "</row>"
        for y, row in enumerate(rows, start=1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="主动公开" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}">'
            f"<sheetData>{sheet_rows}</sheetData></worksheet>"
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 23, 16, 30, 0)), xml)
    return buf.getvalue()


def _home() -> bytes:
    lis = "".join(f'<li><a href="/czdt/202501/t2025011{n}_11{n}0.shtml">{t}</a></li>'
                  for n, t in enumerate(("全市财政工作会议召开", "市财政局开展减税降费政策宣讲")))  # fmt: skip
    return _shell(SITE, "", f'<div class="main"><div class="box"><h3>财政动态</h3><ul>{lis}</ul></div></div>')


def _site_map() -> bytes:
    columns = (("机构职能", "/jgzn/"), ("财政动态", "/czdt/"), ("政策法规", "/zcfg/"), ("政府信息公开", "/zfxxgk/index.shtml"),
               ("政府信息公开指南", "/zfxxgk/zfxxgkzn/"), ("政府信息公开年报", COLUMN), ("财政预决算", "/zfxxgk/czyjs/"),
               ("办事服务", "/bsfw/"), ("联系我们", "/lxwm/"))  # fmt: skip
    dds = "".join(f'<dd><a href="{href}">{name}</a></dd>' for name, href in columns)
    return _shell(
        f"网站地图-{SITE}", _crumbs(("网站地图", "/wzdt/")), f'<div class="map"><dl>{dds}</dl></div>'
    )


def _disclosure() -> bytes:
    main = ('<div class="main"><ul class="gk"><li><a href="zfxxgkzn/">政府信息公开指南</a></li>'
            '<li><a href="zfxxgknb/">政府信息公开年报</a></li><li><a href="czyjs/">财政预决算</a></li></ul></div>')  # fmt: skip
    return _shell(f"政府信息公开-{SITE}", _crumbs(("政府信息公开", "/zfxxgk/index.shtml")), main)


def routes() -> dict[str, tuple[str, bytes]]:
    out = {"/index.shtml": (HTML, _home()), "/wzdt/index.shtml": (HTML, _site_map()),
           "/zfxxgk/index.shtml": (HTML, _disclosure()), WORKBOOK: (XLSX, workbook())}  # fmt: skip
    for n in range(PAGES):
        out[f"{COLUMN}index{f'_{n}' if n else ''}.shtml"] = (HTML, column_page(n))
    for item in ITEMS:
        out[item.path] = (HTML, article_page(item))
    return out


ROUTES = routes()


class TrsHandler(PortalHandler):
    """nginx in front of TRS's published files: `index.shtml` for a directory, a 404 otherwise."""

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        found = ROUTES.get(path + "index.shtml" if path.endswith("/") else path)
        if found is None:
            return self._not_found()
        return self._send_simple(200, found[1], found[0])


@contextmanager
def serve_portal() -> Iterator[str]:
    with serve(HERE, handler=TrsHandler) as base:
        yield base


EXPECTED = expected_from_items(ITEMS) | {
    "failures": [{"path": WORKBOOK, "reason": "spreadsheet attachments are not parsed"}]
}
PORTAL = WorldPortal(name="trs", platform="trs", serve=serve_portal, expected=EXPECTED)
