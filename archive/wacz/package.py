"""The WACZ 1.1.1 zip itself: WARC files, CDXJ index, page lists, datapackage.

Layout (https://specs.webrecorder.net/wacz/1.1.1/):

    archive/*.warc.gz          stored, not deflated: replay reads records at their offsets
    indexes/index.cdx.gz       the CDXJ as gzip blocks of 1,024 lines (stored: it is read by offset)
    indexes/index.idx          one line a block: its first key, offset, length and sha256
    pages/pages.jsonl          the report pages, with their clean text (`hasText`)
    pages/extraPages.jsonl     the listings, when there are any
    datapackage.json           every file above with its sha256 and size
    datapackage-digest.json    the sha256 of datapackage.json

The CDXJ lines are cdxj-indexer's (`post_append`: a POST's key carries its body, the
``__wb_method=post&…`` convention of pywb, so a list a script draws from a POSTed API replays).
The compressed index is the same ZipNum layout py-wacz and ArchiveWeb.page write, so a large
archive replays without loading its whole index. Only the records replay looks up are indexed:
response, revisit and resource (requests, warcinfo, metadata and conversion records stay in the
WARC files, unindexed).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer

import archive

WACZ_VERSION = "1.1.1"
INDEXED_RECORDS = "response,revisit,resource"
LINES_PER_BLOCK = 1024
HASH = "sha256"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Contents:
    """What goes into a package besides its WARC files."""

    title: str
    description: str
    pages: list[dict[str, Any]]
    extra_pages: list[dict[str, Any]]


def index_lines(warcs: list[Path], out: Path) -> int:
    """Write the sorted CDXJ of `warcs` (filenames relative to ``archive/``) to `out`; its line count."""
    with open(out, "w", encoding="utf-8") as fh:
        CDXJIndexer(
            fh, [str(p) for p in warcs], post_append=True, sort=True, records=INDEXED_RECORDS
        ).process_all()
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(revisits_as_their_payload(lines)), encoding="utf-8")
    return len(lines)


def revisits_as_their_payload(lines: list[str]) -> list[str]:
    """A not-modified revisit's line given the status of the capture it repeats.

    The revisit record keeps the 304 the server sent (the archive holds what happened), and
    cdxj-indexer indexes that status. ReplayWeb.page (wabac.js) serves a revisit indexed with a
    3xx status as that status itself, so the report page replayed blank; indexed with the status
    of the capture it refers to (same URL, same payload digest), it replays that capture's
    payload, as pywb does."""
    original: dict[tuple[str, str], str] = {}
    parsed = []
    for line in lines:
        key, ts, fields = line.split(" ", 2)
        data = json.loads(fields)
        parsed.append((key, ts, data))
        if data.get("mime") != "warc/revisit" and data.get("digest"):
            original.setdefault((data.get("url", ""), data["digest"]), data.get("status", ""))
    out = []
    for line, (key, ts, data) in zip(lines, parsed, strict=True):
        status = original.get((data.get("url", ""), data.get("digest", "")))
        if data.get("mime") == "warc/revisit" and data.get("status") == "304" and status:
            line = f"{key} {ts} {json.dumps({**data, 'status': status})}\n"
        out.append(line)
    return out


def zipnum(cdxj: Path, data: Path, index: Path) -> None:
    """Cut the sorted CDXJ into gzip blocks (`data`) and write the block index (`index`)."""
    with (
        open(cdxj, encoding="utf-8") as lines,
        open(data, "wb") as out,
        open(index, "w", encoding="utf-8") as idx,
    ):
        meta = {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}
        idx.write(f"!meta 0 {json.dumps(meta)}\n")
        offset = 0
        while block := list(islice(lines, LINES_PER_BLOCK)):
            compressed = gzip.compress("".join(block).encode("utf-8"), mtime=0)
            key = block[0].split("{", 1)[0].strip()  # "urlkey timestamp", as cdxj-indexer's blocks
            entry = {"offset": offset, "length": len(compressed), "digest": _digest(compressed)}
            idx.write(f"{key} {json.dumps(entry)}\n")
            out.write(compressed)
            offset += len(compressed)


def write_wacz(out: Path, warcs: list[Path], contents: Contents, workdir: Path) -> int:
    """Write the package in `workdir`, then move it to `out` (on the same disk), so a failure leaves
    no half package; returns the number of index lines."""
    cdxj = workdir / "index.cdxj"
    lines = index_lines(warcs, cdxj)
    zipnum(cdxj, workdir / "index.cdx.gz", workdir / "index.idx")
    partial = workdir / "package.wacz.part"
    resources: list[dict[str, Any]] = []
    with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
        for warc in warcs:
            resources.append(_add_file(zf, warc, f"archive/{warc.name}", zipfile.ZIP_STORED))
        resources.append(_add_file(zf, workdir / "index.cdx.gz", "indexes/index.cdx.gz", zipfile.ZIP_STORED))
        resources.append(_add_file(zf, workdir / "index.idx", "indexes/index.idx", zipfile.ZIP_DEFLATED))
        has_text = any("text" in p for p in contents.pages)
        resources.append(
            _add_bytes(zf, "pages/pages.jsonl", _page_list("pages", "Reports", contents.pages, has_text))
        )
        if contents.extra_pages:
            listing = _page_list("extra-pages", "Listings", contents.extra_pages, False)
            resources.append(_add_bytes(zf, "pages/extraPages.jsonl", listing))
        package = {
            "profile": "data-package",
            "resources": resources,
            "title": contents.title,
            "description": contents.description,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "wacz_version": WACZ_VERSION,
            "software": f"nianbao {archive.__version__} (cdxj-indexer {metadata.version('cdxj-indexer')})",
        }
        package_bytes = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        zf.writestr(_info("datapackage.json", zipfile.ZIP_DEFLATED), package_bytes)
        digest = {"path": "datapackage.json", "hash": _digest(package_bytes)}
        zf.writestr(_info("datapackage-digest.json", zipfile.ZIP_DEFLATED), json.dumps(digest, indent=2))
    partial.replace(out)
    return lines


def _page_list(list_id: str, title: str, pages: Iterable[dict[str, Any]], has_text: bool) -> bytes:
    header: dict[str, Any] = {"format": "json-pages-1.0", "id": list_id, "title": title}
    if has_text:
        header["hasText"] = True
    rows = [header, *pages]
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def _info(name: str, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, datetime.now(UTC).timetuple()[:6])
    info.compress_type = compress_type
    return info


def _resource(path: str, digest: str, size: int) -> dict[str, Any]:
    # Frictionless names: lower-case letters, digits and -._/ only.
    name = re.sub(r"[^-a-z0-9._/]", "-", Path(path).name.lower())
    return {"name": name, "path": path, "hash": digest, "bytes": size}


def _add_file(zf: zipfile.ZipFile, source: Path, name: str, compress_type: int) -> dict[str, Any]:
    info = zipfile.ZipInfo.from_file(source, name)  # knows the size: zip64 when needed
    info.compress_type = compress_type
    hasher, size = hashlib.new(HASH), 0
    with open(source, "rb") as fh, zf.open(info, "w") as out:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return _resource(name, f"{HASH}:{hasher.hexdigest()}", size)


def _add_bytes(zf: zipfile.ZipFile, name: str, data: bytes) -> dict[str, Any]:
    zf.writestr(_info(name, zipfile.ZIP_DEFLATED), data)
    return _resource(name, _digest(data), len(data))


def _digest(data: bytes) -> str:
    return f"{HASH}:{hashlib.new(HASH, data).hexdigest()}"
