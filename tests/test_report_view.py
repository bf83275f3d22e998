"""The report view (`archive.report_view`): a report's tables as the template prints them, with what
could not be read marked, never shown blank."""

from __future__ import annotations

import re

from archive.parser.layout import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS
from archive.report_view import applications_table, render_report, review_table


def _record(fmt: str) -> dict:
    cells = {f"applications.new.{c}": i for i, c in enumerate(APPLICANT_COLUMNS)}
    cells |= {f"{g}.{c}": 0 for g in REVIEW_GROUPS for c in REVIEW_COLUMNS}
    cells["applications.other_handling.unpaid_fee.total"] = 3
    cells["review.total"] = None
    return {
        "title": "某县2021年政府信息公开工作年度报告",
        "format": fmt,
        "cells": cells,
        "quality": {"unresolved": ["review.total"], "inferred": ["applications.new.total"]},
    }


def _rows(table: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", table)


def _width(row: str) -> int:
    """Grid columns a row covers, its colspans counted (rowspans from above are not)."""
    return sum(int(m or 1) for m in re.findall(r'<t[dh](?: colspan="(\d+)")?', row))


def test_every_row_of_the_applications_table_spans_the_grid() -> None:
    table = applications_table(_record("2021"))
    rows = _rows(table)
    # header (3 rows), 一, 二, the outcome rows (2 + 8 + 3 + 5 + 3), (七)总计, 四
    assert len(rows) == 3 + 2 + 21 + 2
    assert _width(rows[0]) == 10 and _width(rows[3]) == 10  # 3 label columns + 7 applicant columns
    assert 'title="applications.new.natural_person">0<' in table
    assert 'class="n inferred" title="applications.new.total">6<' in table
    assert 'title="applications.other_handling.unpaid_fee.total">3<' in table
    assert "申请人逾期未按收费通知要求缴纳费用" in table


def test_the_2019_format_has_no_sub_rows_under_other_handling() -> None:
    rows = _rows(applications_table(_record("2019")))
    assert len(rows) == 3 + 2 + 19 + 2
    assert "申请人逾期未按收费通知要求缴纳费用" not in applications_table(_record("2019"))


def test_an_unread_cell_shows_a_question_mark_not_a_blank() -> None:
    table = review_table(_record("2021"))
    assert re.search(r'class="n unread" title="review\.total[^"]*">\?<', table)
    assert len(re.findall(r"<td", table)) == 15
    page = render_report(_record("2021"), capture_href="/replay/20250101000000/http://x.gov.cn/a.html")
    assert "1 cell(s) could not be read" in page and 'href="/replay/20250101000000/' in page
