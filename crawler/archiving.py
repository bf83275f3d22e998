"""WARC capture: every HTTP exchange is written to the archive as it happened.

Hooked on Scrapy's `response_downloaded` signal, which fires once per download (every redirect hop
and retry attempt included) before any downloader middleware has touched the response: the body is
still content-encoded and `Content-Encoding` still in the headers. What Scrapy and Twisted have
already lost at that point (the reason phrase, connection-level headers such as Content-Length and
Transfer-Encoding, the original case of header names, the Host header) is declared in the record
through `HttpExchange.dropped_headers` / `.reconstructed`, never silently filled in.

After each record is flushed, the `record_archived` signal hands its reference on (to the ingest
extension). A record that cannot be written (disk full, I/O error) is logged with its URL and
counted (`nianbao/errors/archive`), and its request is marked `meta["warc_failed"]` so that the
spider does not read a response the archive does not hold (and a resume fetches it again);
`nianbao crawl` then exits non-zero. A full disk (ENOSPC, or less free space than a new file needs,
checked before each file is started) is announced with the `disk_full` signal, which stops the
crawl cleanly.

A fetch that gave no usable response (the spider's `fetch_failed`: timeout, cut connection, DNS,
TLS, size limit, error status with retries spent) is written as a `metadata` record on its URL, with
the error and the link that led there, so the archive holds the evidence that a report link was
found and could not be read. A report column that nothing could read (the spider's
`column_empty`, after every rung of `crawler.fallback`) is a metadata record on the column's URL
too, naming the rungs that ran.

Pages fetched through the browser are archived twice over: every network response the browser
received (sent by the spider's page handler as `browser_exchange`) as a response record, and the
rendered DOM as a `resource` record, never as a response.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

import archive
from archive.warcstore import HttpExchange, RecordRef, StoredResponse, WarcStore, headers_without
from crawler import signals as nianbao_signals
from crawler.middlewares import crawl_scope

log = logging.getLogger(__name__)

WARC_FAILED = "warc_failed"  # request meta: this download could not be archived, so is not read
WARC_RECORD = "warc_record_id"  # request meta: the record id its response was archived as
WARC_AT = "warc_at"  # request meta: {"file", "offset"} of that record, to read it back

# Twisted moves these into connection headers that Scrapy never sees (twisted/web/_newclient.py).
CONNECTION_HEADERS = ("Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Trailer")


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Every header value as (name, value) pairs, repeated names kept; bytes kept via latin-1."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def host_header(url: str) -> str:
    """The Host header an HTTP/1.1 client sends for `url`: no credentials, default port omitted."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def exchange_from_scrapy(request: Request, response: Response, fetched_at: datetime) -> HttpExchange:
    """The exchange as Scrapy saw it at `response_downloaded`, with its losses declared."""
    request_headers = header_pairs(request.headers)
    reconstructed = ["reason-phrase", "header-name-case"]
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", host_header(request.url)))
        reconstructed.append("Host")
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=request_headers,
        request_body=request.body or b"",
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        reason=None,
        response_headers=header_pairs(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        fetched_at=fetched_at,
        dropped_headers=CONNECTION_HEADERS,
        reconstructed=tuple(reconstructed),
    )


def revisit_profile(exchange: HttpExchange, previous_digest: str | None) -> str | None:
    """The revisit profile that truthfully describes this exchange, or None for a full response."""
    if exchange.status == 304:
        return "server-not-modified"
    if exchange.status == 200 and previous_digest:
        digest = "sha1:" + base64.b32encode(hashlib.sha1(exchange.body).digest()).decode("ascii")
        if digest.lower() == previous_digest.lower():
            return "identical-payload-digest"
    return None


def min_free_space(settings) -> int:
    """Bytes the disk must have free before a WARC file is started (NIANBAO_MIN_FREE_SPACE, default
    the size a file may grow to plus 64 MiB for the database), so a crawl stops cleanly before the
    disk is full rather than at ENOSPC."""
    explicit = settings.get("NIANBAO_MIN_FREE_SPACE")
    if explicit not in (None, ""):
        return int(explicit)
    return settings.getint("NIANBAO_WARC_MAX_SIZE") + 64 * 2**20


def is_disk_full(err: BaseException) -> bool:
    """ENOSPC (or EDQUOT) from a write, or SQLite's "database or disk is full"."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "disk is full" in str(err) or "No space left" in str(err)


# The archived body is read back decoded and whole: these no longer describe it.
DECODED_STALE_HEADERS = ("Content-Encoding", "Content-Length", "Transfer-Encoding")


def response_from_record(
    stored: StoredResponse, request: Request, *, as_sent: bool, flags: list[str], **extra: Any
) -> Response:
    """A Scrapy response for `request` from an archived record: `as_sent` (the body still
    content-encoded, for the downloader middlewares to decode as if it came off the wire), or
    decoded (the headers that no longer describe the body left out)."""
    if as_sent:
        headers, body = Headers(stored.headers), stored.raw_body
    else:
        headers, body = Headers(headers_without(stored.headers, DECODED_STALE_HEADERS)), stored.body
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(
        url=request.url,
        status=stored.status,
        headers=headers,
        body=body,
        request=request,
        flags=flags,
        **extra,
    )


def warc_directory(settings) -> Path:
    """Where the crawl's WARC files are: NIANBAO_WARC_DIR, else DATA/warc (one rule for every reader)."""
    return Path(settings.get("NIANBAO_WARC_DIR") or Path(settings.get("NIANBAO_DATA")) / "warc")


class WarcArchiver:
    """Scrapy extension: one WarcStore per crawl, closed (and its file renamed) when the crawl ends."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.directory = warc_directory(settings)
        self.store = WarcStore(
            self.directory,
            prefix=settings.get("NIANBAO_WARC_PREFIX", "nianbao"),
            max_size=settings.getint("NIANBAO_WARC_MAX_SIZE"),
            info={
                "operator-software": f"nianbao/{archive.__version__} on Scrapy",
                "http-header-user-agent": settings.get("USER_AGENT") or "",
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "isPartOf": settings.get("NIANBAO_CRAWL_NAME", "nianbao"),
            },
            min_free=min_free_space(settings),
        )
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.browser_exchange, signal=nianbao_signals.browser_exchange)
        crawler.signals.connect(self.fetch_failed, signal=nianbao_signals.fetch_failed)
        crawler.signals.connect(self.column_empty, signal=nianbao_signals.column_empty)
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiver:
        return cls(crawler)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        refused = crawl_scope(self.crawler).address_refusal(
            response.url, response.ip_address and str(response.ip_address)
        )
        if refused:  # the name resolved to a private address at connect time: keep nothing
            request.meta["refused_address"] = refused
            return
        # Scrapy's send_catch_log would only log an error raised here: it is caught, counted, and
        # the request marked so that the spider skips the response (a redirect or retry of it
        # carries the mark in its meta copy, and loses it when its own download is archived).
        try:
            ref = self._write(response, request)
        except Exception as err:
            request.meta[WARC_FAILED] = True
            self._failed(response.url, err)
            return
        request.meta.pop(WARC_FAILED, None)
        request.meta[WARC_RECORD] = ref.record_id
        request.meta[WARC_AT] = {"file": ref.filename, "offset": ref.offset}
        self._archived(ref)

    def _write(self, response: Response, request: Request) -> RecordRef:
        if "playwright" in response.flags:
            # A rendered DOM is not what the server sent; it is never stored as a response record.
            content_type = response.headers.get("Content-Type", b"text/html").decode("latin-1")
            return self.store.write_resource(
                response.url, response.body, content_type, refers_to=None, fetched_at=datetime.now(UTC)
            )
        exchange = exchange_from_scrapy(request, response, datetime.now(UTC))
        previous = request.meta.get("previous_capture")
        profile = revisit_profile(exchange, previous.ref.payload_digest) if previous else None
        if profile:
            ref = self.store.write_revisit(
                exchange, profile=profile, refers_to=previous.ref, refers_to_uri=previous.url
            )
            if self.crawler.stats:
                self.crawler.stats.inc_value(f"nianbao/revisit/{profile}")
            return ref
        return self.store.write_exchange(exchange)

    def browser_exchange(self, exchange: HttpExchange) -> None:
        try:
            ref = self.store.write_exchange(exchange)
        except Exception as err:
            self._failed(exchange.url, err)
            return
        self._archived(ref)

    def fetch_failed(self, request: Request, reason: str, kind: str, status: int | None) -> None:
        """A fetch that gave no usable response, kept as a metadata record on its URL."""
        fields = [("fetch-error", reason), ("fetch-error-kind", kind)]
        if status is not None:
            fields.append(("http-status", str(status)))
        fields.append(("attempts", str(request.meta.get("retry_times", 0) + 1)))
        for meta_key, field in (("link_kind", "link-kind"), ("link_text", "link-text")):
            if request.meta.get(meta_key):
                fields.append((field, " ".join(str(request.meta[meta_key]).split())))
        referer = request.headers.get("Referer")
        if referer:
            fields.append(("via", referer.decode("latin-1")))
        if request.meta.get("seed"):
            fields.append(("seed", "yes"))
        self._metadata(request.url, fields, refers_to=request.meta.get(WARC_RECORD))

    def column_empty(self, url: str, reason: str, rungs: list[str], title: str = "") -> None:
        """A report column nothing could read, kept as a metadata record on its URL."""
        fields = [
            ("column-empty", "no report, listing or list API found on the column"),
            ("column-reason", reason),
            ("column-title", " ".join(title.split())),
            ("rungs", ", ".join(rungs)),
        ]
        self._metadata(url, fields, refers_to=None)

    def _metadata(self, url: str, fields: list[tuple[str, str]], refers_to: str | None) -> None:
        try:
            ref = self.store.write_metadata(url, fields, refers_to=refers_to, fetched_at=datetime.now(UTC))
        except Exception as err:
            self._failed(url, err)
            return
        self._archived(ref)

    def _failed(self, url: str, err: BaseException) -> None:
        if is_disk_full(err):
            log.error("could not archive %s: %s", url, err)
            self.crawler.signals.send_catch_log(
                nianbao_signals.disk_full, where=str(self.directory), error=err
            )
        else:
            log.error("could not archive %s: the WARC record was not written", url, exc_info=err)
        if self.crawler.stats:
            self.crawler.stats.inc_value("nianbao/errors/archive")

    def _archived(self, ref: RecordRef) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value("nianbao/warc_records")
        self.crawler.signals.send_catch_log(nianbao_signals.record_archived, ref=ref)

    def close(self) -> None:
        self.store.close()
