"""Items the spider yields: one per response it handled, pointing at the WARC records behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.warcstore import RecordRef


@dataclass(slots=True)
class CaptureItem:
    """A response the spider saw, with the WARC records of every hop and attempt that led to it
    (redirects and retries each have their own record)."""

    url: str
    warc_refs: list[RecordRef] = field(default_factory=list)
