"""Crawl plans as cron and systemd-timer entries, ready to paste.

Reports cluster before the legal deadlines (1月31日 for departments, 3月31日 for governments), so the
default plan crawls every week from January to March and once a month otherwise. Each run is
`nianbao crawl --auto-resume`: it finishes a crawl a previous run left interrupted, else starts a
new one; two runs on one data directory never overlap (the second is refused by the lock).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 0}
SYSTEMD_DAYS = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 0: "Sun"}


@dataclass(frozen=True)
class Plan:
    """When to crawl: weekly in the busy months, monthly (on `day_of_month`) in the others."""

    command: list[str]  # the nianbao crawl invocation
    workdir: Path
    log: Path
    busy_months: tuple[int, int] = (1, 3)
    weekday: int = 1  # cron numbering, 0 = Sunday
    day_of_month: int = 1
    hour: int = 3
    minute: int = 17  # off the hour: spare the portals the top-of-the-hour rush

    def __post_init__(self) -> None:
        first, last = self.busy_months
        if not (1 <= first <= last <= 12):
            raise ValueError("busy months must be 1 ≤ first ≤ last ≤ 12")
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59 and 1 <= self.day_of_month <= 28):
            raise ValueError("hour 0–23, minute 0–59, day of month 1–28")

    @property
    def quiet_months(self) -> list[tuple[int, int]]:
        first, last = self.busy_months
        spans = [(1, first - 1), (last + 1, 12)]
        return [(a, b) for a, b in spans if a <= b]


def crontab(plan: Plan) -> str:
    workdir, log = shlex.quote(str(plan.workdir)), shlex.quote(str(plan.log))
    run = f"cd {workdir} && {shlex.join(plan.command)} >> {log} 2>&1"
    first, last = plan.busy_months
    lines = [
        "# nianbao: weekly while reports are due, monthly otherwise (crontab -e)",
        f"{plan.minute} {plan.hour} * {first}-{last} {plan.weekday}  {run}",
    ]
    lines += [f"{plan.minute} {plan.hour} {plan.day_of_month} {a}-{b} *  {run}" for a, b in plan.quiet_months]
    return "\n".join(lines) + "\n"


def systemd_units(plan: Plan, name: str = "nianbao-crawl") -> dict[str, str]:
    """`{name}.service` and `{name}.timer` (install under ~/.config/systemd/user/ or /etc/systemd/system/)."""
    first, last = plan.busy_months
    at = f"{plan.hour:02d}:{plan.minute:02d}:00"
    calendars = [f"{SYSTEMD_DAYS[plan.weekday]} *-{first:02d}..{last:02d}-* {at}"]
    calendars += [f"*-{a:02d}..{b:02d}-{plan.day_of_month:02d} {at}" for a, b in plan.quiet_months]
    service = "\n".join([
        "[Unit]",
        "Description=nianbao: crawl government annual-report portals into the WARC archive",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"WorkingDirectory={plan.workdir}",
        f"ExecStart={shlex.join(plan.command)}",
        f"StandardOutput=append:{plan.log}",
        f"StandardError=append:{plan.log}",
        "Nice=10",
        "",
    ])  # fmt: skip
    timer = "\n".join([
        "[Unit]",
        f"Description=nianbao crawl schedule ({name}.service)",
        "",
        "[Timer]",
        *(f"OnCalendar={c}" for c in calendars),
        "Persistent=true",
        "RandomizedDelaySec=900",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ])  # fmt: skip
    return {f"{name}.service": service, f"{name}.timer": timer}


def render(plan: Plan) -> str:
    units = systemd_units(plan)
    parts = ["# --- cron ---", crontab(plan)]
    for filename, text in units.items():
        parts += [f"# --- systemd: {filename} ---", text]
    names = " ".join(units)
    parts.append(
        f"# enable with: systemctl --user daemon-reload && systemctl --user enable --now {names.split()[1]}\n"
    )
    return "\n".join(parts)
