"""Incremental re-crawls: each request carries what the archive already holds for its URL.

Before a request leaves, the URL's last capture with a payload is looked up in the store, and the
request is made conditional (If-None-Match / If-Modified-Since from that capture): report pages,
attachments, and listing and navigation pages too. A listing that changed (a new report on it) has
a new validator and comes back in full; one that did not comes back as a 304 and is read from the
archive, its links followed as before. (Listings were once always re-read in full: a re-crawl of an
unchanged portal then moved 62 % of the first crawl's bytes, `bench/bench_side_by_side.py`.)
The WARC writer uses the same lookup to write a `revisit` record instead of a response when the
server answers 304 (server-not-modified) or sends a body whose digest equals the last capture's
(identical-payload-digest), and ingestion then ties the revisit to the report without re-parsing.

A 304 tells the archive nothing new, but the spider still needs the page: its attachments must
be asked for again, since a PDF replaced in place under the same URL is the classic silent edit.
So, like Scrapy's HttpCacheMiddleware, a 304 reaches the spider as the archived response it
confirms (flagged ``not-modified``), after the WARC writer has recorded the real 304.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from sqlalchemy import select
from warcio.timeutils import datetime_to_iso_date

from archive.db import Capture, database_url, open_database, sessions
from archive.warcstore import RecordRef, read_record
from crawler.archiving import response_from_record, warc_directory

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PreviousCapture:
    """The last archived response of a URL: what a revisit record refers to."""

    url: str
    ref: RecordRef
    etag: str | None
    last_modified: str | None


def previous_capture(session, url: str) -> PreviousCapture | None:
    capture = session.scalars(
        select(Capture)
        .where(Capture.url == url, Capture.record_type == "response", Capture.status == 200)
        .order_by(Capture.fetched_at.desc(), Capture.id.desc())
        .limit(1)
    ).first()
    if capture is None:
        return None
    fetched = capture.fetched_at if capture.fetched_at.tzinfo else capture.fetched_at.replace(tzinfo=UTC)
    fetched = fetched.astimezone(UTC).replace(tzinfo=None)  # warcio appends the "Z" itself
    ref = RecordRef(
        filename=capture.warc_filename,
        offset=capture.warc_offset,
        length=capture.warc_length,
        record_id=capture.record_id,
        warc_date=datetime_to_iso_date(fetched, use_micros=True),
        payload_digest=capture.payload_digest,
    )
    return PreviousCapture(url=url, ref=ref, etag=capture.etag, last_modified=capture.last_modified)


class ConditionalRequestMiddleware:
    """Downloader middleware: attach the previous capture; make document requests conditional."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.enabled = settings.getbool("NIANBAO_INCREMENTAL", True)
        self.warc_dir = warc_directory(settings)
        self.stats = crawler.stats
        self.sessions = None
        if self.enabled:
            engine = open_database(
                database_url(Path(settings.get("NIANBAO_DATA")), settings.get("NIANBAO_DB"))
            )
            self.sessions = sessions(engine)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        # A redirect copies the meta and headers of the request it came from: that URL's capture
        # (and the validators taken from it) are not this one's.
        if request.meta.pop("previous_capture", None) is not None:
            for name in ("If-None-Match", "If-Modified-Since"):
                request.headers.pop(name, None)
        if self.sessions is None or request.method != "GET" or request.meta.get("playwright"):
            return
        with self.sessions() as session:
            previous = previous_capture(session, request.url)
        if previous is None:
            return
        request.meta["previous_capture"] = previous
        if previous.etag:
            request.headers.setdefault("If-None-Match", previous.etag)
        if previous.last_modified:
            request.headers.setdefault("If-Modified-Since", previous.last_modified)

    def process_response(self, request: Request, response: Response) -> Response:
        previous: PreviousCapture | None = request.meta.get("previous_capture")
        if response.status != 304 or previous is None or request.meta.get("link_kind") == "attachment":
            return response  # an attachment has no links to follow: no need to read it back
        try:
            stored = read_record(self.warc_dir, previous.ref.filename, previous.ref.offset)
        except (OSError, ValueError) as err:  # archive moved or damaged: the spider sees the bare 304
            logger.warning("304 for %s: its archived capture cannot be read (%s)", request.url, err)
            return response
        if self.stats:
            self.stats.inc_value("nianbao/not_modified_from_archive")
        return response_from_record(
            stored, request, as_sent=False, flags=[*response.flags, "not-modified"],
            ip_address=response.ip_address, protocol=response.protocol,
        )  # fmt: skip
