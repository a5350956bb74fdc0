"""Search: the query syntax, the in-memory index, type-ahead ranking and find-in-article, one module each.

Each user imports the module it needs, and nothing here imports the others: the command palette and the
tag dialogs (``reader.tui``) load :mod:`reader.search.typeahead` alone, without the index.

* :mod:`reader.search.text` — length-keeping case folding, the word pattern, span merging (shared).
* :mod:`reader.search.vocabulary` — how one typed word matches vocabulary words: its typo budget, the
  quality of a near or prefixed word, typo+prefix for a still-typed word (shared with ``reader.fulltext``).
* :mod:`reader.search.query` — the fzf-style query syntax: :func:`parse_query`, :class:`Query`,
  :class:`Term`, :class:`QueryError`.
* :mod:`reader.search.index` — :class:`SearchIndex` (vocabulary, postings, positional ranking) and its
  :class:`Hit` with a snippet.
* :mod:`reader.search.typeahead` — :func:`fuzzy_rank`, fzf-like ranking of short strings.
* :mod:`reader.search.find` — :func:`find_in_text`, every hit of a query in one (possibly huge) text.

Everything goes through rapidfuzz (no hand-written edit distance anywhere). Offsets everywhere are
``str`` indices (code points) into the original text: texts are lower-cased with :func:`text.fold`, which
keeps their length.
"""
