"""Attachments (PDF, DOCX, DOC, WPS, RTF) to clean text in a shape `archive.parse.parse_report` reads.

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
  (`gridSpan`, `vMerge`) expanded as `archive.htmltable` expands HTML spans (text in the top-left
  cell, empty padding after and below), so the parser sees the same grid as for an HTML page.
- **DOC / WPS** (OLE2 binaries): `antiword` first (tiny, in Debian), then LibreOffice headless
  (converted to DOCX and read as above) when installed.
- **RTF**: through LibreOffice when installed (there is no small, faithful RTF reader for CJK
  code pages; an RTF report is rare).
- **XLS / XLSX / ET** spreadsheets, published with some reports (the tables as a workbook): recognised
  and archived, but not read; `document_text` says so ("spreadsheet attachments are not parsed").

Failures raise `archive.extract.ExtractionError` with a reason a person can act on (image-only
PDF, password, truncated download, converter missing), never a converter's traceback.

NFKC is left to the parser (`archive.normalize.normalize_text`), which needs it for HTML too; only
the Kangxi radicals and compatibility ideographs that PDF fonts map 一 and 见 to (domain notes
§3.4) are mapped back here, so the stored text reads right.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from archive.extract import ExtractionError
from archive.normalize import RADICAL_SUPPLEMENT

__all__ = ["KINDS", "DocumentText", "document_text", "sniff_kind"]

SPREADSHEETS = ("xls", "xlsx", "et")  # recognised, not read
KINDS = ("pdf", "docx", "doc", "wps", "rtf", *SPREADSHEETS)

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"

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
}
_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".rtf": "rtf"}
_SUFFIXES |= {f".{kind}": kind for kind in SPREADSHEETS}

# Time limits for external converters: a pathological file must not hang the crawl.
ANTIWORD_TIMEOUT = 60
SOFFICE_TIMEOUT = 180


@dataclass(frozen=True)
class DocumentText:
    """The text of one attachment, and how it was obtained."""

    kind: str  # "pdf" | "docx" | "doc" | "wps" | "rtf" (spreadsheets give no text)
    text: str  # parse_report's input: tables as `| a | b |` rows where the format has them
    pages: int | None  # PDF page count; None where the format does not fix pages
    converter: str  # name and version, e.g. "pdfplumber 0.11.10", "antiword 0.37"


# ---------------------------------------------------------------------------------------------
# Sniffing
# ---------------------------------------------------------------------------------------------


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


def sniff_kind(body: bytes, content_type: str | None, url: str) -> str | None:
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
    if body.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            names = None
        if names is not None:
            return "docx" if "word/document.xml" in names else "xlsx" if "xl/workbook.xml" in names else None
    elif body.startswith(_OLE2_MAGIC):
        word = _ole2_word(body)
        declared = _declared_kind(content_type, url)
        if word is False:  # Excel or WPS 表格 (a Workbook stream), or PowerPoint
            return ("et" if declared == "et" else "xls") if _ole2_workbook(body) else None
        return "wps" if declared == "wps" else "doc"
    if stripped[:1] == b"<" and re.match(rb"<(?:!doctype|html|\?xml|head|body|!--)", stripped[:20].lower()):
        return None  # an HTML page, whatever the headers say
    return _declared_kind(content_type, url)


def _declared_kind(content_type: str | None, url: str) -> str | None:
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in _CONTENT_TYPES:
        return _CONTENT_TYPES[ctype]
    return _SUFFIXES.get(_url_suffix(url))


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def document_text(body: bytes, content_type: str | None, url: str) -> DocumentText:
    """The text of an attachment, for `parse_report`; raises ExtractionError(reason) when there is none.

    Reasons name the cause: "image-only PDF, no text layer (N pages)", "encrypted PDF …",
    "truncated PDF …", "corrupt DOCX …", "no converter for DOC …", "not a document …",
    "spreadsheet attachments are not parsed".
    """
    kind = sniff_kind(body, content_type, url)
    if not body:
        raise ExtractionError("empty document (0 bytes)")
    if kind is None:
        raise ExtractionError(f"not a document: {_describe(body)} (content type {content_type or 'none'})")
    reader = _READERS[kind]
    return reader(body)


def _describe(body: bytes) -> str:
    """What a body looks like, for error messages."""
    head = body[:64].lstrip()
    if head[:1] == b"<":
        return "an HTML/XML page"
    if body.startswith(_ZIP_MAGIC):
        return "a ZIP archive that is not a Word document"
    if body.startswith(_OLE2_MAGIC):
        return "an OLE2 file that is neither a Word document nor a spreadsheet (a presentation?)"
    for magic, name in (
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
    ):
        if body.startswith(magic):
            return name
    return f"unrecognised bytes {body[:8].hex()}"


# ---------------------------------------------------------------------------------------------
# Shared text helpers
# ---------------------------------------------------------------------------------------------

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_JOIN_RE = re.compile(rf"(?<=[{_CJK}])\s*\n\s*(?=[{_CJK}])")
# Kangxi radicals, CJK radicals supplement, compatibility ideographs (BMP and supplement).
_RADICAL_RE = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


def fix_radicals(text: str) -> str:
    """Map radicals and compatibility ideographs to the ideographs they stand for (⼀ → 一, ⻅ → 见)."""
    text = text.translate(RADICAL_SUPPLEMENT)
    return _RADICAL_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def join_cell_lines(text: str) -> str:
    """A cell's text on one line: wrapped CJK rejoined without a space, other breaks as one space."""
    text = _CJK_JOIN_RE.sub("", text)
    return re.sub(r"\s+", " ", text).replace("|", "/").strip()


def pipe_row(cells: list[str]) -> str:
    """One grid row as `archive.htmltable` writes it (and the parser reads as a grid row)."""
    return "| " + " | ".join(cells) + " | "


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def _pdf_converter() -> str:
    import pdfplumber

    return f"pdfplumber {pdfplumber.__version__}"


def _read_pdf(body: bytes) -> DocumentText:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    tail = body[-4096:]
    if b"%%EOF" not in tail:
        raise ExtractionError(f"truncated PDF: no %%EOF marker at the end ({len(body)} bytes)")
    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            n = len(pdf.pages)
            if n == 0:
                raise ExtractionError("corrupt PDF: no pages")
            pages = [_read_pdf_page(page) for page in pdf.pages]
            has_images = any(page.images for page in pdf.pages)
    except ExtractionError:
        raise
    except Exception as exc:  # pdfminer raises many types; all mean the same to the caller
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(exc, PDFPasswordIncorrect) or isinstance(cause, PDFPasswordIncorrect):
            raise ExtractionError("encrypted PDF: a password is required to open it") from exc
        raise ExtractionError(f"corrupt PDF ({type(cause).__name__}: {cause})"[:300]) from exc
    _stitch_split_rows(pages)
    tabled = [_render_page(page) for page in pages]
    # Table reading is kept only if it lost no character (compared over the whole document, as a
    # row split by a page break is joined on the first page); else the whole document is plain text
    # (one shape per document: a table split over pages must not be half grid rows, half runs).
    plain = "\n".join(page.plain for page in pages)
    text = "\n".join(page.plain if t is None else t for page, t in zip(pages, tabled, strict=True))
    if _lost_chars(plain, text):
        text = plain
    text = fix_radicals(text)
    visible = re.sub(r"\s+", "", text)
    if not visible:
        extra = "" if has_images else "; no images either"
        raise ExtractionError(f"image-only PDF, no text layer ({n} pages{extra})")
    cids = len(re.findall(r"\(cid:\d+\)", text))
    if cids and cids * 6 > len(visible) / 2:
        raise ExtractionError(f"PDF text layer has no Unicode mapping ({cids} unmapped glyphs); needs OCR")
    return DocumentText("pdf", text, n, _pdf_converter())


Box = tuple[float, float, float, float]


@dataclass
class _PdfTable:
    """A ruled table on a page: cell texts (None: covered by a merged cell) and the cells' boxes."""

    bbox: Box
    rows: list[list[str | None]]
    boxes: list[list[Box | None]]


@dataclass
class _PdfPage:
    """A page as plain text, and as text bands (str) between its ruled tables, in reading order."""

    plain: str
    items: list[str | _PdfTable] | None  # None: no ruled table on the page


def _lost_chars(plain: str, tabled: str) -> bool:
    """Whether the table reading dropped characters the plain text has (text in a table's gaps)."""
    ignore = set(" \t\n|")
    have = Counter(c for c in tabled if c not in ignore)
    return any(have[c] < k for c, k in Counter(c for c in plain if c not in ignore).items())


def _is_text_row(row: list[str | None]) -> bool:
    """A row that is one cell across the whole table: a boxed line of prose or a full-width heading."""
    return row[0] is not None and all(c is None for c in row[1:])


def _cut_table_edges(page) -> list[dict]:
    """Rulings a page break left out: where ≥3 vertical rules start (or end) at one height with no
    horizontal rule there, a table was cut by the page break (Chromium draws the row's top border
    on the previous page); the missing rule is added so the cut row's cells close."""
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["bottom"] - e["top"] >= 2]
    horizontals = [e for e in page.edges if e["orientation"] == "h"]
    added: list[dict] = []
    for end in ("top", "bottom"):
        by_y: dict[int, list[dict]] = {}
        for e in verticals:
            by_y.setdefault(round(e[end]), []).append(e)
        for group in by_y.values():
            if len(group) < 3:
                continue
            y = group[0][end]
            x0, x1 = min(e["x0"] for e in group), max(e["x1"] for e in group)
            covered = sum(
                max(0.0, min(h["x1"], x1) - max(h["x0"], x0)) for h in horizontals if abs(h["top"] - y) <= 1.5
            )
            if covered < 0.5 * (x1 - x0):
                added.append(
                    {
                        "object_type": "line",
                        "x0": x0,
                        "x1": x1,
                        "top": y,
                        "bottom": y,
                        "width": x1 - x0,
                        "height": 0,
                    }
                )
    return added


def _read_pdf_page(page) -> _PdfPage:
    """A page's plain `extract_text()`, and its ruled tables in reading order between text bands.

    The page's characters outside the tables are cut into bands above, between and below the
    tables by their vertical centre; a character inside a table's box but in no cell (a cell whose
    ruling is missing) goes in the band before that table, so no text is lost.
    """
    plain = page.extract_text() or ""
    extra = _cut_table_edges(page)
    finder = page.find_tables({"explicit_horizontal_lines": extra} if extra else None)
    tables: list[_PdfTable] = []
    for table in finder:
        rows = table.extract()
        if any(sum(c is not None for c in row) >= 2 for row in rows):  # a real table, not a frame
            boxes = [list(row.cells) for row in table.rows]
            tables.append(_PdfTable(table.bbox, rows, boxes))
    if not tables:
        return _PdfPage(plain, None)
    tables.sort(key=lambda t: t.bbox[1])
    cells = [box for t in tables for row in t.boxes for box in row if box is not None]

    def band_of(obj) -> int | None:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        if any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in cells):
            return None
        band = 0
        for i, t in enumerate(tables):
            x0, top, x1, bottom = t.bbox
            if x0 <= cx <= x1 and top <= cy <= bottom:
                return i
            if cy >= top:
                band = i + 1
        return band

    def band(i: int) -> str:
        return page.filter(lambda o: o.get("object_type") == "char" and band_of(o) == i).extract_text() or ""

    items: list[str | _PdfTable] = []
    for i, t in enumerate(tables):
        items += [band(i), t]
    items.append(band(len(tables)))
    return _PdfPage(plain, items)


_FOOTER_RE = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页.*|\d{1,3}(?:\s*/\s*\d{1,3})?)\s*$")
_NUMBER_RE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")


def _only_footer(text: str) -> bool:
    return all(not line.strip() or _FOOTER_RE.match(line) for line in text.split("\n"))


def _stitch_split_rows(pages: list[_PdfPage]) -> None:
    """Join a table row that a page break split in two (Word, WPS and LibreOffice let rows break).

    When a page starts with a table that goes on from the table ending the page before (only a
    page number between them), and its first row has text but no number, and that text sits only
    over the label cells of the previous page's last row, the row is the rest of that row's labels
    (`（一）予以公` + `开`): its texts are appended, by column position, to the cells above it.
    """
    for prev, page in itertools.pairwise(pages):
        if not prev.items or not page.items:
            continue
        last, first = prev.items[-2], page.items[1]
        if not isinstance(last, _PdfTable) or not isinstance(first, _PdfTable):
            continue
        if not (_only_footer(prev.items[-1]) and _only_footer(page.items[0])) or not first.rows:
            continue
        row, boxes = first.rows[0], first.boxes[0]
        texts = [(c, b) for c, b in zip(row, boxes, strict=False) if c and c.strip() and b is not None]
        if not texts or any(_NUMBER_RE.match(c.strip()) for c, _ in texts):
            continue
        if not any(c and _NUMBER_RE.match(c.strip()) for c in last.rows[-1]):
            continue  # the row above is not a data row (a header goes on, or a heading)
        targets = [_cell_above(last, b) for _, b in texts]
        if any(t is None for t in targets):
            continue
        for (c, _), (r, k) in zip(texts, targets, strict=True):  # type: ignore[misc]
            last.rows[r][k] = join_cell_lines((last.rows[r][k] or "") + "\n" + c)
        del first.rows[0], first.boxes[0]


def _cell_above(table: _PdfTable, box: Box) -> tuple[int, int] | None:
    """The cell of the table's last row (or the merged cell covering it) under `box`, if a label cell."""
    r = len(table.rows) - 1
    overlaps = [
        (min(box[2], b[2]) - max(box[0], b[0]), k) for k, b in enumerate(table.boxes[r]) if b is not None
    ]
    best = max(overlaps, default=(0.0, -1))
    if best[0] <= 0:
        return None
    k = best[1]
    while r > 0 and table.rows[r][k] is None:  # covered by a merged cell: find where it starts
        r -= 1
    text = table.rows[r][k]
    if text is None or _NUMBER_RE.match(text.strip()):
        return None
    return r, k


def _render_page(page: _PdfPage) -> str | None:
    if page.items is None:
        return None
    parts = [item if isinstance(item, str) else _render_pdf_table(item.rows) for item in page.items]
    return "\n".join(part for part in parts if part)


def _render_pdf_table(rows: list[list[str | None]]) -> str:
    """A pdfplumber table as text: grid rows, one-cell-wide rows as plain lines, blank rows dropped.

    pdfplumber gives None for positions covered by a merged cell and "" for an empty cell; both
    become empty grid cells, the same padding htmltable writes for spans. A blank line goes before
    and after each run of grid rows (as htmltable writes tables), so two tables never read as one.
    """
    lines: list[str] = []
    in_grid = False
    for row in rows:
        if _is_text_row(row):
            text = (row[0] or "").strip()
            if text:
                if in_grid:
                    lines.append("")
                    in_grid = False
                lines.extend(line.strip() for line in text.split("\n") if line.strip())
            continue
        cells = [join_cell_lines(c or "") for c in row]
        if any(cells):
            if not in_grid:
                lines.append("")
                in_grid = True
            lines.append(pipe_row(cells))
    if in_grid:
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _docx_converter() -> str:
    from importlib.metadata import version

    return f"python-docx {version('python-docx')}"


def _read_docx(body: bytes, *, kind: str = "docx", converter: str | None = None) -> DocumentText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(body))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"corrupt DOCX ({type(exc).__name__}: {exc})"[:300]) from exc
    except Exception as exc:
        raise ExtractionError(f"unreadable DOCX ({type(exc).__name__}: {exc})"[:300]) from exc
    lines = list(_docx_blocks(document.element.body))
    text = fix_radicals("\n".join(lines)).strip("\n")
    if not text.strip():
        raise ExtractionError(f"{kind.upper()} has no text (images only?)")
    return DocumentText(kind, text + "\n", None, converter or _docx_converter())


def _docx_blocks(container: etree._Element) -> Iterator[str]:
    """Lines of a body-like element's children in document order: paragraphs, then tables as grids."""
    for child in container:
        tag = child.tag
        if tag == _w("p"):
            text = _paragraph_text(child)
            yield from (line.strip() for line in text.split("\n"))
        elif tag == _w("tbl"):
            yield ""
            yield from (pipe_row(row) for row in docx_table_grid(child))
            yield ""
        elif tag in (_w("sdt"), _w("customXml"), _w("smartTag")):
            content = child.find(_w("sdtContent")) if tag == _w("sdt") else child
            if content is not None:
                yield from _docx_blocks(content)


_SKIP_IN_TEXT = frozenset({_w("del"), _w("moveFrom"), _w("instrText"), _w("delText"), f"{{{_MC}}}Fallback"})


def _paragraph_text(p: etree._Element, *, breaks: str = "\n") -> str:
    """A paragraph's visible text: runs, hyperlinks, insertions; deletions and field codes left out.

    python-docx's `Paragraph.text` reads only direct runs and hyperlinks, so text inside tracked
    insertions (`w:ins`), content controls or smart tags would be lost; this walks the tree.
    """
    out: list[str] = []

    def walk(el: etree._Element) -> None:
        for node in el:
            tag = node.tag
            if not isinstance(tag, str) or tag in _SKIP_IN_TEXT:
                continue
            if tag == _w("t"):
                out.append(node.text or "")
            elif tag == _w("tab"):
                out.append(" ")  # a leading tab would read as a tab-cell line to the parser
            elif tag in (_w("br"), _w("cr")):
                out.append(breaks)
            elif tag == _w("noBreakHyphen"):
                out.append("-")
            elif tag == _w("p"):  # a text box's paragraph inside a run
                out.append(breaks)
                walk(node)
                out.append(breaks)
            else:
                walk(node)

    walk(p)
    return "".join(out)


def _cell_text(tc: etree._Element) -> str:
    """A cell's text on one line: its paragraphs (and nested tables' cells) joined."""
    parts = [_paragraph_text(p, breaks=" ") for p in tc.iter(_w("p"))]
    return join_cell_lines("\n".join(parts))


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(1, min(int(el.get(_w("val"), default)), 200))
    except ValueError:
        return default


def docx_table_grid(tbl: etree._Element) -> list[list[str]]:
    """A Word table as a full grid: spans expanded, text in the top-left cell, empty padding elsewhere.

    `w:gridSpan` is a colspan; `w:vMerge` without `w:val="restart"` continues the cell above (its
    own text, normally empty, is dropped); `w:gridBefore`/`w:gridAfter` are columns a row skips.
    Rows are padded to the table's width, as htmltable pads HTML rows. Sliver columns (a grid
    column that exists only because rows' cell edges differ slightly, so every row either leaves
    it empty or spans across it) are removed, so a row's data keep their column numbers.
    """
    rows: list[list[str]] = []
    spans: list[list[bool]] = []  # True where a cell's span goes on into the next grid column
    for tr in tbl.iterchildren(_w("tr")):
        row: list[str] = []
        cont: list[bool] = []
        trpr = tr.find(_w("trPr"))
        before = _int_attr(trpr.find(_w("gridBefore")) if trpr is not None else None, 0)
        row.extend([""] * before)
        cont.extend([False] * before)
        for tc in _row_cells(tr):
            tcpr = tc.find(_w("tcPr"))
            span = _int_attr(tcpr.find(_w("gridSpan")) if tcpr is not None else None, 1)
            vmerge = tcpr.find(_w("vMerge")) if tcpr is not None else None
            hmerge = tcpr.find(_w("hMerge")) if tcpr is not None else None
            continued = (vmerge is not None and vmerge.get(_w("val"), "continue") != "restart") or (
                hmerge is not None and hmerge.get(_w("val"), "continue") != "restart"
            )
            row.append("" if continued else _cell_text(tc))
            row.extend([""] * (span - 1))
            cont.extend([True] * (span - 1) + [False])
        rows.append(row)
        spans.append(cont)
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    spans = [c + [False] * (width - len(c)) for c in spans]
    for col in range(width - 2, -1, -1):  # never the last column: nothing to its right
        if rows and all(not r[col] or s[col] for r, s in zip(rows, spans, strict=True)):
            for r, s in zip(rows, spans, strict=True):
                r[col + 1] = r[col] or r[col + 1]
                if col > 0:  # a span that ended in the removed column now ends one column earlier
                    s[col - 1] = s[col - 1] and s[col]
                del r[col], s[col]
    return [r for r in rows if any(r)]


def _row_cells(tr: etree._Element) -> Iterator[etree._Element]:
    """A row's cells, including those wrapped in content controls or custom XML."""
    for child in tr:
        if child.tag == _w("tc"):
            yield child
        elif child.tag in (_w("sdt"), _w("customXml")):
            content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
            if content is not None:
                yield from content.iter(_w("tc"))


# ---------------------------------------------------------------------------------------------
# DOC / WPS / RTF: external converters
# ---------------------------------------------------------------------------------------------


@cache
def _antiword() -> str | None:
    return shutil.which("antiword")


@cache
def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def _soffice_version(path: str) -> str:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "LibreOffice"
    m = re.search(r"LibreOffice\s+([\d.]+)", out)
    return f"LibreOffice {m.group(1)}" if m else "LibreOffice"


@cache
def _antiword_version(path: str) -> str:
    try:
        proc = subprocess.run([path], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "antiword"
    m = re.search(r"Version:\s*([\d.]+)", proc.stdout + proc.stderr)
    return f"antiword {m.group(1)}" if m else "antiword"


def _run_antiword(path: str, body: bytes) -> str:
    """antiword's UTF-8 text of a Word 97+ binary; raises ExtractionError with antiword's complaint."""
    with tempfile.TemporaryDirectory(prefix="nianbao-aw-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(body)
        try:
            proc = subprocess.run(
                [path, "-m", "UTF-8.txt", "-w", "0", str(src)],
                capture_output=True,
                timeout=ANTIWORD_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"antiword timed out after {ANTIWORD_TIMEOUT} s") from exc
    err = proc.stderr.decode("utf-8", "replace").strip()
    text = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 or not text.strip():
        raise ExtractionError(f"antiword could not read it ({err or f'exit {proc.returncode}'})"[:300])
    return text


class GarbledTable(ExtractionError):
    """antiword printed a table as a run of `cell |` fields: the row boundaries are lost."""


def antiword_to_text(raw: str) -> str:
    """antiword's output in the parser's shape: table rows `|a|b|` become grid rows `| a | b | `.

    antiword pads cells to fixed widths and wraps a long cell over several `|…|` lines; a line
    whose text sits only under the label cells of a data row above it (no number) is the rest of
    those labels and is joined to them. Tables antiword cannot lay out (many narrow columns, as in
    the official tables) come out as one paragraph of `cell |` fields, where an empty cell and a
    row end look the same; that raises GarbledTable rather than guess.
    """
    out: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            out.append("")
            out.extend(pipe_row(r) for r in rows)
            out.append("")
            rows.clear()

    for line in raw.replace("\r\n", "\n").split("\n"):
        s = line.strip()
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            cells = [c.strip() for c in s[1:-1].split("|")]
            prev = rows[-1] if rows else None
            if prev is not None and len(prev) == len(cells) and _continues(prev, cells):
                rows[-1] = [
                    join_cell_lines(a + "\n" + b) if b else a for a, b in zip(prev, cells, strict=True)
                ]
            else:
                rows.append([join_cell_lines(c) for c in cells])
            continue
        flush()
        if s.count("|") >= 4:
            raise GarbledTable(f"antiword could not lay out a table (printed as a run of cells: {s[:60]!r}…)")
        out.append(s)
    flush()
    return "\n".join(out)


def _continues(prev: list[str], cells: list[str]) -> bool:
    """Whether `cells` is the wrapped rest of data row `prev`: text only, under prev's label cells."""
    filled = [i for i, c in enumerate(cells) if c]
    if not filled or any(_NUMBER_RE.match(cells[i]) for i in filled):
        return False
    if not any(_NUMBER_RE.match(c) for c in prev):
        return False
    return all(prev[i] and not _NUMBER_RE.match(prev[i]) for i in filled)


def _convert_with_soffice(path: str, body: bytes, suffix: str) -> bytes:
    """LibreOffice headless: the document converted to DOCX, read back as bytes."""
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(body)
        profile = Path(tmp) / "profile"
        cmd = [
            path,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=SOFFICE_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"LibreOffice timed out after {SOFFICE_TIMEOUT} s") from exc
        out = Path(tmp) / "in.docx"
        if not out.exists():
            err = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
            raise ExtractionError(
                f"LibreOffice could not convert it ({err or f'exit {proc.returncode}'})"[:300]
            )
        return out.read_bytes()


def _read_word_binary(kind: str) -> Callable[[bytes], DocumentText]:
    """The reader for DOC/WPS: antiword first, LibreOffice (via DOCX) when antiword fails or is missing."""

    def read(body: bytes) -> DocumentText:
        if not body.startswith(_OLE2_MAGIC):
            raise ExtractionError(f"corrupt {kind.upper()}: not an OLE2 file ({_describe(body)})")
        reasons: list[str] = []
        antiword = _antiword()
        if antiword:
            try:
                text = antiword_to_text(_run_antiword(antiword, body))
                return DocumentText(kind, fix_radicals(text), None, _antiword_version(antiword))
            except ExtractionError as err:
                reasons.append(str(err))
        else:
            reasons.append("antiword not installed")
        soffice = _soffice()
        if soffice:
            converted = _convert_with_soffice(soffice, body, f".{kind}")
            converter = f"{_soffice_version(soffice)} → {_docx_converter()}"
            return _read_docx(converted, kind=kind, converter=converter)
        reasons.append("LibreOffice not installed (apt-get install libreoffice-writer-nogui)")
        raise ExtractionError(f"no converter could read this {kind.upper()}: " + "; ".join(reasons))

    return read


def _read_rtf(body: bytes) -> DocumentText:
    if not body.lstrip()[:5] == b"{\\rtf":
        raise ExtractionError(f"corrupt RTF: no {{\\rtf header ({_describe(body)})")
    soffice = _soffice()
    if not soffice:
        raise ExtractionError("no converter for RTF: LibreOffice not installed")
    converted = _convert_with_soffice(soffice, body, ".rtf")
    return _read_docx(converted, kind="rtf", converter=f"{_soffice_version(soffice)} → {_docx_converter()}")


def _refuse_spreadsheet(body: bytes) -> DocumentText:
    raise ExtractionError("spreadsheet attachments are not parsed")


_READERS: dict[str, Callable[[bytes], DocumentText]] = {
    "pdf": _read_pdf,
    "docx": _read_docx,
    "doc": _read_word_binary("doc"),
    "wps": _read_word_binary("wps"),
    "rtf": _read_rtf,
    **dict.fromkeys(SPREADSHEETS, _refuse_spreadsheet),
}
