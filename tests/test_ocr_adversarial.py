"""Adversarial OCR text for the scanned-report path: `grid_row` → `parse_report` → `distrust_ocr`.

A generated report (`tests.reportgen.model`, seeded) is laid out the way the OCR layout writes a
ruled table: one `| a | b |` grid row per row band, a spanning cell's text in its first column, a
rowspan's text in its middle band, each page's table with the columns its own ruling has. Then the
slots are perturbed the ways OCR engines really misread a scan (a digit read as a letter, a seal
over a cell, a thousands comma, two cells read as one, a missed cell, a row shifted one column, a
dropped row, full-width digits, signs in 本年增/减, header rows with empty spans, a page break in
the table), each row passed through `grid_row`, and the text parsed and distrusted.

The one property asserted everywhere is the auditor's: no wrong number (a figure the paper did not
print in that cell) and no silent null (null, not listed in `quality.unresolved`, where the paper
printed a figure). "Could not read" is always acceptable.
"""

from __future__ import annotations

import copy
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import pytest

from archive.ocr.layout import UNREADABLE, grid_row
from archive.ocr.trust import distrust_ocr
from archive.parser import parse_report
from archive.report import NotAReport
from tests.reportgen import (
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    Cellish,
    Model,
    _outcome_rows,
    model,
)
from tests.scangen import score_cells

ENGINE = "rapidocr-onnxruntime test"
APP_COLS = (*APPLICANT_COLUMNS, "total")

# --- the OCR layout of a generated report --------------------------------------------------------------


@dataclass
class Band:
    """One grid row as the layout writes it: its slots, and the cell key each data slot holds."""

    table: str
    slots: list[str]
    keys: list[str | None]

    def text(self) -> str:
        return grid_row(self.slots)


@dataclass
class Page:
    """A report read by OCR: prose lines and grid rows in reading order, and the paper's cells."""

    items: list[str | Band]
    truth: dict[str, object]
    fmt: str
    single_other: bool = False
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(item if isinstance(item, str) else item.text() for item in self.items)

    def bands(self, table: str | None = None) -> list[Band]:
        return [b for b in self.items if isinstance(b, Band) and (table is None or b.table == table)]

    def locate(self, key: str) -> tuple[Band, int]:
        for band in self.bands():
            if key in band.keys:
                return band, band.keys.index(key)
        raise KeyError(key)

    def row_of(self, key: str) -> Band:
        return self.locate(key)[0]


def _data_keys(name: str, fmt: str, single_other: bool) -> list[str]:
    """The keys of a table's data cells, in the order the generator lays them out."""
    if name == "active":
        if fmt == "2021":
            rows = [
                f"active.{r}.{c}"
                for r in ("rules", "normative_documents")
                for c in ("issued", "repealed", "in_force")
            ]
            return [*rows, "active.licensing.decisions", "active.penalty.decisions", "active.enforcement.decisions",
                    "active.fees.amount"]  # fmt: skip
        keys = [
            f"active.{r}.{c}"
            for r in ("rules", "normative_documents")
            for c in ("made", "published", "total_public")
        ]
        for r in ("licensing", "other_services", "penalty", "enforcement"):
            keys += [f"active.{r}.{c}" for c in ("prior_items", "change", "decisions")]
        return [*keys, "active.fees.prior_items", "active.fees.change", "active.procurement.items",
                "active.procurement.amount"]  # fmt: skip
    if name == "applications":
        rows = ["new", "carried_over", *_outcome_rows(fmt, single_other), "total", "carried_forward"]
        return [f"applications.{r}.{c}" for r in rows for c in APP_COLS]
    return [f"{g}.{c}" for g in REVIEW_GROUPS for c in (*REVIEW_COLUMNS, "total")]


def _place(rows: list[list[Cellish]]) -> list[tuple[int, int, Cellish]]:
    """Each cell with its (row, column) origin, as an HTML table places it."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            taken |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            c += cell.colspan
    return placed


def ruled_bands(
    name: str, rows: list[list[Cellish]], keys: list[str], breaks: tuple[int, ...] = ()
) -> list[list[Band]]:
    """The table as the OCR layout writes it, one list of bands per page: a page's columns are the
    vertical rules its own rows have; a rowspan cut by a break is drawn again on the next page
    (the word processor repeats a merged cell's border, not its text)."""
    placed = _place(rows)
    key_of: dict[int, str] = {}
    data = [id(cell) for _, _, cell in placed if cell.data]
    assert len(data) == len(keys), (name, len(data), len(keys))
    key_of = dict(zip(data, keys, strict=True))
    pages = []
    cuts = [0, *breaks, len(rows)]
    for a, b in itertools.pairwise(cuts):
        spans = []
        for r, c, cell in placed:
            top, bottom = max(r, a), min(r + cell.rowspan, b)
            if top < bottom:
                spans.append((r, c, cell, top, bottom))
        edges = sorted({s[1] for s in spans} | {s[1] + s[2].colspan for s in spans})
        bands = []
        for r in range(a, b):
            slots = [""] * (len(edges) - 1)
            slot_keys: list[str | None] = [None] * (len(edges) - 1)
            for origin, c, cell, top, bottom in spans:
                i = edges.index(c)
                if cell.data and origin == r:
                    slot_keys[i] = key_of[id(cell)]
                    slots[i] = "" if cell.blank else cell.text
                elif not cell.data and origin >= a and r == top + (bottom - top - 1) // 2:
                    slots[i] = cell.text
            if any(slots) or any(slot_keys):
                bands.append(Band(name, slots, slot_keys))
        pages.append(bands)
    return pages


def ocr_page(seed: int, *, breaks: dict[str, tuple[int, ...]] | None = None, footer: str = "- 2 -") -> Page:
    """The seeded report read by a faithful OCR (every glyph right), as grid rows and lines (a
    fresh copy: perturbations edit it)."""
    return copy.deepcopy(_ocr_page(seed, tuple(sorted((breaks or {}).items())), footer))


@cache
def _ocr_page(seed: int, breaks_items: tuple[tuple[str, tuple[int, ...]], ...], footer: str) -> Page:
    breaks = dict(breaks_items)
    m: Model = model(random.Random(seed))
    fmt = m.expected.format
    single_other = fmt == "2021" and "applications.other_handling.natural_person" in m.expected.cells
    items: list[str | Band] = []
    for kind, payload in m.doc.blocks:
        if kind == "p":
            text = str(payload)
            items += [text[i : i + 40] for i in range(0, len(text), 40)]  # OCR lines wrap
            continue
        name, rows = payload  # type: ignore[misc]
        pages = ruled_bands(name, rows, _data_keys(name, fmt, single_other), (breaks or {}).get(name, ()))
        for n, bands in enumerate(pages):
            if n:
                items.append(footer)
            items += bands
    return Page(items, dict(m.expected.cells), fmt, single_other)


def read(page: Page) -> tuple[object, list[str], list[str]]:
    """The text path; the wrong numbers and the silent nulls. A reading refused as no report
    (`NotAReport`, recorded as a failure) claims nothing: honest, if a loss."""
    try:
        report = distrust_ocr(parse_report(page.text()), ENGINE)
    except NotAReport:
        return None, [], []
    scored = score_cells(report.cells, report.unresolved, page.truth)
    return report, scored.wrong, scored.silent


def _explain(page: Page, rows: list[Band], wrong: list[str], silent: list[str], report: object = None) -> str:
    lines = []
    for band in rows:
        keys = [k for k in band.keys if k]
        lines.append(f"  row   {band.text()}\n  truth {' '.join(_show(page.truth.get(k)) for k in keys)}")
        if report is not None and band in page.items:
            cells, unresolved = report.cells, report.unresolved  # type: ignore[attr-defined]
            got = [("?" if k in unresolved else "") + _show(cells.get(k)) for k in keys]
            lines.append(f"  read  {' '.join(got)}   (?: listed unresolved)")
    return "\n".join([*lines, f"  wrong  {wrong}", f"  silent {silent}"])


def _show(value: object) -> str:
    return "_" if value is None else str(value)


def assert_honest(page: Page, *rows: Band) -> None:
    report, wrong, silent = read(page)
    assert not wrong and not silent, "\n" + _explain(page, list(rows), wrong, silent, report)


# --- seeds --------------------------------------------------------------------------------------------------


def _seeds(fmt: str, n: int, *, single_other: bool = False) -> list[int]:
    """Seeds of `fmt` reports that a faithful OCR reading gets honest (checked by a test below)."""
    out = []
    seed = 0
    while len(out) < n:
        page = ocr_page(seed)
        if page.fmt == fmt and page.single_other == single_other:
            out.append(seed)
        seed += 1
    return out


SEEDS_2021 = _seeds("2021", 6)
SEEDS_2019 = _seeds("2019", 3)
SIGNED_2019 = [3, 18, 21]  # 2019 reports with a negative 本年增/减
SWEEP = SEEDS_2021[:3]  # the seeds each perturbation sweeps (the time budget: < 20 s in all)


@pytest.mark.parametrize("seed", SEEDS_2021 + SEEDS_2019)
def test_a_faithful_reading_is_honest(seed: int) -> None:
    """The fixture itself: no perturbation, nothing wrong and nothing silent, and most cells read."""
    page = ocr_page(seed)
    report, wrong, silent = read(page)
    assert not wrong and not silent, (wrong, silent)
    assert "| 信息内容 |" in page.text()
    assert sum(v is not None for v in report.cells.values()) >= 0.3 * len(page.truth)


# --- perturbations ---------------------------------------------------------------------------------------

Perturb = Callable[[Page, str], list[Band] | None]  # mutate the page at a key; the rows touched, or None


def _targets(page: Page, keep: Callable[[str, object], bool], n: int, seed: int) -> list[str]:
    """Up to `n` keys of the page's cells that `keep` accepts (and the layout placed), drawn by seed."""
    placed = {k for band in page.bands() for k in band.keys if k}
    keys = sorted(k for k, v in page.truth.items() if k in placed and keep(k, v))
    random.Random(seed).shuffle(keys)
    return keys[:n]


def _sweep(
    kind: str, seeds: list[int], perturb: Perturb, keep: Callable[[str, object], bool], n: int = 12
) -> None:
    """Perturb each target on a fresh reading of each seed; fail listing every dishonest reading."""
    failures = []
    tried = 0
    spare = [s for s in SEEDS_2021 if s not in seeds]  # more seeds, while no target was found
    for count, seed in enumerate([*seeds, *spare]):
        if count >= len(seeds) and tried:
            break
        for key in _targets(ocr_page(seed), keep, n, seed):
            page = ocr_page(seed)
            before = page.row_of(key).text()
            touched = perturb(page, key)
            if touched is None:
                continue
            tried += 1
            report, wrong, silent = read(page)
            if wrong or silent:
                head = f"[{kind}] seed {seed} at {key}\n  paper {before}\n"
                failures.append(head + _explain(page, touched, wrong, silent, report))
    assert tried, f"{kind}: no target"
    assert not failures, f"{len(failures)} of {tried} readings dishonest:\n" + "\n".join(failures)


def _figure(key: str, value: object) -> bool:
    return value is not None


def _has(digit: str) -> Callable[[str, object], bool]:
    return lambda key, value: value is not None and digit in str(value)


def _in(table: str, keep: Callable[[str, object], bool]) -> Callable[[str, object], bool]:
    return lambda key, value: key.startswith(table) and keep(key, value)


def _set(text: Callable[[str], str]) -> Perturb:
    """Replace the text of the key's slot."""

    def perturb(page: Page, key: str) -> list[Band]:
        band, i = page.locate(key)
        band.slots[i] = text(band.slots[i])
        return [band]

    return perturb


TABLES = ("active", "applications", "review")
LETTERS = {"O": "0", "o": "0", "D": "0", "C": "0", "l": "1", "I": "1", "S": "5", "B": "8"}


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("letter", LETTERS)
def test_a_digit_read_as_a_letter(letter: str, table: str) -> None:
    digit = LETTERS[letter]
    _sweep(
        f"{digit}->{letter}", SWEEP, _set(lambda s: s.replace(digit, letter, 1)), _in(table, _has(digit)), 4
    )


SEALS = {
    "seal-only": lambda s: "国宁",
    "seal-one-char": lambda s: "局",
    "seal-after-digits": lambda s: s + "政",
    "seal-before-digits": lambda s: "府" + s,
    "seal-in-digits": lambda s: s[:1] + "国" + s[1:],
}


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("seal", SEALS)
def test_a_seal_over_a_cell(seal: str, table: str) -> None:
    _sweep(seal, SWEEP, _set(SEALS[seal]), _in(table, _figure), 5)


@pytest.mark.parametrize("table", TABLES)
def test_a_seal_over_a_blank_cell(table: str) -> None:
    blank = _in(table, lambda k, v: v is None)
    _sweep("seal-on-blank", SWEEP, _set(lambda s: "国宁"), blank, 10)


def _thousands(text: str) -> str:
    whole, dot, frac = text.partition(".")
    return f"{int(whole):,}" + dot + frac


def test_a_thousands_comma() -> None:
    big = lambda k, v: v is not None and abs(v) >= 1000  # noqa: E731
    _sweep("comma", SEEDS_2021 + SEEDS_2019, _set(_thousands), big, 20)


def test_a_thousands_comma_read_as_a_full_stop() -> None:
    big = lambda k, v: v is not None and v == int(v) and abs(v) >= 1000  # noqa: E731
    _sweep("comma-as-dot", SWEEP, _set(lambda s: _thousands(s).replace(",", ".")), big, 20)


def _merge(sep: str) -> Perturb:
    """The key's cell and the next one read as one slot (`00`, `1 2`); the next slot empty."""

    def perturb(page: Page, key: str) -> list[Band] | None:
        band, i = page.locate(key)
        if i + 1 >= len(band.slots) or band.keys[i + 1] is None or not band.slots[i] or not band.slots[i + 1]:
            return None
        band.slots[i : i + 2] = [band.slots[i] + sep + band.slots[i + 1], ""]
        return [band]

    return perturb


@pytest.mark.parametrize("table", ("applications", "review", "active"))
@pytest.mark.parametrize("sep", ["", " "], ids=["glued", "spaced"])
def test_two_cells_read_as_one(sep: str, table: str) -> None:
    _sweep(f"merge{sep!r}", SWEEP, _merge(sep), _in(table, _figure), 15)


@pytest.mark.parametrize("table", TABLES)
def test_a_missed_zero(table: str) -> None:
    """The slot is empty although the paper printed 0 (ink too faint for the detector)."""
    _sweep("missed-0", SWEEP, _set(lambda s: ""), _in(table, lambda k, v: v == 0), 8)


@pytest.mark.parametrize("table", TABLES)
def test_a_missed_figure(table: str) -> None:
    _sweep("missed", SWEEP, _set(lambda s: ""), _in(table, lambda k, v: v is not None and v != 0), 8)


def _shift(step: int) -> Perturb:
    """The key's row read one column off: its figures move right (the last is lost) or left."""

    def perturb(page: Page, key: str) -> list[Band] | None:
        band, _ = page.locate(key)
        idx = [i for i, k in enumerate(band.keys) if k]
        if len(idx) < 2:  # a row of one figure spanning columns: a shift moves it within its cell
            return None
        values = [band.slots[i] for i in idx]
        moved = ["", *values[:-1]] if step > 0 else [*values[1:], ""]
        if moved == values:
            return None
        for i, v in zip(idx, moved, strict=True):
            band.slots[i] = v
        return [band]

    return perturb


def _first_of_row(key: str, value: object) -> bool:
    return key.endswith((".natural_person", ".rules.issued", ".licensing.decisions", "review.upheld"))


@pytest.mark.parametrize("step", [1, -1], ids=["right", "left"])
def test_a_row_shifted_one_column(step: int) -> None:
    _sweep(f"shift{step:+d}", SWEEP, _shift(step), _first_of_row, 10)


def _drop(page: Page, key: str) -> list[Band]:
    band = page.row_of(key)
    page.items.remove(band)
    return [band]


def test_a_dropped_row() -> None:
    _sweep("dropped-row", SWEEP, _drop, _first_of_row, 20)


FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@pytest.mark.parametrize("table", TABLES)
def test_a_full_width_digit(table: str) -> None:
    _sweep("full-width", SWEEP, _set(lambda s: s.translate(FULLWIDTH)), _in(table, _figure), 8)


def test_a_row_of_full_width_digits() -> None:
    def perturb(page: Page, key: str) -> list[Band]:
        band = page.row_of(key)
        band.slots = [s.translate(FULLWIDTH) for s in band.slots]
        return [band]

    _sweep("full-width-row", SWEEP, perturb, _first_of_row, 15)


# --- 本年增/减 (2019 format): signs ----------------------------------------------------------------------

SIGNS = {
    "plus": lambda s: s,  # as printed: "+12", "-3"
    "plus-spaced": lambda s: s.replace("+", "+ ").replace("-", "- "),
    "plus-as-shi": lambda s: s.replace("+", "十"),  # + read as 十
    "full-width": lambda s: s.replace("+", "＋").replace("-", "－"),
    "minus-as-yi": lambda s: s.replace("-", "一"),  # − read as 一
    "minus-as-dash": lambda s: s.replace("-", "—"),
    "minus-sign": lambda s: s.replace("-", "\u2212"),
    "hyphen": lambda s: s.replace("-", "\u2010"),
}


@pytest.mark.parametrize("sign", SIGNS)
def test_a_sign_in_the_change_column(sign: str) -> None:
    signed = lambda k, v: k.endswith(".change") and v is not None and v != 0  # noqa: E731
    _sweep(sign, SIGNED_2019, _set(SIGNS[sign]), signed, 10)


def test_a_sign_read_in_a_zero_change() -> None:
    """A bare 0 in 本年增/减 read with a stray sign or dash before it."""
    zero = lambda k, v: k.endswith(".change") and v == 0  # noqa: E731
    for stray in ("+0", "-0", "—0", "一0"):
        _sweep(f"zero{stray}", SIGNED_2019, _set(lambda s, stray=stray: stray), zero, 10)


# --- header rows ---------------------------------------------------------------------------------------------


def _header_bands(page: Page, table: str) -> list[Band]:
    """The table's heading bands: those before its first band with a data cell."""
    out = []
    for band in page.bands(table):
        if any(band.keys):
            break
        out.append(band)
    return out


HEADERS = {
    "spans-unreadable": lambda slots: [s or UNREADABLE for s in slots],  # every empty span read as ink
    "labels-lost": lambda slots: ["" for _ in slots],
    "labels-shifted": lambda slots: ["", *slots[:-1]],
    "labels-merged": lambda slots: ["".join(slots), *("" for _ in slots[1:])],
}


@pytest.mark.parametrize("table", ("applications", "review"))
@pytest.mark.parametrize("how", HEADERS)
def test_a_header_row_with_empty_spans(how: str, table: str) -> None:
    failures = []
    for seed in SWEEP:
        for n in range(len(_header_bands(ocr_page(seed), table))):
            page = ocr_page(seed)
            band = _header_bands(page, table)[n]
            band.slots = HEADERS[how](band.slots)
            report, wrong, silent = read(page)
            if wrong or silent:
                first = next(b for b in page.bands(table) if any(b.keys))
                failures.append(
                    f"[{how}] seed {seed} header band {n}\n"
                    + _explain(page, [band, first], wrong, silent, report)
                )
    assert not failures, "\n".join(failures)


def test_a_header_row_dropped() -> None:
    failures = []
    for seed in SWEEP:
        for table in ("applications", "review"):
            for n in range(len(_header_bands(ocr_page(seed), table))):
                page = ocr_page(seed)
                band = _header_bands(page, table)[n]
                page.items.remove(band)
                _, wrong, silent = read(page)
                if wrong or silent:
                    failures.append(
                        f"[header-dropped] seed {seed} {table} band {n}: {band.text()}\n  wrong {wrong}\n  silent {silent}"
                    )
    assert not failures, "\n".join(failures)


# --- page breaks ---------------------------------------------------------------------------------------------

FOOTERS = ("- 2 -", "第 2 页 共 3 页", "2")


def _break_failures(seed: int, table: str, at: int, footer: str, repeat_header: bool = False) -> str | None:
    page = ocr_page(seed, breaks={table: (at,)}, footer=footer)
    if repeat_header:  # the word processor repeats the heading rows at the top of the new page
        i = page.items.index(footer)
        heads = copy.deepcopy(_header_bands(page, table))
        page.items[i + 1 : i + 1] = heads
    report, wrong, silent = read(page)
    if not wrong and not silent:
        return None
    i = page.items.index(footer)
    near = [b for b in page.items[max(i - 2, 0) : i + 3] if isinstance(b, Band)]
    return (
        f"[break {table}@{at} footer {footer!r}{' +header' if repeat_header else ''}] seed {seed}\n"
        + _explain(page, near, wrong, silent, report)
    )


@pytest.mark.parametrize("footer", FOOTERS)
@pytest.mark.parametrize("table", TABLES)
def test_a_page_break_splits_the_table(table: str, footer: str) -> None:
    failures = []
    for seed in SEEDS_2021[:2]:
        rows = next(rows for kind, (name, rows) in _blocks(seed) if kind == "table" and name == table)
        for at in range(1, len(rows)):
            failure = _break_failures(seed, table, at, footer)
            if failure:
                failures.append(failure)
    assert not failures, f"{len(failures)} breaks dishonest:\n" + "\n".join(failures)


def test_a_page_break_with_the_heading_rows_repeated() -> None:
    failures = []
    for seed in SEEDS_2021[:2]:
        for table in ("applications", "review"):
            rows = next(rows for kind, (name, rows) in _blocks(seed) if kind == "table" and name == table)
            heads = len(_header_bands(ocr_page(seed), table))
            for at in range(heads + 1, len(rows)):
                failure = _break_failures(seed, table, at, "- 2 -", repeat_header=True)
                if failure:
                    failures.append(failure)
    assert not failures, f"{len(failures)} breaks dishonest:\n" + "\n".join(failures)


def _blocks(seed: int) -> list[tuple[str, tuple[str, list[list[Cellish]]]]]:
    return [(kind, payload) for kind, payload in model(random.Random(seed)).doc.blocks if kind == "table"]  # type: ignore[misc]
