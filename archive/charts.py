"""Pictures of the audit: one inline SVG per report year, drawn here without any library.

The audit page must stay one self-contained file (no CDN, no JavaScript library, a CSP forbidding
every external load), so the charts are SVG text built from the audit rows, pure functions only:

- top panel: the reports on year Y published per ISO week (the claimed date, else the first capture
  showing the report), stacked by what the audit found — backdated first (a finding that outweighs
  its status), then late, unknown, on time — against the deadlines, drawn as vertical lines at the
  end of each deadline day (a report published on the deadline day is on time, left of the line);
- bottom panel: per region, the shares of that year's rows by status (missing and unreadable
  included: a report not found is part of the region's record), as one 100 % bar each, its on-time
  share written beside it.

Every bar carries `data-*` attributes (week, status, count, share) and a `<title>` tooltip, so the
numbers can be read back (and tested) without measuring pixels.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.audit import AuditRow

# Stacking order, bottom to top, and colours (the audit page's status colours).
WEEK_CATEGORIES = ("on_time", "unknown", "late", "backdated")
REGION_CATEGORIES = ("on_time", "unknown", "late", "unreadable", "missing")
COLOURS = {
    "on_time": "#4caf50",
    "unknown": "#9e9e9e",
    "late": "#e57373",
    "backdated": "#b3261e",
    "unreadable": "#6b3fa0",
    "missing": "#5c1010",
}
LABELS = {
    "on_time": "on time 按时",
    "unknown": "unknown 未知",
    "late": "late 逾期",
    "backdated": "backdated 倒签",
    "unreadable": "unreadable 无法读取",
    "missing": "missing 缺失",
}

WIDTH = 760
LEFT, RIGHT = 44, 16
WEEK_TOP, WEEK_HEIGHT = 34, 150  # the plot area of the weekly panel
REGION_ROW, REGION_LABEL = 20, 150  # height of one region's bar; width of its name column


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def published_day(row: AuditRow) -> date | None:
    """The day a report came out as far as the chart is concerned: its claim, else its first capture."""
    if row.published_on:
        return date.fromisoformat(row.published_on[:10])
    if row.first_seen:
        return date.fromisoformat(row.first_seen[:10])
    return None


def week_category(row: AuditRow) -> str:
    """Which stack a report joins: backdated outweighs its status."""
    if row.backdated:
        return "backdated"
    return row.status if row.status in WEEK_CATEGORIES else "unknown"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class DateScale:
    """Days to x: `start` (a Monday) at `left`, `px_per_day` a day."""

    start: date
    left: float
    px_per_day: float

    def x(self, day: date) -> float:
        """x of the start (midnight) of `day`."""
        return round(self.left + (day - self.start).days * self.px_per_day, 2)

    def end_of(self, day: date) -> float:
        """x of the end of `day`: where a deadline line goes."""
        return self.x(day + timedelta(days=1))


def date_scale(days: Sequence[date], width: int = WIDTH) -> DateScale:
    """A scale over whole ISO weeks covering `days` (reports and deadlines)."""
    first = monday(min(days))
    last = monday(max(days)) + timedelta(days=7)
    return DateScale(first, LEFT, (width - LEFT - RIGHT) / max((last - first).days, 7))


def _weekly(rows: Sequence[AuditRow]) -> tuple[dict[date, Counter[str]], list[date]]:
    weeks: dict[date, Counter[str]] = defaultdict(Counter)
    for r in rows:
        day = published_day(r)
        if day is not None and r.kind != "column":
            weeks[monday(day)][week_category(r)] += 1
    deadlines = sorted({date.fromisoformat(r.deadline) for r in rows if r.deadline})
    return weeks, deadlines


def _week_panel(weeks: dict[date, Counter[str]], deadlines: list[date]) -> tuple[str, DateScale | None]:
    if not weeks:
        return '<text x="8" y="50" class="note">no dated report this year</text>', None
    scale = date_scale([*weeks, *deadlines])
    tallest = max(sum(c.values()) for c in weeks.values())
    unit = WEEK_HEIGHT / tallest
    base = WEEK_TOP + WEEK_HEIGHT
    parts = [f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#444"/>']
    for n in sorted({1, tallest, (tallest + 1) // 2}):
        y = round(base - n * unit, 2)
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4}" text-anchor="end" class="tick">{n}</text>')
    bar = max(scale.px_per_day * 7 - 2, 1.5)
    for week in sorted(weeks):
        counts = weeks[week]
        iso = week.isocalendar()
        label = f"{iso.year}-W{iso.week:02d}"
        x = scale.x(week) + 1
        y = float(base)
        segs = []
        for cat in WEEK_CATEGORIES:
            if not counts[cat]:
                continue
            h = counts[cat] * unit
            y -= h
            segs.append(
                f'<rect class="bar" data-status="{cat}" data-count="{counts[cat]}" x="{x:.2f}" '
                f'y="{y:.2f}" width="{bar:.2f}" height="{h:.2f}" fill="{COLOURS[cat]}">'
                f"<title>{label} (from {week}): {counts[cat]} {LABELS[cat]}</title></rect>"
            )
        parts.append(
            f'<g class="week" data-week="{label}" data-monday="{week}" '
            f'data-count="{sum(counts.values())}">{"".join(segs)}</g>'
        )
    for deadline in deadlines:
        x = scale.end_of(deadline)
        parts.append(
            f'<line class="deadline" data-date="{deadline}" x1="{x}" y1="{WEEK_TOP - 6}" x2="{x}" '
            f'y2="{base}" stroke="#b3261e" stroke-width="1.5" stroke-dasharray="4 3">'
            f"<title>deadline {deadline} (end of day)</title></line>"
            f'<text x="{x + 3}" y="{WEEK_TOP - 8}" class="tick" fill="#b3261e">{deadline:%m-%d}</text>'
        )
    # month ticks: the first Monday-aligned label of each month
    month = date(scale.start.year, scale.start.month, 1)
    end = scale.start + timedelta(days=round((WIDTH - LEFT - RIGHT) / scale.px_per_day))
    while month <= end:
        if month >= scale.start:
            parts.append(f'<text x="{scale.x(month)}" y="{base + 14}" class="tick">{month:%Y-%m}</text>')
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return "".join(parts), scale


def region_shares(rows: Sequence[AuditRow]) -> dict[str, dict[str, float]]:
    """Per region, each status's share of its rows (shares sum to 1); column rows are not reports."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r.kind == "column":
            continue
        counts[r.region or "—"][r.status if r.status in REGION_CATEGORIES else "unknown"] += 1
    return {
        region: {cat: c[cat] / sum(c.values()) for cat in REGION_CATEGORIES if c[cat]}
        for region, c in sorted(counts.items())
    }


def _region_panel(rows: Sequence[AuditRow], top: int) -> tuple[str, int]:
    shares = region_shares(rows)
    counts = Counter((r.region or "—") for r in rows if r.kind != "column")
    full = WIDTH - REGION_LABEL - RIGHT - 70
    parts = [f'<text x="8" y="{top - 6}" class="head">share on time by region 各地区按时发布比例</text>']
    for i, (region, share) in enumerate(shares.items()):
        y = top + i * (REGION_ROW + 6)
        x = float(REGION_LABEL)
        segs = []
        for cat, s in share.items():
            w = s * full
            segs.append(
                f'<rect class="share" data-status="{cat}" data-share="{s:.6f}" x="{x:.2f}" y="{y}" '
                f'width="{w:.2f}" height="{REGION_ROW}" fill="{COLOURS[cat]}">'
                f"<title>{_e(region)}: {s:.0%} {LABELS[cat]}</title></rect>"
            )
            x += w
        on_time = share.get("on_time", 0.0)
        parts.append(
            f'<g class="region" data-region="{_e(region)}" data-rows="{counts[region]}">'
            f'<text x="8" y="{y + 14}" class="label">{_e(region)} ({counts[region]})</text>{"".join(segs)}'
            f'<text x="{REGION_LABEL + full + 6}" y="{y + 14}" class="label">{on_time:.0%} on time</text></g>'
        )
    return "".join(parts), top + len(shares) * (REGION_ROW + 6)


def _legend(y: int) -> str:
    parts, x = [], 8
    for cat in ("on_time", "unknown", "late", "backdated", "unreadable", "missing"):
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[cat]}"/>'
            f'<text x="{x + 14}" y="{y}" class="tick">{LABELS[cat]}</text>'
        )
        x += 24 + 7 * len(LABELS[cat])
    return "".join(parts)


def year_chart(year: int, rows: Sequence[AuditRow]) -> str:
    """One SVG for the reports on `year`: publication per ISO week, then each region's shares."""
    mine = [r for r in rows if r.year == year]
    weeks, deadlines = _weekly(mine)
    week_svg, _ = _week_panel(weeks, deadlines)
    undated = sum(1 for r in mine if r.kind != "column" and published_day(r) is None)
    note = f"{undated} without a date (missing, or never captured) not shown by week" if undated else ""
    region_top = WEEK_TOP + WEEK_HEIGHT + 60
    region_svg, bottom = _region_panel(mine, region_top)
    height = bottom + 30
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="year-chart" data-year="{year}" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="reports on {year}: publication week and share on time">'
        "<style>text{font:11px system-ui,sans-serif;fill:#333}.head{font-weight:600}"
        ".note{fill:#777}</style>"
        f'<text x="8" y="16" class="head">{year}年度报告 · reports on {year} published per ISO week '
        "(dashed: deadline)</text>"
        f'<text x="{WIDTH - RIGHT}" y="{WEEK_TOP + WEEK_HEIGHT + 30}" text-anchor="end" '
        f'class="note">{_e(note)}</text>'
        f"{week_svg}{region_svg}{_legend(height - 10)}</svg>"
    )


def year_charts(rows: Sequence[AuditRow]) -> list[str]:
    """One chart per report year present in `rows`, oldest first."""
    return [year_chart(y, rows) for y in sorted({r.year for r in rows if r.year is not None})]
