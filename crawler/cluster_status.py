"""What a crawl shared in Redis is doing, for `nianbao status --redis URL`, and the union of the
workers' archives, for `nianbao reparse --warc-dir A --warc-dir B …`.

Status reads the crawl's keys only (no lock, no write): frontier size, open leases (and which
worker holds them), the workers seen in the last minute with their pages per second.

Each worker writes its own WARC files (their names carry host and pid, so they never collide);
`link_union` gathers the files of several directories into one by symbolic links, so that one
reparse reads them all in name order and the store stays a function of the whole archive.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from crawler.frontier.redis_store import CURRENT, RedisFrontier, connect

__all__ = ["cluster_status", "link_union", "worker_commands"]

JOIN_WAIT = 1800  # seconds a scheduled joiner waits for worker 1 to start the crawl
RECENT = 60.0  # seconds: a worker heard from within this is "seen"

WARC_SUFFIXES = (".warc.gz", ".warc.gz.open")


def cluster_status(url: str) -> dict[str, Any]:
    """The current (or last) crawl of the Redis at `url`: counts, leases, workers."""
    client = connect(url)
    try:
        crawl = client.get(CURRENT)
        if crawl is None:
            return {"crawl": None}
        frontier = RedisFrontier(client, crawl.decode(), "status")
        meta = {k.decode(): v.decode() for k, v in client.hgetall(frontier.prefix + "meta").items()}
        counts = frontier.counts()
        owners: dict[str, int] = {}
        for owner in client.hvals(frontier.prefix + "owner"):
            owners[owner.decode()] = owners.get(owner.decode(), 0) + 1
        now = time.time()
        workers = []
        for name, raw in client.hgetall(frontier.prefix + "workers").items():
            info = json.loads(raw)
            seen = now - float(info.get("seen_at", 0))
            pages = int(info.get("pages", 0))
            running = max(float(info.get("seen_at", now)) - float(info.get("started_at", now)), 1e-9)
            workers.append({
                "worker": name.decode(), "seen_ago": round(seen, 1), "recent": seen <= RECENT,
                "pages": pages, "pages_per_s": round(pages / running, 2),
                "leases": owners.get(name.decode(), 0), "closed": bool(info.get("closing")),
            })  # fmt: skip
        workers.sort(key=lambda w: w["worker"])
        return {
            "crawl": crawl.decode(),
            "started_at": meta.get("started_at"),
            "finished_at": meta.get("finished_at"),
            "pending": counts["pending"],
            "leases": counts["inflight"],
            "done": counts["done"],
            "failed": counts["failed"],
            "refused": counts["refused"],
            "leases_expired": int(meta.get("lease_expired", 0)),
            "workers_recent": sum(1 for w in workers if w["recent"] and not w["closed"]),
            "workers": workers,
        }
    finally:
        client.close()


def link_union(target: Path, sources: list[Path]) -> int:
    """Link every WARC file of `sources` into `target` (created); returns the links made.

    A name already in `target` is left alone when it is the same file, and refused otherwise (two
    different files of one name would make the union ambiguous).
    """
    target.mkdir(parents=True, exist_ok=True)
    made = 0
    for source in sources:
        if not source.is_dir():
            raise FileNotFoundError(f"no WARC directory {source}")
        if source.resolve() == target.resolve():
            continue
        for path in sorted(source.iterdir()):
            if not path.name.endswith(WARC_SUFFIXES):
                continue
            link = target / path.name
            if link.exists() or link.is_symlink():
                if link.resolve() != path.resolve():
                    raise FileExistsError(f"{link} exists and is not {path}")
                continue
            link.symlink_to(path.resolve())
            made += 1
    return made


def worker_commands(
    command: list[str], data: Path, redis_url: str, workers: int
) -> list[tuple[str, list[str], Path]]:
    """(title, command, data directory) per worker of a scheduled shared crawl.

    `command` is the single-machine crawl (start URLs, `--data DATA --auto-resume`): worker 1 keeps
    its start URLs and pushes them to the shared frontier, workers 2… join without URLs. A worker's
    state is in Redis, so `--auto-resume` goes; each gets its own data directory, DATA/worker-N.
    """
    head = command[: command.index("crawl") + 1]
    rest = command[len(head) :]
    kept: list[str] = []
    skip = False
    for arg in rest:
        if skip:
            skip = False
            continue
        if arg == "--data":
            skip = True
            continue
        if arg != "--auto-resume":
            kept.append(arg)
    db = kept[kept.index("--db") : kept.index("--db") + 2] if "--db" in kept else []
    plans = []
    for n in range(1, workers + 1):
        directory = data / f"worker-{n}"
        # a joiner may start before worker 1 (timers spread starts over 15 minutes): it waits for the crawl
        urls = kept if n == 1 else [*db, "-s", f"NIANBAO_REDIS_JOIN_WAIT={JOIN_WAIT}"]
        title = f"worker {n} of {workers} (its own machine){': pushes the start URLs' if n == 1 else ''}"
        plans.append((title, [*head, *urls, "--data", str(directory), "--redis", redis_url], directory))
    return plans
