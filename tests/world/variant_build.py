"""Pieces the variant portals share (broken_column, browser_only, gkmlpt_noconfig, hanweb_plain,
jsonapi_cms, trs_jspager): each is one `__init__.py` that builds its site in memory from items
whose reports come from `tests/reportgen.py`, and serves it from a temporary directory.

- `generated(seed)`: the report generated from a seed (cached);
- `GeneratedItem`: an item of a column, either a generated report (`seed`) or a page with a given
  title, date and body; a portal's subclass names its `agency` and gives its `path`;
- `generated_article()`: a generated report's page dressed in a portal's furniture;
- `Furniture`: a portal's header, footer, main wrapper and 当前位置 breadcrumb, around its pages'
  content and its generated reports;
- `expected_for()`: `expected` from the report and look-alike items;
- `static_files()`, `JQUERY`, `serve_site()` and `RoutedHandler`: the site's files and its server.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import KW_ONLY, dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

from archive.report import json_number
from nianbao.sample_portal.server import PortalHandler, serve
from tests.reportgen import Generated, generate
from tests.world.common_build import write_site

HERE = Path(__file__).resolve().parent

# The site-specific jQuery subset (ready, html, each, ajax, …) that pages of several portals load,
# each portal at its own URL path: one file, so a browser runs them without any network.
JQUERY = (HERE / "static" / "jquery.min.js").read_bytes()

# The generated report's title suffix, replaced by the portal's own.
GENERATED_SITE_SUFFIX = "_某某市人民政府门户网站"


@cache
def generated(seed: int) -> Generated:
    """The HTML report `tests/reportgen.py` generates from `seed`."""
    return generate(random.Random(seed), "html")


@dataclass(frozen=True)
class GeneratedItem:
    """An item of a column: a generated report (`seed`) or a page with `title_`, `date_` and `body`.

    A report's title is the generated one with its agency replaced by the portal's `agency`; its
    date is the report's publication date. Subclasses set `agency`, give `path` (the way their CMS
    names articles) and may add fields (positional after `id`, or keyword ones with defaults).
    """

    agency: ClassVar[str]

    id: int
    _: KW_ONLY
    seed: int | None = None
    title_: str = ""
    date_: str = ""
    body: str = ""

    @property
    def title(self) -> str:
        if self.seed is None:
            return self.title_
        g = generated(self.seed)
        return (g.expected.title or "").replace(g.expected.agency, self.agency)

    @property
    def date(self) -> str:
        return self.date_ if self.seed is None else generated(self.seed).expected.published_on

    @property
    def path(self) -> str:
        raise NotImplementedError


def newest_first(items: Iterable[GeneratedItem]) -> tuple[GeneratedItem, ...]:
    """`items` the way a column lists them: newest first, the higher id first on the same day."""
    return tuple(sorted(items, key=lambda i: (i.date, i.id), reverse=True))


def generated_article(
    item: GeneratedItem,
    *,
    body_top: str,
    foot: str,
    closing: str = "</div></div>",
    editor: str | None = None,
    head: str = "",
    title_sep: str = "_",
) -> str:
    """A generated report's page in a portal's furniture.

    The report's agency becomes the item's; its title suffix becomes `{title_sep}{agency}`.
    `head` goes before `</head>`, `body_top` (header, crumbs, metadata) right after `<body>`,
    `editor` replaces the body's `<div class="TRS_Editor">`, `closing` replaces the `</div>` that
    ends the body (closing what `body_top` opened), and `foot` goes before `</body>`.
    """
    if item.seed is None:
        raise ValueError(f"item {item.id} is not a generated report")
    g = generated(item.seed)
    html = g.text.replace(GENERATED_SITE_SUFFIX, f"{title_sep}{item.agency}").replace(
        g.expected.agency, item.agency
    )
    if head:
        html = html.replace("</head>", head + "\n</head>", 1)
    html = html.replace("<body>", "<body>\n" + body_top, 1)
    if editor is not None:
        html = html.replace('<div class="TRS_Editor">', editor, 1)
    html = html.replace("</div><div class='foot'>", closing + "<div class='foot'>", 1)
    return html.replace("</body>", foot + "\n</body>", 1)


@dataclass(frozen=True)
class Furniture:
    """What surrounds every page of a portal: `top` (header and navigation), the main wrapper
    `<div class="{wrap}">` opening with the breadcrumb `<div class="{crumb}">当前位置：首页 &gt; …`
    (首页 linking to `home`), and `foot`."""

    top: str
    foot: str
    wrap: str
    crumb: str
    home: str = "/index.html"

    def breadcrumb(self, crumbs: str) -> str:
        return f'<div class="{self.crumb}">当前位置：<a href="{self.home}">首页</a> &gt; {crumbs}</div>'

    def page(self, head: str, crumbs: str, main: str, tail: str = "") -> str:
        """A page: `head` (the document up to `</head>`), the furniture around `main`, then `tail`
        (scripts) before `</body>`."""
        return f"""{head}
<body>
{self.top}
<div class="{self.wrap}">
{self.breadcrumb(crumbs)}
{main}
</div>
{self.foot}
{tail}</body>
</html>
"""

    def article(self, item: GeneratedItem, crumbs: str, after_crumbs: str = "", **dress: str) -> str:
        """`item`'s generated report in this furniture, `after_crumbs` (a metadata block) between the
        breadcrumb and the report; `dress` as for `generated_article` (`closing`, `editor`, …)."""
        top = f'{self.top}\n<div class="{self.wrap}">{self.breadcrumb(crumbs)}'
        if after_crumbs:
            top += "\n" + after_crumbs
        return generated_article(item, body_top=top, foot=self.foot, **dress)


def expected_for(
    reports: Iterable[GeneratedItem], lookalikes: Iterable[GeneratedItem], **extra: object
) -> dict[str, object]:
    """`expected` for generated HTML `reports` (with every cell) and `lookalikes` that must not be
    stored, no failures; `extra` adds keys such as `may_render` and `column_empty`."""
    entries = []
    for item in reports:
        if item.seed is None:
            raise ValueError(f"item {item.id} is not a generated report")
        exp = generated(item.seed).expected
        entries.append({"path": item.path, "title": item.title, "agency": item.agency, "year": exp.year, "kind": "html",
                        "cells": {k: json_number(v) for k, v in exp.cells.items()}})  # fmt: skip
    return {"reports": entries, "not_reports": [i.path for i in lookalikes], "failures": [], **extra}


def static_files(root: Path) -> dict[str, bytes]:
    """Every file below `root` (a portal's committed `site/`), by its path relative to `root`."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@contextmanager
def serve_site(
    prefix: str,
    files: Callable[[], Mapping[str, bytes]],
    handler: type[BaseHTTPRequestHandler] | None = None,
) -> Iterator[str]:
    """Write `files()` to a temporary directory (named with `prefix`) and serve it with `handler`
    (`PortalHandler` if None); yields the base URL."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        root = Path(tmp) / "site"
        write_site(root, files())
        with serve(root, handler=handler) as base:
            yield base


class RoutedHandler(PortalHandler):
    """Static files, except where `_dynamic()` answers a GET or HEAD itself (returning True) or
    rewrites `self.path` to the file that answers it."""

    def do_GET(self) -> None:
        if not self._dynamic():
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._dynamic():
            super().do_HEAD()

    def _dynamic(self) -> bool:
        return False
