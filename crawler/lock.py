"""One crawl per data directory, however it was started (CLI, Scrapyd, `scrapy crawl`).

Two crawls writing one data directory would interleave WARC files and database rows; the second
one is refused. `nianbao crawl` takes the same lock itself (before recovering interrupted WARC
files) and tells this extension so through `NIANBAO_LOCK_HELD`.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler


class DataDirectoryLocked(RuntimeError):
    pass


class DataDirectoryLock:
    def __init__(self, crawler: Crawler) -> None:
        self.handle = None
        if crawler.settings.getbool("NIANBAO_LOCK_HELD"):
            return
        data = Path(crawler.settings.get("NIANBAO_DATA"))
        data.mkdir(parents=True, exist_ok=True)
        self.handle = open(data / ".lock", "a+")  # held for the whole crawl; "a+" keeps a holder's pid
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            self.handle.close()
            raise DataDirectoryLocked(f"{data} is in use by another nianbao crawl or reparse") from err
        self.handle.truncate(0)
        self.handle.write(f"{os.getpid()}\n")
        self.handle.flush()
        # Released after every other engine_stopped handler (the WARC writer closes its file
        # there): connected only once the engine runs, so it is connected last.
        crawler.signals.connect(self._connect_release, signal=signals.engine_started)
        self.crawler = crawler

    def _connect_release(self) -> None:
        self.crawler.signals.connect(self.release, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DataDirectoryLock:
        return cls(crawler)

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
