"""World portal: 梅溪县人民政府, an old county portal no CMS adapter recognises.

What it reproduces (the generic adapter and `archive.extract` must cope alone):

- static templates with layout tables around header, navigation, body and footer;
- the 政府信息公开年报 column paged `index.html`, `index_1.html`, `index_2.html` by plain
  首页/上一页/下一页/尾页 anchors;
- GBK report pages: one declares `gb2312` only in a `<meta>` placed after 4 KB of inline script
  (w3lib reads the first 4 KB) and is served as bare `text/html`; one is served as
  `text/html; charset=utf-8` although its bytes are GBK (the mojibake check must re-decode it);
- the column's neighbours: 部门预算, 部门决算, 法治政府建设年度报告, 统计年报, 政府信息公开指南 and a
  news item about compiling the report, all reachable by the navigation heuristics;
- a hidden block injected into the home page linking a spam mirror on another host with the report
  titles in traditional characters and pinyin (out of scope: never fetched);
- the 青石镇 report reposted in 乡镇动态 under a second URL (stored once), and the 卫生健康局 report's
  old URL answering 301 to its new one (stored once, at the final URL).

Reports of 2019–2023 from the 县政府, two 部门 and two 乡镇, in both report formats.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlsplit

from nianbao.sample_portal import server as sample_server
from nianbao.sample_portal.server import PortalHandler
from tests.world import WorldPortal
from tests.world.county import build as B

SITE_DIR = Path(__file__).resolve().parent / "site"

# Content-Type as the misconfigured server sends it, whatever the page itself declares.
CONTENT_TYPES = {
    B.REPORTS["gov2023"].path: "text/html",  # GBK, <meta> after 4 KB: the page must be searched further
    B.REPORTS["edu2023"].path: "text/html; charset=utf-8",  # GBK bytes under a UTF-8 header
}
REDIRECTS = {B.OLD_PATH: B.REPORTS["health2021"].path}


class CountyHandler(PortalHandler):
    """Static pages, a 301 from a report's old address, and wrong charsets on two pages."""

    def do_GET(self) -> None:
        if not self._redirected():
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._redirected():
            super().do_HEAD()

    def _redirected(self) -> bool:
        target = REDIRECTS.get(urlsplit(self.path).path)
        if target is None:
            return False
        body = b"<html><head><title>301 Moved Permanently</title></head><body><center><h1>301 Moved Permanently</h1></center></body></html>\n"
        self._send_simple(301, body, "text/html", {"Location": target})
        return True

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "content-type" and urlsplit(self.path).path in CONTENT_TYPES:
            value = CONTENT_TYPES[urlsplit(self.path).path]
        super().send_header(keyword, value)


def serve() -> AbstractContextManager[str]:
    return sample_server.serve(SITE_DIR, handler=CountyHandler)


EXPECTED = {
    "reports": [
        {"path": r.path, "title": r.title, "agency": r.text.agency, "year": r.text.year, "kind": r.kind}
        for r in B.REPORTS.values()
    ],
    "not_reports": [path for path, *_ in B.LOOKALIKES],
    "duplicates": [[B.REPORTS["town2022"].path, B.REPOST_PATH]],
    "redirects": [[B.OLD_PATH, B.REPORTS["health2021"].path]],
    "offsite": [
        f"{B.SPAM_HOST}/art/2024/3/28/art_1229_1208.html",
        f"{B.SPAM_HOST}/art/2024/1/30/art_1229_1187.html",
    ],
    "encodings": {B.REPORTS["gov2023"].path: "late-meta", B.REPORTS["edu2023"].path: "utf8-header-gbk-body"},
    "failures": [],
    "rendered": [],
}

PORTAL = WorldPortal(name="county", platform="generic", serve=serve, expected=EXPECTED, start="/")
