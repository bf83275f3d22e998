"""What every document reader shares: the result type, file magic, and text helpers.

The helpers put a document's table cells and lines in the shape `archive.parser.htmltable` gives HTML, so
the parser reads every source alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from archive.parser.normalize import RADICAL_SUPPLEMENT

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
NUMBER_RE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")


@dataclass(frozen=True)
class DocumentText:
    """The text of one attachment, and how it was obtained."""

    kind: str  # "pdf" | "docx" | "doc" | "wps" | "rtf" (spreadsheets give no text)
    text: str  # parse_report's input: tables as `| a | b |` rows where the format has them
    pages: int | None  # PDF page count; None where the format does not fix pages
    converter: str  # name and version, e.g. "pdfplumber 0.11.10", "antiword 0.37"


def describe(body: bytes) -> str:
    """What a body looks like, for error messages."""
    head = body[:64].lstrip()
    if head[:1] == b"<":
        return "an HTML/XML page"
    if body.startswith(ZIP_MAGIC):
        return "a ZIP archive that is not a Word document"
    if body.startswith(OLE2_MAGIC):
        return "an OLE2 file that is neither a Word document nor a spreadsheet (a presentation?)"
    for magic, name in (
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
    ):
        if body.startswith(magic):
            return name
    return f"unrecognised bytes {body[:8].hex()}"


_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_JOIN_RE = re.compile(rf"(?<=[{_CJK}])\s*\n\s*(?=[{_CJK}])")
# Kangxi radicals, CJK radicals supplement, compatibility ideographs (BMP and supplement).
_RADICAL_RE = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


def fix_radicals(text: str) -> str:
    """Map radicals and compatibility ideographs to the ideographs they stand for (⼀ → 一, ⻅ → 见)."""
    text = text.translate(RADICAL_SUPPLEMENT)
    return _RADICAL_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def join_cell_lines(text: str) -> str:
    """A cell's text on one line: wrapped CJK rejoined without a space, other breaks as one space."""
    text = _CJK_JOIN_RE.sub("", text)
    return re.sub(r"\s+", " ", text).replace("|", "/").strip()


def pipe_row(cells: list[str]) -> str:
    """One grid row as `archive.parser.htmltable` writes it (and the parser reads as a grid row)."""
    return "| " + " | ".join(cells) + " | "
