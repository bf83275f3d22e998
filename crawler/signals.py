"""nianbao's own Scrapy signals, connecting the archive writer to its neighbours."""

# Sent by WarcArchiver after each record is flushed to disk: record_archived(ref: RecordRef).
# The ingest extension listens, so the store sees exactly the records an offline reparse will.
record_archived = object()

# Sent by the spider's browser page handler for each network response the browser received:
# browser_exchange(exchange: HttpExchange). WarcArchiver writes it as a response record.
browser_exchange = object()

# Sent by the spider once it is done with a request: request_done(request, failed=None). `failed` is
# the reason when the request was given up on (retries exhausted, a download error). The frontier
# listens: until then the request is in flight, and a resumed crawl reads or fetches it again.
request_done = object()

# Sent by the spider when a fetch ended without a usable response: fetch_failed(request, reason,
# kind, status). WarcArchiver writes it as a metadata record, so the archive (and from it the store's
# `failures`) says that a report link was found but could not be read.
fetch_failed = object()

# Sent by whatever meets a full disk (ENOSPC from a WARC write, SQLite's "database or disk is full",
# too little free space for the next WARC file): disk_full(where, error). The crawl stops cleanly.
disk_full = object()

# Sent by the spider when a report column yielded nothing after every rung of the fallback chain:
# column_empty(url, reason, rungs, title). WarcArchiver keeps it as a metadata record, the store
# as a `column_empty` finding: reports not found there are "not found", not "missing".
column_empty = object()
