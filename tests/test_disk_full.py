"""A full disk stops the crawl cleanly: a clear message, a non-zero exit (8), the job state intact,
and `--resume` finishes the crawl once space has been freed.

Before, ENOSPC from Scrapy's disk queue came back every five seconds for ever, and the graceful
stop left the resume state empty. The data directory here is a 5 MB tmpfs (mounted by the test,
which needs root: skipped with a message elsewhere, never under CI), grown afterwards with
`mount -o remount,size=…` as a user would free space.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.warcstore import iter_records
from tests.portalgen import build_portal, serve

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "-s", "NIANBAO_BROWSER_ENABLED=False", "-s", "NIANBAO_WARC_MAX_SIZE=300000"]  # fmt: skip


def nianbao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


@contextmanager
def small_disk(tmp_path: Path, size: str) -> Iterator[Path]:
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs under CI: {mounted.stderr.strip()}")
        pytest.skip(f"a tmpfs cannot be mounted here (needs root): {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def grow(mountpoint: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mountpoint)], check=True)


@pytest.mark.parametrize(
    ("disk", "min_free", "enospc"),
    [
        # the writer sees too little room before starting a WARC file, and stops before any ENOSPC
        ("20m", "16000000", False),
        # it is told to need no room, and meets ENOSPC in the middle of writing (WARC, SQLite)
        ("5m", "0", True),
    ],
)
def test_a_full_disk_stops_the_crawl_cleanly_and_resume_finishes_it(
    tmp_path: Path, disk: str, min_free: str, enospc: bool
) -> None:
    portal = build_portal(3, pages=1000, reports=120)
    with small_disk(tmp_path, disk) as mountpoint, serve(portal) as (base, _):
        data = mountpoint / "data"
        stopped = nianbao(
            "crawl", base, "--data", str(data), *FAST, "-s", f"NIANBAO_MIN_FREE_SPACE={min_free}"
        )
        assert stopped.returncode == 8, stopped.stderr[-4000:]
        assert "disk full (exit 8)" in stopped.stderr and "--resume" in stopped.stderr
        assert "Traceback" not in stopped.stderr, stopped.stderr[-4000:]
        met = "No space left on device" in stopped.stderr or "database or disk is full" in stopped.stderr
        assert met == enospc
        assert enospc or "a new WARC file needs" in stopped.stderr
        # the job state is intact: a frontier with work left
        with sqlite3.connect(data / "job" / "frontier.sqlite") as frontier:
            left = frontier.execute("SELECT COUNT(*) FROM requests WHERE state != 'done'").fetchone()[0]
        assert left > 0
        assert list(iter_records(data / "warc"))  # what was archived reads back
        grow(mountpoint, "200m")
        resumed = nianbao("crawl", "--resume", "--data", str(data), *FAST)
        assert resumed.returncode == 0, resumed.stderr[-4000:]
        assert re.search(r"reports found\s*│\s*\d+", resumed.stderr)
        with sqlite3.connect(data / "nianbao.sqlite") as db:
            titles = {t for (t,) in db.execute("SELECT title FROM reports")}
        assert titles == {r.title for r in portal.reports}
        for path in sorted((data / "warc").glob("*.warc.gz")):
            check = subprocess.run(
                [sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True
            )
            assert check.returncode == 0, path
