"""`nianbao wacz`: the archive, or the reports of a year or a portal, as one WACZ 1.1.1 file.

A WACZ is what a reader of the archive opens: ReplayWeb.page replays it in a browser, pywb imports
it, and its page list makes every report findable by its clean text, including the reports read
from a PDF or a scan, whose text no replay tool could extract itself.

- Whole archive: every complete WARC file goes in unchanged (``nianbao-derived-*`` files, with the
  OCR text of scans, included).
- A selection (`--year`, `--portal`): one new WARC file holds the records of the selected reports'
  captures and what replaying them needs (their pages, attachments and scanned pictures, the
  records their revisits refer to, their requests, rendered DOMs and OCR text), each record's gzip
  member copied unchanged (`inventory`).
- WARC files a crawl is still writing (``.open``) are left out, and said so: they may end in a torn
  record. So is everything else the package cannot hold: a report whose captures are all in such
  files, a revisit whose payload record is missing (it would not replay).

`pages` reads the store (which captures are reports, their titles and text), `inventory` the WARC
files, `package` writes the zip.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

import archive
from archive.db import sessions
from archive.wacz.inventory import closure, scan, unresolved_revisits, warc_inputs, write_selection
from archive.wacz.package import Contents, write_wacz
from archive.wacz.pages import Selection, listing_pages, load_reports, report_pages, report_seeds

__all__ = ["Selection", "WaczError", "WaczSummary", "build_wacz"]

INDEXED = ("response", "revisit", "resource")


class WaczError(Exception):
    """A package that cannot be made (no WARC files, nothing selected): said to the user."""


@dataclass
class WaczSummary:
    out: Path
    warc_files: int = 0
    records: int = 0  # WARC records packaged
    index_lines: int = 0
    pages: int = 0
    extra_pages: int = 0
    warnings: list[str] = field(default_factory=list)


def build_wacz(
    engine: Engine,
    warc_dir: Path,
    out: Path,
    selection: Selection | None = None,
    *,
    warn: Callable[[str], None] | None = None,
) -> WaczSummary:
    """Package the archive in `warc_dir` (or the `selection` of its reports) as the WACZ `out`.

    Every problem that leaves something out is passed to `warn` (before the copying) and listed in the
    summary's `warnings`; a package that cannot be made at all raises `WaczError`.
    """
    selection = selection or Selection()
    summary = WaczSummary(out=Path(out))

    def warning(message: str) -> None:
        summary.warnings.append(message)
        if warn is not None:
            warn(message)

    warc_dir = Path(warc_dir)
    if not warc_dir.is_dir():
        raise WaczError(f"no WARC directory {warc_dir}")
    warcs, unfinished = warc_inputs(warc_dir)
    for path in unfinished:
        warning(f"{path.name}: unfinished WARC file (a crawl is writing it, or a killed one left it "
                "for `nianbao crawl --resume`): left out")  # fmt: skip
    if not warcs:
        raise WaczError(f"no complete WARC file in {warc_dir}")
    members = scan(warcs)
    with sessions(engine)() as session:  # one read transaction, closed before the long copying
        reports, others = load_reports(session, selection)
        if selection.everything:
            packaged, missing = members, set()
        elif not reports:
            raise WaczError(f"no stored report matches the selection ({selection.describe()})")
        else:
            packaged, missing = closure(members, report_seeds(session, reports, others))
        pages, lost = report_pages(session, reports, {m.record_id: m for m in packaged})
        extra = listing_pages(session, members, reports, warc_dir) if selection.everything else []
    if not reports:
        warning("the store holds no report: the package has no pages")
    if missing:
        warning(f"{len(missing)} records the selected reports need are not in a complete WARC file "
                "(unfinished .open files?): left out")  # fmt: skip
    for url in lost:
        warning(f"report {url}: none of its captures is in a complete WARC file: no page entry")
    for revisit in unresolved_revisits(packaged):
        warning(f"revisit of {revisit.url} ({revisit.date}): the record it refers to "
                f"({revisit.refers_to_uri} at {revisit.refers_to_date}) is not in the package: "
                "it will not replay")  # fmt: skip
    contents = Contents(
        title=f"nianbao: {selection.describe()}",
        description=f"{len(reports)} government information-disclosure annual reports "
        f"(政府信息公开工作年度报告), {selection.describe()}, as archived by nianbao",
        pages=pages,
        extra_pages=extra,
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Work files (the selection's WARC, the index, the zip being written) sit next to `out`: same
    # disk, so the finished zip is renamed into place, and nothing is left behind on a failure.
    with tempfile.TemporaryDirectory(prefix=".nianbao-wacz-", dir=out.parent) as tmp:
        files = warcs
        if not selection.everything:
            files = [Path(tmp) / f"nianbao-selection-{datetime.now(UTC):%Y%m%d%H%M%S}.warc.gz"]
            write_selection(packaged, files[0], _warcinfo(selection, len(reports)))
        summary.index_lines = write_wacz(out, files, contents, Path(tmp))
    indexed = sum(1 for m in packaged if m.type in INDEXED)
    if summary.index_lines != indexed:
        warning(f"the index has {summary.index_lines} lines for {indexed} response/revisit/resource records")
    summary.warc_files = len(files)
    summary.records = len(packaged) + (0 if selection.everything else 1)  # + the selection's warcinfo
    summary.pages, summary.extra_pages = len(pages), len(extra)
    return summary


def _warcinfo(selection: Selection, reports: int) -> dict[str, str]:
    return {
        "software": f"nianbao/{archive.__version__}",
        "format": "WARC File Format 1.1",
        "description": f"the records of {reports} reports ({selection.describe()}) and of what they "
        "need to replay, copied unchanged from the nianbao archive",
    }
