"""The fallback chain's pure parts, on the shapes portals really use, and the `column_empty` finding
from the archive to the audit.

- `crawler.scripts`: data URLs read from scripts, across the calls front ends make (fetch, $.ajax
  GET and POST, $.getJSON, axios, XMLHttpRequest, template strings), with parameters bound
  elsewhere in the page; what cannot be known without running the script is left to the browser;
- `crawler.platforms.datalist`: rows and paging read from the answer shapes CMSs choose;
- `crawler.fallback`: which pages are report columns (an article filed in the column is not);
- the audit: a report not found on a portal with an unreadable column is `unreadable`, not
  `missing`, and the column has a row of its own. (The crawl side, every rung against portals the
  adapters were not written from, is in tests/test_world.py.)
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.audit import audit_rows, render
from archive.db import sessions
from archive.warcstore import WarcStore
from crawler.fallback import column_reason, pager_hint, read, wanted
from crawler.platforms import Page, discover
from crawler.platforms.datalist import PLATFORM as DATALIST
from crawler.scripts import DataRequest, assignments, data_requests, linked_scripts
from tests.archived import capture, ingest_archive
from tests.reportgen import generate

PAGE = "http://www.qhx.gov.cn/zwgk/xxgknb/index.html"


# --- data URLs in scripts ------------------------------------------------------------------------

SCRIPTS = {
    "fetch, page from the query string": (
        "var page = parseInt((location.search.match(/page=(\\d+)/) || [0, 1])[1], 10);\n"
        'fetch("/api/nb/list?page=" + page).then(function (r) { return r.json(); })',
        [DataRequest("http://www.qhx.gov.cn/api/nb/list?page=1")],
    ),
    "$.ajax GET with a data object and a bound channel id": (
        'var channelId = "1268";\n$.ajax({\n  url: "/api/content/list",\n  type: "get",\n'
        '  dataType: "json",\n  data: { channelId: channelId, pageNo: pageNo, pageSize: 10 },\n'
        "  success: function (res) { render(res.data.list); }\n});",
        [DataRequest("http://www.qhx.gov.cn/api/content/list?channelId=1268&pageNo=1&pageSize=10")],
    ),
    "$.ajax POST form": (
        "$.ajax({ type: 'POST', url: '../../cms/article/pageList.do', "
        "data: {'catalogId': 73, 'curPage': 1, 'rows': 15}, success: draw });",
        [
            DataRequest(
                "http://www.qhx.gov.cn/cms/article/pageList.do",
                "POST",
                b"catalogId=73&curPage=1&rows=15",
                "application/x-www-form-urlencoded",
            )
        ],
    ),
    "fetch POST with a JSON body": (
        "fetch('/gateway/api/info/list', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify({columnCode: 'xxgknb', pageNum: 1, pageSize: 20})})",
        [
            DataRequest(
                "http://www.qhx.gov.cn/gateway/api/info/list",
                "POST",
                b'{"columnCode": "xxgknb", "pageNum": 1, "pageSize": 20}',
                "application/json",
            )
        ],
    ),
    "XMLHttpRequest and a template string": (
        "var xhr = new XMLHttpRequest(); var siteId = 12;\n"
        "xhr.open('GET', `/interface/list/${siteId}?p=${p}`, true); xhr.send();",
        [DataRequest("http://www.qhx.gov.cn/interface/list/12?p=1")],
    ),
    "$.getJSON with a relative path": (
        "$(function(){ $.getJSON('data/nb_list.json', function(d){ show(d); }); });",
        [DataRequest("http://www.qhx.gov.cn/zwgk/xxgknb/data/nb_list.json")],
    ),
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_data_urls_read_from_scripts(name: str) -> None:
    script, expected = SCRIPTS[name]
    assert data_requests(script, PAGE) == expected


def test_what_a_script_computes_is_left_to_the_browser() -> None:
    hidden = (
        "var parts = ['/da', 'ta/l', 'ist'];\nfetch(parts.join('') + '?k=' + document.body.dataset.key)\n"
        "$.ajax({url: atob('L2FwaS9saXN0'), success: draw});\n"
        "$.ajax({url: '/api/list', data: {column: $('#list').data('column')}});"
    )
    assert data_requests(hidden, PAGE) == []


def test_beacons_other_hosts_and_static_files_are_not_lists() -> None:
    script = (
        "fetch('http://tongji.example.com/collect?u=' + location.href);\n"
        "fetch('/tongji/beacon?page=' + page);\n"
        "$.get('https://other.gov.cn/api/list?page=1');\n"
        "$.getScript('/js/more.js'); fetch('/static/css/site.css');"
    )
    assert data_requests(script, PAGE) == []


def test_names_bound_twice_to_different_literals_are_not_constants() -> None:
    assert assignments("var col = 'a'; col = 'b'; var site = 3;") == {"site": "3"}


def test_linked_scripts_skip_libraries_and_other_hosts_pager_first() -> None:
    html = (
        "<html><head><script src='/js/jquery-1.12.4.min.js'></script>"
        "<script src='//cdn.bootcdn.net/layer.js'></script><script src='http://hm.baidu.com/hm.js'></script>"
        "<script src='/js/common.js'></script><script src='./pagenav.js'></script></head><body></body></html>"
    )
    assert linked_scripts(Page(PAGE, html)) == [
        "http://www.qhx.gov.cn/zwgk/xxgknb/pagenav.js",
        "http://www.qhx.gov.cn/js/common.js",
    ]


# --- lists answered as data ------------------------------------------------------------------------

API = "http://www.qhx.gov.cn/api/content/list?channelId=1268&pageNo=1&pageSize=2"
REPORT = "青禾县人民政府2023年政府信息公开工作年度报告"


def _page(payload: object, url: str = API, **extra: str) -> Page:
    return Page(url, json.dumps(payload, ensure_ascii=False), "application/json;charset=UTF-8", extra=extra)


def test_nested_rows_with_a_row_count_and_the_request_page_size() -> None:
    payload = {"code": 0, "msg": "ok", "data": {"total": 5, "list": [
        {"title": REPORT, "linkUrl": "/zwgk/xxgknb/202401/t20240119_88.html", "publishDate": "2024-01-19"},
        {"title": "青禾县2024年部门预算公开", "linkUrl": "/zwgk/czyjs/202402/t20240201_90.html"},
    ]}}  # fmt: skip
    links = DATALIST.links(_page(payload))
    assert [(link.kind, link.url) for link in links if link.kind == "report"] == [
        ("report", "http://www.qhx.gov.cn/zwgk/xxgknb/202401/t20240119_88.html")
    ]
    pages = [parse_qs(urlsplit(link.url).query)["pageNo"] for link in links if link.kind == "api"]
    assert pages == [["2"], ["3"]]  # 5 rows, 2 a page
    assert not DATALIST.links(_page(payload, API.replace("pageNo=1", "pageNo=2")))[1:]  # no paging twice


def test_top_level_rows_upper_case_keys_and_a_page_count() -> None:
    payload = {"TotalPage": "3", "rows": [{"DOCTITLE": REPORT, "DOCURL": "http://www.qhx.gov.cn/a/1.html"}]}
    links = DATALIST.links(_page(payload, "http://www.qhx.gov.cn/list.do?curPage=1"))
    assert [link.kind for link in links] == ["report", "api", "api"]
    assert links[-1].url == "http://www.qhx.gov.cn/list.do?curPage=3"


def test_jsonp_answer_and_zero_based_pages() -> None:
    text = "jQuery1124_77(" + json.dumps({"pages": 2, "items": [{"name": REPORT, "url": "/b/2.html"}]}) + ");"
    links = DATALIST.links(Page("http://www.qhx.gov.cn/api/list?page=0&cb=x", text, "application/javascript"))
    assert [(link.kind, link.url) for link in links] == [
        ("report", "http://www.qhx.gov.cn/b/2.html"),
        ("api", "http://www.qhx.gov.cn/api/list?page=1&cb=x"),
    ]


def test_post_json_body_is_paged_in_its_body() -> None:
    body = json.dumps({"columnCode": "xxgknb", "pageNum": 1, "pageSize": 1})
    payload = {"data": {"records": [{"title": REPORT, "url": "/c/3.html"}], "total": 2}}
    page = _page(payload, "http://www.qhx.gov.cn/gateway/api/info/list", method="POST", body=body,
                 body_type="application/json")  # fmt: skip
    api = [link for link in DATALIST.links(page) if link.kind == "api"]
    assert len(api) == 1 and api[0].method == "POST"
    assert json.loads(api[0].body or b"") == {"columnCode": "xxgknb", "pageNum": 2, "pageSize": 1}


def test_xml_rows_wrapping_html() -> None:
    xml = (
        "<?xml version='1.0' encoding='UTF-8'?><result><totalpage>1</totalpage><records>"
        f"<record><![CDATA[<li><a href='/art/2024/1/20/art_12_345.html' title='{REPORT}'>{REPORT}</a>"
        "<span>2024-01-20</span></li>]]></record></records></result>"
    )
    links = discover(Page("http://www.qhx.gov.cn/module/list.jsp?col=12", xml, "text/xml;charset=UTF-8"))
    assert [(link.kind, link.url) for link in links] == [
        ("report", "http://www.qhx.gov.cn/art/2024/1/20/art_12_345.html")
    ]


def test_an_error_answer_reads_nothing() -> None:
    assert DATALIST.links(_page({"code": 500, "msg": "系统繁忙，请稍后再试", "data": None})) == []


# --- which pages are report columns ----------------------------------------------------------------

CRUMB = "<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk/'>政务公开</a> &gt; 政府信息公开年报</div>"


def _html(title: str, body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{CRUMB}{body}</body></html>"


def test_the_column_page_is_a_column_and_wants_reports_when_nothing_was_found() -> None:
    page = Page(PAGE, _html("政府信息公开年报_青禾县人民政府", "<ul id='list'></ul><div id='page'></div>"))
    assert column_reason(page) == "named"
    assert wanted(page, list(discover(page))) == "reports"


def test_an_article_filed_in_the_column_is_not_a_column() -> None:
    article = _html(
        "关于做好2023年度政府信息公开工作年度报告编制工作的通知",
        "<h1>关于做好2023年度政府信息公开工作年度报告编制工作的通知</h1><div>发布日期：2024-01-05</div>"
        "<div class='TRS_Editor'><p>各乡镇人民政府、县直各部门：……</p></div><a href='javascript:window.print()'>打印本页</a>",
    )
    assert column_reason(Page(PAGE.replace("index.html", "202401/t20240105_1.html"), article)) is None
    report = _html(REPORT, f"<h1>{REPORT}</h1><div class='TRS_Editor'><p>……</p></div>")
    assert column_reason(Page(PAGE.replace("index.html", "202401/t20240119_2.html"), report)) is None


def test_a_column_reached_by_its_name_or_a_platform_address() -> None:
    bare = Page(
        "http://www.qhx.gov.cn/qhx/gkmlpt/index",
        "<html><head><title>青禾县</title></head><body></body></html>",
    )
    assert column_reason(bare) == "platform"
    plain = Page(
        "http://www.qhx.gov.cn/col/col1234/index.html", "<html><body><div id='c'></div></body></html>"
    )
    assert column_reason(plain) is None
    assert column_reason(plain, "政府信息公开年报") == "link-text"


@pytest.mark.parametrize(
    "body, shows",
    [
        ("<div class='page'>共3页 当前第1页</div>", True),
        ("<div>第1/4页</div>", True),
        ("<div>共1页</div>", False),
        ("<div id='pagebar'></div>", True),
        ("<div class='pagination'><span>1</span></div>", False),
        ("<script src='./page.js'></script>", True),
        ("<p>no paging here</p>", False),
    ],
)
def test_pager_hints(body: str, shows: bool) -> None:
    assert pager_hint(Page(PAGE, _html("政府信息公开年报", body))) is shows


def test_a_list_with_rows_but_no_report_is_read() -> None:
    payload = {"total": 12, "list": [{"title": "青禾县2024年部门预算", "url": "/d/1.html"}]}
    links = DATALIST.links(_page(payload, "http://www.qhx.gov.cn/api/list?page=1"))
    assert read("reports", links)  # a readable column (paging on), not an empty one
    assert not read("reports", DATALIST.links(_page({"code": 500})))


# --- the finding, from the archive to the audit ------------------------------------------------------


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    data = tmp_path_factory.mktemp("column-empty")
    store = WarcStore(data / "warc")
    found = {}
    for host, seed in (("www.qhx.gov.cn", 31), ("www.lsx.gov.cn", 32)):
        report = generate(random.Random(seed), "html")
        url = f"http://{host}/zwgk/xxgknb/2022/t_{seed}.html"
        capture(store, url, report.text.encode(), datetime(report.expected.year + 1, 1, 20, 2, tzinfo=UTC))
        found[host] = report.expected
    column = "http://www.qhx.gov.cn/zwgk/xxgknb/index.html"
    capture(store, column, _html("政府信息公开年报_青禾县人民政府", "<ul id='list'></ul>").encode(),
            datetime(2026, 11, 30, tzinfo=UTC))  # fmt: skip
    store.write_metadata(
        column,
        [("column-empty", "no report, listing or list API found on the column"), ("column-reason", "named"),
         ("column-title", "政府信息公开年报_青禾县人民政府"),
         ("rungs", "adapters, data-api, scripts, browser")],
        fetched_at=datetime(2026, 11, 30, 0, 5, tzinfo=UTC),
    )  # fmt: skip
    store.close()
    engine = ingest_archive(data)
    with sessions(engine)() as session:
        rows = audit_rows(session, {}, year=None, today=date(2026, 12, 1))
    return {"rows": rows, "found": found, "table": render(rows, "table", data_dir=Path("data"))}


def test_not_found_beside_an_unreadable_column_is_unreadable_not_missing(audited: dict) -> None:
    agency = audited["found"]["www.qhx.gov.cn"].agency
    later = [r for r in audited["rows"] if r.agency == agency and r.url == ""]
    assert later and all(r.status == "unreadable" for r in later)
    assert all("not found — column unreadable (http://www.qhx.gov.cn/zwgk/xxgknb/index.html)" in r.status_reason
               for r in later)  # fmt: skip
    other = audited["found"]["www.lsx.gov.cn"].agency
    assert {r.status for r in audited["rows"] if r.agency == other and r.url == ""} == {"missing"}


def test_the_unreadable_column_is_a_row_with_what_was_tried(audited: dict) -> None:
    (column,) = [r for r in audited["rows"] if r.kind == "column"]
    assert column.url == "http://www.qhx.gov.cn/zwgk/xxgknb/index.html"
    assert column.status == "unreadable" and column.title.startswith("政府信息公开年报")
    assert "adapters, data-api, scripts, browser" in (column.column_empty or "")
    assert "column unreadable" in audited["table"]


# --- a broken adapter, end to end ------------------------------------------------------------------


def test_an_adapter_that_finds_nothing_is_a_finding_not_silence(tmp_path: Path) -> None:
    """The gkmlpt catalogue without its config object, crawled with the browser turned off: the
    adapter finds nothing, no data URL can be read from its scripts, and no browser may help. The
    crawl says so (summary, store, audit) instead of ending quietly with no reports."""
    from tests.world import FAST, all_portals

    portal = next(p for p in all_portals() if p.name == "gkmlpt_noconfig")
    data = tmp_path / "data"
    with portal.serve() as base:
        column = base.rstrip("/") + portal.start
        proc = subprocess.run(
            [sys.executable, "-m", "nianbao.cli", "crawl", column, "--data", str(data), *FAST,
             "-s", "NIANBAO_BROWSER_ENABLED=False"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"column_empty: {column} (adapters, scripts)" in proc.stderr
    with sqlite3.connect(data / "nianbao.sqlite") as conn:
        assert conn.execute("select count(*) from reports").fetchone() == (0,)
        findings = conn.execute("select url, stage, reason from failures").fetchall()
    assert [(url, stage) for url, stage, _ in findings] == [(column, "column_empty")]
    assert "by its platform address" in findings[0][2]
    audit = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "audit", "--data", str(data), "--format", "jsonl"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    rows = [json.loads(line) for line in audit.splitlines()]
    assert [(r["kind"], r["status"], r["url"]) for r in rows] == [("column", "unreadable", column)]
