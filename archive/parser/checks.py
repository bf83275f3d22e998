"""The four consistency rules (勾稽关系) of REPORT.md, evaluated per column or group.

A rule is evaluated only when every operand is present and not blank: a blank cell is unknown,
not zero, so such a check is skipped rather than failed. A failed check is a finding about the
report (real reports do fail them), never an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from archive.parser.layout import (
    APPLICANT_COLUMNS,
    ORG_COLUMNS,
    OTHER_HANDLING_SUBROWS,
    OUTCOME_ROWS_2021,
    OUTCOME_ROWS_SINGLE,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)
from archive.report import CellValue, Check


def _all(cells: Mapping[str, CellValue], keys: Sequence[str]) -> list[CellValue] | None:
    """The operands' values, or None when any is missing or blank."""
    values = [cells.get(k) for k in keys]
    return None if any(v is None for v in values) else values


def _sum_text(values: Sequence[CellValue]) -> str:
    return " + ".join(str(v) for v in values)


def outcome_rows(cells: Mapping[str, CellValue]) -> tuple[str, ...]:
    """The 三(一)–(六) rows this report has: 三(六) subdivided (2021) or a single row."""
    has_sub = any(f"applications.{r}.total" in cells for r in OTHER_HANDLING_SUBROWS)
    has_single = "applications.other_handling.total" in cells
    return OUTCOME_ROWS_SINGLE if has_single and not has_sub else OUTCOME_ROWS_2021


def run_checks(cells: Mapping[str, CellValue]) -> list[Check]:
    """Evaluate balance, outcomes, row_total and review_total wherever their operands are known."""
    checks: list[Check] = []
    a = "applications"
    for col in APPLICANT_COLUMNS:
        keys = [f"{a}.{r}.{col}" for r in ("new", "carried_over", "total", "carried_forward")]
        v = _all(cells, keys)
        if v is not None:
            ok = v[0] + v[1] == v[2] + v[3]
            checks.append(Check("balance", col, ok, f"{v[0]} + {v[1]} = {v[2]} + {v[3]}"))
    rows = outcome_rows(cells)
    for col in APPLICANT_COLUMNS:
        parts = _all(cells, [f"{a}.{r}.{col}" for r in rows])
        total = cells.get(f"{a}.total.{col}")
        if parts is not None and total is not None:
            s = sum(parts)
            checks.append(Check("outcomes", col, s == total, f"{_sum_text(parts)} = {s} vs 总计 {total}"))
    row_keys = sorted(
        {k.split(".", 1)[1].rsplit(".", 1)[0] for k in cells if k.startswith(f"{a}.")},
        key=_row_order,
    )
    for row in row_keys:
        parts = _all(cells, [f"{a}.{row}.{c}" for c in ("natural_person", *ORG_COLUMNS)])
        total = cells.get(f"{a}.{row}.total")
        if parts is not None and total is not None:
            s = sum(parts)
            checks.append(Check("row_total", row, s == total, f"{_sum_text(parts)} = {s} vs 总计 {total}"))
    for group in REVIEW_GROUPS:
        parts = _all(cells, [f"{group}.{c}" for c in REVIEW_COLUMNS[:4]])
        total = cells.get(f"{group}.total")
        if parts is not None and total is not None:
            s = sum(parts)
            checks.append(
                Check("review_total", group, s == total, f"{_sum_text(parts)} = {s} vs 总计 {total}")
            )
    return checks


_ORDER = ("new", "carried_over", *OUTCOME_ROWS_2021, "other_handling", "total", "carried_forward")


def _row_order(row: str) -> int:
    return _ORDER.index(row) if row in _ORDER else len(_ORDER)
