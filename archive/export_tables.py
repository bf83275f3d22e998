"""Typed exports: Parquet for analysis, XLSX for people who work in spreadsheets.

Both are built from `archive.export.iter_export_records`, the REPORT.md object of each stored report,
so they hold what the JSON export holds, typed instead of stringly:

- **Parquet**, two files. `reports`: a row per report, the metadata typed (`year` int32,
  `published_on` date32, `first_seen` timestamp UTC, `needs_review` bool, `checks_failed`,
  `unresolved` and `inferred` list<string>) and a column per cell key (int64; float64 for amounts),
  null where the report leaves a cell blank, has no such cell, or the parser could not read it.
  `cells`: the long table, a row per cell a report has (url, table, key, value float64, unresolved,
  inferred): the one place blank, absent and unread are three different things.
- **XLSX**, a sheet of reports and one per standard table (主动公开, 依申请公开, 复议诉讼), headed
  with the template's own labels (`archive.parser.labels`), each header cell's comment giving the
  REPORT.md key. Numbers are numbers, dates are dates. A cell the parser could not read is empty,
  yellow and commented; a cell the report does not have (its format has none) is empty and grey; a
  blank cell is just empty. Text from the crawled pages is always text: a title starting with `=`
  is no formula.

Column order follows the template (2021 keys first, the 2019 format's own keys beside them), not the
alphabet, so a sheet reads like the printed table.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from archive.export import CSV_FIELDS
from archive.parser import labels as L
from archive.parser.layout import (
    ACTIVE_COLUMNS,
    AMOUNT_KEYS,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)

Record = dict[str, Any]


# ---------------------------------------------------------------------------------------------
# The tables, their keys in template order, and their labels
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # the parser's name of the table (Report.missing_tables): active | applications | review
    sheet: str  # the xlsx sheet
    groups: tuple[str, ...]  # the first part of its keys


TABLES: tuple[Table, ...] = (
    Table("active", "主动公开", ("active",)),
    Table("applications", "依申请公开", ("applications",)),
    Table("review", "复议诉讼", REVIEW_GROUPS),
)
OTHER = Table("other", "其他", ())  # keys of no standard table (none today): shown, not dropped


def table_of(key: str) -> Table:
    group = key.split(".", 1)[0]
    return next((t for t in TABLES if group in t.groups), OTHER)


def _union(first: Sequence[str], second: Sequence[str]) -> list[str]:
    """`first`, with each item only `second` has placed after its predecessor in `second`."""
    out = list(first)
    for i, item in enumerate(second):
        if item not in out:
            out.insert(out.index(second[i - 1]) + 1 if i else 0, item)
    return out


def _template() -> dict[str, str]:
    """{key: label} for every key of both formats, in the printed tables' order."""
    found: dict[str, str] = {}
    for fmt, spec in (("2021", L.ACTIVE_2021), ("2019", L.ACTIVE_2019)):
        for _heading, headings, rows in spec:
            for row_label, row, columns in rows:
                assert columns == ACTIVE_COLUMNS[fmt][row], (fmt, row)  # labels and layout agree
                for column, heading in zip(columns, headings[1:], strict=True):
                    found.setdefault(
                        f"active.{row}.{column}", f"{row_label or L.NORMATIVE_DOCUMENTS_LABEL}·{heading}"
                    )
    rows = {"new": L.LABEL_NEW, "carried_over": L.LABEL_CARRIED_OVER}
    for outcomes in (L.OUTCOMES_2021, L.OUTCOMES_2019):
        for prefix, label, subs in outcomes:
            if not subs:
                rows.setdefault(prefix, label)
            for i, (sub, sub_label) in enumerate(subs, 1):
                rows.setdefault(f"{prefix}.{sub}", f"{label}{i}.{sub_label}")
    rows |= {"total": L.LABEL_TOTAL, "carried_forward": L.LABEL_FORWARD}
    for row in _union(APPLICATION_ROWS_2021, APPLICATION_ROWS_2019):
        for column, heading in zip(APPLICANT_COLUMNS, L.APP_COLUMN_LABELS, strict=True):
            found[f"applications.{row}.{column}"] = f"{rows[row]}·{heading}"
    direct, after = L.REVIEW_GROUP_LABELS[1:]
    groups = (
        L.REVIEW_GROUP_LABELS[0],
        f"{L.LABEL_LITIGATION}（{direct}）",
        f"{L.LABEL_LITIGATION}（{after}）",
    )
    for group, group_label in zip(REVIEW_GROUPS, groups, strict=True):
        for column, heading in zip(REVIEW_COLUMNS, L.REVIEW_COLUMN_LABELS, strict=True):
            found[f"{group}.{column}"] = f"{group_label}·{heading}"
    return found


TEMPLATE: dict[str, str] = _template()
_ORDER = {key: i for i, key in enumerate(TEMPLATE)}


def cell_label(key: str) -> str:
    """The column header of a cell key: the template's row and column labels, or the key itself."""
    return TEMPLATE.get(key, key)


def cell_keys(records: Sequence[Record]) -> list[str]:
    """Every cell key any report has (its unread cells included), in template order; unknown keys last."""
    keys = {k for r in records for k in (*r["cells"], *_quality_list(r, "unresolved"))}
    return sorted(keys, key=lambda k: (_ORDER.get(k, len(_ORDER)), k))


def _quality_list(record: Record, name: str) -> list[str]:
    return list((record.get("quality") or {}).get(name) or [])


def _is_amount(key: str, records: Sequence[Record]) -> bool:
    """Money is float64 whatever this export's values are; a count only if a report has a fraction."""
    return key in AMOUNT_KEYS or any(isinstance(r["cells"].get(key), float) for r in records)


def _checks_failed(record: Record) -> list[str]:
    return [f"{c['rule']}:{c['column']}" for c in record.get("checks") or [] if not c["ok"]]


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _moment(value: str) -> datetime:
    """first_seen (`…Z`) as an aware UTC datetime."""
    return datetime.fromisoformat(value)


# ---------------------------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------------------------


def parquet_paths(out: Path) -> tuple[Path, Path]:
    """`--out DIR`, an existing directory → DIR/reports.parquet, DIR/cells.parquet; anything else is a
    stem (a `.parquet` suffix dropped) → STEM.reports.parquet, STEM.cells.parquet."""
    if out.is_dir():
        return out / "reports.parquet", out / "cells.parquet"
    stem = out.with_suffix("") if out.suffix == ".parquet" else out
    return stem.with_name(stem.name + ".reports.parquet"), stem.with_name(stem.name + ".cells.parquet")


def write_parquet(records: Iterable[Record], out: Path) -> tuple[int, tuple[Path, Path]]:
    """Write the reports and the cells files; returns (reports written, (reports path, cells path))."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = list(records)
    keys = cell_keys(records)
    amounts = {k for k in keys if _is_amount(k, records)}
    meta_types = {
        "url": pa.string(), "page_url": pa.string(), "first_seen": pa.timestamp("us", tz="UTC"),
        "title": pa.string(), "agency": pa.string(), "year": pa.int32(), "published_on": pa.date32(),
        "index_no": pa.string(), "format": pa.string(), "processing_fee_yuan": pa.float64(),
        "checks_failed": pa.list_(pa.string()), "needs_review": pa.bool_(),
        "unresolved": pa.list_(pa.string()), "inferred": pa.list_(pa.string()),
    }  # fmt: skip
    assert set(CSV_FIELDS) <= set(meta_types)  # the same report columns as the CSV, and `inferred`
    columns: dict[str, list[Any]] = {name: [] for name in (*meta_types, *keys)}
    long: dict[str, list[Any]] = {n: [] for n in ("url", "table", "key", "value", "unresolved", "inferred")}
    for r in records:
        quality = r.get("quality")
        unresolved, inferred = set(_quality_list(r, "unresolved")), set(_quality_list(r, "inferred"))
        derived = {
            "first_seen": _moment(r["first_seen"]),
            "published_on": _date(r.get("published_on")),
            "checks_failed": _checks_failed(r),
            # Reports stored before `quality` existed say nothing: null, not "fine".
            "needs_review": None if quality is None else bool(quality.get("needs_review")),
            "unresolved": None if quality is None else sorted(unresolved),
            "inferred": None if quality is None else sorted(inferred),
        }
        for name in meta_types:
            columns[name].append(derived[name] if name in derived else r.get(name))
        for key in keys:
            columns[key].append(r["cells"].get(key))
        for key in cell_keys([r]):
            value = r["cells"].get(key)
            long["url"].append(r["url"])
            long["table"].append(table_of(key).name)
            long["key"].append(key)
            long["value"].append(None if value is None else float(value))
            long["unresolved"].append(key in unresolved)
            long["inferred"].append(key in inferred)
    schema = pa.schema(
        [pa.field(n, t) for n, t in meta_types.items()]
        + [pa.field(k, pa.float64() if k in amounts else pa.int64()) for k in keys],
        metadata=_PARQUET_METADATA,
    )
    long_schema = pa.schema(
        [("url", pa.string()), ("table", pa.string()), ("key", pa.string()), ("value", pa.float64()),
         ("unresolved", pa.bool_()), ("inferred", pa.bool_())],
        metadata=_PARQUET_METADATA,
    )  # fmt: skip
    paths = parquet_paths(out)
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    for path, table in zip(
        paths, (pa.Table.from_pydict(columns, schema), pa.Table.from_pydict(long, long_schema)), strict=True
    ):
        _atomically(path, lambda tmp, table=table: pq.write_table(table, tmp, compression="zstd"))
    return len(records), paths


_PARQUET_METADATA = {
    b"nianbao.schema": b"nianbao.report/1",
    b"nianbao.nulls": (
        b"A null cell is blank in the report, absent from its format, or, when its key is in "
        b"`unresolved`, not read by the parser (shared/spec/REPORT.md)."
    ),
}


def _atomically(path: Path, write) -> None:
    """Write through a temporary file: an interrupted export leaves no half file under the name."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------

REPORT_LABELS: dict[str, str] = {
    "url": "网址", "page_url": "页面网址", "first_seen": "首次抓取时间（UTC）", "title": "标题",
    "agency": "机关", "year": "年度", "published_on": "发布日期", "index_no": "索引号", "format": "格式",
    "processing_fee_yuan": "信息处理费（元）", "checks_failed": "未通过的勾稽检查",
    "needs_review": "需人工核对", "unresolved": "未能识别的单元格",
}  # fmt: skip
# The columns that say which report a table sheet's row is (frozen with the header).
ROW_FIELDS = ("agency", "year", "url")
UNREAD_FILL = "FFF2CC"  # yellow: the report has the cell, the parser could not read it
ABSENT_FILL = "D9D9D9"  # grey: the report has no such cell (another format's, or a row it lacks)
UNREAD_NOTE = "未能识别：报告中有此单元格，但解析器无法确定其数值，请对照原文。(unresolved)"
MAX_TEXT = 32767  # characters a spreadsheet cell holds


def write_xlsx(records: Iterable[Record], out: Path | IO[bytes]) -> int:
    """Write the workbook to a path (atomically) or a binary stream; returns the reports written."""
    records = list(records)
    if isinstance(out, Path):
        _atomically(out, lambda tmp: _workbook(records).save(tmp))
    else:
        buffer = io.BytesIO()  # the zip is written with seeks: a pipe cannot take it directly
        _workbook(records).save(buffer)
        out.write(buffer.getvalue())
    return len(records)


def _workbook(records: list[Record]):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    keys = cell_keys(records)
    sheet = _Sheet(book, "报告", [(REPORT_LABELS[f], f) for f in CSV_FIELDS], freeze="B2")
    for r in records:
        sheet.row([_report_value(r, f) for f in CSV_FIELDS])
    for table in (*TABLES, OTHER):
        table_keys = [k for k in keys if table_of(k) is table]
        if table is OTHER and not table_keys:
            continue
        header = [(REPORT_LABELS[f], f) for f in ROW_FIELDS] + [(cell_label(k), k) for k in table_keys]
        sheet = _Sheet(book, table.sheet, header, freeze="C2")
        for r in records:
            unread = set(_quality_list(r, "unresolved"))
            marks = [_mark(k, r["cells"], unread) for k in table_keys]
            values = [r["cells"].get(k) for k in table_keys]
            sheet.row([_report_value(r, f) for f in ROW_FIELDS] + values, [None] * len(ROW_FIELDS) + marks)
    return book


def _mark(key: str, cells: dict[str, Any], unread: set[str]) -> str | None:
    if key in unread:
        return "unread"
    return None if key in cells else "absent"


def _report_value(record: Record, field: str) -> Any:
    quality = record.get("quality")
    if field == "first_seen":  # a spreadsheet has no time zones: UTC, as the header says
        return _moment(record[field]).replace(tzinfo=None)
    if field == "published_on":
        return _date(record.get(field))
    if field == "checks_failed":
        return ";".join(_checks_failed(record))
    if field == "needs_review":
        return None if quality is None else bool(quality.get("needs_review"))
    if field == "unresolved":
        return None if quality is None else ";".join(_quality_list(record, "unresolved"))
    return record.get(field)


class _Sheet:
    """A write-only sheet: a bold, wrapped, frozen header whose comments name the keys, then rows."""

    def __init__(self, book, title: str, header: list[tuple[str, str]], freeze: str) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        self.ws = book.create_sheet(title)
        self.ws.freeze_panes = freeze
        for i, (label, key) in enumerate(header, 1):
            wide = key in ("url", "page_url", "title")
            self.ws.column_dimensions[get_column_letter(i)].width = (
                40 if wide else max(10, min(24, len(label)))
            )
        self._comment = Comment
        self._fills = {
            m: PatternFill("solid", fgColor=c) for m, c in (("unread", UNREAD_FILL), ("absent", ABSENT_FILL))
        }
        bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        cells = []
        for label, key in header:
            cell = self._cell(label)
            cell.font, cell.alignment = bold, wrap
            cell.comment = Comment(key, "nianbao")
            cells.append(cell)
        self.ws.append(cells)

    def _cell(self, value: Any):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_TEXT]
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and cell.data_type == "f":
            cell.data_type = "s"  # page text that looks like a formula stays text
        if isinstance(value, date) and not isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell

    def row(self, values: list[Any], marks: list[str | None] | None = None) -> None:
        cells = []
        for value, mark in zip(values, marks or [None] * len(values), strict=True):
            cell = self._cell(value)
            if mark:
                cell.fill = self._fills[mark]
            if mark == "unread":
                cell.comment = self._comment(UNREAD_NOTE, "nianbao")
            cells.append(cell)
        self.ws.append(cells)
