"""The store on a real PostgreSQL server: the pipeline end to end through the CLI with `--db`.

A throwaway cluster is started for the session on 127.0.0.1 (a free port, a temporary directory,
trust authentication on loopback only). It runs with the time zone of the portals it stores
(Asia/Shanghai) and an ICU Chinese collation, as a deployment in China would: datetimes then come
back in another zone than UTC and text sorts otherwise than by code point, so any result that
leaks the engine's zone or collation shows here.

The reference for every comparison is SQLite holding the same archive: a reparse of the WARC files
of the PostgreSQL crawl (test_pipeline shows that a reparse into SQLite exports exactly what the
crawl itself stored), so the two stores hold the same captures with the same first_seen times and
nothing is left out of any comparison.

Without PostgreSQL's server binaries the tests skip, except under CI (CI=true), where they fail:
`./setup.sh test` installs Debian's postgresql.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import NoReturn
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from archive.db import (
    Base,
    Capture,
    CellRow,
    ParseRun,
    ReportRow,
    migrations_directory,
    open_database,
    sessions,
)
from archive.export import iter_export_records
from archive.warcstore import WarcStore
from nianbao.sample_portal.server import serve
from tests.test_ingest import PAGE, T0, exchange, ingest_refs
from tests.test_pipeline import EXPECTED, FAST, assert_scanned_cells, nianbao

PG_ROOT = Path("/usr/lib/postgresql")
PG_USER = "postgres"  # the superuser of the throwaway cluster, and its OS owner when run as root
AUDIT_DAY = "2026-01-01"  # audit as of a fixed day: both stores are audited alike


def _unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail under CI, which must have the server installed."""
    if os.environ.get("CI"):
        pytest.fail(
            f"{reason}; CI must have it (./setup.sh test installs Debian's postgresql)", pytrace=False
        )
    pytest.skip(f"{reason} (./setup.sh test installs Debian's postgresql)")


def _server_bindir() -> Path | None:
    """The newest installed server's bin directory (Debian keeps one per major version)."""
    found = [p.parent for p in PG_ROOT.glob("*/bin/initdb") if p.parent.parent.name.isdigit()]
    if found:
        return max(found, key=lambda p: int(p.parent.name))
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 and a socket inside it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.major = int(bindir.parent.name) if bindir.parent.name.isdigit() else 0  # Debian's layout
        self.root = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))  # in /tmp: the server's owner reaches it
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self.port = 0
        self.runner: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root: run it as the postgres user
            try:
                owner = pwd.getpwnam(PG_USER)
            except KeyError:
                shutil.rmtree(self.root)
                _unavailable(f"running as root and there is no {PG_USER!r} user to run the server as")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.runner = ["runuser", "-u", PG_USER, "--"]

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.runner, str(self.bindir / tool), *args], capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        self.sockets.mkdir()
        if self.runner:
            shutil.chown(self.sockets, PG_USER)
        locale = ["--locale=C.UTF-8"]
        if self.major >= 15:  # ICU as the database's default collation came with 15
            locale += ["--locale-provider=icu", "--icu-locale=zh-Hans-CN"]
        init = self.run(
            "initdb", "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-sync", *locale
        )
        assert init.returncode == 0, f"initdb failed:\n{init.stdout}\n{init.stderr}"
        for _ in range(3):  # a free port can be taken between the probe and the server's bind
            self.port = _free_port()
            options = (
                f"-h 127.0.0.1 -p {self.port} -k {self.sockets} -c timezone=Asia/Shanghai "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            started = self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                               "-o", options, "start")  # fmt: skip
            if started.returncode == 0:
                return
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise AssertionError(f"pg_ctl start failed:\n{started.stdout}\n{started.stderr}\n{log[-3000:]}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"


def new_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """Create database `name` (a copy of `template`, if given) on the server of `server_url`."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on a throwaway PostgreSQL cluster, as a SQLAlchemy URL (psycopg 3)."""
    bindir = _server_bindir()
    if bindir is None:
        _unavailable(f"PostgreSQL server binaries not found (no {PG_ROOT}/*/bin/initdb, no initdb on PATH)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    cluster = Cluster(bindir)
    try:
        cluster.start()
        yield new_database(cluster.url("postgres"), "nianbao")
    finally:
        cluster.stop()


def pg_rows(url: str, sql: str) -> list[tuple]:
    """Rows of a query on `url`; the engine is disposed, so the database can be a template after."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def outputs(data: Path, db: str | None = None) -> dict[str, str]:
    """What `export` (JSON lines and CSV) and `audit --format jsonl` print for a store."""
    where = ["--data", str(data), *(["--db", db] if db else [])]
    return {
        "jsonl": nianbao("export", *where).stdout,
        "csv": nianbao("export", *where, "--format", "csv").stdout,
        "audit": nianbao("audit", *where, "--format", "jsonl", "--today", AUDIT_DAY).stdout,
    }


def sqlite_reference(warc: Path, data: Path) -> dict[str, str]:
    """The outputs of SQLite holding the same archive: the WARC files reparsed into DIR/nianbao.sqlite."""
    shutil.copytree(warc, data / "warc")
    nianbao("reparse", "--data", str(data))
    return outputs(data)


@pytest.fixture(scope="module")
def stores(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The sample portal crawled into PostgreSQL, then crawled again into the same database.

    `first` is the store after the first crawl (a copy of the database made then), `second` after
    the re-crawl; each with its outputs from PostgreSQL and from the SQLite reference.
    """
    data = tmp_path_factory.mktemp("pg-crawl")
    crawl_url = new_database(postgres_url, "crawl")
    with serve() as base:
        first = nianbao("crawl", base, "--data", str(data), "--db", crawl_url, *FAST)
        first_url = new_database(postgres_url, "crawl_first", template="crawl")
        first_warc = tmp_path_factory.mktemp("pg-first-warc") / "warc"
        shutil.copytree(data / "warc", first_warc)
        second = nianbao("crawl", base, "--data", str(data), "--db", crawl_url, *FAST)
    return SimpleNamespace(
        base=base.rstrip("/"),
        data=data,
        first=SimpleNamespace(
            url=first_url, warc=first_warc, stderr=first.stderr, pg=outputs(data, first_url),
            sqlite=sqlite_reference(first_warc, tmp_path_factory.mktemp("sqlite-first")),
        ),
        second=SimpleNamespace(
            url=crawl_url, warc=data / "warc", stderr=second.stderr, pg=outputs(data, crawl_url),
            sqlite=sqlite_reference(data / "warc", tmp_path_factory.mktemp("sqlite-second")),
        ),
    )  # fmt: skip


def test_the_crawl_stores_every_report_in_postgres(stores: SimpleNamespace) -> None:
    records = [json.loads(line) for line in stores.first.pg["jsonl"].splitlines()]
    stored = {urlsplit(r["url"]).path: r for r in records}
    assert sorted(stored) == sorted(r["path"] for r in EXPECTED["reports"])
    for expected in EXPECTED["reports"]:
        got = stored[expected["path"]]
        assert got["published_on"] == expected["published_on"]
        if expected["scanned"]:  # read by OCR: unread cells are null and listed, never wrong
            assert_scanned_cells(
                expected["path"], got["cells"], got["quality"]["unresolved"], expected["cells"]
            )
        else:
            assert got["cells"] == expected["cells"]
        assert got["first_seen"].endswith("Z")
    failures = {urlsplit(u).path for (u,) in pg_rows(stores.first.url, "select url from failures")}
    assert {f["path"] for f in EXPECTED["failures"]} <= failures
    checks = pg_rows(stores.first.url, "select distinct ok from checks")
    assert checks and all(type(ok) is bool for (ok,) in checks)


@pytest.mark.parametrize("state", ["first", "second"])
@pytest.mark.parametrize("output", ["jsonl", "csv", "audit"])
def test_postgres_outputs_what_sqlite_outputs(stores: SimpleNamespace, state: str, output: str) -> None:
    store = getattr(stores, state)
    assert store.pg[output].strip(), f"nothing in the {output} output"
    assert store.pg[output] == store.sqlite[output]


def test_a_recrawl_into_postgres_is_incremental(stores: SimpleNamespace) -> None:
    url = stores.second.url
    assert pg_rows(url, "select kind, finished_at is not null from parse_runs order by id") == [
        ("crawl", True),
        ("crawl", True),
    ]
    kinds = dict(pg_rows(url, "select record_type || ' ' || status, count(*) from captures group by 1"))
    assert kinds.get("revisit 304"), kinds  # conditional requests, answered Not Modified
    assert not kinds.get("revisit 200"), kinds  # listings are asked conditionally too: none re-read
    dangling = pg_rows(
        url,
        "select count(*) from captures where refers_to is not null "
        "and refers_to not in (select record_id from captures)",
    )
    assert dangling == [(0,)]  # every revisit refers to a capture in the store
    revisited = pg_rows(
        url,
        "select count(distinct l.report_id) from report_captures l join captures c on c.id = l.capture_id "
        "where c.record_type = 'revisit'",
    )
    assert revisited == [(len(EXPECTED["reports"]),)]  # every report seen again, unchanged
    assert pg_rows(url, "select count(*) from report_versions") == [(len(EXPECTED["reports"]),)]
    assert stores.second.pg["jsonl"] == stores.first.pg["jsonl"]  # nothing changed on the portal


def test_revisits_written_during_a_postgres_crawl_carry_the_referred_records_date(
    stores: SimpleNamespace,
) -> None:
    dates, revisits = {}, []
    for path in sorted(stores.second.warc.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                headers = record.rec_headers
                dates[headers.get_header("WARC-Record-ID")] = headers.get_header("WARC-Date")
                if record.rec_type == "revisit":
                    revisits.append(
                        (headers.get_header("WARC-Refers-To"), headers.get_header("WARC-Refers-To-Date"))
                    )
    assert revisits
    for refers_to, date in revisits:
        assert date == dates[refers_to]


def test_datetimes_come_back_in_utc_from_a_server_in_china_time(stores: SimpleNamespace) -> None:
    assert pg_rows(stores.first.url, "show timezone") == [("Asia/Shanghai",)]  # the server's default
    engine = open_database(stores.first.url)
    try:
        with sessions(engine)() as session:
            moments = [
                *session.scalars(select(Capture.fetched_at)),
                *session.scalars(select(ParseRun.started_at)),
            ]
    finally:
        engine.dispose()
    assert moments and all(m.utcoffset() == timedelta(0) for m in moments)


def test_reparse_and_prune_on_postgres_keep_every_output(stores: SimpleNamespace, postgres_url: str) -> None:
    url = new_database(postgres_url, "reparsed", template="crawl_first")
    data = stores.first.warc.parent
    nianbao("reparse", "--data", str(data), "--db", url)
    runs = pg_rows(url, "select id, kind, superseded_by from parse_runs order by id")
    assert [(kind, by) for _, kind, by in runs] == [("crawl", runs[1][0]), ("reparse", None)]
    versions = pg_rows(
        url, "select count(*) from report_versions group by parse_run_id order by parse_run_id"
    )
    assert versions == [(len(EXPECTED["reports"]),)] * 2  # the crawl's versions kept, as history
    assert outputs(data, url) == stores.first.pg
    nianbao("prune", "--data", str(data), "--db", url)
    assert pg_rows(url, "select kind from parse_runs") == [("reparse",)]
    assert pg_rows(url, "select count(*) from report_versions") == [(len(EXPECTED["reports"]),)]
    assert outputs(data, url) == stores.first.pg


def test_reparse_rebuilds_a_fresh_postgres_database_from_the_warc_files(
    stores: SimpleNamespace, postgres_url: str, tmp_path: Path
) -> None:
    url = new_database(postgres_url, "rebuilt")
    shutil.copytree(stores.second.warc, tmp_path / "warc")  # both crawls: responses and revisits
    nianbao("reparse", "--data", str(tmp_path), "--db", url)
    assert outputs(tmp_path, url) == stores.second.pg


# --- the store itself ----------------------------------------------------------------------


def test_the_migrations_build_the_models_schema_on_postgres(postgres_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    open_database(postgres_url).dispose()
    # second open: already at head, nothing to do; a bare postgresql:// URL means psycopg 3 too
    engine = open_database(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            version = conn.exec_driver_sql("select version_num from alembic_version").all()
            drift = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    with migrations_directory() as directory:
        script = ScriptDirectory(str(directory))
        head = script.get_current_head()
    assert set(Base.metadata.tables) <= tables
    assert version == [(head,)]
    assert drift == []  # the migrations build exactly the models' tables, columns and types


def test_first_opens_of_a_fresh_database_in_parallel(postgres_url: str) -> None:
    """Crawls started together (one cron minute) on a new database: one migrates, the others wait."""
    url = new_database(postgres_url, "parallel")
    code = f"from archive.db import open_database; open_database({url!r}).dispose()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4, "\n".join(errors)[-3000:]
    assert len(pg_rows(url, "select version_num from alembic_version")) == 1


def _writer(engine) -> tuple[threading.Thread, threading.Event]:
    """A write session started in another thread; the event is set once it is in."""
    entered = threading.Event()

    def write() -> None:
        with sessions(engine, write=True).begin() as session:
            session.execute(select(ReportRow.id)).all()
            entered.set()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread, entered


def test_writers_take_turns_and_readers_never_wait(postgres_url: str, tmp_path: Path) -> None:
    engine = open_database(new_database(postgres_url, "writers"))
    try:
        with WarcStore(tmp_path / "warc") as store:
            ref = store.write_exchange(
                exchange("/nb.html", PAGE.read_bytes(), "text/html; charset=utf-8", T0)
            )
        assert ingest_refs(engine, tmp_path, [ref]) == ["report"]
        with sessions(engine, write=True)() as session:  # ingest, reparse, prune
            session.scalars(select(ReportRow)).all()
            thread, entered = _writer(engine)  # another crawl's ingest into the same database
            assert not entered.wait(0.5)  # waits for the first writer…
            assert len(list(iter_export_records(engine))) == 1  # …as readers do not
        assert entered.wait(30)  # …and is in once the first one is done
        thread.join()
        records = iter_export_records(engine)
        next(records)  # a reader paused mid-export (`nianbao export | less`)
        with sessions(engine)() as session:  # audit, the incremental lookup
            session.scalars(select(ReportRow)).all()
            thread, entered = _writer(engine)
            assert entered.wait(30)
            thread.join()
        records.close()
    finally:
        engine.dispose()


def test_numbers_beyond_numeric_18_2_are_stored_as_read(postgres_url: str, tmp_path: Path) -> None:
    """A garbled table's merged digits, a fraction with four places: stored, not refused or rounded."""
    engine = open_database(new_database(postgres_url, "numbers"))
    html = PAGE.read_text(encoding="utf-8")
    cell = "'font-size:10.5pt'>18<o:p>"  # 本年新收 自然人
    assert cell in html
    html = html.replace(cell, "'font-size:10.5pt'>123456789012345678901<o:p>", 1)
    try:
        with WarcStore(tmp_path / "warc") as store:
            ref = store.write_exchange(exchange("/nb.html", html.encode(), "text/html; charset=utf-8", T0))
        assert ingest_refs(engine, tmp_path, [ref]) == ["report"]
        with sessions(engine)() as session:
            value = session.scalar(
                select(CellRow.value).where(CellRow.key == "applications.new.natural_person")
            )
    finally:
        engine.dispose()
    assert value == Decimal("123456789012345678901")
