"""World portal: 南屿市交通运输局, a Guangdong department site on the gkmlpt catalogue platform.

What it reproduces (see `crawler/platforms/gkmlpt.py` for the evidence):

- `/nyjtj/gkmlpt/index` (and `/annualreport`) is a script application with no article anchors; the
  site id and category tree sit in `window._CONFIG` (SID, TREE with post_count/jump_url);
- `/nyjtj/gkmlpt/api/all/{catId}?page=N&sid=755031` answers JSON (`classify`, `total`, `offset`,
  `articles`), 100 rows a page newest first, category 0 = every category; a wrong `sid` lists
  nothing;
- rows give `url` absolute, protocol-relative (`//host/…`) or not at all (the page is then derived
  from the id), a `type: "url"` row jumps to another site;
- articles at `/nyjtj/gkmlpt/content/{id//10**6}/{id//10**3}/post_{id}.html` with the metadata
  table, `div.article-content`, `nfw-cms-attachment` links to `/nyjtj/attachment/…pdf`, and a
  `_CONFIG.DETAIL` object.

Five reports (2019–2023); four are in the 年度报告 category, the 2020 one is misfiled under 其他 and
is only listed by category 0 (its second API page; the reports span pages 1–3). Look-alikes (预算, 决算, 法治政府建设年度报告,
统计年报, the 编制通知, a 解读) sit in the same lists, three are also linked from the home page.
"""

from __future__ import annotations

import json
import re
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from nianbao.sample_portal import server as sample_server
from nianbao.sample_portal.server import PortalHandler
from tests.world import WorldPortal
from tests.world.gkmlpt import data as D

SITE_DIR = Path(__file__).resolve().parent / "site"
_API = re.compile(r"^/nyjtj/gkmlpt/api/all/(\d+)$")
# The application's routes have no file extension on the live platform.
_APP_ROUTES = {
    "/nyjtj/gkmlpt/index": "/nyjtj/gkmlpt/index.html",
    "/nyjtj/gkmlpt/mindex": "/nyjtj/gkmlpt/index.html",
    "/nyjtj/gkmlpt/annualreport": "/nyjtj/gkmlpt/annualreport.html",
    "/nyjtj/gkmlpt/policy": "/nyjtj/gkmlpt/index.html",
}


class GkmlptHandler(PortalHandler):
    """Static pages plus the catalogue's JSON API and its extension-less application routes."""

    def do_GET(self) -> None:
        if not self._dynamic():
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._dynamic():
            super().do_HEAD()

    def _dynamic(self) -> bool:
        split = urlsplit(self.path)
        api = _API.match(split.path)
        if api is not None:
            query = parse_qs(split.query)
            try:
                page = int((query.get("page") or ["1"])[0])
            except ValueError:
                page = 1
            category = int(api[1])
            if (query.get("sid") or [""])[0] != D.SID or (category and category not in D.CATEGORY_NAMES):
                answer: dict[str, object] = {"articles": [], "total": 0}
            else:
                answer = D.api_answer(category, page, self.headers.get("Host") or "127.0.0.1")
            body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
            self._send_simple(200, body, "application/json;charset=UTF-8", {"Cache-Control": "no-cache"})
            return True
        if split.path in _APP_ROUTES:
            self.path = _APP_ROUTES[split.path] + (f"?{split.query}" if split.query else "")
        return False


def serve() -> AbstractContextManager[str]:
    return sample_server.serve(SITE_DIR, handler=GkmlptHandler)


EXPECTED = {
    "reports": [
        {"path": r.path, "title": r.title, "agency": D.AGENCY, "year": r.text.year, "kind": "部门"}
        for r in D.REPORTS
        if r.text is not None
    ],
    "not_reports": [r.path for r in D.LOOKALIKES if r.kind == "lookalike"] + ["/nyjtj/zwgk/gkzn/index.html"],
    "offsite": [r.jump_url for r in D.LOOKALIKES if r.kind == "jump"],
    "failures": [],
    "rendered": [],
}

PORTAL = WorldPortal(name="gkmlpt", platform="gkmlpt", serve=serve, expected=EXPECTED, start="/nyjtj/")
