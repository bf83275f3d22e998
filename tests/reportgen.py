"""A generator of random annual reports, rendered in every shape the parser meets.

`generate(rng, shape)` makes one report (format 2021, 2021 with a single-row 三(六), or 2019;
random numbers, random blank cells, random amounts and signed changes; random label typos and
variants; random metadata block, title, signature and fee wording), renders it in `shape`, and
returns the text (or HTML) with the expected parse. The expected values come from the generator's
own model, never from the parser.

Shapes (`SHAPES`):

- `markdown`    pipe rows as trafilatura emits them: spans expanded into empty padding cells, every
                row as wide as its table, all-empty rows dropped, no `|---|` line;
- `html`        HTML tables with rowspan/colspan, Word-pasted `<p><span>` markup splitting labels,
                `&nbsp;` blank cells, the applications table cut into two `<table>`s;
- `blanklines`  one cell per line, a blank line after each cell, a blank cell as one more blank
                line (seed 002);
- `tabs`        tab-indented cells, a blank line between rows, a blank cell as a tab-only line
                (seed 003);
- `lines`       one cell per line, no blank lines (trafilatura's output for tables with `<th>`/`<p>`);
- `pipes`       `a | b | c | ||` rows with junk padding at the end (seed 001);
- `pdf`         PDF text: label and a run of numbers per line, some runs printed before their
                label (vertically centred cells), labels split over lines, Kangxi radicals, page
                footers;
- `traditional` a text shape converted to traditional characters with pinyin glued in, `?` and
                U+00A0/U+3000 for spaces, full-width digits.

Where a shape cannot express a blank cell unambiguously, the generator only produces what a real
report in that shape could express:

- `lines` and `pdf` have no way to show an empty cell, so blank cells are written as a placeholder
  (`—`, `/`, `无`), as real reports in those shapes do;
- `pipes` loses empty cells at the end of a row in its padding junk, so a blank last cell is
  written as a placeholder; blanks inside a row stay empty;
- `lines` and `blanklines` may also drop the blank organisation columns of an applications row
  entirely when only 自然人 and 总计 are filled (seed 004): the first number of a short row is
  自然人 and the last 总计, which is the only reading such a row allows. The parser must then
  give exactly those two and nulls between.

`generate(rng, shape, subtotal=True)` gives the applications table the 8th column some publishers
add (domain notes §1.4, §3.6): a 法人或其他组织 小计 between 其他 and 总计, headed 小计. It is the
sum of the organisation cells the row fills (blank when it fills none); sometimes one row's 小计
is wrong, and the parser must then say so in a note for that row (`Expected.subtotal_mismatches`)
while every other cell still lands in its own column. The 小计 is no cell of REPORT.md, so it is
never in `Expected.cells`. Without the option the generator draws exactly what it always drew.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from archive.report import CellValue

SHAPES = ("markdown", "html", "blanklines", "tabs", "lines", "pipes", "pdf", "traditional")

APPLICANT_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
)
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending")

# (row key, group header or None, label variants)
DENIED = [
    ("state_secret", ["1.属于国家秘密"]),
    ("prohibited_by_law", ["2.其他法律行政法规禁止公开", "2.其他法律行政止公开"]),
    ("three_safeties", ["3.危及“三安全一稳定”", "3.危机“三安全一稳定”", "3.危及三安全一稳定"]),
    ("third_party", ["4.保护第三方合法权益"]),
    ("internal_affairs", ["5.属于三类内部事务信息", "5.属于三类内部事物信息"]),
    ("process_info", ["6.属于四类过程性信息"]),
    ("enforcement_file", ["7.属于行政执法案卷"]),
    ("query_item", ["8.属于行政查询事项"]),
]
UNABLE = [
    ("not_held", ["1.本机关不掌握相关政府信息", "1.本级关不掌握相关政府信息"]),
    ("needs_creation", ["2.没有现成信息需要另行制作", "2.没有现成信息，需要另行制作"]),
    ("unclear", ["3.补正后申请内容仍不明确"]),
]
NOT_PROCESSED = [
    ("petition", ["1.信访举报投诉类申请"]),
    ("duplicate", ["2.重复申请"]),
    ("publication", ["3.要求提供公开出版物"]),
    ("excessive", ["4.无正当理由大量反复申请"]),
    ("confirmation", ["5.要求行政机关确认或重新出具已获取信息"]),
]
OTHER_HANDLING = [
    ("no_correction", ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]),
    ("unpaid_fee", ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"]),
    ("other", ["3.其他"]),
]

AGENCIES = [
    "西藏自治区科学技术厅",
    "衢州市国资委",
    "贵州省机关事务管理局",
    "淮安市洪泽区人民政府",
    "某某市人民政府办公室",
    "沭阳县发展和改革局",
    "自治区经济和信息化厅",
    "上海市黄浦区人民政府",
    "杭州市西湖区文化广电旅游体育局",
    "宁国市商务局",
]
OVERVIEW = [
    "本机关坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实政务公开工作部署，持续加强和规范信息公开。",
    "我局严格按照信息公开工作相关制度，全面落实以公开为常态、不公开为例外的要求，做到应公开尽公开。",
]
PROBLEMS = [
    "政府信息公开工作取得一定成效，但信息公开的深度和广度还有待提升，政策解读形式较为单一。",
    "存在的主要问题是公开内容不够全面，下一步将加强队伍建设，提升工作水平。",
]
HEADINGS = {
    1: ["一、总体情况"],
    2: ["二、主动公开政府信息情况"],
    3: ["三、收到和处理政府信息公开申请情况"],
    4: [
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ],
    5: [
        "五、存在的主要问题及改进情况",
        "五、存在的主要问题及整改措施",
        "五、政府信息公开工作存在的主要问题及改进情况",
    ],
    6: ["六、其他需要报告的事项"],
}
PLACEHOLDERS = ("—", "/", "无")
KANGXI = {
    "一": "\u2f00",
    "二": "\u2f06",
    "人": "\u2f08",
    "入": "\u2f0a",
    "八": "\u2f0b",
    "工": "\u2f2f",
    "大": "\u2f24",
}
PINYIN = [
    "biāo",
    "tí",
    "qū",
    "xué",
    "shù",
    "hào",
    "fā",
    "jī",
    "gòu",
    "bào",
    "gào",
    "zhèng",
    "fǔ",
    "xìn",
    "gōng",
    "kāi",
]


@dataclass
class Cellish:
    """A cell of the logical table: text, spans, and whether it is a data cell."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    data: bool = False
    blank: bool = False  # a data cell the report leaves empty


@dataclass
class Expected:
    """What the parser must return for a generated report."""

    title: str | None
    agency: str
    year: int
    published_on: str
    index_no: str | None
    format: str
    processing_fee_yuan: CellValue
    cells: dict[str, CellValue]
    checks_failed: list[str]
    overview: str
    problems: str
    # Applications rows whose 法人或其他组织 小计 disagrees with the sum of its five columns.
    subtotal_mismatches: list[str] = field(default_factory=list)


@dataclass
class Generated:
    shape: str
    text: str  # the rendered document (HTML for the html shape)
    expected: Expected
    is_html: bool = False
    meta: dict[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def _count(rng: random.Random, big: bool = False) -> int:
    r = rng.random()
    if r < 0.55:
        return 0
    if r < 0.85:
        return rng.randint(1, 9)
    return rng.randint(10, 5000 if big else 400)


def _outcome_rows(fmt: str, single_other: bool) -> list[str]:
    rows = ["granted", "partially_granted"]
    rows += [f"denied.{k}" for k, _ in DENIED]
    rows += [f"unable.{k}" for k, _ in UNABLE]
    rows += [f"not_processed.{k}" for k, _ in NOT_PROCESSED]
    if fmt == "2019" or single_other:
        rows.append("other_handling")
    else:
        rows += [f"other_handling.{k}" for k, _ in OTHER_HANDLING]
    return rows


def make_numbers(rng: random.Random, fmt: str, single_other: bool) -> dict[str, CellValue]:
    """Consistent tables (every 勾稽 rule holds) before blanks and errors are put in."""
    cells: dict[str, CellValue] = {}
    outcome = _outcome_rows(fmt, single_other)
    for col in APPLICANT_COLUMNS:
        active_col = col == "natural_person" or rng.random() < 0.35
        tot = 0
        for row in outcome:
            v = _count(rng) if active_col else 0
            cells[f"applications.{row}.{col}"] = v
            tot += v
        carried_over = _count(rng) if active_col and rng.random() < 0.4 else 0
        carried_forward = _count(rng) if active_col and rng.random() < 0.4 else 0
        new = tot + carried_forward - carried_over
        if new < 0:
            carried_forward -= new
            new = 0
        cells[f"applications.total.{col}"] = tot
        cells[f"applications.new.{col}"] = new
        cells[f"applications.carried_over.{col}"] = carried_over
        cells[f"applications.carried_forward.{col}"] = carried_forward
    for row in ["new", "carried_over", *outcome, "total", "carried_forward"]:
        cells[f"applications.{row}.total"] = sum(cells[f"applications.{row}.{c}"] for c in APPLICANT_COLUMNS)
    for g in REVIEW_GROUPS:
        vals = [_count(rng) if rng.random() < 0.3 else 0 for _ in REVIEW_COLUMNS]
        for c, v in zip(REVIEW_COLUMNS, vals, strict=True):
            cells[f"{g}.{c}"] = v
        cells[f"{g}.total"] = sum(vals)
    if fmt == "2021":
        for row in ("rules", "normative_documents"):
            for c in ("issued", "repealed", "in_force"):
                cells[f"active.{row}.{c}"] = _count(rng)
        for row in ("licensing", "penalty", "enforcement"):
            cells[f"active.{row}.decisions"] = _count(rng, big=True)
        cells["active.fees.amount"] = _amount(rng)
    else:
        for row in ("rules", "normative_documents"):
            for c in ("made", "published", "total_public"):
                cells[f"active.{row}.{c}"] = _count(rng)
        for row in ("licensing", "other_services", "penalty", "enforcement"):
            cells[f"active.{row}.prior_items"] = _count(rng)
            cells[f"active.{row}.change"] = rng.choice([0, rng.randint(-20, 20), rng.randint(1, 2000)])
            cells[f"active.{row}.decisions"] = _count(rng, big=True)
        cells["active.fees.prior_items"] = _count(rng)
        cells["active.fees.change"] = rng.randint(-5, 5)
        cells["active.procurement.items"] = _count(rng)
        cells["active.procurement.amount"] = _amount(rng)
    return cells


def _amount(rng: random.Random) -> CellValue:
    r = rng.random()
    if r < 0.4:
        return 0
    if r < 0.7:
        return rng.randint(1, 300000)
    return Decimal(rng.randint(1, 9999999)) / 100


def expected_failures(cells: dict[str, CellValue], outcome: list[str]) -> list[str]:
    """The rules a set of cells breaks, computed independently of archive.parser.checks."""
    failed = []

    def get(k: str) -> CellValue:
        return cells.get(k)

    cols = (*APPLICANT_COLUMNS, "total")
    for c in cols:
        v = [get(f"applications.{r}.{c}") for r in ("new", "carried_over", "total", "carried_forward")]
        if None not in v and v[0] + v[1] != v[2] + v[3]:
            failed.append(f"balance:{c}")
    for c in cols:
        v = [get(f"applications.{r}.{c}") for r in outcome]
        t = get(f"applications.total.{c}")
        if None not in v and t is not None and sum(v) != t:
            failed.append(f"outcomes:{c}")
    for r in ["new", "carried_over", *outcome, "total", "carried_forward"]:
        v = [get(f"applications.{r}.{c}") for c in APPLICANT_COLUMNS]
        t = get(f"applications.{r}.total")
        if None not in v and t is not None and sum(v) != t:
            failed.append(f"row_total:{r}")
    for g in REVIEW_GROUPS:
        v = [get(f"{g}.{c}") for c in REVIEW_COLUMNS]
        t = get(f"{g}.total")
        if None not in v and t is not None and sum(v) != t:
            failed.append(f"review_total:{g}")
    return sorted(failed)


def make_subtotals(
    rng: random.Random, cells: dict[str, CellValue], rows: list[str]
) -> tuple[dict[str, CellValue], list[str]]:
    """The 小计 column: per row, the sum of the organisation cells filled (blank if none), sometimes
    one of them wrong; and the rows whose 小计 the parser can see to disagree (all five filled)."""
    subtotals: dict[str, CellValue] = {}
    for row in rows:
        filled = [cells[f"applications.{row}.{c}"] for c in APPLICANT_COLUMNS[1:]]
        present = [v for v in filled if v is not None]
        subtotals[row] = sum(present) if present else None
    if rng.random() < 0.3:
        row = rng.choice([r for r in rows if subtotals[r] is not None] or rows)
        if subtotals[row] is not None:
            subtotals[row] += rng.randint(1, 5)
    mismatches = []
    for row in rows:
        orgs = [cells[f"applications.{row}.{c}"] for c in APPLICANT_COLUMNS[1:]]
        if subtotals[row] is not None and None not in orgs and sum(orgs) != subtotals[row]:
            mismatches.append(row)
    return subtotals, mismatches


# ---------------------------------------------------------------------------------------------
# Logical tables (official structure, with spans)
# ---------------------------------------------------------------------------------------------


def _v(cells: dict[str, CellValue], key: str, colspan: int = 1) -> Cellish:
    value = cells[key]
    if value is None:
        return Cellish("", colspan=colspan, data=True, blank=True)
    text = str(value)
    if key.endswith(".change") and isinstance(value, int) and value > 0:
        text = f"+{value}"
    return Cellish(text, colspan=colspan, data=True)


def active_table(cells: dict[str, CellValue], fmt: str, rng: random.Random) -> list[list[Cellish]]:
    t: list[list[Cellish]] = []
    if fmt == "2021":
        t.append([Cellish("第二十条第（一）项", colspan=4)])
        t.append(
            [Cellish("信息内容"), Cellish("本年制发件数"), Cellish("本年废止件数"), Cellish("现行有效件数")]
        )
        norm = rng.choice(["行政规范性文件", "规范性文件"])
        for row, label in (("rules", "规章"), ("normative_documents", norm)):
            t.append(
                [Cellish(label)]
                + [_v(cells, f"active.{row}.{c}") for c in ("issued", "repealed", "in_force")]
            )
        decision = rng.choice(["本年处理决定数量", "本年度处理决定数量"])
        t.append([Cellish("第二十条第（五）项", colspan=4)])
        t.append([Cellish("信息内容"), Cellish(decision, colspan=3)])
        t.append([Cellish("行政许可"), _v(cells, "active.licensing.decisions", 3)])
        t.append([Cellish("第二十条第（六）项", colspan=4)])
        t.append([Cellish("信息内容"), Cellish(decision, colspan=3)])
        t.append([Cellish("行政处罚"), _v(cells, "active.penalty.decisions", 3)])
        t.append([Cellish("行政强制"), _v(cells, "active.enforcement.decisions", 3)])
        t.append([Cellish("第二十条第（八）项", colspan=4)])
        t.append([Cellish("信息内容"), Cellish("本年收费金额（单位：万元）", colspan=3)])
        t.append([Cellish("行政事业性收费"), _v(cells, "active.fees.amount", 3)])
        return t
    t.append([Cellish("第二十条第（一）项", colspan=4)])
    t.append(
        [Cellish("信息内容"), Cellish("本年新制作数量"), Cellish("本年新公开数量"), Cellish("对外公开总数量")]
    )
    for row, label in (("rules", "规章"), ("normative_documents", "规范性文件")):
        t.append(
            [Cellish(label)] + [_v(cells, f"active.{row}.{c}") for c in ("made", "published", "total_public")]
        )
    head = [Cellish("信息内容"), Cellish("上一年项目数量"), Cellish("本年增/减"), Cellish("处理决定数量")]
    t.append([Cellish("第二十条第（五）项", colspan=4)])
    t.append(head)
    for row, label in (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")):
        t.append(
            [Cellish(label)]
            + [_v(cells, f"active.{row}.{c}") for c in ("prior_items", "change", "decisions")]
        )
    t.append([Cellish("第二十条第（六）项", colspan=4)])
    t.append(list(head))
    for row, label in (("penalty", "行政处罚"), ("enforcement", "行政强制")):
        t.append(
            [Cellish(label)]
            + [_v(cells, f"active.{row}.{c}") for c in ("prior_items", "change", "decisions")]
        )
    t.append([Cellish("第二十条第（八）项", colspan=4)])
    t.append([Cellish("信息内容"), Cellish("上一年项目数量"), Cellish("本年增/减", colspan=2)])
    t.append(
        [Cellish("行政事业性收费"), _v(cells, "active.fees.prior_items"), _v(cells, "active.fees.change", 2)]
    )
    t.append([Cellish("第二十条第（九）项", colspan=4)])
    t.append([Cellish("信息内容"), Cellish("采购项目数量"), Cellish("采购总金额", colspan=2)])
    t.append(
        [
            Cellish("政府集中采购"),
            _v(cells, "active.procurement.items"),
            _v(cells, "active.procurement.amount", 2),
        ]
    )
    return t


def applications_table(
    cells: dict[str, CellValue],
    fmt: str,
    single_other: bool,
    rng: random.Random,
    subtotals: dict[str, CellValue] | None = None,
) -> list[list[Cellish]]:
    """Table 三; with `subtotals`, an 8th column 小计 (法人或其他组织) between 其他 and 总计."""
    sep = rng.choice([".", "、"])
    orgs = 6 if subtotals is not None else 5

    def lab(variants: list[str]) -> str:
        return rng.choice(variants).replace(".", sep, 1)

    def _app_values(cells: dict[str, CellValue], row: str) -> list[Cellish]:
        values = [_v(cells, f"applications.{row}.{c}") for c in (*APPLICANT_COLUMNS, "total")]
        if subtotals is not None:
            sub = subtotals[row]
            values.insert(
                -1, Cellish("", data=True, blank=True) if sub is None else Cellish(str(sub), data=True)
            )
        return values

    t: list[list[Cellish]] = [
        [
            Cellish(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3
            ),
            Cellish("申请人情况", colspan=orgs + 2),
        ],
        [Cellish("自然人", rowspan=2), Cellish("法人或其他组织", colspan=orgs), Cellish("总计", rowspan=2)],
        [Cellish(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "小计")[:orgs]],
        [Cellish("一、本年新收政府信息公开申请数量", colspan=3), *_app_values(cells, "new")],
        [Cellish("二、上年结转政府信息公开申请数量", colspan=3), *_app_values(cells, "carried_over")],
    ]
    body: list[list[Cellish]] = []
    body.append([Cellish("（一）予以公开", colspan=2), *_app_values(cells, "granted")])
    body.append(
        [
            Cellish("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2),
            *_app_values(cells, "partially_granted"),
        ]
    )
    for head, group, items in (
        ("（三）不予公开", "denied", DENIED),
        ("（四）无法提供", "unable", UNABLE),
        ("（五）不予处理", "not_processed", NOT_PROCESSED),
    ):
        for i, (key, variants) in enumerate(items):
            row = [Cellish(lab(variants)), *_app_values(cells, f"{group}.{key}")]
            if i == 0:
                row.insert(0, Cellish(head, rowspan=len(items)))
            body.append(row)
    if fmt == "2019" or single_other:
        body.append([Cellish("（六）其他处理", colspan=2), *_app_values(cells, "other_handling")])
    else:
        for i, (key, variants) in enumerate(OTHER_HANDLING):
            row = [Cellish(lab(variants)), *_app_values(cells, f"other_handling.{key}")]
            if i == 0:
                row.insert(0, Cellish("（六）其他处理", rowspan=len(OTHER_HANDLING)))
            body.append(row)
    body.append([Cellish("（七）总计", colspan=2), *_app_values(cells, "total")])
    body[0].insert(0, Cellish("三、本年度办理结果", rowspan=len(body)))
    t += body
    t.append([Cellish("四、结转下年度继续办理", colspan=3), *_app_values(cells, "carried_forward")])
    return t


def review_table(cells: dict[str, CellValue], rng: random.Random) -> list[list[Cellish]]:
    upheld = rng.choice(["结果维持", "结果维持", "结果维护"])
    heads = [upheld, "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [Cellish("行政复议", colspan=5), Cellish("行政诉讼", colspan=10)],
        [
            *(Cellish(h, rowspan=2) for h in heads),
            Cellish("未经复议直接起诉", colspan=5),
            Cellish("复议后起诉", colspan=5),
        ],
        [Cellish(h) for h in heads * 2],
        [_v(cells, f"{g}.{c}") for g in REVIEW_GROUPS for c in (*REVIEW_COLUMNS, "total")],
    ]


def expand(table: list[list[Cellish]]) -> list[list[str]]:
    """The grid trafilatura makes of a table: each span's text in its first cell, '' in the rest."""
    occupied: dict[tuple[int, int], str] = {}
    width = 0
    for r, row in enumerate(table):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied[(r + dr, c + dc)] = cell.text if dr == dc == 0 else ""
            c += cell.colspan
            width = max(width, c)
    grid = [[occupied.get((r, c), "") for c in range(width)] for r in range(len(table))]
    return [row for row in grid if any(row)]


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


@dataclass
class Doc:
    """A report before rendering: metadata lines, paragraphs and tables in document order."""

    meta_lines: list[str]
    blocks: list[tuple[str, object]]  # ("p", text) | ("table", (name, rows))


def _placeholder(rng: random.Random) -> str:
    return rng.choice(PLACEHOLDERS)


def _split_label(text: str, rng: random.Random) -> list[str]:
    if len(text) >= 6 and rng.random() < 0.25:
        k = rng.randint(2, len(text) - 2)
        return [text[:k], text[k:]]
    return [text]


def _only_np_total(row: list[Cellish]) -> bool:
    data = [c for c in row if c.data]
    return (
        len(data) in (7, 8) and not data[0].blank and not data[-1].blank and all(c.blank for c in data[1:-1])
    )


def render_stream(doc: Doc, shape: str, rng: random.Random) -> str:
    """One cell per line shapes: `lines`, `blanklines`, `tabs`."""
    out: list[str] = list(doc.meta_lines)
    out.append("")
    vanish = rng.random() < 0.5  # drop blank org columns of np/total-only rows (seed 004)
    for kind, payload in doc.blocks:
        if kind == "p":
            out.append(str(payload))
            out.append("")
            continue
        name, rows = payload  # type: ignore[misc]
        for row in rows:
            cells = list(row)
            if shape != "tabs" and name == "applications" and vanish and _only_np_total(cells):
                cells = [c for c in cells if not (c.data and c.blank)]
            for cell in cells:
                if shape == "tabs":
                    out.extend(
                        "\t" + part
                        for part in (_split_label(cell.text, rng) if not cell.data else [cell.text])
                    )
                    continue
                if cell.data and cell.blank:
                    out.append("" if shape == "blanklines" else _placeholder(rng))
                    continue
                parts = _split_label(cell.text, rng) if not cell.data else [cell.text]
                out.extend(parts)
                if shape == "blanklines":
                    out.append("")
            if shape == "tabs":
                out.append("")
    return "\n".join(out)


def render_pipes(doc: Doc, rng: random.Random) -> str:
    """`a | b | c | ||` rows (seed 001): origin cells in order, junk padding at the end."""
    out = list(doc.meta_lines)
    for kind, payload in doc.blocks:
        if kind == "p":
            out.append(str(payload))
            continue
        _, rows = payload  # type: ignore[misc]
        for row in rows:
            texts = [c.text for c in row]
            for i in (0, -1):  # an empty first or last cell would be lost in the padding
                if row and row[i].data and row[i].blank:
                    texts[i] = _placeholder(rng)
            out.append(" | ".join(texts) + " |" + rng.choice(["", " ||", " |||", " | |"]))
    return "\n".join(out)


def render_markdown(doc: Doc) -> str:
    """trafilatura markdown: paragraphs, and tables as expanded grid rows `| a | b | `."""
    out = list(doc.meta_lines)
    out.append("")
    for kind, payload in doc.blocks:
        if kind == "p":
            out.append(str(payload))
            out.append("")
            continue
        _, rows = payload  # type: ignore[misc]
        for grid_row in expand(rows):
            out.append("| " + " | ".join(grid_row) + " | ")
        out.append("")
    return "\n".join(out)


def _word_cell(text: str, rng: random.Random) -> str:
    """A cell's content as Word pastes it: the text cut into styled spans, maybe inside a <p>."""
    if not text:
        return rng.choice(["&nbsp;", "", "<p>&nbsp;</p>", " "])
    if rng.random() < 0.5 or len(text) < 2:
        return escape(text)
    k = rng.randint(1, len(text) - 1)
    spans = (
        f'<span style="font-family:宋体;font-size:10.5pt">{escape(text[:k])}</span>'
        f'<span lang="EN-US" style="font-size:10.5pt">{escape(text[k:])}</span>'
    )
    return f'<p class="MsoNormal" align="center">{spans}</p>' if rng.random() < 0.5 else spans


def render_html(doc: Doc, rng: random.Random, title: str | None) -> str:
    """A report page: metadata in <meta>s and a header table, narrative <p>s, tables with spans."""
    meta = dict(line.split("：", 1) for line in doc.meta_lines if "：" in line)
    head = [f'<meta name="ArticleTitle" content="{escape(meta["标题"])}">' if "标题" in meta else ""]
    if "发布日期" in meta:
        head.append(f'<meta name="PubDate" content="{escape(meta["发布日期"])} 15:53">')
    page_title = f"<title>{escape(title)}_某某市人民政府门户网站</title>" if title else ""
    parts = ["<html><head><meta charset='utf-8'>", *head, page_title, "</head><body>"]
    parts.append('<div class="nav">首页 &gt; 政务公开 &gt; 年度报告</div><div class="info">')
    parts += [f"<p>{escape(line)}</p>" for line in doc.meta_lines]
    parts.append('</div><div class="TRS_Editor">')
    for kind, payload in doc.blocks:
        if kind == "p":
            parts.append(f'<p style="text-indent:2em">{escape(str(payload))}</p>')
            continue
        name, rows = payload  # type: ignore[misc]
        cut = rng.randint(8, len(rows) - 3) if name == "applications" and rng.random() < 0.5 else None
        parts.append('<table border="1" cellspacing="0" style="border-collapse:collapse"><tbody>')
        for i, row in enumerate(rows):
            if cut is not None and i == cut:  # Word's page break: the table goes on in a new <table>
                parts.append("</tbody></table><p>&nbsp;</p><table border='1'><tbody>")
                row = _reopen_rowspans(rows, i)
            stop = cut if cut is not None and i < cut else len(rows)
            tds = []
            for cell in row:
                attrs = ""
                if cell.colspan > 1:
                    attrs += f' colspan="{cell.colspan}"'
                if min(cell.rowspan, stop - i) > 1:
                    attrs += f' rowspan="{min(cell.rowspan, stop - i)}"'
                tds.append(f'<td{attrs} width="{rng.randint(40, 120)}">{_word_cell(cell.text, rng)}</td>')
            parts.append("<tr>" + "".join(tds) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</div><div class='foot'>无障碍 关怀版</div></body></html>")
    return "\n".join(parts)


def _reopen_rowspans(rows: list[list[Cellish]], i: int) -> list[Cellish]:
    """The first row of a table's continuation: rowspans cut by the page break are repeated."""
    row = list(rows[i])
    lead: list[Cellish] = []
    for j in range(i):
        for cell in rows[j]:
            if cell.rowspan > 1 and j + cell.rowspan > i:
                lead.append(Cellish(cell.text, cell.colspan, j + cell.rowspan - i))
    return lead + row


def render_pdf(doc: Doc, rng: random.Random) -> str:
    """PDF text: a run of numbers per row, runs sometimes before their label, Kangxi radicals, footers."""
    out: list[str] = []
    page = 1
    for kind, payload in doc.blocks:
        if kind == "p":
            text = str(payload)
            if len(text) > 40:  # PDF lines wrap
                while len(text) > 30:
                    out.append(text[:30])
                    text = text[30:]
            out.append(text)
            continue
        name, rows = payload  # type: ignore[misc]
        for row in rows:
            labels = [c.text for c in row if not c.data]
            values = [c for c in row if c.data]
            if not values:
                out.extend(labels)
                continue
            run = " ".join(_placeholder(rng) if c.blank else c.text for c in values)
            label = "".join(labels)
            if name == "review":
                out.append(run)
            elif name == "applications" and rng.random() < 0.25:
                out.append(run)  # vertically centred: the numbers come out before the label
                out.extend(_split_label(label, rng))
            elif rng.random() < 0.2 and len(label) > 8:
                k = rng.randint(3, len(label) - 3)
                out.append(f"{label[:k]} {run}")
                out.append(label[k:])
            else:
                out.append(f"{label} {run}")
        if rng.random() < 0.5:
            page += 1
            out.append(f"- {page} -")
    text = "\n".join(out)
    return "".join(KANGXI.get(ch, ch) if rng.random() < 0.5 else ch for ch in text)


def traditionalize(text: str, rng: random.Random) -> str:
    """Traditional characters, pinyin glued after some characters, spaces lost to `?`/NBSP/U+3000."""
    import opencc

    t = opencc.OpenCC("s2t").convert(text)
    out = []
    for ch in t:
        out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.15:
            out.append(f"({rng.choice(PINYIN)})")
    t = "".join(out)
    t = t.replace("  ", rng.choice(["??", "\u3000\u3000", "\u00a0\u00a0"]))
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() and rng.random() < 0.1 else ch for ch in t)


# ---------------------------------------------------------------------------------------------
# The whole report
# ---------------------------------------------------------------------------------------------


def _date(rng: random.Random, year: int) -> str:
    return f"{year}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"


@dataclass
class Model:
    """One random report before rendering: its document model, its expected parse, and what the
    `pdf` shape needs to say it differently (the signature date, the title as printed)."""

    doc: Doc
    expected: Expected
    signed: str
    title: str
    headless: bool
    meta_style: str


def generate(rng: random.Random, shape: str, *, subtotal: bool = False) -> Generated:
    """One random report rendered in `shape`, with its expected parse.

    `subtotal`: the applications table has the 法人或其他组织 小计 column (see the module docs).
    """
    return render(model(rng, subtotal=subtotal), shape, rng)


def model(rng: random.Random, *, subtotal: bool = False) -> Model:
    """One random report's model and expectation (what `generate` renders; it draws the year first)."""
    year = rng.randint(2019, 2025)
    fmt = "2019" if year <= 2020 else "2021"
    single_other = fmt == "2021" and rng.random() < 0.2
    agency = rng.choice(AGENCIES)
    cells = make_numbers(rng, fmt, single_other)
    outcome = _outcome_rows(fmt, single_other)

    # Blank cells (null), and sometimes a number that breaks a rule.
    blank_rate = rng.choice([0.0, 0.0, 0.05, 0.2])
    for key in list(cells):
        if rng.random() < blank_rate:
            cells[key] = None
    if rng.random() < 0.15:  # a row with only 自然人 and 总计 filled (seed 004)
        row = rng.choice(["carried_over", *outcome])
        for c in APPLICANT_COLUMNS[1:]:
            cells[f"applications.{row}.{c}"] = None
        for c in (APPLICANT_COLUMNS[0], "total"):
            if cells[f"applications.{row}.{c}"] is None:
                cells[f"applications.{row}.{c}"] = 0
    if rng.random() < 0.3:
        key = rng.choice([k for k in cells if not k.startswith("active.")])
        if cells[key] is not None:
            cells[key] += rng.randint(1, 5)
    subtotals: dict[str, CellValue] | None = None
    mismatches: list[str] = []
    if subtotal:
        subtotals, mismatches = make_subtotals(
            rng, cells, ["new", "carried_over", *outcome, "total", "carried_forward"]
        )

    # Metadata block, title, dates.
    pub = _date(rng, year + 1)
    sig = _date(rng, year + 1)
    index_no = f"{rng.randint(10**8, 10**9)}/{year + 1}-{rng.randint(1, 99999):05d}"
    title_variant = rng.choice(
        [
            "{a}{y}年政府信息公开工作年度报告",
            "{a}{y}年度政府信息公开工作年度报告",
            "{a}{y}年度信息公开工作报告",
        ]
    )
    title = title_variant.format(a=agency, y=year)
    meta_style = rng.choice(["colon", "pipes", "spaced", "time", "none"])
    meta_lines: list[str] = []
    exp_index: str | None = index_no
    exp_pub = pub
    exp_title: str | None = title
    if meta_style == "colon":
        meta_lines = [f"标题：{title}", f"索引号：{index_no}", f"发布机构：{agency}", f"发布日期：{pub}"]
        rng.shuffle(meta_lines)
    elif meta_style == "pipes":
        meta_lines = [
            f"索引号: | {index_no} | 成文日期: | {pub} |",
            f"公开方式: | 主动公开 | 组配分类: | {year}年度 |",
            "发布机构: | 办公室 | ||",
        ]
    elif meta_style == "spaced":
        meta_lines = [
            f"标\u00a0\u00a0\u00a0\u00a0题 {title}",
            f"索引号 {index_no} 文\u00a0\u00a0\u00a0号",
            f"发布机构 发布日期 {pub} 15:53:27",
        ]
    elif meta_style == "time":
        meta_lines = [f"发布时间: {pub} 11:11 字体:[]"]
        exp_index = None
    else:
        exp_index, exp_pub = None, sig

    # Body.
    blocks: list[tuple[str, object]] = []
    headless = meta_style in ("pipes", "time", "none") and rng.random() < 0.3
    if headless:  # the title leaves the agency out; the opening sentence names it (seed 004)
        exp_title = f"{year}年政府信息公开工作年度报告"
        blocks.append(("p", exp_title))
    elif meta_style not in ("colon", "spaced"):
        if rng.random() < 0.5:
            blocks.append(("p", title))
        else:  # split over two lines (seed 003)
            k = len(agency) + 4
            blocks += [("p", title[:k]), ("p", title[k:])]
    blocks.append(
        ("p", f"根据《中华人民共和国政府信息公开条例》要求，现公布{agency}{year}年政府信息公开工作年度报告。")
    )
    blocks.append(("p", f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"))
    overview = rng.choice(OVERVIEW)
    problems = rng.choice(PROBLEMS)
    h = {n: rng.choice(v) for n, v in HEADINGS.items()}
    blocks += [
        ("p", h[1]),
        ("p", overview),
        ("p", h[2]),
        ("table", ("active", active_table(cells, fmt, rng))),
    ]
    app_table = applications_table(cells, fmt, single_other, rng, subtotals)
    blocks += [("p", h[3]), ("table", ("applications", app_table))]
    blocks += [("p", h[4]), ("table", ("review", review_table(cells, rng)))]
    blocks += [("p", h[5]), ("p", problems), ("p", h[6])]
    fee_kind = rng.choice(["zero", "amount", "none_collected", "silent"])
    fee: CellValue
    if fee_kind == "zero":
        blocks.append(("p", f"{year}年度信息处理费0元。"))
        fee = 0
    elif fee_kind == "amount":
        fee = rng.randint(1, 9000)
        blocks.append(("p", f"全年收取政府信息公开信息处理费{fee}元。"))
    elif fee_kind == "none_collected":
        blocks.append(("p", "未收取信息处理费，无其他需要报告的事项。"))
        fee = 0
    else:
        blocks.append(("p", "无其他需要报告的事项。"))
        fee = None
    y, m, d = sig.split("-")
    blocks += [("p", agency), ("p", f"{y}年{int(m)}月{int(d)}日")]

    expected = Expected(
        title=exp_title,
        agency=agency,
        year=year,
        published_on=exp_pub,
        index_no=exp_index,
        format=fmt,
        processing_fee_yuan=fee,
        cells=dict(cells),
        checks_failed=expected_failures(cells, outcome),
        overview=overview,
        problems=problems,
        subtotal_mismatches=mismatches,
    )
    return Model(Doc(meta_lines, blocks), expected, sig, title, headless, meta_style)


def render(report: Model, shape: str, rng: random.Random) -> Generated:
    """`report` rendered in `shape`, drawing the shape's own choices from `rng`."""
    doc, expected = report.doc, report.expected
    exp_title = expected.title
    if shape == "markdown":
        return Generated(shape, render_markdown(doc), expected)
    if shape == "html":
        return Generated(shape, render_html(doc, rng, exp_title), expected, is_html=True)
    if shape in ("lines", "blanklines", "tabs"):
        return Generated(shape, render_stream(doc, shape, rng), expected)
    if shape == "pipes":
        return Generated(shape, render_pipes(doc, rng), expected)
    if shape == "pdf":
        expected.index_no = None  # a PDF has no page metadata block
        expected.published_on = report.signed
        expected.title = report.title if not report.headless else exp_title
        if not report.headless and report.meta_style in ("colon", "spaced"):
            doc.blocks.insert(0, ("p", report.title))
        doc.meta_lines = []
        return Generated(shape, render_pdf(doc, rng), expected)
    if shape == "traditional":
        inner = rng.choice(["markdown", "blanklines", "tabs", "lines", "pipes"])
        base = generate_from(doc, inner, rng)
        return Generated(shape, traditionalize(base, rng), expected, meta={"inner": inner})
    raise ValueError(shape)


def generate_from(doc: Doc, shape: str, rng: random.Random) -> str:
    if shape == "markdown":
        return render_markdown(doc)
    if shape == "pipes":
        return render_pipes(doc, rng)
    return render_stream(doc, shape, rng)
