"""Ingest every archived record into the store, as soon as the WARC writer has flushed it.

The extension reads each record back from its WARC file and runs it through `archive.ingest`, the
same function `nianbao reparse` runs over the archive. Because it follows the archive record by
record, in the order written, the live crawl's database is what a reparse of the same files gives.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler

from archive.db import ParseRun, database_url, open_database, sessions
from archive.ingest import finish_run, ingest_record, start_run
from archive.warcstore import RecordRef, read_record
from crawler import signals as nianbao_signals
from crawler.archiving import warc_directory

log = logging.getLogger(__name__)


class IngestArchive:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        data = Path(settings.get("NIANBAO_DATA"))
        self.crawler = crawler
        self.warc_dir = warc_directory(settings)
        self.engine = open_database(database_url(data, settings.get("NIANBAO_DB")))
        self.sessions = sessions(self.engine, write=True)
        with self.sessions.begin() as session:
            self.run = start_run(session, "crawl")
        crawler.signals.connect(self.record_archived, signal=nianbao_signals.record_archived)
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestArchive:
        return cls(crawler)

    def record_archived(self, ref: RecordRef) -> None:
        # Under send_catch_log an error would only be logged: it is counted, and the crawl exits
        # non-zero (`nianbao reparse` rebuilds the store from the archive, which holds the record).
        url = "a record"  # until it is read back
        try:
            record = read_record(self.warc_dir, ref.filename, ref.offset)
            url = record.url
            with self.sessions.begin() as session:
                result = ingest_record(session, record, session.merge(self.run, load=False))
        except Exception:
            log.error("could not ingest %s (%s at %d)", url, ref.filename, ref.offset, exc_info=True)
            if self.crawler.stats:
                self.crawler.stats.inc_value("nianbao/errors/ingest")
            return
        if self.crawler.stats:
            self.crawler.stats.inc_value(f"nianbao/{result.outcome}")

    def close(self) -> None:
        try:
            with self.sessions.begin() as session:
                finish_run(session, session.get(ParseRun, self.run.id))
        finally:
            self.engine.dispose()
