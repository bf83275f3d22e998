"""Build DATA/browse.sqlite: the store, flattened for browsing in Datasette.

The store (DATA/nianbao.sqlite) is normalised, versioned and owned by its migrations; it is a
function of the WARC archive. browse.sqlite is a function of the store in turn: written whole from
the export (`archive.export.iter_export_records`: each report as its latest version says) and the
audit (`archive.audit.audit_rows`: who, when, and what is wrong), never edited, never migrated, and
rebuilt when the store changed. Its tables:

- `reports`: one row per report, the export's fields and the audit's verdict, then one column per
  cell key (`applications.new.total` …, in the template's order), holding the export's numbers;
- `cells`: the same numbers one per row (report, table, key, value, unresolved), `key` linked to
  `cell_keys`, which names each key with the template's Chinese label;
- `findings`: one row per audit finding (late, missing, backdated, edited, checks failed, needs
  review, spam, not parsed, …), with the audit's evidence as text;
- `report_texts` and the FTS5 index `reports_fts` over title and text (`archive.browse.search`);
- `_browse_meta`: what it was built from.

Whether the store changed is told by a fingerprint: row count and highest key of every store
table, and every parse run's state (a reparse finishing, a run superseded), with the registry, the
day (the audit's `missing` rows depend on it) and this module's `BUILD_VERSION`. It is read before
the data, so a crawl writing meanwhile makes the next start rebuild. The file is written beside the
target and renamed over it: a reader never sees half a build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from archive.audit import AuditRow, _flat, audit_rows, finding_kinds
from archive.browse.labels import cell_keys, key_order
from archive.browse.search import index_text
from archive.db import Base, Capture, ParseRun, sessions
from archive.export import iter_export_records
from settings.registry import Portal

BROWSE_FILE = "browse.sqlite"
BUILD_VERSION = 1  # bump when the tables change: browse files of older builds are rebuilt
_CHUNK = 500

# The reports table's columns before the cells: (name, SQL type).
REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "INTEGER PRIMARY KEY"),
    ("title", "TEXT"),
    ("agency", "TEXT"),
    ("region", "TEXT"),
    ("level", "TEXT"),
    ("kind", "TEXT"),
    ("year", "INTEGER"),
    ("published_on", "TEXT"),
    ("first_seen", "TEXT"),
    ("deadline", "TEXT"),
    ("status", "TEXT"),
    ("status_reason", "TEXT"),
    ("backdated", "INTEGER"),
    ("edited", "INTEGER"),
    ("spam", "INTEGER"),
    ("checks_failed", "TEXT"),
    ("needs_review", "INTEGER"),
    ("unresolved", "TEXT"),
    ("format", "TEXT"),
    ("index_no", "TEXT"),
    ("processing_fee_yuan", "NUMERIC"),
    ("portal", "TEXT"),
    ("url", "TEXT"),
    ("page_url", "TEXT"),
    ("archive", "TEXT"),
    ("warc", "TEXT"),
)
# NUMERIC: values keep their type (counts INTEGER, amounts REAL) and compare as numbers with the
# text a URL filter (`?applications.new.total__gt=5`) brings.
CELL_TYPE = "NUMERIC"

SCHEMA = """
CREATE TABLE cell_keys (key TEXT PRIMARY KEY, "table" TEXT, section TEXT, label TEXT, formats TEXT);
CREATE TABLE cells (
    report_id INTEGER NOT NULL REFERENCES reports(id), key TEXT NOT NULL REFERENCES cell_keys(key),
    value NUMERIC, unresolved INTEGER NOT NULL, "table" TEXT, report_url TEXT,
    PRIMARY KEY (report_id, key)
);
CREATE INDEX cells_key ON cells(key);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, report_id INTEGER REFERENCES reports(id),
    agency TEXT, year INTEGER, region TEXT, level TEXT, status TEXT, deadline TEXT, published_on TEXT,
    first_seen TEXT, detail TEXT, title TEXT, url TEXT, archive TEXT
);
CREATE INDEX findings_kind ON findings(kind);
CREATE TABLE report_texts (report_id INTEGER PRIMARY KEY REFERENCES reports(id), title TEXT, text TEXT);
CREATE VIRTUAL TABLE reports_fts USING fts5(title, text);
CREATE TABLE _browse_meta (key TEXT PRIMARY KEY, value TEXT);
"""

# Finding kinds: the audit's labels (`finding_kinds`), "checks" spelled out; statuses that are findings.
_KIND_NAMES = {"checks": "checks failed"}
STATUS_FINDINGS = ("late", "missing", "unreadable")


@dataclass(frozen=True, slots=True)
class BuildResult:
    path: Path
    rebuilt: bool
    reports: int
    findings: int


def build_browse(
    engine: Engine,
    data_dir: Path,
    *,
    registry: dict[str, Portal],
    today: date,
    force: bool = False,
) -> BuildResult:
    """Write DATA/browse.sqlite from the store unless it was built from the store as it is now."""
    target = Path(data_dir) / BROWSE_FILE
    fingerprint = store_fingerprint(engine, registry, today)
    if not force:
        built = _read_meta(target)
        if built.get("fingerprint") == fingerprint:
            return BuildResult(target, False, int(built.get("reports", 0)), int(built.get("findings", 0)))
    records = list(iter_export_records(engine))
    with sessions(engine)() as session:
        rows = audit_rows(session, registry, year=None, today=today)
        record_ids = {r.warc["record_id"] for r in rows if r.warc}
        captures: dict[str, tuple[str, datetime]] = {}
        for batch in _chunks(sorted(record_ids)):
            for record_id, url, fetched_at in session.execute(
                select(Capture.record_id, Capture.url, Capture.fetched_at).where(Capture.record_id.in_(batch))
            ):
                captures[record_id] = (url, fetched_at)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(partial)) as db:
            n_findings = _write(db, records, rows, captures)
            meta = {
                "fingerprint": fingerprint,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "audited_on": today.isoformat(),
                "reports": str(len(records)),
                "findings": str(n_findings),
                "build_version": str(BUILD_VERSION),
            }
            db.executemany("INSERT INTO _browse_meta VALUES (?, ?)", sorted(meta.items()))
            db.commit()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BuildResult(target, True, len(records), n_findings)


def store_fingerprint(engine: Engine, registry: dict[str, Portal], today: date) -> str:
    """A digest that changes whenever the store, the registry, the day or this build changes."""
    digest = hashlib.sha256()
    digest.update(f"{BUILD_VERSION}|{today.isoformat()}|".encode())
    digest.update(repr(sorted(registry.items())).encode())
    digest.update(repr(list(cell_keys().values())).encode())
    with sessions(engine)() as session:
        for table in Base.metadata.sorted_tables:
            key = next(iter(table.primary_key.columns))
            count, top = session.execute(select(func.count(), func.max(key)).select_from(table)).one()
            digest.update(f"|{table.name}:{count}:{top}".encode())
        for run in session.execute(
            select(ParseRun.id, ParseRun.kind, ParseRun.finished_at, ParseRun.superseded_by).order_by(
                ParseRun.id
            )
        ):
            digest.update(repr(tuple(run)).encode())
    return digest.hexdigest()


def _read_meta(path: Path) -> dict[str, str]:
    """What an existing browse file says it was built from; {} when there is none or it is unreadable."""
    if not path.exists():
        return {}
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return dict(db.execute("SELECT key, value FROM _browse_meta").fetchall())
    except sqlite3.Error:
        return {}  # a damaged or foreign file: rebuilt


def _write(
    db: sqlite3.Connection,
    records: Sequence[dict[str, Any]],
    rows: Sequence[AuditRow],
    captures: dict[str, tuple[str, datetime]],
) -> int:
    """Fill an empty database; the number of findings written."""
    keys = key_order({k for r in records for k in r["cells"]})
    labels = cell_keys()
    report_columns = [*REPORT_COLUMNS, *((k, CELL_TYPE) for k in keys)]
    db.execute(
        "CREATE TABLE reports (" + ", ".join(f"{_quote(name)} {kind}" for name, kind in report_columns) + ")"
    )
    db.executescript(SCHEMA)
    db.executemany(
        "INSERT INTO cell_keys VALUES (?, ?, ?, ?, ?)",
        [(k.key, k.table, k.section, k.label, k.formats) for k in labels.values()],
    )
    audited = _match(records, rows)
    report_ids: dict[int, int] = {}  # id() of an audit row -> the report it describes
    insert = (
        f"INSERT INTO reports ({', '.join(_quote(n) for n, _ in report_columns)}) "
        f"VALUES ({', '.join('?' for _ in report_columns)})"
    )
    for report_id, (record, row) in enumerate(zip(records, audited, strict=True), 1):
        if row is not None:
            report_ids[id(row)] = report_id
        quality = record.get("quality") or {}
        unresolved = set(quality.get("unresolved") or [])
        failed = (
            row.checks_failed
            if row
            else [f"{c['rule']}:{c['column']}" for c in record["checks"] if not c["ok"]]
        )
        values = {
            "id": report_id,
            "title": record.get("title"),
            "agency": record.get("agency"),
            "region": row.region if row else None,
            "level": row.level if row else None,
            "kind": row.kind if row else None,
            "year": record.get("year"),
            "published_on": record.get("published_on"),
            "first_seen": row.first_seen if row else record.get("first_seen"),
            "deadline": row.deadline if row else None,
            "status": row.status if row else None,
            "status_reason": row.status_reason if row else None,
            "backdated": _bool(row.backdated) if row else None,
            "edited": _bool(row.edited) if row else None,
            "spam": len(row.spam) if row else None,
            "checks_failed": _json_list(failed),
            "needs_review": None if not quality else _bool(bool(quality.get("needs_review"))),
            "unresolved": _json_list(sorted(unresolved)),
            "format": record.get("format"),
            "index_no": record.get("index_no"),
            "processing_fee_yuan": record.get("processing_fee_yuan"),
            "portal": row.portal if row else None,
            "url": record["url"],
            "page_url": record.get("page_url"),
            "archive": _replay(row, captures),
            "warc": _flat("warc", row.warc) if row and row.warc else None,
        }
        cells = record["cells"]
        db.execute(insert, [*(values[n] for n, _ in REPORT_COLUMNS), *(cells.get(k) for k in keys)])
        db.executemany(
            'INSERT INTO cells (report_id, report_url, "table", key, value, unresolved) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (report_id, record["url"], k.split(".", 1)[0], k, cells[k], _bool(k in unresolved))
                for k in keys
                if k in cells
            ],
        )
        db.execute(
            "INSERT INTO report_texts VALUES (?, ?, ?)", (report_id, record.get("title"), record.get("text"))
        )
        db.execute(
            "INSERT INTO reports_fts (rowid, title, text) VALUES (?, ?, ?)",
            (report_id, index_text(record.get("title")), index_text(record.get("text"))),
        )
    findings = list(_findings(rows, report_ids, captures))
    db.executemany(
        "INSERT INTO findings (kind, report_id, agency, year, region, level, status, deadline, published_on,"
        " first_seen, detail, title, url, archive) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        findings,
    )
    return len(findings)


def _match(records: Sequence[dict[str, Any]], rows: Sequence[AuditRow]) -> list[AuditRow | None]:
    """The audit row of each exported report: same document URL (and year and title, should two
    reports share a URL)."""
    by_url: dict[str, list[AuditRow]] = defaultdict(list)
    for row in rows:
        if row.url and row.parse_failure is None and row.kind != "column" and row.status != "missing":
            by_url[row.url].append(row)
    matched: list[AuditRow | None] = []
    for record in records:
        candidates = by_url.get(record["url"], [])
        best = next(
            (r for r in candidates if (r.year, r.title) == (record.get("year"), record.get("title"))),
            candidates[0] if candidates else None,
        )
        if best is not None:
            candidates.remove(best)
        matched.append(best)
    return matched


def _findings(
    rows: Iterable[AuditRow], report_ids: dict[int, int], captures: dict[str, tuple[str, datetime]]
) -> Iterator[tuple[Any, ...]]:
    """One row per finding of each audit row, with the audit's evidence as `detail`."""
    for row in rows:
        kinds: list[tuple[str, str]] = []
        if row.status in STATUS_FINDINGS and row.kind != "column":
            kinds.append((row.status, row.status_reason))
        for kind, label, _count in finding_kinds(row):
            kinds.append((_KIND_NAMES.get(kind, label), _detail(kind, row)))
        for kind, detail in kinds:
            yield (
                kind, report_ids.get(id(row)), row.agency, row.year, row.region, row.level, row.status,
                row.deadline, row.published_on, row.first_seen, detail, row.title, row.url or None,
                _replay(row, captures),
            )  # fmt: skip


def _detail(kind: str, row: AuditRow) -> str:
    if kind == "backdated":
        return _flat("backdated_evidence", row.backdated_evidence)
    if kind == "edited":
        return _flat("changes", row.changes)
    if kind == "checks":
        return "; ".join(row.checks_failed)
    if kind == "spam":
        return _flat("spam", row.spam)
    if kind == "failure":
        return row.parse_failure or ""
    if kind == "review":
        return "; ".join([*(f"unresolved: {k}" for k in row.unresolved), *row.review_notes])
    if kind == "column":
        return row.column_empty or ""
    return ""


def _replay(row: AuditRow | None, captures: dict[str, tuple[str, datetime]]) -> str | None:
    """`/replay/<14-digit UTC timestamp>/<url>` of the capture behind the row (the address of
    `nianbao serve`'s replay), or None without one."""
    if row is None or not row.warc or row.warc["record_id"] not in captures:
        return None
    url, fetched_at = captures[row.warc["record_id"]]
    moment = fetched_at.replace(tzinfo=UTC) if fetched_at.tzinfo is None else fetched_at.astimezone(UTC)
    return f"/replay/{moment:%Y%m%d%H%M%S}/{url}"


def _bool(value: bool) -> int:
    return 1 if value else 0


def _json_list(items: Sequence[str]) -> str | None:
    """A JSON array (Datasette facets it with `_facet_array`), or NULL when empty."""
    return json.dumps(list(items), ensure_ascii=False) if items else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
