"""Re-parse: read every record of the WARC archive again, offline, with the current parser.

Used after a parser upgrade, or to rebuild a lost database. Records are read in file and record
order and run through `archive.ingest`, the same code the live crawl runs. The re-parse is a new
parse run: captures and reports keep their identity, each report gets this run's versions, and
the runs before it are marked superseded — their versions stay, as history, until `prune`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from archive.db import Document, Failure, ParseRun, ReportRow, VersionRow, sessions
from archive.ingest import ingest_record, start_run
from archive.warcstore import iter_records


def reparse(
    engine: Engine, warc_dir: Path, *, progress: Callable[[str], None] | None = None, batch: int = 200
) -> Counter[str]:
    """Re-read the archive in `warc_dir` as a new parse run; returns outcome counts."""
    counts: Counter[str] = Counter()
    session = sessions(engine)()
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
        session.execute(
            update(ParseRun)
            .where(ParseRun.id < run.id, ParseRun.superseded_by.is_(None))
            .values(superseded_by=run.id)
        )
        session.commit()
    finally:
        session.close()
    return counts


def prune(engine: Engine) -> int:
    """Delete what superseded parse runs produced (versions, documents, failures); returns runs pruned."""
    with sessions(engine).begin() as session:
        old = list(session.scalars(select(ParseRun.id).where(ParseRun.superseded_by.is_not(None))))
        if not old:
            return 0
        session.execute(delete(VersionRow).where(VersionRow.parse_run_id.in_(old)))
        session.execute(delete(Failure).where(Failure.parse_run_id.in_(old)))
        session.execute(delete(Document).where(Document.parse_run_id.in_(old)))
        session.execute(delete(ReportRow).where(~ReportRow.versions.any()))
        session.execute(delete(ParseRun).where(ParseRun.id.in_(old)))
    return len(old)
