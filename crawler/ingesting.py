"""Ingest every archived record into the store, in WARC order, off the crawl's reactor.

The extension reads each record back from its WARC file and runs it through `archive.ingest`, the
same function `nianbao reparse` runs over the archive. Because it follows the archive record by
record, in the order written, the live crawl's database is what a reparse of the same files gives.

Ingestion runs in a thread of its own, fed with the records' references through a bounded queue:
a document's conversion may take its sandbox's full timeout, and the reactor must go on reading
the downloads under way meanwhile (before, one slow conversion made every concurrent download
time out). The crawl waits for ingestion only when the queue is full, and `nianbao crawl` returns
once every archived record is ingested.

Before the crawl starts it catches the store up with the archive (`archive.catchup`): records a
killed crawl archived but never stored are ingested first. A record whose ingestion raises is stored
as a failure with the reason, as `reparse` does. When not even that can be stored (the database is
locked, or the disk full), ingestion stops for the rest of the crawl, so the store is a prefix of the
archive that the next start (or `reparse`) completes; the crawl says so and exits non-zero.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

from archive.catchup import catch_up
from archive.conversions import Conversions
from archive.db import ParseRun, database_url, open_database, sessions
from archive.ingest import IngestResult, finish_run, ingest_record, record_failure, start_run
from archive.warcstore import RecordRef, StoredResponse, read_record
from crawler import signals as nianbao_signals
from crawler.archiving import is_disk_full, warc_directory

log = logging.getLogger(__name__)

_STOP = object()  # the last item of the queue


class IngestArchive:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        data = Path(settings.get("NIANBAO_DATA"))
        self.crawler = crawler
        self.stats = crawler.stats
        self.warc_dir = warc_directory(settings)
        self.conversions = Conversions(self.warc_dir)  # OCR text kept in, and reused from, the archive
        self.engine = open_database(database_url(data, settings.get("NIANBAO_DB")))
        self.sessions = sessions(self.engine, write=True)
        self.halted: str | None = None  # why ingestion stopped, if it did
        self.counts: Counter[str] = Counter()  # stats this extension owns; written by the worker
        self.lock = threading.Lock()
        with self.sessions.begin() as session:
            self.run = start_run(session, "crawl")
        with self.sessions() as session:
            caught_up = catch_up(session, self.warc_dir, session.get(ParseRun, self.run.id), self.conversions)
        if caught_up:
            self.counts["nianbao/caught_up"] = caught_up.total()
            self.counts.update({f"nianbao/{outcome}": n for outcome, n in caught_up.items()})
        self.queue: queue.Queue = queue.Queue(maxsize=settings.getint("NIANBAO_INGEST_QUEUE", 1000))
        self.worker = threading.Thread(target=self._work, name="nianbao-ingest", daemon=True)
        self.worker.start()
        self.publisher = task.LoopingCall(self._publish)
        crawler.signals.connect(self.record_archived, signal=nianbao_signals.record_archived)
        crawler.signals.connect(self._start_publishing, signal=signals.engine_started)
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestArchive:
        return cls(crawler)

    def record_archived(self, ref: RecordRef) -> None:
        """Queue the record (in WARC order); blocks only when ingestion is a whole queue behind."""
        self.queue.put(ref)

    # -- the worker thread

    def _work(self) -> None:
        while (ref := self.queue.get()) is not _STOP:
            if self.halted:
                self._count("nianbao/ingest_deferred")
                continue
            self._ingest(ref)

    def _ingest(self, ref: RecordRef) -> None:
        url = "a record"  # until it is read back
        record = None
        where = f"{ref.filename} at {ref.offset}"
        try:
            record = read_record(self.warc_dir, ref.filename, ref.offset)
            url = record.url
            where = f"{url} ({where})"
            with self.sessions.begin() as session:
                result = ingest_record(session, record, session.merge(self.run, load=False), self.conversions)
        except Exception as err:
            if is_disk_full(err):  # no traceback: the reason is all there is to say
                log.error("could not ingest %s: %s", where, err)
            else:
                log.error("could not ingest %s", where, exc_info=True)
            self._count("nianbao/errors/ingest")
            stored = self._record_failure(record, err)
            if stored is None:
                self._halt(f"{where}: {type(err).__name__}: {err}", err)
                self._count("nianbao/ingest_deferred")
                return
            result = stored
        self._count(f"nianbao/{result.outcome}")
        if result.recovers_failure:
            self._count("nianbao/failure", -1)
        if result.ocr_pages:
            self._count("nianbao/ocr_documents")
            self._count("nianbao/ocr_pages", result.ocr_pages)

    def _record_failure(self, record: StoredResponse | None, err: BaseException) -> IngestResult | None:
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
        if is_disk_full(err):
            # the reactor Scrapy installed (importing it at the top would install another one)
            from twisted.internet import reactor

            signal, where = nianbao_signals.disk_full, "the database"
            reactor.callFromThread(self.crawler.signals.send_catch_log, signal, where=where, error=err)

    def _count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    # -- the reactor's side

    def _start_publishing(self) -> None:
        self.publisher.start(1.0, now=False)

    def _publish(self) -> None:
        """Copy the worker's counts into the crawl's stats (the stats are the reactor's)."""
        if not self.stats:
            return
        with self.lock:
            counts = dict(self.counts)
        for key, value in counts.items():
            self.stats.set_value(key, value)
        if self.halted:
            self.stats.set_value("nianbao/ingest_halted", self.halted)

    def close(self) -> None:
        if self.publisher.running:
            self.publisher.stop()
        left = self.queue.qsize()
        if left:
            log.info("ingesting the last %d archived records", left)
        self.queue.put(_STOP)
        self.worker.join()
        self._publish()
        try:
            with self.sessions.begin() as session:
                finish_run(session, session.get(ParseRun, self.run.id))
        except Exception as err:
            log.error("could not mark the crawl's parse run finished: %s", err)
        finally:
            self.conversions.close()
            self.engine.dispose()
