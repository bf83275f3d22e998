"""Fault injection: a crawl killed with SIGKILL at random points and resumed ends exactly where an
uninterrupted crawl ends, fetches nothing twice that it had archived, and leaves every WARC readable.

Before the frontier, `--resume` after `kill -9` exited 0 with "finished" and a quarter of the
reports (Scrapy's JOBDIR keeps its queue state on a clean close only). Here a generated portal of
1,000 pages (`tests/portalgen.py`) is crawled once without interruption, then again while being
stopped seven times (a kill between a WARC write and its database commit, SIGKILL at five seeded
random points, SIGTERM), each followed by `--resume`; the two exports must be equal.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from archive.warcstore import iter_records
from tests.portalgen import build_portal, serve

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "-s", "NIANBAO_BROWSER_ENABLED=False", "-s", "NIANBAO_WARC_MAX_SIZE=400000"]  # fmt: skip
KILLS = 5
SEED = 20261202


def nianbao(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},  # the summary's rows unwrapped
    )  # fmt: skip


def comparable_export(data: Path, base: str) -> list[dict]:
    """The export without what differs between two crawls of the same site: the port it was served
    on, capture times."""
    proc = nianbao("export", "--data", str(data))
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = [json.loads(line.replace(base.rstrip("/"), "BASE")) for line in proc.stdout.splitlines()]
    for record in records:
        record.pop("first_seen", None)
    return sorted(records, key=lambda r: r["url"])


def warcio_check(warc: Path) -> None:
    for path in sorted(warc.glob("*.warc.gz")):
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True)
        assert check.returncode == 0, (path, check.stdout[-500:])


@pytest.fixture(scope="module")
def portal():
    return build_portal(0, pages=1000, reports=120)


@pytest.fixture(scope="module")
def reference(portal, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], int]:
    """The export of an uninterrupted crawl, and how many requests it made."""
    data = tmp_path_factory.mktemp("uninterrupted")
    with serve(portal) as (base, hits):
        proc = nianbao("crawl", base, "--data", str(data), *FAST)
        fetched = hits.snapshot()
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = comparable_export(data, base)
    assert len(records) == len(portal.reports)
    # the portal's empty 年报 columns each send the fallback chain to the script every page links:
    # it is read for each of them, and fetched once
    assert "column_empty" in proc.stderr
    assert fetched["/js/common.js"] == 1, fetched["/js/common.js"]
    return records, sum(fetched.values())


KILL_AFTER_WRITE = """
import os, signal, sys
import crawler.ingesting as ingesting

ingest_record = ingesting.ingest_record

def killed_before_commit(session, record, run, *rest):
    result = ingest_record(session, record, run, *rest)
    if result.outcome == "report":  # the first report: read, parsed, stored, not yet committed
        print(f"victim: {record.url}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return result

ingesting.ingest_record = killed_before_commit
from nianbao.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_until(args: list[str], hits, point: int, rng: random.Random) -> subprocess.Popen[str]:
    """Start `args` and return once the portal has served `point` requests in all (or it ended)."""
    proc = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    deadline = time.monotonic() + 120
    while sum(hits.snapshot().values()) < point and proc.poll() is None:
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.002)
    time.sleep(rng.random() * 0.05)  # land anywhere: in a write, a commit, a parse…
    return proc


def test_interrupted_every_way_and_resumed_the_crawl_is_exact(portal, reference, tmp_path: Path) -> None:
    """One crawl, stopped seven times before it may finish:

    1. killed between the WARC write of a report page and its database commit (injected);
    2-6. killed with SIGKILL at five seeded random points;
    7. stopped with SIGTERM (exit 143, saying what is left);

    each followed by `--resume`. The last resume finishes, and the crawl is the uninterrupted one.
    """
    data = tmp_path / "data"
    command = [sys.executable, "-m", "nianbao.cli", "crawl", "--data", str(data), *FAST]
    rng = random.Random(SEED)
    records, total = reference
    with serve(portal, delay=0.005) as (base, hits):
        # 1. the injected kill, in the commit of the first report: archived, not stored
        killed = subprocess.run(
            [sys.executable, "-c", KILL_AFTER_WRITE, *command[3:], base],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        victim_url = re.search(r"victim: (\S+)", killed.stderr).group(1)
        assert victim_url in {r.url for r in iter_records(data / "warc")}
        start = sum(hits.snapshot().values())
        assert total - start > 100, (start, total)  # room for the kills to come
        # 2-6. SIGKILL at random points (counted in requests served)
        points = sorted(rng.sample(range(start + 10, total - 10), KILLS + 1))
        killed_at = []
        for point in points[:KILLS]:
            proc = run_until([*command, "--resume"], hits, point, rng)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at.append(sum(hits.snapshot().values()))
            proc.communicate()
        assert len(killed_at) == KILLS, "the crawl ended before every kill point"
        # 7. SIGTERM: a clean stop, exit 143, and the summary says what is left
        proc = run_until([*command, "--resume"], hits, points[KILLS], rng)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 143, stderr[-3000:]
        left = re.search(r"requests left undone\s*│\s*(\d+)", stderr)
        assert left and int(left.group(1)) > 0, stderr[-3000:]
        assert "terminated (exit 143): stopped by SIGTERM" in stderr and "--resume" in stderr
        final = nianbao(*command[3:], "--resume")
        fetched = hits.snapshot()
    assert final.returncode == 0, final.stderr[-4000:]
    assert "the crawl is complete" in final.stderr
    assert not (data / "job").exists()
    # the same reports, cell for cell, as the crawl that was never interrupted (the victim included)
    assert comparable_export(data, base) == records
    # nothing that had a response in the archive was fetched again (robots.txt is re-read per run)
    responses = Counter(r.url for r in iter_records(data / "warc", types=("response",)))
    twice = {url: n for url, n in responses.items() if n > 1 and not url.endswith("/robots.txt")}
    assert not twice, twice
    # so the victim, archived once before the kill and never fetched again, reached the store from
    # the archive: the catch-up at the next start
    assert responses[victim_url] == 1
    assert victim_url.replace(base.rstrip("/"), "BASE") in {r["url"] for r in records}
    # what was fetched more than once was in flight at a kill: at most CONCURRENT_REQUESTS a kill
    again = sum(n - 1 for path, n in fetched.items() if n > 1 and path != "/robots.txt")
    assert again <= (KILLS + 1) * 16, (again, killed_at)
    warcio_check(data / "warc")
