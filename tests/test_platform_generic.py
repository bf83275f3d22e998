"""The generic adapter on the furniture around the reports: the report column's year and tier
sub-columns, paging bars in brackets and arrows, the site map, and spreadsheet attachments.

Pages are written in the shapes of real templates (a 大汉 column with its sub-column menu and tabs,
an ASP.NET `InfoPublic.aspx` list with an AspNetPager bar, an old static column with 下一页> links);
every name on them is invented.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.platforms import Page, discover

HOST = "http://www.longxi.gov.cn"


def kinds(url: str, html: str) -> dict[str, str]:
    """Path (and query) → link kind of everything `discover` follows from the page."""
    out = {}
    for link in discover(Page(url, html)):
        parts = urlsplit(link.url)
        out[parts.path + (f"?{parts.query}" if parts.query else "")] = link.kind
    return out


def hanweb_page(title: str, crumbs: str, body: str, column_name: str = "") -> str:
    meta = f'<meta name="ColumnName" content="{column_name}">\n' if column_name else ""
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta name="SiteName" content="龙溪县人民政府">
<meta name="SiteDomain" content="www.longxi.gov.cn">
<meta name="SiteIDCode" content="9999250017">
{meta}<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
</head>
<body>
<div class="topbar"><a href="javascript:void(0);" id="cniil_wza">无障碍</a> | <a href="/col/col1229713999/index.html">关怀版</a></div>
<div class="nav"><ul>
<li><a href="/index.html">首页</a></li>
<li><a href="/col/col1229713801/index.html">新闻中心</a></li>
<li><a href="/col/col1229713900/index.html">政务公开</a></li>
<li><a href="/col/col1229713960/index.html">政务服务</a></li>
</ul></div>
<div class="crumbs">{crumbs}</div>
{body}
<div class="footer">
<p><a href="/col/col1229713990/index.html">网站地图</a> | <a href="/col/col1229713991/index.html">联系我们</a></p>
<p>主办：龙溪县人民政府办公室　网站标识码：9999250017　<a href="https://beian.miit.gov.cn/">浙ICP备99250017号</a></p>
</div>
</body>
</html>
"""


YEARS = {
    "2024年度": "1229714002",
    "2023年度": "1229714003",
    "2022年": "1229714004",
    "2021年及以前": "1229714005",
}
TIERS = {"本级政府": "1229714011", "部门": "1229714012", "乡镇（街道）": "1229714013"}


def _menu(items: dict[str, str], css: str) -> str:
    lis = "".join(f'<li><a href="/col/col{col}/index.html">{name}</a></li>' for name, col in items.items())
    return f'<ul class="{css}">{lis}</ul>'


REPORT_COLUMN = hanweb_page(
    "政府信息公开年报 龙溪县人民政府",
    '您当前的位置：<a href="/index.html">首页</a> &gt; <a href="/col/col1229713900/index.html">政务公开</a> '
    '&gt; <a href="/col/col1229714001/index.html">政府信息公开年报</a>',
    f"""<div class="left-menu"><h3>政府信息公开年报</h3>{_menu(YEARS, "years")}</div>
<div class="right-list"><div class="tabs">{_menu(TIERS, "tiers")}</div>
<div id="4571032"><script type="text/xml"><datastore>
<nextgroup><![CDATA[]]></nextgroup>
<recordset>
<record><![CDATA[
<li><a href="/art/2025/3/27/art_1229714001_59181234.html" title="龙溪县人民政府2024年政府信息公开工作年度报告" target="_blank">龙溪县人民政府2024年政府信息公开工作年度报告</a><span>2025-03-27</span></li>]]></record>
</recordset>
</datastore></script></div>
</div>""",
    column_name="政府信息公开年报",
)


def test_year_and_tier_subcolumns_of_the_report_column_are_listings() -> None:
    found = kinds(HOST + "/col/col1229714001/index.html", REPORT_COLUMN)
    for col in (*YEARS.values(), *TIERS.values()):
        assert found.get(f"/col/col{col}/index.html") == "listing", col
    assert found["/art/2025/3/27/art_1229714001_59181234.html"] == "report"
    # the site's own menu is still only followed where it leads towards the disclosure section
    assert "/col/col1229713801/index.html" not in found and "/col/col1229713960/index.html" not in found


def test_a_year_subcolumn_follows_its_tiers() -> None:
    """2023年度 is itself part of the report column: its breadcrumb says so, its title does not."""
    page = hanweb_page(
        "2023年度 龙溪县人民政府",
        '<span>当前位置：</span><a href="/index.html">首页</a> &gt; <a href="/col/col1229713900/index.html">政务公开</a>'
        ' &gt; <a href="/col/col1229714001/index.html">政府信息公开年报</a> &gt; '
        '<a href="/col/col1229714003/index.html">2023年度</a>',
        f'<div class="tabs">{_menu({"本级政府": "1229714021", "县级部门": "1229714022", "乡镇街道": "1229714023"}, "t")}</div>',
        column_name="2023年度",
    )
    found = kinds(HOST + "/col/col1229714003/index.html", page)
    assert {found.get(f"/col/col{c}/index.html") for c in ("1229714021", "1229714022", "1229714023")} == {
        "listing"
    }


def test_years_and_tiers_elsewhere_are_not_followed() -> None:
    """A news column's archive by year, a home page's 部门 box: not the report column's sub-columns."""
    news = hanweb_page(
        "新闻中心 龙溪县人民政府",
        '您当前的位置：<a href="/index.html">首页</a> &gt; <a href="/col/col1229713801/index.html">新闻中心</a>',
        _menu({"2024年": "1229713811", "2023年": "1229713812"}, "archive"),
        column_name="新闻中心",
    )
    found = kinds(HOST + "/col/col1229713801/index.html", news)
    assert "/col/col1229713811/index.html" not in found and "/col/col1229713812/index.html" not in found
    home = hanweb_page(
        "龙溪县人民政府", "", _menu({"部门": "1229713950", "乡镇（街道）": "1229713951"}, "box")
    )
    found = kinds(HOST + "/index.html", home)
    assert "/col/col1229713950/index.html" not in found and "/col/col1229713951/index.html" not in found
    # an article filed under the report column is not the column
    article = hanweb_page(
        "龙溪县财政局2024年部门预算 龙溪县人民政府",
        '当前位置：<a href="/index.html">首页</a> &gt; <a href="/col/col1229714001/index.html">政府信息公开年报</a> &gt; 正文',
        '<div id="zoom"><p>附件：<a href="/col/col1229714012/index.html">部门</a></p></div>',
    )
    assert "/col/col1229714012/index.html" not in kinds(HOST + "/art/2024/2/5/art_1229714001_1.html", article)


# -- paging bars --------------------------------------------------------------------------------------


def test_arrowed_paging_links_of_a_static_column_are_listings() -> None:
    """下一页> and 尾页>> on a column under /xxgk/: listing pages, not navigation hops."""
    page = """<html><head><meta charset="utf-8"><title>政府信息公开年报_龙溪县人民政府</title></head><body>
<div class="position">您现在的位置：<a href="/">首页</a> &gt;&gt; <a href="/xxgk/">信息公开</a> &gt;&gt; 政府信息公开年报</div>
<ul class="list"><li><a href="./202302/t20230214_8812.html">龙溪县白岩镇人民政府2022年政府信息公开工作年度报告</a><span>2023-02-14</span></li></ul>
<div class="page">共9页　<a href="index.html">首页</a> <a href="index_2.html">&lt;上一页</a> <span>4</span> <a href="index_4.html">下一页&gt;</a> <a href="index_8.html">尾页&gt;&gt;</a></div>
</body></html>"""
    found = kinds(HOST + "/xxgk/gknb/index_3.html", page)
    assert found["/xxgk/gknb/index_4.html"] == "listing"
    assert found["/xxgk/gknb/index_8.html"] == "listing"
    assert found["/xxgk/gknb/202302/t20230214_8812.html"] == "report"


def test_an_aspnet_pager_in_brackets_is_followed() -> None:
    """InfoPublic.aspx?cid=1019&pid=971 with an AspNetPager bar: [1] [2] [3] [下一页] [尾页]."""
    base = "InfoPublic.aspx?cid=1019&amp;pid=971"
    page = f"""<html><head><title>政府信息公开年报</title></head><body>
<form name="form1" method="post" action="./{base}" id="form1">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRkbC3qg7Vr" />
<table id="GridView1"><tr><td><a href="InfoDetail.aspx?cid=1019&amp;id=5120" target="_blank">龙溪县人力资源和社会保障局2024年政府信息公开工作年度报告</a></td><td>2025-01-22</td></tr></table>
<div id="AspNetPager1">共63条记录 第1/7页 <a disabled="disabled">[首页]</a> <a disabled="disabled">[上一页]</a>
<span style="color:red;">[1]</span> <a href="{base}&amp;page=2">[2]</a> <a href="{base}&amp;page=3">[3]</a>
<a href="{base}&amp;page=2">[下一页]</a> <a href="{base}&amp;page=7">[尾页]</a></div>
</form></body></html>"""
    found = kinds(HOST + "/InfoPublic.aspx?cid=1019&pid=971", page)
    for n in (2, 3, 7):
        assert found[f"/InfoPublic.aspx?cid=1019&pid=971&page={n}"] == "listing", n
    assert found["/InfoDetail.aspx?cid=1019&id=5120"] == "report"


# -- the site map -------------------------------------------------------------------------------------


def test_the_site_map_is_followed_and_names_the_report_column() -> None:
    home = hanweb_page(
        "龙溪县人民政府", "", '<div class="banner"><img src="/images/banner.jpg" alt=""></div>'
    )
    assert kinds(HOST + "/index.html", home)["/col/col1229713990/index.html"] == "navigation"
    trs_home = """<html><head><title>龙溪县财政局</title></head><body>
<div class="foot"><a href="../../wzdt/">网站地图</a> | <a href="../../lxwm/">联系我们</a></div></body></html>"""
    assert kinds(HOST + "/a/b/index.shtml", trs_home)["/wzdt/"] == "navigation"
    sitemap = hanweb_page(
        "网站地图 龙溪县人民政府",
        '您当前的位置：<a href="/index.html">首页</a> &gt; 网站地图',
        '<div class="map"><dl><dt>政务公开</dt><dd><a href="/col/col1229714001/index.html">政府信息公开年报</a>'
        '<a href="/col/col1229714101/index.html">财政预决算</a><a href="/col/col1229714102/index.html">人事信息</a></dd></dl></div>',
    )
    found = kinds(HOST + "/col/col1229713990/index.html", sitemap)
    assert found["/col/col1229714001/index.html"] == "navigation"
    assert "/col/col1229714101/index.html" not in found


# -- spreadsheets ---------------------------------------------------------------------------------------


def test_spreadsheets_linked_from_a_report_page_are_attachments() -> None:
    page = """<html><head><meta charset="utf-8"><title>龙溪县财政局2024年政府信息公开工作年度报告</title></head><body>
<div class="TRS_Editor"><p>龙溪县财政局2024年政府信息公开工作年度报告全文如下。</p></div>
<div class="fj">附件：<a href="./P020250120512731204562.xls">1.政府信息公开情况统计表.xls</a>
<a href="./P020250120512731204563.xlsx">2.依申请公开办理情况.xlsx</a>
<a href="./P020250120512731204564.et">3.行政复议行政诉讼情况.et</a></div></body></html>"""
    found = kinds(HOST + "/zfxxgk/zfxxgknb/202501/t20250120_1276.html", page)
    for n, ext in ((2, "xls"), (3, "xlsx"), (4, "et")):
        assert found[f"/zfxxgk/zfxxgknb/202501/P02025012051273120456{n}.{ext}"] == "attachment"
    budget = page.replace("2024年政府信息公开工作年度报告", "2025年部门预算")
    found = kinds(HOST + "/zfxxgk/czyjs/202502/t20250208_1301.html", budget)
    assert not [p for p in found if p.endswith((".xls", ".xlsx", ".et"))]


def test_anchor_text_is_read_as_xpath_normalize_space_reads_it() -> None:
    """The generic adapter reads anchors off the lxml tree: their text must be XPath's
    normalize-space(string()), which keeps NBSP and U+3000 and skips comments, but joins nested
    elements' text and scripts'."""
    from parsel import Selector

    from crawler.platforms.generic import normalize_space

    html = (
        "<html><body><a href='/a'> \n某县<!-- 注释 -->2023年<b>政府信息公开</b>\u3000工作\xa0年度报告<?pi x?>"
        "<script>s</script>\t</a><a href='/b'><img alt='x'></a><a href='/c'>\r\n 下一页 </a></body></html>"
    )
    selector = Selector(text=html)
    by_xpath = [a.xpath("normalize-space(string())").get() for a in selector.xpath("//a[@href]")]
    by_tree = [normalize_space("".join(a.itertext())) for a in selector.root.iter("a")]
    assert by_tree == by_xpath and by_xpath[0] == "某县2023年政府信息公开\u3000工作\xa0年度报告s"
