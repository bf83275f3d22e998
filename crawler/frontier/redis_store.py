"""The crawl frontier in Redis: one frontier shared by many crawl workers on many machines.

The same four states as the SQLite `FrontierStore` (pending, in flight, done, failed), with the
in-flight state held as a *lease*: a request a worker takes carries an expiry, which the worker
renews while it runs. A worker killed with SIGKILL (or a machine lost) stops renewing, and the
next worker that asks for work puts its requests back in the queue; a request finished is never
handed out again. Every change is one Lua script, so a worker killed between two Redis calls leaves
no half-done change (a request seen but not queued, a lease without its host token).

Politeness holds for the whole cluster: a request is handed out only when its host has fewer than
`per_host` requests out across all workers (a host-token sorted set per host, expiring with the
lease) and its `next-at` time has come (`DOWNLOAD_DELAY` between two hand-outs to one host).

Requests are stored as the JSON text of `crawler.frontier.codec`, as bytes: the scheduler decodes
them itself, and refuses anything else (a pickled request planted in a shared Redis would run code
when unpickled; it is never unpickled).

Keys, all under `nianbao:c<N>:` for crawl N (`nianbao:current` names the crawl being run):

- `meta` (hash): started_at, finished_at, counters (added, done, failed, refused, lease_expired);
- `seq` (counter), `seen` (set of fingerprints), `e:<id>` (hash: one request and its state);
- `slots` (set of hosts with queued requests), `q:<host>` (sorted set of ids; highest priority
  first, newest first within a priority, like the SQLite scheduler), `waiting` (sorted set: retries
  by the time their backoff ends);
- `leases` (sorted set: id → expiry, ms), `owner` (hash: id → worker), `h:<host>` (sorted set: the
  host's tokens, id → expiry), `next` (hash: host → earliest next hand-out, ms);
- `workers` (hash: worker → JSON of its last heartbeat), `robots:<netloc>` (the robots.txt answer
  fetched once per host for the crawl, `crawler.cluster`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis

__all__ = ["RedisFrontier", "Taken", "connect"]

ROOT = "nianbao:"
CURRENT = ROOT + "current"  # the id of the crawl being run (or the last one)
CRAWLS = ROOT + "crawls"  # counter of crawl ids

HUNGRY_MS = 1500  # a worker that found nothing to take within this long waits for its share of a host
PRIORITY_SCALE = 1_000_000_000  # ids stay below this; score = -priority * scale - id (exact in a double)

# Join the crawl being run, or (given URLs, when there is none or it has finished) start a new one.
# A worker with URLs is marked as seeding in the same step, so that no other worker can take the
# crawl for finished before its start URLs are in. KEYS: current, crawls. ARGV: has_urls (0/1),
# now (ISO text), worker, seeding mark's expiry (ms). Returns the crawl id or false.
_OPEN = """
local current = redis.call('GET', KEYS[1])
if not (current and redis.call('HEXISTS', 'nianbao:c' .. current .. ':meta', 'finished_at') == 0) then
  if ARGV[1] == '0' then return false end
  current = tostring(redis.call('INCR', KEYS[2]))
  redis.call('SET', KEYS[1], current)
  redis.call('HSET', 'nianbao:c' .. current .. ':meta', 'started_at', ARGV[2])
end
if ARGV[1] == '1' then redis.call('ZADD', 'nianbao:c' .. current .. ':seeding', ARGV[4], ARGV[3]) end
return current
"""

# ARGV: prefix, fingerprint, filtered (0/1), slot, score, not_before (ms), now (ms), url, method,
# priority, request. Returns the new id, or 0 for a duplicate.
_ADD = """
local p = ARGV[1]
if ARGV[3] == '1' and redis.call('SADD', p .. 'seen', ARGV[2]) == 0 then return 0 end
local id = redis.call('INCR', p .. 'seq')
-- newest first within a priority (the SQLite scheduler's LIFO); '%.0f': no exponent in the text
local score = string.format('%.0f', tonumber(ARGV[5]) - id)
redis.call('HSET', p .. 'e:' .. id, 'fingerprint', ARGV[2], 'slot', ARGV[4], 'score', score,
  'url', ARGV[8], 'method', ARGV[9], 'priority', ARGV[10], 'request', ARGV[11], 'state', 'pending')
if tonumber(ARGV[6]) > tonumber(ARGV[7]) then
  redis.call('ZADD', p .. 'waiting', ARGV[6], id)
else
  redis.call('ZADD', p .. 'q:' .. ARGV[4], score, id)
  redis.call('SADD', p .. 'slots', ARGV[4])
end
redis.call('HINCRBY', p .. 'meta', 'added', 1)
return id
"""

# Leases that ran out back to the queue, retries whose backoff ended into it, then the best
# request a host can take now: fewest tokens out, then highest priority. A host's tokens are shared
# fairly: while other workers came away empty-handed lately ("hungry"), a worker holds at most its
# share of a host's tokens (the worker that returns a token would otherwise always take it back
# first). ARGV: prefix, worker, now (ms), lease (ms), per_host, delay (ms), hungry window (ms).
# Returns {1, id, request, fingerprint} or {0, wake-at ms}.
_TAKE = """
local p, worker = ARGV[1], ARGV[2]
local now, lease, per_host, delay = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'leases', '-inf', now)) do
  local e = p .. 'e:' .. id
  local slot, score = redis.call('HGET', e, 'slot'), redis.call('HGET', e, 'score')
  redis.call('ZREM', p .. 'leases', id)
  redis.call('HDEL', p .. 'owner', id)
  redis.call('ZREM', p .. 'h:' .. slot, id)
  redis.call('HSET', e, 'state', 'pending')
  redis.call('ZADD', p .. 'q:' .. slot, score, id)
  redis.call('SADD', p .. 'slots', slot)
  redis.call('HINCRBY', p .. 'meta', 'lease_expired', 1)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'waiting', '-inf', now)) do
  local e = p .. 'e:' .. id
  local slot, score = redis.call('HGET', e, 'slot'), redis.call('HGET', e, 'score')
  redis.call('ZREM', p .. 'waiting', id)
  redis.call('ZADD', p .. 'q:' .. slot, score, id)
  redis.call('SADD', p .. 'slots', slot)
end
redis.call('ZREMRANGEBYSCORE', p .. 'hungry', '-inf', now - tonumber(ARGV[7]))
local others = redis.call('ZCARD', p .. 'hungry') - (redis.call('ZSCORE', p .. 'hungry', worker) and 1 or 0)
local share = math.ceil(per_host / (1 + others))
local best, best_active, best_score, wake = nil, 0, 0, nil
for _, slot in ipairs(redis.call('SMEMBERS', p .. 'slots')) do
  local top = redis.call('ZRANGE', p .. 'q:' .. slot, 0, 0, 'WITHSCORES')
  if #top == 0 then
    redis.call('SREM', p .. 'slots', slot)
  else
    redis.call('ZREMRANGEBYSCORE', p .. 'h:' .. slot, '-inf', now)
    local active = redis.call('ZCARD', p .. 'h:' .. slot)
    local next_at = tonumber(redis.call('HGET', p .. 'next', slot) or '0')
    local score = tonumber(top[2])
    local mine = 0
    if others > 0 then
      for _, held in ipairs(redis.call('ZRANGE', p .. 'h:' .. slot, 0, -1)) do
        if redis.call('HGET', p .. 'owner', held) == worker then mine = mine + 1 end
      end
    end
    if active < per_host and next_at <= now and mine < share then
      if best == nil or active < best_active or (active == best_active and score < best_score) then
        best, best_active, best_score = slot, active, score
      end
    elseif active < per_host and (wake == nil or next_at < wake) then
      wake = next_at
    end
  end
end
if best == nil then
  local w = redis.call('ZRANGE', p .. 'waiting', 0, 0, 'WITHSCORES')
  if #w > 0 and (wake == nil or tonumber(w[2]) < wake) then wake = tonumber(w[2]) end
  redis.call('ZADD', p .. 'hungry', now, worker)
  return {0, tostring(wake or -1)}
end
redis.call('ZREM', p .. 'hungry', worker)
local id = redis.call('ZPOPMIN', p .. 'q:' .. best)[1]
local e = p .. 'e:' .. id
redis.call('ZADD', p .. 'leases', now + lease, id)
redis.call('HSET', p .. 'owner', id, worker)
redis.call('ZADD', p .. 'h:' .. best, now + lease, id)
redis.call('HSET', p .. 'next', best, now + delay)
redis.call('HSET', e, 'state', 'inflight')
return {1, id, redis.call('HGET', e, 'request'), redis.call('HGET', e, 'fingerprint')}
"""

# Back to the queue (a retry, with its not-before time). ARGV: prefix, id, not_before, now, request.
_REQUEUE = """
local p, id = ARGV[1], ARGV[2]
local e = p .. 'e:' .. id
local slot, score = redis.call('HGET', e, 'slot'), redis.call('HGET', e, 'score')
if not slot then return 0 end
redis.call('ZREM', p .. 'leases', id)
redis.call('HDEL', p .. 'owner', id)
redis.call('ZREM', p .. 'h:' .. slot, id)
redis.call('HSET', e, 'state', 'pending', 'request', ARGV[5])
if tonumber(ARGV[3]) > tonumber(ARGV[4]) then
  redis.call('ZADD', p .. 'waiting', ARGV[3], id)
else
  redis.call('ZADD', p .. 'q:' .. slot, score, id)
  redis.call('SADD', p .. 'slots', slot)
end
return 1
"""

# Done, failed or refused: out of every queue and lease for good. ARGV: prefix, id, state, reason.
_FINISH = """
local p, id, state = ARGV[1], ARGV[2], ARGV[3]
local e = p .. 'e:' .. id
local slot = redis.call('HGET', e, 'slot')
if not slot then return 0 end
local was = redis.call('HGET', e, 'state')
redis.call('ZREM', p .. 'leases', id)
redis.call('HDEL', p .. 'owner', id)
redis.call('ZREM', p .. 'h:' .. slot, id)
redis.call('ZREM', p .. 'q:' .. slot, id)
redis.call('ZREM', p .. 'waiting', id)
if was == 'done' or was == 'failed' or was == 'refused' then return 0 end
redis.call('HSET', e, 'state', state, 'reason', ARGV[4])
redis.call('HDEL', e, 'request')
redis.call('HINCRBY', p .. 'meta', state, 1)
return 1
"""


@dataclass(frozen=True, slots=True)
class Taken:
    """A request handed to this worker: its id, its stored text (not decoded yet) and fingerprint."""

    id: int
    request: bytes
    fingerprint: str


def connect(url: str) -> redis.Redis:
    """A client on `url` (redis://HOST:PORT/DB); bytes in and out, so nothing is decoded for us."""
    client = redis.Redis.from_url(url, decode_responses=False, socket_timeout=30, health_check_interval=30)
    client.ping()  # fail at start, where the user sees it, not at the first request
    return client


def crawl_prefix(crawl: str) -> str:
    return f"{ROOT}c{crawl}:"


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class RedisFrontier:
    """One crawl's shared frontier in Redis; each method is one atomic step."""

    def __init__(self, client: redis.Redis, crawl: str, worker: str) -> None:
        self.client = client
        self.crawl = crawl
        self.worker = worker
        self.prefix = crawl_prefix(crawl)
        self._add = client.register_script(_ADD)
        self._take = client.register_script(_TAKE)
        self._requeue = client.register_script(_REQUEUE)
        self._finish = client.register_script(_FINISH)

    @classmethod
    def open(
        cls, client: redis.Redis, worker: str, *, has_urls: bool, wait: float = 0.0, lease: float = 60.0
    ) -> RedisFrontier:
        """Join the crawl being run; with URLs, start one when none is running (and be marked as
        seeding for `lease` seconds). A worker without URLs waits up to `wait` seconds for a crawl
        to start (RuntimeError after that)."""
        script = client.register_script(_OPEN)
        deadline = time.monotonic() + wait
        while True:
            now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
            expiry = _now_ms() + int(lease * 1000)
            crawl = script(keys=[CURRENT, CRAWLS], args=[int(has_urls), now, worker, expiry])
            if crawl is not None:
                return cls(client, _text(crawl) or "", worker)
            if time.monotonic() >= deadline:
                raise RuntimeError("no crawl is running in this Redis to join: give start URLs to start one")
            time.sleep(0.5)

    def close(self) -> None:
        self.client.close()

    # -- the crawl

    def meta(self, key: str) -> str | None:
        return _text(self.client.hget(self.prefix + "meta", key))

    def set_meta(self, key: str, value: str) -> None:
        self.client.hset(self.prefix + "meta", key, value)

    def mark_finished(self) -> bool:
        """Record that the crawl is over (first worker to see it) and drop its per-request state;
        the meta hash and the workers stay for `nianbao status`. True if this call finished it."""
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        if not self.client.hsetnx(self.prefix + "meta", "finished_at", now):
            return False
        keep = {self.prefix + "meta", self.prefix + "workers"}
        batch: list[bytes] = []
        for key in self.client.scan_iter(match=self.prefix + "*", count=1000):
            if _text(key) not in keep:
                batch.append(key)
            if len(batch) >= 500:
                self.client.unlink(*batch)
                batch = []
        if batch:
            self.client.unlink(*batch)
        return True

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
        score = -priority * PRIORITY_SCALE
        found = self._add(args=[
            self.prefix, fingerprint, int(filtered), slot, score, int(not_before * 1000), _now_ms(),
            url, method, priority, request,
        ])  # fmt: skip
        return int(found) or None

    def seen(self, fingerprint: str) -> bool:
        return bool(self.client.sismember(self.prefix + "seen", fingerprint))

    def take_next(self, *, lease: float, per_host: int, delay: float) -> Taken | float | None:
        """The next request any host can take now, leased to this worker; else the time (epoch
        seconds) something comes due, or None when nothing is queued."""
        answer = self._take(args=[
            self.prefix, self.worker, _now_ms(), int(lease * 1000), per_host, int(delay * 1000), HUNGRY_MS,
        ])  # fmt: skip
        if int(answer[0]) == 0:
            wake = float(answer[1])
            return None if wake < 0 else wake / 1000
        return Taken(int(answer[1]), bytes(answer[2] or b""), _text(answer[3]) or "")

    def requeue(self, entry_id: int, *, not_before: float, request: str) -> None:
        self._requeue(args=[self.prefix, entry_id, int(not_before * 1000), _now_ms(), request])

    def finish(self, entry_id: int, *, failed: str | None = None, state: str | None = None) -> None:
        """Done, or (with the reason) failed; `state="refused"` for a stored request not decoded."""
        self._finish(args=[self.prefix, entry_id, state or ("failed" if failed else "done"), failed or ""])

    def release_host(self, entry_id: int, slot: str) -> None:
        """The download is over: the host's token goes back (the lease stays until it is finished)."""
        self.client.zrem(self.prefix + f"h:{slot}", entry_id)

    def renew(self, leases: dict[int, str | None], lease: float) -> None:
        """Push back the expiry of this worker's leases (and host tokens of downloads under way)."""
        if not leases:
            return
        expiry = _now_ms() + int(lease * 1000)
        pipe = self.client.pipeline(transaction=False)
        for entry_id, slot in leases.items():
            pipe.zadd(self.prefix + "leases", {entry_id: expiry}, xx=True)
            if slot is not None:
                pipe.zadd(self.prefix + f"h:{slot}", {entry_id: expiry}, xx=True)
        pipe.execute()

    def counts(self) -> dict[str, int]:
        """pending (queued and waiting), inflight (open leases), done, failed, refused."""
        slots = [_text(s) for s in self.client.smembers(self.prefix + "slots")]
        pipe = self.client.pipeline(transaction=False)
        for slot in slots:
            pipe.zcard(self.prefix + f"q:{slot}")
        pipe.zcard(self.prefix + "waiting")
        pipe.zcard(self.prefix + "leases")
        pipe.hmget(self.prefix + "meta", "done", "failed", "refused")
        *queued, waiting, leases, finished = pipe.execute()
        done, failed, refused = (int(v or 0) for v in finished)
        return {
            "pending": sum(queued) + waiting, "inflight": leases,
            "done": done, "failed": failed, "refused": refused,
        }  # fmt: skip

    def add_scope(self, urls: list[str], hosts: list[str]) -> None:
        """Add a worker's start URLs and allowed hosts to the crawl's scope, which every worker
        applies: any worker may be handed any request of the crawl."""
        added = 0
        if urls:
            added += self.client.sadd(self.prefix + "scope-urls", *urls)
        if hosts:
            added += self.client.sadd(self.prefix + "scope-hosts", *hosts)
        if added:
            self.client.hincrby(self.prefix + "meta", "scope_version", 1)

    def scope(self) -> tuple[list[str], list[str], int]:
        """The crawl's start URLs, allowed hosts, and the version of that pair."""
        pipe = self.client.pipeline(transaction=True)
        pipe.smembers(self.prefix + "scope-urls")
        pipe.smembers(self.prefix + "scope-hosts")
        pipe.hget(self.prefix + "meta", "scope_version")
        urls, hosts, version = pipe.execute()
        return sorted(_text(u) or "" for u in urls), sorted(_text(h) or "" for h in hosts), int(version or 0)

    def scope_version(self) -> int:
        return int(self.client.hget(self.prefix + "meta", "scope_version") or 0)

    def seeding(self, on: bool, lease: float) -> None:
        """Mark this worker as still pushing its start URLs (expiring with a lease), or done with
        them: until then another worker must not take the empty frontier for a finished crawl."""
        key = self.prefix + "seeding"
        if on:
            self.client.zadd(key, {self.worker: _now_ms() + int(lease * 1000)})
        else:
            self.client.zrem(key, self.worker)

    def is_seeding(self) -> bool:
        return bool(self.client.zcount(self.prefix + "seeding", _now_ms(), "+inf"))

    def beat(self, info: dict[str, Any]) -> None:
        """This worker's heartbeat, for `nianbao status` (workers seen lately, pages per second)."""
        self.client.hset(self.prefix + "workers", self.worker, json.dumps({**info, "seen_at": time.time()}))


def _now_ms() -> int:
    return int(time.time() * 1000)
