"""Crawl throughput with archiving on and off, on a generated portal served on 127.0.0.1.

The portal has LISTINGS listing pages (paged with 下一页 anchors) of PER_PAGE report links each,
so a crawl fetches LISTINGS * (PER_PAGE + 1) pages. It is crawled three times by `nianbao crawl`:

  crawl      — WARC writer and ingestion off: the spider and Scrapy alone
  +warc      — every exchange written to WARC (the archiving cost the brief bounds at < 25 %)
  +ingest    — WARC plus extraction, parsing and the database (the full pipeline)

and prints pages/s for each and the ratios. Politeness is turned off (loopback only).

    python bench/bench_crawl.py [LISTINGS] [PER_PAGE]
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.reportgen import generate  # noqa: E402

LISTINGS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
PER_PAGE = int(sys.argv[2]) if len(sys.argv) > 2 else 15
BODIES = [generate(random.Random(seed), "html").text.encode("utf-8") for seed in range(24)]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=ERROR",
        "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "NIANBAO_PROGRESS_INTERVAL=0", "-s", "NIANBAO_BROWSER_ENABLED=False"]  # fmt: skip
MODES = {
    "crawl": {"crawler.progress.Progress": 500},
    "+warc": {"crawler.archiving.WarcArchiver": 100, "crawler.progress.Progress": 500},
    "+ingest": {
        "crawler.archiving.WarcArchiver": 100,
        "crawler.ingesting.IngestArchive": 110,
        "crawler.progress.Progress": 500,
    },
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path
        if path.startswith("/nb/index"):
            n = int(path.removeprefix("/nb/index").removeprefix("_").removesuffix(".html") or 0)
            title = "临川市第{}局{}年政府信息公开工作年度报告"
            items = "".join(
                f'<li><a href="/nb/art_{n}_{i}.html">{title.format(n, 2015 + i % 10)}</a></li>'
                for i in range(PER_PAGE)
            )
            nxt = f'<a href="/nb/index_{n + 1}.html">下一页</a>' if n + 1 < LISTINGS else ""
            head = "<html><head><meta charset='utf-8'><title>年报</title></head>"
            body = f"{head}<body><ul>{items}</ul>{nxt}</body></html>"
            return self.reply(body.encode())
        if path.startswith("/nb/art_"):
            return self.reply(BODIES[hash(path) % len(BODIES)])
        if path == "/":
            return self.reply(
                "<html><body><a href='/nb/index.html'>政府信息公开年报</a></body></html>".encode()
            )
        self.reply(b"not found", 404)

    def reply(self, body: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def crawl(base: str, mode: str, data: Path) -> tuple[float, int]:
    extensions = json.dumps(MODES[mode])
    started = time.perf_counter()
    command = [sys.executable, "-m", "nianbao.cli", "crawl", base, "--data", str(data), *FAST]
    proc = subprocess.run(
        [*command, "-s", f"EXTENSIONS={extensions}"], capture_output=True, text=True, cwd=ROOT
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    pages = int(next(line.split("│")[2] for line in proc.stderr.splitlines() if "pages fetched" in line))
    return elapsed, pages


def main() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    print(
        f"generated portal: {LISTINGS} listings x {PER_PAGE} reports = {LISTINGS * (PER_PAGE + 1) + 1} pages"
    )
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in MODES:
            elapsed, pages = crawl(base, mode, Path(tmp) / mode)
            rates[mode] = pages / elapsed
            size = (
                sum(f.stat().st_size for f in (Path(tmp) / mode / "warc").glob("*")) if mode != "crawl" else 0
            )
            print(f"{mode:8s} {pages:6d} pages in {elapsed:6.1f} s = {rates[mode]:7.1f} pages/s"
                  + (f"  (WARC {size / 2**20:.1f} MiB)" if size else ""))  # fmt: skip
    httpd.shutdown()
    cost = 1 - rates["+warc"] / rates["crawl"]
    print(f"archiving costs {cost:.1%} of crawl throughput (bound: < 25 %)")
    print(f"full pipeline runs at {rates['+ingest'] / rates['crawl']:.2f}x crawl-only throughput")


if __name__ == "__main__":
    main()
