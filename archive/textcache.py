"""What reading a WARC record made of it, kept per record and reading-code version, so a reparse
reads again only what changed.

trafilatura costs more than everything else a reparse does to a page (~40 ms a report page; the
parse ~7 ms), decoding and walking the markup of every page for its links and metadata costs a few
ms more, and PDF/DOC conversion costs more still, yet a reparse usually follows a change to the
parser alone. So what reading made of a record — for a page, everything `archive.ingest.pages`
reads from it short of the report's parse (encoding, metadata, links, spam, clean text, or why it
has none); for an attachment, its converted text — is kept in the `text_cache` table, keyed by the
record's WARC-Record-ID and the reader's version (`page_extractor()`, `document_extractor()`).

A page's version is `archive.extract.EXTRACTOR_VERSION` (bumped by hand), trafilatura's version,
and a digest of the source of the modules that read a page (`READING_MODULES`): an edit to any of
them, comments included, makes the next reparse read every page again, so a kept reading is never
stale. A reparse takes the kept reading when its version is current and reads when it is not;
`nianbao reparse --re-extract` reads everything again (and keeps the new reading).

Why the database and not the archive (as `archive.conversions` keeps OCR text): reading is a
deterministic function of the record's bytes and the reading code, and both are in the key, so
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

import hashlib
import json
import marshal
import zlib
from collections.abc import Iterable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from archive.db import TextCacheRow
from archive.documents.base import DocumentText
from archive.extract import EXTRACTOR_VERSION

__all__ = [
    "READING_MODULES",
    "document_extractor",
    "load_kept",
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
# The code a page's kept reading is a function of: `archive.ingest.pages.read_page` and what it calls
# (a test checks that every project module these import is listed). The parser is not among them.
READING_MODULES = (
    "archive.classify",
    "archive.dom",
    "archive.extract",
    "archive.hidden",
    "archive.ingest.links",
    "archive.ingest.pages",
    "archive.unreadable",
    "archive.urls",
)


def page_extractor() -> str:
    """The cache key's version for pages: the reading code's (by hand and by digest) and trafilatura's."""
    return f"page {EXTRACTOR_VERSION}; trafilatura {version('trafilatura')}; code {_reading_digest()}"


def document_extractor() -> str:
    """The cache key's version for attachments: the extraction code's and the readers' libraries'."""
    return f"document {EXTRACTOR_VERSION}; {_library_versions()}"


@cache
def _reading_digest() -> str:
    """A digest of READING_MODULES' source, through their loaders: from files, or from the zipped
    egg Scrapyd runs the project from (where there is no file to read)."""
    digest = hashlib.sha256()
    for name in READING_MODULES:
        spec = find_spec(name)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "get_source"):
            raise RuntimeError(f"reading module {name} not found")
        source = loader.get_source(name)
        code = source.encode() if source is not None else marshal.dumps(loader.get_code(name))
        digest.update(name.encode() + b"\0" + code + b"\0")
    return digest.hexdigest()[:12]


@cache
def _library_versions() -> str:
    found = []
    for name in DOCUMENT_LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    return "; ".join(found)


def load_page(session: Session, record_id: str) -> dict | None:
    """The kept reading of the page in record `record_id` by the current reading code, or None."""
    return _load(session, record_id, page_extractor())


def save_page(session: Session, record_id: str, reading: dict, *, new: bool = False) -> None:
    """Keep what the current reading code made of a page (replacing what it kept before, unless the
    record is `new` to the store: then there is nothing to replace)."""
    _save(session, record_id, page_extractor(), "page", reading, new=new)


def _document(data: dict) -> DocumentText:
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


def load_kept(session: Session, record_ids: Iterable[str]) -> dict[str, dict | DocumentText]:
    """What is kept for each of `record_ids` by the current readers, in one query: a page's reading
    (a dict, as `load_page` returns it) or an attachment's text. A reparse asks for its records a
    block at a time, so a lookup costs no query of its own."""
    ids = list(dict.fromkeys(record_ids))
    if not ids:
        return {}
    page, document = page_extractor(), document_extractor()
    rows = session.execute(
        select(TABLE.c.record_id, TABLE.c.extractor, TABLE.c.data).where(
            TABLE.c.record_id.in_(ids), TABLE.c.extractor.in_([page, document])
        )
    )
    kept: dict[str, dict | DocumentText] = {}
    for record_id, extractor, blob in rows:
        data = json.loads(zlib.decompress(blob))
        kept[record_id] = data if extractor == page else _document(data)
    return kept


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


def _save(
    session: Session, record_id: str, extractor: str, kind: str, data: dict, *, new: bool = False
) -> None:
    # Compressed: the text is also in `documents`, readable; this copy only has to be cheap to keep.
    blob = zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 1)
    if not new:
        key = (TABLE.c.record_id == record_id) & (TABLE.c.extractor == extractor)
        session.execute(delete(TABLE).where(key))
    session.execute(insert(TABLE).values(record_id=record_id, extractor=extractor, kind=kind, data=blob))
