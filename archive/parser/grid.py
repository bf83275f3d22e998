"""Grid rows: which cell of a `| a | b | … |` row is which column of the table.

A table rendered as a grid (trafilatura's markdown, `archive.parser.htmltable`) has every span
expanded: a cell spanning three grid columns is its text followed by two empty cells, or by two
copies of its text (some extractors repeat it). Word lays out tables on a grid of its own, so the
official 2019 主动公开 table often has value cells spanning two grid columns: `规章 | 1 | 1 |  | 116`
is three values, not four. And a table cut in two (a page break, a repeated header) leaves rows
that lost the cells spanned from above: their values sit one or two columns to the left.

So a row is read against the table's *header*: the header rows name the columns (自然人, 商业企业 …
总计; 本年制发件数, 本年废止件数 …) at grid positions, each column owning the positions from its
header to the next header; a value is the one number found in its column's positions. A row that
does not fit its header (values under label columns: a shifted row; no header at all) is read by
content instead: the cells after its last label cell, with padding at either end dropped, when
that leaves exactly one reading; otherwise the row's cells are unresolved, never guessed.

Pure functions; `HeaderMap` is plain data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from archive.parser.normalize import Cell

__all__ = ["HeaderMap", "RowRead", "header_cells", "read_row", "row_shifts", "update_header"]


# Column names by the header text that names them (compacted, normalised), per table. A header
# cell must match one pattern of the table's vocabulary to name a column.
_APPLICANTS = (
    ("natural_person", re.compile(r"^自然人$")),
    ("commercial", re.compile(r"商业企业")),
    ("research", re.compile(r"科研机构")),
    ("social_welfare", re.compile(r"社会公益")),
    ("legal_service", re.compile(r"法律服务")),
    ("other_org", re.compile(r"^其他$|^其它$")),
    ("subtotal", re.compile(r"^小计$")),
    ("total", re.compile(r"^总计$")),
)
_ACTIVE_2021 = (
    ("issued", re.compile(r"制发")),
    ("repealed", re.compile(r"废止")),
    ("in_force", re.compile(r"现行有效")),
    ("decisions", re.compile(r"处理决定")),
    ("amount", re.compile(r"收费金额")),
)
_ACTIVE_2019 = (
    ("made", re.compile(r"新制作")),
    ("published", re.compile(r"新公开")),
    ("total_public", re.compile(r"公开总数")),
    ("prior_items", re.compile(r"上一年")),
    ("change", re.compile(r"增/?减|增减")),
    ("decisions", re.compile(r"处理决定")),
    ("items", re.compile(r"采购项目")),
    ("amount", re.compile(r"采购总金额|总金额")),
)
VOCABULARIES = {"applications": _APPLICANTS, "active-2021": _ACTIVE_2021, "active-2019": _ACTIVE_2019}


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """The columns a header names: (column, first grid position, last grid position), in order."""

    columns: tuple[tuple[str, int, int], ...]
    # Derived from `columns` once (a header is read against ~30 times a report, per row and shift):
    _spans: dict[str, tuple[int, int]] = field(init=False, repr=False, compare=False)
    _merged: frozenset[str] = field(init=False, repr=False, compare=False)
    _covered: frozenset[int] = field(init=False, repr=False, compare=False)
    _first: int = field(init=False, repr=False, compare=False)  # the first position a column has
    _last: int = field(init=False, repr=False, compare=False)  # the last position a column has

    def __post_init__(self) -> None:
        spans: dict[str, tuple[int, int]] = {}
        for name, a, b in self.columns:
            spans.setdefault(name, (a, b))  # the first column of a name, as a scan would find
        merged = frozenset(
            part for name, _, _ in self.columns if MERGED in name for part in name.split(MERGED)
        )
        covered = frozenset(p for _, a, b in self.columns for p in range(a, b + 1))
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_merged", merged)
        object.__setattr__(self, "_covered", covered)
        object.__setattr__(self, "_first", min((a for _, a, _ in self.columns), default=0))
        object.__setattr__(self, "_last", max((b for _, _, b in self.columns), default=-1))

    def span(self, column: str) -> tuple[int, int] | None:
        return self._spans.get(column)

    def merged(self, column: str) -> bool:
        """Whether the column shares a header cell with another (one grid position for two)."""
        return column in self._merged


def header_cells(cells: list[Cell], vocabulary: str) -> dict[int, str]:
    """{grid position: column} of the cells of a row that name a column (empty for a data row)."""
    if any(c.kind == "num" for c in cells):
        return {}
    found: dict[int, str] = {}
    for pos, cell in enumerate(cells):
        if cell.kind != "text":
            continue
        name = _header_name(cell.text, vocabulary)
        if name is not None:
            found[pos] = name
    return found


@lru_cache(maxsize=4096)
def _header_name(text: str, vocabulary: str) -> str | None:
    """The column (or `MERGED` columns) one header cell's text names, or None.

    Cached: a table's header cells are the same few texts, and every grid row is asked again.
    """
    text = re.sub(r"\s+", "", text)
    names = [name for name, pattern in VOCABULARIES[vocabulary] if pattern.search(text)]
    # Two names in one cell (`法律服务机构其他`, `其他总计`): a rule between columns missed (OCR),
    # `MERGED` columns. The names that must stand alone (`^其他$`) are sought unanchored here.
    both = [name for name, pattern, _ in _LOOSE[vocabulary] if pattern.search(text)]
    if len(both) >= 2 and len(text) <= sum(_LOOSE_SIZE[vocabulary][n] for n in both) + 4:
        return MERGED.join(both)
    return names[0] if names else None


def _loose(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], int]:
    """The pattern unanchored, and the fewest characters a cell it names has (its shortest literal)."""
    literal = min(len(re.sub(r"[\^$\\/?]", "", alt)) for alt in pattern.pattern.split("|"))
    return re.compile(pattern.pattern.replace("^", "").replace("$", "")), literal


_LOOSE = {v: tuple((n, *_loose(p)) for n, p in names) for v, names in VOCABULARIES.items()}
_LOOSE_SIZE = {v: {n: size for n, _, size in names} for v, names in _LOOSE.items()}


MERGED = "+"  # joins the names of columns a header cell names together


def update_header(
    found: dict[int, str], current: dict[int, str], width: int
) -> tuple[dict[int, str], HeaderMap]:
    """Merge a header row into the rows above it (a header may take several rows); the map."""
    merged = {**current, **found}
    positions = sorted(merged)
    columns = tuple(
        (merged[p], p, (positions[i + 1] - 1) if i + 1 < len(positions) else width - 1)
        for i, p in enumerate(positions)
    )
    return merged, HeaderMap(columns)


@dataclass(frozen=True, slots=True)
class RowRead:
    """A row's values for the wanted columns, in their order (None: blank, or unresolved)."""

    values: tuple[Cell | None, ...]
    unresolved: frozenset[int]  # indexes into `values` that could not be read with confidence
    by_header: bool  # placed by the header's positions (else by content)
    by_rule: bool = False  # content readings disagreed; the row's arithmetic chose one


def _nonempty(cell: Cell) -> bool:
    return cell.kind == "num" or (cell.kind == "blank" and bool(cell.text))


MAX_SHIFT = 3  # label columns a table cut in two can lose (rowspans of the part before the cut)


def _label_end(cells: list[Cell]) -> int:
    """Where a row's label ends: after its last text cell (0 when it has none)."""
    for i in range(len(cells) - 1, -1, -1):  # from the end: a row's figures follow its label
        if cells[i].kind == "text":
            return i + 1
    return 0


def row_shifts(cells: list[Cell], header: HeaderMap) -> list[int]:
    """The shifts (grid columns to the left) at which a row fits its header, 0 first.

    A row of a table cut in two lost the cells spanned into it from above the cut, so its cells
    stand that many columns left of the header repeated over it.

    A row fits a shift when no span starts over its label, and every number after the label stands
    in a span. (No text can stand in a span then: text ends where the label does.)
    """
    if not header.columns:
        return []
    label_end = _label_end(cells)
    numbers = [p for p in range(label_end, len(cells)) if cells[p].kind == "num"]
    covered = header._covered
    shifts: list[int] = []
    for s in range(MAX_SHIFT + 1):
        if header._first - s < label_end:
            break  # the spans start over the label at this shift, and at every greater one
        if header._last - s >= 0 and all(p + s in covered for p in numbers):
            shifts.append(s)
    return shifts


def _at_shift(cells: list[Cell], header: HeaderMap, wanted: tuple[str, ...], shift: int) -> list | None:
    """The wanted columns' values at one shift: Cell, None (blank) or CONFLICT; None if not named."""
    out: list = []
    last_column = header.columns[-1][0] if header.columns else None
    for column in wanted:
        span = header.span(column)
        if span is None:
            if header.merged(column):
                out.append(CONFLICT)  # its value shares a cell with another column's: which is which?
                continue
            return None
        a, b = span[0] - shift, span[1] - shift
        if a == b and 0 <= a < len(cells):  # one grid position, the usual case: its number or blank
            cell = cells[a]
            out.append(cell if cell.kind == "num" else None)
            continue
        if column == last_column and 0 <= a < len(cells) and cells[a].kind == "num":
            # The last column runs to the table's edge, over any unnamed column after it (a table
            # drawn wider than its content, `| 0 | +4 | — |` under `| 上一年 | 本年增/减 |  |`): a
            # written blank out there is that column's, not a second cell of this one.
            found = [cells[a], *(c for c in cells[a + 1 : b + 1] if c.kind == "num")]
        else:
            found = [c for c in cells[max(a, 0) : b + 1] if _nonempty(c)]
        numbers = [c for c in found if c.kind == "num"]
        if not numbers:
            out.append(None)  # empty, or written blanks (— / 无)
        elif len(numbers) < len(found) or len({c.value for c in numbers}) > 1:
            out.append(CONFLICT)  # two numbers, or a number and a written blank, in one column's positions
        else:
            out.append(numbers[0])
    return out


CONFLICT = object()


def _by_header(
    cells: list[Cell], header: HeaderMap, wanted: tuple[str, ...], shifts: list[int]
) -> RowRead | None:
    """The row read at each of its possible shifts; a cell the shifts disagree on is unresolved."""
    readings = [r for s in shifts if (r := _at_shift(cells, header, wanted, s)) is not None]
    if not readings:
        return None
    if len(readings) == 1:  # one shift: nothing to compare, only conflicts to leave out
        (reading,) = readings
        return RowRead(
            tuple(None if v is CONFLICT else v for v in reading),
            frozenset(i for i, v in enumerate(reading) if v is CONFLICT),
            True,
        )
    values: list[Cell | None] = []
    unresolved: set[int] = set()
    for i in range(len(wanted)):
        seen = [r[i] for r in readings]
        first = seen[0]
        same = all(_same_cell(first, other) for other in seen[1:])
        if first is CONFLICT or not same:
            values.append(None)
            unresolved.add(i)
        else:
            values.append(first)
    return RowRead(tuple(values), frozenset(unresolved), True)


def _same_cell(a, b) -> bool:
    if a is CONFLICT or b is CONFLICT:
        return False
    if a is None or b is None:
        return a is b
    return a.value == b.value


def _by_content(cells: list[Cell], label_end: int, width: int, add_up) -> RowRead:
    """The cells after the label, padding dropped at either end: one reading, or none trusted."""
    after = cells[label_end:]
    readings: list[tuple[Cell, ...]] = []

    def offer(run: list[Cell]) -> None:
        if len(run) == width and all(c.kind != "text" for c in run):
            reading = tuple(run)
            if reading not in readings:
                readings.append(reading)

    offer(after)
    trail = len(after)
    while trail > 0 and not _nonempty(after[trail - 1]):
        trail -= 1
    lead = 0
    while lead < len(after) and not _nonempty(after[lead]):
        lead += 1
    offer(after[:trail][-width:])  # right-aligned, trailing padding (a shifted row) dropped
    offer(after[lead:][:width])  # left-aligned, the label's colspan padding dropped
    offer(after[-width:])  # right-aligned as the grid stands
    distinct = {_values(r) for r in readings}
    if len(distinct) > 1 and add_up is not None:
        adding = [r for r in readings if add_up(_values(r))]
        if len({_values(r) for r in adding}) == 1:
            reading = adding[0]
            return RowRead(tuple(c if c.kind == "num" else None for c in reading), frozenset(), False, True)
    if len(distinct) != 1:
        return RowRead((None,) * width, frozenset(range(width)), False)
    reading = readings[0]
    return RowRead(tuple(c if c.kind == "num" else None for c in reading), frozenset(), False)


def _values(reading: tuple[Cell, ...]) -> tuple:
    return tuple(c.value if c.kind == "num" else None for c in reading)


def read_row(
    cells: list[Cell],
    header: HeaderMap | None,
    wanted: tuple[str, ...],
    *,
    shifts: list[int] | None = None,
    add_up=None,
) -> RowRead:
    """A grid row's values for the `wanted` columns (see the module docs).

    `shifts`: the shifts at which the row fits its header (`row_shifts`, narrowed by the caller to
    the one of the row above where a rowspan continues); a value the shifts disagree on is
    unresolved. `add_up(values)`: whether a reading satisfies the row's own arithmetic (总计 = the
    sum of the others), used only to choose between content readings that disagree.
    """
    if header is not None and shifts:
        read = _by_header(cells, header, wanted, shifts)
        if read is not None:
            return read
    return _by_content(cells, _label_end(cells), len(wanted), add_up)
