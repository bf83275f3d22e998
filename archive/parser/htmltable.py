"""HTML → the parser's text representation, reading tables directly.

Report pages are often Word pasted into a CMS: labels split across `<span>`s (`自然` + `人`),
`&nbsp;` for blank cells, `<p>` inside cells, one logical table cut into several `<table>`s at
Word's page breaks. Tables are expanded into a full grid (a rowspan/colspan cell is followed by
empty padding cells, exactly as trafilatura's markdown does) and written as `| a | b | ` rows, so
`parse_html` shares every later step with `parse_report`.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from archive.dom import browser_dom

_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol section article header footer blockquote pre dd dt dl tr "
    "table tbody thead tfoot form center main aside nav figure figcaption caption".split()
)
_SKIP_TAGS = frozenset("script style noscript template iframe object svg button select option head".split())
_MAX_SPAN = 200
_WS_RE = re.compile(r"\s+")


_NON_DIGIT_RE = re.compile(r"[^\d]")


def _span(value: str | None) -> int:
    if not value:  # no rowspan/colspan attribute, most cells: one
        return 1
    try:
        n = int(_NON_DIGIT_RE.sub("", value) or 1)
    except ValueError:
        return 1
    return max(1, min(n, _MAX_SPAN))


def cell_text(td: etree._Element) -> str:
    """A cell's text on one line: spans joined as written, line breaks as spaces, no `|`."""
    text = _text_with_breaks(td)
    return _WS_RE.sub(" ", text).replace("|", "/").strip()


def _text_with_breaks(el: etree._Element) -> str:
    out: list[str] = []

    def rec(node: etree._Element) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in _SKIP_TAGS:
            if node.tail:
                out.append(node.tail)
            return
        if tag in ("br", "p", "div"):
            out.append(" ")
        if isinstance(node.tag, str) and node.text:
            out.append(node.text)
        for child in node:
            rec(child)
        if tag in ("p", "div"):
            out.append(" ")
        if node is not el and node.tail:
            out.append(node.tail)

    rec(el)
    return "".join(out)


def _own_rows(table: etree._Element) -> list[etree._Element]:
    """The table's rows, not those of tables nested in its cells."""
    rows: list[etree._Element] = []
    for tr in table.iter("tr"):
        anc = tr.getparent()
        while anc is not None and anc.tag != "table":
            anc = anc.getparent()
        if anc is table:
            rows.append(tr)
    return rows


def table_grid(table: etree._Element) -> list[list[str]]:
    """The table as a grid: every span expanded, its text in the first cell, empty padding after."""
    occupied: dict[tuple[int, int], str] = {}
    rows = _own_rows(table)
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in occupied:
                c += 1
            rs, cs = _span(td.get("rowspan")), _span(td.get("colspan"))
            text = cell_text(td)
            for dr in range(rs):
                for dc in range(cs):
                    occupied.setdefault((r + dr, c + dc), text if dr == dc == 0 else "")
            c += cs
            width = max(width, c)
    grid = []
    for r in range(len(rows)):
        row = [occupied.get((r, c), "") for c in range(width)]
        if any(row):
            grid.append(row)
    return grid


def _meta(doc: etree._Element, name: str) -> str | None:
    for el in doc.iter("meta"):
        if (el.get("name") or "").lower() == name.lower() and el.get("content"):
            return el.get("content").strip()
    return None


def html_to_text(html: str | bytes) -> str:
    """The page as text: a metadata block from its `<meta>`s, paragraphs, and tables as grid rows."""
    if isinstance(html, str):
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return ""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    doc = lxml.html.fromstring(browser_dom(html))
    lines: list[str] = []
    title = _meta(doc, "ArticleTitle")
    for tag in ("h1", "h2", "title"):
        if title:
            break
        for el in doc.iter(tag):
            parts = re.split(r"\s*[-_|—]\s*", el.text_content().strip())
            title = next((p for p in parts if "报告" in p or "報告" in p), None)
            if title:
                break
    if title:
        lines.append(f"标题：{title.strip()}")
    if source := _meta(doc, "ContentSource"):
        lines.append(f"发布机构：{source}")
    if pub := _meta(doc, "PubDate"):
        lines.append(f"发布日期：{pub}")
    lines.append("")

    buf: list[str] = []

    def flush() -> None:
        text = _WS_RE.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            lines.append(text)

    def walk(el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS or not isinstance(el.tag, str):
            if el.tail:
                buf.append(el.tail)
            return
        if tag == "table":
            flush()
            lines.append("")
            lines.extend("| " + " | ".join(row) + " | " for row in table_grid(el))
            lines.append("")
        elif tag == "br":
            flush()
        else:
            block = tag in _BLOCK_TAGS
            if block:
                flush()
            if el.text:
                buf.append(el.text)
            for child in el:
                walk(child)
            if block:
                flush()
        if el.tail:
            buf.append(el.tail)

    body = doc.find(".//body")
    walk(body if body is not None else doc)
    flush()
    return "\n".join(lines)
