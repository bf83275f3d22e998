"""When a page needs a browser, and how browser captures reach the archive.

A browser is slow and heavy, so it is used only for pages that cannot be read without one:

- anti-bot challenge pages (瑞数 412, 加速乐 521, some 202s) that answer with a script computing a
  cookie and reloading;
- pages whose list is rendered by script from an API into an empty container, on platforms no
  adapter knows (known platforms' APIs are called directly by their adapters, without a browser).

`needs_browser` decides from the page alone (pure). The browser's own network responses are turned
into `HttpExchange`s by `exchange_from_browser` and archived as response records; the browser hands
over bodies already decoded, so `Content-Encoding`/`Content-Length` are kept as `X-Orig-*` headers
(the Browsertrix convention) and the record says so.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime
from typing import Any

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from archive.warcstore import HttpExchange
from crawler.middlewares import Scope
from crawler.platforms import Page, platform_names

log = logging.getLogger(__name__)

CHALLENGE_STATUSES = frozenset({202, 412, 521})
_CHALLENGE_MARKERS = re.compile(
    r"\$_ts|__jsl_clearance|wzws_cid|document\.cookie\s*=|请稍候|安全验证|访问验证|Just a moment", re.I
)
_DATA_LOADING = re.compile(
    r"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|getJSON|post)\s*\(|axios\.|\.load\s*\(", re.I
)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_EMPTY_CONTAINER = re.compile(
    r"<(ul|ol|div|tbody|table)\b[^>]*(?:id|class)\s*=\s*[\"'][^\"']*(?:list|news|items|article|content|data)"
    r"[^\"']*[\"'][^>]*>\s*</\1>",
    re.I,
)
BROWSER_REWRITTEN = ("Content-Encoding", "Content-Length", "Transfer-Encoding")


def needs_browser(page: Page) -> str | None:
    """Why `page` must be fetched through a browser ("js-challenge", "script-rendered"), or None."""
    text = page.text
    has_script = "<script" in text.lower()
    if page.status in CHALLENGE_STATUSES and has_script:
        return "js-challenge"
    if page.status != 200 or "html" not in (page.content_type or "html") or not has_script:
        return None
    if len(text) < 8000 and _CHALLENGE_MARKERS.search(text) and visible_text_length(text) < 200:
        return "js-challenge"
    if platform_names(page):
        return None  # a known platform: its adapter calls the listing API directly
    if _DATA_LOADING.search(text) and _EMPTY_CONTAINER.search(text):
        return "script-rendered"
    return None


def visible_text_length(html: str) -> int:
    return len(re.sub(r"\s+", "", _TAG.sub("", _SCRIPT_OR_STYLE.sub("", html))))


def browser_meta() -> dict[str, Any]:
    """Request meta for a scrapy-playwright fetch: every sub-request scope-checked (`guard_page`,
    with the scope `ScopeMiddleware` attaches), every network response archived (the spider's
    `archive_browser_response`). Plain data, so the frontier can store the request as JSON."""
    return {
        "playwright": True,
        "playwright_page_init_callback": "crawler.rendering.guard_page",
        "playwright_page_event_handlers": {"response": "archive_browser_response"},
        "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
    }


async def guard_page(page: Any, request: Any) -> None:
    """Page init callback: each request the page makes (scripts, XHR, frames, redirects, beacons)
    passes the crawl's scope and address checks, or is aborted before it leaves the browser."""
    scope: Scope = request.meta["nianbao_scope"]

    async def guard(route: Any) -> None:
        url = route.request.url
        reason = None if url.startswith(LOCAL_SCHEMES) else scope.refusal(url)
        if reason is None:
            await route.fallback()  # on to scrapy-playwright's own handler
            return
        log.info("refused in the browser (%s): %s", reason, url)
        await route.abort("blockedbyclient")

    await page.route("**/*", guard)


def skip_heavy_resources(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, media and fonts carry no report and cost the portal bandwidth."""
    return request.resource_type in ("image", "media", "font")


LOCAL_SCHEMES = ("data:", "blob:", "about:")


async def exchange_from_browser(response: Any) -> HttpExchange | None:
    """A Playwright network response as an exchange; None when the browser kept no body (redirects)."""
    try:
        body = await response.body()
    except Exception:  # redirects and aborted requests have no body to archive
        return None
    headers = [(h["name"], h["value"]) for h in await response.headers_array()]
    kept = [(k, v) for k, v in headers if k.title() not in BROWSER_REWRITTEN]
    renamed = [(f"X-Orig-{k.title()}", v) for k, v in headers if k.title() in BROWSER_REWRITTEN]
    request = response.request
    request_headers = [(h["name"], h["value"]) for h in await request.headers_array()]
    address = await response.server_addr()
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=request_headers,
        request_body=request.post_data_buffer or b"",
        protocol="HTTP/1.1",
        status=response.status,
        reason=response.status_text or None,
        response_headers=kept + renamed,
        body=body,
        ip_address=address["ipAddress"] if address else None,
        fetched_at=datetime.now(UTC),
        reconstructed=("body-decoded-by-browser", "protocol"),
    )


class BrowserOnDemandHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler, whose Playwright driver (a node process) and browser
    start with the first request that needs them, not with the crawl.

    Most crawls never need a browser; scrapy-playwright starts its driver when the engine starts.
    Plain requests go through the handler's HTTP/1.1 path as before.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._start_lock = asyncio.Lock()
        self._started = False

    async def _maybe_launch_in_thread(self) -> None:  # connected to engine_started: not yet
        return None

    async def download_request(self, request: Any) -> Any:
        if request.meta.get("playwright") and not self._started:
            async with self._start_lock:
                if not self._started:
                    log.info("starting the browser for %s", request.url)
                    await self._maybe_future_from_coro(self._launch())
                    self._started = True
        return await super().download_request(request)
