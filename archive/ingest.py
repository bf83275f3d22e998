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
- A report is one agency's report on one year. A capture is of a stored report when its parsed
  (agency, year) are the report's and it is at the report's document URL or article page (the
  page, or an attachment of it), or when it is a repost at another URL with the same title and
  the same content. The same URL showing another (agency, year) (a fixed 年报 URL showing next
  year's report, a page linking several reports) is another report. A capture whose parsed
  content equals the report's latest version is one more capture of that version; different
  content of the same document is a new version (an edit).
- An attachment takes its article page from the newest page archived before it that links it
  (WARC order), so the crawl and a reparse, into a fresh or an existing database, tie it alike.
- A browser fetch archives the browser's copy of the page (a response marked
  `body-decoded-by-browser`) and the rendered DOM (a resource record); the report is parsed from
  the rendered DOM only, the browser's copy gives its capture and links.
- A report page that cannot be extracted or parsed is a `Failure` with the reason; nothing here
  raises on bad input. So is a report link that could not be read at all: a fetch the crawler gave
  up on (its `metadata` record: timeout, cut connection, error status…), a body that hit a decoding
  bound (a compression bomb), an empty, binary or undecodable body, markup nested past the
  parser's depth limit (`archive.unreadable`). The audit then says "found, not readable", never
  "missing".
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

import lxml.html
import trafilatura
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.classify import is_report_title, normalise_title
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
from archive.unreadable import parse_page, unreadable_page, warc_fields
from archive.urls import absolute_url
from archive.warcstore import RecordRef, StoredResponse

log = logging.getLogger(__name__)

# Bump PARSER_VERSION whenever a change to extraction or parsing can change a stored value: every
# version row records the parse run, and the run records this.
PARSER_VERSION = "2"
EXTRACTOR = f"trafilatura {trafilatura.__version__}"

Outcome = Literal["capture", "report", "version", "unchanged", "failure", "blocked"]
HTML_TYPES = ("text/html", "application/xhtml+xml")
ATTACHMENT_HREF = re.compile(r"\.(?:pdf|docx?|wps|rtf|ofd|xlsx?|et)(?:$|[?#])", re.I)
# A report's tables published as a workbook: archived and recorded, never a report of its own.
_SPREADSHEET_HREF = re.compile(r"\.(?:xlsx?|et)(?:$|[?#])", re.I)
CHALLENGE_STATUSES = (202, 412, 521)
_CHALLENGE = re.compile(r"\$_ts|__jsl_clearance|wzws_cid|document\.cookie\s*=", re.I)
BROWSER_COPY = "body-decoded-by-browser"  # WARC-Nianbao-Reconstructed item of a browser's response
# Anchor text of an attachment that is a report (not a form, a table or an explanatory note).
_NAMES_REPORT = re.compile(r"年报|年度报告|工作报告")
_ATTACHMENT_LABEL = re.compile(r"^附件\s*\d*\s*[:：.、]?\s*|\.(?:pdf|docx?|wps|rtf|ofd|xlsx?|et)$", re.I)
# Page metadata that an attachment of a page listing several reports shares: dates, not its agency.
_SHARED_METADATA = ("发布日期", "成文日期", "公开日期", "发布时间")


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


def finish_run(session: Session, run: ParseRun) -> None:
    """Mark the run finished: a reparse's results become live (a crawl's are live as it goes)."""
    run.finished_at = datetime.now(UTC)
    session.flush()


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of a header, case-insensitively."""
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), None)


def ingest_record(session: Session, record: StoredResponse, run: ParseRun) -> IngestResult:
    """Store one WARC record: always its capture; a report, version or failure when it holds one.

    Idempotent per record: a reparse finds the capture already stored, reads its links again and
    adds what its own parse run reads from it.
    """
    capture, new = _capture_for(session, record)
    content_type = header(record.headers, "Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    if record.record_type == "revisit":
        return _ingest_revisit(session, record, capture, new, run)
    if record.record_type == "metadata":
        return _ingest_fetch_failure(session, record, capture, run)
    if record.record_type not in ("response", "resource"):
        return IngestResult("capture", record.url)
    if record.body_error:  # decoding the body stopped at a bound (a compression bomb)
        return _unreadable(session, record, capture, run, "decode", record.body_error)
    if record.status in CHALLENGE_STATUSES and _CHALLENGE.search(record.body[:20000].decode("latin-1")):
        # Evidence stays in the capture row (its status); the crawler retries such pages in a browser.
        reason = f"anti-bot JavaScript challenge (HTTP {record.status})"
        if _link_before(session, record, "report"):  # a report we know of but could not read: a finding
            _fail(session, capture, run, "blocked", reason)
        return IngestResult("blocked", record.url, reason=reason)
    if record.status != 200:
        return IngestResult("capture", record.url)
    if mime in HTML_TYPES or (not mime and record.body.lstrip()[:1] == b"<"):
        return _ingest_page(session, record, capture, content_type, run, new)
    kind = sniff_kind(record.body, content_type, record.url)
    if kind is not None:
        return _ingest_attachment(session, record, capture, content_type, kind, run)
    what = f"{len(record.body)} bytes of {mime or 'undeclared type'}"
    return _unreadable(session, record, capture, run, "extract", f"neither a page nor a document ({what})")


def record_failure(session: Session, record: StoredResponse, run: ParseRun, reason: str) -> IngestResult:
    """Record that ingesting `record` failed (after its savepoint was rolled back), with the reason."""
    try:
        with session.begin_nested():
            capture, _ = _capture_for(session, record)
            return _fail(session, capture, run, "ingest", reason)
    except Exception:  # not even the capture can be stored: the WARC record stays the evidence
        log.error("cannot record the failure of %s: %s", record.url, traceback.format_exc())
        return IngestResult("failure", record.url, reason=reason)


# --- what could not be read ------------------------------------------------------------------


def _ingest_fetch_failure(
    session: Session, record: StoredResponse, capture: Capture, run: ParseRun
) -> IngestResult:
    """A fetch the crawler gave up on (its metadata record): a failure when the link was a report's.

    The record says what the link was (`link-kind`, its anchor text as `link-text`); the store knows
    which pages linked the URL, and how.
    """
    fields = warc_fields(record.body)
    reason = fields.get("fetch-error")
    if not reason:
        return IngestResult("capture", record.url)
    kind, text = fields.get("link-kind", ""), fields.get("link-text", "")
    named = is_report_title(text) or (kind == "attachment" and _NAMES_REPORT.search(normalise_title(text)))
    if kind == "report" or named or _report_link_text(session, record, run):
        return _fail(session, capture, run, "fetch", reason)
    return IngestResult("capture", record.url, reason=reason)


def _unreadable(
    session: Session, record: StoredResponse, capture: Capture, run: ParseRun, stage: str, reason: str
) -> IngestResult:
    """A body that cannot be read: a failure when a report link led to it, else just its capture."""
    if _report_link_text(session, record, run):
        return _fail(session, capture, run, stage, reason)
    return IngestResult("capture", record.url, reason=reason)


def _report_link_text(session: Session, record: StoredResponse, run: ParseRun) -> str | None:
    """The anchor or page title that makes `record`'s URL a report we know of, or None.

    A report link to it; or an attachment link to it that names a report (附件：…年度报告.pdf) or sits
    on a report's article page; each from a page archived before it.
    """
    link = _link_before(session, record, "report")
    if link is not None:
        return link.text or record.url
    link = _link_before(session, record, "attachment")
    if link is None:
        return None
    if is_report_title(link.text) or _NAMES_REPORT.search(normalise_title(link.text or "")):
        return link.text
    page = _page_document(session, link.capture.url, record.ref, run)
    title = (page.page_metadata or {}).get("标题") if page is not None else None
    return title if is_report_title(title) else None


# --- revisits -------------------------------------------------------------------------------


def _ingest_revisit(
    session: Session, record: StoredResponse, capture: Capture, new: bool, run: ParseRun
) -> IngestResult:
    """A re-crawl found the payload unchanged: the revisit shows what its referred capture showed.

    Nothing is re-parsed. The referred capture's links are this capture's links too (evidence for
    the backdating check), and each report it showed gains this capture, at its current version.
    """
    referred = session.scalars(select(Capture).where(Capture.record_id == record.refers_to)).first()
    if referred is None:
        return IngestResult("capture", record.url, reason="revisit of a record not in the archive")
    if new or run.kind == "reparse":
        links = session.scalars(
            select(PageLink).where(PageLink.capture_id == referred.id).order_by(PageLink.id)
        ).all()
        _replace_links(session, capture, [(k.kind, k.url, k.text) for k in links], new)
    shown = session.scalars(
        select(ReportCapture).where(ReportCapture.capture_id == referred.id).order_by(ReportCapture.report_id)
    ).all()
    outcome: Outcome = "capture"
    for link in shown:
        report = session.get(ReportRow, link.report_id)
        if report is None:
            continue
        if run.kind == "reparse" and session.get(VersionRow, link.version_id).parse_run_id != run.id:
            continue  # a link an older run made, which this run's reading of the referred record dropped
        version = current_version(report, run)
        if version is None:
            continue
        existing = session.get(ReportCapture, (report.id, capture.id))
        if existing is None:
            session.add(ReportCapture(report_id=report.id, capture_id=capture.id, version_id=version.id))
        else:  # a reparse: the revisit now shows this run's version
            existing.version_id = version.id
        outcome = "unchanged"
    return IngestResult(outcome, record.url)


def _replace_links(session: Session, capture: Capture, links: list[tuple[str, str, str]], new: bool) -> None:
    """Store the capture's links; a reparse reads them again, replacing what an older run stored."""
    if not new:
        session.execute(delete(PageLink).where(PageLink.capture_id == capture.id))
    session.add_all(PageLink(capture_id=capture.id, kind=k, url=u, text=t) for k, u, t in links)
    session.flush()


# --- pages -----------------------------------------------------------------------------------


def _ingest_page(
    session: Session, record: StoredResponse, capture: Capture, content_type: str, run: ParseRun, new: bool
) -> IngestResult:
    html, encoding = decode_html(record.body, content_type)
    why = unreadable_page(record.body, html, encoding)
    if why:
        return _unreadable(session, record, capture, run, "extract", why)
    try:
        tree, deep = parse_page(html)
    except (ValueError, lxml.etree.ParserError) as err:
        return _unreadable(session, record, capture, run, "extract", f"not parseable as HTML ({err})")
    if deep and (is_report_title(page_metadata(tree).get("标题")) or _report_link_text(session, record, run)):
        return _fail(session, capture, run, "extract", deep)
    links = page_links(capture.url, tree)
    if new or run.kind == "reparse":
        _replace_links(session, capture, links, new)
    if record.record_type == "response" and BROWSER_COPY in record.reconstructed:
        # The browser's copy of a page it rendered: the rendered DOM (a resource record of the same
        # fetch) is the one parsed, so the report is not read twice from one fetch.
        return IngestResult("capture", record.url, reason="browser's copy; the rendered DOM is parsed")
    attachments = [u for k, u, _ in links if k == "attachment"]
    metadata = page_metadata(tree)
    if not is_report_title(metadata.get("标题")):
        return IngestResult("capture", record.url)
    try:
        extracted = extract_page(html, record.url, encoding)
    except ExtractionError as err:
        if not attachments:
            return _fail(session, capture, run, "extract", str(err))
        # An article page with nothing but its attachment (an icon link, a 图片版): still its
        # attachments' page, so they inherit its title, dates and injected links; no text.
        _store_document(
            session, capture, run, record.url, record.url, "html", encoding, metadata.get("标题"), metadata,
            "", spam=find_spam(tree),
        )  # fmt: skip
        return IngestResult("capture", record.url, reason=f"report is in its attachment(s); page: {err}")
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
    """(kind, url, anchor text) of every link to a document file or to a report-titled page.

    URLs are in the form the crawler requests them (`archive.urls.absolute_url`), so an attachment
    named in Chinese meets its WARC record.
    """
    found = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        text = re.sub(r"\s+", "", anchor.text_content() or "") or (anchor.get("title") or "").strip()
        if ATTACHMENT_HREF.search(href):
            found.append(("attachment", absolute_url(page_url, href), text[:500]))
        elif is_report_title(text) or is_report_title(anchor.get("title")):
            found.append(("report", absolute_url(page_url, href), text[:500]))
    return found


# --- attachments -----------------------------------------------------------------------------


def _ingest_attachment(
    session: Session, record: StoredResponse, capture: Capture, content_type: str, kind: str, run: ParseRun
) -> IngestResult:
    link = _linking_page(session, record)
    page_doc = _page_document(session, link.capture.url, record.ref, run) if link is not None else None
    page_metadata = dict(page_doc.page_metadata) if page_doc is not None else {}
    page_title = page_metadata.get("标题")
    on_report_page = link is not None and is_report_title(page_title)
    several = on_report_page and _links_several_reports(session, link)
    if several:  # a page listing several reports: each attachment is named by its anchor
        title = _ATTACHMENT_LABEL.sub("", link.text or "").strip() or page_title
        page_metadata = {k: v for k, v in page_metadata.items() if k in _SHARED_METADATA}
    elif on_report_page:
        title = page_title
    else:
        title = link.text if link is not None else None
    if not (several or is_report_title(title)):
        return IngestResult("capture", record.url)
    page_url = link.capture.url if on_report_page else record.url
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


def _position(capture: Capture) -> tuple[str, int]:
    """Where a capture's record is in the archive: WARC files sort chronologically by name."""
    return capture.warc_filename, capture.warc_offset


def _linking_page(session: Session, record: StoredResponse) -> PageLink | None:
    """The newest link to this attachment from a capture archived before it (WARC order).

    Never a later capture's: the live crawl had not seen it yet, and a reparse, into an existing
    database or a fresh one, must tie the attachment as the crawl did. Compared in Python, so the
    order does not depend on the database's collation.
    """
    return _link_before(session, record, "attachment")


def _link_before(session: Session, record: StoredResponse, kind: str) -> PageLink | None:
    """The newest `kind` link to `record`'s URL from a capture archived before it (see above)."""
    here = (record.ref.filename, record.ref.offset)
    links = session.execute(
        select(PageLink, Capture)
        .join(Capture, PageLink.capture_id == Capture.id)
        .where(PageLink.url == record.url, PageLink.kind == kind)
    ).all()
    before = [(_position(c), link.id, link) for link, c in links if _position(c) < here]
    return max(before, key=lambda t: t[:2])[2] if before else None


def _page_document(session: Session, page_url: str, here: RecordRef, run: ParseRun) -> Document | None:
    """The article page's newest HTML document archived before `here`, as a current run read it."""
    rows = session.execute(
        select(Document, Capture, ParseRun)
        .join(Capture, Document.capture_id == Capture.id)
        .join(ParseRun, Document.parse_run_id == ParseRun.id)
        .where(Capture.url == page_url, Document.kind == "html")
    ).all()
    position = (here.filename, here.offset)
    candidates = [
        (_position(c), d.id, d) for d, c, r in rows if _position(c) < position and _reads_for(r, run)
    ]
    return max(candidates, key=lambda t: t[:2])[2] if candidates else None


def _reads_for(other: ParseRun, run: ParseRun) -> bool:
    """Whether `other`'s results are current for `run`: a reparse sees only its own."""
    if run.kind == "reparse":
        return other.id == run.id
    return other.id == run.id or other.live


def _links_several_reports(session: Session, link: PageLink) -> bool:
    """Whether the page that holds `link` links more than one report attachment."""
    texts = session.execute(
        select(PageLink.url, PageLink.text).where(
            PageLink.capture_id == link.capture_id, PageLink.kind == "attachment"
        )
    ).all()
    named = {
        url
        for url, text in texts
        if (is_report_title(text) or _NAMES_REPORT.search(normalise_title(text)))
        and not _SPREADSHEET_HREF.search(url)
    }
    return len(named) > 1


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


def _find_report(
    session: Session, report: Report, page_url: str, digest: str, run: ParseRun
) -> tuple[ReportRow | None, bool]:
    """The stored report this capture is of, and whether this run already holds it.

    Same (agency, year) at the report's document URL or article page (a re-capture, an edit, the
    attachment of a parsed page); else a repost: same title, agency and year with equal content.
    A reparse first looks among the reports it has rebuilt. When none matches it takes over (returns
    as not held) a report at the same place, or a repost, that only older runs hold, preferring one
    whose (agency, year) as the older parser read them agree: its identity fields are then rewritten
    from this run, so reports keep their ids and a parser fix reaches them.
    """
    key = (report.agency, report.year)
    at_place = session.scalars(
        select(ReportRow)
        .where((ReportRow.url == report.url) | (ReportRow.page_url == page_url))
        .order_by(ReportRow.id)
    ).all()
    same_place = [row for row in at_place if (row.agency, row.year) == key]
    reposts: list[ReportRow] = []
    if report.title and report.agency and report.year:
        reposts = list(
            session.scalars(
                select(ReportRow)
                .where(
                    ReportRow.title == report.title,
                    ReportRow.agency == report.agency,
                    ReportRow.year == report.year,
                )
                .order_by(ReportRow.id)
            )
        )
    for row in same_place:
        if current_version(row, run) is not None:
            return row, True
    for row in reposts:
        latest = current_version(row, run)
        if latest is not None and latest.digest == digest:
            return row, True
    if run.kind == "reparse":  # an older parser's identity fields are only a hint
        for row in (*same_place, *reposts, *at_place):
            if not any(v.parse_run_id == run.id for v in row.versions):
                return row, False
    elif same_place:  # a report whose versions are all history: this capture is its current reading
        return same_place[0], True
    return None, True


def _store_report(
    session: Session, document: Document, capture: Capture, report: Report, *, page_url: str, run: ParseRun
) -> IngestResult:
    data = report.to_dict()
    digest = content_digest(data)
    row, held = _find_report(session, report, page_url, digest, run)
    if row is None:
        row = ReportRow(
            url=report.url, page_url=page_url, title=report.title, agency=report.agency, year=report.year,
            first_seen=capture.fetched_at,
        )  # fmt: skip
        session.add(row)
        session.flush()
    elif not held:  # a reparse takes the report over: its identity as this run reads it
        row.url, row.page_url, row.title = report.url, page_url, report.title
        row.agency, row.year, row.first_seen = report.agency, report.year, capture.fetched_at
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
