"""The 云川县 ucap portal over HTTP: `.shtml` pages as `text/html`, `/` redirecting to the home page.

`nianbao.sample_portal.server` serves `.shtml` as `text/html` (with its charset, gzip, ETag and
conditional-request handling), so this handler only adds the platform's front door: `/` answers
with a 302 to `/yunchuan/index.shtml`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlsplit

from nianbao.sample_portal import server as sample_server
from nianbao.sample_portal.server import PortalHandler

HERE = Path(__file__).resolve().parent
HOME = "/yunchuan/index.shtml"


class UcapHandler(PortalHandler):
    def do_GET(self) -> None:
        if urlsplit(self.path).path in ("/", "/index.html"):
            self._send_simple(302, b"", "text/html", {"Location": HOME})
            return
        super().do_GET()


def serve(host: str = "127.0.0.1", port: int = 0) -> AbstractContextManager[str]:
    """Serve the portal in a daemon thread; yields the base URL ending in '/'."""
    return sample_server.serve(HERE / "site", host, port, handler=UcapHandler)
