"""The library: one object owning the catalogue, the annotation store and the full-text index.

The CLI and the TUI's :class:`reader.session.Session` both go through it, so there is one way to list,
open, search and watch a corpus. Beside the database (``annotations/`` by default) it keeps two caches,
both safe to delete::

    annotations/library.sqlite         the catalogue (reader.catalogue)
    annotations/library-index.sqlite   the full-text index (reader.fulltext)

Read-only use (``readonly=True``: ``reader list``, ``search``, ``export`` ...) creates no folder: when
``annotations/`` does not exist yet, both caches live in memory for that one process.

Nothing here imports Textual.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from reader.catalogue import CATALOGUE_FILENAME, Catalogue, CatalogueArticle, Changes
from reader.corpus import Corpus

__all__ = ["Library", "Changes", "Poll"]


@dataclass
class Poll:
    """What :meth:`Library.poll` found: the corpus changed (``changes``), the database changed, or neither."""

    changes: Changes | None = None
    database: bool = False

    def __bool__(self) -> bool:
        return bool(self.changes) or self.database


class Library:
    def __init__(self, corpus_root: Path | str, db_path: Path | str, *, readonly: bool = False) -> None:
        from reader.fulltext import INDEX_FILENAME

        self.root = Path(corpus_root)
        self.db_path = Path(db_path)
        self.readonly = readonly
        folder = self.db_path.parent
        self.catalogue = Catalogue(self.root, folder / CATALOGUE_FILENAME, readonly=readonly)
        self._index_path = folder / INDEX_FILENAME if self.catalogue.persistent else None
        self._store = None
        self._index = None
        self._indexed_generation = -1
        self._generation = 0  # bumped by every refresh that changed the corpus
        self._lock = threading.RLock()
        self._index_lock = threading.Lock()
        self.corpus: Corpus = Corpus(root=self.catalogue.root, articles=[])
        self._corpus_stamp: tuple | None = None
        self._folders: list[str] = []
        self._next_full_stat = 0.0
        self._db_stamp: tuple | None = None
        self._titles: tuple[list, object] | None = None  # (the listing, its TypeAhead)

    # ---- the parts

    @property
    def store(self):
        """The annotation store (``reader.store.AnnotationStore``), opened on first use."""
        with self._lock:
            if self._store is None:
                from reader.store import AnnotationStore

                self._store = AnnotationStore(self.db_path, readonly=self.readonly)
            return self._store

    @property
    def index(self):
        """The full-text index (``reader.fulltext.FullTextIndex``), opened on first use; see ``update_index``."""
        with self._lock:
            if self._index is None:
                from reader.fulltext import FullTextIndex, IndexBroken

                try:
                    self._index = FullTextIndex(self._index_path, readonly=False)
                except IndexBroken:
                    self._index = FullTextIndex(None)
            return self._index

    # ---- the corpus

    def refresh(self, progress: Callable[[int, int], None] | None = None, *, snapshot: bool = True) -> Changes:
        """Bring the catalogue up to date with the folder (re-reading only changed files) and list it.

        Articles whose fingerprint did not change keep their objects (and any body already read).
        ``snapshot``: also rewrite the catalogue's snapshot when it is stale, so that the next start lists
        fast (a live poll leaves that to the next start's own check: it costs ~0.3 s at 100,000).
        """
        with self._lock:
            self._corpus_stamp = self._stamp_corpus()
            changes = self.catalogue.sync(progress=progress)
            if changes or not self.corpus.articles:
                old = {a.id: a for a in self.corpus.articles}
                articles = []
                for a in self.catalogue.articles():
                    kept = old.get(a.id)
                    articles.append(kept if kept is not None and kept.fingerprint == a.fingerprint
                                    and kept.num == a.num else a)
                self.corpus = Corpus(root=self.catalogue.root, articles=articles,  # type: ignore[arg-type]
                                     skipped=self.catalogue.skipped())
                if changes:
                    self._generation += 1
            if snapshot and not self.readonly:
                self.catalogue.save_snapshot()
            return changes

    def load_cached(self) -> bool:
        """List what the catalogue holds, without looking at the folder (``refresh`` does that next).

        False when there is no catalogue yet (a cold start: ``refresh`` reads every file).
        """
        with self._lock:
            if not self.catalogue.persistent:
                return False
            articles = self.catalogue.articles()
            if not articles:
                return False
            self.corpus = Corpus(root=self.catalogue.root, articles=articles,  # type: ignore[arg-type]
                                 skipped=self.catalogue.skipped())
            return True

    @property
    def articles(self) -> list[CatalogueArticle]:
        return self.corpus.articles  # type: ignore[return-value]

    def article(self, article_id: str) -> CatalogueArticle | None:
        return self.corpus.get(article_id)  # type: ignore[return-value]

    # ---- search

    @property
    def index_ready(self) -> bool:
        return self._indexed_generation == self._generation

    def update_index(self, progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> int:
        """Index the articles whose text changed since the index last saw them; returns how many."""
        with self._index_lock:
            generation = self._generation
            articles = list(self.articles)
            done = self.index.update(articles, progress=progress, cancelled=cancelled)
            if cancelled is None or not cancelled():
                self.index.prepare()  # the vocabulary, so that the first query does not load it
                self._indexed_generation = generation
            return done

    def search(self, query: str, *, limit: int = 50, annotations: Iterable[dict] | None = None,
               cancelled: Callable[[], bool] | None = None) -> list:
        """Hits (``reader.search.index.Hit``) for ``query``; builds what the index lacks first."""
        from reader.fulltext import IndexBroken

        if not self.index_ready:
            self.update_index()
        if annotations is None:
            try:
                annotations = self.store.all()
            except Exception:  # the store's own errors: search the text without annotation fields
                annotations = []
        try:
            return self.index.search(query, limit=limit, annotations=annotations, cancelled=cancelled)
        except IndexBroken:
            with self._lock:
                if self._index_path is not None:
                    self.index.reset()
                self._indexed_generation = -1
            self.update_index()
            return self.index.search(query, limit=limit, annotations=annotations, cancelled=cancelled)

    def search_titles(self, query: str, *, limit: int = 200) -> list:
        """Type-ahead over titles only (no index needed): ``Hit``s with title spans and no snippet."""
        from reader.search.index import Hit

        articles = self.articles
        ranked = self.title_ranker(articles).rank(query, limit=limit)
        return [Hit(article=articles[i].id, title=articles[i].title, score=float(score), offsets=(),
                    title_spans=tuple(spans), snippet="", snippet_spans=())
                for i, score, spans in ranked]

    def title_ranker(self, articles: list[CatalogueArticle] | None = None):
        """The titles' :class:`reader.search.typeahead.TypeAhead`, made once per listing (a refresh that changed
        the corpus makes a new list) and kept: ~0.3 s to prepare at 100,000 titles, a few ms a query."""
        from reader.search.typeahead import TypeAhead

        articles = self.articles if articles is None else articles
        with self._lock:
            kept = self._titles
            if kept is None or kept[0] is not articles:
                kept = self._titles = (articles, TypeAhead([a.title for a in articles]))
        kept[1].prepare()
        return kept[1]

    # ---- watching

    def _stamp_corpus(self) -> tuple:
        """Cheap stamp of the corpus: every folder's mtime (an added, removed or renamed file changes it).

        The folders are listed again only when a stamp moved; otherwise this is one stat per folder.
        """
        if self._folders:
            stamp = []
            for folder in self._folders:
                try:
                    stamp.append((folder, os.stat(folder).st_mtime_ns))
                except OSError:
                    stamp.append((folder, None))
            if tuple(stamp) == self._corpus_stamp:
                return self._corpus_stamp
        out = []
        stack = [str(self.root)]
        while stack:
            folder = stack.pop()
            try:
                st = os.stat(folder)
                out.append((folder, st.st_mtime_ns))
                with os.scandir(folder) as it:
                    stack.extend(e.path for e in it if not e.name.startswith(".") and e.is_dir())
            except OSError:
                out.append((folder, None))
        out.sort()
        self._folders = [f for f, _ in out]
        return tuple(out)

    def _stamp_db(self) -> tuple:
        """Stamp of the database: the folder and its sub-folders (every save renames a file into one)."""
        folder = self.db_path.parent
        out = []
        try:
            with os.scandir(folder) as it:
                for e in it:
                    if e.name.startswith("library") or e.name.endswith((".lock", ".tmp")):
                        continue
                    try:
                        st = e.stat()
                    except OSError:
                        continue
                    out.append((e.name, st.st_mtime_ns, st.st_size))
        except OSError:
            return ()
        return tuple(sorted(out))

    def poll(self, *, files: bool = False) -> Poll:
        """Did the corpus or the database change since the last look? Refreshes the catalogue if so.

        Without ``files`` only folder stamps are compared (an added, deleted or renamed file); with it
        every file is stat'ed too (an edited file), unless the last such pass was too recent: they take at
        most a tenth of the time (every 1.5 s at 10,000 files, every ~15 s at 100,000). Without changes,
        a poll costs one stat per folder.
        """
        result = Poll()
        now = time.monotonic()
        if files and now < self._next_full_stat:
            files = False  # a full pass costs ~15 ms per 1,000 files: never more than a tenth of the time
        corpus_stamp = self._stamp_corpus()
        if files or corpus_stamp != self._corpus_stamp:
            changes = self.refresh(snapshot=False)
            done = time.monotonic()
            self._next_full_stat = done + 9 * (done - now)
            if changes:
                result.changes = changes
        db_stamp = self._stamp_db()
        if self._db_stamp is not None and db_stamp != self._db_stamp:
            result.database = True
        self._db_stamp = db_stamp
        return result

    def close(self) -> None:
        self.catalogue.close()
        if self._index is not None:
            self._index.close()


def open_library(corpus_root: Path | str, db_path: Path | str, *, readonly: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> Library:
    """A :class:`Library` with its catalogue brought up to date."""
    library = Library(corpus_root, db_path, readonly=readonly)
    library.refresh(progress=progress)
    return library

