"""The applications table with an 8th column, a 法人或其他组织 小计 between 其他 and 总计.

Some publishers add it (domain notes §1.4, §3.6), in either format. It is no cell of REPORT.md:
the parser must read it in its place, so every other value keeps its column, and drop it; a 小计
that disagrees with the sum of the five organisation columns is a note, not a shifted table.
"""

from __future__ import annotations

import random

import pytest

from archive.documents import document_text
from archive.parser import parse_html, parse_report
from archive.report import NotAReport
from tests import reportgen

HEAD_2021 = "某局2023年政府信息公开工作年度报告"
HEAD_2019 = "某局2020年政府信息公开工作年度报告"
LEGEND = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
ORGS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")

# (label, 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 小计, 总计): every rule holds.
ROWS_2021 = [
    ("一、本年新收政府信息公开申请数量", 5, 2, 0, 1, 0, 0, 3, 8),
    ("二、上年结转政府信息公开申请数量", 1, 0, 0, 0, 0, 0, 0, 1),
    ("（一）予以公开", 4, 2, 0, 1, 0, 0, 3, 7),
    ("（七）总计", 4, 2, 0, 1, 0, 0, 3, 7),
    ("四、结转下年度继续办理", 2, 0, 0, 0, 0, 0, 0, 2),
]
KEYS_2021 = ["new", "carried_over", "granted", "total", "carried_forward"]
COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
REVIEW = "四、政府信息公开行政复议、行政诉讼情况"
REVIEW_RUN = " ".join(["0"] * 15)


def _row_text(row: tuple) -> str:
    return " ".join(str(v) for v in row[1:])


def pdf_text(rows: list[tuple], *, header: bool = True, head: str = HEAD_2021) -> str:
    """PDF text: the header cells as lines (with 小计 unless `header` is False), a run per row."""
    lines = [head, "三、收到和处理政府信息公开申请情况"]
    if header:
        lines += [LEGEND, "申请人情况", "自然人", "法人或其他组织", "总计", " ".join((*ORGS, "小计"))]
    for row in rows:
        if row[0] == "（一）予以公开":
            lines.append("三、本年度办理结果")
        lines.append(f"{row[0]} {_row_text(row)}")
    lines += [REVIEW, REVIEW_RUN, "五、存在的主要问题及改进情况", "无。"]
    return "\n".join(lines)


def markdown_text(rows: list[tuple], *, header: bool = True) -> str:
    """trafilatura markdown: the table as an expanded grid, 3 label columns then 8 data columns
    (a blank cell empty); the sub-item row 1.属于国家秘密 has its label in the third column."""
    grid = [
        [LEGEND, "", "", "申请人情况", *[""] * 7],
        ["", "", "", "自然人", "法人或其他组织", *[""] * 5, "总计"],
        ["", "", "", "", *ORGS, "小计", ""],
    ]
    if not header:
        grid = []
    for row in rows:
        label = ["", "", row[0]] if row[0].startswith("1.") else [row[0], "", ""]
        grid.append([*label, *("" if v is None else str(v) for v in row[1:])])
    table = ["| " + " | ".join(r) + " | " for r in grid]
    return "\n".join(
        [HEAD_2021, "", "三、收到和处理政府信息公开申请情况", "", *table, "", REVIEW, "", REVIEW_RUN]
    )


def html_page(rows: list[tuple]) -> str:
    """An HTML table with the spans publishers use: 法人或其他组织 over six columns, 小计 the last."""
    trs = [
        f'<tr><td colspan="3" rowspan="3">{LEGEND}</td><td colspan="8">申请人情况</td></tr>',
        '<tr><td rowspan="2">自然人</td><td colspan="6">法人或其他组织</td><td rowspan="2">总计</td></tr>',
        "<tr>"
        + "".join(f"<td><p><span>{h[:1]}</span><span>{h[1:]}</span></p></td>" for h in (*ORGS, "小计")),
    ]
    for row in rows:
        tds = "".join(f"<td>{'&nbsp;' if v is None else v}</td>" for v in row[1:])
        trs.append(f'<tr><td colspan="3">{row[0]}</td>{tds}</tr>')
    return (
        f"<html><head><title>{HEAD_2021}</title></head><body><h1>{HEAD_2021}</h1>"
        "<p>三、收到和处理政府信息公开申请情况</p>"
        f"<table>{''.join(trs)}</table><p>{REVIEW}</p>"
        f"<table><tr>{''.join('<td>0</td>' for _ in range(15))}</tr></table></body></html>"
    )


def assert_cells(report, rows: list[tuple], keys: list[str]) -> None:
    for key, row in zip(keys, rows, strict=True):
        got = [report.cells[f"applications.{key}.{c}"] for c in (*COLUMNS, "total")]
        assert got == [*row[1:7], row[8]], key
    assert not [k for k in report.cells if "subtotal" in k]


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(lambda rows: parse_report(markdown_text(rows)), id="markdown"),
        pytest.param(lambda rows: parse_html(html_page(rows)), id="html"),
        pytest.param(lambda rows: parse_report(pdf_text(rows)), id="pdf"),
        pytest.param(lambda rows: parse_report(pdf_text(rows, header=False)), id="pdf-headless"),
    ],
)
def test_subtotal_column_is_read_in_place_and_dropped(render) -> None:
    report = render(ROWS_2021)
    assert_cells(report, ROWS_2021, KEYS_2021)
    assert report.checks_failed == []
    assert any(c.rule == "row_total" for c in report.checks)  # the row sums were evaluated, and hold
    assert report.notes == []


@pytest.mark.parametrize("shape", ["markdown", "pdf", "pdf-headless"])
def test_a_wrong_subtotal_is_a_note_and_the_columns_stay(shape: str) -> None:
    rows = list(ROWS_2021)
    rows[2] = ("（一）予以公开", 4, 2, 0, 1, 0, 0, 5, 7)  # 小计 5, but 2 + 0 + 1 + 0 + 0 = 3
    text = markdown_text(rows) if shape == "markdown" else pdf_text(rows, header=shape == "pdf")
    report = parse_report(text)
    assert_cells(report, rows, KEYS_2021)
    assert report.checks_failed == []  # row_total sums the five columns, not the 小计
    assert len(report.notes) == 1
    assert report.notes[0].startswith("applications.granted: 法人或其他组织小计 5")
    assert "2 + 0 + 1 + 0 + 0 = 3" in report.notes[0]


def test_grid_rows_with_blank_natural_person_cells_keep_their_columns() -> None:
    """An empty 自然人 cell after a colspan label looks like padding: such rows do not vote for 7."""
    rows = [(row[0], None, *row[2:]) for row in ROWS_2021]
    rows.insert(3, ("1.属于国家秘密", None, 0, 0, 0, 0, 0, 0, 0))
    report = parse_report(markdown_text(rows))
    assert_cells(report, rows, [*KEYS_2021[:3], "denied.state_secret", *KEYS_2021[3:]])
    assert report.notes == []


def test_grid_without_a_header_is_told_by_its_sums() -> None:
    """A grid of 8 numbers per row and no header (lost with a page): 7th = sum of 2nd–6th."""
    report = parse_report(markdown_text(ROWS_2021, header=False))
    assert_cells(report, ROWS_2021, KEYS_2021)
    assert report.checks_failed == [] and report.notes == []


def test_html_blank_cells_and_blank_subtotal_stay_null() -> None:
    rows = list(ROWS_2021)
    rows[1] = ("二、上年结转政府信息公开申请数量", 1, None, None, None, None, None, None, 1)
    report = parse_html(html_page(rows))
    assert_cells(report, rows, KEYS_2021)
    assert report.notes == []


def test_2019_format_with_a_subtotal_column() -> None:
    """2019's table 三 has the same columns (only 三(六) differs: one row), so the same 小计 can occur."""
    rows = [
        *ROWS_2021[:2],
        ("（一）予以公开", 3, 2, 0, 1, 0, 0, 3, 6),
        ("（六）其他处理", 1, 0, 0, 0, 0, 0, 0, 1),  # the single 三(六) row of the 2019 format
        *ROWS_2021[3:],
    ]
    for text in (pdf_text(rows, head=HEAD_2019), pdf_text(rows, header=False, head=HEAD_2019)):
        report = parse_report(text)
        assert report.format == "2019"
        assert_cells(
            report, rows, ["new", "carried_over", "granted", "other_handling", "total", "carried_forward"]
        )
        assert report.checks_failed == [] and report.notes == []


def test_eight_numbers_that_are_no_subtotal_are_not_guessed() -> None:
    """No 小计 header, and the 7th number is not the sum of the 2nd–6th: which number is extra is
    unknown, so nothing is placed (the old, cautious reading)."""
    rows = [(row[0], *row[1:7], row[7] + 1 + i, row[8]) for i, row in enumerate(ROWS_2021)]
    with pytest.raises(NotAReport, match="no readable rows"):
        parse_report(pdf_text(rows, header=False))


def test_seven_wide_rows_stay_seven_wide_whatever_the_header_says() -> None:
    """A 小计 in the header text, but every row 7 numbers wide: the rows decide."""
    rows = [(row[0], *row[1:7], row[8]) for row in ROWS_2021]
    report = parse_report(pdf_text(rows))
    for key, row in zip(KEYS_2021, rows, strict=True):
        assert [report.cells[f"applications.{key}.{c}"] for c in (*COLUMNS, "total")] == list(row[1:])
    assert report.checks_failed == [] and report.notes == []


def test_seven_column_tables_are_unchanged() -> None:
    """The official 7 columns, no 小计 anywhere: read exactly as before."""
    rows = [(row[0], *row[1:7], row[8]) for row in ROWS_2021]
    text = "\n".join(
        [HEAD_2021, "三、收到和处理政府信息公开申请情况", LEGEND, " ".join(ORGS)]
        + [f"{r[0]} {' '.join(str(v) for v in r[1:])}" for r in rows]
        + [REVIEW, REVIEW_RUN]
    )
    report = parse_report(text)
    for key, row in zip(KEYS_2021, rows, strict=True):
        assert [report.cells[f"applications.{key}.{c}"] for c in (*COLUMNS, "total")] == list(row[1:])
    assert report.checks_failed == [] and report.notes == []


def test_generated_docx_reports_with_a_subtotal_column_parse_back() -> None:
    """Generated reports (`tests/reportgen.py`, `subtotal=True`) as DOCX with real Word merges:
    every cell in its own column, the 小计 dropped, a note for exactly the rows whose 小计 is wrong."""
    pytest.importorskip("docx")
    from tests.test_documents import _capturing_markdown_doc, build_docx, differences, expected_dict

    failures = {}
    for n in range(10):
        with _capturing_markdown_doc() as box:
            gen = reportgen.generate(random.Random(f"docx-subtotal-{n}"), "markdown", subtotal=True)
        expected = expected_dict(gen.expected) | {"cells": dict(gen.expected.cells)}
        text = document_text(build_docx(box["doc"]), None, "https://example.gov.cn/a/r.docx").text
        report = parse_report(text)
        noted = sorted(note.split(":", 1)[0] for note in report.notes)
        wanted = sorted(f"applications.{row}" for row in gen.expected.subtotal_mismatches)
        problems = differences(report, expected) + ([f"notes: {report.notes}"] if noted != wanted else [])
        if problems:
            failures[n] = problems[:5]
    assert failures == {}


@pytest.mark.parametrize(
    "prose", ["其中法人或其他组织小计3件", "本年度收到申请8件，其中自然人5件，法人或其他组织小计3件。"]
)
def test_a_subtotal_named_in_prose_before_a_seven_column_table_is_no_header(prose: str) -> None:
    """Every label spans the three label columns, so no row is plainly 7 wide: a 小计 in a sentence
    before the table must not make it 8 wide (it shifted every cell one column right)."""
    rows = [(row[0], *row[1:7], row[8]) for row in ROWS_2021]
    page = html_page(rows).replace('<td colspan="8">申请人情况', '<td colspan="7">申请人情况')
    page = page.replace('<td colspan="6">法人或其他组织', '<td colspan="5">法人或其他组织')
    page = page.replace("<td><p><span>小</span><span>计</span></p></td>", "")
    page = page.replace(
        "<p>三、收到和处理政府信息公开申请情况</p>",
        f"<p>三、收到和处理政府信息公开申请情况</p><p>{prose}</p>",
    )
    report = parse_html(page)
    for key, row in zip(KEYS_2021, rows, strict=True):
        assert [report.cells[f"applications.{key}.{c}"] for c in (*COLUMNS, "total")] == list(row[1:])
    assert report.checks_failed == [] and report.notes == []
