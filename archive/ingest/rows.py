"""The rows one record becomes: its capture, the document read from it, the report and version it
shows, or the failure it met; and which stored report a parsed capture is of.

A report is one agency's report on one year. A capture is of a stored report when its parsed
(agency, year) are the report's and it is at the report's document URL or article page (the page,
or an attachment of it), or when it is a repost at another URL with the same title and the same
content. The same URL showing another (agency, year) (a fixed 年报 URL showing next year's report,
a page linking several reports) is another report. A capture whose parsed content equals the
report's latest version is one more capture of that version; different content of the same
document is a new version (an edit).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from importlib.metadata import version
from typing import Literal

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, joinedload

from archive.db import (
    Capture,
    CellRow,
    CheckRow,
    Document,
    Failure,
    ParseRun,
    ReportCapture,
    ReportRow,
    VersionRow,
    without_nul,
)
from archive.dbwrite import insert_columns, insert_row
from archive.report import Report
from archive.warcstore import StoredResponse

log = logging.getLogger("archive.ingest")

# Bump PARSER_VERSION whenever a change to extraction or parsing can change a stored value: every
# version row records the parse run, and the run records this.
PARSER_VERSION = "2"
REPORT_CAPTURES = ReportCapture.__table__
EXTRACTOR = f"trafilatura {version('trafilatura')}"

Outcome = Literal["capture", "report", "version", "unchanged", "failure", "blocked", "column_empty"]


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of a header, case-insensitively."""
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), None)


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Outcome
    url: str
    reason: str | None = None
    report: Report | None = None
    ocr_pages: int = 0  # pages read by OCR for this record (0 when its kept text was reused)
    # The report of a page whose own text failed (a 图片版 page, counted a failure when ingested):
    # the page is parsed after all, so a summary takes its failure back.
    recovers_failure: bool = False


def capture_for(session: Session, record: StoredResponse) -> tuple[Capture, bool]:
    """The capture row of this WARC record, stored now if it is new; (capture, is_new)."""
    existing = session.scalars(select(Capture).where(Capture.record_id == record.ref.record_id)).first()
    if existing is not None:
        return existing, False
    capture = Capture(
        url=record.url,
        warc_filename=record.ref.filename,
        warc_offset=record.ref.offset,
        warc_length=record.ref.length,
        record_id=record.ref.record_id,
        record_type=record.record_type,
        refers_to=record.refers_to,
        fetched_at=record.fetched_at,
        status=record.status,
        content_type=header(record.headers, "Content-Type"),
        payload_digest=record.ref.payload_digest,
        etag=header(record.headers, "ETag"),
        last_modified=header(record.headers, "Last-Modified"),
    )
    session.add(capture)
    session.flush()
    return capture, True


def store_document(
    session: Session,
    capture: Capture,
    run: ParseRun,
    url: str,
    page_url: str,
    kind: str,
    encoding: str | None,
    title: str | None,
    metadata: dict[str, str],
    text: str,
    spam: list[dict[str, str]] | None = None,
) -> Document:
    document = Document(
        capture_id=capture.id, parse_run_id=run.id, url=url, page_url=page_url, kind=kind, encoding=encoding,
        title=title, page_metadata=metadata, spam=spam or [], text=text, extractor=EXTRACTOR,
    )  # fmt: skip
    return insert_row(session, document)


def fail(
    session: Session, capture: Capture, run: ParseRun, stage: str, reason: str, *, pending: str = ""
) -> IngestResult:
    """Record a failure. `pending`: what may still read the page (said instead of a warning)."""
    failure = Failure(capture_id=capture.id, parse_run_id=run.id, url=capture.url, stage=stage, reason=reason)
    session.add(failure)
    if pending:
        log.info("page text not parsed (%s): %s: %s; %s", stage, capture.url, reason, pending)
    else:
        log.warning("not parsed (%s): %s: %s", stage, capture.url, reason)
    return IngestResult("failure", capture.url, reason=reason)


def content_digest(data: dict) -> str:
    """A digest of what the report says, not where it was found or how sure the parser was of it
    (url, notes and quality excluded)."""
    payload = {k: v for k, v in data.items() if k not in ("url", "notes", "quality")}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _same_numbers(a: dict, b: dict) -> bool:
    """Whether two readings state the same numbers, where both could read them."""
    unread = {k for d in (a, b) for k in (d.get("quality") or {}).get("unresolved", [])}
    if a.get("format") != b.get("format") or a.get("processing_fee_yuan") != b.get("processing_fee_yuan"):
        return False
    ca, cb = a.get("cells") or {}, b.get("cells") or {}
    return all(ca.get(k) == cb.get(k) for k in set(ca) | set(cb) if k not in unread)


def find_report(
    session: Session, report: Report, page_url: str, digest: str, run: ParseRun
) -> tuple[ReportRow | None, bool]:
    """The stored report this capture is of, and whether this run already holds it.

    Same (agency, year) at the report's document URL or article page (a re-capture, an edit, the
    attachment of a parsed page); else a repost: the same (agency, year) anywhere with the same
    numbers, whatever its own title, 索引号 and dates (a 通知公告 copy, a mirror column, a mobile
    page): one report is one row, whichever URL the crawl meets first. A copy with other numbers
    is a report of its own.
    A reparse first looks among the reports it has rebuilt. When none matches it takes over (returns
    as not held) a report at the same place, or a repost, that only older runs hold, preferring one
    whose (agency, year) as the older parser read them agree: its identity fields are then rewritten
    from this run, so reports keep their ids and a parser fix reaches them.
    """
    key = (report.agency, report.year)
    known = bool(report.agency and report.year)  # else no repost is looked for (NULL matches no row)
    params = {"url": report.url, "page_url": page_url, "agency": report.agency if known else None}
    rows = session.scalars(_CANDIDATES, {**params, "year": report.year if known else None}).unique().all()
    at_place = [row for row in rows if row.url == report.url or row.page_url == page_url]
    same_place = [row for row in at_place if (row.agency, row.year) == key]
    reposts = [row for row in rows if report.agency and report.year and (row.agency, row.year) == key]
    for row in same_place:
        if current_version(row, run) is not None:
            return row, True
    data = None  # the report's export, made only to compare a repost's numbers
    for row in reposts:
        latest = current_version(row, run)
        if latest is None:
            continue
        if latest.digest == digest:
            return row, True
        data = data or report.to_dict()
        if _same_numbers(latest.data or {}, data):
            return row, True
    if run.kind == "reparse":  # an older parser's identity fields are only a hint
        for row in (*same_place, *reposts, *at_place):
            if not any(v.parse_run_id == run.id for v in row.versions):
                return row, False
    elif same_place:  # a report whose versions are all history: this capture is its current reading
        return same_place[0], True
    return None, True


# The reports at a capture's place or of its (agency, year), built once: a reparse asks for each
# report. Their versions come joined to them, without their data (read only for a repost's
# numbers): one query, not selectin's two (~0.6 → 0.25 ms).
_CANDIDATES = (
    select(ReportRow)
    .where(
        (ReportRow.url == bindparam("url"))
        | (ReportRow.page_url == bindparam("page_url"))
        | ((ReportRow.agency == bindparam("agency")) & (ReportRow.year == bindparam("year")))
    )
    .order_by(ReportRow.id)
    .options(joinedload(ReportRow.versions).defer(VersionRow.data))
)


def store_report(
    session: Session, document: Document, capture: Capture, report: Report, *, page_url: str, run: ParseRun
) -> IngestResult:
    data = report.to_dict()
    digest = content_digest(data)
    row, held = find_report(session, report, page_url, digest, run)
    if row is None:
        row = ReportRow(
            url=report.url, page_url=page_url, title=report.title, agency=report.agency, year=report.year,
            first_seen=capture.fetched_at,
        )  # fmt: skip
        session.add(row)
        session.flush()
    elif not held:  # a reparse takes the report over: its identity as this run reads it
        _update(
            row, url=report.url, page_url=page_url, title=report.title, agency=report.agency,
            year=report.year, first_seen=capture.fetched_at,
        )  # fmt: skip
    else:  # captures reach the store out of order (several ingest or crawl workers): the earliest
        _update(row, first_seen=_earliest(row.first_seen, capture.fetched_at))
    latest = current_version(row, run)
    same_document = current_version(row, run, document_url=document.url)
    if latest is not None and (same_document is None or same_document.digest == digest):
        # Another capture of what the report already says: the same content again, or another
        # rendition of it (the PDF attached to a parsed page, a repost at another URL). Edits are
        # told only within one document, so two renditions never pass for an edit.
        version, outcome = latest, "unchanged"
        _update(version, first_seen=_earliest(version.first_seen, capture.fetched_at))
    else:
        outcome = "version" if latest is not None else "report"
        version = new_version(document, report, data, digest, capture, run)
        version.report_id = row.id
        insert_row(session, version, into=(row, "versions"))
        store_numbers(session, version, report)
    show(session, row.id, capture.id, version.id)
    return IngestResult(outcome, capture.url, report=report)


def _update(row: ReportRow | VersionRow, **values: object) -> None:
    """Set the attributes whose value changes (as the flush compares them): a reparse mostly
    rewrites a report's identity as it was, and an object set to its own values is still flushed,
    for nothing (~1 ms a report)."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def show(session: Session, report_id: int, capture_id: int, version_id: int) -> None:
    """Record that the capture shows this version of the report (a reparse: now this run's reading
    of it). In SQL, not through the session: the link is never read back while ingesting."""
    params = {"report": report_id, "capture": capture_id, "version": version_id}
    if not session.execute(_SHOW_AGAIN, params).rowcount:
        session.execute(_SHOW, params)


_LINK = REPORT_CAPTURES.c
_SHOW_AGAIN = (
    update(REPORT_CAPTURES)
    .where((_LINK.report_id == bindparam("report")) & (_LINK.capture_id == bindparam("capture")))
    .values(version_id=bindparam("version"))
)
_SHOW = insert(REPORT_CAPTURES).values(
    report_id=bindparam("report"), capture_id=bindparam("capture"), version_id=bindparam("version")
)


def seen_earlier(session: Session, page_url: str, when: datetime) -> None:
    """A capture of a report's page whose report cannot be read from it here (a 图片版 page whose
    pictures this archive does not hold): the report stored from a later capture of the page was
    still first seen at `when`. A cluster's workers store captures out of order, and the reparse
    of their archives together reads this capture, with the pictures, as the report."""
    for row in session.scalars(select(ReportRow).where(ReportRow.page_url == page_url)):
        row.first_seen = _earliest(row.first_seen, when)


def _earliest(held: datetime | None, seen: datetime) -> datetime:
    """The earlier of two capture times, one of which may have come back from SQLite without its
    zone (both are UTC)."""
    if held is None:
        return seen
    naive = held.tzinfo is None or seen.tzinfo is None
    a, b = (held.replace(tzinfo=None), seen.replace(tzinfo=None)) if naive else (held, seen)
    return held if a <= b else seen


def current_version(
    row: ReportRow, run: ParseRun | None = None, *, document_url: str | None = None
) -> VersionRow | None:
    """The report's latest version as the current parser reads it (of one document, if given).

    Versions of superseded runs are history, and so are those of a reparse that has not finished
    (interrupted, or still running). While a reparse is running, only its own versions count, so it
    rebuilds each report's version chain from the archive alone.
    """
    if run is not None and run.kind == "reparse":
        live = [v for v in row.versions if v.parse_run_id == run.id]
    else:
        live = [v for v in row.versions if v.parse_run.live or (run is not None and v.parse_run_id == run.id)]
    if document_url is not None:
        live = [v for v in live if v.document.url == document_url]
    return live[-1] if live else None


def new_version(
    document: Document, report: Report, data: dict, digest: str, capture: Capture, run: ParseRun
) -> VersionRow:
    version = VersionRow(
        document_id=document.id,
        parse_run_id=run.id,
        digest=digest,
        published_on=date.fromisoformat(report.published_on) if report.published_on else None,
        index_no=report.index_no,
        format=report.format,
        processing_fee_yuan=_decimal(report.processing_fee_yuan),
        first_seen=capture.fetched_at,
        data=data,
    )
    return version


def store_numbers(session: Session, version: VersionRow, report: Report) -> None:
    """The version's cells and checks, a few hundred rows, inserted in bulk and column by column:
    as ORM objects (or a dict a row) they cost a reparse more than parsing the report does."""
    cells = report.cells
    insert_columns(
        session, CellRow.__table__,  # keys are the parser's own names: no NUL to strip
        {"version_id": [version.id] * len(cells), "key": list(cells), "value": list(cells.values())},
    )  # fmt: skip
    checks = report.checks
    insert_columns(
        session, CheckRow.__table__,
        {
            "version_id": [version.id] * len(checks), "rule": [c.rule for c in checks],
            "column": [c.column for c in checks], "ok": [c.ok for c in checks],
            "detail": without_nul([c.detail for c in checks]),
        },
    )  # fmt: skip


def _decimal(value: int | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)
