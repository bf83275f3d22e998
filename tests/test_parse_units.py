"""Unit tests of the parser's parts: normalisation, cells, label meanings, metadata, checks, refusals."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from archive.parser import parse_html, parse_report
from archive.parser.checks import run_checks
from archive.parser.htmltable import html_to_text, table_grid
from archive.parser.layout import (
    APPLICANT_COLUMNS,
    match_active_labels,
    match_application_labels,
    match_section_heading,
)
from archive.parser.meta import agency_from_title, parse_date, processing_fee
from archive.parser.normalize import classify_cell, compact, normalize_text, parse_number, strip_pinyin
from archive.parser.tables import place_values
from archive.report import NotAReport
from tests.reportgen import generate

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


def test_traditional_with_glued_pinyin_becomes_simplified() -> None:
    assert normalize_text("標(biāo)題(tí) 西藏自治區(qū)科學(xué)技術(shù)廳") == "标题 西藏自治区科学技术厅"


def test_pinyin_removal_keeps_real_parentheses() -> None:
    text = "（一）主动公开(二)依申请公开(APP)(2023)信息(jiāo)处理(含自然失效)"
    assert strip_pinyin(text) == "（一）主动公开(二)依申请公开(APP)(2023)信息处理(含自然失效)"


def test_lost_spaces_full_width_digits_and_kangxi_radicals() -> None:
    assert normalize_text("??0?\u00a0\u3000１２") == "  0   12"
    assert normalize_text("\u2f00、本年新收") == "一、本年新收"  # Kangxi radical ONE from a PDF
    assert normalize_text("第二十条\n- 3 -\n第 2 页 共 5 页") == "第二十条\n\n"


def test_line_structure_is_kept() -> None:
    text = "\t规章\n\t0\n\n\t"
    assert normalize_text(text) == text


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("0", 0),
        ("3,119", 3119),
        ("7730.28", Decimal("7730.28")),
        ("251000元", 251000),
        ("22（其中修订16件）", 22),
        ("55（含自然失效 29 件）", 55),
        ("+1036", 1036),
        ("-5", -5),
        ("３", 3),
        ("12件", 12),
    ],
)
def test_numbers_with_units_notes_and_signs(cell: str, value) -> None:
    c = classify_cell(normalize_text(cell))
    assert c.kind == "num" and c.value == value and type(c.value) is type(value)


@pytest.mark.parametrize("cell", ["", " ", "—", "-", "/", "无", "——"])
def test_blank_marks_are_null_not_zero(cell: str) -> None:
    c = classify_cell(normalize_text(cell))
    assert c.kind == "blank" and c.value is None


@pytest.mark.parametrize("cell", ["1.属于国家秘密", "2023年", "规章20件", "第二十条第(一)项", "总计"])
def test_labels_are_not_numbers(cell: str) -> None:
    assert classify_cell(cell).kind == "text"
    assert parse_number(cell) is None


# ---------------------------------------------------------------------------------------------
# Labels by meaning
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("3.危机“三安全一稳定”", "denied.three_safeties"),
        ("3.危及三安全一稳定", "denied.three_safeties"),
        ("5.属于三类内部事物信息", "denied.internal_affairs"),
        ("1.本级关不掌握相关政府信息", "unable.not_held"),
        ("2.其他法律行政止公开", "denied.prohibited_by_law"),
        ("三 2.其他法律行政法规禁止公开", "denied.prohibited_by_law"),
        ("1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_handling.no_correction"),
        ("2.申请人未逾期未按收费通知要求缴纳费用", "other_handling.unpaid_fee"),
        ("3、其他", "other_handling.other"),
        ("(六)其他处理", "other_handling"),
        ("(六)其他处理1.申请人无正当理由逾期不补正", "other_handling.no_correction"),
        ("(三)不予公开1.属于国家秘密", "denied.state_secret"),
        ("四)无法提供1.本机关不掌握相关政府信息", "unable.not_held"),
        ("4.无正当理由大量反复申请", "not_processed.excessive"),
        ("5.要求行政机关确认或重新出具已获取信息", "not_processed.confirmation"),
        ("(七)总计", "total"),
        ("四、结转下一年度继续办理", "carried_forward"),
    ],
)
def test_application_row_labels_match_by_meaning(label: str, key: str) -> None:
    found = match_application_labels(compact(normalize_text(label)))
    assert found and found[-1][1] == key


def test_column_header_other_is_not_a_row() -> None:
    assert match_application_labels("商业企业科研机构社会公益组织法律服务机构其他") == []
    assert (
        match_application_labels("(二)部分公开(区分处理的,只计这一情形,不计其他情形)")[-1][1]
        == "partially_granted"
    )


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("规范性文件", "normative_documents"),
        ("行政规范性文件", "normative_documents"),
        ("规章", "rules"),
        ("其他对外管理服务事项", "other_services"),
        ("政府集中采购", "procurement"),
    ],
)
def test_active_row_labels(label: str, key: str) -> None:
    assert [k for _, k in match_active_labels(label)] == [key]


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", 4),
        ("四、政府信息公开工作被申请行政复议、诉讼情况", 4),
        ("五、存在的主要问题及整改措施", 5),
        ("五、政府信息公开工作存在的主要问题及改进情况", 5),
        ("一、2021年政府信息公开工作情况", 1),
        ("六、其他需要报告的事项", 6),
    ],
)
def test_section_heading_variants(line: str, number: int) -> None:
    assert match_section_heading(compact(line), number)


@pytest.mark.parametrize(
    ("line", "number"), [("四、结转下年度继续办理", 4), ("六)其他处理", 6), ("五)不予处理", 5)]
)
def test_table_rows_are_not_headings(line: str, number: int) -> None:
    assert not match_section_heading(compact(line), number)


# ---------------------------------------------------------------------------------------------
# Placement
# ---------------------------------------------------------------------------------------------


def _cells(*texts: str):
    return [classify_cell(t) for t in texts]


def test_short_row_is_anchored_at_natural_person_and_total() -> None:
    values, note = place_values(_cells("3", "3"), 7, grid=False, anchored=True)
    assert values == [3, None, None, None, None, None, 3] and note is None


def test_one_cell_too_few_leaves_doubtful_cells_null_with_a_note() -> None:
    values, note = place_values(_cells("1", "2", "0", "0", "0", "3"), 7, grid=False, anchored=True)
    assert values == [1, None, None, None, None, None, 3]
    assert note and "6 values for 7 columns" in note


def test_short_row_that_does_not_add_up_is_left_blank() -> None:
    values, note = place_values(_cells("361", "0", "0", "0", "8", "9"), 7, grid=False, anchored=True)
    assert values == [None] * 7
    assert note and "cannot tell" in note


def test_pdf_run_that_cannot_be_paired_is_not_guessed() -> None:
    text = "\n".join(
        [
            "三、收到和处理政府信息公开申请情况",
            "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3",
            "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
            "1 0 0 0 0 0 1",  # printed before its label, and the next row's run is missing
            "（一）予以公开",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "（七）总计 1 0 0 0 0 0 1",
            "四、结转下年度继续办理 2 0 0 0 0 0 2",
            "四、政府信息公开行政复议、行政诉讼情况",
            "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
            "五、存在的主要问题及改进情况",
        ]
    )
    report = parse_report("某局2023年政府信息公开工作年度报告\n" + text)
    assert report.cells["applications.new.total"] == 3
    assert report.cells["applications.granted.total"] is None
    assert report.cells["applications.partially_granted.total"] is None
    quality = report.quality()
    assert quality["needs_review"]
    assert {"applications.granted.total", "applications.partially_granted.total"} <= set(
        quality["unresolved"]
    )
    assert any("granted, partially_granted" in n for n in report.notes)


def test_grid_row_ending_early_is_blank_at_the_end() -> None:
    values, note = place_values(_cells("1", "0"), 7, grid=True, anchored=True)
    assert values == [1, 0, None, None, None, None, None] and note is None


def test_surplus_padding_blanks_are_dropped() -> None:
    values, note = place_values(_cells("", "1", "2", "3", "", ""), 3, grid=False, anchored=False)
    assert values == [1, 2, 3] and note is None


def test_a_written_blank_at_a_rows_end_is_its_cell_and_the_labels_padding_is_not() -> None:
    """`|  | （六）其他处理 |  | 7 | — | 0 | — | 0 | 4 | — |` as OCR lays it out: the empty cell after
    the label is its colspan's, the dash at the end is 总计 left blank (not padding to drop)."""
    values, note = place_values(_cells("", "7", "—", "0", "—", "0", "4", "—"), 7, grid=False, anchored=True)
    assert values == [7, None, 0, None, 0, 4, None] and note is None


OCR_APPLICATIONS = """\
某县司法局2022年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
|  | 申请人情况 |  |  |  |  |  |  |
| （本列数据的勾稽关系为：第一项加第二项之和，等于 |  | 法人或其他组织 |  |  |  |  |  |
| 第三项加第四项之和） | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |
| 一、本年新收政府信息公开申请数量 | 41 | 6 | 0 | 0 | 0 | 1 | 48 |
| 二、上年结转政府信息公开申请数量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
|  | （一）予以公开 |  | 20 | 3 | 0 | 0 | 0 | 1 | 24 |
|  | （二）部分公开（区分处理的，只计这一情形，不计其他情形） |  | 4 | 0 | 0 | 0 | 0 | 0 | 4 |
|  |  | 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  | ▯ | ▯ | 3 | 1 | 0 | 0 | 0 | 0 | 4 |
|  | （三）不予公开 | 5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 6.属于四类过程性信息 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
|  |  | 7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 三、本年度办理 |  | 8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 结果 |  | 1.本机关不掌握相关政府信息 | 9 | 2 | 0 | 0 | 0 | 0 | 11 |
|  | （四）无法提供 | 2.没有现成信息需要另行制作 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 3.补正后申请内容仍不明确 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
|  |  | 1.信访举报投诉类申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 2.重复申请 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
|  | （五）不予处理 | 3.要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 4.无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 5.要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  | （六）其他处理 | 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  |  | 3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|  | （七）总计 |  | 40 | 6 | 0 | 0 | 0 | 1 | 47 |
| 四、结转下年度继续办理 |  |  | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
四、政府信息公开行政复议、行政诉讼情况
"""


def test_a_row_whose_label_a_seal_covers_is_placed_by_the_rows_around_it() -> None:
    """A row of figures whose label cells read `▯` (a seal over 4.涉及第三方合法权益) between rows 3
    and 5 of 不予公开: the one row the template has there, named nowhere else. Its cells are
    placed and listed as inferred, with a note; two such rows in a row, or a row missing on both
    sides of the run, are not guessed."""
    report = parse_report(OCR_APPLICATIONS)
    cols = APPLICANT_COLUMNS
    assert [report.cells[f"applications.denied.third_party.{c}"] for c in cols] == [3, 1, 0, 0, 0, 0, 4]
    assert "applications.denied.third_party.total" in report.inferred
    assert any("third_party" in n and "template" in n for n in report.notes)
    assert report.cells["applications.denied.internal_affairs.natural_person"] == 0
    # Rows 3 and 4 both without a label: which run is which cannot be told.
    two = OCR_APPLICATIONS.replace("|  |  | 3.危及“三安全一稳定” |", "|  | ▯ | ▯ |")
    report = parse_report(two)
    assert report.cells.get("applications.denied.third_party.total") is None
    assert report.cells.get("applications.denied.three_safeties.total") is None
    # The row named elsewhere (its label misplaced below): the run is not given its cells twice.
    named = OCR_APPLICATIONS.replace(
        "| 结果 |  | 1.本机关不掌握", "| 结果 | 4.涉及第三方合法权益 | 1.本机关不掌握"
    )
    report = parse_report(named)
    assert report.cells.get("applications.denied.third_party.natural_person") != 3


OCR_ACTIVE_2019 = """\
某县市场监督管理局2020年政府信息公开工作年度报告
二、主动公开政府信息情况
| 第二十条第（一）项 |  |  |  |
| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
| 规章 | 0 | 0 | 0 |
| 规范性文件 | 3 | 3 | 17 |
| 第二十条第（五）项 |  |  |  |
| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
| 行政许可 | 41 | +2 | 2310 |
| 其他对外管理服务事项 | 6 | 0 | 15 |
| 第二十条第（六）项 |  |  |  |
| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
| 行政处罚 | 88 | -3 | 412 |
| 行政强制 | 9 | 0 | 27 |
| 第二十条第（八）项 |  |  |  |
| 信息内容 | 上一年项目数量 | 本年增/减 |  |
| 行政事业性收费 | 2 | -1 | — |
| 第二十条第（九）项 |  |  |  |
| 信息内容 | 采购项目数量 | 采购总金额 |  |
| 政府集中采购 | 14 | — | 36.5 |
""" + OCR_APPLICATIONS.split("\n", 1)[1]


def test_a_table_drawn_a_column_wider_than_its_header_keeps_its_last_columns_figure() -> None:
    """第二十条第（八）项 drawn in the four-column grid of the tables above it: `| 2 | -1 | — |` under
    `| 上一年项目数量 | 本年增/减 |  |`. The dash is the unnamed column's, so -1 is 本年增/减's.
    A figure out there with the named cell blank (`| 14 | — | 36.5 |`) cannot be placed: unread."""
    report = parse_report(OCR_ACTIVE_2019)
    assert report.format == "2019"
    assert (report.cells["active.fees.prior_items"], report.cells["active.fees.change"]) == (2, -1)
    assert report.cells["active.procurement.items"] == 14
    assert report.cells["active.procurement.amount"] is None
    assert "active.procurement.amount" in report.unresolved
    assert report.cells["active.penalty.change"] == -3 and report.cells["active.licensing.decisions"] == 2310


# ---------------------------------------------------------------------------------------------
# Metadata, fee, checks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-01-29 15:53:27", "2024-01-29"),
        ("2024/1/9", "2024-01-09"),
        ("2024年1月29日", "2024-01-29"),
        ("二〇二四年一月二十九日", "2024-01-29"),
        ("无", None),
    ],
)
def test_dates(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "fee"),
    [
        ("2023年度信息处理费0元。", 0),
        ("全年收取政府信息公开信息处理费 3940 元。", 3940),
        ("未收取信息处理费，无其他需要报告的事项。", 0),
        ("本年度共收取信息处理费0.5万元。", 5000),
        ("无其他需报告事项。", None),
        ("无。", None),
    ],
)
def test_processing_fee(text: str, fee) -> None:
    assert processing_fee(text) == fee


def test_checks_skip_blank_operands_and_show_arithmetic() -> None:
    cells = {
        "applications.new.total": 3,
        "applications.carried_over.total": 0,
        "applications.total.total": 2,
        "applications.carried_forward.total": 0,
        "applications.new.natural_person": None,
        "applications.carried_over.natural_person": 0,
        "applications.total.natural_person": 2,
        "applications.carried_forward.natural_person": 0,
        "review.upheld": 1,
        "review.corrected": 0,
        "review.other": 0,
        "review.pending": 0,
        "review.total": 0,
    }
    checks = {c.key: c for c in run_checks(cells)}
    assert checks["balance:total"].ok is False and checks["balance:total"].detail == "3 + 0 = 2 + 0"
    assert "balance:natural_person" not in checks  # a blank operand: skipped, not failed
    assert checks["review_total:review"].ok is False
    assert checks["review_total:review"].detail == "1 + 0 + 0 + 0 = 1 vs 总计 0"


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def test_html_spans_are_expanded_like_trafilatura() -> None:
    import lxml.html

    table = lxml.html.fromstring(
        "<table><tr><td rowspan=2>三</td><td colspan=2><p><span>自然</span><span>人</span></p></td></tr>"
        "<tr><td>&nbsp;</td><td>3</td></tr><tr><td></td><td></td><td></td></tr></table>"
    )
    assert table_grid(table) == [["三", "自然人", ""], ["", "", "3"]]


def test_html_text_keeps_metadata_and_paragraphs() -> None:
    html = (
        "<html><head><meta name='PubDate' content='2024-01-30 10:20'><title>某局2023年政府信息公开工作年度报告_网站</title>"
        "</head><body><p>一、总体情况</p><script>var x=1;</script><p>正文</p></body></html>"
    )
    text = html_to_text(html)
    assert text.splitlines()[:2] == ["标题：某局2023年政府信息公开工作年度报告", "发布日期：2024-01-30 10:20"]
    assert "var x" not in text and "一、总体情况\n正文" in text


# ---------------------------------------------------------------------------------------------
# Not a report
# ---------------------------------------------------------------------------------------------

BUDGET = """某某市财政局2024年部门预算
一、部门基本情况
本部门共有下属单位3个。
二、收支预算总表
| 项目 | 本年预算 | 上年预算 |
| 一般公共预算拨款收入 | 1234.56 | 1100.00 |
| 支出合计 | 1234.56 | 1100.00 |
三、三公经费预算
因公出国（境）费 0 万元，公务接待费 1.2 万元。
"""

NEWS = """标题：我市召开政务公开工作推进会
发布日期：2024-03-01
3月1日，我市召开政务公开工作推进会，会议要求各部门按时发布2023年政府信息公开工作年度报告，
切实做好依申请公开工作。会上，5个部门作了交流发言。
"""

IMAGE_ONLY = """标题：某县人民政府2023年政府信息公开工作年度报告
发布日期：2024-03-20
某县人民政府2023年政府信息公开工作年度报告
附件：某县人民政府2023年政府信息公开工作年度报告.pdf
"""


@pytest.mark.parametrize("text", [BUDGET, NEWS, IMAGE_ONLY, "", "   \n\n", "随便一段文字" * 50])
def test_non_reports_raise_not_a_report(text: str) -> None:
    with pytest.raises(NotAReport) as err:
        parse_report(text)
    assert str(err.value)


def test_truncated_table_raises_not_a_report() -> None:
    gen = generate(random.Random("truncate"), "markdown")
    cut = gen.text.index("三、本年度办理结果")
    with pytest.raises(NotAReport, match="truncated"):
        parse_report(gen.text[:cut])


def test_bad_input_types_raise_only_not_a_report() -> None:
    with pytest.raises(NotAReport):
        parse_report(None)  # type: ignore[arg-type]
    with pytest.raises(NotAReport):
        parse_html("<html><body><p>新闻</p></body></html>")
    with pytest.raises(NotAReport):
        parse_report("\x00\ufffd" * 1000)


def test_a_whole_report_parses_from_html_and_markdown_alike() -> None:
    rng_seed = "same-report"
    html = generate(random.Random(rng_seed), "html")
    md = generate(random.Random(rng_seed), "markdown")
    assert html.expected.cells == md.expected.cells
    assert parse_html(html.text).cells == parse_report(md.text).cells


def test_radical_supplement_characters_from_pdf_fonts_are_the_ideographs() -> None:
    assert normalize_text("⻓沙市⻔户⽹站") == "长沙市门户网站"


def test_simplified_text_keeps_its_place_names_and_traditional_text_is_converted() -> None:
    """OpenCC t2s would turn 乾安县 into 干安县: only traditional text is converted."""
    from archive.parser.normalize import to_simplified

    assert (
        to_simplified("乾安县人民政府2023年政府信息公开工作年度报告")
        == "乾安县人民政府2023年政府信息公开工作年度报告"
    )
    assert to_simplified("乾县人民政府办公室") == "乾县人民政府办公室"
    assert to_simplified("政府資訊公開工作年度報告") == "政府资讯公开工作年度报告"
    body = "乾安县坚持以公开为常态、不公开为例外，全年主动公开政府信息一千余条。\n" * 40
    assert to_simplified(body) == body
    traditional = "本機關全年收到政府資訊公開申請，均依法答覆。\n" * 40
    assert to_simplified(traditional) == "本机关全年收到政府资讯公开申请，均依法答复。\n" * 40


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("2019年青禾市人民政府政府信息公开工作年度报告", "青禾市人民政府"),
        ("2023年度青禾县人民政府信息公开工作年度报告", "青禾县人民政府"),
        ("关于2020年度青禾市人民政府政府信息公开工作年度报告", "青禾市人民政府"),
        ("2022年青禾市交通运输局政府信息公开工作年度报告", "青禾市交通运输局"),
        ("2021年青禾县发展和改革委员会政务公开工作年度报告", "青禾县发展和改革委员会"),
        ("青禾市人民政府2022年政府信息公开工作年度报告", "青禾市人民政府"),
        ("2021年政府信息公开工作年度报告", None),  # names no body: the metadata or signature will
    ],
)
def test_agency_from_a_title_with_the_year_first(title: str, agency: str | None) -> None:
    assert agency_from_title(title) == agency


def test_the_title_agency_wins_over_a_signature_office() -> None:
    """The deadline depends on government vs department: 市政府办公室 signing the city's report
    must not make the city-wide report a department's."""
    text = "\n".join(
        [
            "2019年青禾市人民政府政府信息公开工作年度报告",
            "一、总体情况",
            "2019年，青禾市人民政府认真贯彻落实《中华人民共和国政府信息公开条例》，推进政务公开。" * 3,
            "三、收到和处理政府信息公开申请情况",
            "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3",
            "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
            "四、结转下年度继续办理 0 0 0 0 0 0 0",
            "五、存在的主要问题及改进情况",
            "公开内容还不够全面。",
            "青禾市人民政府办公室",
            "2020年3月20日",
        ]
    )
    report = parse_report(text)
    assert (report.agency, report.year, report.published_on) == ("青禾市人民政府", 2019, "2020-03-20")
