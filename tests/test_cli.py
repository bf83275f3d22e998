"""The command line's contract: clear errors, the registry listing, the data-directory lock, --db."""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from archive.db import open_database
from nianbao.cli import data_lock


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_crawl_without_start_urls_is_a_clear_error(tmp_path: Path) -> None:
    proc = run("crawl", "--data", str(tmp_path))
    assert proc.returncode == 2
    assert "nothing to crawl" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_portal_is_a_clear_error(tmp_path: Path) -> None:
    proc = run("crawl", "--portal", "不存在的门户", "--data", str(tmp_path))
    assert proc.returncode == 2 and "unknown portal" in proc.stderr


def test_portals_lists_the_registry() -> None:
    proc = run("portals")
    assert proc.returncode == 0
    assert "中国政府网" in proc.stdout and "central" in proc.stdout


def test_a_second_writer_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    with data_lock(tmp_path):
        proc = run("crawl", "http://127.0.0.1:9/", "--data", str(tmp_path))
    assert proc.returncode == 2
    assert "in use by another nianbao" in proc.stderr


def test_parse_rejects_unsupported_files_and_non_reports(tmp_path: Path) -> None:
    pdf = tmp_path / "x.xyz"
    pdf.write_bytes(b"whatever")
    proc = run("parse", str(pdf))
    assert proc.returncode == 2 and "unsupported file type" in proc.stderr
    notice = tmp_path / "notice.txt"
    notice.write_text("关于开展2024年春季植树活动的通知\n各单位：请于3月12日前报名。\n", encoding="utf-8")
    proc = run("parse", str(notice))
    assert proc.returncode == 2 and "not parsed" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    proc = run("parse", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_database_schema_is_created_by_alembic_at_any_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'store.db'}"
    open_database(url).dispose()
    open_database(url).dispose()  # second open: already at head, nothing to do
    with sqlite3.connect(tmp_path / "elsewhere" / "store.db") as conn:
        tables = {name for (name,) in conn.execute("select name from sqlite_master where type='table'")}
        version = conn.execute("select version_num from alembic_version").fetchall()
    assert {"captures", "documents", "reports", "report_versions", "cells", "checks", "failures",
            "text_cache"} <= tables  # fmt: skip
    assert version == [("0003",)]


def test_a_store_at_head_is_opened_without_alembic_and_an_older_one_is_upgraded(tmp_path: Path) -> None:
    """The head is read from the migration scripts (one query then tells a store is current): it
    must be the head Alembic finds, and a store one migration behind must still be upgraded."""
    from alembic.script import ScriptDirectory

    from archive.db import head_revision, migrations_directory

    with migrations_directory() as directory:
        assert head_revision() == ScriptDirectory(str(directory)).get_current_head()
    db = tmp_path / "store.db"
    open_database(f"sqlite:///{db}").dispose()
    with sqlite3.connect(db) as conn:  # as a store left by the release before text_cache came
        conn.execute("drop table text_cache")
        conn.execute("update alembic_version set version_num = '0002'")
    open_database(f"sqlite:///{db}").dispose()
    with sqlite3.connect(db) as conn:
        tables = {name for (name,) in conn.execute("select name from sqlite_master where type='table'")}
        version = conn.execute("select version_num from alembic_version").fetchall()
    assert "text_cache" in tables and version == [(head_revision(),)]


def test_parse_command_on_a_seed_matches_its_gold() -> None:
    import json
    import os

    import pytest

    shared = Path(os.environ.get("NIANBAO_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
    seed = shared / "seeds" / "001_9bc0833880ea62b2.txt"
    if not seed.exists():
        pytest.skip(f"shared seeds not found at {shared} (set NIANBAO_SHARED)")
    gold = json.loads((shared / "gold" / "001_9bc0833880ea62b2.json").read_text(encoding="utf-8"))
    proc = run("parse", str(seed))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema"] == "nianbao.report/1"
    assert report["agency"] == gold["agency"] and report["index_no"] == gold["index_no"]
    assert {k: report["cells"].get(k, "absent") for k in gold["cells"]} == gold["cells"]


def test_crawl_all_needs_a_known_selection(tmp_path: Path) -> None:
    proc = run("crawl", "--all", "--region", "不存在", "--data", str(tmp_path))
    assert proc.returncode == 2 and "nothing to crawl" in proc.stderr


def test_crawls_started_outside_the_cli_take_the_same_lock(tmp_path: Path) -> None:
    import pytest
    from scrapy.utils.test import get_crawler

    from crawler.lock import DataDirectoryLock, DataDirectoryLocked
    from crawler.spiders.portal import PortalSpider

    first = DataDirectoryLock.from_crawler(get_crawler(PortalSpider, {"NIANBAO_DATA": str(tmp_path)}))
    with pytest.raises(DataDirectoryLocked, match="in use"):
        DataDirectoryLock.from_crawler(get_crawler(PortalSpider, {"NIANBAO_DATA": str(tmp_path)}))
    first.release()
    DataDirectoryLock.from_crawler(get_crawler(PortalSpider, {"NIANBAO_DATA": str(tmp_path)})).release()


def test_restart_never_drops_the_state_of_a_running_crawl(tmp_path: Path) -> None:
    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "nianbao-plan.json").write_text(
        '{"urls": ["http://127.0.0.1:9/"], "hosts": [], "overrides": {}}'
    )
    with data_lock(tmp_path):  # a crawl is running on it
        proc = run("crawl", "--restart", "http://127.0.0.1:9/", "--data", str(tmp_path))
    assert proc.returncode == 2 and "in use" in proc.stderr
    assert (tmp_path / "job" / "nianbao-plan.json").exists()


def test_an_empty_leftover_warc_is_set_aside_not_fatal(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    warc.mkdir()
    (warc / "nianbao-20260101000000-00000-host-abcdef.warc.gz.open").write_bytes(b"")  # killed at once
    part = warc / "nianbao-20260101000000-00001-host-abcdef.warc.gz.open.part"
    part.write_bytes(gzip.compress(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n" * 40)[:300])  # torn warcinfo
    proc = run("crawl", "http://127.0.0.1:9/", "--data", str(tmp_path), "-s", "RETRY_ENABLED=False",
               "-s", "NIANBAO_BROWSER_ENABLED=False")  # fmt: skip
    # the crawl went on, and says that its one start URL (which refuses connections) was not fetched
    assert proc.returncode == 4, proc.stderr[-2000:]
    assert "1 start URLs could not be fetched" in proc.stderr
    assert "RecoveryError" not in proc.stderr
    assert "set aside nianbao-20260101000000-00000-host-abcdef.warc.gz.open" in proc.stderr
    assert (warc / "damaged" / "nianbao-20260101000000-00000-host-abcdef.warc.gz.open").exists()
    assert f"removed {part.name}" in proc.stderr and not part.exists()


def test_the_lock_file_keeps_its_holder(tmp_path: Path) -> None:
    import os

    with data_lock(tmp_path):
        run("crawl", "http://127.0.0.1:9/", "--data", str(tmp_path))  # refused
        assert (tmp_path / ".lock").read_text().strip() == str(os.getpid())


def test_a_stopped_crawls_stale_job_files_are_cleaned_on_the_next_start(tmp_path: Path) -> None:
    """Scrapy JOBDIR leftovers (an older nianbao's queue, a torn seen-set) are removed, the plan kept."""
    job = tmp_path / "job"
    (job / "requests.queue").mkdir(parents=True)
    (job / "requests.queue" / "p0").write_bytes(b"\x00\x00\x00")
    (job / "requests.seen").write_text("0123456789abcdef\n")
    (job / "nianbao-plan.json").write_text(
        '{"urls": ["http://127.0.0.1:9/"], "hosts": [], "overrides": {}, "db": null}'
    )
    proc = run("crawl", "--resume", "--data", str(tmp_path), "-s", "RETRY_ENABLED=False",
               "-s", "NIANBAO_BROWSER_ENABLED=False")  # fmt: skip
    assert "removed stale files of a stopped crawl" in proc.stderr, proc.stderr[-2000:]
    assert not (job / "requests.queue").exists() and not (job / "requests.seen").exists()
    assert proc.returncode == 4  # it resumed: its one start URL refuses connections


def test_no_remote_control_and_no_browser_unless_a_page_needs_one(tmp_path: Path) -> None:
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings.crawl")
    settings = get_project_settings()
    assert not settings.getbool("REMOTE_CONTROL_ENABLED") and not settings.getbool("TELNETCONSOLE_ENABLED")
    from nianbao.sample_portal.server import serve

    with serve() as base:
        proc = run("crawl", base, "--data", str(tmp_path), "-s", "DOWNLOAD_DELAY=0",
                   "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the browser is enabled, but no page of the sample portal needs it: Playwright never started
    assert "Starting download handler" not in proc.stderr and "launch" not in proc.stderr.lower()
    assert "[scrapy-playwright] INFO: Closing download handler" in proc.stderr  # (it was there, idle)
    assert "remote control" not in proc.stderr.lower() and "Telnet" not in proc.stderr
