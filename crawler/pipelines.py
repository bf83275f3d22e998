"""Item pipeline: hands each archived capture to the store, reading it back from the WARC file.

Reading the record back (rather than using the in-memory response) means the live crawl stores
exactly what an offline `nianbao reparse` of the archive would: the WARC is the source of truth.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.crawler import Crawler

from archive.db import database_url, open_database, sessions
from archive.ingest import ingest_record
from archive.warcstore import read_record
from crawler.items import CaptureItem


class IngestPipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        data = Path(settings.get("NIANBAO_DATA"))
        self.warc_dir = Path(settings.get("NIANBAO_WARC_DIR") or data / "warc")
        self.db_url = database_url(data, settings.get("NIANBAO_DB"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = open_database(self.db_url)
        self.sessions = sessions(self.engine)

    def close_spider(self) -> None:
        self.engine.dispose()

    def process_item(self, item: CaptureItem) -> CaptureItem:
        stats = self.crawler.stats
        with self.sessions.begin() as session:
            for ref in item.warc_refs:
                result = ingest_record(session, read_record(self.warc_dir, ref.filename, ref.offset))
                if stats:
                    stats.inc_value(f"nianbao/{result.outcome}")
        return item
