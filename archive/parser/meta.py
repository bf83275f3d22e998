"""Metadata, narrative sections and the 信息处理费 of a report, from its normalised lines.

Metadata comes first from the block the extractor or the page puts before the report (`标题：…`,
`索引号: | … | 成文日期: | … |`, `发布机构 发布日期 2024-01-29 15:53:27`), then from the report's own
title lines, the sentence that names it (`现公布某某局2023年政府信息公开工作年度报告`), and the
signature at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from archive.parser.layout import SECTION_NAMES
from archive.parser.normalize import clean_inline, compact
from archive.parser.textdoc import Line
from archive.report import CellValue

# ---------------------------------------------------------------------------------------------
# Metadata block
# ---------------------------------------------------------------------------------------------

_KEYS: dict[str, str] = {
    "title": r"标\s*题",
    "index_no": r"索\s*引\s*号",
    "agency": r"发\s*布\s*机\s*构",
    "pub_date": r"发\s*布\s*日\s*期",
    "pub_time": r"发\s*布\s*时\s*间",
    "written": r"成\s*文\s*日\s*期",
    "open_date": r"公\s*开\s*日\s*期",
    "doc_no": r"文\s*号",
    "source": r"来\s*源",
    "other": (
        r"主\s*题\s*分\s*类|公\s*开\s*方\s*式|组\s*配\s*分\s*类|体\s*裁\s*分\s*类"
        r"|时\s*间|字\s*体|分\s*类"
    ),
}
_KEY_RE = re.compile("|".join(f"(?P<{k}>{v})" for k, v in _KEYS.items()))
DATE_PREFERENCE = ("pub_date", "pub_time", "written", "open_date")
_ISO_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(slots=True)
class Meta:
    fields: dict[str, str] = field(default_factory=dict)  # first value seen per key


def _iso(m: re.Match[str]) -> str | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def read_meta_block(lines: list[Line], end: int) -> Meta:
    """Key/value pairs from the lines before the report body (`end`: first section heading)."""
    meta = Meta()
    for line in lines[: max(0, min(end, 40))]:
        text = line.text
        if len(text) > 200:
            continue
        hits = list(_KEY_RE.finditer(text))
        # A key must start the line or follow a separator: "索引号" inside prose is not a key.
        hits = [h for h in hits if h.start() == 0 or text[h.start() - 1] in " |:：\t"]
        for i, h in enumerate(hits):
            key = h.lastgroup or "other"
            stop = hits[i + 1].start() if i + 1 < len(hits) else len(text)
            value = text[h.end() : stop].strip(" :：|\t")
            value = re.sub(r"\s*\|\s*", " ", value).strip()
            if key not in meta.fields and value:
                meta.fields[key] = value
    return meta


# ---------------------------------------------------------------------------------------------
# Title, agency, year
# ---------------------------------------------------------------------------------------------

_TITLE_END_RE = re.compile(r"(报告|年报)(\(.{0,8}\))?$")
_TITLE_WORDS_RE = re.compile(r"(信息公开|政务公开)")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*(年度|年|度)?")
# The sentence that names the report: "现公布某某局2023年政府信息公开工作年度报告".
_NAMED_RE = re.compile(
    r"([\u3400-\u9fff()（）]{2,40}?)((?:19|20)\d{2})年?度?(?:政府|政务)?(?:信息)?公开(?:工作)?(?:年度)?(?:工作)?报告"
)
_LEAD_VERBS_RE = re.compile(r".*(?:公布|发布|印发|编制|现将|本报告是|报告是|关于|根据|特此|向社会)")


def clean_title(text: str) -> str:
    return clean_inline(text).strip(" :：|")


def find_title_lines(lines: list[Line], end: int) -> str | None:
    """The report's title printed at its top, joined when split over lines.

    (`某局2021政府信息公开` + `工作年度报告`, `洪泽区人民政府` + `2023 年政府信息公开工作年度报告`.)
    """
    for i, line in enumerate(lines[: max(0, min(end, 40))]):
        c = line.compact
        if line.is_row or len(c) > 60 or not _TITLE_END_RE.search(c) or "," in c or "。" in c:
            continue
        parts = [line.text]
        j = i - 1
        while j >= 0 and len(parts) < 3:
            prev = lines[j]
            pc = prev.compact
            joined = compact("".join(parts))
            needs_more = (
                not _YEAR_RE.search(joined) or not _TITLE_WORDS_RE.search(joined) or _YEAR_RE.match(joined)
            )
            if not needs_more or prev.is_row or len(pc) > 40 or re.search(r"[:：|。,]|\d{4}-\d", pc):
                break
            parts.insert(0, prev.text)
            j -= 1
        title = clean_title("".join(parts))
        if _TITLE_WORDS_RE.search(compact(title)) or _YEAR_RE.search(title):
            return title
    return None


def agency_from_title(title: str | None) -> str | None:
    """The reporting body a title names: before the year, or after it when the year comes first.

    `西藏自治区科学技术厅2023年…` → 西藏自治区科学技术厅; `2019年青禾市人民政府政府信息公开工作年度报告`
    → 青禾市人民政府; `2023年度青禾县人民政府信息公开工作年度报告` → 青禾县人民政府 (its 政府 is
    both the body's and the report's).
    """
    if not title:
        return None
    c = compact(title)
    m = _YEAR_RE.search(c)
    if not m:
        return None
    prefix = c[: m.start()].strip("《》\"“”'()（）:：-—")
    prefix = re.sub(r"^(关于|印发)", "", prefix)
    if not prefix:
        return _agency_after_year(c[m.end() :])
    if len(prefix) < 2 or not re.search(r"[\u3400-\u9fff]", prefix):
        return None
    return prefix


# Last characters of an organ's name (局, 委员会, 办公室…): `X局政府信息公开` is X局's report.
_ORGAN_END = "局委厅办室院会署部处所站队馆中心社行司团"


def _agency_after_year(rest: str) -> str | None:
    """The body named between a leading year and 政府信息公开/政务公开 (`2019年X市人民政府…`)."""
    m = re.search(r"(?:信息公开|政务公开)", rest)
    if not m:
        return None
    name = rest[: m.start()].strip("《》\"“”'()（）:：-—")
    if name.endswith("政府政府"):
        name = name[:-2]
    elif name.endswith("政府") and len(name) > 2 and name[-3] in _ORGAN_END:
        name = name[:-2]
    if len(name) < 2 or not re.fullmatch(r"[\u3400-\u9fff（）()]+", name) or name in ("政府", "政务"):
        return None
    return name


def _head_text(lines: list[Line], limit: int) -> str:
    """The compacted text of the first lines (not table rows), wrapped lines (PDF) joined up again.

    A line of 20+ characters that does not end a sentence continues on the next line; anything
    else (a menu, a title, a metadata line, a heading) stays a line of its own.
    """
    out: list[str] = []
    for ln in lines[:limit]:
        if ln.is_row and len(ln.cells) > 2:
            continue
        prev = out[-1] if out else ""
        if len(prev) >= 20 and ":" not in prev and not re.search(r"([。！？!?;；]|报告|>)$", prev):
            out[-1] += ln.compact
        else:
            out.append(ln.compact)
    return "\n".join(out)


def named_report(lines: list[Line], limit: int = 60) -> tuple[str | None, int | None]:
    """(agency, year) from the sentence that names the report near its start."""
    for m in _NAMED_RE.finditer(_head_text(lines, limit)):
        agency = _LEAD_VERBS_RE.sub("", m.group(1)).strip("()（）")
        agency = re.sub(r"^(我|本)(单位|局|委|厅|办|部门|机关)?$", "", agency)
        return (agency if len(agency) >= 2 else None), int(m.group(2))
    return None, None


def year_of(title: str | None, lines: list[Line]) -> int | None:
    """The year reported on: from the title, else the statistics period or the report's own wording."""
    if title:
        m = _YEAR_RE.search(compact(title))
        if m:
            return int(m.group(1))
    m = re.search(
        r"统计(期限|时限|区间|时间)?[^。]{0,8}?((?:19|20)\d{2})年", _head_text(lines, 80).replace("\n", "")
    )
    if m:
        return int(m.group(2))
    _, year = named_report(lines)
    return year


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_DATE_RE = re.compile(
    r"([〇零○O一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
_SIGNATURE_DATE_RE = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日?$")


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(s, 0)


def parse_date(text: str) -> str | None:
    """The first date in a text, ISO `YYYY-MM-DD`.

    Accepts 2024-01-29, 2024/1/29, 2024年1月29日 and 二〇二四年一月二十九日.
    """
    m = _ISO_DATE_RE.search(text)
    if m:
        return _iso(m)
    m = _CN_DATE_RE.search(compact(text))
    if m:
        y = int("".join(str(_CN_DIGITS[ch]) for ch in m.group(1)))
        mo, d = _cn_number(m.group(2)), _cn_number(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def signature(lines: list[Line], start: int) -> tuple[str | None, str | None]:
    """(agency, date) of the signature at the end: a short date-only line, the body named above it."""
    for i in range(len(lines) - 1, max(start, len(lines) - 40) - 1, -1):
        c = lines[i].compact
        if len(c) > 16:
            continue
        m = _SIGNATURE_DATE_RE.match(c)
        date = _iso(m) if m else None
        if date is None and _CN_DATE_RE.fullmatch(c):
            date = parse_date(c)
        if date:
            agency = None
            if i - 1 > start:
                prev = lines[i - 1].compact
                if 2 <= len(prev) <= 30 and not re.search(r"[。,;:!]|\d", prev):
                    agency = prev
            return agency, date
    return None, None


# ---------------------------------------------------------------------------------------------
# Sections and the processing fee
# ---------------------------------------------------------------------------------------------

# Page furniture that follows the article on government sites.
_FURNITURE_RE = re.compile(
    r"^(无障碍|关怀版|长者模式|政务微信|政务微博|政务APP|打印|关闭|【打印】|【关闭】|扫一扫|分享到|相关链接|"
    r"上一篇|下一篇|附件|网站地图|主办单位|版权所有|//|背景色|字号|字体)"
)


def section_texts(lines: list[Line], headings: dict[int, int]) -> dict[str, str]:
    """Narrative of sections 一, 五 and 六 (overview, problems, other), paragraphs joined by newlines."""
    out: dict[str, str] = {}
    found = sorted(headings.items(), key=lambda kv: kv[1])
    for n, name in SECTION_NAMES.items():
        if n not in headings:
            continue
        start = headings[n] + 1
        later = [i for _, i in found if i > headings[n]]
        end = later[0] if later else len(lines)
        paras: list[str] = []
        for line in lines[start:end]:
            if not line.text:
                continue
            if _FURNITURE_RE.match(line.compact) or (n == 6 and parse_signature_line(line.compact)):
                break
            paras.append(clean_inline(line.text))
        if n == 6:
            while paras and len(paras[-1]) <= 30 and not re.search(r"[。.;!]$", paras[-1]):
                sentence, stop, _ = paras[-1].rpartition("。")
                if stop:  # a seal's characters read onto the last sentence's line: cut there
                    paras[-1] = sentence + stop
                    break
                paras.pop()  # the signing body after the last sentence
        text = "\n".join(p for p in paras if p)
        if text:
            out[name] = text
    return out


def orphan_prose(lines: list[Line], start: int, end: int) -> list[str]:
    """Sentences among `lines[start:end]` (a table's region): prose no heading claimed.

    When heading 五 is lost (PDF text extraction drops it), the 问题及改进 paragraphs sit inside
    table 四's region and would vanish. Table cells are short labels and numbers; prose lines
    are long (a wrapped sentence's last piece is kept when it ends a clause right after one).
    """
    paras: list[str] = []
    previous = -2
    for i in range(start, min(end, len(lines))):
        line = lines[i]
        if line.kind != "text" or _FURNITURE_RE.match(line.compact):
            continue
        long = len(line.compact) >= 25 and not re.search(r"\d\s+\d", line.text)  # not a run of numbers
        tail = previous == i - 1 and re.search(r"[。；;]$", line.compact)  # a wrapped sentence's end
        if long or tail:
            paras.append(clean_inline(line.text))
            previous = i
    return paras


def parse_signature_line(c: str) -> bool:
    return len(c) <= 16 and bool(_SIGNATURE_DATE_RE.match(c) or _CN_DATE_RE.fullmatch(c))


_NO_FEE_RE = re.compile(
    r"(未|没有|无|不|暂未|均未|并未|未曾)(收取|产生|发生|涉及)[^。;]{0,12}?(信息)?处理费|"
    r"(信息)?处理费[^。;\d]{0,6}?(为零|为0元|为无|无$|零元)|不存在[^。;]{0,8}处理费"
)
_FEE_AFTER_RE = re.compile(r"处理费用?[^。;\d]{0,15}?(\d[\d,]*(?:\.\d+)?)(万)?元")
_FEE_BEFORE_RE = re.compile(r"(\d[\d,]*(?:\.\d+)?)(万)?元[^。;\d]{0,6}?(信息)?处理费")


def processing_fee(text: str) -> CellValue:
    """The 信息处理费 collected, in yuan, as the report states it; None when it says nothing."""
    c = compact(text)
    m = _FEE_AFTER_RE.search(c) or _FEE_BEFORE_RE.search(c)
    if m:
        value = Decimal(m.group(1).replace(",", ""))
        if m.group(2):
            value *= 10000
        return int(value) if value == value.to_integral_value() else value
    if _NO_FEE_RE.search(c):
        return 0
    return None
