"""The frontier's parts on their own: the SQLite store (states, seen-set, a crash at any point of a
transaction sequence), the JSON request codec (never a class or a private method by name), and the
outcome of a crawl from its counts (one exit code per cause).

The whole crawl killed at random points is `tests/test_crash_resume.py`; these pin the rules it
rests on.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request, Spider

from crawler.frontier.codec import decode_request, encode_request
from crawler.frontier.store import FrontierStore
from nianbao.outcome import ExitCode, crawl_outcome


def add(store: FrontierStore, url: str, *, filtered: bool = True, priority: int = 0) -> int | None:
    return store.add(
        fingerprint=url, filtered=filtered, url=url, method="GET", slot="h", priority=priority,
        not_before=0.0, request=json.dumps({"url": url}),
    )  # fmt: skip


def test_a_request_is_pending_then_in_flight_then_done_or_failed(tmp_path: Path) -> None:
    store = FrontierStore(tmp_path / "f.sqlite")
    a, b = add(store, "http://h/a"), add(store, "http://h/b")
    assert a is not None and b is not None
    assert add(store, "http://h/a") is None  # seen: filtered
    assert add(store, "http://h/a", filtered=False) is not None  # dont_filter bypasses the seen-set
    assert store.take(a) is not None and store.take(a) is None  # taken once
    store.finish(a)
    assert store.take(b) is not None
    store.finish(b, failed="timed out after 60 s")
    assert store.counts() == {"pending": 1, "inflight": 0, "done": 1, "failed": 1}
    assert store.failed() == [("http://h/b", "timed out after 60 s")]
    assert store.revive_failed(max_failures=2) == 1  # a resume tries it once more …
    assert store.take(b) is not None
    store.finish(b, failed="timed out after 60 s")
    assert store.revive_failed(max_failures=2) == 0  # … and no more after its second run
    assert store.retryable(2) == 0


def test_the_store_survives_a_kill_between_any_two_writes(tmp_path: Path) -> None:
    """A child process writes, and is killed with SIGKILL mid-sequence: the file opens, and holds a
    prefix of the sequence (every request stored before its parent is marked done)."""
    script = f"""
import json, os, signal, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from crawler.frontier.store import FrontierStore
store = FrontierStore(sys.argv[1])
parent = None
for n in range(10_000):
    child = store.add(fingerprint=str(n), filtered=True, url=f"http://h/{{n}}", method="GET", slot="h",
                      priority=0, not_before=0.0, request=json.dumps({{"n": n}}))
    if parent is not None:
        store.finish(parent)
    store.take(child)
    parent = child
    if n == 5000:
        os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "f.sqlite")], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    store = FrontierStore(tmp_path / "f.sqlite")
    counts = store.counts()
    assert counts["inflight"] == 1 and counts["done"] == 5000 and counts["pending"] == 0
    assert [e.url for e in store.in_flight()] == ["http://h/5000"]
    with sqlite3.connect(tmp_path / "f.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


class _Spider(Spider):
    name = "s"

    def parse(self, response):  # a public callback
        return None

    def failed(self, failure):
        return None

    def _private(self, response):
        return None


def test_a_request_round_trips_through_json_without_what_cannot_be_stored() -> None:
    spider = _Spider()
    request = Request(
        "http://h/dataproxy.jsp?page=2", method="POST", body=b"col=1&webid=2", priority=20,
        headers={"X-Requested-With": "XMLHttpRequest"}, callback=spider.parse, errback=spider.failed,
        meta={"link_kind": "api", "retry_times": 1, "previous_capture": object(), "frontier_id": 7},
        dont_filter=True,
    )  # fmt: skip
    text = encode_request(request, spider)
    back = decode_request(text, spider)
    assert (back.url, back.method, back.body, back.priority, back.dont_filter) == (
        request.url, "POST", b"col=1&webid=2", 20, True
    )  # fmt: skip
    assert back.headers.get("X-Requested-With") == b"XMLHttpRequest"
    assert back.callback == spider.parse and back.errback == spider.failed
    assert back.meta == {"link_kind": "api", "retry_times": 1}  # objects and frontier bookkeeping dropped
    assert type(back) is Request


@pytest.mark.parametrize(
    "tampered",
    [
        {"url": "http://h/", "callback": "_private"},  # a private method
        {"url": "http://h/", "callback": "__class__"},  # not a method at all
        {"url": "http://h/", "errback": "no_such_method"},
        ["http://h/"],  # not an object
    ],
)
def test_a_tampered_request_is_refused(tampered) -> None:
    with pytest.raises(ValueError):
        decode_request(json.dumps(tampered), _Spider())


def test_a_stored_class_name_is_never_imported() -> None:
    text = json.dumps({"url": "http://h/", "_class": "os.system", "callback": "parse"})
    assert type(decode_request(text, _Spider())) is Request


def test_the_exit_code_names_the_most_serious_cause() -> None:
    finished = {"finish_reason": "finished", "nianbao/frontier/unfinished": 0}
    assert crawl_outcome(finished).code == ExitCode.OK
    assert (
        crawl_outcome({**finished, "nianbao/frontier/given_up": 3, "nianbao/frontier/retryable": 3}).code == 5
    )
    assert crawl_outcome({**finished, "nianbao/seeds_unreachable": 1}).code == 4
    assert crawl_outcome({**finished, "nianbao/ingest_deferred": 2}).code == 7
    stopped = {"finish_reason": "shutdown", "nianbao/frontier/unfinished": 40}
    assert crawl_outcome(stopped).code == 3 and crawl_outcome(stopped).resumable
    assert crawl_outcome(stopped, stopped_by=signal.SIGINT).code == 130
    assert crawl_outcome(stopped, stopped_by=signal.SIGTERM).code == 143
    full = {**stopped, "finish_reason": "disk_full", "nianbao/disk_full": 1, "nianbao/errors/archive": 2}
    outcome = crawl_outcome(full)
    assert outcome.code == 8 and [c for c, _ in outcome.causes] == [8, 6, 3]
    # a crawl whose frontier never reported (it crashed) is not taken for finished
    assert crawl_outcome({"finish_reason": "shutdown"}).code == 3
