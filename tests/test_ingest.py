"""Ingest rules on real WARC records: renditions and reposts are captures, edits are versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from archive.db import ReportCapture, ReportRow, VersionRow, open_database, sessions
from archive.ingest import ingest_record, start_run
from archive.warcstore import HttpExchange, WarcStore, read_record
from nianbao.sample_portal.server import SITE_DIR

PAGE = SITE_DIR / "zwgk/zfxxgknb/202401/t20240125_3162011.html"  # 发改委 2023, parses as a report
PDF = Path(__file__).resolve().parent / "fixtures/documents/chromium_2021.pdf"  # another report's numbers
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
    outcomes = []
    with sessions(engine).begin() as session:
        run = start_run(session, "crawl")
        for ref in refs:
            outcomes.append(
                ingest_record(session, read_record(tmp / "warc", ref.filename, ref.offset), run).outcome
            )
    return engine, outcomes


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
