"""The Datasette plugin of the browse database: its search, and links to the archived captures.

Registered by `archive.browse.site.make_datasette` (not through an entry point, so the search
cannot silently be missing); it acts on the database named `browse` only.

- `escape_fts()` is the SQL function Datasette's table search (`?_search=`) wraps the user's query
  in; on the browse database it becomes `archive.browse.search.fts_query`, which asks the Han-bigram
  index for the query as a substring. It must run after Datasette's own `prepare_connection`, which
  defines the default: hence `trylast`.
- An `archive` cell (`/replay/<timestamp>/<url>`) becomes a link to that capture in the replay of
  `nianbao serve`, at the `replay_base` this plugin is configured with.
- The column descriptions (the wide table has one per cell key, some 250) are shown in a box of a
  few lines that scrolls, instead of pushing the table a dozen screens down.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from markupsafe import Markup, escape

from archive.browse.search import fts_query

DATABASE = "browse"
PLUGIN = "nianbao-browse"
DEFAULT_REPLAY_BASE = "http://127.0.0.1:8080"
CSS = (
    "body.db-browse dl.column-descriptions{max-height:11em;overflow-y:auto;border:1px solid #ddd;"
    "padding:.3em .6em;margin:.5em 0 1em}"
)


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    if database == DATABASE:
        conn.create_function("escape_fts", 1, fts_query, deterministic=True)


@hookimpl
def render_cell(value: Any, column: str, database: str, datasette: Any) -> Markup | None:
    if database != DATABASE or column != "archive" or not isinstance(value, str):
        return None
    if not value.startswith("/replay/"):
        return None
    config = datasette.plugin_config(PLUGIN) or {}
    base = str(config.get("replay_base", DEFAULT_REPLAY_BASE)).rstrip("/")
    stamp = value.split("/", 3)[2]
    return Markup(f'<a href="{escape(base + value)}">{escape("存档 " + stamp)}</a>')


@hookimpl
def extra_css_urls(database: str | None) -> list[str]:
    return [f"data:text/css,{quote(CSS)}"] if database == DATABASE else []
