"""The four consistency rules (勾稽关系) of REPORT.md, evaluated per column or group.

A rule is evaluated only when every operand is present and not blank: a blank cell is unknown,
not zero, so such a check is skipped rather than failed. A failed check is a finding about the
report (real reports do fail them), never an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

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
    return None if None in values else values


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
    for col in APPLICANT_COLUMNS:
        v = _all(cells, _BALANCE_KEYS[col])
        if v is not None:
            ok = v[0] + v[1] == v[2] + v[3]
            checks.append(Check("balance", col, ok, f"{v[0]} + {v[1]} = {v[2]} + {v[3]}"))
    rows = outcome_rows(cells)
    for col in APPLICANT_COLUMNS:
        parts = _all(cells, _outcome_keys(rows, col))
        total = cells.get(f"applications.total.{col}")
        if parts is not None and total is not None:
            s = sum(parts)
            checks.append(Check("outcomes", col, s == total, f"{_sum_text(parts)} = {s} vs 总计 {total}"))
    row_keys = sorted({row for k in cells if (row := _application_row(k)) is not None}, key=_row_order)
    for row in row_keys:
        part_keys, total_key = _row_total_keys(row)
        parts = _all(cells, part_keys)
        total = cells.get(total_key)
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


# The operands' cell keys, built once rather than per report (a report has ~200 cells to go over).
_BALANCE_KEYS = {
    col: tuple(f"applications.{r}.{col}" for r in ("new", "carried_over", "total", "carried_forward"))
    for col in APPLICANT_COLUMNS
}


@lru_cache(maxsize=64)
def _outcome_keys(rows: tuple[str, ...], col: str) -> tuple[str, ...]:
    return tuple(f"applications.{r}.{col}" for r in rows)


@lru_cache(maxsize=4096)
def _application_row(key: str) -> str | None:
    """The row of an `applications.ROW.COLUMN` cell key; None for another table's key."""
    if not key.startswith("applications."):
        return None
    return key.split(".", 1)[1].rsplit(".", 1)[0]


@lru_cache(maxsize=256)
def _row_total_keys(row: str) -> tuple[tuple[str, ...], str]:
    """The keys of a row's applicant columns (总计 aside) and of its 总计."""
    parts = tuple(f"applications.{row}.{c}" for c in ("natural_person", *ORG_COLUMNS))
    return parts, f"applications.{row}.total"


_ORDER = ("new", "carried_over", *OUTCOME_ROWS_2021, "other_handling", "total", "carried_forward")


def _row_order(row: str) -> int:
    return _ORDER.index(row) if row in _ORDER else len(_ORDER)
