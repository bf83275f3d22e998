"""A data directory filled through the real archive → ingest path, for tests of what is stored.

`capture` writes one HTTP exchange as a crawl would (`WarcStore`); `ingest_archive` runs every
WARC record through `ingest_record` in archive order, as the crawl's ingest does, and returns the
store's engine.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from archive.db import open_database, sessions
from archive.ingest import ingest_record, start_run
from archive.warcstore import HttpExchange, WarcStore, iter_records
from archive.warcstore.records import INGESTED_TYPES

HTML = [("Content-Type", "text/html; charset=utf-8")]


def capture(
    store: WarcStore, url: str, body: bytes, when: datetime, headers: list[tuple[str, str]] = HTML
) -> None:
    store.write_exchange(
        HttpExchange(
            url=url, method="GET", request_headers=[("Host", urlsplit(url).netloc)], request_body=b"",
            protocol="HTTP/1.1", status=200, reason="OK", response_headers=headers, body=body,
            ip_address=None, fetched_at=when,
        )
    )  # fmt: skip


def ingest_archive(data: Path) -> Engine:
    engine = open_database(f"sqlite:///{data / 'nianbao.sqlite'}")
    with sessions(engine).begin() as session:
        run = start_run(session, "crawl")
        for record in iter_records(data / "warc", types=INGESTED_TYPES):  # as the crawl's ingest reads
            ingest_record(session, record, run)
    return engine
