"""Politeness and safety over real HTTP: robots.txt, an honest User-Agent, retries with backoff,
scope and private addresses (links and redirects), download size limits."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import ClassVar

from archive.warcstore import iter_records
from crawler.retry import backoff_delay

TITLE = "临水县{}2023年政府信息公开工作年度报告"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: ClassVar[Counter[str]] = Counter()
    agents: ClassVar[list[str]] = []
    port = 0

    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for k, v in {"Content-Type": "text/html; charset=utf-8", **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        type(self).hits[self.path] += 1
        type(self).agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
        if self.path == "/":
            links = [
                ("/flaky.html", TITLE.format("水利局")),
                ("/private/report.html", TITLE.format("审计局")),
                (f"http://127.0.0.2:{self.port}/other.html", TITLE.format("林业局")),
                ("/to-private.html", TITLE.format("民政局")),
                ("/to-offsite.html", TITLE.format("交通局")),
                ("/huge.pdf", TITLE.format("财政局")),
            ]
            body = "".join(f'<p><a href="{href}">{text}</a></p>' for href, text in links)
            return self.send(200, f"<html><body><h1>年报</h1>{body}</body></html>".encode())
        if self.path == "/flaky.html":
            if type(self).hits[self.path] <= 2:
                return self.send(503, b"busy", {"Retry-After": "1"})
            return self.send(200, b"<html><body><h1>ok</h1></body></html>")
        if self.path == "/to-private.html":
            return self.send(302, b"", {"Location": "http://10.255.255.1/report.html"})
        if self.path == "/to-offsite.html":
            return self.send(301, b"", {"Location": "http://www.example.gov.cn/report.html"})
        if self.path == "/huge.pdf":
            return self.send(200, b"%PDF-1.4\n" + b"0" * 300_000, {"Content-Type": "application/pdf"})
        return self.send(404, b"not found")


@contextmanager
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{Handler.port}/"
    finally:
        httpd.shutdown()


def test_backoff_delays() -> None:
    assert [backoff_delay(n, 2.0, 120.0) for n in range(4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff_delay(10, 2.0, 120.0) == 120.0
    assert backoff_delay(0, 0.5, 120.0, "5") == 5.0  # the server's Retry-After wins when longer
    assert backoff_delay(0, 0.5, 3.0, "3600") == 3.0  # but never past the cap


def test_polite_and_in_scope_over_http(tmp_path: Path) -> None:
    Handler.hits.clear()
    Handler.agents.clear()
    with server() as base:
        proc = subprocess.run(
            [sys.executable, "-m", "nianbao.cli", "crawl", base, "--data", str(tmp_path),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.2",
             "-s", "DOWNLOAD_MAXSIZE=100000", "-s", "DOWNLOAD_WARNSIZE=50000"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    # huge.pdf (over the size limit) was given up on: exit 5
    assert proc.returncode == 5, proc.stderr[-3000:]
    # robots.txt read first and obeyed
    assert Handler.hits["/robots.txt"] == 1 and Handler.hits["/private/report.html"] == 0
    assert re.search(r"refused by robots\.txt\s*│\s*1\s*│", proc.stderr), proc.stderr[
        -3000:
    ]  # in the summary
    # an honest User-Agent naming the project
    assert all(agent.startswith("nianbao/") for agent in Handler.agents)
    # retried with backoff: three attempts, spaced by at least the server's Retry-After
    assert Handler.hits["/flaky.html"] == 3
    attempts = sorted(r.fetched_at for r in iter_records(tmp_path / "warc") if r.url.endswith("/flaky.html"))
    assert len(attempts) == 3
    assert all((b - a).total_seconds() >= 0.95 for a, b in pairwise(attempts))
    # redirects to a private address or another host are not followed; other hosts' links neither
    urls = {r.url for r in iter_records(tmp_path / "warc")}
    assert not any("10.255.255.1" in u or "example.gov.cn" in u or "127.0.0.2" in u for u in urls)
    assert base + "to-private.html" in urls and base + "to-offsite.html" in urls  # the redirects themselves
    # a download over the size limit is dropped, not archived; the archive says why
    assert base + "huge.pdf" not in urls
    failed = {r.url: r.body for r in iter_records(tmp_path / "warc", types=("metadata",))}
    assert b"fetch-error-kind: too_large" in failed[base + "huge.pdf"]
    # a report link robots.txt forbids is not fetched, and the archive says so
    assert b"fetch-error-kind: robots" in failed[base + "private/report.html"]
    assert base + "flaky.html" not in failed  # it answered on its third attempt
