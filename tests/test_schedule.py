"""`nianbao schedule`: cron and systemd-timer entries that a person can paste, and that run."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.schedule import Plan, crontab, systemd_units


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=60
    )


def plan(**kw) -> Plan:
    return Plan(command=[sys.executable, "-m", "nianbao.cli", "crawl", "--all"], workdir=Path("/srv/nb"),
                log=Path("/srv/nb/data/crawl.log"), **kw)  # fmt: skip


def test_cron_lines_are_weekly_in_busy_months_and_monthly_otherwise() -> None:
    lines = [line for line in crontab(plan()).splitlines() if not line.startswith("#")]
    fields = [line.split(None, 5) for line in lines]
    assert [f[:5] for f in fields] == [["17", "3", "*", "1-3", "1"], ["17", "3", "1", "4-12", "*"]]
    assert all(
        f[5].startswith("cd /srv/nb && ") and f[5].endswith(">> /srv/nb/data/crawl.log 2>&1") for f in fields
    )
    middle = crontab(plan(busy_months=(2, 4), weekday=5, hour=22))
    assert "17 22 * 2-4 5" in middle and "17 22 1 1-1 *" in middle and "17 22 1 5-12 *" in middle


def test_systemd_units() -> None:
    units = systemd_units(plan())
    timer, service = units["nianbao-crawl.timer"], units["nianbao-crawl.service"]
    assert "OnCalendar=Mon *-01..03-* 03:17:00" in timer and "OnCalendar=*-04..12-01 03:17:00" in timer
    assert "Persistent=true" in timer and "WantedBy=timers.target" in timer
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert shlex.split(exec_start.removeprefix("ExecStart="))[0] == sys.executable


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_oncalendar_expressions_are_valid_systemd() -> None:
    for line in systemd_units(plan())["nianbao-crawl.timer"].splitlines():
        if line.startswith("OnCalendar="):
            check = subprocess.run(
                ["systemd-analyze", "calendar", line.removeprefix("OnCalendar=")], capture_output=True
            )
            assert check.returncode == 0, check.stderr


def test_invalid_plans_are_refused() -> None:
    with pytest.raises(ValueError):
        plan(busy_months=(3, 1))
    proc = run("schedule", "--busy-months", "0-13", "--all")
    assert proc.returncode == 2 and "busy months" in proc.stderr
    assert run("schedule").returncode == 2


def test_the_scheduled_command_runs(tmp_path: Path) -> None:
    proc = run("schedule", "http://127.0.0.1:9/", "--data", str(tmp_path / "data"))
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if line.startswith("17 3 * 1-3 1"))
    command = shlex.split(line.split("&&", 1)[1].split(">>")[0])
    assert command[:4] == [sys.executable, "-m", "nianbao.cli", "crawl"] and "--auto-resume" in command
    help_run = subprocess.run([*command[:4], "--help"], capture_output=True, text=True, timeout=60)
    assert help_run.returncode == 0 and "--auto-resume" in help_run.stdout


def test_a_database_password_in_the_plan_is_warned_about(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    with_password = run(
        "schedule", "--all", "--data", data, "--db", "postgresql://nb:s3cret@db.internal/nianbao"
    )
    assert with_password.returncode == 0 and "~/.pgpass" in with_password.stderr
    without = run("schedule", "--all", "--data", data, "--db", "postgresql://nb@db.internal/nianbao")
    assert without.returncode == 0 and "--db postgresql://nb@db.internal/nianbao" in without.stdout
    assert "password" not in without.stderr
