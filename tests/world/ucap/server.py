"""The 云川县 ucap portal over HTTP: `.shtml` pages as `text/html`, `/` redirecting to the home page.

`nianbao.sample_portal.server` knows no `.shtml` type (it would send `application/octet-stream`),
so this handler serves `.shtml` itself, gzip-compressed when the client allows it, and answers `/`
with a 302 to `/yunchuan/index.shtml` as the platform's front door does.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from nianbao.sample_portal.server import PortalHandler, PortalServer

HERE = Path(__file__).resolve().parent
HOME = "/yunchuan/index.shtml"


class UcapHandler(PortalHandler):
    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._send_simple(302, b"", "text/html", {"Location": HOME})
            return
        if path.endswith(".shtml"):
            found = self._resolve(path)
            if not isinstance(found, Path):
                self._not_found()
                return
            body, extra = found.read_bytes(), {"Vary": "Accept-Encoding"}
            if self._accepts_gzip():
                body, extra["Content-Encoding"] = gzip.compress(body, mtime=0), "gzip"
            self._send_simple(200, body, "text/html; charset=utf-8", extra)
            return
        super().do_GET()


class UcapServer(PortalServer):
    def __init__(self, address: tuple[str, int], root: Path, delay: float = 0.0) -> None:
        super().__init__(address, root, delay)
        self.RequestHandlerClass = UcapHandler


@contextmanager
def serve(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the portal in a daemon thread; yields the base URL ending in '/'."""
    server = UcapServer((host, port), HERE / "site")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
