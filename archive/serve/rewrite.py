"""A replayed HTML page: its links kept inside the replay, and a banner saying what it is.

Links are rewritten in the markup only (attribute values in tags, `<meta http-equiv=refresh>`), by
pattern rather than by re-serialising a parsed tree, so every other byte of the page stays as
captured. Every http(s) link, relative or absolute, becomes `/replay/<timestamp>/<absolute url>`:
a link to a page of the archive opens its capture closest to the same time, and a link to a page
never captured answers "not in the archive" instead of silently loading the live web (the server's
Content-Security-Policy stops whatever a stylesheet or script would still load from elsewhere).
Fragments, `javascript:`, `mailto:` and `data:` links are left alone.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape, unescape
from urllib.parse import urljoin, urlsplit

_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_ATTR = re.compile(
    r"""(?P<lead>\s)(?P<name>href|src|action|background|poster|data)(?P<eq>\s*=\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""",
    re.IGNORECASE,
)
_BASE = re.compile(r"<base\b[^>]*\bhref\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_REFRESH = re.compile(
    r"(<meta\b[^>]*http-equiv\s*=\s*[\"']?refresh[^>]*content\s*=\s*[\"']\s*\d+\s*;\s*url\s*=\s*)"
    r"([^\"'>]+)",
    re.IGNORECASE,
)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
BANNER_ID = "nianbao-banner"


def replay_url(target: str, base: str, timestamp: str) -> str | None:
    """Where a link to `target` on a page at `base` goes in the replay; None to leave it as is."""
    target = target.strip()
    if not target or target.startswith("#"):
        return None
    absolute = urljoin(base, target)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return f"/replay/{timestamp}/{absolute}"


def rewrite_links(html: str, page_url: str, timestamp: str) -> str:
    """Every http(s) link of the page pointed into the replay at `timestamp` (see the module doc)."""
    declared = _BASE.search(html)
    base = urljoin(page_url, unescape(declared.group(1))) if declared else page_url

    def attr(m: re.Match[str]) -> str:
        raw = m.group("dq") if m.group("dq") is not None else m.group("sq") or m.group("bare")
        target = replay_url(unescape(raw), base, timestamp)
        if target is None:
            return m.group(0)
        return f'{m.group("lead")}{m.group("name")}{m.group("eq")}"{escape(target, quote=True)}"'

    def tag(m: re.Match[str]) -> str:
        return _ATTR.sub(attr, m.group(0))

    def refresh(m: re.Match[str]) -> str:
        target = replay_url(unescape(m.group(2)), base, timestamp)
        return m.group(1) + (escape(target, quote=True) if target else m.group(2))

    return _REFRESH.sub(refresh, _TAG.sub(tag, html))


def banner(url: str, captured_at: datetime, revisit_of: datetime | None = None) -> str:
    """The bar at the top of a replayed page: archived by nianbao, when, and from where."""
    when = f"{captured_at:%Y-%m-%d %H:%M} UTC"
    same = f" (unchanged since the capture of {revisit_of:%Y-%m-%d %H:%M} UTC)" if revisit_of else ""
    style = (
        "all:initial;display:block;box-sizing:border-box;width:100%;padding:6px 10px;"
        "background:#fff3cd;color:#222;border-bottom:2px solid #b58100;"
        "font:13px/1.4 system-ui,'Noto Sans CJK SC',sans-serif;word-break:break-all"
    )
    return (
        f'<div id="{BANNER_ID}" style="{style}" data-captured="{captured_at:%Y-%m-%dT%H:%M:%SZ}">'
        f"Archived by nianbao on {when}{same} — {escape(url)}</div>"
    )


def replay_html(
    html: str, url: str, timestamp: str, captured_at: datetime, revisit_of: datetime | None
) -> str:
    """The page with its links rewritten and the banner first in its body."""
    page = rewrite_links(html, url, timestamp)
    bar = banner(url, captured_at, revisit_of)
    body = _BODY.search(page)
    if body is None:
        return bar + page
    return page[: body.end()] + bar + page[body.end() :]
