"""One report's tables laid out as the official template prints them (二, 三 and 四).

An editor checking a finding wants the numbers where the paper has them, not a list of keys: this
renders a stored report (the export record, `nianbao.report/1`) as the template's three tables,
with the template's own labels (`archive.parser.labels`), spanned headings and all. A cell the
parser could not read (`quality.unresolved`) shows `?` on yellow with its key; a cell read by
inference (OCR, a torn table's alignment) is tinted; a blank stays blank. Pure: data in, HTML out.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from archive.parser import labels as L
from archive.parser.layout import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS

STYLE = """
table.tpl{border-collapse:collapse;margin:.6em 0 1.4em;font-size:14px}
table.tpl td,table.tpl th{border:1px solid #333;padding:3px 6px;text-align:center}
table.tpl th{background:#f3f3f3;font-weight:normal}
table.tpl td.n{text-align:right;min-width:3em;font-variant-numeric:tabular-nums}
td.unread{background:#fff3b0}td.inferred{background:#eef6ff}
"""


class _Cells:
    """How each cell of the report shows: its value, and whether it was read, inferred or unread."""

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.cells: Mapping[str, Any] = record.get("cells") or {}
        quality = record.get("quality") or {}
        self.unread = set(quality.get("unresolved") or [])
        self.inferred = set(quality.get("inferred") or [])

    def td(self, key: str) -> str:
        if key in self.unread:
            return f'<td class="n unread" title="{escape(key)}: not read, check the source">?</td>'
        value = self.cells.get(key)
        shown = "" if value is None else escape(str(value))
        kind = "n inferred" if key in self.inferred else "n"
        return f'<td class="{kind}" title="{escape(key)}">{shown}</td>'


def _th(text: str, colspan: int = 1, rowspan: int = 1) -> str:
    span = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
    return f"<th{span}>{escape(text)}</th>"


def active_table(record: Mapping[str, Any]) -> str:
    """二、主动公开政府信息情况: one block per 第二十条 item, as the report's format prints it."""
    cells = _Cells(record)
    spec = L.ACTIVE_2021 if record.get("format") == "2021" else L.ACTIVE_2019
    width = max(len(columns) for _, columns, _ in spec)
    rows = []
    for heading, columns, lines in spec:
        rows.append(f"<tr>{_th(heading, width)}</tr>")
        rows.append(
            "<tr>"
            + "".join(_th(c) for c in columns)
            + _th("", width - len(columns)) * (width > len(columns))
            + "</tr>"
        )
        for label, key, cols in lines:
            tds = "".join(cells.td(f"active.{key}.{c}") for c in cols)
            pad = "<td></td>" * (width - 1 - len(cols))
            rows.append(f"<tr>{_th(label or L.NORMATIVE_DOCUMENTS_LABEL)}{tds}{pad}</tr>")
    return '<table class="tpl active">' + "".join(rows) + "</table>"


def applications_table(record: Mapping[str, Any]) -> str:
    """三、收到和处理政府信息公开申请情况: the applicant columns, the outcome groups and their sub-rows."""
    cells = _Cells(record)
    outcomes = L.OUTCOMES_2021 if record.get("format") == "2021" else L.OUTCOMES_2019
    labels = L.APP_COLUMN_LABELS

    def values(row: str) -> str:
        return "".join(cells.td(f"applications.{row}.{c}") for c in APPLICANT_COLUMNS)

    head = (
        f"<tr>{_th(L.LABEL_BALANCE, 3, 3)}{_th(L.LABEL_APPLICANTS, len(labels))}</tr>"
        f"<tr>{_th(labels[0], 1, 2)}{_th(L.LABEL_ORGANISATIONS, 5)}{_th(labels[-1], 1, 2)}</tr>"
        "<tr>" + "".join(_th(label) for label in labels[1:6]) + "</tr>"
    )
    rows = [
        f"<tr>{_th(L.LABEL_NEW, 3)}{values('new')}</tr>",
        f"<tr>{_th(L.LABEL_CARRIED_OVER, 3)}{values('carried_over')}</tr>",
    ]
    results = sum(max(1, len(subs)) for _, _, subs in outcomes) + 1  # + (七)总计
    first = True
    for key, label, subs in outcomes:
        lead = _th(L.LABEL_RESULTS, 1, results) if first else ""
        first = False
        if not subs:
            rows.append(f"<tr>{lead}{_th(label, 2)}{values(key)}</tr>")
            continue
        for i, (sub, sub_label) in enumerate(subs):
            group = _th(label, 1, len(subs)) if i == 0 else ""
            sub_th = _th(f"{i + 1}．{sub_label}")
            rows.append(f"<tr>{lead if i == 0 else ''}{group}{sub_th}{values(f'{key}.{sub}')}</tr>")
    rows.append(f"<tr>{_th(L.LABEL_TOTAL, 2)}{values('total')}</tr>")
    rows.append(f"<tr>{_th(L.LABEL_FORWARD, 3)}{values('carried_forward')}</tr>")
    return '<table class="tpl applications">' + head + "".join(rows) + "</table>"


def review_table(record: Mapping[str, Any]) -> str:
    """四、行政复议、行政诉讼情况: 复议 and the two kinds of 诉讼, five result columns each."""
    cells = _Cells(record)
    n = len(REVIEW_COLUMNS)
    review, direct, after = L.REVIEW_GROUP_LABELS
    head = (
        f"<tr>{_th(review, n)}{_th(L.LABEL_LITIGATION, 2 * n)}</tr>"
        "<tr>"
        + "".join(_th(c, 1, 2) for c in L.REVIEW_COLUMN_LABELS)
        + f"{_th(direct, n)}{_th(after, n)}</tr>"
        "<tr>" + "".join(_th(c) for c in L.REVIEW_COLUMN_LABELS) * 2 + "</tr>"
    )
    data = "".join(cells.td(f"{g}.{c}") for g in REVIEW_GROUPS for c in REVIEW_COLUMNS)
    return f'<table class="tpl review">{head}<tr>{data}</tr></table>'


def render_report(record: Mapping[str, Any], *, capture_href: str | None = None) -> str:
    """A whole page: the report's title and dates, its tables, a legend, a link to the capture."""
    title = record.get("title") or record.get("url") or "report"
    facts = [
        ("agency", record.get("agency")),
        ("year", record.get("year")),
        ("published", record.get("published_on")),
        ("first seen", record.get("first_seen")),
        ("format", record.get("format")),
    ]
    dl = " · ".join(f"{escape(k)}: {escape(str(v))}" for k, v in facts if v is not None)
    unread = len((record.get("quality") or {}).get("unresolved") or [])
    note = (
        f'<p>{unread} cell(s) could not be read (<span class="unread">?</span>): check them against '
        "the source.</p>"
        if unread
        else ""
    )
    link = f'<p><a href="{escape(capture_href)}">the archived capture</a></p>' if capture_href else ""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(str(title))}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(str(title))}</h1><p>{dl}</p>{note}{link}"
        f"<h2>二、主动公开政府信息情况</h2>{active_table(record)}"
        f"<h2>三、收到和处理政府信息公开申请情况</h2>{applications_table(record)}"
        f"<h2>四、政府信息公开行政复议、行政诉讼情况</h2>{review_table(record)}"
        '<p><a href="/">the audit</a></p></body></html>'
    )
