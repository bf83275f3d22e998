"""Backoff without holding download slots: a host that answers 503 waits, the others crawl on.

The retry middleware used to sleep inside `process_response`, so each waiting retry kept one of
CONCURRENT_REQUESTS busy for up to RETRY_BACKOFF_MAX seconds, and a few failing hosts stalled the
whole crawl. With one request allowed at a time, a busy host A and a healthy host B: B's pages must
all be fetched while A's retries wait, and A's attempts still be spaced by its Retry-After.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

RETRY_AFTER = 3
TITLE = "临水县{}2023年政府信息公开工作年度报告"
A_PAGES = [f"/a{n}.html" for n in range(4)]
B_PAGES = [f"/b{n}.html" for n in range(6)]


def handler(pages: list[str], busy: bool, log: list[tuple[str, float]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "text/html; charset=utf-8")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            log.append((self.path, time.monotonic()))
            if self.path == "/robots.txt":
                return self.send(404, b"")
            if self.path == "/":
                links = "".join(f'<p><a href="{p}">{TITLE.format(p[1:-5])}</a></p>' for p in pages)
                return self.send(200, f"<html><body><h1>年报</h1>{links}</body></html>".encode())
            if self.path in pages and busy:
                return self.send(503, b"busy", {"Retry-After": str(RETRY_AFTER)})
            return self.send(200, f"<html><body><h1>{TITLE.format(self.path)}</h1></body></html>".encode())

    return Handler


@contextmanager
def serve(host: str, handler_class: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    httpd = ThreadingHTTPServer((host, 0), handler_class)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


def test_a_host_in_backoff_does_not_block_another_hosts_pages(tmp_path: Path) -> None:
    a_log: list[tuple[str, float]] = []
    b_log: list[tuple[str, float]] = []
    with (
        serve("127.0.0.1", handler(A_PAGES, True, a_log)) as a,
        serve("127.0.0.2", handler(B_PAGES, False, b_log)) as b,
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "nianbao.cli", "crawl", a, b, "--data", str(tmp_path),
             "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "RETRY_BACKOFF_BASE=0.2", "-s", "NIANBAO_BROWSER_ENABLED=False"],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    # the busy host's pages were given up on (exit 5, said in the summary), kept for a resume
    assert proc.returncode == 5, proc.stderr[-3000:]
    assert "4 requests were given up on; a resume tries 4 of them again" in proc.stderr
    a_attempts = {page: [t for path, t in a_log if path == page] for page in A_PAGES}
    # every busy page was tried three times (RETRY_TIMES=2), spaced by at least its Retry-After
    assert all(len(times) == 3 for times in a_attempts.values()), a_attempts
    assert all(b - a >= RETRY_AFTER - 0.05 for times in a_attempts.values() for a, b in pairwise(times))
    # the healthy host was crawled in full while the busy host's retries waited: the first retry
    # of A comes after the last of B's pages, although one request at a time is all the crawl may send
    b_times = [t for path, t in b_log if path in B_PAGES]
    assert sorted(path for path, _ in b_log if path in B_PAGES) == sorted(B_PAGES)
    first_retry = min(times[1] for times in a_attempts.values())
    assert max(b_times) < first_retry
    assert "Traceback" not in proc.stderr and "Unhandled" not in proc.stderr, proc.stderr[-3000:]


def test_retries_waiting_when_the_crawl_is_stopped_are_kept_for_resume(tmp_path: Path) -> None:
    log: list[tuple[str, float]] = []
    busy = {"on": True}

    class Flaky(handler(A_PAGES[:1], True, log)):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:
            if self.path == A_PAGES[0] and not busy["on"]:
                log.append((self.path, time.monotonic()))
                return self.send(200, f"<html><body><h1>{TITLE.format('水利局')}</h1></body></html>".encode())
            return super().do_GET()

    command = [sys.executable, "-m", "nianbao.cli", "crawl", "--data", str(tmp_path),
               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.2",
               "-s", "NIANBAO_BROWSER_ENABLED=False"]  # fmt: skip
    with serve("127.0.0.1", Flaky) as a:
        crawl = subprocess.Popen([*command, a], stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(path == A_PAGES[0] for path, _ in log) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the retry is now waiting for its Retry-After
        crawl.send_signal(signal.SIGINT)
        _, stderr = crawl.communicate(timeout=60)
        assert crawl.returncode == 130 and "--resume" in stderr, stderr[-3000:]
        # the waiting retry is in the frontier on disk, pending with its not-before time
        with sqlite3.connect(tmp_path / "job" / "frontier.sqlite") as frontier:
            waiting = frontier.execute(
                "SELECT url, not_before FROM requests WHERE state = 'pending'"
            ).fetchall()
        assert [(url.removeprefix(a.rstrip("/")), bool(t)) for url, t in waiting] == [(A_PAGES[0], True)]
        busy["on"] = False
        resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    attempts = [t for path, t in log if path == A_PAGES[0]]
    assert len(attempts) == 2, log  # the retry was not lost, nor sent before its time
    assert attempts[1] - attempts[0] >= RETRY_AFTER - 0.05
    assert not (tmp_path / "job").exists()  # finished
