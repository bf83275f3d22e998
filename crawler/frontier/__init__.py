"""The crawl frontier: what a crawl has still to fetch, kept so that a kill at any instant loses none of it.

- `store`: the requests in one SQLite file (pending, in flight, done, failed; the seen-set);
- `codec`: requests to JSON and back (never pickle);
- `scheduler`: the Scrapy scheduler on that store (`SCHEDULER` setting), which resumes a stopped crawl;
- `replay`: the downloader middleware that answers a request from the archive (a resumed one, or
  a shared fetch made before).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FRONTIER_FILE = "frontier.sqlite"
FRONTIER_ID = "frontier_id"  # request meta: its row in the frontier
FRONTIER_PARENT = "frontier_parent"  # request meta: the row of the request it was found on
RETRY_AT = "nianbao_retry_at"  # request meta: wall-clock time before which a retry is not sent
REPLAY = "nianbao_replay"  # request meta: {"file", "offset"} of its archived response, read not fetched
# request meta: a fetch several pages may ask for in one job (a linked script that the fallback
# chains of many columns read): fetched once, and read from the archive by every later asker
SHARED = "nianbao_shared"


def job_directory(settings: Any) -> Path:
    """DATA/job (or NIANBAO_JOB_DIR): the state of a crawl that has not finished."""
    return Path(settings.get("NIANBAO_JOB_DIR") or Path(settings.get("NIANBAO_DATA")) / "job")
