"""What an OCR reading may claim: every number an inference, only the ones a rule vouches for kept.

A number read from an image is an inference, however confident the engine: each such cell is
listed in the report's `quality.inferred`. In the tables the 勾稽 rules cover (三 applications, 四
review and litigation), a misread digit would break its row's total or its column's sum; so a
number is kept only where a rule that adds it up holds, and a number where two failed rules cross
(the likely misread) or that no satisfied rule covers is made null and listed in
`quality.unresolved`: an honest "could not read", never a guess. (A report printed with an
inconsistency loses those cells too: the auditor is told to check them against the scan.) A cell
the layout could not read (ink but no text, a doubtful digit) arrives unread and listed; a null
cell not listed was blank on the paper, and counts as 0 in the rules that vouch.
"""

from __future__ import annotations

from collections import Counter

from archive.documents.base import DocumentText
from archive.parser.checks import outcome_rows, run_checks
from archive.parser.layout import APPLICANT_COLUMNS, ORG_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS
from archive.report import Check, Report


def is_ocr(converted: DocumentText) -> bool:
    """Whether a document's text was read by OCR (its converter names the engine)."""
    return converted.converter.startswith("rapidocr")


def table_keys(report: Report) -> set[str]:
    """The cells of the rule-covered tables the report has (申请 and 复议诉讼), by its format."""
    keys: set[str] = set()
    if "applications" not in report.missing_tables:
        rows = ("new", "carried_over", *outcome_rows(report.cells), "total", "carried_forward")
        keys |= {f"applications.{r}.{c}" for r in rows for c in APPLICANT_COLUMNS}
    if "review" not in report.missing_tables:
        keys |= {f"{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLUMNS}
    return keys


def check_cells(check: Check, cells: dict[str, object]) -> list[str]:
    """The cells a rule adds up."""
    a = "applications"
    if check.rule == "balance":
        return [f"{a}.{r}.{check.column}" for r in ("new", "carried_over", "total", "carried_forward")]
    if check.rule == "outcomes":
        return [f"{a}.{r}.{check.column}" for r in (*outcome_rows(cells), "total")]
    if check.rule == "row_total":
        return [f"{a}.{check.column}.{c}" for c in ("natural_person", *ORG_COLUMNS, "total")]
    if check.rule == "review_total":
        return [f"{check.column}.{c}" for c in (*REVIEW_COLUMNS[:4], "total")]
    return []


def _is_total(key: str) -> bool:
    """A total's cell: a blank total leaves its rule unchecked (the report did not add it up),
    where a blank part adds 0."""
    parts = key.split(".")
    return parts[-1] == "total" or parts[1:2] == ["total"]


def distrust_ocr(report: Report, engine: str) -> Report:
    """Mark `report`'s cells as read by OCR; null the cells where two failed rules cross."""
    read = {key for key, value in report.cells.items() if value is not None}
    report.inferred |= read
    # The layout writes a cell it could not read as unread (listed); a null cell not listed was
    # blank on the paper (a ruled cell without ink), so it adds nothing to a row or column: the
    # rules are run with such blanks as 0 to vouch for the numbers beside them.
    blank_as_zero = {
        key: (0 if value is None and key not in report.unresolved and not _is_total(key) else value)
        for key, value in report.cells.items()
    }
    checks = run_checks(blank_as_zero)
    crossings = Counter(key for c in checks if not c.ok for key in check_cells(c, report.cells))
    culprits = {key for key, n in crossings.items() if n >= 2 and report.cells.get(key) is not None}
    # The tables the rules cover keep only numbers some rule vouches for: in a row or column that
    # adds up, a misread digit would show. A number no satisfied rule covers is not claimed.
    vouched = {key for c in checks if c.ok for key in check_cells(c, report.cells)}
    checked = ("applications.", "review.", "litigation")
    culprits |= {k for k in read if k.startswith(checked) and k not in vouched}
    # A blank in a row or column that does not add up may be where a misplaced figure belonged
    # (a row read one column off): not claimed blank either.
    failed = {k for c in checks if not c.ok for k in check_cells(c, report.cells)}
    culprits |= {k for k in failed if k in report.cells and report.cells[k] is None}
    culprits = sorted(culprits)
    for key in culprits:
        report.cells[key] = None
        report.unresolved.add(key)
    # A cell of a found table that the reading did not place at all is unread.
    report.unresolved |= {key for key in table_keys(report) if key not in report.cells}
    if culprits:
        report.checks = run_checks(report.cells)
        report.notes.append(
            f"read by OCR ({engine}); {len(culprits)} cell(s) where two consistency rules fail are left "
            f"unread: {', '.join(culprits[:8])}"
        )
    else:
        report.notes.append(f"read by OCR ({engine}): every number is an inference, check against the scan")
    return report
