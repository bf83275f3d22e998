"""The adapter interface: a fetched `Page` in, `Link`s out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol

from parsel import Selector

LinkKind = Literal["report", "attachment", "image", "listing", "api", "script", "navigation"]

# Reports and their attachments first, then listings (and the APIs behind them), then navigation.
PRIORITIES: dict[str, int] = {
    "report": 30,
    "attachment": 25,
    "image": 25,  # a picture of a report page that may be one of its scanned pages (图片版)
    "listing": 20,
    "api": 20,
    "script": 20,  # a column's own script, read for its list (crawler.fallback)
    "navigation": 10,
}

# 当前位置：/ 您现在的位置：/ 所在位置： … the label in front of a breadcrumb.
_CRUMB_LABEL = re.compile(r"(?:当前|您现在的|您当前的|您的|所在|现在)位置\s*[:：]?")
# Between crumbs: a separator, or an element boundary (\x1f, crumbs separated by arrow images).
_CRUMB_SEPARATOR = re.compile(r"(?:\s*(?:>|＞|»|›|→|〉|》|/|\||｜|·|—|::|\s-\s|\x1f)\s*)+")
MAX_CRUMB_CHARS = 400  # a breadcrumb is one short line: an element holding more is something else
_TITLE_SEPARATOR = re.compile(r"\s*[_|｜\-–—]+\s*|\s+")


@dataclass(frozen=True, slots=True)
class Link:
    """A request worth making, and why."""

    url: str
    kind: LinkKind
    title: str = ""
    method: str = "GET"
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    render: bool = False  # only a browser can show what this page lists (scrapy-playwright)

    @property
    def priority(self) -> int:
        return PRIORITIES[self.kind]


@dataclass
class Page:
    """A fetched page as adapters see it: URL, decoded text, content type."""

    url: str
    text: str
    content_type: str = "text/html"
    status: int = 200
    extra: dict[str, str] = field(default_factory=dict)

    @cached_property
    def selector(self) -> Selector:
        kind = "xml" if "xml" in self.content_type else "html"
        if kind == "html" and self.text.lstrip().startswith("<?xml") and "<datastore" in self.text[:2000]:
            kind = "xml"
        return Selector(text=self.text, type=kind)

    @cached_property
    def title(self) -> str:
        """The page's own title (ucap's <ucaptitle>, else h1, else <title>), for deciding whether the
        page is a report. <ucaptitle> first, as `archive.extract.page_metadata` reads it: ucap
        templates put the site's name in an <h1> logo."""
        for xpath in ("normalize-space(//ucaptitle[1])", "normalize-space(//h1[1])"):
            own = (self.selector.xpath(xpath).get() or "").strip()
            if own:
                return own
        return (self.selector.xpath("normalize-space(//title)").get() or "").split("_")[0].strip()

    @cached_property
    def names(self) -> tuple[str, ...]:
        """What the page calls itself: its title, each part of its <title> (政府信息公开年报 - 某市人民
        政府), and on a column page (no `ArticleTitle` meta) its `ColumnName` meta."""
        names = [self.title]
        names += _TITLE_SEPARATOR.split(self.selector.xpath("normalize-space(//title)").get() or "")
        if not self.selector.xpath("//meta[@name='ArticleTitle']"):
            names += self.selector.xpath("//meta[@name='ColumnName']/@content").getall()
        return tuple(name.strip() for name in names if name.strip())

    @cached_property
    def breadcrumb(self) -> tuple[str, ...]:
        """The crumbs after 当前位置：(首页, 政务公开, 政府信息公开年报), or () when there is none."""
        root = self.selector.root
        if not hasattr(root, "xpath"):
            return ()
        for text in root.xpath("//body//text()[contains(., '位置')]")[:8]:
            label = _CRUMB_LABEL.search(text)
            if label is None:
                continue
            node = text.getparent().getparent() if text.is_tail else text.getparent()
            for _ in range(3):  # the label may sit in its own <span>, the crumbs beside it
                joined = _short_text(node)
                if joined is None:
                    break
                at = joined.find(label.group())
                after = joined[at + len(label.group()) :] if at >= 0 else ""
                # a crumb names something: a separator the regex does not know ("-", "::") is no crumb
                crumbs = tuple(c.strip() for c in _CRUMB_SEPARATOR.split(after) if re.search(r"\w", c))
                if crumbs:
                    return crumbs
                node = node.getparent()
        return ()


def _short_text(node: Any) -> str | None:
    """An element's text nodes joined by \\x1f; None for no element or more than MAX_CRUMB_CHARS."""
    if node is None:
        return None
    parts, size = [], 0
    for part in node.itertext():
        size += len(part)
        if size > MAX_CRUMB_CHARS:
            return None
        parts.append(part)
    return "\x1f".join(parts)


class Platform(Protocol):
    name: str

    def matches(self, page: Page) -> bool: ...

    def links(self, page: Page) -> list[Link]: ...
