"""The browser keeps to the crawl's scope: a rendered page's sub-requests to other hosts are aborted,
never fetched, never archived; the page itself still renders and its reports are found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from archive.warcstore import iter_records
from tests.world import jsportal


def test_rendered_pages_cannot_reach_other_hosts(tmp_path: Path) -> None:
    jsportal.BEACON_HITS.clear()
    with jsportal.PORTAL.serve() as base:
        crawl = subprocess.run(
            [sys.executable, "-m", "nianbao.cli", "crawl", base, "--data", str(tmp_path),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert jsportal.BEACON_HITS == []  # the beacon on localhost:PORT was never reached
    assert "refused in the browser (offsite): http://localhost:" in crawl.stderr  # tried, and refused
    archived = {r.url for r in iter_records(tmp_path / "warc", types=("response", "resource"))}
    assert archived and not any("localhost" in url for url in archived)
    export = subprocess.run([sys.executable, "-m", "nianbao.cli", "export", "--data", str(tmp_path)],
                            capture_output=True, text=True, check=True)  # fmt: skip
    found = {json.loads(line)["url"].removeprefix(base.rstrip("/")) for line in export.stdout.splitlines()}
    assert found == {r["path"] for r in jsportal.PORTAL.expected["reports"]}
