"""`nianbao serve`: the audit page and a replay of the archive, in the browser, from one small server.

An auditor reads the audit and wants to see the report "exactly as captured, with its date". The
static `audit.html` can only point at a WARC file and offset, which no browser opens; this server
renders the same page with each "archived" link pointing at `/replay/<timestamp>/<url>`, and answers
that address from the WARC files: the capture of `url` closest to `timestamp`, its status, content
type and body (decoded from its content encoding), a revisit replaced by the record it refers to.

One job a module: `lookup` (which record answers a URL at a time), `rewrite` (links of a replayed
HTML page kept inside the replay, and the "Archived by nianbao" banner), `server` (the stdlib
`ThreadingHTTPServer` that routes `/` and `/replay/…`). The address form is the one pywb and
`nianbao datasette` use, so their links land here.
"""

from __future__ import annotations

from archive.serve.lookup import Archive, Replayed, parse_timestamp, timestamp_of
from archive.serve.server import ServeError, make_server, serve

__all__ = [
    "Archive",
    "Replayed",
    "ServeError",
    "make_server",
    "parse_timestamp",
    "serve",
    "timestamp_of",
]
