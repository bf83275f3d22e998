"""Adversarial OCR text, second round: `grid_row` → `parse_report` → `distrust_ocr`.

The fixtures of `tests.test_ocr_adversarial` (a seeded report laid out as the OCR layout writes a
ruled table, one grid row per row band) perturbed in the ways OCR engines (RapidOCR/PaddleOCR,
Tesseract) misread scans that the first round did not try: more letter-for-digit confusions, a
digit dropped or misread in a figure the 勾稽 rules vouch for, a speck read as a decimal point,
a decimal point read as a comma, a ruling line read as a glyph before or after a row's figures, a
vertical rule missed (two columns merged) or a streak read as a rule (a column split) across the
whole table, a row band duplicated, swapped, split or merged with the next, a figure slipped into
the band below, page furniture in a table, empty or ruled bands, a stray sign on a count, footnote
marks and units glued to figures, and the table headings, column headings and row labels misread
by one character.

The property is the first round's: no wrong number (a figure the paper did not print in that
cell) and no silent null (null, not listed in `quality.unresolved`, where the paper printed a
figure). "Could not read" (null and listed) and `NotAReport` are always acceptable.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from decimal import Decimal

import pytest

from tests.reportgen import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, _outcome_rows, model
from tests.test_ocr_adversarial import (
    APP_COLS,
    SEEDS_2019,
    SEEDS_2021,
    SIGNED_2019,
    SWEEP,
    Band,
    Page,
    _blocks,
    _break_failures,
    ocr_page,
    read,
)

TABLES = ("active", "applications", "review")
DECIMAL_SEEDS = [0, 12, 18, 31]  # reports whose amount has a fractional part (2021: 0, 12; 2019: 18, 31)
MIXED = [*SWEEP, SEEDS_2019[0]]  # three 2021 reports and one 2019 report


SPARE = [s for s in range(40) if s not in SEEDS_2021 + SEEDS_2019]  # when a seed has no target


def test_a_faithful_reading_of_the_extra_seeds_is_honest() -> None:
    """The fixture itself, for the seeds this file adds to the first round's."""
    for seed in SPARE:
        page = ocr_page(seed)
        report, wrong, silent = read(page)
        assert not wrong and not silent, (seed, wrong, silent)
        assert sum(v is not None for v in report.cells.values()) >= 0.3 * len(page.truth), seed


# --- machinery -------------------------------------------------------------------------------------------

Select = Callable[[Page], list[str]]  # the keys a perturbation may target on a page
Perturb = Callable[[Page, str], list[Band] | None]  # mutate the page at a key; the bands touched


def _placed(page: Page) -> list[str]:
    return [k for band in page.bands() for k in band.keys if k]


def _cells(table: str | None, keep: Callable[[str, object], bool]) -> Select:
    """The placed cells of `table` (or of every table) whose paper value `keep` accepts."""

    def select(page: Page) -> list[str]:
        return [
            k
            for k in _placed(page)
            if (table is None or k.startswith(table + ".")) and keep(k, page.truth.get(k))
        ]

    return select


def _row_heads(table: str | None = None, last: bool = False) -> Select:
    """The first (or last) data key of each row band."""

    def select(page: Page) -> list[str]:
        out = []
        for band in page.bands(table):
            keys = [k for k in band.keys if k]
            if keys:
                out.append(keys[-1] if last else keys[0])
        return out

    return select


def _describe(kind: str, seed: int, key: str, paper: Page, touched: list[Band], result: tuple) -> str:
    """The paper rows of the target and of every dishonest key, what OCR wrote, what was read."""
    report, wrong, silent = result
    bad = {w.split(":")[0] for w in wrong} | set(silent) | {key}
    lines = [f"[{kind}] seed {seed} at {key}"]
    rows = [b for b in paper.bands() if any(k in bad for k in b.keys if k)]
    for band in rows[:4]:
        keys = [k for k in band.keys if k]
        lines.append(f"  paper {band.text()}")
        lines.append(f"  truth {' '.join(_show(paper.truth.get(k)) for k in keys)}")
        if report is not None:
            got = [("?" if k in report.unresolved else "") + _show(report.cells.get(k)) for k in keys]
            lines.append(f"  read  {' '.join(got)}   (?: listed unresolved)")
    lines += [f"  ocr   {band.text()}" for band in touched[:3]]
    lines += [f"  wrong  {wrong}", f"  silent {silent}"]
    return "\n".join(lines)


def _show(value: object) -> str:
    return "_" if value is None else str(value)


def _sweep(kind: str, seeds: list[int], perturb: Perturb, select: Select, n: int = 8) -> None:
    """Perturb each of up to `n` targets per seed on a fresh reading; fail listing every dishonest one."""
    failures: list[str] = []
    tried = 0
    spare = [s for s in [*SEEDS_2021, *SEEDS_2019, *SPARE] if s not in seeds]  # while no target was found
    for count, seed in enumerate([*seeds, *spare]):
        if count >= len(seeds) and tried:
            break
        keys = sorted(set(select(ocr_page(seed))))
        random.Random(seed).shuffle(keys)
        for key in keys[:n]:
            page = ocr_page(seed)
            touched = perturb(page, key)
            if touched is None:
                continue
            tried += 1
            result = read(page)
            if result[1] or result[2]:
                failures.append(_describe(kind, seed, key, ocr_page(seed), touched, result))
    assert tried, f"{kind}: no target"
    assert not failures, f"{len(failures)} of {tried} readings dishonest:\n" + "\n".join(failures)


def _set(text: Callable[[str], str | None]) -> Perturb:
    """Replace the text of the key's slot (None: the shape does not apply to this cell)."""

    def perturb(page: Page, key: str) -> list[Band] | None:
        band, i = page.locate(key)
        new = text(band.slots[i])
        if new is None or new == band.slots[i]:
            return None
        band.slots[i] = new
        return [band]

    return perturb


def _digits(text: str) -> tuple[int, int] | None:
    """The span of the first run of ASCII digits in `text`."""
    start = next((i for i, ch in enumerate(text) if ch.isascii() and ch.isdigit()), None)
    if start is None:
        return None
    end = start
    while end < len(text) and text[end].isascii() and text[end].isdigit():
        end += 1
    return start, end


def _vouched(page: Page) -> set[str]:
    """The cells some 勾稽 rule vouches for on paper: a rule whose operands are all printed and
    which holds. A figure misread there breaks the rule, so a reader can tell."""
    t = page.truth
    outcome = _outcome_rows(page.fmt, page.single_other)
    rows = ["new", "carried_over", *outcome, "total", "carried_forward"]
    rules: list[tuple[list[str], list[str]]] = []
    for c in APP_COLS:
        a = [f"applications.{r}.{c}" for r in ("new", "carried_over")]
        rules.append((a, [f"applications.{r}.{c}" for r in ("total", "carried_forward")]))
        rules.append(([f"applications.{r}.{c}" for r in outcome], [f"applications.total.{c}"]))
    for r in rows:
        rules.append(([f"applications.{r}.{c}" for c in APPLICANT_COLUMNS], [f"applications.{r}.total"]))
    for g in REVIEW_GROUPS:
        rules.append(([f"{g}.{c}" for c in REVIEW_COLUMNS], [f"{g}.total"]))
    out: set[str] = set()
    for lhs, rhs in rules:
        if any(t.get(k) is None for k in lhs + rhs):
            continue
        if sum(t[k] for k in lhs) == sum(t[k] for k in rhs):  # type: ignore[misc]
            out |= {*lhs, *rhs}
    return out


def _vouched_cells(table: str, keep: Callable[[str, object], bool]) -> Select:
    def select(page: Page) -> list[str]:
        vouched = _vouched(page)
        return [k for k in _cells(table, keep)(page) if k in vouched]

    return select


def _is_count(key: str) -> bool:
    return not key.endswith((".amount", ".change"))


# --- a digit read as a letter, the next members ------------------------------------------------------------

LETTERS_2 = {
    "Z": "2",
    "z": "2",
    "g": "9",
    "q": "9",
    "b": "6",
    "G": "6",
    "T": "7",
    "A": "4",
    "s": "5",
    "|": "1",  # Tesseract reads a narrow 1 as a bar
    "!": "1",
    "]": "1",
    "丨": "1",  # the CJK vertical stroke, PaddleOCR's favourite for a 1
    "〇": "0",  # the CJK zero
}


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("letter", LETTERS_2)
def test_a_digit_read_as_a_letter_2(letter: str, table: str) -> None:
    digit = LETTERS_2[letter]
    keep = lambda k, v: v is not None and digit in str(v)  # noqa: E731
    _sweep(f"{digit}->{letter}", MIXED, _set(lambda s: s.replace(digit, letter, 1)), _cells(table, keep), 3)


# --- a figure misread as another figure, where a rule vouches for it --------------------------------------


def _drop_digit(where: str) -> Callable[[str], str | None]:
    def text(s: str) -> str | None:
        span = _digits(s)
        if span is None or span[1] - span[0] < 2:
            return None
        a, b = span
        i = {"first": a, "inner": a + 1, "last": b - 1}[where]
        return s[:i] + s[i + 1 :]

    return text


@pytest.mark.parametrize("table", ("applications", "review"))
@pytest.mark.parametrize("where", ["first", "inner", "last"])
def test_a_digit_dropped_inside_a_figure(where: str, table: str) -> None:
    """1670 read as 670, 170 or 167, in a cell a printed rule vouches for (so a reader can tell)."""
    keep = lambda k, v: v is not None and abs(v) >= 10  # noqa: E731
    _sweep(f"drop-{where}", SEEDS_2021, _set(_drop_digit(where)), _vouched_cells(table, keep), 6)


DIGIT_MISREADS = {"3": "8", "8": "3", "1": "7", "5": "6", "0": "8"}


@pytest.mark.parametrize("table", ("applications", "review"))
@pytest.mark.parametrize("digit", DIGIT_MISREADS)
def test_a_digit_read_as_another_digit(digit: str, table: str) -> None:
    """3 read as 8 and so on, in a cell a printed rule vouches for (so a reader can tell)."""
    other = DIGIT_MISREADS[digit]
    keep = lambda k, v: v is not None and digit in str(v)  # noqa: E731
    _sweep(
        f"{digit}->{other}", SWEEP, _set(lambda s: s.replace(digit, other, 1)), _vouched_cells(table, keep), 4
    )


# --- decimal points ----------------------------------------------------------------------------------------


def _speck_in(mark: str) -> Callable[[str], str | None]:
    """A speck between two digits of a count read as `mark`: 1670 → 16.70, 193 → 1.93, 12 → 1.2
    (never where a thousands separator would stand: that is the first round's comma-as-dot)."""

    def text(s: str) -> str | None:
        span = _digits(s)
        if span is None or span[1] - span[0] < 2:
            return None
        a, b = span
        k = a + (b - a) // 2
        if b - k == 3:
            k += 1
        return s[:k] + mark + s[k:]

    return text


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("mark", [".", ",", "·"], ids=["dot", "comma", "middle-dot"])
def test_a_speck_read_as_a_decimal_point_in_a_count(mark: str, table: str) -> None:
    """A count cannot have a fractional part: 16.70 in a count column is a misreading."""
    keep = lambda k, v: v is not None and _is_count(k) and abs(v) >= 10  # noqa: E731
    _sweep(f"speck{mark!r}", MIXED, _set(_speck_in(mark)), _cells(table, keep), 5)


def _fractional(key: str, value: object) -> bool:
    return isinstance(value, Decimal) and value != int(value)


@pytest.mark.parametrize(
    "mark", [",", "，", "·", " "], ids=["comma", "full-width-comma", "middle-dot", "space"]
)
def test_a_decimal_point_misread_in_an_amount(mark: str) -> None:
    """59093.65 read as 59093,65 (no thousands group has two digits) or with the point lost in a gap."""
    _sweep(
        f"decimal{mark!r}", DECIMAL_SEEDS, _set(lambda s: s.replace(".", mark)), _cells("active", _fractional)
    )


# --- stray glyphs before the first and after the last figure of a row ------------------------------------

BEFORE = ["|", "丨", "一", "[", "_", "‘"]


def _before_glued(glyph: str) -> Perturb:
    def perturb(page: Page, key: str) -> list[Band] | None:
        band, i = page.locate(key)
        band.slots[i] = glyph + band.slots[i]
        return [band]

    return perturb


def _before_in_label(glyph: str) -> Perturb:
    """The glyph in the slot left of the first figure (the label's cell, by the rule between them)."""

    def perturb(page: Page, key: str) -> list[Band] | None:
        band, i = page.locate(key)
        if i == 0:
            return None
        band.slots[i - 1] = (band.slots[i - 1] + " " + glyph).strip()
        return [band]

    return perturb


@pytest.mark.parametrize("where", ["glued", "in-label"])
@pytest.mark.parametrize("glyph", BEFORE)
def test_a_stray_glyph_before_the_first_figure(glyph: str, where: str) -> None:
    """A ruling line or seal fragment read as a glyph just left of a row's first figure."""
    perturb = _before_glued(glyph) if where == "glued" else _before_in_label(glyph)
    _sweep(f"before-{where}{glyph!r}", SWEEP, perturb, _row_heads(), 6)


AFTER = ["|", "丨", ".", "。", ",", "]", "」", "'"]


@pytest.mark.parametrize("glyph", AFTER)
def test_a_stray_glyph_after_the_last_figure(glyph: str) -> None:
    """The table's right border (or a speck beyond it) read as a glyph after a row's last figure."""
    _sweep(f"after{glyph!r}", SWEEP, _set(lambda s: s + glyph), _row_heads(last=True), 6)


# --- ruling lines missed or invented across a whole table --------------------------------------------------


def _whole_table(kind: str, seeds: list[int], table: str, change: Callable[[Band], None]) -> None:
    """Apply `change` to every band of `table`; fail listing every dishonest reading."""
    failures = []
    for seed in seeds:
        page = ocr_page(seed)
        bands = page.bands(table)
        for band in bands:
            change(band)
        result = read(page)
        if result[1] or result[2]:
            key = next(k for b in ocr_page(seed).bands(table) for k in b.keys if k)
            data = [b for b in bands if any(b.keys)]
            failures.append(_describe(kind, seed, key, ocr_page(seed), data[:3], result))
    assert not failures, f"{len(failures)} of {len(seeds)} readings dishonest:\n" + "\n".join(failures)


def _merge_slots(i: int) -> Callable[[Band], None]:
    def change(band: Band) -> None:
        if i + 1 >= len(band.slots):
            return
        joined = " ".join(s for s in band.slots[i : i + 2] if s)
        band.slots[i : i + 2] = [joined]
        band.keys[i : i + 2] = [band.keys[i] or band.keys[i + 1]]

    return change


MISSED_RULES = {"active": [0, 1, 2], "applications": list(range(9)), "review": [0, 3, 4, 8, 9, 13]}
RULE_SEEDS = [*SEEDS_2021[:4], *SEEDS_2019[:2]]


@pytest.mark.parametrize(
    ("table", "i"), [(t, i) for t in TABLES for i in MISSED_RULES[t]], ids=lambda x: str(x)
)
def test_a_vertical_rule_missed_across_the_table(table: str, i: int) -> None:
    """A faint rule not detected: columns i and i+1 are one slot in every row (figures ' '-joined)."""
    _whole_table(f"missed-rule {table} {i}|{i + 1}", RULE_SEEDS, table, _merge_slots(i))


def _split_slot(i: int, mode: str) -> Callable[[Band], None]:
    """A scanner streak read as a rule through column i: the column is two slots."""

    def change(band: Band) -> None:
        text = band.slots[i]
        if mode == "left":
            parts = [text, ""]
        elif mode == "right":
            parts = ["", text]
        else:  # the streak through the middle of the cell: a figure (or label) cut in two
            k = len(text) // 2
            parts = [text[:k], text[k:]] if len(text) >= 2 else [text, ""]
        band.slots[i : i + 1] = parts
        band.keys[i : i + 1] = [band.keys[i], None] if mode != "right" else [None, band.keys[i]]

    return change


SPLIT_COLUMNS = {"active": [0, 1, 3], "applications": [2, 3, 5, 9], "review": [0, 4, 7, 14]}


@pytest.mark.parametrize("mode", ["left", "right", "split"])
@pytest.mark.parametrize(
    ("table", "i"), [(t, i) for t in TABLES for i in SPLIT_COLUMNS[t]], ids=lambda x: str(x)
)
def test_a_false_vertical_rule_splits_a_column(table: str, i: int, mode: str) -> None:
    _whole_table(f"false-rule {table} col {i} {mode}", RULE_SEEDS[:4], table, _split_slot(i, mode))


# --- row bands: duplicated, swapped, split, merged -------------------------------------------------------------


def _duplicate(page: Page, key: str) -> list[Band]:
    band = page.row_of(key)
    twin = copy.deepcopy(band)
    page.items.insert(page.items.index(band) + 1, twin)
    return [band, twin]


def _next_data_band(page: Page, band: Band) -> Band | None:
    i = page.items.index(band)
    nxt = page.items[i + 1] if i + 1 < len(page.items) else None
    if isinstance(nxt, Band) and nxt.table == band.table and any(nxt.keys):
        return nxt
    return None


def _swap(page: Page, key: str) -> list[Band] | None:
    band = page.row_of(key)
    nxt = _next_data_band(page, band)
    if nxt is None:
        return None
    i = page.items.index(band)
    page.items[i], page.items[i + 1] = nxt, band
    return [nxt, band]


def _split_band(mode: str) -> Perturb:
    """A fold line read as a rule through a row: the row is two bands, the label on one and the
    figures on the other, or a wrapped label cut between them."""

    def perturb(page: Page, key: str) -> list[Band] | None:
        band = page.row_of(key)
        labels = [i for i, (s, k) in enumerate(zip(band.slots, band.keys, strict=True)) if s and k is None]
        if not labels:
            return None
        empty = [""] * len(band.slots)
        top = Band(band.table, list(empty), [None] * len(band.slots))
        bottom = Band(band.table, list(empty), [None] * len(band.slots))
        own = labels[-1]  # the row's own label (a group label stands further left)
        for i, (s, k) in enumerate(zip(band.slots, band.keys, strict=True)):
            if k is not None:  # a figure
                target = top if mode in ("figures-first", "label-wrapped-figures-top") else bottom
                target.slots[i], target.keys[i] = s, k
            elif mode.startswith("label-wrapped") and i == own and len(s) >= 4:
                h = len(s) // 2
                top.slots[i], bottom.slots[i] = s[:h], s[h:]
            elif mode == "figures-first":
                bottom.slots[i] = s
            else:
                top.slots[i] = s
        if mode.startswith("label-wrapped") and not top.slots[own]:
            return None
        j = page.items.index(band)
        page.items[j : j + 1] = [top, bottom]
        return [top, bottom]

    return perturb


def _merge_with_next(page: Page, key: str) -> list[Band] | None:
    """The rule between two rows missed: both rows in one band, each slot's two texts ' '-joined."""
    band = page.row_of(key)
    nxt = _next_data_band(page, band)
    if nxt is None:
        return None
    slots = [" ".join(s for s in pair if s) for pair in zip(band.slots, nxt.slots, strict=True)]
    merged = Band(band.table, slots, [a or b for a, b in zip(band.keys, nxt.keys, strict=True)])
    i = page.items.index(band)
    page.items[i : i + 2] = [merged]
    return [merged]


ROW_SHAPES: dict[str, Perturb] = {
    "duplicated": _duplicate,
    "swapped-with-next": _swap,
    "split-label-first": _split_band("label-first"),
    "split-figures-first": _split_band("figures-first"),
    "split-label-wrapped": _split_band("label-wrapped"),
    "split-label-wrapped-figures-top": _split_band("label-wrapped-figures-top"),
    "merged-with-next": _merge_with_next,
}


@pytest.mark.parametrize("shape", ROW_SHAPES)
def test_a_row_band_misdrawn(shape: str) -> None:
    _sweep(shape, MIXED, ROW_SHAPES[shape], _row_heads(), 10)


def _slip_down(page: Page, key: str) -> list[Band] | None:
    """Skew: a figure printed low in its cell lands in the band below, beside that row's figure."""
    band, i = page.locate(key)
    nxt = _next_data_band(page, band)
    if nxt is None or not band.slots[i] or not nxt.slots[i] or nxt.keys[i] is None:
        return None
    nxt.slots[i] = band.slots[i] + " " + nxt.slots[i]
    band.slots[i] = ""
    return [band, nxt]


def test_a_figure_slipped_into_the_band_below() -> None:
    _sweep("slipped-down", MIXED, _slip_down, _cells(None, lambda k, v: v is not None), 10)


# --- bands that are no rows ----------------------------------------------------------------------------------

RULE_BANDS = {"empty": "", "dashes": "—", "yi": "一", "underscores": "__"}


@pytest.mark.parametrize("mark", RULE_BANDS)
def test_a_band_without_a_row(mark: str) -> None:
    """An empty band between rows, or a doubled horizontal rule read as a mark in every slot."""

    def perturb(page: Page, key: str) -> list[Band]:
        band = page.row_of(key)
        extra = Band(band.table, [RULE_BANDS[mark]] * len(band.slots), [None] * len(band.slots))
        page.items.insert(page.items.index(band) + 1, extra)
        return [band, extra]

    _sweep(f"band-{mark}", SWEEP, perturb, _row_heads(), 10)


# --- page furniture in a table ---------------------------------------------------------------------------------


def _title(seed: int) -> str:
    return model(random.Random(seed)).expected.title or "政府信息公开工作年度报告"


FURNITURE = {
    "em-dashes": lambda seed: "— 3 —",
    "tight": lambda seed: "-3-",
    "di-ye": lambda seed: "第3页",
    "slash": lambda seed: "3/5",
    "running-header": lambda seed: f"- 3 -\n{_title(seed)}",
    "xubiao": lambda seed: "- 3 -\n续表",
}
FURNITURE_SEEDS = [SEEDS_2021[2], SEEDS_2019[0]]


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("furniture", FURNITURE)
def test_page_furniture_inside_a_table(furniture: str, table: str) -> None:
    failures = []
    for seed in FURNITURE_SEEDS:
        rows = next(rows for kind, (name, rows) in _blocks(seed) if kind == "table" and name == table)
        for at in range(1, len(rows), 2 if table == "applications" else 1):
            failure = _break_failures(seed, table, at, FURNITURE[furniture](seed))
            if failure:
                failures.append(failure)
    assert not failures, f"{len(failures)} breaks dishonest:\n" + "\n".join(failures)


# --- signs, marks and units on figures ---------------------------------------------------------------------------

MINUS = {"hyphen": "-", "dash": "—", "full-width": "－"}


@pytest.mark.parametrize("sign", MINUS)
def test_a_stray_minus_on_a_count(sign: str) -> None:
    """A speck or rule fragment read as a minus on a figure that cannot be negative."""
    keep = lambda k, v: v is not None and v != 0 and not k.endswith(".change")  # noqa: E731
    _sweep(f"minus-{sign}", MIXED, _set(lambda s: MINUS[sign] + s), _cells(None, keep), 8)


CHANGE_SIGNS = {
    "plus-as-t": ("+", "t"),
    "minus-as-tilde": ("-", "~"),
    "minus-as-underscore": ("-", "_"),
    "minus-as-dot": ("-", "."),
}


@pytest.mark.parametrize("how", CHANGE_SIGNS)
def test_a_sign_misread_in_the_change_column(how: str) -> None:
    sign, read_as = CHANGE_SIGNS[how]
    keep = lambda k, v: k.endswith(".change") and v is not None and (v > 0 if sign == "+" else v < 0)  # noqa: E731
    _sweep(how, SIGNED_2019, _set(lambda s: s.replace(sign, read_as, 1)), _cells("active", keep), 10)


MARKS = ["*", "＊", "※", "¹", "²", "①"]


@pytest.mark.parametrize("mark", MARKS)
def test_a_footnote_mark_on_a_figure(mark: str) -> None:
    _sweep(f"mark{mark!r}", SWEEP, _set(lambda s: s + mark), _cells(None, lambda k, v: v is not None), 8)


def _unit_cells(unit: str) -> Select:
    if unit == "万元":  # the 2021 fee, in the unit its heading states
        return _cells("active", lambda k, v: k == "active.fees.amount" and v is not None)
    if unit == "元":  # the 2019 procurement amount, as real reports print it ("251000元")
        return _cells("active", lambda k, v: k == "active.procurement.amount" and v is not None)
    if unit == "comment":  # "22（其中修订 16 件）" in the 规章/规范性文件 rows
        keep = lambda k, v: ".rules." in k or ".normative_documents." in k  # noqa: E731
        return _cells("active", lambda k, v: keep(k, v) and v is not None and v >= 2)
    return _cells(None, lambda k, v: v is not None and _is_count(k) and not k.endswith(".change"))


UNITS = {
    "jian": "件",
    "spaced-jian": " 件",
    "ge": "个",
    "wanyuan": "万元",
    "yuan": "元",
    "comment": "comment",
}


@pytest.mark.parametrize("unit", UNITS)
def test_a_unit_printed_in_the_cell(unit: str) -> None:
    u = UNITS[unit]

    def text(s: str) -> str:
        if u == "comment":
            return f"{s}（其中修订 {int(s) // 2} 件）"
        return s + u

    seeds = [*SEEDS_2019[:2], 18, 31] if u == "元" else MIXED
    _sweep(f"unit-{unit}", seeds, _set(text), _unit_cells(u), 8)


# --- figures: spaces, specks in blank cells ----------------------------------------------------------------------


def _space_in(s: str) -> str | None:
    span = _digits(s)
    if span is None or span[1] - span[0] < 2:
        return None
    a, b = span
    k = a + (b - a) // 2
    return s[:k] + " " + s[k:]


@pytest.mark.parametrize("table", TABLES)
def test_a_space_inside_a_figure(table: str) -> None:
    """Wide kerning read as a space: 1670 as '16 70' in one cell (the next cell has its own figure)."""
    keep = lambda k, v: v is not None and len(str(abs(int(v)))) >= 2  # noqa: E731
    _sweep("space-in", MIXED, _set(_space_in), _cells(table, keep), 6)


SPECKS = [".", "·", "'", ",", "、", "`"]


@pytest.mark.parametrize("speck", SPECKS)
def test_a_speck_in_a_blank_cell(speck: str) -> None:
    _sweep(f"speck{speck!r}", SWEEP, _set(lambda s: speck), _cells(None, lambda k, v: v is None), 6)


# --- headings and labels misread by one character ----------------------------------------------------------------

HEADING_MISREADS = {
    "二": [("二、", "二."), ("二、", "=、"), ("主", "王"), ("动", "劝"), ("情况", "惰况"), ("信", "倍")],
    "三": [("三、", "三."), ("三、", "三，"), ("申", "中"), ("处", "外"), ("收", "牧"), ("情况", "清况")],
    "四": [("四、", "四."), ("四、", "囚、"), ("复", "夏"), ("诉", "拆"), ("议", "仪"), ("情况", "倩况")],
}
HEADING_CASES = [(h, a, b) for h, pairs in HEADING_MISREADS.items() for a, b in pairs] + [
    (h, "dropped", "") for h in HEADING_MISREADS
]


@pytest.mark.parametrize(("heading", "old", "new"), HEADING_CASES, ids=lambda x: str(x))
def test_a_table_heading_misread(heading: str, old: str, new: str) -> None:
    failures = []
    tried = 0
    for seed in MIXED:
        page = ocr_page(seed)
        at = next(
            (
                i
                for i, item in enumerate(page.items)
                if isinstance(item, str) and item.startswith(heading + "、") and len(item) < 40
            ),
            None,
        )
        if at is None:
            continue
        line = page.items[at]
        if old == "dropped":
            del page.items[at]
        elif old in line:
            page.items[at] = line.replace(old, new, 1)
        else:
            continue
        tried += 1
        _, wrong, silent = read(page)
        if wrong or silent:
            shown = "(dropped)" if old == "dropped" else page.items[at]
            failures.append(
                f"[heading {line!r} → {shown!r}] seed {seed}\n  wrong  {wrong[:8]}{' …' * (len(wrong) > 8)}"
                f"\n  silent {silent[:8]}{' …' * (len(silent) > 8)} ({len(silent)})"
            )
    assert tried
    assert not failures, "\n".join(failures)


NUMBER_MISREADS = {
    "1": "l",
    "2": "Z",
    "3": "8",
    "4": "A",
    "5": "S",
    "6": "b",
    "7": "T",
    "8": "3",
    "一": "-",
    "二": "=",
    "三": "二",
    "四": "囚",
    "五": "王",
    "七": "匕",
}
LABEL_LOOKALIKES = {
    "于": "千", "国": "围", "密": "蜜", "律": "津", "禁": "襟", "全": "金", "稳": "隐", "护": "沪",
    "第": "笫", "权": "杈", "益": "盖", "内": "肉", "务": "各", "程": "租", "执": "热", "案": "桉",
    "卷": "券", "查": "杳", "询": "洵", "握": "搱", "现": "观", "成": "戍", "另": "男", "制": "刺",
    "补": "朴", "确": "碓", "访": "坊", "举": "誉", "投": "没", "诉": "沂", "版": "板", "物": "吻",
    "无": "元", "由": "田", "量": "最", "反": "友", "获": "荻", "申": "中", "请": "清", "逾": "渝",
    "缴": "激", "费": "赞", "年": "午", "新": "亲", "收": "牧", "结": "绪", "转": "传", "予": "子",
    "公": "么", "部": "郜", "办": "力", "理": "埋", "续": "绩", "章": "童", "许": "浒", "罚": "罸",
    "强": "強", "采": "釆", "购": "妁", "处": "外",
}  # fmt: skip


def _misread_label(mode: str) -> Perturb:
    """The row's own label (the last label left of its figures) misread by one character: its item
    number (3. as 8., （二） as （=）) or one character of its words."""

    def perturb(page: Page, key: str) -> list[Band] | None:
        band, _ = page.locate(key)
        labels = [i for i, (s, k) in enumerate(zip(band.slots, band.keys, strict=True)) if s and k is None]
        if not labels:
            return None
        i = labels[-1]
        text = band.slots[i]
        if mode == "number":
            at = 1 if text.startswith("（") else 0
            if text[at] not in NUMBER_MISREADS:
                return None
            band.slots[i] = text[:at] + NUMBER_MISREADS[text[at]] + text[at + 1 :]
        else:
            spots = [j for j, ch in enumerate(text) if ch in LABEL_LOOKALIKES and j >= 2]
            if not spots:
                return None
            j = random.Random(key).choice(spots)
            band.slots[i] = text[:j] + LABEL_LOOKALIKES[text[j]] + text[j + 1 :]
        return [band]

    return perturb


@pytest.mark.parametrize(
    ("mode", "table"), [("number", "applications"), ("char", "applications"), ("char", "active")]
)
def test_a_row_label_misread(mode: str, table: str) -> None:
    _sweep(f"label-{mode}", MIXED, _misread_label(mode), _row_heads(table), 12)


HEADER_MISREADS = {
    "applications": [
        ("自然人", "白然人"),
        ("商业企业", "商业企亚"),
        ("科研机构", "科研机枃"),
        ("社会公益组织", "社会公益組织"),
        ("法律服务机构", "法律服务机枸"),
        ("其他", "共他"),
        ("总计", "总汁"),
        ("法人或其他组织", "法人或其他紐织"),
        ("申请人情况", "申请人惰况"),
    ],
    "review": [
        ("结果维持", "结果维特"),
        ("结果纠正", "结果纠止"),
        ("其他结果", "其他结杲"),
        ("尚未审结", "尚末审结"),
        ("总计", "总汁"),
        ("未经复议直接起诉", "末经复议直接起诉"),
        ("复议后起诉", "复议后起拆"),
        ("行政复议", "行政夏议"),
        ("行政诉讼", "行政诉松"),
    ],
    "active": [
        ("信息内容", "信息肉容"),
        ("本年制发件数", "本年制发件敉"),
        ("现行有效件数", "现行有效件教"),
        ("本年处理决定数量", "本年处理决定数最"),
        ("本年新制作数量", "本年新制作数最"),
        ("上一年项目数量", "上一年项日数量"),
        ("本年增/减", "本年增/咸"),
        ("采购总金额", "釆购总金额"),
        ("第二十条", "笫二十条"),
    ],
}
HEADER_CASES = [(t, a, b) for t, pairs in HEADER_MISREADS.items() for a, b in pairs]


@pytest.mark.parametrize(("table", "old", "new"), HEADER_CASES, ids=lambda x: str(x))
def test_a_column_heading_misread(table: str, old: str, new: str) -> None:
    """A heading cell misread by one character wherever it stands in the table's heading rows."""
    failures = []
    tried = 0
    for seed in MIXED:
        page = ocr_page(seed)
        heads = [b for b in page.bands(table) if not any(b.keys)]  # heading and sub-table caption rows
        hit = False
        for band in heads:
            for i, s in enumerate(band.slots):
                if old in s:
                    band.slots[i] = s.replace(old, new)
                    hit = True
        if not hit:
            continue
        tried += 1
        _, wrong, silent = read(page)
        if wrong or silent:
            first = next(b for b in page.bands(table) if any(b.keys))
            heads_text = "\n".join(f"  ocr   {b.text()}" for b in heads[:3])
            failures.append(f"[{old}→{new}] seed {seed}\n{heads_text}\n  first {first.text()}\n"
                            f"  wrong  {wrong}\n  silent {silent}")  # fmt: skip
    assert tried, "no heading matched"
    assert not failures, "\n".join(failures)


# Known gaps (issue 11), found by these fixtures and not yet fixed: each is a wrong number. They are
# strict xfails: fixing one makes its test pass, and then it must come off this list. All are one
# shape, a table whose ruling was read wrong across every row: a vertical rule missed where the
# two header names stand in different header rows (其他 below, 总计 spanning down beside it) or
# between a label and a figure, so the rows fit the template one column short and are read
# right-aligned; a scanner streak read as a rule (a slot too many); a row band drawn over two rows.
# (A rule missed between two names in one header cell is read: those two columns are unread.)
KNOWN_GAPS = frozenset(
    {
        "test_a_vertical_rule_missed_across_the_table[active-0]",
        "test_a_vertical_rule_missed_across_the_table[applications-8]",
        "test_a_false_vertical_rule_splits_a_column[applications-2-left]",
        "test_a_false_vertical_rule_splits_a_column[applications-3-right]",
        "test_a_false_vertical_rule_splits_a_column[applications-5-split]",
        "test_a_false_vertical_rule_splits_a_column[applications-9-split]",
        "test_a_row_band_misdrawn[merged-with-next]",
    }
)


@pytest.fixture(autouse=True)
def _known_gap(request: pytest.FixtureRequest) -> None:
    if request.node.name in KNOWN_GAPS:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason="known OCR text-path gap (issue 11)"))
