"""The hostile fixtures themselves (tests/hostile): each document really is what it claims to be.

A bomb that does not inflate, a 50,000-page PDF whose xref is off by a byte, or a "deep" page that
libxml2 parses fine would let a crawl pass for the wrong reason. These tests check the fixtures
against independent readers (zlib, zipfile, pdfminer, pypdfium2, html.parser, lxml), never the
crawler. Bombs are inflated streaming with a counter, past the 64 MiB cap at most, except for the
small ones whose full size and checksum are checked; building and checking stays fast.
"""

from __future__ import annotations

import http.client
import io
import random
import socket
import ssl
import struct
import time
import urllib.request
import zipfile
import zlib
from html.parser import HTMLParser

import lxml.etree
import lxml.html
import pytest
from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from tests.hostile import documents as docs
from tests.hostile import portal

CAP = 64 * docs.MiB  # the product's default decoded-size cap: every bomb must get past it
TITLE = docs.DEFAULT_TITLE


def inflate(data: bytes, wbits: int, stop_after: int | None = None) -> tuple[int, bytes, bool]:
    """Inflate streaming, 4 MiB at a time: (bytes out, first 4 KiB, reached the end of stream).

    Stops once more than `stop_after` bytes came out. Never holds more than one piece in memory.
    zlib checks the stream's own checksum (Adler-32/CRC-32 and ISIZE) when it reaches the end.
    """
    z = zlib.decompressobj(wbits)
    total, head, pending = 0, b"", data
    while True:
        out = z.decompress(pending, 4 * docs.MiB)
        pending = z.unconsumed_tail
        if len(head) < 4096:
            head += out[: 4096 - len(head)]
        total += len(out)
        if stop_after is not None and total > stop_after:
            return total, head, False
        if not pending:
            total += len(z.flush())
            return total, head, z.eof


def read_member(zf: zipfile.ZipFile, name: str, stop_after: int) -> tuple[int, bytes]:
    """Read a zip member through zipfile in 1 MiB pieces until more than `stop_after` bytes."""
    total, head = 0, b""
    with zf.open(name) as member:
        while total <= stop_after:
            piece = member.read(docs.MiB)
            if not piece:
                break
            head = head or piece[:4096]
            total += len(piece)
    return total, head


def raw_member(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's compressed bytes, located from its local header (which may lie about sizes)."""
    n, m = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + n + m
    return data[start : start + info.compress_size]


def assert_xref_exact(data: bytes) -> int:
    """Every classic xref entry points at `N 0 obj` of its own number; returns the object count."""
    start = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    assert data[start : start + 5] == b"xref\n"
    first, count = (int(x) for x in data[start + 5 : data.index(b"\n", start + 5)].split())
    entries = data.index(b"\n", start + 5) + 1
    assert first == 0 and data[entries : entries + 20] == b"0000000000 65535 f \n"
    for num in range(1, count):
        entry = data[entries + 20 * num : entries + 20 * (num + 1)]
        assert entry.endswith(b" 00000 n \n"), entry
        assert data.startswith(b"%d 0 obj" % num, int(entry[:10])), num
    assert data.endswith(b"%%EOF\n")
    return count - 1


def pdf(data: bytes) -> PDFDocument:
    return PDFDocument(PDFParser(io.BytesIO(data)))


# --- checksums and the compression trick ------------------------------------------------------------


def test_checksum_combines_agree_with_zlib() -> None:
    rng = random.Random(1)
    for _ in range(50):
        a, b = rng.randbytes(rng.randint(0, 3000)), rng.randbytes(rng.randint(0, 3000))
        assert docs.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
        assert docs.adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)
    data = docs._Repeated(b"<head>", b"abc" * 100_000, 37, b"</tail>")
    assert data.crc32() == zlib.crc32(data.join())
    assert data.adler32() == zlib.adler32(data.join())


def test_memoised_deflate_writes_what_zlib_writes() -> None:
    """The repeated chunk's reused bytes are exactly zlib's own output for the same writes."""
    data = docs._Repeated.fill(6 * docs.MiB + 123, b"<p>", b"0 0 m\n", b"</p>")
    z = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    reference = b"".join(z.compress(p) + z.flush(zlib.Z_FULL_FLUSH) for p in data.iter_bytes()) + z.flush()
    assert b"".join(data.raw_deflate()) == reference
    for fmt, wbits in (("zlib", 15), ("gzip", 31)):
        stream = data.compressed(fmt).join()
        assert zlib.decompress(stream, wbits) == data.join()  # checksums and length verified by zlib


# --- HTTP content-encoding bombs ----------------------------------------------------------------------


def test_gzip_bomb_is_small_and_inflates_past_the_cap() -> None:
    started = time.perf_counter()
    bomb = docs.gzip_bomb()
    assert time.perf_counter() - started < 15  # seconds, not the minutes a real GiB would take
    assert bomb[:3] == b"\x1f\x8b\x08" and len(bomb) < 1.1 * docs.MiB
    assert struct.unpack("<I", bomb[-4:])[0] == docs.GiB & 0xFFFFFFFF  # ISIZE
    total, head, _ = inflate(bomb, 31, stop_after=CAP)
    assert total > CAP
    assert (
        head.startswith(b"<!DOCTYPE html>") and "临水县财政局2023年".encode() in head and b"<p>0000" in head
    )


def test_gzip_bomb_inflates_to_exactly_its_size_with_a_valid_trailer() -> None:
    size = 200 * docs.MiB + 7
    total, _, ended = inflate(docs.gzip_bomb(size), 31)
    assert (total, ended) == (size, True)


def test_nested_gzip_bomb_is_a_gzip_of_a_gzip_bomb() -> None:
    bomb = docs.gzip_nested_bomb()
    assert len(bomb) < 100_000
    inner = zlib.decompress(bomb, 31)  # the outer layer is small: ~16 MB
    assert inner[:3] == b"\x1f\x8b\x08" and len(inner) < 20 * docs.MiB
    assert inflate(inner, 31, stop_after=CAP)[0] > CAP


# --- zip containers -----------------------------------------------------------------------------------


def test_docx_zip_bomb_sniffs_as_docx_and_inflates_past_the_cap() -> None:
    started = time.perf_counter()
    bomb = docs.docx_zip_bomb()
    assert time.perf_counter() - started < 15  # seconds, not the minutes a real GiB would take
    assert len(bomb) < 6 * docs.MiB
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        names = zf.namelist()
        info = zf.getinfo("word/document.xml")
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml", "docProps/core.xml"} <= set(names)
        assert "wordprocessingml.document.main+xml" in zf.read("[Content_Types].xml").decode()
        assert TITLE in zf.read("docProps/core.xml").decode()
        assert info.file_size == 4 * docs.GiB + 256 * docs.MiB > 0xFFFFFFFF
        total, head = read_member(zf, "word/document.xml", CAP)
    assert total > CAP
    assert head.startswith(b'<?xml version="1.0"') and TITLE.encode() in head and b"<w:body>" in head


def test_docx_lying_sizes_declares_small_and_inflates_huge() -> None:
    for decoded in (4 * docs.GiB + 256 * docs.MiB, 300 * docs.MiB):  # zip64 central entry, and not
        bomb = docs.docx_lying_sizes(decoded)
        with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
            info = zf.getinfo("word/document.xml")
            assert info.file_size == 24 * docs.KiB
            with pytest.raises(zipfile.BadZipFile, match="CRC"), zf.open(info) as member:
                # stops at the declared size: a truncated document. Never zf.read() it: that
                # inflates up to 2 GiB in one call before truncating (see docx_lying_sizes)
                while member.read(64 * docs.KiB):
                    pass
        assert inflate(raw_member(bomb, info), -15, stop_after=CAP)[0] > CAP


def test_docx_declared_huge_is_an_honest_small_document() -> None:
    import docx

    data = docs.docx_declared_huge()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.getinfo("word/document.xml").file_size == 0xFFFFFFFE
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == TITLE and len(data) < 4096


def test_docx_billion_laughs_is_refused_by_libxml2() -> None:
    data = docs.docx_billion_laughs()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        document = zf.read("word/document.xml")
    assert b"<!ENTITY l9 " in document and len(data) < 4096
    with pytest.raises(lxml.etree.XMLSyntaxError):
        lxml.etree.fromstring(document)


@pytest.mark.parametrize(
    ("build", "member", "marker"),
    [
        (docs.xlsx_zip_bomb, "xl/worksheets/sheet1.xml", b"<sheetData>"),
        (docs.ofd_zip_bomb, "Doc_0/Pages/Page_0/Content.xml", b"<ofd:TextCode"),
    ],
)
def test_xlsx_and_ofd_bombs(build: object, member: str, marker: bytes) -> None:
    bomb = build(256 * docs.MiB)  # type: ignore[operator]
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert zf.getinfo(member).file_size == 256 * docs.MiB
        total, head = read_member(zf, member, CAP)
    assert total > CAP and marker in head and TITLE.encode() in head


# --- PDF ------------------------------------------------------------------------------------------------


def test_pdf_bomb_is_valid_and_its_stream_inflates_past_the_cap() -> None:
    bomb = docs.pdf_bomb()
    assert len(bomb) < 2.5 * docs.MiB
    assert assert_xref_exact(bomb) == 6
    doc = pdf(bomb)
    page = resolve1(doc.catalog["Pages"])
    assert resolve1(page["Count"]) == 1
    stream = doc.getobj(4)
    assert stream.attrs["Length"] == len(stream.rawdata) and stream.attrs["Filter"].name == "FlateDecode"
    total, head, _ = inflate(stream.rawdata, 15, stop_after=CAP)
    assert total > CAP and head.startswith(b"BT /F1 24 Tf")


def test_pdf_bomb_exact_size_and_chained_filters() -> None:
    small = pdf(docs.pdf_bomb(100 * docs.MiB, unit=b"0 0 m\n")).getobj(4)
    total, head, ended = inflate(small.rawdata, 15)
    assert (total, ended) == (100 * docs.MiB, True) and b"ET\n0 0 m\n0 0 m\n" in head
    nested = docs.pdf_bomb(layers=2)
    assert len(nested) < 20_000 and assert_xref_exact(nested) == 6
    stream = pdf(nested).getobj(4)
    assert [f.name for f in stream.attrs["Filter"]] == ["FlateDecode", "FlateDecode"]
    assert inflate(zlib.decompress(stream.rawdata), 15, stop_after=CAP)[0] > CAP


def test_pdf_with_50000_pages_is_small_valid_and_readable() -> None:
    started = time.perf_counter()
    data = docs.pdf_many_pages()
    assert time.perf_counter() - started < 2
    assert len(data) < 5 * docs.MiB
    assert assert_xref_exact(data) > 50_000
    doc = pdf(data)
    assert resolve1(resolve1(doc.catalog["Pages"])["Count"]) == 50_000
    assert extract_text(io.BytesIO(data), maxpages=1).strip() == "page"


def test_compact_pdf_with_50000_pages_fits_under_a_mebibyte() -> None:
    import pypdfium2

    data = docs.pdf_many_pages(compact=True)
    assert len(data) < 600 * docs.KiB
    # pdfminer reads the predicted xref stream in pure Python (~1.5 s): the page count only
    assert resolve1(resolve1(pdf(data).catalog["Pages"])["Count"]) == 50_000
    document = pypdfium2.PdfDocument(data)
    assert len(document) == 50_000
    assert document[49_999].get_textpage().get_text_range().strip() == "page"


def test_flat_page_tree() -> None:
    data = docs.pdf_many_pages(2_000, fanout=None)
    assert assert_xref_exact(data) == 2_004 + 1  # catalog, font, content, info, pages, one /Pages
    kids = resolve1(pdf(data).catalog["Pages"])["Kids"]
    assert len(kids) == 2_000


def test_broken_pdfs() -> None:
    cyclic = docs.pdf_cyclic_pages()
    assert assert_xref_exact(cyclic) == 6
    root = resolve1(pdf(cyclic).catalog["Pages"])
    assert [ref.objid for ref in root["Kids"]] == [3, 2]  # the root is its own kid
    garbage = docs.pdf_garbage_xref()
    start = int(garbage[garbage.rindex(b"startxref") + 9 :].split()[0])
    assert start > len(garbage) and b" 0 obj" in garbage


# --- HTML -------------------------------------------------------------------------------------------------


class _Depth(HTMLParser):
    """Nesting depth of <div>s with no depth limit (html.parser is not libxml2)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = self.deepest = 0
        self.h1_depth = -1

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "div":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)
        if tag == "h1":
            self.h1_depth = self.depth

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self.depth -= 1


def test_deep_html_nests_the_report_past_libxml2s_limit() -> None:
    page = docs.deep_html()
    depth = _Depth()
    depth.feed(page.decode("utf-8"))
    assert depth.deepest > 5000 and depth.h1_depth > 256 and depth.depth == 0
    text = page.decode("utf-8")
    assert f"<title>{TITLE}_" in text and f'<h1 class="title">{TITLE}</h1>' in text
    assert "三、收到和处理政府信息公开申请情况" in text and "发布日期：" in text and 'id="zoom"' in text
    # the point of the fixture: lxml keeps the head and loses the report
    tree = lxml.html.fromstring(page)
    assert tree.findtext(".//title").startswith(TITLE) and not tree.xpath("//h1")


def test_a_shallow_page_parses_fully() -> None:
    """Control for the test above: the same page without the nesting loses nothing in lxml."""
    tree = lxml.html.fromstring(docs.report_page().encode())
    assert tree.xpath("//h1")[0].text == TITLE and tree.xpath("//*[@id='zoom']//table")


def test_utf16_page_has_no_bom_and_no_charset() -> None:
    page = docs.utf16_page()
    assert page[:2] not in (b"\xff\xfe", b"\xfe\xff") and page.startswith(b"<\x00!\x00D\x00")
    text = page.decode("utf-16-le")
    assert TITLE in text and "charset" not in text.lower() and "一、总体情况" in text
    assert docs.utf16_page(endian="be").decode("utf-16-be") == text
    assert docs.utf16_page(bom=True)[:2] == b"\xff\xfe"


def test_undecodable_page_decodes_in_no_likely_encoding() -> None:
    page = docs.undecodable_page()
    assert b'<meta charset="utf-8">' in page
    for encoding in ("utf-8", "gbk", "gb18030", "big5", "cp950", "shift_jis", "euc-kr", "euc-jp"):
        with pytest.raises(UnicodeDecodeError):
            page.decode(encoding)


def test_unclosed_tag_page() -> None:
    page = docs.unclosed_tag_page()
    assert len(page) == 8 * docs.MiB
    head_end = page.index(b'<p><span style="')
    assert page.rfind(b">") == head_end + 2 and page.count(b"<") > 100_000  # the last ">" closes <p>
    assert TITLE.encode() in page[:head_end]


def test_other_bodies() -> None:
    assert docs.garbage_body() == docs.garbage_body() and len(docs.garbage_body()) == 64 * docs.KiB
    padded = docs.padded_report_page(3 * docs.MiB)
    assert len(padded) == 3 * docs.MiB and padded.rstrip().endswith(b"</html>")


# --- the portal (no crawler: plain HTTP clients) ---------------------------------------------------------


def get(url: str) -> http.client.HTTPResponse:
    host, port = url.split("/")[2].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/" + url.split("/", 3)[3])
    return conn.getresponse()


def tls_error(url: str) -> BaseException:
    host, port = url.split("/")[2].split(":")
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            with context.wrap_socket(sock, server_hostname=host):
                pass
        except (ssl.SSLError, OSError) as e:
            return e
    raise AssertionError("TLS handshake succeeded")


def test_portal_serves_each_case_as_documented() -> None:
    with portal.serve_hostile() as (base, log):
        home = urllib.request.urlopen(base, timeout=10).read().decode("utf-8")
        assert "无障碍" in home and "关怀版" in home and "政府信息公开年报" in home
        for path in [*portal.CASES, portal.HEALTHY]:
            assert f'href="{portal.report_url(base, path)}"' in home and portal.title_for(path) in home
        assert len(portal.start_urls(base)) == 2
        assert get(base + "robots.txt").read() == b"User-agent: *\nAllow: /\n"
        assert get(base + "nothing.html").status == 404
        assert get(base + "zfxxgknb/empty.html").read() == b""
        busy = get(base + "zfxxgknb/busy-503.html")
        assert (busy.status, busy.getheader("Retry-After")) == (503, "1")
        assert get(base + "zfxxgknb/busy-429.html").status == 429
        cut = get(base + "zfxxgknb/cut.html")
        assert cut.getheader("Content-Length") == "100000"
        with pytest.raises(http.client.IncompleteRead) as partial:
            cut.read()
        assert len(partial.value.partial) == 1000
        bomb = get(base + "zfxxgknb/gzip-bomb.html")
        body = bomb.read()  # as large as fits under DOWNLOAD_MAXSIZE: a missing cap costs over 1 GB
        assert bomb.getheader("Content-Encoding") == "gzip" and 0.9 * docs.MiB < len(body) < docs.MiB
        assert struct.unpack("<I", body[-4:])[0] > 10**9
        chunked = get(base + "zfxxgknb/oversized-chunked.html")
        assert chunked.getheader("Content-Length") is None and len(chunked.read()) == 3 * docs.MiB
        assert get(base + "zfxxgknb/utf16.html").getheader("Content-Type") == "text/html"
        healthy = get(base + portal.HEALTHY.lstrip("/")).read().decode("utf-8")
        assert portal.HEALTHY_TITLE in healthy and "一、总体情况" in healthy
        assert "wrong version number" in str(tls_error(portal.report_url(base, "/zfxxgknb/tls-plain.html")))
        tls_error(portal.report_url(base, "/zfxxgknb/tls-closed.html"))
        # a stalled response does not hold up shutdown
        stalled = get(base + "zfxxgknb/timeout.html")
        assert stalled.status == 200
        started = time.perf_counter()
    assert time.perf_counter() - started < 2
    paths = {path for path, _ in log}
    assert {"/", "/zfxxgknb/timeout.html", portal.TLS_HELLO_PLAIN, portal.TLS_HELLO_CLOSED} <= paths
