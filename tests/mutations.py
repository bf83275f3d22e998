"""Mutations of generated reports that model what real extractors and real markup do to a report.

`tests/reportgen.py` renders a report in the shapes the parser was built from. Real reports reach
it through other hands: PDF text extractors and OCR tear a table's labels from their numbers (a
label wrapped over two lines inside its cell comes out above and below the row's numbers, a group
header spanning eight rows lands in the middle of them), split a row's numbers over two lines or
run two rows into one, drop page numbers and footers between rows, misread digits (`O` for 0, `l`
for 1), write thousands separators; HTML from Word and from CMS editors spans value cells over
grid columns, leaves `</td>` and `</tr>` out, cuts one table into several with the header repeated,
and wraps rows in `<p>` and `<font>`.

`mutate(model, shape, rng)` renders one report in `shape` ("torn", "ocr", "html-spans",
"html-broken") with a random selection of that shape's mutations (and, in every shape, some table
headings reworded or dropped); `Mutated.keeps_labels` says
whether every label is still somewhere in its table region (then the parser must read every cell
exactly; otherwise a cell may be null, but only when it is listed in `quality.unresolved`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html import escape

from tests.reportgen import PLACEHOLDERS, Cellish, Doc, Model

MUTATED_SHAPES = ("torn", "ocr", "html-spans", "html-broken")


@dataclass
class Mutated:
    shape: str
    text: str
    model: Model
    is_html: bool = False
    applied: list[str] = field(default_factory=list)
    keeps_labels: bool = True


# ---------------------------------------------------------------------------------------------
# PDF / OCR text
# ---------------------------------------------------------------------------------------------


def _fragments(label: str, rng: random.Random) -> list[str]:
    """A label as a narrow cell wraps it: 1–3 lines, never cutting a number off its dot."""
    if len(label) < 6:
        return [label]
    k = rng.choice([1, 2, 2, 3]) if len(label) >= 10 else rng.choice([1, 2])
    if k == 1:
        return [label]
    cuts = sorted(rng.sample(range(3, len(label) - 1), k - 1))
    parts, prev = [], 0
    for c in cuts:
        parts.append(label[prev:c])
        prev = c
    parts.append(label[prev:])
    return [p for p in parts if p]


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _number(text: str, rng: random.Random, ocr: bool, thousands: bool) -> str:
    if thousands and text.isdigit() and len(text) >= 4 and rng.random() < 0.7:
        n = int(text)
        text = f"{n:,}".replace(",", rng.choice([",", "，"]))
    if ocr and rng.random() < 0.15:
        text = "".join(
            rng.choice("Oo") if ch == "0" else rng.choice("lI") if ch == "1" else ch for ch in text
        )
    elif ocr and rng.random() < 0.08:
        text = text.translate(_FULL_WIDTH)
    return text


# Section headings of the tables as other templates and extractors word them, or lose them.
HEADING_VARIANTS = {
    "二、主动公开政府信息情况": ["（二）主动公开政府信息情况", "2.主动公开政府信息情况", "二、主动公开政府信息", None],
    "三、收到和处理政府信息公开申请情况": [
        "（三）收到和处理政府信息公开申请情况", "3.收到和处理政府信息公开申请情况",
        "三、收到和处理政府信息公开申请", None,
    ],
    "四、政府信息公开行政复议、行政诉讼情况": ["（四）政府信息公开行政复议、行政诉讼情况", "四、行政复议、行政诉讼情况", None],
}  # fmt: skip


def reword_headings(model: Model, rng: random.Random) -> list[str]:
    """Reword or drop some table headings in place; the mutations applied."""
    applied = set()
    for k, (kind, payload) in enumerate(model.doc.blocks):
        if kind == "p" and payload in HEADING_VARIANTS and rng.random() < 0.25:
            variant = rng.choice(HEADING_VARIANTS[str(payload)])
            model.doc.blocks[k] = ("p", variant or "")
            applied.add("reworded_headings" if variant else "dropped_headings")
    return sorted(applied)


def _run(values: list[Cellish], rng: random.Random, ocr: bool, thousands: bool) -> list[str]:
    return [rng.choice(PLACEHOLDERS) if c.blank else _number(c.text, rng, ocr, thousands) for c in values]


_FOOTER_LIKE = re.compile(r"^[-–—] \d{1,3} [-–—]$")


def _page_break(rng: random.Random, page: int) -> str:
    return rng.choice([f"- {page} -", f"第 {page} 页", f"第{page}页 共8页", f"{page}", f"— {page} —"])


def render_torn(model: Model, rng: random.Random, *, ocr: bool = False) -> tuple[str, list[str]]:
    """PDF (or OCR) text of the report whose tables are torn the way text extractors tear them."""
    doc: Doc = model.doc
    applied: set[str] = set()
    tear, split, merge, pages, thousands = (
        rng.random() < 0.8, rng.random() < 0.3, rng.random() < 0.2, rng.random() < 0.5, rng.random() < 0.5,
    )  # fmt: skip
    out: list[str] = []
    page = 1
    for kind, payload in doc.blocks:
        if kind == "p":
            text = str(payload)
            while len(text) > 34:  # text lines wrap at the page width
                out.append(text[:34])
                text = text[34:]
            out.append(text)
            continue
        name, rows = payload  # type: ignore[misc]
        # Group headers spanning rows (三、本年度办理结果, （三）不予公开): their text is printed at
        # the middle row of their span, on a line of its own or in front of that row's label.
        middle: dict[int, list[str]] = {}
        for i, row in enumerate(rows):
            for cell in row:
                if not cell.data and cell.rowspan > 2:
                    middle.setdefault(i + cell.rowspan // 2, []).append(cell.text)
        pending: list[str] = []  # a merged row waiting for the next
        for i, row in enumerate(rows):
            own = [c.text for c in row if not c.data and c.rowspan <= 2]
            values = [c for c in row if c.data]
            for head in middle.get(i, []):
                out.append(head)
            if not values:
                out.extend(own)
                continue
            run = _run(values, rng, ocr, thousands)
            if thousands and any("," in v or "，" in v for v in run):
                applied.add("thousands")
            label = "".join(own)
            if name == "review":
                out.append(" ".join(run))
                continue
            if merge and pending == [] and rng.random() < 0.15 and i + 1 < len(rows):
                pending = [f"{label} {' '.join(run)}"]
                applied.add("merged_rows")
                continue
            lines: list[str]
            parts = _fragments(label, rng) if tear else [label]
            if len(parts) > 1:
                applied.add("torn_labels")
            at = rng.randint(0, len(parts))  # where the numbers sit among the label's lines
            glue = rng.random() < 0.4 and at < len(parts)  # on a label line, or a line of their own
            run_lines = [" ".join(run)]
            if split and len(run) > 3 and rng.random() < 0.2:
                k = rng.randint(1, len(run) - 1)
                run_lines = [" ".join(run[:k]), " ".join(run[k:])]
                applied.add("split_runs")
            if any(_FOOTER_LIKE.match(r) for r in (run_lines[1:] if glue else run_lines)):
                # `— 1 —` on a line of its own is a page footer to any reader: those values are
                # lost, and their row can only be unresolved.
                applied.add("run_reads_as_page_footer")
            lines = list(parts)
            if glue:
                lines[at] = f"{lines[at]} {run_lines[0]}"
                lines[at + 1 : at + 1] = run_lines[1:]
            else:
                lines[at:at] = run_lines
            if pending:
                lines[0] = f"{pending[0]} {lines[0]}"
                pending = []
            out.extend(lines)
            if pages and rng.random() < 0.08:
                page += 1
                out.append(_page_break(rng, page))
                applied.add("page_numbers")
                if out[-1].isdigit() and len(run) == 1:
                    # `0` / `行政许可` / `2`: which lone number is the row's, which the page's, is
                    # undecidable from the text; the row must then be unresolved, not guessed.
                    applied.add("page_number_beside_lone_value")
        out.extend(pending)
    if ocr:
        applied.add("ocr_digits")
        if any(ch in "０１２３４５６７８９" for line in out for ch in line):
            applied.add("full_width_digits")
    return "\n".join(out), sorted(applied)


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def _td(cell: Cellish, colspan: int) -> str:
    attrs = f' colspan="{colspan}"' if colspan > 1 else ""
    attrs += f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
    return f"<td{attrs}>{escape(cell.text) if cell.text else '&nbsp;'}</td>"


def _widened(rows: list[list[Cellish]], rng: random.Random) -> list[list[tuple[Cellish, int]]]:
    """The table laid out as Word lays out columns of unequal widths: every logical column but the
    first is two grid columns wide, and each cell spans one or both of its column's grid columns
    (a value cell spanning both, the next row's cells one each): the grid no longer says which
    cell is which column, only the header positions do."""
    out = []
    for row in rows:
        cells = []
        for j, cell in enumerate(row):
            if j == 0 and not cell.data and cell.rowspan == 1 and cell.colspan == 1:
                cells.append((cell, 1))
                continue
            cells.append((cell, cell.colspan * 2))
        out.append(cells)
    return out


def render_html_mutated(model: Model, rng: random.Random, *, broken: bool) -> tuple[str, list[str]]:
    """A report page whose tables are spanned (`broken=False`) or broken (`broken=True`)."""
    doc = model.doc
    applied: set[str] = set()
    parts = ["<html><head><meta charset='utf-8'>", f"<title>{escape(model.expected.title or '')}</title>",
             "</head><body><div class='TRS_Editor'>"]  # fmt: skip
    parts += [f"<p>{escape(line)}</p>" for line in doc.meta_lines]
    for kind, payload in doc.blocks:
        if kind == "p":
            parts.append(f"<p>{escape(str(payload))}</p>")
            continue
        name, rows = payload  # type: ignore[misc]
        if not broken:
            laid = _widened(rows, rng) if name == "active" else [[(c, c.colspan) for c in r] for r in rows]
            applied.add("value_colspans" if name == "active" else "spans")
            parts.append("<table border='1'>")
            parts += ["<tr>" + "".join(_td(c, span) for c, span in row) + "</tr>" for row in laid]
            parts.append("</table>")
            continue
        close_td, close_tr = rng.random() < 0.5, rng.random() < 0.5
        cut = rng.randint(4, len(rows) - 2) if len(rows) > 8 and rng.random() < 0.6 else None
        wrap = rng.choice(["", "p", "font"])
        parts.append("<table border='1'><tbody>")
        header = rows[: 3 if name == "applications" else 1]
        for i, row in enumerate(rows):
            if cut is not None and i == cut:
                applied.add("split_tables")
                parts.append("</tbody></table><p>第 2 页</p><table border='1'><tbody>")
                if rng.random() < 0.5 and name == "applications":
                    applied.add("repeated_header")
                    for h in header:
                        parts.append("<tr>" + "".join(_td(c, c.colspan) for c in h) + "</tr>")
                row = [Cellish(c.text, c.colspan, 1, c.data, c.blank) for c in row]
            tds = "".join(_td(c, c.colspan).removesuffix("</td>" if not close_td else "") for c in row)
            tr = f"<tr>{tds}" + ("" if not close_tr else "</tr>")
            if wrap:
                tr = f"<{wrap}>{tr}</{wrap}>"
                applied.add(f"rows_in_{wrap}")
            parts.append(tr)
        if not close_td:
            applied.add("unclosed_td")
        if not close_tr:
            applied.add("unclosed_tr")
        parts.append("</tbody></table>")
    parts.append("</div></body></html>")
    return "\n".join(parts), sorted(applied)


def mutate(model: Model, shape: str, rng: random.Random) -> Mutated:
    headings = reword_headings(model, rng)
    mutated = _mutate(model, shape, rng)
    mutated.applied = sorted({*mutated.applied, *headings})
    return mutated


def _mutate(model: Model, shape: str, rng: random.Random) -> Mutated:
    if shape in ("torn", "ocr"):
        exp = model.expected  # a PDF has no page metadata block: as reportgen's pdf shape
        exp.index_no, exp.published_on = None, model.signed
        exp.title = model.title if not model.headless else exp.title
        if not model.headless and model.meta_style in ("colon", "spaced"):
            model.doc.blocks.insert(0, ("p", model.title))
        text, applied = render_torn(model, rng, ocr=shape == "ocr")
        undecidable = {"page_number_beside_lone_value", "run_reads_as_page_footer"}
        return Mutated(shape, text, model, False, applied, not undecidable & set(applied))
    if shape in ("html-spans", "html-broken"):
        text, applied = render_html_mutated(model, rng, broken=shape == "html-broken")
        return Mutated(shape, text, model, True, applied, True)
    raise ValueError(shape)


__all__ = ["MUTATED_SHAPES", "Mutated", "mutate"]
