"""The store catches up with the archive: records in the WARC files that never reached the database.

The archive is written first and the store after, so a kill between the two (or a store that
refused a write: a locked or full database) leaves records archived but not ingested; the crawl
ingests in WARC order and stops ingesting at the first record it could not store, so what is
missing is, in each file, everything after the last record the store has. That makes the check
cheap: one query for each file's end of ingested data (`Capture` rows carry file, offset and
length), then only the records after it are read. `nianbao crawl` (fresh or resumed) and
`nianbao reparse` run it before anything else, so a kill between write and commit loses nothing.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from archive.conversions import Conversions
from archive.db import Capture, ParseRun, sessions
from archive.ingest import finish_run, ingest_record, record_failure, start_run
from archive.warcstore import INGESTED_TYPES, StoredResponse, iter_records

log = logging.getLogger(__name__)

__all__ = ["catch_up", "catch_up_store", "ingested_ends", "missing_records"]


def ingested_ends(session: Session) -> dict[str, int]:
    """For each WARC file the store knows, the offset just past the last record ingested from it."""
    rows = session.execute(
        select(Capture.warc_filename, func.max(Capture.warc_offset + Capture.warc_length)).group_by(
            Capture.warc_filename
        )
    )
    return {name: int(end) for name, end in rows}


def missing_records(session: Session, warc_dir: Path) -> Iterator[StoredResponse]:
    """The archive's records the store has not ingested, in WARC order."""
    yield from iter_records(warc_dir, types=INGESTED_TYPES, start=ingested_ends(session))


def catch_up(
    session: Session, warc_dir: Path, run: ParseRun, conversions: Conversions | None = None
) -> Counter[str]:
    """Ingest every record missing from the store into `run`; returns the outcome counts.

    Each record is committed on its own, so a catch-up interrupted in turn resumes where it stopped.
    A record whose ingestion raises is recorded as a failure, as `reparse` does.
    """
    counts: Counter[str] = Counter()
    if not Path(warc_dir).is_dir():
        return counts
    for record in missing_records(session, warc_dir):
        try:
            with session.begin_nested():
                result = ingest_record(session, record, run, conversions)
        except Exception as err:  # a bug on one record must not keep the rest out of the store
            log.error("ingest failed on %s: %s", record.url, traceback.format_exc())
            result = record_failure(session, record, run, f"internal error: {type(err).__name__}: {err}")
        session.commit()
        counts[result.outcome] += 1
        if result.recovers_failure:  # a 图片版 page read from its pictures after all
            counts["failure"] -= 1
    if counts:
        log.info("caught up with the archive: %d records ingested (%s)", counts.total(), dict(counts))
    return counts


def catch_up_store(engine: Engine, warc_dir: Path) -> Counter[str]:
    """Ingest what the store lacks of the archive in a run of its own (before a reparse).

    Nothing is written, not even a run, when the store is complete.
    """
    if not Path(warc_dir).is_dir():
        return Counter()
    with sessions(engine)() as session:
        if next(missing_records(session, warc_dir), None) is None:
            return Counter()
    with sessions(engine, write=True)() as session:
        run = start_run(session, "crawl")
        conversions = Conversions(warc_dir)
        try:
            counts = catch_up(session, warc_dir, run, conversions)
        finally:
            conversions.close()
        finish_run(session, run)
        session.commit()
    return counts
