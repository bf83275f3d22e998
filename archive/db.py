"""Store: SQLAlchemy 2 models and the engine, SQLite by default, any SQLAlchemy URL at scale.

The database is derived data: every row can be rebuilt from the WARC files (`nianbao reparse`),
so captures point at their WARC record (file, offset, record id) rather than holding bodies.
The schema is created and upgraded by Alembic (`archive/migrations`) on first use.

SQLite is opened in WAL mode. Write sessions (`sessions(engine, write=True)`) begin with
`BEGIN IMMEDIATE`: with several writers, deferred transactions that upgrade from read to write fail
with "database is locked" whatever the busy_timeout (shared/notes/libraries.md §7). Read sessions
(the default) begin a plain deferred transaction, which in WAL mode never blocks a writer nor waits
for one, so `export`, `audit` and the crawl's incremental lookup never hold the write lock.

On PostgreSQL a write session first takes a transaction-level advisory lock (`WRITE_LOCK`), the
counterpart of `BEGIN IMMEDIATE`: writers (and the migrations run on first use) go one at a time
there too, so two crawls sharing a database neither store one report twice nor race to create the
schema. Its sessions use UTC: datetimes come back in UTC whatever the server's TimeZone, as from
SQLite.

Columns fed from what a server sent (headers, page text) are `Text`, not length-limited, and NUL
characters are stripped from every stored string: SQLite accepts both, PostgreSQL rejects them.
Parsed numbers are `NUMERIC` without a limit on PostgreSQL (migration 0002): whatever a garbled
table holds is stored, as SQLite stores it, where `NUMERIC(18, 2)` made the record fail.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
    sessionmaker,
)

DB_ENV = "NIANBAO_DB"
WRITE_OPTION = "nianbao_write"  # execution option of write sessions: BEGIN IMMEDIATE on SQLite
WRITE_LOCK = 0x6E69616E62616F  # "nianbao": the advisory lock of write transactions on PostgreSQL
# A parsed number: unbounded on PostgreSQL, which would refuse (not round) what NUMERIC(18, 2) cannot hold.
ParsedNumber = Numeric(18, 2).with_variant(Numeric(), "postgresql")


class Base(DeclarativeBase):
    pass


class ParseRun(Base):
    """One pass of the extractor and parser over captures: a crawl, or an offline reparse.

    Every report version records the run that produced it, so a value can be traced to the parser
    version behind it, and a reparse with a newer parser can be compared with the old results.
    """

    __tablename__ = "parse_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # crawl | reparse
    parser_version: Mapped[str] = mapped_column(String(32))
    extractor: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when the run ended: a crawl at engine stop, a reparse after its last record. A reparse
    # without it was interrupted and its results are not live; a crawl's are live as it goes.
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when a later reparse re-read the archive: this run's versions are history until pruned.
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("parse_runs.id", ondelete="SET NULL"))

    @property
    def live(self) -> bool:
        """Its results are the current reading: not superseded, and not an unfinished reparse."""
        return self.superseded_by is None and (self.kind != "reparse" or self.finished_at is not None)


class Capture(Base):
    """One archived HTTP response (or revisit/resource record): a pointer into the WARC files."""

    __tablename__ = "captures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    warc_filename: Mapped[str] = mapped_column(String(255))
    warc_offset: Mapped[int] = mapped_column(BigInteger)
    warc_length: Mapped[int] = mapped_column(BigInteger)
    record_id: Mapped[str] = mapped_column(String(64), unique=True)
    record_type: Mapped[str] = mapped_column(String(16), default="response")
    refers_to: Mapped[str | None] = mapped_column(String(64))  # revisit: the record holding the payload
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(Text)
    payload_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_captures_file_offset", "warc_filename", "warc_offset"),)


class PageLink(Base):
    """A link found on a captured page to a report page or a document file, with its anchor text.

    Attachment links tie an attachment, when it is ingested, to its article page (whose title and
    dates it takes), offline too. Report links are the evidence of when a listing first showed a
    report: a listing captured after a report's claimed date that does not list it yet shows the
    date was backdated.
    """

    __tablename__ = "page_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # report | attachment
    url: Mapped[str] = mapped_column(Text, index=True)
    text: Mapped[str] = mapped_column(Text)

    capture: Mapped[Capture] = relationship()


class Document(Base):
    """The clean text extracted from one capture of a report page or attachment."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id", ondelete="CASCADE"), index=True)
    parse_run_id: Mapped[int] = mapped_column(ForeignKey("parse_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    page_url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="html")  # html | pdf | docx | doc | wps
    encoding: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    page_metadata: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    spam: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # injected links found
    text: Mapped[str] = mapped_column(Text)
    extractor: Mapped[str] = mapped_column(String(64))

    capture: Mapped[Capture] = relationship()


class ReportRow(Base):
    """A report: one agency's report on one year, wherever and however often it was captured.

    Its content lives in versions; a report edited in place gets a new version, a repost of the
    same report at another URL is another capture of it.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)  # the document the text came from
    page_url: Mapped[str] = mapped_column(Text, index=True)  # the article page
    title: Mapped[str | None] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(Text, index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    versions: Mapped[list[VersionRow]] = relationship(
        back_populates="report", order_by="VersionRow.id", cascade="all, delete-orphan"
    )


class VersionRow(Base):
    """One distinct content of a report, as one parse run read it: the spec's fields and cells."""

    __tablename__ = "report_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    parse_run_id: Mapped[int] = mapped_column(ForeignKey("parse_runs.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # of the parsed content, to tell edits from noise
    published_on: Mapped[date | None] = mapped_column(Date)
    index_no: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    processing_fee_yuan: Mapped[Decimal | None] = mapped_column(ParsedNumber)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    report: Mapped[ReportRow] = relationship(back_populates="versions")
    document: Mapped[Document] = relationship()
    parse_run: Mapped[ParseRun] = relationship()
    cells: Mapped[list[CellRow]] = relationship(cascade="all, delete-orphan", order_by="CellRow.key")
    checks: Mapped[list[CheckRow]] = relationship(cascade="all, delete-orphan")


class ReportCapture(Base):
    """Each capture that showed a report, and which version it showed (reposts, re-crawls)."""

    __tablename__ = "report_captures"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id", ondelete="CASCADE"), index=True)


class CellRow(Base):
    """One number of a report's standard tables; NULL value = the report leaves the cell blank."""

    __tablename__ = "cells"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    value: Mapped[Decimal | None] = mapped_column(ParsedNumber)


class CheckRow(Base):
    """One evaluated consistency rule; a failed one is a finding about the report."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    column: Mapped[str] = mapped_column(String(32))
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)


class Failure(Base):
    """A capture that looked like a report but could not be extracted or parsed, with the reason."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id", ondelete="CASCADE"), index=True)
    parse_run_id: Mapped[int] = mapped_column(ForeignKey("parse_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16))  # extract | parse | ingest
    reason: Mapped[str] = mapped_column(Text)

    capture: Mapped[Capture] = relationship()


class TextCacheRow(Base):
    """What extraction made of one WARC record, by one extractor version: a cache (`archive.textcache`).

    Extraction is a deterministic function of the record and of the extraction code, both in the
    key, so these rows are memoization: dropping them changes no result, only a reparse's time.
    """

    __tablename__ = "text_cache"

    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # WARC-Record-ID
    extractor: Mapped[str] = mapped_column(String(160), primary_key=True)  # archive.textcache's versions
    kind: Mapped[str] = mapped_column(String(16))  # page | document
    data: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed JSON


def live_run_clause() -> Any:
    """SQL twin of `ParseRun.live`, for queries joined to `parse_runs`."""
    return ParseRun.superseded_by.is_(None) & (
        (ParseRun.kind != "reparse") | ParseRun.finished_at.is_not(None)
    )


def without_nul(value: Any) -> Any:
    """`value` with NUL characters removed from every string in it (nested in JSON too)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict | list | tuple) and "\\x00" not in repr(value):
        return value  # repr escapes every NUL it shows (a report's data: hundreds of strings)
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_nul(v) for v in value)
    return value


@event.listens_for(Base, "before_insert", propagate=True)
@event.listens_for(Base, "before_update", propagate=True)
def _strip_nul(_mapper, _connection, target: Base) -> None:
    """PostgreSQL refuses NUL in text (and in JSON strings); page text and headers may hold one."""
    for attr in _mapper.column_attrs:
        value = target.__dict__.get(attr.key)  # loaded values only: never a load inside a flush
        if isinstance(value, str | dict | list) and not attr.columns[0].primary_key:
            cleaned = without_nul(value)
            if cleaned is not value:
                setattr(target, attr.key, cleaned)


def database_url(data_dir: Path, override: str | None = None) -> str:
    """`--db`, else $NIANBAO_DB, else DIR/nianbao.sqlite."""
    url = override or os.environ.get(DB_ENV)
    if url:
        return url
    return f"sqlite:///{(Path(data_dir) / 'nianbao.sqlite').resolve()}"


def open_database(url: str) -> Engine:
    """An engine on `url` with the schema upgraded to the newest migration."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    upgrade_schema(engine)
    return engine


def sessions(engine: Engine, *, write: bool = False) -> sessionmaker:
    """Sessions on `engine`: read-only by default; `write=True` for the ones that store.

    On SQLite a write session begins `BEGIN IMMEDIATE` (it takes the write lock up front, so two
    writers queue on busy_timeout instead of failing), a read session a deferred `BEGIN`. On
    PostgreSQL a write session takes the `WRITE_LOCK` advisory lock first; readers never wait.
    """
    if write:
        engine = engine.execution_options(**{WRITE_OPTION: True})
    return sessionmaker(engine, expire_on_commit=False)


def upgrade_schema(engine: Engine) -> None:
    """Run Alembic's `upgrade head` on this engine's database, unless one query shows it at head
    already: importing Alembic and reading its scripts cost every command ~0.2 CPU-s."""
    if _at_head(engine):
        return
    from alembic import command
    from alembic.config import Config

    with migrations_directory() as directory:
        config = Config()
        config.set_main_option("script_location", str(directory))
        with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def _at_head(engine: Engine) -> bool:
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            current = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except SQLAlchemyError:  # a new database (no alembic_version yet): Alembic creates it
        return False
    return current == [head]


@functools.cache
def head_revision() -> str | None:
    """The newest migration's revision, read from the scripts' `revision` / `down_revision` lines;
    None unless they make one chain with one head (then Alembic decides)."""
    revision = re.compile(r"""^revision\s*=\s*["']([^"']+)["']""", re.M)
    down = re.compile(r"""^down_revision\s*=\s*(?:["']([^"']+)["']|None)""", re.M)
    revisions, parents = set(), set()
    for script in (importlib.resources.files("archive") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py") or script.name.startswith("__"):
            continue
        text = script.read_text(encoding="utf-8")
        found, parent = revision.search(text), down.search(text)
        if found is None or parent is None:
            return None
        revisions.add(found.group(1))
        if parent.group(1):
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


@contextlib.contextmanager
def migrations_directory() -> Iterator[Path]:
    """The migration scripts as a real directory, which Alembic needs.

    Installed normally they are one; inside a zipped egg (as Scrapyd deploys the project) they are
    copied out to a temporary directory first.
    """
    here = Path(__file__).with_name("migrations")
    if here.is_dir():
        yield here
        return
    source = importlib.resources.files("archive") / "migrations"
    with tempfile.TemporaryDirectory(prefix="nianbao-migrations-") as tmp:
        _copy_tree(source, Path(tmp))
        yield Path(tmp)


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                (target / entry.name).mkdir()
                _copy_tree(entry, target / entry.name)
        elif entry.name.endswith((".py", ".mako")):
            (target / entry.name).write_bytes(entry.read_bytes())


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("SET TIME ZONE 'UTC'")  # a session setting: it outlives this transaction
        cursor.close()
        dbapi_conn.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):  # held until commit or rollback
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
