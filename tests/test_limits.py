"""Bounds on one document, on their own: streamed decoding with size and ratio caps, the sandbox's
memory limit and timeout (a hostile conversion costs a child, never the caller), the page cap, the
reasons a failed fetch gets, and the reasons an unreadable body gets.
"""

from __future__ import annotations

import gzip
import os
import time
import zlib

import brotli
import pytest

from archive.limits import Limits, TooLarge, decode_content
from archive.sandbox import OutOfMemory, Sandbox, TimedOut
from archive.unreadable import unreadable_page
from crawler.failures import describe_failure
from tests.hostile import documents as hostile

PAGE = "<html><head><title>临水县水利局2023年政府信息公开工作年度报告</title></head><body>".encode()


def test_content_codings_are_undone_whole_when_small() -> None:
    body = PAGE * 200
    assert decode_content(gzip.compress(body), ["gzip"]) == body
    assert decode_content(gzip.compress(body) + gzip.compress(body), ["gzip"]) == body * 2  # two members
    assert decode_content(zlib.compress(body), ["deflate"]) == body
    raw = zlib.compressobj(wbits=-15)
    assert decode_content(raw.compress(body) + raw.flush(), ["deflate"]) == body  # raw deflate (IIS)
    assert decode_content(brotli.compress(body), ["br"]) == body
    assert decode_content(gzip.compress(gzip.compress(body)), ["gzip", "gzip"]) == body
    assert decode_content(body, ["gzip"]) == body  # a plain body labelled gzip: kept as sent


def test_a_bomb_stops_at_a_bound_after_a_few_megabytes() -> None:
    bomb = hostile.gzip_bomb(2**30)
    started = time.perf_counter()
    with pytest.raises(TooLarge, match=r"compression bomb|decoded size over"):
        decode_content(bomb, ["gzip"])
    assert time.perf_counter() - started < 2
    # without the ratio cap, the size cap stops it
    with pytest.raises(TooLarge, match=r"decoded size over 8 MiB"):
        decode_content(bomb, ["gzip"], bounds=Limits(decoded_size=8 * 2**20, ratio=10**9))
    nested = hostile.gzip_nested_bomb(2**34)
    with pytest.raises(TooLarge):
        decode_content(nested, ["gzip", "gzip"])


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _allocate(mib: int) -> int:
    return len(bytearray(mib * 2**20))


def _die() -> None:
    os.kill(os.getpid(), 9)


def test_the_sandbox_bounds_time_and_memory_and_survives_its_child() -> None:
    sandbox = Sandbox(memory=512 * 2**20, timeout=2)
    try:
        assert sandbox.call(_sleep, 0.01) == "woke"
        started = time.monotonic()
        with pytest.raises(TimedOut, match=r"timed out after 2 s"):
            sandbox.call(_sleep, 60)
        assert time.monotonic() - started < 10
        with pytest.raises(OutOfMemory, match="512 MiB"):
            sandbox.call(_allocate, 2048)
        with pytest.raises(OutOfMemory):
            sandbox.call(_die)
        assert sandbox.call(_allocate, 16) == 16 * 2**20  # a new child took over each time
        with pytest.raises(ZeroDivisionError):  # the call's own errors come back as they are
            sandbox.call(divmod, 1, 0)
    finally:
        sandbox.close()


def test_hostile_documents_become_reasons() -> None:
    from archive.documents import document_text
    from archive.extract import ExtractionError

    # the page-count bound is reached, never the clock, even on a loaded machine
    sandbox = Sandbox(memory=768 * 2**20, timeout=90)
    try:
        with pytest.raises(ExtractionError, match="PDF of 50000 pages: over the limit of 500"):
            document_text(
                hostile.pdf_many_pages(50_000, compact=True), "application/pdf", "a.pdf", sandbox=sandbox
            )
        with pytest.raises(
            ExtractionError, match=r"DOCX.*(compression bomb|decoded-size limit|decoded size)"
        ):
            document_text(hostile.docx_zip_bomb(2**30), None, "a.docx", sandbox=sandbox)
        with pytest.raises(ExtractionError, match=r"DOCX.*(corrupt|CRC|bomb)"):
            document_text(hostile.docx_lying_sizes(2**30), None, "a.docx", sandbox=sandbox)
        with pytest.raises(
            ExtractionError, match=r"PDF: (conversion ran out of memory|the converter process died)"
        ):
            document_text(hostile.pdf_bomb(2**31), "application/pdf", "a.pdf", sandbox=sandbox)
    finally:
        sandbox.close()


def test_failed_downloads_are_named() -> None:
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadTimeoutError,
        IgnoreRequest,
        ResponseDataLossError,
    )

    assert describe_failure(DownloadTimeoutError("Getting u took longer than 3.0 seconds."), timeout=3)[
        1
    ].startswith("timed out after 3 s")
    assert describe_failure(CannotResolveHostError("x.invalid"))[0] == "dns"
    assert describe_failure(IgnoreRequest("unresolvable: http://x.invalid/"))[0] == "dns"
    assert describe_failure(ResponseDataLossError())[0] == "cut"
    assert describe_failure(DownloadCancelledError())[0] == "too_large"
    assert describe_failure(IgnoreRequest("Forbidden by robots.txt"))[0] == "robots"
    assert describe_failure(RuntimeError("something new"))[1] == "RuntimeError: something new"


def test_unreadable_bodies_are_named() -> None:
    assert unreadable_page(b"", "", "utf-8") == "empty body (0 bytes)"
    assert "undecodable" in unreadable_page(b"x", "<p>" + "\ufffd" * 50, "utf-8")
    assert "binary" in unreadable_page(b"x", "<p>" + "\x01\x02" * 50, "gb18030")
    assert unreadable_page(PAGE, PAGE.decode(), "utf-8") is None
