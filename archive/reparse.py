"""Re-parse: rebuild every capture, document and report from the WARC files alone, offline.

Used after a parser upgrade, or to rebuild a lost database. It reads the archive in file and record
order and runs each record through `archive.ingest`, the same code the live crawl runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from archive.db import Base, sessions
from archive.ingest import ingest_record, start_run
from archive.warcstore import iter_records


def reparse(
    engine: Engine, warc_dir: Path, *, progress: Callable[[str], None] | None = None, batch: int = 200
) -> Counter[str]:
    """Replace the derived tables with what the archive in `warc_dir` yields; returns outcome counts."""
    counts: Counter[str] = Counter()
    make_session = sessions(engine)
    with make_session.begin() as session:
        for table in reversed(Base.metadata.sorted_tables):  # children before parents
            session.execute(table.delete())
    session = make_session()
    try:
        session.begin()
        run = start_run(session, "reparse")
        for n, record in enumerate(iter_records(warc_dir)):
            result = ingest_record(session, record, run)
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
