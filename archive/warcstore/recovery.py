"""Making a crashed crawl's WARC files whole: a torn tail cut off, a torn staging file removed."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.warcstore.reader import Bounded, complete_length
from archive.warcstore.records import FINAL_SUFFIX, OPEN_SUFFIX, STAGING_SUFFIX, RecoveryError, final_name
from archive.warcstore.writer import fsync_dir


def discard_staging(directory: Path) -> list[Path]:
    """Delete the ``.open.part`` files a crash left in `directory`; return what was deleted.

    A staging file never holds more than a store's warcinfo record (see `WarcStore`), so removing
    it loses no capture.  Files still locked by a live writer are left alone.
    """
    removed = []
    for path in sorted(Path(directory).glob("*" + STAGING_SUFFIX)):
        with open(path, "rb") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            path.unlink()
        removed.append(path)
    return removed


def recover(path: Path) -> Path:
    """Make a ``.warc.gz.open`` left by a crash readable; return the resulting ``.warc.gz``.

    Keeps every complete gzip member (= record), cuts off a torn tail, fsyncs and renames.
    Passing the final name, or a file already recovered, returns the final path.  Refuses a file
    whose writer is still alive (it holds a flock) and a file with no complete record.
    """
    path = Path(path)
    if path.name.endswith(FINAL_SUFFIX):
        open_path, final = path.with_name(path.name + ".open"), path
        if not open_path.exists():
            if final.exists():
                return final
            raise FileNotFoundError(path)
    elif path.name.endswith(OPEN_SUFFIX):
        open_path, final = path, path.with_name(final_name(path.name))
        if not open_path.exists() and final.exists():
            return final
    else:
        raise ValueError(f"{path}: not a {OPEN_SUFFIX} file")
    if final.exists():
        raise RecoveryError(f"both {open_path.name} and {final.name} exist; refusing to choose")
    with open(open_path, "r+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RecoveryError(f"{open_path}: still being written by a live process") from None
        end = complete_length(fh)
        if end == 0:
            raise RecoveryError(f"{open_path}: no complete WARC record to recover")
        fh.seek(0)
        try:  # the complete members must also be well-formed WARC before we cut anything
            for rec in ArchiveIterator(Bounded(fh, end), no_record_parse=True):
                rec.raw_stream.read()
        except Exception as exc:
            raise RecoveryError(f"{open_path}: complete gzip members are not valid WARC: {exc}") from exc
        fh.truncate(end)
        fh.flush()
        os.fsync(fh.fileno())
        open_path.rename(final)  # while still locked, so no second recover() can interleave
    fsync_dir(final.parent)
    return final
