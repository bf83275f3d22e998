"""Fault injection: a crawl killed with SIGKILL at random points and resumed ends exactly where an
uninterrupted crawl ends, fetches nothing twice that it had archived, and leaves every WARC readable.

Before the frontier, `--resume` after `kill -9` exited 0 with "finished" and a quarter of the
reports (Scrapy's JOBDIR keeps its queue state on a clean close only). Here a generated portal of
1,000 pages (`tests/portalgen.py`) is crawled once without interruption, then again while being
killed at five seeded random points, each followed by `--resume`; the two exports must be equal.
A second test kills the crawl between a WARC write and the database commit of that record, and
checks that the next start stores it.
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
def reference(portal, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    data = tmp_path_factory.mktemp("uninterrupted")
    with serve(portal) as (base, _):
        proc = nianbao("crawl", base, "--data", str(data), *FAST)
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = comparable_export(data, base)
    assert len(records) == len(portal.reports)
    return records


def test_killed_at_random_points_and_resumed_the_crawl_is_exact(portal, reference, tmp_path: Path) -> None:
    data = tmp_path / "killed"
    command = [sys.executable, "-m", "nianbao.cli", "crawl", "--data", str(data), *FAST]
    rng = random.Random(SEED)
    with serve(portal, delay=0.005) as (base, hits):
        total = 520  # about what an uninterrupted crawl of this portal requests
        points = sorted(rng.sample(range(15, total - 15), KILLS))
        killed_at = []
        for n, point in enumerate(points):
            args = [*command, base] if n == 0 else [*command, "--resume"]
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 120
            while sum(hits.snapshot().values()) < point and proc.poll() is None:
                assert time.monotonic() < deadline, "the crawl made no progress"
                time.sleep(0.002)
            time.sleep(rng.random() * 0.05)  # land anywhere: in a write, a commit, a parse…
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at.append(sum(hits.snapshot().values()))
            proc.wait()
        assert len(killed_at) == KILLS, "the crawl ended before every kill point"
        final = nianbao(*command[3:], "--resume")
        fetched = hits.snapshot()
    assert final.returncode == 0, final.stderr[-4000:]
    assert "the crawl is complete" in final.stderr
    assert not (data / "job").exists()
    # the same reports, cell for cell, as the crawl that was never interrupted
    assert comparable_export(data, base) == reference
    # nothing that had a response in the archive was fetched again (robots.txt is re-read per run)
    responses = Counter(r.url for r in iter_records(data / "warc", types=("response",)))
    twice = {url: n for url, n in responses.items() if n > 1 and not url.endswith("/robots.txt")}
    assert not twice, twice
    # what was fetched more than once was in flight at a kill: at most CONCURRENT_REQUESTS a kill
    again = sum(n - 1 for path, n in fetched.items() if n > 1 and path != "/robots.txt")
    assert again <= KILLS * 16, (again, killed_at)
    warcio_check(data / "warc")


KILL_AFTER_WRITE = """
import os, signal, sys
import crawler.ingesting as ingesting

ingest_record = ingesting.ingest_record
victim = sys.argv.pop()

def killed_before_commit(session, record, run):
    if record.url.endswith(victim):
        os.kill(os.getpid(), signal.SIGKILL)  # the record is in the WARC file, not in the database
    return ingest_record(session, record, run)

ingesting.ingest_record = killed_before_commit
from nianbao.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_kill_between_warc_write_and_commit_loses_nothing(portal, reference, tmp_path: Path) -> None:
    data = tmp_path / "data"
    victim = portal.reports[len(portal.reports) // 2]
    with serve(portal) as (base, _):
        killed = subprocess.run(
            [sys.executable, "-c", KILL_AFTER_WRITE, "crawl", base, "--data", str(data), *FAST, victim.path],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        archived = {r.url for r in iter_records(data / "warc")}
        assert base.rstrip("/") + victim.path in archived
        resumed = nianbao("crawl", "--resume", "--data", str(data), *FAST)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    # the one record archived but not stored was stored first, then the crawl went on
    assert re.search(r"archived records caught up into the store\s*│\s*1\s*│", resumed.stderr), resumed.stderr
    assert comparable_export(data, base) == reference


def test_sigterm_stops_with_143_and_says_what_is_left(portal, reference, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(portal, delay=0.01) as (base, hits):
        proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", "crawl", base, "--data", str(data), *FAST],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"},
        )  # fmt: skip
        while sum(hits.snapshot().values()) < 100:
            assert proc.poll() is None, proc.stderr.read()[-3000:] if proc.stderr else ""
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 143, stderr[-3000:]
        left = re.search(r"requests left undone\s*│\s*(\d+)", stderr)
        assert left and int(left.group(1)) > 0, stderr[-3000:]
        assert "terminated (exit 143): stopped by SIGTERM" in stderr and "--resume" in stderr
        resumed = nianbao("crawl", "--resume", "--data", str(data), *FAST)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert comparable_export(data, base) == reference
