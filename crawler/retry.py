"""Retries with exponential backoff: Scrapy's RetryMiddleware retries at once, which hammers a
struggling government server exactly when it is least able to answer.

A retry waits `RETRY_BACKOFF_BASE * 2**n` seconds (n = retries so far, capped at
`RETRY_BACKOFF_MAX`), or what the server's `Retry-After` asks for (429/503), whichever is longer.

The wait holds nothing: the retry request goes back to the scheduler at once, carrying its
not-before time (`meta["nianbao_retry_at"]`, wall-clock seconds). The frontier
(`crawler.frontier.scheduler`) keeps it on disk and hands it out only once that time has come,
so other requests, other hosts' and the same host's, keep the download slots meanwhile, and a
crawl stopped or killed while retries wait keeps them for `--resume`.
"""

from __future__ import annotations

import email.utils
import time

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

from crawler.frontier import RETRY_AT


def backoff_delay(retries: int, base: float, cap: float, retry_after: str | None = None) -> float:
    """Seconds to wait before retry number `retries + 1`."""
    delay = min(cap, base * 2**retries) if base > 0 else 0.0
    if retry_after:
        asked = _retry_after_seconds(retry_after)
        if asked is not None:
            delay = max(delay, min(asked, cap))
    return delay


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            retry_after = response.headers.get("Retry-After", b"").decode("latin-1") or None
            self._not_before(request, result, retry_after)
        return result

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self._not_before(request, result, None)
        return result

    def _not_before(self, request: Request, retry: Request, retry_after: str | None) -> None:
        delay = backoff_delay(request.meta.get("retry_times", 0), self.base, self.cap, retry_after)
        if delay > 0:
            retry.meta[RETRY_AT] = time.time() + delay
            if self.crawler.stats:
                self.crawler.stats.inc_value("nianbao/retry_backoff_seconds", int(delay))
