"""The HTTP side of `nianbao serve`: a stdlib `ThreadingHTTPServer` with five answers.

- `/` — the audit page, rendered on request from the store (so it is as fresh as the store), with
  each "archived" link pointing at the replay of its capture.
- `/report?url=<url>` — one stored report's tables laid out as the template prints them
  (`archive.report_view`), unread cells marked, linked to its capture.
- `/replay/<timestamp>/<url>` — the archived response (`archive.serve.lookup`): its status, content
  type and decoded body; an HTML page with its links kept inside the replay and the banner
  (`archive.serve.rewrite`); a redirect's `Location` kept inside the replay too.
- `/rwp/<name>`, `/wacz/<name>` — a `--wacz` package opened in ReplayWeb.page (`archive.serve.rwp`).
- anything else, or a URL never captured — a 404 page saying it is not in the archive.

Replayed responses carry a Content-Security-Policy allowing only this server, so an archived page
never loads anything from the live web, and `Memento-Datetime` / `Link: rel="original"` (RFC 7089).
The server binds 127.0.0.1 by default: it is a reading room, not a public service.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import date
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from sqlalchemy.engine import Engine

from archive.serve.lookup import Archive, Replayed, ascii_url, parse_timestamp, timestamp_of, url_variants
from archive.serve.rewrite import replay_html, replay_url
from archive.serve.rwp import BUNDLES, REPLAY_INDEX, byte_range, embed_page, missing_note, replaywebpage_dir

log = logging.getLogger(__name__)

REPLAY_CSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:"
_REPLAY = re.compile(r"^/replay/(?P<ts>\d{4,14})/(?P<url>.+)$", re.DOTALL)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Response headers a replay passes on; the rest described the stored bytes or the live session.
_KEPT = {"content-type", "last-modified", "etag", "content-language", "content-disposition"}


class ServeError(Exception):
    """Why the server cannot start (port taken, no store): said to the user, without a traceback."""


class App:
    """What the handler needs: the archive, and how to render the audit page."""

    def __init__(
        self,
        engine: Engine,
        data_dir: Path,
        registry: dict[str, Any],
        today: date | None,
        waczs: Sequence[Path] = (),
    ) -> None:
        self.waczs = {Path(p).name: Path(p) for p in waczs}  # served at /wacz/<name>
        self.engine = engine
        self.data_dir = Path(data_dir)
        self.archive = Archive(engine, self.data_dir / "warc")
        self.registry = registry
        self.today = today

    def audit_page(self) -> str:
        from archive.audit import audit_rows
        from archive.audit_html import render_html
        from archive.db import sessions

        with sessions(self.engine)() as session:
            rows = audit_rows(session, self.registry, year=None, today=self.today or date.today())
        paths = self.archive.replay_paths([r.warc["record_id"] for r in rows if r.warc])

        def href(row: Any) -> str | None:
            return paths.get(row.warc["record_id"]) if row.warc else None

        return render_html(
            rows,
            data_dir=self.data_dir,
            archive_href=href,
            archive_note="Archive links open the capture in this server's replay (nianbao serve).",
            report_href=lambda row: "/report?" + urlencode({"url": row.url}),
        )

    def report_page(self, url: str) -> str | None:
        """The report stored under `url`, its tables as the template prints them; None if none."""
        from sqlalchemy import select

        from archive.db import ReportRow, sessions
        from archive.export import iso_utc
        from archive.ingest.rows import current_version
        from archive.report_view import render_report

        with sessions(self.engine)() as session:
            row = session.scalars(
                select(ReportRow).where(ReportRow.url.in_(url_variants(url))).order_by(ReportRow.id).limit(1)
            ).first()
            latest = current_version(row) if row is not None else None
            if latest is None:
                return None
            record = {**latest.data, "url": row.url, "first_seen": iso_utc(row.first_seen)}
            capture = "/replay/" + timestamp_of(row.first_seen) + "/" + ascii_url(row.url)
        return render_report(record, capture_href=capture)


def _page(title: str, text: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"</head><body><h1>{escape(title)}</h1><p>{text}</p>"
        '<p><a href="/">the audit</a></p></body></html>'
    ).encode()


class Handler(BaseHTTPRequestHandler):
    """Routes a GET to the audit, a replay or a 404."""

    app: App  # set on the subclass `make_server` builds
    server_version = "nianbao-serve"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _send(
        self, status: int, body: bytes, headers: list[tuple[str, str]], head: bool, length: int | None = None
    ) -> None:
        """One response; `length` is the body's when a HEAD answer carries none of it."""
        for _, value in headers:  # fails here, before a byte is sent, so the error is one clean 500
            value.encode("latin-1")
        self._started = True
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _answer(self, head: bool) -> None:
        path = self.path
        try:
            if path in ("/", "/index.html"):
                body = self.app.audit_page().encode("utf-8")
                self._send(200, body, [("Content-Type", "text/html; charset=utf-8")], head)
                return
            if path.startswith("/report?"):
                url = parse_qs(urlsplit(path).query).get("url", [""])[0]
                page = self.app.report_page(url)
                if page is None:
                    self._send(404, _page("Not found", f"No report stored at {escape(url)}."), _HTML, head)
                else:
                    self._send(200, page.encode("utf-8"), _HTML, head)
                return
            if path.startswith(("/wacz/", "/rwp/")):
                self._replaywebpage(path, head)
                return
            m = _REPLAY.match(path)
            if m:
                self._replay(m.group("ts"), m.group("url"), head)
                return
            self._send(404, _page("Not found", f"No page at {escape(path)}."), _HTML, head)
        except Exception as err:  # one bad record must not take the server down; say what happened
            log.exception("serving %s", path)
            if getattr(self, "_started", False):  # headers are out: a second status line would lie
                self.close_connection = True
                return
            text = f"Could not serve {escape(path)}: {escape(type(err).__name__)}: {escape(str(err))}"
            self._send(500, _page("Error", text), _HTML, head)

    def _replaywebpage(self, path: str, head: bool) -> None:
        """A WACZ package, ReplayWeb.page's bundles, or the page opening a package in it."""
        parts = urlsplit(path)
        route, _, rest = parts.path.lstrip("/").partition("/")
        rest = unquote(rest)
        if route == "wacz" and rest in self.app.waczs:
            self._file(self.app.waczs[rest], "application/wacz+zip", head)
            return
        bundles = replaywebpage_dir()
        if route == "rwp" and rest in BUNDLES and bundles is not None:
            self._file(
                bundles / BUNDLES[rest],
                "application/javascript",
                head,
                [("Service-Worker-Allowed", "/rwp/replay/")],
            )
            return
        if route == "rwp" and rest == "replay/" and bundles is not None:  # before the service worker runs
            self._send(200, REPLAY_INDEX.encode("utf-8"), _HTML, head)
            return
        if route == "rwp" and rest in self.app.waczs:
            if bundles is None:
                self._send(503, _page("ReplayWeb.page missing", escape(missing_note())), _HTML, head)
                return
            url = parse_qs(parts.query).get("url", [None])[0]
            self._send(200, embed_page(rest, url).encode("utf-8"), _HTML, head)
            return
        self._send(404, _page("Not found", f"No package or file at {escape(path)}."), _HTML, head)

    def _file(
        self, path: Path, content_type: str, head: bool, extra: list[tuple[str, str]] | None = None
    ) -> None:
        """A file, whole or the byte range asked for."""
        size = path.stat().st_size
        wanted = byte_range(self.headers.get("Range"), size)
        headers = [("Content-Type", content_type), ("Accept-Ranges", "bytes"), *(extra or [])]
        with path.open("rb") as f:
            if wanted is None:
                body = b"" if head else f.read()
                status = 200
            else:
                first, last = wanted
                f.seek(first)
                body = b"" if head else f.read(last - first + 1)
                headers.append(("Content-Range", f"bytes {first}-{last}/{size}"))
                status = 206
        length = (last - first + 1) if wanted else size
        self._send(status, body, headers, head, length)

    def _replay(self, ts: str, url: str, head: bool) -> None:
        url = re.sub(r"^(https?):/(?!/)", r"\1://", url)  # a proxy or client collapsed the '//'
        moment = parse_timestamp(ts)
        found = self.app.archive.find(url, moment) if moment else None
        if found is None:
            text = f"{escape(url)} is not in the archive: nianbao never captured it."
            self._send(404, _page("Not in the archive", text), _HTML, head)
            return
        status, headers, body = _replayed(found)
        self._send(status, body, headers, head)


_HTML = [("Content-Type", "text/html; charset=utf-8")]


def _replayed(found: Replayed) -> tuple[int, list[tuple[str, str]], bytes]:
    record = found.record
    ts = timestamp_of(found.captured_at)
    if record.body_error:
        text = f"The capture of {escape(found.url)} could not be decoded: {escape(record.body_error)}"
        return 502, _HTML, _page("Capture not readable", text)
    headers: list[tuple[str, str]] = []
    content_type = ""
    for name, value in record.headers:
        low = name.lower()
        if low == "content-type":
            content_type = value
        if low in _KEPT:
            headers.append((name, value))
        elif low == "location":
            target = replay_url(value, found.url, ts)
            headers.append((name, ascii_url(target or value)))
    body = record.body
    if content_type.split(";")[0].strip().lower() in _HTML_TYPES:
        from archive.extract import decode_html

        text, _ = decode_html(body, content_type)
        body = replay_html(text, found.url, ts, found.captured_at, found.revisit_of).encode("utf-8")
        headers = [(n, v) for n, v in headers if n.lower() not in ("content-type", "etag")]
        headers.append(("Content-Type", "text/html; charset=utf-8"))
    headers += [
        ("Content-Security-Policy", REPLAY_CSP),
        ("Memento-Datetime", format_datetime(found.captured_at, usegmt=True)),
        ("Link", f'<{ascii_url(found.url)}>; rel="original"'),
        ("Cache-Control", "no-store"),
    ]
    return record.status or 200, headers, body


def make_server(
    engine: Engine,
    data_dir: Path,
    *,
    registry: dict[str, Any],
    host: str = "127.0.0.1",
    port: int = 8080,
    today: date | None = None,
    waczs: Sequence[Path] = (),
) -> ThreadingHTTPServer:
    """The server, bound but not yet serving (`serve_forever` it, or `shutdown` it from a test)."""
    handler = type("BoundHandler", (Handler,), {"app": App(engine, data_dir, registry, today, waczs)})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as err:
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    server.daemon_threads = True
    return server


def serve(
    engine: Engine,
    data_dir: Path,
    *,
    registry: dict[str, Any],
    host: str = "127.0.0.1",
    port: int = 8080,
    announce: Callable[[str], object] = print,
    waczs: Sequence[Path] = (),
) -> int:
    """Serve until interrupted; announce the address first."""
    server = make_server(engine, data_dir, registry=registry, host=host, port=port, waczs=waczs)
    bound_host, bound_port = server.server_address[:2]
    base = f"http://{bound_host}:{bound_port}"
    announce(f"serving the audit at {base}/ and the archive at /replay/ (Ctrl-C stops)")
    for package in waczs:
        announce(f"{package} in ReplayWeb.page: {base}/rwp/{Path(package).name}")
    if waczs and replaywebpage_dir() is None:
        announce(missing_note())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
