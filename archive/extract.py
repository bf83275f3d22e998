"""Extraction: a captured HTML page in, the report's clean text out.

Three jobs, kept apart:

1. `decode_html` — bytes to text with the encoding a browser would use, in the WHATWG sniffing
   order: BOM, HTTP charset, `<meta charset>` (searched through the whole head, not only its first
   4 KB as w3lib does), then detection; GB2312/GBK labels decode as GB18030, and a `<meta>` that
   names UTF-16 means UTF-8 (a document read as ASCII cannot be UTF-16). A page whose declared
   encoding is wrong (mojibake, U+FFFD runs) is re-decoded. The crawl and the offline re-parse both
   call this on the WARC bytes, so they always agree.
2. `page_metadata` — what the page states about the document (title, 索引号, 发布机构, 发布日期,
   成文日期, `<meta name="PubDate">`), read from the metadata block and the meta tags before
   trafilatura discards them as page furniture.
3. `extract_page` — trafilatura on the content container, with the furniture and injected spam
   pruned, to markdown whose tables keep every cell (empty ones included). The metadata is
   prepended as a `标签：值` block, the shape real reports print, so the parser reads one text.
"""

from __future__ import annotations

import codecs
import copy
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding

from archive.dom import browser_dom
from archive.hidden import hidden_elements

# The version of the extraction code. A page's kept reading (`archive.textcache`) is keyed by it and
# by a digest of this module's source (and of the other modules that read a page), so an edit here
# makes the next reparse read every page again by itself; bump it by hand for what no source shows
# (a change in how a document reader behaves, a program called). `nianbao reparse --re-extract`
# forces reading regardless.
EXTRACTOR_VERSION = "1"

# Containers real CMS templates put the article body in (TRS, Hanweb, ucap, generic).
CONTENT_XPATHS = (
    '//*[@id="zoom"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]',
    '//*[contains(@class, "trs_editor_view")]',
    "//ucapcontent",
    '//*[@id="UCAP-CONTENT"]',
    '//*[@id="zoomcon"]',
    '//*[contains(@class, "article-content")]',
    '//*[@id="content"]',
)


# Furniture and spam trafilatura keeps unless told: hidden or off-screen blocks (the usual shape of
# SEO spam injected into hacked portals), article tool bars, share bars, QR blocks.
PRUNE_XPATHS = [
    '//*[contains(translate(@style, " ", ""), "display:none")]',
    '//*[contains(translate(@style, " ", ""), "visibility:hidden")]',
    '//*[@hidden or @aria-hidden="true"]',
    "//script | //style | //noscript | //iframe",
    '//*[contains(@class, "share") or contains(@class, "print") or contains(@class, "tools")]',
    '//*[contains(@class, "footer") or @id="footer" or contains(@class, "bottom")]',
    '//*[contains(@class, "breadcrumb") or contains(@class, "position") or contains(@class, "crumb")]',
]

# Lines of furniture that survive inside content containers (字体 大中小, 打印本页 …). A line is
# dropped when it is short and made of these words; report prose never is.
_FURNITURE_LINE = re.compile(
    r"^[\s【】\[\]|｜/·:：>»_*-]*(?:(?:字体|字号|大|中|小|默认|背景色|打印本页|打印|关闭窗口|关闭|"
    r"分享到|收藏|扫一扫在手机打开当前页面?|浏览次数|访问量|点击数|无障碍|关怀版|适老化|长者模式|"
    r"政务微信|政务微博|政务APP|网站地图|联系我们|繁體版|简体版|返回顶部)[\s【】\[\]|｜/·:：>»_*0-9-]*)+$"
)

# Injected SEO spam on hacked portals: gambling and lottery words, usually in hidden or off-screen
# blocks (which PRUNE_XPATHS removes from the text; `find_spam` reports them as a finding).
_SPAM_WORDS = re.compile(
    r"博彩|赌场|赌博|娱乐城|百家乐|彩票|时时彩|六合彩|老虎机|棋牌|真人视频|体育投注|在线投注|开户送|葡京|"
    r"威尼斯人|太阳城|皇冠体育|金沙|澳门.{0,4}(?:娱乐|赌)|casino|baccarat|porn",
    re.I,
)

METADATA_LABELS = ("标题", "索引号", "发布机构", "发布日期", "成文日期", "公开日期", "发布时间", "文号")
_LABEL_ALIASES = {
    "名称": "标题",
    "信息名称": "标题",
    "文件编号": "文号",
    "发文字号": "文号",
    "发文机关": "发布机构",
    "公开时间": "公开日期",
    "生成日期": "成文日期",
    "信息来源": "发布机构",
}
# `[^<>]`: a `<meta` left open is not rescanned to the end of the head from every later `<meta`.
_META_CHARSET = re.compile(rb"<meta\b[^<>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
# The byte order marks the WHATWG Encoding Standard recognises; a BOM overrides every declaration.
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
# WHATWG labels of UTF-16 that Python's codecs do not know; `<meta>` naming any UTF-16 means UTF-8.
_UTF16_LABELS = {"unicode", "unicodefeff", "unicodefffe", "ucs-2", "csunicode", "iso-10646-ucs-2"}
# An HTTP charset naming UTF-16 is obeyed (no BOM needed), with the Encoding Standard's labels.
_HTTP_UTF16 = {
    **dict.fromkeys(("utf-16", "utf-16le", *_UTF16_LABELS - {"unicodefffe"}), "utf-16-le"),
    **dict.fromkeys(("utf-16be", "unicodefffe"), "utf-16-be"),
}
_CJK = re.compile("[\u4e00-\u9fff]")
_LATIN_HIGH = re.compile("[\u00c0-\u00ff]")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


class ExtractionError(ValueError):
    """The page has no extractable text: `str(err)` is the reason."""


@dataclass(slots=True)
class Extracted:
    """The result of extraction: clean text for the parser, and what the page says about itself."""

    text: str
    title: str | None
    encoding: str
    metadata: dict[str, str] = field(default_factory=dict)


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode an HTML body as a browser would; returns (text, encoding name).

    WHATWG order: a BOM wins outright (it is never mojibake); then the HTTP charset; then the
    page's own declaration; then detection (UTF-8, else GB18030 when UTF-8 gives mojibake).
    """
    for bom, bom_encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding
    http_utf16 = _HTTP_UTF16.get(_http_charset(content_type) or "")
    if http_utf16:  # w3lib reads a bare "utf-16" as big-endian; WHATWG (and browsers) say little
        sniffed = sniff_utf16(body)
        encoding = sniffed if sniffed == "utf-16-be" else http_utf16
        return body.decode(encoding, errors="replace"), encoding
    sniffed = sniff_utf16(body)
    if sniffed:  # UTF-16 without BOM or label (a misconfigured IIS/ASP page): its NULs give it away
        return body.decode(sniffed, errors="replace"), sniffed
    if _charset_in(content_type):
        encoding, text = html_to_unicode(content_type, body)
    else:
        # w3lib looks for <meta charset> in the first 4 KB only; real templates put it later.
        encoding = declared_charset(body) or _document_encoding(html_body_declared_encoding(body)) or "utf-8"
        text = body.decode(encoding, errors="replace")
    if _looks_misdecoded(text) or (_single_byte_latin(encoding) and _has_latin_mojibake(text)):
        for candidate in ("utf-8", "gb18030"):
            if candidate == encoding:
                continue
            try:
                text = body.decode(candidate)
            except UnicodeDecodeError:
                continue
            encoding = candidate
            break
    return text, encoding


def sniff_utf16(body: bytes) -> str | None:
    """ "utf-16-le" / "utf-16-be" for a page that is plainly UTF-16 without a BOM, else None.

    HTML markup is ASCII, so in UTF-16 every other byte of it is NUL: in the little-endian order the
    odd bytes, in the big-endian one the even bytes. No 8-bit encoding of a web page has that
    (a page of mostly Chinese text still has its tags). WHATWG does not sniff this; a browser would
    show mojibake, and the report would be lost.
    """
    sample = body[:4096]
    if len(sample) < 64 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def declared_charset(body: bytes) -> str | None:
    """The charset a `<meta>` in the page's head declares, searched through the whole head."""
    head = body[:65536]
    end = head.lower().find(b"</head")
    for match in _META_CHARSET.finditer(head[: end if end > 0 else None]):
        encoding = _document_encoding(match[1].decode("ascii"))
        if encoding:  # a label that names no usable encoding is skipped, as the prescan does
            return encoding
    return None


def _document_encoding(label: str | None) -> str | None:
    """The encoding a label found inside the document means (WHATWG "prescan" rules), or None.

    The document was read as ASCII to find the label, so a UTF-16 label is a mistake and means
    UTF-8, x-user-defined means windows-1252, and any other encoding that does not read ASCII as
    ASCII (UTF-32, EBCDIC) cannot be what the page is in.
    """
    if not label:
        return None
    lowered = label.strip().lower()
    if lowered == "x-user-defined":
        return "cp1252"
    encoding = "utf-16" if lowered in _UTF16_LABELS else resolve_encoding(lowered)
    if encoding is None:
        return None
    if encoding.startswith("utf-16"):
        return "utf-8"
    probe = b"<meta charset=utf-8>"
    try:
        ascii_compatible = probe.decode(encoding) == probe.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        ascii_compatible = False
    return encoding if ascii_compatible else None


def _charset_in(content_type: str | None) -> bool:
    return bool(content_type and "charset=" in content_type.lower())


def _http_charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.I)
    return match[1].lower() if match else None


def _single_byte_latin(encoding: str) -> bool:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith(("cp125", "iso8859", "latin", "ascii"))


def _has_latin_mojibake(text: str) -> bool:
    """A page declared Latin (error templates say iso-8859-1) whose high bytes are surely Chinese:
    a Chinese government page has no reason to hold accented Latin letters and no CJK at all."""
    latin_high = len(_LATIN_HIGH.findall(text[:20000]))
    return latin_high >= 4 and not _CJK.search(text[:20000])


def _looks_misdecoded(text: str) -> bool:
    """Replacement characters, or Latin-1 mojibake where Chinese should be."""
    if text.count("\ufffd") > 3:
        return True
    sample = text[:20000]
    latin_high = len(_LATIN_HIGH.findall(sample))  # (counted in C: this runs on every crawled page)
    return latin_high > 50 and len(_CJK.findall(sample)) < latin_high // 4


def find_spam(tree: lxml.html.HtmlElement) -> list[dict[str, str]]:
    """Links injected by spammers: gambling words in the anchor, or off-site links hidden from view."""
    # The set holds the element proxies themselves: lxml makes a proxy per access and frees it, so
    # a set of id()s would match unrelated anchors whose proxy reused a freed address.
    hidden = {a for block in hidden_elements(tree) for a in block.iter("a")}
    found = []
    for anchor in tree.iter("a"):
        text = re.sub(r"\s+", " ", anchor.text_content() or "").strip()
        href = (anchor.get("href") or "").strip()
        offsite_hidden = anchor in hidden and href.startswith(("http://", "https://", "//"))
        if _SPAM_WORDS.search(text) or _SPAM_WORDS.search(href) or offsite_hidden:
            found.append({"text": text[:200], "href": href[:500]})
    return found


def page_metadata(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """The document facts a page states in its meta tags and its metadata block."""
    found: dict[str, str] = {}
    for name, label in (("ArticleTitle", "标题"), ("PubDate", "发布日期"), ("ContentSource", "发布机构")):
        for value in tree.xpath(f'//meta[@name="{name}"]/@content'):
            if value.strip():
                found.setdefault(label, value.strip())
    # The metadata block: label cells followed by value cells (table, dl or spans).
    for el in tree.iter("td", "th", "dt", "span", "label", "b", "strong", "li", "p"):
        raw = _text(el)
        if not raw or len(raw) > 60:
            continue
        key, _, rest = (
            re.sub(r"\s+", "", raw).partition("：")
            if "：" in raw
            else (re.sub(r"\s+", "", raw).partition(":"))
        )
        label = _LABEL_ALIASES.get(key, key)
        if label not in METADATA_LABELS:
            continue
        value = rest.strip() or _next_value(el)
        if value and label not in found:
            found[label] = value
    # ucap (Jiangsu) templates carry the article's facts in custom tags, not in a table
    for tag, label in (("publishtime", "发布时间"), ("ucaptitle", "标题")):
        values = [v for v in (_text(el) for el in tree.iter(tag)) if v]
        if values:
            found.setdefault(label, max(values, key=len))
    h1 = [_text(h) for h in tree.xpath("//h1")]
    titles = [t for t in h1 if t]
    if titles:
        found.setdefault("标题", max(titles, key=len))
    if "标题" not in found:
        title = tree.findtext(".//title")
        if title and title.strip():
            found["标题"] = re.split(r"[_|-]", title.strip())[0]
    return {k: _clean_value(k, v) for k, v in found.items() if _clean_value(k, v)}


def _next_value(el: lxml.html.HtmlElement) -> str:
    """The value cell right after a label cell: empty when the page leaves it empty.

    Only the immediate sibling counts; walking on past an empty value would take the next
    label (文号： followed by 关键词：) as the value.
    """
    sibling = el.getnext()
    if sibling is None:
        return ""
    value = _text(sibling)
    key = re.sub(r"\s+", "", value).rstrip("：:")
    return "" if value.endswith(("：", ":")) or _LABEL_ALIASES.get(key, key) in METADATA_LABELS else value


def _text(el: lxml.html.HtmlElement | None) -> str:
    if el is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", el.text_content())).strip()


def _clean_value(label: str, value: str) -> str:
    value = value.strip()
    if label in ("发布日期", "成文日期", "公开日期", "发布时间"):
        m = _DATE.search(value)
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else ""
    if label == "标题":
        return re.sub(r"\s+", "", value)
    return value if len(value) <= 200 else ""


def extract_page(html: str, url: str | None = None, encoding: str = "utf-8") -> Extracted:
    """Clean text of one article page: metadata block first, then the body with its tables."""
    try:
        tree = lxml.html.document_fromstring(browser_dom(html))
    except (ValueError, lxml.etree.ParserError) as err:
        raise ExtractionError(f"unparseable HTML: {err}") from err
    metadata = page_metadata(tree)
    for el in hidden_elements(tree):  # on the whole page: its <style> rules are in the head
        if el.getparent() is not None:  # (an ancestor may have gone already)
            el.drop_tree()
    body = _content_tree(tree)
    import trafilatura  # here, not at the top: a reparse of kept readings never extracts (0.2 s)

    text = trafilatura.extract(
        body,
        url=url,
        output_format="markdown",
        include_tables=True,
        include_comments=False,
        include_formatting=False,
        include_links=False,
        include_images=False,
        deduplicate=False,
        fast=True,
        prune_xpath=PRUNE_XPATHS,
        config=_config(),
    )
    lines = [line.rstrip() for line in (text or "").splitlines()]
    lines = [line for line in lines if not _FURNITURE_LINE.match(line)]
    clean = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not clean:
        images = len(body.xpath(".//img"))
        if images:
            raise ExtractionError(f"no text on the page, only {images} image(s) in its body: 图片版?")
        raise ExtractionError("no text on the page: its body is empty, or its markup hides the text")
    header = "\n".join(f"{label}：{metadata[label]}" for label in METADATA_LABELS if label in metadata)
    return Extracted(
        text=f"{header}\n\n{clean}\n" if header else f"{clean}\n",
        title=metadata.get("标题"),
        encoding=encoding,
        metadata=metadata,
    )


def _content_tree(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The article container wrapped as a page of its own; the whole page when none is known.

    Old county templates wrap the whole page in layout tables, which trafilatura would render as
    one big pipe table with the navigation in it; selecting the container avoids that.
    """
    for xpath in CONTENT_XPATHS:
        nodes = tree.xpath(xpath)
        if nodes:
            page = lxml.html.document_fromstring("<html><body><div></div></body></html>")
            page.body[0].append(copy.deepcopy(nodes[0]))
            return page
    return tree


@functools.cache
def _config() -> Any:
    from trafilatura.settings import DEFAULT_CONFIG

    config = copy.deepcopy(DEFAULT_CONFIG)
    # Short notices are normal on gov portals; and htmldate misreads 2024年1月25日 as 2024-01-01.
    config["DEFAULT"]["MIN_EXTRACTED_SIZE"] = "50"
    config["DEFAULT"]["MIN_OUTPUT_SIZE"] = "1"
    config["DEFAULT"]["EXTENSIVE_DATE_SEARCH"] = "off"
    return config


def __getattr__(name: str) -> Any:
    """`archive.extract.trafilatura`, imported when first asked for (as tests do, to count calls)."""
    if name == "trafilatura":
        import trafilatura

        return trafilatura
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
