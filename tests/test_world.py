"""The fixture world crawled as a user would: every portal of `tests/world` served on its own
127.0.0.1 port, one `nianbao crawl` over all of them, then recall and precision per portal.

- recall 100 %: every expected report is stored (with its expected cells where listed);
- precision 100 %: no look-alike is stored as a report, and nothing unexpected is;
- report pages that cannot be parsed are recorded as failures with their reason;
- duplicates (one report at two URLs, or behind a redirect) are one report;
- the browser is used for the pages that need it and at most the pages a portal allows (the WARC's
  rendered-DOM `resource` records);
- a report column nothing could read (adapters, data URLs, linked scripts, browser) is a
  `column_empty` finding in the store and in the crawl summary, and no readable column is.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import defaultdict
from contextlib import ExitStack
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from archive.warcstore import iter_records
from tests.world import WorldPortal, all_portals

PORTALS = all_portals()
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]


def _local(url: str) -> str:
    """Path plus query: how `expected` names pages."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    data = tmp_path_factory.mktemp("world")
    with ExitStack() as stack:
        bases = {p.name: stack.enter_context(p.serve()).rstrip("/") for p in PORTALS}
        starts = [bases[p.name] + p.start for p in PORTALS]
        proc = subprocess.run(
            [sys.executable, "-m", "nianbao.cli", "crawl", *starts, "--data", str(data), *FAST],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    exported = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "export", "--data", str(data)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    reports: dict[str, list[dict]] = defaultdict(list)
    owner = {base: name for name, base in bases.items()}
    for line in exported.splitlines():
        record = json.loads(line)
        base = "{0.scheme}://{0.netloc}".format(urlsplit(record["page_url"]))
        reports[owner[base]].append(record)
    with sqlite3.connect(data / "nianbao.sqlite") as conn:
        failures = conn.execute("select url, reason from failures where stage != 'column_empty'").fetchall()
        findings = conn.execute("select url, stage from failures").fetchall()
    rendered: dict[str, set[str]] = defaultdict(set)
    for record in iter_records(data / "warc", types=("resource",)):
        base = "{0.scheme}://{0.netloc}".format(urlsplit(record.url))
        rendered[owner[base]].add(_local(record.url))
    return SimpleNamespace(
        data=data, bases=bases, reports=reports, failures=failures, findings=findings, rendered=rendered,
        summary=proc.stderr,
    )  # fmt: skip


@pytest.mark.parametrize("portal", PORTALS, ids=[p.name for p in PORTALS])
def test_recall_every_report_is_found(world: SimpleNamespace, portal: WorldPortal) -> None:
    stored = {_local(r["page_url"]): r for r in world.reports[portal.name]}
    stored |= {_local(r["url"]): r for r in world.reports[portal.name]}
    for pair in portal.expected.get("duplicates", []) + portal.expected.get("redirects", []):
        copies = [stored[p] for p in pair if p in stored]  # one report, found under any of its URLs
        stored |= {p: copies[0] for p in pair} if copies else {}
    missing = [e["path"] for e in portal.expected["reports"] if e["path"] not in stored]
    assert not missing, f"{portal.name}: reports not found: {missing}"
    for expected in portal.expected["reports"]:
        got = stored[expected["path"]]
        for field in ("agency", "year"):
            assert got[field] == expected[field], (portal.name, expected["path"], field)
        for key, value in (expected.get("cells") or {}).items():
            assert got["cells"].get(key) == value, (portal.name, expected["path"], key)


@pytest.mark.parametrize("portal", PORTALS, ids=[p.name for p in PORTALS])
def test_precision_nothing_else_is_stored(world: SimpleNamespace, portal: WorldPortal) -> None:
    expected = {e["path"] for e in portal.expected["reports"]}
    for pair in portal.expected.get("duplicates", []) + portal.expected.get("redirects", []):
        expected.update(pair)
    stored = world.reports[portal.name]
    for record in stored:
        assert {_local(record["url"]), _local(record["page_url"])} & expected, (
            f"{portal.name}: not a report, or not expected: {record['url']} ({record['title']})"
        )
    for path in portal.expected.get("not_reports", []):
        assert path not in {_local(r["url"]) for r in stored}, path
    assert len(stored) == len(portal.expected["reports"]), [r["url"] for r in stored]


@pytest.mark.parametrize("portal", PORTALS, ids=[p.name for p in PORTALS])
def test_unparseable_report_pages_are_recorded_with_reason(
    world: SimpleNamespace, portal: WorldPortal
) -> None:
    base = world.bases[portal.name]
    failures = {_local(url): reason for url, reason in world.failures if url.startswith(base)}
    for failure in portal.expected.get("failures", []):
        assert failure["path"] in failures, (portal.name, failure)
        assert failure["reason"] in failures[failure["path"]], (failure, failures[failure["path"]])


@pytest.mark.parametrize("portal", PORTALS, ids=[p.name for p in PORTALS])
def test_browser_used_only_where_needed(world: SimpleNamespace, portal: WorldPortal) -> None:
    """`rendered`: pages only a browser can read; `may_render`: pages the crawl may read either way."""
    rendered = world.rendered.get(portal.name, set())
    must = set(portal.expected.get("rendered", []))
    assert must <= rendered, f"{portal.name}: not rendered: {must - rendered}"
    assert rendered <= must | set(portal.expected.get("may_render", [])), rendered - must


@pytest.mark.parametrize("portal", PORTALS, ids=[p.name for p in PORTALS])
def test_empty_columns_are_findings(world: SimpleNamespace, portal: WorldPortal) -> None:
    """A report column nothing could read is a `column_empty` finding; no other column is."""
    base = world.bases[portal.name]
    empty = {_local(url) for url, stage in world.findings if stage == "column_empty" and url.startswith(base)}
    assert empty == set(portal.expected.get("column_empty", [])), portal.name


def test_crawl_summary_lists_the_empty_columns(world: SimpleNamespace) -> None:
    expected = [world.bases[p.name] + path for p in PORTALS for path in p.expected.get("column_empty", [])]
    for url in expected:
        assert f"column_empty: {url}" in world.summary, world.summary[-3000:]
    assert world.summary.count("column_empty: ") == len(expected)
