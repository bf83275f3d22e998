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

The package is one module a job: `records` (the plain data and file names), `writer` (`WarcStore`),
`reader` (`iter_records`, `read_record`), `recovery` (`recover`, `discard_staging`).
"""

from __future__ import annotations

from archive.warcstore.reader import holds_file, iter_records, read_record
from archive.warcstore.records import (
    CAPTURE_TYPES,
    DROPPED_FIELD,
    INGESTED_TYPES,
    RECONSTRUCTED_FIELD,
    DiskFull,
    HttpExchange,
    RecordRef,
    RecoveryError,
    StoredResponse,
    headers_without,
)
from archive.warcstore.recovery import discard_staging, recover
from archive.warcstore.writer import WarcStore

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
    "discard_staging",
    "headers_without",
    "holds_file",
    "iter_records",
    "read_record",
    "recover",
]
