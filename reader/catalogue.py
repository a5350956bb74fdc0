"""The catalogue: what the corpus holds, persisted in SQLite so that a start re-reads only what changed.

One row per article file: its id (path in the corpus), size, ``mtime_ns``, fingerprint, title, date,
byline, source, word count, dim ranges, title range, encoding and decoding warning. A sync walks the
folder, stats every file, and parses only the files whose size or mtime differ from their row (or that
are new); rows of vanished files are dropped (a rename is a vanished file and a new one). Files that
cannot be read are remembered with their reason, so they are not retried until they change.

The file (``library.sqlite`` beside the database) is a cache: it is safe to delete and is rebuilt when it
is missing, unreadable, truncated, or written by another schema or parser version (``PARSER_VERSION``
in :mod:`reader.corpus`). WAL journaling and a busy timeout let two processes sync at once: each sync is
one transaction, so a reader never sees half of one.

Bodies are never kept here: :class:`CatalogueArticle` reads its file the first time ``.text`` is used.

A warm start lists the catalogue before it looks at the folder. Reading 100,000 rows through SQL costs
~0.2 s (a Python tuple per row), so the rows are also kept as one ``marshal``'d blob of columns, sorted
by id (table ``snapshot``): ~0.07 s to load at 100,000. Every write of rows bumps ``meta.generation`` in
its transaction; the snapshot records the generation it was made from and is used only when both still
agree (read in one transaction), so it can be stale but never wrong: a stale or damaged one is ignored and
the rows are read the slow way. ``save_snapshot`` (run by ``Library.refresh``, off the first frame)
rewrites it when it is stale.
"""

from __future__ import annotations

import gc
import json
import marshal
import os
import sqlite3
import stat as _stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from reader import corpus as _corpus
from reader.corpus import Article, Corpus, CorpusError, Skipped

__all__ = ["Catalogue", "CatalogueArticle", "Changes", "SCHEMA_VERSION", "CATALOGUE_FILENAME", "connect"]

SCHEMA_VERSION = 1
CATALOGUE_FILENAME = "library.sqlite"
BUSY_MS = 10_000
FREEZE_MIN = 20_000  # articles() moves a list this long out of the cyclic collector's way (gc.freeze)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    num INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the full-text index's rowid
    id TEXT NOT NULL UNIQUE,           -- path inside the corpus, '/' separators
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    fingerprint TEXT,                  -- NULL for a file that could not be read (see reason)
    title TEXT, date TEXT, byline TEXT, source TEXT,
    words INTEGER, dims TEXT, title_range TEXT, encoding TEXT, warning TEXT,
    reason TEXT                        -- why the file was skipped, else NULL
);
CREATE TABLE IF NOT EXISTS snapshot (   -- the readable rows as marshal'd columns (see the module docstring)
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS files_skipped ON files(id) WHERE reason IS NOT NULL;
"""


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with WAL, a busy timeout and autocommit (transactions are explicit)."""
    if readonly:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_MS / 1000,
                             isolation_level=None, check_same_thread=False)
    else:
        db = sqlite3.connect(str(path), timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last sync on power loss is fine
    db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    return db


def write_meta(db: sqlite3.Connection, meta: dict[str, str]) -> None:
    """Set rows of the ``meta`` key/value table of a cache database (the catalogue's, the search index's)."""
    db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(meta.items()))


def close_quietly(db: sqlite3.Connection) -> None:
    """Close a cache database; an error on closing is ignored (a cache is rebuilt when it is not right)."""
    try:
        db.close()
    except sqlite3.Error:
        pass


_LOCK = threading.Lock()  # one lock for every lazy read: they are rare and short


class _Unwritable(Exception):
    """The catalogue file refused a write."""


class CatalogueArticle:
    """An :class:`reader.corpus.Article` whose text is read from disk on first use."""

    __slots__ = ("id", "title", "date", "byline", "source", "words", "fingerprint", "encoding", "warning",
                 "size", "num", "_mtime_ns", "_dims", "_title_range", "_root", "_text", "_lock")

    def __init__(self, row: tuple, root: Path) -> None:
        # 100,000 of these are made at start-up: only plain assignments here, the rest on first use
        (self.num, self.id, self.size, self._mtime_ns, self.fingerprint, self.title, self.date, self.byline,
         self.source, self.words, self._dims, self._title_range, self.encoding, self.warning) = row
        self._root = root
        self._text: str | None = None
        self._lock = _LOCK

    @property
    def path(self) -> Path:
        return self._root / self.id

    @property
    def mtime(self) -> float:
        return self._mtime_ns / 1e9

    @property
    def dim_ranges(self) -> tuple[tuple[int, int], ...]:
        return tuple(tuple(d) for d in json.loads(self._dims)) if self._dims else ()

    @property
    def title_range(self) -> tuple[int, int] | None:
        return tuple(json.loads(self._title_range)) if self._title_range else None

    @property
    def text(self) -> str:
        """The body, read on first use; an unreadable (vanished) file reads as empty text."""
        if self._text is None:
            with self._lock:
                if self._text is None:
                    try:
                        self._text = _corpus.load_article(self._root, self.id).text
                    except CorpusError:
                        self._text = ""
        return self._text

    @property
    def loaded(self) -> bool:
        return self._text is not None

    def set_text(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return f"CatalogueArticle({self.id!r}, {self.title!r})"


@dataclass
class Changes:
    """What a sync found: ids added, changed (re-parsed, content differs) and removed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped_changed: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.skipped_changed)


_COLUMNS = "num, id, size, mtime_ns, fingerprint, title, date, byline, source, words, dims, title_range, encoding, warning"


class Catalogue:
    """The corpus as rows; ``sync()`` brings them up to date, ``corpus()`` lists them without bodies."""

    def __init__(self, root: Path | str, path: Path | str | None, *, readonly: bool = False) -> None:
        """``path`` None (or unusable in ``readonly`` mode) keeps the catalogue in memory only."""
        self.root = _corpus._check_root(root)
        self.path = Path(path) if path is not None else None
        self.readonly = readonly
        self.persistent = False
        self._lock = threading.RLock()
        self._snapshot_damaged = False
        self.db = self._open()

    # ---- opening

    def _open(self) -> sqlite3.Connection:
        path = self.path
        if path is not None and self.readonly and not path.parent.is_dir():
            path = None  # a read-only command creates no folder
        if path is not None:
            try:
                if not self.readonly:
                    path.parent.mkdir(parents=True, exist_ok=True)
                db = self._open_file(path)
                self.persistent = True
                return db
            except (sqlite3.Error, OSError):
                pass  # a read-only or full database folder: the catalogue lives in memory, as a cache may
        return self._memory()

    def _memory(self) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        db.executescript(_SCHEMA)
        self._set_meta(db)
        return db

    def _open_file(self, path: Path) -> sqlite3.Connection:
        """Open ``path``, rebuilding it when it is not a catalogue of this version."""
        try:
            db = connect(path)
            if self._usable(db):
                return db
            db.close()
        except sqlite3.DatabaseError:
            pass
        _remove_db_files(path)
        db = connect(path)
        db.executescript(_SCHEMA)
        self._set_meta(db)
        return db

    def _usable(self, db: sqlite3.Connection) -> bool:
        """True when ``db`` is a catalogue of this schema and parser version, of this corpus folder
        (a new file is made one)."""
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            db.executescript(_SCHEMA)
            self._set_meta(db)
            return True
        if "meta" not in tables or "files" not in tables:
            return False
        meta = dict(db.execute("SELECT key, value FROM meta"))
        usable = (meta.get("schema") == str(SCHEMA_VERSION) and meta.get("parser") == str(_corpus.PARSER_VERSION)
                  and meta.get("root") == str(self.root))
        if usable and not {"snapshot", "files_skipped"} <= names:
            db.executescript(_SCHEMA)  # a catalogue from before the snapshot: its rows are still good
        return usable

    def _set_meta(self, db: sqlite3.Connection) -> None:
        write_meta(db, {"schema": str(SCHEMA_VERSION), "parser": str(_corpus.PARSER_VERSION),
                        "root": str(self.root)})

    def close(self) -> None:
        close_quietly(self.db)

    # ---- syncing

    def stats(self) -> dict[str, tuple[int, int]]:
        """(size, mtime_ns) of every article file under the root, by id."""
        ids, _ = _corpus._walk(self.root)
        root = str(self.root) + os.sep
        out: dict[str, tuple[int, int]] = {}
        for article_id in ids:
            try:
                st = os.stat(root + article_id)
            except OSError:
                out[article_id] = (-1, -1)
                continue
            out[article_id] = (st.st_size, st.st_mtime_ns) if _stat.S_ISREG(st.st_mode) else (-1, -1)
        return out

    def sync(self, progress: Callable[[int, int], None] | None = None,
             parsed: Callable[[Article], None] | None = None) -> Changes:
        """Stat every file, re-parse new and changed ones, drop vanished ones; one transaction.

        ``parsed`` is called with each article read (its text at hand: the index takes it from there).
        A catalogue file found damaged on the way is rebuilt from the files.
        """
        try:
            return self._sync(progress, parsed)
        except _Unwritable:
            # A read-only or full disk: this process keeps its catalogue in memory (every file is read).
            with self._lock:
                self.close()
                self.db = self._memory()
                self.persistent = False
            return self._sync(progress, parsed)
        except sqlite3.DatabaseError:
            if not self.persistent or self.path is None:
                raise
            with self._lock:
                self.close()
                _remove_db_files(self.path)
                self.db = self._open_file(self.path)
            return self._sync(progress, parsed)

    def _sync(self, progress, parsed) -> Changes:
        with self._lock:
            current = self.stats()
            known = {r[0]: (r[1], r[2], r[3], r[4])
                     for r in self.db.execute("SELECT id, size, mtime_ns, fingerprint, reason FROM files")}
            changes = Changes()
            todo = [i for i, st in current.items() if i not in known or known[i][:2] != st]
            gone = [i for i in known if i not in current]
            total = len(todo)
            if progress is not None:
                progress(0, total)
            rows: list[tuple] = []
            root = str(self.root)
            step = max(1, min(250, total // 50))
            for done, article_id in enumerate(todo, 1):
                result = _corpus._load_one(root, article_id)
                size, mtime_ns = current[article_id]
                old = known.get(article_id)
                if isinstance(result, Article):
                    rows.append((article_id, size, mtime_ns, result.fingerprint, result.title, result.date,
                                 result.byline, result.source, result.words, json.dumps(result.dim_ranges),
                                 json.dumps(result.title_range) if result.title_range else None,
                                 result.encoding, result.warning, None))
                    if old is None or old[3] is not None:
                        changes.added.append(article_id)
                        if old is not None:  # was skipped, now readable
                            changes.skipped_changed = True
                    elif old[2] != result.fingerprint:
                        changes.changed.append(article_id)
                    if parsed is not None:
                        parsed(result)
                else:
                    rows.append((article_id, size, mtime_ns, None, None, None, None, None, None, None, None,
                                 None, None, result.reason))
                    changes.skipped_changed = True
                    if old is not None and old[3] is None:
                        changes.removed.append(article_id)
                if progress is not None and (done % step == 0 or done == total):
                    progress(done, total)
            for article_id in gone:
                if known[article_id][3] is None:
                    changes.removed.append(article_id)
                else:
                    changes.skipped_changed = True
            if rows or gone:
                self._write(rows, gone)
            return changes

    def _write(self, rows: list[tuple], gone: list[str]) -> None:
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE"
                       " SET value = CAST(value AS INTEGER) + 1")  # the snapshot is stale from here
            db.executemany("DELETE FROM files WHERE id = ?", ((g,) for g in gone))
            db.executemany(
                "INSERT INTO files(id, size, mtime_ns, fingerprint, title, date, byline, source, words, dims,"
                " title_range, encoding, warning, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET size=excluded.size, mtime_ns=excluded.mtime_ns,"
                " fingerprint=excluded.fingerprint, title=excluded.title, date=excluded.date,"
                " byline=excluded.byline, source=excluded.source, words=excluded.words, dims=excluded.dims,"
                " title_range=excluded.title_range, encoding=excluded.encoding, warning=excluded.warning,"
                " reason=excluded.reason", rows)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise _Unwritable(str(exc)) from None

    # ---- reading

    def articles(self) -> list[CatalogueArticle]:
        """The readable articles, sorted by id (from the snapshot when it is current)."""
        enabled = gc.isenabled()
        gc.disable()  # 100,000 rows and objects, none cyclic: the collector would only re-walk them
        try:
            root = self.root
            columns = self._load_snapshot()
            rows = zip(*columns) if columns is not None else self._rows()
            out = [CatalogueArticle(r, root) for r in rows]
            if len(out) >= FREEZE_MIN:
                # These live as long as the library and hold no cycles: out of the collector's generations,
                # the next collections (Textual's start-up makes many) do not walk them three times over.
                gc.freeze()
            return out
        finally:
            if enabled:
                gc.enable()

    def _rows(self) -> list[tuple]:
        with self._lock:
            rows = self.db.execute(f"SELECT {_COLUMNS} FROM files WHERE reason IS NULL").fetchall()
        rows.sort(key=lambda r: r[1])
        return rows

    def _generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        try:
            return int(row[0]) if row else 0
        except (TypeError, ValueError):
            return -1

    def _load_snapshot(self) -> list[list] | None:
        """The snapshot's columns if it is of the current generation and well formed, else None."""
        if not self.persistent:
            return None
        try:
            with self._lock:
                db = self.db
                db.execute("BEGIN")
                try:
                    generation = self._generation()
                    row = db.execute("SELECT generation, data FROM snapshot WHERE id = 1").fetchone()
                finally:
                    db.execute("COMMIT")
        except sqlite3.Error:
            return None
        if row is None or row[0] != generation or generation < 0:
            return None
        try:
            columns = marshal.loads(row[1])
        except (ValueError, EOFError, TypeError):
            columns = None
        width = _COLUMNS.count(",") + 1
        if not (isinstance(columns, list) and len(columns) == width and all(isinstance(c, list) for c in columns)
                and len({len(c) for c in columns}) == 1):
            self._snapshot_damaged = True  # save_snapshot rewrites it
            return None
        return columns

    def snapshot_current(self) -> bool:
        if not self.persistent:
            return True
        if self._snapshot_damaged:
            return False
        try:
            with self._lock:
                row = self.db.execute("SELECT generation FROM snapshot WHERE id = 1").fetchone()
                return row is not None and row[0] == self._generation()
        except sqlite3.Error:
            return False

    def save_snapshot(self) -> bool:
        """Rewrite the snapshot if it is stale (in the write transaction: it matches the rows exactly).

        A read-only or full database folder keeps the old one (it is then ignored); returns True if written.
        """
        if not self.persistent or self.readonly or self.snapshot_current():
            return False
        with self._lock:
            db = self.db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    generation = self._generation()
                    rows = db.execute(f"SELECT {_COLUMNS} FROM files WHERE reason IS NULL").fetchall()
                    rows.sort(key=lambda r: r[1])
                    width = _COLUMNS.count(",") + 1
                    columns = [list(c) for c in zip(*rows)] if rows else [[] for _ in range(width)]
                    db.execute("INSERT OR REPLACE INTO snapshot(id, generation, data) VALUES (1, ?, ?)",
                               (generation, marshal.dumps(columns)))
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
                self._snapshot_damaged = False
                return True
            except sqlite3.Error:
                return False

    def skipped(self) -> list[Skipped]:
        with self._lock:
            rows = self.db.execute("SELECT id, reason FROM files WHERE reason IS NOT NULL ORDER BY id").fetchall()
        return [Skipped(_corpus._display_id(i), r) for i, r in rows]

    def numbers(self) -> dict[str, int]:
        """Row number of every readable article, by id (the full-text index keys its rows by it)."""
        with self._lock:
            return dict(self.db.execute("SELECT id, num FROM files WHERE reason IS NULL"))

    def corpus(self) -> Corpus:
        return Corpus(root=self.root, articles=self.articles(), skipped=self.skipped())  # type: ignore[arg-type]


def _remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass
