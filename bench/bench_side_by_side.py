"""Benchmark (issue 12): `nianbao crawl` side by side with a plain Scrapy spider, then reparse and re-crawl.

A generated county portal (`tests/portalgen.py`: PAGES HTML pages, REPORTS reports, a DOCX
attachment for about one report in eight) is served on 127.0.0.1 as nginx serves a CMS's static
pages: HTTP/1.1 keep-alive, gzip when asked, ETag and 304 to `If-None-Match`. In one run:

1. a plain Scrapy spider (`scrapy runspider`, no pipeline) follows every same-host link;
2. `nianbao crawl` of the same portal, with the same concurrency (16, politeness off), into a fresh
   data directory: it returns once every archived record is ingested;
3. `nianbao reparse` of that archive, kept readings (a parser-only change) and `--re-extract`,
   each with one worker (its CPU time is the per-core rate: every process of the run is measured)
   and with every core (wall time; the pool's workers are the forkserver's children, whose CPU
   `wait4` never sees, so no CPU figure is printed for them);
4. `nianbao crawl` of the unchanged portal again, into the same data directory.

It prints: the crawl throughput ratio nianbao ÷ plain Scrapy (wall time; nianbao's until every
report is in the database, checked against the portal's list), CPU ms per page for both (every
process of the run: the crawl's ingest workers included), reparse reports/s and reports per CPU
second with the worker count, the peak RSS of each run's largest process, and the bytes the
re-crawl transferred ÷ the first crawl's. Each run is a subprocess of its own, measured with
`wait4`. Not a test: `python bench/bench_side_by_side.py [--pages 3000] [--reports 300]`.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.portalgen import LAST_MODIFIED, Portal, build_portal  # noqa: E402

CONCURRENCY = 16
NIANBAO_SETTINGS = [
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=ERROR",
    "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}",
    "-s", "NIANBAO_PROGRESS_INTERVAL=0", "-s", "NIANBAO_BROWSER_ENABLED=False",
]  # fmt: skip

PLAIN_SPIDER = '''
from urllib.parse import urlsplit
import scrapy
from scrapy.linkextractors import LinkExtractor


class Plain(scrapy.Spider):
    """Every same-host page, nothing kept: the floor a crawler of this portal cannot go below."""

    name = "plain"
    custom_settings = {
        "CONCURRENT_REQUESTS": %(concurrency)d, "CONCURRENT_REQUESTS_PER_DOMAIN": %(concurrency)d,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }

    def __init__(self, start: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        # The netloc: Scrapy compares a link's host with its port to the allowed domains.
        self.links = LinkExtractor(allow_domains=[urlsplit(start).netloc], deny_extensions=[])

    def parse(self, response):
        if not hasattr(response, "text"):
            return
        for link in self.links.extract_links(response):
            yield response.follow(link.url, self.parse)
'''


class Sent:
    """Bytes the server sent (bodies and headers), under a lock: the portal's threads add to it."""

    def __init__(self) -> None:
        self.bytes = 0
        self.requests = 0
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        with self._lock:
            self.bytes += n
            self.requests += 1

    def take(self) -> tuple[int, int]:
        with self._lock:
            out = (self.bytes, self.requests)
            self.bytes = self.requests = 0
            return out


def serve(portal: Portal, sent: Sent) -> tuple[ThreadingHTTPServer, str]:
    gzipped = {path: gzip.compress(body, 6, mtime=0) for path, (body, _) in portal.files.items()}
    etags = {path: f'"{zlib.crc32(body):08x}-{len(body):x}"' for path, (body, _) in portal.files.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = urlsplit(self.path).path or "/"
            key = path + "index.html" if path.endswith("/") else path
            found = portal.files.get(key)
            if found is None:
                self.reply(404, b"<html><body>404 Not Found</body></html>", "text/html", {})
                return
            body, kind = found
            headers = {"ETag": etags[key], "Last-Modified": LAST_MODIFIED, "Vary": "Accept-Encoding"}
            if etags[key] in (self.headers.get("If-None-Match") or ""):
                self.reply(304, b"", None, headers)
                return
            if "gzip" in (self.headers.get("Accept-Encoding") or "") and not kind.startswith("image/"):
                headers["Content-Encoding"] = "gzip"
                body = gzipped[key]
            self.reply(200, body, kind, headers)

        def reply(self, status: int, body: bytes, kind: str | None, headers: dict[str, str]) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            head = 17 + len(kind or "") + sum(len(k) + len(v) + 4 for k, v in headers.items()) + 60
            sent.add(len(body) + head)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    bytes: int
    requests: int
    output: str


def run(command: list[str], sent: Sent, cwd: Path | None = None) -> Run:
    """`command` as a child; its wall time, CPU time and peak RSS (its descendants included)."""
    sent.take()
    start = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd, env=env
    )
    output = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{output[-3000:]}")
    transferred, requests = sent.take()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, transferred, requests, output)


def stored_reports(data: Path) -> set[str]:
    with sqlite3.connect(data / "nianbao.sqlite") as db:
        return {urlsplit(url).path for (url,) in db.execute("select url from reports")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--fill-reports-column", action="store_true",
        help="the pages beyond the fixed sections are notices in the 年报 column, which nianbao must "
        "fetch (not news it skips): for the peak RSS of a crawl that fetches nearly every page",
    )  # fmt: skip
    args = parser.parse_args()
    fill = "reports column" if args.fill_reports_column else "news"
    portal = build_portal(0, pages=args.pages, reports=args.reports, fill=fill)
    sent = Sent()
    server, base = serve(portal, sent)
    nianbao = [sys.executable, "-m", "nianbao.cli"]
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        spider = Path(tmp) / "plain.py"
        spider.write_text(PLAIN_SPIDER % {"concurrency": CONCURRENCY}, encoding="utf-8")
        data = Path(tmp) / "data"
        # Outside the project (its scrapy.cfg would give the plain spider nianbao's components).
        plain = run(
            [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"start={base}"], sent, Path(tmp)
        )
        first = run([*nianbao, "crawl", base, "--data", str(data), *NIANBAO_SETTINGS], sent)
        found = stored_reports(data)
        expected = {r.path for r in portal.reports}
        reparses = {}
        for name, extra in (("reparse, kept readings", []), ("reparse --re-extract", ["--re-extract"])):
            for workers in sorted({1, args.workers}):
                command = [*nianbao, "reparse", "--data", str(data), "--workers", str(workers), *extra]
                reparses[name, workers] = run(command, sent)
        second = run([*nianbao, "crawl", base, "--data", str(data), *NIANBAO_SETTINGS], sent)
    server.shutdown()

    reports = len(found)
    print(f"portal: {portal.page_count} pages, {len(portal.reports)} reports, {portal.size / 2**20:.1f} MiB")
    print(
        f"plain Scrapy:   {plain.wall:6.1f} s  {plain.requests} requests  "
        f"{1000 * plain.cpu / max(plain.requests, 1):5.1f} CPU ms/request  peak RSS {plain.rss_mb:.0f} MB"
    )
    print(
        f"nianbao crawl:  {first.wall:6.1f} s  {first.requests} requests  "
        f"{1000 * first.cpu / max(first.requests, 1):5.1f} CPU ms/request  peak RSS {first.rss_mb:.0f} MB"
    )
    print(
        f"  reports stored when it returned: {len(found & expected)} of {len(expected)}"
        f" (missing {len(expected - found)}, extra {len(found - expected)})"
    )
    print(f"crawl throughput ratio nianbao / plain:   {plain.wall / first.wall:.2f}x  (target >= 0.8)")
    for (name, workers), r in reparses.items():
        per_core = f"{reports / r.cpu:6.1f} reports/CPU-s (target >= 100)" if workers == 1 else " " * 36
        print(
            f"{name:22} {workers} worker{'s' if workers > 1 else ' '}: {reports / r.wall:6.1f} reports/s  "
            f"{per_core}  peak RSS {r.rss_mb:.0f} MB"
        )
    print(f"re-crawl of the unchanged portal: {second.bytes / max(first.bytes, 1):.1%} of the first crawl's "
          f"bytes ({second.bytes / 2**20:.1f} of {first.bytes / 2**20:.1f} MiB; target < 10%), "
          f"{second.wall:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
