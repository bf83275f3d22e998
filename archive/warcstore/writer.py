"""Writing WARC/1.1: one gzip member a record, every file started under a staging name, flushed as
it goes, renamed complete only once fsynced (the rules in `archive.warcstore`)."""

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
from base64 import b32encode
from collections.abc import Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

import archive
from archive.warcstore.records import (
    BAD_NAME,
    BAD_VALUE,
    DROPPED_FIELD,
    FINAL_SUFFIX,
    OPEN_SUFFIX,
    PROTOCOL_IDS,
    RECONSTRUCTED_FIELD,
    REVISIT_PROFILES,
    STAGING_SUFFIX,
    DiskFull,
    HttpExchange,
    RecordRef,
)


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
        if not name or BAD_NAME.search(name) or BAD_VALUE.search(value):
            raise ValueError(f"{what}: header {name!r}: {value!r} would break the record framing")


def _field_list(items: Iterable[str]) -> str:
    out: list[str] = []
    for item in (i.strip() for i in items):
        if BAD_VALUE.search(item) or "," in item or not item:
            raise ValueError(f"declaration item {item!r} must be a non-empty token without commas")
        if item not in out:
            out.append(item)
    return ", ".join(out)


def _record_link(field: str, record_id: str | None) -> dict[str, str]:
    """{field: record_id}, or {} without one; refuses an id that would break the record framing."""
    if not record_id:
        return {}
    if BAD_VALUE.search(record_id):
        raise ValueError(f"bad record id {record_id!r}")
    return {field: record_id}


def _has(headers: Iterable[tuple[str, str]], name: str) -> bool:
    name = name.lower()
    return any(k.lower() == name for k, _ in headers)


def _wire_protocol(protocol: str) -> tuple[str, str | None, bool]:
    """(protocol for the status line, WARC-Protocol value, whether the status line is ours)."""
    pid = PROTOCOL_IDS.get(protocol.strip().lower())
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
            if not key or BAD_NAME.search(key) or BAD_VALUE.search(str(value)):
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
        if not content_type or BAD_VALUE.search(content_type):
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
            if not name or BAD_NAME.search(name) or BAD_VALUE.search(value):
                raise ValueError(f"metadata field {name!r}: {value!r} is not a valid warc-fields line")
        headers = {"WARC-Date": _warc_date(fetched_at), **_record_link("WARC-Refers-To", refers_to)}
        content = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
        return self._write_block(url, "metadata", content, "application/warc-fields", headers)

    def write_conversion(
        self, url: str, text: str, *, refers_to: str, fields: dict[str, str], fetched_at: datetime
    ) -> RecordRef:
        """Write text derived from the record `refers_to` (a scan's OCR text) as a ``conversion``
        record of ``text/plain``, with `fields` (`WARC-Nianbao-*`: the converter and its version)."""
        _check_url(url)
        for name, value in fields.items():
            if not name.startswith("WARC-Nianbao-") or BAD_NAME.search(name) or BAD_VALUE.search(value):
                raise ValueError(f"conversion field {name!r}: {value!r} is not a valid header")
        headers = {"WARC-Date": _warc_date(fetched_at), **_record_link("WARC-Refers-To", refers_to), **fields}
        content = text.encode("utf-8")
        return self._write_block(url, "conversion", content, "text/plain; charset=utf-8", headers)

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
        if ex.reason is not None and BAD_VALUE.search(ex.reason):
            raise ValueError(f"bad reason phrase {ex.reason!r}")
        _check_headers(ex.request_headers, "request")
        _check_headers(ex.response_headers, "response")
        date = _warc_date(ex.fetched_at)
        _, warc_protocol, _ = _wire_protocol(ex.protocol)

        resp: dict[str, str] = {"WARC-Date": date}
        req: dict[str, str] = {"WARC-Date": date}
        if ex.ip_address:
            if BAD_VALUE.search(ex.ip_address) or " " in ex.ip_address:
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
        fsync_dir(self.directory)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
