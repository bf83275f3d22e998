"""Ingest: one archived WARC record in, rows in the store out (capture → document → report).

This is the single path from the archive to the database. The live crawl calls it on each record
right after the WARC writer has flushed it, and `nianbao reparse` calls it on every record of the
archive in the same order; both read the record back from the WARC file, so the database is a
function of the WARC files alone.

- Every record becomes a `Capture`. Links from any page to document files (PDF, DOC…) are kept
  with their anchor text, so an attachment ingested later finds its article page (`links`).
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

One module a kind of record: `pages`, `attachments`, `revisits`, `unread` (report links that could
not be read); what they store is in `rows`, the evidence of which page links what in `links`.
"""

from __future__ import annotations

import logging
import re
import traceback
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from archive.conversions import Conversions
from archive.db import Capture, ParseRun
from archive.ingest.attachments import ingest_attachment
from archive.ingest.links import link_before, page_links
from archive.ingest.pages import ingest_page
from archive.ingest.prepare import PAGE, Prepared, PrepareFailed, body_kind, prepare_record, route
from archive.ingest.revisits import ingest_revisit
from archive.ingest.rows import (
    EXTRACTOR,
    PARSER_VERSION,
    IngestResult,
    Outcome,
    capture_for,
    content_digest,
    current_version,
    fail,
    header,
)
from archive.ingest.scanned import ingest_scanned_page, scanned_page_link
from archive.ingest.unread import ingest_fetch_failure, unreadable
from archive.textcache import save_document
from archive.warcstore import StoredResponse

__all__ = [
    "EXTRACTOR",
    "PARSER_VERSION",
    "IngestResult",
    "Outcome",
    "PrepareFailed",
    "Prepared",
    "content_digest",
    "current_version",
    "finish_run",
    "header",
    "ingest_record",
    "page_links",
    "prepare_record",
    "record_failure",
    "route",
    "start_run",
]

log = logging.getLogger(__name__)

CHALLENGE_STATUSES = (202, 412, 521)
CHALLENGE = re.compile(r"\$_ts|__jsl_clearance|wzws_cid|document\.cookie\s*=", re.I)


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


def ingest_record(
    session: Session,
    record: StoredResponse,
    run: ParseRun,
    conversions: Conversions | None = None,
    prepared: Prepared | None = None,
    stored: Capture | None = None,
) -> IngestResult:
    """Store one WARC record: always its capture; a report, version or failure when it holds one.

    Idempotent per record: a reparse finds the capture already stored and adds what its own parse
    run reads from it. `prepared` is the record's pure half read ahead (`prepare_record`, on a
    reparse's worker); without it the record is read here. `stored` is the record's capture when
    the caller looked it up already (a reparse does, a block of records a query).
    """
    capture, new = (stored, False) if stored is not None else capture_for(session, record)
    if prepared is not None and prepared.document_fresh and prepared.document is not None:
        save_document(session, record.ref.record_id, prepared.document)  # converted ahead: kept
    content_type = header(record.headers, "Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    if record.record_type == "revisit":
        return ingest_revisit(session, record, capture, new, run)
    if record.record_type == "metadata":
        return ingest_fetch_failure(session, record, capture, run)
    if record.record_type not in ("response", "resource"):
        return IngestResult("capture", record.url)
    if record.body_error:  # decoding the body stopped at a bound (a compression bomb)
        return unreadable(session, record, capture, run, "decode", record.body_error)
    if record.status in CHALLENGE_STATUSES and CHALLENGE.search(record.body[:20000].decode("latin-1")):
        # Evidence stays in the capture row (its status); the crawler retries such pages in a browser.
        reason = f"anti-bot JavaScript challenge (HTTP {record.status})"
        if link_before(session, record, "report"):  # a report we know of but could not read: a finding
            fail(session, capture, run, "blocked", reason)
        return IngestResult("blocked", record.url, reason=reason)
    if record.status != 200:
        return IngestResult("capture", record.url)
    kind = body_kind(record)  # the bytes decide, then the type, the file name, the URL
    if kind == PAGE:
        reading = prepared.reading() if prepared is not None else None
        return ingest_page(session, record, capture, content_type, run, new, reading)
    if kind == "image" and (scanned := scanned_page_link(session, record, run)) is not None:
        return ingest_scanned_page(session, record, capture, run, scanned, conversions)
    if kind is not None:
        return ingest_attachment(session, record, capture, content_type, kind, run, conversions, prepared)
    what = f"{len(record.body)} bytes of {mime or 'undeclared type'}"
    return unreadable(session, record, capture, run, "extract", f"neither a page nor a document ({what})")


def record_failure(session: Session, record: StoredResponse, run: ParseRun, reason: str) -> IngestResult:
    """Record that ingesting `record` failed (after its savepoint was rolled back), with the reason."""
    try:
        with session.begin_nested():
            capture, _ = capture_for(session, record)
            return fail(session, capture, run, "ingest", reason)
    except Exception:  # not even the capture can be stored: the WARC record stays the evidence
        log.error("cannot record the failure of %s: %s", record.url, traceback.format_exc())
        return IngestResult("failure", record.url, reason=reason)
