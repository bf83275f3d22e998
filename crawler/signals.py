"""nianbao's own Scrapy signals, connecting the archive writer to its neighbours."""

# Sent by WarcArchiver after each record is flushed to disk: record_archived(ref: RecordRef).
# The ingest extension listens, so the store sees exactly the records an offline reparse will.
record_archived = object()

# Sent by the spider's browser page handler for each network response the browser received:
# browser_exchange(exchange: HttpExchange). WarcArchiver writes it as a response record.
browser_exchange = object()
