"""Attachments (PDF, DOCX, DOC, WPS, RTF) to clean text in a shape `archive.parser.parse_report` reads.

Many reports are published only as an attachment (domain notes §3.6). This module turns the bytes
of one into text the parser already understands, so attachments share every later step with HTML:

- **PDF** (pdfplumber): ruled tables are read as tables and written as `| a | b |` grid rows in
  reading order between the page's other text, so a row's cells keep their columns even when
  cells are blank; everything else is `extract_text()` lines. WPS/Jisupdf exports draw a ruled box
  around every line of prose, which pdfplumber reports as a one-column "table"; rows that are one
  cell wide are therefore written as plain text, and a "table" made only of such rows is prose.
  When no ruled table is found the text is plain `extract_text()`, whose rows of numbers the
  parser reads as runs.
- **DOCX** (python-docx's XML): paragraphs and tables in document order; merged cells
  (`gridSpan`, `vMerge`) expanded as `archive.parser.htmltable` expands HTML spans (text in the top-left
  cell, empty padding after and below), so the parser sees the same grid as for an HTML page.
- **DOC / WPS** (OLE2 binaries): `antiword` first (tiny, in Debian), then LibreOffice headless
  (converted to DOCX and read as above) when installed.
- **RTF**: through LibreOffice when installed (there is no small, faithful RTF reader for CJK
  code pages; an RTF report is rare).
- **XLS / XLSX / ET** spreadsheets, published with some reports (the tables as a workbook): recognised
  and archived, but not read; `document_text` says so ("spreadsheet attachments are not parsed").

Failures raise `archive.extract.ExtractionError` with a reason a person can act on (image-only
PDF, password, truncated download, converter missing, a bound of `archive.limits` reached), never a
converter's traceback.

Every conversion runs in the sandbox (`archive.sandbox`): a child process with a memory limit and a
timeout, so a hostile document (a PDF bomb, a zip-bomb DOCX, a 50,000-page PDF) costs one child and
becomes a reason ("conversion timed out after 60 s", "over 500 pages", "decoded size over
64 MiB"), never the crawl or `reparse` that asked for it. The readers live one format a module:
`pdf`, `docx`, `word` (DOC/WPS/RTF through antiword and LibreOffice), with what they share in `base`.

NFKC is left to the parser (`archive.parser.normalize.normalize_text`), which needs it for HTML too; only
the Kangxi radicals and compatibility ideographs that PDF fonts map 一 and 见 to (domain notes
§3.4) are mapped back here, so the stored text reads right.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from archive.documents.archives import document_members, report_member
from archive.documents.base import (
    OLE2_MAGIC,
    ZIP_MAGIC,
    DocumentText,
    describe,
    fix_radicals,
    join_cell_lines,
    pipe_row,
)
from archive.documents.docx import docx_table_grid, read_docx
from archive.documents.pdf import read_pdf
from archive.documents.word import read_rtf, read_word_binary
from archive.extract import ExtractionError
from archive.sandbox import Sandbox, SandboxError, default_sandbox

__all__ = [
    "KINDS",
    "DocumentText",
    "convert",
    "document_text",
    "docx_table_grid",
    "fix_radicals",
    "join_cell_lines",
    "pipe_row",
    "sniff_kind",
]

SPREADSHEETS = ("xls", "xlsx", "et")  # recognised, not read
UNREAD = {
    **dict.fromkeys(SPREADSHEETS, "spreadsheet attachments are not parsed"),
    "ofd": "OFD documents (GB/T 33190 fixed-layout) are not read: no OFD reader is installed",
}
KINDS = ("pdf", "docx", "doc", "wps", "rtf", "ofd", "zip", "image", *SPREADSHEETS)


_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/vnd.ms-word": "doc",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "application/x-rtf": "rtf",
    "application/vnd.ms-works": "wps",
    "application/wps-office.wps": "wps",
    "application/kswps": "wps",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/kset": "et",
    "application/wps-office.et": "et",
    "application/ofd": "ofd",
}
_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".ofd": "ofd"}
_SUFFIXES[".zip"] = "zip"  # an archive holding the report
# Scanned pages published as images: JPEG, PNG, TIFF (both byte orders), BMP (WEBP by its RIFF tag).
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"BM")
_SUFFIXES |= {f".{kind}": kind for kind in SPREADSHEETS}
# A zip container's kind, by the part that names it.
_ZIP_KINDS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("OFD.xml", "ofd"))


def _url_suffix(url: str) -> str:
    path = unquote(urlsplit(url or "").path)
    return os.path.splitext(path)[1].lower()


def _ole2_word(body: bytes) -> bool | None:
    """Whether an OLE2 file holds a Word document: True, False (Excel, PowerPoint), None (unknown).

    OLE2 directory entries are UTF-16LE names; a Word file has a `WordDocument` stream, Excel a
    `Workbook`/`Book`, PowerPoint a `PowerPoint Document`. Searching the bytes avoids an OLE
    parser for a yes/no question.
    """

    def has(name: str) -> bool:
        return name.encode("utf-16-le") in body

    if has("WordDocument"):
        return True
    if _ole2_workbook(body) or has("PowerPoint Document"):
        return False
    return None


def _ole2_workbook(body: bytes) -> bool:
    """Whether an OLE2 file has a spreadsheet's `Workbook` (BIFF8) or `Book` (BIFF5) stream."""
    return "Workbook".encode("utf-16-le") in body or "Book\x00".encode("utf-16-le") in body


def disposition_filename(value: str | None) -> str | None:
    """The file name a `Content-Disposition` header gives: RFC 5987's `filename*=UTF-8''…` first,
    then `filename=`, whose raw bytes old servers send in UTF-8 or GBK (they reach us as latin-1)."""
    if not value:
        return None
    m = re.search(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", value, re.I)
    if m:
        charset = m[1].lower()
        try:
            return unquote(m[2].strip().strip('"'), encoding=charset, errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass
    m = re.search(r'filename\s*=\s*(?:"([^"]*)"|([^;]+))', value, re.I)
    if not m:
        return None
    name = (m[1] if m[1] is not None else m[2]).strip()
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return unquote(name)
    for charset in ("utf-8", "gb18030"):
        try:
            return unquote(raw.decode(charset), encoding=charset)
        except UnicodeDecodeError:
            continue
    return name


def sniff_kind(body: bytes, content_type: str | None, url: str, filename: str | None = None) -> str | None:
    """The document kind of a response: magic bytes first, then the content type, then the URL suffix.

    None means "not a document": HTML (a CMS error page served as application/pdf is still an
    HTML page), a presentation, an image, or nothing that names a document kind. A spreadsheet is a
    kind ("xls", "xlsx", "et") that `document_text` refuses by name. A declared kind whose bytes do
    not match (a truncated or HTML body behind a `.pdf` link) is still returned, so `document_text`
    can say what is wrong.
    """
    head = body[:1024]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"%PDF-" in head:  # some servers prepend junk; readers accept a header within 1 KB
        return "pdf"
    if stripped[:5] == b"{\\rtf":
        return "rtf"
    if body.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            names = None
        if names is not None:
            for member, kind in _ZIP_KINDS:
                if member in names:
                    return kind
            return "zip" if document_members(sorted(names)) else None
    elif any(body.startswith(magic) for magic in IMAGE_MAGIC) or body[8:12] == b"WEBP":
        return "image"
    elif body.startswith(OLE2_MAGIC):
        word = _ole2_word(body)
        declared = _declared_kind(content_type, url) or _named_kind(filename)
        if word is False:  # Excel or WPS 表格 (a Workbook stream), or PowerPoint
            return ("et" if declared == "et" else "xls") if _ole2_workbook(body) else None
        return "wps" if declared == "wps" else "doc"
    if stripped[:1] == b"<" and re.match(rb"<(?:!doctype|html|\?xml|head|body|!--)", stripped[:20].lower()):
        return None  # an HTML page, whatever the headers say
    return _declared_kind(content_type, url) or _named_kind(filename)


def _declared_kind(content_type: str | None, url: str) -> str | None:
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in _CONTENT_TYPES:
        return _CONTENT_TYPES[ctype]
    return _SUFFIXES.get(_url_suffix(url))


def _named_kind(filename: str | None) -> str | None:
    """The kind a file name's suffix says (`X年报.docx` → docx)."""
    return _SUFFIXES.get(os.path.splitext(filename)[1].lower()) if filename else None


def document_text(
    body: bytes, content_type: str | None, url: str, *, sandbox: Sandbox | None = None
) -> DocumentText:
    """The text of an attachment, for `parse_report`; raises ExtractionError(reason) when there is none.

    Reasons name the cause: "image-only PDF, no text layer (N pages)", "encrypted PDF …",
    "truncated PDF …", "corrupt DOCX …", "no converter for DOC …", "not a document …",
    "spreadsheet attachments are not parsed", "PDF of 50000 pages: over the limit of 500", "PDF:
    conversion timed out after 60 s". The conversion runs in `sandbox` (the process's default one
    when not given).
    """
    kind = sniff_kind(body, content_type, url)
    if not body:
        raise ExtractionError("empty document (0 bytes)")
    if kind is None:
        raise ExtractionError(f"not a document: {describe(body)} (content type {content_type or 'none'})")
    if kind == "image":  # a scanned page (JPEG, PNG, TIFF…): OCR
        return _ocr("ocr_image", body)
    if kind == "zip":  # a report inside an archive: the member named as one, or the only document
        name, body = report_member(body)
        kind = sniff_kind(body, None, "", filename=name)
        if kind is None or kind == "zip":
            raise ExtractionError(f"ZIP member {name}: not a document ({describe(body)})")
    if kind in UNREAD:
        raise ExtractionError(UNREAD[kind])
    try:
        return (sandbox or default_sandbox()).call(convert, kind, body)
    except SandboxError as err:
        raise ExtractionError(f"{kind.upper()}: {err}") from err
    except ExtractionError as err:
        if kind == "pdf" and NEEDS_OCR.search(str(err)) and "no images" not in str(err):  # a scan: OCR
            return _ocr("ocr_pdf", body, because=str(err))
        if kind in ("docx", "doc", "wps") and "images only?" in str(err):  # pictures of pages: OCR
            return _ocr("ocr_word", body, str(err), kind)
        raise


NEEDS_OCR = re.compile(r"image-only PDF|no Unicode mapping")


def _ocr(reader: str, body: bytes, because: str = "", *args: str) -> DocumentText:
    """`archive.ocr.engine.<reader>(body)` in the OCR sandbox; its failures as ExtractionError.

    `NIANBAO_OCR=0` turns OCR off: the document then fails with the reason it needed OCR."""
    if os.environ.get("NIANBAO_OCR", "1") == "0":
        raise ExtractionError(f"{because or 'an image'}; OCR is turned off (NIANBAO_OCR=0)")
    from archive.ocr import engine, ocr_sandbox

    prefix = f"{because}; " if because else ""
    try:
        return ocr_sandbox().call(getattr(engine, reader), body, *args)
    except SandboxError as err:
        raise ExtractionError(f"{prefix}OCR: {err}") from err
    except ExtractionError as err:
        raise ExtractionError(f"{prefix}{err}") from err
    except ImportError as err:
        raise ExtractionError(f"{because or 'an image'}; no OCR engine installed ({err.name})") from err


def convert(kind: str, body: bytes) -> DocumentText:
    """Read a document of a known kind, in this process (the sandbox's child calls this)."""
    return _READERS[kind](body)


_READERS: dict[str, Callable[[bytes], DocumentText]] = {
    "pdf": read_pdf,
    "docx": read_docx,
    "doc": read_word_binary("doc"),
    "wps": read_word_binary("wps"),
    "rtf": read_rtf,
}
