"""Writing rows past SQLAlchemy's unit of work, where its bookkeeping costs more than the INSERT.

A reparse stores, for each report, a document, a version and a few hundred cells and checks. As
ORM objects flushed one by one they cost it more than parsing the report does; here they are
written with one INSERT each (`insert_row`) or in bulk through the driver (`insert_columns`),
their values cleaned as `archive.db._strip_nul` cleans a flushed object's.

A row written by `insert_row` is put in the session as persistent, as a flush leaves a new object;
and as a flush's, it goes when the savepoint or transaction that wrote it is rolled back (an
ingest that fails half-way): it is expunged, and the collection it was added to is expired, so no
object of a rolled-back row stays in the session to be found, or to clash with the next row given
the same key.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, event, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import Insert

from archive.db import Base, without_nul

B = TypeVar("B", bound=Base)
_WRITTEN = "nianbao_written"  # session.info: [(transactions, row, (owner, collection) | None)]


def insert_row(session: Session, row: B, *, into: tuple[Base, str] | None = None) -> B:
    """Insert `row` (a new object with every column but its key set) with one INSERT, and put it in
    the session as a flush would have left it: persistent, its key set, nothing pending.

    Relationships are not written: set the foreign keys. `into` (owner, collection name): a loaded
    collection the row is added to as loaded, not as a change to flush (a report's versions).
    ~1 ms a row less than a flush."""
    mapper = sa_inspect(type(row))
    values = {}
    for attr in mapper.column_attrs:
        if attr.key in row.__dict__ and not attr.columns[0].primary_key:
            value = row.__dict__[attr.key]
            if isinstance(value, str | dict | list):
                value = without_nul(value)
                row.__dict__[attr.key] = value
            values[attr.key] = value
    (key,) = session.execute(_insert(mapper.local_table), values).inserted_primary_key
    row.__dict__[mapper.primary_key[0].key] = key
    make_transient_to_detached(row)
    session.add(row)
    if into is not None:
        owner, name = into
        set_committed_value(owner, name, [*getattr(owner, name), row])
    chain, transaction = [], session.get_nested_transaction() or session.get_transaction()
    while transaction is not None:  # the transactions whose rollback takes the row back
        chain.append(transaction)
        transaction = transaction.parent
    session.info.setdefault(_WRITTEN, []).append((chain, row, into))
    return row


@functools.cache
def _insert(table: Table) -> Insert:
    """The table's INSERT, built once: its values come as parameters (building it with `.values()`
    each time costs more than executing it)."""
    return insert(table)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """The rows written within the rolled-back transaction (its released savepoints' included)
    leave the session."""
    written = session.info.get(_WRITTEN)
    if not written:
        return
    kept = []
    for chain, row, into in written:
        if previous_transaction not in chain:
            kept.append((chain, row, into))
            continue
        if row in session:
            session.expunge(row)
        if into is not None and into[0] in session:
            session.expire(into[0], [into[1]])
    session.info[_WRITTEN] = kept


@event.listens_for(Session, "after_commit")
def _stored_for_good(session: Session) -> None:
    """Committed: the rows are stored for good (the event fires for a released savepoint too,
    while it is still the session's innermost transaction: that is no commit)."""
    if session.get_nested_transaction() is None:
        session.info.pop(_WRITTEN, None)


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts of the same keys) into `table`, in the session's transaction
    (`insert_columns`, row by row)."""
    if rows:
        names = list(rows[0])
        insert_columns(session, table, {name: [row[name] for row in rows] for name in names})


def insert_columns(session: Session, table: Table, columns: dict[str, list[Any]]) -> None:
    """Insert rows given column by column (each list one column's values, all of one length) into
    `table`, in the session's transaction.

    On SQLite through the driver's `executemany`, past SQLAlchemy's per-row parameter handling,
    which costs a reparse more than the inserts do (a report's few hundred cells: ~3.5 ms against
    ~1.5); each value still goes through its column type's bind processor, so it is stored as
    `insert()` stores it. Column by column, so a caller builds no dict a row. Other databases take
    `insert()` (psycopg's executemany is the slow path there, SQLAlchemy's batched one the fast)."""
    names = list(columns)
    if not names or not columns[names[0]]:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        session.execute(
            insert(table), [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        )
        return
    sql, processors = _driver_insert(table, tuple(names), dialect)
    values = [
        column if process is None else [v if v is None else process(v) for v in column]
        for column, process in zip(columns.values(), processors, strict=True)
    ]
    connection.exec_driver_sql(sql, list(zip(*values, strict=True)))


@functools.cache
def _driver_insert(table: Table, names: tuple[str, ...], dialect: Dialect) -> tuple[str, list[Any]]:
    """The INSERT of `names` into `table` as the driver takes it (qmark parameters), and each
    column's bind processor (None: the value is passed as it is)."""
    compiled = insert(table).values({name: bindparam(name) for name in names}).compile(dialect=dialect)
    assert compiled.positiontup == list(names), compiled.positiontup
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    return str(compiled), processors
