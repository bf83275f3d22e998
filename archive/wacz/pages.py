"""What a package takes from the store: the selected reports, the captures they need, and the page
lists (`pages.jsonl`: one entry per report, with its clean text; `extraPages.jsonl`: the listings
that led to them).

The store knows what the WARC files cannot say on their own: which captures show a report, under
which title, with which clean text (a report's text may come from an attachment or from OCR, not
from the page's HTML, so replay tools could not extract it themselves). Every entry points at a
capture the package holds (`url` + `ts` of a record in its index), so each opens in replay.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.db import Capture, Document, PageLink, ReportCapture, ReportRow, VersionRow
from archive.extract import decode_html
from archive.ingest import current_version
from archive.wacz.inventory import Member
from archive.warcstore import read_record
from settings.registry import Portal

HTML_TYPES = ("text/html", "application/xhtml+xml")
CHUNK = 500  # bound on the values of one SQL IN list
TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.I | re.S)
REFERER_HOPS = 4  # report ← list API (XML/JSON) ← column page: listings are a hop or two up


@dataclass(frozen=True)
class Selection:
    """Which reports a package holds: all, or those on a year and/or of a registry portal."""

    year: int | None = None
    portal: Portal | None = None
    registry: dict[str, Portal] | None = None

    @property
    def everything(self) -> bool:
        return self.year is None and self.portal is None

    def describe(self) -> str:
        parts = [
            f"year {self.year}" if self.year is not None else "",
            self.portal.name if self.portal else "",
        ]
        return ", ".join(p for p in parts if p) or "the whole archive"

    def holds(self, row: ReportRow) -> bool:
        if self.year is not None and row.year != self.year:
            return False
        if self.portal is not None:
            from archive.audit import match_portal

            found = match_portal(row.page_url, self.registry or {self.portal.name: self.portal})
            return found is not None and found.name == self.portal.name
        return True


@dataclass(frozen=True)
class Report:
    """A stored report as its current version reads it: what its page entry says."""

    id: int
    url: str  # the document the text came from
    page_url: str
    title: str | None
    text: str
    document_record: str  # record id of the capture the text was read from
    document_urls: tuple[str, ...]  # of every version (an edit may move the document)


def load_reports(session: Session, selection: Selection) -> tuple[list[Report], set[str]]:
    """(the selected reports, the document URLs of every other report)."""
    rows = session.scalars(
        select(ReportRow).options(
            selectinload(ReportRow.versions).selectinload(VersionRow.document).selectinload(Document.capture),
            selectinload(ReportRow.versions).selectinload(VersionRow.parse_run),
        )
    ).all()
    chosen, others = [], set()
    for row in rows:
        latest = current_version(row)
        if latest is None:
            continue
        if not selection.holds(row):
            others |= {row.url, *(v.document.url for v in row.versions)}
            continue
        chosen.append(
            Report(
                id=row.id,
                url=row.url,
                page_url=row.page_url,
                title=latest.data.get("title") or row.title or latest.document.title,
                text=latest.document.text,
                document_record=latest.document.capture.record_id,
                document_urls=tuple(dict.fromkeys(v.document.url for v in row.versions)),
            )
        )
    chosen.sort(key=lambda r: (r.page_url, r.url, r.id))
    return chosen, others


def report_seeds(session: Session, reports: list[Report], others: set[str]) -> set[str]:
    """Record ids of the captures the reports need: every capture that showed them, their documents,
    their pages, and what those pages link as the report's attachments or scanned pages.

    A URL that is also another report's document (a fixed 年报 URL showing next year's report) is
    taken only at the captures that showed a selected report, never at all its captures.
    """
    ids = [r.id for r in reports]
    capture_ids = {
        cid
        for part in _chunks(ids)
        for cid in session.scalars(select(ReportCapture.capture_id).where(ReportCapture.report_id.in_(part)))
    }
    pages = {u for r in reports for u in (r.page_url, r.url, *r.document_urls)} - others
    page_captures = _captures_by_url(session, pages)
    capture_ids |= {c.id for caps in page_captures.values() for c in caps}
    linked = {
        link.url
        for part in _chunks(sorted(capture_ids))
        for link in session.scalars(
            select(PageLink).where(PageLink.capture_id.in_(part), PageLink.kind.in_(("attachment", "image")))
        )
    }
    linked -= others
    records = {r.document_record for r in reports}
    for part in _chunks(sorted(capture_ids)):
        records |= set(session.scalars(select(Capture.record_id).where(Capture.id.in_(part))))
    records |= {c.record_id for caps in _captures_by_url(session, linked).values() for c in caps}
    return records


def report_pages(
    session: Session, reports: list[Report], held: dict[str, Member]
) -> tuple[list[dict], list[str]]:
    """One `pages.jsonl` entry per report, at a capture the package holds (`held`: record id →
    member); and the reports left out for want of one.

    The entry is the report's article page: the capture its text was read from when that is the
    page, else the page's capture nearest before it (an attachment's page), else the document
    itself. Its `text` is the clean text the report was parsed from.
    """
    by_url = _captures_by_url(session, {r.page_url for r in reports})
    pages, lost = [], []
    for report in reports:
        doc = held.get(report.document_record)
        shown = doc if doc is not None and doc.url == report.page_url else None
        if shown is None:
            candidates = [
                held[c.record_id]
                for c in by_url.get(report.page_url, [])
                if c.record_id in held and c.status in (200, 304)
            ]
            before = [m for m in candidates if doc is None or m.date <= doc.date]
            shown = (
                max(before, key=lambda m: m.date)
                if before
                else min(candidates, key=lambda m: m.date, default=doc)
            )
        if shown is None:
            lost.append(report.page_url)
            continue
        pages.append(_entry(shown, report.title, text=report.text, key=f"report-{report.id}"))
    return pages, lost


def listing_pages(
    session: Session, members: list[Member], reports: list[Report], warc_dir: Path
) -> list[dict]:
    """One `extraPages.jsonl` entry per listing: an HTML page that links a report (its anchors), or
    from which a report was requested (its Referer, climbing through the list APIs a script-drawn
    list calls, up to the first HTML page), at its newest capture the package holds, titled by its
    <title>."""
    report_urls = {u for r in reports for u in (r.page_url, r.url, *r.document_urls)}
    referer = {m.url: m.referer for m in members if m.type == "request" and m.referer}
    linking = set(
        session.scalars(
            select(Capture.url)
            .join(PageLink, PageLink.capture_id == Capture.id)
            .where(PageLink.kind == "report")
        )
    )
    reachable = set()
    for url in report_urls:
        up = referer.get(url)
        for _ in range(REFERER_HOPS):
            if not up:
                break
            reachable.add(up)
            up = referer.get(up)
    by_url = _captures_by_url(session, linking | reachable)
    held = {m.record_id: m for m in members}

    def page_captures(url: str) -> list[Member]:
        return [
            held[c.record_id]
            for c in by_url.get(url, [])
            if c.record_id in held and c.record_type == "response" and c.status == 200 and _is_html(c)
        ]

    listed = set(linking)
    for url in report_urls:
        up = referer.get(url)
        for _ in range(REFERER_HOPS):
            if not up or up in report_urls:
                break
            if page_captures(up):  # the page the list was read from; an API response is climbed past
                listed.add(up)
                break
            up = referer.get(up)
    listings = []
    for url in sorted(listed - report_urls):
        if pages := page_captures(url):
            newest = max(pages, key=lambda m: m.date)
            listings.append(_entry(newest, _title(warc_dir, newest), key=None))
    return listings


def _entry(member: Member, title: str | None, *, key: str | None, text: str | None = None) -> dict[str, Any]:
    ts = _iso_seconds(member.date)
    page: dict[str, Any] = {
        "id": hashlib.sha1(f"{key or ''}/{ts}/{member.url}".encode()).hexdigest()[:24],
        "url": member.url,
        "ts": ts,
    }
    if title:
        page["title"] = title
    if text is not None:
        page["text"] = text
    return page


def _iso_seconds(warc_date: str) -> str:
    """A WARC-Date at the CDXJ's precision (seconds), so a page's ts is its index line's timestamp."""
    moment = datetime.fromisoformat(warc_date.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _title(warc_dir: Path, member: Member) -> str | None:
    """The page's <title>, decoded as a browser would (its charset may be in a <meta> only)."""
    try:
        record = read_record(warc_dir, member.path.name, member.offset)
    except (OSError, ValueError):
        return None
    content_type = next((v for k, v in record.headers if k.lower() == "content-type"), None)
    text, _ = decode_html(record.body, content_type)
    found = TITLE.search(text)
    if found is None:
        return None
    return re.sub(r"\s+", " ", html.unescape(found.group(1))).strip() or None


def _is_html(capture: Capture) -> bool:
    return (capture.content_type or "").split(";")[0].strip().lower() in HTML_TYPES


def _captures_by_url(session: Session, urls: Iterable[str]) -> dict[str, list[Capture]]:
    found: dict[str, list[Capture]] = defaultdict(list)
    for part in _chunks(sorted(set(urls))):
        for capture in session.scalars(select(Capture).where(Capture.url.in_(part))):
            found[capture.url].append(capture)
    return found


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
