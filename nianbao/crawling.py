"""Run one crawl in this process, and report how it ended: the crawl half of `nianbao crawl` and `demo`.

Before Scrapy starts, the archive is made whole: `.open` WARC files a killed crawl left are recovered
(their torn tail cut off), a torn staging file is removed. The job directory (`DATA/job`) holds the
crawl plan (start URLs, hosts, settings; owner-only, it may hold a `--db` password) and the
frontier (`crawler.frontier`), which the scheduler resumes. The store catches up with the archive
when the ingest extension starts (`archive.catchup`).

After Scrapy stops, `crawl_outcome` decides what happened from the stats (see `nianbao.outcome` for
the exit codes); the job directory is dropped only when the frontier has nothing left to do.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from rich.console import Console
from rich.table import Table

from nianbao.outcome import CrawlOutcome, ExitCode, crawl_outcome

__all__ = [
    "JOB_DIR",
    "PLAN_FILE",
    "CrawlResult",
    "clean_job",
    "load_plan",
    "print_crawl_summary",
    "run_crawl",
]

JOB_DIR = "job"  # in the data directory: the state of a crawl that has not finished
PLAN_FILE = "nianbao-plan.json"
FRONTIER_FILES = ("frontier.sqlite", "frontier.sqlite-wal", "frontier.sqlite-shm")

err_console = Console(stderr=True)


@dataclass(frozen=True)
class CrawlResult:
    stats: dict[str, Any]
    outcome: CrawlOutcome


def say(text: str, style: str | None = None) -> None:
    err_console.print(text, markup=False, soft_wrap=True, style=style)


def load_plan(job: Path) -> dict[str, Any]:
    """The plan of the crawl pending in `job`; FileNotFoundError when there is none."""
    return json.loads((job / PLAN_FILE).read_text(encoding="utf-8"))


def save_plan(job: Path, plan: dict[str, Any]) -> None:
    """Write the plan owner-only (it holds the --db URL, which may carry a password)."""
    job.mkdir(parents=True, exist_ok=True)
    fd = os.open(job / PLAN_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when an older plan file was left readable
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(plan, ensure_ascii=False))


def clean_job(job: Path) -> list[str]:
    """Remove what a stopped crawl left in `job` besides its plan and frontier (Scrapy JOBDIR queues
    of older versions, stray temporary files); returns the names removed."""
    if not job.is_dir():
        return []
    removed = []
    for path in sorted(job.iterdir()):
        if path.name in (PLAN_FILE, *FRONTIER_FILES):
            continue
        shutil.rmtree(path) if path.is_dir() else path.unlink()
        removed.append(path.name)
    return removed


def recover_archive(warc_dir: Path) -> None:
    """Make every WARC file a killed crawl left readable before anything reads or writes the archive."""
    from archive.warcstore import RecoveryError, discard_staging, recover

    if not warc_dir.is_dir():
        return
    for part in discard_staging(warc_dir):  # a torn warcinfo at most
        say(f"removed {part.name} (killed while starting a WARC file)")
    for stale in sorted(warc_dir.glob("*.warc.gz.open")):  # left by a crawl that was killed
        try:
            recovered = recover(stale)
        except RecoveryError as err:  # nothing complete in it (killed before its first record)
            damaged = warc_dir / "damaged"
            damaged.mkdir(exist_ok=True)
            stale.rename(damaged / stale.name)
            say(f"set aside {stale.name}: {err}")
            continue
        say(f"recovered {stale.name} → {recovered.name}")


def run_crawl(
    urls: list[str],
    data: Path,
    *,
    db: str | None = None,
    allowed_hosts: list[str] | None = None,
    overrides: dict[str, Any] | None = None,
    resume: bool = False,
) -> CrawlResult:
    """Run one crawl to its end in this process (a Twisted reactor runs once per process).

    The caller holds the data directory's lock (`nianbao.cli.data_lock`).
    """
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings.crawl")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.archiving import warc_directory
    from crawler.frontier import FRONTIER_FILE, job_directory
    from crawler.spiders.portal import PortalSpider

    settings = get_project_settings()
    settings.set("NIANBAO_DATA", str(data), priority="cmdline")
    if db:
        settings.set("NIANBAO_DB", db, priority="cmdline")
    settings.set("NIANBAO_ALLOWED_HOSTS", allowed_hosts or [], priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    if not settings.getbool("NIANBAO_BROWSER_ENABLED"):
        settings.set("DOWNLOAD_HANDLERS", {}, priority="cmdline")  # no browser driver started at all
    recover_archive(warc_directory(settings))
    job = job_directory(settings)
    removed = clean_job(job)
    if removed:
        say(f"removed stale files of a stopped crawl from {job}: {', '.join(removed)}")
    save_plan(job, {
        "urls": urls,
        "hosts": allowed_hosts or [],
        "overrides": {k: str(v) for k, v in (overrides or {}).items()},
        "db": db,
    })  # fmt: skip
    settings.set("NIANBAO_RESUME", "resume" if resume else "new", priority="cmdline")
    settings.set("NIANBAO_LOCK_HELD", True, priority="cmdline")

    class Process(CrawlerProcess):
        """Scrapy's process, remembering which signal stopped it (for the exit code)."""

        stopped_by: int | None = None

        def _signal_shutdown(self, signum: int, frame: Any) -> None:
            type(self).stopped_by = signum
            super()._signal_shutdown(signum, frame)

    process = Process(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, start_urls=urls)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    outcome = crawl_outcome(stats, stopped_by=Process.stopped_by)
    if not (job / FRONTIER_FILE).exists():  # the frontier has nothing left: the job is over
        shutil.rmtree(job, ignore_errors=True)
    return CrawlResult(stats, outcome)


def print_crawl_summary(result: CrawlResult, data: Path, *, redis: str | None = None) -> None:
    """The summary table and what to do next; `redis`: the shared frontier this worker crawled
    (a worker does not resume, it joins the crawl again)."""
    stats, outcome = result.stats, result.outcome
    table = Table(title="crawl summary", show_header=False)
    rows = [
        ("pages fetched", stats.get("response_received_count", 0)),
        ("WARC records", stats.get("nianbao/warc_records", 0)),
        ("reports found", stats.get("nianbao/report", 0)),
        ("new versions of known reports", stats.get("nianbao/version", 0)),
        ("captures of known reports (reposts, unchanged)", stats.get("nianbao/unchanged", 0)),
        ("report pages not parsed", stats.get("nianbao/failure", 0)),
        ("anti-bot challenges met", stats.get("nianbao/blocked", 0)),
        ("scanned documents read by OCR (pages)", _ocr(stats)),
        ("pages fetched with the browser", stats.get("playwright/page_count", 0)),
        ("columns the adapters could not read", _fallback_started(stats)),
        ("  read from a data URL in their scripts", stats.get("nianbao/fallback/read_by/data-api", 0)),
        ("  read from their linked scripts", stats.get("nianbao/fallback/read_by/scripts", 0)),
        ("  read in the browser", stats.get("nianbao/fallback/read_by/browser", 0)),
        ("  report columns empty after every rung", stats.get("nianbao/fallback/column_empty", 0)),
        ("  paging bars not read", stats.get("nianbao/fallback/pager_unread", 0)),
        ("archived records caught up into the store", stats.get("nianbao/caught_up", 0)),
        ("read again from the archive (resume)", stats.get("nianbao/replayed_from_archive", 0)),
        ("requests given up on", stats.get("nianbao/frontier/given_up", 0)),
        ("requests left undone", stats.get("nianbao/frontier/unfinished", "?")),
        ("start URLs unreachable", stats.get("nianbao/seeds_unreachable", 0)),
        ("download errors", stats.get("log_count/ERROR", 0)),
        ("downloads not archived (WARC write failed)", stats.get("nianbao/errors/archive", 0)),
        ("archived records not ingested", _not_ingested(stats)),
        ("refused (out of scope)", stats.get("nianbao/refused/offsite", 0)),
        ("refused (private address)", stats.get("nianbao/refused/private_address", 0)),
        ("refused by robots.txt", stats.get("robotstxt/forbidden", 0)),
        ("finish reason", stats.get("finish_reason", "?")),
        ("outcome", f"{outcome.code.name.lower().replace('_', ' ')} (exit {int(outcome.code)})"),
        ("data", str(data)),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    err_console.print(table)
    for code, sentence in outcome.causes:
        say(f"{code.name.lower().replace('_', ' ')} (exit {int(code)}): {sentence}", style="red")
    empty = stats.get("nianbao/fallback/empty_columns") or []
    if empty:
        say(
            f"{len(empty)} report column(s) yielded no report by any means (adapters, data URLs, scripts, "
            "browser); reports expected there are 'not found', not 'missing' (`nianbao audit`):",
            style="red",
        )
        for line in empty[:20]:
            say(f"  column_empty: {line}", style="red")
        if len(empty) > 20:
            say(f"  … and {len(empty) - 20} more (see the log)", style="red")
    if stats.get("nianbao/errors/archive"):
        say(
            "some downloads could not be written to the WARC archive (see the log): they are not in "
            "the archive nor in the store, and were not followed; a resume fetches them again"
        )
    if _not_ingested(stats):
        say(
            "some archived records are not in the store as parsed (see the log); the archive holds them: "
            f"the next crawl start ingests what is missing, `nianbao reparse --data {data}` rebuilds all"
        )
    if outcome.resumable and redis:
        say(
            "this worker stopped before the shared crawl ended: its unfinished requests go back to the "
            "frontier when their leases expire; "
            f"`nianbao crawl --redis {_without_password(redis)} --data {data}` joins it again"
        )
    elif outcome.resumable:
        say(f"the crawl is not complete: `nianbao crawl --resume --data {data}` finishes it")
    elif outcome.code == ExitCode.OK:
        say("the crawl is complete")


def _without_password(url: str) -> str:
    """A Redis URL as it may be printed: its password (`redis://:secret@host`) masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _ocr(stats: dict[str, Any]) -> str:
    return f"{stats.get('nianbao/ocr_documents', 0)} ({stats.get('nianbao/ocr_pages', 0)})"


def _fallback_started(stats: dict[str, Any]) -> int:
    return int(stats.get("nianbao/fallback/reports", 0)) + int(stats.get("nianbao/fallback/pages", 0))


def _not_ingested(stats: dict[str, Any]) -> int:
    return int(stats.get("nianbao/errors/ingest", 0)) + int(stats.get("nianbao/ingest_deferred", 0))
