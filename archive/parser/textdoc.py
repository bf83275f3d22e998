"""The parser's intermediate representation: the lines of a normalised document.

Every input shape is read into the same list of `Line`s:

- markdown pipe rows as trafilatura emits them (`| a | b |  | c | `; spans expanded into empty
  padding cells, every row as wide as the table) are *grid* rows: cell positions are columns;
- other `|`-separated rows (`a | b | ||`) are *loose* rows: cells in order, trailing padding junk;
- a line that starts with a tab is one cell (`\\t0`), a tab-only line an explicit blank cell;
- any other line is *stream* text: one cell per line, blank lines between cells (an extra blank
  line is a blank cell in that shape), or PDF rows with a run of numbers after the label.

HTML tables are first rendered as grid rows (see `archive.parser.htmltable`), so they reach the same
parser through the same representation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.parser.normalize import compact

_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass(slots=True)
class Line:
    """One line of the normalised document."""

    text: str  # the line, stripped (cells joined by a space for rows)
    kind: str  # "text" | "grid" | "loose" | "tab" | "tabblank"
    cells: list[str] = field(default_factory=list)  # for grid/loose rows: the cells, stripped
    blanks_before: int = 0  # blank source lines right before this one
    compact: str = ""  # text without whitespace, for matching

    @property
    def is_row(self) -> bool:
        return self.kind in ("grid", "loose")


def _split_pipes(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def read_lines(text: str) -> list[Line]:
    """Read normalised text into `Line`s (see module docs for the shapes)."""
    raw = text.split("\n")
    out: list[Line] = []
    blanks = 0
    pipe_block: list[tuple[Line, bool]] = []  # (line, started with "|") of the current pipe block

    def flush_block() -> None:
        if not pipe_block:
            return
        widths = {len(line.cells) for line, _ in pipe_block}
        grid = len(widths) == 1 and all(lead for _, lead in pipe_block) and len(pipe_block) > 1
        for line, _ in pipe_block:
            if grid:
                line.kind = "grid"
        pipe_block.clear()

    for src in raw:
        if src.strip() == "":
            if "\t" in src:
                flush_block()
                out.append(Line("", "tabblank", blanks_before=blanks))
                blanks = 0
            else:
                blanks += 1
            continue
        separator = "---" in src and bool(_SEPARATOR_RE.match(src))  # (no separator lacks a ---)
        if "|" in src and not separator:
            cells = _split_pipes(src)
            line = Line(" ".join(c for c in cells if c), "loose", cells, blanks)
            line.compact = compact(line.text)
            if blanks:
                flush_block()
            pipe_block.append((line, src.lstrip().startswith("|")))
            out.append(line)
            blanks = 0
            continue
        if separator:
            continue
        flush_block()
        kind = "tab" if src.startswith("\t") else "text"
        stripped = src.strip()
        out.append(Line(stripped, kind, blanks_before=blanks, compact=compact(stripped)))
        blanks = 0
    flush_block()
    return out
