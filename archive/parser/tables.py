"""Reading the three standard tables out of a region of `Line`s and placing each number in its cell.

Two steps, whatever the input shape:

1. `build_groups`: cut the region into *groups*, a label (the text cells) followed by the values
   after it (numbers and explicit blanks). Grid rows are cut by position, loose and stream lines
   by cell kind.
2. Assign groups to the layout's rows by label meaning (`archive.parser.layout`) and place the values
   in columns (`place_values`). When every row is a full run of numbers and the runs and labels
   pair up one to one, they are paired in order: PDF text puts a row's numbers before or after its
   label, but never out of order.

Blank is not zero: an explicit blank cell is null, and a row too short to place unambiguously
leaves its doubtful cells null with a note rather than a guess.

The applications table may have an 8th number column, a 法人或其他组织 小计 before 总计
(`has_subtotal_column`): its cells are read in their place, so the others keep their columns,
compared with the sum of the five organisation columns (a disagreement is a note), and dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from archive.parser.align import TextLine, align_rows
from archive.parser.grid import HeaderMap, header_cells, read_row, row_shifts, update_header
from archive.parser.layout import (
    ACTIVE_COLUMNS,
    APPLICANT_COLUMNS,
    APPLICANT_COLUMNS_WITH_SUBTOTAL,
    ORG_COLUMNS,
    OTHER_HANDLING_SUBROWS,
    OUTCOME_ROWS_2021,
    OUTCOME_ROWS_SINGLE,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    SUBTOTAL_COLUMN,
    SUBTOTAL_HEADER,
    label_columns,
    match_active_labels,
    match_application_labels,
)
from archive.parser.normalize import Cell, compact, is_unread, line_segments, split_number_run
from archive.parser.normalize import classify_cell as _classify_cell
from archive.parser.textdoc import Line
from archive.report import CellValue

# Cells repeat ("0", "", the same labels) and grid rows are classified twice when the applications
# table's width is in question: a bounded cache makes the second pass, and most of the first, free.
# `Cell` is frozen, so sharing one between rows is safe.
classify_cell = lru_cache(maxsize=16384)(_classify_cell)


@lru_cache(maxsize=4096)
def _classify_row(texts: tuple[str, ...]) -> tuple[Cell, ...]:
    return tuple(classify_cell(t) for t in texts)


def row_cells(line: Line) -> list[Cell]:
    """A row's cells classified. A grid row is classified by several passes (its header, its group,
    the 小计 test, a second pass at another width): one lookup a row instead of one a cell."""
    return list(_classify_row(tuple(line.cells)))


@dataclass(slots=True)
class Group:
    """A label and the values that follow it."""

    label: str = ""  # compacted text of the label cells
    values: list[Cell] = field(default_factory=list)
    grid: bool = False  # values are positional (from a span-expanded grid row)
    line: int = 0
    label_line: int = -1  # line of the label's last part
    same_line: bool = False  # the values start on the label's (last) line, as in `行政许可 550`
    cells: tuple[Cell, ...] = ()  # a grid row's every cell, by grid position (read with `header`)
    header: HeaderMap | None = None  # the columns the table's header names, for a grid row
    shifts: list[int] = field(default_factory=list)  # where the row fits `header` (see grid.row_shifts)
    shift_hint: int | None = None  # the shift of the row above, when this row goes on its rowspan


@dataclass(slots=True)
class TableResult:
    cells: dict[str, CellValue] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rows_found: list[str] = field(default_factory=list)  # row keys in the order they were found
    unresolved: set[str] = field(default_factory=set)  # cells the table has but the parser could not place
    inferred: set[str] = field(default_factory=set)  # cells placed by position, not by a label


# ---------------------------------------------------------------------------------------------
# Step 1: groups
# ---------------------------------------------------------------------------------------------


def is_blank_line_mode(lines: list[Line]) -> bool:
    """Whether this region separates cells by one blank line, so that extra blank lines are blank cells."""
    stream = [ln for ln in lines if ln.kind == "text"]
    if len(stream) < 4 or any(ln.kind in ("tab", "tabblank") for ln in lines):
        return False
    separated = sum(1 for ln in stream[1:] if ln.blanks_before >= 1)
    return separated >= 0.75 * (len(stream) - 1)


def _line_cells(line: Line) -> list[Cell]:
    """The cells of one stream line: a whole-line cell, or a label followed by a run of numbers."""
    if line.kind == "tabblank":
        return [Cell("blank", "")]
    whole = classify_cell(line.text)
    if whole.kind != "text":
        return [whole]
    label, run = split_number_run(line.text)
    if not run:
        return [whole]
    return (
        [Cell("text", label), *(classify_cell(t) for t in run)] if label else [classify_cell(t) for t in run]
    )


def _stream_groups(cells: list[Cell], line_no: int, groups: list[Group]) -> None:
    """Append cells to the running groups: text after values starts a new group."""
    for cell in cells:
        cur = groups[-1] if groups else None
        if cell.kind == "text":
            if cur is None or cur.values or cur.grid:
                groups.append(Group(compact(cell.text), [], False, line_no, line_no))
            else:
                cur.label += compact(cell.text)
                cur.label_line = line_no
        else:
            if cur is None or cur.grid:
                cur = Group("", [], False, line_no)
                groups.append(cur)
            if not cur.values:
                cur.same_line = cur.label_line == line_no
            cur.values.append(cell)


def _grid_group(
    line: Line,
    width: int | None,
    line_no: int,
    header: HeaderMap | None,
    shift_above: int | None,
    block_shift: int | None,
) -> list[Group]:
    """A grid row as a group: its label (the text cells) and its cells, read later by `header`.

    A header row (text, no number) is a group with its text as label and no values. For the
    active table (`width` None) a row whose cells go on after its values with more text (two
    label/value pairs on one row) is cut like stream text.
    """
    cells = row_cells(line)
    kinds = [c.kind for c in cells]
    has_number = "num" in kinds
    if not (has_number or any(c.kind == "blank" and c.text for c in cells)) or (
        width is not None and "text" in kinds[-width:] and not has_number
    ):
        return [Group(compact("".join(c.text for c in cells if c.kind == "text")), [], True, line_no)]
    label_end = len(kinds) - kinds[::-1].index("text") if "text" in kinds else 0
    first_value = kinds.index("num") if has_number else len(cells)
    if width is None and label_end > first_value:
        groups: list[Group] = []
        lead = 0
        while lead < len(cells) and cells[lead].kind == "blank":
            lead += 1
        _stream_groups(cells[lead:], line_no, groups)
        return groups
    label = compact("".join(c.text for c in cells[:label_end] if c.kind == "text"))
    values = cells[label_end:]
    shifts = row_shifts(cells, header) if header is not None else []
    # A row that starts with a rowspan's empty cell goes on the group of the row above: it stands
    # where that row stood (a table cut in two shifts a whole group alike); any other row where
    # the last row that fitted one shift only stood.
    hint = shift_above if cells and cells[0].kind == "blank" and not cells[0].text else block_shift
    return [
        Group(label, values, True, line_no, cells=tuple(cells), header=header, shifts=shifts, shift_hint=hint)
    ]


def build_groups(
    lines: list[Line],
    start: int,
    end: int,
    width: int | None,
    *,
    blank_mode: bool | None = None,
    vocabulary: str | None = None,
) -> list[Group]:
    """Cut lines[start:end] into groups; `width` is the data width of grid rows (None: active table).

    `blank_mode` says whether extra blank lines are blank cells; decided from the region if None.
    `vocabulary` names the table's column headers (`archive.parser.grid`): grid rows carry the
    header above them, so their cells can be read by position.
    """
    region = lines[start:end]
    if blank_mode is None:
        blank_mode = is_blank_line_mode(region)
    groups: list[Group] = []
    found: dict[int, str] = {}
    header: HeaderMap | None = None
    previous: Line | None = None
    shift_above: int | None = None
    block_shift: int | None = None
    for offset, line in enumerate(region):
        no = start + offset
        if line.kind == "grid":
            if previous is None or previous.kind != "grid" or len(previous.cells) != len(line.cells):
                found, header, shift_above, block_shift = {}, None, None, None  # a new table
            named = header_cells(row_cells(line), vocabulary) if vocabulary else {}
            if named:
                if header is not None and previous is not None and not _is_header_line(previous, vocabulary):
                    found = {}  # a header again after data rows: a new header (a repeated one)
                found, header = update_header(named, found, len(line.cells))
            previous = line
            row_groups = _grid_group(line, width, no, header, shift_above, block_shift)
            if row_groups and row_groups[-1].shifts:
                last = row_groups[-1]
                shift_above = last.shifts[0] if len(last.shifts) == 1 else last.shift_hint
                if len(last.shifts) == 1:
                    block_shift = last.shifts[0]
            groups.extend(row_groups)
            groups.append(Group("", [], True, no))  # a row boundary: nothing may join this row
            continue
        previous = line
        if line.kind == "loose":
            cells = row_cells(line)
            while cells and cells[-1].kind == "blank" and not cells[-1].text:  # padding junk at the end
                cells.pop()
            lead = 0
            while lead < len(cells) and cells[lead].kind == "blank":
                lead += 1
            if lead < len(cells) and cells[lead].kind == "text":
                cells = cells[lead:]  # rowspan padding before the label, not data
            row_groups: list[Group] = []
            _stream_groups(cells, no, row_groups)
            groups.extend(row_groups)
            groups.append(Group("", [], True, no))
            continue
        cells = _line_cells(line)
        nums = sum(1 for c in cells if c.kind != "text")
        if nums >= 2 and cells[0].kind != "text" and groups and groups[-1].values:
            groups.append(Group("", [], False, no))  # a PDF row's run of numbers on its own line
        if blank_mode and line.blanks_before >= 2 and groups and (groups[-1].label or groups[-1].values):
            if not groups[-1].grid:
                groups[-1].values.extend(Cell("blank", "") for _ in range(line.blanks_before - 1))
        _stream_groups(cells, no, groups)
    # Blank cells at the very end of the region show as blank lines before the next heading.
    if blank_mode and end < len(lines) and lines[end].blanks_before >= 2 and groups and not groups[-1].grid:
        groups[-1].values.extend(Cell("blank", "") for _ in range(lines[end].blanks_before - 1))
    return [g for g in groups if g.label or g.values]


def _is_header_line(line: Line, vocabulary: str | None) -> bool:
    if vocabulary is None or line.kind != "grid":
        return False
    return bool(header_cells(row_cells(line), vocabulary))


# ---------------------------------------------------------------------------------------------
# Step 2: placing values
# ---------------------------------------------------------------------------------------------


def place_values(
    values: list[Cell], width: int, *, grid: bool, anchored: bool
) -> tuple[list[CellValue], str | None]:
    """Values for `width` columns, and a note when some could not be placed.

    - exactly `width` cells: in order;
    - more: surplus blank cells at the ends are padding; any other surplus is a doubt;
    - fewer, grid row: the row ended early, the missing cells at its end are blank (HTML semantics);
    - fewer, otherwise blanks vanished: with `anchored` (applications rows) the first number is
      自然人 and the last 总计, the organisation columns between them stay blank; a value that
      cannot be placed that way leaves its cells null, with a note.
    """
    vals = list(values)
    # Empty cells go first (a label's colspan padding, a row's ragged end), then written blanks
    # (`—`, `/`): a dash is a data cell the report left blank, the 总计 column's as much as any.
    for padding in (lambda c: c.kind == "blank" and not c.text.strip(), lambda c: c.kind == "blank"):
        while len(vals) > width and padding(vals[-1]):
            vals.pop()
        while len(vals) > width and padding(vals[0]):
            vals.pop(0)
    if len(vals) == width:
        return [c.value if c.kind == "num" else None for c in vals], None
    shown = " ".join(c.text or "∅" for c in values)
    if len(vals) > width:
        return [None] * width, f"{len(vals)} values for {width} columns ({shown}); left blank"
    if grid:
        out = [c.value if c.kind == "num" else None for c in vals]
        return out + [None] * (width - len(out)), None
    if not any(c.kind == "num" for c in vals):
        return [None] * width, None
    if anchored and len(vals) >= 2:
        out: list[CellValue] = [None] * width
        first, last = vals[0], vals[-1]
        middle = [c.value for c in vals[1:-1] if c.kind == "num"]
        if not middle:  # only 自然人 and 总计 written (the organisation columns left empty)
            out[0] = first.value if first.kind == "num" else None
            out[-1] = last.value if last.kind == "num" else None
            return out, None
        if first.kind == last.kind == "num" and first.value + sum(middle) == last.value:
            out[0], out[-1] = first.value, last.value
            return out, (
                f"{len(vals)} values for {width} columns ({shown}): the row adds up, so first and "
                "last are placed as 自然人 and 总计; the ones between could belong to any column and "
                "are left blank"
            )
    note = f"{len(vals)} values for {width} columns ({shown}); cannot tell which column each is"
    return [None] * width, note


# ---------------------------------------------------------------------------------------------
# The three tables
# ---------------------------------------------------------------------------------------------


def _label_events(groups: list[Group], matcher, first_key: str | None) -> list[tuple[int, str]]:
    """(group index, row key) for every row label, in text order, from the first `first_key` on."""
    events: list[tuple[int, str]] = []
    started = first_key is None
    for gi, g in enumerate(groups):
        for _, key in matcher(g.label):
            if not started:
                if key != first_key:
                    continue
                started = True
            if events and events[-1][1] == key:
                # The same row's label continued (split over lines): keep the part with the numbers.
                if groups[events[-1][0]].values or not groups[gi].values:
                    continue
                events.pop()
            events.append((gi, key))
    return events


def _joined_keys(groups: list[Group], matcher, first_key: str | None, allowed) -> list[str]:
    """Row keys named in all labels read as one text: a keyword split over two lines is still found."""
    keys: list[str] = []
    started = first_key is None
    for _, key in matcher("".join(g.label for g in groups)):
        if not started:
            if key != first_key:
                continue
            started = True
        if allowed(key) and (not keys or keys[-1] != key):
            keys.append(key)
    return keys


def _is_run(group: Group) -> bool:
    """Whether a group's values are a row's run: some number, or written placeholders (— / 无) only."""
    return any(c.kind == "num" for c in group.values) or (
        bool(group.values) and all(c.kind == "blank" and c.text for c in group.values)
    )


def _pair_rows(
    groups: list[Group],
    events: list[tuple[int, str]],
    joined: list[str],
    width_of,
    notes: list[str],
    template: list[str] | None = None,
    by_order: list[str] | None = None,
) -> list[tuple[str, Group | None]]:
    """Pair row labels with value groups (`template`: the table's rows in order, to place a run
    whose label was lost between two rows the template has one row between; the rows so placed are
    added to `by_order`).

    In order, when every row is one full run of numbers and runs and labels are as many (PDF text,
    where a run may sit before its label or a label wrap around it); else label by label, each
    label taking the values that follow it.
    """
    first = events[0][0] if events else 0
    if first > 0 and _is_run(groups[first - 1]):
        first -= 1  # the first row's run printed before its label, at the end of the header
    value_groups = [g for g in groups[first:] if _is_run(g)]
    if (
        joined
        and len(value_groups) == len(joined)
        and all(len(g.values) == width_of(key) for g, key in zip(value_groups, joined, strict=True))
    ):
        return list(zip(joined, value_groups, strict=True))
    # A run whose label could not be read (a seal over it, torn off) between two rows the template
    # has one row between, a row named nowhere else: that row's, by the template's order.
    gaps = _template_gaps(groups, events, joined, template or [], width_of, first)
    for gi, key in gaps:
        if by_order is not None:
            by_order.append(key)
        notes.append(
            f"{key}: numbers on a line without a readable label, between the rows before and after "
            f"it in the template, placed as its row ({' '.join(c.text or '∅' for c in groups[gi].values)})"
        )
    # PDF text whose runs do not pair up in order: a run on a line of its own may belong to the
    # label before it or after it, so only runs printed on their label's line are trusted.
    placed = {gi for gi, _ in gaps}
    runs = enumerate(groups[first:], first)
    orphans = [g for i, g in runs if i not in placed and not g.label and _is_run(g)]
    pdf_like = bool(orphans)
    for g in orphans:
        shown = " ".join(c.text or "∅" for c in g.values)
        notes.append(
            f"numbers on a line of their own ({shown}) could not be paired with a row label; left out"
        )
    paired: list[tuple[str, Group | None]] = []
    last_of_group: dict[int, str] = {}
    for gi, key in events:
        last_of_group[gi] = key  # the label nearest the numbers names the row
    for gi, key in events:
        g = groups[gi]
        ok = last_of_group[gi] == key and g.values and (g.same_line or g.grid or not pdf_like)
        paired.append((key, g if ok else None))
        if pdf_like and last_of_group[gi] == key and g.values and not ok:
            notes.append(
                f"{key}: numbers on a line of their own could belong to the row above or below; left blank"
            )
        paired.extend((gap_key, _right_aligned(groups[gap], width_of(gap_key))) for gap, gap_key in gaps
                      if gap > gi and not any(gi < other < gap for other, _ in events))  # fmt: skip
    return paired


def _template_gaps(
    groups: list[Group],
    events: list[tuple[int, str]],
    joined: list[str],
    template: list[str],
    width_of,
    first: int,
) -> list[tuple[int, str]]:
    """(group index, row key) for each label-less run that fills the one template row missing
    between the labelled rows around it: each of those two rows with its own values on its line,
    the missing row named nowhere, the run the only one between them, with as many cells as the
    row has columns once the unreadable label cells at its start are dropped."""
    out: list[tuple[int, str]] = []
    position = {key: i for i, key in enumerate(template)}
    for gi in range(max(first, 1), len(groups) - 1):
        g = groups[gi]
        if g.label or not _is_run(g):
            continue
        before = [(i, k) for i, k in events if i < gi]
        after = [(i, k) for i, k in events if i > gi]
        if not before or not after:
            continue
        (bi, bk), (ai, ak) = before[-1], after[0]
        if bk not in position or ak not in position or position[ak] - position[bk] != 2:
            continue
        missing = template[position[bk] + 1]
        between = [i for i in range(bi + 1, ai) if _is_run(groups[i]) or groups[i].label]
        own_line = all(groups[i].values and (groups[i].same_line or groups[i].grid) for i in (bi, ai))
        if missing in joined or between != [gi] or not own_line:
            continue
        if _right_aligned(g, width_of(missing)) is not None:
            out.append((gi, missing))
    return out


def _right_aligned(group: Group, width: int | None) -> Group | None:
    """`group` with its surplus leading cells dropped when they are not figures (empty, or the
    unread marks of a label the reading could not make out); None when that does not leave
    `width` cells."""
    if width is None or len(group.values) < width:
        return None
    lead = group.values[: len(group.values) - width]
    if any(c.kind == "num" and not is_unread(c.value) for c in lead):
        return None
    return replace(group, values=group.values[len(lead) :])


def _choose_shift(group: Group, key: str, prefix: str) -> list[int]:
    """The shift of a grid row that fits several: where the official template puts its values after
    its label (`layout.label_columns`), else where the row above stood; else all of them (its cells
    are then read only where every shift agrees)."""
    shifts = group.shifts
    if len(shifts) <= 1 or group.header is None:
        return shifts
    last_label = max((i for i, c in enumerate(group.cells) if c.kind == "text"), default=-1)
    if last_label >= 0:
        first_data = min(a for _, a, _ in group.header.columns)
        width = label_columns(key) if prefix == "applications" else 1
        template = first_data - (last_label + width)
        if template in shifts:
            return [template]
    if group.shift_hint in shifts:
        return [group.shift_hint]
    return shifts


def _row_adds_up(values: tuple) -> bool:
    """An applications row's arithmetic: 总计 is the sum of the applicant columns (小计 aside)."""
    *parts, total = values
    if len(parts) == len(APPLICANT_COLUMNS_WITH_SUBTOTAL) - 1:
        parts = parts[:-1]  # the 小计, itself a sum of the organisation columns
    return total is not None and all(v is not None for v in parts) and sum(parts) == total


def _row_exceeds_total(values: tuple) -> bool:
    """A row with blanks whose printed applicant figures already sum past its printed 总计: no
    value of the blanks (counts are never negative) makes that reading add up."""
    *parts, total = values
    if len(parts) == len(APPLICANT_COLUMNS_WITH_SUBTOTAL) - 1:
        parts = parts[:-1]
    return total is not None and sum(v for v in parts if v is not None) > total


def _assign(
    result: TableResult,
    prefix: str,
    pairs: list[tuple[str, Group | None]],
    columns_of,
    *,
    anchored: bool,
    printed_blanks: bool = False,
) -> None:
    """Place each paired row's values in its columns.

    `printed_blanks`: the region is text whose rows print their numbers as runs (PDF, OCR), where
    a row label with no run after it may have lost its numbers to the extractor: its cells are
    null *and* unresolved, not taken for blank.
    """
    done: set[str] = set()
    seen: list[str] = []
    for key, group in pairs:
        if key not in seen:
            seen.append(key)
        cols = columns_of(key)
        if cols is None or group is None or key in done:
            continue
        if group.cells:  # a grid row: read by its header's positions, or by content
            shifts = _choose_shift(group, key, prefix)
            wanted = tuple(cols)
            read = read_row(
                list(group.cells), group.header, wanted, shifts=shifts,
                add_up=_row_adds_up if anchored else None,
            )  # fmt: skip
            keys = _cell_keys(prefix, key, wanted)
            for i, (cell_key, cell) in enumerate(zip(keys, read.values, strict=True)):
                result.cells[cell_key] = cell.value if cell is not None else None
                if i in read.unresolved:
                    result.unresolved.add(cell_key)
                elif read.by_rule:
                    result.inferred.add(cell_key)
            if read.unresolved:
                shown = " ".join(c.text or "∅" for c in group.values)
                result.notes.append(f"{prefix}.{key}: cannot tell which column each value is ({shown})")
            done.add(key)
            continue
        values, note = place_values(group.values, len(cols), grid=group.grid, anchored=anchored)
        if note:
            result.notes.append(f"{prefix}.{key}: {note}")
        for col, v in zip(cols, values, strict=True):
            result.cells[f"{prefix}.{key}.{col}"] = v
            if note and v is None:  # a doubtful cell left out, not a blank one
                result.unresolved.add(f"{prefix}.{key}.{col}")
        done.add(key)
    for key in seen:  # a row the report has, with every cell blank (or, in text, lost)
        cols = columns_of(key)
        if cols is not None and key not in done:
            for col in cols:
                result.cells.setdefault(f"{prefix}.{key}.{col}", None)
                if printed_blanks:
                    result.unresolved.add(f"{prefix}.{key}.{col}")
            if printed_blanks:
                result.notes.append(f"{prefix}.{key}: no numbers found for the row; left blank")
    result.rows_found = seen


@lru_cache(maxsize=1024)
def _cell_keys(prefix: str, row: str, cols: tuple[str, ...]) -> tuple[str, ...]:
    """`prefix.row.col` for each column: the same few hundred keys, every report."""
    return tuple(f"{prefix}.{row}.{col}" for col in cols)


def _row_runs(lines: list[Line], start: int, end: int, groups: list[Group]) -> list[tuple[list[Cell], int]]:
    """Each row's values, and the most columns they could fill, whatever the table's width.

    Stream and loose rows: a group's values, exactly as many as the row has columns. Grid rows
    (whose groups were cut at a guessed width): the cells after the row's last text cell without
    the empty cells leading them, which are the label's colspan padding or blank data cells; the
    row has at least as many columns as those values and at most as many as the cells after its
    label (a sub-item row, its label in the last label column, has exactly that many).
    """
    runs = [(g.values, len(g.values)) for g in groups if g.values and not g.grid]
    for line in lines[start:end]:
        if line.kind != "grid":
            continue
        cells = row_cells(line)
        last_text = max((i for i, c in enumerate(cells) if c.kind == "text"), default=-1)
        after = cells[last_text + 1 :]
        run = list(after)
        while run and run[0].kind == "blank" and not run[0].text:
            run.pop(0)
        if run:
            runs.append((run, len(after)))
    return runs


HEADER_CELL_CHARS = 24  # 法人或其他组织小计 and its kin; longer text is prose


def has_subtotal_column(
    lines: list[Line], start: int, end: int, groups: list[Group], events: list[tuple[int, str]]
) -> bool:
    """Whether the applications table has the 8th column, a 法人或其他组织 小计 before 总计.

    Rows that can only be 8 columns wide count for it, rows that can only be 7 against (a grid row
    whose empty cells after the label may be padding or blank data may be either). A 小计 in the
    header (the text before the first row label) says yes unless the rows plainly say 7. With no
    such header (PDF text that lost it) the rows must say 8, and most rows of 8 numbers must have
    their 7th equal to the sum of the 2nd to 6th.
    """
    first = events[0][0] if events else len(groups)
    # header cells only: a sentence before the table ("其中法人或其他组织小计3件") is no header
    head = "".join(
        g.label for g in groups[:first] if len(g.label) <= HEADER_CELL_CHARS and not re.search(r"\d", g.label)
    )
    if events:
        label = groups[first].label
        head += label[: next((p for p, k in match_application_labels(label) if k == "new"), 0)]
    width = len(APPLICANT_COLUMNS)
    runs = _row_runs(lines, start, end, groups)
    sevens = sum(1 for _, most in runs if most == width)
    eights = [run for run, _ in runs if len(run) == width + 1]
    if SUBTOTAL_HEADER in head:
        return len(eights) > sevens or not (eights or sevens)  # no row decides: the header does
    numeric = [[c.value for c in run] for run in eights if all(c.kind == "num" for c in run)]
    adding_up = sum(1 for v in numeric if v[6] == sum(v[1:6]))
    return len(eights) > sevens and 2 * adding_up > len(numeric)


def _drop_subtotal(result: TableResult) -> None:
    """Take the 小计 cells out of the result, noting each that disagrees with its five columns."""
    for key in [k for k in result.cells if k.endswith(f".{SUBTOTAL_COLUMN}")]:
        subtotal = result.cells.pop(key)
        row = key[: -len(SUBTOTAL_COLUMN) - 1]
        parts = [result.cells.get(f"{row}.{c}") for c in ORG_COLUMNS]
        if subtotal is None or any(v is None for v in parts):
            continue
        if sum(parts) != subtotal:
            shown = " + ".join(str(v) for v in parts)
            result.notes.append(
                f"{row}: 法人或其他组织小计 {subtotal} is not the sum of its columns "
                f"({shown} = {sum(parts)}); the 小计 is left out, the columns are kept as written"
            )


def read_applications(
    lines: list[Line], start: int, end: int, *, blank_mode: bool | None = None
) -> TableResult:
    """Table 三 (收到和处理政府信息公开申请情况): `applications.ROW.COLUMN` cells.

    With a 小计 column (`has_subtotal_column`) rows are read 8 wide and the 小计 is dropped.
    """
    result = TableResult()
    columns = APPLICANT_COLUMNS
    vocabulary = "applications"
    groups = build_groups(lines, start, end, len(columns), blank_mode=blank_mode, vocabulary=vocabulary)
    events = _label_events(groups, match_application_labels, "new")
    if has_subtotal_column(lines, start, end, groups, events):
        columns = APPLICANT_COLUMNS_WITH_SUBTOTAL
        if any(ln.kind == "grid" for ln in lines[start:end]):  # grid rows are cut by width
            groups = build_groups(
                lines, start, end, len(columns), blank_mode=blank_mode, vocabulary=vocabulary
            )
            events = _label_events(groups, match_application_labels, "new")
    if any(k in OTHER_HANDLING_SUBROWS for _, k in events):  # then 三(六) is a group header only
        events = [(gi, k) for gi, k in events if k != "other_handling"]
    joined = _joined_keys(groups, match_application_labels, "new", lambda k: True)
    if any(k in OTHER_HANDLING_SUBROWS for k in joined):
        joined = [k for k in joined if k != "other_handling"]
    pdf_like = _is_pdf_like(lines, start, end)
    if not (pdf_like and _aligned_text(result, "applications", lines, start, end, groups, joined,
                                       _application_template(joined), lambda _k: columns)):  # fmt: skip
        by_order: list[str] = []
        template = _application_template(joined)
        pairs = _pair_rows(groups, events, joined, lambda _k: len(columns), result.notes, template, by_order)
        _assign(result, "applications", pairs, lambda _k: columns, anchored=True, printed_blanks=pdf_like)
        result.inferred |= {f"applications.{row}.{c}" for row in by_order for c in columns}
    if columns is APPLICANT_COLUMNS_WITH_SUBTOTAL:
        _drop_subtotal(result)
    return result


def _application_template(joined: list[str]) -> list[str]:
    """The applications rows a region should have, in order, with 三(六) as its labels show it."""
    if any(k in OTHER_HANDLING_SUBROWS for k in joined):
        outcomes = OUTCOME_ROWS_2021
    elif "other_handling" in joined:
        outcomes = OUTCOME_ROWS_SINGLE
    else:
        outcomes = OUTCOME_ROWS_2021[:-3]
    return ["new", "carried_over", *outcomes, "total", "carried_forward"]


def _is_pdf_like(lines: list[Line], start: int, end: int) -> bool:
    """Whether a region is text whose rows print as runs of numbers (PDF, OCR), not one cell a line."""
    region = lines[start:end]
    if any(ln.kind in ("grid", "loose", "tab", "tabblank") for ln in region):
        return False
    return any(sum(len(run) for _, run in line_segments(ln.text)) >= 2 for ln in region)


def _text_lines(lines: list[Line], start: int, end: int, matcher, allowed) -> list[TextLine]:
    """The region's lines as the aligner reads them: each label segment with the run after it, and
    the rows that the loose label lines around it name (a label torn from its numbers wraps around
    them: fragments above, below, or both)."""
    segments = [seg for line in lines[start:end] for seg in line_segments(line.text)]

    def names(text: str) -> set[str]:
        return {k for _, k in matcher(text) if allowed(k)} if text else set()

    out: list[TextLine] = []
    for i, (text, run) in enumerate(segments):
        if not run:
            out.append(TextLine((), ()))
            continue
        anchors = tuple(names(compact(text)))
        above = _loose_block(segments, i, -1)
        below = ([compact(text)] if text else []) + _loose_block(segments, i, 1)
        near: set[str] = set()
        for a in range(min(len(above), 3) + 1):
            for b in range(min(len(below), 3) + 1):
                if a + b:
                    near |= names("".join(above[len(above) - a :] + below[:b]))
        out.append(TextLine(anchors, tuple(classify_cell(t) for t in run), tuple(sorted(near))))
    return out


def _loose_block(segments: list[tuple[str, list[str]]], i: int, step: int) -> list[str]:
    """The label-only lines next to segment `i` (before it when `step` is -1), in text order."""
    block: list[str] = []
    j = i + step
    while 0 <= j < len(segments) and not segments[j][1] and len(block) < 3:
        if segments[j][0]:
            block.append(compact(segments[j][0]))
        j += step
    return block[::-1] if step < 0 else block


def _aligned_text(
    result: TableResult,
    prefix: str,
    lines: list[Line],
    start: int,
    end: int,
    groups: list[Group],
    joined: list[str],
    template: list[str],
    columns_of,
) -> bool:
    """Read a PDF-like region (`_is_pdf_like`, checked by the caller) whose runs and labels do not
    pair up one to one, by aligning its lines to the template rows (`archive.parser.align`); False
    when they pair up in order, and the plain reading is exact."""
    value_groups = [g for g in groups if _is_run(g)]
    if len(value_groups) == len(joined) and all(
        len(g.values) == len(columns_of(k)) for g, k in zip(value_groups, joined, strict=True)
    ):
        return False  # runs and labels pair up in order: the plain reading is exact
    matcher = match_application_labels if prefix == "applications" else match_active_labels
    rows = [k for k in template if columns_of(k) is not None]
    found = set(joined)
    text_lines = _text_lines(lines, start, end, matcher, lambda k: k in rows)

    def adds_up(row: str, values: tuple[Cell, ...]) -> bool | None:
        """Whether the row's numbers add up; None when a blank makes it unknowable."""
        if prefix != "applications":
            return None
        numbers = tuple([c.value if c.kind == "num" else None for c in values])
        if None not in numbers:  # (called for every reading the aligner weighs: kept lean)
            return _row_adds_up(numbers)
        return False if _row_exceeds_total(numbers) else None

    alignment = align_rows(text_lines, rows, lambda k: len(columns_of(k)), add_up=adds_up, named=found)
    for row in rows:
        cols = columns_of(row)
        placement = alignment.placed.get(row)
        if placement is None and row not in alignment.unresolved and row not in found:
            continue  # neither numbers nor a label: a row the report does not print
        result.rows_found.append(row)  # placed, or named but unread: unresolved
        for i, col in enumerate(cols):
            key = f"{prefix}.{row}.{col}"
            if placement is None:
                result.cells[key] = None
                result.unresolved.add(key)
                continue
            cell = placement.values[i]
            result.cells[key] = cell.value if cell.kind == "num" else None
            if not placement.anchored:
                result.inferred.add(key)
    if alignment.unresolved:
        result.notes.append(
            f"{prefix}: rows {', '.join(alignment.unresolved)} could be read more than one way; left blank"
        )
    unread = [r for r in rows if r in found and r not in alignment.placed and r not in alignment.unresolved]
    if unread:
        result.notes.append(f"{prefix}: no numbers found for rows {', '.join(unread)}; left blank")
    return True


def read_active(
    lines: list[Line], start: int, end: int, fmt: str, *, blank_mode: bool | None = None
) -> TableResult:
    """Table 二 (主动公开政府信息情况): `active.ROW.COLUMN` cells, columns as the format has them."""
    result = TableResult()
    columns = ACTIVE_COLUMNS[fmt]
    groups = build_groups(lines, start, end, None, blank_mode=blank_mode, vocabulary=f"active-{fmt}")
    events = [(gi, k) for gi, k in _label_events(groups, match_active_labels, None) if k in columns]
    joined = _joined_keys(groups, match_active_labels, None, lambda k: k in columns)
    pdf_like = _is_pdf_like(lines, start, end)
    if not (pdf_like and _aligned_text(result, "active", lines, start, end, groups, joined, list(columns),
                                       columns.get)):  # fmt: skip
        by_order = []
        pairs = _pair_rows(groups, events, joined, lambda k: len(columns[k]) if k in columns else None,
                           result.notes, list(columns), by_order)  # fmt: skip
        _assign(result, "active", pairs, columns.get, anchored=False, printed_blanks=pdf_like)
        result.inferred |= {f"active.{row}.{c}" for row in by_order for c in columns[row]}
    return result


def read_review(lines: list[Line], start: int, end: int, *, blank_mode: bool | None = None) -> TableResult:
    """Table 四 (行政复议、行政诉讼): one row of 15 numbers, `GROUP.COLUMN` cells."""
    result = TableResult()
    width = len(REVIEW_GROUPS) * len(REVIEW_COLUMNS)
    groups = build_groups(lines, start, end, width, blank_mode=blank_mode)
    candidates = [g for g in groups if any(c.kind == "num" for c in g.values)]
    if not candidates:
        return result
    best = max(candidates, key=lambda g: (sum(c.kind == "num" for c in g.values), g.line))
    values, note = place_values(best.values, width, grid=best.grid, anchored=False)
    if note is None and best.grid and len(best.values) < width:
        # A row of 15 figures printed with fewer cells: cells lost or run together (a rule missed
        # by OCR), not blanks at its end; which column each figure is cannot be told.
        values = [None] * width
        shown = " ".join(c.text or "∅" for c in best.values)
        note = f"{len(best.values)} cells for {width} columns ({shown}); cannot tell which column each is"
    if note:
        result.notes.append(f"review: {note}")
    i = 0
    for group in REVIEW_GROUPS:
        for col in REVIEW_COLUMNS:
            key = f"{group}.{col}"
            result.cells[key] = values[i]
            if note and values[i] is None:
                result.unresolved.add(key)
            i += 1
    result.rows_found = list(REVIEW_GROUPS)
    return result
