"""The persistent full-text index: SQLite FTS5 (stdlib ``sqlite3``) finds candidates, ``reader.search`` ranks.

File ``library-index.sqlite`` beside the database (a cache: deleted, truncated, corrupt or of another
version, it is rebuilt). Tables:

* ``fts`` (FTS5, columns ``title`` and ``body``, rowid = the catalogue's row number): the text itself,
  kept so that ranking never re-parses a file;
* ``docs``: row number -> the fingerprint indexed, so an update touches exactly the files whose
  fingerprint changed (edited, added, deleted, renamed = deleted + added);
* ``terms``: the vocabulary with document frequencies, copied from ``fts5vocab`` after each update, so
  a process loads it in milliseconds.

A query goes in two steps. Retrieval: each plain word is expanded through the vocabulary (rapidfuzz, the
OSA distance: one or two typos by word length; the last, still-typed word also as a prefix), and FTS5
returns (a) the articles holding the words as a phrase, for the combinations of the closest variants,
(b) the best ``bm25`` articles holding every word, (c) when those are few, the best holding any. Ranking:
the few hundred candidates are scored by :class:`reader.search.index.SearchIndex` (positions: consecutive query
words close together rank higher, title, variant quality, density), with term weights from the whole
corpus, which also gives the full query syntax (``'exact``, ``^prefix``, ``!not``, ``a | b``, fields) on
them. A query with no plain word (only ``'exact``, ``!x`` ...) has no candidates to narrow by: it runs on
an in-memory index of every text, built on first such query.

Writers take SQLite's write lock per batch (``BEGIN IMMEDIATE``) and re-check inside it what is
already indexed, so two processes indexing at once neither corrupt nor duplicate anything.
"""

from __future__ import annotations

import heapq
import itertools
import math
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Iterable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

from reader.catalogue import _remove_db_files, close_quietly, connect, write_meta
from reader.search.index import Hit, SearchIndex
from reader.search.query import parse_query
from reader.search.vocabulary import TYPO_PREFIX_BELOW, allowed_edits, typo_prefixed, typo_quality

__all__ = ["FullTextIndex", "INDEX_FILENAME", "INDEX_VERSION", "IndexBroken"]

INDEX_VERSION = 1
INDEX_FILENAME = "library-index.sqlite"
BATCH = 400
CANDIDATES = 100          # best bm25 articles reranked
PHRASE_CANDIDATES = 50
RANKED_POSTINGS = 4000    # bm25 ordering only over words in at most this many articles
REFINE = 60               # of which this many get the position scan
MAX_VARIANTS = 24         # per word, in the FTS5 query
PHRASE_COMBINATIONS = 48
PHRASE_POOL = 150         # articles holding a phrase of common words, of which the PHRASE_CANDIDATES
NEAR_WORDS = 6            # FTS5 NEAR distance for the query words in any order

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (num INTEGER PRIMARY KEY, id TEXT NOT NULL, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, body, tokenize="unicode61 remove_diacritics 0 tokenchars '_'");
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
"""


class IndexBroken(Exception):
    """The index file cannot be used; ``str()`` is one sentence. Rebuild it with ``FullTextIndex.reset``."""


class _Doc:
    __slots__ = ("id", "title", "text")

    def __init__(self, id: str, title: str, text: str) -> None:
        self.id, self.title, self.text = id, title, text


class FullTextIndex:
    def __init__(self, path: Path | str | None, *, readonly: bool = False) -> None:
        """``path`` None keeps the index in memory (a read-only place with no index folder)."""
        self.path = Path(path) if path is not None else None
        self.readonly = readonly
        self._lock = threading.RLock()
        self._vocab: list[str] | None = None
        self._df: dict[str, int] = {}
        self._by_len: dict[int, list[str]] = {}
        self._pools: dict[tuple[int, int], list[str]] = {}
        self._full: SearchIndex | None = None
        self._generation: str | None = None
        self.db = self._open()

    # ---- opening

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            db.executescript(_SCHEMA)
            self._set_meta(db)
            return db
        try:
            db = connect(self.path, readonly=self.readonly)
            if self._usable(db):
                return db
            db.close()
        except sqlite3.DatabaseError:
            pass
        if self.readonly:
            raise IndexBroken(f"the search index {self.path} is missing or of another version")
        return self.reset()

    def reset(self) -> sqlite3.Connection:
        """Delete the index file and start an empty one (it is a cache)."""
        with self._lock:
            try:
                self.db.close()
            except (AttributeError, sqlite3.Error):
                pass
            assert self.path is not None
            _remove_db_files(self.path)
            db = connect(self.path)
            db.executescript(_SCHEMA)
            self._set_meta(db)
            self.db = db
            self._vocab = None
            self._full = None
            return db

    def _usable(self, db: sqlite3.Connection) -> bool:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        if not tables and not self.readonly:
            db.executescript(_SCHEMA)
            self._set_meta(db)
            return True
        if not {"meta", "docs", "terms", "fts", "vocab"} <= tables:
            return False
        meta = dict(db.execute("SELECT key, value FROM meta"))
        return meta.get("version") == str(INDEX_VERSION)

    @staticmethod
    def _set_meta(db: sqlite3.Connection) -> None:
        write_meta(db, {"version": str(INDEX_VERSION), "generation": "0"})

    def close(self) -> None:
        close_quietly(self.db)

    # ---- updating

    def indexed(self) -> dict[int, tuple[str, str]]:
        """(id, fingerprint) indexed, by catalogue row number."""
        with self._lock:
            return {n: (i, f) for n, i, f in self.db.execute("SELECT num, id, fingerprint FROM docs")}

    def stale(self, articles: Sequence) -> tuple[list, list[int]]:
        """(articles to (re)index, row numbers to drop) for the catalogue's ``articles``."""
        have = self.indexed()
        wanted = {a.num: a for a in articles}
        todo = [a for a in articles if have.get(a.num) != (a.id, a.fingerprint)]
        drop = [n for n in have if n not in wanted]
        return todo, drop

    def update(self, articles: Sequence, progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> int:
        """Index exactly the articles whose fingerprint is not the one indexed; drop rows no longer listed.

        ``articles`` are the catalogue's (with ``num``, ``id``, ``fingerprint``, ``title``, ``text``).
        Returns how many articles were (re)indexed. Commits every ``BATCH`` articles, so an interrupted
        build keeps what it did.
        """
        try:
            return self._update(articles, progress, cancelled)
        except sqlite3.DatabaseError as exc:
            if self.readonly or self.path is None:
                raise IndexBroken(f"the search index cannot be updated: {exc}") from None
            self.reset()  # corrupt or truncated under us: start again from nothing
            return self._update(articles, progress, cancelled)

    def _update(self, articles, progress, cancelled) -> int:
        todo, drop = self.stale(articles)
        total = len(todo)
        if progress is not None:
            progress(0, total)
        if not todo and not drop:
            return 0
        done = 0
        with self._lock:
            if drop:
                self._write(lambda: self._drop(drop))
        for k in range(0, total, BATCH):
            if cancelled is not None and cancelled():
                break
            batch = todo[k:k + BATCH]
            rows = [(a.num, a.id, a.fingerprint, a.title or "", a.text) for a in batch]  # reads outside the lock
            with self._lock:
                self._write(lambda: self._insert(rows))
            done += len(batch)
            if progress is not None:
                progress(done, total)
        with self._lock:
            self._write(self._refresh_terms)
        return done

    def _write(self, operation: Callable[[], None]) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            operation()
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _drop(self, nums: Iterable[int]) -> None:
        db = self.db
        for n in nums:
            db.execute("DELETE FROM fts WHERE rowid = ?", (n,))
            db.execute("DELETE FROM docs WHERE num = ?", (n,))

    def _insert(self, rows: list[tuple]) -> None:
        db = self.db
        nums = [r[0] for r in rows]
        have = {}
        for k in range(0, len(nums), 500):
            part = nums[k:k + 500]
            have.update((n, (i, f)) for n, i, f in db.execute(
                f"SELECT num, id, fingerprint FROM docs WHERE num IN ({','.join('?' * len(part))})", part))
        for num, article_id, fingerprint, title, text in rows:
            if have.get(num) == (article_id, fingerprint):
                continue  # another process indexed it meanwhile
            if num in have:
                db.execute("DELETE FROM fts WHERE rowid = ?", (num,))
            db.execute("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", (num, title, text))
            db.execute("INSERT OR REPLACE INTO docs(num, id, fingerprint) VALUES (?, ?, ?)",
                       (num, article_id, fingerprint))

    def _refresh_terms(self) -> None:
        db = self.db
        db.execute("DELETE FROM terms")
        db.execute("INSERT INTO terms(term, df) SELECT term, doc FROM vocab")
        generation = int(db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0]) + 1
        db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))

    # ---- reading

    def __len__(self) -> int:
        with self._lock:
            return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def prepare(self) -> None:
        """Load the vocabulary now rather than on the first query (~20 ms at 10,000 articles, ~0.3 s at
        100,000: the first keystroke of a search should not pay it). A cache that cannot be read is left to
        the search, which says so and rebuilds it."""
        with self._lock:
            try:
                self._load_vocabulary()
            except sqlite3.DatabaseError:
                pass

    def _load_vocabulary(self) -> None:
        generation = self.db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0]
        if self._vocab is not None and generation == self._generation:
            return
        df = dict(self.db.execute("SELECT term, df FROM terms"))
        by_len: dict[int, list[str]] = {}
        for w in df:
            by_len.setdefault(len(w), []).append(w)
        self._vocab, self._df, self._by_len, self._generation = sorted(df), df, by_len, generation
        self._pools: dict[tuple[int, int], list[str]] = {}
        self._full = None

    def _variants(self, word: str, last: bool) -> dict[str, float]:
        """Vocabulary words for a typed word, with a quality 0..1 (1 = exactly the word)."""
        df = self._df
        out: dict[str, float] = {}
        if word in df:
            out[word] = 1.0
        edits = allowed_edits(word)  # a known three-letter word too: the index ranks its variants below it
        if edits:
            span = (len(word) - edits, len(word) + edits)
            pool = self._pools.get(span)
            if pool is None:  # the words of these lengths, once per vocabulary
                pool = self._pools[span] = [w for n in range(span[0], span[1] + 1) for w in self._by_len.get(n, ())]
            near = process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=None)
            near = heapq.nsmallest(MAX_VARIANTS, near, key=lambda c: (c[1], -df[c[0]]))
            for cand, dist, _ in near:
                out.setdefault(cand, typo_quality(word, int(dist)))
        if last:
            import bisect

            vocab = self._vocab or []
            lo = bisect.bisect_left(vocab, word)
            hi = bisect.bisect_left(vocab, word + "\U0010ffff")
            longer = heapq.nlargest(MAX_VARIANTS, (w for w in vocab[lo:hi] if w != word), key=df.__getitem__)
            for cand in longer:
                out.setdefault(cand, 0.55 + 0.35 * len(word) / len(cand))
            if word not in df and len(longer) < TYPO_PREFIX_BELOW:
                for cand, quality in typo_prefixed(word, vocab, df.__getitem__, MAX_VARIANTS):
                    out.setdefault(cand, quality)
        return out

    def search(self, query: str, *, limit: int = 50, annotations: Iterable[dict] = (),
               cancelled: Callable[[], bool] | None = None) -> list[Hit]:
        """The best ``limit`` articles (``reader.search`` syntax and scores); raises ``QueryError``."""
        parsed = parse_query(query)
        if parsed.empty or limit <= 0:
            return []
        try:
            with self._lock:
                self._load_vocabulary()
                soft = [t for g in parsed.groups if len(g) == 1 for t in g
                        if t.kind == "fuzzy" and t.field is None and not t.negate]
                annotations = list(annotations)
                only: set[str] | None = None
                if soft:
                    variants = [self._variants(t.words[0], t.last) for t in soft]
                    nums = self._candidates(variants, limit)
                    if all(t.kind == "fuzzy" and t.field is None for g in parsed.groups for t in g):
                        only = {w for v in variants for w in v}
                elif all(t.field in ("tag", "note", "quote") for g in parsed.groups for t in g if not t.negate):
                    wanted = {r.get("article") for r in annotations}
                    nums = [n for n, i in self.db.execute("SELECT num, id FROM docs") if i in wanted]
                else:
                    return self._full_index(annotations).search(query, limit=limit, cancelled=cancelled)
                if cancelled is not None and cancelled():
                    return []
                docs = self._docs(nums)
        except sqlite3.DatabaseError as exc:
            raise IndexBroken(f"the search index cannot be read ({exc}); it will be rebuilt") from None
        if not docs:
            return []
        index = SearchIndex.build(docs, annotations=annotations, only=only)
        index.global_df = (max(1, self._doc_count()), self._df_of)
        index.refine_min = REFINE
        return index.search(query, limit=limit, cancelled=cancelled)

    def _doc_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def _df_of(self, word: str) -> int:
        return self._df.get(word, 1)

    def _candidates(self, variants: list[dict[str, float]], limit: int) -> list[int]:
        """Row numbers worth ranking. ``bm25`` ordering reads a word's whole posting list, so it is asked
        only over the rarer words; a phrase of common words is taken in row order (the rerank sorts)."""
        groups = [dict(sorted(v.items(), key=lambda kv: -kv[1])[:MAX_VARIANTS]) for v in variants if v]
        if not groups:
            return []
        df = self._df
        cheap = min(max(1, self._doc_count()) // 5, RANKED_POSTINGS)
        cost = [sum(df.get(w, 0) for w in v) for v in groups]
        rare = [v for v, c in zip(groups, cost) if c <= cheap]
        seen: dict[int, None] = {}
        db = self.db

        def run(expr: str, k: int, ranked: bool) -> None:
            order = " ORDER BY bm25(fts, 4.0, 1.0)" if ranked else ""
            for (n,) in db.execute(f"SELECT rowid FROM fts WHERE fts MATCH ?{order} LIMIT ?", (expr, k)):
                seen.setdefault(n, None)

        def alt(v: dict[str, float]) -> str:
            return "(" + " OR ".join(f'"{w}"' for w in v) + ")"

        if len(groups) >= 2:
            # The words as a phrase: the best spelling alone first, so that articles holding it are not cut
            # off by the row order behind those holding another spelling ("dove" behind 70 "move"s); then
            # the other combinations of the closest variants; when these are few, the words near each
            # other in any order. (Ordering a phrase of common words by bm25 reads every posting list of
            # its words: 40-200 ms at 100,000 articles. The rerank counts the phrase itself.)
            closest = [sorted(v, key=lambda w: (-v[w], -df.get(w, 0)))[:4] for v in groups]
            combos = sorted(itertools.product(*closest),
                            key=lambda c: -math.prod(v[w] for v, w in zip(groups, c)))[:PHRASE_COMBINATIONS]
            if rare:
                run('"' + " ".join(combos[0]) + '"', PHRASE_CANDIDATES, True)
            else:
                self._frequent_phrase(combos[0], seen)
            if len(combos) > 1 and len(seen) < PHRASE_CANDIDATES:
                run(" OR ".join('"' + " ".join(c) + '"' for c in combos[1:]), PHRASE_CANDIDATES - len(seen),
                    bool(rare))
            if len(seen) < PHRASE_CANDIDATES:
                run("NEAR(" + " ".join(f'"{w}"' for w in combos[0]) + f", {NEAR_WORDS})", PHRASE_CANDIDATES,
                    bool(rare))
        if rare:
            run(" AND ".join(alt(v) for v in rare), CANDIDATES, True)
            if len(rare) >= 2 and len(seen) < max(limit, CANDIDATES // 2):
                run(" OR ".join(alt(v) for v in rare), CANDIDATES, True)
        if len(seen) < max(limit, CANDIDATES // 2):
            run(" AND ".join(alt(v) for v in groups), CANDIDATES, False)
        if len(groups) >= 2 and len(seen) < max(limit, CANDIDATES // 2):
            run(" OR ".join(alt(v) for v in groups), CANDIDATES, False)  # articles with some of the words
        return list(seen)

    def _frequent_phrase(self, words: Sequence[str], seen: dict[int, None]) -> None:
        """The articles holding a phrase of common words: of the first PHRASE_POOL in row order, the
        PHRASE_CANDIDATES holding it most often for their length (bm25 itself would read every posting
        list of the words: 40-200 ms at 100,000 articles; this reads PHRASE_POOL bodies, ~5 ms)."""
        expr = '"' + " ".join(words) + '"'
        rows = self.db.execute("SELECT rowid, body FROM fts WHERE fts MATCH ? LIMIT ?", (expr, PHRASE_POOL)).fetchall()
        if len(rows) > PHRASE_CANDIDATES:
            phrase = " ".join(words)  # lower-cased vocabulary words; "a. B" across a sentence counts 0 here
            mean = sum(len(b) for _, b in rows) / len(rows) or 1.0

            def often(row: tuple[int, str]) -> float:
                count = row[1].lower().count(phrase)
                return count / (count + 0.6 + 0.6 * len(row[1]) / mean)

            rows = sorted(rows, key=often, reverse=True)[:PHRASE_CANDIDATES]
        for n, _ in rows:
            seen.setdefault(n, None)

    def _docs(self, nums: list[int]) -> list[_Doc]:
        out: list[_Doc] = []
        for k in range(0, len(nums), 500):
            part = nums[k:k + 500]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(f"SELECT docs.num, docs.id, fts.title, fts.body FROM docs JOIN fts"
                                   f" ON fts.rowid = docs.num WHERE docs.num IN ({marks})", part).fetchall()
            order = {n: i for i, n in enumerate(part)}
            rows.sort(key=lambda r: order[r[0]])
            out.extend(_Doc(i, t, b) for _, i, t, b in rows)
        return out

    def _full_index(self, annotations: list[dict]) -> SearchIndex:
        if self._full is None:
            rows = self.db.execute("SELECT docs.id, fts.title, fts.body FROM docs JOIN fts ON fts.rowid = docs.num"
                                   " ORDER BY docs.id").fetchall()
            self._full = SearchIndex.build([_Doc(*r) for r in rows])
        self._full.set_annotations(annotations)
        return self._full

