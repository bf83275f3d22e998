"""图片版 report pages: an article page whose report is pictures of its printed pages.

The page's own extraction finds no text ("only N image(s) in its body: 图片版?") and is a failure
with that reason; its pictures (`image` links, in page order) are fetched by the crawl after it.
When the last of them is archived, they are read by OCR in page order (each one's text kept and
reused as a `conversion` record: `archive.conversions`) and parsed as the page's report, with the
page's title, dates and URL; when they cannot be read or parsed, the page gets a failure saying so
(the report is the page's, not a picture's). A picture of a page whose text was read (a logo, a
photo in a text report) is never OCR'd.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.conversions import Conversions, document_text_of
from archive.db import Capture, Failure, PageLink, ParseRun
from archive.extract import METADATA_LABELS, ExtractionError
from archive.ingest.links import link_before, page_document, reads_for
from archive.ingest.rows import IngestResult, fail, seen_earlier, store_document, store_report
from archive.ocr.trust import distrust_ocr
from archive.parser import parse_report
from archive.report import NotAReport
from archive.warcstore import StoredResponse, holds_file, read_record

SCANNED_PAGE = "图片版"  # the page's extraction failure names it so (`archive.extract`)


def scanned_page_link(session: Session, record: StoredResponse, run: ParseRun) -> PageLink | None:
    """The image link to `record` from a report page whose text could not be read (图片版), or None."""
    link = link_before(session, record, "image")
    if link is None:
        return None
    failed = session.execute(
        select(Failure.reason, ParseRun)
        .join(ParseRun, Failure.parse_run_id == ParseRun.id)
        .where(Failure.capture_id == link.capture_id)
    ).all()
    # The page's failure as this run sees it: its own, or a live crawl's (a crawl resumed after an
    # interruption is a run of its own, and the page may have been read before the interruption).
    return link if any(SCANNED_PAGE in reason and reads_for(other, run) for reason, other in failed) else None


def ingest_scanned_page(
    session: Session,
    record: StoredResponse,
    capture: Capture,
    run: ParseRun,
    link: PageLink,
    conversions: Conversions | None,
) -> IngestResult:
    """One picture of a 图片版 page; the page's report once every picture is archived."""
    if conversions is None:
        return IngestResult(
            "capture", record.url, reason="a 图片版 page's picture (no archive to read the others)"
        )
    page = link.capture
    urls = session.scalars(
        select(PageLink.url)
        .where(PageLink.capture_id == page.id, PageLink.kind == "image")
        .order_by(PageLink.id)
    ).all()
    here = (record.ref.filename, record.ref.offset)
    captures = []
    for url in urls:
        # Only captures in this archive can be read: in a shared crawl another worker's are in its own.
        found = [
            c for c in session.scalars(select(Capture).where(Capture.url == url, Capture.status == 200)).all()
            if (c.warc_filename, c.warc_offset) <= here and holds_file(conversions.warc_dir, c.warc_filename)
        ]  # fmt: skip
        if not found:
            return IngestResult(
                "capture", record.url, reason=f"picture of a 图片版 page; {url} not yet archived here"
            )
        captures.append(max(found, key=lambda c: (c.warc_filename, c.warc_offset)))
    texts, pages = [], 0
    for picture in captures:
        source = record if picture.record_id == record.ref.record_id else read_record(
            conversions.warc_dir, picture.warc_filename, picture.warc_offset
        )  # fmt: skip
        try:
            converted, read = document_text_of(source, None, conversions)
        except ExtractionError as err:  # the page's failure, with the reason its images give
            why = f"no text on the page, only images (图片版); image {source.url} unread: {err}"
            return fail(session, page, run, "extract", why)
        pages += read
        texts.append(converted.text)
    doc = page_document(session, page.url, record.ref, run)
    metadata = dict(doc.page_metadata) if doc is not None else {}
    title = metadata.get("标题") or link.text
    header = "\n".join(f"{label}：{metadata[label]}" for label in METADATA_LABELS if label in metadata)
    text = f"{header}\n\n" + "\n".join(texts)
    converter = converted.converter
    document = store_document(
        session, capture, run, page.url, page.url, "image", None, title, metadata, text,
        spam=doc.spam if doc is not None else [],
    )  # fmt: skip
    try:
        report = parse_report(text, url=page.url)
    except NotAReport as err:
        return fail(session, page, run, "parse", f"its images (图片版) read by OCR: {err}")
    distrust_ocr(report, converter)
    report.url = page.url
    result = store_report(session, document, capture, report, page_url=page.url, run=run)
    # First seen when its page was: a capture of it stored before the report existed (a worker
    # killed before it stored the pictures it archived, whose page another worker fetched again).
    earlier = session.scalars(
        select(Capture.fetched_at)
        .join(Failure, Failure.capture_id == Capture.id)
        .where(Capture.url == page.url, Failure.reason.contains(SCANNED_PAGE))
        .distinct()
    ).all()
    for when in earlier:
        seen_earlier(session, page.url, when)
    return IngestResult(
        result.outcome, result.url, result.reason, result.report, ocr_pages=pages, recovers_failure=True
    )
