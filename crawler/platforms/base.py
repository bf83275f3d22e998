"""The adapter interface: a fetched `Page` in, `Link`s out."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Protocol

from parsel import Selector

LinkKind = Literal["report", "attachment", "listing", "api", "navigation"]

# Reports and their attachments first, then listings (and the APIs behind them), then navigation.
PRIORITIES: dict[str, int] = {"report": 30, "attachment": 25, "listing": 20, "api": 20, "navigation": 10}


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
        """The page's own title (h1, else <title>), for deciding whether the page is a report."""
        h1 = " ".join(self.selector.xpath("normalize-space(//h1[1])").getall()).strip()
        if h1:
            return h1
        return (self.selector.xpath("normalize-space(//title)").get() or "").split("_")[0].strip()


class Platform(Protocol):
    name: str

    def matches(self, page: Page) -> bool: ...

    def links(self, page: Page) -> list[Link]: ...
