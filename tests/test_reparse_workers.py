"""`reparse` on every core, and the clean text it keeps (`archive.ingest.parallel`, `archive.textcache`).

One small archive, written once for the module as a crawl archives it: report pages of the sample
portal, a listing that links a report PDF and the PDF's article page, a page that is no report, an
edited re-capture (a second version), and a copy of a report page whose storing raises. Each test
reparses it into a store of its own (whose catch-up first ingests it as the crawl would), so what it
compares is only what the reparse made.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import archive.extract as extract_mod
import archive.ingest.pages as ingest_pages
import archive.textcache as textcache
from archive.db import Capture, Failure, PageLink, ParseRun, TextCacheRow, open_database, sessions
from archive.export import write_jsonl
from archive.reparse import prune, reparse
from archive.warcstore import HttpExchange, WarcStore
from nianbao.sample_portal.server import SITE_DIR

BASE = "http://127.0.0.1:8000"
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
REPORT_PAGES = (
    sorted((SITE_DIR / "zwgk/zfxxgknb").glob("2024*/*.html"))[:2]
    + sorted((SITE_DIR / "zwgk/zfxxgknb").glob("2023*/*.html"))[:1]
)
PDF = Path(__file__).resolve().parent / "fixtures/documents/chromium_2021.pdf"
HTML = "text/html; charset=utf-8"
BROKEN = "/broken.html"  # a report page whose storing raises (`broken_store`)


def exchange(path: str, body: bytes, content_type: str, n: int) -> HttpExchange:
    return HttpExchange(
        url=BASE + path, method="GET", request_headers=[], request_body=b"", protocol="HTTP/1.1", status=200,
        reason=None, response_headers=[("Content-Type", content_type)], body=body, ip_address=None,
        fetched_at=T0 + timedelta(minutes=n),
    )  # fmt: skip


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warc = tmp_path_factory.mktemp("archive") / "warc"
    listing = """<html><head><title>年报栏目</title></head><body>
      <a href="/f/x.pdf">某局2021年政府信息公开工作年度报告</a><a href="/news/1.html">工作动态</a></body></html>"""
    article = """<html><head><title>某某局2021年度政府信息公开工作年度报告</title></head><body>
      <h1>某某局2021年度政府信息公开工作年度报告</h1><div id="zoom"><a href="/f/x.pdf">附件</a></div></body></html>"""
    news = "<html><head><title>工作动态</title></head><body><h1>工作动态</h1><p>县政府召开常务会议。</p></body></html>"
    first = REPORT_PAGES[0].read_text(encoding="utf-8")
    edited = first.replace("本年度未收取信息处理费", "本年度共收取信息处理费120元", 1)
    assert edited != first
    pages = [
        ("/list.html", listing.encode(), HTML),
        ("/f/x.pdf", PDF.read_bytes(), "application/pdf"),
        ("/art.html", article.encode(), HTML),
        ("/news/1.html", news.encode(), HTML),
        *((f"/nb{i}.html", p.read_bytes(), HTML) for i, p in enumerate(REPORT_PAGES)),
        (BROKEN, REPORT_PAGES[1].read_bytes(), HTML),
        ("/nb0.html", edited.encode(), HTML),
    ]
    with WarcStore(warc) as store:
        for n, (path, body, ctype) in enumerate(pages):
            store.write_exchange(exchange(path, body, ctype, n))
    return warc


@pytest.fixture
def broken_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Storing the report of BROKEN raises (in the store's process, whatever the workers)."""
    real = ingest_pages.store_report

    def store_report(session, document, capture, report, **kw):
        if capture.url.endswith(BROKEN):
            raise RuntimeError("boom")
        return real(session, document, capture, report, **kw)

    monkeypatch.setattr(ingest_pages, "store_report", store_report)


@pytest.fixture
def extractions(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """trafilatura's calls in this process, by page URL."""
    calls: Counter[str] = Counter()
    real = extract_mod.trafilatura.extract

    def counted(*args, **kwargs):
        calls[kwargs.get("url") or "?"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(extract_mod.trafilatura, "extract", counted)
    return calls


def reparsed(archive: Path, db: Path, **options) -> tuple[Counter[str], str, list[tuple]]:
    """Reparse into the store `db`: the counts, the export, and the reparse run's failures."""
    engine = open_database(f"sqlite:///{db}")
    try:
        counts = reparse(engine, archive, **options)
        out = io.StringIO()
        write_jsonl(engine, out)
        with sessions(engine)() as session:
            run = session.scalars(select(ParseRun.id).where(ParseRun.kind == "reparse")).all()[-1]
            failures = session.execute(
                select(Failure.url, Failure.stage, Failure.reason)
                .where(Failure.parse_run_id == run)
                .order_by(Failure.url, Failure.stage)
            ).all()
        return counts, out.getvalue(), [tuple(f) for f in failures]
    finally:
        engine.dispose()


def test_one_and_two_workers_make_the_same_store(archive: Path, tmp_path: Path, broken_store: None) -> None:
    one = reparsed(archive, tmp_path / "one.sqlite", workers=1)
    two = reparsed(archive, tmp_path / "two.sqlite", workers=2)
    counts, export, failures = two
    assert export == one[1] and failures == one[2]
    assert counts == one[0]
    assert export.count("\n") == len(REPORT_PAGES) + 1  # the pages' reports and the PDF's
    assert counts["version"] == 1  # the edited re-capture
    # the record whose storing raised is a failure of its own, and the reparse went on past it
    assert (BASE + BROKEN, "ingest", "internal error: RuntimeError: boom") in failures
    assert counts["report"] == len(REPORT_PAGES) + 1 and counts["failure"] >= 1


def test_a_reparse_reuses_the_kept_text_and_re_extract_extracts_again(
    archive: Path, tmp_path: Path, extractions: Counter[str]
) -> None:
    db = tmp_path / "store.sqlite"
    engine = open_database(f"sqlite:///{db}")
    reparse(engine, archive)  # its catch-up ingests the archive as the crawl does, keeping the text
    engine.dispose()
    report_pages = len(REPORT_PAGES) + 3  # the edited re-capture, BROKEN and the PDF's article page
    assert extractions.total() == report_pages
    extractions.clear()

    kept, export, _ = reparsed(archive, db, workers=1)  # a reparse after a parser-only change
    assert extractions.total() == 0
    assert kept["extraction_reused"] == report_pages and kept["extracted"] == 0

    again, export_again, _ = reparsed(archive, db, workers=1, re_extract=True)
    assert extractions.total() == report_pages and export_again == export
    assert again["extracted"] == report_pages

    # The workers read it too: counted by what they hand back, not in this process.
    extractions.clear()
    kept2, export2, _ = reparsed(archive, db, workers=2)
    assert kept2["extraction_reused"] == report_pages and kept2["extracted"] == 0 and export2 == export
    again2, _, _ = reparsed(archive, db, workers=2, re_extract=True)
    assert again2["extracted"] == report_pages and extractions.total() == 0


def test_text_kept_by_an_older_extractor_is_extracted_again(
    archive: Path, tmp_path: Path, extractions: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.sqlite"
    with monkeypatch.context() as before:  # the version before a change to extraction
        before.setattr(textcache, "EXTRACTOR_VERSION", "0")
        engine = open_database(f"sqlite:///{db}")
        reparse(engine, archive)
        engine.dispose()
    extractions.clear()
    counts, _, _ = reparsed(archive, db, workers=1)
    assert counts["extracted"] == extractions.total() == len(REPORT_PAGES) + 3
    assert counts["extraction_reused"] == 0
    engine = open_database(f"sqlite:///{db}")
    try:
        prune(engine)  # what the older extractor kept can never be read again
        with sessions(engine)() as session:
            versions = set(session.scalars(select(TextCacheRow.extractor).distinct()))
            assert versions == {textcache.page_extractor(), textcache.document_extractor()}
            # every page's reading (8 HTML records) and the PDF's text
            assert session.scalar(select(func.count()).select_from(TextCacheRow)) == 8 + 1
    finally:
        engine.dispose()


def test_a_page_whose_reading_raises_is_a_failure_and_the_reparse_goes_on(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the pure half (here: in this process, as one worker runs it) fails its record with
    the reason a serial reparse gives, and every other record is read."""
    real = ingest_pages.page_links

    def page_links(page_url, tree):
        if page_url.endswith(BROKEN):
            raise RuntimeError("boom")
        return real(page_url, tree)

    engine = open_database(f"sqlite:///{tmp_path / 'store.sqlite'}")
    reparse(engine, archive)  # the catch-up's reading, before the bug
    engine.dispose()
    monkeypatch.setattr(ingest_pages, "page_links", page_links)
    # read again (a kept reading would not call page_links at all)
    counts, export, failures = reparsed(archive, tmp_path / "store.sqlite", workers=1, re_extract=True)
    assert (BASE + BROKEN, "ingest", "internal error: RuntimeError: boom") in failures
    assert export.count("\n") == len(REPORT_PAGES) + 1 and counts["version"] == 1


def _links(db: Path) -> list[tuple]:
    engine = open_database(f"sqlite:///{db}")
    try:
        with sessions(engine)() as session:
            rows = session.execute(
                select(Capture.record_id, PageLink.kind, PageLink.url, PageLink.text)
                .join(Capture, PageLink.capture_id == Capture.id)
                .order_by(Capture.record_id, PageLink.id)
            ).all()
        return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def test_a_kept_reading_spares_every_page_its_markup_and_a_change_to_the_reading_code_reads_again(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a parser-only change no page is decoded nor walked for links (most pages are no report),
    the links the first reading stored stay, and the export is the one a full reading makes. An edit
    to a module that reads pages changes the cache key: everything is read again."""
    db = tmp_path / "store.sqlite"
    counts, export, _ = reparsed(archive, db, workers=1)  # the catch-up reads and keeps; the reparse reuses
    links = _links(db)
    assert any(kind == "attachment" for _, kind, _, _ in links)
    walked: Counter[str] = Counter()
    real = ingest_pages.page_links

    def page_links(page_url, tree):
        walked[page_url] += 1
        return real(page_url, tree)

    monkeypatch.setattr(ingest_pages, "page_links", page_links)
    for workers in (1, 2):
        again, export_again, _ = reparsed(archive, db, workers=workers)
        assert export_again == export and _links(db) == links
        assert walked.total() == 0 and again["extraction_reused"] == counts["extraction_reused"]
    monkeypatch.setattr(textcache, "_reading_digest", lambda: "edited")  # as after an edit of extract.py
    changed, export_changed, _ = reparsed(archive, db, workers=1)
    assert export_changed == export and _links(db) == links
    assert walked.total() == 8 and changed["extracted"] == counts["extraction_reused"]


def _project_imports(module: str) -> set[str]:
    """The `archive.*` modules `module`'s source imports (at any depth of its code)."""
    import ast
    import importlib.util

    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("archive"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("archive"))
    return found


def test_the_reading_digest_covers_every_module_a_page_is_read_with() -> None:
    """A module `read_page`'s readers import, but missing from READING_MODULES, could change a
    reading while the kept one stayed current. Only the store's side and the parser may be left out:
    what they do is not kept."""
    store_side = {
        "archive.db", "archive.warcstore", "archive.textcache", "archive.parser", "archive.report",
        "archive.ingest.rows", "archive.ingest.unread",
    }  # fmt: skip
    reading = set(textcache.READING_MODULES)
    for module in textcache.READING_MODULES:
        missing = _project_imports(module) - reading - store_side
        assert not missing, f"{module} imports {missing}: add them to READING_MODULES, or say why not"
