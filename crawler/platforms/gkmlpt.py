"""Adapter for the gkmlpt platform (placeholder: matches nothing yet)."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.platforms.base import Link, Page


@dataclass(frozen=True)
class _Adapter:
    name: str = "gkmlpt"

    def matches(self, page: Page) -> bool:
        return False

    def links(self, page: Page) -> list[Link]:
        return []


PLATFORM = _Adapter()
