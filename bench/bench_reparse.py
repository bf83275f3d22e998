"""Benchmark: `reparse` with one worker and with every core, extracting again and reusing kept text.

A generated portal (`tests/portalgen.py`: PAGES HTML pages, REPORTS reports, about one in eight a
DOCX attachment) is written straight to WARC as a crawl would archive it (pages in path order, each
attachment after the page that links it), and ingested once as the crawl does (`catch_up_store`,
serial: it also keeps each page's clean text, as the live crawl does). Then `reparse` runs:

  1 worker,  --re-extract   trafilatura and the DOCX reader run again on every record
  N workers, --re-extract
  1 worker,  kept text      a reparse after a parser-only change: no extraction
  N workers, kept text

printing records/s and reports/s (wall clock), reports per CPU second (every process of the run,
workers included: the per-core rate), the worker count, and the peak RSS of the parent and of the
largest worker. Every run's export (`archive.export.write_jsonl`) must equal the first's.

`--before DIR` also times the reparse of another checkout of the project (e.g. the commit before
this change: `git archive HEAD | tar -x -C DIR`) on its own copy of the archive, for the figures
before and after. Each run is a subprocess of its own, so its CPU time and peak memory are its own.
Not a test: run `python bench/bench_reparse.py [--pages 1500] [--reports 300] [--workers N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

BASE = "http://www.chengchuan.gov.cn"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

# Run in a subprocess with the checkout under test first on sys.path: ingest or reparse DATA, then
# print what it measured as one JSON line (options an older `reparse` lacks are left out).
RUNNER = r"""
import hashlib, inspect, io, json, os, resource, sys, threading, time
sys.path.insert(0, sys.argv[1])

TICK = os.sysconf("SC_CLK_TCK")


class Descendants(threading.Thread):
    # Workers are forked by a forkserver, not by this process: getrusage(RUSAGE_CHILDREN) never sees
    # them. So /proc is read four times a second: each descendant's CPU time and peak RSS (VmHWM).
    def __init__(self):
        super().__init__(daemon=True)
        self.cpu, self.hwm, self.done = {}, {}, False

    def run(self):
        while not self.done:
            self.sample()
            time.sleep(0.25)

    def sample(self):
        parents = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                stat = open(f"/proc/{pid}/stat").read()
                fields = stat[stat.rindex(")") + 2:].split()
                parents[int(pid)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
            except (OSError, ValueError):
                continue
        mine, me = set(), os.getpid()
        for pid in parents:
            chain, p = [], pid
            while p in parents and p != me and p not in mine and len(chain) < 50:
                chain.append(p)
                p = parents[p][0]
            if p == me or p in mine:
                mine.update(chain)
        for pid in mine:
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), parents[pid][1])
            try:
                hwm = [l for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM")]
                self.hwm[pid] = max(self.hwm.get(pid, 0), int(hwm[0].split()[1]) if hwm else 0)
            except OSError:
                pass


if __name__ == "__main__":
    from pathlib import Path
    from archive.db import open_database
    from archive.export import write_jsonl
    data, action, options = Path(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
    engine = open_database(f"sqlite:///{data / 'nianbao.sqlite'}")
    others = Descendants()
    others.start()
    wall, cpu = time.perf_counter(), time.process_time()
    if action == "ingest":
        from archive.catchup import catch_up_store
        counts = catch_up_store(engine, data / "warc")
    else:
        from archive.reparse import prune, reparse
        accepted = inspect.signature(reparse).parameters
        counts = reparse(engine, data / "warc", **{k: v for k, v in options.items() if k in accepted})
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    others.done = True
    out = io.StringIO()
    write_jsonl(engine, out)
    if action == "reparse":
        prune(engine)
    print(json.dumps({
        "counts": dict(counts), "wall": wall, "cpu": cpu, "children_cpu": sum(others.cpu.values()),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mb": max(others.hwm.values(), default=0) / 1024,
        "export": hashlib.sha256(out.getvalue().encode()).hexdigest(), "reports": out.getvalue().count("\n"),
    }))
"""


def write_archive(warc: Path, pages: int, reports: int) -> int:
    """The portal's files as WARC response records, in the order a crawl archives them."""
    from archive.warcstore import HttpExchange, WarcStore
    from tests.portalgen import build_portal

    portal = build_portal(0, pages=pages, reports=reports)
    html = sorted(p for p, (_, ctype) in portal.files.items() if ctype.startswith("text/html"))
    rest = sorted(p for p in portal.files if p not in set(html))
    with WarcStore(warc) as store:
        for n, path in enumerate(html + rest):
            body, ctype = portal.files[path]
            store.write_exchange(
                HttpExchange(
                    url=BASE + path, method="GET", request_headers=[("Host", BASE[7:])], request_body=b"",
                    protocol="HTTP/1.1", status=200, reason="OK", response_headers=[("Content-Type", ctype)],
                    body=body, ip_address=None, fetched_at=T0 + timedelta(seconds=n),
                )
            )  # fmt: skip
    return len(portal.reports)


def run(code: Path, data: Path, action: str, **options: object) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(code), str(data), action, json.dumps(options)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(code)},
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"{action} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def line(label: str, workers: int, m: dict) -> str:
    counts = m["counts"]
    records = sum(v for k, v in counts.items() if k not in ("ocr_pages", "ocr_reused", "extracted",
                                                             "extraction_reused"))  # fmt: skip
    reports = m["reports"]
    cpu = m["cpu"] + m["children_cpu"]
    extracted = counts.get("extracted", "-")
    return (
        f"{label:34s} {workers:2d}  {m['wall']:7.2f} s  {records / m['wall']:7.1f} rec/s  "
        f"{reports / m['wall']:6.1f} rep/s  {reports / cpu:6.1f} rep/CPU-s  extracted {extracted!s:>4}  "
        f"RSS {m['rss_mb']:5.0f} MB (worker {m['worker_rss_mb']:4.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--before", type=Path, help="another checkout, timed on its own copy of the archive")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reparse-") as tmp:
        data = Path(tmp) / "after"
        started = time.perf_counter()
        expected = write_archive(data / "warc", args.pages, args.reports)
        took = time.perf_counter() - started
        print(f"archive: {args.pages} pages, {expected} reports, written in {took:.1f} s")
        results: list[tuple[str, int, dict]] = []
        if args.before:
            old = Path(tmp) / "before"
            shutil.copytree(data / "warc", old / "warc")
            run(args.before, old, "ingest")
            results.append(("before: reparse", 1, run(args.before, old, "reparse")))
        ingest = run(ROOT, data, "ingest")
        print(
            f"initial ingest (the crawl's path, serial): {ingest['wall']:.1f} s, {ingest['reports']} reports"
        )
        n = args.workers
        results.append(("after: --re-extract", 1, run(ROOT, data, "reparse", workers=1, re_extract=True)))
        results.append(("after: --re-extract", n, run(ROOT, data, "reparse", workers=n, re_extract=True)))
        results.append(("after: kept text (parser change)", 1, run(ROOT, data, "reparse", workers=1)))
        results.append(("after: kept text (parser change)", n, run(ROOT, data, "reparse", workers=n)))
        print(f"{'':34s} {'w':>2s}  {'wall':>9s}")
        for label, workers, m in results:
            print(line(label, workers, m))
        exports = {m["export"] for _, _, m in results} | {ingest["export"]}
        same = "yes" if len(exports) == 1 else f"NO ({len(exports)} different)"
        print(f"identical exports: {same}; reports exported: {results[-1][2]['reports']} of {expected}")


if __name__ == "__main__":
    main()
