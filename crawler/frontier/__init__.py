"""The crawl frontier: what a crawl has still to fetch, kept so that a kill at any instant loses none of it.

- `store`: the requests in one SQLite file (pending, in flight, done, failed; the seen-set);
- `codec`: requests to JSON and back (never pickle);
- `scheduler`: the Scrapy scheduler on that store (`SCHEDULER` setting), which resumes a stopped crawl;
- `replay`: the downloader middleware that answers a resumed request from the archive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FRONTIER_FILE = "frontier.sqlite"
FRONTIER_ID = "frontier_id"  # request meta: its row in the frontier
FRONTIER_PARENT = "frontier_parent"  # request meta: the row of the request it was found on
RETRY_AT = "nianbao_retry_at"  # request meta: wall-clock time before which a retry is not sent
REPLAY = "nianbao_replay"  # request meta: {"file", "offset"} of its archived response, read not fetched


def job_directory(settings: Any) -> Path:
    """DATA/job (or NIANBAO_JOB_DIR): the state of a crawl that has not finished."""
    return Path(settings.get("NIANBAO_JOB_DIR") or Path(settings.get("NIANBAO_DATA")) / "job")
