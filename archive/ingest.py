"""Ingest: one archived WARC record in, rows in the store out (capture → document → report).

This is the single path from the archive to the database. The live crawl calls it on each record
right after the WARC writer has flushed it, and `nianbao reparse` calls it on every record of the
archive; both read the record back from the WARC file, so the database is a function of the WARC
files alone and a re-parse with the same code gives the same rows.

A record becomes a report only when its page title is a report title (`archive.classify`); a
report page that cannot be extracted or parsed is stored as a `Failure` with the reason, never an
exception that stops the crawl.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

import lxml.html
import trafilatura
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.classify import is_report_title
from archive.db import Capture, CellRow, CheckRow, Document, Failure, ReportRow
from archive.extract import ExtractionError, decode_html, extract_page, page_metadata
from archive.parse import parse_report
from archive.report import NotAReport, Report
from archive.warcstore import StoredResponse

log = logging.getLogger(__name__)

PARSER_VERSION = "1"
EXTRACTOR = f"trafilatura {trafilatura.__version__}"

Outcome = Literal["capture", "report", "failure", "unchanged"]
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Outcome
    url: str
    reason: str | None = None
    report: Report | None = None


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of a header, case-insensitively."""
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), None)


def ingest_record(session: Session, record: StoredResponse) -> IngestResult:
    """Store one WARC record: always its capture; a report (or a failure) when it is a report page."""
    capture = _store_capture(session, record)
    content_type = header(record.headers, "Content-Type") or ""
    if record.record_type not in ("response", "resource") or record.status != 200:
        return IngestResult("capture", record.url)
    if not content_type or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return IngestResult("capture", record.url)

    html, encoding = decode_html(record.body, content_type)
    title = _page_title(html)
    if not is_report_title(title):
        return IngestResult("capture", record.url)

    try:
        extracted = extract_page(html, record.url, encoding)
    except ExtractionError as err:
        return _fail(session, capture, "extract", str(err))
    document = Document(
        capture_id=capture.id,
        url=record.url,
        page_url=record.url,
        kind="html",
        encoding=encoding,
        title=extracted.title,
        text=extracted.text,
        extractor=EXTRACTOR,
    )
    session.add(document)
    session.flush()
    try:
        report = parse_report(extracted.text, url=record.url)
    except NotAReport as err:
        return _fail(session, capture, "parse", str(err))
    except Exception as err:  # a parser bug must not stop a crawl; the capture stays archived
        log.error("parser crashed on %s: %s", record.url, traceback.format_exc())
        return _fail(session, capture, "parse", f"internal parser error: {type(err).__name__}: {err}")
    report.url = record.url
    return _store_report(session, document, capture, report)


def _page_title(html: str) -> str | None:
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    return page_metadata(tree).get("标题")


def _store_capture(session: Session, record: StoredResponse) -> Capture:
    capture = Capture(
        url=record.url,
        warc_filename=record.ref.filename,
        warc_offset=record.ref.offset,
        warc_length=record.ref.length,
        record_id=record.ref.record_id,
        record_type=record.record_type,
        fetched_at=record.fetched_at,
        status=record.status,
        content_type=header(record.headers, "Content-Type"),
        payload_digest=record.ref.payload_digest,
    )
    session.add(capture)
    session.flush()
    return capture


def _fail(session: Session, capture: Capture, stage: str, reason: str) -> IngestResult:
    session.add(Failure(capture_id=capture.id, url=capture.url, stage=stage, reason=reason))
    log.warning("not parsed (%s): %s: %s", stage, capture.url, reason)
    return IngestResult("failure", capture.url, reason=reason)


def _store_report(session: Session, document: Document, capture: Capture, report: Report) -> IngestResult:
    data = report.to_dict()
    latest = session.scalars(
        select(ReportRow).where(ReportRow.url == report.url).order_by(ReportRow.id.desc()).limit(1)
    ).first()
    if latest is not None and latest.data == data:
        return IngestResult("unchanged", capture.url, report=report)
    first_seen = session.scalar(
        select(func.min(Capture.fetched_at)).where(Capture.url == capture.url, Capture.status == 200)
    )
    row = ReportRow(
        document_id=document.id,
        url=report.url,
        page_url=document.page_url,
        title=report.title,
        agency=report.agency,
        year=report.year,
        published_on=date.fromisoformat(report.published_on) if report.published_on else None,
        index_no=report.index_no,
        format=report.format,
        processing_fee_yuan=_decimal(report.processing_fee_yuan),
        first_seen=first_seen or capture.fetched_at,
        parser_version=PARSER_VERSION,
        data=data,
    )
    row.cells = [CellRow(key=k, value=_decimal(v)) for k, v in report.cells.items()]
    row.checks = [CheckRow(rule=c.rule, column=c.column, ok=c.ok, detail=c.detail) for c in report.checks]
    session.add(row)
    session.flush()
    return IngestResult("report", capture.url, report=report)


def _decimal(value: int | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)
