"""World portal: 青榄市自然资源局 on the Guangdong gkmlpt catalogue, without `window._CONFIG`.

Real shape reproduced: a department site's 政府信息公开目录 at the extension-less route
`/gkmlpt/index`, articles at `/gkmlpt/content/{id//10**6}/{id//10**3}/post_{id}.html` (metadata
block, `div.article-content`), and the platform's JSON API `/gkmlpt/api/all/{classify}?page=N&sid=…`
answering `{"classify", "total", "offset", "articles": [{"id", "title", "url", "date", …}]}`, 100
rows a page, newest first, category 0 = every category; a missing or wrong `sid` lists nothing.

Hallmark moved: the page has no `window._CONFIG = {SID: …, TREE: […]}` object and no inline
script at all. The list is drawn by a LINKED script, `/gkmlpt/static/js/list.js`, which reads the
site id, the category and the page size from attributes of its own `<script id="_gkml_list_"
sid="660317" classify="0" pagesize="100">` tag (the way 开普云's `jiucuo.js` reads `sitecode`),
calls the API with XMLHttpRequest and writes the rows into `#gkml-table tbody`. The category tree
is static HTML (`#tree a[data-classify]`, `href="javascript:;"`). A browser rendering the catalogue
sees every row: the catalogue lists all 10 items on one API page.

Four reports (2020–2023) in 年度报告; look-alikes in the same catalogue: 部门预算, 部门决算, a 解读 of
the 2022 report, a 统计年报 and the notice about compiling the reports, plus an ordinary 规范性文件.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.world import WorldPortal
from tests.world import variant_build as V

HERE = Path(__file__).resolve().parent
AGENCY = "青榄市自然资源局"
SID = "660317"
START = "/gkmlpt/index"
CATEGORIES = {2051: "规范性文件", 2057: "财政预决算", 2060: "年度报告", 2063: "政策解读", 2066: "统计信息"}
HOST_NAME = "zrzyj.qinglan.gov.cn"


def post_path(doc_id: int) -> str:
    return f"/gkmlpt/content/{doc_id // 10**6}/{doc_id // 10**3}/post_{doc_id}.html"


@dataclass(frozen=True)
class Item(V.GeneratedItem):
    agency = AGENCY
    classify: int
    doc_no: str = ""

    @property
    def path(self) -> str:
        return post_path(self.id)


REPORTS = (
    Item(3921804, 2060, seed=39),
    Item(4088316, 2060, seed=45),
    Item(4301227, 2060, seed=44),
    Item(4519063, 2060, seed=17),
)
_BUDGET = "<p>根据预算公开工作要求，现将{a}{y}年部门预算公开如下：</p><table border='1'><tr><td>项目</td><td>预算数（万元）</td></tr><tr><td>一般公共预算拨款收入</td><td>3216.48</td></tr><tr><td>政府性基金预算拨款收入</td><td>812.00</td></tr><tr><td>收入总计</td><td>4028.48</td></tr></table>"
LOOKALIKES = (
    Item(
        4555120,
        2057,
        title_=f"{AGENCY}2024年部门预算",
        date_="2024-02-02",
        body=_BUDGET.format(a=AGENCY, y=2024),
    ),
    Item(
        4412650,
        2057,
        title_=f"{AGENCY}2022年部门决算",
        date_="2023-08-30",
        body=_BUDGET.format(a=AGENCY, y=2022).replace("预算数", "决算数").replace("预算公开", "决算公开"),
    ),
    Item(
        4301230,
        2063,
        title_=f"图解：《{AGENCY}2022年政府信息公开工作年度报告》",
        date_="2023-01-30",
        body=f"<p>一图读懂{AGENCY}2022年政府信息公开工作年度报告。</p><p>2022年，本局主动公开政府信息1260条，"
        "新收政府信息公开申请58件，办结58件，未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。</p>",
    ),
    Item(
        4390514,
        2066,
        title_="青榄市2022年度土地变更调查统计年报",
        date_="2023-05-16",
        body="<p>2022年度全市土地变更调查统计结果如下：</p><table border='1'><tr><td>地类</td><td>面积（公顷）</td></tr>"
        "<tr><td>耕地</td><td>41286.12</td></tr><tr><td>园地</td><td>18350.77</td></tr><tr><td>林地</td><td>96412.05</td></tr></table>",
    ),
    Item(
        4480072,
        2051,
        title_="关于做好2023年度政府信息公开工作年度报告编制和发布工作的通知",
        date_="2023-12-18",
        doc_no="青自然资办函〔2023〕214号",
        body="<p>局属各单位、机关各科室：</p><p>请于2024年1月10日前将本单位2023年度政府信息公开工作情况及有关数据报送局办公室，"
        "局办公室汇总编制本局年度报告并于1月31日前向社会公布。</p>",
    ),
)
OTHERS = (
    Item(
        4467301,
        2051,
        title_=f"{AGENCY}关于印发《青榄市不动产登记便民服务规定》的通知",
        date_="2023-11-20",
        doc_no="青自然资规〔2023〕3号",
        body="<p>各区自然资源分局、局属各单位：</p><p>现将《青榄市不动产登记便民服务规定》印发给你们，请认真贯彻执行。</p>",
    ),
)
ITEMS = REPORTS + LOOKALIKES + OTHERS

HEADER = f"""<div class="gkml-top"><div class="w1200"><span class="fl">欢迎访问{AGENCY}网站</span>
<span class="fr"><a href="/">首页</a> | <a href="javascript:;" id="cniil_wza">无障碍</a> | <a href="javascript:;" class="ariaskiptheme">关怀版</a> | <a href="javascript:;">政务微博</a></span></div></div>
<div class="gkml-header"><div class="w1200"><a class="logo" href="/">{AGENCY}</a><span class="gkml-name">政府信息公开</span></div></div>"""
FOOTER = f"""<div class="footer-warp"><div class="w1200">
<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>
<p>主办单位：{AGENCY}　地址：青榄市滨江东路16号　邮编：529300</p>
<p>网站标识码：4407000052　<a href="https://beian.miit.gov.cn/" target="_blank">粤ICP备09213376号</a>　粤公网安备 44070302000211号</p>
</div></div>"""


def catalogue_page() -> str:
    tree = "\n".join(f'<li><a href="javascript:;" data-classify="{cid}">{name}</a></li>'
                     for cid, name in CATEGORIES.items())  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>政府信息公开目录_{AGENCY}</title>
<meta name="SiteName" content="{AGENCY}">
<meta name="SiteDomain" content="{HOST_NAME}">
<meta name="SiteIDCode" content="4407000052">
<meta name="ColumnName" content="政府信息公开目录">
<link rel="stylesheet" href="/gkmlpt/static/css/gkml.css">
</head>
<body>
{HEADER}
<div class="gkml-nav w1200">
<a class="gkml-index" href="/gkmlpt/index">政府信息公开目录</a>
<a class="gkml-zn" href="/zwgk/gkzn/index.html">政府信息公开指南</a>
<a class="gkml-ndbg" href="javascript:;" data-classify="2060">政府信息公开年报</a>
<a class="gkml-sq" href="/zwgk/ysqgk/index.html">依申请公开</a>
</div>
<div class="gkml-main w1200">
<div class="side-bar"><div class="side-title">目录导航</div>
<ul class="tree" id="tree">
<li><a href="javascript:;" data-classify="0">全部</a></li>
{tree}
</ul></div>
<div id="router-content">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; 政府信息公开目录 &gt; <span class="text">全部</span></div>
<div class="search"><input id="input-keywords" type="text" placeholder="请输入关键字"><a class="btn-search" href="javascript:;">搜索</a></div>
<div class="table-wrapper">
<table class="table-content" id="gkml-table">
<thead><tr><th class="first-th">标题</th><th>发布日期</th><th>成文日期</th><th>文号</th></tr></thead>
<tbody></tbody>
</table>
<div class="loading">正在加载…</div>
<div class="pagination" id="gkml-pagination"></div>
</div>
</div>
</div>
<noscript>您的浏览器未启用JavaScript，无法显示政府信息公开目录。</noscript>
{FOOTER}
<script id="_gkml_list_" src="/gkmlpt/static/js/list.js?v=2.3.1" sid="{SID}" classify="0" pagesize="100"></script>
</body>
</html>
"""


def home_page() -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{AGENCY}</title>
<link rel="stylesheet" href="/gkmlpt/static/css/gkml.css"></head>
<body>
{HEADER}
<div class="nav w1200"><a href="/">首页</a> <a href="/zwgk/gkzn/index.html">政务公开</a> <a href="/gkmlpt/index">政府信息公开目录</a> <a href="/zwgk/ysqgk/index.html">依申请公开</a></div>
<div class="w1200"><div class="news-tit">通知公告</div>
<ul class="news-list"><li><a href="{OTHERS[0].path}" target="_blank">{escape(OTHERS[0].title)}</a><span>{OTHERS[0].date}</span></li></ul></div>
{FOOTER}
</body></html>
"""


def plain_page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}_{AGENCY}</title>
<link rel="stylesheet" href="/gkmlpt/static/css/gkml.css"></head>
<body>
{HEADER}
<div class="w1200"><div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; {escape(title)}</div>
<h1>{escape(title)}</h1><div class="article-content">{body}</div></div>
{FOOTER}
</body></html>
"""


def article_page(item: Item) -> str:
    """A catalogue article: the metadata block of the platform, then the body."""
    meta = f"""<div class="classify"><table class="table-info">
<tr><td class="td-label">索引号：</td><td class="td-value"><span>007025983/{item.date[:4]}-{item.id % 100000:05d}</span></td>
<td class="td-label">分类：</td><td class="td-value"><span>{CATEGORIES[item.classify]}</span></td></tr>
<tr><td class="td-label">发布机构：</td><td class="td-value"><span>{AGENCY}</span></td>
<td class="td-label">成文日期：</td><td class="td-value"><span>{item.date}</span></td></tr>
<tr><td class="td-label">名称：</td><td class="td-value" colspan="3"><span>{escape(item.title)}</span></td></tr>
<tr><td class="td-label">文号：</td><td class="td-value"><span>{escape(item.doc_no)}</span></td>
<td class="td-label">发布日期：</td><td class="td-value"><span>{item.date}</span></td></tr>
</table></div>"""
    if item.seed is None:
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(item.title)}_{AGENCY}</title>
<meta name="ArticleTitle" content="{escape(item.title)}"><meta name="PubDate" content="{item.date} 09:30">
<link rel="stylesheet" href="/gkmlpt/static/css/gkml.css"></head>
<body>
{HEADER}
<div class="w1200"><div class="crumb">当前位置：<a href="/gkmlpt/index">政府信息公开目录</a> &gt; {CATEGORIES[item.classify]}</div>
{meta}
<div class="content"><h1 class="title">{escape(item.title)}</h1>
<div class="article-content">{item.body}</div></div></div>
{FOOTER}
</body></html>
"""
    top = f"""{HEADER}
<div class="w1200"><div class="crumb">当前位置：<a href="/gkmlpt/index">政府信息公开目录</a> &gt; 年度报告</div>
{meta}"""
    editor = '<div class="content"><div class="article-content">'
    return V.generated_article(item, body_top=top, editor=editor, closing="</div></div></div>", foot=FOOTER)


def _unix(date: str) -> int:
    day = dt.datetime.strptime(date, "%Y-%m-%d").replace(hour=9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return int(day.timestamp())


def api_answer(classify: int, page: int, host: str) -> dict[str, object]:
    rows = [i for i in ITEMS if classify == 0 or i.classify == classify]
    rows.sort(key=lambda i: (i.date, i.id), reverse=True)
    chunk = rows[(page - 1) * 100 : page * 100]
    articles = [
        {
            "id": i.id,
            "title": i.title,
            "url": f"http://{host}{i.path}",
            "date": _unix(i.date),
            "created_at": f"{i.date} 09:00:00",
            "identifier": f"007025983/{i.date[:4]}-{i.id % 100000:05d}",
            "document_number": i.doc_no,
            "publisher": AGENCY,
            "classify_main_name": CATEGORIES[i.classify],
        }
        for i in chunk
    ]
    name = CATEGORIES.get(classify, "全部")
    return {"classify": {"id": classify, "name": name}, "total": len(rows), "offset": (page - 1) * 100,
            "articles": articles}  # fmt: skip


def site_files() -> dict[str, bytes]:
    files = V.static_files(HERE / "site")
    files["index.html"] = home_page().encode()
    files["gkmlpt/index.html"] = catalogue_page().encode()
    files["zwgk/gkzn/index.html"] = plain_page(
        "政府信息公开指南", "<p>本指南依据《中华人民共和国政府信息公开条例》编制。</p>"
    ).encode()
    files["zwgk/ysqgk/index.html"] = plain_page(
        "依申请公开", "<p>申请人可通过在线、信函等方式提出政府信息公开申请。</p>"
    ).encode()
    files["wzdt/index.html"] = plain_page(
        "网站地图", '<p><a href="/gkmlpt/index">政府信息公开目录</a></p>'
    ).encode()
    files["lxwm/index.html"] = plain_page("联系我们", "<p>联系电话：0759-2880000</p>").encode()
    for item in ITEMS:
        files[item.path.lstrip("/")] = article_page(item).encode()
    return files


class Handler(V.RoutedHandler):
    """Static files plus the catalogue API and the extension-less `/gkmlpt/index` route."""

    def _dynamic(self) -> bool:
        split = urlsplit(self.path)
        if split.path.startswith("/gkmlpt/api/all/"):
            query = parse_qs(split.query)
            try:
                classify = int(split.path.rsplit("/", 1)[1])
                page = int((query.get("page") or ["1"])[0])
            except ValueError:
                classify, page = -1, 1
            if (query.get("sid") or [""])[0] != SID or (classify != 0 and classify not in CATEGORIES):
                answer: dict[str, object] = {"articles": [], "total": 0}
            else:
                answer = api_answer(classify, max(page, 1), self.headers.get("Host") or "127.0.0.1")
            body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
            self._send_simple(200, body, "application/json;charset=UTF-8", {"Cache-Control": "no-cache"})
            return True
        if split.path == START:
            self.path = "/gkmlpt/index.html" + (f"?{split.query}" if split.query else "")
        return False


def serve_portal() -> AbstractContextManager[str]:
    return V.serve_site("world-gkmlpt-noconfig-", site_files, Handler)


EXPECTED = V.expected_for(REPORTS, LOOKALIKES, may_render=[START])
PORTAL = WorldPortal(
    name="gkmlpt_noconfig", platform="gkmlpt", serve=serve_portal, expected=EXPECTED, start=START
)
