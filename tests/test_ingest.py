"""Ingest rules on real WARC records: renditions and reposts are captures, edits are versions."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Text, func, select, text

import archive.ingest as ingest_mod
import archive.ingest.pages as ingest_pages
from archive.db import (
    Capture,
    CellRow,
    Document,
    Failure,
    PageLink,
    ParseRun,
    ReportCapture,
    ReportRow,
    VersionRow,
    open_database,
    sessions,
)
from archive.export import iter_export_records
from archive.ingest import current_version, ingest_record, start_run
from archive.ingest.rows import find_report
from archive.parser import parse_report
from archive.reparse import prune, reparse
from archive.urls import absolute_url
from archive.warcstore import HttpExchange, WarcStore, read_record
from nianbao.sample_portal.server import SITE_DIR

PAGE = SITE_DIR / "zwgk/zfxxgknb/202401/t20240125_3162011.html"  # 发改委 2023, parses as a report
PDF = Path(__file__).resolve().parent / "fixtures/documents/chromium_2021.pdf"  # another report's numbers
PDF2 = PDF.with_name("libreoffice_2019.pdf")  # another agency's report
BASE = "http://127.0.0.1:8000"
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def exchange(path: str, body: bytes, content_type: str, at: datetime) -> HttpExchange:
    return HttpExchange(
        url=BASE + path, method="GET", request_headers=[], request_body=b"", protocol="HTTP/1.1", status=200,
        reason=None, response_headers=[("Content-Type", content_type)], body=body, ip_address=None, fetched_at=at,
    )  # fmt: skip


def ingest_all(tmp: Path, exchanges: list[HttpExchange]):
    engine = open_database(f"sqlite:///{tmp / 'db.sqlite'}")
    with WarcStore(tmp / "warc") as store:
        refs = [store.write_exchange(e) for e in exchanges]
    return engine, ingest_refs(engine, tmp, refs)


def ingest_refs(engine, tmp: Path, refs) -> list[str]:
    """Ingest archived records as the live crawl does: one crawl run, in archive order."""
    outcomes = []
    with sessions(engine, write=True).begin() as session:
        run = start_run(session, "crawl")
        for ref in refs:
            outcomes.append(
                ingest_record(session, read_record(tmp / "warc", ref.filename, ref.offset), run).outcome
            )
        ingest_mod.finish_run(session, run)
    return outcomes


def counts(engine) -> tuple[int, int, int]:
    with sessions(engine)() as session:
        return (
            session.scalar(select(func.count()).select_from(ReportRow)),
            session.scalar(select(func.count()).select_from(VersionRow)),
            session.scalar(select(func.count()).select_from(ReportCapture)),
        )


def test_attachment_of_a_parsed_page_is_a_rendition_not_an_edit(tmp_path: Path) -> None:
    html = PAGE.read_text(encoding="utf-8").replace(
        '<div class="TRS_Editor"',
        '<p><a href="/files/nb2023.pdf">附件：年度报告全文.pdf</a></p><div class="TRS_Editor"',
        1,
    )
    assert "nb2023.pdf" in html
    engine, outcomes = ingest_all(tmp_path, [
        exchange("/nb.html", html.encode(), "text/html; charset=utf-8", T0),
        exchange("/files/nb2023.pdf", PDF.read_bytes(), "application/pdf", T0 + timedelta(seconds=1)),
    ])  # fmt: skip
    assert outcomes == ["report", "unchanged"]
    assert counts(engine) == (1, 1, 2)  # one report, one version, seen in two captures


def test_a_changed_page_is_a_new_version_and_a_repost_is_a_capture(tmp_path: Path) -> None:
    html = PAGE.read_text(encoding="utf-8")
    edited = html.replace("本年度未收取信息处理费", "本年度共收取信息处理费120元", 1)
    assert edited != html
    engine, outcomes = ingest_all(tmp_path, [
        exchange("/nb.html", html.encode(), "text/html; charset=utf-8", T0),
        exchange("/repost/nb.html", html.encode(), "text/html; charset=utf-8", T0 + timedelta(hours=1)),
        exchange("/nb.html", edited.encode(), "text/html; charset=utf-8", T0 + timedelta(days=3)),
    ])  # fmt: skip
    assert outcomes == ["report", "unchanged", "version"]
    assert counts(engine) == (1, 2, 3)


def with_attachment(href: str, text: str = "附件：年度报告全文.pdf") -> str:
    return PAGE.read_text(encoding="utf-8").replace(
        '<div class="TRS_Editor"', f'<p><a href="{href}">{text}</a></p><div class="TRS_Editor"', 1
    )


def exported(engine) -> list[dict]:
    return list(iter_export_records(engine))


def test_attachment_named_in_chinese_is_tied_to_its_page(tmp_path: Path) -> None:
    from crawler.platforms.generic import absolute

    href = "/files/2023年报.pdf"
    fetched = absolute(BASE + "/nb.html", href)  # the URL the spider requests, percent-encoded
    assert fetched == absolute_url(BASE + "/nb.html", href) and "%E5" in fetched
    engine, outcomes = ingest_all(tmp_path, [
        exchange("/nb.html", with_attachment(href).encode(), "text/html; charset=utf-8", T0),
        exchange(fetched.removeprefix(BASE), PDF.read_bytes(), "application/pdf", T0 + timedelta(seconds=1)),
    ])  # fmt: skip
    assert outcomes == ["report", "unchanged"]
    assert counts(engine) == (1, 1, 2)


def test_a_page_linking_several_reports_keeps_each_of_them(tmp_path: Path) -> None:
    title = "2023年度区直各部门政府信息公开工作年度报告"
    html = f"""<html><head><title>{title}</title></head><body><h1>{title}</h1><div id="zoom">
      <p><a href="/f/a.pdf">区教育局年报.pdf</a></p><p><a href="/f/b.pdf">附件2：区卫健委年报.pdf</a></p>
      </div></body></html>"""
    engine, outcomes = ingest_all(tmp_path, [
        exchange("/list.html", html.encode(), "text/html; charset=utf-8", T0),
        exchange("/f/a.pdf", PDF.read_bytes(), "application/pdf", T0 + timedelta(seconds=1)),
        exchange("/f/b.pdf", PDF2.read_bytes(), "application/pdf", T0 + timedelta(seconds=2)),
    ])  # fmt: skip
    assert outcomes == ["capture", "report", "report"]
    assert counts(engine) == (2, 2, 2)
    with sessions(engine)() as session:
        rows = session.scalars(select(ReportRow).order_by(ReportRow.id)).all()
        assert [(r.url.removeprefix(BASE), r.page_url.removeprefix(BASE), r.title) for r in rows] == [
            ("/f/a.pdf", "/list.html", "区教育局年报"),
            ("/f/b.pdf", "/list.html", "区卫健委年报"),
        ]
        assert rows[0].agency != rows[1].agency


def test_a_repost_under_its_own_title_and_dates_is_one_report(tmp_path: Path) -> None:
    """A 通知公告 copy of a report carries its own title, 索引号 and dates: the same numbers by the
    same agency for the same year are one report, whichever URL the crawl meets first."""
    html = PAGE.read_text(encoding="utf-8")
    copy = (
        html.replace(
            "<title>青禾市发展和改革委员会2023年度政府信息公开工作年度报告_",
            "<title>青禾市发展和改革委员会2023年度政府信息公开工作年度报告（全文）_",
            1,
        )
        .replace(
            'content="青禾市发展和改革委员会2023年度政府信息公开工作年度报告"',
            'content="青禾市发展和改革委员会2023年度政府信息公开工作年度报告（全文）"',
            1,
        )
        .replace("11999000MB1G3902XA/2024-00011", "11999000MB1G3902XA/2024-00042", 1)
        .replace("2024-01-25", "2024-02-02")
    )
    assert copy.count("2024-02-02") >= 2 and "（全文）" in copy
    for first, second in ((html, copy), (copy, html)):
        engine, outcomes = ingest_all(tmp_path / str(len(first)), [
            exchange("/zwgk/nb.html", first.encode(), "text/html; charset=utf-8", T0),
            exchange("/tzgg/nb.html", second.encode(), "text/html; charset=utf-8", T0 + timedelta(hours=1)),
        ])  # fmt: skip
        assert outcomes == ["report", "unchanged"]
        assert counts(engine) == (1, 1, 2)
        [record] = exported(engine)
        assert record["url"].endswith("/zwgk/nb.html")


def test_a_repost_with_other_content_is_not_merged_by_title(tmp_path: Path) -> None:
    html = PAGE.read_text(encoding="utf-8")
    edited = html.replace("本年度未收取信息处理费", "本年度共收取信息处理费120元", 1)
    engine, outcomes = ingest_all(tmp_path, [
        exchange("/nb.html", html.encode(), "text/html; charset=utf-8", T0),
        exchange("/other/nb.html", edited.encode(), "text/html; charset=utf-8", T0 + timedelta(hours=1)),
    ])  # fmt: skip
    assert outcomes == ["report", "report"]
    assert counts(engine) == (2, 2, 2)


def test_a_fixed_url_showing_next_years_report_is_a_new_report(tmp_path: Path) -> None:
    html = PAGE.read_text(encoding="utf-8")
    next_year = html.replace("2023", "2024").replace("2024年1月", "2025年1月")
    engine, outcomes = ingest_all(tmp_path, [
        exchange("/gknb/index.html", html.encode(), "text/html; charset=utf-8", T0),
        exchange("/gknb/index.html", next_year.encode(), "text/html; charset=utf-8", T0 + timedelta(days=365)),
        exchange("/gknb/index.html", next_year.encode(), "text/html; charset=utf-8", T0 + timedelta(days=366)),
    ])  # fmt: skip
    assert outcomes == ["report", "report", "unchanged"]
    assert counts(engine) == (2, 2, 3)
    with sessions(engine)() as session:
        rows = session.scalars(select(ReportRow).order_by(ReportRow.id)).all()
        assert [r.year for r in rows] == [2023, 2024]
        assert [[v.data["year"] for v in r.versions] for r in rows] == [[2023], [2024]]


def test_reparse_rewrites_the_reports_identity_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = PAGE.read_text(encoding="utf-8").encode()
    engine, _ = ingest_all(tmp_path, [exchange("/nb.html", html, "text/html; charset=utf-8", T0)])
    real = ingest_pages.parse_report

    def fixed_parser(text_: str, url: str | None = None):  # a parser fix reading another agency and year
        report = real(text_, url=url)
        report.year, report.agency, report.title = 2099, "新机关", "新机关2099年政府信息公开工作年度报告"
        return report

    monkeypatch.setattr(ingest_pages, "parse_report", fixed_parser)
    reparse(engine, tmp_path / "warc")
    prune(engine)
    with sessions(engine)() as session:
        row = session.scalars(select(ReportRow)).one()
        assert (row.agency, row.year, row.title) == ("新机关", 2099, "新机关2099年政府信息公开工作年度报告")
        assert current_version(row).data["year"] == 2099
    [record] = exported(engine)
    assert (record["agency"], record["year"]) == ("新机关", 2099)


def test_reparse_into_an_existing_database_ties_attachments_as_a_fresh_one(tmp_path: Path) -> None:
    listing = """<html><head><title>年报栏目</title></head><body>
      <a href="/f/x.pdf">某局2021年政府信息公开工作年度报告</a></body></html>"""
    article = """<html><head><title>某某局2021年度政府信息公开工作年度报告</title></head><body>
      <h1>某某局2021年度政府信息公开工作年度报告</h1><div id="zoom"><a href="/f/x.pdf">附件</a></div></body></html>"""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    live, _ = ingest_all(tmp_path / "a", [
        exchange("/list.html", listing.encode(), "text/html; charset=utf-8", T0),
        exchange("/f/x.pdf", PDF.read_bytes(), "application/pdf", T0 + timedelta(seconds=1)),
        exchange("/art.html", article.encode(), "text/html; charset=utf-8", T0 + timedelta(seconds=2)),
    ])  # fmt: skip
    before = exported(live)
    reparse(live, tmp_path / "a" / "warc")
    fresh = open_database(f"sqlite:///{tmp_path / 'b' / 'db.sqlite'}")
    reparse(fresh, tmp_path / "a" / "warc")

    def pdf_document(engine) -> tuple[str, str]:
        with sessions(engine)() as session:
            run = session.scalars(select(ParseRun).where(ParseRun.kind == "reparse")).one()
            doc = session.scalars(
                select(Document).where(Document.url.endswith("x.pdf"), Document.parse_run_id == run.id)
            ).one()
            return doc.page_url, doc.title

    assert (
        pdf_document(live) == pdf_document(fresh) == (BASE + "/f/x.pdf", "某局2021年政府信息公开工作年度报告")
    )
    assert exported(live) == exported(fresh) == before


def test_revisits_keep_their_report_after_reparse_and_prune(tmp_path: Path) -> None:
    html = PAGE.read_text(encoding="utf-8").encode()
    first = exchange("/nb.html", html, "text/html; charset=utf-8", T0)
    again = exchange("/nb.html", html, "text/html; charset=utf-8", T0 + timedelta(days=7))
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with WarcStore(tmp_path / "warc") as store:
        r0 = store.write_exchange(first)
        r1 = store.write_revisit(
            again, profile="identical-payload-digest", refers_to=r0, refers_to_uri=first.url
        )
    assert ingest_refs(engine, tmp_path, [r0, r1]) == ["report", "unchanged"]
    reparse(engine, tmp_path / "warc")
    prune(engine)
    assert counts(engine) == (1, 1, 2)
    with sessions(engine)() as session:
        assert session.scalar(select(func.count()).select_from(PageLink)) == 0  # no attachments here
        kinds = {c.record_type for c in session.scalars(select(Capture))}
        assert kinds == {"response", "revisit"}


def test_an_interrupted_reparse_is_not_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html = PAGE.read_text(encoding="utf-8")
    edited = html.replace("本年度未收取信息处理费", "本年度共收取信息处理费120元", 1)
    engine, _ = ingest_all(tmp_path, [
        exchange("/nb.html", html.encode(), "text/html; charset=utf-8", T0),
        exchange("/nb.html", edited.encode(), "text/html; charset=utf-8", T0 + timedelta(days=3)),
    ])  # fmt: skip
    before = exported(engine)
    import archive.reparse as reparse_mod

    real = reparse_mod.ingest_record
    stored = []

    def killed_after_one(*args, **kwargs):  # Ctrl-C as the second record is stored
        if stored:
            raise KeyboardInterrupt
        stored.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(reparse_mod, "ingest_record", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        reparse(engine, tmp_path / "warc", batch=1)  # the first record's results are committed
    with sessions(engine)() as session:
        runs = session.scalars(select(ParseRun).order_by(ParseRun.id)).all()
        assert [(r.kind, r.finished_at is not None, r.superseded_by) for r in runs] == [
            ("crawl", True, None),
            ("reparse", False, None),
        ]
        assert session.scalar(select(func.count()).where(VersionRow.parse_run_id == runs[1].id)) == 1
    assert exported(engine) == before  # the crawl's reading, not a mix with the unfinished reparse


def test_a_record_that_breaks_ingestion_does_not_stop_a_reparse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = PAGE.read_text(encoding="utf-8").encode()
    engine, _ = ingest_all(tmp_path, [
        exchange("/bad.html", html, "text/html; charset=utf-8", T0),
        exchange("/nb.html", html, "text/html; charset=utf-8", T0 + timedelta(seconds=1)),
    ])  # fmt: skip
    real = ingest_pages.store_report

    def broken_on_bad(session, document, capture, report, **kw):
        if capture.url.endswith("/bad.html"):
            raise RuntimeError("boom")
        return real(session, document, capture, report, **kw)

    monkeypatch.setattr(ingest_pages, "store_report", broken_on_bad)
    counts_ = reparse(engine, tmp_path / "warc")
    assert counts_["failure"] == 1
    with sessions(engine)() as session:
        run = session.scalars(select(ParseRun).where(ParseRun.kind == "reparse")).one()
        assert run.finished_at is not None
        [failure] = session.scalars(select(Failure).where(Failure.parse_run_id == run.id)).all()
        assert failure.url == BASE + "/bad.html" and failure.stage == "ingest" and "boom" in failure.reason
        # nothing of the broken record's half-done work is left (its savepoint was rolled back)
        assert session.scalar(select(func.count()).where(Document.parse_run_id == run.id)) == 1


def test_a_record_that_breaks_after_its_version_was_written_leaves_nothing_of_it_in_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's document and version are written past the unit of work (`archive.dbwrite`): when
    the record breaks after them (its cells), its savepoint's rollback must take them out of the
    session too, or the next capture of that report finds the vanished version as this run's
    reading (and the next document, given the freed key, clashes with the stale object)."""
    import archive.ingest.rows as rows_mod

    html = PAGE.read_text(encoding="utf-8").encode()
    engine, _ = ingest_all(tmp_path, [
        exchange("/nb.html", html, "text/html; charset=utf-8", T0),
        exchange("/nb.html", html, "text/html; charset=utf-8", T0 + timedelta(days=1)),
    ])  # fmt: skip
    before = exported(engine)
    real, calls = rows_mod.store_numbers, []

    def broken_once(session, version, report):
        calls.append(version.id)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(session, version, report)

    monkeypatch.setattr(rows_mod, "store_numbers", broken_once)
    counts_ = reparse(engine, tmp_path / "warc")
    assert counts_["failure"] == 1 and counts_["report"] == 1, counts_
    assert calls[0] == calls[1]  # the second capture's version took the key the rollback freed
    with sessions(engine)() as session:
        run = session.scalars(select(ParseRun).where(ParseRun.kind == "reparse")).one()
        (version,) = session.scalars(select(VersionRow).where(VersionRow.parse_run_id == run.id)).all()
        assert session.scalar(select(func.count()).where(CellRow.version_id == version.id)) > 100
        assert session.scalar(select(func.count()).where(Document.parse_run_id == run.id)) == 1
    (after,) = exported(engine)  # the reading of the capture that could be stored
    assert after == {**before[0], "first_seen": "2026-01-06T08:00:00Z"}


def test_read_sessions_and_export_leave_the_write_lock_free(tmp_path: Path) -> None:
    html = PAGE.read_text(encoding="utf-8").encode()
    engine, _ = ingest_all(tmp_path, [exchange("/nb.html", html, "text/html; charset=utf-8", T0)])

    def can_write() -> bool:
        con = sqlite3.connect(tmp_path / "db.sqlite", timeout=0.2, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            con.close()

    records = iter_export_records(engine)
    next(records)  # a reader paused mid-export (`nianbao export | less`)
    assert can_write()
    records.close()
    with sessions(engine)() as session:  # audit, the incremental lookup
        session.scalars(select(ReportRow)).all()
        assert can_write()
    with sessions(engine, write=True)() as session:  # ingest, reparse, prune
        session.scalars(select(ReportRow)).all()
        assert not can_write()


def test_stored_values_suit_postgresql(tmp_path: Path) -> None:
    for column in (
        Capture.etag,
        Capture.last_modified,
        Capture.content_type,
        Document.encoding,
        VersionRow.index_no,
    ):
        assert isinstance(column.type, Text), column
    assert isinstance(Capture.warc_offset.type, BigInteger) and isinstance(
        Capture.warc_length.type, BigInteger
    )
    etag = '"' + "e" * 400 + '"'
    content_type = "text/html; charset=utf-8; " + "x" * 300
    page = dataclasses.replace(
        exchange("/nb.html", PAGE.read_bytes(), content_type, T0),
        response_headers=[("Content-Type", content_type), ("ETag", etag), ("Last-Modified", "L" * 100)],
    )
    engine, outcomes = ingest_all(tmp_path, [page])
    assert outcomes == ["report"]
    with sessions(engine, write=True).begin() as session:  # text from a PDF or DOC may hold NULs
        capture = session.scalars(select(Capture)).one()
        assert capture.etag == etag and capture.content_type == content_type
        run = session.get(ParseRun, 1)
        session.add(
            Failure(
                capture_id=capture.id, parse_run_id=run.id, url=capture.url, stage="parse", reason="a\x00b"
            )
        )
        session.add(
            Document(
                capture_id=capture.id, parse_run_id=run.id, url="u\x00", page_url="p", kind="pdf", title="t\x00",
                page_metadata={"标题": "x\x00y"}, spam=[{"text": "\x00"}], text="正文\x00", extractor="e",
            )
        )  # fmt: skip
    with sessions(engine)() as session:
        assert session.scalars(select(Failure.reason)).one() == "ab"
        stored = session.execute(
            text("select url, title, page_metadata, spam, text from documents where kind = 'pdf'")
        ).one()
    assert stored[:2] == ("u", "t") and json.loads(stored[2]) == {"标题": "xy"}
    assert json.loads(stored[3]) == [{"text": ""}] and stored[4] == "正文"


def test_find_report_does_not_depend_on_the_engines_row_order(tmp_path: Path) -> None:
    html = PAGE.read_text(encoding="utf-8").encode()
    engine, _ = ingest_all(tmp_path, [exchange("/nb.html", html, "text/html; charset=utf-8", T0)])
    with sessions(engine, write=True).begin() as session:
        [row] = session.scalars(select(ReportRow)).all()
        twin = ReportRow(
            url=row.url, page_url=row.page_url, title=row.title, agency=row.agency, year=row.year,
            first_seen=row.first_seen,
        )  # fmt: skip
        session.add(twin)
        session.flush()
        session.execute(text("PRAGMA reverse_unordered_selects = ON"))
        run = start_run(session, "crawl")
        version = current_version(row)
        report = parse_report(version.document.text, url=row.url)
        report.url = row.url
        found, _ = find_report(session, report, row.page_url, version.digest, run)
        assert found is row


def test_a_browser_fetch_is_parsed_once_from_its_rendered_dom(tmp_path: Path) -> None:
    html = PAGE.read_text(encoding="utf-8").encode()
    browser_copy = dataclasses.replace(
        exchange("/nb.html", html, "text/html; charset=utf-8", T0),
        reconstructed=("body-decoded-by-browser", "protocol"),
    )
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with WarcStore(tmp_path / "warc") as store:
        refs = [
            store.write_exchange(browser_copy),
            store.write_resource(
                browser_copy.url, html, "text/html; charset=utf-8", refers_to=None, fetched_at=T0
            ),
        ]
    assert (
        "body-decoded-by-browser"
        in read_record(tmp_path / "warc", refs[0].filename, refs[0].offset).reconstructed
    )
    assert ingest_refs(engine, tmp_path, refs) == ["capture", "report"]
    assert counts(engine) == (1, 1, 1)
    with sessions(engine)() as session:
        [document] = session.scalars(select(Document)).all()
        assert document.capture.record_type == "resource"


def test_an_image_only_page_still_names_dates_and_flags_its_attached_report(tmp_path: Path) -> None:
    """A 图片版 page (no text to extract) on a hacked site, its report as a PDF: the PDF report
    keeps the page as its page, the page's 发布日期 and title, and the page's injected links."""
    page = SITE_DIR / "zwgk/zfxxgknb/202402/t20240218_3176540.html"
    spam = ('<div style="display:none"><a href="http://www.bjl-live.example/">真人百家乐在线平台</a> '
            '<a href="http://www.lhc-kj.example/">六合彩开奖直播</a></div>')  # fmt: skip
    html = page.read_text(encoding="utf-8").replace(
        '<div class="TRS_Editor" id="zoom">',
        f'{spam}<div class="TRS_Editor" id="zoom"><p style="text-align:center;"><a href="/files/P020240218.pdf" '
        'title="P020240218.pdf"><img src="/images/icon_pdf.gif" border="0" alt=""/></a></p>',  # an icon only
        1,
    )
    engine, outcomes = ingest_all(tmp_path, [
        exchange("/nb.html", html.encode(), "text/html; charset=utf-8", T0),
        exchange("/files/P020240218.pdf", PDF.read_bytes(), "application/pdf", T0 + timedelta(seconds=1)),
    ])  # fmt: skip
    assert outcomes == ["capture", "report"]
    (record,) = exported(engine)
    assert record["url"] == BASE + "/files/P020240218.pdf" and record["page_url"] == BASE + "/nb.html"
    assert record["published_on"] == "2024-02-18"
    assert record["title"] == "青禾市溪桥区人民政府2023年政府信息公开工作年度报告(图片版)"
    with sessions(engine)() as session:
        pdf_doc = session.scalars(select(Document).where(Document.kind == "pdf")).one()
        assert {s["href"] for s in pdf_doc.spam} == {
            "http://www.bjl-live.example/",
            "http://www.lhc-kj.example/",
        }
        page_doc = session.scalars(select(Document).where(Document.kind == "html")).one()
        assert page_doc.text == "" and page_doc.page_metadata["发布日期"] == "2024-02-18"


def test_a_report_page_behind_an_anti_bot_wall_is_a_recorded_failure(tmp_path: Path) -> None:
    """A 412 JavaScript challenge where the listing promised a report: recorded (stage `blocked`),
    so the audit shows the report as found but unread instead of missing; other challenged pages
    (a listing, a home page) stay plain captures."""
    from datetime import date

    from archive.audit import audit_rows

    challenge = (Path(__file__).parent / "world/jsportal/challenge.html").read_bytes()
    listing = ('<html><head><meta charset="utf-8"><title>政府信息公开年报_青禾市人民政府</title></head><body>'
               '<ul class="list"><li><a href="/nb/t20240126_1.html">青禾市水利局2023年政府信息公开工作年度报告</a>'
               "<span>2024-01-26</span></li></ul></body></html>")  # fmt: skip
    blocked = [
        dataclasses.replace(exchange(path, challenge, "text/html; charset=utf-8", T0 + timedelta(seconds=i)), status=412)
        for i, path in enumerate(("/nb/t20240126_1.html", "/zwgk/index.html"), start=1)
    ]  # fmt: skip
    engine, outcomes = ingest_all(
        tmp_path, [exchange("/nb/index.html", listing.encode(), "text/html; charset=utf-8", T0), *blocked]
    )
    assert outcomes == ["capture", "blocked", "blocked"]
    with sessions(engine)() as session:
        failures = session.scalars(select(Failure)).all()
        assert [(f.url, f.stage) for f in failures] == [(BASE + "/nb/t20240126_1.html", "blocked")]
        assert "anti-bot" in failures[0].reason and "412" in failures[0].reason
        rows = audit_rows(session, {}, year=None, today=date(2026, 11, 21))
    (row,) = [r for r in rows if r.url]
    assert (row.agency, row.year, row.url) == ("青禾市水利局", 2023, BASE + "/nb/t20240126_1.html")
    assert row.parse_failure.startswith("blocked: anti-bot") and row.status != "missing"


def test_a_spreadsheet_attached_to_a_report_is_archived_and_recorded_as_not_parsed(tmp_path: Path) -> None:
    """附件2 is the report's tables as a workbook: a failure that says why, and not a second report
    (the PDF beside it stays the page's rendition, titled by the page)."""
    html = with_attachment("/files/nb2023.pdf", "附件1：年度报告全文.pdf").replace(
        "</a></p>", '</a></p><p><a href="/files/nb2023tj.xls">附件2：年度报告统计表.xls</a></p>', 1
    )
    ole_xls = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 3000
    )
    engine, outcomes = ingest_all(tmp_path, [
        exchange("/nb.html", html.encode(), "text/html; charset=utf-8", T0),
        exchange("/files/nb2023.pdf", PDF.read_bytes(), "application/pdf", T0 + timedelta(seconds=1)),
        exchange("/files/nb2023tj.xls", ole_xls, "application/vnd.ms-excel", T0 + timedelta(seconds=2)),
    ])  # fmt: skip
    assert outcomes == ["report", "unchanged", "failure"]
    assert counts(engine) == (1, 1, 2)
    with sessions(engine)() as session:
        (failure,) = session.scalars(select(Failure)).all()
        assert failure.url == BASE + "/files/nb2023tj.xls" and failure.stage == "extract"
        assert failure.reason == "XLS attachment: spreadsheet attachments are not parsed"


def test_cells_and_checks_inserted_through_the_driver_read_back_as_insert_stores_them(tmp_path: Path) -> None:
    """`insert_many` passes SQLAlchemy's per-row handling by on SQLite: each value must still be
    bound as its column type binds it (a Decimal as NUMERIC, a bool, a NULL, a NUL stripped)."""
    from decimal import Decimal

    from sqlalchemy import insert

    from archive.db import CellRow, CheckRow, without_nul
    from archive.dbwrite import insert_many

    html = PAGE.read_text(encoding="utf-8").encode()
    engine, _ = ingest_all(tmp_path, [exchange("/nb.html", html, "text/html; charset=utf-8", T0)])
    cells = [Decimal("12"), Decimal("0.5"), Decimal("1234567.25"), None, Decimal("-3")]
    checks = [(True, "ok"), (False, "总数 12 ≠ 11\x00"), (True, "")]
    with sessions(engine, write=True).begin() as session:
        version = session.scalars(select(VersionRow)).one().id
        for table, rows in (
            (CellRow.__table__, [{"version_id": version, "key": f"k{i}", "value": v} for i, v in enumerate(cells)]),
            (CheckRow.__table__, without_nul(
                [{"version_id": version, "rule": f"r{i}", "column": "c", "ok": ok, "detail": d}
                 for i, (ok, d) in enumerate(checks)]
            )),
        ):  # fmt: skip
            session.execute(table.delete())
            insert_many(session, table, rows)
            by_driver = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            session.execute(table.delete())
            session.execute(insert(table), rows)
            by_insert = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            assert [r[1:] if table is CheckRow.__table__ else r for r in by_driver] == [
                r[1:] if table is CheckRow.__table__ else r for r in by_insert
            ]
            assert len(by_driver) == len(rows)
        raw = session.execute(text("SELECT typeof(value), value FROM cells ORDER BY key")).all()
        assert [v for _, v in raw] == [12, 0.5, 1234567.25, None, -3]
        stored = session.scalars(select(CheckRow.detail).order_by(CheckRow.rule)).all()
        assert stored == ["ok", "总数 12 ≠ 11", ""]
