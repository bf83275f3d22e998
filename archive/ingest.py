"""Ingest: one archived WARC record in, rows in the store out (capture → document → report).

This is the single path from the archive to the database. The live crawl calls it on each record
right after the WARC writer has flushed it, and `nianbao reparse` calls it on every record of the
archive in the same order; both read the record back from the WARC file, so the database is a
function of the WARC files alone.

- Every record becomes a `Capture`. Links from any page to document files (PDF, DOC…) are kept
  with their anchor text, so an attachment ingested later finds its article page.
- An HTML page becomes a report when its own title is a report title (`archive.classify`); an
  attachment when its article page (or the anchor that linked it) names a report. The attachment
  is parsed with its page's title and dates in front of its text, and the page and its attachment
  are one report.
- A report is identified by its document URL, or by (title, agency, year) for a repost of the
  same report at another URL. A capture whose parsed content equals the report's latest version
  is one more capture of that version; different content is a new version (an edit).
- A report page that cannot be extracted or parsed is a `Failure` with the reason; nothing here
  raises on bad input.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import traceback
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal
from urllib.parse import urljoin

import lxml.html
import trafilatura
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.classify import is_report_title
from archive.db import (
    Capture,
    CellRow,
    CheckRow,
    Document,
    Failure,
    PageLink,
    ParseRun,
    ReportCapture,
    ReportRow,
    VersionRow,
)
from archive.documents import document_text, sniff_kind
from archive.extract import (
    METADATA_LABELS,
    ExtractionError,
    decode_html,
    extract_page,
    find_spam,
    page_metadata,
)
from archive.parse import parse_report
from archive.report import NotAReport, Report
from archive.warcstore import StoredResponse

log = logging.getLogger(__name__)

# Bump PARSER_VERSION whenever a change to extraction or parsing can change a stored value: every
# version row records the parse run, and the run records this.
PARSER_VERSION = "2"
EXTRACTOR = f"trafilatura {trafilatura.__version__}"

Outcome = Literal["capture", "report", "version", "unchanged", "failure", "blocked"]
HTML_TYPES = ("text/html", "application/xhtml+xml")
ATTACHMENT_HREF = re.compile(r"\.(?:pdf|docx?|wps|rtf)(?:$|[?#])", re.I)
CHALLENGE_STATUSES = (202, 412, 521)
_CHALLENGE = re.compile(r"\$_ts|__jsl_clearance|wzws_cid|document\.cookie\s*=", re.I)


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Outcome
    url: str
    reason: str | None = None
    report: Report | None = None


def start_run(session: Session, kind: str) -> ParseRun:
    """A new parse run (kind "crawl" or "reparse"), flushed so its id can be referenced."""
    run = ParseRun(
        kind=kind, parser_version=PARSER_VERSION, extractor=EXTRACTOR, started_at=datetime.now(UTC)
    )
    session.add(run)
    session.flush()
    return run


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of a header, case-insensitively."""
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), None)


def ingest_record(session: Session, record: StoredResponse, run: ParseRun) -> IngestResult:
    """Store one WARC record: always its capture; a report, version or failure when it holds one.

    Idempotent per record: a reparse finds the capture (and its links) already stored and only adds
    what its own parse run reads from it.
    """
    capture, new = _capture_for(session, record)
    content_type = header(record.headers, "Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    if record.record_type == "revisit":
        return _ingest_revisit(session, record, capture, new)
    if record.record_type not in ("response", "resource"):
        return IngestResult("capture", record.url)
    if record.status in CHALLENGE_STATUSES and _CHALLENGE.search(record.body[:20000].decode("latin-1")):
        # Evidence stays in the capture row (its status); the crawler retries such pages in a browser.
        reason = f"anti-bot JavaScript challenge (HTTP {record.status})"
        return IngestResult("blocked", record.url, reason=reason)
    if record.status != 200:
        return IngestResult("capture", record.url)
    if mime in HTML_TYPES or (not mime and record.body.lstrip()[:1] == b"<"):
        return _ingest_page(session, record, capture, content_type, run, new)
    kind = sniff_kind(record.body, content_type, record.url)
    if kind is not None:
        return _ingest_attachment(session, record, capture, content_type, kind, run)
    return IngestResult("capture", record.url)


# --- revisits -------------------------------------------------------------------------------


def _ingest_revisit(session: Session, record: StoredResponse, capture: Capture, new: bool) -> IngestResult:
    """A re-crawl found the payload unchanged: the revisit shows what its referred capture showed.

    Nothing is re-parsed. The referred capture's links are this capture's links too (evidence for
    the backdating check), and each report it showed gains this capture, at its current version.
    """
    referred = session.scalars(select(Capture).where(Capture.record_id == record.refers_to)).first()
    if referred is None:
        return IngestResult("capture", record.url, reason="revisit of a record not in the archive")
    if new:
        links = session.scalars(select(PageLink).where(PageLink.capture_id == referred.id)).all()
        session.add_all(PageLink(capture_id=capture.id, kind=k.kind, url=k.url, text=k.text) for k in links)
    shown = session.scalars(select(ReportCapture).where(ReportCapture.capture_id == referred.id)).all()
    outcome: Outcome = "capture"
    for link in shown:
        report = session.get(ReportRow, link.report_id)
        version = current_version(report) if report is not None else None
        if version is not None and session.get(ReportCapture, (report.id, capture.id)) is None:
            session.add(ReportCapture(report_id=report.id, capture_id=capture.id, version_id=version.id))
            outcome = "unchanged"
    return IngestResult(outcome, record.url)


# --- pages -----------------------------------------------------------------------------------


def _ingest_page(
    session: Session, record: StoredResponse, capture: Capture, content_type: str, run: ParseRun, new: bool
) -> IngestResult:
    html, encoding = decode_html(record.body, content_type)
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return IngestResult("capture", record.url)
    links = page_links(capture.url, tree)
    if new:
        session.add_all(PageLink(capture_id=capture.id, kind=k, url=u, text=t) for k, u, t in links)
    attachments = [u for k, u, _ in links if k == "attachment"]
    metadata = page_metadata(tree)
    if not is_report_title(metadata.get("标题")):
        return IngestResult("capture", record.url)
    try:
        extracted = extract_page(html, record.url, encoding)
    except ExtractionError as err:
        if attachments:
            return IngestResult("capture", record.url, reason="report is in its attachment(s)")
        return _fail(session, capture, run, "extract", str(err))
    document = _store_document(
        session, capture, run, record.url, record.url, "html", encoding, extracted.title, extracted.metadata,
        extracted.text, spam=find_spam(tree),
    )  # fmt: skip
    try:
        report = parse_report(extracted.text, url=record.url)
    except NotAReport as err:
        if attachments:  # an article page that only links its report (附件：…年报.pdf)
            return IngestResult("capture", record.url, reason=f"report is in its attachment(s); page: {err}")
        return _fail(session, capture, run, "parse", str(err))
    except Exception as err:  # a parser bug must not stop a crawl; the capture stays archived
        log.error("parser crashed on %s: %s", record.url, traceback.format_exc())
        return _fail(session, capture, run, "parse", f"internal parser error: {type(err).__name__}: {err}")
    report.url = record.url
    return _store_report(session, document, capture, report, page_url=record.url, run=run)


def page_links(page_url: str, tree: lxml.html.HtmlElement) -> list[tuple[str, str, str]]:
    """(kind, url, anchor text) of every link to a document file or to a report-titled page."""
    found = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        text = re.sub(r"\s+", "", anchor.text_content() or "") or (anchor.get("title") or "").strip()
        if ATTACHMENT_HREF.search(href):
            found.append(("attachment", urljoin(page_url, href), text[:500]))
        elif is_report_title(text) or is_report_title(anchor.get("title")):
            found.append(("report", urljoin(page_url, href), text[:500]))
    return found


# --- attachments -----------------------------------------------------------------------------


def _ingest_attachment(
    session: Session, record: StoredResponse, capture: Capture, content_type: str, kind: str, run: ParseRun
) -> IngestResult:
    link = session.scalars(
        select(PageLink)
        .where(PageLink.url == record.url, PageLink.kind == "attachment")
        .order_by(PageLink.id.desc())
        .limit(1)
    ).first()
    page_doc = None
    if link is not None:
        page_doc = session.scalars(
            select(Document)
            .join(Capture, Document.capture_id == Capture.id)
            .where(Capture.url == link.capture.url, Document.kind == "html")
            .order_by(Document.id.desc())
            .limit(1)
        ).first()
    page_metadata = dict(page_doc.page_metadata) if page_doc is not None else {}
    page_title = page_metadata.get("标题")
    title = page_title if is_report_title(page_title) else (link.text if link else None)
    if not is_report_title(title):
        return IngestResult("capture", record.url)
    page_url = link.capture.url if link is not None and is_report_title(page_title) else record.url
    try:
        converted = document_text(record.body, content_type, record.url)
    except ExtractionError as err:
        return _fail(session, capture, run, "extract", f"{kind.upper()} attachment: {err}")
    metadata = {**page_metadata, "标题": title}
    header_block = "\n".join(f"{label}：{metadata[label]}" for label in METADATA_LABELS if label in metadata)
    text = f"{header_block}\n\n{converted.text}"
    spam = page_doc.spam if page_doc is not None else []  # a hacked article page, its report attached
    document = _store_document(
        session, capture, run, record.url, page_url, kind, None, title, metadata, text, spam=spam
    )
    try:
        report = parse_report(text, url=record.url)
    except NotAReport as err:
        return _fail(session, capture, run, "parse", f"{kind.upper()} attachment: {err}")
    except Exception as err:
        log.error("parser crashed on %s: %s", record.url, traceback.format_exc())
        return _fail(session, capture, run, "parse", f"internal parser error: {type(err).__name__}: {err}")
    report.url = record.url
    return _store_report(session, document, capture, report, page_url=page_url, run=run)


# --- rows ------------------------------------------------------------------------------------


def _capture_for(session: Session, record: StoredResponse) -> tuple[Capture, bool]:
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


def _store_document(
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
    session.add(document)
    session.flush()
    return document


def _fail(session: Session, capture: Capture, run: ParseRun, stage: str, reason: str) -> IngestResult:
    failure = Failure(capture_id=capture.id, parse_run_id=run.id, url=capture.url, stage=stage, reason=reason)
    session.add(failure)
    log.warning("not parsed (%s): %s: %s", stage, capture.url, reason)
    return IngestResult("failure", capture.url, reason=reason)


def content_digest(data: dict) -> str:
    """A digest of what the report says, not where it was found (url, notes excluded)."""
    payload = {k: v for k, v in data.items() if k not in ("url", "notes")}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _find_report(session: Session, report: Report, page_url: str) -> ReportRow | None:
    """The stored report this one is a capture of: same document URL, else a same-titled repost."""
    same_url = session.scalars(
        select(ReportRow).where((ReportRow.url == report.url) | (ReportRow.page_url == page_url)).limit(1)
    ).first()
    if same_url is not None or not (report.title and report.agency and report.year):
        return same_url
    return session.scalars(
        select(ReportRow)
        .where(
            ReportRow.title == report.title, ReportRow.agency == report.agency, ReportRow.year == report.year
        )
        .limit(1)
    ).first()


def _store_report(
    session: Session, document: Document, capture: Capture, report: Report, *, page_url: str, run: ParseRun
) -> IngestResult:
    data = report.to_dict()
    digest = content_digest(data)
    row = _find_report(session, report, page_url)
    if row is None:
        row = ReportRow(
            url=report.url, page_url=page_url, title=report.title, agency=report.agency, year=report.year,
            first_seen=capture.fetched_at,
        )  # fmt: skip
        session.add(row)
        session.flush()
    latest = current_version(row, run)
    same_document = current_version(row, run, document_url=document.url)
    if latest is not None and (same_document is None or same_document.digest == digest):
        # Another capture of what the report already says: the same content again, or another
        # rendition of it (the PDF attached to a parsed page, a repost at another URL). Edits are
        # told only within one document, so two renditions never pass for an edit.
        version, outcome = latest, "unchanged"
    else:
        outcome = "version" if latest is not None else "report"
        version = _new_version(document, report, data, digest, capture, run)
        row.versions.append(version)
        session.flush()
    link = session.get(ReportCapture, (row.id, capture.id))
    if link is None:
        session.add(ReportCapture(report_id=row.id, capture_id=capture.id, version_id=version.id))
    else:  # a reparse: the capture now shows this run's reading of it
        link.version_id = version.id
    return IngestResult(outcome, capture.url, report=report)


def current_version(
    row: ReportRow, run: ParseRun | None = None, *, document_url: str | None = None
) -> VersionRow | None:
    """The report's latest version as the current parser reads it (of one document, if given).

    Versions of superseded runs are history. While a reparse is running, only its own versions
    count, so it rebuilds each report's version chain from the archive alone.
    """
    live = [v for v in row.versions if v.parse_run.superseded_by is None]
    if run is not None and run.kind == "reparse":
        live = [v for v in live if v.parse_run_id == run.id]
    if document_url is not None:
        live = [v for v in live if v.document.url == document_url]
    return live[-1] if live else None


def _new_version(
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
    version.cells = [CellRow(key=k, value=_decimal(v)) for k, v in report.cells.items()]
    version.checks = [CheckRow(rule=c.rule, column=c.column, ok=c.ok, detail=c.detail) for c in report.checks]
    return version


def _decimal(value: int | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)
