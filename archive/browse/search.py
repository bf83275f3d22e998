"""Chinese full-text search on SQLite FTS5 without a Chinese tokenizer: Han characters as bigrams.

FTS5's `unicode61` tokenizer keeps a run of Han characters as one token, so `复议` would only find a
document whose text has the word `复议` standing alone between punctuation. The `trigram` tokenizer
(SQLite ≥ 3.34) finds substrings, but never one of fewer than three characters, and `复议` is two;
jieba segments by a dictionary, so it finds `复议` inside `行政复议` but not `信息处理费` or any
name it does not know, and costs a 40 MB dependency and 3 s of dictionary loading. Both were
measured against the stored reports before this was chosen.

Here the indexed text has every Han run rewritten as its overlapping bigrams plus its last character
(`行政复议` → `行政 政复 复议 议`), and a query is rewritten the same way into an FTS5 phrase
(`复议` → `"复议"`, `行政复议` → `"行政 政复 复议"`, `复` → `"复"*`). A phrase's tokens must be
consecutive, so a query of any length finds exactly the documents holding its Han characters in that
order, as a substring would; the last character stands alone so a one-character query and a query
that ends where a run ends (before punctuation, a digit or a Latin word) can be told. Everything that
is not Han is left to `unicode61` (words, case-insensitive); punctuation separates runs. Both sides
are NFKC-normalised first (full-width digits and letters, compatibility ideographs).

`fts_query` is also what `escape_fts()` means on the browse database (archive.browse.plugin), so
Datasette's own search box (`?_search=`) asks the index the same way as the canned search query.
"""

from __future__ import annotations

import re
import unicodedata

_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_HAN}]+")
# Datasette's own term splitting (datasette.utils.escape_fts): whitespace, or a "quoted phrase".
_TERMS = re.compile(r'\s+|(".*?")')
NO_MATCH = '""'  # an empty phrase: FTS5 matches nothing, and raises no syntax error


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str | None) -> str:
    """`text` as the FTS column holds it: each Han run as its bigrams and its last character."""
    if not text:
        return ""
    normalized = unicodedata.normalize("NFKC", text)
    return _HAN_RUN.sub(lambda m: " " + " ".join([*_bigrams(m.group()), m.group()[-1]]) + " ", normalized)


def _is_token_char(char: str) -> bool:
    """What unicode61 keeps in a token (letters, numbers, private use); the rest separates."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def _phrase(term: str) -> str | None:
    """One query term as an FTS5 phrase over the index's tokens, or None when it holds no token."""
    pieces: list[tuple[bool, str]] = []  # (is Han, text)
    position = 0
    for m in _HAN_RUN.finditer(term):
        if m.start() > position:
            pieces.append((False, term[position : m.start()]))
        pieces.append((True, m.group()))
        position = m.end()
    if position < len(term):
        pieces.append((False, term[position:]))
    # Punctuation at either end of a term separates nothing: drop it.
    while pieces and not pieces[0][0] and not any(map(_is_token_char, pieces[0][1])):
        pieces.pop(0)
    while pieces and not pieces[-1][0] and not any(map(_is_token_char, pieces[-1][1])):
        pieces.pop()
    words: list[str] = []
    prefix = False
    for i, (han, text) in enumerate(pieces):
        last = i == len(pieces) - 1
        if not han:
            words.append(text)
        elif len(text) == 1:
            words.append(text)  # the first character of a bigram, or a run's last character
            prefix = last
        else:
            words += _bigrams(text)
            if not last:
                words.append(text[-1])  # something follows: the run ends here in the document too
    if not words:
        return None
    body = " ".join(words).replace('"', '""')
    return f'"{body}"' + ("*" if prefix else "")


def fts_query(query: str | None) -> str:
    """A user's search (words, "quoted phrases") as an FTS5 query on `index_text`-ed columns.

    Terms are split as Datasette splits them and all must match (AND); each term is a phrase. A
    query with nothing searchable (empty, punctuation only) matches nothing.
    """
    if not query:
        return NO_MATCH
    query = unicodedata.normalize("NFKC", query)
    if query.count('"') % 2:
        query += '"'
    phrases = []
    for term in _TERMS.split(query):
        if term and term != '""':
            phrase = _phrase(term.strip('"'))
            if phrase is not None:
                phrases.append(phrase)
    return " ".join(phrases) if phrases else NO_MATCH
