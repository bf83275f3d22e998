"""Re-parse: read every record of the WARC archive again, offline, with the current parser.

Used after a parser upgrade, or to rebuild a lost database. Records are read in file and record
order and run through `archive.ingest`, the same code the live crawl runs. The re-parse is a new
parse run: captures and reports keep their identity, each report gets this run's versions, and
the runs before it are marked superseded — their versions stay, as history, until `prune`.

The run is marked finished after its last record; until then (and for ever, if it is interrupted)
its results are not live and the runs before it stay the current reading. A record that breaks
ingestion is rolled back to its savepoint and recorded as a `Failure` (stage "ingest"); the
reparse goes on with the next record.

Every core: the records are read in WARC order, their pure half (decode, classify, extract, parse,
convert) runs on `workers` processes (`archive.ingest.parallel`), and each result is stored here in
WARC order through the same store code as the crawl's, so the database is the one a serial reparse
makes. What extraction made of each record is kept (`archive.textcache`): a reparse after a change
to the parser alone runs no trafilatura, and `re_extract` extracts everything again.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from archive.catchup import catch_up_store
from archive.conversions import Conversions
from archive.db import Capture, Document, Failure, ParseRun, ReportRow, VersionRow, sessions
from archive.ingest import Prepared, PrepareFailed, finish_run, ingest_record, record_failure, start_run
from archive.ingest.parallel import prepared_records
from archive.textcache import prune_text_cache
from archive.warcstore import INGESTED_TYPES, StoredResponse, iter_records

log = logging.getLogger(__name__)

NEW_REPORT = ("report", "version", "unchanged")  # outcomes of a record that held a report


def reparse(
    engine: Engine,
    warc_dir: Path,
    *,
    progress: Callable[[str], None] | None = None,
    batch: int = 200,
    re_ocr: bool = False,
    re_extract: bool = False,
    workers: int = 1,
    status: Callable[[str], None] | None = None,
    status_every: float = 10.0,
) -> Counter[str]:
    """Re-read the archive in `warc_dir` as a new parse run; returns outcome counts.

    The store first catches up with the archive (`archive.catchup`), so that an interrupted reparse
    leaves the previous reading complete. OCR text kept in the archive (`archive.conversions`) is
    reused, not read again, unless `re_ocr`; counts `ocr_pages` (pages read by OCR this time) and
    `ocr_reused` (documents whose kept text served). Clean text kept in the store
    (`archive.textcache`) is reused unless `re_extract`; counts `extracted` (pages extracted this
    time) and `extraction_reused`. `workers` processes read the records (`archive.ingest.parallel`;
    1: this process). `progress` is called with each record's URL; `status`, every `status_every`
    seconds, with a line of records and reports done and their rates.
    """
    catch_up_store(engine, warc_dir)
    counts: Counter[str] = Counter()
    conversions = Conversions(warc_dir, reuse=not re_ocr)
    session = sessions(engine, write=True)()
    meter = _Meter(status, status_every)
    stream = None
    try:
        session.begin()
        run = start_run(session, "reparse")
        records = iter_records(warc_dir, types=INGESTED_TYPES)
        stream = prepared_records(records, session, workers=workers, reuse=not re_extract)
        for n, (record, prepared, stored) in enumerate(_with_captures(stream, session)):
            try:
                with session.begin_nested():
                    result = ingest_record(session, record, run, conversions, prepared, stored)
            except Exception as err:  # a bug on one record must not stop the rebuild of the rest
                trace = err.trace if isinstance(err, PrepareFailed) else traceback.format_exc()
                reason = err.reason if isinstance(err, PrepareFailed) else None
                log.error("ingest failed on %s: %s", record.url, trace)
                reason = reason or f"internal error: {type(err).__name__}: {err}"
                result = record_failure(session, record, run, reason)
            counts[result.outcome] += 1
            if result.recovers_failure:  # a 图片版 page read from its pictures after all
                counts["failure"] -= 1
            counts["ocr_pages"] += result.ocr_pages
            if prepared is not None and prepared.page is not None and prepared.page.extracted is not None:
                counts["extracted" if prepared.page.fresh else "extraction_reused"] += 1
            if progress:
                progress(record.url)
            meter.tick(result.outcome in NEW_REPORT)
            if n % batch == batch - 1:
                session.commit()
                session.begin()
        session.execute(
            update(ParseRun)
            .where(ParseRun.id < run.id, ParseRun.superseded_by.is_(None))
            .values(superseded_by=run.id)
        )
        finish_run(session, run)
        session.commit()
    finally:
        if stream is not None:
            stream.close()  # the worker pool ends here, not whenever the generator is collected
        session.close()
        conversions.close()
    counts["ocr_reused"] += conversions.reused
    return +counts


def _with_captures(
    stream: Iterable[tuple[StoredResponse, Prepared | None]], session: Session, block: int = 64
) -> Iterator[tuple[StoredResponse, Prepared | None, Capture | None]]:
    """Each pair with its record's stored capture (the catch-up stored them all), looked up a block
    of records a query instead of one each."""
    stream = iter(stream)
    while pairs := list(islice(stream, block)):
        ids = [record.ref.record_id for record, _ in pairs]
        found = {c.record_id: c for c in session.scalars(select(Capture).where(Capture.record_id.in_(ids)))}
        for record, prepared in pairs:
            yield record, prepared, found.get(record.ref.record_id)


class _Meter:
    """Records and reports done, and their rates, told every `every` seconds."""

    def __init__(self, status: Callable[[str], None] | None, every: float) -> None:
        self.status, self.every = status, every
        self.start = self.last = time.monotonic()
        self.records = self.reports = 0

    def tick(self, report: bool) -> None:
        self.records += 1
        self.reports += report
        now = time.monotonic()
        if self.status is not None and now - self.last >= self.every:
            self.last = now
            self.status(rates(self.records, self.reports, now - self.start))


def rates(records: int, reports: int, seconds: float) -> str:
    """The status line: "N records, M reports in S s: X records/s, Y reports/s"."""
    seconds = max(seconds, 1e-9)
    return (
        f"{records} records, {reports} reports in {seconds:.1f} s: "
        f"{records / seconds:.1f} records/s, {reports / seconds:.1f} reports/s"
    )


def prune(engine: Engine) -> int:
    """Delete what superseded parse runs produced (versions, documents, failures); returns runs pruned."""
    with sessions(engine, write=True).begin() as session:
        prune_text_cache(session)  # what older extractor versions kept: never read again
        old = list(session.scalars(select(ParseRun.id).where(ParseRun.superseded_by.is_not(None))))
        if not old:
            return 0
        session.execute(delete(VersionRow).where(VersionRow.parse_run_id.in_(old)))
        session.execute(delete(Failure).where(Failure.parse_run_id.in_(old)))
        session.execute(delete(Document).where(Document.parse_run_id.in_(old)))
        session.execute(delete(ReportRow).where(~ReportRow.versions.any()))
        session.execute(delete(ParseRun).where(ParseRun.id.in_(old)))
    return len(old)
