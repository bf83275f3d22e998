"""The whole pipeline over real HTTP: crawl the bundled sample portal on 127.0.0.1, then check the
store against what the portal serves, the WARC files record by record, re-parse offline, and a
crawl killed midway.

The crawl runs as `nianbao crawl` in a subprocess, as a user runs it (a Twisted reactor cannot be
restarted inside the test process).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
from base64 import b32encode
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warcstore import discard_staging, iter_records, read_record, recover
from nianbao.sample_portal.server import serve

PORTAL = Path(__file__).resolve().parents[1] / "nianbao" / "sample_portal"
EXPECTED = json.loads((PORTAL / "expected.json").read_text(encoding="utf-8"))
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]


def nianbao(*args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=timeout
    )
    if check:
        assert proc.returncode == 0, f"nianbao {' '.join(args)} failed:\n{proc.stderr[-4000:]}"
    return proc


def export(data: Path) -> str:
    return nianbao("export", "--data", str(data)).stdout


def raw_get(base: str, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """A direct request without any decoding, to compare with what the archive kept."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip, deflate"})
    response = conn.getresponse()
    return response.status, response.getheaders(), response.read()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    data = tmp_path_factory.mktemp("crawl")
    with serve() as base, pytest.MonkeyPatch.context() as env:
        # As on a fresh machine: tldextract's cache empty, and any HTTPS request it would make sent to a
        # dead proxy, so an attempt to download the Public Suffix List shows on stderr even online.
        env.setenv("TLDEXTRACT_CACHE", str(tmp_path_factory.mktemp("tldextract")))
        env.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
        proc = nianbao("crawl", base, "--data", str(data), *FAST)
        home = raw_get(base, "/")
    exported = export(data)
    records = [json.loads(line) for line in exported.splitlines()]
    return SimpleNamespace(
        data=data, base=base.rstrip("/"), stderr=proc.stderr, stdout=proc.stdout, export=exported,
        records=records, home=home,
    )  # fmt: skip


def test_the_summary_counts_the_scanned_report_read_not_unparsed(crawl: SimpleNamespace) -> None:
    """The 图片版 page's own text fails, then its pictures are read: the page is parsed after all."""
    summary = crawl.stdout + crawl.stderr
    assert re.search(r"report pages not parsed\s*│\s*0\s*│", summary), summary[-3000:]
    assert re.search(r"scanned documents read by OCR \(pages\)\s*│\s*1 \(4\)", summary), summary[-3000:]
    assert "reports found" in summary


def by_url(crawl: SimpleNamespace) -> dict[str, dict]:
    return {urlsplit(r["url"]).path: r for r in crawl.records}


def db_rows(data: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data / "nianbao.sqlite") as conn:
        return conn.execute(sql).fetchall()


# The 图片版 report is read by OCR: a cell may be unread (null, listed), never wrong or silently null.
SCANNED = {r["path"] for r in EXPECTED["reports"] if r["scanned"]}
SCANNED_EXACT = 0.9  # share of its cells read exactly, at least (the rest listed unresolved)


def assert_scanned_cells(path: str, got: dict, unresolved: list[str], expected: dict) -> None:
    """No wrong number, no silent null, and most cells read."""
    wrong = [k for k, v in got.items() if v is not None and v != expected.get(k)]
    silent = [k for k, v in expected.items() if v is not None and got.get(k) is None and k not in unresolved]
    assert not wrong and not silent, (path, wrong, silent)
    exact = sum(got.get(k) == v for k, v in expected.items())
    assert exact >= SCANNED_EXACT * len(expected), (path, f"{exact} of {len(expected)} cells exact")


def test_every_report_is_stored_exactly(crawl: SimpleNamespace) -> None:
    stored = by_url(crawl)
    assert SCANNED
    for expected in EXPECTED["reports"]:
        path = expected["path"]
        assert path in stored, f"report {path} not found; stored: {sorted(stored)}"
        got = stored[path]
        for field in ("agency", "year", "published_on", "index_no", "format", "processing_fee_yuan"):
            assert got[field] == expected[field], (path, field)
        assert unicodedata.normalize("NFKC", got["title"]) == unicodedata.normalize("NFKC", expected["title"])
        if path in SCANNED:
            assert got["quality"]["needs_review"] and any("OCR" in n for n in got["quality"]["notes"])
            assert_scanned_cells(path, got["cells"], got["quality"]["unresolved"], expected["cells"])
            continue
        assert got["cells"] == expected["cells"], path
        assert got["schema"] == "nianbao.report/1"
        assert got["page_url"] == got["url"] == crawl.base + path
        assert got["first_seen"].endswith("Z")
    assert len(stored) == len(EXPECTED["reports"]), sorted(
        set(stored) - {r["path"] for r in EXPECTED["reports"]}
    )


def test_cells_in_the_database_match_the_export(crawl: SimpleNamespace) -> None:
    rows = db_rows(
        crawl.data,
        "select r.url, c.key, c.value from cells c join report_versions v on v.id = c.version_id "
        "join reports r on r.id = v.report_id",
    )
    cells: dict[str, dict[str, object]] = defaultdict(dict)
    for url, key, value in rows:
        cells[urlsplit(url).path][key] = value
    stored = by_url(crawl)
    for expected in EXPECTED["reports"]:
        unresolved = stored[expected["path"]]["quality"]["unresolved"]
        for key, value in expected["cells"].items():
            got = cells[expected["path"]][key]
            if got is None and key in unresolved:
                continue  # unread, and said so
            assert (got is None and value is None) or float(got) == float(value), (expected["path"], key)


def test_lookalikes_are_not_stored_as_reports(crawl: SimpleNamespace) -> None:
    stored = by_url(crawl)
    fetched = {urlsplit(u).path for (u,) in db_rows(crawl.data, "select url from captures")}
    for path in EXPECTED["not_reports"]:
        assert path not in stored, path
    # the crawler did meet look-alikes and turned them down, not just miss them
    assert fetched & set(EXPECTED["not_reports"])


def test_the_crawl_is_quiet_and_asks_nothing_outside_its_scope(crawl: SimpleNamespace) -> None:
    assert "Traceback" not in crawl.stderr, crawl.stderr[-4000:]
    assert "Public Suffix List" not in crawl.stderr and "tldextract" not in crawl.stderr


def test_a_page_that_fails_to_parse_is_archived_and_recorded(crawl: SimpleNamespace) -> None:
    failures = {urlsplit(u).path: (stage, reason) for u, stage, reason in db_rows(
        crawl.data, "select url, stage, reason from failures")}  # fmt: skip
    archived = {urlsplit(r.url).path for r in iter_records(crawl.data / "warc", types=("response",))}
    assert EXPECTED["failures"]
    for failure in EXPECTED["failures"]:
        assert failure["path"] in failures, failure
        assert failure["reason"] in failures[failure["path"]][1]
        assert failure["path"] in archived


def test_warc_has_request_and_response_for_every_url_fetched(crawl: SimpleNamespace) -> None:
    types: dict[str, set[str]] = defaultdict(set)
    files = sorted((crawl.data / "warc").glob("*.warc.gz"))
    assert files and not list((crawl.data / "warc").glob("*.open"))
    for path in files:
        with open(path, "rb") as fh:
            records = list(ArchiveIterator(fh))
        assert records[0].rec_type == "warcinfo"
        for record in records[1:]:
            types[record.rec_headers.get_header("WARC-Target-URI")].add(record.rec_type)
    captured = {u for (u,) in db_rows(crawl.data, "select url from captures")}
    assert captured
    for url in captured | {crawl.base + "/robots.txt"}:
        assert {"request", "response"} <= types[url], url


def test_warc_keeps_status_headers_and_body_as_sent(crawl: SimpleNamespace) -> None:
    status, headers, raw = crawl.home
    home = next(
        r for r in iter_records(crawl.data / "warc", types=("response",)) if r.url == crawl.base + "/"
    )
    assert home.status == status == 200
    cookies = [v for k, v in headers if k.lower() == "set-cookie"]
    assert len(cookies) == 2
    archived_cookies = [v for k, v in home.headers if k.lower() == "set-cookie"]
    assert [c.split("=")[0] for c in archived_cookies] == [c.split("=")[0] for c in cookies]
    assert dict((k.lower(), v) for k, v in home.headers)["content-encoding"] == "gzip"
    assert home.raw_body[:2] == b"\x1f\x8b"  # stored content-encoded, as sent
    assert home.body == gzip.decompress(raw)
    digest = "sha1:" + b32encode(hashlib.sha1(home.raw_body).digest()).decode()
    assert home.ref.payload_digest == digest


def test_warcio_check_passes_on_every_file(crawl: SimpleNamespace) -> None:
    for path in sorted((crawl.data / "warc").glob("*.warc.gz")):
        proc = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_clean_text_holds_no_furniture_and_no_spam(crawl: SimpleNamespace) -> None:
    assert crawl.records
    for record in crawl.records:
        for word in EXPECTED["furniture"] + EXPECTED["spam"]:
            assert word not in record["text"], (record["url"], word)


def test_reparse_offline_gives_an_identical_export(crawl: SimpleNamespace, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(crawl.data, copy)
    (copy / "nianbao.sqlite").unlink()  # rebuilt from the WARC files alone
    for extra in copy.glob("nianbao.sqlite-*"):
        extra.unlink()
    nianbao("reparse", "--data", str(copy))
    assert export(copy) == crawl.export


def test_export_format_json_is_the_specs_name_for_the_same_lines(crawl: SimpleNamespace) -> None:
    # shared/spec/REPORT.md: `nianbao export --format json` prints one JSON object per report
    out = nianbao("export", "--data", str(crawl.data), "--format", "json").stdout
    assert out == crawl.export
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(EXPECTED["reports"]) and all(
        r["schema"] == "nianbao.report/1" for r in records
    )


def test_csv_export_has_a_row_per_report_and_every_cell(crawl: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "reports.csv"
    nianbao("export", "--data", str(crawl.data), "--format", "csv", "--out", str(out))
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == len(EXPECTED["reports"])
    expected = {crawl.base + r["path"]: r for r in EXPECTED["reports"]}
    stored = by_url(crawl)
    for row in rows:
        unresolved = stored[urlsplit(row["url"]).path]["quality"]["unresolved"]
        for key, value in expected[row["url"]]["cells"].items():
            if row[key] == "" and key in unresolved:
                continue  # unread, and said so
            assert row[key] == ("" if value is None else str(value)), (row["url"], key)


def test_killing_a_crawl_midway_leaves_every_warc_readable(tmp_path: Path) -> None:
    data = tmp_path / "killed"
    with serve(delay=0.15) as base:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", "crawl", base, "--data", str(data), *FAST,
             "-s", "NIANBAO_WARC_MAX_SIZE=6000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        warc = data / "warc"
        two_closed_at = None
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list(warc.glob("*.warc.gz"))) >= 2:
                two_closed_at = two_closed_at or time.monotonic()
                # kill while a file is open, or, when records are larger than a file (each one
                # rotates it at once), between two files: both are moments a crash can meet
                if list(warc.glob("*.open")) or time.monotonic() - two_closed_at > 0.5:
                    break
            time.sleep(0.01)
        assert proc.poll() is None, "the crawl ended before it could be killed midway"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    closed = sorted(warc.glob("*.warc.gz"))
    still_open = sorted(warc.glob("*.warc.gz.open"))
    starting = sorted(warc.glob("*.warc.gz.open.part"))
    # the kill lands while a file is open (usual), being started, or between rotation and the
    # next record: at most one unfinished file, and a staging file never beside an open one
    assert len(closed) >= 2 and len(still_open) + len(starting) <= 1
    for path in closed:
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True)
        assert check.returncode == 0, path
    complete = list(iter_records(warc))  # reads the .open file's complete records, no exception
    assert complete
    for path in still_open:
        recovered = recover(path)
        check = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", str(recovered)], capture_output=True
        )
        assert check.returncode == 0
    assert discard_staging(warc) == starting
    assert len(list(iter_records(warc))) == len(complete)


def test_reparse_in_place_keeps_the_old_run_until_pruned(crawl: SimpleNamespace, tmp_path: Path) -> None:
    copy = tmp_path / "inplace"
    shutil.copytree(crawl.data, copy)
    nianbao("reparse", "--data", str(copy))
    runs = db_rows(copy, "select id, kind, superseded_by from parse_runs order by id")
    assert [(kind, by) for _, kind, by in runs] == [("crawl", runs[1][0]), ("reparse", None)]
    versions = db_rows(copy, "select parse_run_id, count(*) from report_versions group by parse_run_id")
    assert [n for _, n in versions] == [len(EXPECTED["reports"])] * 2  # old run's versions kept
    assert db_rows(copy, "select count(*) from captures") == db_rows(
        crawl.data, "select count(*) from captures"
    )
    assert export(copy) == crawl.export
    nianbao("prune", "--data", str(copy))
    assert db_rows(copy, "select kind from parse_runs") == [("reparse",)]
    assert db_rows(copy, "select count(*) from report_versions") == [(len(EXPECTED["reports"]),)]
    assert export(copy) == crawl.export


def test_the_crawls_parse_run_is_marked_finished_when_the_crawl_stops(crawl: SimpleNamespace) -> None:
    runs = db_rows(crawl.data, "select kind, finished_at from parse_runs")
    assert [kind for kind, _ in runs] == ["crawl"] and runs[0][1] is not None


def test_every_stored_value_traces_back_to_its_warc_record(crawl: SimpleNamespace) -> None:
    rows = db_rows(
        crawl.data,
        "select c.warc_filename, c.warc_offset, c.record_id, r.parser_version, v.data from report_versions v "
        "join documents d on d.id = v.document_id join captures c on c.id = d.capture_id "
        "join parse_runs r on r.id = v.parse_run_id",
    )
    assert len(rows) == len(EXPECTED["reports"])
    pictures = {
        urlsplit(url).path
        for (url,) in db_rows(
            crawl.data,
            "select l.url from page_links l join captures c on c.id = l.capture_id where l.kind = 'image'",
        )
    }
    for filename, offset, record_id, parser_version, data in rows:
        record = read_record(crawl.data / "warc", filename, offset)
        assert record.ref.record_id == record_id and parser_version
        if record.body.startswith(b"\xff\xd8\xff"):  # the 图片版 report: read from its page's last picture
            assert urlsplit(record.url).path in pictures
            continue
        assert json.loads(data)["title"].encode("utf-8") in record.body or json.loads(data)["title"] in (
            record.body.decode("gb18030", "replace")
        )
