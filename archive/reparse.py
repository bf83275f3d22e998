"""Re-parse: rebuild every capture, document and report from the WARC files alone, offline.

Used after a parser upgrade, or to rebuild a lost database. It reads the archive in file and record
order and runs each record through `archive.ingest`, the same code the live crawl runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from archive.db import Capture, CellRow, CheckRow, Document, Failure, ReportRow, sessions
from archive.ingest import ingest_record
from archive.warcstore import iter_records


def reparse(
    engine: Engine, warc_dir: Path, *, progress: Callable[[str], None] | None = None, batch: int = 200
) -> Counter[str]:
    """Replace the derived tables with what the archive in `warc_dir` yields; returns outcome counts."""
    counts: Counter[str] = Counter()
    make_session = sessions(engine)
    with make_session.begin() as session:
        for model in (CheckRow, CellRow, ReportRow, Failure, Document, Capture):
            session.execute(delete(model))
    session = make_session()
    try:
        session.begin()
        for n, record in enumerate(iter_records(warc_dir)):
            result = ingest_record(session, record)
            counts[result.outcome] += 1
            if progress:
                progress(record.url)
            if n % batch == batch - 1:
                session.commit()
                session.begin()
        session.commit()
    finally:
        session.close()
    return counts
