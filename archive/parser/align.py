"""Aligning the value runs of a table region to its template rows, when labels were torn from numbers.

PDF text extractors and OCR print a ruled table line by line. A row's label wrapped inside its cell
comes out above and below its numbers; a group header spanning eight rows lands in the middle of
them; two rows run into one line, one row's numbers break over two lines, a page number falls in
between. What survives is the order: rows print in the template's order, each row printing its
numbers (a placeholder — / 无 for a blank). So the lines of a region are aligned to the rows the
labels name, in that order, by a shortest path over (line, row, values taken so far):

- a line of numbers fills the current row and goes on into the next (two rows run together), or
  fills part of it (a row broken over two lines), at a small cost;
- a line may be read as noise (a page number, a footnote digit) at a cost per value dropped, less
  for a lone small whole number (what page numbers look like) than for anything else;
- a row may have no numbers at all (every cell left blank without a placeholder), at a high cost;
- a label on the same line as a row's first numbers anchors them: to that row (a bonus), never to
  another (a high cost), and a row broken over two lines goes on only on a line naming no other row;
- loose label lines just above or below a line of numbers vote for the rows they name (a small
  bonus for a row with numbers on such a line);
- a row whose numbers add up (总计 = the sum of the others) earns a small bonus, one whose numbers
  are all there and do not a small cost: a reading shifted by one value adds up nowhere.

Then the placements are checked, not trusted: a row that every reading within a margin of the
best one places alike (the same numbers) is placed; a row two near-best readings place
differently is *unresolved*, its cells null and listed, never a guess. (Forward and backward path
costs give, for each placement, the cost of the best reading through it.)

Pure: lines in, placements out.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from archive.parser.normalize import Cell

__all__ = ["Alignment", "Placement", "TextLine", "align_rows"]

DROP = 14.0  # per value read as noise
DROP_PAGE_NO = 10.0  # … a line holding one small whole number only, as page numbers print
SKIP = 40.0  # per row with no numbers at all
SPLIT = 2.5  # a row broken over two lines
MERGE = 1.0  # a line holding more than one row
ANCHOR = -4.0  # a row's first numbers on a line whose label names it
WRONG_ANCHOR = 60.0  # … whose label names another row
ADDS_UP = -1.0  # a placement whose numbers satisfy the row's arithmetic
ADDS_WRONG = 1.0  # … whose numbers are all there and do not
NEAR = -1.5  # a row's first numbers on a line next to loose label text naming it
UNNAMED = 2.0  # a placement in a template row whose label the region never names
MARGIN = 0.75  # readings this close to the best count as equally likely


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of a region: the row keys its own label names, and the numbers it holds."""

    anchors: tuple[str, ...]  # rows named by the text on the line before its numbers
    values: tuple[Cell, ...]  # numbers and written blanks, in order
    near: tuple[str, ...] = ()  # rows named by loose label lines just above or below it


@dataclass(frozen=True, slots=True)
class Placement:
    row: str
    values: tuple[Cell, ...]  # exactly as many as the row has columns
    anchored: bool  # its first numbers stand on a line whose label names it


@dataclass
class Alignment:
    placed: dict[str, Placement] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)  # rows with numbers no reading settles
    noise: int = 0  # values the best reading dropped as noise


# A node: (next line, next row, the values taken so far for that row as (line, index) pairs).
Node = tuple[int, int, tuple[tuple[int, int], ...]]
# What an edge completes: (row index, (line, index) of each value, anchored); rows it skips.
Done = tuple[tuple[int, tuple[tuple[int, int], ...], bool], ...]


@dataclass(slots=True, eq=False)
class _Edge:  # not frozen: a few hundred thousand are made per report, a frozen __init__ costs double
    frm: Node
    to: Node
    cost: float
    done: Done = ()
    skipped: tuple[int, ...] = ()
    dropped: int = 0


class _Aligner:
    def __init__(self, lines, rows, widths, add_up, named) -> None:
        self.lines, self.rows, self.widths, self.add_up = lines, rows, widths, add_up
        self.named = named
        # Per row and per line, what every edge would otherwise look up again: the lines whose
        # loose label text names the row, whether the region names the row, a line's noise cost.
        self.near_lines = [frozenset(i for i, ln in enumerate(lines) if r in ln.near) for r in rows]
        self.unnamed = [named is not None and r not in named for r in rows]
        self.drop_costs = [_drop_cost(ln) for ln in lines]
        self.size = (len(lines), len(rows))
        # Each line's value references ((line, index) pairs), made once and shared by every node.
        self.refs = [tuple((i, k) for k in range(len(ln.values))) for i, ln in enumerate(lines)]

    def cell(self, ref: tuple[int, int]) -> Cell:
        return self.lines[ref[0]].values[ref[1]]

    def edges(self, node: Node) -> list[_Edge]:
        i, j, taken = node
        n, m = self.size
        out: list[_Edge] = []
        if i == n:
            if not taken and j < m:  # rows left at the end: not printed
                out.append(_Edge(node, (n, m, ()), SKIP * (m - j), skipped=tuple(range(j, m))))
            return out
        line = self.lines[i]
        if not taken and j < m:  # row j not printed at all
            out.append(_Edge(node, (i, j + 1, ()), SKIP, skipped=(j,)))
        if not line.values:  # a line of label text only
            out.append(_Edge(node, (i + 1, j, taken), 0.0))
            return out
        if not taken:  # noise between rows; a row broken over two lines goes on on the next one
            out.append(_Edge(node, (i + 1, j, taken), self.drop_costs[i], dropped=len(line.values)))
        read = self._consume(node)
        if read is not None:
            out.append(read)
        return out

    def _consume(self, node: Node) -> _Edge | None:
        i, j, taken = node
        line = self.lines[i]
        cost = SPLIT if taken else 0.0
        done: list[tuple[int, tuple[tuple[int, int], ...], bool]] = []
        current = list(taken)
        row = j
        if line.anchors:  # a label names the row its line's first numbers belong to
            if row >= len(self.rows):
                return None
            if self.rows[row] not in line.anchors:
                cost += WRONG_ANCHOR
            elif not taken:
                cost += ANCHOR
        refs_here = self.refs[i]
        k = 0
        while k < len(refs_here):  # the line's values, as many at a time as the row still takes
            if row >= len(self.rows):
                return None
            take = min(self.widths[row] - len(current), len(refs_here) - k)
            current.extend(refs_here[k : k + take])
            k += take
            if len(current) == self.widths[row]:
                refs = tuple(current)
                anchored = not done and not taken and self.rows[row] in line.anchors
                if not anchored:
                    near = self.near_lines[row]
                    if near and any(r[0] in near for r in refs):
                        cost += NEAR  # loose label text beside one of its lines names it
                if self.add_up is not None:
                    lines = self.lines
                    verdict = self.add_up(self.rows[row], tuple([lines[a].values[b] for a, b in refs]))
                    cost += ADDS_UP if verdict else ADDS_WRONG if verdict is False else 0.0
                done.append((row, refs, anchored))
                if self.unnamed[row]:
                    cost += UNNAMED
                if len(done) > 1:
                    cost += MERGE
                row += 1
                current = []
        return _Edge(node, (i + 1, row, tuple(current)), cost, tuple(done))


def _drop_cost(line: TextLine) -> float:
    """Reading a line as noise: cheaper for what a page number looks like (`3`) than for a figure
    no page number prints (`0`, `1,292`, `55535.47`, several numbers)."""
    if len(line.values) == 1 and not line.anchors:
        cell = line.values[0]
        if cell.kind == "num" and cell.text.isdigit() and len(cell.text) <= 3 and cell.text[0] != "0":
            return DROP_PAGE_NO
    return DROP * len(line.values)


def align_rows(
    lines: Sequence[TextLine],
    rows: Sequence[str],
    width: Callable[[str], int],
    *,
    add_up: Callable[[str, tuple[Cell, ...]], bool | None] | None = None,
    named: set[str] | None = None,
) -> Alignment:
    """Place the numbers of `lines` in the template `rows`, in order (see the module docs).

    `named`: the rows whose label the region shows; a row it does not name may still take the
    numbers between its neighbours (a label lost to the extractor), at a small cost.
    """
    aligner = _Aligner(lines, list(rows), [width(r) for r in rows], add_up, named)
    n, m = len(lines), len(rows)
    start: Node = (0, 0, ())
    goal: Node = (n, m, ())
    # Forward: nodes are visited line by line (every edge goes to the same line or a later one,
    # and within a line only "skip a row" edges, which move to a later row).
    best: dict[Node, float] = {start: 0.0}
    edges_from: dict[Node, list[_Edge]] = {}
    frontier: dict[int, list[Node]] = {0: [start]}
    visit: list[Node] = []
    for i in range(n + 1):
        heap = [(nd[1], len(nd[2]), nd) for nd in set(frontier.get(i, []))]
        heapq.heapify(heap)
        queued = {nd for _, _, nd in heap}
        while heap:
            _, _, node = heapq.heappop(heap)
            visit.append(node)
            out = aligner.edges(node)
            edges_from[node] = out
            here = best[node]
            for edge in out:
                to = edge.to
                cand = here + edge.cost
                if cand < best.get(to, math.inf):
                    best[to] = cand
                if to[0] == i:  # a skip within the line: to a later row of the same layer
                    if to not in queued:
                        queued.add(to)
                        heapq.heappush(heap, (to[1], len(to[2]), to))
                else:
                    frontier.setdefault(to[0], []).append(to)
    total = best.get(goal, math.inf)
    if total == math.inf:
        return Alignment(unresolved=list(rows))
    # Backward: the best cost from each node to the goal.
    rest: dict[Node, float] = {goal: 0.0}
    for node in reversed(visit):  # each node once, after every node its edges lead to
        here = rest.get(node, math.inf)
        for edge in edges_from[node]:
            after = rest.get(edge.to)
            if after is not None:
                cand = edge.cost + after
                if cand < here:
                    here = cand
        if here < math.inf:
            rest[node] = here
    # Every placement (and skip) on a reading within MARGIN of the best one.
    seen: dict[int, dict[tuple, bool]] = {j: {} for j in range(m)}
    skipped: set[int] = set()
    cells: dict[tuple[int, tuple], tuple[Cell, ...]] = {}
    for node in visit:
        here = best[node]
        for edge in edges_from[node]:
            if not (edge.done or edge.skipped):
                continue  # places nothing: nothing to count
            after = rest.get(edge.to)
            if after is None or here + edge.cost + after > total + MARGIN:
                continue
            for j, refs, anchored in edge.done:
                values = tuple(aligner.cell(r) for r in refs)
                key = tuple(c.value if c.kind == "num" else None for c in values)
                seen[j][key] = seen[j].get(key, False) or anchored
                cells.setdefault((j, key), values)
            skipped.update(edge.skipped)
    result = Alignment(noise=_noise(aligner, best, rest, edges_from, visit, total))
    for j, row in enumerate(rows):
        if len(seen[j]) == 1 and j not in skipped:
            key, anchored = next(iter(seen[j].items()))
            result.placed[row] = Placement(row, cells[(j, key)], anchored)
        elif seen[j]:
            result.unresolved.append(row)
    return result


def _noise(aligner, best, rest, edges_from, visit, total) -> int:
    """Values the best reading drops: one best path, followed from the start."""
    node: Node = (0, 0, ())
    dropped = 0
    goal = (len(aligner.lines), len(aligner.rows), ())
    while node != goal:
        nxt = next(
            (
                e
                for e in edges_from.get(node, [])
                if e.to in rest and abs(best[node] + e.cost + rest[e.to] - total) < 1e-9
            ),
            None,
        )
        if nxt is None:
            break
        dropped += nxt.dropped
        node = nxt.to
    return dropped
