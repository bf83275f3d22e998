"""A reparse's records read on every core: the pure half in a process pool, handed back in WARC order.

`prepared_records` turns the archive's records into (record, Prepared) pairs in the order they came
in. What the text cache (`archive.textcache`) keeps of each is looked up here, in the process that
holds the store, a block of records a query; the reading itself
(`archive.ingest.prepare.prepare_record`: decode, classify, extract, parse, convert an attachment)
runs in `workers` processes, at most `window` records ahead of the store, so memory stays bounded
whatever the archive's size. A page whose kept reading has no text to parse (most pages: no
report) needs no worker: it is taken as kept, here. The store then takes each pair in
order (`ingest_record(..., prepared)`), so the database is the one a serial reparse makes.

With one worker nothing is started: each record is read in this process just before it is stored,
as the crawl does (and a test's monkeypatch of the reader still reaches it).

Workers run with OCR off (`NIANBAO_OCR=0`): a scan needs it only if it is a report's, which only
the store's side can tell, and its text is kept in the archive in WARC order (`archive.conversions`).
A worker that dies (a crash in a C library, the kernel's OOM killer) breaks the pool: it is
replaced, and each record that was in flight is read again; one that breaks a fresh pool too is a
failure of its own ("the worker process reading it died"), and the reparse goes on.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from sqlalchemy.orm import Session

from archive.documents.base import DocumentText
from archive.ingest.prepare import OCR_OFF, PAGE, Prepared, prepare_record, route
from archive.textcache import load_kept
from archive.warcstore import StoredResponse

__all__ = ["prepared_records"]

log = logging.getLogger(__name__)

PRELOAD = ["archive.documents", "archive.ingest.parallel"]  # imported once by the forkserver
WORKER_DIED = "internal error: the worker process reading it died (a crash, or out of memory)"
WORKER_NICENESS = 5
CHUNK = 16  # records a task: fewer, larger messages between the processes
BLOCK = 64  # records whose kept readings are looked up in one query


def prepared_records(
    records: Iterable[StoredResponse],
    session: Session,
    *,
    workers: int = 1,
    reuse: bool = True,
    window: int | None = None,
) -> Generator[tuple[StoredResponse, Prepared | None], None, None]:
    """Each record with its pure half (None for a record that has none), in the order given.

    `reuse=False` (`reparse --re-extract`) ignores the text cache: every page is extracted and
    every attachment converted again. At most `window` records are in flight (default: three
    tasks of `CHUNK` records a worker).
    """
    routed = _routed(records, session, reuse)
    if workers <= 1:
        for record, kind, kept in routed:
            yield record, _in_process(record, kind, kept)
        return
    with _Pool(workers) as pool:
        pending: deque[_Entry] = deque()
        limit = window or 3 * CHUNK * workers
        for record, kind, kept in routed:
            pending.append(_entry(pool, record, kind, kept))
            if len(pending) >= limit:
                yield pending[0].record, pool.result(pending.popleft())
        while pending:
            yield pending[0].record, pool.result(pending.popleft())


def prepare_many(items: list[tuple[StoredResponse, str | None, dict | None]]) -> list[Prepared]:
    """A worker's task: `prepare_record` on each of a chunk of records."""
    return [prepare_record(record, kind, kept, convert_documents=True) for record, kind, kept in items]


Kept = dict | DocumentText | None  # a page's kept reading, an attachment's kept text, or nothing


def _routed(
    records: Iterable[StoredResponse], session: Session, reuse: bool
) -> Iterator[tuple[StoredResponse, str | None, Kept]]:
    """Each record with its `route` and what the text cache keeps of it (nothing unless `reuse`)."""
    records = iter(records)
    while block := list(islice(records, BLOCK)):
        kinds = [route(record) for record in block]
        pairs = zip(block, kinds, strict=True)
        wanted = [r.ref.record_id for r, kind in pairs if kind not in (None, "image")]
        kept = load_kept(session, wanted) if reuse else {}
        for record, kind in zip(block, kinds, strict=True):
            yield record, kind, kept.get(record.ref.record_id)


@dataclasses.dataclass(slots=True)
class _Entry:
    record: StoredResponse
    kind: str | None
    kept: dict | None = None  # the page's kept reading
    done: Prepared | None = None  # known without a worker
    future: Future | None = None  # of its chunk
    index: int = 0  # in its chunk
    generation: int = 0  # of the pool its chunk was submitted to
    queued: bool = False  # waits for a worker


def _in_process(record: StoredResponse, kind: str | None, kept: Kept) -> Prepared | None:
    if kind is None or kind == "image":
        return None
    if kind == PAGE:
        return prepare_record(record, kind, kept if isinstance(kept, dict) else None)
    return Prepared(document=kept) if isinstance(kept, DocumentText) else None  # else converted if a report's


def _entry(pool: _Pool, record: StoredResponse, kind: str | None, kept: Kept) -> _Entry:
    entry = _Entry(record, kind)
    if kind is None or kind == "image":
        return entry
    if isinstance(kept, DocumentText):
        entry.done = Prepared(document=kept)
        return entry
    if kind == PAGE and isinstance(kept, dict):
        if "extracted" not in kept:  # nothing to parse: taken as kept, here
            entry.done = prepare_record(record, kind, kept)
            return entry
        entry.kept = kept
    pool.add(entry)
    return entry


class _Pool:
    """A process pool that takes records in chunks, and is replaced when a worker dies."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.generation = 0
        self.batch: list[_Entry] = []
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # forkserver: a worker never inherits the store's connections nor the sandbox's child
        # process, and it is forked from a process that imported the readers once (a spawned one
        # would import them again, about a second of CPU each). The list keeps what the sandbox
        # (`archive.sandbox`) preloads in the same server, which its children are forked from.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_worker_init)

    def add(self, entry: _Entry) -> None:
        entry.queued = True
        self.batch.append(entry)
        if len(self.batch) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        # A worker reads the decoded body only (none at all for a kept reading): the stored one stays here.
        items = [(_for_worker(e.record, e.kept), e.kind, e.kept) for e in self.batch]
        future = self.executor.submit(prepare_many, items)
        for index, entry in enumerate(self.batch):
            entry.future, entry.index, entry.generation = future, index, self.generation
        self.batch = []

    def result(self, entry: _Entry) -> Prepared | None:
        if not entry.queued:
            return entry.done
        if entry.future is None:  # its chunk is still being filled
            self.flush()
        try:
            return entry.future.result()[entry.index]
        except BrokenProcessPool:
            if entry.generation == self.generation:
                self.restart()
        except Exception as err:  # the task or its result could not cross the pipe: read it here
            log.error(
                "a reparse worker could not read %s (%s): reading it in this process", entry.record.url, err
            )
            return prepare_record(entry.record, entry.kind, entry.kept)
        # Its chunk was lost with a worker: read again in the fresh pool, in a chunk of its own.
        self.batch, later = [entry], self.batch
        self.flush()
        self.batch = later
        try:
            return entry.future.result()[0]
        except BrokenProcessPool:
            self.restart()
            log.error("the worker process reading %s died twice", entry.record.url)
            # An attachment is left to the store's side, which converts it if it is a report's.
            return Prepared(error=WORKER_DIED) if entry.kind == PAGE else None

    def restart(self) -> None:
        log.error("a reparse worker process died: starting a new pool")
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.generation += 1
        self.executor = self._start()
        for entry in self.batch:  # not submitted yet: they go to the new pool
            entry.future = None

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        # After an error (or Ctrl-C) the workers are not waited for: each ends after its task.
        self.executor.shutdown(wait=kind is None, cancel_futures=True)


def _for_worker(record: StoredResponse, kept: dict | None) -> StoredResponse:
    if kept is not None:  # only its URL is read
        return dataclasses.replace(record, raw_body=b"", body=b"")
    return dataclasses.replace(record, raw_body=b"")


def _worker_init() -> None:
    os.environ[OCR_OFF.split("=")[0]] = OCR_OFF.split("=")[1]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the store decides
    # The store's process is the one every record waits for: where the cores are all busy, it
    # goes first (with a worker a core and the store beside them, it would get two thirds of one).
    os.nice(WORKER_NICENESS)
