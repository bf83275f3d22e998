"""A page's OCR reading kept on disk by the page's pixels, for the same picture met again.

The archive already keeps each document's OCR text (a `conversion` record, reused by `reparse`).
This cache serves what the archive cannot: the same picture fetched into another archive (a demo
run again, a test suite crawling the same sample portal many times, a department's report
republished on its parent's portal). It is off unless `NIANBAO_OCR_CACHE` names a directory.

A reading is keyed by the page's pixels, the engine's version and the OCR code itself (the
sources of `archive.ocr`): a new engine or a change to the layout reads the page afresh instead
of serving an old reading. One JSON file per page, written atomically; an unreadable file is a
miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, fields
from functools import cache
from pathlib import Path
from typing import TypeVar

from PIL import Image

T = TypeVar("T")


def cache_dir() -> Path | None:
    """`NIANBAO_OCR_CACHE`, or None (no cache)."""
    value = os.environ.get("NIANBAO_OCR_CACHE")
    return Path(value) if value else None


@cache
def code_version() -> str:
    """A digest of the OCR package's sources: its readings change when they do."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def page_key(image: Image.Image, engine: str) -> str:
    """The key of one page: its mode, size and pixels, the engine and the OCR code."""
    digest = hashlib.sha256(f"{image.mode} {image.size} {engine} {code_version()}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def cached_reading(image: Image.Image, engine: str, read: Callable[[Image.Image], T], kind: type[T]) -> T:
    """`read(image)`, or the reading kept for the same page (a dataclass `kind`) when cached."""
    root = cache_dir()
    if root is None:
        return read(image)
    path = root / f"{page_key(image, engine)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return kind(**{f.name: data[f.name] for f in fields(kind)})  # type: ignore[arg-type]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    reading = read(image)
    try:
        root.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(asdict(reading), ensure_ascii=False), encoding="utf-8")  # type: ignore[call-overload]
        partial.replace(path)
    except OSError:
        pass  # a cache that cannot be written is no cache, not a failure
    return reading
