"""The crawl's scheduler: Scrapy's engine asks it for the next request; it keeps them in a `FrontierStore`.

It replaces Scrapy's scheduler, dupefilter and JOBDIR queues (`SCHEDULER` setting), so that a crawl
killed at any instant resumes with exactly the work it had left:

- every request is stored before it counts as scheduled, and its fingerprint is the seen-set;
- a request handed to the downloader is in flight until the spider says it is done with it (the
  `request_done` signal, once its response was read, or it was given up on) and every request the
  spider found on it has been stored; a retry of it goes back to pending with its not-before time,
  so a retry waiting for its backoff is on disk too; a redirect finishes it and stores its target;
- a request marked `nianbao_shared` (a linked script many columns' fallback chains read) is
  fetched once per job: while one copy is in flight the others wait, and every later copy is read
  from the archive like a resumed one (in a resumed job, from the capture the store holds);
- on resume, requests given up on in fewer than `NIANBAO_RESUME_RETRIES` runs are tried again, and
  each request that was in flight is looked up in the archive: when a response to it was archived
  after the job began, it is read again from the archive (`crawler.frontier.replay`), not fetched a
  second time, so the links on it are found; otherwise it is fetched.

Requests are handed out like Scrapy's `DownloaderAwarePriorityQueue`: from the host (downloader slot)
with the fewest downloads under way, highest priority first, newest first within a priority
(Scrapy's LIFO). A request whose not-before time has not come stays in a waiting heap; the engine is
woken when it comes due.

At close it counts what is left (`nianbao/frontier/*` stats: unfinished, given up, retryable), and
deletes its file when nothing is left to do, so `nianbao crawl` can tell a finished crawl from one
that stopped early.
"""

from __future__ import annotations

import base64
import heapq
import json
import logging
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from scrapy import Request, Spider
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import CallLaterResult, call_later

from crawler import signals as nianbao_signals
from crawler.archiving import WARC_AT, is_disk_full
from crawler.frontier import (
    FRONTIER_FILE,
    FRONTIER_ID,
    FRONTIER_PARENT,
    REPLAY,
    RETRY_AT,
    SHARED,
    job_directory,
)
from crawler.frontier.codec import decode_request, encode_request
from crawler.frontier.replay import ArchivedResponses
from crawler.frontier.store import FrontierStore

log = logging.getLogger(__name__)


class FrontierScheduler(BaseScheduler):
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.path = job_directory(settings) / FRONTIER_FILE
        self.mode = settings.get("NIANBAO_RESUME", "auto")  # new | resume | auto
        self.max_failures = settings.getint("NIANBAO_RESUME_RETRIES", 2)
        self.fingerprinter = crawler.request_fingerprinter
        self.store: FrontierStore | None = None
        self.spider: Spider | None = None
        self._ready: dict[str, list[tuple[int, int]]] = {}  # slot → heap of (-priority, -id)
        self._waiting: list[tuple[float, int, str, int]] = []  # heap of (not_before, id, slot, priority)
        self._in_flight: dict[int, str] = {}  # id → fingerprint, for telling a retry from a redirect
        # A request the spider is done with stays in flight until every request found on it has
        # reached the frontier (Scrapy schedules a callback's output after the callback returns):
        # id → (requests still to come, the reason it was given up on), and id → requests arrived.
        self._awaiting: dict[int, tuple[int, str | None]] = {}
        self._arrived: dict[int, int] = {}
        self._wake: CallLaterResult | None = None
        self._wake_at = 0.0
        # Shared fetches (`SHARED`): fingerprint → where its answer was archived in this run, and
        # the fingerprints being fetched now; `_started` is when the job began (its first run).
        self._shared_at: dict[str, dict] = {}
        self._shared_fetching: set[str] = set()
        self._started: datetime | None = None
        self._resumed = False
        # Set at the first write the disk refused: from then on nothing more is recorded (a parent
        # must not be marked done after a child of it failed to be stored), and the crawl stops.
        self._full: BaseException | None = None
        crawler.signals.connect(self.request_done, signal=nianbao_signals.request_done)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        if cls is FrontierScheduler and crawler.settings.get("NIANBAO_REDIS"):
            # a frontier shared by several workers (`crawl --redis`, or Scrapyd's setting=NIANBAO_REDIS=…)
            from crawler.frontier.redis_scheduler import RedisScheduler

            return RedisScheduler(crawler)
        return cls(crawler)

    # -- opening and closing

    def open(self, spider: Spider) -> None:
        self.spider = spider
        if self.mode == "new" and self.path.exists():
            raise RuntimeError(f"{self.path} holds an unfinished crawl: resume it or drop it first")
        self.store = FrontierStore(self.path)
        started = self.store.meta("started_at")
        if started is None or self.mode == "new":
            self._started = datetime.now(UTC)
            self.store.set_meta("started_at", self._started.isoformat())
        else:
            self._started = datetime.fromisoformat(started)
            self._resumed = True
            self._inc("nianbao/frontier/resumed")
            revived = self.store.revive_failed(self.max_failures)
            self._inc("nianbao/frontier/revived", revived)
            self._recover_in_flight(datetime.fromisoformat(started))
        for entry_id, slot, priority, not_before in self.store.pending():
            self._push(entry_id, slot, priority, not_before)
        log.info("frontier %s: %d requests pending", self.path, len(self))

    def close(self, reason: str) -> None:
        if self._wake is not None:
            self._wake.cancel()
        if self.store is None:
            return
        # The engine has finished every response before closing: what was found on a page has
        # reached the frontier, or was dropped on the way (a spider middleware's filter).
        for entry_id, (_, failed) in list(self._awaiting.items()):
            self._finish(entry_id, failed)
        counts = self.store.counts()
        unfinished = counts["pending"] + counts["inflight"]
        retryable = self.store.retryable(self.max_failures)
        if self.stats:
            self.stats.set_value("nianbao/frontier/unfinished", unfinished)
            self.stats.set_value("nianbao/frontier/done", counts["done"])
            self.stats.set_value("nianbao/frontier/given_up", counts["failed"])
            self.stats.set_value("nianbao/frontier/retryable", retryable)
        self.store.close()
        self.store = None
        if not unfinished and not retryable:  # nothing a resume could do: the job is over
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    # -- the engine's side

    def has_pending_requests(self) -> bool:
        return bool(self._ready) or bool(self._waiting)

    def __len__(self) -> int:
        return sum(len(heap) for heap in self._ready.values()) + len(self._waiting)

    def enqueue_request(self, request: Request) -> bool:
        try:
            return self._enqueue(request)
        except sqlite3.OperationalError as err:
            self._disk_full(err)
            return False

    def _enqueue(self, request: Request) -> bool:
        assert self.store is not None and self.spider is not None
        if self._full is not None:
            return False
        parent = request.meta.pop(FRONTIER_PARENT, None)
        if parent is not None:
            self._child_arrived(parent)
        fingerprint = self.fingerprinter.fingerprint(request).hex()
        not_before = float(request.meta.get(RETRY_AT) or 0.0)
        slot = self._slot_of(request)
        previous = request.meta.pop(FRONTIER_ID, None)
        if previous is not None and self._in_flight.get(previous) == fingerprint:
            # the same request again (a retry): back to pending, on disk before it counts
            self.store.requeue(previous, not_before=not_before, request=encode_request(request, self.spider))
            del self._in_flight[previous]
            self._push(previous, slot, request.priority, not_before)
            self._inc("scheduler/enqueued/retry")
            return True
        entry_id = self.store.add(
            fingerprint=fingerprint, filtered=not request.dont_filter, url=request.url, method=request.method,
            slot=slot, priority=request.priority, not_before=not_before,
            request=encode_request(request, self.spider),
        )  # fmt: skip
        if previous is not None:  # a redirect: its target is stored (or known); the source is done
            self._finish(previous, None)
        if entry_id is None:
            self._inc("dupefilter/filtered")
            return False
        self._push(entry_id, slot, request.priority, not_before)
        self._inc("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        try:
            return self._next()
        except sqlite3.OperationalError as err:
            self._disk_full(err)
            return None

    def _next(self) -> Request | None:
        assert self.store is not None and self.spider is not None
        if self._full is not None:
            return None
        now = time.time()
        while self._waiting and self._waiting[0][0] <= now:
            _, entry_id, slot, priority = heapq.heappop(self._waiting)
            heapq.heappush(self._ready.setdefault(slot, []), (-priority, -entry_id))
        while self._ready:
            slot = self._least_busy_slot()
            heap = self._ready[slot]
            _, negative_id = heapq.heappop(heap)
            if not heap:
                del self._ready[slot]
            entry = self.store.take(-negative_id)
            if entry is None:  # no longer pending (finished meanwhile): skip it
                continue
            request = decode_request(entry.request, self.spider)
            if request.meta.get(SHARED) and not self._answer_shared(request, entry.fingerprint):
                self.store.requeue(entry.id, not_before=now + 1.0, request=entry.request)
                self._push(entry.id, slot, request.priority, now + 1.0)
                continue
            request.meta[FRONTIER_ID] = entry.id
            self._in_flight[entry.id] = entry.fingerprint
            self._inc("scheduler/dequeued")
            return request
        self._wake_when_due()
        return None

    def _answer_shared(self, request: Request, fingerprint: str) -> bool:
        """Make a shared request ready to go (read from the archive when it was fetched before in
        this job); False while another copy of it is being fetched, so that it waits for that one."""
        where = self._shared_at.get(fingerprint)
        if where is None and fingerprint in self._shared_fetching:
            return False
        if where is None and self._resumed and self._started is not None:
            lookup = ArchivedResponses(self.crawler.settings)
            try:
                found = lookup.find(request.url, request.body, self._started)
            finally:
                lookup.close()
            if found is not None:
                where = self._shared_at[fingerprint] = {"file": found[0], "offset": found[1]}
        if where is None:
            self._shared_fetching.add(fingerprint)
        else:
            request.meta[REPLAY] = where
            self._inc("nianbao/frontier/shared_reused")
        return True

    def _shared_done(self, request: Request) -> None:
        fingerprint = self.fingerprinter.fingerprint(request).hex()
        self._shared_fetching.discard(fingerprint)
        where = request.meta.get(WARC_AT)
        if where and fingerprint not in self._shared_at:
            self._shared_at[fingerprint] = where

    # -- the spider's side

    def request_done(self, request: Request, failed: str | None = None, children: int = 0) -> None:
        """The spider is done with `request` (`failed`: it was given up on, and why), having found
        `children` requests on it (tagged `frontier_parent`), which may still be on their way."""
        if request.meta.get(SHARED):
            self._shared_done(request)
        entry_id = request.meta.get(FRONTIER_ID)
        if entry_id is None or self.store is None:
            return
        if self._arrived.get(entry_id, 0) >= children:
            self._finish(entry_id, failed)
        else:
            self._awaiting[entry_id] = (children, failed)

    def _child_arrived(self, parent: int) -> None:
        self._arrived[parent] = self._arrived.get(parent, 0) + 1
        waiting = self._awaiting.get(parent)
        if waiting is not None and self._arrived[parent] >= waiting[0]:
            self._finish(parent, waiting[1])

    def _finish(self, entry_id: int, failed: str | None) -> None:
        assert self.store is not None
        if self._full is not None:
            return
        try:
            self.store.finish(entry_id, failed=failed)
        except sqlite3.OperationalError as err:
            self._disk_full(err)
            return
        self._in_flight.pop(entry_id, None)
        self._awaiting.pop(entry_id, None)
        self._arrived.pop(entry_id, None)

    # -- internals

    def _push(self, entry_id: int, slot: str, priority: int, not_before: float) -> None:
        if not_before > time.time():
            heapq.heappush(self._waiting, (not_before, entry_id, slot, priority))
        else:
            heapq.heappush(self._ready.setdefault(slot, []), (-priority, -entry_id))

    def _slot_of(self, request: Request) -> str:
        engine = self.crawler.engine
        if engine is not None and engine.downloader is not None:
            return str(engine.downloader.get_slot_key(request))
        return request.url.split("/")[2] if "//" in request.url else ""

    def _least_busy_slot(self) -> str:
        """The slot with the fewest downloads under way; among those, the highest priority first."""
        slots = self.crawler.engine.downloader.slots if self.crawler.engine else {}

        def busy(slot: str) -> tuple[int, tuple[int, int]]:
            active = len(slots[slot].active) if slot in slots else 0
            return active, self._ready[slot][0]

        return min(self._ready, key=busy)

    def _wake_when_due(self) -> None:
        """Schedule the engine's next look at the queue for when the first waiting retry comes due.

        The engine also looks every five seconds on its own; without this a retry whose backoff
        ended would wait for that heartbeat.
        """
        if not self._waiting:
            return
        due = self._waiting[0][0]
        if self._wake is not None and self._wake_at <= due:
            return
        if self._wake is not None:
            self._wake.cancel()
        self._wake, self._wake_at = call_later(max(0.0, due - time.time()) + 0.01, self._nudge_engine), due

    def _nudge_engine(self) -> None:
        self._wake = None
        slot = getattr(self.crawler.engine, "_slot", None)  # Scrapy has no public "look again"
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _recover_in_flight(self, started: datetime) -> None:
        """Requests in flight when the crawl stopped: read again from the archive, or fetched again."""
        assert self.store is not None
        entries = self.store.in_flight()
        if not entries:
            return
        replayed = 0
        lookup = ArchivedResponses(self.crawler.settings)
        try:
            for entry in entries:
                data = json.loads(entry.request)
                meta = data.setdefault("meta", {})
                meta.pop(REPLAY, None)
                # a browser fetch archives no plain response to read again: it is fetched again
                body = base64.b64decode(data.get("body") or "")
                found = None if meta.get("playwright") else lookup.find(entry.url, body, started)
                if found is not None:
                    meta[REPLAY] = {"file": found[0], "offset": found[1]}
                    replayed += 1
                self.store.requeue(entry.id, not_before=0.0, request=json.dumps(data, ensure_ascii=False))
        finally:
            lookup.close()
        self._inc("nianbao/frontier/replayed", replayed)
        self._inc("nianbao/frontier/requeued", len(entries) - replayed)
        log.info(
            "resume: %d requests were in flight at the stop; %d are read from the archive, %d fetched again",
            len(entries), replayed, len(entries) - replayed,
        )  # fmt: skip

    def _disk_full(self, err: sqlite3.OperationalError) -> None:
        if not is_disk_full(err):
            raise err
        if self._full is None:
            self._full = err
            self.crawler.signals.send_catch_log(nianbao_signals.disk_full, where=str(self.path), error=err)

    def _inc(self, key: str, n: int = 1) -> None:
        if self.stats and n:
            self.stats.inc_value(key, n)
