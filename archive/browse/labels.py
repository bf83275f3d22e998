"""The Chinese label of every cell key, as the xlsx export heads its columns (one composition).

`archive.export_tables` composes each key's label from the template's own text
(`archive.parser.labels`: 「（三）不予公开1.属于国家秘密·自然人」) and knows the template's key
order; the browse database shows the same words, so a reader sees one name for a cell in the
spreadsheet and in Datasette. Added here: the section heading of the key's table (REPORT.md) and
the template editions that have the key, both read off the parser's layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from archive.export_tables import TEMPLATE, cell_label, table_of
from archive.parser.layout import (
    ACTIVE_COLUMNS,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)

# The section headings of the three standard tables (REPORT.md); table 四 holds three key groups.
TABLE_LABELS = {
    "active": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review": "四、政府信息公开行政复议、行政诉讼情况",
}
EDITIONS = {"2021": APPLICATION_ROWS_2021, "2019": APPLICATION_ROWS_2019}


@dataclass(frozen=True, slots=True)
class CellKey:
    """One key of REPORT.md with its label."""

    key: str
    table: str  # the key's first part: active | applications | review | litigation_direct | …
    section: str  # the heading of the standard table it belongs to
    label: str  # the template's row and column text
    formats: str  # "2021", "2019" or "2021 2019": the template editions that have the cell


def _edition(fmt: str) -> set[str]:
    """Every key of one template edition."""
    active = {f"active.{row}.{column}" for row, columns in ACTIVE_COLUMNS[fmt].items() for column in columns}
    applications = {f"applications.{row}.{column}" for row in EDITIONS[fmt] for column in APPLICANT_COLUMNS}
    review = {f"{group}.{column}" for group in REVIEW_GROUPS for column in REVIEW_COLUMNS}
    return active | applications | review


@cache
def cell_keys() -> dict[str, CellKey]:
    """Every cell key of both template editions, in the template's order."""
    editions = {fmt: _edition(fmt) for fmt in EDITIONS}
    return {
        key: CellKey(
            key=key,
            table=key.split(".", 1)[0],
            section=TABLE_LABELS.get(table_of(key).name, ""),
            label=cell_label(key),
            formats=" ".join(fmt for fmt, keys in editions.items() if key in keys),
        )
        for key in TEMPLATE
    }


def key_order(keys: set[str]) -> list[str]:
    """`keys` in the template's order; keys the template does not have (none today) last, sorted."""
    known = cell_keys()
    return [k for k in known if k in keys] + sorted(keys - known.keys())
