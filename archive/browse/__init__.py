"""Browse the store in Datasette (`nianbao datasette`): a derived SQLite file and its server.

- `build`: DATA/browse.sqlite from the store (export + audit), rebuilt when the store changed;
- `search`: Chinese full-text search on FTS5 (Han bigrams), for the index and the queries;
- `labels`: the Chinese label of every cell key, from the template's label text;
- `plugin`: the Datasette plugin (the search function, links to archived captures);
- `site`: the metadata (settings/datasette.json, completed) and the server on 127.0.0.1.
"""
