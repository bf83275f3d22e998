"""Bounds on what one document may cost: decoded size, compression ratio, memory, time, pages.

A crawler reads whatever a hostile or broken server sends. One compression bomb (a 1 MB gzip body
that inflates to 1 GiB, a zip-bomb DOCX, a PDF whose streams inflate to gigabytes) or one absurd
document (a 50,000-page PDF) must cost a bounded amount of memory and time and end as a recorded
failure with its reason, never take the crawl, `reparse` or `parse` down with it.

- `Limits` holds the bounds. Defaults suit real reports (the largest seen are a few MB and under
  100 pages); each can be changed with an environment variable (`NIANBAO_MAX_DECODED_MB`,
  `NIANBAO_MAX_RATIO`, `NIANBAO_CONVERSION_MEMORY_MB`, `NIANBAO_CONVERSION_TIMEOUT`,
  `NIANBAO_MAX_PAGES`), so the crawl, `reparse` and `parse` apply the same ones.
- `decode_content` undoes an HTTP content coding (gzip, deflate, br, zstd) streaming, stopping as
  soon as the output passes the size cap, or the ratio cap once the output is past 1 MiB.
- `read_bounded` reads a stream (a zip member) the same way.

Conversions of PDF/DOC/DOCX run in a child process under `conversion_memory` and
`conversion_timeout` (`archive.sandbox`), which bounds what this module cannot (pdfminer inflates
a PDF stream whole).
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from functools import cache
from typing import BinaryIO

__all__ = ["Limits", "TooLarge", "decode_content", "limits", "read_bounded"]

MiB = 2**20
_CHUNK = 64 * 1024
RATIO_FLOOR = 1 * MiB  # below this much output no ratio is suspicious


class TooLarge(ValueError):
    """Decoding was stopped at a bound; the message names the bound, for a `Failure` reason."""


@dataclass(frozen=True)
class Limits:
    decoded_size: int = 64 * MiB  # any decoded body, zip member or container
    ratio: int = 200  # decoded bytes per encoded byte, once the output passes RATIO_FLOOR
    conversion_memory: int = 1024 * MiB  # address space of the converter process (RLIMIT_AS)
    conversion_timeout: float = 60.0  # seconds of wall-clock time per document
    pages: int = 500  # pages of one PDF read

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        base = cls()

        def number(name: str, default: float, scale: float = 1) -> float:
            value = env.get(name)
            return float(value) * scale if value else default

        return cls(
            decoded_size=int(number("NIANBAO_MAX_DECODED_MB", base.decoded_size, MiB)),
            ratio=int(number("NIANBAO_MAX_RATIO", base.ratio)),
            conversion_memory=int(number("NIANBAO_CONVERSION_MEMORY_MB", base.conversion_memory, MiB)),
            conversion_timeout=number("NIANBAO_CONVERSION_TIMEOUT", base.conversion_timeout),
            pages=int(number("NIANBAO_MAX_PAGES", base.pages)),
        )


@cache
def limits() -> Limits:
    """The process's limits (read from the environment once)."""
    return Limits.from_env()


def _mib(n: int) -> str:
    return f"{n / MiB:g} MiB"


def _check(out: int, consumed: int, what: str, bounds: Limits) -> None:
    if out > bounds.decoded_size:
        raise TooLarge(f"{what}: decoded size over {_mib(bounds.decoded_size)}")
    if out > RATIO_FLOOR and out > bounds.ratio * max(consumed, 1):
        raise TooLarge(
            f"{what}: expands more than {bounds.ratio}× ({consumed} bytes gave over {_mib(out)}); "
            "a compression bomb"
        )


def _inflate(data: bytes, wbits: int, what: str, bounds: Limits) -> bytes:
    """zlib/gzip data, every member of a multi-member gzip, never more than the bounds allow.

    A truncated stream gives what it decoded (a download cut short is still worth reading).
    """
    out: list[bytes] = []
    size, pos = 0, 0
    view = memoryview(data)
    while pos < len(data):
        d = zlib.decompressobj(wbits=wbits)
        tail: bytes | memoryview = view[pos:]
        while True:
            chunk = d.decompress(tail, _CHUNK)
            tail = d.unconsumed_tail
            size += len(chunk)
            out.append(chunk)
            _check(size, len(data) - len(tail), what, bounds)
            if d.eof or (not chunk and not tail):
                break
        if not d.eof:
            break
        pos = len(data) - len(d.unused_data)
        if not d.unused_data.strip(b"\x00"):
            break  # padding after the last member
    return b"".join(out)


def _unbrotli(data: bytes, what: str, bounds: Limits) -> bytes:
    import brotli

    d = brotli.Decompressor()
    out = [d.process(data, output_buffer_limit=_CHUNK)]
    size = len(out[0])
    _check(size, len(data), what, bounds)
    while not d.is_finished():
        chunk = d.process(b"", output_buffer_limit=_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        out.append(chunk)
        _check(size, len(data), what, bounds)
    return b"".join(out)


def _unzstd(data: bytes, what: str, bounds: Limits) -> bytes:
    import io

    try:
        from backports import zstd  # Scrapy's own dependency on Python < 3.14
    except ImportError:  # pragma: no cover - Python 3.14
        from compression import zstd  # type: ignore[no-redef]

    reader = zstd.ZstdFile(io.BytesIO(data))
    return read_bounded(reader, what, bounds, encoded_size=len(data))


def decode_content(
    raw: bytes, codings: list[str], *, what: str = "body", bounds: Limits | None = None
) -> bytes:
    """`raw` with its content codings undone (last applied first), within the bounds.

    Raises `TooLarge` at a bound. A coding that is unknown, or data that does not decode (a server
    that labels a plain body gzip), gives the bytes as they are, as warcio's content_stream() does.
    """
    bounds = bounds or limits()
    body = raw
    for coding in reversed([c.strip().lower() for c in codings if c.strip()]):
        try:
            if coding in ("gzip", "x-gzip"):
                body = _inflate(body, 31, what, bounds)
            elif coding == "deflate":
                try:
                    body = _inflate(body, 15, what, bounds)
                except zlib.error:  # raw deflate, as some Microsoft servers send it
                    body = _inflate(body, -15, what, bounds)
            elif coding == "br":
                body = _unbrotli(body, what, bounds)
            elif coding == "zstd":
                body = _unzstd(body, what, bounds)
            else:
                return body
        except TooLarge:
            raise
        except Exception:  # not what its label says: kept as sent
            return body
    return body


def read_bounded(stream: BinaryIO, what: str, bounds: Limits | None = None, *, encoded_size: int) -> bytes:
    """All of `stream` (a decompressing reader), or `TooLarge` as soon as it passes the bounds."""
    bounds = bounds or limits()
    out: list[bytes] = []
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        _check(size, encoded_size, what, bounds)
        out.append(chunk)
    return b"".join(out)
