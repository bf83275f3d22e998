"""WACZ packages opened in ReplayWeb.page, from `nianbao serve --wacz FILE`.

Archivists check a WACZ the way its readers will open it: in ReplayWeb.page (Webrecorder's
in-browser replay; its service worker reads the package's index and WARCs). Its two bundles,
`ui.js` and `sw.js`, come from the `replaywebpage` npm package, which `setup.sh` unpacks into
`.venv/share/replaywebpage` (`NIANBAO_REPLAYWEBPAGE` names another directory); nothing is
fetched from a CDN at run time. The server then answers:

- `/wacz/<name>` — the package itself (with byte ranges: the service worker reads the zip's
  central directory and the index first, the WARC records it needs later);
- `/rwp/<name>?url=<url>` — a page embedding `<replay-web-page>` on that package, on the URL when
  given (its capture as the package holds it), else on the package's page list;
- `/rwp/ui.js`, `/rwp/replay/ui.js`, `/rwp/replay/sw.js` — the bundles (the service worker's scope
  is `/rwp/replay/`).
"""

from __future__ import annotations

import os
import re
import sys
from html import escape
from pathlib import Path

VERSION = "2.5.3"  # the replaywebpage npm package setup.sh installs
ENV = "NIANBAO_REPLAYWEBPAGE"
BUNDLES = {"ui.js": "ui.js", "replay/ui.js": "ui.js", "replay/sw.js": "sw.js"}
# The replay frame's page, as ReplayWeb.page's own index holds it (its service worker serves the same
# once it runs; the first load may come before).
REPLAY_INDEX = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/rwp/replay/ui.js"></script></head>'
    "<body><replay-app-main></replay-app-main></body></html>"
)
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")  # a longer number is no file of ours


def replaywebpage_dir() -> Path | None:
    """Where ReplayWeb.page's bundles are, if they are installed."""
    where = Path(os.environ.get(ENV) or Path(sys.prefix) / "share" / "replaywebpage")
    return where if (where / "ui.js").is_file() and (where / "sw.js").is_file() else None


def missing_note() -> str:
    return (
        f"ReplayWeb.page is not installed: ./setup.sh unpacks the replaywebpage {VERSION} npm package "
        f"into .venv/share/replaywebpage (or set {ENV} to a directory holding its ui.js and sw.js)."
    )


def embed_page(name: str, url: str | None) -> str:
    """The page that opens package `name` in ReplayWeb.page, on `url` if given."""
    target = f' url="{escape(url)}" embed="replayonly"' if url else ""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(name)} in ReplayWeb.page</title>"
        '<script src="/rwp/ui.js"></script>'
        "<style>body{margin:0;font-family:sans-serif}p{margin:.4em .8em}"
        "replay-web-page{display:block;height:calc(100vh - 2.2em)}</style></head><body>"
        f'<p>{escape(name)}, replayed by ReplayWeb.page {VERSION} · <a href="/">the audit</a></p>'
        f'<replay-web-page source="/wacz/{escape(name)}" replayBase="/rwp/replay/"{target}>'
        "</replay-web-page></body></html>"
    )


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte a `Range: bytes=a-b` header asks for; None for the whole
    file (no header, or one this server does not serve: several ranges, or past the end)."""
    m = _RANGE.match((header or "").strip())
    if not m or size == 0:
        return None
    first, last = m.groups()
    if not first:  # the last N bytes
        if not last:
            return None
        return (max(0, size - int(last)), size - 1) if int(last) > 0 else None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end else None
