"""The fixture world: several small portals, one per CMS platform and hard case, each served on its
own 127.0.0.1 port, crawled together by `tests/test_world.py`.

A portal is a package `tests/world/<name>/` whose `__init__.py` defines

    PORTAL = WorldPortal(name=..., platform=..., serve=..., expected=...)

- `serve()` is a context manager yielding the portal's base URL (`http://127.0.0.1:PORT/`); most
  portals reuse `nianbao.sample_portal.server` (static files from the package's `site/`, with
  `PortalHandler` subclassed for dynamic routes such as paging proxies and JSON APIs);
- `start` is the path the crawl starts from (the portal's home page unless a real user would be
  given a column URL);
- `expected` lists, by URL path: `reports` (each `{"path", "title", "agency", "year", "kind"}` plus
  optionally `"cells"` with the values a correct parse gives, and `"page"` for an attachment's
  article page), `not_reports` (look-alikes that must not be stored), `failures` (report pages
  that cannot be parsed, `{"path", "reason"}` with a keyword of the reason), `rendered` (pages
  only a browser can list: the crawl must use the browser for these), `may_render` (pages a
  browser may read, when the crawl cannot read their list otherwise; no other page may be
  rendered), and `column_empty` (report columns nothing can read: exactly these are findings).

`crawl_portal()` runs the real CLI (`nianbao crawl`, then `nianbao export`) against one served portal,
for the per-platform end-to-end tests; `site_bytes()` reads a built site for comparison with the
committed one.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]


@dataclass(frozen=True)
class WorldPortal:
    name: str
    platform: str
    serve: Callable[[], AbstractContextManager[str]]
    expected: dict[str, Any] = field(default_factory=dict)
    start: str = "/"


def all_portals() -> list[WorldPortal]:
    """Every portal package under tests/world, by name."""
    portals = []
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if info.ispkg:
            module = importlib.import_module(f"tests.world.{info.name}")
            portals.append(module.PORTAL)
    return portals


def site_bytes(root: Path) -> dict[Path, bytes]:
    """Every file below `root`, by its path relative to `root`."""
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def nianbao(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a subprocess; fails the test, with the tail of stderr, unless it exits 0."""
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"nianbao {' '.join(args)} failed:\n{proc.stderr[-4000:]}"
    return proc


def crawl_portal(portal: WorldPortal, data: Path, *, timeout: float = 600) -> list[dict]:
    """Serve `portal`, crawl it from its start page into `data` and return the exported records.

    `timeout` bounds the crawl; the export gets 120 seconds.
    """
    with portal.serve() as base:
        nianbao("crawl", base.rstrip("/") + portal.start, "--data", str(data), *FAST, timeout=timeout)
    export = nianbao("export", "--data", str(data), timeout=120)
    return [json.loads(line) for line in export.stdout.splitlines()]
