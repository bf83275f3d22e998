"""Hidden text: the places where spam injected into hacked portal pages hides from a reader.

A visitor never sees it, a text extractor reads it all: gambling keywords in a block pushed off
screen, shrunk to nothing or painted in the background's colour end up in a report's text unless
they are found first. `hidden_elements` finds them in every form we know of, from inline styles
and from the page's own `<style>` rules (simple selectors: tag, .class, #id, and their
combinations; anything cssselect cannot read is skipped):

- pushed off screen: a large negative `left`/`top`/`text-indent` (`-9999px`, `-999em`, `-100%`);
  small ones are Word's hanging indents and table margins, and stay;
- not rendered: `display:none`, `visibility:hidden`, `opacity:0`, the `hidden` attribute,
  `aria-hidden="true"`;
- shrunk: `font-size:0` (unless a descendant sets its own size: the inline-block whitespace
  trick), `line-height:0`/`height:0`/`max-height:0`/a box 1 px wide or high, with
  `overflow:hidden`; `clip: rect(0 0 0 0)`, `clip-path: inset(50%)`/`circle(0)`;
- camouflaged: text coloured exactly like the background the same rule gives it;
- a `<marquee>` 0 or 1 px wide or high.

Pure: a parsed tree in, elements out. `archive.extract` prunes them from the text and `find_spam`
reports the off-site links in them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from cssselect import HTMLTranslator, SelectorError

__all__ = ["hidden_elements", "hides"]

# A block pushed off screen by a large negative offset. Only a large offset counts: Word-pasted
# bodies are full of small ones (`margin-left:-5.4pt`, `text-indent:-21pt`, `top:-1.5pt`).
_OFFSET_RE = re.compile(
    r"(?:^|[;{\s])(?:left|top|text-indent)\s*:\s*-\s*(\d+(?:\.\d+)?)\s*(px|pt|r?em|cm|in|%)?", re.I
)
_OFF_SCREEN_LIMITS = {"px": 500, "": 500, "pt": 375, "em": 30, "rem": 30, "cm": 13, "in": 5, "%": 50}
_ZERO = r"-?0*(?:\.0+)?(?:px|pt|r?em|%)?"
_TINY = r"(?:0*(?:\.\d+)?|1)(?:px)?"
_DECL_RE = re.compile(r"([a-z-]+)\s*:\s*([^;]+)", re.I)
_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
_TRANSLATOR = HTMLTranslator()


def _declarations(style: str) -> dict[str, str]:
    return {
        k.lower(): re.sub(r"\s*!important\s*$", "", v.strip().lower()) for k, v in _DECL_RE.findall(style)
    }


def _colour(value: str) -> str | None:
    """A colour as `#rrggbb` (hex, rgb(), a few names); None for anything else."""
    value = value.strip()
    names = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "transparent": None}
    if value in names:
        return names[value]
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value)
    if m:
        h = m[1]
        return "#" + ("".join(c * 2 for c in h) if len(h) == 3 else h)
    m = re.fullmatch(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*1(?:\.0+)?\s*)?\)", value)
    if m:
        return "#" + "".join(f"{min(int(x), 255):02x}" for x in m.groups())
    return None


@lru_cache(maxsize=8192)  # Word writes the same few styles on hundreds of elements of a page
def hides(style: str) -> str | None:
    """Why a block of declarations hides its element's text, or None. `font-size:0` is reported as
    `font-size` (the caller checks whether descendants set their own size)."""
    d = _declarations(style)
    if d.get("display") == "none":
        return "display:none"
    if d.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    if re.fullmatch(r"0*(?:\.0+)?", d.get("opacity", "1")):
        return "opacity:0"
    for m in _OFFSET_RE.finditer(";" + style):
        if float(m[1]) >= _OFF_SCREEN_LIMITS[(m[2] or "").lower()]:
            return "off screen"
    if re.fullmatch(_ZERO, d.get("font-size", "1")):
        return "font-size"
    if d.get("overflow") == "hidden" or d.get("overflow-y") == "hidden" or d.get("overflow-x") == "hidden":
        for prop in ("height", "max-height", "line-height", "width", "max-width"):
            if prop in d and re.fullmatch(_ZERO if prop == "line-height" else _TINY, d[prop]):
                return f"{prop}:0 overflow:hidden"
    clip = d.get("clip", "")
    if clip.startswith("rect(") and not re.search(r"[1-9]", clip.replace("1px", "")):
        return "clip"
    clip_path = d.get("clip-path", "")
    if re.match(r"inset\(\s*(?:50|100)%", clip_path) or re.match(r"circle\(\s*0", clip_path):
        return "clip-path"
    fg = _colour(d.get("color", ""))
    bg = _colour(d.get("background-color", "") or d.get("background", "").split(" ")[0])
    if fg is not None and fg == bg:
        return "colour of the background"
    return None


@lru_cache(maxsize=4096)
def _xpath(selector: str) -> str | None:
    """A CSS selector as XPath (cached: templates repeat their rules on every page); None when
    cssselect cannot read it."""
    try:
        return _TRANSLATOR.css_to_xpath(selector)
    except (SelectorError, ValueError):
        return None


def _sets_font_size(el: lxml.html.HtmlElement, sized: set) -> bool:
    """Whether a descendant gives itself a font size again (then font-size:0 only hides gaps)."""
    return any(child in sized for child in el.iterdescendants())


def hidden_elements(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Every element whose content a reader of the rendered page cannot see (see the module docs)."""
    found: list[lxml.html.HtmlElement] = []
    styled: list[tuple[lxml.html.HtmlElement, str]] = [
        (el, el.get("style") or "") for el in tree.xpath("//*[@style]")
    ]
    shown: set = set()  # elements another rule shows again (`.tab{display:none}` `.tab.on{display:block}`)
    for block in tree.xpath("//style"):
        css = _COMMENT_RE.sub("", block.text or "")
        for selectors, body in _RULE_RE.findall(css):
            reason = hides(body)
            shows = re.search(
                r"display\s*:\s*(?!none)[a-z]|visibility\s*:\s*visible|opacity\s*:\s*(?!0)", body, re.I
            )
            if reason is None and not shows and "font-size" not in body:
                continue
            for selector in selectors.split(","):
                selector = selector.strip()
                if not selector or selector.startswith("@") or ":" in selector:
                    continue
                xpath = _xpath(selector)
                if xpath is None:
                    continue
                try:
                    matched = tree.xpath(xpath)
                except lxml.etree.XPathError:
                    continue
                if shows and reason is None:
                    shown.update(matched)
                # A page rule never hides a table: report tables are what this project is for.
                styled += [
                    (el, body)
                    for el in matched
                    if reason is None or not el.xpath("descendant-or-self::table")
                ]
    styled = [(el, s) for el, s in styled if el not in shown or s == (el.get("style") or "")]
    sized = {el for el, style in styled if re.search(r"font-size\s*:\s*(?!0)", style, re.I)}
    seen: set = set()
    for el, style in styled:
        why = hides(style)
        if why is None or el in seen or (why == "font-size" and _sets_font_size(el, sized)):
            continue
        seen.add(el)
        found.append(el)
    for el in tree.xpath('//*[@hidden or @aria-hidden="true"] | //marquee'):
        if el in seen:
            continue
        if el.tag == "marquee":
            sizes = [el.get("width", ""), el.get("height", "")]
            if not any(re.fullmatch(r"\s*[01](?:px)?\s*", s) for s in sizes):
                continue
        seen.add(el)
        found.append(el)
    return found
