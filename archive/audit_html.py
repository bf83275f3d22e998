"""The audit as one self-contained HTML page an auditor can open, save and share.

Inline CSS and a little vanilla JavaScript, no external resources (a Content-Security-Policy meta tag
forbids loading any), so the file works offline and from a mail attachment. Everything that came from
a crawled page (titles, agency names, spam anchors, URLs) is escaped, and only http(s) URLs become
links: a hacked portal's `javascript:` href must not run in the auditor's browser.

Each row links the original URL and the archived capture, as a link relative to the data directory
(`warc/FILE#offset=N`): save the page in the data directory (`nianbao audit --format html --out
DATA/audit.html`) for the links to resolve. The offset is shown too, for `warcio extract FILE OFFSET`.
`nianbao serve` renders the same page with those links pointing at its replay (`archive_href`).
Above the table, one inline SVG chart per report year (`archive.charts`): publication by ISO week
against the deadline, and each region's share on time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from archive.audit import finding_kinds

if TYPE_CHECKING:
    from archive.audit import AuditRow

CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;
  margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.4em 0 .4em}
.meta{color:#555;margin-bottom:1em}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef2f7}
#audit th{cursor:pointer;user-select:none;white-space:nowrap}
#audit th[aria-sort=ascending]::after{content:" \\25B2"}
#audit th[aria-sort=descending]::after{content:" \\25BC"}
#audit tbody tr:nth-child(even){background:#fafafa}
.status{font-weight:600;padding:1px 6px;border-radius:3px;white-space:nowrap}
.s-on_time{background:#d8f0dc;color:#175c25}.s-late{background:#f9d3cf;color:#8a1c10}
.s-missing{background:#5c1010;color:#fff}.s-unreadable{background:#6b3fa0;color:#fff}.s-unknown{background:#e4e4e4;color:#444}
.badge{display:inline-block;font-size:.8em;padding:0 5px;margin:1px;border-radius:8px;color:#fff;
  white-space:nowrap}
.b-backdated{background:#b3261e}.b-edited{background:#8a5a00}.b-checks{background:#5b4a9e}
.b-spam{background:#000}.b-failure{background:#666}.b-review{background:#8a5a00}.b-column{background:#6b3fa0}
details{margin-top:2px}summary{cursor:pointer;color:#345}
.small{font-size:.85em;color:#555;word-break:break-all}
td.num{text-align:right}
.chart{margin:.4em 0 1em;overflow-x:auto}
"""

# Sorting: each cell carries data-sort; status sorts by severity, the rest as text or numbers.
JS = """
(function(){
  var table=document.getElementById('audit');
  var body=table.tBodies[0];
  var heads=table.tHead.rows[0].cells;
  function key(row,i){var c=row.cells[i];return c.getAttribute('data-sort')||c.textContent;}
  function sortBy(i,dir){
    var rows=Array.prototype.slice.call(body.rows);
    var numeric=heads[i].getAttribute('data-type')==='number';
    rows.sort(function(a,b){
      var x=key(a,i),y=key(b,i);
      if(numeric){x=parseFloat(x);y=parseFloat(y);if(isNaN(x))x=-Infinity;if(isNaN(y))y=-Infinity;}
      var r=x<y?-1:x>y?1:0;return dir==='ascending'?r:-r;
    });
    rows.forEach(function(r){body.appendChild(r);});
    for(var j=0;j<heads.length;j++){heads[j].removeAttribute('aria-sort');}
    heads[i].setAttribute('aria-sort',dir);
  }
  for(var i=0;i<heads.length;i++){(function(i){
    heads[i].addEventListener('click',function(){
      sortBy(i,heads[i].getAttribute('aria-sort')==='ascending'?'descending':'ascending');
    });
  })(i);}
  window.auditSort=sortBy;
})();
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

COLUMNS = (
    ("agency", "agency 机关", "text"),
    ("year", "year 年度", "number"),
    ("level", "level 层级", "text"),
    ("kind", "kind", "text"),
    ("status", "status", "text"),
    ("deadline", "deadline 期限", "text"),
    ("published_on", "claimed 发布日期", "text"),
    ("first_seen", "first seen 首次抓取", "text"),
    ("findings", "findings", "number"),
    ("links", "original / archive", "text"),
)
_LEVEL_RANK = {"central": 0, "provincial": 1, "municipal": 2, "county": 3, "township": 4}


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _safe_href(url: str) -> str | None:
    return url if url.lower().startswith(("http://", "https://")) else None


def _status_rank(status: str) -> int:
    from archive.audit import STATUSES

    return STATUSES.index(status) if status in STATUSES else len(STATUSES)


def _summary(rows: Sequence[AuditRow]) -> str:
    from archive.audit import STATUSES

    groups: dict[tuple[str, str], Counter[str]] = {}
    for r in rows:
        counts = groups.setdefault((r.region or "—", r.level or "—"), Counter())
        counts[r.status] += 1
        counts["backdated"] += r.backdated
        counts["edited"] += r.edited
        counts["checks"] += bool(r.checks_failed)
        counts["spam"] += bool(r.spam)
    head = "".join(
        f"<th>{_e(h)}</th>"
        for h in ("region", "level", "rows", *STATUSES, "backdated", "edited", "checks failed", "spam")
    )
    body = []
    for (region, level), counts in sorted(
        groups.items(), key=lambda kv: (kv[0][0], _LEVEL_RANK.get(kv[0][1], 9))
    ):
        total = sum(counts[s] for s in STATUSES)
        cells = [
            region,
            level,
            total,
            *(counts[s] for s in STATUSES),
            counts["backdated"],
            counts["edited"],
            counts["checks"],
            counts["spam"],
        ]
        body.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    return f'<table id="summary"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _badges(r: AuditRow) -> tuple[str, int]:
    parts = [
        f'<span class="badge b-{kind}">{label if n is None else f"{label} {n}"}</span>'
        for kind, label, n in finding_kinds(r)
    ]
    details = []
    if r.backdated_evidence:
        ev = r.backdated_evidence
        details.append(
            f"<li>not listed on {_e(ev.get('listing'))} captured {_e(ev.get('captured_at'))}"
            + (f"; first listed {_e(ev['first_listed_at'])}" if ev.get("first_listed_at") else "")
            + "</li>"
        )
    for c in r.changes:
        details.append(
            f"<li>{_e(c['key'])}: {_e(c['old'])} → {_e(c['new'])} ({_e(c.get('first_seen'))})</li>"
        )
    if r.checks_failed:
        details.append(f"<li>failed: {_e(', '.join(r.checks_failed))}</li>")
    for s in r.spam:
        details.append(f"<li>spam link: {_e(s.get('text'))} &lt;{_e(s.get('href'))}&gt;</li>")
    if r.parse_failure:
        details.append(f"<li>not parsed: {_e(r.parse_failure)}</li>")
    if r.needs_review:
        unread = ", ".join(r.unresolved[:12]) + (" …" if len(r.unresolved) > 12 else "")
        details.append(f"<li>needs review: {_e('; '.join(r.review_notes[:3]))}"
                       + (f" (not read: {_e(unread)})" if unread else "") + "</li>")  # fmt: skip
    html = " ".join(parts)
    if details:
        html += f'<details><summary>details</summary><ul class="small">{"".join(details)}</ul></details>'
    count = r.backdated + len(r.changes) + len(r.checks_failed) + len(r.spam) + bool(r.parse_failure)
    count += r.needs_review
    return html, count


def warc_href(r: AuditRow) -> str | None:
    """The static page's archive link: the WARC file, relative to the data directory."""
    return f"warc/{r.warc['file']}#offset={r.warc['offset']}" if r.warc else None


ArchiveHref = Callable[["AuditRow"], "str | None"]


def _links(r: AuditRow, archive_href: ArchiveHref = warc_href, report_href: ArchiveHref | None = None) -> str:
    out = []
    tables = report_href(r) if report_href and r.url and r.year is not None else None
    if tables:
        out.append(f'<a class="tables" href="{_e(tables)}">tables</a>')
    href = _safe_href(r.url)
    if href:
        out.append(f'<a href="{_e(href)}" rel="noopener noreferrer nofollow">original</a>')
    elif r.url:
        out.append(f"<span>{_e(r.url)}</span>")
    if r.page_url and r.page_url != r.url and _safe_href(r.page_url):
        out.append(f'<a href="{_e(r.page_url)}" rel="noopener noreferrer nofollow">page</a>')
    target = archive_href(r) if r.warc else None
    if r.warc and target:
        out.append(
            f'<a class="warc" href="{_e(target)}">archived</a> '
            f'<span class="small">{_e(r.warc["file"])} @ {_e(r.warc["offset"])}</span>'
        )
    return "<br>".join(out) or "—"


def _row(r: AuditRow, archive_href: ArchiveHref = warc_href, report_href: ArchiveHref | None = None) -> str:
    badges, count = _badges(r)
    title = f'<div class="small">{_e(r.title)}</div>' if r.title else ""
    cells = [
        (r.agency, f"{_e(r.agency) or '?'}{title}"),
        (r.year if r.year is not None else "", _e(r.year if r.year is not None else "?")),
        (_LEVEL_RANK.get(r.level, 9), _e(r.level or "?")),
        (r.kind, _e(r.kind)),
        (
            _status_rank(r.status),
            f'<span class="status s-{_e(r.status)}" title="{_e(r.status_reason)}">{_e(r.status)}</span>',
        ),
        (r.deadline or "", _e(r.deadline or "—")),
        (r.published_on or "", _e(r.published_on or "—")),
        (r.first_seen or "", _e((r.first_seen or "—").replace("T", " ").replace("Z", " UTC"))),
        (count, badges or "—"),
        (r.url, _links(r, archive_href, report_href)),
    ]
    tds = "".join(f'<td data-sort="{_e(key)}">{html}</td>' for key, html in cells)
    return f'<tr data-status="{_e(r.status)}">{tds}</tr>'


def render_html(
    rows: Sequence[AuditRow],
    *,
    data_dir: Path,
    archive_href: ArchiveHref = warc_href,
    archive_note: str | None = None,
    report_href: ArchiveHref | None = None,
) -> str:
    """The whole page; see the module docstring. `archive_href` forms each "archived" link
    (`nianbao serve` points them at its replay); `archive_note` then replaces the sentence saying
    where the links lead; `report_href`, when given, links each report to its tables (`serve`)."""
    from archive.audit import STATUSES
    from archive.charts import year_charts

    counts = Counter(r.status for r in rows)
    overview = " · ".join(f"{s}: {counts.get(s, 0)}" for s in STATUSES)
    head = "".join(
        f'<th data-key="{key}" data-type="{kind}" scope="col">{_e(label)}</th>'
        for key, label, kind in COLUMNS
    )
    body = "\n".join(_row(r, archive_href, report_href) for r in rows)
    where = archive_note or (
        f"Archive links are relative to the data directory {data_dir}: keep this file in it."
    )
    charts = "\n".join(f'<div class="chart">{svg}</div>' for svg in year_charts(rows))
    years = sorted({r.year for r in rows if r.year is not None})
    span = f"{years[0]}–{years[-1]}" if years else "—"
    data = json.dumps({"rows": len(rows), "statuses": dict(counts)}, ensure_ascii=False).replace(
        "<", "\\u003c"
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nianbao audit 政府信息公开年报发布审计</title>
<style>{CSS}</style>
</head>
<body>
<h1>Publication audit · 政府信息公开工作年度报告</h1>
<p class="meta">{_e(len(rows))} rows, report years {_e(span)}. {_e(overview)}.<br>
{_e(where)} Deadlines:
条例 art. 49 (departments 01-31, government-wide reports 03-31) unless a registered local rule is earlier.</p>
<h2>Summary by region and level</h2>
{_summary(rows)}
<h2>Publication by week and region 按周发布与各地区按时比例</h2>
{charts or '<p class="meta">No report year to chart.</p>'}
<h2>Reports</h2>
<p class="meta">Click a column header to sort. Hover a status for the reason.</p>
<table id="audit"><thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody></table>
<script type="application/json" id="audit-data">{data}</script>
<script>{JS}</script>
</body>
</html>
"""
