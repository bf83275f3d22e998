"""Scope and safety: the crawler follows untrusted links, so every request is checked before it leaves.

A request is allowed when its host:port is one of the crawl's start URLs or a host the portal
registry allows (`NIANBAO_ALLOWED_HOSTS`), and its address is public. Loopback, private,
link-local and other special addresses are refused unless the exact host:port was given as a start
URL (tests and the demo crawl 127.0.0.1). Redirects are re-scheduled as new requests, so they pass
through here too.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

log = logging.getLogger(__name__)


def netloc(url: str) -> str:
    """host:port with the default port made explicit, lower-cased."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


@lru_cache(maxsize=4096)
def resolves_publicly(host: str) -> bool:
    """True when every address the host resolves to is public (an IP literal is its own answer).

    A name that resolves to a private address (DNS rebinding, internal names) is refused too.
    """
    try:
        return is_public_address(host)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return True  # unresolvable: the download itself will fail and be recorded as such
    return all(is_public_address(info[4][0]) for info in infos)


class ScopeMiddleware:
    """Downloader middleware refusing requests outside the crawl's scope or to non-public addresses."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allowed_hosts = {h.lower() for h in crawler.settings.getlist("NIANBAO_ALLOWED_HOSTS")}
        self.start_netlocs: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def allow_start_urls(self, urls: list[str]) -> None:
        self.start_netlocs.update(netloc(u) for u in urls)

    def in_scope(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        if netloc(url) in self.start_netlocs:
            return True
        host = parts.hostname.lower()
        return host in self.allowed_hosts or any(host.endswith("." + h) for h in self.allowed_hosts)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        if not self.start_netlocs and spider is not None:
            self.allow_start_urls(list(getattr(spider, "start_urls", [])))
        url = request.url
        if not self.in_scope(url):
            self._refuse("offsite", url)
        if netloc(url) not in self.start_netlocs and not resolves_publicly(urlsplit(url).hostname or ""):
            self._refuse("private_address", url)

    def _refuse(self, reason: str, url: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(f"nianbao/refused/{reason}")
        log.debug("refused (%s): %s", reason, url)
        raise IgnoreRequest(f"{reason}: {url}")
