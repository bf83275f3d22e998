"""Generate the sample portal (`site/`) and its ground truth (`expected.json`) from `content.py`.

Run `python -m nianbao.sample_portal.build` after editing the content; the output is committed so the
portal is a plain directory anyone can browse or serve.  The build is deterministic (no clocks, no
randomness, a hand-rolled PNG encoder instead of zlib's compressor whose output varies between zlib
builds), so a test can rebuild into a temporary directory and demand byte-for-byte equality: that is
what keeps the committed files and `expected.json` from drifting apart.

The markup imitates a TRS-WCM municipal portal: relative `./YYYYMM/tYYYYMMDD_ID.html` article links,
`index_N.html` paging driven by `createPageHTML()`, the standard `<meta>` set, an information-disclosure
metadata table, a `TRS_Editor` body, and the furniture (accessibility toolbar, QR codes, 备案 footer) a
crawler has to strip.  `expected.json` is computed from the same cell data the tables are rendered
from, and the build refuses to write anything if a report's consistency checks differ from what the
content says they should be.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import posixpath
import shutil
import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from archive.parser.labels import (
    ACTIVE_2019,
    ACTIVE_2021,
    APP_COLUMN_LABELS,
    LABEL_APPLICANTS,
    LABEL_BALANCE,
    LABEL_CARRIED_OVER,
    LABEL_FORWARD,
    LABEL_LITIGATION,
    LABEL_NEW,
    LABEL_ORGANISATIONS,
    LABEL_RESULTS,
    LABEL_TOTAL,
    OUTCOMES_2019,
    OUTCOMES_2021,
    REVIEW_COLUMN_LABELS,
    REVIEW_GROUP_LABELS,
    ActiveSpec,
    OutcomeSpec,
)
from nianbao.sample_portal import content as C
from nianbao.sample_portal.content import Article, Cell, ReportPage

PACKAGE_DIR = Path(__file__).resolve().parent
SITE_DIR = PACKAGE_DIR / "site"
EXPECTED_PATH = PACKAGE_DIR / "expected.json"
SCANS_DIR = (
    PACKAGE_DIR / "scans"
)  # the 图片版 report's pages, printed and scanned (`python -m tests.scangen --sample-portal`)

# ---------------------------------------------------------------------------------------------------
# The report format: keys (REPORT.md) and the official labels
# ---------------------------------------------------------------------------------------------------

APP_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
# The official label text (ACTIVE_2021, OUTCOMES_2021, LABEL_* …) is `archive.parser.labels`, shared with the
# xlsx export.


def active_spec(fmt: str) -> ActiveSpec:
    return ACTIVE_2021 if fmt == "2021" else ACTIVE_2019


def outcome_spec(fmt: str) -> OutcomeSpec:
    return OUTCOMES_2021 if fmt == "2021" else OUTCOMES_2019


def outcome_row_keys(fmt: str) -> list[str]:
    """Row keys of the 三(一)–(六) outcome rows, in table order."""
    keys: list[str] = []
    for prefix, _label, subs in outcome_spec(fmt):
        keys.extend([f"{prefix}.{k}" for k, _ in subs] if subs else [prefix])
    return keys


def app_row_keys(fmt: str) -> list[str]:
    return ["new", "carried_over", *outcome_row_keys(fmt), "total", "carried_forward"]


# ---------------------------------------------------------------------------------------------------
# Figures: cells as displayed, values as expected, checks
# ---------------------------------------------------------------------------------------------------

Value = int | Decimal | None


def cell_value(cell: Cell) -> Value:
    """The number a cell means: "+2" → 2, "1265400元" → 1265400, "12.35" → Decimal, blank → None."""
    if cell is None:
        return None
    if isinstance(cell, int):
        return cell
    text = cell.strip().removesuffix("万元").removesuffix("元").lstrip("+")
    return Decimal(text) if "." in text else int(text)


def _json_number(value: Value) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _sum(values: Iterable[Cell]) -> int | None:
    vals = [cell_value(v) for v in values]
    if all(v is None for v in vals):
        return None
    return int(sum(v for v in vals if v is not None))


def application_grid(r: ReportPage) -> dict[str, list[Cell]]:
    """Row key → the 7 cells (自然人 … 总计) printed in table 三, with the content's defaults applied."""
    grid: dict[str, list[Cell]] = {}

    def full(spec: Sequence[Cell]) -> list[Cell]:
        if len(spec) == 7:
            return list(spec)
        if len(spec) != 6:
            raise ValueError(f"{r.title}: an applications row needs 6 or 7 cells, got {spec!r}")
        return [*spec, _sum(spec)]

    outcome_keys = outcome_row_keys(r.fmt)
    for key in ("new", "carried_over", *outcome_keys):
        grid[key] = full(r.apps.get(key, (0,) * 6))
    unknown = set(r.apps) - set(app_row_keys(r.fmt))
    if unknown:
        raise ValueError(f"{r.title}: unknown applications rows {sorted(unknown)}")
    if "total" in r.apps:
        grid["total"] = full(r.apps["total"])
    else:
        grid["total"] = [_sum(grid[k][i] for k in outcome_keys) for i in range(7)]
    if "carried_forward" in r.apps:
        grid["carried_forward"] = full(r.apps["carried_forward"])
    else:
        forward: list[Cell] = []
        for i in range(7):
            left = (cell_value(grid["new"][i]) or 0) + (cell_value(grid["carried_over"][i]) or 0)
            rest = left - (cell_value(grid["total"][i]) or 0)
            if rest < 0:
                raise ValueError(f"{r.title}: outcomes exceed applications in column {APP_COLUMNS[i]}")
            forward.append(rest)
        grid["carried_forward"] = forward
    return grid


def report_cells(r: ReportPage) -> dict[str, Value]:
    """Every key of the spec for the report's format, with the value the page prints (None = blank)."""
    cells: dict[str, Value] = {}
    for _heading, _cols, rows in active_spec(r.fmt):
        for _label, row, columns in rows:
            printed = r.active[row]
            if len(printed) != len(columns):
                raise ValueError(f"{r.title}: active.{row} needs {len(columns)} cells")
            for column, cell in zip(columns, printed, strict=True):
                cells[f"active.{row}.{column}"] = cell_value(cell)
    grid = application_grid(r)
    for row in app_row_keys(r.fmt):
        for column, cell in zip(APP_COLUMNS, grid[row], strict=True):
            cells[f"applications.{row}.{column}"] = cell_value(cell)
    if len(r.review) != 15:
        raise ValueError(f"{r.title}: the review row needs 15 cells")
    for g, group in enumerate(REVIEW_GROUPS):
        for c, column in enumerate(REVIEW_COLUMNS):
            cells[f"{group}.{column}"] = cell_value(r.review[g * 5 + c])
    return cells


def failed_checks(fmt: str, cells: dict[str, Value]) -> list[str]:
    """The REPORT.md consistency rules that fail (`rule:column`); rules with a blank operand are skipped."""
    failed: list[str] = []

    def holds(rule: str, column: str, left: list[Value], right: list[Value]) -> None:
        if any(v is None for v in (*left, *right)):
            return
        if sum(left) != sum(right):  # type: ignore[arg-type]
            failed.append(f"{rule}:{column}")

    def a(row: str, col: str) -> Value:
        return cells[f"applications.{row}.{col}"]

    outcomes = outcome_row_keys(fmt)
    for col in APP_COLUMNS:
        holds(
            "balance",
            col,
            [a("new", col), a("carried_over", col)],
            [a("total", col), a("carried_forward", col)],
        )
    for col in APP_COLUMNS:
        holds("outcomes", col, [a("total", col)], [a(row, col) for row in outcomes])
    for row in app_row_keys(fmt):
        holds("row_total", row, [a(row, "total")], [a(row, col) for col in APP_COLUMNS[:-1]])
    for group in REVIEW_GROUPS:
        holds(
            "review_total",
            group,
            [cells[f"{group}.total"]],
            [cells[f"{group}.{c}"] for c in REVIEW_COLUMNS[:-1]],
        )
    return failed


def narrative_values(r: ReportPage) -> dict[str, object]:
    """What `{placeholders}` in a report's prose may name: its own table figures, then its `facts`."""
    cells = report_cells(r)
    decisions = "decisions"
    values: dict[str, object] = {
        "year": r.year,
        "new": cells["applications.new.total"],
        "carried_over": cells["applications.carried_over.total"],
        "done": cells["applications.total.total"],
        "carried_forward": cells["applications.carried_forward.total"],
        "review_total": cells["review.total"],
        "licensing": cells[f"active.licensing.{decisions}"],
        "penalty": cells[f"active.penalty.{decisions}"],
        "repealed": cells.get("active.normative_documents.repealed"),
    }
    values.update(r.facts)
    return values


# ---------------------------------------------------------------------------------------------------
# Tables: one model, two renderers (CMS editor markup and Word paste)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TCell:
    text: str | None  # None: a blank cell
    colspan: int = 1
    rowspan: int = 1
    numeric: bool = False
    width: int = 0  # Word-style width in px, 0 = none


Table = list[list[TCell]]


def _label(text: str, colspan: int = 1, rowspan: int = 1, width: int = 0) -> TCell:
    return TCell(text, colspan, rowspan, False, width)


def _num(cell: Cell, colspan: int = 1) -> TCell:
    return TCell(None if cell is None else str(cell), colspan, 1, True, 48 * colspan)


def active_table(r: ReportPage) -> Table:
    rows: Table = []
    for heading, cols, data_rows in active_spec(r.fmt):
        rows.append([_label(heading, colspan=4, width=560)])
        header = [_label(cols[0], width=176)]
        for i, col in enumerate(cols[1:]):
            span = 4 - len(cols) + 1 if i == len(cols) - 2 else 1
            header.append(_label(col, colspan=span, width=128 * span))
        rows.append(header)
        for label, key, columns in data_rows:
            row = [_label(label or r.normative_label, width=176)]
            printed = r.active[key]
            for i, cell in enumerate(printed):
                span = 4 - len(columns) if i == len(columns) - 1 else 1
                row.append(_num(cell, colspan=span))
            rows.append(row)
    return rows


def applications_table(r: ReportPage) -> Table:
    grid = application_grid(r)
    sep = r.item_sep
    rows: Table = [
        [
            _label(LABEL_BALANCE, colspan=3, rowspan=3, width=220),
            _label(LABEL_APPLICANTS, colspan=7, width=392),
        ],
        [
            _label(APP_COLUMN_LABELS[0], rowspan=2, width=56),
            _label(LABEL_ORGANISATIONS, colspan=5, width=280),
            _label(APP_COLUMN_LABELS[-1], rowspan=2, width=56),
        ],
        [_label(t, width=56) for t in APP_COLUMN_LABELS[1:6]],
    ]

    def numbers(key: str) -> list[TCell]:
        return [_num(c) for c in grid[key]]

    rows.append([_label(LABEL_NEW, colspan=3, width=220), *numbers("new")])
    rows.append([_label(LABEL_CARRIED_OVER, colspan=3, width=220), *numbers("carried_over")])
    spec = outcome_spec(r.fmt)
    results_span = sum(max(1, len(subs)) for _p, _l, subs in spec) + 1  # + （七）总计
    first = True
    for prefix, label, subs in spec:
        lead: list[TCell] = [_label(LABEL_RESULTS, rowspan=results_span, width=44)] if first else []
        first = False
        if not subs:
            rows.append([*lead, _label(label, colspan=2, width=176), *numbers(prefix)])
            continue
        for i, (key, sub_label) in enumerate(subs):
            head = [_label(label, rowspan=len(subs), width=60)] if i == 0 else []
            rows.append(
                [
                    *(lead if i == 0 else []),
                    *head,
                    _label(f"{i + 1}{sep}{sub_label}", width=116),
                    *numbers(f"{prefix}.{key}"),
                ]
            )
    rows.append([_label(LABEL_TOTAL, colspan=2, width=176), *numbers("total")])
    rows.append([_label(LABEL_FORWARD, colspan=3, width=220), *numbers("carried_forward")])
    return rows


def review_table(r: ReportPage) -> Table:
    results = REVIEW_COLUMN_LABELS
    review, direct, after_review = REVIEW_GROUP_LABELS
    return [
        [_label(review, colspan=5, width=200), _label(LABEL_LITIGATION, colspan=10, width=400)],
        [
            *[_label(t, rowspan=2, width=40) for t in results],
            _label(direct, colspan=5, width=200),
            _label(after_review, colspan=5, width=200),
        ],
        [_label(t, width=40) for t in results * 2],
        [_num(c) for c in r.review],
    ]


def _spans(c: TCell) -> str:
    out = ""
    if c.colspan > 1:
        out += f' colspan="{c.colspan}"'
    if c.rowspan > 1:
        out += f' rowspan="{c.rowspan}"'
    return out


def render_table_plain(rows: Table) -> str:
    """Table markup as a CMS rich-text editor saves it: quoted attributes, &nbsp; for blank cells."""
    out = [
        '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">',
        "<tbody>",
    ]
    for row in rows:
        cells = []
        for c in row:
            text = "&nbsp;" if c.text is None else escape(c.text, quote=False)
            cells.append(f'<td{_spans(c)} align="center" valign="middle">{text}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


_WORD_FONT = "font-size:10.5pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体"


def _word_fragments(text: str) -> str:
    """A label as Word splits it into runs: "自然人" → <span>自然</span><span>人</span>."""
    prefix = ""
    for sep in (".", "、"):
        head, found, rest = text.partition(sep)
        if found and head.isdigit():
            prefix = f"<span lang=EN-US style='font-size:10.5pt'>{head}{sep}</span>"
            text = rest
            break
    parts = [text]
    if len(text) >= 3:
        k = len(text) - len(text) // 3
        parts = [text[:k], text[k:]]
    spans = "".join(f"<span style='{_WORD_FONT}'>{escape(p, quote=False)}</span>" for p in parts)
    return prefix + spans


def render_table_word(rows: Table) -> str:
    """Table markup as pasted from Word: MsoNormal paragraphs, split runs, <o:p>, unquoted widths."""
    out = [
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=612 "
        "style='width:459.0pt;margin-left:-5.4pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
        "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"
    ]
    for i, row in enumerate(rows):
        out.append(f" <tr style='mso-yfti-irow:{i};height:19.85pt'>")
        for c in row:
            span = _spans(c).replace('"', "")
            style = "border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt"
            attrs = f" width={c.width}{span} valign=middle style='width:{c.width * 0.75:.1f}pt;{style}'"
            if c.text is None:
                inner = "<span lang=EN-US style='font-size:10.5pt'><o:p>&nbsp;</o:p></span>"
            elif c.numeric:
                inner = f"<span lang=EN-US style='font-size:10.5pt'>{escape(c.text, quote=False)}<o:p></o:p></span>"
            else:
                inner = (
                    _word_fragments(c.text) + "<span lang=EN-US style='font-size:10.5pt'><o:p></o:p></span>"
                )
            para = f"<p class=MsoNormal align=center style='text-align:center;line-height:14.0pt'>{inner}</p>"
            out.append(f"  <td{attrs}>\n  {para}\n  </td>")
        out.append(" </tr>")
    out.append("</table>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------
# Page furniture
# ---------------------------------------------------------------------------------------------------

# Strings that exist only in page furniture: clean report text must contain none of them.
FURNITURE = (
    "无障碍",
    "关怀版",
    "繁體版",
    "网站地图",
    "联系我们",
    "网站声明",
    "政务微信",
    "政务微博",
    "政务APP",
    "背景色",
    "打印本页",
    "关闭窗口",
    "分享到",
    "扫一扫在手机打开当前页",
    "浏览次数",
    "字体：",
    "当前位置",
    "网站标识码",
    "ICP备",
    "公网安备",
    "党政机关网站标识",
    "政府网站找错",
    "主办：",
    "承办：",
    "请输入关键词",
    "欢迎访问",
)

NAV = (
    ("首页", "/index.html"),
    ("政务公开", "/zwgk/index.html"),
    ("新闻中心", "/xwzx/index.html"),
    ("办事服务", "/bsfw/index.html"),
    ("政民互动", "/zmhd/index.html"),
)

# Sub-columns of the 政府信息公开 专栏 (label, column index path).
ZWGK_COLUMNS = (
    ("政府信息公开指南", "/zwgk/zfxxgkzn/index.html"),
    ("政府信息公开制度", "/zwgk/zfxxgkzd/index.html"),
    ("法定主动公开内容", "/zwgk/fdzdgknr/index.html"),
    ("政府信息公开年报", "/zwgk/zfxxgknb/index.html"),
    ("财政预决算", "/zwgk/czyjs/index.html"),
    ("法治政府建设", "/zwgk/fzzfjs/index.html"),
)


def rel(from_path: str, to_path: str) -> str:
    """A TRS-style relative link ("./202401/t….html", "../../index.html") from one page to another."""
    target = to_path + "index.html" if to_path.endswith("/") else to_path
    link = posixpath.relpath(target, posixpath.dirname(from_path))
    return link if link.startswith("../") else "./" + link


_ON = ' class="on"'


def _top(nav_current: str) -> str:
    nav = "".join(
        f'<li{_ON if href == nav_current else ""}><a href="{href}">{label}</a></li>' for label, href in NAV
    )
    return f"""<div class="topbar">
  <div class="w1200">
    <span class="welcome">欢迎访问{C.SITE_NAME}门户网站</span>
    <span class="tools"><a href="javascript:void(0);" id="cniil_wza">无障碍</a> | <a href="javascript:void(0);" id="care_mode">关怀版</a> | <a href="javascript:void(0);" id="st_fjt">繁體版</a> | <a href="/wzdt/index.html">网站地图</a></span>
  </div>
</div>
<div class="header">
  <div class="w1200">
    <div class="logo"><a href="/index.html"><img src="/images/logo.png" alt="{C.SITE_NAME}" width="64" height="64" /></a><span class="site-name">{C.SITE_NAME}</span></div>
    <form class="search" action="/search/" method="get" target="_blank">
      <input type="text" name="searchword" class="search-input" placeholder="请输入关键词" />
      <input type="hidden" name="channelid" value="201705" />
      <button type="submit">搜索</button>
    </form>
  </div>
</div>
<div class="nav">
  <ul class="w1200">{nav}</ul>
</div>
"""


def _bottom() -> str:
    return f"""<div class="link-bar">
  <div class="w1200">
    <a href="javascript:void(0);" class="lb-wza">无障碍</a>
    <a href="javascript:void(0);" class="lb-care">关怀版</a>
    <div class="qr-item"><img src="/images/qr_wechat.png" alt="政务微信" width="84" height="84" /><p>政务微信</p></div>
    <div class="qr-item"><img src="/images/qr_weibo.png" alt="政务微博" width="84" height="84" /><p>政务微博</p></div>
    <div class="qr-item"><img src="/images/qr_app.png" alt="政务APP" width="84" height="84" /><p>政务APP</p></div>
  </div>
</div>
<div class="footer">
  <div class="w1200">
    <p class="footer-links"><a href="/wzdt/index.html">网站地图</a> | <a href="/lxwm/index.html">联系我们</a> | <a href="/lxwm/index.html#wzsm">网站声明</a></p>
    <p>主办：{C.HOST_ORG}　承办：{C.OPERATOR_ORG}</p>
    <p>地址：{C.ADDRESS}　邮编：{C.POSTCODE}　电话：{C.PHONE}</p>
    <p>网站标识码：{C.SITE_ID_CODE}　<a href="https://beian.miit.gov.cn/" target="_blank">{C.ICP_NO}</a>　<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=99010202000117" target="_blank"><img src="/images/gongan.png" alt="" width="20" height="20" />{C.PSB_NO}</a></p>
    <p class="badges"><a href="https://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D4E5F" target="_blank"><img src="/images/dzjg.png" alt="党政机关网站标识" width="110" height="55" /></a> <a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={C.SITE_ID_CODE}" target="_blank"><img src="/images/jiucuo.png" alt="政府网站找错" width="110" height="55" /></a></p>
  </div>
</div>
"""


def _crumbs(path: str, crumbs: Sequence[tuple[str, str | None]]) -> str:
    parts = [
        f'<a href="{rel(path, target)}">{escape(label)}</a>' if target else f"<span>{escape(label)}</span>"
        for label, target in crumbs
    ]
    return '<div class="location">当前位置：' + " &gt; ".join(parts) + "</div>"


def shell(
    *,
    path: str,
    title: str,
    column: str,
    main: str,
    nav_current: str,
    metas: Sequence[tuple[str, str]] = (),
    charset: str = "utf-8",
    body_start: str = "",
) -> str:
    """A whole page: head with the standard meta set, header, navigation, `main`, link bar and footer."""
    meta_lines = [
        ("SiteName", C.SITE_NAME),
        ("SiteDomain", C.SITE_DOMAIN),
        ("SiteIDCode", C.SITE_ID_CODE),
        ("ColumnName", column),
        ("ColumnType", column),
        *metas,
    ]
    metas_html = "\n".join(f'<meta name="{n}" content="{escape(v)}" />' for n, v in meta_lines)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{escape(title, quote=False)}</title>
{metas_html}
<link rel="stylesheet" type="text/css" href="/css/common.css" />
<script type="text/javascript" src="/js/common.js"></script>
</head>
<body>
{body_start}{_top(nav_current)}<div class="main w1200">
{main}
</div>
{_bottom()}</body>
</html>
"""


# ---------------------------------------------------------------------------------------------------
# Articles and reports
# ---------------------------------------------------------------------------------------------------


def _date(pub: str) -> str:
    return pub[:10]


def _zh_date(iso: str) -> str:
    y, m, d = iso[:10].split("-")
    return f"{y}年{int(m)}月{int(d)}日"


def metadata_table(
    *, index_no: str, publisher: str, written: str, title: str, pub: str, category: str
) -> str:
    """The 信息公开 metadata block that TRS 公开目录 templates put above the article."""
    return f"""<div class="xxgk-meta">
<table class="table_suoyin" cellspacing="0" cellpadding="0" width="100%" border="0">
<tbody>
<tr><td class="t1" width="13%">索引号：</td><td width="37%">{escape(index_no)}</td><td class="t1" width="13%">主题分类：</td><td width="37%">综合政务/政务公开</td></tr>
<tr><td class="t1">发布机构：</td><td>{escape(publisher)}</td><td class="t1">成文日期：</td><td>{written}</td></tr>
<tr><td class="t1">标　　题：</td><td colspan="3">{escape(title)}</td></tr>
<tr><td class="t1">发文字号：</td><td></td><td class="t1">发布日期：</td><td>{_date(pub)}</td></tr>
<tr><td class="t1">有 效 性：</td><td>有效</td><td class="t1">组配分类：</td><td>{escape(category)}</td></tr>
</tbody>
</table>
</div>"""


def article_tools(views: int) -> str:
    swatches = "".join(
        f'<a href="javascript:void(0);" class="bg" style="background:{c};" onclick="setBg(\'{c}\')" title="{n}"></a>'
        for c, n in (
            ("#FFFFFF", "白色"),
            ("#FAFBE6", "米黄"),
            ("#FFF2E2", "浅橙"),
            ("#E6F3E9", "浅绿"),
            ("#EEEEEE", "浅灰"),
        )
    )
    return f"""<div class="article-tools">
<span class="font-size">字体：【<a href="javascript:doZoom(20);">大</a> <a href="javascript:doZoom(16);">中</a> <a href="javascript:doZoom(14);">小</a>】</span>
<span class="bg-color">背景色：{swatches}</span>
<span class="visits">浏览次数：<em>{views}</em></span>
</div>"""


def article_foot() -> str:
    return """<div class="article-foot">
<div class="share">分享到：<a href="javascript:void(0);" class="share-weibo" title="新浪微博"></a><a href="javascript:void(0);" class="share-wx" title="微信"></a><a href="javascript:void(0);" class="share-qq" title="QQ空间"></a></div>
<div class="phone-qr"><img src="/images/qr_page.png" alt="" width="84" height="84" /><p>扫一扫在手机打开当前页</p></div>
<div class="article-btns"><a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a></div>
</div>"""


def _p_plain(text: str, *, strong: bool = False, align: str | None = None) -> str:
    body = escape(text, quote=False)
    if strong:
        body = f"<strong>{body}</strong>"
    if align:
        return f'<p style="text-align:{align};">{body}</p>'
    return f'<p style="text-indent:2em;">{body}</p>'


def _p_word(text: str, *, font: str = "仿宋_GB2312", bold: bool = False, align: str | None = None) -> str:
    body = f"<span style='font-size:16.0pt;font-family:{font}'>{escape(text, quote=False)}</span>"
    if bold:
        body = f"<b>{body}</b>"
    # Word writes a numbered sub-heading as a hanging indent: a negative text-indent.
    style = (
        f"text-align:{align}"
        if align
        else "margin-left:64.0pt;text-indent:-32.0pt"
        if bold
        else "text-indent:32.0pt"
    )
    align_attr = f" align={align}" if align else ""
    return f"<p class=MsoNormal{align_attr} style='{style};line-height:28.0pt'>{body}<span lang=EN-US><o:p></o:p></span></p>"


Block = tuple[
    str, object
]  # ("p", text) | ("heading", text) | ("sub", text) | ("right", text) | ("table", Table)


def report_blocks(r: ReportPage) -> list[Block]:
    """A report's printed content in reading order: title lines, the six sections with their
    tables, signature (what the page shows as HTML, and what its scan shows as pictures)."""
    values = narrative_values(r)

    def fill(text: str) -> str:
        return text.format_map(values)

    out: list[Block] = [("center", r.heading_top), ("center", r.heading_bottom), ("p", fill(r.intro))]
    out.append(("heading", "一、总体情况"))
    if r.lead:
        out.append(("p", fill(r.lead)))
    for sub, text in r.overview:
        if r.inline_subheads:
            out.append(("p", f"{sub}。{fill(text)}"))
        else:
            out += [("sub", sub), ("p", fill(text))]
    for heading, tbl in (
        ("二、主动公开政府信息情况", active_table(r)),
        ("三、收到和处理政府信息公开申请情况", applications_table(r)),
        (r.review_heading, review_table(r)),
    ):
        out += [("heading", heading), ("table", tbl)]
    out.append(("heading", r.problems_heading))
    out += [("p", fill(t)) for t in r.problems]
    out.append(("heading", "六、其他需要报告的事项"))
    out += [("p", fill(t)) for t in r.other]
    out += [("right", s) for s in r.sign]
    return out


def scan_names(r: ReportPage) -> list[str]:
    """The file names of a 图片版 report's page pictures, as its CMS names uploads."""
    stamp = r.file.split("_")[0].split("/t")[1]
    return [f"W0{stamp}{5632018745 + i * 1117}.jpg" for i in range(r.image_pages)]


def report_body(r: ReportPage) -> str:
    """The TRS_Editor content of a report: its blocks as HTML, or its scanned pages as pictures."""
    if r.image_pages:
        imgs = [
            f'<p style="text-align:center;"><img src="./{name}" border="0" '
            f'alt="" width="600" height="848" OLDSRC="{name}" /></p>'
            for name in scan_names(r)
        ]
        return "\n".join(imgs)
    word = r.style == "word"
    para: Callable[..., str]
    if word:

        def para(text: str, *, heading: bool = False, sub: bool = False, align: str | None = None) -> str:
            font = "黑体" if heading else "楷体_GB2312" if sub else "仿宋_GB2312"
            return _p_word(text, font=font, bold=sub, align=align)

        table = render_table_word
    else:

        def para(text: str, *, heading: bool = False, sub: bool = False, align: str | None = None) -> str:
            return _p_plain(text, strong=heading or sub or align == "center", align=align)

        table = render_table_plain

    out = []
    for kind, payload in report_blocks(r):
        if kind == "table":
            tbl = payload  # type: ignore[assignment]
            out.append(table(tbl) if word else '<div align="center">\n' + table(tbl) + "\n</div>")  # type: ignore[arg-type]
        else:
            text = str(payload)
            align = {"center": "center", "right": "right"}.get(kind)
            out.append(para(text, heading=kind == "heading", sub=kind == "sub", align=align))
    if word:
        return "<div class=WordSection1 style='layout-grid:15.6pt'>\n" + "\n".join(out) + "\n</div>"
    return '<div class="Custom_UnionStyle">\n' + "\n".join(out) + "\n</div>"


def _spam_links(items: Sequence[tuple[str, str]]) -> str:
    return " ".join(f'<a href="{href}" target="_blank">{escape(text)}</a>' for href, text in items)


def report_page(r: ReportPage) -> str:
    body = report_body(r)
    body_start = ""
    if r.spam:
        body_start = (
            '<div style="position:absolute;left:-9999px;top:-9999px;width:1px;height:1px;overflow:hidden;">'
            + _spam_links(C.SPAM_OFFSCREEN)
            + "</div>\n"
        )
        body += '\n<div style="display:none">' + _spam_links(C.SPAM_HIDDEN) + "</div>"
    main = f"""{_crumbs(r.path, [("首页", "/index.html"), ("政务公开", "/zwgk/index.html"), ("政府信息公开年报", "/zwgk/zfxxgknb/index.html"), ("正文", None)])}
<div class="article">
{metadata_table(index_no=r.index_no, publisher=r.publisher, written=r.written, title=r.title, pub=r.pub, category="政府信息公开年报")}
<h1 class="article-title">{escape(r.title, quote=False)}</h1>
<div class="article-info"><span>发布时间：{r.pub}</span><span>来源：{escape(r.publisher)}</span></div>
{article_tools(r.views)}
<!--ContentStart-->
<div class="TRS_Editor" id="zoom">
{body}
</div>
<!--ContentEnd-->
{article_foot()}
</div>"""
    return shell(
        path=r.path,
        title=f"{r.title}_{C.SITE_NAME}",
        column="政府信息公开年报",
        main=main,
        nav_current="/zwgk/index.html",
        metas=(
            ("ArticleTitle", r.title),
            ("PubDate", r.pub),
            ("ContentSource", r.publisher),
            ("Keywords", "政府信息公开,年度报告"),
            ("Description", r.title),
            ("Url", f"http://{C.SITE_DOMAIN}{r.path}"),
        ),
        charset="gb2312" if r.encoding == "gbk" else "utf-8",
        body_start=body_start,
    )


def _render_block(block: object) -> str:
    if isinstance(block, str):
        return _p_plain(block)
    tag, payload = block  # type: ignore[misc]
    if tag == "h":
        return _p_plain(payload, strong=True)
    if tag == "table":
        rows = payload
        trs = [
            "<tr>" + "".join(f'<td align="center">{escape(c, quote=False)}</td>' for c in row) + "</tr>"
            for row in rows
        ]
        return (
            '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">\n<tbody>\n'
            + "\n".join(trs)
            + "\n</tbody>\n</table>"
        )
    raise ValueError(f"unknown block {tag!r}")


def article_page(a: Article) -> str:
    column_index = a.column_path + "index.html"
    if a.column_path.startswith("/zwgk/"):
        crumbs: list[tuple[str, str | None]] = [("首页", "/index.html"), ("政务公开", "/zwgk/index.html")]
        nav = "/zwgk/index.html"
    else:
        crumbs = [("首页", "/index.html")]
        nav = "/xwzx/index.html"
    if a.path == column_index:  # a column that shows its single document directly (the guide)
        crumbs.append((a.column, None))
    else:
        crumbs += [(a.column, column_index), ("正文", None)]
    meta = (
        metadata_table(
            index_no=a.index_no,
            publisher=a.source,
            written=_date(a.pub),
            title=a.title,
            pub=a.pub,
            category=a.column,
        )
        if a.index_no
        else ""
    )
    body = "\n".join(_render_block(b) for b in a.body)
    main = f"""{_crumbs(a.path, crumbs)}
<div class="article">
{meta}
<h1 class="article-title">{escape(a.title, quote=False)}</h1>
<div class="article-info"><span>发布时间：{a.pub}</span><span>来源：{escape(a.source)}</span></div>
{article_tools(a.views)}
<div class="TRS_Editor" id="zoom">
{body}
</div>
{article_foot()}
</div>"""
    return shell(
        path=a.path,
        title=f"{a.title}_{C.SITE_NAME}",
        column=a.column,
        main=main,
        nav_current=nav,
        metas=(
            ("ArticleTitle", a.title),
            ("PubDate", a.pub),
            ("ContentSource", a.source),
            ("Url", f"http://{C.SITE_DOMAIN}{a.path}"),
        ),
    )


# ---------------------------------------------------------------------------------------------------
# Listings and other pages
# ---------------------------------------------------------------------------------------------------

PER_PAGE = 4


def _side_menu(path: str, current: str) -> str:
    items = "".join(
        f'<li{_ON if href == current else ""}><a href="{rel(path, href)}">{label}</a></li>'
        for label, href in ZWGK_COLUMNS
    )
    return f'<div class="side-menu"><h3>政府信息公开</h3><ul>{items}</ul></div>'


def _paging(count: int, current: int) -> str:
    """TRS paging: the inline createPageHTML() call plus a static bar a non-JS client can follow."""

    def name(i: int) -> str:
        return "index.html" if i == 0 else f"index_{i}.html"

    script = f"""<div class="page-js">
<script type="text/javascript">
var currentPage = {current};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {count}//共多少页
createPageHTML({count}, {current}, "index", "html");
</script>
</div>"""
    parts = [f'<a href="{name(0)}">首页</a>']
    parts.append(
        f'<a href="{name(current - 1)}">上一页</a>' if current > 0 else '<span class="disabled">上一页</span>'
    )
    for i in range(count):
        parts.append(
            f'<span class="current">{i + 1}</span>' if i == current else f'<a href="{name(i)}">{i + 1}</a>'
        )
    parts.append(
        f'<a href="{name(current + 1)}">下一页</a>'
        if current < count - 1
        else '<span class="disabled">下一页</span>'
    )
    parts.append(f'<a href="{name(count - 1)}">尾页</a>')
    parts.append(f"<span>共{count}页</span>")
    return script + '\n<div class="page">' + " ".join(parts) + "</div>"


@dataclass(frozen=True)
class ListItem:
    path: str
    title: str
    pub: str


def listing_pages(column_path: str, column: str, items: Sequence[ListItem], *, zwgk: bool) -> dict[str, str]:
    """Every page (index.html, index_1.html …) of one column, newest first, PER_PAGE items each."""
    ordered = sorted(items, key=lambda i: (i.pub, i.path), reverse=True)
    chunks = [ordered[i : i + PER_PAGE] for i in range(0, len(ordered), PER_PAGE)] or [[]]
    pages: dict[str, str] = {}
    for n, chunk in enumerate(chunks):
        path = column_path + ("index.html" if n == 0 else f"index_{n}.html")
        lis = "\n".join(
            f'<li><a href="{rel(path, it.path)}" title="{escape(it.title)}" target="_blank">{escape(it.title, quote=False)}</a>'
            f"<span>{_date(it.pub)}</span></li>"
            for it in chunk
        )
        crumbs: list[tuple[str, str | None]] = [("首页", "/index.html")]
        if zwgk:
            crumbs.append(("政务公开", "/zwgk/index.html"))
        crumbs.append((column, None))
        side = _side_menu(path, column_path + "index.html") if zwgk else ""
        main = f"""{_crumbs(path, crumbs)}
{side}
<div class="list-main">
<div class="list-title"><h2>{column}</h2></div>
<ul class="list">
{lis}
</ul>
{_paging(len(chunks), n)}
</div>"""
        pages[path] = shell(
            path=path,
            title=f"{column}_{C.SITE_NAME}",
            column=column,
            main=main,
            nav_current="/zwgk/index.html" if zwgk else "/xwzx/index.html",
        )
    return pages


def _items(objs: Iterable[ReportPage | Article]) -> list[ListItem]:
    return [ListItem(o.path, o.title, o.pub) for o in objs]


def home_page() -> str:
    path = "/index.html"
    news = sorted(C.NEWS, key=lambda a: a.pub, reverse=True)
    news_lis = "\n".join(
        f'<li><a href="{rel(path, a.path)}" target="_blank">{escape(a.title, quote=False)}</a><span>{_date(a.pub)}</span></li>'
        for a in news
    )
    notices = "\n".join(f"<li><span>{escape(t, quote=False)}</span></li>" for t in C.HOME_NOTICES)
    zwgk = "\n".join(f'<li><a href="{rel(path, href)}">{label}</a></li>' for label, href in ZWGK_COLUMNS)
    main = f"""<div class="banner"><h2>{escape(news[0].title, quote=False)}</h2></div>
<div class="home-news">
<div class="block-title"><h3>新闻中心</h3><a class="more" href="./xwzx/index.html">更多&gt;&gt;</a></div>
<ul class="list">
{news_lis}
</ul>
</div>
<div class="home-notice">
<div class="block-title"><h3>通知公告</h3></div>
<ul class="list">
{notices}
</ul>
</div>
<div class="home-zwgk">
<div class="block-title"><h3>政府信息公开</h3><a class="more" href="./zwgk/index.html">更多&gt;&gt;</a></div>
<ul class="entry">
{zwgk}
</ul>
</div>"""
    return shell(path=path, title=C.SITE_NAME, column="首页", main=main, nav_current="/index.html")


def zwgk_page(columns: dict[str, list[ListItem]]) -> str:
    """The 政府信息公开 专栏: one block per sub-column with its latest items."""
    path = "/zwgk/index.html"
    blocks = []
    for label, href in ZWGK_COLUMNS:
        items = sorted(columns.get(href, []), key=lambda i: i.pub, reverse=True)[:5]
        lis = "\n".join(
            f'<li><a href="{rel(path, it.path)}" target="_blank">{escape(it.title, quote=False)}</a><span>{_date(it.pub)}</span></li>'
            for it in items
        )
        blocks.append(
            f"""<div class="zwgk-block">
<div class="block-title"><h3>{label}</h3><a class="more" href="{rel(path, href)}">更多&gt;&gt;</a></div>
<ul class="list">
{lis}
</ul>
</div>"""
        )
    main = (
        _crumbs(path, [("首页", "/index.html"), ("政务公开", None)])
        + "\n"
        + _side_menu(path, "")
        + '\n<div class="list-main">\n'
        + "\n".join(blocks)
        + "\n</div>"
    )
    return shell(
        path=path, title=f"政府信息公开_{C.SITE_NAME}", column="政府信息公开", main=main, nav_current=path
    )


def simple_page(path: str, title: str, crumbs: list[tuple[str, str | None]], html: str, nav: str) -> str:
    main = f"""{_crumbs(path, crumbs)}
<div class="simple">
<h2>{title}</h2>
{html}
</div>"""
    return shell(path=path, title=f"{title}_{C.SITE_NAME}", column=title, main=main, nav_current=nav)


def fdzdgknr_page() -> str:
    path = "/zwgk/fdzdgknr/index.html"
    cats = (
        ("机构职能", None),
        ("政策文件", None),
        ("规划计划", None),
        ("财政预决算", "/zwgk/czyjs/index.html"),
        ("政府信息公开年报", "/zwgk/zfxxgknb/index.html"),
        ("法治政府建设", "/zwgk/fzzfjs/index.html"),
        ("重大建设项目", None),
        ("公共资源配置", None),
    )
    lis = "\n".join(
        f'<li><a href="{rel(path, href)}">{label}</a></li>' if href else f"<li><span>{label}</span></li>"
        for label, href in cats
    )
    html = (
        "<p>根据《中华人民共和国政府信息公开条例》第二十条，本栏目集中展示本机关法定主动公开的政府信息。</p>\n"
        f'<ul class="entry">\n{lis}\n</ul>'
    )
    crumbs: list[tuple[str, str | None]] = [
        ("首页", "/index.html"),
        ("政务公开", "/zwgk/index.html"),
        ("法定主动公开内容", None),
    ]
    return simple_page(path, "法定主动公开内容", crumbs, _side_menu(path, path) + html, "/zwgk/index.html")


def sitemap_page(columns: Sequence[tuple[str, str]]) -> str:
    path = "/wzdt/index.html"
    lis = "\n".join(f'<li><a href="{rel(path, href)}">{label}</a></li>' for label, href in columns)
    return simple_page(
        path,
        "网站地图",
        [("首页", "/index.html"), ("网站地图", None)],
        f'<ul class="sitemap">\n{lis}\n</ul>',
        "",
    )


def contact_page() -> str:
    path = "/lxwm/index.html"
    html = f"""<p>通信地址：{C.ADDRESS}</p>
<p>邮政编码：{C.POSTCODE}</p>
<p>值班电话：{C.PHONE}</p>
<h3 id="wzsm">网站声明</h3>
<p>本网站所载内容版权归{C.SITE_NAME}所有，转载请注明来源。本网站所有链接均为方便用户查阅而设置，被链接网站的内容由其自行负责。</p>"""
    return simple_page(path, "联系我们", [("首页", "/index.html"), ("联系我们", None)], html, "")


def services_page() -> str:
    path = "/bsfw/index.html"
    html = """<p>个人办事：户籍办理、社保医保、公积金、婚姻登记、出入境、教育就学。</p>
<p>法人办事：企业开办、工程建设、税费缴纳、资质认定、注销登记。</p>
<p>网上办事请登录省政务服务网青禾市分厅，或前往各级政务服务中心现场办理。</p>"""
    return simple_page(path, "办事服务", [("首页", "/index.html"), ("办事服务", None)], html, path)


def interaction_page() -> str:
    path = "/zmhd/index.html"
    html = """<p>市长信箱：对本市工作的意见建议，可通过以下表单提交，我们将在15个工作日内答复。</p>
<form class="mailbox" action="/zmhd/submit" method="post">
<p><label>姓名：<input type="text" name="name" /></label></p>
<p><label>标题：<input type="text" name="subject" /></label></p>
<p><label>内容：<textarea name="body" rows="6" cols="60"></textarea></label></p>
<p><button type="submit">提交</button></p>
</form>"""
    return simple_page(path, "政民互动", [("首页", "/index.html"), ("政民互动", None)], html, path)


def not_found_page() -> str:
    path = "/404.html"
    html = '<p>抱歉，您访问的页面不存在或已被删除。</p>\n<p><a href="/index.html">返回首页</a></p>'
    return simple_page(path, "页面不存在", [("首页", "/index.html"), ("页面不存在", None)], html, "")


ROBOTS = "User-agent: *\nDisallow: /search/\nAllow: /\n"

CSS = """@charset "utf-8";
body{margin:0;font:14px/1.8 "Microsoft YaHei","SimSun",sans-serif;color:#333;background:#f5f5f5}
a{color:#333;text-decoration:none}a:hover{color:#c00}
.w1200{width:1200px;margin:0 auto}
.topbar{background:#eee;height:32px;line-height:32px;font-size:12px}.topbar .tools{float:right}
.header{background:#b8001f;height:110px}.header .logo{float:left;padding-top:22px}
.header .site-name{color:#fff;font-size:34px;font-weight:bold;margin-left:12px;vertical-align:top;line-height:64px}
.header .search{float:right;margin-top:38px}.search-input{width:220px;height:28px}
.nav{background:#8f0018}.nav ul{list-style:none;padding:0;margin:0 auto;height:46px}
.nav li{float:left;width:20%;text-align:center;line-height:46px}.nav li a{color:#fff;font-size:17px}.nav li.on{background:#6d0012}
.main{background:#fff;margin-top:12px;padding:16px 24px;overflow:hidden}
.location{font-size:13px;color:#666;border-bottom:1px solid #ddd;padding-bottom:8px;margin-bottom:12px}
.side-menu{float:left;width:210px}.side-menu ul{list-style:none;padding:0}.side-menu li{border-bottom:1px dashed #ddd}
.side-menu li.on a{color:#b8001f;font-weight:bold}
.list-main{margin-left:240px}.list{list-style:none;padding:0}.list li{line-height:38px;border-bottom:1px dashed #e5e5e5}
.list li span{float:right;color:#999}
.page{text-align:center;margin:20px 0}.page a,.page span{margin:0 4px}.page .current{color:#b8001f;font-weight:bold}
.xxgk-meta table{border:1px solid #d8d8d8;background:#fafafa;font-size:13px}.xxgk-meta td{padding:4px 8px}
.xxgk-meta td.t1{font-weight:bold;color:#555}
.article-title{text-align:center;font-size:24px;color:#b8001f;margin:24px 0 8px}
.article-info{text-align:center;color:#888;font-size:13px}.article-info span{margin:0 12px}
.article-tools{text-align:right;font-size:13px;color:#666;border-bottom:1px solid #eee;padding:6px 0}
.article-tools .bg{display:inline-block;width:12px;height:12px;border:1px solid #ccc;margin:0 2px}
#zoom{font-size:16px;line-height:2;padding:20px 0}#zoom table{margin:10px auto;font-size:13px}
.article-foot{border-top:1px solid #eee;margin-top:20px;padding-top:10px;overflow:hidden;font-size:13px}
.article-foot .phone-qr{float:right;text-align:center}
.link-bar{background:#fff;margin-top:12px;padding:12px 0;text-align:center}
.qr-item{display:inline-block;margin:0 16px;font-size:12px}
.footer{background:#8f0018;color:#f3d6da;font-size:12px;text-align:center;padding:16px 0;margin-top:0}
.footer a{color:#f3d6da}
"""

JS = """/* common.js: page helpers for the article and listing templates */
function doZoom(size) {
  var el = document.getElementById("zoom");
  if (el) { el.style.fontSize = size + "px"; }
}
function setBg(color) {
  var el = document.getElementById("zoom");
  if (el) { el.style.backgroundColor = color; }
}
/* TRS listing pager: writes 首页/上一页/1..n/下一页/尾页 for index.html, index_1.html ... */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  function pageUrl(i) { return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt; }
  var html = [];
  html.push('<a href="' + pageUrl(0) + '">首页</a>');
  if (_nCurrIndex > 0) { html.push('<a href="' + pageUrl(_nCurrIndex - 1) + '">上一页</a>'); }
  for (var i = 0; i < _nPageCount; i++) {
    if (i == _nCurrIndex) { html.push('<span class="current">' + (i + 1) + '</span>'); }
    else { html.push('<a href="' + pageUrl(i) + '">' + (i + 1) + '</a>'); }
  }
  if (_nCurrIndex < _nPageCount - 1) { html.push('<a href="' + pageUrl(_nCurrIndex + 1) + '">下一页</a>'); }
  html.push('<a href="' + pageUrl(_nPageCount - 1) + '">尾页</a>');
  document.write('<div class="page-trs">' + html.join(" ") + '</div>');
}
"""

# ---------------------------------------------------------------------------------------------------
# Images: a tiny deterministic PNG encoder (fixed-Huffman deflate with run-length matches)
# ---------------------------------------------------------------------------------------------------

_LEN_BASE = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    13,
    15,
    17,
    19,
    23,
    27,
    31,
    35,
    43,
    51,
    59,
    67,
    83,
    99,
    115,
    131,
    163,
    195,
    227,
    258,
)
_LEN_EXTRA = (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0)


class _Bits:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value: int, count: int) -> None:
        self.acc |= value << self.n
        self.n += count
        while self.n >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.n -= 8

    def code(self, code: int, length: int) -> None:
        self.put(int(format(code, f"0{length}b")[::-1], 2), length)

    def symbol(self, v: int) -> None:
        if v < 144:
            self.code(0x30 + v, 8)
        elif v < 256:
            self.code(0x190 + v - 144, 9)
        elif v < 280:
            self.code(v - 256, 7)
        else:
            self.code(0xC0 + v - 280, 8)

    def finish(self) -> bytes:
        if self.n:
            self.out.append(self.acc & 0xFF)
        return bytes(self.out)


def zlib_rle(data: bytes) -> bytes:
    """A zlib stream of `data` whose bytes depend on nothing but `data` (unlike zlib.compress)."""
    w = _Bits()
    w.put(1, 1)  # final block
    w.put(1, 2)  # fixed Huffman codes
    i, n = 0, len(data)
    while i < n:
        byte = data[i]
        w.symbol(byte)
        i += 1
        while True:
            run = 0
            while i + run < n and data[i + run] == byte and run < 258:
                run += 1
            if run < 3:
                break
            j = max(k for k, base in enumerate(_LEN_BASE) if base <= run)
            w.symbol(257 + j)
            w.put(run - _LEN_BASE[j], _LEN_EXTRA[j])
            w.code(0, 5)  # distance code 0: distance 1
            i += run
    w.symbol(256)
    return b"\x78\x01" + w.finish() + struct.pack(">I", zlib.adler32(data))


def png(width: int, height: int, rows: Sequence[bytes], *, rgb: bool = False) -> bytes:
    """Encode 8-bit grey (or RGB) rows as PNG, using the Up filter so repeated rows become zero runs."""
    bpp = 3 if rgb else 1
    raw = bytearray()
    prev = bytes(width * bpp)
    for y, row in enumerate(rows):
        if y == 0:
            raw += b"\x00" + row
        else:
            raw += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(row, prev, strict=True))
        prev = row
    data = zlib_rle(bytes(raw))
    assert zlib.decompress(data) == bytes(raw)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2 if rgb else 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _bits_of(seed: str) -> Iterable[int]:
    counter = 0
    while True:
        for byte in hashlib.sha256(f"{seed}:{counter}".encode()).digest():
            for k in range(8):
                yield (byte >> k) & 1
        counter += 1


def qr_like(seed: str, modules: int = 25, scale: int = 3, quiet: int = 4) -> bytes:
    """A QR-code look-alike (finder squares and noise); it decodes to nothing, as placeholders should."""
    bits = _bits_of(seed)
    grid = [[next(bits) for _ in range(modules)] for _ in range(modules)]
    for ox, oy in ((0, 0), (modules - 7, 0), (0, modules - 7)):
        for y in range(7):
            for x in range(7):
                edge = x in (0, 6) or y in (0, 6)
                core = 2 <= x <= 4 and 2 <= y <= 4
                grid[oy + y][ox + x] = 1 if edge or core else 0
    size = (modules + 2 * quiet) * scale
    rows = []
    for py in range(size):
        my = py // scale - quiet
        row = bytearray(b"\xff" * size)
        if 0 <= my < modules:
            for px in range(size):
                mx = px // scale - quiet
                if 0 <= mx < modules and grid[my][mx]:
                    row[px] = 0
        rows.append(bytes(row))
    return png(size, size, rows)


def emblem(
    width: int, height: int, fg: tuple[int, int, int], bg: tuple[int, int, int], *, round_: bool
) -> bytes:
    rows = []
    cx, cy, r2 = width / 2, height / 2, (min(width, height) / 2 - 2) ** 2
    for y in range(height):
        row = bytearray()
        for x in range(width):
            inside = (
                (x - cx) ** 2 + (y - cy) ** 2 <= r2 if round_ else 3 <= y < height - 3 and 3 <= x < width - 3
            )
            stripe = abs(y - cy) < height / 10
            row += bytes(bg if not inside or stripe else fg)
        rows.append(bytes(row))
    return png(width, height, rows, rgb=True)


def images() -> dict[str, bytes]:
    files = {
        "/images/logo.png": emblem(64, 64, (214, 168, 56), (184, 0, 31), round_=True),
        "/images/gongan.png": emblem(20, 20, (40, 80, 160), (255, 255, 255), round_=True),
        "/images/dzjg.png": emblem(110, 55, (200, 16, 32), (255, 255, 255), round_=False),
        "/images/jiucuo.png": emblem(110, 55, (32, 96, 176), (255, 255, 255), round_=False),
    }
    for name in ("qr_wechat", "qr_weibo", "qr_app", "qr_page"):
        files[f"/images/{name}.png"] = qr_like(name)
    return files


# ---------------------------------------------------------------------------------------------------
# The whole site and its ground truth
# ---------------------------------------------------------------------------------------------------


def _check_report_text(r: ReportPage, html: str) -> None:
    """Refuse prose that would make the furniture test meaningless or that the page's codec cannot carry."""
    body = report_body(r)
    for word in FURNITURE:
        if word in body:
            raise ValueError(f"{r.title}: furniture string {word!r} inside the report body")
    if r.encoding == "gbk":
        html.encode("gbk")  # raises on a character GBK lacks


def site_files() -> tuple[dict[str, bytes], dict[str, Any]]:
    """All files of the site (path → bytes) and the expected.json document."""
    files: dict[str, bytes] = {}
    kinds: dict[str, str] = {}

    def put(path: str, html: str, kind: str, encoding: str = "utf-8") -> None:
        if path in files:
            raise ValueError(f"two pages at {path}")
        files[path] = html.encode(encoding)
        kinds[path] = kind

    expected_reports = []
    failures = []
    for r in C.REPORTS:
        html = report_page(r)
        _check_report_text(r, html)
        put(r.path, html, "report", "gbk" if r.encoding == "gbk" else "utf-8")
        if r.image_pages:  # its pages' pictures: the page's own text fails, its pictures are read
            folder = posixpath.dirname(r.path)
            for name in scan_names(r):
                files[f"{folder}/{name}"] = (SCANS_DIR / name).read_bytes()
            failures.append(
                {"path": r.path, "title": r.title, "agency": r.agency, "year": r.year, "reason": "image"}
            )
        cells = report_cells(r)
        failed = failed_checks(r.fmt, cells)
        if sorted(failed) != sorted(r.expect_failed):
            raise ValueError(f"{r.title}: checks failing {failed}, content expects {list(r.expect_failed)}")
        expected_reports.append(
            {
                "path": r.path,
                "title": r.title,
                "agency": r.agency,
                "year": r.year,
                "published_on": _date(r.pub),
                "index_no": r.index_no,
                "format": r.fmt,
                "processing_fee_yuan": r.fee_yuan,
                "encoding": "gbk" if r.encoding == "gbk" else "utf-8",
                "markup": r.style,
                "spam": r.spam,
                "scanned": bool(r.image_pages),  # read by OCR: a cell may be null and listed unresolved
                "checks_failed": failed,
                "cells": {k: _json_number(v) for k, v in cells.items()},
            }
        )

    for a in C.LOOKALIKES + C.NEWS + C.REGULATIONS:
        put(a.path, article_page(a), a.kind)

    columns: dict[str, list[ListItem]] = {
        "/zwgk/zfxxgknb/index.html": _items((*C.REPORTS, C.MEETING_NEWS)),
        "/zwgk/czyjs/index.html": _items(a for a in C.LOOKALIKES if a.column_path == "/zwgk/czyjs/"),
        "/zwgk/fzzfjs/index.html": _items(a for a in C.LOOKALIKES if a.column_path == "/zwgk/fzzfjs/"),
        "/zwgk/zfxxgkzd/index.html": _items(C.REGULATIONS),
    }
    names = dict((href, label) for label, href in ZWGK_COLUMNS)
    for index, items in columns.items():
        for path, html in listing_pages(
            posixpath.dirname(index) + "/", names[index], items, zwgk=True
        ).items():
            put(path, html, "listing")
    for path, html in listing_pages("/xwzx/", "新闻中心", _items(C.NEWS), zwgk=False).items():
        put(path, html, "listing")
    guide = next(a for a in C.LOOKALIKES if a.kind == "guide")
    columns[guide.path] = _items([guide])

    put("/index.html", home_page(), "home")
    put("/zwgk/index.html", zwgk_page(columns), "column")
    put("/zwgk/fdzdgknr/index.html", fdzdgknr_page(), "column")
    sitemap_columns = [
        ("首页", "/index.html"),
        ("政务公开", "/zwgk/index.html"),
        *ZWGK_COLUMNS,
        ("新闻中心", "/xwzx/index.html"),
        ("办事服务", "/bsfw/index.html"),
        ("政民互动", "/zmhd/index.html"),
        ("联系我们", "/lxwm/index.html"),
    ]
    put("/wzdt/index.html", sitemap_page(sitemap_columns), "other")
    put("/lxwm/index.html", contact_page(), "other")
    put("/bsfw/index.html", services_page(), "other")
    put("/zmhd/index.html", interaction_page(), "other")
    put("/404.html", not_found_page(), "error")
    files["/robots.txt"] = ROBOTS.encode()
    files["/css/common.css"] = CSS.encode()
    files["/js/common.js"] = JS.encode()
    files.update(images())

    expected = {
        "site": {
            "name": C.SITE_NAME,
            "fictional": True,
            "domain": C.SITE_DOMAIN,
            "site_id_code": C.SITE_ID_CODE,
            "start": "/index.html",
            "report_column": "/zwgk/zfxxgknb/index.html",
            "report_column_pages": sorted(p for p in kinds if p.startswith("/zwgk/zfxxgknb/index")),
            "disallowed": ["/search/"],
        },
        "reports": expected_reports,
        "failures": failures,
        "not_reports": [a.path for a in C.LOOKALIKES if a.lookalike],
        "lookalikes": [
            {"path": a.path, "title": a.title, "kind": a.kind} for a in C.LOOKALIKES if a.lookalike
        ],
        "furniture": list(FURNITURE),
        "spam": [t for _h, t in C.SPAM_OFFSCREEN + C.SPAM_HIDDEN],
        "pages": [{"path": p, "kind": kinds[p]} for p in sorted(kinds)],
    }
    return files, expected


def expected_json(expected: dict[str, Any]) -> bytes:
    return (json.dumps(expected, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def build(site_dir: Path = SITE_DIR, expected_path: Path = EXPECTED_PATH) -> None:
    """Write the site into `site_dir` (replacing it) and the ground truth into `expected_path`."""
    files, expected = site_files()
    if site_dir.exists():
        shutil.rmtree(site_dir)
    for path, data in sorted(files.items()):
        target = site_dir / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    expected_path.parent.mkdir(parents=True, exist_ok=True)
    expected_path.write_bytes(expected_json(expected))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, help="write the site here instead of the package's site/ directory"
    )
    parser.add_argument("--expected", type=Path, help="write expected.json here (default: next to the site)")
    args = parser.parse_args(argv)
    site_dir = args.out or SITE_DIR
    expected_path = args.expected or (
        EXPECTED_PATH if args.out is None else args.out.parent / "expected.json"
    )
    build(site_dir, expected_path)
    print(f"wrote {site_dir} and {expected_path}")


if __name__ == "__main__":
    main()
