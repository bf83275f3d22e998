"""The official report layout (国办公开办函〔2019〕60号 and 〔2021〕30号) and label matching.

Everything the parser knows about the standard tables lives here: the row and column keys of
REPORT.md, the order of the rows, and the *meaning* of each label as a pattern. Labels are matched
on compacted, normalised text (no whitespace, simplified, NFKC), by distinctive keywords rather
than whole strings, so typos seen in real reports (危机/危及, 内部事物, 本级关, 其他法律行政止公开,
结果维护, 规范性文件 for 行政规范性文件, `1、` for `1.`) and labels split over lines still match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# ---------------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------------

APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
ORG_COLUMNS = APPLICANT_COLUMNS[1:6]
# Some publishers add an 8th column, a 法人或其他组织 小计 between 其他 and 总计 (domain notes §1.4,
# §3.6), in either format. It is read to keep every other cell in its column, then dropped: it is
# no key of REPORT.md, only checked against the sum of the five organisation columns.
SUBTOTAL_COLUMN = "subtotal"
APPLICANT_COLUMNS_WITH_SUBTOTAL: tuple[str, ...] = (*APPLICANT_COLUMNS[:6], SUBTOTAL_COLUMN, "total")
SUBTOTAL_HEADER = "小计"

REVIEW_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")

# ---------------------------------------------------------------------------------------------
# Table 三: application rows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowPattern:
    key: str  # row key, e.g. "denied.state_secret"
    pattern: re.Pattern[str]


def _p(key: str, regex: str) -> RowPattern:
    return RowPattern(key, re.compile(regex))


# Keyword patterns, searched in compacted label text. The last match in a label wins (the label
# nearest the numbers), so a group header glued in front ("(三)不予公开1.属于国家秘密") is harmless.
APPLICATION_ROW_PATTERNS: tuple[RowPattern, ...] = (
    _p("new", r"本年(度)?新收|新收(到)?(的)?政府信息公开申请"),
    _p("carried_over", r"上(一)?年(度)?结转"),
    _p("granted", r"予以公开"),
    _p("partially_granted", r"部分公开"),
    _p("denied.state_secret", r"国家秘密"),
    _p("denied.prohibited_by_law", r"其他法律|法规禁止|行政止公开|禁止公开"),
    _p("denied.three_safeties", r"三安全|一稳定|危[及机急]"),
    _p("denied.third_party", r"第三方"),
    _p("denied.internal_affairs", r"内部事[务物]"),
    _p("denied.process_info", r"过程性"),
    _p("denied.enforcement_file", r"执法案卷"),
    _p("denied.query_item", r"查询事项"),
    _p("unable.not_held", r"不掌握"),
    _p("unable.needs_creation", r"另行制作|没有现成"),
    _p("unable.unclear", r"仍不明确|补正后"),
    _p("not_processed.petition", r"信访|举报投诉"),
    _p("not_processed.duplicate", r"重复申请"),
    _p("not_processed.publication", r"出版物"),
    _p("not_processed.excessive", r"大量反复"),
    _p("not_processed.confirmation", r"确认或重|重新出具"),
    _p("other_handling.no_correction", r"不补正|逾期不补"),
    _p("other_handling.unpaid_fee", r"收费通知|缴纳费用"),
    _p("other_handling.other", r"\d[.、]其他(?![\u4e00-\u9fff])"),
    # Single-row 三(六) (2019 format, and some 2021-era reports); "(六)其他" is an OCR variant.
    _p("other_handling", r"\(六\)其他处理|其他处理|\(六\)其他(?![\u4e00-\u9fff])"),
    _p("total", r"总计"),
    _p("carried_forward", r"结转下|继续办理"),
)

# Rows that count as outcomes (三(一)–(六)) in the `outcomes` rule, in table order.
OUTCOME_ROWS_2021: tuple[str, ...] = (
    "granted",
    "partially_granted",
    "denied.state_secret",
    "denied.prohibited_by_law",
    "denied.three_safeties",
    "denied.third_party",
    "denied.internal_affairs",
    "denied.process_info",
    "denied.enforcement_file",
    "denied.query_item",
    "unable.not_held",
    "unable.needs_creation",
    "unable.unclear",
    "not_processed.petition",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirmation",
    "other_handling.no_correction",
    "other_handling.unpaid_fee",
    "other_handling.other",
)
OTHER_HANDLING_SUBROWS = OUTCOME_ROWS_2021[-3:]
OUTCOME_ROWS_SINGLE = (*OUTCOME_ROWS_2021[:-3], "other_handling")

APPLICATION_ROWS_2021: tuple[str, ...] = (
    "new",
    "carried_over",
    *OUTCOME_ROWS_2021,
    "total",
    "carried_forward",
)
APPLICATION_ROWS_2019: tuple[str, ...] = (
    "new",
    "carried_over",
    *OUTCOME_ROWS_SINGLE,
    "total",
    "carried_forward",
)


# How many of the applications table's three label columns a row's own label spans in the official
# template: 一/二/四 span all three, (一)(二)(七) and a single-row (六) two, the numbered sub-items
# one (their group header, rowspanned, takes the column before). A table cut in two loses the
# rowspanned cells, so where a row's values start follows from where its label stands and this.
LABEL_COLUMNS: dict[str, int] = {
    "new": 3,
    "carried_over": 3,
    "carried_forward": 3,
    "granted": 2,
    "partially_granted": 2,
    "other_handling": 2,
    "total": 2,
}


def label_columns(key: str) -> int:
    """Label columns the applications row `key` spans in the official template."""
    return LABEL_COLUMNS.get(key, 1)


# Labels up to this long are matched once and remembered (a row's label, a header cell); longer
# text (every label of a region joined) is matched afresh rather than filling the cache.
CACHED_LABEL_CHARS = 200


def match_application_labels(label: str) -> list[tuple[int, str]]:
    """Every application row named in a compacted label, as (position, row key), in text order.

    One label can name several rows in PDF text, where lines of neighbouring rows interleave.
    The specific sub-row wins over the 其他处理 group header at the same place.
    """
    if len(label) > CACHED_LABEL_CHARS:  # a region's labels joined: unique, not worth keeping
        return list(_application_labels.__wrapped__(label))
    return list(_application_labels(label))


@lru_cache(maxsize=4096)
def _application_labels(label: str) -> tuple[tuple[int, str], ...]:
    """`match_application_labels`, cached: the same labels are matched row by row, pass by pass."""
    found: list[tuple[int, str]] = []
    for rp in APPLICATION_ROW_PATTERNS:
        for m in rp.pattern.finditer(label):
            found.append((m.start(), rp.key))
    found.sort()
    # "(六)其他处理1.申请人…不补正" names the group and its first sub-row: keep the sub-row only.
    keys = {k for _, k in found}
    if "other_handling" in keys and keys & set(OTHER_HANDLING_SUBROWS):
        found = [(p, k) for p, k in found if k != "other_handling"]
    # 总计 inside 勾稽 header text is not the total row; it is only a row after the outcome rows.
    return tuple(found)


# ---------------------------------------------------------------------------------------------
# Table 二: active disclosure (主动公开)
# ---------------------------------------------------------------------------------------------

ACTIVE_ROW_PATTERNS: tuple[RowPattern, ...] = (
    _p("normative_documents", r"规范性文件"),
    _p("rules", r"规章"),
    _p("licensing", r"行政许可"),
    _p("other_services", r"对外管理服务"),
    _p("penalty", r"行政处罚"),
    _p("enforcement", r"行政强制"),
    _p("fees", r"事业性收费"),
    _p("procurement", r"集中采购"),
)

ACTIVE_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "2021": {
        "rules": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "penalty": ("decisions",),
        "enforcement": ("decisions",),
        "fees": ("amount",),
    },
    "2019": {
        "rules": ("made", "published", "total_public"),
        "normative_documents": ("made", "published", "total_public"),
        "licensing": ("prior_items", "change", "decisions"),
        "other_services": ("prior_items", "change", "decisions"),
        "penalty": ("prior_items", "change", "decisions"),
        "enforcement": ("prior_items", "change", "decisions"),
        "fees": ("prior_items", "change"),
        "procurement": ("items", "amount"),
    },
}
ACTIVE_ROWS: dict[str, tuple[str, ...]] = {fmt: tuple(cols) for fmt, cols in ACTIVE_COLUMNS.items()}

# Amount columns hold money (may be fractional); every other cell is a count.
AMOUNT_KEYS = frozenset({"active.fees.amount", "active.procurement.amount"})


def match_active_labels(label: str) -> list[tuple[int, str]]:
    """Every active-table row named in a compacted label, as (position, row key), in text order."""
    if len(label) > CACHED_LABEL_CHARS:
        return list(_active_labels.__wrapped__(label))
    return list(_active_labels(label))


@lru_cache(maxsize=4096)
def _active_labels(label: str) -> tuple[tuple[int, str], ...]:
    """`match_active_labels`, cached (see `_application_labels`)."""
    found: list[tuple[int, str]] = []
    for rp in ACTIVE_ROW_PATTERNS:
        for m in rp.pattern.finditer(label):
            # 规章 inside 规范性文件? No; but 行政规范性文件 must not also count as 规章.
            found.append((m.start(), rp.key))
    found.sort()
    return tuple(found)


# Column headers that only one format has: how the format is told apart.
_FORMAT_2019_RE = re.compile(
    r"新制作|新公开数量|对外公开总数|上一年项目|本年增|采购项目|采购总金额|对外管理服务|集中采购"
)
_FORMAT_2021_RE = re.compile(r"制发件数|废止件数|现行有效|本年(度)?处理决定|收费金额")


def detect_active_format(compact_text: str) -> str | None:
    """The format ("2019" / "2021") the active table's headers and rows show, or None."""
    n19 = len(_FORMAT_2019_RE.findall(compact_text))
    n21 = len(_FORMAT_2021_RE.findall(compact_text))
    if n19 == n21 == 0:
        return None
    return "2019" if n19 > n21 else "2021"


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------

SECTION_NUMERALS = "一二三四五六"
# Heading n: the numeral, a separator, and a keyword of that section's title (official wording and
# the variants seen: 四、因政府信息公开工作被申请行政复议、提起行政诉讼情况; 五、存在的主要问题及整改措施).
SECTION_HEADING_RES: dict[int, re.Pattern[str]] = {
    1: re.compile(r"^一(?![)）])[、.,:]?.{0,20}(总体情况|概述|概况|基本情况|工作情况|总体)"),
    2: re.compile(r"^二(?![)）])[、.,:]?.{0,12}主动公开"),
    3: re.compile(r"^三(?![)）])[、.,:]?.{0,12}(收到和处理|收到|依申请|申请情况)"),
    4: re.compile(r"^四(?![)）])[、.,:]?.{0,30}(复议|诉讼)"),
    5: re.compile(r"^五(?![)）])[、.,:]?.{0,30}(问题|改进|整改|不足)"),
    6: re.compile(r"^六(?![)）])[、.,:]?.{0,12}(其他|其它)"),
}
SECTION_NAMES = {1: "overview", 5: "problems", 6: "other"}


def match_section_heading(compact_line: str, number: int) -> bool:
    """Whether a compacted line is the heading of section `number` (1–6)."""
    if len(compact_line) > 60:
        return False
    return bool(SECTION_HEADING_RES[number].match(compact_line))
