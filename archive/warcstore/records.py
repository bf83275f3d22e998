"""The WARC store's vocabulary: what a crawler hands over, what a record is read back as, file names.

Plain data, no I/O: `HttpExchange` (one request/response as a client saw it), `RecordRef` (where a
record landed), `StoredResponse` (a record read back), the record types, the file-name suffixes
that tell a complete file from one being written, and the errors of the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

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
PROTOCOL_IDS = {
    "http/1.0": "http/1.0",
    "http/1.1": "http/1.1",
    "http/2": "h2",
    "http/2.0": "h2",
    "h2": "h2",
    "http/3": "h3",
    "http/3.0": "h3",
    "h3": "h3",
}

BAD_VALUE = re.compile(r"[\r\n\x00]")
BAD_NAME = re.compile(r"[\x00-\x20\x7f:]")
CHUNK = 1 << 16


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


def final_name(name: str) -> str:
    """A WARC file's complete name, whether it is still being written (``.open``) or not."""
    return name[: -len(".open")] if name.endswith(OPEN_SUFFIX) else name
