"""The scheduler of a crawl shared by several workers: `FrontierScheduler` on a Redis frontier.

Chosen by `FrontierScheduler.from_crawler` when `NIANBAO_REDIS` is set. It keeps the SQLite
scheduler's bookkeeping unchanged (a request stays in flight until the spider's `request_done` and
the arrival of every request found on it; a retry goes back with its not-before time; a redirect
finishes its source), and differs where the queue is shared:

- requests are taken from Redis one at a time, with a lease (`NIANBAO_REDIS_LEASE` seconds) that a
  heartbeat renews while this worker runs; a killed worker's leases run out and its requests are
  handed to another worker; at a clean stop this worker's unfinished requests go back at once;
- the per-host limits hold for the whole cluster: a request is handed out only while its host has
  fewer than `CONCURRENT_REQUESTS_PER_DOMAIN` requests out across all workers, and `DOWNLOAD_DELAY`
  after the previous hand-out to that host; the host's token is returned when the download is over;
- a request is finished only once the records archived for it are in the store (the ingest thread
  runs behind the crawl): a worker killed in between would otherwise leave a finished request whose
  capture only its own archive holds, which no other worker fetches again;
- a stored request is decoded from the JSON codec only: anything else (a pickle planted in the
  shared Redis) is logged, marked refused and never decoded further;
- the crawl ends for every worker when nothing is queued and no lease is open (and no worker is
  still pushing its start URLs); the first worker to see it marks the crawl finished.

What scrapy-redis 0.9.1 would bring (a Redis queue and dupefilter) is here in a few Lua scripts
(`redis_store`): its queue pickles requests by default, has no lease (a killed worker's requests are
lost) and no cluster-wide per-host limit, and its spider mixin predates Scrapy's async `start()`.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from datetime import UTC, datetime

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from crawler import signals as nianbao_signals
from crawler.frontier import FRONTIER_ID, SHARED
from crawler.frontier.codec import decode_request
from crawler.frontier.redis_store import RedisFrontier, Taken, connect
from crawler.frontier.scheduler import FrontierScheduler
from crawler.middlewares import Scope

log = logging.getLogger(__name__)

BEAT_INTERVAL = 0.25  # seconds: how often the engine is nudged to look at the shared queue again


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RedisScheduler(FrontierScheduler):
    store: RedisFrontier | None  # type: ignore[assignment]

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.url = str(settings.get("NIANBAO_REDIS"))
        self.lease = settings.getfloat("NIANBAO_REDIS_LEASE", 60.0)
        self.join_wait = settings.getfloat("NIANBAO_REDIS_JOIN_WAIT", 30.0)
        self.per_host = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        self.delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self.worker = worker_name()
        self._at_host: dict[int, str] = {}  # id → host, while its download holds the host's token
        self._beat: LoopingCall | None = None
        self._last_renewal = 0.0
        self._seeding = False
        self._scope_version = -1
        self._counts: tuple[float, dict[str, int]] | None = None
        # Finishing waits for ingestion: records archived so far (the reactor's count), records the
        # ingest thread has handled, and the finishes held back until it reaches their ticket.
        self._archived = 0
        self._ingested = 0
        self._ingest = None
        self._held: deque[tuple[int, int, str | None]] = deque()
        crawler.signals.connect(self._left_downloader, signal=signals.request_left_downloader)
        crawler.signals.connect(self._record_archived, signal=nianbao_signals.record_archived)

    # -- opening and closing

    def open(self, spider: Spider) -> None:
        self.spider = spider
        has_urls = bool(getattr(spider, "start_urls", None))
        self.store = RedisFrontier.open(
            connect(self.url), self.worker, has_urls=has_urls, wait=self.join_wait
        )
        self._started = datetime.fromisoformat(self.store.meta("started_at") or datetime.now(UTC).isoformat())
        if has_urls:
            self._seeding = True
            self.store.seeding(True, self.lease)
        self.store.add_scope(
            list(spider.start_urls or []), self.crawler.settings.getlist("NIANBAO_ALLOWED_HOSTS")
        )
        self._refresh_scope()
        self._watch_ingestion()
        self._beat = LoopingCall(self._heartbeat)
        self._beat.start(BEAT_INTERVAL, now=True)
        counts = self.store.counts()
        log.info(
            "shared frontier %s crawl %s as worker %s: %d pending, %d in flight",
            self.url, self.store.crawl, self.worker, counts["pending"], counts["inflight"],
        )  # fmt: skip

    def close(self, reason: str) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if self._wake is not None:
            self._wake.cancel()
        if self.store is None:
            return
        try:
            self._close_shared()
        except redis.RedisError as err:
            log.error("the shared frontier %s failed at the stop (%s: %s)", self.url, type(err).__name__, err)
        finally:
            self.store = None

    def _close_shared(self) -> None:
        assert self.store is not None
        if self._full is not None:  # Redis failed: nothing more can be recorded there
            self.store.close()
            return
        for entry_id, (_, failed) in list(self._awaiting.items()):
            self._finish(entry_id, failed)
        self._wait_for_ingestion()
        for entry_id in list(self._in_flight):  # stopped before it was done: back to the others now
            stored = self.store.client.hget(self.store.prefix + f"e:{entry_id}", "request")
            if stored is not None:
                self.store.requeue(entry_id, not_before=0.0, request=stored.decode())
        if self._seeding:
            self.store.seeding(False, self.lease)
        counts = self.store.counts()
        unfinished = counts["pending"] + counts["inflight"]
        if self.stats:
            self.stats.set_value("nianbao/frontier/unfinished", unfinished)
            self.stats.set_value("nianbao/frontier/done", counts["done"])
            self.stats.set_value("nianbao/frontier/given_up", counts["failed"])
            self.stats.set_value("nianbao/frontier/refused", counts["refused"])
            self.stats.set_value("nianbao/frontier/retryable", 0)
            self.stats.set_value("nianbao/cluster/crawl", self.store.crawl)
        self._report_beat(closing=True)
        if not unfinished and not self.store.is_seeding() and self.store.mark_finished():
            log.info("shared frontier: crawl %s finished", self.store.crawl)
        self.store.close()

    # -- the engine's side

    def enqueue_request(self, request: Request) -> bool:
        try:
            return super().enqueue_request(request)
        except redis.RedisError as err:
            self._redis_failed(err)
            return False

    def next_request(self) -> Request | None:
        try:
            return super().next_request()
        except redis.RedisError as err:
            self._redis_failed(err)
            return None

    def _redis_failed(self, err: redis.RedisError) -> None:
        """Redis is gone: stop this worker (what it holds goes back to the others when its leases
        run out); going on would leave a page waiting for ever for a child that was not stored."""
        if self._full is not None:
            return
        self._full = err
        log.error(
            "the shared frontier %s failed (%s: %s): this worker stops", self.url, type(err).__name__, err
        )
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="shared_frontier_unavailable"))

    def has_pending_requests(self) -> bool:
        """True while the cluster has work queued, open leases, or a worker still seeding: an idle
        worker waits for them (a lease that runs out is handed to it)."""
        if self.store is None:
            return False
        counts = self._shared_counts()
        return bool(counts["pending"] or counts["inflight"] or counts["seeding"])

    def __len__(self) -> int:
        return self._shared_counts()["pending"] if self.store is not None else 0

    def _push(self, entry_id: int, slot: str, priority: int, not_before: float) -> None:
        """Nothing to keep here: the shared queue in Redis holds it (`store.add`/`requeue`)."""
        self._counts = None

    def _next(self) -> Request | None:
        assert self.store is not None and self.spider is not None
        while True:
            taken = self.store.take_next(lease=self.lease, per_host=self.per_host, delay=self.delay)
            if not isinstance(taken, Taken):
                self._wake_at_time(taken)
                return None
            request = self._decode(taken)
            if request is None:
                continue
            if self.store.scope_version() != self._scope_version:
                self._refresh_scope()  # a worker joined with start URLs of its own
            slot = self._slot_of(request)
            if request.meta.get(SHARED) and not self._answer_shared(request, taken.fingerprint):
                self.store.requeue(taken.id, not_before=time.time() + 1.0, request=taken.request.decode())
                continue
            request.meta[FRONTIER_ID] = taken.id
            self._in_flight[taken.id] = taken.fingerprint
            self._at_host[taken.id] = slot
            self._counts = None
            self._inc("scheduler/dequeued")
            self._inc("scheduler/dequeued/redis")
            return request

    def _decode(self, taken: Taken) -> Request | None:
        """The request from its JSON text; None (logged, marked refused) for anything else."""
        assert self.store is not None and self.spider is not None
        try:
            return decode_request(taken.request.decode("utf-8"), self.spider)
        except (ValueError, TypeError, KeyError) as err:  # UnicodeDecodeError and JSON errors included
            log.error(
                "refused request %d of the shared frontier: not a JSON request (%s: %s); it is dropped, "
                "not decoded (a pickled request would run code)",
                taken.id, type(err).__name__, err,
            )  # fmt: skip
            self.store.finish(taken.id, failed=f"refused: {type(err).__name__}", state="refused")
            self._inc("nianbao/frontier/refused")
            return None

    # -- the spider's and the downloader's side

    def _finish(self, entry_id: int, failed: str | None) -> None:
        if self._ingest is not None and self._ingested < self._archived and not self._ingest.halted:
            self._held.append((self._archived, entry_id, failed))  # its records are not stored yet
            self._awaiting.pop(entry_id, None)
            return
        self._really_finish(entry_id, failed)

    def _really_finish(self, entry_id: int, failed: str | None) -> None:
        super()._finish(entry_id, failed)
        self._at_host.pop(entry_id, None)
        self._counts = None

    def _record_archived(self, ref: object) -> None:
        self._archived += 1

    def _watch_ingestion(self) -> None:
        """Count the records the ingest extension's thread has handled (it has no signal for it)."""
        from crawler.ingesting import IngestArchive

        extensions = getattr(self.crawler.extensions, "middlewares", ())
        self._ingest = next((e for e in extensions if isinstance(e, IngestArchive)), None)
        if self._ingest is None:
            return
        ingest = self._ingest._ingest

        def counted(ref: object) -> None:
            try:
                ingest(ref)
            finally:
                self._ingested += 1  # one writer (the ingest thread); the reactor only reads it

        self._ingest._ingest = counted  # type: ignore[method-assign]

    def _release_ingested(self) -> None:
        """Finish the held-back requests whose records the store now has."""
        halted = self._ingest is not None and self._ingest.halted
        while self._held and (halted or self._held[0][0] <= self._ingested):
            _, entry_id, failed = self._held.popleft()
            self._really_finish(entry_id, failed)

    def _wait_for_ingestion(self, timeout: float = 900.0) -> None:
        """At the stop: give ingestion time to store what the held-back requests fetched; those it
        does not store in time stay unfinished and go back to the queue."""
        deadline = time.monotonic() + timeout
        while self._held and time.monotonic() < deadline:
            self._release_ingested()
            if self._held:
                time.sleep(0.1)
        self._held.clear()

    def _left_downloader(self, request: Request) -> None:
        entry_id = request.meta.get(FRONTIER_ID)
        slot = self._at_host.pop(entry_id, None) if entry_id is not None else None
        if slot is not None and self.store is not None:
            self.store.release_host(entry_id, slot)
            self._nudge_engine()  # the host can take its next request: maybe from this worker

    # -- internals

    def _refresh_scope(self) -> None:
        """Apply the crawl's scope (every worker's start URLs and allowed hosts), not only this one's."""
        assert self.store is not None
        urls, hosts, self._scope_version = self.store.scope()
        self.crawler._nianbao_scope = Scope(urls, hosts)  # type: ignore[attr-defined]  # see crawl_scope

    def _shared_counts(self) -> dict[str, int]:
        """The frontier's counts, cached briefly: the engine asks after every request."""
        assert self.store is not None
        now = time.monotonic()
        if self._counts is None or now - self._counts[0] > 0.25:
            self._counts = (now, {**self.store.counts(), "seeding": int(self.store.is_seeding())})
        return self._counts[1]

    def _heartbeat(self) -> None:
        """Renew this worker's leases, say it is alive, and have the engine look at the queue again
        (requests other workers added, leases that ran out, hosts whose tokens came back)."""
        if self.store is None:
            return
        try:
            self._release_ingested()
            now = time.monotonic()
            if now - self._last_renewal >= min(self.lease / 4, 5.0):
                self._last_renewal = now
                self.store.renew({i: self._at_host.get(i) for i in self._in_flight}, self.lease)
                if self._seeding:
                    if getattr(self.crawler.engine, "_start", None) is None and self._engine_started():
                        self._seeding = False
                        self.store.seeding(False, self.lease)
                    else:
                        self.store.seeding(True, self.lease)
                self._report_beat()
        except Exception:  # a Redis hiccup must not kill the heartbeat: the next beat retries
            log.exception("shared frontier heartbeat failed")
        self._counts = None
        self._nudge_engine()

    def _engine_started(self) -> bool:
        engine = self.crawler.engine
        return engine is not None and getattr(engine, "running", False)

    def _report_beat(self, closing: bool = False) -> None:
        if self.store is None:
            return
        stats = self.crawler.stats
        self.store.beat({
            "pid": os.getpid(), "host": socket.gethostname(),
            "started_at": self._started_at_worker(),
            "pages": int(stats.get_value("response_received_count", 0)) if stats else 0,
            "in_flight": len(self._in_flight), "closing": closing,
        })  # fmt: skip

    def _started_at_worker(self) -> float:
        if not hasattr(self, "_worker_started"):
            self._worker_started = time.time()
        return self._worker_started

    def _wake_at_time(self, when: float | None) -> None:
        """Look again when the first held-back request comes due (a host's delay, a retry's backoff)."""
        if when is None:
            return
        if self._wake is not None and self._wake_at <= when:
            return
        if self._wake is not None:
            self._wake.cancel()
        self._wake, self._wake_at = call_later(max(0.0, when - time.time()) + 0.01, self._nudge_engine), when
