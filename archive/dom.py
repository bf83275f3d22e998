"""The page as a browser builds it: broken markup repaired by the WHATWG parsing rules.

Report pages are often broken: `</td>` and `</tr>` left out, rows wrapped in `<p>` or `<font>`,
one table cut into several. libxml2 (lxml) recovers from such markup its own way and can fold a
whole table into one row; a browser moves stray tags out of the table (foster parenting) and
closes cells where the standard says. `browser_dom` parses the page with lexbor (through
selectolax, a WHATWG-conformant parser) and serialises it again: the result is well-formed, so
lxml then reads the same structure a reader of the page sees. About 0.1 ms per 1 KB.
"""

from __future__ import annotations

__all__ = ["browser_dom"]


def browser_dom(html: str) -> str:
    """`html` re-serialised as a browser's DOM; unchanged when lexbor cannot read it."""
    try:
        from selectolax.lexbor import LexborHTMLParser

        return LexborHTMLParser(html).html or html
    except Exception:  # a page lexbor cannot read is left to libxml2's recovery
        return html
