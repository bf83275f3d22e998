"""Text normalisation: turn whatever a page or a converter produced into one canonical form.

Reports reach us in many hands: traditional characters (often with pinyin glued in by an online
converter, `標(biāo)題`), Kangxi radicals and full-width forms from PDFs, spaces lost to `?` or
kept as U+00A0/U+3000, numbers with units or notes in the cell. Every later stage (labels, numbers,
metadata) matches against the output of `normalize_text`, so all of that is undone here, once.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from archive.report import CellValue

_CC = None
_CC_LOCK = threading.Lock()


def _converter():
    """The OpenCC t2s converter, created once (loading its dictionaries costs ~10 ms)."""
    global _CC
    if _CC is None:
        with _CC_LOCK:
            if _CC is None:
                import opencc

                _CC = opencc.OpenCC("t2s")
    return _CC


_CJK_RE = re.compile("[\u3400-\u9fff]")


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC `t2s`: characters and phrases), for traditional text only.

    `t2s` also rewrites characters that are proper simplified ones in names: 乾安县 → 干安县,
    乾县 → 干县. So the text is converted only when it reads as traditional: a traditional report
    changes about a third of its characters, a simplified one almost none (a place name's few).
    """
    if not text:
        return text
    converted = _converter().convert(text)
    if converted == text:  # a simplified report, the usual case: nothing to count
        return text
    changed = sum(a != b for a, b in zip(text, converted, strict=False)) + abs(len(text) - len(converted))
    cjk = len(_CJK_RE.findall(text))
    return converted if changed >= 3 and changed >= 0.15 * cjk else text


# Pinyin that converters glue after each character: 標(biāo) → 標. Only a lowercase Latin syllable
# right after a CJK character, so real parenthesised content like (一), (APP) or (2023) stays.
_PINYIN_LETTERS = "a-zü\u00e0-\u00fc\u0101-\u01dc\u0300-\u036f"
# (The parenthesis comes first and the look-behind checks the character before it: the regex
# engine can then skip from parenthesis to parenthesis instead of trying a look-behind at every
# character, three times faster; the matches are the same.)
_PINYIN_RE = re.compile(rf"[(（](?<=[\u3400-\u9fff][(（])([{_PINYIN_LETTERS}]{{1,7}})[)）]")
_VOWEL_RE = re.compile("[aeiouüvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")


def strip_pinyin(text: str) -> str:
    """Remove pinyin glued in by converters (`標(biāo)題` → `標題`), keeping real parentheses."""

    def repl(m: re.Match[str]) -> str:
        return "" if _VOWEL_RE.search(m.group(1)) else m.group(0)

    return _PINYIN_RE.sub(repl, text)


# Characters that stand for a lost or odd space: `?` (a space that did not survive a GBK round
# trip), NBSP, ideographic space, the U+2000 block, zero-width and BOM characters.
_SPACE_RE = re.compile("[?\u00a0\u3000\u2000-\u200a\u202f\u205f]")
_ZERO_WIDTH_RE = re.compile("[\u200b-\u200d\u2060\ufeff]")
# PDF page footers like "- 3 -", "— 3 —" or "第 3 页 共 5 页".
_PAGE_NO_RE = re.compile(
    r"^\s*(?:[-–—]\s*\d{1,3}\s*[-–—]|第\s*\d{1,3}\s*页(?:\s*[,，]?\s*共\s*\d{1,3}\s*页)?)\s*$"
)


def _is_page_no(line: str) -> bool:
    """Whether a line is a PDF page footer (`_PAGE_NO_RE`); most lines are told by their first
    character (after whitespace, which `str.lstrip` and `\\s` agree on) without the regex."""
    head = line.lstrip()[:1]
    return bool(head) and head in "-–—第" and bool(_PAGE_NO_RE.match(line))


# CJK Radicals Supplement characters that PDF fonts use for whole simplified ideographs, which
# NFKC leaves alone (it maps only the Kangxi radicals and ⺟, ⻳): ⻓沙市⻔户 is 长沙市门户.
RADICAL_SUPPLEMENT = str.maketrans(
    "⺠⻄⻅⻆⻉⻋⻓⻔⻗⻘⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻬⻮⻰⻊⺩",
    "民西见角贝车长门雨青页风飞食马骨鬼鱼鸟卤麦黄齐齿龙足王",
)

# The characters of the blocks report text draws on (Latin-1, punctuation and symbols, CJK
# radicals and symbols, CJK compatibility ideographs, full-width forms) that NFKC changes.
_NFKC_BLOCKS = ((0xA0, 0x2FF), (0x2000, 0x2BFF), (0x2E80, 0x33FF), (0xF900, 0xFAFF), (0xFE10, 0xFE6F),
                (0xFF00, 0xFFEF))  # fmt: skip
_NFKC_OF = {
    ch: unicodedata.normalize("NFKC", ch)
    for a, b in _NFKC_BLOCKS
    for ch in map(chr, range(a, b + 1))
    if unicodedata.normalize("NFKC", ch) != ch
}
_NFKC_CHANGES_RE = re.compile("[" + "".join(map(re.escape, _NFKC_OF)) + "]")


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, about four times faster on report text.

    Chinese text is full of full-width punctuation (，：（）), which sends CPython's NFKC down its
    slow path for the whole text. Each such character is first replaced by its own NFKC form:
    that leaves the text compatibility-equivalent to what it was, so its NFKC form is the same,
    and the text usually passes NFKC's quick check after that. The final `normalize` still
    decides, so a character outside these blocks (or a combining mark) is handled as before.
    """
    return unicodedata.normalize("NFKC", _NFKC_CHANGES_RE.sub(lambda m: _NFKC_OF[m.group()], text))


_RADICAL_RE = re.compile("[" + "".join(map(chr, RADICAL_SUPPLEMENT)) + "]")


def normalize_text(text: str) -> str:
    """The canonical form of a whole document: NFKC, no pinyin, simplified, spaces made plain.

    Line structure (newlines, tabs, blank lines) is kept exactly: it carries the table layout.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _RADICAL_RE.search(text):  # rare (PDF fonts); translating costs more than looking
        text = text.translate(RADICAL_SUPPLEMENT)
    text = nfkc(text)
    text = _ZERO_WIDTH_RE.sub("", text)
    text = strip_pinyin(text)
    text = _SPACE_RE.sub(" ", text)
    text = to_simplified(text)
    lines = ["" if _is_page_no(line) else line for line in text.split("\n")]
    return "\n".join(lines)


_WS_RE = re.compile(r"\s+")


def compact(text: str) -> str:
    """Text without any whitespace: labels split over lines or padded with spaces compare equal.

    (`str.split()` splits on exactly the characters `\\s` matches, and is faster than a regex.)
    """
    return "".join(text.split())


def clean_inline(text: str) -> str:
    """One line of running text: whitespace collapsed, and dropped between CJK characters/digits."""
    text = _WS_RE.sub(" ", text).strip()
    return re.sub(r"(?<=[\u3400-\u9fff\d]) (?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff]) (?=\d)", "", text)


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------

# A cell that means "nothing here": blank is not zero, so these become null.
BLANK_MARKS = frozenset(
    {"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "null", "none", "n/a", "×", "*"}
)

_UNIT = r"(?:万元|元|件|个|项|次|条|人次|份|宗|起|家|人)"
_NUMBER_CORE = r"[+-]?\s*\d+(?:,\d{3})*(?:\.\d+)?"
# A number, an optional unit, then optionally a note in parentheses: "22(其中修订16件)".
_NUMBER_CELL_RE = re.compile(rf"^({_NUMBER_CORE})\s*{_UNIT}?\s*(?:[(\[【][^)\]】]*[)\]】]?)?$")
# A run of numbers separated by whitespace (PDF rows: "21 0 0 0 0 0 21").
_RUN_TOKEN_RE = re.compile(rf"^{_NUMBER_CORE}{_UNIT}?$")


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell after classification: a number, an explicit blank, or text (a label)."""

    kind: str  # "num" | "blank" | "text"
    text: str
    value: CellValue = None


def parse_number(text: str) -> CellValue:
    """The number a cell states, or None when the cell is not a number.

    Integral values come back as int, fractional ones as Decimal (amounts such as 7730.28);
    units and trailing notes are dropped, a sign is kept (`+1036` in the 2019 本年增/减 column).
    """
    s = text.strip()
    m = _NUMBER_CELL_RE.match(s)
    if not m:
        return None
    raw = m.group(1).replace(",", "").replace(" ", "")
    try:
        d = Decimal(raw)
    except InvalidOperation:
        return None
    return int(d) if d == d.to_integral_value() else d


# A number a reader saw but could not read with confidence (OCR: `archive.ocr.layout`): it holds
# its cell's place like a number, and the cell comes out null and listed as unresolved.
UNREAD_MARK = "▯"
UNREAD = Decimal("NaN")


def is_unread(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_nan()


def classify_cell(text: str) -> Cell:
    """Classify one cell's (normalised) text."""
    s = text.strip()
    if s.lower() in BLANK_MARKS:
        return Cell("blank", s)
    if s == UNREAD_MARK:
        return Cell("num", s, UNREAD)
    value = parse_number(s)
    if value is not None:
        return Cell("num", s, value)
    return Cell("text", s)


def split_number_run(line: str) -> tuple[str, list[str]]:
    """Split a trailing run of whitespace-separated numbers off a line.

    `行政许可 550` → (`行政许可`, [`550`]).

    A number glued to text (`规章20件`) is part of the text, not a cell. A line made only of
    numbers gives an empty label. OCR look-alikes in the run are read as the digits they stand for
    (see `line_segments`).
    """
    tokens, kinds = _value_tokens(line)
    k = len(tokens)
    while k > 0 and kinds[k - 1]:
        k -= 1
    return " ".join(tokens[:k]), tokens[k:]


# OCR reads 0 as O/o and 1 as l/I/|: a token made only of digits and those letters, with a digit or
# standing among numbers, is a number misread (a bare `|` is a rule of the table, never a 1).
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_OCR_TOKEN_RE = re.compile(r"^[+-]?[0-9OolI|]+(?:,[0-9OolI|]{3})*(?:\.[0-9OolI|]+)?$")


_CJK_END_RE = re.compile(r"[\u3400-\u9fff）)]$")


def _is_value_token(token: str) -> bool:
    return bool(_RUN_TOKEN_RE.match(token)) or token in BLANK_MARKS - {""}


def _value_tokens(line: str) -> tuple[list[str], list[bool]]:
    """A line's tokens, OCR look-alikes next to numbers repaired, and which tokens are values."""
    tokens = line.split()
    kinds = [_is_value_token(t) for t in tokens]
    lookalike = [bool(_OCR_TOKEN_RE.match(t)) and t.strip("|+-") != "" for t in tokens]
    if tokens and all(lookalike):  # `l` or `O 0` alone on a line: a row's numbers, misread
        return [t.translate(_OCR_DIGITS) for t in tokens], [True] * len(tokens)
    for k in range(1, len(tokens)):  # `行政许可 o 行政处罚 0`: a look-alike right after a label
        if lookalike[k] and not kinds[k] and _CJK_END_RE.search(tokens[k - 1]):
            tokens[k], kinds[k] = tokens[k].translate(_OCR_DIGITS), True
    changed = True
    while changed:  # a look-alike next to a number is a number; so is one next to that one
        changed = False
        for k, token in enumerate(tokens):
            if kinds[k] or not lookalike[k]:
                continue
            near = (k > 0 and kinds[k - 1]) or (k + 1 < len(tokens) and kinds[k + 1])
            if near or any(ch.isdigit() for ch in token):
                tokens[k] = token.translate(_OCR_DIGITS)
                kinds[k] = changed = True
    return tokens, kinds


def line_segments(line: str) -> list[tuple[str, list[str]]]:
    """A line as (text, run of number tokens) segments, in order: `label 1 2 label2 3 4` → two.

    A token is a number when it reads as one (units and thousands separators allowed) or as a
    written blank (— / 无); a token of digits and OCR look-alikes (`1O`, `l2`, `O`) counts as the
    number it stands for when it holds a digit or stands next to a number. Text glued to a number
    (`规章20件`) is text.
    """
    tokens, kinds = _value_tokens(line)
    segments: list[tuple[str, list[str]]] = []
    text: list[str] = []
    run: list[str] = []
    for token, is_value in zip(tokens, kinds, strict=True):
        if is_value:
            run.append(token)
            continue
        if run:
            segments.append((" ".join(text), run))
            text, run = [], []
        text.append(token)
    if text or run:
        segments.append((" ".join(text), run))
    return segments
