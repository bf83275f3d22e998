"""The parsed report: the value object that flows from the parser to the store and the exports.

Its `to_dict()` is the public export format of `shared/spec/REPORT.md` (schema `nianbao.report/1`);
the field names here are that format's keys, so renaming one is a schema change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SCHEMA = "nianbao.report/1"

# A cell value: an integer count, a Decimal amount, or None when the report leaves the cell blank.
CellValue = int | Decimal | None


@dataclass(frozen=True, slots=True)
class Check:
    """One consistency rule (勾稽关系) evaluated on one column or group of a report."""

    rule: str  # balance | outcomes | row_total | review_total
    column: str  # applicant column (natural_person … total) or review group (review …)
    ok: bool
    detail: str  # the arithmetic as evaluated, e.g. "3 + 0 = 3 + 0"

    @property
    def key(self) -> str:
        """`rule:column`, the form the gold files use to list failed checks."""
        return f"{self.rule}:{self.column}"


@dataclass(slots=True)
class Report:
    """Everything the parser learned from one report document."""

    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published_on: str | None = None  # ISO YYYY-MM-DD, as stated by the page or document
    index_no: str | None = None
    format: str = "unknown"  # "2021" | "2019" | "unknown"
    processing_fee_yuan: CellValue = None
    sections: dict[str, str] = field(default_factory=dict)  # overview | problems | other
    cells: dict[str, CellValue] = field(default_factory=dict)  # table.row.column -> value
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # parse notes: doubts the parser chose not to guess
    url: str | None = None  # the document the text came from
    # Cells placed by position or by the 勾稽 rules rather than by a label next to them.
    inferred: set[str] = field(default_factory=set)
    # Cells the report has that the parser could not place with confidence: null in `cells`.
    unresolved: set[str] = field(default_factory=set)
    # A standard table the report lacks or the parser could not find (active / applications / review).
    missing_tables: list[str] = field(default_factory=list)
    # Of `unresolved`, the cells whose figure was there but doubtful (OCR's `▯`: ink read as digits
    # without confidence), not placed wrong: a figure a rule may give. Not exported.
    unread: set[str] = field(default_factory=set, repr=False, compare=False)
    # Figures kept that nothing checked (OCR's, no 勾稽 rule covering them): a reader should look.
    unchecked: bool = field(default=False, compare=False)

    @property
    def checks_failed(self) -> list[str]:
        return [c.key for c in self.checks if not c.ok]

    @property
    def needs_review(self) -> bool:
        """Whether a reader should check the cells against the source before trusting them."""
        return bool(self.unresolved or self.missing_tables or self.unchecked)

    def quality(self) -> dict[str, Any]:
        """The spec's `quality` object: how far the cells can be trusted without a look."""
        return {
            "needs_review": self.needs_review,
            "inferred": sorted(self.inferred),
            "unresolved": sorted(self.unresolved),
            "notes": list(self.notes),
        }

    def to_dict(self) -> dict[str, Any]:
        """The report in the export format of REPORT.md (JSON-ready: amounts become numbers)."""
        return {
            "schema": SCHEMA,
            "url": self.url,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published_on": self.published_on,
            "index_no": self.index_no,
            "format": self.format,
            "processing_fee_yuan": json_number(self.processing_fee_yuan),
            "sections": dict(self.sections),
            "cells": {k: json_number(v) for k, v in self.cells.items()},
            "checks": [
                {"rule": c.rule, "column": c.column, "ok": c.ok, "detail": c.detail} for c in self.checks
            ],
            "notes": list(self.notes),
            "quality": self.quality(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Inverse of `to_dict` (used when reading stored reports back)."""
        return cls(
            title=data.get("title"),
            agency=data.get("agency"),
            year=data.get("year"),
            published_on=data.get("published_on"),
            index_no=data.get("index_no"),
            format=data.get("format", "unknown"),
            processing_fee_yuan=_from_json_number(data.get("processing_fee_yuan")),
            sections=dict(data.get("sections") or {}),
            cells={k: _from_json_number(v) for k, v in (data.get("cells") or {}).items()},
            checks=[Check(**c) for c in data.get("checks") or []],
            notes=list(data.get("notes") or []),
            url=data.get("url"),
            inferred=set((data.get("quality") or {}).get("inferred") or []),
            unresolved=set((data.get("quality") or {}).get("unresolved") or []),
            unchecked=bool((data.get("quality") or {}).get("needs_review")),
        )


def json_number(value: CellValue) -> int | float | None:
    """A cell value as JSON can carry it: integers stay integers, decimals become floats."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _from_json_number(value: Any) -> CellValue:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


class NotAReport(ValueError):
    """The text is not an annual report (or has nothing a parser can read): `str(err)` is the reason."""
