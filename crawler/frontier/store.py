"""The crawl frontier on disk: every request a crawl has seen, pending, in flight, done or failed.

Scrapy's JOBDIR is not crash-safe: its seen-set is buffered and its queue state is written on a
clean close only, so a crawl killed with SIGKILL (or by the OOM killer) resumed as "finished" with
a quarter of its pages. Here each change is one SQLite transaction in WAL mode, written before the
crawl acts on it:

- a request is stored (`add`) before the engine is told it was scheduled; its fingerprint is the
  seen-set, so a request is either new and stored or a duplicate, never half of each;
- it is marked in flight (`take`) before it is downloaded, and done or failed (`finish`) only once
  the spider has handled its response (and stored the requests found on it) or given up on it.

A kill or power loss at any instant leaves a prefix of these transactions (WAL replays whole
commits only), so a resumed crawl sees every request in one of the four states. Requests in flight
at the kill are the only ones whose fate is unknown; the scheduler looks them up in the archive.

No Scrapy here: rows hold the request as JSON text made by the scheduler (never pickle: a frontier
may be shared or copied, and unpickling it would run code).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "FrontierStore"]

PENDING, INFLIGHT, DONE, FAILED = "pending", "inflight", "done", "failed"
STATES = (PENDING, INFLIGHT, DONE, FAILED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS job (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    seen TEXT UNIQUE,               -- fingerprint; NULL for a request that bypasses the seen-set
    fingerprint TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    slot TEXT NOT NULL,             -- the downloader slot (host), for fair hand-out across hosts
    priority INTEGER NOT NULL,
    state TEXT NOT NULL,
    not_before REAL NOT NULL DEFAULT 0,  -- wall-clock seconds: a retry waiting for its backoff
    failures INTEGER NOT NULL DEFAULT 0, -- crawl runs that gave up on it
    reason TEXT,                    -- why it was given up on
    request TEXT NOT NULL           -- the request as JSON
);
CREATE INDEX IF NOT EXISTS requests_state ON requests (state);
"""


_ENTRY = "id, fingerprint, url, method, slot, priority, not_before, request"


@dataclass(frozen=True, slots=True)
class Entry:
    """A stored request, as much of it as the scheduler needs without decoding its JSON."""

    id: int
    fingerprint: str
    url: str
    method: str
    slot: str
    priority: int
    not_before: float
    request: str


class FrontierStore:
    """One crawl's frontier in one SQLite file (WAL, one transaction per change)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a power loss may drop the last commits, never reorder or tear them; a kill drops
        # nothing (the WAL is in the OS's hands as soon as a commit returns).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- the job

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM job WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO job (key, value) VALUES (?, ?)", (key, value))

    # -- requests

    def add(
        self,
        *,
        fingerprint: str,
        filtered: bool,
        url: str,
        method: str,
        slot: str,
        priority: int,
        not_before: float,
        request: str,
    ) -> int | None:
        """Store a new pending request; None when `filtered` and its fingerprint was seen before."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO requests (seen, fingerprint, url, method, slot, priority, state, "
            "not_before, request) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (fingerprint if filtered else None, fingerprint, url, method, slot, priority, PENDING,
             not_before, request),
        )  # fmt: skip
        return cursor.lastrowid if cursor.rowcount else None

    def seen(self, fingerprint: str) -> bool:
        return (
            self._db.execute("SELECT 1 FROM requests WHERE seen = ?", (fingerprint,)).fetchone() is not None
        )

    def requeue(self, entry_id: int, *, not_before: float, request: str) -> None:
        """Back to pending (a retry, or a request in flight when the crawl stopped)."""
        self._db.execute(
            "UPDATE requests SET state = ?, not_before = ?, request = ? WHERE id = ?",
            (PENDING, not_before, request, entry_id),
        )

    def take(self, entry_id: int) -> Entry | None:
        """Mark a pending request in flight and return it; None if it is not pending."""
        rows = self._db.execute(  # fetchall: the statement runs to its end, so the change commits now
            f"UPDATE requests SET state = ? WHERE id = ? AND state = ? RETURNING {_ENTRY}",
            (INFLIGHT, entry_id, PENDING),
        ).fetchall()
        return Entry(*rows[0]) if rows else None

    def finish(self, entry_id: int, *, failed: str | None = None) -> None:
        """Done, or (with the reason) given up on: counted as one more run that failed it."""
        if failed is None:
            self._db.execute("UPDATE requests SET state = ? WHERE id = ?", (DONE, entry_id))
        else:
            self._db.execute(
                "UPDATE requests SET state = ?, reason = ?, failures = failures + 1 WHERE id = ?",
                (FAILED, failed, entry_id),
            )

    def pending(self) -> Iterator[tuple[int, str, int, float]]:
        """(id, slot, priority, not_before) of every pending request."""
        yield from self._db.execute(
            "SELECT id, slot, priority, not_before FROM requests WHERE state = ?", (PENDING,)
        )

    def in_flight(self) -> list[Entry]:
        return [
            Entry(*row)
            for row in self._db.execute(
                f"SELECT {_ENTRY} FROM requests WHERE state = ?",
                (INFLIGHT,),
            )
        ]

    def revive_failed(self, max_failures: int) -> int:
        """Pending again: requests given up on in fewer than `max_failures` runs (a resume retries them)."""
        cursor = self._db.execute(
            "UPDATE requests SET state = ?, not_before = 0 WHERE state = ? AND failures < ?",
            (PENDING, FAILED, max_failures),
        )
        return cursor.rowcount

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        counts.update(self._db.execute("SELECT state, COUNT(*) FROM requests GROUP BY state"))
        return counts

    def retryable(self, max_failures: int) -> int:
        """Requests given up on that a resume would try again."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM requests WHERE state = ? AND failures < ?", (FAILED, max_failures)
        ).fetchone()
        return row[0]

    def failed(self) -> list[tuple[str, str]]:
        """(url, reason) of every request given up on."""
        return list(
            self._db.execute("SELECT url, reason FROM requests WHERE state = ? ORDER BY id", (FAILED,))
        )
