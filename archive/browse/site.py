"""Serve browse.sqlite with Datasette: the project's metadata, the search plugin, 127.0.0.1 only.

The metadata is `settings/datasette.json` (titles, column descriptions, facets, canned queries, the
FTS table), completed here with what code already knows rather than a second copy of it: each cell
column's Chinese label (`archive.browse.labels`) and where the replay of `nianbao serve` answers.

Datasette runs in this process, with the plugin registered explicitly, so the search that reads
Chinese cannot be missing; the database is opened immutable (it is only ever replaced whole).
"""

from __future__ import annotations

import copy
import json
import socket
from functools import cache
from pathlib import Path
from typing import Any

import settings
from archive.browse import plugin
from archive.browse.labels import cell_keys
from archive.browse.plugin import DATABASE, DEFAULT_REPLAY_BASE, PLUGIN

METADATA_FILE = Path(settings.__file__).with_name("datasette.json")
HOST = "127.0.0.1"  # never another interface: the archive may hold what a portal took down
SETTINGS = {
    "suggest_facets": False,  # one query per column of a ~250-column table, on every page: seconds
    "default_page_size": 50,
    "facet_time_limit_ms": 1000,
    "sql_time_limit_ms": 5000,
    "max_returned_rows": 5000,
}


class ServeError(RuntimeError):
    """Datasette cannot be started (the port is taken); the message says why."""


@cache
def _shipped_metadata() -> dict[str, Any]:
    return json.loads(METADATA_FILE.read_text(encoding="utf-8"))


def browse_metadata(replay_base: str = DEFAULT_REPLAY_BASE) -> dict[str, Any]:
    """The shipped metadata plus each cell column's label and the plugin's replay address."""
    metadata = copy.deepcopy(_shipped_metadata())
    tables = metadata["databases"][DATABASE]["tables"]
    columns = tables["reports"].setdefault("columns", {})
    for key, label in cell_keys().items():
        columns.setdefault(key, f"{label.section} · {label.label}")
    metadata.setdefault("plugins", {})[PLUGIN] = {"replay_base": replay_base}
    return metadata


def make_datasette(path: Path, *, replay_base: str = DEFAULT_REPLAY_BASE) -> Any:
    """A Datasette instance on the browse file (its name must be browse.sqlite: the plugin and the
    metadata address the database `browse`)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    if Path(path).stem != DATABASE:
        raise ValueError(f"the browse database must be named {DATABASE}.sqlite, not {Path(path).name}")
    if not pm.is_registered(plugin):
        pm.register(plugin, name=PLUGIN)
    return Datasette(immutables=[str(path)], metadata=browse_metadata(replay_base), settings=SETTINGS)


def serve(path: Path, *, port: int, replay_base: str = DEFAULT_REPLAY_BASE, announce: Any = print) -> int:
    """Serve until interrupted (Ctrl-C); raises `ServeError` when the port is taken."""
    import asyncio

    import uvicorn

    _check_port(port)
    datasette = make_datasette(path, replay_base=replay_base)
    asyncio.run(datasette.invoke_startup())
    announce(
        f"Datasette on http://{HOST}:{port}/{DATABASE} — reports: /{DATABASE}/reports, "
        f"search: /{DATABASE}/search?q=复议, findings: /{DATABASE}/findings (Ctrl-C stops it)"
    )
    uvicorn.run(datasette.app(), host=HOST, port=port, log_level="warning", lifespan="on", workers=1)
    return 0


def _check_port(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as err:
            raise ServeError(f"cannot serve on {HOST}:{port}: {err.strerror}") from err
