"""Scope and safety: the crawler follows untrusted links, so every request is checked before it leaves.

A request is allowed when its host:port is one of the crawl's start URLs, or its host is one the
portal registry allows (`NIANBAO_ALLOWED_HOSTS`, subdomains included) on the default HTTP(S) port,
and its address is public. Loopback, private, link-local and other special addresses are refused
unless the exact host:port was given as a start URL (tests and the demo crawl 127.0.0.1). A name
that cannot be resolved is refused too.

The same `Scope` guards three doors: this downloader middleware (every request, redirects
included, since Scrapy re-schedules them), the browser (every sub-request a rendered page makes is
routed through `Scope.refusal` and aborted when refused; the middleware hands the browser its
`Scope` in the request's meta), and the connection itself: a response
whose peer address is not public is neither archived nor followed, which closes the gap a DNS
answer that changes between the check and the connection (rebinding) would leave.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
_DNS_TTL = 60.0  # seconds a resolution is trusted for the pre-flight check
_dns_cache: dict[str, tuple[float, bool | None]] = {}


def netloc(url: str) -> str:
    """host:port with the default port made explicit, lower-cased; raises ValueError on a bad port."""
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def is_public_address(address: str) -> bool:
    """A globally routable unicast address, IPv4 embedded in IPv6 included (mapped, 6to4, NAT64)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and ip in ipaddress.ip_network("::/96"):  # deprecated IPv4-compatible
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def resolves_publicly(host: str) -> bool | None:
    """True when every address the host resolves to is public; None when it does not resolve."""
    try:
        return is_public_address(host.strip("[]"))
    except ValueError:
        pass
    now = time.monotonic()
    cached = _dns_cache.get(host)
    if cached is not None and now - cached[0] < _DNS_TTL:
        return cached[1]
    try:
        infos = socket.getaddrinfo(host, None)
        answer: bool | None = all(is_public_address(info[4][0]) for info in infos)
    except OSError:
        answer = None
    _dns_cache[host] = (now, answer)
    return answer


class Scope:
    """Which URLs a crawl may fetch: pure apart from DNS look-ups."""

    def __init__(self, start_urls: list[str], allowed_hosts: list[str]) -> None:
        self.start_netlocs = set()
        for url in start_urls:
            try:
                self.start_netlocs.add(netloc(url))
            except ValueError:
                continue
        self.allowed_hosts = {h.lower().strip(".") for h in allowed_hosts if h}

    def refusal(self, url: str) -> str | None:
        """Why `url` must not be fetched ("offsite", "private_address", …), or None."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return "offsite"
        try:
            where = netloc(url)
        except ValueError:
            return "invalid_url"
        if where in self.start_netlocs:
            return None
        host = parts.hostname.lower()
        allowed = host in self.allowed_hosts or any(host.endswith("." + h) for h in self.allowed_hosts)
        if not allowed or (parts.port not in (None, DEFAULT_PORTS[parts.scheme])):
            return "offsite"
        public = resolves_publicly(host)
        if public is None:
            return "unresolvable"
        return None if public else "private_address"

    def address_refusal(self, url: str, address: str | None) -> str | None:
        """Why a response from peer `address` must be dropped: a non-public peer off the start URLs."""
        if address is None:
            return None
        try:
            if netloc(url) in self.start_netlocs or is_public_address(str(address)):
                return None
        except ValueError:
            return "invalid_url"
        return "private_address"

    def in_scope(self, url: str) -> bool:
        return self.refusal(url) is None


def crawl_scope(crawler: Crawler) -> Scope:
    """The crawl's scope, built once per crawler from its spider's start URLs and the settings."""
    scope = getattr(crawler, "_nianbao_scope", None)
    if scope is None:
        start_urls = list(getattr(crawler.spider, "start_urls", []))
        scope = Scope(start_urls, crawler.settings.getlist("NIANBAO_ALLOWED_HOSTS"))
        if crawler.spider is not None:
            crawler._nianbao_scope = scope  # type: ignore[attr-defined]
    return scope


class ScopeMiddleware:
    """Downloader middleware refusing requests outside the crawl's scope or to non-public addresses."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    @property
    def scope(self) -> Scope:
        return crawl_scope(self.crawler)

    def process_request(self, request: Request) -> None:
        reason = self.scope.refusal(request.url)
        if reason:
            self._refuse(reason, request.url)
        if request.meta.get("playwright"):  # the browser checks each sub-request against it
            request.meta["nianbao_scope"] = self.scope

    def process_response(self, request: Request, response: Response) -> Response:
        reason = request.meta.get("refused_address") or self.scope.address_refusal(
            response.url, response.ip_address and str(response.ip_address)
        )
        if reason:
            self._refuse(reason, response.url)
        return response

    def _refuse(self, reason: str, url: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(f"nianbao/refused/{reason}")
        log.debug("refused (%s): %s", reason, url)
        raise IgnoreRequest(f"{reason}: {url}")
