"""An attachment (PDF, DOCX, DOC…): a report when its article page (or the anchor that linked it)
names a report. It is parsed with its page's title and dates in front of its text, and the page and
its attachment are one report."""

from __future__ import annotations

import dataclasses
import re
import traceback
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from archive.classify import is_report_title
from archive.conversions import Conversions, document_text_of
from archive.db import Capture, Document, ParseRun
from archive.documents.base import DocumentText
from archive.extract import METADATA_LABELS, ExtractionError
from archive.ingest.links import linking_page, links_several_reports, page_document
from archive.ingest.rows import IngestResult, fail, log, store_document, store_report
from archive.ocr.trust import distrust_ocr, is_ocr
from archive.parser import parse_report
from archive.report import NotAReport
from archive.textcache import save_document
from archive.warcstore import StoredResponse

if TYPE_CHECKING:
    from archive.ingest.prepare import Prepared

ATTACHMENT_LABEL = re.compile(r"^附件\s*\d*\s*[:：.、]?\s*|\.(?:pdf|docx?|wps|rtf|ofd|xlsx?|et|zip)$", re.I)
# Page metadata that an attachment of a page listing several reports shares: dates, not its agency.
SHARED_METADATA = ("发布日期", "成文日期", "公开日期", "发布时间")


def ingest_attachment(
    session: Session,
    record: StoredResponse,
    capture: Capture,
    content_type: str,
    kind: str,
    run: ParseRun,
    conversions: Conversions | None = None,
    prepared: Prepared | None = None,
) -> IngestResult:
    """A report attachment converted, parsed and stored; OCR text is kept in and reused from the
    archive (`conversions`) when given; text a reparse prepared (`prepared`: from the text cache,
    or converted ahead on a worker) is used instead of converting again."""
    link = linking_page(session, record)
    page_doc = page_document(session, link.capture.url, record.ref, run) if link is not None else None
    page_metadata = dict(page_doc.page_metadata) if page_doc is not None else {}
    page_title = page_metadata.get("标题")
    on_report_page = link is not None and is_report_title(page_title)
    several = on_report_page and links_several_reports(session, link)
    if several:  # a page listing several reports: each attachment is named by its anchor
        title = ATTACHMENT_LABEL.sub("", link.text or "").strip() or page_title
        page_metadata = {k: v for k, v in page_metadata.items() if k in SHARED_METADATA}
    elif on_report_page:
        title = page_title
    else:
        title = link.text if link is not None else None
    if not (several or is_report_title(title)):
        return IngestResult("capture", record.url)
    page_url = link.capture.url if on_report_page else record.url
    try:
        converted, ocr_pages = attachment_text(session, record, content_type, conversions, prepared)
    except ExtractionError as err:
        return fail(session, capture, run, "extract", f"{kind.upper()} attachment: {err}")
    result = _parse_attachment(session, record, capture, kind, run, converted, page_doc, page_metadata, title,
                               page_url)  # fmt: skip
    return dataclasses.replace(result, ocr_pages=ocr_pages) if ocr_pages else result


def attachment_text(
    session: Session,
    record: StoredResponse,
    content_type: str,
    conversions: Conversions | None,
    prepared: Prepared | None,
) -> tuple[DocumentText, int]:
    """The attachment's text and the pages OCR read for it now: the OCR text the archive keeps, else
    the text prepared ahead, else converted now (and kept in the text cache unless it is OCR's,
    which `conversions` keeps in the archive). ExtractionError when it has none."""
    if prepared is not None and prepared.has_document:
        kept = conversions.lookup(record.ref.record_id) if conversions is not None else None
        if kept is not None:
            return kept, 0
        if prepared.document is not None:
            return prepared.document, 0
        raise ExtractionError(prepared.document_error or "no text")
    converted, ocr_pages = document_text_of(record, content_type, conversions)
    if not is_ocr(converted):
        save_document(session, record.ref.record_id, converted)
    return converted, ocr_pages


def _parse_attachment(
    session: Session,
    record: StoredResponse,
    capture: Capture,
    kind: str,
    run: ParseRun,
    converted: DocumentText,
    page_doc: Document | None,
    page_metadata: dict[str, str],
    title: str | None,
    page_url: str,
) -> IngestResult:
    metadata = {**page_metadata, "标题": title}
    header_block = "\n".join(f"{label}：{metadata[label]}" for label in METADATA_LABELS if label in metadata)
    text = f"{header_block}\n\n{converted.text}"
    spam = page_doc.spam if page_doc is not None else []  # a hacked article page, its report attached
    document = store_document(
        session, capture, run, record.url, page_url, kind, None, title, metadata, text, spam=spam
    )
    try:
        report = parse_report(text, url=record.url)
    except NotAReport as err:
        return fail(session, capture, run, "parse", f"{kind.upper()} attachment: {err}")
    except Exception as err:
        log.error("parser crashed on %s: %s", record.url, traceback.format_exc())
        return fail(session, capture, run, "parse", f"internal parser error: {type(err).__name__}: {err}")
    if is_ocr(converted):
        distrust_ocr(report, converted.converter)
    report.url = record.url
    return store_report(session, document, capture, report, page_url=page_url, run=run)
