"""A crawl of a hostile portal: every report link misbehaves in its own way (`tests/hostile/portal.py`,
written from the spec by someone who had not read the crawler), and the crawl must survive each with
bounded memory and time, store the one healthy report, and leave a failure with a clear reason for
every other link, so that the audit says "found, not readable" and never "missing".

The cases: empty, garbage and undecodable bodies; bodies over the size limit, with and without
Content-Length; a gzip bomb; a zip-bomb DOCX; a PDF bomb; a 50,000-page PDF; a page nested 5,000
elements deep; a UTF-16 page without BOM (read correctly: it is a report); a timeout; a connection
cut mid-body; 503 and 429 for ever; a DNS failure; two TLS failures. The crawl runs as `nianbao
crawl` in a child process, whose peak memory (its rusage, descendants included) is measured.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.hostile.portal import (
    CASES,
    EXTRA_CASES,
    HEALTHY_TITLE,
    MAY_SUCCEED,
    MISLEADING,
    crawl_settings,
    report_url,
    serve_hostile,
    start_urls,
)

GiB = 2**30
# Small bounds, so a hostile document is stopped fast: a converter gets 20 s and 768 MiB.
LIMITS = {"NIANBAO_CONVERSION_TIMEOUT": "20", "NIANBAO_CONVERSION_MEMORY_MB": "768"}


def crawl(args: list[str], timeout: float) -> tuple[subprocess.CompletedProcess[str], int, float]:
    """`nianbao ARGS` in a child; (result, its peak RSS in bytes, seconds).

    The peak is the child's own rusage from wait4(), which covers the children it waited for.
    Converters run in a sandbox process capped at 768 MiB of address space (`LIMITS`).
    """
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", *args], stdout=out, stderr=err, env={**os.environ, **LIMITS}
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode == -9:
        pytest.fail(f"nianbao {args[0]} did not end within {timeout} s:\n{stderr[-3000:]}")
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    return result, usage.ru_maxrss * 1024, time.monotonic() - started


def rows(data: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data / "nianbao.sqlite") as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("hostile")
    with serve_hostile(timeout_after=30, extras=True) as (base, log):
        result, peak, seconds = crawl(
            ["crawl", *start_urls(base), "--data", str(data), *crawl_settings(RETRY_BACKOFF_BASE="0.2")],
            timeout=420,
        )
        urls = {path: report_url(base, path) for path in {**CASES, **EXTRA_CASES}}
    return data, result, peak, seconds, urls, log


def test_the_crawl_survives_with_bounded_memory_and_time(hostile) -> None:
    _, result, peak, seconds, _, _ = hostile
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    assert peak < 1 * GiB, f"peak memory {peak / 2**20:.0f} MiB"
    assert seconds < 360, seconds
    # it finished, with requests given up on (timeouts, cut connections, 503/429, DNS, TLS): exit 5
    assert result.returncode == 5, result.stderr[-4000:]
    assert "requests were given up on" in result.stderr


def test_the_healthy_report_is_stored(hostile) -> None:
    data = hostile[0]
    assert [t for (t,) in rows(data, "SELECT title FROM reports")].count(HEALTHY_TITLE) == 1


def test_every_hostile_report_link_leaves_a_failure_with_its_reason(hostile) -> None:
    data, _, _, _, urls, _ = hostile
    failures: dict[str, list[str]] = {}
    for url, stage, reason in rows(data, "SELECT url, stage, reason FROM failures"):
        failures.setdefault(url, []).append(f"{stage}: {reason}")
    stored = {url for (url,) in rows(data, "SELECT url FROM reports")}
    problems = []
    for path, (what, keywords) in {**CASES, **EXTRA_CASES}.items():
        url = urls[path]
        reasons = failures.get(url, [])
        # a document that may be read: stored, or read and found to be no report (a parse failure)
        if path in MAY_SUCCEED and (url in stored or any(r.startswith("parse: ") for r in reasons)):
            continue
        if not any(k in r.lower() for r in reasons for k in keywords):
            problems.append(f"{path} ({what}): {reasons or 'no failure recorded'}")
        if any(m in r for r in reasons for m in MISLEADING):
            problems.append(f"{path}: misleading reason {reasons}")
    assert not problems, "\n".join(problems)


def test_a_utf16_page_without_bom_is_read_as_the_report_it_is(hostile) -> None:
    data, _, _, _, urls, _ = hostile
    stored = {url: title for url, title in rows(data, "SELECT url, title FROM reports")}
    assert "住房和城乡建设局" in (stored.get(urls["/zfxxgknb/utf16.html"]) or "")


def test_every_failed_fetch_is_in_the_archive_as_a_metadata_record(hostile) -> None:
    from archive.unreadable import warc_fields
    from archive.warcstore import iter_records

    data, _, _, _, urls, _ = hostile
    fetch_errors = {r.url: warc_fields(r.body) for r in iter_records(data / "warc", types=("metadata",))}
    for path in ("/zfxxgknb/timeout.html", "/zfxxgknb/cut.html", "/zfxxgknb/busy-503.html"):
        fields = fetch_errors[urls[path]]
        assert fields["link-kind"] == "report" and fields["fetch-error"], fields
    assert fetch_errors[urls["/zfxxgknb/busy-503.html"]]["http-status"] == "503"


def test_reparse_meets_the_same_documents_with_the_same_bounds(hostile, tmp_path: Path) -> None:
    data = hostile[0]
    before = sorted(rows(data, "SELECT url, stage, reason FROM failures"))
    result, peak, seconds = crawl(["reparse", "--data", str(data)], timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert peak < 1 * GiB and seconds < 240
    after = rows(
        data,
        "SELECT f.url, f.stage, f.reason FROM failures f JOIN parse_runs r ON f.parse_run_id = r.id "
        "WHERE r.kind = 'reparse'",
    )
    # the reparse records the same failures from the archive alone (fetch errors from their records)
    assert sorted(after) == before
