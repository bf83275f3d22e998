"""Write `site/` for the gkmlpt portal from `data.py`: `python -m tests.world.gkmlpt.build`.

The output is committed; the build is deterministic, and `tests/test_platform_gkmlpt.py` rebuilds
into a temporary directory and demands the committed bytes.
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path

from tests.world.common_build import write_site
from tests.world.gkmlpt import data as D
from tests.world.gkmlpt.reportdoc import body_html

SITE_DIR = Path(__file__).resolve().parent / "site"

HEADER = f"""<div class="gkml-top"><div class="w1200"><span class="fl">欢迎访问{D.AGENCY}网站</span>
<span class="fr"><a href="/nyjtj/">首页</a> | <a href="javascript:;" id="toolbarAccessible">无障碍</a> | <a href="javascript:;" id="toolbarOld">长者模式</a></span></div></div>
<div class="gkml-header"><div class="w1200"><a class="logo" href="/nyjtj/"><img src="/nyjtj/images/logo.png" alt="{D.AGENCY}"></a>
<span class="gkml-name">政府信息公开</span></div></div>"""

FOOTER = f"""<div class="footer-warp"><div class="w1200">
<p>主办单位：{D.AGENCY}　地址：南屿市海滨大道88号　邮编：529900</p>
<p>网站标识码：4499000031　<a href="https://beian.miit.gov.cn/" target="_blank">粤ICP备05012345号</a>　粤公网安备 44990002000123号</p>
</div></div>"""


def app_page(action: str) -> str:
    """The catalogue application: no rows in the HTML, only the config the list script reads."""
    tree = json.dumps(D.tree(), ensure_ascii=False, separators=(",", ":"))
    title = "政府信息公开年报" if action == "annualreport" else "政府信息公开目录"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{title}_{D.AGENCY}</title>
<meta name="SiteName" content="{D.AGENCY}">
<meta name="ColumnName" content="{title}">
<link rel="stylesheet" href="/nyjtj/gkmlpt/static/css/gkml.css">
</head>
<body>
{HEADER}
<div class="gkml-nav w1200">
<a class="gkml-index" href="/nyjtj/gkmlpt/index">政府信息公开目录</a>
<a class="gkml-zn" href="/nyjtj/zwgk/gkzn/index.html">政府信息公开指南</a>
<a class="gkml-zd" href="/nyjtj/gkmlpt/policy">政府信息公开制度</a>
<a class="gkml-ndbg" href="/nyjtj/gkmlpt/annualreport">政府信息公开年报</a>
<a class="gkml-sq" href="http://www.nanyu-gov.example/ysqgk/">依申请公开</a>
</div>
<div class="gkml-main w1200">
<div class="side-bar"><div class="side-title">目录导航</div><ul class="tree" id="tree"></ul></div>
<div id="router-content">
<div class="crumb">当前位置：<span class="text">全部</span></div>
<div class="search"><input id="input-keywords" type="text"><a class="btn-search" href="javascript:;">搜索</a></div>
<div class="table-wrapper">
<table class="table-content">
<thead><tr><th class="first-th">标题</th><th>发布日期</th><th>成文日期</th><th>文号</th></tr></thead>
<tbody></tbody>
</table>
<div class="loading">正在加载…</div>
<div class="pagination"></div>
</div>
</div>
</div>
<div id="pop-wrap"><p>索引号：<span class="identifier"></span></p><p>分类：<span class="classify_theme_name"></span></p>
<p>发布机构：<span class="publisher"></span></p><p>成文日期：<span class="date"></span></p><p>名称：<span class="title"></span></p></div>
<noscript>您的浏览器未启用JavaScript，无法显示政府信息公开目录。</noscript>
{FOOTER}
<script>
window._CONFIG = {{
    SID: '{D.SID}',
    ENV: 'production',
    ACTION: '{action}',
    APP_URL: '/nyjtj',
    SITE_NAME: '{D.AGENCY}',
    curId: {D.REPORT_CATEGORY if action == "annualreport" else 0},
    TREE: {tree},
    SERVICE_AREA_ID: '449900',
    IS_MOBILE: false
}};
</script>
<script src="/nyjtj/gkmlpt/static/js/jquery.min.js"></script>
<script src="/nyjtj/gkmlpt/static/js/gkml.js"></script>
</body>
</html>
"""


LIST_JS = """/* gkml.js: the catalogue list. Rows come from the list API, 100 a request, shown 20 a page. */
(function ($) {
    var C = window._CONFIG;
    function rowUrl(item) {
        if (item.url) { return item.url; }
        var one = Math.floor(item.id / 1000000), two = Math.floor(item.id / 1000);
        return C.APP_URL + '/gkmlpt/content/' + one + '/' + two + '/post_' + item.id + '.html';
    }
    function day(ts) { var d = new Date(ts * 1000); return d.getFullYear() + '-' + (d.getMonth() + 1) + '-' + d.getDate(); }
    function load(catId, page) {
        $('.loading').show();
        $.getJSON(C.APP_URL + '/gkmlpt/api/all/' + catId + '?page=' + page + '&sid=' + C.SID, function (data) {
            var tbody = $('.table-content tbody').empty();
            $.each(data.articles, function (i, item) {
                tbody.append('<tr><td class="first-td"><a target="_blank" href="' + rowUrl(item) + '">' + item.title +
                    '</a></td><td>' + day(item.create_time) + '</td><td>' + day(item.date) + '</td><td>' +
                    (item.document_number || '') + '</td></tr>');
            });
            $('.loading').hide();
        });
    }
    $(function () { load(C.curId || 0, 1); });
})(jQuery);
"""

JQUERY_STUB = "/*! jQuery (stub for the fixture: the crawler never runs page scripts) */\nwindow.jQuery = window.$ = function () {};\n"

CSS = """@charset "utf-8";
.w1200{width:1200px;margin:0 auto}.fl{float:left}.fr{float:right}
.gkml-nav a{display:inline-block;padding:0 20px;line-height:44px}
.table-content{width:100%;border-collapse:collapse}.table-content td{border-bottom:1px dashed #ddd;padding:6px}
.td-label{width:90px;color:#666}.article-content{font-size:16px;line-height:2}
"""


def detail_page(row: D.Row) -> str:
    """An article page of the catalogue: metadata table, title, body, attachments, config."""
    category = D.CATEGORY_NAMES[row.category]
    published = row.published.strftime("%Y-%m-%d %H:%M")
    written = row.written.strftime("%Y-%m-%d")
    if row.text is not None:
        body = body_html(row.text)
        pdf = f"/nyjtj/attachment/0/{row.id // 10000}/{row.id // 100}/{row.id}.pdf"
        attachment = (
            f'<p>附件：<a class="nfw-cms-attachment" target="_blank" href="{pdf}" '
            f'alt="{escape(row.title)}.pdf">{escape(row.title)}.pdf</a></p>'
        )
    else:
        body = f'<p style="text-indent:2em;">{escape(row.body)}</p>'
        attachment = ""
    detail = json.dumps(
        {"id": row.id, "title": row.title, "publisher": D.AGENCY, "identifier": row.identifier,
         "classify_main_name": category, "date": int(row.written.timestamp())},
        ensure_ascii=False,
    )  # fmt: skip
    t = escape(row.title)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{t}_{D.AGENCY}</title>
<meta name="SiteName" content="{D.AGENCY}">
<meta name="ColumnName" content="{category}">
<meta name="ArticleTitle" content="{t}">
<meta name="PubDate" content="{published}">
<meta name="ContentSource" content="{D.AGENCY}">
<link rel="stylesheet" href="/nyjtj/gkmlpt/static/css/gkml.css">
</head>
<body>
{HEADER}
<div class="w1200 position">当前位置：<a href="/nyjtj/">首页</a> &gt; <a href="/nyjtj/gkmlpt/index">政府信息公开</a> &gt; <a href="/nyjtj/gkmlpt/index#{row.category}">{category}</a></div>
<div class="w1200 content-container">
<div class="classify">
<table class="table-classify">
<tr><td class="td-label">索引号：</td><td class="td-value"><span>{row.identifier}</span></td><td class="td-label">分类：</td><td class="td-value"><span>{category}</span></td></tr>
<tr><td class="td-label">发布机构：</td><td class="td-value-xl"><span>{D.AGENCY}</span></td><td class="td-label">成文日期：</td><td class="td-value"><span>{written}</span></td></tr>
<tr><td class="td-label">名称：</td><td class="td-value-xl" colspan="3"><span>{t}</span></td></tr>
<tr><td class="td-label">文号：</td><td class="td-value"><span></span></td><td class="td-label">发布日期：</td><td class="td-value"><span>{row.published.strftime("%Y-%m-%d")}</span></td></tr>
</table>
</div>
<div class="article">
<h1 class="content-title">{t}</h1>
<div class="content-desc"><span>发布日期：{published}</span><span>来源：{D.AGENCY}</span><span class="views">浏览次数：<em id="view-count">--</em></span></div>
<div class="article-content">
{body}
{attachment}
</div>
</div>
</div>
{FOOTER}
<script>
window._CONFIG = {{ SID: '{D.SID}', ENV: 'production', ACTION: 'content', APP_URL: '/nyjtj', DETAIL: {detail} }};
</script>
<script src="/nyjtj/gkmlpt/static/js/jquery.min.js"></script>
</body>
</html>
"""


def home_page() -> str:
    """The department home: navigation to the catalogue, and a news box with look-alike links."""
    news = [
        (D.LOOKALIKES[2], "2024-01-03"),
        (D.LOOKALIKES[5], "2023-01-16"),
        (D.LOOKALIKES[1], "2024-01-12"),
    ]
    items = "\n".join(
        f'<li><a href="{r.path}" target="_blank" title="{escape(r.title)}">{escape(r.title)}</a><span>{day}</span></li>'
        for r, day in news
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{D.AGENCY}</title>
<meta name="SiteName" content="{D.AGENCY}">
<link rel="stylesheet" href="/nyjtj/gkmlpt/static/css/gkml.css">
</head>
<body>
{HEADER}
<div class="nav w1200"><ul>
<li><a href="/nyjtj/">首页</a></li>
<li><a href="/nyjtj/jgzn/index.html">机构概况</a></li>
<li><a href="/nyjtj/gkmlpt/index">政府信息公开</a></li>
<li><a href="/nyjtj/gkmlpt/annualreport">政府信息公开年报</a></li>
<li><a href="http://www.nanyu-gov.example/hdjl/">互动交流</a></li>
</ul></div>
<div class="w1200 news"><div class="news-title">通知公告</div><ul>
{items}
</ul></div>
{FOOTER}
</body>
</html>
"""


def guide_page() -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{D.AGENCY}政府信息公开指南</title></head>
<body>
{HEADER}
<div class="w1200 article"><h1 class="content-title">{D.AGENCY}政府信息公开指南</h1>
<div class="article-content"><p style="text-indent:2em;">为便于公民、法人和其他组织获取本局政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。
本局每年1月31日前公布上一年度政府信息公开工作年度报告。</p></div></div>
{FOOTER}
</body></html>
"""


NOT_FOUND = "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n"

# A one-page PDF with no text: attachments are archived, never parsed, in this portal.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def files() -> dict[str, bytes]:
    """Every file of the site, by path below site/."""
    out: dict[str, bytes] = {
        "404.html": NOT_FOUND.encode(),
        "nyjtj/index.html": home_page().encode(),
        "nyjtj/gkmlpt/index.html": app_page("index").encode(),
        "nyjtj/gkmlpt/annualreport.html": app_page("annualreport").encode(),
        "nyjtj/gkmlpt/static/js/gkml.js": LIST_JS.encode(),
        "nyjtj/gkmlpt/static/js/jquery.min.js": JQUERY_STUB.encode(),
        "nyjtj/gkmlpt/static/css/gkml.css": CSS.encode(),
        "nyjtj/zwgk/gkzn/index.html": guide_page().encode(),
    }
    for row in (*D.REPORTS, *D.LOOKALIKES):
        if row.kind == "jump":
            continue
        out[row.path.lstrip("/")] = detail_page(row).encode()
        if row.text is not None:
            out[f"nyjtj/attachment/0/{row.id // 10000}/{row.id // 100}/{row.id}.pdf"] = PDF
    return out


def build(target: Path = SITE_DIR) -> None:
    write_site(target, files())


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else SITE_DIR)
