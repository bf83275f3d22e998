"""Platform adapters: how each CMS family lists its articles, as pure functions of a fetched page.

Government portals run on a handful of CMS platforms (大汉 Hanweb JCMS, 拓尔思 TRS WCM, Guangdong's
gkmlpt, Jiangsu's ucap, …), and each hides its listings differently: XML from a paging proxy, pages
written by inline scripts, JSON APIs. An adapter recognises its platform from a page and names the
links worth following; the spider turns `Link`s into requests. Adapters do no I/O and hold no
state, so each is tested on a faithful fixture of its platform's markup.

Every page goes through the readers of any platform (plain anchors; JSON and XML lists) and through
each platform adapter whose `matches()` accepts it.
"""

from __future__ import annotations

from collections.abc import Iterator

from crawler.platforms import datalist, generic, gkmlpt, hanweb, trs, ucap
from crawler.platforms.base import Link, Page, Platform

PLATFORMS: tuple[Platform, ...] = (trs.PLATFORM, hanweb.PLATFORM, gkmlpt.PLATFORM, ucap.PLATFORM)
# Readers of any platform: plain anchors, and lists answered as data (JSON, XML rows).
READERS: tuple[Platform, ...] = (generic.PLATFORM, datalist.PLATFORM)


def discover(page: Page) -> Iterator[Link]:
    """Every link worth following from `page`, each URL once, the most promising kind first."""
    seen: dict[str, Link] = {}
    for platform in (*READERS, *PLATFORMS):
        if not platform.matches(page):
            continue
        for link in platform.links(page):
            key = f"{link.method} {link.url} {link.body!r}"
            if key not in seen or link.priority > seen[key].priority:
                seen[key] = link
    yield from sorted(seen.values(), key=lambda link: -link.priority)


def script_links(page: Page) -> list[Link]:
    """What the platform adapters read in a linked script, as if it were inline in `page` (whose
    `text` is the script): a TRS pager kept in its own file. Plain anchors are not read from
    script text (an `href` there is half of a string expression)."""
    found: dict[str, Link] = {}
    for platform in PLATFORMS:
        if platform.matches(page):
            for link in platform.links(page):
                found.setdefault(f"{link.method} {link.url} {link.body!r}", link)
    return list(found.values())


def platform_names(page: Page) -> list[str]:
    return [p.name for p in PLATFORMS if p.matches(page)]


__all__ = ["PLATFORMS", "READERS", "Link", "Page", "Platform", "discover", "platform_names", "script_links"]
