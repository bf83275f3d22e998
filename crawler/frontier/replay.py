"""Answer a request from the archive instead of the network: how a resumed crawl reads again what it
had fetched when it was stopped.

A request in flight when a crawl was killed may have been downloaded and archived (and, by the
store's catch-up at start, ingested) while the links on it were never stored: the kill came between
the archive write and the spider's work. Fetching it again would put a second capture in the
archive and load the portal twice; skipping it would lose the links. So the scheduler marks it
(`nianbao_replay`: the file and offset of its archived response) and `ReplayMiddleware` hands the
spider the archived response, exactly as the server sent it (status, headers, content-encoded
body), through the rest of the downloader middlewares, as Scrapy's HttpCacheMiddleware serves a
cached page. Nothing is written to the archive for it: the capture is already there.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from sqlalchemy import select

from archive.db import Capture, database_url, open_database, sessions
from archive.warcstore import read_record
from crawler.archiving import response_from_record, warc_directory
from crawler.frontier import REPLAY

log = logging.getLogger(__name__)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ArchivedResponses:
    """Looks up, in the store, the archived response to a request made since a job began."""

    def __init__(self, settings) -> None:
        self.warc_dir = warc_directory(settings)
        self.engine = open_database(
            database_url(Path(settings.get("NIANBAO_DATA")), settings.get("NIANBAO_DB"))
        )
        self.sessions = sessions(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def find(self, url: str, body: bytes, since: datetime) -> tuple[str, int] | None:
        """(file, offset) of the newest response to `url` (with this request body) archived since
        `since`, following a revisit to the record that holds its payload; None when there is none."""
        with self.sessions() as session:
            captures = session.scalars(
                select(Capture).where(Capture.url == url, Capture.record_type.in_(("response", "revisit")))
            ).all()
            newest_first = sorted(
                (c for c in captures if _aware(c.fetched_at) >= since),
                key=lambda c: (c.warc_filename, c.warc_offset),
                reverse=True,
            )
            for capture in newest_first:
                if not self._same_request_body(capture, body):
                    continue
                if capture.record_type == "revisit":
                    referred = session.scalars(
                        select(Capture).where(Capture.record_id == capture.refers_to)
                    ).first()
                    if referred is None:
                        continue
                    capture = referred
                return capture.warc_filename, capture.warc_offset
        return None

    def _same_request_body(self, capture: Capture, body: bytes) -> bool:
        """Whether the request record written after the capture carried `body` (a POST's form)."""
        try:
            request = read_record(
                self.warc_dir, capture.warc_filename, capture.warc_offset + capture.warc_length
            )
        except (OSError, ValueError, StopIteration):
            return not body
        return request.record_type == "request" and request.raw_body == body


class ReplayMiddleware:
    """Downloader middleware: a request marked `nianbao_replay` gets its archived response."""

    def __init__(self, crawler: Crawler) -> None:
        self.warc_dir = warc_directory(crawler.settings)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> Response | None:
        where = request.meta.pop(REPLAY, None)
        if not where:
            return None
        try:
            stored = read_record(self.warc_dir, str(where["file"]), int(where["offset"]))
        except (OSError, ValueError, KeyError, TypeError, StopIteration) as err:
            log.warning("cannot read %s from the archive (%s): fetching it again", request.url, err)
            return None
        if self.stats:
            self.stats.inc_value("nianbao/replayed_from_archive")
        return response_from_record(stored, request, as_sent=True, flags=["replayed"])
