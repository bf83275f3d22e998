"""Export: stored reports as JSON lines (the REPORT.md object plus provenance) or as CSV.

Rows come out ordered by (url, first_seen), compared in Python (code points, not the database's
collation), so two databases holding the same reports export byte-identical files whatever order
the crawl stored them in and whatever the engine. The rows are read in one short read transaction
before the first is handed out, so a slow consumer holds no lock on the store.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from archive.db import ReportRow, VersionRow, sessions
from archive.ingest import current_version

CSV_FIELDS = (
    "url", "page_url", "first_seen", "title", "agency", "year", "published_on", "index_no", "format",
    "processing_fee_yuan", "checks_failed", "needs_review", "unresolved",
)  # fmt: skip


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC; SQLite hands back naive datetimes, which were stored as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iter_export_records(engine: Engine) -> Iterator[dict[str, Any]]:
    """Each stored report, as its latest version says, in the export format (REPORT.md + url,
    page_url, first_seen, text)."""
    records = []
    with sessions(engine)() as session:
        rows = session.scalars(
            select(ReportRow).options(
                selectinload(ReportRow.versions).selectinload(VersionRow.document),
                selectinload(ReportRow.versions).selectinload(VersionRow.parse_run),
            )
        ).all()
        for row in rows:
            latest = current_version(row)
            if latest is None:
                continue
            record = dict(latest.data)
            record["url"] = row.url
            record["page_url"] = row.page_url
            record["first_seen"] = iso_utc(row.first_seen)
            record["text"] = latest.document.text
            records.append((row.url, record["first_seen"], row.id, record))
    records.sort(key=lambda r: r[:3])
    for *_, record in records:
        yield record


def write_jsonl(engine: Engine, out: IO[str]) -> int:
    n = 0
    for n, record in enumerate(iter_export_records(engine), 1):  # noqa: B007
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
    return n


def write_csv(engine: Engine, out: IO[str]) -> int:
    """One row per report: the metadata columns, then every cell key any report has.

    `needs_review` and `unresolved` carry the report's `quality` (REPORT.md): an empty cell whose key
    is listed in `unresolved` was not read, not left blank by the report. Reports stored before
    `quality` existed leave both columns empty.
    """
    records = list(iter_export_records(engine))
    cell_keys = sorted({k for r in records for k in r["cells"]})
    writer = csv.writer(out)
    writer.writerow([*CSV_FIELDS, *cell_keys])
    for r in records:
        failed = ";".join(f"{c['rule']}:{c['column']}" for c in r["checks"] if not c["ok"])
        quality = r.get("quality")
        derived = {
            "checks_failed": failed,
            "needs_review": None if quality is None else str(bool(quality.get("needs_review"))).lower(),
            "unresolved": None if quality is None else ";".join(quality.get("unresolved", [])),
        }
        meta = [derived[f] if f in derived else r.get(f) for f in CSV_FIELDS]
        writer.writerow([*("" if v is None else v for v in meta), *(_cell(r["cells"], k) for k in cell_keys)])
    return len(records)


def _cell(cells: dict[str, Any], key: str) -> str:
    """Blank cells stay empty, absent cells too; the CSV cannot tell them apart, the JSON can."""
    value = cells.get(key)
    return "" if value is None else str(value)
