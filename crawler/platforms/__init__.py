"""Platform adapters: how each CMS family lists its articles, as pure functions of a fetched page.

Government portals run on a handful of CMS platforms (大汉 Hanweb JCMS, 拓尔思 TRS WCM, Guangdong's
gkmlpt, Jiangsu's ucap, …), and each hides its listings differently: XML from a paging proxy, pages
written by inline scripts, JSON APIs. An adapter recognises its platform from a page and names the
links worth following; the spider turns `Link`s into requests. Adapters do no I/O and hold no
state, so each is tested on a faithful fixture of its platform's markup.

Every page goes through the generic adapter (plain anchors) and through each platform adapter
whose `matches()` accepts it.
"""

from __future__ import annotations

from collections.abc import Iterator

from crawler.platforms import generic, gkmlpt, hanweb, trs, ucap
from crawler.platforms.base import Link, Page, Platform

PLATFORMS: tuple[Platform, ...] = (trs.PLATFORM, hanweb.PLATFORM, gkmlpt.PLATFORM, ucap.PLATFORM)


def discover(page: Page) -> Iterator[Link]:
    """Every link worth following from `page`, each URL once, the most promising kind first."""
    seen: dict[str, Link] = {}
    for platform in (generic.PLATFORM, *PLATFORMS):
        if platform is not generic.PLATFORM and not platform.matches(page):
            continue
        for link in platform.links(page):
            key = f"{link.method} {link.url} {link.body!r}"
            if key not in seen or link.priority > seen[key].priority:
                seen[key] = link
    yield from sorted(seen.values(), key=lambda link: -link.priority)


def platform_names(page: Page) -> list[str]:
    return [p.name for p in PLATFORMS if p.matches(page)]


__all__ = ["PLATFORMS", "Link", "Page", "Platform", "discover", "platform_names"]
