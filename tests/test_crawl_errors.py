"""Errors in the live crawl's signal handlers count: a download that could not be archived, or an
archived record that could not be ingested, shows in the summary and fails `nianbao crawl`.

Both handlers run under Scrapy's `send_catch_log`, which used to log such an error and go on: the
crawl exited 0 with records missing from the archive or the store, and a page missing from the
archive still had its links followed. The failures are injected in a real crawl over HTTP: the WARC
write of one listing page fails (an I/O error), the ingest of one report fails (database is locked).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from archive.warcstore import iter_records

TITLE = "临水县{}2023年政府信息公开工作年度报告"

FAILING = """
import sys
from archive.warcstore import WarcStore
import crawler.ingesting as ingesting

write_exchange, ingest_record = WarcStore.write_exchange, ingesting.ingest_record

def failing_write(self, exchange):
    if exchange.url.endswith("/list.html"):
        raise OSError(5, "Input/output error")
    return write_exchange(self, exchange)

def failing_ingest(session, record, run, *rest):
    if record.url.endswith("/r1.html"):
        raise RuntimeError("database is locked")
    return ingest_record(session, record, run, *rest)

WarcStore.write_exchange = failing_write
ingesting.ingest_record = failing_ingest
from nianbao.cli import main
sys.exit(main(sys.argv[1:]))
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        pages = {
            "/": [
                ("/r1.html", TITLE.format("水利局")),
                ("/r2.html", TITLE.format("审计局")),
                ("/list.html", "下一页"),
            ],
            "/list.html": [("/r3.html", TITLE.format("林业局"))],
        }
        if self.path in pages:
            links = "".join(f'<p><a href="{href}">{text}</a></p>' for href, text in pages[self.path])
            body = f"<html><body><h1>年报</h1>{links}</body></html>".encode()
        elif self.path in ("/r1.html", "/r2.html", "/r3.html"):
            body = f"<html><body><h1>{TITLE.format(self.path)}</h1><p>一、总体情况</p></body></html>".encode()
        else:
            body = b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


def test_archive_and_ingest_errors_are_counted_and_fail_the_crawl(tmp_path: Path) -> None:
    Handler.hits.clear()
    with server() as base:
        proc = subprocess.run(
            [sys.executable, "-c", FAILING, "crawl", base, "--data", str(tmp_path),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_BROWSER_ENABLED=False"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    # the most serious cause gives the exit code (6: not archived); every cause is said
    assert proc.returncode == 6, proc.stderr[-3000:]
    assert "not archived (exit 6)" in proc.stderr and "not ingested (exit 7)" in proc.stderr
    # each failure is logged with its URL and shows in the summary
    assert f"could not archive {base}list.html" in proc.stderr
    assert f"could not ingest {base}r1.html" in proc.stderr
    summary = proc.stderr[proc.stderr.index("crawl summary") :]
    assert any("not archived" in line and "│ 1 " in line for line in summary.splitlines())
    assert any("not ingested" in line and "│ 1 " in line for line in summary.splitlines())
    assert "nianbao reparse" in summary
    # the page that is not in the archive was not read: its links were not followed
    assert "/list.html" in Handler.hits and "/r3.html" not in Handler.hits
    urls = {record.url for record in iter_records(tmp_path / "warc")}
    assert base + "list.html" not in urls
    # the record that was not ingested is in the archive, where reparse finds it
    assert {base + "r1.html", base + "r2.html"} <= urls
