"""The spider judges links by the text a browser would show, whatever the server claims."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.spiders.portal import PortalSpider

LISTING = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>政府信息公开年报_溪口县人民政府</title></head>
<body>
<div class="top"><a href="javascript:;">无障碍</a> <a href="javascript:;">关怀版</a></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; 年报</div>
<ul class="list">
<li><a href="./202501/t20250120_5512.html" target="_blank">溪口县水利局2024年政府信息公开工作年度报告</a><span>2025-01-20</span></li>
<li><a href="./202501/t20250122_5530.html" target="_blank">溪口县水利局2025年部门预算</a><span>2025-01-22</span></li>
</ul>
<div class="footer">网站标识码：3311280003　浙ICP备00000002号</div>
</body></html>
"""


def requested(body: bytes, url: str, content_type: str = "text/html; charset=utf-8") -> dict[str, str]:
    """What the spider asks for from a page: link kind by full URL."""
    budgets = {"NIANBAO_NAV_DEPTH": 5, "NIANBAO_MAX_LISTING_PAGES": 1000}  # settings/crawl.py's
    crawler = get_crawler(PortalSpider, {"NIANBAO_BROWSER_ENABLED": False, **budgets})
    spider = PortalSpider.from_crawler(crawler, start_urls=["http://127.0.0.1:8080/"])
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type}, request=Request(url))
    return {r.url: r.meta["link_kind"] for r in spider.parse(response)}


def kinds(
    body: bytes, content_type: str, url: str = "http://127.0.0.1:8080/xxgk/gknb/index.html"
) -> dict[str, str]:
    """Link kind by the requested URL's last segment."""
    return {u.rsplit("/", 1)[1]: kind for u, kind in requested(body, url, content_type).items()}


@pytest.mark.parametrize(
    ("codec", "content_type"),
    [
        ("gbk", "text/html; charset=utf-8"),  # a GBK template behind a server configured for UTF-8
        ("gbk", "text/html"),
        ("utf-16-le", "text/html; charset=UTF-16"),  # no BOM: the HTTP label decides, little-endian
        ("utf-8", "text/html; charset=utf-8"),
    ],
)
def test_a_report_link_is_recognised_whatever_the_encoding(codec: str, content_type: str) -> None:
    found = kinds(LISTING.encode(codec), content_type)
    assert found["t20250120_5512.html"] == "report"
    assert found.get("t20250122_5530.html") != "report"  # 部门预算 is no report


PAGED = """<html><head><meta charset="utf-8"><title>政府信息公开年报_溪口县人民政府</title></head><body>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; 年报</div>
<ul class="list"><li><a href="./201903/t20190320_4410.html">溪口县林业局2018年政府信息公开工作年度报告</a></li></ul>
<div class="page"><a href="index_5.html">&lt;上一页</a> <a href="index_7.html">下一页&gt;</a> <a href="index_11.html">尾页&gt;&gt;</a>
<a href="index_8.html">[8]</a></div>
</body></html>"""


def test_paging_links_spend_the_listing_budget_not_the_navigation_hops() -> None:
    """Page 7 of a column reached in the last navigation hop: its 下一页> still leads on, as a listing."""
    settings = {"NIANBAO_BROWSER_ENABLED": False, "NIANBAO_NAV_DEPTH": 5, "NIANBAO_MAX_LISTING_PAGES": 1000}
    crawler = get_crawler(PortalSpider, settings)
    spider = PortalSpider.from_crawler(crawler, start_urls=["http://127.0.0.1:8080/"])
    url = "http://127.0.0.1:8080/xxgk/gknb/index_6.html"
    request = Request(url, meta={"nav_depth": 5, "page_depth": 6})
    response = HtmlResponse(url, body=PAGED.encode(), headers={"Content-Type": "text/html"}, request=request)
    found = {r.url.rsplit("/", 1)[1]: r for r in spider.parse(response)}
    for name in ("index_7.html", "index_11.html", "index_8.html"):
        assert found[name].meta["link_kind"] == "listing", name
        assert (found[name].meta["nav_depth"], found[name].meta["page_depth"]) == (5, 7)
    assert found["t20190320_4410.html"].meta["link_kind"] == "report"


def test_a_ucap_article_is_named_by_its_ucaptitle() -> None:
    """Jiangsu ucap pages keep the site name in <title> and the article's in <ucaptitle>."""
    from crawler.platforms import Page

    html = """<html><head><meta charset="utf-8"><title>沭阳县人民政府</title></head><body>
<div class="logo"><h1>沭阳县人民政府</h1></div>
<div class="con-title"><ucaptitle>沭阳县水利局2023年政府信息公开工作年度报告</ucaptitle></div>
<ucapcontent><p>附件：<a href="/u/cms/2024/0119/nb2023.pdf">年度报告.pdf</a></p></ucapcontent></body></html>"""
    page = Page(url="http://127.0.0.1:8080/art/2024/1/19/art_1_1.html", text=html)
    assert page.title == "沭阳县水利局2023年政府信息公开工作年度报告"
    found = kinds(html.encode(), "text/html; charset=utf-8", url=page.url)
    assert found["nb2023.pdf"] == "attachment"


@pytest.mark.parametrize("sep", [" &gt; ", " - ", "-", " 》 ", " | ", " — ", " :: ", " · ", " / "])
def test_a_year_page_of_the_report_column_is_known_by_its_breadcrumb_whatever_the_separator(sep: str) -> None:
    """Under 政府信息公开年报 > 2023年, the tier links (部门, 乡镇（街道）) lead to the reports."""
    crumbs = sep.join(
        f'<a href="{href}">{name}</a>'
        for href, name in (
            ("/", "首页"),
            ("/zwgk/", "政务公开"),
            ("/zwgk/nb/", "政府信息公开年报"),
            ("./", "2023年"),
        )
    )
    html = f"""<html><head><meta charset="utf-8"><title>2023年_江北市人民政府</title></head><body>
<div class="location">当前位置：{crumbs}</div>
<ul class="sub"><li><a href="/zwgk/nb/2023/bm/index.html">部门</a></li>
<li><a href="/zwgk/nb/2023/xz/index.html">乡镇（街道）</a></li></ul></body></html>"""
    found = requested(html.encode(), "http://127.0.0.1:8080/zwgk/nb/2023/index.html")
    tiers = {u: k for u, k in found.items() if "/2023/" in u and u.endswith("/index.html")}
    assert tiers == {"http://127.0.0.1:8080/zwgk/nb/2023/bm/index.html": "listing",
                     "http://127.0.0.1:8080/zwgk/nb/2023/xz/index.html": "listing"}  # fmt: skip
