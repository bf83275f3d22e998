"""Platform adapters on hostile or broken pages: page text is untrusted input.

A page of a megabyte must cost the adapters time linear in its size (a quadratic scan blocked the
crawl for hours), and never raise out of them: an adapter that raises loses the page's other links.
The time bound is only a safety net; throughput belongs in bench/.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.platforms import Page, discover, gkmlpt, hanweb, trs, ucap

MB = 1_000_000
SAFETY_NET_SECONDS = 5.0

COLUMN = "http://www.example.gov.cn/col/col1/index.html"
PROXY = "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?page=1&columnid=1"
CATALOGUE = "http://www.example.gov.cn/gkmlpt/index"
API = "http://www.example.gov.cn/gkmlpt/api/all/0?page=1&sid=1"
REPORT = "<a href='/art/2024/1/5/art_1_{n}.html'>2023年政府信息公开工作年度报告</a>"
WIDGET = (
    "$('#div1').jpage({totalRecord:22,perPage:5,groupSize:2,proxyUrl:'/module/web/jpage/dataproxy.jsp',"
    "ajaxParam:{col:1,appid:1,webid:3,path:'/',columnid:1,unitid:'42',webname:'x'}});"
)


def repeated(unit: str, prefix: str = "") -> str:
    return "<html><body>" + prefix + unit * (MB // len(unit)) + "</body></html>"


HOSTILE = {
    # the reported case: widget calls whose object never closes
    "jpage-unclosed-string": (COLUMN, repeated("$('#x').jpage({a:'")),
    "jpage-unclosed-brace": (COLUMN, repeated("$('#x').jpage({a:1,")),
    "jpage-unclosed-params": (COLUMN, repeated("$('#x').jpage({totalRecord:9,perPage:1,ajaxParam:{a:'")),
    "jpage-one-long-word": (COLUMN, repeated("a", "$('#x').jpage({")),
    "records-never-closed": (COLUMN, repeated("<record>", "<datastore>")),
    "records-cdata-never-closed": (PROXY, repeated("<record><![CDATA[<a href='/x'>y</a>", "<datastore>")),
    "record-tags-never-closed": (PROXY, repeated("<record a='", "<datastore>")),
    "nextgroups-never-closed": (
        COLUMN,
        repeated('<nextgroup><![CDATA[<a href="/dataproxy.jsp?page=1">', "<datastore>"),
    ),
    "hrefs-never-closed": (COLUMN, repeated('<nextgroup>href="', "<datastore>")),
    "datastores": (COLUMN, repeated("<datastore ")),
    "totalpages": (PROXY, repeated("<totalpage>1")),
    "trs-pagers": (COLUMN, repeated("createPageHTML(9,1,'")),
    "trs-written-pages": (COLUMN, repeated('index_"+i+', "var countPage = 1;")),
    "trs-one-long-word": (COLUMN, repeated("a", "var countPage = 1;")),
    "breadcrumb-labels": (COLUMN, repeated("<p>您现在的位置：<a>首页</a> &gt; 2023年</p>")),
    "breadcrumb-label-in-a-huge-element": (COLUMN, repeated("年报 &gt; ", "<div>当前位置：")),
    "title-parts": (
        COLUMN,
        "<html><head><title>" + "政府信息公开年报_" * (MB // 9) + "</title></head></html>",
    ),
    "ucap-pagers": (COLUMN, repeated("createPageHTML('")),
    "gkmlpt-tree-never-closed": (
        CATALOGUE,
        repeated('[{"id":1,"name":"', "window._CONFIG = {SID:'1', TREE: "),
    ),
    "gkmlpt-tree-deep": (CATALOGUE, "_CONFIG={SID:'1',TREE:" + "[" * (MB // 2) + "]" * (MB // 2) + "}"),
    "gkmlpt-api-deep": (API, "[" * (MB // 2) + "]" * (MB // 2)),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_megabyte_of_hostile_text_is_read_in_linear_time(name: str) -> None:
    url, text = HOSTILE[name]
    content_type = "application/json" if "/api/" in url else "text/html"
    started = time.perf_counter()
    links = list(discover(Page(url, text, content_type)))
    elapsed = time.perf_counter() - started
    # nothing in these pages is a report or a request to make, except the catalogue's fallback
    assert all(link.kind == "api" and "/gkmlpt/api/all/0?" in link.url for link in links), links[:3]
    assert elapsed < SAFETY_NET_SECONDS, f"{name}: {elapsed:.1f} s"


def test_unclosed_widget_calls_give_no_configuration() -> None:
    assert hanweb.jpage_configs(HOSTILE["jpage-unclosed-string"][1]) == []
    assert hanweb.jpage_configs(HOSTILE["jpage-unclosed-params"][1]) == []


def test_a_widget_among_junk_is_still_read() -> None:
    text = "$('#x').jpage({a:'" + WIDGET + "x" * 50_000
    (config,) = hanweb.jpage_configs(text)
    assert (config.total, config.per_page, config.group_size) == (22, 5, 2)
    assert dict(config.params)["unitid"] == "42"


def test_widget_calls_read_per_page_are_capped() -> None:
    configs = hanweb.jpage_configs(WIDGET * 10_000)
    assert len(configs) == hanweb.MAX_JPAGE_CALLS


def test_a_configuration_longer_than_the_scan_bound_is_not_read() -> None:
    padded = WIDGET.replace("totalRecord:22", "x:'" + "y" * hanweb.MAX_CONFIG_CHARS + "',totalRecord:22")
    assert hanweb.jpage_configs(padded) == []


def test_absurd_numbers_do_not_raise() -> None:
    huge = "9" * 5000
    text = WIDGET.replace("groupSize:2", f"groupSize:{huge}").replace("totalRecord:22", "totalRecord:²")
    assert hanweb.jpage_configs(text) == []  # a total that is not a number: no configuration
    assert len(hanweb.jpage_configs(WIDGET.replace("groupSize:2", f"groupSize:{huge}"))) == 1
    proxy = f"<datastore><totalpage>{huge}</totalpage></datastore>"
    assert hanweb.proxy_followups(PROXY, proxy) == []
    assert len(trs.script_pages(COLUMN, f"createPageHTML({huge}, 0, 'index', 'html')")) == trs.MAX_PAGES - 1
    assert len(trs.script_pages(COLUMN, f"var countPage = {huge};")) == trs.MAX_PAGES - 1
    pager = f"createPageHTML('page_div', {huge}, 1, 'list', 'shtml', 1)"
    assert len(ucap.script_pages(COLUMN, pager)) == ucap.MAX_PAGES - 1
    answer = '{"total": 1' + "0" * 400 + ', "articles": [{"title": "x", "id": "²"}]}'
    assert len(list(gkmlpt.api_links(API, answer))) == gkmlpt.MAX_PAGES - 1


def test_records_are_cut_out_as_before() -> None:
    text = (
        "<datastore><recordset>"
        f"<record><![CDATA[{REPORT.format(n=1)}]]></record>\n"
        f"<RECORD id='2'>  {REPORT.format(n=2)}  </RECORD>"
        # a CDATA section may hold an end tag; it ends at `]]></record>`
        f"<record><![CDATA[{REPORT.format(n=3)}<!-- </record> -->]]></record>"
        "<record><![CDATA[]]></record>"
        "</recordset></datastore>"
    )
    assert hanweb.records(text) == [
        REPORT.format(n=1),
        REPORT.format(n=2),
        REPORT.format(n=3) + "<!-- </record> -->",
        "",
    ]


def test_records_read_per_page_are_capped() -> None:
    text = (
        "<datastore>"
        + "".join(f"<record>{REPORT.format(n=n)}</record>" for n in range(5000))
        + "</datastore>"
    )
    found = hanweb.records(text)
    assert len(found) == hanweb.MAX_RECORDS and found[0] == REPORT.format(n=0)


def test_a_record_left_open_ends_the_reading_not_the_earlier_records() -> None:
    text = f"<datastore><record>{REPORT.format(n=1)}</record><record><![CDATA[{REPORT.format(n=2)}"
    assert hanweb.records(text) == [REPORT.format(n=1)]


def test_nextgroup_links_still_read() -> None:
    text = (
        '<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=1">'
        "下一组</a>]]></nextgroup></datastore>"
    )
    (link,) = hanweb.nextgroup_links(COLUMN, text)
    assert parse_qs(urlsplit(link.url).query) == {"page": ["1"], "columnid": ["1"]}


def test_gkmlpt_deep_or_huge_trees_fall_back_to_all_categories() -> None:
    assert gkmlpt.category_tree(HOSTILE["gkmlpt-tree-deep"][1]) == []
    deep = '[{"id":1,"name":"a","children":' * 300 + "[]" + "}]" * 300
    assert len(gkmlpt.category_tree(f"TREE: {deep}")) == gkmlpt.MAX_TREE_DEPTH
    assert list(gkmlpt.api_links(API, HOSTILE["gkmlpt-api-deep"][1])) == []
