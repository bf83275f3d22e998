"""The WARC store against warcio itself: what is written must be honest, valid and survive a crash."""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from base64 import b32encode
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warcstore import (
    CAPTURE_TYPES,
    DROPPED_FIELD,
    RECONSTRUCTED_FIELD,
    HttpExchange,
    RecordRef,
    RecoveryError,
    WarcStore,
    discard_staging,
    headers_without,
    iter_records,
    read_record,
    recover,
)

REPO = Path(__file__).resolve().parents[1]
WHEN = datetime(2026, 11, 21, 8, 30, 15, 123456, tzinfo=UTC)
HTML = "<html><head><meta charset='gbk'></head><body>2023年政府信息公开工作年度报告</body></html>"
NAME_RE = re.compile(r"^nianbao-\d{14}-(\d{5})-[A-Za-z0-9]+-[0-9a-f]{6}\.warc\.gz$")


def sha1_b32(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def exchange(url: str, body: bytes = b"", **kw) -> HttpExchange:
    fields = {
        "method": "GET",
        "request_headers": [("User-Agent", "nianbao-test"), ("Accept-Encoding", "gzip, deflate")],
        "request_body": b"",
        "protocol": "HTTP/1.1",
        "status": 200,
        "reason": None,
        "response_headers": [("Content-Type", "text/html")],
        "ip_address": "192.0.2.7",
        "fetched_at": WHEN,
        "dropped_headers": ("Content-Length", "Transfer-Encoding"),
    }
    fields.update(kw)
    return HttpExchange(url=url, body=body, **fields)


GZ_BODY = gzip.compress(HTML.encode("gbk"), mtime=0)
GZ_EXCHANGE = exchange(
    "http://www.example.gov.cn/xxgk/ndbg/index.html?year=2023&page=2",
    GZ_BODY,
    response_headers=[
        ("Content-Type", "text/html; charset=gbk"),
        ("Content-Encoding", "gzip"),
        ("Set-Cookie", "JSESSIONID=abc; Path=/"),
        ("Set-Cookie", "route=7; Path=/"),
        ("X-Weird-Case", "yes"),
    ],
)
GBK_EXCHANGE = exchange(
    "https://www.example.gov.cn:8443/art/2024/1/25/art_1_2.html",
    HTML.encode("gbk"),
    status=404,
    reason="Not Here",
    response_headers=[("Content-Type", "text/html; charset=gb2312"), ("Server", "TRS")],
)
POST_EXCHANGE = exchange(
    "http://search.example.gov.cn/search?q=%E5%B9%B4%E6%8A%A5",
    b"{}",
    method="POST",
    request_body=b"q=%E5%B9%B4%E6%8A%A5",
    request_headers=[
        ("Host", "search.example.gov.cn"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ],
    response_headers=[("Content-Type", "application/json")],
    reconstructed=("Host",),
)


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    """`warcio check -v` (warcio has no __main__, so through its cli entry point)."""
    code = "import sys; from warcio.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, "check", "-v", str(path)], capture_output=True, text=True, check=False
    )


def assert_valid(path: Path) -> None:
    result = warcio_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout
    assert "ERROR" not in result.stdout + result.stderr
    with open(path, "rb") as fh:
        first = next(iter(ArchiveIterator(fh)))
        assert first.rec_type == "warcinfo"
        assert first.rec_headers.get_header("WARC-Filename") == path.name
        assert first.rec_headers.protocol == "WARC/1.1"


def warcio_records(path: Path) -> list[tuple[object, bytes, bytes, int, int]]:
    """(record, raw payload, content_stream() payload, offset, length) straight from warcio."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            raw_payload = rec.raw_stream.read()
            out.append((rec, raw_payload, b"", it.get_record_offset(), it.get_record_length()))
    with open(path, "rb") as fh:  # second pass for the decoded payloads
        for i, rec in enumerate(ArchiveIterator(fh)):
            out[i] = (*out[i][:2], rec.content_stream().read(), *out[i][3:])
    return out


def warc_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.warc.gz"))


def write_all(directory: Path, *exchanges: HttpExchange, **kw) -> list[RecordRef]:
    with WarcStore(directory, **kw) as store:
        return [store.write_exchange(e) for e in exchanges]


# --------------------------------------------------------------------------- writing


def test_exchanges_read_back_with_warcio(tmp_path: Path) -> None:
    refs = write_all(tmp_path, GZ_EXCHANGE, GBK_EXCHANGE, POST_EXCHANGE, info={"operator": "test"})
    (path,) = warc_files(tmp_path)
    assert_valid(path)
    records = warcio_records(path)
    assert [r[0].rec_type for r in records] == ["warcinfo"] + ["response", "request"] * 3

    info = records[0][1].decode()
    assert "software: nianbao/" in info and "format: WARC File Format 1.1" in info
    assert "operator: test" in info
    warcinfo_id = records[0][0].rec_headers.get_header("WARC-Record-ID")

    for i, (ex, ref) in enumerate(zip([GZ_EXCHANGE, GBK_EXCHANGE, POST_EXCHANGE], refs, strict=True)):
        (resp, raw, _, offset, length), (req, req_body, *_) = records[1 + 2 * i], records[2 + 2 * i]
        rh, qh = resp.rec_headers, req.rec_headers
        assert rh.get_header("WARC-Target-URI") == qh.get_header("WARC-Target-URI") == ex.url
        assert qh.get_header("WARC-Concurrent-To") == rh.get_header("WARC-Record-ID") == ref.record_id
        assert rh.get_header("WARC-Date") == qh.get_header("WARC-Date") == "2026-11-21T08:30:15.123456Z"
        assert rh.get_header("WARC-Warcinfo-ID") == qh.get_header("WARC-Warcinfo-ID") == warcinfo_id
        assert rh.get_header("WARC-IP-Address") == "192.0.2.7"
        assert rh.get_header("WARC-Protocol") == "http/1.1"
        assert rh.get_header(DROPPED_FIELD) == "Content-Length, Transfer-Encoding"
        assert (offset, length, ref.filename) == (ref.offset, ref.length, path.name)
        # the payload is the entity as sent, and the digest covers exactly those bytes
        assert raw == ex.body
        assert rh.get_header("WARC-Payload-Digest") == ref.payload_digest == sha1_b32(ex.body)
        assert resp.http_headers.headers == ex.response_headers  # order and repeats kept
        assert req_body == ex.request_body

    gz, gbk, post = records[1][0], records[3][0], records[5][0]
    assert (gz.http_headers.protocol, gz.http_headers.statusline) == ("HTTP/1.1", "200 OK")
    assert gz.rec_headers.get_header(RECONSTRUCTED_FIELD) == "reason-phrase"
    assert gz.http_headers.get_header("Set-Cookie") == "JSESSIONID=abc; Path=/"
    assert [v for k, v in gz.http_headers.headers if k == "Set-Cookie"] == [
        "JSESSIONID=abc; Path=/",
        "route=7; Path=/",
    ]
    assert records[1][1][:2] == b"\x1f\x8b"  # stored still gzip-encoded
    assert records[1][2].decode("gbk") == HTML  # content_stream() undoes it
    assert gbk.http_headers.statusline == "404 Not Here"  # a reason we were given is kept as is
    assert gbk.rec_headers.get_header(RECONSTRUCTED_FIELD) is None
    assert records[3][2] == HTML.encode("gbk")  # GBK bytes untouched
    assert post.http_headers.statusline == "200 OK"

    gz_req, gbk_req, post_req = records[2][0], records[4][0], records[6][0]
    assert (gz_req.http_headers.protocol, gz_req.http_headers.statusline) == (
        "GET",
        "/xxgk/ndbg/index.html?year=2023&page=2 HTTP/1.1",
    )
    assert gz_req.http_headers.headers[0] == ("Host", "www.example.gov.cn")
    assert gz_req.http_headers.headers[1:] == GZ_EXCHANGE.request_headers
    assert gz_req.rec_headers.get_header(RECONSTRUCTED_FIELD) == "Host"
    assert gbk_req.http_headers.get_header("Host") == "www.example.gov.cn:8443"
    # the caller already supplied Host and declared it: declared on the request, not invented twice
    assert post_req.http_headers.statusline == "/search?q=%E5%B9%B4%E6%8A%A5 HTTP/1.1"
    assert [k for k, _ in post_req.http_headers.headers].count("Host") == 1
    assert post_req.rec_headers.get_header(RECONSTRUCTED_FIELD) == "Host"
    assert post.rec_headers.get_header(RECONSTRUCTED_FIELD) == "reason-phrase"
    assert records[6][1] == b"q=%E5%B9%B4%E6%8A%A5"


def test_header_bytes_written_exactly_and_read_back_equal(tmp_path: Path) -> None:
    # wire bytes UTF-8 "年报.pdf", carried in str as latin-1 (as Scrapy's bytes headers are)
    raw_name = "年报.pdf".encode()
    ex = exchange(
        "http://www.example.gov.cn/f.pdf",
        b"%PDF-1.4",
        response_headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Disposition", 'attachment; filename="' + raw_name.decode("latin-1") + '"'),
        ],
    )
    (ref,) = write_all(tmp_path, ex)
    (path,) = warc_files(tmp_path)
    assert_valid(path)
    block = gzip.decompress(path.read_bytes())
    assert b'filename="' + raw_name + b'"' in block  # not %-encoded, not double-encoded
    stored = read_record(tmp_path, ref.filename, ref.offset)
    assert stored.headers == ex.response_headers


def test_protocol_status_and_transfer_encoding_declared(tmp_path: Path) -> None:
    h2 = exchange("https://www.example.gov.cn/a", b"x", protocol="HTTP/2", status=599, reason=None)
    te = exchange(
        "http://www.example.gov.cn/b",
        b"hello",
        response_headers=[("Transfer-Encoding", "chunked"), ("Content-Type", "text/plain")],
        reconstructed=("header-name-case",),
    )
    write_all(tmp_path, h2, te)
    (path,) = warc_files(tmp_path)
    assert_valid(path)
    resp = [r for r in warcio_records(path) if r[0].rec_type == "response"]
    (h2_rec, *_), (te_rec, _, te_body, *_) = resp
    assert h2_rec.http_headers.protocol == "HTTP/1.1"  # HTTP/2 has no status line of its own
    assert h2_rec.http_headers.statusline == "599"
    assert h2_rec.rec_headers.get_header("WARC-Protocol") == "h2"
    assert h2_rec.rec_headers.get_header(RECONSTRUCTED_FIELD) == "reason-phrase, status-line"
    h2_req = next(r[0] for r in warcio_records(path) if r[0].rec_type == "request")
    assert h2_req.rec_headers.get_header(RECONSTRUCTED_FIELD) == "request-line, Host"
    # the stored body is never chunk-framed: the header is kept, renamed, not left to mislead
    assert te_rec.http_headers.headers[0] == ("X-Orig-Transfer-Encoding", "chunked")
    assert te_rec.http_headers.get_header("Transfer-Encoding") is None
    assert te_body == b"hello"
    assert te_rec.rec_headers.get_header(RECONSTRUCTED_FIELD) == "reason-phrase, header-name-case"


@pytest.mark.parametrize(
    "bad",
    [
        {"fetched_at": datetime(2026, 1, 1)},  # naive: the WARC-Date would be a guess
        {"response_headers": [("X-Evil", "a\r\nWARC-Type: response")]},
        {"request_headers": [("Bad Name", "v")]},
        {"method": "GET /"},
        {"url": "http://example.gov.cn/a b"},
        {"dropped_headers": ("Content-Length, Connection",)},
        {"reconstructed": ("reason-phrase\r\nWARC-Type: x",)},
    ],
)
def test_invalid_exchange_is_refused_and_nothing_written(tmp_path: Path, bad: dict) -> None:
    url = bad.pop("url", "http://example.gov.cn/")
    with WarcStore(tmp_path) as store:
        with pytest.raises(ValueError):
            store.write_exchange(exchange(url, b"x", **bad))
    assert list(tmp_path.iterdir()) == []


def test_aware_non_utc_time_is_converted(tmp_path: Path) -> None:
    cst = timezone(timedelta(hours=8))
    when = datetime(2026, 11, 21, 16, 30, tzinfo=cst)
    (ref,) = write_all(tmp_path, exchange("http://example.gov.cn/", b"", fetched_at=when))
    assert ref.warc_date == "2026-11-21T08:30:00Z"
    assert read_record(tmp_path, ref.filename, ref.offset).fetched_at == when


# --------------------------------------------------------------------------- files


def test_open_while_writing_renamed_on_close(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    assert list(tmp_path.iterdir()) == []  # no file until the first record
    ref = store.write_exchange(GZ_EXCHANGE)
    assert NAME_RE.match(ref.filename), ref.filename
    assert [p.name for p in tmp_path.iterdir()] == [ref.filename + ".open"]
    assert store.current_path == tmp_path / (ref.filename + ".open")
    # readable (complete records) while still open, by the final name the ref carries
    assert read_record(tmp_path, ref.filename, ref.offset).raw_body == GZ_BODY
    assert [r.url for r in iter_records(tmp_path)] == [GZ_EXCHANGE.url]
    store.close()
    assert [p.name for p in tmp_path.iterdir()] == [ref.filename]
    assert_valid(tmp_path / ref.filename)
    store.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        store.write_exchange(GZ_EXCHANGE)


def test_rotation_every_file_complete_and_valid(tmp_path: Path) -> None:
    bodies = [os.urandom(1500) for _ in range(7)]
    exchanges = [exchange(f"http://example.gov.cn/r/{i}?n={i}", b) for i, b in enumerate(bodies)]
    refs = write_all(tmp_path, *exchanges, max_size=3000)
    files = warc_files(tmp_path)
    assert len(files) >= 3
    assert not list(tmp_path.glob("*.open"))
    assert [int(NAME_RE.match(p.name).group(1)) for p in files] == list(range(len(files)))
    assert {r.filename for r in refs} == {p.name for p in files}
    for path in files:
        assert_valid(path)
        types = [r[0].rec_type for r in warcio_records(path)]
        assert types[0] == "warcinfo" and types.count("warcinfo") == 1
        assert types[1:] == ["response", "request"] * (len(types) // 2)  # pairs never split
        assert path.stat().st_size <= 3000 + 2 * 1700  # rotation happens right after crossing max_size
    stored = list(iter_records(tmp_path))
    assert [s.url for s in stored] == [e.url for e in exchanges]
    assert [s.body for s in stored] == bodies
    assert [s.ref for s in stored] == refs


# --------------------------------------------------------------------------- reading


def test_read_record_equals_iteration(tmp_path: Path) -> None:
    refs = write_all(tmp_path, GZ_EXCHANGE, GBK_EXCHANGE, POST_EXCHANGE, max_size=1)
    stored = list(iter_records(tmp_path))
    assert [s.ref for s in stored] == refs
    for s in stored:
        assert read_record(tmp_path, s.ref.filename, s.ref.offset) == s
    gz = stored[0]
    assert (gz.status, gz.record_type, gz.fetched_at, gz.refers_to) == (200, "response", WHEN, None)
    assert gz.headers == GZ_EXCHANGE.response_headers
    assert gz.raw_body == GZ_BODY and gz.body == HTML.encode("gbk")
    assert stored[1].status == 404 and stored[1].body == HTML.encode("gbk")
    requests = list(iter_records(tmp_path, types=("request",)))
    assert [r.url for r in requests] == [e.url for e in (GZ_EXCHANGE, GBK_EXCHANGE, POST_EXCHANGE)]
    with pytest.raises(ValueError, match="no complete gzip member"):
        read_record(tmp_path, refs[0].filename, refs[0].offset + 1)


def test_headers_without() -> None:
    headers = [("Content-Encoding", "gzip"), ("Set-Cookie", "a"), ("set-cookie", "b"), ("X", "1")]
    assert headers_without(headers, ["content-encoding", "SET-COOKIE"]) == [("X", "1")]
    assert headers_without(headers, []) == headers


def test_revisit_and_resource_records(tmp_path: Path) -> None:
    later = WHEN + timedelta(days=1)
    with WarcStore(tmp_path) as store:
        original = store.write_exchange(GZ_EXCHANGE)
        same = store.write_revisit(
            exchange(
                GZ_EXCHANGE.url, GZ_BODY, fetched_at=later, response_headers=GZ_EXCHANGE.response_headers
            ),
            profile="identical-payload-digest",
            refers_to=original,
            refers_to_uri=GZ_EXCHANGE.url,
        )
        not_modified = store.write_revisit(
            exchange(GZ_EXCHANGE.url, b"", status=304, fetched_at=later, response_headers=[("ETag", '"1"')]),
            profile="server-not-modified",
            refers_to=original,
            refers_to_uri=GZ_EXCHANGE.url,
        )
        dom = "<html><body>渲染后</body></html>".encode()
        resource = store.write_resource(
            "urn:nianbao:dom:" + GZ_EXCHANGE.url,
            dom,
            "text/html; charset=utf-8",
            refers_to=original.record_id,
            fetched_at=later,
        )
        # a revisit that would lie is refused
        with pytest.raises(ValueError, match="digest"):
            store.write_revisit(
                exchange(GZ_EXCHANGE.url, b"changed"),
                profile="identical-payload-digest",
                refers_to=original,
                refers_to_uri=GZ_EXCHANGE.url,
            )
        with pytest.raises(ValueError, match="body"):
            store.write_revisit(
                exchange(GZ_EXCHANGE.url, b"body", status=304),
                profile="server-not-modified",
                refers_to=original,
                refers_to_uri=GZ_EXCHANGE.url,
            )
    (path,) = warc_files(tmp_path)
    assert_valid(path)
    by_id = {r[0].rec_headers.get_header("WARC-Record-ID"): r for r in warcio_records(path)}
    assert len(by_id) == 1 + 2 + 2 + 2 + 1  # the refused revisits left nothing behind

    for ref, profile, digest in (
        (same, "identical-payload-digest", sha1_b32(GZ_BODY)),
        (not_modified, "server-not-modified", original.payload_digest),
    ):
        rec, payload, *_ = by_id[ref.record_id]
        h = rec.rec_headers
        assert rec.rec_type == "revisit"
        assert h.get_header("WARC-Profile") == f"http://netpreserve.org/warc/1.1/revisit/{profile}"
        assert h.get_header("WARC-Refers-To") == original.record_id
        assert h.get_header("WARC-Refers-To-Target-URI") == GZ_EXCHANGE.url
        assert h.get_header("WARC-Refers-To-Date") == original.warc_date
        assert h.get_header("WARC-Payload-Digest") == digest == ref.payload_digest
        assert h.get_header("WARC-Date") == "2026-11-22T08:30:15.123456Z"
        assert payload == b""  # headers only
    assert by_id[not_modified.record_id][0].http_headers.statusline == "304 Not Modified"
    requests = [r for r in by_id.values() if r[0].rec_type == "request"]
    assert {r[0].rec_headers.get_header("WARC-Concurrent-To") for r in requests} == {
        original.record_id,
        same.record_id,
        not_modified.record_id,
    }

    res, payload, *_ = by_id[resource.record_id]
    assert res.rec_type == "resource"
    assert res.rec_headers.get_header("Content-Type") == "text/html; charset=utf-8"
    assert res.rec_headers.get_header("WARC-Concurrent-To") == original.record_id
    assert res.rec_headers.get_header("WARC-Refers-To") is None  # forbidden on resource by WARC 1.1
    assert payload == dom and res.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(dom)

    stored = {s.ref.record_id: s for s in iter_records(tmp_path)}
    assert [s.record_type for s in stored.values()] == ["response", "revisit", "revisit", "resource"]
    assert stored[same.record_id].refers_to == original.record_id
    assert stored[same.record_id].status == 200 and stored[same.record_id].body == b""
    assert stored[not_modified.record_id].status == 304
    assert stored[resource.record_id].refers_to == original.record_id
    assert stored[resource.record_id].body == dom
    assert stored[resource.record_id].headers == [("Content-Type", "text/html; charset=utf-8")]
    for s in stored.values():
        assert read_record(tmp_path, s.ref.filename, s.ref.offset) == s


def test_iteration_reads_what_warcio_reads_from_every_record_boundary(tmp_path: Path) -> None:
    """`iter_records` reads with FastWARC, `read_record` with warcio: every record of every type, the
    iteration begun at any record boundary, and each record's length (where the next one starts,
    the file's end for the last) must be what warcio reads, in a file as in a torn .open copy."""
    every_type = ("warcinfo", "request", "response", "revisit", "resource", "metadata", "conversion")
    with WarcStore(tmp_path / "a") as store:
        original = store.write_exchange(GZ_EXCHANGE)
        store.write_revisit(
            exchange(GZ_EXCHANGE.url, b"", status=304, response_headers=[("ETag", '"1"')]),
            profile="server-not-modified", refers_to=original, refers_to_uri=GZ_EXCHANGE.url,
        )  # fmt: skip
        store.write_resource(
            "urn:nianbao:dom:" + GZ_EXCHANGE.url, "<p>渲染后</p>".encode(), "text/html; charset=utf-8",
            refers_to=original.record_id, fetched_at=WHEN,
        )  # fmt: skip
        store.write_metadata(
            GBK_EXCHANGE.url, [("nianbao-failure", "timeout"), ("nianbao-failure", "again")], fetched_at=WHEN
        )
        store.write_exchange(GBK_EXCHANGE)
        store.write_conversion(
            GZ_EXCHANGE.url, "第一页\n第二页", refers_to=original.record_id,
            fields={"WARC-Nianbao-Converter": "rapidocr 1.4.4"}, fetched_at=WHEN,
        )  # fmt: skip
        store.write_exchange(POST_EXCHANGE)
    (path,) = warc_files(tmp_path / "a")
    by_warcio = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, no_record_parse=True)
        for rec in it:
            rec.raw_stream.read()
            by_warcio.append((rec.rec_type, it.get_record_offset(), it.get_record_length()))
    stored = list(iter_records(tmp_path / "a", types=every_type))
    assert [(s.record_type, s.ref.offset, s.ref.length) for s in stored] == by_warcio
    assert sum(s.ref.length for s in stored) == path.stat().st_size
    for i, s in enumerate(stored):
        assert read_record(tmp_path / "a", s.ref.filename, s.ref.offset) == s
        assert (
            list(iter_records(tmp_path / "a", types=every_type, start={path.name: s.ref.offset}))
            == stored[i:]
        )
    assert list(iter_records(tmp_path / "a")) == [s for s in stored if s.record_type in CAPTURE_TYPES]

    # A crash's copy, torn inside the conversion record: the records before it, the same.
    conversion = next(s for s in stored if s.record_type == "conversion")
    truncated_copy(path, tmp_path / "b", conversion.ref.offset + conversion.ref.length // 2)
    assert list(iter_records(tmp_path / "b", types=every_type)) == stored[: stored.index(conversion)]


# --------------------------------------------------------------------------- crashes


def test_warcio_check_detects_damage(tmp_path: Path) -> None:
    """The validity check used throughout can fail: a flipped payload byte is caught."""
    (ref,) = write_all(tmp_path, exchange("http://example.gov.cn/", b"A" * 200))
    path = tmp_path / ref.filename
    data = gzip.decompress(path.read_bytes()).replace(b"A" * 200, b"A" * 199 + b"B")
    broken = tmp_path / "broken.warc"
    broken.write_bytes(data)
    assert warcio_check(broken).returncode != 0


def truncated_copy(src: Path, dest_dir: Path, size: int) -> Path:
    dest_dir.mkdir(exist_ok=True)
    dest = dest_dir / (src.name + ".open")
    with open(src, "rb") as fh:
        dest.write_bytes(fh.read(size))
    return dest


def test_truncated_file_reads_complete_records_and_recovers(tmp_path: Path) -> None:
    exchanges = [exchange(f"http://example.gov.cn/t/{i}", os.urandom(3000)) for i in range(4)]
    refs = write_all(tmp_path / "src", *exchanges)
    src = tmp_path / "src" / refs[0].filename
    original_ids = [r[0].rec_headers.get_header("WARC-Record-ID") for r in warcio_records(src)]

    # cut in the middle of the third response record
    cut = refs[2].offset + refs[2].length // 2
    crashed = truncated_copy(src, tmp_path / "crash", cut)
    stored = list(iter_records(tmp_path / "crash"))  # no exception at the torn tail
    assert [s.ref for s in stored] == refs[:2]
    assert [s.body for s in stored] == [e.body for e in exchanges[:2]]
    assert read_record(tmp_path / "crash", refs[1].filename, refs[1].offset) == stored[1]
    with pytest.raises(ValueError):
        read_record(tmp_path / "crash", refs[2].filename, refs[2].offset)

    recovered = recover(crashed)
    assert recovered == tmp_path / "crash" / refs[0].filename
    assert not crashed.exists()
    assert recovered.stat().st_size == refs[2].offset  # everything before the torn response
    assert_valid(recovered)
    # warcinfo, response 1, request 1, response 2, request 2: every complete record, in order
    assert [r[0].rec_headers.get_header("WARC-Record-ID") for r in warcio_records(recovered)] == original_ids[
        :5
    ]
    assert list(iter_records(tmp_path / "crash")) == stored
    assert recover(recovered) == recovered  # idempotent
    assert recover(crashed) == recovered


def test_recover_at_member_boundary_and_with_garbage(tmp_path: Path) -> None:
    refs = write_all(
        tmp_path / "src", *(exchange(f"http://example.gov.cn/g/{i}", b"x" * i) for i in range(3))
    )
    src = tmp_path / "src" / refs[0].filename
    whole = src.read_bytes()
    crashed = truncated_copy(src, tmp_path / "crash", len(whole))
    with open(crashed, "ab") as fh:
        fh.write(b"\0" * 4096)  # what a filesystem may leave after a power cut
    assert len(list(iter_records(tmp_path / "crash"))) == 3
    recovered = recover(crashed)
    assert recovered.read_bytes() == whole
    assert_valid(recovered)


def test_recover_refuses_nothing_recoverable_and_live_writer(tmp_path: Path) -> None:
    (ref,) = write_all(tmp_path / "src", GZ_EXCHANGE)
    src = tmp_path / "src" / ref.filename
    torn_info = truncated_copy(src, tmp_path / "torn", 100)  # inside the warcinfo record
    assert list(iter_records(tmp_path / "torn")) == []
    with pytest.raises(RecoveryError, match="no complete WARC record"):
        recover(torn_info)
    assert torn_info.stat().st_size == 100  # left untouched

    with WarcStore(tmp_path / "live") as store:
        ref = store.write_exchange(GZ_EXCHANGE)
        live = tmp_path / "live" / (ref.filename + ".open")
        with pytest.raises(RecoveryError, match="live process"):
            recover(live)
        assert live.exists()
    with pytest.raises(ValueError):
        recover(tmp_path / "live" / "something.txt")


CHILD = textwrap.dedent(
    """
    import os, sys
    from datetime import UTC, datetime
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from archive.warcstore import HttpExchange, WarcStore

    def ex(i, body):
        return HttpExchange(url=f"http://example.gov.cn/k/{{i}}", method="GET", request_headers=[],
            request_body=b"", protocol="HTTP/1.1", status=200, reason=None,
            response_headers=[("Content-Type", "application/octet-stream")], body=body,
            ip_address=None, fetched_at=datetime.now(UTC))

    store = WarcStore(Path(sys.argv[1]))
    for i in range(5):
        ref = store.write_exchange(ex(i, os.urandom(2000)))
        print("ref", ref.filename, ref.offset, ref.length, flush=True)
    big = os.urandom(48 * 2**20)  # slow to gzip: the parent kills us in the middle of it
    print("big", flush=True)
    store.write_exchange(ex(5, big))
    print("done", flush=True)
    """
)


@contextmanager
def child_killed_at_exit(tmp_path: Path, source: str, out: Path) -> Iterator[subprocess.Popen[str]]:
    """Run `source` as a writer process on `out`; SIGKILL it (no chance to clean up) on exit."""
    script = tmp_path / "child.py"
    script.write_text(source.format(repo=str(REPO)))
    child = subprocess.Popen([sys.executable, str(script), str(out)], stdout=subprocess.PIPE, text=True)
    try:
        yield child
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def test_kill_9_mid_record(tmp_path: Path) -> None:
    out = tmp_path / "warc"
    refs = []
    with child_killed_at_exit(tmp_path, CHILD, out) as child:
        for line in child.stdout:
            if line.startswith("ref"):
                _, name, offset, length = line.split()
                refs.append((name, int(offset), int(length)))
            elif line.startswith("big"):
                break
        complete_end = refs[-1][1] + refs[-1][2]
        (open_file,) = out.glob("*.open")
        # kill once part of the big record is on disk
        wait_until(lambda: open_file.stat().st_size >= complete_end + 2 * 2**20)
    assert len(refs) == 5
    assert open_file.stat().st_size > complete_end  # a torn record really is there
    assert not list(out.glob("*.warc.gz"))  # nothing looks complete

    stored = list(iter_records(out))
    assert [(s.ref.filename, s.ref.offset, s.ref.length) for s in stored] == refs
    assert [s.url for s in stored] == [f"http://example.gov.cn/k/{i}" for i in range(5)]

    recovered = recover(open_file)
    assert recovered.name == refs[0][0]
    assert_valid(recovered)
    types = [r[0].rec_type for r in warcio_records(recovered)]
    assert types == ["warcinfo"] + ["response", "request"] * 5
    assert list(iter_records(out)) == stored


STARTING_CHILD = textwrap.dedent(
    """
    import base64, os, sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from archive.warcstore import WarcStore

    # a huge warcinfo (slow to gzip) so the parent can kill us while it is being written
    store = WarcStore(Path(sys.argv[1]), info={{"operator": base64.b64encode(os.urandom(36 * 2**20)).decode()}})
    store._ensure_file()
    print("started", flush=True)
    """
)


def test_kill_9_while_starting_a_file_leaves_no_open_file(tmp_path: Path) -> None:
    """A ``.open`` name appears only with a complete warcinfo; the torn staging file is cleared."""
    out = tmp_path / "warc"

    def staging_under_way() -> bool:
        parts = list(out.glob("*.open.part")) if out.is_dir() else []
        return bool(parts) and parts[0].stat().st_size > 2**20

    with child_killed_at_exit(tmp_path, STARTING_CHILD, out):
        wait_until(staging_under_way)
    (part,) = out.glob("*.open.part")
    assert not list(out.glob("*.warc.gz.open")) and not list(out.glob("*.warc.gz"))
    assert list(iter_records(out)) == []  # the staging file is not an archive file

    with WarcStore(out) as live:  # a live writer's staging file is never touched
        live_part = out / "live.warc.gz.open.part"
        with open(live_part, "xb") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            assert discard_staging(out) == [part]
        assert not part.exists() and live_part.exists()
        live.write_exchange(GZ_EXCHANGE)
    assert discard_staging(out) == [live_part]
    (path,) = warc_files(out)
    assert_valid(path)
    assert [s.url for s in iter_records(out)] == [GZ_EXCHANGE.url]


def test_failed_write_leaves_no_torn_record(tmp_path: Path) -> None:
    """An exception mid-record (disk full…) cuts the file back; later records stay valid."""

    class FailingOut:
        def __init__(self, fh) -> None:
            self.fh, self.fail = fh, True

        def write(self, data: bytes) -> int:
            if self.fail and data:  # half a gzip member reaches the file, then the disk is full
                self.fail = False
                self.fh.write(data[: len(data) // 2])
                raise OSError(28, "No space left on device")
            return self.fh.write(data)

        def flush(self) -> None:
            self.fh.flush()

    store = WarcStore(tmp_path)
    first = store.write_exchange(GZ_EXCHANGE)
    size_before = store.current_path.stat().st_size
    store._writer.out = FailingOut(store._writer.out)
    with pytest.raises(OSError, match="No space"):
        store.write_exchange(GBK_EXCHANGE)
    assert store.current_path.stat().st_size == size_before
    last = store.write_exchange(POST_EXCHANGE)
    store.close()
    assert last.offset == size_before and first.filename == last.filename
    (path,) = warc_files(tmp_path)
    assert_valid(path)
    assert [s.url for s in iter_records(tmp_path)] == [GZ_EXCHANGE.url, POST_EXCHANGE.url]


def test_same_second_stores_never_collide(tmp_path: Path) -> None:
    a, b = WarcStore(tmp_path), WarcStore(tmp_path)
    ra, rb = a.write_exchange(GZ_EXCHANGE), b.write_exchange(GZ_EXCHANGE)
    a.close()
    b.close()
    assert ra.filename != rb.filename
    assert len(warc_files(tmp_path)) == 2


def test_read_record_of_a_large_record_followed_by_another(tmp_path: Path) -> None:
    """A record decompressing to more than the reader's chunk, with another record after it."""
    import random as _random

    rng = _random.Random(7)
    compressible = "".join(f"<tr><td>{rng.randint(0, 9)}</td></tr>" for _ in range(20_000)).encode()
    bodies = [compressible, bytes(rng.getrandbits(8) for _ in range(100_000)), b"<html>third</html>"]
    with WarcStore(tmp_path) as store:
        refs = [
            store.write_exchange(
                HttpExchange(
                    url=f"http://127.0.0.1:8000/{i}.pdf", method="GET", request_headers=[], request_body=b"",
                    protocol="HTTP/1.1", status=200, reason=None,
                    response_headers=[("Content-Type", "application/pdf")], body=body, ip_address=None,
                    fetched_at=datetime.now(UTC),
                )
            )
            for i, body in enumerate(bodies)
        ]  # fmt: skip
    for ref, body in zip(refs, bodies, strict=True):
        assert read_record(tmp_path, ref.filename, ref.offset).body == body
