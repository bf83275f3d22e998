"""Why a captured body cannot be read as a page: pure checks with reasons a person can act on.

A report link may answer with an empty body, binary garbage, text in no encoding the page admits,
or markup nested deeper than the HTML parser goes (libxml2 stops at 255 levels and silently drops
the rest of the page). Read as usual, each of these looked like "not a report" and was stored as a
mere capture; for an auditor that is a report nobody published. These checks name the problem, so
ingestion records a failure for a report link that answered one of them.

Also here: reading the `application/warc-fields` body of the metadata record in which the crawler
keeps a fetch that failed (`crawler.archiving`).
"""

from __future__ import annotations

import re

import lxml.html

__all__ = ["LIBXML2_MAX_DEPTH", "parse_page", "unreadable_page", "warc_fields"]

LIBXML2_MAX_DEPTH = 255  # lxml's HTML parser keeps no element below this depth
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def unreadable_page(body: bytes, text: str, encoding: str) -> str | None:
    """Why `body` (decoded as `text` in `encoding`) is no readable HTML page, or None."""
    if not body.strip():
        return f"empty body ({len(body)} bytes)"
    sample = text[:20000]
    if not sample:
        return "nothing decodable in the body"
    replaced = sample.count("\ufffd") / len(sample)
    if replaced > 0.05:
        return f"undecodable text: {replaced:.0%} of the characters are not valid {encoding}"
    controls = len(_CONTROL.findall(sample)) / len(sample)
    if controls > 0.05:
        return f"binary data, not a page ({controls:.0%} control characters)"
    if "<" not in sample:
        return "no HTML markup in the body"
    return None


def parse_page(html: str) -> tuple[lxml.html.HtmlElement, str | None]:
    """The page's tree, and the reason it lost content to the parser's depth limit (or None).

    libxml2 stops building the tree at 256 levels and drops the rest of the page silently, but says
    so in its error log ("Excessive depth in document"): that costs nothing to read, where walking
    every tree to measure its depth would cost every page.
    """
    parser = lxml.html.HTMLParser()
    tree = lxml.html.document_fromstring(html, parser=parser)
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        return tree, (
            f"HTML nested deeper than {LIBXML2_MAX_DEPTH} levels: the parser (libxml2) drops "
            "everything below that depth, so the page cannot be read"
        )
    return tree, None


def warc_fields(body: bytes) -> dict[str, str]:
    """An `application/warc-fields` block as a dict (the first value of each name)."""
    fields: dict[str, str] = {}
    for line in body.decode("utf-8", errors="replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() and name.strip() not in fields:
            fields[name.strip()] = value.strip()
    return fields
