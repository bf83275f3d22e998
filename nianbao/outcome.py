"""How a crawl ended, checked rather than assumed: its exit code and what is left to do.

Scrapy says "finished" when its queue is empty, which after a kill was a quarter of the crawl: for an
auditor a crawl that quietly stopped early looks like most agencies not publishing. So `nianbao
crawl` reads the frontier's and the archive's own counts and names every reason the crawl is not
complete. Each reason has an exit code (the most serious one is returned):

====  =======================================================================================
code  meaning
====  =======================================================================================
0     finished: every request fetched (or answered), archived and ingested
3     unfinished: requests are left in the frontier (the crawl was stopped early);
      `nianbao crawl --resume` finishes it
4     a start URL could not be fetched
5     requests were given up on (timeouts, cut connections, server errors with retries spent);
      a resume tries each of them again, up to NIANBAO_RESUME_RETRIES runs in all
6     downloads could not be written to the archive (they are fetched again on resume)
7     archived records could not be ingested (the next start, or `nianbao reparse`, does it)
8     the disk is full: the crawl stopped cleanly; free space and resume
130   stopped by Ctrl-C (SIGINT); resume to finish
143   stopped by SIGTERM; resume to finish
2     usage error (bad arguments, a data directory in use): nothing was crawled
====  =======================================================================================

Pure: a function of the crawl's stats and the signal that stopped it.
"""

from __future__ import annotations

import signal as os_signal
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

__all__ = ["CrawlOutcome", "ExitCode", "crawl_outcome"]


class ExitCode(IntEnum):
    OK = 0
    USAGE = 2
    UNFINISHED = 3
    SEEDS_UNREACHABLE = 4
    GIVEN_UP = 5
    NOT_ARCHIVED = 6
    NOT_INGESTED = 7
    DISK_FULL = 8
    INTERRUPTED = 130
    TERMINATED = 143


# The code returned when several causes hold: the first in this order.
_SEVERITY = (
    ExitCode.TERMINATED,
    ExitCode.INTERRUPTED,
    ExitCode.DISK_FULL,
    ExitCode.NOT_ARCHIVED,
    ExitCode.UNFINISHED,
    ExitCode.SEEDS_UNREACHABLE,
    ExitCode.NOT_INGESTED,
    ExitCode.GIVEN_UP,
)


@dataclass(frozen=True)
class CrawlOutcome:
    code: ExitCode
    causes: list[tuple[ExitCode, str]] = field(default_factory=list)  # every cause, with a sentence
    resumable: bool = False  # the frontier holds work a `--resume` would do

    @property
    def finished(self) -> bool:
        return self.code == ExitCode.OK


def crawl_outcome(stats: dict[str, Any], *, stopped_by: int | None = None) -> CrawlOutcome:
    """The outcome of a crawl from its stats (`nianbao/*` keys) and the signal that stopped it, if any."""
    causes: list[tuple[ExitCode, str]] = []
    unfinished = int(stats.get("nianbao/frontier/unfinished", 0))
    reason = stats.get("finish_reason")
    if "nianbao/frontier/unfinished" not in stats and reason != "finished":
        unfinished = -1  # the frontier never reported: nothing is known to be done
    if stopped_by == os_signal.SIGTERM:
        causes.append((ExitCode.TERMINATED, "stopped by SIGTERM"))
    elif stopped_by is not None:
        causes.append((ExitCode.INTERRUPTED, f"stopped by {_signal_name(stopped_by)}"))
    if stats.get("nianbao/disk_full"):
        detail = stats.get("nianbao/disk_full_error") or "no space left"
        causes.append((ExitCode.DISK_FULL, f"the disk is full ({detail}); free space, then resume"))
    if stats.get("nianbao/errors/archive"):
        causes.append(
            (ExitCode.NOT_ARCHIVED, f"{stats['nianbao/errors/archive']} downloads could not be archived")
        )
    if unfinished and reason is None:
        causes.append((ExitCode.UNFINISHED, "the crawl did not run to its end (see the log)"))
    elif unfinished:
        left = "an unknown number of" if unfinished < 0 else str(unfinished)
        causes.append((ExitCode.UNFINISHED, f"{left} requests left undone (stopped: {reason})"))
    if stats.get("nianbao/seeds_unreachable"):
        causes.append(
            (
                ExitCode.SEEDS_UNREACHABLE,
                f"{stats['nianbao/seeds_unreachable']} start URLs could not be fetched",
            )
        )
    deferred = int(stats.get("nianbao/ingest_deferred", 0))
    errors = int(stats.get("nianbao/errors/ingest", 0))
    if deferred or errors:
        parts = []
        if errors:
            parts.append(f"{errors} archived records broke ingestion (stored as failures)")
        if deferred:
            parts.append(f"{deferred} archived records are left for the next start")
        causes.append((ExitCode.NOT_INGESTED, "; ".join(parts)))
    given_up = int(stats.get("nianbao/frontier/given_up", 0))
    if given_up:
        retry = int(stats.get("nianbao/frontier/retryable", 0))
        again = f"; a resume tries {retry} of them again" if retry else ""
        causes.append((ExitCode.GIVEN_UP, f"{given_up} requests were given up on{again}"))
    code = next((c for c in _SEVERITY if any(c == k for k, _ in causes)), ExitCode.OK)
    resumable = unfinished != 0 or int(stats.get("nianbao/frontier/retryable", 0)) > 0
    return CrawlOutcome(code=code, causes=causes, resumable=resumable)


def _signal_name(signum: int) -> str:
    try:
        return os_signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
