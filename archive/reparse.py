"""Re-parse: read every record of the WARC archive again, offline, with the current parser.

Used after a parser upgrade, or to rebuild a lost database. Records are read in file and record
order and run through `archive.ingest`, the same code the live crawl runs. The re-parse is a new
parse run: captures and reports keep their identity, each report gets this run's versions, and
the runs before it are marked superseded — their versions stay, as history, until `prune`.

The run is marked finished after its last record; until then (and for ever, if it is interrupted)
its results are not live and the runs before it stay the current reading. A record that breaks
ingestion is rolled back to its savepoint and recorded as a `Failure` (stage "ingest"); the
reparse goes on with the next record.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from archive.catchup import catch_up_store
from archive.conversions import Conversions
from archive.db import Document, Failure, ParseRun, ReportRow, VersionRow, sessions
from archive.ingest import finish_run, ingest_record, record_failure, start_run
from archive.warcstore import INGESTED_TYPES, iter_records

log = logging.getLogger(__name__)


def reparse(
    engine: Engine,
    warc_dir: Path,
    *,
    progress: Callable[[str], None] | None = None,
    batch: int = 200,
    re_ocr: bool = False,
) -> Counter[str]:
    """Re-read the archive in `warc_dir` as a new parse run; returns outcome counts.

    The store first catches up with the archive (`archive.catchup`), so that an interrupted reparse
    leaves the previous reading complete. OCR text kept in the archive (`archive.conversions`) is
    reused, not read again, unless `re_ocr`; counts `ocr_pages` (pages read by OCR this time) and
    `ocr_reused` (documents whose kept text served).
    """
    catch_up_store(engine, warc_dir)
    counts: Counter[str] = Counter()
    conversions = Conversions(warc_dir, reuse=not re_ocr)
    session = sessions(engine, write=True)()
    try:
        session.begin()
        run = start_run(session, "reparse")
        for n, record in enumerate(iter_records(warc_dir, types=INGESTED_TYPES)):
            try:
                with session.begin_nested():
                    result = ingest_record(session, record, run, conversions)
            except Exception as err:  # a bug on one record must not stop the rebuild of the rest
                log.error("ingest failed on %s: %s", record.url, traceback.format_exc())
                result = record_failure(session, record, run, f"internal error: {type(err).__name__}: {err}")
            counts[result.outcome] += 1
            counts["ocr_pages"] += result.ocr_pages
            if progress:
                progress(record.url)
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
        session.close()
        conversions.close()
    counts["ocr_reused"] += conversions.reused
    return +counts


def prune(engine: Engine) -> int:
    """Delete what superseded parse runs produced (versions, documents, failures); returns runs pruned."""
    with sessions(engine, write=True).begin() as session:
        old = list(session.scalars(select(ParseRun.id).where(ParseRun.superseded_by.is_not(None))))
        if not old:
            return 0
        session.execute(delete(VersionRow).where(VersionRow.parse_run_id.in_(old)))
        session.execute(delete(Failure).where(Failure.parse_run_id.in_(old)))
        session.execute(delete(Document).where(Document.parse_run_id.in_(old)))
        session.execute(delete(ReportRow).where(~ReportRow.versions.any()))
        session.execute(delete(ParseRun).where(ParseRun.id.in_(old)))
    return len(old)
