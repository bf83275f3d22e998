"""`nianbao wacz`: the archive (or a year's reports) as a WACZ that py-wacz's validator accepts,
whose index reads back record by record, whose page list is the export's reports with their text,
and whose POSTed list pages replay under pywb's request-body keys.

The store is a real crawl of the Hanweb fixture portal (reports of six years, two list pages only
behind a POSTed paging proxy), plus what a later crawl and a scan would add: a not-modified revisit
of a 2023 report, a conversion record (OCR text) made from that report's capture, and a WARC file a
crawl is still writing (`.open`), whose record must stay out.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from archive.catchup import catch_up_store
from archive.db import Capture, open_database, sessions
from archive.wacz import Selection, WaczError, build_wacz
from archive.wacz.inventory import closure, scan, unresolved_revisits, warc_inputs
from archive.warcstore import HttpExchange, RecordRef, WarcStore
from nianbao.cli import main
from nianbao.sample_portal.build import report_page
from nianbao.sample_portal.content import REPORTS
from settings.registry import load_registry
from tests.archived import capture, ingest_archive
from tests.world import crawl_portal
from tests.world.hanweb import PORTAL
from tests.world.hanweb import build as hb

YEAR = 2023
INDEXED = ("response", "revisit", "resource")
LATER = datetime(2031, 1, 5, 8, tzinfo=UTC)  # a re-crawl after the crawl (whose clock is now)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    data = tmp_path_factory.mktemp("wacz")
    records = crawl_portal(PORTAL, data, timeout=300)
    warc = data / "warc"
    engine = open_database(f"sqlite:///{data / 'nianbao.sqlite'}")
    target = next(r for r in records if r["year"] == YEAR)
    with sessions(engine)() as session:
        page = session.scalars(
            select(Capture).where(Capture.url == target["url"], Capture.record_type == "response")
        ).one()
        ref = RecordRef(
            page.warc_filename, page.warc_offset, page.warc_length, page.record_id,
            page.fetched_at.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), page.payload_digest,
        )  # fmt: skip
    with WarcStore(warc) as store:  # the re-crawl: the page answers 304 to its conditional request
        revisit = store.write_revisit(
            _exchange(target["url"], 304, LATER), profile="server-not-modified", refers_to=ref,
            refers_to_uri=target["url"],
        )  # fmt: skip
    with WarcStore(warc, prefix="nianbao-derived") as derived:  # text a converter made of the capture
        derived.write_conversion(
            target["url"], "识别的文字", refers_to=ref.record_id,
            fields={"WARC-Nianbao-Converter": "test-ocr 1.0"}, fetched_at=LATER,
        )  # fmt: skip
    assert catch_up_store(engine, warc)["unchanged"] == 1  # the revisit shows the report
    with WarcStore(warc, prefix="nianbao-zz") as unfinished:  # a crawl still writing this file
        unfinished.write_exchange(_exchange(f"{_base(target)}/unfinished.html", 200, LATER))
    [closed] = warc.glob("nianbao-zz-*.warc.gz")
    closed.rename(closed.with_name(closed.name + ".open"))

    warnings: list[str] = []
    full = data / "all.wacz"
    summary = build_wacz(engine, warc, full, warn=warnings.append)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):  # the command as a user runs it, in this process
        status = main(["wacz", "--data", str(data), "--year", str(YEAR), "--out", str(data / "year.wacz")])
    assert status == 0, stderr.getvalue()
    return SimpleNamespace(
        data=data, engine=engine, records=records, full=full, year=data / "year.wacz", summary=summary,
        warnings=warnings, cli=stderr.getvalue(), target=target, revisit=revisit, open_name=closed.name + ".open",
    )  # fmt: skip


def _base(record: dict) -> str:
    parts = urlsplit(record["url"])
    return f"{parts.scheme}://{parts.netloc}"


def _exchange(url: str, status: int, when: datetime) -> HttpExchange:
    body = b"<html><head><title>x</title></head><body>x</body></html>" if status == 200 else b""
    return HttpExchange(
        url=url, method="GET", request_headers=[("Host", urlsplit(url).netloc)], request_body=b"",
        protocol="HTTP/1.1", status=status, reason=None, response_headers=[("Content-Type", "text/html")],
        body=body, ip_address="127.0.0.1", fetched_at=when,
    )  # fmt: skip


def _index(wacz: Path) -> list[tuple[str, str, dict]]:
    """(urlkey, timestamp, fields) of every CDXJ line, read through the ZipNum block index."""
    with zipfile.ZipFile(wacz) as zf:
        blocks = zf.read("indexes/index.cdx.gz")
        idx = zf.read("indexes/index.idx").decode().splitlines()
    lines = []
    for entry in idx[1:]:  # after the !meta line
        at = json.loads(entry.split(" ", 2)[2])
        lines += gzip.decompress(blocks[at["offset"] : at["offset"] + at["length"]]).decode().splitlines()
    assert lines == sorted(lines)
    return [(key, ts, json.loads(rest)) for key, ts, rest in (line.split(" ", 2) for line in lines)]


def _pages(wacz: Path, name: str = "pages/pages.jsonl") -> tuple[dict, list[dict]]:
    with zipfile.ZipFile(wacz) as zf:
        header, *pages = (json.loads(line) for line in zf.read(name).decode().splitlines())
    return header, pages


def _warc_records(wacz: Path) -> list[tuple[str, int, object]]:
    """(file name, offset, record) of every record of every WARC file in the package."""
    found = []
    with zipfile.ZipFile(wacz) as zf:
        for name in zf.namelist():
            if name.startswith("archive/"):
                it = ArchiveIterator(io.BytesIO(zf.read(name)))
                for rec in it:
                    rec.content_stream().read()
                    found.append((name.removeprefix("archive/"), it.get_record_offset(), rec))
    return found


def _validate(wacz: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from wacz.main import main as wacz_main

    capsys.readouterr()
    assert wacz_main(["validate", "-f", str(wacz)]) == 0, capsys.readouterr().out
    assert "Validation succeeded" in capsys.readouterr().out


def test_packages_pass_the_wacz_validator(built: SimpleNamespace, capsys: pytest.CaptureFixture[str]) -> None:
    for wacz in (built.full, built.year):
        _validate(wacz, capsys)
        with zipfile.ZipFile(wacz) as zf:
            infos = {i.filename: i for i in zf.infolist()}
            package = json.loads(zf.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1"
        assert {r["path"] for r in package["resources"]} == set(infos) - {
            "datapackage.json", "datapackage-digest.json"
        }  # fmt: skip
        warcs = [n for n in infos if n.startswith("archive/")]
        assert warcs and all(infos[n].compress_type == zipfile.ZIP_STORED for n in warcs)
        assert infos["indexes/index.cdx.gz"].compress_type == zipfile.ZIP_STORED
    with zipfile.ZipFile(built.full) as zf:
        names = {n.removeprefix("archive/") for n in zf.namelist() if n.startswith("archive/")}
    # the crawl's file, the re-crawl's, the derived (OCR text) file; never the unfinished one
    assert names == {p.name for p in (built.data / "warc").glob("*.warc.gz")} and len(names) == 3
    [warning] = built.warnings  # the unfinished file, nothing else (every record indexed, every report paged)
    assert built.open_name in warning
    assert built.open_name in built.cli


def test_index_has_one_line_per_replayable_record_that_reads_back(built: SimpleNamespace) -> None:
    for wacz in (built.full, built.year):
        lines = _index(wacz)
        records = _warc_records(wacz)
        replayable = {(f, o) for f, o, r in records if r.rec_type in INDEXED}
        assert Counter((f["filename"], int(f["offset"])) for _, _, f in lines) == Counter(replayable)
        with zipfile.ZipFile(wacz) as zf:
            for _, ts, fields in lines:
                raw = zf.read(f"archive/{fields['filename']}")
                start = int(fields["offset"])
                member = raw[start : start + int(fields["length"])]
                [rec] = list(ArchiveIterator(io.BytesIO(member)))  # exactly one record in the range
                assert rec.rec_headers.get_header("WARC-Target-URI") == fields["url"]
                assert (rec.rec_type == "revisit") == (fields["mime"] == "warc/revisit")
                assert (
                    rec.rec_headers.get_header("WARC-Date")
                    .replace("-", "")
                    .replace(":", "")
                    .replace("T", "")
                    .startswith(ts)
                )


def test_pages_list_every_report_with_its_clean_text(built: SimpleNamespace) -> None:
    header, pages = _pages(built.full)
    assert header["format"] == "json-pages-1.0" and header["hasText"] is True
    exported = {r["page_url"]: r for r in built.records}
    assert sorted(p["url"] for p in pages) == sorted(exported)
    lines = {(f["url"], ts) for _, ts, f in _index(built.full)}
    for page in pages:
        record = exported[page["url"]]
        assert page["title"] == record["title"] and page["text"] == record["text"]
        compact = page["ts"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        assert (page["url"], compact) in lines  # the entry opens a capture the index holds
    _, listings = _pages(built.full, "pages/extraPages.jsonl")
    listed = {urlsplit(p["url"]).path: p for p in listings}
    column = f"/col/col{hb.COL_NB}/index.html"  # its reports are drawn from the embedded list and the POSTs
    assert column in listed and listed[column]["title"].startswith("政府信息公开年报")
    assert not set(listed) & {urlsplit(u).path for u in exported}


def test_a_year_holds_only_that_years_reports_and_what_they_need(built: SimpleNamespace) -> None:
    _, pages = _pages(built.year)
    wanted = {r["page_url"] for r in built.records if r["year"] == YEAR}
    others = {r["url"] for r in built.records if r["year"] != YEAR}
    assert wanted and others
    assert {p["url"] for p in pages} == wanted
    lines = _index(built.year)
    assert {f["url"] for _, _, f in lines} == wanted  # no other year, no listing
    records = _warc_records(built.year)
    kinds = Counter(r.rec_type for _, _, r in records)
    assert kinds["request"] == kinds["response"] + kinds["revisit"]  # each capture with its request
    assert kinds["conversion"] == 1  # the OCR text made from a selected capture
    # the revisit is in, and the record holding its payload too: it replays
    [revisit] = [r for _, _, r in records if r.rec_type == "revisit"]
    assert revisit.rec_headers.get_header("WARC-Record-ID") == built.revisit.record_id
    referred = revisit.rec_headers.get_header("WARC-Refers-To")
    assert any(r.rec_headers.get_header("WARC-Record-ID") == referred for _, _, r in records)
    compact = revisit.rec_headers.get_header("WARC-Refers-To-Date")[:19]
    compact = compact.replace("-", "").replace(":", "").replace("T", "")
    assert (built.target["url"], compact) in {
        (f["url"], ts) for _, ts, f in lines if f["mime"] != "warc/revisit"
    }
    with zipfile.ZipFile(built.year) as zf:
        [warc] = [n for n in zf.namelist() if n.startswith("archive/")]
    assert warc.startswith("archive/nianbao-selection-")


def test_post_list_pages_are_keyed_by_their_body(built: SimpleNamespace) -> None:
    posts = [(key, f) for key, _, f in _index(built.full) if "dataproxy.jsp" in f["url"]]
    assert len(posts) == 2
    for key, fields in posts:
        assert fields["method"] == "POST"
        form = parse_qs(fields["requestBody"])
        assert form["columnid"] == [hb.COL_NB] and form["webid"] == [hb.WEBID]
        assert "__wb_method=post&" in key and f"columnid={hb.COL_NB}" in key
    assert posts[0][0] != posts[1][0]


def test_a_portal_selects_its_reports_and_a_bad_selection_is_refused(
    built: SimpleNamespace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry_file = tmp_path / "registry.toml"
    registry_file.write_text(
        '[[portal]]\nname = "江北市人民政府"\nregion = "测试省"\nlevel = "municipal"\n'
        f'home = "{_base(built.target)}/"\nhosts = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    registry = load_registry(registry_file)
    selection = Selection(portal=registry["江北市人民政府"], registry=registry)
    summary = build_wacz(built.engine, built.data / "warc", tmp_path / "portal.wacz", selection)
    assert summary.pages == len(built.records)
    with pytest.raises(WaczError, match="no stored report matches"):
        build_wacz(built.engine, built.data / "warc", tmp_path / "none.wacz", Selection(year=1999))
    assert not (tmp_path / "none.wacz").exists()
    assert (
        main(["wacz", "--data", str(built.data), "--portal", "不存在", "--out", str(tmp_path / "x.wacz")])
        == 2
    )
    assert "unknown portal" in capsys.readouterr().err


def test_a_revisit_brings_the_records_it_needs_to_replay(built: SimpleNamespace) -> None:
    """The closure on its own, from the revisit alone: its payload record (found by WARC-Refers-To),
    both requests, the OCR text made from the payload record, and each file's warcinfo."""
    members = scan(warc_inputs(built.data / "warc")[0])
    chosen, missing = closure(members, [built.revisit.record_id, "<urn:uuid:not-archived>"])
    assert missing == {"<urn:uuid:not-archived>"}
    kinds = Counter(m.type for m in chosen)
    assert kinds == {"revisit": 1, "response": 1, "request": 2, "conversion": 1, "warcinfo": 3}
    [response] = [m for m in chosen if m.type == "response"]
    assert response.url == built.target["url"] and response.record_id == next(
        m.refers_to for m in chosen if m.type == "revisit"
    )
    assert chosen == sorted(chosen, key=lambda m: members.index(m))  # archive order: requests stay adjacent
    assert not unresolved_revisits(chosen) and unresolved_revisits([m for m in chosen if m is not response])


def test_a_fixed_url_gives_a_year_only_the_captures_that_showed_that_years_report(tmp_path: Path) -> None:
    """A 年报 URL that showed the 2022 report, then the 2023 one: two reports, and a 2023 package
    takes the URL's 2023 capture only."""
    url = "https://www.qingheshi.gov.cn/zwgk/zfxxgknb/nb.html"
    store = WarcStore(tmp_path / "warc")
    capture(store, url, report_page(REPORTS[5]).encode(), datetime(2023, 2, 1, tzinfo=UTC))
    capture(store, url, report_page(REPORTS[4]).encode(), datetime(2024, 2, 1, tzinfo=UTC))
    store.close()
    engine = ingest_archive(tmp_path)
    summary = build_wacz(engine, tmp_path / "warc", tmp_path / "y.wacz", Selection(year=2023))
    assert summary.pages == 1 and summary.index_lines == 1
    [(_, ts, fields)] = _index(tmp_path / "y.wacz")
    assert fields["url"] == url and ts.startswith("20240201")
    _, pages = _pages(tmp_path / "y.wacz")
    assert [p["title"] for p in pages] == [REPORTS[4].title]


# --- ReplayWeb.page -----------------------------------------------------------------------------


def test_byte_ranges_the_service_worker_asks_for() -> None:
    from archive.serve.rwp import byte_range

    assert byte_range("bytes=0-99", 1000) == (0, 99)
    assert byte_range("bytes=900-", 1000) == (900, 999)
    assert byte_range("bytes=-22", 1000) == (978, 999)  # the zip's end-of-central-directory
    assert byte_range("bytes=990-2000", 1000) == (990, 999)
    assert byte_range("bytes=5-1,7-9", 1000) is None and byte_range(None, 1000) is None
    assert byte_range("bytes=2000-", 1000) is None


def test_replaywebpage_opens_the_package_on_a_report(built: SimpleNamespace, tmp_path: Path) -> None:
    """`nianbao serve --wacz` opens the year's package in ReplayWeb.page, in chromium: the report
    page replays from the package (its service worker reading the WACZ by byte ranges). Its latest
    capture is a not-modified revisit, which must show the payload it repeats, not a blank 304."""
    import os
    import threading
    import urllib.request

    from archive.serve import make_server
    from archive.serve.rwp import replaywebpage_dir

    if replaywebpage_dir() is None or not Path("/usr/bin/chromium").exists():
        reason = "ReplayWeb.page (./setup.sh unpacks it into .venv/share) or chromium is missing"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    server = make_server(built.engine, built.data, registry=load_registry(), port=0, waczs=[built.year])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        ranged = urllib.request.Request(f"{base}/wacz/year.wacz", headers={"Range": "bytes=-22"})
        with urllib.request.urlopen(ranged, timeout=10) as resp:  # the zip's end record, as asked
            assert resp.status == 206 and resp.read()[:4] == b"PK\x05\x06"
        target = built.target
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
            )  # fmt: skip
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{base}/rwp/year.wacz?url={target['url']}")
            replayed = page.frame_locator("replay-web-page iframe").frame_locator("iframe")
            replayed.locator("body").wait_for(state="attached", timeout=60_000)
            replayed.get_by_text(target["title"]).first.wait_for(timeout=60_000)
            cells = replayed.locator("td").all_inner_texts()
            new_total = target["cells"]["applications.new.total"]
            assert str(new_total) in [c.strip() for c in cells]
            shot = tmp_path / "replaywebpage.png"
            page.screenshot(path=str(shot))
            print(f"ReplayWeb.page screenshot: {shot}")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
