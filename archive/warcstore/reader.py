"""Reading WARC files back: every record of a directory in order, or one record by file and offset.

A file a live writer (or a crash) left ``.open`` is read up to its last complete gzip member, so a
torn tail is never an exception. Bodies are decoded within the bounds of `archive.limits`.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator as FastArchiveIterator
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

from archive.limits import TooLarge, decode_content
from archive.warcstore.records import (
    CAPTURE_TYPES,
    CHUNK,
    FINAL_SUFFIX,
    OPEN_SUFFIX,
    RECONSTRUCTED_FIELD,
    RecordRef,
    StoredResponse,
    final_name,
)


class Bounded:
    """Read-only view of the first `limit` bytes of a file (hides a torn tail from warcio)."""

    def __init__(self, fh: BinaryIO, limit: int) -> None:
        self.fh, self.limit = fh, limit

    def tell(self) -> int:
        return self.fh.tell()

    def read(self, size: int = -1) -> bytes:
        left = self.limit - self.fh.tell()
        if left <= 0:
            return b""
        return self.fh.read(left if size is None or size < 0 else min(size, left))


def member_end(fh: BinaryIO, start: int) -> int | None:
    """Offset just past the gzip member starting at `start`, or None if it is torn or not gzip."""
    fh.seek(start)
    d = zlib.decompressobj(wbits=31)
    pos = start
    while True:
        data = fh.read(CHUNK)
        if not data:
            return None
        try:
            while data:
                d.decompress(data, CHUNK)
                if d.eof:  # leftover input is in unused_data (and may be mirrored in unconsumed_tail)
                    return pos + len(data) - len(d.unused_data)
                data, pos = d.unconsumed_tail, pos + len(data) - len(d.unconsumed_tail)
        except zlib.error:
            return None


def complete_length(fh: BinaryIO) -> int:
    """Length of the leading run of complete gzip members: what a crash left readable."""
    end = 0
    while (nxt := member_end(fh, end)) is not None:
        end = nxt
    return end


def _warc_paths(directory: Path) -> list[Path]:
    paths = [p for p in Path(directory).iterdir() if p.name.endswith((FINAL_SUFFIX, OPEN_SUFFIX))]
    return sorted(paths, key=lambda p: (final_name(p.name), p.name))


def _decode_body(headers: list[tuple[str, str]], raw: bytes) -> tuple[bytes, str | None]:
    """(body with its content codings undone, None), or (b"", reason) when decoding hit a bound.

    Streamed and bounded (`archive.limits`): a 1 MB gzip body that inflates to 1 GiB stops at the
    cap and becomes a reason, not a gigabyte in memory. A body its label does not fit (a plain body
    labelled gzip) is kept as sent, as warcio's content_stream() does.
    """
    codings = [c for k, v in headers if k.lower() == "content-encoding" for c in v.split(",")]
    if not codings:
        return raw, None
    try:
        return decode_content(raw, codings, what=f"{', '.join(c.strip() for c in codings)} body"), None
    except TooLarge as err:
        return b"", str(err)


def _parse_http_block(block: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    head, sep, rest = block.partition(b"\r\n\r\n")
    if not sep:
        head, rest = block.rstrip(b"\r\n"), b""
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
        elif ":" in line:
            name, value = line.split(":", 1)
            headers.append((name.rstrip(" \t"), value.strip(" \t")))
    return status, headers, rest


def _stored(
    rec_type: str, header: Callable[[str], str | None], block: bytes, filename: str, offset: int, length: int
) -> StoredResponse:
    """The record of type `rec_type` whose WARC header `header` reads, its block read."""
    ref = RecordRef(
        filename=filename,
        offset=offset,
        length=length,
        record_id=header("WARC-Record-ID"),
        warc_date=header("WARC-Date"),
        payload_digest=header("WARC-Payload-Digest"),
    )
    if rec_type in ("resource", "metadata"):  # no HTTP block; metadata has no status either
        status, raw = (200 if rec_type == "resource" else 0), block
        headers = [("Content-Type", header("Content-Type") or "application/octet-stream")]
        link = "WARC-Concurrent-To" if rec_type == "resource" else "WARC-Refers-To"
        body, refers_to, body_error = raw, header(link), None
    else:
        status, headers, raw = _parse_http_block(block)
        body, body_error = _decode_body(headers, raw) if raw else (b"", None)
        refers_to = header("WARC-Refers-To")
    return StoredResponse(
        ref=ref,
        url=header("WARC-Target-URI") or "",
        status=status,
        headers=headers,
        body=body,
        raw_body=raw,
        record_type=rec_type,
        fetched_at=iso_date_to_datetime(header("WARC-Date"), tz_aware=True),
        refers_to=refers_to,
        reconstructed=tuple(i.strip() for i in (header(RECONSTRUCTED_FIELD) or "").split(",") if i.strip()),
        body_error=body_error,
    )


def _iter_file(path: Path, types: tuple[str, ...], start: int = 0) -> Iterator[StoredResponse]:
    """The file's records of `types` from the record boundary `start`, read with FastWARC.

    FastWARC (Rust) reads a file about five times faster than warcio, which stays the writer and
    reads single records (`read_record`); the two read the same blocks at the same offsets (tested).
    A record's length is where the next one starts (the file's readable end for the last), so
    each is handed on once the next is found: its block is read before the reader moves on.
    """
    with open(path, "rb") as fh:
        # An .open file may be torn (crash) or still growing (live writer): its complete members only.
        end = complete_length(fh) if path.name.endswith(OPEN_SUFFIX) else os.fstat(fh.fileno()).st_size
        fh.seek(start)
        name = final_name(path.name)
        held: tuple[str, Callable[[str], str | None], bytes, int] | None = None
        for rec in FastArchiveIterator(Bounded(fh, end), parse_http=False, max_content_length=None):
            offset = rec.stream_pos
            if held is not None:
                yield _stored(*held[:3], name, held[3], offset - held[3])
                held = None
            rec_type = rec.headers.get("WARC-Type") or ""
            if rec_type in types:
                held = (rec_type, rec.headers.get, rec.reader.read(), offset)
        if held is not None:
            yield _stored(*held[:3], name, held[3], end - held[3])


def iter_records(
    directory: Path,
    *,
    types: tuple[str, ...] = CAPTURE_TYPES,
    start: Mapping[str, int] | None = None,
) -> Iterator[StoredResponse]:
    """Every record of `types` in the directory's WARC files, in file-name then record order.

    ``.open`` files (a live writer's, or a crash's) are read up to their last complete record;
    a torn tail is skipped without an exception.  `start` maps a file's final name to the offset
    of a record boundary to begin at (records before it are skipped without being read).
    """
    for path in _warc_paths(Path(directory)):
        offset = (start or {}).get(final_name(path.name), 0)
        yield from _iter_file(path, tuple(types), offset)


_EITHER = ("", ".open", "")  # suffixes of a file's names, in the order a writer renames it


def holds_file(directory: Path, filename: str) -> bool:
    """Whether `directory` holds the WARC file `filename`, by its final name or while it is written
    (another archive's file, e.g. a cluster worker's, is not here)."""
    return any((Path(directory) / (filename + suffix)).exists() for suffix in _EITHER)


def _open_either(directory: Path, filename: str) -> BinaryIO:
    """The file by its final name, or by its ``.open`` name while it is written: tried in the order
    a writer renames it (``.open`` → final), so a rename between two tries is never missed."""
    for name in (filename + suffix for suffix in _EITHER):
        try:
            return open(directory / name, "rb")
        except FileNotFoundError:
            continue
    raise FileNotFoundError(directory / filename)


def read_record(directory: Path, filename: str, offset: int) -> StoredResponse:
    """The record at (`filename`, `offset`), e.g. from a RecordRef or an index.

    `filename` is the final name; while the file is still ``.open`` that file is read instead.
    """
    with _open_either(Path(directory), filename) as fh:
        path = Path(fh.name)
        end = member_end(fh, offset)
        if end is None:
            raise ValueError(f"{path.name}: no complete gzip member (record) at offset {offset}")
        fh.seek(offset)
        it = ArchiveIterator(Bounded(fh, end), no_record_parse=True)
        rec = next(it)
        block = rec.raw_stream.read()
        header = rec.rec_headers.get_header
        return _stored(rec.rec_type, header, block, final_name(path.name), offset, it.get_record_length())
