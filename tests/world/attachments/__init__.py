"""A portal that publishes its reports as attachments, as many county and department sites do.

- Article pages whose body is only 「附件：…年度报告.pdf」 (or .docx): the page and its attachment are
  one report, titled and dated by the page.
- A listing item that links a PDF directly, its anchor text the only title.
- A 图片版 report whose PDF is scanned images only: recorded as found, with the reason.
- The real PDF reports of `shared/real` (when present) served as attachments: they must parse to
  their gold files.
- Look-alikes: a 部门预算 page with a PDF, which must not be followed or stored.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path

from PIL import Image

from nianbao.sample_portal.server import PortalHandler, serve
from tests.world import WorldPortal

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parents[1] / "fixtures" / "documents"
SHARED = Path(os.environ.get("NIANBAO_SHARED") or HERE.parents[3] / "shared")
COLUMN = "/xxgk/gknb"


def _page(title: str, body: str, date: str | None = None) -> bytes:
    meta = f'<meta name="PubDate" content="{date} 09:00">' if date else ""
    info = (f'<table class="xxgk-info"><tr><td>发布机构：</td><td>溪口县人民政府办公室</td>'
            f"<td>发布日期：</td><td>{date}</td></tr></table>") if date else ""  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}_溪口县人民政府</title>{meta}</head>
<body>
<div class="top"><a href="/">首页</a> <a href="javascript:;">无障碍</a> <a href="javascript:;">关怀版</a></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="{COLUMN}/index.html">政府信息公开年报</a></div>
<h1>{escape(title)}</h1>{info}
<div id="zoom">{body}</div>
<div class="footer">网站标识码：3311280001　浙ICP备00000000号</div>
</body></html>""".encode()


def _image_only_pdf() -> bytes:
    """A scanned report: pages that are pictures, no text layer."""
    pages = [Image.new("RGB", (595, 842), (250, 250, 245)) for _ in range(2)]
    for page in pages:
        for y in range(80, 760, 24):
            page.paste((40, 40, 40), (60, y, 535, y + 10))
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=72)
    return buf.getvalue()


def _cells(cells: dict) -> dict:
    """Fixture files write amounts as strings (exact decimals); exports carry JSON numbers."""
    return {k: float(v) if isinstance(v, str) else v for k, v in cells.items()}


def _routes() -> tuple[dict[str, tuple[str, bytes]], dict]:
    routes: dict[str, tuple[str, bytes]] = {}
    reports, failures, items = [], [], []

    def article(
        path: str, title: str, date: str, attachment: str, name: str, kind: str, content: bytes
    ) -> None:
        body = (f"<p>{escape(title)}全文详见附件。</p>"
                f'<p>附件：<a href="{attachment}">{escape(name)}</a></p>')  # fmt: skip
        routes[path] = ("text/html; charset=utf-8", _page(title, body, date))
        routes[attachment] = (kind, content)
        items.append((path, title, date))

    fixture = json.loads((FIXTURES / "chromium_2021.expected.json").read_text(encoding="utf-8"))
    title = f"{fixture['agency']}{fixture['year']}年政府信息公开工作年度报告"
    attachment = f"{COLUMN}/202603/P020260321512345.pdf"
    article(f"{COLUMN}/202603/t20260321_1001.html", title, fixture["published_on"], attachment,
            f"{title}.pdf", "application/pdf", (FIXTURES / "chromium_2021.pdf").read_bytes())  # fmt: skip
    reports.append({"path": attachment, "title": title, "agency": fixture["agency"], "year": fixture["year"],
                    "kind": "pdf", "cells": _cells(fixture["cells"])})  # fmt: skip

    fixture = json.loads((FIXTURES / "libreoffice_2019.expected.json").read_text(encoding="utf-8"))
    title = f"{fixture['agency']}{fixture['year']}年政府信息公开工作年度报告"
    direct = f"{COLUMN}/files/{fixture['year']}nb.pdf"  # linked straight from the listing
    routes[direct] = ("application/pdf", (FIXTURES / "libreoffice_2019.pdf").read_bytes())
    items.append((direct, title, fixture["published_on"]))
    reports.append({"path": direct, "title": title, "agency": fixture["agency"], "year": fixture["year"],
                    "kind": "pdf", "cells": _cells(fixture["cells"])})  # fmt: skip

    scanned = f"{COLUMN}/202202/P020220218000001.pdf"
    article(f"{COLUMN}/202202/t20220218_0903.html", "溪口县农业农村局2021年政府信息公开工作年度报告（图片版）",
            "2022-01-18", scanned, "年度报告（扫描件）.pdf", "application/pdf", _image_only_pdf())  # fmt: skip
    failures.append({"path": scanned, "reason": "image-only"})

    for gold_path in sorted((SHARED / "real").glob("*.gold.json")) if (SHARED / "real").is_dir() else []:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pdf = gold_path.with_name(gold["file"])
        n = len(reports)
        attachment = f"{COLUMN}/real/P0{n:02d}.pdf"
        article(f"{COLUMN}/real/t_{n:02d}.html", gold["title"], "2025-02-25", attachment, gold["file"],
                "application/pdf", pdf.read_bytes())  # fmt: skip
        reports.append({"path": attachment, "title": gold["title"], "agency": gold["agency"], "year": gold["year"],
                        "kind": "pdf", "cells": _cells(gold["cells"])})  # fmt: skip

    lookalike = f"{COLUMN}/202402/t20240206_0801.html"
    routes[lookalike] = ("text/html; charset=utf-8", _page("溪口县教育局2024年部门预算", '<p>附件：<a href="/ys/2024ys.pdf">2024年部门预算.pdf</a></p>', "2024-02-06"))  # fmt: skip
    routes["/ys/2024ys.pdf"] = ("application/pdf", _image_only_pdf())
    items.append((lookalike, "溪口县教育局2024年部门预算", "2024-02-06"))

    lis = "".join(
        f'<li><a href="{p}" title="{escape(t)}">{escape(t)}</a><span>{d}</span></li>' for p, t, d in items
    )
    routes[f"{COLUMN}/index.html"] = (
        "text/html; charset=utf-8",
        _page("政府信息公开年报", f'<ul class="list">{lis}</ul>'),
    )
    routes["/"] = (
        "text/html; charset=utf-8",
        _page("溪口县人民政府", f'<a href="{COLUMN}/index.html">政府信息公开年报</a>'),
    )
    expected = {
        "reports": reports,
        "not_reports": [lookalike, "/ys/2024ys.pdf"],
        "failures": failures,
        "rendered": [],
    }
    return routes, expected


ROUTES, EXPECTED = _routes()


class AttachmentsHandler(PortalHandler):
    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path in ROUTES:
            content_type, body = ROUTES[path]
            return self._send_simple(200, body, content_type)
        return self._not_found()


@contextmanager
def serve_portal() -> Iterator[str]:
    with serve(HERE, handler=AttachmentsHandler) as base:
        yield base


PORTAL = WorldPortal(name="attachments", platform="generic", serve=serve_portal, expected=EXPECTED)
