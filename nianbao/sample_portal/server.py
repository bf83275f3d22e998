"""Serve the sample portal over HTTP the way a real portal's nginx would.

Crawler bugs hide in transport details as much as in markup, so the server reproduces the behaviour of
a typical government site rather than `http.server`'s defaults:

- `Content-Type: text/html; charset=utf-8` for UTF-8 pages, but plain `text/html` (no charset) for the
  GBK page, which declares `gb2312` only in its own `<meta>`: the client has to look inside the page;
- gzip `Content-Encoding` when the request allows it, with `Vary: Accept-Encoding` and a weak ETag;
- `Transfer-Encoding: chunked` for column listings (as dynamic pages are), `Content-Length` otherwise;
- `ETag` / `Last-Modified` with 304 answers to `If-None-Match` / `If-Modified-Since`;
- two `Set-Cookie` headers on the home page, an nginx `Server` header, an HTML 404 page, 301 from a
  directory without its trailing slash, 405 for POST;
- an optional per-request `delay`, so a test can interrupt a crawl halfway through.

`serve()` runs it in a daemon thread for tests and the demo; `python -m nianbao.sample_portal.server`
serves it in the foreground for a person with a browser.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import posixpath
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE_DIR = Path(__file__).resolve().parent / "site"
SERVER_HEADER = "nginx/1.24.0"

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".css": "text/css",
    ".js": "application/javascript",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".json": "application/json",
}
_COMPRESSIBLE = {"text/html", "text/css", "application/javascript", "text/plain", "application/json"}
_LISTING = re.compile(r"/index(_\d+)?\.html$")
_META_CHARSET = re.compile(rb"charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)
_CHUNK = 4096


class PortalServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its document root and per-request delay."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        root: Path,
        delay: float = 0.0,
        handler: type[BaseHTTPRequestHandler] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.delay = delay
        super().__init__(address, handler or PortalHandler)


class PortalHandler(BaseHTTPRequestHandler):
    """Static files with the header behaviour described in the module docstring."""

    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are dropped, so shutdown never waits on a client
    server: PortalServer

    def version_string(self) -> str:
        return SERVER_HEADER

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request log lines (tests and the demo would drown in them)."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        if self.server.delay:
            time.sleep(self.server.delay)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b"<html><head><title>405 Not Allowed</title></head><body><center><h1>405 Not Allowed</h1></center></body></html>\n"
        self._send_simple(405, body, "text/html")

    # -- helpers -------------------------------------------------------------------------------------

    def _resolve(self, url_path: str) -> Path | str | None:
        """The file for a URL path, a redirect target (str) for a directory without '/', or None."""
        path = unquote(url_path)
        if "\x00" in path or not path.startswith("/"):
            return None
        normal = posixpath.normpath(path)
        if normal.startswith("//"):
            normal = "/" + normal.lstrip("/")
        target = (self.server.root / normal.lstrip("/")).resolve()
        if target != self.server.root and self.server.root not in target.parents:
            return None
        if target.is_dir():
            if not path.endswith("/"):
                return path + "/"
            target = target / "index.html"
        return target if target.is_file() else None

    def _send_simple(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found(self) -> None:
        page = self.server.root / "404.html"
        body = page.read_bytes() if page.is_file() else b"<html><body><h1>404 Not Found</h1></body></html>\n"
        self._send_simple(404, body, "text/html; charset=utf-8")

    def _accepts_gzip(self) -> bool:
        for part in (self.headers.get("Accept-Encoding") or "").split(","):
            name, _, params = part.strip().partition(";")
            if name.strip().lower() in ("gzip", "x-gzip", "*"):
                q = params.strip()
                if q.startswith("q="):
                    try:
                        return float(q[2:]) > 0
                    except ValueError:
                        return False
                return True
        return False

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            ours = etag.removeprefix("W/")
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            return "*" in tags or ours in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return mtime <= since
        return False

    def _serve(self, *, head: bool) -> None:
        if self.server.delay:
            time.sleep(self.server.delay)
        split = urlsplit(self.path)
        found = self._resolve(split.path)
        if isinstance(found, str):
            location = found + (f"?{split.query}" if split.query else "")
            body = b"<html><head><title>301 Moved Permanently</title></head><body><center><h1>301 Moved Permanently</h1></center></body></html>\n"
            self._send_simple(301, body, "text/html", {"Location": location})
            return
        if found is None:
            self._not_found()
            return

        data = found.read_bytes()
        stat = found.stat()
        mtime = int(stat.st_mtime)
        content_type = _TYPES.get(found.suffix.lower(), "application/octet-stream")
        media = content_type
        if content_type == "text/html":
            match = _META_CHARSET.search(data[:2048])
            declared = match.group(1).decode("ascii").lower() if match else "utf-8"
            if declared in ("utf-8", "utf8"):
                content_type = "text/html; charset=utf-8"
            # else: leave the charset to the page's own <meta>, as a misconfigured server would
        etag = f'"{mtime:x}-{len(data):x}"'
        headers: list[tuple[str, str]] = [
            ("Content-Type", content_type),
            ("Last-Modified", email.utils.formatdate(mtime, usegmt=True)),
        ]
        body = data
        if media in _COMPRESSIBLE:
            headers.append(("Vary", "Accept-Encoding"))
            if self._accepts_gzip():
                body = gzip.compress(data, compresslevel=6, mtime=0)
                etag = "W/" + etag
                headers.append(("Content-Encoding", "gzip"))
        headers.append(("ETag", etag))
        url_path = split.path if not split.path.endswith("/") else split.path + "index.html"
        if url_path in ("/index.html",):
            headers.append(("Set-Cookie", f"JSESSIONID={secrets.token_hex(16).upper()}; Path=/; HttpOnly"))
            headers.append(
                ("Set-Cookie", "_trs_uv=qh17_9999_a3f8c2; path=/; expires=Fri, 31 Dec 2038 23:59:59 GMT")
            )

        if self._not_modified(etag, mtime):
            self.send_response(304)
            for name, value in headers:
                if name in ("Last-Modified", "ETag", "Vary", "Set-Cookie"):
                    self.send_header(name, value)
            self.end_headers()
            return

        chunked = (
            bool(_LISTING.search(url_path))
            and url_path != "/index.html"
            and self.request_version == "HTTP/1.1"
        )
        self.send_response(200)
        for name, value in headers:
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
            if "Content-Encoding" not in dict(headers):
                self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if head:
            return
        if chunked:
            for start in range(0, len(body), _CHUNK):
                piece = body[start : start + _CHUNK]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)


@contextmanager
def serve(
    root: Path | str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    delay: float = 0.0,
    handler: type[BaseHTTPRequestHandler] | None = None,
) -> Iterator[str]:
    """Serve the portal (or another `root`) in a daemon thread; yields the base URL ending in '/'.

    `port=0` picks a free port, so parallel tests never collide; `delay` seconds are slept before
    every response.
    """
    server = PortalServer(
        (host, port), Path(root) if root is not None else SITE_DIR, delay=delay, handler=handler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the 青禾市 sample portal on this machine.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port (default 8000)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before every response")
    parser.add_argument(
        "--root", type=Path, default=None, help="serve this directory instead of the bundled site"
    )
    args = parser.parse_args(argv)
    with serve(args.root, args.host, args.port, args.delay) as url:
        print(f"sample portal at {url}  (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
