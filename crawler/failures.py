"""Why a fetch failed, in words an auditor can use: the kind of failure and a one-line reason.

Scrapy and Twisted report a failed download as one of many exception types, sometimes wrapped in
another (`ResponseFailed([Failure(ConnectionLost)])`). `describe_failure` names what happened
(`timeout`, `dns`, `refused`, `cut`, `tls`, `too_large`, `robots`, …); the spider records it with the
URL, so the store can say of a report link "found, but the server timed out" instead of nothing.
Pure: no I/O, no Scrapy state.
"""

from __future__ import annotations

import re

__all__ = ["REFUSALS", "describe_failure", "describe_status"]

# IgnoreRequest reasons of `crawler.middlewares.ScopeMiddleware` that are policy, not failure: the
# link was out of scope and is not followed. ("unresolvable" is a DNS failure of an allowed host.)
REFUSALS = ("offsite", "private_address", "invalid_url")

_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # (kind, exception class names or message fragment (regex), reason)
    ("timeout", r"DownloadTimeoutError|TimeoutError|took longer than", "timed out"),
    ("dns", r"CannotResolveHostError|DNSLookupError|unresolvable|Name or service not known",
     "DNS lookup failed"),
    ("refused", r"ConnectionRefused|Connection was refused", "connection refused"),
    ("tls", r"SSL|TLS|certificate|handshake", "TLS handshake failed"),
    ("too_large", r"during decompression|DOWNLOAD_MAXSIZE|larger than download max size|max size",
     "body over the size limit"),
    # Scrapy cancels a download mid-body, without a message, when the body outgrows DOWNLOAD_MAXSIZE.
    ("too_large", r"DownloadCancelledError", "download cancelled mid-body: the body outgrew the size limit"),
    ("cut", r"ResponseDataLossError|ConnectionLost|ConnectionDone|DataLoss|ResponseFailed|"
            r"ResponseNeverReceived|connection.*(?:closed|lost|reset)|ConnectionReset",
     "connection cut before the body was complete"),
    ("robots", r"Forbidden by robots\.txt", "robots.txt forbids fetching it"),
)  # fmt: skip


def _text(exc: BaseException) -> str:
    """The exception's class names and message, with those of what it wraps (Twisted's reasons)."""
    parts = [type(exc).__name__, str(exc)]
    for inner in getattr(exc, "reasons", None) or []:  # twisted ResponseFailed / ResponseNeverReceived
        value = getattr(inner, "value", inner)
        if isinstance(value, BaseException):
            parts += [type(value).__name__, str(value)]
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, BaseException) and cause is not exc:
        parts += [type(cause).__name__, str(cause)]
    return " ".join(parts)


def describe_failure(exc: BaseException, *, timeout: float | None = None) -> tuple[str, str]:
    """(kind, reason) of a failed download. The reason keeps the exception's own words after a dash."""
    text = _text(exc)
    for kind, pattern, reason in _PATTERNS:
        if re.search(pattern, text, re.I):
            if kind == "timeout" and timeout:
                reason = f"timed out after {timeout:g} s"
            detail = str(exc).strip()
            return kind, f"{reason} ({detail[:200]})" if detail else reason
    return "error", f"{type(exc).__name__}: {str(exc)[:200]}"


def describe_status(status: int, attempts: int) -> str:
    """The reason for a final error status, e.g. "HTTP 503 after 3 attempts"."""
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    return f"HTTP {status}{tries}"
