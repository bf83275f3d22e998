"""What an OCR reading may claim: every number an inference, the doubtful ones not claimed.

A number read from an image is an inference, however confident the engine: each such cell is
listed in the report's `quality.inferred`. In the tables the 勾稽 rules cover (三 applications, 四
review and litigation), a misread digit would break its row's total or its column's sum. So a
number a rule that adds it up vouches for is kept; one in a rule that fails (whatever its blanks
hide) and vouched by none is made null and listed in `quality.unresolved`, an honest "could not
read", never a guess; so is an unvouched one in a row or column the reading visibly got wrong. A
number no rule can check (a blank total leaves its rules open) and nothing puts in doubt is kept
as read. (A report printed with an inconsistency loses the cells of its failed rules: the auditor
is told to check them against the scan.) A cell the layout could not read (ink but no text, a
doubtful digit) arrives unread and listed; a null cell not listed was blank on the paper, and
counts as 0 in the rules that vouch. Counts are never negative, so a rule with unknown cells on one
side still vouches, or fails, when the other side is known (`bounded_rules`).
"""

from __future__ import annotations

import itertools
from collections import Counter

from archive.documents.base import DocumentText
from archive.parser.checks import outcome_rows, run_checks
from archive.parser.layout import (
    ACTIVE_COLUMNS,
    AMOUNT_KEYS,
    APPLICANT_COLUMNS,
    ORG_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)
from archive.report import Check, Report


def is_ocr(converted: DocumentText) -> bool:
    """Whether a document's text was read by OCR (its converter names the engine)."""
    return converted.converter.startswith("rapidocr")


def table_keys(report: Report) -> set[str]:
    """The cells of the tables the report has (主动公开, 申请 and 复议诉讼), by its format."""
    keys: set[str] = set()
    if "active" not in report.missing_tables and report.format in ACTIVE_COLUMNS:
        keys |= {f"active.{r}.{c}" for r, cols in ACTIVE_COLUMNS[report.format].items() for c in cols}
    if "applications" not in report.missing_tables:
        rows = ("new", "carried_over", *outcome_rows(report.cells), "total", "carried_forward")
        keys |= {f"applications.{r}.{c}" for r in rows for c in APPLICANT_COLUMNS}
    if "review" not in report.missing_tables:
        keys |= {f"{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLUMNS}
    return keys


def rule_sides(rule: str, column: str, cells: dict[str, object]) -> tuple[list[str], list[str]]:
    """The cells a rule adds up, as the two sides of its equation (`archive.parser.checks`)."""
    a = "applications"
    if rule == "balance":
        return [f"{a}.new.{column}", f"{a}.carried_over.{column}"], [
            f"{a}.total.{column}",
            f"{a}.carried_forward.{column}",
        ]
    if rule == "outcomes":
        return [f"{a}.{r}.{column}" for r in outcome_rows(cells)], [f"{a}.total.{column}"]
    if rule == "row_total":
        return [f"{a}.{column}.{c}" for c in ("natural_person", *ORG_COLUMNS)], [f"{a}.{column}.total"]
    if rule == "review_total":
        return [f"{column}.{c}" for c in REVIEW_COLUMNS[:4]], [f"{column}.total"]
    return [], []


def check_cells(check: Check, cells: dict[str, object]) -> list[str]:
    """The cells a rule adds up."""
    left, right = rule_sides(check.rule, check.column, cells)
    return [*left, *right]


def rule_instances(cells: dict[str, object]) -> list[tuple[str, str]]:
    """Every (rule, column) the report's tables have, evaluable or not (`run_checks` keeps only
    those whose operands are all known)."""
    a = "applications."
    rows = {k[len(a) :].rsplit(".", 1)[0] for k in cells if k.startswith(a)}
    return [
        *((rule, c) for rule in ("balance", "outcomes") for c in APPLICANT_COLUMNS),
        *(("row_total", r) for r in sorted(rows)),
        *(("review_total", g) for g in REVIEW_GROUPS),
    ]


def bounded_rules(
    values: dict[str, object], cells: dict[str, object], unplaced: set[str] | frozenset[str] = frozenset()
) -> tuple[set[str], Counter[str]]:
    """The cells of rules that hold, or fail, whatever their unknown cells are: counts are never
    negative, so when every unknown of a rule is on one side and that side's known figures already
    add up to the other side's, the unknowns are all 0 (or blank) and the rule holds for the
    figures read; when they add up to more, it fails. `values` has a figure, 0 for a blank, or None
    for an unknown. Returns the known cells of the rules that hold, and how many of the failed
    rules each known cell is in. A rule with an `unplaced` cell (a figure whose column the reading
    could not tell, not a doubtful digit) vouches for nothing: the figures beside it may stand in
    the wrong cells too, and a sum of 0 holds for any placement of zeros and blanks."""
    vouched: set[str] = set()
    failed: Counter[str] = Counter()
    for rule, column in rule_instances(cells):
        left, right = rule_sides(rule, column, cells)
        unknown_left = [k for k in left if values.get(k) is None]
        unknown_right = [k for k in right if values.get(k) is None]
        if not (unknown_left or unknown_right) or (unknown_left and unknown_right):
            continue  # fully known (`run_checks` has it), or unknowns on both sides: no bound
        open_side, closed = (left, right) if unknown_left else (right, left)
        known = sum(values[k] for k in open_side if values.get(k) is not None)
        target = sum(values[k] for k in closed)
        known_cells = {k for k in (*left, *right) if values.get(k) is not None}
        if known == target and not unplaced.intersection([*left, *right]):
            vouched |= known_cells
        elif known > target:
            failed.update(known_cells)
    return vouched, failed


def impossible_counts(report: Report) -> set[str]:
    """Counts no table prints: a fraction (`2.46`: a speck read as a point) or, outside 本年增/减,
    a negative number (`-112`: a dash read in front)."""
    out: set[str] = set()
    for key, value in report.cells.items():
        if value is None or key in AMOUNT_KEYS:
            continue
        if value != int(value) or (value < 0 and not key.endswith(".change")):
            out.add(key)
    return out


def glued_figures(report: Report) -> set[str]:
    """主动公开 figures of two digits or more followed, in their row, by a blank: the likely
    reading of two cells as one (`8` `6` → `86`, the next cell empty). That table has no rule that
    would show the misread, and a printed blank there is rare (the template prints 0)."""
    columns = ACTIVE_COLUMNS.get(report.format, {})
    return _followed_by_blank(report, [[f"active.{row}.{c}" for c in cols] for row, cols in columns.items()])


def _followed_by_blank(report: Report, rows: list[list[str]]) -> set[str]:
    """The figures of two digits or more that a blank follows in their printed row (`rows`)."""
    out: set[str] = set()
    for keys in rows:
        for key, after in itertools.pairwise(keys):
            value = report.cells.get(key)
            if value is not None and report.cells.get(after) is None and len(str(abs(int(value)))) >= 2:
                out.add(key)
    return out


def _equations(key: str, cells: dict[str, object]) -> list[tuple[list[str], list[str]]]:
    """The rules that add an 申请 cell up, each as the two sides of its equation."""
    parts = key.split(".")
    if parts[0] != "applications" or len(parts) < 3:
        return []
    row, col = ".".join(parts[1:-1]), parts[-1]
    rules = [("row_total", row)]
    if row in (*outcome_rows(cells), "total"):
        rules.append(("outcomes", col))
    if row in ("new", "carried_over", "total", "carried_forward"):
        rules.append(("balance", col))
    return [rule_sides(rule, column, cells) for rule, column in rules]


def solve_unread(report: Report) -> list[str]:
    """Unread 申请 cells that two rules each determine, to the same count, filled in.

    A doubtful digit in the table the rules cover need not be lost: its row adds up to its 总计
    and its column to its 总计 (or balances), and where it is the one unknown of two rules, each
    gives its value. Two that agree vouch for it as a satisfied rule vouches for a figure read (a
    misread figure beside it would make them disagree); one rule alone would pass the misread on.
    Repeated while it fills cells: a filled cell can leave another the one unknown of its rules.
    Only cells whose figure was there and doubtful (`report.unread`: a cell the reading could not
    place may be a blank), and only a count above 0: rules that give 0 cannot tell a 0 from a
    blank cell under a seal's stroke."""
    solved: list[str] = []

    def known(key: str) -> object:
        value = report.cells.get(key)
        if value is not None or key not in report.cells or key in report.unresolved or _is_total(key):
            return value  # a figure; or unknown: unread, absent, a blank total (its rule unchecked)
        return 0  # blank: adds nothing

    progress = True
    while progress:
        progress = False
        for key in sorted(k for k in report.unread & report.unresolved if report.cells.get(k, 0) is None):
            values = []
            for left, right in _equations(key, report.cells):
                others = [known(k) for k in (*left, *right) if k != key]
                if None in others:
                    continue
                total_left = sum(known(k) for k in left if k != key)
                total_right = sum(known(k) for k in right if k != key)
                values.append(total_right - total_left if key in left else total_left - total_right)
            if len(values) >= 2 and len(set(values)) == 1 and values[0] > 0:
                report.cells[key] = values[0]
                report.unresolved.discard(key)
                solved.append(key)
                progress = True
    return solved


def _lines_of(key: str) -> tuple[str, ...]:
    """The printed row and column a cell is in: an 申请 row and column, or table 四's one row."""
    if key.startswith("applications."):
        row, column = key.rsplit(".", 1)
        return row, f"applications.*.{column}"
    return ("review",)


def glued_in_rows(report: Report) -> set[str]:
    """申请 and 复议诉讼 figures of two digits or more followed, in their printed row, by a blank:
    maybe two cells read as one (`251` `0` → `2510`, the next cell empty)."""
    rows: dict[str, list[str]] = {}
    for key in report.cells:
        if key.startswith("applications."):
            rows.setdefault(key.rsplit(".", 1)[0], []).append(key)
    review = [f"{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]
    return _followed_by_blank(report, [*rows.values(), review])


def _is_total(key: str) -> bool:
    """A total's cell: a blank total leaves its rule unchecked (the report did not add it up),
    where a blank part adds 0."""
    parts = key.split(".")
    return parts[-1] == "total" or parts[1:2] == ["total"]


def distrust_ocr(report: Report, engine: str) -> Report:
    """Mark `report`'s cells as read by OCR; null the figures the rules or the reading put in doubt."""
    read = {key for key, value in report.cells.items() if value is not None}
    report.inferred |= read
    solved = solve_unread(report)
    report.inferred |= set(solved)
    # The layout writes a cell it could not read as unread (listed); a null cell not listed was
    # blank on the paper (a ruled cell without ink), so it adds nothing to a row or column: the
    # rules are run with such blanks as 0 to vouch for the numbers beside them.
    blank_as_zero = {
        key: (0 if value is None and key not in report.unresolved and not _is_total(key) else value)
        for key, value in report.cells.items()
    }
    impossible = impossible_counts(report)
    vouched, _ = bounded_rules(
        {k: v for k, v in blank_as_zero.items() if v is not None and k not in impossible},
        report.cells,
        report.unresolved - report.unread,
    )
    vouched |= {key for c in run_checks(blank_as_zero) if c.ok for key in check_cells(c, report.cells)}
    # A rule fails against the figures read only where it cannot hold whatever a blank hides (a
    # report leaves a figure out as often as it prints 0): all its cells known, or its known part
    # already past its total. One that fails only with its blanks taken as 0 is no evidence.
    figures = {k: v for k, v in report.cells.items() if v is not None and k not in impossible}
    _, failures = bounded_rules(figures, report.cells)
    failures.update(key for c in run_checks(figures) if not c.ok for key in check_cells(c, report.cells))
    failed = set(failures)
    # In the tables the rules cover, a figure is claimed where a rule that holds vouches for it
    # (a misread digit would show in the row or column that adds up); not where a failed rule
    # holds it and none vouches (the misread may be it); nor where its row, or its column, shows
    # the reading went wrong (a cell unplaced, a failed figure, two figures run together: a row
    # read one column off, a rule between two columns missed) and no rule vouches for it. The
    # rest, figures read surely that no rule can check (a blank total leaves its rules open), are
    # claimed as read, listed in `quality.inferred` like every figure OCR gives.
    culprits = {k for k in failed if k in read and k not in vouched}
    suspects = report.unresolved | culprits | (glued_in_rows(report) - vouched)
    doubtful = {line for k in suspects - report.unread for line in _lines_of(k)}
    doubtful |= {_lines_of(k)[0] for k in report.unread}  # a doubtful digit: its row only
    checked = ("applications.", "review.", "litigation")
    unvouched = {k for k in read if k.startswith(checked) and k not in vouched}
    culprits |= {k for k in unvouched if doubtful & set(_lines_of(k))}
    # A blank in a row or column that does not add up may be where a misplaced figure belonged
    # (a row read one column off): not claimed blank either.
    culprits |= {k for k in failed if k in report.cells and report.cells[k] is None}
    culprits |= glued_figures(report) | impossible
    culprits = sorted(culprits)
    for key in culprits:
        report.cells[key] = None
        report.unresolved.add(key)
    # No blank is claimed either: a faint 0 the detector missed and a cell left empty look alike
    # on a scan, and so does a cell the reading did not place at all (a dropped or shifted row).
    blanks = {key for key in table_keys(report) if report.cells.get(key) is None}
    report.unresolved |= blanks
    if solved:
        shown = ", ".join(solved[:8])
        report.notes.append(f"{len(solved)} cell(s) unread by OCR given by two rules that agree: {shown}")
    report.checks = run_checks(report.cells)
    kept = sorted(k for k in read if report.cells.get(k) is not None and k not in vouched)
    if kept:  # read surely, but no rule could show a misreading: the reader checks them
        report.unchecked = True
        report.notes.append(
            f"{len(kept)} figure(s) read by OCR that no consistency rule checks (check them against the "
            f"scan): {', '.join(kept[:8])}"
        )
    if culprits:
        report.notes.append(
            f"read by OCR ({engine}); {len(culprits)} cell(s) where two consistency rules fail are left "
            f"unread: {', '.join(culprits[:8])}"
        )
    else:
        report.notes.append(f"read by OCR ({engine}): every number is an inference, check against the scan")
    return report
