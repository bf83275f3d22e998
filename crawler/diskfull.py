"""Stop the crawl cleanly when the disk is full, and say so.

Left alone, a full disk made the crawl hang for ever (Scrapy's disk queue retried its ENOSPC every
five seconds). Whatever meets a full disk (the WARC writer, before a new file or at ENOSPC; the
frontier; the store) sends the `disk_full` signal; this extension stops the crawl once (close reason
`disk_full`, which `nianbao crawl` turns into its own exit code), after which Scrapy finishes the
downloads under way. The frontier keeps what was not done, so `nianbao crawl --resume` finishes the
crawl once space has been freed.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.utils.defer import _schedule_coro

from crawler import signals as nianbao_signals

log = logging.getLogger(__name__)

CLOSE_REASON = "disk_full"


class DiskFullStop:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stopping = False
        crawler.signals.connect(self.disk_full, signal=nianbao_signals.disk_full)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskFullStop:
        return cls(crawler)

    def disk_full(self, where: str, error: BaseException) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value("nianbao/disk_full")
        if self.stopping:
            return
        self.stopping = True
        if self.crawler.stats:
            self.crawler.stats.set_value("nianbao/disk_full_error", f"{where}: {error}")
        log.error("disk full (%s: %s): stopping the crawl; free space, then resume it", where, error)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            _schedule_coro(engine.close_spider_async(reason=CLOSE_REASON))
