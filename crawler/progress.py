"""Progress while a crawl runs: a periodic one-line summary of what was fetched and found."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

log = logging.getLogger("nianbao.progress")


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: task.LoopingCall | None = None
        crawler.signals.connect(self.start, signal=signals.spider_opened)
        crawler.signals.connect(self.stop, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        return cls(crawler, crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL", 5.0))

    def start(self) -> None:
        if self.interval > 0:
            self.task = task.LoopingCall(self.report)
            self.task.start(self.interval, now=False)

    def stop(self) -> None:
        if self.task and self.task.running:
            self.task.stop()

    def report(self) -> None:
        log.info(summary_line(self.crawler.stats.get_stats() if self.crawler.stats else {}))


def summary_line(stats: dict) -> str:
    return (
        f"{stats.get('response_received_count', 0)} pages fetched, "
        f"{stats.get('nianbao/report', 0)} reports, "
        f"{stats.get('nianbao/failure', 0)} not parsed, "
        f"{stats.get('nianbao/warc_records', 0)} WARC records"
    )
