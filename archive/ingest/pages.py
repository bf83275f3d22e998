"""An HTML page: its links kept; a report when its own title is a report title (`archive.classify`).

A browser fetch archives the browser's copy of the page (a response marked
`body-decoded-by-browser`) and the rendered DOM (a resource record); the report is parsed from the
rendered DOM only, the browser's copy gives its capture and links.
"""

from __future__ import annotations

import traceback

import lxml.etree
from sqlalchemy.orm import Session

from archive.classify import is_report_title
from archive.db import Capture, ParseRun
from archive.extract import ExtractionError, decode_html, extract_page, find_spam, page_metadata
from archive.ingest.links import page_links, replace_links
from archive.ingest.rows import IngestResult, fail, log, store_document, store_report
from archive.ingest.unread import report_link_text, unreadable
from archive.parser import parse_report
from archive.report import NotAReport
from archive.unreadable import parse_page, unreadable_page
from archive.urls import scanned_page_images
from archive.warcstore import StoredResponse

BROWSER_COPY = "body-decoded-by-browser"  # WARC-Nianbao-Reconstructed item of a browser's response


def ingest_page(
    session: Session, record: StoredResponse, capture: Capture, content_type: str, run: ParseRun, new: bool
) -> IngestResult:
    html, encoding = decode_html(record.body, content_type)
    why = unreadable_page(record.body, html, encoding)
    if why:
        return unreadable(session, record, capture, run, "extract", why)
    try:
        tree, deep = parse_page(html)
    except (ValueError, lxml.etree.ParserError) as err:
        return unreadable(session, record, capture, run, "extract", f"not parseable as HTML ({err})")
    if deep and (is_report_title(page_metadata(tree).get("标题")) or report_link_text(session, record, run)):
        return fail(session, capture, run, "extract", deep)
    links = page_links(capture.url, tree)
    metadata = page_metadata(tree)
    if is_report_title(metadata.get("标题")):  # its pictures may be its pages (图片版)
        pictures = [(img.get("src") or "", img.get("width")) for img in tree.iter("img")]
        title = metadata.get("标题") or ""
        links += [("image", url, title) for url in scanned_page_images(capture.url, pictures)]
    if new or run.kind == "reparse":
        replace_links(session, capture, links, new)
    if record.record_type == "response" and BROWSER_COPY in record.reconstructed:
        # The browser's copy of a page it rendered: the rendered DOM (a resource record of the same
        # fetch) is the one parsed, so the report is not read twice from one fetch.
        return IngestResult("capture", record.url, reason="browser's copy; the rendered DOM is parsed")
    attachments = [u for k, u, _ in links if k == "attachment"]
    if not is_report_title(metadata.get("标题")):
        return IngestResult("capture", record.url)
    try:
        extracted = extract_page(html, record.url, encoding)
    except ExtractionError as err:
        if not attachments:
            if "图片版" in str(err) and any(kind == "image" for kind, _, _ in links):
                # Its pictures are its pages (`archive.ingest.scanned`): they inherit its title and dates.
                store_document(
                    session, capture, run, record.url, record.url, "html", encoding, metadata.get("标题"),
                    metadata, "", spam=find_spam(tree),
                )  # fmt: skip
            return fail(session, capture, run, "extract", str(err))
        # An article page with nothing but its attachment (an icon link, a 图片版): still its
        # attachments' page, so they inherit its title, dates and injected links; no text.
        store_document(
            session, capture, run, record.url, record.url, "html", encoding, metadata.get("标题"), metadata,
            "", spam=find_spam(tree),
        )  # fmt: skip
        return IngestResult("capture", record.url, reason=f"report is in its attachment(s); page: {err}")
    document = store_document(
        session, capture, run, record.url, record.url, "html", encoding, extracted.title, extracted.metadata,
        extracted.text, spam=find_spam(tree),
    )  # fmt: skip
    try:
        report = parse_report(extracted.text, url=record.url)
    except NotAReport as err:
        if attachments:  # an article page that only links its report (附件：…年报.pdf)
            return IngestResult("capture", record.url, reason=f"report is in its attachment(s); page: {err}")
        return fail(session, capture, run, "parse", str(err))
    except Exception as err:  # a parser bug must not stop a crawl; the capture stays archived
        log.error("parser crashed on %s: %s", record.url, traceback.format_exc())
        return fail(session, capture, run, "parse", f"internal parser error: {type(err).__name__}: {err}")
    report.url = record.url
    return store_report(session, document, capture, report, page_url=record.url, run=run)
