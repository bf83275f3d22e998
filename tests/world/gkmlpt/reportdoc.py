"""The body of a fixture report: the six sections and the three tables of the official format.

Shared by the world portals' build scripts (gkmlpt, county), so each portal only decides its own
page template, URLs and encodings. The figures are drawn from a `random.Random` seeded with the
report's agency and year, so a rebuild writes the same bytes; they satisfy the format's own
勾稽关系 (一 + 二 = 三（七）+ 四, row and column totals), as most real reports do.

Only the fixed labels of the official format (国办公开办函〔2019〕60号 / 〔2021〕30号) are
reproduced; the prose is written for these fixtures and the agencies are fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

APPLICANTS = 6  # 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 (总计 is their sum)

OUTCOMES_2021: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("（一）予以公开", ()),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ()),
    (
        "（三）不予公开",
        (
            "属于国家秘密",
            "其他法律行政法规禁止公开",
            "危及“三安全一稳定”",
            "保护第三方合法权益",
            "属于三类内部事务信息",
            "属于四类过程性信息",
            "属于行政执法案卷",
            "属于行政查询事项",
        ),
    ),
    ("（四）无法提供", ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确")),
    (
        "（五）不予处理",
        (
            "信访举报投诉类申请",
            "重复申请",
            "要求提供公开出版物",
            "无正当理由大量反复申请",
            "要求行政机关确认或重新出具已获取信息",
        ),
    ),
    (
        "（六）其他处理",
        (
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "其他",
        ),
    ),
)
# The 2019 (试行) format has the same rows except a single （六）其他处理 row.
OUTCOMES_2019 = (*OUTCOMES_2021[:5], ("（六）其他处理", ()))

_TABLE = '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">'


@dataclass(frozen=True)
class ReportText:
    """What a fixture report says; `fmt` is "2021" or "2019" (the format year, not the report's)."""

    agency: str
    year: int
    fmt: str
    overview: str  # one paragraph of the report's own prose for 一、总体情况
    problems: str  # 五、存在的主要问题及改进情况
    signature_date: str  # e.g. "2024年1月22日"


def _td(text: str | int | None, colspan: int = 1, rowspan: int = 1) -> str:
    attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (
        f' rowspan="{rowspan}"' if rowspan > 1 else ""
    )
    inner = "&nbsp;" if text is None else escape(str(text), quote=False)
    return f'<td{attrs} align="center" valign="middle">{inner}</td>'


def _row(*cells: str) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def active_table(rng: random.Random, fmt: str) -> str:
    """二、主动公开政府信息情况: the 第二十条 sub-tables, in the report's format."""
    rows = []
    if fmt == "2021":
        rows.append(_row(_td("第二十条第（一）项", colspan=4)))
        rows.append(_row(_td("信息内容"), _td("本年制发件数"), _td("本年废止件数"), _td("现行有效件数")))
        rows.append(_row(_td("规章"), _td(0), _td(0), _td(0)))
        issued, repealed = rng.randint(0, 4), rng.randint(0, 2)
        rows.append(_row(_td("行政规范性文件"), _td(issued), _td(repealed), _td(issued + rng.randint(3, 20))))
        for item, labels in (("（五）", ("行政许可",)), ("（六）", ("行政处罚", "行政强制"))):
            rows.append(_row(_td(f"第二十条第{item}项", colspan=4)))
            rows.append(_row(_td("信息内容"), _td("本年处理决定数量", colspan=3)))
            for label in labels:
                rows.append(_row(_td(label), _td(rng.randint(0, 900), colspan=3)))
        rows.append(_row(_td("第二十条第（八）项", colspan=4)))
        rows.append(_row(_td("信息内容"), _td("本年收费金额（单位：万元）", colspan=3)))
        rows.append(_row(_td("行政事业性收费"), _td(0, colspan=3)))
    else:
        rows.append(_row(_td("第二十条第（一）项", colspan=4)))
        rows.append(
            _row(_td("信息内容"), _td("本年新制作数量"), _td("本年新公开数量"), _td("对外公开总数量"))
        )
        rows.append(_row(_td("规章"), _td(0), _td(0), _td(0)))
        made = rng.randint(0, 4)
        rows.append(_row(_td("规范性文件"), _td(made), _td(made), _td(made + rng.randint(3, 20))))
        for item, labels in (
            ("（五）", ("行政许可", "其他对外管理服务事项")),
            ("（六）", ("行政处罚", "行政强制")),
        ):
            rows.append(_row(_td(f"第二十条第{item}项", colspan=4)))
            rows.append(_row(_td("信息内容"), _td("上一年项目数量"), _td("本年增/减"), _td("处理决定数量")))
            for label in labels:
                prior, change = rng.randint(5, 60), rng.randint(-3, 3)
                sign = f"+{change}" if change > 0 else str(change)
                rows.append(_row(_td(label), _td(prior), _td(sign), _td(rng.randint(0, 900))))
        rows.append(_row(_td("第二十条第（八）项", colspan=4)))
        rows.append(_row(_td("信息内容"), _td("上一年项目数量"), _td("本年增/减", colspan=2)))
        rows.append(_row(_td("行政事业性收费"), _td(0), _td(0, colspan=2)))
        rows.append(_row(_td("第二十条第（九）项", colspan=4)))
        rows.append(_row(_td("信息内容"), _td("采购项目数量"), _td("采购总金额", colspan=2)))
        rows.append(_row(_td("政府集中采购"), _td(rng.randint(0, 12)), _td(rng.randint(0, 400), colspan=2)))
    return _TABLE + "\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def applications_table(rng: random.Random, fmt: str) -> tuple[str, int]:
    """三、收到和处理政府信息公开申请情况; also returns 本年新收 (total column) for the prose."""
    outcomes = OUTCOMES_2021 if fmt == "2021" else OUTCOMES_2019
    leaf_rows = [(group, sub) for group, subs in outcomes for sub in (subs or (None,))]
    new = [
        rng.choice((0, 0, 1, 2, 3, 5, 8, 13)) if c == 0 else rng.choice((0, 0, 0, 1, 2))
        for c in range(APPLICANTS)
    ]
    carried = [rng.choice((0, 0, 1)) if c == 0 else 0 for c in range(APPLICANTS)]
    # Distribute each column's handled applications over the outcome rows, keep some for next year.
    forward = [min(rng.choice((0, 0, 1)), new[c] + carried[c]) for c in range(APPLICANTS)]
    counts = {row: [0] * APPLICANTS for row in leaf_rows}
    for c in range(APPLICANTS):
        for _ in range(new[c] + carried[c] - forward[c]):
            row = leaf_rows[0] if rng.random() < 0.55 else rng.choice(leaf_rows)
            counts[row][c] += 1

    def numbers(values: list[int]) -> list[str]:
        return [_td(v) for v in values] + [_td(sum(values))]

    rows = [
        _row(
            _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3),
            _td("申请人情况", colspan=7),
        ),
        _row(_td("自然人", rowspan=2), _td("法人或其他组织", colspan=5), _td("总计", rowspan=2)),
        _row(*(_td(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"))),
        _row(_td("一、本年新收政府信息公开申请数量", colspan=3), *numbers(new)),
        _row(_td("二、上年结转政府信息公开申请数量", colspan=3), *numbers(carried)),
    ]
    first = True
    span = len(leaf_rows) + 1
    for group, subs in outcomes:
        lead = _td("三、本年度办理结果", rowspan=span) if first else ""
        first = False
        if not subs:
            rows.append(_row(lead, _td(group, colspan=2), *numbers(counts[(group, None)])))
            continue
        for i, sub in enumerate(subs):
            head = _td(group, rowspan=len(subs)) if i == 0 else ""
            rows.append(
                _row(lead if i == 0 else "", head, _td(f"{i + 1}.{sub}"), *numbers(counts[(group, sub)]))
            )
    total = [sum(counts[row][c] for row in leaf_rows) for c in range(APPLICANTS)]
    rows.append(_row(_td("（七）总计", colspan=2), *numbers(total)))
    rows.append(_row(_td("四、结转下年度继续办理", colspan=3), *numbers(forward)))
    return _TABLE + "\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>", sum(new)


def review_table(rng: random.Random) -> str:
    """四、政府信息公开行政复议、行政诉讼情况: one row of 15 figures."""
    results = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    figures: list[int] = []
    for _ in range(3):
        group = [rng.choice((0, 0, 0, 1)) for _ in range(4)]
        figures += [*group, sum(group)]
    rows = [
        _row(_td("行政复议", colspan=5), _td("行政诉讼", colspan=10)),
        _row(
            *(_td(t, rowspan=2) for t in results),
            _td("未经复议直接起诉", colspan=5),
            _td("复议后起诉", colspan=5),
        ),
        _row(*(_td(t) for t in results * 2)),
        _row(*(_td(v) for v in figures)),
    ]
    return _TABLE + "\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def body_html(report: ReportText) -> str:
    """The article body as a CMS rich-text editor saves it: centred title lines, headings, tables."""
    rng = random.Random(f"{report.agency}/{report.year}")
    apps, new_total = applications_table(rng, report.fmt)

    def p(text: str, *, strong: bool = False, align: str | None = None) -> str:
        style = f"text-align:{align};" if align else "text-indent:2em;"
        inner = escape(text, quote=False)
        return f'<p style="{style}">' + (f"<strong>{inner}</strong>" if strong else inner) + "</p>"

    parts = [
        p(report.agency, strong=True, align="center"),
        p(f"{report.year}年政府信息公开工作年度报告", strong=True, align="center"),
        p(
            f"本报告依据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自{report.year}年1月1日起"
            f"至{report.year}年12月31日止。"
        ),
        p("一、总体情况", strong=True),
        p(report.overview),
        p(f"全年新收政府信息公开申请{new_total}件，均在法定期限内答复。"),
        p("二、主动公开政府信息情况", strong=True),
        active_table(rng, report.fmt),
        p("三、收到和处理政府信息公开申请情况", strong=True),
        apps,
        p("四、政府信息公开行政复议、行政诉讼情况", strong=True),
        review_table(rng),
        p("五、存在的主要问题及改进情况", strong=True),
        p(report.problems),
        p("六、其他需要报告的事项", strong=True),
        p("本年度未收取信息处理费。无其他需要报告的事项。"),
        p(report.agency, align="right"),
        p(report.signature_date, align="right"),
    ]
    return "\n".join(parts)
