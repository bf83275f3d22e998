"""OCR boxes to the text shape the parser reads: lines, and table rows as `| a | b |` grid rows.

An OCR engine returns words or phrases with their boxes, in no reliable order. A report page is
prose and ruled tables; the parser reads tables best as grid rows whose cells keep their columns,
blank cells included (the shape `archive.documents.pdf` writes for a PDF's ruled tables). So:

1. boxes are grouped into lines by their vertical centres (a box joins a line when it overlaps the
   line's band by half its height);
2. within a line, boxes closer than about one character are one cell (a label read in pieces);
3. consecutive lines of two cells or more form a table block; the block's columns are the clusters
   of its cells' left and right edges, and each cell is placed in the column it starts in, so a blank
   cell stays blank instead of shifting the numbers after it to the left;
4. a number read with low confidence is written as `▯` (a cell the parser cannot read), so it is
   null and listed in the report's `quality.unresolved`, never a guess; so is a cell of a ruled
   table with ink in it but no text read, and, in a table without ruling, an empty slot of a
   column of figures. A ruled cell without ink is blank, as printed.

Pure functions on plain data: tested without an engine.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from archive.ocr.scan import Ruling
from archive.parser.normalize import BLANK_MARKS, UNREAD_MARK

UNREADABLE = UNREAD_MARK  # what a low-confidence number becomes: the parser reads it as an unread cell
BLANK_CELL = "—"  # a cell of a table row left empty on the paper
MIN_NUMBER_CONFIDENCE = 0.90
_NUMBER = re.compile(r"^[+\-−－]?[\d.,，]+$")


def is_number(text: str) -> bool:
    """Whether recognised text is a number (digits and separators, spaces ignored)."""
    return bool(_NUMBER.match(re.sub(r"\s+", "", text)))


@dataclass(frozen=True, slots=True)
class Box:
    """One recognised piece of text: its bounds (pixels, y downwards), text and confidence."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float = 1.0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def boxes_from_rapidocr(result: Iterable[object] | None) -> list[Box]:
    """RapidOCR's `[[[x, y] × 4], text, score]` items as boxes (axis-aligned bounds)."""
    found = []
    for item in result or []:
        points, text, score = item  # type: ignore[misc]
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        found.append(Box(min(xs), min(ys), max(xs), max(ys), str(text), float(score)))
    return found


def group_lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines, top to bottom, each line left to right."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        for line in reversed(lines[-3:]):
            top = statistics.median(b.y0 for b in line)
            bottom = statistics.median(b.y1 for b in line)
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap >= 0.5 * min(box.height, bottom - top):
                line.append(box)
                break
        else:
            lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def cells_of(line: list[Box], char: float) -> list[list[Box]]:
    """A line's boxes joined into cells: a gap under `char` (about one character) joins."""
    cells: list[list[Box]] = []
    for box in line:
        if cells and box.x0 - cells[-1][-1].x1 < char:
            cells[-1].append(box)
        else:
            cells.append([box])
    return cells


def cell_text(cell: list[Box]) -> str:
    """The cell's text; a number with a doubtful digit is `UNREADABLE`."""
    text = "".join(b.text.strip() for b in cell)
    if is_number(text) and min(b.score for b in cell) < MIN_NUMBER_CONFIDENCE:
        return UNREADABLE
    return text


def grid_row(slots: list[str]) -> str:
    """A table row as `| a | b |`, its stray marks made `UNREADABLE`.

    In a row of figures, what stands right of the first figure and is neither a figure nor a blank
    mark (`C`, `D`, `?` for a smudged 0, a seal's characters `国宁` over a cell) is a cell the
    engine misread: unreadable, never blank (a blank adds 0 to the rules that vouch for its row).
    Empty slots there are blanks, the layout having made unreadable those that may hide a digit."""
    slots = [UNREADABLE if _misread(t.strip()) else t for t in slots]
    figure = [is_number(t) or t == UNREADABLE for t in slots]
    if sum(map(is_number, slots)) >= 2:  # a row of figures (not a header with inked spans: `▯`)
        first = figure.index(True)
        slots = [t if i <= first or figure[i] else _blank_or_unread(t) for i, t in enumerate(slots)]
        if UNREADABLE in slots:  # a misread may have swallowed its neighbours: no blank is sure
            slots = [UNREADABLE if t == BLANK_CELL else t for t in slots]
    return "| " + " | ".join(slots) + " |"


# `00`, `05`: no table prints a count so; two cells read as one, or a smudge.
_LEADING_ZERO = re.compile(r"^0\d")
# `251 0`: two cells read as one box.
_SPACED_DIGITS = re.compile(r"\d\s+\d")
# `170.220`: a thousands comma read as a full stop (a fee in 万元 to three decimals reads so too:
# unread, never 1000 times too small).
_THOUSANDS_AS_POINT = re.compile(r"^[+\-−－]?\d{1,3}(\.\d{3})+$")
# What a digit is misread as (0 → O o D C 〇, 1 → l I | 丨, 5 → S, 8 → B), or a seal's character over it.
# A dash glued to a figure (`—7`) is a stray mark, not a blank: the figure's cell is unread.
_CONFUSABLE = re.compile(r"^[A-Za-z〇|丨—–~_\u3400-\u9fff]{1,2}$")
# `2,51`: a comma that does not group thousands is a speck, or two cells read as one.
_COMMA = re.compile(r"[,，]")
_THOUSANDS = re.compile(r"^[+\-−－]?\d{1,3}([,，]\d{3})+(\.\d+)?$")


def _misread(text: str) -> bool:
    """Whether a slot's text is a figure the engine misread: a table never prints it so.

    `59O93.65`, `l70220`, `5国9093`, `府250`: digits with one or two letters or CJK characters
    among them; `O`, `l`: a lone Latin letter or two; two figures in one box; a thousands point.
    A label (`1.行政许可`, `（1）`) has more words than that, or brackets, and stays text."""
    if not text or is_number(text):
        doubtful = (_LEADING_ZERO.match(text), _THOUSANDS_AS_POINT.match(text), _SPACED_DIGITS.search(text))
        return any(doubtful) or bool(_COMMA.search(text) and not _THOUSANDS.match(text))
    if re.fullmatch(r"[A-Za-z〇|丨]{1,2}", text) or "|" in text:  # `|` cannot be a label's
        return True
    if not re.search(r"\d", text):
        return False
    rest = re.sub(r"[\d.,，\s+\-−－]", "", text)
    # `3.其他`: a numbered label; `2021年`: a date
    return bool(_CONFUSABLE.match(rest)) and not re.search(r"^\d+\s*[.、．]|\d[年月日]", text)


def _blank_or_unread(text: str) -> str:
    """A non-figure among a row's figures: a cell left empty on the paper is written as the blank
    mark `—` (so that no reader takes it for padding and shifts the figures: a trailing empty 总计
    would otherwise be dropped), a printed blank mark stays, anything else is unreadable."""
    if not text.strip():
        return BLANK_CELL
    return text if text.strip().lower() in BLANK_MARKS else UNREADABLE


def _columns(rows: list[list[list[Box]]], char: float) -> list[float]:
    """Left edges of a table block's columns: clusters of its cells' left edges."""
    edges = sorted(cell[0].x0 for row in rows for cell in row)
    columns: list[list[float]] = []
    for x in edges:
        if columns and x - columns[-1][-1] < 1.5 * char:
            columns[-1].append(x)
        else:
            columns.append([x])
    return [statistics.median(c) for c in columns]


def _grid_row(row: list[list[Box]], columns: list[float], numeric: set[int]) -> str:
    """A row's cells in their columns, as `| a | b |`. Without ruling a blank cannot be told from
    a digit the detector missed: an empty slot of a column of figures (`numeric`) is
    `UNREADABLE`; other empty slots (labels) stay blank."""
    slots = [""] * len(columns)
    for cell in row:
        text = cell_text(cell)
        nearest = _nearest(columns, cell)
        slots[nearest] = f"{slots[nearest]}{text}" if slots[nearest] else text
    return grid_row([s or (UNREADABLE if i in numeric else "") for i, s in enumerate(slots)])


def _nearest(columns: list[float], cell: list[Box]) -> int:
    return min(range(len(columns)), key=lambda i: abs(columns[i] - cell[0].x0))


def _numeric_columns(rows: list[list[list[Box]]], columns: list[float]) -> set[int]:
    """Columns of a block whose filled cells are mostly figures (and at least two)."""
    figures: dict[int, int] = {}
    filled: dict[int, int] = {}
    for row in rows:
        for cell in row:
            i = _nearest(columns, cell)
            filled[i] = filled.get(i, 0) + 1
            figures[i] = figures.get(i, 0) + is_number("".join(b.text for b in cell))
    return {i for i, n in figures.items() if n >= 2 and n >= 0.8 * filled[i]}


def ruled_rows(boxes: list[Box], ruling: Ruling) -> tuple[list[tuple[float, str]], list[Box]]:
    """Grid rows of the boxes inside a ruled table (each with its band's top y), and the boxes
    outside it. A box falls in the row band of its centre and in the cell between the vertical
    rules crossing that band; a cell spanning columns is written in its first column."""
    top, bottom = ruling.rows[0], ruling.rows[-1]
    left, right = ruling.columns[0], ruling.columns[-1]
    inside: dict[int, dict[int, list[Box]]] = {}
    outside = []
    for whole in boxes:
        cx = (whole.x0 + whole.x1) / 2
        band = ruling.band(whole.cy) if top <= whole.cy <= bottom and left <= cx <= right else None
        if band is None:
            outside.append(whole)
            continue
        rules = ruling.crossing[band] or [left, right]
        for box in split_at_rules(whole, rules):
            cx = (box.x0 + box.x1) / 2
            starts = [x for x in rules if x <= cx]
            start = starts[-1] if starts else left
            column = ruling.columns.index(start) if start in ruling.columns else 0
            inside.setdefault(band, {}).setdefault(column, []).append(box)
    return _rows_of(inside, ruling), outside


def split_at_rules(box: Box, rules: list[int], margin: float = 6) -> list[Box]:
    """A box cut where a vertical rule crosses it: the detector joins text on both sides of a rule
    (自然人 | 商业企业 read as one line), the table never does. Characters are taken as equally wide."""
    cuts = [x for x in rules if box.x0 + margin < x < box.x1 - margin]
    text = box.text.strip()
    if not cuts or len(text) < 2:
        return [box]
    width = box.x1 - box.x0
    pieces, start, edge = [], 0, box.x0
    for x in [*cuts, box.x1]:
        end = len(text) if x == box.x1 else round(len(text) * (x - box.x0) / width)
        if end > start:
            pieces.append(Box(edge, box.y0, x, box.y1, text[start:end], box.score))
        start, edge = max(start, end), x
    return pieces


def _rows_of(inside: dict[int, dict[int, list[Box]]], ruling: Ruling) -> list[tuple[float, str]]:
    """The grid rows of the bands holding text; a cell with ink but no text read is `UNREADABLE`
    (a lone digit the detector missed), a cell without ink is blank."""
    rows = []
    for band, cells in sorted(inside.items()):
        slots = [""] * (len(ruling.columns) - 1)
        for column in range(len(slots)):
            if (band, column) in ruling.inked and column not in cells:
                slots[column] = UNREADABLE
        for column, cell in cells.items():
            ordered = [b for line in group_lines(cell) for b in line]
            slots[min(column, len(slots) - 1)] = cell_text(ordered)
        if not any(t.strip() and t != UNREADABLE for t in slots):
            continue  # ink but nothing read anywhere in the band: a header the engine missed, or a
            # row with neither label nor figure read; its cells stay unplaced, hence unread
        rows.append((float(ruling.rows[band]), grid_row(slots)))
    return rows


def page_text(boxes: list[Box], tables: list[Ruling] | None = None) -> str:
    """The page as lines of text, its tables as grid rows (by their ruling, when it has some)."""
    if not boxes:
        return ""
    if tables:
        first, rest = tables[0], tables[1:]
        rows, outside = ruled_rows(boxes, first)
        above = [b for b in outside if b.cy < first.rows[0]]
        below = [b for b in outside if b.cy >= first.rows[0]]
        parts = [page_text(above), *(text for _, text in rows), page_text(below, rest)]
        return "\n".join(p for p in parts if p)
    char = statistics.median(b.height for b in boxes)
    lines = [cells_of(line, char) for line in group_lines(boxes)]
    out: list[str] = []
    block: list[list[list[Box]]] = []

    def flush() -> None:
        if len(block) >= 2:
            columns = _columns(block, char)
            numeric = _numeric_columns(block, columns)
            out.extend(_grid_row(row, columns, numeric) for row in block)
        else:
            out.extend(" ".join(cell_text(c) for c in row) for row in block)
        block.clear()

    for row in lines:
        if len(row) >= 2:
            block.append(row)
            continue
        flush()
        out.append(cell_text(row[0]))
    flush()
    return "\n".join(out)
