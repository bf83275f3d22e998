"""Serve a world portal's `site/` with the sample portal's server and a handler of the portal's own.

`nianbao.sample_portal.server.PortalServer` always builds its default `PortalHandler`; a world
portal with dynamic routes (a JSON API, a redirect, a mis-declared charset) swaps in a subclass.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nianbao.sample_portal.server import PortalHandler, PortalServer


@contextmanager
def serve_site(root: Path, handler: type[PortalHandler]) -> Iterator[str]:
    """Serve `root` with `handler` on a free 127.0.0.1 port; yields the base URL ending in '/'."""
    server = PortalServer(("127.0.0.1", 0), root)
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
