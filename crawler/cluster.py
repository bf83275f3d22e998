"""robots.txt once per host for a whole cluster of workers sharing one Redis frontier.

Scrapy's RobotsTxtMiddleware fetches a host's robots.txt once per process: with five workers the
portal would see five fetches of it per crawl, and five records of it in the archive. This
downloader middleware sits in front of that fetch: the first worker to ask takes a lock in Redis
and fetches it (archived as usual); its answer (status, headers, body) is kept under the crawl's
keys, and every other worker is answered from there, without a request to the portal and without
a second record in the archive. A failed fetch releases the lock, so another worker tries.

Only active with `NIANBAO_REDIS`; the keys go away with the crawl's other keys when it finishes.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.frontier.redis_store import CURRENT, connect, crawl_prefix

log = logging.getLogger(__name__)

ROBOTS_KEY = "nianbao_robots_key"  # request meta: this worker fetches the host's robots.txt for all
WAIT = 60.0  # seconds a worker waits for the others' robots.txt fetches before fetching it itself


class SharedRobotsTxt:
    """Downloader middleware: answer robots.txt from the cluster's copy, or fetch it for everyone."""

    def __init__(self, crawler: Crawler) -> None:
        url = crawler.settings.get("NIANBAO_REDIS")
        if not url:
            raise NotConfigured("no shared frontier (NIANBAO_REDIS)")
        self.url = str(url)
        # the fetching worker's lock runs out with a lease: if it was killed, another one fetches
        self.lock_ms = int(crawler.settings.getfloat("NIANBAO_REDIS_LEASE", 60.0) * 1000)
        self.stats = crawler.stats
        self._client = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRobotsTxt:
        return cls(crawler)

    def _keys(self, netloc: str) -> tuple[str, str]:
        if self._client is None:
            self._client = connect(self.url)
        crawl = self._client.get(CURRENT)
        prefix = crawl_prefix(crawl.decode() if crawl else "0")
        return f"{prefix}robots:{netloc}", f"{prefix}robots-lock:{netloc}"

    async def process_request(self, request: Request) -> Response | None:
        parts = urlsplit(request.url)
        if parts.path != "/robots.txt" or not request.meta.get("dont_obey_robotstxt"):
            return None
        key, lock = self._keys(parts.netloc)
        assert self._client is not None
        wait = max(WAIT, 3 * self.lock_ms / 1000)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            cached = self._client.hgetall(key)
            if cached:
                self._inc("nianbao/cluster/robots_shared")
                return _response(request, cached)
            if self._client.set(lock, b"1", nx=True, px=self.lock_ms):
                request.meta[ROBOTS_KEY] = key
                return None  # this worker fetches it, for everyone
            await maybe_deferred_to_future(deferLater(reactor, 0.2, lambda: None))
        log.warning(
            "robots.txt of %s: no other worker delivered it in %.0f s; fetching it", parts.netloc, wait
        )
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        key = request.meta.pop(ROBOTS_KEY, None)
        if key and self._client is not None:
            headers = {
                k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()
            }
            self._client.hset(key, mapping={
                "status": response.status, "url": response.url,
                "headers": json.dumps(headers), "body": response.body,
            })  # fmt: skip
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        key = request.meta.pop(ROBOTS_KEY, None)
        if key and self._client is not None:  # let another worker (or a later ask) try again
            self._client.delete(key.replace(":robots:", ":robots-lock:", 1))

    def _inc(self, name: str) -> None:
        if self.stats:
            self.stats.inc_value(name)


def _response(request: Request, cached: dict[bytes, bytes]) -> Response:
    headers = json.loads(cached[b"headers"].decode())
    body = cached[b"body"]
    url = cached[b"url"].decode()
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(
        url=url, status=int(cached[b"status"]), headers=headers, body=body, request=request,
        flags=["shared-robots"],
    )  # fmt: skip
