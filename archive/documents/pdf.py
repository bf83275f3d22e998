"""PDF to text (pdfplumber): ruled tables as `| a | b |` grid rows in reading order, the rest as lines.

Ruled tables are read as tables and written as grid rows between the page's other text, so a row's
cells keep their columns even when cells are blank; everything else is `extract_text()` lines.
WPS/Jisupdf exports draw a ruled box around every line of prose, which pdfplumber reports as a
one-column "table"; rows that are one cell wide are therefore written as plain text, and a "table"
made only of such rows is prose. When no ruled table is found the text is plain `extract_text()`,
whose rows of numbers the parser reads as runs.

A PDF of more pages than `archive.limits` allows is refused before any page is read: its page count
comes from the page tree's /Count, so a 50,000-page file costs nothing.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass

from archive.documents.base import NUMBER_RE, DocumentText, fix_radicals, join_cell_lines, pipe_row
from archive.extract import ExtractionError
from archive.limits import limits


def _pdf_converter() -> str:
    import pdfplumber

    return f"pdfplumber {pdfplumber.__version__}"


def _declared_pages(pdf) -> int | None:
    """The page count the PDF's page tree declares (/Count), read without building any page."""
    from pdfminer.pdftypes import resolve1

    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except Exception:  # no page tree, or a broken one: the pages themselves will tell
        return None


def _pdfium_pages(body: bytes) -> int | None:
    """The page count by pdfium (C, no page built); None when pdfium cannot open it (pdfminer,
    which reads more broken files, then decides)."""
    try:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(body)
    except Exception:  # not openable by pdfium, or pdfium missing: pdfminer will tell
        return None
    try:
        return len(pdf)
    finally:
        pdf.close()


def read_pdf(body: bytes) -> DocumentText:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    tail = body[-4096:]
    if b"%%EOF" not in tail:
        raise ExtractionError(f"truncated PDF: no %%EOF marker at the end ({len(body)} bytes)")
    cap = limits().pages
    counted = _pdfium_pages(body)  # pdfium counts 50,000 pages in milliseconds, pdfminer in seconds
    if counted is not None and counted > cap:
        raise ExtractionError(f"PDF of {counted} pages: over the limit of {cap} pages, not read")
    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            declared = _declared_pages(pdf)
            if declared is not None and declared > cap:
                raise ExtractionError(f"PDF of {declared} pages: over the limit of {cap} pages, not read")
            n = len(pdf.pages)
            if n > cap:
                raise ExtractionError(f"PDF of {n} pages: over the limit of {cap} pages, not read")
            if n == 0:
                raise ExtractionError("corrupt PDF: no pages")
            pages = [_read_pdf_page(page) for page in pdf.pages]
            has_images = any(page.images for page in pdf.pages)
    except (ExtractionError, MemoryError):
        raise  # a bomb's MemoryError is the sandbox's to report: "ran out of memory"
    except Exception as exc:  # pdfminer raises many types; all mean the same to the caller
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(cause, MemoryError):
            raise cause from exc
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
        if not texts or any(NUMBER_RE.match(c.strip()) for c, _ in texts):
            continue
        if not any(c and NUMBER_RE.match(c.strip()) for c in last.rows[-1]):
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
    if text is None or NUMBER_RE.match(text.strip()):
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
