"""Report links that could not be read: a failure with the reason, so the audit says "found, not
readable" and never "missing".

A report column the crawl could not read by any means (its `column-empty` metadata record) is a
failure of stage `column_empty`: the audit reads reports not found on that portal as "not found —
column unreadable" rather than "missing".

A fetch the crawler gave up on (its `metadata` record: timeout, cut connection, error status…), a
body that hit a decoding bound (a compression bomb), an empty, binary or undecodable body, markup
nested past the parser's depth limit (`archive.unreadable`): each is a failure when a report link
led to it, else just a capture.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from archive.classify import is_report_title, normalise_title
from archive.db import Capture, ParseRun
from archive.ingest.links import NAMES_REPORT, link_before, page_document
from archive.ingest.rows import IngestResult, fail
from archive.unreadable import warc_fields
from archive.warcstore import StoredResponse

COLUMN_REASONS = {
    "named": "a report column by its own name",
    "link-text": "a report column by the link that led to it",
    "platform": "a report column by its platform address",
    "breadcrumb": "a report column by its breadcrumb",
    "column-meta": "a report column by its ColumnName meta",
}


def ingest_fetch_failure(
    session: Session, record: StoredResponse, capture: Capture, run: ParseRun
) -> IngestResult:
    """A fetch the crawler gave up on (its metadata record): a failure when the link was a report's.

    The record says what the link was (`link-kind`, its anchor text as `link-text`); the store knows
    which pages linked the URL, and how.
    """
    fields = warc_fields(record.body)
    if fields.get("column-empty"):  # a report column nothing could read: a finding on its own
        title = fields.get("column-title")
        why = f"「{title}」: " if title else ""
        known = COLUMN_REASONS.get(fields.get("column-reason", ""), "a report column")
        why += f"{fields['column-empty']} ({known}; tried: {fields.get('rungs') or '?'})"
        fail(session, capture, run, "column_empty", why)
        return IngestResult("column_empty", record.url, reason=why)
    reason = fields.get("fetch-error")
    if not reason:
        return IngestResult("capture", record.url)
    kind, text = fields.get("link-kind", ""), fields.get("link-text", "")
    named = is_report_title(text) or (kind == "attachment" and NAMES_REPORT.search(normalise_title(text)))
    if kind == "report" or named or report_link_text(session, record, run):
        return fail(session, capture, run, "fetch", reason)
    return IngestResult("capture", record.url, reason=reason)


def unreadable(
    session: Session, record: StoredResponse, capture: Capture, run: ParseRun, stage: str, reason: str
) -> IngestResult:
    """A body that cannot be read: a failure when a report link led to it, else just its capture."""
    if report_link_text(session, record, run):
        return fail(session, capture, run, stage, reason)
    return IngestResult("capture", record.url, reason=reason)


def report_link_text(session: Session, record: StoredResponse, run: ParseRun) -> str | None:
    """The anchor or page title that makes `record`'s URL a report we know of, or None.

    A report link to it; or an attachment link to it that names a report (附件：…年度报告.pdf) or sits
    on a report's article page; each from a page archived before it.
    """
    link = link_before(session, record, "report")
    if link is not None:
        return link.text or record.url
    link = link_before(session, record, "attachment")
    if link is None:
        return None
    if is_report_title(link.text) or NAMES_REPORT.search(normalise_title(link.text or "")):
        return link.text
    page = page_document(session, link.capture.url, record.ref, run)
    title = (page.page_metadata or {}).get("标题") if page is not None else None
    return title if is_report_title(title) else None
