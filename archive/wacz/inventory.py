"""What the archive holds, record by record, and the records a selection of reports needs.

A WACZ of a selection must hold every record that replays the selected reports and nothing else,
and its WARC must stay readable by warcio, cdxj-indexer, pywb and ReplayWeb.page. So one pass over
the WARC files lists every record (`Member`: where its gzip member is, what it links to), the
selection is the closure of the reports' captures over those links (`closure`), and the selection
file is the chosen gzip members copied byte for byte (`write_selection`): a record is never
re-serialised, so its digests and headers stay exactly as archived. The pass reads headers only
(plus a request's header block, for its Referer); bodies are skipped, not kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from archive.warcstore.records import FINAL_SUFFIX, OPEN_SUFFIX, STAGING_SUFFIX

GZIP_MAGIC = b"\x1f\x8b"
REQUEST_HEAD = 1 << 16  # enough of a request record to read its header block


@dataclass(frozen=True, slots=True)
class Member:
    """One WARC record of the archive: its gzip member's place and the links replay follows."""

    path: Path
    offset: int
    length: int
    type: str  # WARC-Type
    record_id: str
    url: str  # WARC-Target-URI ("" for warcinfo)
    date: str  # WARC-Date as written
    warcinfo_id: str | None
    concurrent_to: tuple[str, ...]  # request → its response, resource → the response it was rendered from
    refers_to: str | None  # revisit → the record with the payload; conversion/metadata → its source
    refers_to_uri: str | None  # a revisit's WARC-Refers-To-Target-URI
    refers_to_date: str | None  # a revisit's WARC-Refers-To-Date
    referer: str | None = None  # a request's Referer header


def warc_inputs(warc_dir: Path) -> tuple[list[Path], list[Path]]:
    """(complete WARC files in archive order, unfinished ``.open`` files that cannot be packaged).

    A ``.open`` file belongs to a crawl still running (or killed before `recover`): its last
    record may be torn and it will still grow, so it is left out and named to the user.
    """
    finals, unfinished = [], []
    for path in sorted(Path(warc_dir).iterdir()):
        if path.name.endswith(FINAL_SUFFIX):
            finals.append(path)
        elif path.name.endswith((OPEN_SUFFIX, STAGING_SUFFIX)):
            unfinished.append(path)
    return finals, unfinished


def scan(paths: Iterable[Path]) -> list[Member]:
    """Every record of the files, in file then record order."""
    members: list[Member] = []
    for path in paths:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, no_record_parse=True)
            for rec in it:
                h = rec.rec_headers
                referer = _referer(rec.raw_stream.read(REQUEST_HEAD)) if rec.rec_type == "request" else None
                offset, length = it.get_record_offset(), it.get_record_length()  # skips the rest
                members.append(
                    Member(
                        path=path,
                        offset=offset,
                        length=length,
                        type=rec.rec_type,
                        record_id=h.get_header("WARC-Record-ID") or "",
                        url=h.get_header("WARC-Target-URI") or "",
                        date=h.get_header("WARC-Date") or "",
                        warcinfo_id=h.get_header("WARC-Warcinfo-ID"),
                        concurrent_to=tuple(v for k, v in h.headers if k.lower() == "warc-concurrent-to"),
                        refers_to=h.get_header("WARC-Refers-To"),
                        refers_to_uri=h.get_header("WARC-Refers-To-Target-URI"),
                        refers_to_date=h.get_header("WARC-Refers-To-Date"),
                        referer=referer,
                    )
                )
    return members


def _referer(block: bytes) -> str | None:
    head = block.split(b"\r\n\r\n", 1)[0].decode("iso-8859-1")
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "referer":
            return value.strip() or None
    return None


def revisit_target(
    member: Member, by_id: dict[str, Member], by_capture: dict[tuple[str, str], Member]
) -> Member | None:
    """The record holding a revisit's payload: by WARC-Refers-To, else by target URI and date (what
    replay tools look up), or None when the package lacks it."""
    if member.refers_to and member.refers_to in by_id:
        return by_id[member.refers_to]
    return by_capture.get((member.refers_to_uri or "", member.refers_to_date or ""))


def closure(members: list[Member], seeds: Iterable[str]) -> tuple[list[Member], set[str]]:
    """The records the seed records need to replay, in archive order; and the seeds not found.

    A record brings its request and any resource rendered from it (records `WARC-Concurrent-To`
    it), a resource the response it was rendered from, a revisit the record holding its payload,
    any record the conversion records made from it (a scan's OCR text), and the warcinfo record
    of each file a record comes from (every record points to it with `WARC-Warcinfo-ID`).
    """
    by_id = {m.record_id: m for m in members}
    by_capture = {(m.url, m.date): m for m in members if m.type in ("response", "resource")}
    concurrent: dict[str, list[str]] = defaultdict(list)
    conversions: dict[str, list[str]] = defaultdict(list)
    for m in members:
        for other in m.concurrent_to:
            concurrent[other].append(m.record_id)
        if m.type == "conversion" and m.refers_to:
            conversions[m.refers_to].append(m.record_id)
    chosen: set[str] = set()
    missing: set[str] = set()
    queue = list(seeds)
    while queue:
        record_id = queue.pop()
        if record_id in chosen:
            continue
        member = by_id.get(record_id)
        if member is None:
            missing.add(record_id)
            continue
        chosen.add(record_id)
        queue += member.concurrent_to
        queue += concurrent[record_id]
        queue += conversions[record_id]
        if member.warcinfo_id:
            queue.append(member.warcinfo_id)
        if member.type == "revisit" and (target := revisit_target(member, by_id, by_capture)):
            queue.append(target.record_id)
    return [m for m in members if m.record_id in chosen], missing


def unresolved_revisits(members: list[Member]) -> list[Member]:
    """The revisits whose payload record is not among `members`: replay cannot show them."""
    by_id = {m.record_id: m for m in members}
    by_capture = {(m.url, m.date): m for m in members if m.type in ("response", "resource")}
    return [m for m in members if m.type == "revisit" and revisit_target(m, by_id, by_capture) is None]


def write_selection(members: list[Member], out: Path, info: dict[str, str]) -> None:
    """A WARC file of a warcinfo record describing the selection, then `members` copied byte for byte.

    Each record is its own gzip member in the source files, so the copies keep warcio's member
    boundaries: the offsets cdxj-indexer finds in the new file read back record by record.
    """
    with open(out, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(out.name, info))
        source: BinaryIO | None = None
        source_path = None
        try:
            for m in members:
                if source is None or source_path != m.path:
                    if source is not None:
                        source.close()
                    source, source_path = open(m.path, "rb"), m.path
                source.seek(m.offset)
                head = source.read(2)
                if head != GZIP_MAGIC:
                    raise ValueError(f"{m.path.name}: no gzip member at offset {m.offset}")
                fh.write(head)
                _copy(source, fh, m.length - 2)
        finally:
            if source is not None:
                source.close()


def _copy(src: BinaryIO, dst: BinaryIO, length: int) -> None:
    left = length
    while left > 0:
        chunk = src.read(min(left, 1 << 20))
        if not chunk:
            raise ValueError(f"{src.name}: file ends inside a record")
        dst.write(chunk)
        left -= len(chunk)


__all__ = [
    "Member",
    "closure",
    "scan",
    "unresolved_revisits",
    "warc_inputs",
    "write_selection",
]
