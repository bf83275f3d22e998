"""Pieces the world portals' `build.py` scripts share: writing a site, and `expected` from items."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nianbao.sample_portal.build import report_cells
from nianbao.sample_portal.content import ReportPage

# The cells a crawl's parse is checked against, for portals whose reports come from `make_report`.
CHECKED_CELLS = (
    "applications.new.total",
    "applications.total.total",
    "review.total",
    "active.penalty.decisions",
)


@dataclass(frozen=True)
class ListedItem:
    """One item of a column: a report (with its model), a look-alike or another page. A portal's
    subclass gives its `path` from the id, the way its CMS names articles."""

    id: int
    title: str
    date: str  # YYYY-MM-DD
    report: ReportPage | None = None
    kind: str = "other"  # report | lookalike | other
    body: str = ""


def write_site(target: Path, files: Mapping[str, bytes]) -> None:
    """Replace `target` with exactly `files` (paths relative to it)."""
    if target.exists():
        shutil.rmtree(target)
    for rel, content in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def expected_from_items(items: Iterable[Any], *, with_encoding: bool = False) -> dict[str, object]:
    """`expected` for a portal of items with `path`, `title`, `kind` and `report` (a ReportPage or None).

    Every item with a report is an HTML report; items of kind "lookalike" must not be stored.
    `with_encoding` adds each report's page encoding.
    """
    items = list(items)
    reports = []
    for i in items:
        if i.report is None:
            continue
        cells = report_cells(i.report)
        entry = {
            "path": i.path,
            "title": i.title,
            "agency": i.report.agency,
            "year": i.report.year,
            "kind": "html",
            "format": i.report.fmt,
        }
        if with_encoding:
            entry["encoding"] = i.report.encoding
        entry["cells"] = {k: cells[k] for k in CHECKED_CELLS if k in cells}
        reports.append(entry)
    return {
        "reports": reports,
        "not_reports": [i.path for i in items if i.kind == "lookalike"],
        "failures": [],
        "rendered": [],
    }
