"""An HTML page: its links kept; a report when its own title is a report title (`archive.classify`).

A browser fetch archives the browser's copy of the page (a response marked
`body-decoded-by-browser`) and the rendered DOM (a resource record); the report is parsed from the
rendered DOM only, the browser's copy gives its capture and links.

Two halves, so a reparse can run the costly one on every core (`archive.ingest.parallel`):
`read_page` is pure (decode, parse the markup, links, metadata, extraction, the report's parse: a
function of the record alone, picklable in and out); `store_page` takes its `PageReading` and does
what needs the store (is the page a report link we know of, its links, document, report or
failure), in WARC order. `ingest_page` is the two in a row, as the crawl runs them.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

import lxml.etree
from sqlalchemy.orm import Session

from archive.classify import is_report_title
from archive.db import Capture, ParseRun
from archive.extract import (
    Extracted,
    ExtractionError,
    decode_html,
    extract_page,
    find_spam,
    page_metadata,
)
from archive.ingest.links import page_links, replace_links
from archive.ingest.rows import IngestResult, fail, log, seen_earlier, store_document, store_report
from archive.ingest.unread import report_link_text, unreadable
from archive.parser import parse_report
from archive.report import NotAReport, Report
from archive.textcache import load_page, save_page
from archive.unreadable import parse_page, unreadable_page
from archive.urls import scanned_page_images
from archive.warcstore import StoredResponse

BROWSER_COPY = "body-decoded-by-browser"  # WARC-Nianbao-Reconstructed item of a browser's response


@dataclass(slots=True)
class PageReading:
    """What `read_page` made of a page without the store: each field set only where `ingest_page`
    would have computed it, so `store_page` takes the same path with the same values."""

    encoding: str
    unreadable: str | None = None  # the body is no readable page (stage "extract")
    deep: str | None = None  # markup nested past the parser's depth limit
    metadata: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    spam: list[dict[str, str]] = field(default_factory=list)
    extracted: Extracted | None = None
    extraction_error: str | None = None
    fresh: bool = False  # read now (not taken from the text cache): `store_page` keeps it
    report: Report | None = None
    not_a_report: str | None = None  # parse_report's NotAReport
    parser_crash: str | None = None  # any other exception of the parser, as a failure reason

    @property
    def title(self) -> str | None:
        return self.metadata.get("标题")

    def kept(self) -> dict:
        """What the text cache keeps of this reading: all of it but the report's parse, which a
        reparse runs again (JSON: tuples come back as lists)."""
        data = {
            "encoding": self.encoding, "unreadable": self.unreadable, "deep": self.deep,
            "metadata": self.metadata, "links": self.links, "spam": self.spam,
            "extraction_error": self.extraction_error,
        }  # fmt: skip
        if self.extracted is not None:
            e = self.extracted
            data["extracted"] = {"text": e.text, "title": e.title, "metadata": e.metadata}
        return data

    @classmethod
    def from_kept(cls, data: dict) -> PageReading:
        """The reading `kept` stored, before the report's parse."""
        extracted = data.get("extracted")
        return cls(
            data["encoding"], unreadable=data["unreadable"], deep=data["deep"], metadata=data["metadata"],
            links=[tuple(link) for link in data["links"]], spam=data["spam"],
            extraction_error=data["extraction_error"],
            extracted=None if extracted is None else Extracted(
                text=extracted["text"], title=extracted["title"], encoding=data["encoding"],
                metadata=extracted["metadata"],
            ),
        )  # fmt: skip


def read_page(record: StoredResponse, content_type: str, kept: dict | None = None) -> PageReading:
    """Everything about a page that depends on its record alone: taken from `kept` (the text cache's
    reading of it, `PageReading.kept`) when given, else read now; the report parsed again either way."""
    if kept is not None:
        reading = PageReading.from_kept(kept)
    else:
        reading = _read(record, content_type)
        reading.fresh = True
    if reading.extracted is None:
        return reading
    try:
        reading.report = parse_report(reading.extracted.text, url=record.url)
    except NotAReport as err:
        reading.not_a_report = str(err)
    except Exception as err:  # a parser bug must not stop a crawl; the capture stays archived
        log.error("parser crashed on %s: %s", record.url, traceback.format_exc())
        reading.parser_crash = f"internal parser error: {type(err).__name__}: {err}"
    return reading


def _read(record: StoredResponse, content_type: str) -> PageReading:
    """Decode, parse the markup, read links and metadata, extract a report-titled page's text."""
    html, encoding = decode_html(record.body, content_type)
    why = unreadable_page(record.body, html, encoding)
    if why:
        return PageReading(encoding, unreadable=why)
    try:
        tree, deep = parse_page(html)
    except (ValueError, lxml.etree.ParserError) as err:
        return PageReading(encoding, unreadable=f"not parseable as HTML ({err})")
    reading = PageReading(encoding, deep=deep, metadata=page_metadata(tree))
    reading.links = page_links(record.url, tree)
    if is_report_title(reading.title):  # its pictures may be its pages (图片版)
        pictures = [(img.get("src") or "", img.get("width")) for img in tree.iter("img")]
        reading.links += [
            ("image", url, reading.title or "") for url in scanned_page_images(record.url, pictures)
        ]
    if deep or _browser_copy(record) or not is_report_title(reading.title):
        return reading  # nothing is extracted (a deep page whose title is a report's is a failure)
    reading.spam = find_spam(tree)
    try:
        reading.extracted = extract_page(html, record.url, encoding)
    except ExtractionError as err:
        reading.extraction_error = str(err)
    return reading


def _browser_copy(record: StoredResponse) -> bool:
    return record.record_type == "response" and BROWSER_COPY in record.reconstructed


def ingest_page(
    session: Session,
    record: StoredResponse,
    capture: Capture,
    content_type: str,
    run: ParseRun,
    new: bool,
    reading: PageReading | None = None,
) -> IngestResult:
    """A page read (`read_page`, unless `reading` is given: a reparse's worker read it) and stored."""
    if reading is None:
        reading = read_page(record, content_type, None if new else load_page(session, record.ref.record_id))
    return store_page(session, record, capture, reading, run, new)


def store_page(
    session: Session, record: StoredResponse, capture: Capture, reading: PageReading, run: ParseRun, new: bool
) -> IngestResult:
    """What the store makes of a page `read_page` read: its links, document, report or failure."""
    if reading.fresh:  # kept, so a reparse after a parser-only change does not read it again
        save_page(session, record.ref.record_id, reading.kept(), new=new)
    if reading.unreadable:
        return unreadable(session, record, capture, run, "extract", reading.unreadable)
    if reading.deep and (is_report_title(reading.title) or report_link_text(session, record, run)):
        return fail(session, capture, run, "extract", reading.deep)
    links = reading.links
    if new or reading.fresh:
        # A kept reading's links are those stored when it was read (both are written here, together):
        # a reparse that takes it has nothing to replace.
        replace_links(session, capture, links, new)
    if _browser_copy(record):
        # The browser's copy of a page it rendered: the rendered DOM (a resource record of the same
        # fetch) is the one parsed, so the report is not read twice from one fetch.
        return IngestResult("capture", record.url, reason="browser's copy; the rendered DOM is parsed")
    attachments = [u for k, u, _ in links if k == "attachment"]
    if not is_report_title(reading.title):
        return IngestResult("capture", record.url)
    metadata, encoding = reading.metadata, reading.encoding
    extracted = reading.extracted
    if extracted is None:
        err = reading.extraction_error
        if not attachments:
            pending = ""
            if "图片版" in str(err) and any(kind == "image" for kind, _, _ in links):
                # Its pictures are its pages (`archive.ingest.scanned`): they inherit its title and dates.
                store_document(
                    session, capture, run, record.url, record.url, "html", encoding, metadata.get("标题"),
                    metadata, "", spam=reading.spam,
                )  # fmt: skip
                pending = "its pictures are read by OCR once archived"
                seen_earlier(session, record.url, capture.fetched_at)
            return fail(session, capture, run, "extract", str(err), pending=pending)
        # An article page with nothing but its attachment (an icon link, a 图片版): still its
        # attachments' page, so they inherit its title, dates and injected links; no text.
        store_document(
            session, capture, run, record.url, record.url, "html", encoding, metadata.get("标题"), metadata,
            "", spam=reading.spam,
        )  # fmt: skip
        return IngestResult("capture", record.url, reason=f"report is in its attachment(s); page: {err}")
    document = store_document(
        session, capture, run, record.url, record.url, "html", encoding, extracted.title, extracted.metadata,
        extracted.text, spam=reading.spam,
    )  # fmt: skip
    report = reading.report
    if report is None:
        if reading.not_a_report is not None:
            if attachments:  # an article page that only links its report (附件：…年报.pdf)
                return IngestResult(
                    "capture",
                    record.url,
                    reason=f"report is in its attachment(s); page: {reading.not_a_report}",
                )
            return fail(session, capture, run, "parse", reading.not_a_report)
        return fail(session, capture, run, "parse", reading.parser_crash or "internal parser error")
    report.url = record.url
    return store_report(session, document, capture, report, page_url=record.url, run=run)
