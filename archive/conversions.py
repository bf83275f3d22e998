"""Text derived from a document, kept in the archive: a scan's OCR text as a WARC `conversion` record.

OCR costs seconds a page; a reparse after a parser change must not pay it again. So the text OCR
reads from a record is written to the archive as a `conversion` record (WARC 1.1: "an alternative
version of another record's content"), `WARC-Refers-To` the source record, with the engine and its
version (`WARC-Nianbao-Converter`), the page count and the document kind. The archive stays the
source of truth: a store rebuilt from it on another machine reuses the same text.

`Conversions` is the handle ingest gets: `lookup(record_id)` returns a kept conversion (its index is
read once from the archive's `nianbao-derived-*` files), `save(record, converted)` writes one. Its
own WARC files (prefix `nianbao-derived`) keep the crawl's capture files as they were fetched.
`reuse=False` (`reparse --re-ocr`) converts again and keeps the new text beside the old.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.documents import document_text
from archive.documents.base import DocumentText
from archive.ocr.trust import is_ocr
from archive.warcstore import StoredResponse, WarcStore

PREFIX = "nianbao-derived"


class Conversions:
    def __init__(self, warc_dir: Path, *, reuse: bool = True) -> None:
        self.warc_dir = Path(warc_dir)
        self.reuse = reuse
        self._index: dict[str, DocumentText] | None = None
        self._store: WarcStore | None = None
        self._lock = threading.Lock()
        self.reused = 0
        self.saved = 0

    def lookup(self, record_id: str) -> DocumentText | None:
        """The text kept for the record `record_id`, or None (or always None without reuse)."""
        if not self.reuse:
            return None
        with self._lock:
            if self._index is None:
                self._index = read_index(self.warc_dir)
            found = self._index.get(record_id)
        if found is not None:
            self.reused += 1
        return found

    def save(self, record: StoredResponse, converted: DocumentText) -> None:
        fields = {
            "WARC-Nianbao-Converter": converted.converter,
            "WARC-Nianbao-Kind": converted.kind,
            "WARC-Nianbao-Pages": str(converted.pages or 0),
        }
        with self._lock:
            if self._store is None:
                self._store = WarcStore(self.warc_dir, prefix=PREFIX)
            self._store.write_conversion(
                record.url, converted.text, refers_to=record.ref.record_id, fields=fields,
                fetched_at=datetime.now(UTC),
            )  # fmt: skip
            if self._index is not None:
                self._index[record.ref.record_id] = converted
        self.saved += 1

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def document_text_of(
    record: StoredResponse, content_type: str | None, conversions: Conversions | None
) -> tuple[DocumentText, int]:
    """The record's document text, and the pages OCR read for it now (0 when none, or when the
    text the archive keeps was reused). ExtractionError when it has none."""
    kept = conversions.lookup(record.ref.record_id) if conversions is not None else None
    if kept is not None:
        return kept, 0
    converted = document_text(record.body, content_type, record.url)
    if not is_ocr(converted):
        return converted, 0
    if conversions is not None:
        conversions.save(record, converted)
    return converted, converted.pages or 1


def read_index(warc_dir: Path) -> dict[str, DocumentText]:
    """Every conversion record of the archive's derived files, by the record it refers to (the
    latest one wins: a `--re-ocr` run's text replaces the earlier)."""
    index: dict[str, DocumentText] = {}
    if not warc_dir.is_dir():
        return index
    for path in sorted(warc_dir.glob(f"{PREFIX}-*.warc.gz*")):
        try:
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type != "conversion":
                        continue
                    headers = record.rec_headers
                    source = headers.get_header("WARC-Refers-To")
                    if not source:
                        continue
                    text = record.content_stream().read().decode("utf-8", "replace")
                    pages = headers.get_header("WARC-Nianbao-Pages") or "0"
                    index[source] = DocumentText(
                        headers.get_header("WARC-Nianbao-Kind") or "pdf",
                        text,
                        int(pages) if pages.isdecimal() else None,
                        headers.get_header("WARC-Nianbao-Converter") or "",
                    )
        except Exception:  # a torn tail of a file being written: what was read stays
            continue
    return index
