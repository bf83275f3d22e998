"""The WARC store: the crawl's source of truth, written as honest WARC/1.1 and read back offline.

Everything downstream (parse, database, exports) is rebuilt from these files, so this module
cares about three things: the records say what actually crossed the wire, a crash never leaves a
file that looks complete but is not, and the files stay readable by the ordinary tools (warcio,
cdxj-indexer, pywb, ReplayWeb.page).  It knows nothing about Scrapy: the crawler hands over plain
`HttpExchange` data (see `shared/notes/libraries.md` §3 for where Scrapy still has the raw body).

Files
    ``PREFIX-YYYYMMDDHHMMSS-NNNNN-HOST-TOKEN.warc.gz`` (UTC time the file was opened, a serial per
    store, the short host name and a random token per store, so two crawlers never collide).  A file
    is written as ``….warc.gz.open`` and renamed to ``….warc.gz`` only after close() or rotation has
    flushed and fsynced it; a ``.warc.gz`` name therefore always means "complete".  Each record is
    its own gzip member (what replay tools need for random access) and is flushed to the OS as
    soon as it is written, so ``kill -9`` loses at most the record being written; `recover()` then
    cuts the torn tail off and renames the file.  Every file starts with a ``warcinfo`` record and
    every other record points back to it with ``WARC-Warcinfo-ID``; that record is written under a
    ``….warc.gz.open.part`` name first, so a ``.open`` file always holds at least one whole record.
    The writer holds an exclusive ``flock`` on its ``.open`` file, which `recover()` uses to refuse
    a file that a live process is still writing.

Honesty policy (what a record claims vs. what we saw)
    * The response payload is the body as the client received it: still content-encoded (gzip,
      br…), transfer coding already removed.  ``WARC-Payload-Digest`` therefore covers the entity
      as sent, which is what WARC 1.1, pywb and cdxj-indexer expect.
    * The HTTP header block is kept as received: same names, order and repeats (two
      ``Set-Cookie`` stay two lines).  Header strings carry the wire bytes decoded as ISO-8859-1
      (the PEP 3333 convention; Scrapy's ``bytes`` headers should be decoded that way) and are
      written back byte for byte; a value with characters beyond U+00FF cannot have come from the
      wire that way and is written as UTF-8.  warcio's own %-encoding of non-ASCII headers is
      bypassed because it would alter the block silently.
    * Nothing is removed or rewritten silently.  What the client dropped before we saw it is
      declared in the WARC record header as ``WARC-Nianbao-Dropped: Content-Length,
      Transfer-Encoding``; what we filled in ourselves as ``WARC-Nianbao-Reconstructed:
      reason-phrase`` (WARC 1.1 allows extension fields).  The HTTP block itself gets no invented
      ``X-…`` headers, so replay sees exactly the server's headers.
    * The one edit to the HTTP block: a ``Transfer-Encoding`` header, if a client passes one, is
      renamed ``X-Orig-Transfer-Encoding`` (the Browsertrix convention for "header whose value no
      longer describes the stored bytes"), because the stored body is never chunk-framed and a
      replay tool would otherwise try to de-chunk it.
    * Reconstructed items land on the record they describe.  Request record: ``Host`` (added
      when the client did not report it), ``request-line`` (HTTP/2 and /3 have none) and any
      caller item that names a request header.  Response record: ``reason-phrase`` (from
      `http.HTTPStatus` when the client lost it), ``status-line`` (HTTP/2 and /3: we serialise an
      ``HTTP/1.1`` one; the real protocol is in ``WARC-Protocol``) and every other caller item.
    * A rendered DOM or other derived content is a ``resource`` record, never a ``response``.
      WARC 1.1 forbids ``WARC-Refers-To`` on resource records, so its link to the response it was
      rendered from is ``WARC-Concurrent-To`` (same capture event).
    * A revisit is only written when it is true: ``identical-payload-digest`` checks the new body
      against the referred record's digest; ``server-not-modified`` refuses a non-empty body.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import re
import secrets
import shutil
import socket
import threading
import zlib
from base64 import b32encode
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

import archive
from archive.limits import TooLarge, decode_content

__all__ = [
    "CAPTURE_TYPES",
    "DROPPED_FIELD",
    "INGESTED_TYPES",
    "RECONSTRUCTED_FIELD",
    "DiskFull",
    "HttpExchange",
    "RecordRef",
    "RecoveryError",
    "StoredResponse",
    "WarcStore",
    "headers_without",
    "iter_records",
    "read_record",
    "recover",
]

DROPPED_FIELD = "WARC-Nianbao-Dropped"
RECONSTRUCTED_FIELD = "WARC-Nianbao-Reconstructed"

FINAL_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".warc.gz.open"
STAGING_SUFFIX = ".warc.gz.open.part"

# The record types that carry what a capture showed; ingestion also reads the metadata records in
# which the crawler keeps what a failed fetch met.
CAPTURE_TYPES = ("response", "revisit", "resource")
INGESTED_TYPES = (*CAPTURE_TYPES, "metadata")

REVISIT_PROFILES = {
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}

# ALPN identifiers, the vocabulary proposed for WARC-Protocol (iipc/warc-specifications #42).
_PROTOCOL_IDS = {
    "http/1.0": "http/1.0",
    "http/1.1": "http/1.1",
    "http/2": "h2",
    "http/2.0": "h2",
    "h2": "h2",
    "http/3": "h3",
    "http/3.0": "h3",
    "h3": "h3",
}

_BAD_VALUE = re.compile(r"[\r\n\x00]")
_BAD_NAME = re.compile(r"[\x00-\x20\x7f:]")
_CHUNK = 1 << 16


# --------------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class HttpExchange:
    """One request/response as the crawler saw it, as plain data (no Scrapy objects).

    Header strings are the wire bytes decoded as ISO-8859-1 (see the module docstring).
    """

    url: str
    method: str  # "GET"
    request_headers: list[tuple[str, str]]  # as sent (order kept, repeats kept)
    request_body: bytes
    protocol: str  # "HTTP/1.1"
    status: int
    reason: str | None  # None when the client lost it (Twisted does)
    response_headers: list[tuple[str, str]]  # repeated names kept (two Set-Cookie = two tuples)
    body: bytes  # AS SENT: still content-encoded (gzip etc.), transfer coding removed
    ip_address: str | None
    fetched_at: datetime  # tz-aware UTC
    # Header names the client is known to drop before we see them (Twisted: Content-Length,
    # Transfer-Encoding, Connection, …); declared in WARC-Nianbao-Dropped.
    dropped_headers: tuple[str, ...] = ()
    # Things the caller filled in itself (e.g. "reason-phrase", "Host"); declared in
    # WARC-Nianbao-Reconstructed on the record they concern.
    reconstructed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordRef:
    """Where a record landed: enough to read it back with `read_record` or to build a revisit."""

    filename: str  # basename of the final .warc.gz (the file has that name once closed)
    offset: int  # of the record's gzip member
    length: int  # compressed length of that member
    record_id: str  # "<urn:uuid:…>"
    warc_date: str
    payload_digest: str | None  # "sha1:BASE32"


@dataclass(frozen=True)
class StoredResponse:
    """A response, revisit, resource or metadata record as read back from the archive.

    `headers` are the HTTP headers as stored (ISO-8859-1, so equal to what was written); a
    resource or metadata record has no HTTP block, so it reports its WARC ``Content-Type`` as the
    only header, and status 200 (resource) or 0 (metadata: no HTTP exchange).  `body` is decoded
    (gzip/br/deflate/zstd undone, within the bounds of `archive.limits`); `raw_body` is the payload
    as stored.  A revisit has no payload: both are ``b""`` and `refers_to` names the record that
    has it (``WARC-Refers-To``); for a resource it is the ``WARC-Concurrent-To`` response it was
    derived from, for a metadata record the capture it describes (``WARC-Refers-To``), if any.
    """

    ref: RecordRef
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    raw_body: bytes
    record_type: str  # "response" | "revisit" | "resource"
    fetched_at: datetime
    refers_to: str | None
    # The record's WARC-Nianbao-Reconstructed items, e.g. "body-decoded-by-browser" on a response
    # the browser fetched (its body is the browser's decoded copy).
    reconstructed: tuple[str, ...] = ()
    # Why `body` is empty although the record has a payload: decoding it stopped at a bound
    # (`archive.limits`, e.g. "gzip body: decoded size over 64 MiB"). None when it decoded.
    body_error: str | None = None


class DiskFull(OSError):
    """The disk has too little space for the next WARC file (an ENOSPC before it happens)."""


class RecoveryError(ValueError):
    """An ``.open`` file cannot be recovered (nothing complete in it, or a writer still holds it)."""


def headers_without(headers: Iterable[tuple[str, str]], names: Iterable[str]) -> list[tuple[str, str]]:
    """`headers` minus every header whose name (case-insensitively) is in `names`.

    For re-parsing: the decoded body no longer matches ``Content-Encoding``, so drop it before
    handing headers and `StoredResponse.body` to Scrapy.
    """
    drop = {n.lower() for n in names}
    return [(k, v) for k, v in headers if k.lower() not in drop]


# --------------------------------------------------------------------------- writing


class _ExactHeaders(StatusAndHeaders):
    """warcio headers whose serialisation is byte-exact instead of silently %-encoded."""

    def compute_headers_buffer(self, header_filter=None) -> None:
        first = f"{self.protocol} {self.statusline}" if self.protocol else self.statusline
        lines = [first, *(f"{k}: {v}" for k, v in self.headers)]
        self.headers_buff = b"".join(_header_bytes(line) for line in lines) + b"\r\n"


def _header_bytes(line: str) -> bytes:
    try:
        return line.encode("iso-8859-1") + b"\r\n"
    except UnicodeEncodeError:
        return line.encode("utf-8") + b"\r\n"


def _software() -> str:
    return f"nianbao/{archive.__version__} (warcio/{metadata.version('warcio')})"


def _hostish() -> str:
    host = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname().split(".")[0])[:24]
    return host or "host"


def _warc_date(when: datetime) -> str:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"fetched_at must be timezone-aware, got {when!r}")
    return datetime_to_iso_date(when.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def _sha1_digest(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _check_url(url: str) -> None:
    if not url or re.search(r"\s", url):
        raise ValueError(f"WARC-Target-URI must be non-empty and contain no whitespace: {url!r}")


def _check_headers(headers: Iterable[tuple[str, str]], what: str) -> None:
    for name, value in headers:
        if not name or _BAD_NAME.search(name) or _BAD_VALUE.search(value):
            raise ValueError(f"{what}: header {name!r}: {value!r} would break the record framing")


def _field_list(items: Iterable[str]) -> str:
    out: list[str] = []
    for item in (i.strip() for i in items):
        if _BAD_VALUE.search(item) or "," in item or not item:
            raise ValueError(f"declaration item {item!r} must be a non-empty token without commas")
        if item not in out:
            out.append(item)
    return ", ".join(out)


def _record_link(field: str, record_id: str | None) -> dict[str, str]:
    """{field: record_id}, or {} without one; refuses an id that would break the record framing."""
    if not record_id:
        return {}
    if _BAD_VALUE.search(record_id):
        raise ValueError(f"bad record id {record_id!r}")
    return {field: record_id}


def _has(headers: Iterable[tuple[str, str]], name: str) -> bool:
    name = name.lower()
    return any(k.lower() == name for k, _ in headers)


def _wire_protocol(protocol: str) -> tuple[str, str | None, bool]:
    """(protocol for the status line, WARC-Protocol value, whether the status line is ours)."""
    pid = _PROTOCOL_IDS.get(protocol.strip().lower())
    if pid in ("http/1.0", "http/1.1"):
        return protocol.strip().upper(), pid, False
    # HTTP/2 and /3 have no status line; replay tools expect an HTTP/1.x one.
    return "HTTP/1.1", pid or (protocol.strip().lower() or None), True


def _request_target(url: str) -> tuple[str, str]:
    """(origin-form request target with the query kept, Host value)."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query or "?" in url.split("#", 1)[0]:
        target += "?" + parts.query
    host = parts.hostname or ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is not None and parts.port != default:
        host = f"{host}:{parts.port}"
    return target, host


class WarcStore:
    """Append-only writer of WARC/1.1 files in one directory, with rotation and crash safety.

    Not tied to Scrapy.  Thread-safe (one lock around each write), so a Scrapy extension may hand
    writes to a thread.  Use as a context manager or call close(); a file never closed stays
    ``.open`` and is made readable by `recover()`.
    """

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "nianbao",
        max_size: int = 100 * 2**20,
        info: dict[str, str] | None = None,
        min_free: int = 0,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", prefix):
            raise ValueError(f"prefix {prefix!r} must be a plain file-name token")
        if max_size <= 0:
            raise ValueError("max_size must be positive")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_size = max_size
        self.min_free = min_free  # bytes the disk must have free before a file is started
        # warcinfo body: ours first, then the caller's (crawl settings, robots policy, operator…)
        self.info: dict[str, str] = {
            "software": _software(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            "nianbao-extension-fields": (
                f"{DROPPED_FIELD} = HTTP header names the client dropped before capture; "
                f"{RECONSTRUCTED_FIELD} = items nianbao filled in, not seen on the wire"
            ),
            **(info or {}),
        }
        for key, value in self.info.items():
            if not key or _BAD_NAME.search(key) or _BAD_VALUE.search(str(value)):
                raise ValueError(f"info field {key!r}: {value!r} is not a valid warc-fields line")
        self._host = _hostish()
        self._token = secrets.token_hex(3)
        self._serial = 0
        self._lock = threading.Lock()
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._name = ""  # final name of the current file
        self._open_path = Path()  # where it is being written
        self._warcinfo_id = ""
        self._closed = False

    # -- public API

    def write_exchange(self, exchange: HttpExchange) -> RecordRef:
        """Write the response record and its request record; return the response's ref."""
        resp_fields, req_fields = self._exchange_fields(exchange)
        with self._lock:
            writer = self._ensure_file()
            http = self._response_http(exchange, resp_fields)
            resp = writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=http,
                warc_headers_dict=resp_fields,
            )
            ref = self._write(resp)
            self._write(self._request_record(exchange, req_fields, ref.record_id))
            self._maybe_rotate()
            return ref

    def write_resource(
        self,
        url: str,
        content: bytes,
        content_type: str,
        *,
        refers_to: str | None,
        fetched_at: datetime,
    ) -> RecordRef:
        """Write derived content (e.g. a browser-rendered DOM) as a ``resource`` record.

        `refers_to` is the record id of the response it came from; WARC 1.1 forbids
        ``WARC-Refers-To`` on resource records, so it is written as ``WARC-Concurrent-To``.
        """
        _check_url(url)
        if not content_type or _BAD_VALUE.search(content_type):
            raise ValueError(f"bad content_type {content_type!r}")
        fields = {"WARC-Date": _warc_date(fetched_at), **_record_link("WARC-Concurrent-To", refers_to)}
        return self._write_block(url, "resource", content, content_type, fields)

    def write_metadata(
        self,
        url: str,
        fields: list[tuple[str, str]],
        *,
        refers_to: str | None = None,
        fetched_at: datetime,
    ) -> RecordRef:
        """Write what the crawler learnt about `url` without a capture (a fetch that failed: its
        error, the link that led to it) as a ``metadata`` record of ``application/warc-fields``.

        `refers_to` is the record id of a capture it describes (the last 503 of a request given up
        on), written as ``WARC-Refers-To``, which WARC 1.1 allows on metadata records.
        """
        _check_url(url)
        for name, value in fields:
            if not name or _BAD_NAME.search(name) or _BAD_VALUE.search(value):
                raise ValueError(f"metadata field {name!r}: {value!r} is not a valid warc-fields line")
        headers = {"WARC-Date": _warc_date(fetched_at), **_record_link("WARC-Refers-To", refers_to)}
        content = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
        return self._write_block(url, "metadata", content, "application/warc-fields", headers)

    def _write_block(
        self, url: str, rec_type: str, content: bytes, content_type: str, fields: dict[str, str]
    ) -> RecordRef:
        """Write a record whose block is `content` as it is (no HTTP headers): resource, metadata."""
        with self._lock:
            writer = self._ensure_file()
            record = writer.create_warc_record(
                url,
                rec_type,
                payload=io.BytesIO(content),
                length=len(content),
                warc_content_type=content_type,
                warc_headers_dict=fields,
            )
            ref = self._write(record)
            self._maybe_rotate()
            return ref

    def write_revisit(
        self, exchange: HttpExchange, *, profile: str, refers_to: RecordRef, refers_to_uri: str
    ) -> RecordRef:
        """Write a revisit (HTTP headers only) plus its request record; return the revisit's ref.

        `profile` is ``"identical-payload-digest"`` or ``"server-not-modified"`` (or the full
        profile URI).  The record is refused when it would not be true: a body whose digest
        differs from `refers_to`'s, or a body on a not-modified response.
        """
        uri = REVISIT_PROFILES.get(profile, profile)
        if uri == REVISIT_PROFILES["identical-payload-digest"]:
            digest = _sha1_digest(exchange.body)
            if refers_to.payload_digest and refers_to.payload_digest.lower() != digest.lower():
                raise ValueError(
                    f"identical-payload-digest revisit of {exchange.url}: body digest {digest} "
                    f"!= {refers_to.payload_digest} of {refers_to.record_id}"
                )
        elif uri == REVISIT_PROFILES["server-not-modified"]:
            if exchange.body:
                raise ValueError("server-not-modified revisit with a body: write a response instead")
            digest = refers_to.payload_digest  # the entity the client already holds
        else:
            raise ValueError(f"unknown revisit profile {profile!r}")
        _check_url(refers_to_uri)
        resp_fields, req_fields = self._exchange_fields(exchange)
        resp_fields.update(
            {
                "WARC-Profile": uri,
                "WARC-Refers-To": refers_to.record_id,
                "WARC-Refers-To-Target-URI": refers_to_uri,
                "WARC-Refers-To-Date": refers_to.warc_date,
            }
        )
        if digest:
            resp_fields["WARC-Payload-Digest"] = digest
        with self._lock:
            writer = self._ensure_file()
            http = self._response_http(exchange, resp_fields)
            record = writer.create_warc_record(
                exchange.url, "revisit", http_headers=http, warc_headers_dict=resp_fields
            )
            ref = self._write(record)
            self._write(self._request_record(exchange, req_fields, ref.record_id))
            self._maybe_rotate()
            return ref

    def close(self) -> None:
        """Finish the current file (fsync, rename to ``.warc.gz``).  Idempotent."""
        with self._lock:
            self._close_file()
            self._closed = True

    def __enter__(self) -> WarcStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def current_path(self) -> Path | None:
        """The ``.open`` file being written, if any (for monitoring and tests)."""
        return self.directory / (self._name + ".open") if self._fh else None

    # -- records

    def _exchange_fields(self, ex: HttpExchange) -> tuple[dict[str, str], dict[str, str]]:
        """Validate `ex`; WARC header fields for its response and its request record."""
        _check_url(ex.url)
        if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", ex.method):
            raise ValueError(f"bad HTTP method {ex.method!r}")
        if not 100 <= ex.status <= 999:
            raise ValueError(f"bad HTTP status {ex.status!r}")
        if ex.reason is not None and _BAD_VALUE.search(ex.reason):
            raise ValueError(f"bad reason phrase {ex.reason!r}")
        _check_headers(ex.request_headers, "request")
        _check_headers(ex.response_headers, "response")
        date = _warc_date(ex.fetched_at)
        _, warc_protocol, _ = _wire_protocol(ex.protocol)

        resp: dict[str, str] = {"WARC-Date": date}
        req: dict[str, str] = {"WARC-Date": date}
        if ex.ip_address:
            if _BAD_VALUE.search(ex.ip_address) or " " in ex.ip_address:
                raise ValueError(f"bad IP address {ex.ip_address!r}")
            resp["WARC-IP-Address"] = ex.ip_address
        if warc_protocol:
            resp["WARC-Protocol"] = req["WARC-Protocol"] = warc_protocol
        if ex.dropped_headers:
            resp[DROPPED_FIELD] = _field_list(ex.dropped_headers)
        _field_list(ex.reconstructed)  # refuse a bad declaration before anything is written
        return resp, req

    def _response_http(self, ex: HttpExchange, fields: dict[str, str]) -> _ExactHeaders:
        """The HTTP block as received; declares what we had to supply in `fields`."""
        proto, _, status_line_ours = _wire_protocol(ex.protocol)
        reconstructed = []
        reason = ex.reason
        if reason is None:
            try:
                reason = HTTPStatus(ex.status).phrase
            except ValueError:  # a status http.HTTPStatus does not know: empty phrase is legal
                reason = ""
            reconstructed.append("reason-phrase")
        if status_line_ours:
            reconstructed.append("status-line")
        reconstructed += [
            item
            for item in ex.reconstructed
            if not _has(ex.request_headers, item) or _has(ex.response_headers, item)
        ]
        if reconstructed:
            fields[RECONSTRUCTED_FIELD] = _field_list(reconstructed)
        headers = [
            ("X-Orig-" + k if k.lower() == "transfer-encoding" else k, v) for k, v in ex.response_headers
        ]
        return _ExactHeaders(f"{ex.status} {reason}", headers, protocol=proto)

    def _request_record(self, ex: HttpExchange, fields: dict[str, str], concurrent_to: str) -> ArcWarcRecord:
        proto, _, request_line_ours = _wire_protocol(ex.protocol)
        target, host = _request_target(ex.url)
        headers = list(ex.request_headers)
        reconstructed = ["request-line"] if request_line_ours else []
        reconstructed += [item for item in ex.reconstructed if _has(ex.request_headers, item)]
        if not _has(headers, "Host") and host:
            headers.insert(0, ("Host", host))
            reconstructed.append("Host")
        if reconstructed:
            fields[RECONSTRUCTED_FIELD] = _field_list(reconstructed)
        fields["WARC-Concurrent-To"] = concurrent_to
        assert self._writer is not None
        return self._writer.create_warc_record(
            ex.url,
            "request",
            payload=io.BytesIO(ex.request_body),
            length=len(ex.request_body),
            http_headers=_ExactHeaders(f"{ex.method} {target} {proto}", headers, is_http_request=True),
            warc_headers_dict=fields,
        )

    # -- files

    def _ensure_file(self) -> WARCWriter:
        if self._closed:
            raise ValueError("WarcStore is closed")
        if self._writer is not None:
            return self._writer
        self._check_free_space()
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self._host}-{self._token}{FINAL_SUFFIX}"
        self._serial += 1
        # The file gets its ``.open`` name only once its warcinfo record is complete, so every
        # ``.open`` file a crash leaves holds at least one whole record; a ``.part`` left behind
        # holds at most a torn warcinfo (no capture) and is cleared by `discard_staging()`.
        open_path = self.directory / (name + OPEN_SUFFIX[len(FINAL_SUFFIX) :])
        staging = self.directory / (name + STAGING_SUFFIX[len(FINAL_SUFFIX) :])
        fh = open(staging, "xb")  # kept open until _close_file()
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            writer = WARCWriter(fh, gzip=True, warc_version="1.1")
            warcinfo = writer.create_warcinfo_record(name, self.info)
            writer.write_record(warcinfo)
            os.rename(staging, open_path)  # the flock follows the inode
        except BaseException:
            fh.close()
            staging.unlink(missing_ok=True)
            raise
        self._fh, self._writer, self._name, self._open_path = fh, writer, name, open_path
        self._warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        return writer

    def _check_free_space(self) -> None:
        """Refuse to start a file on a disk that is nearly full: stop cleanly before ENOSPC does."""
        if self.min_free <= 0:
            return
        free = shutil.disk_usage(self.directory).free
        if free < self.min_free:
            raise DiskFull(
                errno.ENOSPC,
                f"only {free / 2**20:.1f} MiB free in {self.directory}, "
                f"under the {self.min_free / 2**20:.0f} MiB a new WARC file needs",
            )

    def _write(self, record: ArcWarcRecord) -> RecordRef:
        if record.rec_type != "warcinfo":
            self._link_warcinfo(record)
        assert self._fh is not None and self._writer is not None
        start = self._fh.tell()
        try:
            self._writer.write_record(record)  # one gzip member, flushed to the OS
        except BaseException:
            # never leave a torn member behind a good record: cut back to where it started
            try:
                self._fh.seek(start)
                self._fh.truncate()
                self._fh.flush()
            except OSError:
                self._abandon_file()
            raise
        h = record.rec_headers
        return RecordRef(
            filename=self._name,
            offset=start,
            length=self._fh.tell() - start,
            record_id=h.get_header("WARC-Record-ID"),
            warc_date=h.get_header("WARC-Date"),
            payload_digest=h.get_header("WARC-Payload-Digest"),
        )

    def _link_warcinfo(self, record: ArcWarcRecord) -> None:
        if not record.rec_headers.get_header("WARC-Warcinfo-ID"):
            record.rec_headers.add_header("WARC-Warcinfo-ID", self._warcinfo_id)

    def _maybe_rotate(self) -> None:
        if self._fh is not None and self._fh.tell() > self.max_size:
            self._close_file()

    def _abandon_file(self) -> None:
        """Stop writing a file we could not repair; it stays ``.open`` for `recover()`."""
        fh, self._fh, self._writer = self._fh, None, None
        if fh is not None:
            try:
                fh.close()
            except OSError:
                pass

    def _close_file(self) -> None:
        fh = self._fh
        if fh is None:
            return
        self._fh = self._writer = None
        open_path = self._open_path
        try:
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fh.close()  # also releases the flock
        open_path.rename(self.directory / self._name)
        _fsync_dir(self.directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- reading


class _Bounded:
    """Read-only view of the first `limit` bytes of a file (hides a torn tail from warcio)."""

    def __init__(self, fh: BinaryIO, limit: int) -> None:
        self.fh, self.limit = fh, limit

    def tell(self) -> int:
        return self.fh.tell()

    def read(self, size: int = -1) -> bytes:
        left = self.limit - self.fh.tell()
        if left <= 0:
            return b""
        return self.fh.read(left if size is None or size < 0 else min(size, left))


def _member_end(fh: BinaryIO, start: int) -> int | None:
    """Offset just past the gzip member starting at `start`, or None if it is torn or not gzip."""
    fh.seek(start)
    d = zlib.decompressobj(wbits=31)
    pos = start
    while True:
        data = fh.read(_CHUNK)
        if not data:
            return None
        try:
            while data:
                d.decompress(data, _CHUNK)
                if d.eof:  # leftover input is in unused_data (and may be mirrored in unconsumed_tail)
                    return pos + len(data) - len(d.unused_data)
                data, pos = d.unconsumed_tail, pos + len(data) - len(d.unconsumed_tail)
        except zlib.error:
            return None


def _complete_length(fh: BinaryIO) -> int:
    """Length of the leading run of complete gzip members: what a crash left readable."""
    end = 0
    while (nxt := _member_end(fh, end)) is not None:
        end = nxt
    return end


def _final_name(name: str) -> str:
    return name[: -len(".open")] if name.endswith(OPEN_SUFFIX) else name


def _warc_paths(directory: Path) -> list[Path]:
    paths = [p for p in Path(directory).iterdir() if p.name.endswith((FINAL_SUFFIX, OPEN_SUFFIX))]
    return sorted(paths, key=lambda p: (_final_name(p.name), p.name))


def _decode_body(headers: list[tuple[str, str]], raw: bytes) -> tuple[bytes, str | None]:
    """(body with its content codings undone, None), or (b"", reason) when decoding hit a bound.

    Streamed and bounded (`archive.limits`): a 1 MB gzip body that inflates to 1 GiB stops at the
    cap and becomes a reason, not a gigabyte in memory. A body its label does not fit (a plain body
    labelled gzip) is kept as sent, as warcio's content_stream() does.
    """
    codings = [c for k, v in headers if k.lower() == "content-encoding" for c in v.split(",")]
    if not codings:
        return raw, None
    try:
        return decode_content(raw, codings, what=f"{', '.join(c.strip() for c in codings)} body"), None
    except TooLarge as err:
        return b"", str(err)


def _parse_http_block(block: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    head, sep, rest = block.partition(b"\r\n\r\n")
    if not sep:
        head, rest = block.rstrip(b"\r\n"), b""
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
        elif ":" in line:
            name, value = line.split(":", 1)
            headers.append((name.rstrip(" \t"), value.strip(" \t")))
    return status, headers, rest


def _stored(rec: ArcWarcRecord, block: bytes, filename: str, offset: int, length: int) -> StoredResponse:
    h = rec.rec_headers
    ref = RecordRef(
        filename=filename,
        offset=offset,
        length=length,
        record_id=h.get_header("WARC-Record-ID"),
        warc_date=h.get_header("WARC-Date"),
        payload_digest=h.get_header("WARC-Payload-Digest"),
    )
    if rec.rec_type in ("resource", "metadata"):  # no HTTP block; metadata has no status either
        status, raw = (200 if rec.rec_type == "resource" else 0), block
        headers = [("Content-Type", h.get_header("Content-Type") or "application/octet-stream")]
        link = "WARC-Concurrent-To" if rec.rec_type == "resource" else "WARC-Refers-To"
        body, refers_to, body_error = raw, h.get_header(link), None
    else:
        status, headers, raw = _parse_http_block(block)
        body, body_error = _decode_body(headers, raw) if raw else (b"", None)
        refers_to = h.get_header("WARC-Refers-To")
    return StoredResponse(
        ref=ref,
        url=h.get_header("WARC-Target-URI") or "",
        status=status,
        headers=headers,
        body=body,
        raw_body=raw,
        record_type=rec.rec_type,
        fetched_at=iso_date_to_datetime(h.get_header("WARC-Date"), tz_aware=True),
        refers_to=refers_to,
        reconstructed=tuple(
            i.strip() for i in (h.get_header(RECONSTRUCTED_FIELD) or "").split(",") if i.strip()
        ),
        body_error=body_error,
    )


def _iter_file(path: Path, types: tuple[str, ...], start: int = 0) -> Iterator[StoredResponse]:
    with open(path, "rb") as fh:
        stream: BinaryIO | _Bounded = fh
        if path.name.endswith(OPEN_SUFFIX):  # may be torn (crash) or still growing (live writer)
            limit = _complete_length(fh)
            stream = _Bounded(fh, limit)
        fh.seek(start)
        it = ArchiveIterator(stream, no_record_parse=True)
        for rec in it:
            if rec.rec_type not in types:
                continue
            block = rec.raw_stream.read()
            yield _stored(rec, block, _final_name(path.name), it.get_record_offset(), it.get_record_length())


def iter_records(
    directory: Path,
    *,
    types: tuple[str, ...] = CAPTURE_TYPES,
    start: Mapping[str, int] | None = None,
) -> Iterator[StoredResponse]:
    """Every record of `types` in the directory's WARC files, in file-name then record order.

    ``.open`` files (a live writer's, or a crash's) are read up to their last complete record;
    a torn tail is skipped without an exception.  `start` maps a file's final name to the offset
    of a record boundary to begin at (records before it are skipped without being read).
    """
    for path in _warc_paths(Path(directory)):
        offset = (start or {}).get(_final_name(path.name), 0)
        yield from _iter_file(path, tuple(types), offset)


def read_record(directory: Path, filename: str, offset: int) -> StoredResponse:
    """The record at (`filename`, `offset`), e.g. from a RecordRef or an index.

    `filename` is the final name; while the file is still ``.open`` that file is read instead.
    """
    path = Path(directory) / filename
    if not path.exists() and (Path(directory) / (filename + ".open")).exists():
        path = Path(directory) / (filename + ".open")
    with open(path, "rb") as fh:
        end = _member_end(fh, offset)
        if end is None:
            raise ValueError(f"{path.name}: no complete gzip member (record) at offset {offset}")
        fh.seek(offset)
        it = ArchiveIterator(_Bounded(fh, end), no_record_parse=True)
        rec = next(it)
        block = rec.raw_stream.read()
        return _stored(rec, block, _final_name(path.name), offset, it.get_record_length())


def discard_staging(directory: Path) -> list[Path]:
    """Delete the ``.open.part`` files a crash left in `directory`; return what was deleted.

    A staging file never holds more than a store's warcinfo record (see `WarcStore`), so removing
    it loses no capture.  Files still locked by a live writer are left alone.
    """
    removed = []
    for path in sorted(Path(directory).glob("*" + STAGING_SUFFIX)):
        with open(path, "rb") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            path.unlink()
        removed.append(path)
    return removed


def recover(path: Path) -> Path:
    """Make a ``.warc.gz.open`` left by a crash readable; return the resulting ``.warc.gz``.

    Keeps every complete gzip member (= record), cuts off a torn tail, fsyncs and renames.
    Passing the final name, or a file already recovered, returns the final path.  Refuses a file
    whose writer is still alive (it holds a flock) and a file with no complete record.
    """
    path = Path(path)
    if path.name.endswith(FINAL_SUFFIX):
        open_path, final = path.with_name(path.name + ".open"), path
        if not open_path.exists():
            if final.exists():
                return final
            raise FileNotFoundError(path)
    elif path.name.endswith(OPEN_SUFFIX):
        open_path, final = path, path.with_name(_final_name(path.name))
        if not open_path.exists() and final.exists():
            return final
    else:
        raise ValueError(f"{path}: not a {OPEN_SUFFIX} file")
    if final.exists():
        raise RecoveryError(f"both {open_path.name} and {final.name} exist; refusing to choose")
    with open(open_path, "r+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RecoveryError(f"{open_path}: still being written by a live process") from None
        end = _complete_length(fh)
        if end == 0:
            raise RecoveryError(f"{open_path}: no complete WARC record to recover")
        fh.seek(0)
        try:  # the complete members must also be well-formed WARC before we cut anything
            for rec in ArchiveIterator(_Bounded(fh, end), no_record_parse=True):
                rec.raw_stream.read()
        except Exception as exc:
            raise RecoveryError(f"{open_path}: complete gzip members are not valid WARC: {exc}") from exc
        fh.truncate(end)
        fh.flush()
        os.fsync(fh.fileno())
        open_path.rename(final)  # while still locked, so no second recover() can interleave
    _fsync_dir(final.parent)
    return final
