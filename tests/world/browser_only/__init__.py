"""World portal: 鹭汀县人民政府, whose 年报 column can only be listed by running its script.

Real shape reproduced: a "数字政府" portal rebuilt on a front-end bundle talking to an API gateway:
the 政府信息公开年报 column `/zfxxgk/gknb/index.html` ships an empty `<ul id="gknb-list"
data-col="c2f9e0d1">` and one minified inline script. The script

- assembles the data URL at run time: two base64 pieces decoded with `atob` plus a reversed
  string (`/gateway/portal/article/queryPage`, written nowhere in the page or on the site);
- POSTs a JSON body built at run time: `{columnId, pageNum, pageSize, timestamp: Date.now(),
  sign}`, where `sign` is a djb2 hash of `columnId|timestamp|key` and the key is rebuilt from
  char codes; the gateway answers `{"resultCode": "4003"}` to a wrong sign and 405 to a GET;
- builds each article's address from the row's `articleId` and `publishTime`
  (`/zfxxgk/gknb/{yyyyMM}/{articleId}.html`): the rows carry no URL either.

Hallmark missing: every hallmark: no link, URL, pager or config a static reader could follow. A
real browser (chromium) runs the script and shows the five rows as anchors; the listing page is in
`may_render`. Three reports (2019, 2020, 2022) and two look-alikes (部门预算, a 解读); the article
pages themselves are ordinary static HTML.
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

AGENCY = "鹭汀县人民政府"
COLUMN = "/zfxxgk/gknb/index.html"
COLUMN_CODE = "c2f9e0d1"
SIGN_KEY = "luting2025"
ENDPOINT = "/gateway/portal/article/queryPage"


def djb2(text: str) -> str:
    """The sign the page's script computes: djb2 over UTF-16 code units, as unsigned 32-bit hex."""
    h = 5381
    for ch in text:
        h = (h * 33 + ord(ch)) & 0xFFFFFFFF
    return format(h, "x")


@dataclass(frozen=True)
class Item(V.GeneratedItem):
    agency = AGENCY
    id: str  # type: ignore[assignment]  # the gateway's ids are 19-digit strings

    @property
    def path(self) -> str:
        return f"/zfxxgk/gknb/{self.date[:4]}{self.date[5:7]}/{self.id}.html"


REPORTS = (
    Item("1626419530871254017", seed=41),
    Item("1352781904413106177", seed=117),
    Item("1231667082215694338", seed=49),
)
LOOKALIKES = (
    Item(
        "1759203318862700545",
        title_=f"{AGENCY}2024年部门预算",
        date_="2024-02-19",
        body="<p>现将鹭汀县人民政府2024年部门预算公开如下：</p><table border='1'><tr><td>一般公共预算支出</td><td>3877.15</td></tr>"
        "<tr><td>政府性基金预算支出</td><td>120.00</td></tr></table>",
    ),
    Item(
        "1626419530871254021",
        title_=f"一图看懂《{AGENCY}2022年度信息公开工作报告》",
        date_="2023-02-05",
        body="<p>2022年，县政府主动公开政府信息2215条，办理政府信息公开申请63件。</p>",
    ),
)
ROWS = V.newest_first(REPORTS + LOOKALIKES)

HEADER = f"""<div class="g-top"><div class="g-wrap"><span>{AGENCY}</span><span class="g-tools"><a href="javascript:;">无障碍</a> <a href="javascript:;">关怀版</a> <a href="javascript:;">政务微博</a></span></div></div>
<div class="g-head g-wrap"><a class="g-logo" href="/index.html">{AGENCY}门户网站</a></div>
<div class="g-nav g-wrap"><a href="/index.html">首页</a><a href="/zfxxgk/index.html">政府信息公开</a><a href="/zwfw/index.html">政务服务</a></div>"""
FOOTER = f"""<div class="g-foot"><div class="g-wrap"><p>主办：{AGENCY}办公室</p>
<p>网站标识码：3607320001　<a href="https://beian.miit.gov.cn/" target="_blank">赣ICP备11007320号-2</a>　赣公网安备 36073202000114号</p></div></div>"""

# The column's only script, as a bundler leaves it (ES5, one line per statement kept for reading).
LIST_SCRIPT = """<script>
!function(){"use strict";
var _0x3a=["L2dhdGV3YXkv","cG9ydGFsL2FydGljbGUv","egaPyreuq"],_0xk=[108,117,116,105,110,103,50,48,50,53];
function _h(s){for(var h=5381,i=0;i<s.length;i++)h=(h<<5)+h+s.charCodeAt(i)|0;return(h>>>0).toString(16)}
function _u(){return atob(_0x3a[0])+atob(_0x3a[1])+_0x3a[2].split("").reverse().join("")}
function _e(s){return String(s).replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/"/g,"&quot;")}
var el=document.getElementById("gknb-list"),col=el.getAttribute("data-col"),ts=Date.now(),k=String.fromCharCode.apply(null,_0xk);
var q={columnId:col,pageNum:1,pageSize:20,timestamp:ts,sign:_h(col+"|"+ts+"|"+k)};
fetch(_u(),{method:"POST",credentials:"same-origin",headers:{"Content-Type":"application/json;charset=UTF-8"},body:JSON.stringify(q)})
.then(function(r){return r.json()})
.then(function(d){if("0000"!==d.resultCode)throw new Error(d.resultMsg);
var h=(d.resultData.records||[]).map(function(a){var t=a.publishTime.substr(0,10);
return'<li><a href="/zfxxgk/gknb/'+t.substr(0,7).replace("-","")+"/"+a.articleId+'.html" target="_blank">'+_e(a.articleTitle)+'</a><span class="time">'+t+"</span></li>"});
el.innerHTML=h.length?h.join(""):'<li class="empty">暂无数据</li>'})
["catch"](function(){el.innerHTML='<li class="empty">数据加载失败</li>'});
}();
</script>
"""
FURNITURE = V.Furniture(top=HEADER, foot=FOOTER, wrap="g-wrap g-main", crumb="g-crumb")


def _shell(title: str, crumbs: str, main: str, tail: str = "", metas: str = "") -> str:
    head = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="{AGENCY}">
<meta name="SiteIDCode" content="3607320001">
{metas}<title>{escape(title)}</title>
<style>.g-wrap{{width:1200px;margin:0 auto}}.gknb-list li span{{float:right}}</style>
</head>"""
    return FURNITURE.page(head, crumbs, main, tail)


def column_page() -> str:
    main = f"""<div class="g-side"><h3>政府信息公开</h3><ul><li><a href="/zfxxgk/index.html">法定主动公开内容</a></li>
<li class="on"><a href="{COLUMN}">政府信息公开年报</a></li></ul></div>
<div class="g-list"><h2>政府信息公开年报</h2>
<ul class="gknb-list" id="gknb-list" data-col="{COLUMN_CODE}"><li class="loading">加载中…</li></ul>
</div>"""
    crumbs = f'<a href="/zfxxgk/index.html">政府信息公开</a> &gt; <a href="{COLUMN}">政府信息公开年报</a>'
    return _shell(f"政府信息公开年报_{AGENCY}", crumbs, main, LIST_SCRIPT)


def article(item: Item) -> str:
    crumbs = f'<a href="/zfxxgk/index.html">政府信息公开</a> &gt; <a href="{COLUMN}">政府信息公开年报</a>'
    if item.seed is None:
        main = f'<div class="g-article"><h1>{escape(item.title)}</h1><div class="g-info">发布日期：{item.date}</div><div class="g-content">{item.body}</div></div>'
        return _shell(
            f"{item.title}_{AGENCY}",
            crumbs,
            main,
            metas=f'<meta name="ArticleTitle" content="{escape(item.title)}">\n',
        )
    return FURNITURE.article(item, crumbs, editor='<div class="g-content">')


def site_files() -> dict[str, bytes]:
    files = {COLUMN.lstrip("/"): column_page().encode()}
    for item in ROWS:
        files[item.path.lstrip("/")] = article(item).encode()
    columns = f'<ul><li><a href="{COLUMN}">政府信息公开年报</a></li><li><a href="/zfxxgk/index.html">法定主动公开内容</a></li></ul>'
    files["index.html"] = _shell(
        f"{AGENCY}门户网站", "首页", f'<div class="g-box"><h3>政府信息公开</h3>{columns}</div>'
    ).encode()
    files["zfxxgk/index.html"] = _shell(f"政府信息公开_{AGENCY}", "政府信息公开", columns).encode()
    files["zwfw/index.html"] = _shell(
        f"政务服务_{AGENCY}", "政务服务", "<p>请前往省政务服务网办理。</p>"
    ).encode()
    return files


def gateway_answer(body: bytes) -> dict[str, object]:
    try:
        query = json.loads(body or b"{}")
        column, stamp, sign = str(query["columnId"]), int(query["timestamp"]), str(query["sign"])
    except (ValueError, KeyError, TypeError):
        return {"resultCode": "4001", "resultMsg": "参数错误"}
    if sign != djb2(f"{column}|{stamp}|{SIGN_KEY}"):
        return {"resultCode": "4003", "resultMsg": "签名校验失败"}
    rows = ROWS if column == COLUMN_CODE else ()
    records = [{"articleId": i.id, "articleTitle": i.title, "publishTime": f"{i.date} 16:02:11", "columnId": column}
               for i in rows]  # fmt: skip
    return {
        "resultCode": "0000",
        "resultMsg": "成功",
        "resultData": {"total": len(records), "records": records},
    }


class Handler(PortalHandler):
    """Static files plus the gateway's POST-only list endpoint."""

    def do_POST(self) -> None:
        if urlsplit(self.path).path != ENDPOINT:
            return super().do_POST()
        length = int(self.headers.get("Content-Length") or 0)
        answer = gateway_answer(self.rfile.read(length) if length else b"")
        body = json.dumps(answer, ensure_ascii=False).encode()
        return self._send_simple(200, body, "application/json;charset=UTF-8", {"Cache-Control": "no-store"})

    def do_GET(self) -> None:
        if urlsplit(self.path).path == ENDPOINT:
            body = json.dumps({"timestamp": "2025-03-01T08:00:00.000+08:00", "status": 405, "error": "Method Not Allowed",
                               "path": ENDPOINT}).encode()  # fmt: skip
            return self._send_simple(405, body, "application/json", {"Allow": "POST"})
        return super().do_GET()


def serve_portal() -> AbstractContextManager[str]:
    return V.serve_site("world-browser-only-", site_files, Handler)


EXPECTED = V.expected_for(REPORTS, LOOKALIKES, may_render=[COLUMN])
PORTAL = WorldPortal(name="browser_only", platform="generic+browser", serve=serve_portal, expected=EXPECTED)
