"""Which archived record answers `/replay/<timestamp>/<url>`.

The store's `Capture` rows are the index (url, fetched_at, file, offset): the same facts the WACZ's
CDXJ holds, without building a WACZ first. Of the captures of a URL (responses and revisits; a
`resource` is derived content such as a rendered DOM, not what the server sent), the one closest in
time to the requested timestamp answers, as in pywb. A revisit has no payload: it is replaced by
the record it refers to (`WARC-Refers-To`), as `crawler.frontier.replay.ArchivedResponses.find`
does; the revisit's own date stays the capture's date (the server confirmed the page then). A
revisit whose referred record is not in the store is skipped for the next closest capture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.engine import Engine

from archive.db import Capture, sessions
from archive.warcstore import StoredResponse, read_record

_DIGITS = re.compile(r"^\d{4,14}$")
_PAD = "19700101000000"


def parse_timestamp(text: str) -> datetime | None:
    """A wayback timestamp (YYYY[MM[DD[hh[mm[ss]]]]], UTC) as an aware datetime; None if not one."""
    if not _DIGITS.match(text):
        return None
    try:
        return datetime.strptime(text + _PAD[len(text) :], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def timestamp_of(moment: datetime) -> str:
    """The 14-digit UTC timestamp of a capture time."""
    return f"{_aware(moment):%Y%m%d%H%M%S}"


def ascii_url(url: str) -> str:
    """The URL with its non-ASCII characters (and spaces) percent-encoded, as a browser sends it and
    as an HTTP header can carry it (Latin-1 only: …/年报/… would break a response mid-headers)."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def url_variants(url: str) -> list[str]:
    """The URL as asked, then the forms a browser or a crawl may have spelled it in: percent-
    decoded or encoded, the other scheme, with or without a trailing slash on a bare host."""
    forms = [url, unquote(url), ascii_url(url), _unquote_non_ascii(url)]
    try:
        forms.append(url.encode("latin-1").decode("utf-8"))  # raw UTF-8 read as Latin-1 (curl)
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    try:
        parts = urlsplit(url)
    except ValueError:  # `http://[::1/`: no URL, so no capture of one
        return forms
    if parts.scheme in ("http", "https"):
        other = "https" if parts.scheme == "http" else "http"
        forms += [other + f[len(parts.scheme) :] for f in list(forms)]
    if parts.path in ("", "/") and not parts.query:
        forms += [f[:-1] if f.endswith("/") else f + "/" for f in list(forms)]
    return list(dict.fromkeys(forms))


_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def _unquote_non_ascii(url: str) -> str:
    """Only the escapes of non-ASCII characters decoded (`%E5%B9%B4` → 年), the URL's own `%23`,
    `%26` kept: the form a crawl stores a Chinese URL in."""
    return _NON_ASCII_ESCAPES.sub(lambda m: unquote(m.group(0)), url)


@dataclass(frozen=True)
class Replayed:
    """The answer to a replay request: the record with the payload, and the capture it stands for."""

    url: str  # the URL as archived
    captured_at: datetime  # the chosen capture's time (a revisit's own time), aware UTC
    record: StoredResponse  # the record holding the payload (the referred one for a revisit)
    revisit_of: datetime | None = None  # for a revisit: when the payload was first captured


class Archive:
    """Reads captures back from the store's index and WARC files."""

    def __init__(self, engine: Engine, warc_dir: Path) -> None:
        self.sessions = sessions(engine)
        self.warc_dir = Path(warc_dir)

    def find(self, url: str, moment: datetime) -> Replayed | None:
        """The capture of `url` closest to `moment`, revisits resolved; None when there is none."""
        with self.sessions() as session:
            captures: list[Capture] = []
            for form in url_variants(url):
                captures = list(
                    session.scalars(
                        select(Capture).where(
                            Capture.url == form, Capture.record_type.in_(("response", "revisit"))
                        )
                    )
                )
                if captures:
                    break
            captures.sort(key=lambda c: (abs((_aware(c.fetched_at) - moment).total_seconds()), c.id))
            for capture in captures:
                holder, first = capture, None
                if capture.record_type == "revisit":
                    holder = session.scalars(
                        select(Capture).where(Capture.record_id == capture.refers_to)
                    ).first()
                    if holder is None:
                        continue
                    first = _aware(holder.fetched_at)
                record = read_record(self.warc_dir, holder.warc_filename, holder.warc_offset)
                return Replayed(capture.url, _aware(capture.fetched_at), record, first)
        return None

    def replay_paths(self, record_ids: list[str]) -> dict[str, str]:
        """`/replay/<timestamp>/<url>` of each record id (the audit's `warc.record_id`) in the store."""
        found: dict[str, str] = {}
        with self.sessions() as session:
            for start in range(0, len(record_ids), 500):
                chunk = record_ids[start : start + 500]
                for record_id, url, fetched_at in session.execute(
                    select(Capture.record_id, Capture.url, Capture.fetched_at).where(
                        Capture.record_id.in_(chunk)
                    )
                ):
                    found[record_id] = f"/replay/{timestamp_of(fetched_at)}/{url}"
        return found
