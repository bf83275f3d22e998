"""Hostile fixtures: documents and a portal that attack the crawl instead of feeding it.

`documents` builds the bytes (decompression bombs, PDFs with absurd page trees, HTML nested past
libxml2's depth limit, UTF-16 without a BOM, ...); `portal` serves them, and fetches that fail
(timeouts, cut connections, endless 503/429, TLS and DNS failures), behind report links on a
loopback server. Nothing here imports the crawler: the fixtures are written from the spec.
"""
