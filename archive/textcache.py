"""Clean text kept per WARC record and extractor version, so a reparse extracts only what changed.

trafilatura costs more than everything else a reparse does to a page (~40 ms a report page; the
parse ~7 ms), and PDF/DOC conversion costs more still, yet a reparse usually follows a change to the
parser alone. So what extraction made of a record — a page's clean text, title and metadata, or the
reason it has none; an attachment's converted text — is kept in the `text_cache` table, keyed by the
record's WARC-Record-ID and the extractor version (`page_extractor()`, `document_extractor()`:
`archive.extract.EXTRACTOR_VERSION`, bumped by hand when extraction changes, plus the versions of
the libraries that extract). A reparse takes the kept text when its version is current and extracts
when it is not; `nianbao reparse --re-extract` extracts everything again (and keeps the new text).

Why the database and not the archive (as `archive.conversions` keeps OCR text): extraction is a
deterministic function of the record's bytes and the extraction code, and both are in the key, so
these rows are memoization: a store rebuilt from the WARC files alone, with an empty cache, holds the
same rows, only later. "The database is a function of the archive" stays true. OCR is the opposite
case (seconds a page, and its text depends on the engine and the machine), so it is kept in the
archive, where a rebuild on another machine finds the same text; OCR'd text is never kept here. The
archive stays what crossed the wire plus what cannot be recomputed: adding every page's text to it
again at each extractor change would grow the preservation copy for a saving of CPU time.

Only successes of an attachment's conversion are kept: a failure may be the machine's (a timeout
under load), where a page's extraction failure is the page's.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import trafilatura
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from archive.db import TextCacheRow
from archive.documents.base import DocumentText
from archive.extract import EXTRACTOR_VERSION, Extracted

__all__ = [
    "CachedPage",
    "cached_records",
    "document_extractor",
    "load_document",
    "load_page",
    "page_extractor",
    "prune_text_cache",
    "save_document",
    "save_page",
]

TABLE = TextCacheRow.__table__
# The libraries whose upgrade may change an attachment's text (antiword and LibreOffice, called as
# programs, are not versioned here: bump EXTRACTOR_VERSION, or reparse --re-extract, after theirs).
DOCUMENT_LIBRARIES = ("pdfplumber", "pdfminer.six", "python-docx")


@dataclass(frozen=True, slots=True)
class CachedPage:
    """What `archive.extract.extract_page` made of a page: its extraction, or why there was none."""

    text: str | None = None
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # the ExtractionError's reason

    def extracted(self, encoding: str) -> Extracted | None:
        """The `Extracted` as extract_page returned it (the encoding is the page's, decoded anew)."""
        if self.text is None:
            return None
        return Extracted(text=self.text, title=self.title, encoding=encoding, metadata=dict(self.metadata))


def page_extractor() -> str:
    """The cache key's version for pages: the extraction code's and trafilatura's."""
    return f"page {EXTRACTOR_VERSION}; trafilatura {trafilatura.__version__}"


def document_extractor() -> str:
    """The cache key's version for attachments: the extraction code's and the readers' libraries'."""
    return f"document {EXTRACTOR_VERSION}; {_library_versions()}"


@cache
def _library_versions() -> str:
    found = []
    for name in DOCUMENT_LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    return "; ".join(found)


def load_page(session: Session, record_id: str) -> CachedPage | None:
    """The kept extraction of the page in record `record_id` by the current extractor, or None."""
    data = _load(session, record_id, page_extractor())
    if data is None:
        return None
    return CachedPage(data.get("text"), data.get("title"), data.get("metadata") or {}, data.get("error"))


def save_page(session: Session, record_id: str, extracted: Extracted | None, error: str | None) -> None:
    """Keep what the current extractor made of a page (replacing what it kept before)."""
    if extracted is not None:
        data = {"text": extracted.text, "title": extracted.title, "metadata": extracted.metadata}
    else:
        data = {"error": error or ""}
    _save(session, record_id, page_extractor(), "page", data)


def load_document(session: Session, record_id: str) -> DocumentText | None:
    """The kept text of the attachment in record `record_id` by the current readers, or None."""
    data = _load(session, record_id, document_extractor())
    if data is None:
        return None
    return DocumentText(data["kind"], data["text"], data.get("pages"), data.get("converter") or "")


def save_document(session: Session, record_id: str, converted: DocumentText) -> None:
    """Keep an attachment's converted text (never OCR'd text: the archive keeps that)."""
    data = {
        "kind": converted.kind,
        "text": converted.text,
        "pages": converted.pages,
        "converter": converted.converter,
    }
    _save(session, record_id, document_extractor(), "document", data)


def cached_records(session: Session) -> set[str]:
    """The records something is kept for by the current extractors: a reparse looks up only these
    (most pages are no report, and nothing is extracted from them)."""
    query = select(TABLE.c.record_id).where(TABLE.c.extractor.in_([page_extractor(), document_extractor()]))
    return set(session.execute(query).scalars())


def prune_text_cache(session: Session) -> int:
    """Delete what older extractor versions kept (it can never be used again); returns rows deleted."""
    result = session.execute(
        delete(TABLE).where(TABLE.c.extractor.not_in([page_extractor(), document_extractor()]))
    )
    return result.rowcount or 0


def _load(session: Session, record_id: str, extractor: str) -> dict | None:
    data = session.execute(
        select(TABLE.c.data).where(TABLE.c.record_id == record_id, TABLE.c.extractor == extractor)
    ).scalar()
    return None if data is None else json.loads(zlib.decompress(data))


def _save(session: Session, record_id: str, extractor: str, kind: str, data: dict) -> None:
    # Compressed: the text is also in `documents`, readable; this copy only has to be cheap to keep.
    blob = zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 1)
    key = (TABLE.c.record_id == record_id) & (TABLE.c.extractor == extractor)
    session.execute(delete(TABLE).where(key))
    session.execute(insert(TABLE).values(record_id=record_id, extractor=extractor, kind=kind, data=blob))
