"""Retries with exponential backoff: Scrapy's RetryMiddleware retries at once, which hammers a
struggling government server exactly when it is least able to answer.

A retry waits `RETRY_BACKOFF_BASE * 2**n` seconds (n = retries so far, capped at
`RETRY_BACKOFF_MAX`), or what the server's `Retry-After` asks for (429/503), whichever is longer.

The wait holds nothing. The retry request goes back to the scheduler at once, carrying its
not-before time (`meta["nianbao_retry_at"]`, wall-clock seconds, so it survives a JOBDIR resume).
When the engine hands it to the downloader too early, the middleware takes it out again before it
reaches a download slot (`IgnoreRequest`, which Scrapy neither logs nor hands to the spider) and
gives it back to the engine once the time has come (`call_later` + `engine.crawl`). Other
requests, other hosts' and the same host's, keep the download slots meanwhile. Waiting requests
keep the spider open (`spider_idle`); a crawl stopped while some wait keeps them in its JOBDIR.
"""

from __future__ import annotations

import email.utils
import logging
import pickle
import time
from pathlib import Path

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.request import request_from_dict

log = logging.getLogger(__name__)

RETRY_AT = "nianbao_retry_at"  # request meta: wall-clock time before which the retry is not sent
WAITING_FILE = "nianbao-waiting-retries.pickle"  # in JOBDIR: retries waiting when the crawl stopped


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
        self.waiting: dict[int, tuple[Request, CallLaterResult]] = {}  # until released

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        wait = request.meta.get(RETRY_AT, 0.0) - time.time()
        if wait > 0:
            self._hold(request, wait)
            raise IgnoreRequest(f"retry of {request.url} not before {wait:.1f} s from now")

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

    # -- waiting requests, out of the downloader ----------------------------------------------------

    def _hold(self, request: Request, wait: float) -> None:
        key = id(request)
        if key not in self.waiting:
            self.waiting[key] = (request, call_later(wait, self._release, key))

    def _release(self, key: int) -> None:
        request, _ = self.waiting.pop(key)
        try:
            self.crawler.engine.crawl(request)
        except Exception:  # the engine is closing: the retry is lost with the crawl's queue
            log.warning("retry of %s dropped: the crawl is closing", request.url, exc_info=True)

    def spider_idle(self) -> None:
        if self.waiting:
            raise DontCloseSpider  # the crawl is not finished while retries wait

    def spider_closed(self, spider: Spider) -> None:
        waiting = [request for request, _ in self.waiting.values()]
        for _, call in self.waiting.values():
            call.cancel()
        self.waiting.clear()
        job = self.crawler.settings.get("JOBDIR")
        if not waiting or not job:
            return
        kept = []
        for request in waiting:
            try:  # as Scrapy's disk queues do, a request whose meta cannot be pickled is not kept
                kept.append(pickle.dumps(request.to_dict(spider=spider), protocol=4))
            except Exception:
                log.warning("retry of %s not kept in %s: it cannot be serialised", request.url, job)
        (Path(job) / WAITING_FILE).write_bytes(pickle.dumps(kept, protocol=4))
        log.info("%d retries waiting for their backoff are kept in %s", len(kept), job)

    def spider_opened(self, spider: Spider) -> None:
        job = self.crawler.settings.get("JOBDIR")
        path = Path(job) / WAITING_FILE if job else None
        if path is None or not path.exists():
            return
        kept: list[bytes] = pickle.loads(path.read_bytes())  # written by this middleware, above
        path.unlink()
        for data in kept:
            request = request_from_dict(pickle.loads(data), spider=spider)
            self._hold(request, max(0.0, request.meta.get(RETRY_AT, 0.0) - time.time()))
