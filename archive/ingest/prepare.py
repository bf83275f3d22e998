"""The pure half of ingesting a record: what can be read from it without the store.

`ingest_record` needs the store for little of its time (which page links a URL, which report a
capture is of) and spends the rest reading the record: decoding, parsing the markup, extracting the
clean text, parsing the report, converting an attachment. `prepare_record` does that reading for one
record, from the record alone, into a picklable `Prepared`, so a reparse can run it on every core
(`archive.ingest.parallel`) and hand each result to `ingest_record(..., prepared=...)` in WARC order:
the store then takes exactly the path it would have taken reading the record itself.

`route` tells which records have such a half (a 200 page, or a 200 attachment) with the same tests
`ingest_record` dispatches on, in the same order.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

from archive.documents import disposition_filename, document_text, sniff_kind
from archive.documents.base import DocumentText
from archive.extract import ExtractionError
from archive.ingest.pages import PageReading, read_page
from archive.ingest.rows import header
from archive.sandbox import SandboxError
from archive.warcstore import StoredResponse

__all__ = ["OCR_OFF", "PAGE", "PrepareFailed", "Prepared", "body_kind", "prepare_record", "route"]

PAGE = "html"  # `body_kind` of an HTML page (other kinds are `archive.documents.sniff_kind`'s)
HTML_TYPES = ("text/html", "application/xhtml+xml")
# How `archive.documents` says a document needed OCR while NIANBAO_OCR=0: a reparse's workers run
# with OCR off (OCR is slow, and its text is kept in the archive by the store's side, in order).
OCR_OFF = "NIANBAO_OCR=0"


class PrepareFailed(Exception):
    """Reading the record raised (in a reparse's worker): `reason` is the failure's, as the serial
    path words it ("internal error: Type: message"), `trace` the worker's traceback."""

    def __init__(self, reason: str, trace: str = "") -> None:
        super().__init__(reason)
        self.reason, self.trace = reason, trace


@dataclass(slots=True)
class Prepared:
    """One record's pure half: a page's reading, or an attachment's text (or why it has none)."""

    page: PageReading | None = None
    document: DocumentText | None = None
    document_error: str | None = None  # the worker's conversion found no text, for this reason
    document_fresh: bool = False  # converted now (not from the text cache): the store keeps it
    error: str | None = None  # reading raised: the failure reason
    trace: str = ""

    def reading(self) -> PageReading | None:
        """The page's reading; PrepareFailed when reading it raised."""
        if self.error is not None:
            raise PrepareFailed(self.error, self.trace)
        return self.page

    @property
    def has_document(self) -> bool:
        return self.document is not None or self.document_error is not None


def body_kind(record: StoredResponse) -> str | None:
    """What a 200 response's body is: `PAGE`, a document kind (`sniff_kind`), or None.

    A download endpoint answers with any type (octet-stream, even text/html): the bytes decide,
    then the type, then the file name its Content-Disposition gives, then the URL.
    """
    content_type = header(record.headers, "Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    filename = disposition_filename(header(record.headers, "Content-Disposition"))
    by_bytes = sniff_kind(record.body, None, "")
    if by_bytes is None and (mime in HTML_TYPES or (not mime and record.body.lstrip()[:1] == b"<")):
        return PAGE
    return sniff_kind(record.body, content_type, record.url, filename)


def route(record: StoredResponse) -> str | None:
    """The `body_kind` of a record `ingest_record` reads the body of; None for every other record
    (revisits, fetch failures, bodies that hit a decoding bound, statuses other than 200)."""
    if record.record_type not in ("response", "resource") or record.body_error or record.status != 200:
        return None
    return body_kind(record)


def prepare_record(
    record: StoredResponse,
    kind: str | None,
    kept: dict | None = None,
    *,
    convert_documents: bool = False,
) -> Prepared:
    """The pure half of `record` (`kind` is its `route`): a page read, or taken from `kept` (its
    reading in the text cache) and its report parsed again; an attachment converted when
    `convert_documents` (never by OCR: a document that needs it is left to the store's side). Never
    raises: an exception is carried as the failure it would have been."""
    if kind == PAGE:
        try:
            return Prepared(page=read_page(record, header(record.headers, "Content-Type") or "", kept))
        except Exception as err:  # the serial path's catch-all, in `archive.reparse`
            reason = f"internal error: {type(err).__name__}: {err}"
            return Prepared(error=reason, trace=traceback.format_exc())
    if kind is not None and kind != "image" and convert_documents:
        return _convert(record)
    return Prepared()


def _convert(record: StoredResponse) -> Prepared:
    """An attachment's text, converted ahead of the store's side, which uses it if the attachment
    turns out to be a report's (whether it is depends on the page that linked it)."""
    try:
        converted = document_text(record.body, header(record.headers, "Content-Type") or "", record.url)
    except ExtractionError as err:
        if OCR_OFF in str(err) or isinstance(err.__cause__, SandboxError):
            # A scan (read by OCR on the store's side, or its kept text reused), or a bound met on
            # this machine at this moment (a timeout under load): the store's side converts it.
            return Prepared()
        return Prepared(document_error=str(err))
    except Exception:  # raised where the store's side converts it, if it is a report's at all
        return Prepared()
    return Prepared(document=converted, document_fresh=True)
