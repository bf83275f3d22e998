"""Several crawl workers on one shared frontier (Redis) and one store (PostgreSQL).

Three `nianbao crawl --redis` workers crawl the sample portal and four fixture-world portals
together, each with its own data directory, into one throwaway PostgreSQL database. One of them
(started with two of the portals' URLs) is killed with SIGKILL mid-crawl; a third joins without
URLs. The portals' servers run in this process and log every request they answer, and how many
they answer at once: all portals are on 127.0.0.1, one host for the crawl's per-host limit.

- every expected report is exported exactly once, nothing is missing;
- no URL was fetched twice, apart from what the killed worker held when it died (its leases,
  read from Redis right after the kill), and robots.txt once per portal;
- never more requests at once on the host than `CONCURRENT_REQUESTS_PER_DOMAIN`, across workers;
- the reparse of the union of the workers' WARC directories exports what the live database does;
- a re-crawl by two other workers is incremental (304s from the shared validators), each URL once;
- a pickled request planted in the shared queue is refused (logged), never unpickled.

A real `redis-server` is started by the test on 127.0.0.1 (a free port, no persistence). Without
it (or PostgreSQL's binaries) the tests skip, except under CI (CI=true), where they fail:
`./setup.sh test` installs both.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import SimpleNamespace
from typing import NoReturn
from urllib.parse import urlsplit

import pytest

from archive.catchup import catch_up_store
from archive.db import open_database
from nianbao.sample_portal.server import serve as serve_sample
from tests.test_pipeline import EXPECTED as SAMPLE_EXPECTED
from tests.test_postgres import new_database, postgres_url  # noqa: F401  (a fixture)
from tests.world import all_portals

WORLD = {p.name: p for p in all_portals() if p.name in ("gkmlpt", "hanweb", "trs", "ucap")}
LIMIT = 3  # CONCURRENT_REQUESTS_PER_DOMAIN of every worker: the cluster's limit for 127.0.0.1
LEASE = 4.0  # seconds: how soon the killed worker's requests go to the others
DELAY = 0.03  # seconds every answer takes, so that the crawl is still running at the kill
SETTINGS = [
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
    "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={LIMIT}", "-s", f"NIANBAO_REDIS_LEASE={LEASE}",
    "-s", "NIANBAO_BROWSER_ENABLED=False",
]  # fmt: skip


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(
            f"{reason}; CI must have it (./setup.sh test installs Debian's redis-server)", pytrace=False
        )
    pytest.skip(f"{reason} (./setup.sh test installs Debian's redis-server)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 (no snapshot, no AOF); yields its URL."""
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        _unavailable("redis-server not found")
    try:
        import redis
    except ImportError:
        _unavailable("redis-py is not installed (pip install -e '.[test]')")
    for _ in range(3):  # the port may be taken between the probe and the bind
        port = _free_port()
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(directory), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None:
                    break
                time.sleep(0.05)
        else:
            proc.kill()
            continue
        if proc.poll() is None:
            break
    else:
        raise AssertionError("redis-server did not start")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()  # nothing to save: no snapshot, no AOF
        proc.wait(timeout=10)


class AccessLog:
    """Every request the in-process test servers answer (port, method, path), and the most they
    answered at once on the host; each answer is held back `delay` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.requests: list[tuple[int, str, str]] = []
        self.active = 0
        self.most = 0
        self._lock = threading.Lock()

    @contextmanager
    def installed(self) -> Iterator[AccessLog]:
        log = self
        parse, handle = BaseHTTPRequestHandler.parse_request, BaseHTTPRequestHandler.handle_one_request

        def parse_request(handler: BaseHTTPRequestHandler) -> bool:
            ok = parse(handler)
            if ok:
                with log._lock:
                    log.requests.append((handler.server.server_address[1], handler.command, handler.path))
                    log.active += 1
                    log.most = max(log.most, log.active)
                handler._counted = True  # type: ignore[attr-defined]
                time.sleep(log.delay)
            return ok

        def handle_one_request(handler: BaseHTTPRequestHandler) -> None:
            try:
                handle(handler)
            except ConnectionResetError:
                pass  # the killed worker's connections
            finally:
                if getattr(handler, "_counted", False):
                    handler._counted = False  # type: ignore[attr-defined]
                    with log._lock:
                        log.active -= 1

        BaseHTTPRequestHandler.parse_request = parse_request  # type: ignore[method-assign]
        BaseHTTPRequestHandler.handle_one_request = handle_one_request  # type: ignore[method-assign]
        try:
            yield self
        finally:
            BaseHTTPRequestHandler.parse_request = parse  # type: ignore[method-assign]
            BaseHTTPRequestHandler.handle_one_request = handle  # type: ignore[method-assign]

    def count(self) -> int:
        with self._lock:
            return len(self.requests)


class Planted:
    """A pickle that, unpickled, creates a file: proof that something unpickled the queue."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (str(self.marker), "w"))


def plant_pickle(url: str, marker: Path) -> None:
    """Start the crawl in Redis and put a pickled request in its queue, as an attacker with access
    to the shared Redis would (a scrapy-redis-style pickled request dict)."""
    import redis

    from crawler.frontier.redis_store import RedisFrontier

    frontier = RedisFrontier.open(redis.Redis.from_url(url), "test:0", has_urls=True, lease=0)
    payload = pickle.dumps({"url": "http://127.0.0.1:1/", "callback": Planted(marker)})
    entry = frontier.client.incr(frontier.prefix + "seq")
    frontier.client.hset(frontier.prefix + f"e:{entry}", mapping={
        "fingerprint": "planted", "slot": "127.0.0.1", "score": -10**12, "url": "http://127.0.0.1:1/",
        "method": "GET", "priority": 1000, "request": payload, "state": "pending",
    })  # fmt: skip
    frontier.client.zadd(frontier.prefix + "q:127.0.0.1", {entry: -(10**12)})
    frontier.client.sadd(frontier.prefix + "slots", "127.0.0.1")


def worker(data: Path, redis_url: str, db: str, *urls: str) -> subprocess.Popen:
    data.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", "crawl", *urls, "--data", str(data), "--db", db,
         "--redis", redis_url, *SETTINGS],
        stdout=subprocess.DEVNULL, stderr=open(data / "stderr.log", "w"),
    )  # fmt: skip


def nianbao(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"nianbao {' '.join(args)} failed:\n{proc.stderr[-4000:]}"
    return proc.stdout


def crawl_meta(url: str) -> dict[str, str]:
    import redis

    client = redis.Redis.from_url(url, decode_responses=True)
    return client.hgetall(f"nianbao:c{client.get('nianbao:current')}:meta")


def leased_urls(url: str, name: str) -> set[str]:
    """The URLs the worker `name` holds leases on (read right after it was killed)."""
    import redis

    client = redis.Redis.from_url(url)
    prefix = f"nianbao:c{client.get('nianbao:current').decode()}:"
    ids = [k for k, v in client.hgetall(prefix + "owner").items() if v.decode() == name]
    return {client.hget(prefix + f"e:{i.decode()}", "url").decode() for i in ids}


@pytest.fixture(scope="module")
def cluster(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:  # noqa: F811
    root = tmp_path_factory.mktemp("cluster")
    db = new_database(postgres_url, "cluster")
    marker = root / "unpickled"
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis_server(root))
        log = stack.enter_context(AccessLog(DELAY).installed())
        sample = stack.enter_context(serve_sample())
        world = {name: stack.enter_context(p.serve()).rstrip("/") + p.start for name, p in WORLD.items()}
        plant_pickle(redis_url, marker)
        started = time.monotonic()
        w1 = worker(root / "w1", redis_url, db, sample, world["gkmlpt"], world["hanweb"])
        w2 = worker(root / "w2", redis_url, db, world["trs"], world["ucap"])
        stack.callback(lambda: [w.kill() for w in (w1, w2) if w.poll() is None])  # on a failure
        while not crawl_meta(redis_url).get("added"):  # the others' start URLs are in
            assert time.monotonic() - started < 60, (root / "w1" / "stderr.log").read_text()[-3000:]
            time.sleep(0.05)
        w3 = worker(root / "w3", redis_url, db)  # joins the crawl without URLs
        stack.callback(lambda: w3.poll() is None and w3.kill())
        name = f"{socket.gethostname()}:{w2.pid}"
        while True:  # kill w2 mid-crawl, while it holds leases
            assert time.monotonic() - started < 60, "the crawl did not get going"
            assert w2.poll() is None, (root / "w2" / "stderr.log").read_text()[-3000:]
            if log.count() >= 40 and leased_urls(redis_url, name):
                break
            time.sleep(0.02)
        w2.send_signal(signal.SIGKILL)
        w2.wait()
        held = leased_urls(redis_url, name)
        fetched_at_kill = log.count()
        status = nianbao("status", "--redis", redis_url, "--json")
        codes = {n: w.wait(timeout=180) for n, w in (("w1", w1), ("w3", w3))}
        elapsed = time.monotonic() - started
        after = nianbao("status", "--redis", redis_url, "--json")
        first_crawl = len(log.requests)
        exported_first = nianbao("export", "--data", str(root / "w1"), "--db", db)
        # a re-crawl by two fresh workers (new data directories): incremental through the store
        urls = [sample, *world.values()]
        r1, r2 = worker(root / "r1", redis_url, db, *urls), worker(root / "r2", redis_url, db, *urls)
        stack.callback(lambda: [w.kill() for w in (r1, r2) if w.poll() is None])
        recrawl = {n: w.wait(timeout=180) for n, w in (("r1", r1), ("r2", r2))}
        second = nianbao("status", "--redis", redis_url, "--json")
        exported_again = nianbao("export", "--data", str(root / "w1"), "--db", db)
    stderr = {n: (root / n / "stderr.log").read_text() for n in ("w1", "w2", "w3", "r1", "r2")}
    assert codes == {"w1": 0, "w3": 0}, {n: stderr[n][-3000:] for n in ("w1", "w3")}
    assert recrawl == {"r1": 0, "r2": 0}, {n: stderr[n][-3000:] for n in ("r1", "r2")}
    exported = exported_first
    return SimpleNamespace(
        root=root, db=db, marker=marker, log=log, held=held, fetched_at_kill=fetched_at_kill,
        status=json.loads(status), after=json.loads(after), elapsed=elapsed, stderr=stderr,
        first_crawl=first_crawl, second=json.loads(second),
        exported=exported, exported_again=exported_again, records=[json.loads(line) for line in exported.splitlines()],
        bases={"sample": sample.rstrip("/"), **{n: "http://" + urlsplit(u).netloc for n, u in world.items()}},
    )  # fmt: skip


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# Known gap: a 图片版 page's report is read when its last picture is ingested after the page, in
# WARC order; in a cluster the page and its pictures may be archived by different workers (their own
# WARC files), and the live store can then leave the page as its extraction failure ("图片版?": not
# parsed, not missing) while a reparse of the union reads it. Tolerated here for that one page.
SCANNED = {r["path"] for r in SAMPLE_EXPECTED["reports"] if r["scanned"]}


def test_every_report_is_exported_exactly_once(cluster: SimpleNamespace) -> None:
    urls = Counter(r["url"] for r in cluster.records)
    assert [u for u, n in urls.items() if n > 1] == []
    owner = {base: name for name, base in cluster.bases.items()}
    stored: dict[str, set[str]] = {name: set() for name in cluster.bases}
    for record in cluster.records:
        for key in ("url", "page_url"):
            if record.get(key):
                stored[owner["{0.scheme}://{0.netloc}".format(urlsplit(record[key]))]].add(_path(record[key]))
    lost = SCANNED - stored["sample"]  # see SCANNED
    assert {r["path"] for r in SAMPLE_EXPECTED["reports"]} - lost <= stored["sample"]
    for name, portal in WORLD.items():
        assert {r["path"] for r in portal.expected["reports"]} <= stored[name], name
    expected = len(SAMPLE_EXPECTED["reports"]) + sum(len(p.expected["reports"]) for p in WORLD.values())
    assert len(cluster.records) == expected - len(lost)


def test_nothing_is_fetched_twice_but_the_killed_workers_unfinished_requests(
    cluster: SimpleNamespace,
) -> None:
    assert cluster.held, "the killed worker held no lease: the kill tested nothing"
    held = {(urlsplit(u).port, _path(u)) for u in cluster.held}
    first = cluster.log.requests[: cluster.first_crawl]
    fetched = Counter((port, path) for port, method, path in first if method == "GET")
    twice = {key for key, n in fetched.items() if n > 1}
    assert twice <= held, sorted(twice - held)
    robots = Counter(port for port, _, path in first if path == "/robots.txt")
    assert set(robots.values()) == {1} and len(robots) == len(cluster.bases)
    assert cluster.after["leases_expired"] >= 1  # the dead worker's leases went back to the others


def test_the_per_host_limit_holds_across_workers(cluster: SimpleNamespace) -> None:
    assert 1 <= cluster.log.most <= LIMIT


def test_a_pickled_request_in_the_queue_is_refused_not_run(cluster: SimpleNamespace) -> None:
    assert not cluster.marker.exists()
    assert cluster.after["refused"] == 1
    logs = cluster.stderr["w1"] + cluster.stderr["w2"] + cluster.stderr["w3"]
    assert "refused request" in logs and "not a JSON request" in logs


def test_status_shows_the_frontier_and_the_workers(cluster: SimpleNamespace) -> None:
    status = cluster.status
    assert status["finished_at"] is None and status["pending"] + status["leases"] > 0
    assert status["workers_recent"] >= 2
    assert {w["worker"].split(":")[0] for w in status["workers"]} == {socket.gethostname()}
    after = cluster.after
    assert after["finished_at"] and after["pending"] == 0 and after["leases"] == 0
    assert after["done"] >= len(cluster.records)
    assert sum(w["pages"] for w in after["workers"]) >= after["done"] - len(cluster.held)


def test_the_reparse_of_the_union_of_the_archives_exports_the_live_database(cluster: SimpleNamespace) -> None:
    union = cluster.root / "union"
    dirs = [a for n in ("w1", "w2", "w3", "r1", "r2") for a in ("--warc-dir", str(cluster.root / n / "warc"))]
    nianbao("reparse", "--data", str(union), *dirs, "--workers", "1")
    reparsed = nianbao("export", "--data", str(union))
    # What the killed worker archived but had not stored yet reaches the store when that worker
    # starts again (its catch-up), as here.
    engine = open_database(cluster.db)
    try:
        catch_up_store(engine, cluster.root / "w2" / "warc")
    finally:
        engine.dispose()
    exported = nianbao("export", "--data", str(cluster.root / "w1"), "--db", cluster.db)
    live = {r["url"]: r for r in map(json.loads, exported.splitlines())}
    rebuilt = {r["url"]: r for r in map(json.loads, reparsed.splitlines())}
    rebuilt = {u: r for u, r in rebuilt.items() if u in live or _path(u) not in SCANNED}  # see SCANNED
    assert sorted(rebuilt) == sorted(live)
    # A report page the killed worker archived but had not stored was fetched again by another
    # worker: the catch-up stores the earlier capture after the later one, and the store still
    # says when the report was first seen, as the reparse (file order) does.
    differ = {
        u: {k: (live[u].get(k), v) for k, v in r.items() if live[u].get(k) != v} for u, r in rebuilt.items()
    }
    assert not {u: f for u, f in differ.items() if f}


def test_schedule_emits_one_plan_per_worker(tmp_path: Path) -> None:
    from nianbao.cli import build_parser

    out = nianbao("schedule", "http://www.example.gov.cn/", "--data", str(tmp_path), "--redis", "redis://10.0.0.5:6379/0",
                  "--workers", "3")  # fmt: skip
    crons = [line for line in out.splitlines() if line.startswith("17 3 * 1-3 1")]
    assert len(crons) == 3 and out.count("# ===== worker") == 3
    for n, line in enumerate(crons, 1):
        argv = line.split("nianbao.cli ", 1)[1].split(" >>")[0].split()
        args = build_parser().parse_args(argv)
        assert args.redis == "redis://10.0.0.5:6379/0" and args.data == tmp_path.resolve() / f"worker-{n}"
        assert args.urls == (["http://www.example.gov.cn/"] if n == 1 else [])


def test_a_recrawl_by_other_workers_is_incremental(cluster: SimpleNamespace) -> None:
    from tests.test_postgres import pg_rows

    assert cluster.second["crawl"] != cluster.after["crawl"] and cluster.second["finished_at"]
    kinds = dict(
        pg_rows(cluster.db, "select record_type || ' ' || status, count(*) from captures group by 1")
    )
    assert kinds.get("revisit 304"), kinds  # validators from the shared store: Not Modified
    again = cluster.log.requests[cluster.first_crawl :]
    fetched = Counter((port, path) for port, method, path in again if method == "GET")
    assert [key for key, n in fetched.items() if n > 1] == []  # two workers, each URL once
    assert len(again) <= cluster.first_crawl
    assert cluster.exported_again == cluster.exported  # (read before another test's catch-up)


def test_the_shared_frontier_leases_limits_and_finishes(tmp_path: Path) -> None:
    """The Lua steps alone: seen-set, per-host tokens and delay, lease expiry, finished for good."""
    import redis

    from crawler.frontier.redis_store import RedisFrontier

    with redis_server(tmp_path) as url:
        a = RedisFrontier.open(redis.Redis.from_url(url), "a:1", has_urls=True, lease=0)
        b = RedisFrontier(redis.Redis.from_url(url), a.crawl, "b:2")

        def add(n: int, host: str = "h") -> int | None:
            return a.add(fingerprint=f"f{n}", filtered=True, url=f"http://{host}/{n}", method="GET", slot=host,
                         priority=0, not_before=0.0, request=json.dumps({"url": f"http://{host}/{n}"}))  # fmt: skip

        ids = [add(n) for n in range(4)]
        assert add(0) is None and b.seen("f0") and None not in ids  # the seen-set is shared
        first = a.take_next(lease=0.3, per_host=2, delay=0.0)
        second = b.take_next(lease=30, per_host=2, delay=0.0)
        assert first.id == ids[-1] and second.id == ids[-2]  # newest first, as on one machine
        assert not hasattr(b.take_next(lease=30, per_host=2, delay=0.0), "id")  # the host's 2 tokens are out
        b.release_host(second.id, "h")  # b's download is over: its token goes back
        b.finish(second.id)
        time.sleep(0.35)  # a's lease runs out (a was killed): its request goes to b
        again = b.take_next(lease=30, per_host=2, delay=0.0)
        assert again.id == first.id and a.counts()["inflight"] == 1
        b.finish(again.id)
        a.finish(first.id)  # the dead worker's late finish changes nothing
        assert a.counts() == {"pending": 2, "inflight": 0, "done": 2, "failed": 0, "refused": 0}
        # DOWNLOAD_DELAY between two hand-outs to one host, across workers
        third = a.take_next(lease=30, per_host=2, delay=0.5)
        wait = b.take_next(lease=30, per_host=2, delay=0.5)
        assert hasattr(third, "id") and isinstance(wait, float) and wait - time.time() > 0.3
        time.sleep(0.55)
        assert hasattr(b.take_next(lease=30, per_host=2, delay=0.5), "id")


def test_a_stopped_worker_is_told_to_join_again_not_to_resume(tmp_path: Path, capsys) -> None:
    """A worker stopped by SIGTERM mid-crawl: the summary says how to join the shared crawl again,
    with the Redis password masked, never `--resume` (which a Redis worker refuses)."""
    from nianbao.crawling import CrawlResult, print_crawl_summary
    from nianbao.outcome import crawl_outcome

    stats = {"nianbao/frontier/unfinished": 12, "finish_reason": "shutdown", "response_received_count": 40}
    result = CrawlResult(stats, crawl_outcome(stats, stopped_by=signal.SIGTERM))
    assert result.outcome.resumable
    print_crawl_summary(result, tmp_path, redis="redis://:s3cret@10.0.0.5:6379/0")
    said = capsys.readouterr().err
    assert f"nianbao crawl --redis redis://:***@10.0.0.5:6379/0 --data {tmp_path}" in said
    assert "--resume" not in said and "s3cret" not in said
