"""The 江北市 Hanweb portal over HTTP: static files plus the jpage paging proxy.

`/module/web/jpage/dataproxy.jsp` answers GET or POST the way a JCMS proxy does: the record range
from the query string (`startrecord`, `endrecord`, `perpage`), the column from the form fields (or
the query string, for the GET form crawlers use), and XML `<datastore>` with `<totalrecord>` and
`<totalpage>`. A request without `columnid`, `unitid` and `webid` gets an empty recordset with a
200, as a misused proxy does: a crawler that forgets the form silently finds nothing.
"""

from __future__ import annotations

import functools
import json
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from nianbao.sample_portal import server as sample_server
from nianbao.sample_portal.server import PortalHandler

HERE = Path(__file__).resolve().parent
PROXY = "/module/web/jpage/dataproxy.jsp"


@functools.cache
def site_data() -> dict:
    """The columns' records, as `build.py` wrote them next to `site/`."""
    return json.loads((HERE / "site_data.json").read_text(encoding="utf-8"))


class HanwebHandler(PortalHandler):
    """PortalHandler with the dataproxy route."""

    def do_GET(self) -> None:
        if urlsplit(self.path).path == PROXY:
            self._proxy(dict(parse_qsl(urlsplit(self.path).query)))
            return
        super().do_GET()

    def do_POST(self) -> None:
        if urlsplit(self.path).path != PROXY:
            super().do_POST()
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        form = dict(parse_qsl(raw.decode("utf-8", errors="replace")))
        self._proxy(dict(parse_qsl(urlsplit(self.path).query)) | form)

    def _proxy(self, params: dict[str, str]) -> None:
        data = site_data()
        column = data["columns"].get(params.get("columnid", ""))
        valid = (
            column is not None
            and params.get("unitid") == column["unitid"]
            and params.get("webid") == data["webid"]
        )
        records: list[str] = column["records"] if valid else []
        try:
            start = max(int(params.get("startrecord", "1")), 1)
            end = int(params.get("endrecord", str(start + 44)))
            per_page = max(int(params.get("perpage", "15")), 1)
        except ValueError:
            start, end, per_page = 1, 0, 15
        chosen = records[start - 1 : end]
        total_pages = -(-len(records) // per_page)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[]]></nextgroup>\n<recordset>\n'
            + "\n".join(chosen)
            + f"\n</recordset>\n<totalrecord>{len(records)}</totalrecord>\n<totalpage>{total_pages}</totalpage>\n</datastore>\n"
        ).encode()
        self._send_simple(200, body, "text/xml;charset=UTF-8", {"Cache-Control": "no-cache"})


def serve(host: str = "127.0.0.1", port: int = 0) -> AbstractContextManager[str]:
    """Serve the portal in a daemon thread; yields the base URL ending in '/'."""
    return sample_server.serve(HERE / "site", host, port, handler=HanwebHandler)
