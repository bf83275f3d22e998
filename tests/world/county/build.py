"""Write `site/` for the county portal: `python -m tests.world.county.build`.

梅溪县 is fictional. The site imitates an old county portal built from static templates: layout
tables around everything, a 政府信息公开年报 column paged `index.html`, `index_1.html`, `index_2.html`
with plain 上一页/下一页 anchors (no CMS script, so only the generic adapter applies), report pages in
GBK, and the usual neighbours of the report column. Deterministic; the tests rebuild and compare.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

from tests.world.common_build import write_site
from tests.world.gkmlpt.reportdoc import ReportText, body_html

SITE_DIR = Path(__file__).resolve().parent / "site"
COUNTY = "梅溪县"
GOV = "梅溪县人民政府"
SPAM_HOST = "http://www.shangke-mirror.example"


@dataclass(frozen=True)
class Report:
    path: str
    text: ReportText
    published: str  # YYYY-MM-DD
    encoding: str = "utf-8"  # "utf-8" | "gbk"
    late_meta: bool = False  # <meta charset> only after 4 KB of inline script
    column: str = "政府信息公开年报"
    kind: str = "部门"

    @property
    def title(self) -> str:
        return f"{self.text.agency}{self.text.year}年政府信息公开工作年度报告"


def _text(agency: str, year: int, fmt: str, overview: str, signed: str) -> ReportText:
    return ReportText(
        agency=agency,
        year=year,
        fmt=fmt,
        overview=overview,
        problems="政府信息公开工作还存在公开内容不够及时、基层工作人员业务能力有待提高等问题，下一步将加强培训和督促检查。",
        signature_date=signed,
    )


REPORTS: dict[str, Report] = {
    "gov2023": Report(
        "/zwgk/ndbg/show-1208.html",
        _text(
            GOV,
            2023,
            "2021",
            "2023年，县政府坚持以公开为常态、不公开为例外，围绕乡村振兴、民生保障等重点领域做好信息公开。",
            "2024年3月26日",
        ),
        "2024-03-28",
        encoding="gbk",
        late_meta=True,
        kind="县政府",
    ),
    "edu2023": Report(
        "/zwgk/ndbg/show-1187.html",
        _text(
            "梅溪县教育局",
            2023,
            "2021",
            "2023年，县教育局重点公开义务教育招生入学政策、学校收费项目和教育惠民资金发放情况。",
            "2024年1月29日",
        ),
        "2024-01-30",
        encoding="gbk",
    ),
    "town2022": Report(
        "/zwgk/ndbg/show-1150.html",
        _text(
            "梅溪县青石镇人民政府",
            2022,
            "2021",
            "2022年，青石镇依托县政府门户网站乡镇专栏和村务公开栏，及时公开惠农补贴、低保救助等信息。",
            "2023年2月14日",
        ),
        "2023-02-15",
        kind="乡镇",
    ),
    "health2021": Report(
        "/zwgk/ndbg/2022/show-1003.html",
        _text(
            "梅溪县卫生健康局",
            2021,
            "2021",
            "2021年，县卫生健康局围绕疫情防控、医疗服务和公共卫生等工作，主动公开各类政府信息。",
            "2022年1月27日",
        ),
        "2022-01-28",
    ),
    "gov2020": Report(
        "/zwgk/ndbg/show-0871.html",
        _text(
            GOV,
            2020,
            "2019",
            "2020年，县政府认真落实《条例》规定，公开疫情防控、复工复产和脱贫攻坚等方面信息。",
            "2021年3月29日",
        ),
        "2021-03-30",
        encoding="gbk",
        kind="县政府",
    ),
    "town2019": Report(
        "/zwgk/ndbg/show-0702.html",
        _text(
            "梅溪县白沙乡人民政府",
            2019,
            "2019",
            "2019年，白沙乡按照新修订的《条例》要求，调整乡政府信息公开目录，规范依申请公开办理。",
            "2020年3月20日",
        ),
        "2020-03-23",
        kind="乡镇",
    ),
}
# The same 青石镇 report reposted in the 乡镇动态 column under its own URL.
REPOST_PATH = "/xzdt/qsz/show-1151.html"
# The 卫生健康局 report's old address, before the column was reorganised by year; it answers 301.
OLD_PATH = "/zwgk/ndbg/show-1003.html"

# (path, title, date, body) of pages that look like reports and are not.
LOOKALIKES = (
    (
        "/zwgk/czyjs/show-2101.html",
        "梅溪县财政局2024年部门预算",
        "2024-02-08",
        "根据县人大批准的预算，现将县财政局2024年部门预算公开如下。",
    ),
    (
        "/zwgk/czyjs/show-2040.html",
        "梅溪县财政局2022年部门决算",
        "2023-09-12",
        "现将县财政局2022年部门决算公开如下，包括部门决算报表和情况说明。",
    ),
    (
        "/zwgk/fzzf/show-2090.html",
        "梅溪县2023年法治政府建设年度报告",
        "2024-03-15",
        "2023年，县政府深入推进依法行政，法治政府建设取得新成效。现将有关情况报告如下。",
    ),
    (
        "/zwgk/tjxx/show-2110.html",
        "梅溪县2023年统计年报",
        "2024-04-02",
        "2023年全县地区生产总值、农业产值和社会消费品零售总额等主要统计指标如下。",
    ),
    (
        "/zwgk/gkzn/index.html",
        "梅溪县人民政府政府信息公开指南",
        "2020-05-08",
        "为方便公民、法人和其他组织获取县政府信息，编制本指南。县政府每年3月31日前公布上一年度政府信息公开工作年度报告。",
    ),
    (
        "/xwzx/show-3050.html",
        "我县召开2023年度政府信息公开工作年度报告编制部署会",
        "2024-01-10",
        "1月9日，县政务公开办召开会议，部署2023年度政府信息公开工作年度报告编制工作。",
    ),
)

# 4 KB and more of the inline script old templates put before anything else in <head>.
_LONG_SCRIPT = """<script type="text/javascript">
/* 页面公共脚本：字体缩放、浏览器检测、访问统计、飘窗 */
var _ua = navigator.userAgent.toLowerCase();
var isIE = _ua.indexOf("msie") > -1, isIE6 = _ua.indexOf("msie 6") > -1;
function doZoom(size) {
    var el = document.getElementById("zoom");
    if (!el) { return; }
    el.style.fontSize = size + "px";
    var list = el.getElementsByTagName("*");
    for (var i = 0; i < list.length; i++) { list[i].style.fontSize = size + "px"; }
}
function setHomepage(url) {
    if (document.all) { document.body.style.behavior = "url(#default#homepage)"; document.body.setHomePage(url); }
    else { alert("您的浏览器不支持自动设置首页，请手动设置。"); }
}
function addFavorite(url, title) {
    try { window.external.addFavorite(url, title); }
    catch (e) { try { window.sidebar.addPanel(title, url, ""); } catch (e2) { alert("加入收藏失败，请使用Ctrl+D进行添加"); } }
}
function printPage() { window.print(); }
function closeWindow() { window.opener = null; window.open("", "_self"); window.close(); }
var floatWin = { x: 50, y: 60, xin: true, yin: true, step: 1, delay: 20, obj: null };
function floatMove() {
    var f = floatWin, o = f.obj; if (!o) { return; }
    var L = 0, T = 0, R = document.documentElement.clientWidth - o.offsetWidth;
    var B = document.documentElement.clientHeight - o.offsetHeight;
    o.style.left = f.x + document.documentElement.scrollLeft + "px";
    o.style.top = f.y + document.documentElement.scrollTop + "px";
    f.x = f.x + f.step * (f.xin ? 1 : -1); if (f.x < L) { f.xin = true; f.x = L; } if (f.x > R) { f.xin = false; f.x = R; }
    f.y = f.y + f.step * (f.yin ? 1 : -1); if (f.y < T) { f.yin = true; f.y = T; } if (f.y > B) { f.yin = false; f.y = B; }
}
function startFloat(id) { floatWin.obj = document.getElementById(id); if (floatWin.obj) { setInterval(floatMove, floatWin.delay); } }
function getCookie(name) {
    var arr = document.cookie.match(new RegExp("(^| )" + name + "=([^;]*)(;|$)"));
    return arr ? unescape(arr[2]) : null;
}
function setCookie(name, value, days) {
    var exp = new Date(); exp.setTime(exp.getTime() + days * 24 * 60 * 60 * 1000);
    document.cookie = name + "=" + escape(value) + ";expires=" + exp.toGMTString() + ";path=/";
}
(function () {
    var visits = parseInt(getCookie("mx_visits") || "0", 10) + 1;
    setCookie("mx_visits", visits, 365);
    var img = new Image(1, 1);
    img.src = "/stat/count.gif?r=" + Math.random() + "&ref=" + escape(document.referrer) + "&v=" + visits;
})();
function checkSearch(form) {
    var kw = form.keyword.value.replace(/^\\s+|\\s+$/g, "");
    if (kw === "" || kw === "请输入关键字") { alert("请输入搜索关键字"); form.keyword.focus(); return false; }
    return true;
}
function tabSwitch(prefix, n, total) {
    for (var i = 1; i <= total; i++) {
        var t = document.getElementById(prefix + "_t" + i), c = document.getElementById(prefix + "_c" + i);
        if (t) { t.className = (i === n) ? "on" : ""; } if (c) { c.style.display = (i === n) ? "block" : "none"; }
    }
}
function showDate() {
    var d = new Date(), week = ["日", "一", "二", "三", "四", "五", "六"];
    document.write(d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 星期" + week[d.getDay()]);
}
function openWin(url, w, h) {
    var left = (screen.width - w) / 2, top = (screen.height - h) / 2;
    window.open(url, "_blank", "width=" + w + ",height=" + h + ",left=" + left + ",top=" + top + ",scrollbars=yes");
}
function marquee(id, speed) {
    var box = document.getElementById(id); if (!box) { return; }
    var inner = box.getElementsByTagName("div")[0], copy = inner.cloneNode(true);
    box.appendChild(copy);
    var timer = setInterval(function () {
        if (box.scrollTop >= inner.offsetHeight) { box.scrollTop = 0; } else { box.scrollTop++; }
    }, speed || 40);
    box.onmouseover = function () { clearInterval(timer); };
    box.onmouseout = function () {
        timer = setInterval(function () {
            if (box.scrollTop >= inner.offsetHeight) { box.scrollTop = 0; } else { box.scrollTop++; }
        }, speed || 40);
    };
}
function switchVersion(v) {
    setCookie("mx_version", v, 30);
    if (v === "old") { document.body.className += " care"; } else { document.body.className = document.body.className.replace(" care", ""); }
}
function fixPng() {
    if (!isIE6) { return; }
    for (var i = 0; i < document.images.length; i++) {
        var img = document.images[i], src = img.src;
        if (src.toLowerCase().indexOf(".png") > -1) {
            img.style.filter = "progid:DXImageTransform.Microsoft.AlphaImageLoader(src='" + src + "',sizingMethod='scale')";
            img.src = "/images/blank.gif";
        }
    }
}
</script>
"""


def _shell(title: str, body: str, *, charset: str = "utf-8", late_meta: bool = False, crumb: str = "") -> str:
    """An old-template page: layout tables for header, navigation, body and footer."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
    head = f"<title>{escape(title)}_{GOV}</title>\n"
    head = (
        (_LONG_SCRIPT + meta + head)
        if late_meta
        else (meta + head + '<script type="text/javascript" src="/js/common.js"></script>\n')
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{head}<link href="/css/style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
  <tr><td height="120" background="/images/top_bg.jpg"><img src="/images/logo.gif" width="420" height="90" alt="{GOV}" /></td></tr>
  <tr><td height="36" class="nav">
    <a href="/index.html">首　页</a> | <a href="/zwgk/index.html">政务公开</a> | <a href="/xwzx/index.html">新闻中心</a> |
    <a href="/xzdt/index.html">乡镇动态</a> | <a href="/bsfw/index.html">办事服务</a> | <a href="/hdjl/index.html">互动交流</a>
  </td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
  <tr><td class="position" height="30">您现在的位置：<a href="/index.html">首页</a> &gt;&gt; {crumb}</td></tr>
  <tr><td valign="top">
{body}
  </td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom">
  <tr><td align="center" height="80">主办：{GOV}办公室　承办：梅溪县信息中心　地址：梅溪县城关镇人民路1号<br />
  网站标识码：9999240031　<a href="https://beian.miit.gov.cn/">梅ICP备09004521号</a>　建议使用1024×768分辨率浏览</td></tr>
</table>
</body>
</html>
"""


def article_body(title: str, date: str, source: str, inner: str) -> str:
    return f"""<table width="100%" border="0" cellspacing="0" cellpadding="0">
  <tr><td align="center" class="title" height="50"><h1>{escape(title)}</h1></td></tr>
  <tr><td align="center" class="info">发布时间：{date}　来源：{escape(source)}　【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】　<a href="javascript:printPage()">打印本页</a></td></tr>
  <tr><td class="content"><div id="zoom">
{inner}
  </div></td></tr>
  <tr><td align="right"><a href="javascript:closeWindow()">【关闭窗口】</a></td></tr>
</table>"""


def report_page(r: Report, crumb: str) -> bytes:
    html = _shell(
        r.title,
        article_body(r.title, r.published, r.text.agency, body_html(r.text)),
        charset="gb2312" if r.encoding == "gbk" else "utf-8",
        late_meta=r.late_meta,
        crumb=crumb,
    )
    return html.encode("gb18030" if r.encoding == "gbk" else "utf-8")


def listing(title: str, items: list[tuple[str, str, str]], page: int, pages: int, crumb: str) -> str:
    """A column page: a table of (path, title, date) rows and a plain-anchor paging bar."""
    rows = "\n".join(
        f'    <tr><td width="20" align="center"><img src="/images/dot.gif" /></td><td height="28"><a href="{p}" target="_blank" title="{escape(t)}">{escape(t)}</a></td><td width="90" align="right">[{d}]</td></tr>'
        for p, t, d in items
    )

    def page_name(n: int) -> str:
        return "index.html" if n == 0 else f"index_{n}.html"

    bar = [f"共{pages}页　当前第{page + 1}页　"]
    bar.append(f'<a href="{page_name(0)}">首页</a>' if page else "首页")
    bar.append(f'<a href="{page_name(page - 1)}">上一页</a>' if page else "上一页")
    bar.append(f'<a href="{page_name(page + 1)}">下一页</a>' if page + 1 < pages else "下一页")
    bar.append(f'<a href="{page_name(pages - 1)}">尾页</a>' if page + 1 < pages else "尾页")
    body = f"""<table width="100%" border="0" cellspacing="0" cellpadding="0">
  <tr><td class="lm_title">{escape(title)}</td></tr>
  <tr><td><table width="100%" border="0" cellspacing="0" cellpadding="0">
{rows}
  </table></td></tr>
  <tr><td align="center" height="40" class="page">{" ".join(bar)}</td></tr>
</table>"""
    return _shell(title, body, crumb=crumb)


def files() -> dict[str, bytes]:
    R = REPORTS
    ndbg = '<a href="/zwgk/index.html">政务公开</a> &gt;&gt; 政府信息公开年报'
    out: dict[str, bytes] = {}
    col = [
        [
            (R["gov2023"].path, R["gov2023"].title, R["gov2023"].published),
            (LOOKALIKES[5][0], LOOKALIKES[5][1], LOOKALIKES[5][2]),
            (R["edu2023"].path, R["edu2023"].title, R["edu2023"].published),
            (R["town2022"].path, R["town2022"].title, R["town2022"].published),
        ],
        [
            (OLD_PATH, R["health2021"].title, R["health2021"].published),
            (R["gov2020"].path, R["gov2020"].title, R["gov2020"].published),
        ],
        [(R["town2019"].path, R["town2019"].title, R["town2019"].published)],
    ]
    for n, items in enumerate(col):
        name = "index.html" if n == 0 else f"index_{n}.html"
        out[f"zwgk/ndbg/{name}"] = listing("政府信息公开年报", items, n, len(col), ndbg).encode()
    for r in R.values():
        out[r.path.lstrip("/")] = report_page(r, ndbg)
    out[REPOST_PATH.lstrip("/")] = report_page(
        R["town2022"], '<a href="/xzdt/index.html">乡镇动态</a> &gt;&gt; 青石镇'
    )
    out["xzdt/index.html"] = listing(
        "乡镇动态", [(REPOST_PATH, R["town2022"].title, R["town2022"].published)], 0, 1, "乡镇动态"
    ).encode()
    for path, title, date, text in LOOKALIKES:
        inner = f'<p style="text-indent:2em;">{escape(text)}</p>'
        out[path.lstrip("/")] = _shell(
            title, article_body(title, date, GOV, inner), crumb="政务公开"
        ).encode()
    zwgk_items = [
        ("/zwgk/ndbg/index.html", "政府信息公开年报", ""),
        ("/zwgk/gkzn/index.html", "政府信息公开指南", ""),
        *[(p, t, d) for p, t, d, _ in LOOKALIKES[:4]],
    ]
    out["zwgk/index.html"] = listing("政务公开", zwgk_items, 0, 1, "政务公开").encode()
    home_items = [
        (LOOKALIKES[5][0], LOOKALIKES[5][1], LOOKALIKES[5][2]),
        ("/zwgk/index.html", "政府信息公开", ""),
        ("/xzdt/index.html", "乡镇动态", ""),
        (REPOST_PATH, R["town2022"].title, R["town2022"].published),
    ]
    home = listing("要闻动态", home_items, 0, 1, "首页")
    # Injected by whoever hacked the template: a mirror of the county's report on a spam host, its title
    # converted to traditional characters with pinyin glued in.
    spam = (
        f'<div style="display:none"><a href="{SPAM_HOST}/art/2024/3/28/art_1229_1208.html">'
        "梅溪縣人民政府2023年zhèngfǔ政府信息公開xìnxī工作年度報告niándù</a>"
        f'<a href="{SPAM_HOST}/art/2024/1/30/art_1229_1187.html">梅溪县教育局2023年政府xìnxī信息公开工作年度报告</a></div>\n'
    )
    out["index.html"] = home.replace("</body>", spam + "</body>").encode()
    out["css/style.css"] = (
        b"body{margin:0;font-size:12px}.nav a{color:#fff}.content{font-size:14px;line-height:2}\n"
    )
    out["js/common.js"] = (
        b"function doZoom(s){var e=document.getElementById('zoom');if(e){e.style.fontSize=s+'px';}}\n"
    )
    out["404.html"] = _shell("页面不存在", "<p>对不起，您访问的页面不存在。</p>", crumb="404").encode()
    return out


def build(target: Path = SITE_DIR) -> None:
    write_site(target, files())


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else SITE_DIR)
