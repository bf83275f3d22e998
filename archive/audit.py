"""Audit: was each annual report published on time, honestly dated, left unedited, consistent and clean?

`nianbao audit` turns the store into one row per report (and one per report expected but not found).
The database is read once (`_load`) into plain facts; every finding is then a pure function of those
facts (`deadline_for`, `decide_status`, `find_backdating`, `diff_versions`, `cross_year_failures`),
so each rule can be tested without a crawl and reasoned about on its own.

Whose report, and which deadline
--------------------------------
- Level and region come from the registry portal whose hosts (or home-page host) match the host of the
  report's page URL: the longest matching host wins and subdomains count (`rsj.x.gov.cn` matches a
  portal listing `x.gov.cn`). Without a match the level is guessed from the agency's name
  (`level_from_name`): 北京/天津/上海/重庆 and 省/自治区 names are provincial, a 市/州/盟 below them
  municipal, a 县/区/旗 county, 国家…/国务院… central. A name ending in 乡/镇/街道 is a township
  whatever portal hosts it (county portals host their townships' reports).
- Kind: a people's government's own report (name ends in 人民政府, or in 政府 after a place name
  such as 东城区政府, or is a bare place name such as 上海市, and is not an 办公室/办公厅) is the
  government-wide report (`government`); anything else is a department's report. The
  人民政府办公室 publishes both its own report (a department's) and the government-wide one; the
  agency named in the title tells them apart (domain.md §2.1).
- Deadline (条例 art. 49): a department's report on year Y by Y+1-01-31, a government-wide report by
  Y+1-03-31. A portal's `deadline` ("MM-DD", a local rule) replaces it when earlier. For a
  government-wide report only an override later than 01-31 is taken: the city-wide report summarises
  its departments' reports, which are due by 01-31, so an earlier local date is a department deadline
  (settings/portals.toml says so of 怀化市's 01-28). Art. 49 names only governments and departments at
  county level and above; townships (乡镇/街道) have no statutory deadline, so their status is `unknown`
  unless their portal carries a local deadline. An unknown level is treated as covered (the portals
  crawled are county level and above).
- Reports on 2018 and earlier fall under the 2007 条例 (国务院令第492号, art. 31: every 行政机关,
  townships included, by 3月31日); the 2019 revision, in force from 2019-05-15, brought departments
  forward "by two months" (domain.md §2.1). The registry's local rules are notices of the 2019
  regime (怀化市 2022…), so they are not applied to those years.

Dates are compared as calendar dates in China time (UTC+8): "by 1月31日" means before midnight
Beijing time, and captures are stored in UTC.

Status (decision table)
-----------------------
D = the date the page claims (`published_on`), F = the local date of the first capture showing the
report (any URL it was seen at), DL = the deadline, B = backdated (see below), t = the latest capture
of a listing that did not list it yet.

| DL   | F ≤ DL | D          | B           | status    | why                                              |
|------|--------|------------|-------------|-----------|--------------------------------------------------|
| none | –      | –          | –           | unknown   | no deadline applies (township, or no year)       |
| set  | yes    | any        | any         | on_time   | we hold a capture made by the deadline: proof    |
| set  | no     | > DL       | any         | late      | the page itself says it came out late            |
| set  | no     | ≤ DL       | no          | on_time   | the page's claim, and nothing contradicts it     |
| set  | no     | ≤ DL       | yes, t > DL | late      | a listing after the deadline did not show it yet |
| set  | no     | ≤ DL       | yes, t ≤ DL | unknown   | the claim is false, but it may still have        |
|      |        |            |             |           | appeared between t and the deadline              |
| set  | no     | none       | –           | unknown   | no claim, and we may simply have started late    |

Where a report column that the agency's earlier reports were found in (their pages in the column's
directory or below) could not be read by any means (a `column_empty` finding of the crawl:
adapters, data URLs, linked scripts and the browser all found nothing), a report not found is
`unreadable` ("not found — column unreadable"), not `missing`: we may simply have failed to see it.
The column itself gets a row of kind `column`, status `unreadable`, with what the crawl tried.

A capture made by the deadline beats a later claimed date (a page re-dated on a later edit was still
public in time). `missing` rows are separate: an agency (same name, same portal) with a report on an
earlier year and none on year Y once today is past Y's deadline. Without `--year` every year from the
agency's first report to the latest year whose deadline has passed is checked. A report page that was
captured but could not be parsed (a `Failure` of a current parse run) still counts as present, and gets
a row of its own with the reason, so a scanned report is not reported as missing.

Findings
--------
- backdated: a listing page P that links the report in some capture was captured at a time t after
  the end of the claimed day, without linking it, and before any capture showed the report (before
  both its first capture and the first capture of any page linking it: a listing re-paginated after
  publication must not count). Revisit records stand for the capture they refer to; 304s and non-HTML
  captures are no evidence either way. Evidence: P's URL, t, and when a listing first showed it.
- edited: consecutive versions of the current parse runs differ in a cell or in one of the spec's
  fields (title, agency, year, published_on, index_no, format, processing_fee_yuan, sections.*); never
  url, notes or quality, nor a cell either version lists as unresolved (not read is not changed).
  Page noise (visit counters, clocks) never makes a version: the ingest digest is over the parsed
  report, not the page. Section texts are shown as the differing stretch with some context.
- checks_failed: the failed consistency rules of the current version (`rule:column`), plus
  `cross_year:COLUMN` where 上年结转 (applications.carried_over) differs from the same agency's
  previous-year 结转下年度继续办理 (applications.carried_forward); skipped when either cell is blank.
- spam: injected links recorded on the report's page (`Document.spam`).
- needs review: the parser doubts the current version's cells (its `quality`, REPORT.md): cells the
  report has but that could not be read with confidence (`unresolved`, null in the export: not
  blank), or a standard table not found. The numbers beside it should be checked against the source.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.db import (
    Capture,
    Document,
    Failure,
    PageLink,
    ParseRun,
    ReportCapture,
    ReportRow,
    VersionRow,
    live_run_clause,
)
from archive.ingest import current_version
from archive.parser.meta import agency_from_title, parse_date
from settings.registry import Portal

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991
STATUSES = ("missing", "unreadable", "late", "unknown", "on_time")  # most to least severe
LEVEL_ORDER = ("central", "provincial", "municipal", "county", "township", "")
APPLICANT_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
# The spec's fields compared between versions (REPORT.md); url, notes, schema and checks are not
# content the page states (checks are derived from the cells, which are compared themselves).
VERSION_FIELDS = ("title", "agency", "year", "published_on", "index_no", "format", "processing_fee_yuan")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_UNIT = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:省|市|州|盟|县|区|旗)")
_TOWNSHIP = re.compile(r"(?:乡|镇|街道)(?:人民政府|办事处)?$")
# Reports on this year and before were due under the 2007 条例 (art. 31), all by 3月31日.
LAST_YEAR_UNDER_2007_REGULATIONS = 2018
_PLACE_ONLY = re.compile(r"^(?:[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|州|盟|县|自治县|区|旗))+$")
_CHUNK = 500
COLUMN_EMPTY = "column_empty"  # the failure stage of a report column nothing could read


@dataclass
class AuditRow:
    """One audited report, or one report expected but not found (status `missing`, no url)."""

    agency: str
    level: str  # central | provincial | municipal | county | township | "" (unknown)
    region: str
    kind: str  # government | department
    year: int | None
    url: str
    page_url: str
    title: str
    published_on: str | None  # what the page claims, ISO date
    first_seen: str | None  # first capture showing the report, ISO UTC
    last_modified: str | None  # HTTP Last-Modified of the capture of the current version
    deadline: str | None  # ISO date
    status: str  # on_time | late | missing | unreadable | unknown
    status_reason: str = ""
    portal: str = ""
    backdated: bool = False
    backdated_evidence: dict[str, str] | None = None  # listing, captured_at, first_listed_at
    edited: bool = False
    changes: list[dict[str, Any]] = field(default_factory=list)  # key, old, new, first_seen
    checks_failed: list[str] = field(default_factory=list)
    spam: list[dict[str, str]] = field(default_factory=list)  # text, href
    warc: dict[str, Any] | None = None  # file, offset, record_id
    parse_failure: str | None = None  # a report page captured but not parsed: the reason
    column_empty: str | None = None  # a column row: the crawl could not read it, and what it tried
    needs_review: bool = False  # the parser doubts some cells: check them against the source
    unresolved: list[str] = field(default_factory=list)  # cells the report has but were not read
    review_notes: list[str] = field(default_factory=list)  # the parser's reasons


# --- who and when: pure ------------------------------------------------------------------------


def _host_matches(host: str, portal_host: str) -> bool:
    portal_host = portal_host.lower().rstrip(".")
    if not portal_host:
        return False
    if host == portal_host or host.endswith("." + portal_host):
        return True
    return portal_host.startswith("www.") and host == portal_host[4:]


def match_portal(url: str, registry: dict[str, Portal]) -> Portal | None:
    """The portal whose host (or home host) is the longest match for the URL's host, subdomains included."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return None
    best: tuple[int, Portal] | None = None
    for portal in registry.values():
        for candidate in portal.allowed_hosts:
            if _host_matches(host, candidate) and (best is None or len(candidate) > best[0]):
                best = (len(candidate), portal)
    return best[1] if best else None


def is_township(agency: str) -> bool:
    return bool(_TOWNSHIP.search(agency or ""))


def level_from_name(agency: str) -> str:
    """The administrative level an agency's name implies; "" when it says nothing."""
    name = agency or ""
    if is_township(name):
        return "township"
    name = (
        name.replace("特别行政区", "省")
        .replace("自治区", "省")
        .replace("自治州", "州")
        .replace("自治县", "县")
    )
    for city in _MUNICIPALITIES:
        if name.startswith(city):
            name = "省" + name[len(city) :]
    units = []
    rest = name
    while m := _UNIT.match(rest):
        units.append(m.group()[-1])
        rest = rest[m.end() :]
    if not units and name.startswith("省"):  # 自治区经济和信息化厅
        units = ["省"]
    if not units:
        return "central" if name.startswith(("国家", "国务院", "中华人民共和国", "中国")) else ""
    last = units[-1]
    if last == "省":
        return "provincial"
    if last in "市州盟":
        return "municipal"
    return "county"


def kind_of(agency: str) -> str:
    """`government` for a people's government's own (government-wide) report, else `department`."""
    name = agency or ""
    if "办公室" in name or "办公厅" in name:
        return "department"
    if name.endswith("人民政府") or _PLACE_ONLY.match(name):
        return "government"
    if name.endswith("政府") and (_PLACE_ONLY.match(name[:-2]) or name[:-2].endswith(("乡", "镇"))):
        return "government"  # 东城区政府, 溪口县政府: the short form of the same name
    return "department"


def _month_day(year: int, text: str) -> date:
    month, day = int(text[:2]), int(text[3:5])
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return date(year, month, day - 1)


def deadline_for(year: int | None, kind: str, level: str, portal: Portal | None) -> tuple[date | None, str]:
    """(deadline, basis) for a report on `year`; None when no rule applies. See the module docstring."""
    if year is None:
        return None, "report year unknown"
    override = _month_day(year + 1, portal.deadline) if portal is not None and portal.deadline else None
    if year <= LAST_YEAR_UNDER_2007_REGULATIONS:  # registered local rules belong to the 2019 regime
        return date(year + 1, 3, 31), "2007 条例 art. 31 (every agency; reports on 2018 and earlier)"
    if level == "township":
        if override is not None:
            return override, f"local rule of {portal.name} (townships are not covered by art. 49)"  # type: ignore[union-attr]
        return (
            None,
            "townships (乡镇/街道) are not covered by 条例 art. 49 and no local deadline is registered",
        )
    if kind == "government":
        statutory, basis = date(year + 1, 3, 31), "条例 art. 49 ¶2 (government-wide report)"
        if override is not None and date(year + 1, 1, 31) < override < statutory:
            return override, f"local rule of {portal.name}"  # type: ignore[union-attr]
        return statutory, basis
    statutory, basis = date(year + 1, 1, 31), "条例 art. 49 ¶1 (department)"
    if override is not None and override < statutory:
        return override, f"local rule of {portal.name}"  # type: ignore[union-attr]
    return statutory, basis


def local_date(moment: datetime) -> date:
    """The calendar date in China of a stored (UTC; naive from SQLite) moment."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).date()


def end_of_day(day: date) -> datetime:
    """Midnight after `day`, China time, as an aware UTC datetime."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), CHINA).astimezone(UTC)


def decide_status(
    claimed: date | None,
    first_seen: datetime | None,
    deadline: date | None,
    backdated_at: datetime | None = None,
) -> tuple[str, str]:
    """(status, reason) by the decision table of the module docstring.

    `backdated_at` is the time of the latest listing capture that did not show the report although
    its claimed date had passed (None when the report is not backdated).
    """
    if deadline is None:
        return "unknown", "no deadline applies"
    seen = local_date(first_seen) if first_seen is not None else None
    if seen is not None and seen <= deadline:
        return "on_time", f"captured {seen} (deadline {deadline})"
    if claimed is not None and claimed > deadline:
        return "late", f"the page claims {claimed}, after the deadline {deadline}"
    if claimed is None:
        return "unknown", f"no date on the page and first captured {seen} after the deadline {deadline}"
    if backdated_at is None:
        return "on_time", f"the page claims {claimed} (deadline {deadline}); first captured {seen}"
    when = local_date(backdated_at)
    if when > deadline:
        return "late", f"claims {claimed}, but a listing captured {when} (after the deadline) did not list it"
    return (
        "unknown",
        f"claims {claimed}, but a listing captured {when} did not list it; first captured {seen}",
    )


# --- findings: pure ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListingCapture:
    """One capture of a page that linked the report in some capture: when, and whether this one did."""

    url: str
    fetched_at: datetime  # aware UTC
    links_report: bool


def find_backdating(
    claimed: date | None, first_seen: datetime | None, listings: Sequence[ListingCapture]
) -> dict[str, str] | None:
    """Evidence that the claimed date is false, or None. See "backdated" in the module docstring."""
    if claimed is None or not listings:
        return None
    after = end_of_day(claimed)
    first_listed = min((c.fetched_at for c in listings if c.links_report), default=None)
    shown = [t for t in (first_seen, first_listed) if t is not None]
    before = min(shown) if shown else None
    unlisted = [
        c
        for c in listings
        if not c.links_report and c.fetched_at >= after and (before is None or c.fetched_at < before)
    ]
    if not unlisted:
        return None
    latest = max(unlisted, key=lambda c: c.fetched_at)
    evidence = {"listing": latest.url, "captured_at": _iso(latest.fetched_at)}
    if first_listed is not None:
        evidence["first_listed_at"] = _iso(first_listed)
    return evidence


def _snippet(old: str, new: str, context: int = 20, limit: int = 160) -> tuple[str, str]:
    """The stretch where two texts differ, with a little context either side."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1

    def cut(text: str) -> str:
        a, b = max(0, start - context), len(text) - max(0, end - context)
        piece = text[a:b]
        if len(piece) > limit:
            piece = piece[:limit] + "…"
        return ("…" if a > 0 else "") + piece + ("…" if b < len(text) else "")

    return cut(old), cut(new)


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed between two report objects (REPORT.md shape): cells and the spec's fields."""
    changes: list[dict[str, Any]] = []
    for key in VERSION_FIELDS:
        if old.get(key) != new.get(key):
            changes.append({"key": key, "old": old.get(key), "new": new.get(key)})
    old_sections, new_sections = old.get("sections") or {}, new.get("sections") or {}
    for name in sorted(set(old_sections) | set(new_sections)):
        a, b = old_sections.get(name) or "", new_sections.get(name) or ""
        if a != b:
            a, b = _snippet(a, b)
            changes.append({"key": f"sections.{name}", "old": a, "new": b})
    old_cells, new_cells = old.get("cells") or {}, new.get("cells") or {}
    # A cell one reading could not read is no evidence of an edit (REPORT.md `quality.unresolved`).
    unread = {k for v in (old, new) for k in (v.get("quality") or {}).get("unresolved", [])}
    for key in sorted(set(old_cells) | set(new_cells)):
        if key in unread:
            continue
        if old_cells.get(key) != new_cells.get(key) or (key in old_cells) != (key in new_cells):
            changes.append({"key": key, "old": old_cells.get(key), "new": new_cells.get(key)})
    return changes


def cross_year_failures(this_year: dict[str, Any], last_year: dict[str, Any]) -> list[str]:
    """`cross_year:COLUMN` where this year's 上年结转 differs from last year's 结转下年度继续办理."""
    cells, prev = this_year.get("cells") or {}, last_year.get("cells") or {}
    failed = []
    for column in APPLICANT_COLUMNS:
        carried_over = cells.get(f"applications.carried_over.{column}")
        carried_forward = prev.get(f"applications.carried_forward.{column}")
        if carried_over is None or carried_forward is None:
            continue
        if _number(carried_over) != _number(carried_forward):
            failed.append(f"cross_year:{column}")
    return failed


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- loading -----------------------------------------------------------------------------------


@dataclass
class _Found:
    """A report present in the store (parsed, or captured but not parsed), before the audit rules."""

    row: AuditRow
    agency_key: tuple[str, str]
    data: dict[str, Any] | None  # the current version's report object
    claimed: date | None
    first_seen: datetime | None
    link_urls: set[str]
    portal: Portal | None


def _chunks(items: Iterable[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _who(agency: str, page_url: str, registry: dict[str, Portal]) -> tuple[Portal | None, str, str, str]:
    """(portal, level, region, kind) of a report by its agency and page URL."""
    portal = match_portal(page_url, registry)
    kind = kind_of(agency)
    if is_township(agency):
        level = "township"
    elif portal is not None:
        level = portal.level
    else:
        level = level_from_name(agency)
    return portal, level, portal.region if portal else "", kind


def _agency_key(agency: str, portal: Portal | None, page_url: str) -> tuple[str, str]:
    return agency, portal.name if portal else (urlsplit(page_url).hostname or "")


def _load_reports(session: Session, registry: dict[str, Portal]) -> list[_Found]:
    rows = session.scalars(
        select(ReportRow).options(
            selectinload(ReportRow.versions).selectinload(VersionRow.parse_run),
            selectinload(ReportRow.versions).selectinload(VersionRow.document).selectinload(Document.capture),
        )
    ).all()
    seen: dict[int, datetime] = {}
    for report_id, fetched_at in session.execute(
        select(ReportCapture.report_id, Capture.fetched_at).join(
            Capture, ReportCapture.capture_id == Capture.id
        )
    ):
        moment = _aware(fetched_at)
        if report_id not in seen or moment < seen[report_id]:
            seen[report_id] = moment
    found = []
    for report in rows:
        version = current_version(report)
        if version is None:
            continue
        data = version.data or {}
        live = [v for v in report.versions if v.parse_run.live]
        changes: list[dict[str, Any]] = []
        for before, after in pairwise(live):
            for change in diff_versions(before.data or {}, after.data or {}):
                changes.append({**change, "first_seen": _iso(after.first_seen)})
        agency = report.agency or data.get("agency") or ""
        year = report.year if report.year is not None else data.get("year")
        portal, level, region, kind = _who(agency, report.page_url, registry)
        capture = version.document.capture
        first_seen = seen.get(report.id) or _aware(report.first_seen)
        row = AuditRow(
            agency=agency,
            level=level,
            region=region,
            kind=kind,
            year=year,
            url=report.url,
            page_url=report.page_url,
            title=report.title or data.get("title") or "",
            published_on=version.published_on.isoformat() if version.published_on else None,
            first_seen=_iso(first_seen),
            last_modified=capture.last_modified,
            deadline=None,
            status="unknown",
            portal=portal.name if portal else "",
            edited=bool(changes),
            changes=changes,
            checks_failed=[f"{c['rule']}:{c['column']}" for c in data.get("checks", []) if not c.get("ok")],
            needs_review=bool((data.get("quality") or {}).get("needs_review")),
            unresolved=list((data.get("quality") or {}).get("unresolved", [])),
            review_notes=list((data.get("quality") or {}).get("notes", [])),
            spam=[
                {"text": s.get("text", ""), "href": s.get("href", "")} for s in version.document.spam or []
            ],
            warc={
                "file": capture.warc_filename,
                "offset": capture.warc_offset,
                "record_id": capture.record_id,
            },
        )
        found.append(
            _Found(
                row=row,
                agency_key=_agency_key(agency, portal, report.page_url),
                data=data,
                claimed=version.published_on,
                first_seen=first_seen,
                link_urls={report.page_url, report.url},
                portal=portal,
            )
        )
    return found


def _live_failures(session: Session, which: Any) -> list[Failure]:
    """The current runs' failures that `which` selects, oldest first, with their captures."""
    return list(
        session.scalars(
            select(Failure)
            .join(ParseRun, Failure.parse_run_id == ParseRun.id)
            .where(live_run_clause(), which)
            .options(selectinload(Failure.capture))
            .order_by(Failure.id)
        ).all()
    )


def _load_failures(session: Session, registry: dict[str, Portal], parsed_urls: set[str]) -> list[_Found]:
    """Report pages captured but not parsed by a current run: present, with the reason, dated by the page."""
    failures = _live_failures(session, Failure.stage != COLUMN_EMPTY)
    by_url: dict[str, list[Failure]] = defaultdict(list)
    for failure in failures:
        if failure.url not in parsed_urls:
            by_url[failure.url].append(failure)
    found = []
    for url, group in by_url.items():
        first = min(group, key=lambda f: _aware(f.capture.fetched_at))
        last = max(group, key=lambda f: f.id)
        document = session.scalars(
            select(Document)
            .where(Document.capture_id == last.capture_id)
            .order_by(Document.id.desc())
            .limit(1)
        ).first()
        metadata = dict(document.page_metadata) if document is not None else {}
        title = (document.title if document is not None else None) or metadata.get("标题") or ""
        if not title:
            anchor = session.scalars(select(PageLink.text).where(PageLink.url == url).limit(1)).first()
            title = anchor or ""
        agency = agency_from_title(title) or metadata.get("发布机构") or ""
        year_match = re.search(r"((?:19|20)\d{2})\s*年", title)
        year = int(year_match.group(1)) if year_match else None
        page_url = document.page_url if document is not None else url
        claimed_text = next(
            (metadata[k] for k in ("发布日期", "发布时间", "成文日期") if metadata.get(k)), None
        )
        claimed_iso = parse_date(claimed_text) if claimed_text else None
        claimed = date.fromisoformat(claimed_iso) if claimed_iso else None
        portal, level, region, kind = _who(agency, page_url, registry)
        capture = last.capture
        first_seen = _aware(first.capture.fetched_at)
        row = AuditRow(
            agency=agency,
            level=level,
            region=region,
            kind=kind,
            year=year,
            url=url,
            page_url=page_url,
            title=title,
            published_on=claimed_iso,
            first_seen=_iso(first_seen),
            last_modified=capture.last_modified,
            deadline=None,
            status="unknown",
            portal=portal.name if portal else "",
            spam=list(document.spam or []) if document is not None else [],
            warc={
                "file": capture.warc_filename,
                "offset": capture.warc_offset,
                "record_id": capture.record_id,
            },
            parse_failure=f"{last.stage}: {last.reason}",
        )
        found.append(
            _Found(
                row=row,
                agency_key=_agency_key(agency, portal, page_url),
                data=None,
                claimed=claimed,
                first_seen=first_seen,
                link_urls={page_url, url},
                portal=portal,
            )
        )
    return found


def _load_empty_columns(session: Session, registry: dict[str, Portal]) -> list[AuditRow]:
    """Report columns the crawl could not read by any means (current runs), one row each."""
    failures = _live_failures(session, Failure.stage == COLUMN_EMPTY)
    latest = {f.url: f for f in failures}  # a column read in a later crawl has no finding there
    rows = []
    for url, failure in latest.items():
        portal = match_portal(url, registry)
        named = re.match(r"「(.+?)」", failure.reason)
        title = (
            named[1] if named else session.scalars(select(PageLink.text).where(PageLink.url == url)).first()
        )
        capture = failure.capture
        rows.append(
            AuditRow(
                agency=portal.name if portal else "",
                level=portal.level if portal else "",
                region=portal.region if portal else "",
                kind="column",
                year=None,
                url=url,
                page_url=url,
                title=title or "",
                published_on=None,
                first_seen=_iso(_aware(capture.fetched_at)),
                last_modified=None,
                deadline=None,
                status="unreadable",
                status_reason=f"report column unreadable: {failure.reason}",
                portal=portal.name if portal else "",
                warc={
                    "file": capture.warc_filename,
                    "offset": capture.warc_offset,
                    "record_id": capture.record_id,
                },
                column_empty=failure.reason,
            )
        )
    return rows


def _in_column(column_url: str, page_url: str) -> bool:
    """Whether a report page lives in a column (in its directory or below, on its host): an empty
    column explains a missing report of an agency whose earlier reports were found there."""
    column, page = urlsplit(column_url), urlsplit(page_url)
    directory = column.path.rsplit("/", 1)[0] + "/"
    return column.netloc == page.netloc and page.path.startswith(directory)


def _load_listings(session: Session, urls: set[str]) -> dict[str, list[ListingCapture]]:
    """For each report URL: every evidence-bearing capture of every page that ever linked it."""
    linking: dict[str, set[str]] = defaultdict(set)  # listing page URL -> report URLs it linked
    for batch in _chunks(sorted(urls)):
        for link_url, page in session.execute(
            select(PageLink.url, Capture.url)
            .join(Capture, PageLink.capture_id == Capture.id)
            .where(PageLink.url.in_(batch), PageLink.kind.in_(("report", "attachment")))
        ):
            linking[page].add(link_url)
    if not linking:
        return {}
    captures: list[Capture] = []
    for batch in _chunks(sorted(linking)):
        captures += session.scalars(select(Capture).where(Capture.url.in_(batch))).all()
    # A revisit stands for the capture holding its payload: same page, same links.
    referred = {c.refers_to for c in captures if c.record_type == "revisit" and c.refers_to}
    payload_of: dict[str, Capture] = {}
    for batch in _chunks(sorted(referred)):
        for c in session.scalars(select(Capture).where(Capture.record_id.in_(batch))):
            payload_of[c.record_id] = c
    source: dict[int, Capture] = {}
    for c in captures:
        if c.record_type == "revisit":
            target = payload_of.get(c.refers_to or "")
            if target is not None:
                source[c.id] = target
        elif c.record_type in ("response", "resource") and c.status == 200 and _is_html(c.content_type):
            source[c.id] = c
    links: dict[int, set[str]] = defaultdict(set)
    ids = sorted({s.id for s in source.values()})
    for batch in _chunks(ids):
        for capture_id, link_url in session.execute(
            select(PageLink.capture_id, PageLink.url).where(
                PageLink.capture_id.in_(batch), PageLink.kind.in_(("report", "attachment"))
            )
        ):
            links[capture_id].add(link_url)
    result: dict[str, list[ListingCapture]] = defaultdict(list)
    for c in captures:
        if c.id not in source:
            continue
        shown = links[source[c.id].id]
        for report_url in linking[c.url]:
            result[report_url].append(ListingCapture(c.url, _aware(c.fetched_at), report_url in shown))
    return result


def _is_html(content_type: str | None) -> bool:
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime in ("text/html", "application/xhtml+xml", "")


# --- the audit ---------------------------------------------------------------------------------


def audit_rows(
    session: Session, registry: dict[str, Portal], *, year: int | None, today: date
) -> list[AuditRow]:
    """Every report in the store (only reports on `year` when given) and every expected-but-missing one."""
    columns = _load_empty_columns(session, registry)
    found = _load_reports(session, registry)
    found += _load_failures(session, registry, {f.row.url for f in found} | {f.row.page_url for f in found})
    listings = _load_listings(session, set().union(*(f.link_urls for f in found)) if found else set())

    by_agency_year: dict[tuple[tuple[str, str], int], list[_Found]] = defaultdict(list)
    for f in found:
        if f.row.year is not None:
            by_agency_year[(f.agency_key, f.row.year)].append(f)

    rows: list[AuditRow] = []
    for f in found:
        row = f.row
        deadline, basis = deadline_for(row.year, row.kind, row.level, f.portal)
        row.deadline = deadline.isoformat() if deadline else None
        captures = [c for u in f.link_urls for c in listings.get(u, [])]
        evidence = find_backdating(f.claimed, f.first_seen, _merge_listings(captures))
        row.backdated, row.backdated_evidence = evidence is not None, evidence
        backdated_at = _parse_iso(evidence["captured_at"]) if evidence else None
        row.status, reason = decide_status(f.claimed, f.first_seen, deadline, backdated_at)
        row.status_reason = f"{reason}; deadline basis: {basis}" if deadline else reason
        if row.parse_failure:
            row.status_reason += f"; not parsed ({row.parse_failure})"
        if f.data is not None and row.year is not None:
            previous = [p for p in by_agency_year.get((f.agency_key, row.year - 1), []) if p.data is not None]
            if previous:
                prev = min(previous, key=lambda p: p.first_seen or datetime.max.replace(tzinfo=UTC))
                row.checks_failed += cross_year_failures(f.data, prev.data or {})
        if year is None or row.year == year:
            rows.append(row)
    for row, places in _missing_rows(found, registry, year=year, today=today):
        empty = [c.url for c in columns if any(_in_column(c.url, place) for place in places)]
        if empty:  # the column its reports were found in could not be read: we may have missed it there
            row.status = "unreadable"
            row.status_reason = f"not found — column unreadable ({', '.join(empty)}); {row.status_reason}"
        rows.append(row)
    rows += columns
    rows.sort(key=_sort_key)
    return rows


def _merge_listings(captures: list[ListingCapture]) -> list[ListingCapture]:
    """One entry per listing capture: it linked the report if it linked any of the report's URLs."""
    merged: dict[tuple[str, datetime], bool] = {}
    for c in captures:
        merged[(c.url, c.fetched_at)] = merged.get((c.url, c.fetched_at), False) or c.links_report
    return [ListingCapture(u, t, shown) for (u, t), shown in merged.items()]


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _missing_rows(
    found: list[_Found], registry: dict[str, Portal], *, year: int | None, today: date
) -> list[tuple[AuditRow, set[str]]]:
    """Rows for reports expected and not found, each with the page URLs of the agency's reports."""
    years: dict[tuple[str, str], set[int]] = defaultdict(set)
    sample: dict[tuple[str, str], _Found] = {}
    for f in found:
        if f.row.year is None or not f.row.agency:
            continue
        years[f.agency_key].add(f.row.year)
        sample.setdefault(f.agency_key, f)
    places: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in found:
        places[f.agency_key] |= {f.row.page_url, f.row.url} - {""}
    rows: list[tuple[AuditRow, set[str]]] = []
    for key, have in years.items():
        f = sample[key]
        first = min(have)

        def due(y: int, f: _Found = f) -> date | None:
            return deadline_for(y, f.row.kind, f.row.level, f.portal)[0]

        if year is not None:
            candidates = [year]
        else:
            candidates = [
                y for y in range(first + 1, today.year + 1) if (d := due(y)) is not None and d < today
            ]
        for y in candidates:
            deadline = due(y)
            if y <= first or y in have or deadline is None or not deadline < today:
                continue
            rows.append((
                AuditRow(
                    agency=f.row.agency,
                    level=f.row.level,
                    region=f.row.region,
                    kind=f.row.kind,
                    year=y,
                    url="",
                    page_url="",
                    title="",
                    published_on=None,
                    first_seen=None,
                    last_modified=None,
                    deadline=deadline.isoformat(),
                    status="missing",
                    portal=f.row.portal,
                    status_reason=(
                        f"reports on {', '.join(map(str, sorted(have)))} found, none on {y} "
                        f"by the deadline {deadline} (audited {today})"
                    ),
                ),
                places[key],
            ))  # fmt: skip
    return rows


def _sort_key(row: AuditRow) -> tuple[Any, ...]:
    level = LEVEL_ORDER.index(row.level) if row.level in LEVEL_ORDER else len(LEVEL_ORDER)
    return (row.region, level, row.agency, row.year or 0, row.url)


# --- output ------------------------------------------------------------------------------------


CSV_FIELDS = (
    "agency",
    "level",
    "region",
    "kind",
    "year",
    "status",
    "deadline",
    "published_on",
    "first_seen",
    "last_modified",
    "backdated",
    "backdated_evidence",
    "edited",
    "changes",
    "checks_failed",
    "spam",
    "url",
    "page_url",
    "title",
    "portal",
    "warc",
    "parse_failure",
    "status_reason",
    "needs_review",
    "unresolved",
    "column_empty",
)


def _flat(name: str, value: Any) -> str:
    """A field as one CSV cell: lists joined with `;`."""
    if value is None:
        return ""
    if name == "changes":
        return ";".join(f"{c['key']}:{c['old']}→{c['new']}" for c in value)
    if name == "spam":
        return ";".join(f"{s['text']} <{s['href']}>" for s in value)
    if name == "backdated_evidence":
        return f"{value['listing']}@{value['captured_at']}"
    if name == "warc":
        return f"{value['file']}#offset={value['offset']}"
    if isinstance(value, list):
        return ";".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(rows: Sequence[AuditRow], fmt: str, *, data_dir: Path) -> str:
    """The audit as `table` (plain text), `jsonl`, `csv` or `html` (one self-contained page)."""
    if fmt == "jsonl":
        return "".join(json.dumps(asdict(r), ensure_ascii=False, default=str) + "\n" for r in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_FIELDS)
        for r in rows:
            record = asdict(r)
            writer.writerow([_flat(name, record[name]) for name in CSV_FIELDS])
        return out.getvalue()
    if fmt == "html":
        from archive.audit_html import render_html

        return render_html(rows, data_dir=data_dir)
    if fmt == "table":
        return _render_table(rows)
    raise ValueError(f"unknown audit format {fmt!r}")


def finding_kinds(row: AuditRow) -> list[tuple[str, str, int | None]]:
    """(kind, label, count) of a row's findings: one list for the table's labels and the badges."""
    kinds: list[tuple[str, str, int | None]] = []
    if row.backdated:
        kinds.append(("backdated", "backdated", None))
    if row.edited:
        kinds.append(("edited", "edited", len(row.changes)))
    if row.checks_failed:
        kinds.append(("checks", "checks", len(row.checks_failed)))
    if row.spam:
        kinds.append(("spam", "spam", len(row.spam)))
    if row.parse_failure:
        kinds.append(("failure", "not parsed", None))
    if row.needs_review:
        kinds.append(("review", "needs review", len(row.unresolved) or None))
    if row.column_empty:
        kinds.append(("column", "column unreadable", None))
    return kinds


def findings(row: AuditRow) -> list[str]:
    """Short labels of a row's findings, for the table."""
    return [label if n is None else f"{label}({n})" for _, label, n in finding_kinds(row)]


def _render_table(rows: Sequence[AuditRow]) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        "agency",
        "year",
        "level",
        "kind",
        "status",
        "deadline",
        "claimed",
        "first seen",
        "findings",
        "url",
        title="publication audit",
    )
    for r in rows:
        cells = (
            r.agency or "?",
            str(r.year or "?"),
            r.level or "?",
            r.kind,
            r.status,
            r.deadline or "-",
            r.published_on or "-",
            (r.first_seen or "-")[:10],
            ", ".join(findings(r)) or "-",
            r.url or "-",
        )
        table.add_row(*(Text(c) for c in cells))  # Text: page-supplied names are not rich markup
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    console = Console(record=True, width=200, file=io.StringIO(), color_system=None)
    console.print(table, markup=False)
    console.print(" · ".join(f"{s}: {n}" for s, n in counts.items()), markup=False)
    return console.export_text()
