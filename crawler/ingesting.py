"""Ingest every archived record into the store, as soon as the WARC writer has flushed it.

The extension reads each record back from its WARC file and runs it through `archive.ingest`, the
same function `nianbao reparse` runs over the archive. Because it follows the archive record by
record, in the order written, the live crawl's database is what a reparse of the same files gives.

Before the crawl starts it catches the store up with the archive (`archive.catchup`): records a
killed crawl archived but never stored are ingested first. A record whose ingestion raises is stored
as a failure with the reason, as `reparse` does. When not even that can be stored (the database is
locked, or the disk full), ingestion stops for the rest of the crawl, so the store is a prefix of the
archive that the next start (or `reparse`) completes; the crawl says so and exits non-zero.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler

from archive.catchup import catch_up
from archive.db import ParseRun, database_url, open_database, sessions
from archive.ingest import finish_run, ingest_record, record_failure, start_run
from archive.warcstore import RecordRef, read_record
from crawler import signals as nianbao_signals
from crawler.archiving import is_disk_full, warc_directory

log = logging.getLogger(__name__)


class IngestArchive:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        data = Path(settings.get("NIANBAO_DATA"))
        self.crawler = crawler
        self.stats = crawler.stats
        self.warc_dir = warc_directory(settings)
        self.engine = open_database(database_url(data, settings.get("NIANBAO_DB")))
        self.sessions = sessions(self.engine, write=True)
        self.halted: str | None = None  # why ingestion stopped, if it did
        with self.sessions.begin() as session:
            self.run = start_run(session, "crawl")
        with self.sessions() as session:
            caught_up = catch_up(session, self.warc_dir, session.get(ParseRun, self.run.id))
        if self.stats and caught_up:
            self.stats.set_value("nianbao/caught_up", caught_up.total())
            for outcome, n in caught_up.items():
                self.stats.inc_value(f"nianbao/{outcome}", n)
        crawler.signals.connect(self.record_archived, signal=nianbao_signals.record_archived)
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestArchive:
        return cls(crawler)

    def record_archived(self, ref: RecordRef) -> None:
        # Under send_catch_log an error would only be logged: each outcome is counted here.
        if self.halted:
            self._count("nianbao/ingest_deferred")
            return
        url = "a record"  # until it is read back
        record = None
        try:
            record = read_record(self.warc_dir, ref.filename, ref.offset)
            url = record.url
            with self.sessions.begin() as session:
                result = ingest_record(session, record, session.merge(self.run, load=False))
        except Exception as err:
            where = f"{url} ({ref.filename} at {ref.offset})"
            if is_disk_full(err):  # no traceback: the reason is all there is to say
                log.error("could not ingest %s: %s", where, err)
            else:
                log.error("could not ingest %s", where, exc_info=True)
            self._count("nianbao/errors/ingest")
            result = self._record_failure(record, err)
            if result is None:
                self._halt(f"{where}: {type(err).__name__}: {err}", err)
                self._count("nianbao/ingest_deferred")
                return
        self._count(f"nianbao/{result.outcome}")

    def _record_failure(self, record, err: BaseException):
        """Store the failure of a record that broke ingestion; None when the store refuses that too."""
        if record is None or is_disk_full(err):
            return None
        try:
            with self.sessions() as session:
                result = record_failure(
                    session, record, session.merge(self.run, load=False),
                    f"internal error: {type(err).__name__}: {err}",
                )  # fmt: skip
                session.commit()
                return result
        except Exception:
            log.error("could not record the failure of %s either", record.url, exc_info=True)
            return None

    def _halt(self, why: str, err: BaseException) -> None:
        self.halted = why
        log.error("ingestion stopped at %s; the records after it stay in the archive and are "
                  "ingested at the next start (or by `nianbao reparse`)", why)  # fmt: skip
        if self.stats:
            self.stats.set_value("nianbao/ingest_halted", why)
        if is_disk_full(err):
            self.crawler.signals.send_catch_log(nianbao_signals.disk_full, where="the database", error=err)

    def _count(self, key: str) -> None:
        if self.stats:
            self.stats.inc_value(key)

    def close(self) -> None:
        try:
            with self.sessions.begin() as session:
                finish_run(session, session.get(ParseRun, self.run.id))
        except Exception as err:
            log.error("could not mark the crawl's parse run finished: %s", err)
        finally:
            self.engine.dispose()
