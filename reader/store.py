"""The annotation store: durable, locked, sharded storage on TinyDB.

This is the only module that imports ``tinydb``. Layout on disk, for ``--db annotations/annotations.json``::

    annotations/annotations.json        the manifest: table ``_meta`` = {"format": "reader-db", "version": 1}
    annotations/annotations.json.lock   the inter-process lock (filelock)
    annotations/annotations.d/          one TinyDB file per article, named sha1(article id)[:20] + ".json",
        0123456789abcdef0123.json       tables ``annotations`` (the records) and ``state`` (reading position)

Why it is built this way (measured with tinydb 4.9.0):

* TinyDB's ``JSONStorage`` rewrites its file in place, so a crash can leave it unreadable. ``_FileStorage``
  serialises with orjson first (records were checked by ``records.validate``, because orjson would quietly
  turn NaN into null) and then swaps the file in with ``fsutil.atomic_write``.
* TinyDB has no locking, caches its next doc id and its query results per instance, and reuses doc ids
  after deletes. Every read-modify-write here runs under ``filelock`` and works on a *fresh* ``Table``
  over storage that was re-checked against the disk inside the lock. Identity is the record's ``id``
  (a UUID); TinyDB's doc ids are only used for the moment between finding a record and changing it.
* A save costs time in proportion to the file it rewrites, so the data is split per article: a save
  touches one small shard whatever the total.
* A file that does not parse is never overwritten or moved: ``CorruptDatabase`` names it and every
  operation that needs it stops; other shards keep working.

Parsed files are cached by their stat stamp (mtime_ns, size, inode). A stamp alone cannot prove that a
file is unchanged when it was written very recently: timestamps are coarse (one kernel tick) and a freed
inode is often reused by the very next file, so two saves of equal size within one tick can look alike
(git's "racy clean" problem). A stamp therefore counts as proof only once the file is older than
``RACY_NS``; a younger file has its bytes compared with the bytes we parsed.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import filelock
import orjson
from tinydb.storages import Storage
from tinydb.table import Table

from . import fsutil, records
from .records import RecordError

__all__ = [
    "AnnotationStore", "StoreError", "CorruptDatabase", "StoreLocked", "ReadOnlyDatabase", "DiskFull",
    "NotFound", "StoreWriteError", "DuplicateId", "RecordError", "shard_name", "shard_dir_for",
]

FORMAT = "reader-db"
VERSION = 1
META_TABLE = "_meta"
ANNOTATIONS = "annotations"
STATE = "state"
RACY_NS = 2_000_000_000          # a stamp younger than this is checked against the bytes (FAT has 2 s mtimes)
CHANGEABLE = frozenset({"tags", "note", "start", "end", "quote", "prefix", "suffix", "fingerprint"})
STATE_DEFAULTS: dict[str, Any] = {"position": 0, "read": False, "opened": None}


# --------------------------------------------------------------------------------------------- errors

class StoreError(Exception):
    """Anything the store cannot do; ``str()`` is one sentence a user can act on."""


class CorruptDatabase(StoreError):
    """A database file that does not parse, or is not a reader database. It is never overwritten."""


class StoreLocked(StoreError):
    """Another process held the lock for longer than ``lock_timeout``."""


class ReadOnlyDatabase(StoreError):
    """Opened with ``readonly=True``, or the file system refuses writes (permissions, read-only mount)."""


class DiskFull(StoreError):
    """The disk (or the quota) is full; nothing was written."""


class NotFound(StoreError):
    """No annotation with that id."""


class StoreWriteError(StoreError):
    """Any other failure to write; the previous file is intact."""


class DuplicateId(StoreError):
    """``add_record``/``restore`` given an id that is already stored with different content."""


def _write_error(exc: OSError, path: Path) -> StoreError:
    """Turn an OSError (or ``fsutil.WriteError``) into the StoreError a caller can act on."""
    if isinstance(exc, fsutil.WriteError):
        message = str(exc)
    else:
        message = fsutil.describe_os_error(exc, path)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(message)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ReadOnlyDatabase(message)
    return StoreWriteError(message)


def _untouched(display: str, why: str) -> CorruptDatabase:
    return CorruptDatabase(f"{display} is not a valid database file ({why}); "
                           f"it was left untouched — fix or move it away")


# ------------------------------------------------------------------------------------------ layout

def shard_name(article: str) -> str:
    """The shard file of an article: sha1 of its id (UTF-8), first 20 hex digits."""
    return hashlib.sha1(article.encode("utf-8", "surrogatepass")).hexdigest()[:20] + ".json"


def shard_dir_for(path: Path | str) -> Path:
    """``annotations/annotations.json`` → ``annotations/annotations.d``."""
    path = Path(path)
    stem = path.name[:-len(".json")] if path.name.endswith(".json") and len(path.name) > 5 else path.name
    return path.with_name(stem + ".d")


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _check_manifest(data: Any) -> str | None:
    """None if ``data`` is a reader manifest this version understands, else why not."""
    if not isinstance(data, dict):
        return f"the top level is a JSON {type(data).__name__}, not an object"
    meta = data.get(META_TABLE)
    if not isinstance(meta, dict) or not meta:
        tables = ", ".join(sorted(map(str, data))) or "none"
        return f"it is not a reader database: no {META_TABLE} table (tables: {tables})"
    docs = [doc for doc in meta.values() if isinstance(doc, dict) and doc.get("format") == FORMAT]
    if not docs:
        return f"it is not a reader database: {META_TABLE} does not say format {FORMAT!r}"
    version = docs[0].get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        return "its format version is missing"
    if version > VERSION:
        return f"it was written by a newer reader (format version {version}; this one reads {VERSION})"
    return None


def _check_shard(data: Any) -> str | None:
    """None if ``data`` has the shape of a shard, else why not (a light check; ``check()`` does the rest)."""
    if not isinstance(data, dict):
        return f"the top level is a JSON {type(data).__name__}, not an object"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"table {name!r} is not an object"
        for doc_id, doc in table.items():
            if not isinstance(doc, dict):
                return f"document {doc_id} in table {name!r} is not an object"
            if not isinstance(doc.get("article"), str):
                return f"document {doc_id} in table {name!r} has no article"
            if name == ANNOTATIONS:
                if not isinstance(doc.get("id"), str) or not doc["id"]:
                    return f"record {doc_id} has no id"
                if not isinstance(doc.get("tags"), list) or not all(isinstance(t, str) for t in doc["tags"]):
                    return f"record {doc_id} has no list of tags"
                for key in ("quote", "note", "prefix", "suffix", "created", "updated", "fingerprint"):
                    if not isinstance(doc.get(key), str):
                        return f"record {doc_id} has no text {key}"
                for key in ("start", "end"):
                    value = doc.get(key)
                    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                        return f"record {doc_id} has a bad {key}"
    return None


# ------------------------------------------------------------------------------------------ storage

class _FileStorage(Storage):
    """A TinyDB Storage over one JSON file: orjson, atomic durable writes, a parse cache by stat stamp.

    ``refresh()`` brings the cache in line with the disk and is called by the store before every use;
    ``read()`` then answers from the cache, so TinyDB's several reads within one operation cost nothing.
    TinyDB mutates the dict that ``read()`` returned before it calls ``write()``; if the write fails the
    cache is dropped, so memory never holds what the disk does not.
    """

    def __init__(self, path: Path, check: Callable[[Any], str | None]):
        super().__init__()
        self.path = path
        self._check = check
        self._data: dict | None = None       # parsed content; None when the file does not exist
        self._raw: bytes | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._known = False                  # whether _data/_stamp describe the disk
        self.version = 0                     # bumped whenever the content may have changed

    # -- the TinyDB interface
    def read(self) -> dict | None:
        if not self._known:
            self.refresh()
        return self._data

    def write(self, data: dict) -> None:
        try:
            raw = orjson.dumps(data)
        except (orjson.JSONEncodeError, TypeError) as exc:
            self.invalidate()
            raise RecordError(f"the annotation cannot be stored as JSON: {exc}") from exc
        try:
            fsutil.atomic_write(self.path, raw)
            stamp = _stamp(os.stat(self.path))
        except OSError:
            self.invalidate()
            raise
        self._data, self._raw, self._stamp, self._known = data, raw, stamp, True
        self.version += 1

    def close(self) -> None:
        pass

    # -- cache control
    def invalidate(self) -> None:
        self._data = self._raw = self._stamp = None
        self._known = False
        self.version += 1

    @property
    def exists(self) -> bool:
        return self._data is not None

    def refresh(self) -> None:
        """Make the cache match the file; raise CorruptDatabase if it does not parse."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            if not self._known or self._data is not None:
                self._data = self._raw = self._stamp = None
                self._known = True
                self.version += 1
            return
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        if self._known and _stamp(st) == self._stamp:
            if time.time_ns() - st.st_mtime_ns > RACY_NS:
                return
            raw, stamp = self._read_bytes()
            if raw == self._raw:
                self._stamp = stamp
                return
            self._parse(raw, stamp)
            return
        self._parse(*self._read_bytes())

    def _read_bytes(self) -> tuple[bytes | None, tuple[int, int, int] | None]:
        try:
            with open(self.path, "rb") as handle:
                stamp = _stamp(os.fstat(handle.fileno()))
                return handle.read(), stamp
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            self.invalidate()
            raise StoreError(f"cannot read {self.path}: {exc.strerror or exc}") from exc

    def _parse(self, raw: bytes | None, stamp: tuple[int, int, int] | None) -> None:
        self.version += 1
        if raw is None:
            self._data = self._raw = self._stamp = None
            self._known = True
            return
        try:
            data = orjson.loads(raw) if raw.strip() else None
        except orjson.JSONDecodeError as exc:
            self.invalidate()
            raise _untouched(str(self.path), str(exc)) from None
        problem = "the file is empty" if data is None else self._check(data)
        if problem:
            self.invalidate()
            raise _untouched(str(self.path), problem)
        self._data, self._raw, self._stamp, self._known = data, raw, stamp, True


# -------------------------------------------------------------------------------------------- store

def _copy(doc: dict) -> dict:
    out = dict(doc)
    out["tags"] = list(doc["tags"])
    return out


def _sort_key(doc: dict) -> tuple:
    start = doc.get("start")
    return (doc["article"], start is not None, start or 0, doc.get("created", ""), doc["id"])


def _clean(record: Any) -> dict:
    """A caller's full record, checked: only the known fields, every one valid."""
    if not isinstance(record, dict):
        raise RecordError(f"a record must be a mapping, not {type(record).__name__}")
    unknown = sorted(str(key) for key in record if key not in records.FIELDS and key not in records.OPTIONAL)
    if unknown:
        raise RecordError(f"record has unknown field {', '.join(unknown)}")
    return records.validate(record)


def _synchronized(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._mutex:
            return method(self, *args, **kwargs)
    return wrapper


class AnnotationStore:
    """Annotations and reading state, stored durably; see the module docstring for the layout."""

    def __init__(self, path: Path | str, *, readonly: bool = False, lock_timeout: float = 10.0):
        self.path = Path(path)
        self.readonly = readonly
        self.shard_dir = shard_dir_for(self.path)
        self.lock_path = Path(str(self.path) + ".lock")
        self._lock = filelock.FileLock(str(self.lock_path), timeout=lock_timeout, thread_local=False)
        self._mutex = threading.RLock()
        self._manifest = _FileStorage(self.path, _check_manifest)
        self._shards: dict[str, _FileStorage] = {}
        self._index: dict[str, str] | None = None         # annotation id -> shard file name
        self._indexed: dict[str, tuple[int, set[str]]] = {}  # shard -> (storage version, ids in it)
        self._cleaned = False
        self._batch_depth = 0  # inside batch(): the index is complete, a miss needs no rescan

    def __repr__(self) -> str:
        return f"AnnotationStore({str(self.path)!r}{', readonly=True' if self.readonly else ''})"

    # ---------------------------------------------------------------------------- internals: files

    def _shard(self, name: str) -> _FileStorage:
        storage = self._shards.get(name)
        if storage is None:
            storage = self._shards[name] = _FileStorage(self.shard_dir / name, _check_shard)
        return storage

    def _shard_names(self) -> list[str]:
        try:
            with os.scandir(self.shard_dir) as entries:
                return sorted(e.name for e in entries
                              if e.name.endswith(".json") and not e.name.startswith("."))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"cannot list {self.shard_dir}: {exc.strerror or exc}") from exc

    def _check_db(self) -> None:
        """Every operation starts here: the manifest, if present, must be a reader database."""
        self._manifest.refresh()

    def _loaded(self, name: str) -> _FileStorage:
        storage = self._shard(name)
        storage.refresh()
        return storage

    def _all_shards(self) -> Iterator[tuple[str, _FileStorage]]:
        """Every shard, refreshed; the first one that does not parse raises."""
        names = self._shard_names()
        for gone in set(self._shards) - set(names):
            self._shards[gone].refresh()  # now missing: empties the cache
        for name in names:
            yield name, self._loaded(name)

    @staticmethod
    def _docs(storage: _FileStorage, table: str = ANNOTATIONS) -> dict[str, dict]:
        data = storage.read()
        return (data or {}).get(table, {})

    # ---------------------------------------------------------------------------- internals: index

    def _reindex(self, name: str, storage: _FileStorage | None) -> None:
        assert self._index is not None
        _, old = self._indexed.pop(name, (0, set()))
        for annotation_id in old:
            if self._index.get(annotation_id) == name:
                del self._index[annotation_id]
        if storage is None:
            return
        ids = {doc["id"] for doc in self._docs(storage).values()}
        for annotation_id in ids:
            self._index.setdefault(annotation_id, name)
        self._indexed[name] = (storage.version, ids)

    def _refresh_index(self) -> list[CorruptDatabase]:
        """Bring the index up to date with every shard; return the shards that do not parse."""
        if self._index is None:
            self._index, self._indexed = {}, {}
        names = self._shard_names()
        for gone in set(self._indexed) - set(names):
            self._reindex(gone, None)
        corrupt: list[CorruptDatabase] = []
        for name in names:
            try:
                storage = self._loaded(name)
            except CorruptDatabase as exc:
                corrupt.append(exc)
                self._reindex(name, None)
                continue
            if self._indexed.get(name, (None,))[0] != storage.version:
                self._reindex(name, storage)
        return corrupt

    def _find_in(self, storage: _FileStorage, annotation_id: str) -> tuple[int, dict] | None:
        for doc_id, doc in self._docs(storage).items():
            if doc["id"] == annotation_id:
                return int(doc_id), doc
        return None

    def _locate(self, annotation_id: str) -> tuple[str, int, dict] | None:
        """(shard, TinyDB doc id, stored doc) of an annotation, or None; doc ids are used at once, never kept."""
        if not isinstance(annotation_id, str):
            raise RecordError(f"an annotation id is text, not {type(annotation_id).__name__}")
        if self._index is not None:
            name = self._index.get(annotation_id)
            if name is not None:
                try:
                    found = self._find_in(self._loaded(name), annotation_id)
                except CorruptDatabase:
                    found = None
                if found:
                    return (name, *found)
            if self._batch_depth:
                return None  # batch(): we hold the lock and the index is complete, so it is not there
        corrupt = self._refresh_index()
        name = self._index.get(annotation_id)
        if name is not None:
            found = self._find_in(self._loaded(name), annotation_id)
            if found:
                return (name, *found)
        if corrupt:
            raise corrupt[0]  # the id may be in a file we cannot read: never answer "not there"
        return None

    # ---------------------------------------------------------------------------- internals: writing

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the inter-process lock, with every cache re-checked against the disk inside it."""
        if self.readonly:
            raise ReadOnlyDatabase(f"the database {self.path} was opened read-only; nothing was changed")
        self._check_db()  # refuse before creating anything next to a file that is not ours
        try:
            for folder in (self.path.parent, self.shard_dir):
                if not folder.is_dir():
                    folder.mkdir(parents=True, exist_ok=True)
                    fsutil.fsync_dir(folder.parent)
        except OSError as exc:
            raise _write_error(exc, self.shard_dir) from exc
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreLocked(f"the database is locked by another process ({self.lock_path}); try again") from None
        except OSError as exc:
            raise _write_error(exc, self.lock_path) from exc
        try:
            if not self._cleaned:
                # Temp files of writers that died mid-write; nobody else writes here while we hold the lock.
                fsutil.remove_stale_temps(self.shard_dir)
                self._remove_own_temps(self.path)
                self._cleaned = True
            self._check_db()
            if not self._manifest.exists:
                self._guarded(self._manifest, lambda: Table(self._manifest, META_TABLE).insert(
                    {"format": FORMAT, "version": VERSION}))
            yield
        finally:
            self._lock.release()

    @staticmethod
    def _remove_own_temps(path: Path) -> None:
        """Stale temps of the manifest only: its folder may hold other programs' files (exports…)."""
        prefix = f".{path.name}."
        try:
            with os.scandir(path.parent) as entries:
                stale = [e.path for e in entries
                         if e.name.startswith(prefix) and e.name.endswith(fsutil.TEMP_SUFFIX)]
        except OSError:
            return
        for name in stale:
            try:
                os.unlink(name)
            except OSError:
                pass

    def _guarded(self, storage: _FileStorage, operation: Callable[[], Any]) -> Any:
        """Run one TinyDB write; on failure the cache is dropped and the error is a StoreError."""
        try:
            return operation()
        except OSError as exc:
            storage.invalidate()
            raise _write_error(exc, storage.path) from exc
        except BaseException:
            storage.invalidate()
            raise

    def _insert(self, record: dict) -> None:
        name = shard_name(record["article"])
        storage = self._loaded(name)
        self._guarded(storage, lambda: Table(storage, ANNOTATIONS).insert(record))
        self._after_write(name, storage)

    def _replace(self, name: str, doc_id: int, record: dict) -> None:
        storage = self._loaded(name)

        def replace(doc: dict) -> None:
            doc.clear()
            doc.update(record)

        self._guarded(storage, lambda: Table(storage, ANNOTATIONS).update(replace, doc_ids=[doc_id]))
        self._after_write(name, storage)

    def _remove(self, name: str, doc_id: int) -> None:
        storage = self._loaded(name)
        self._guarded(storage, lambda: Table(storage, ANNOTATIONS).remove(doc_ids=[doc_id]))
        self._after_write(name, storage)

    def _after_write(self, name: str, storage: _FileStorage) -> None:
        if self._index is not None:
            self._reindex(name, storage)

    @contextmanager
    def batch(self) -> Iterator["AnnotationStore"]:
        """Many operations under one hold of the lock (an import of thousands of records).

        The id index is brought up to date once; inside, a lookup that misses is answered from it
        instead of re-checking every shard (no other process can write while we hold the lock). That
        turns an import into one save per changed record: ~20 ms per new id at 100,000 stored
        annotations without it. Each save is still durable when it returns; a crash mid-batch leaves
        the records saved so far, and running the import again completes it.
        """
        with self._mutex, self._writing():
            corrupt = self._refresh_index()
            if corrupt:
                raise corrupt[0]
            self._batch_depth += 1
            try:
                yield self
            finally:
                self._batch_depth -= 1

    # ---------------------------------------------------------------------------- annotations

    @_synchronized
    def add(self, *, article: str, start: int | None = None, end: int | None = None, quote: str = "",
            prefix: str = "", suffix: str = "", tags: Iterable[str] = (), note: str = "",
            fingerprint: str = "") -> dict:
        """Store a new annotation; return it once it is on disk."""
        record = records.make_record(article=article, start=start, end=end, quote=quote, prefix=prefix,
                                     suffix=suffix, tags=tags, note=note, fingerprint=fingerprint)
        with self._writing():
            self._insert(record)
        return _copy(record)

    @_synchronized
    def add_record(self, record: dict) -> dict:
        """Store a full record as it is; DuplicateId if its id is already stored."""
        record = _clean(record)
        with self._writing():
            if self._locate(record["id"]) is not None:
                raise DuplicateId(f"an annotation with id {record['id']} already exists")
            self._insert(record)
        return _copy(record)

    @_synchronized
    def update(self, annotation_id: str, **changes: Any) -> dict:
        """Change some of tags, note, start, end, quote, prefix, suffix, fingerprint; bump ``updated``."""
        unknown = sorted(set(changes) - CHANGEABLE)
        if unknown:
            raise RecordError(f"cannot change {', '.join(unknown)} (only {', '.join(sorted(CHANGEABLE))})")
        with self._writing():
            found = self._locate(annotation_id)
            if found is None:
                raise NotFound(f"no annotation with id {annotation_id}")
            name, doc_id, doc = found
            new = dict(doc)
            new.update(changes)
            if "tags" in changes:
                if isinstance(changes["tags"], str):
                    raise RecordError("tags must be a list of tags, not one string")
                new["tags"] = records.normalise_tags(changes["tags"])
            new["updated"] = records.now_iso()
            new = records.validate(new)
            self._replace(name, doc_id, new)
        return _copy(new)

    @_synchronized
    def delete(self, annotation_id: str) -> dict:
        """Remove an annotation; return it so that the caller can ``restore`` it."""
        with self._writing():
            found = self._locate(annotation_id)
            if found is None:
                raise NotFound(f"no annotation with id {annotation_id}")
            name, doc_id, doc = found
            old = _copy(doc)
            self._remove(name, doc_id)
        return old

    @_synchronized
    def restore(self, record: dict) -> dict:
        """Undo a delete: store exactly this record again (same id and timestamps)."""
        record = _clean(record)
        with self._writing():
            found = self._locate(record["id"])
            if found is not None:
                if found[2] == record:
                    return _copy(record)
                raise DuplicateId(f"an annotation with id {record['id']} already exists with other content")
            self._insert(record)
        return _copy(record)

    @_synchronized
    def upsert(self, record: dict) -> str:
        """Import by id: ``"added"``, ``"updated"`` (replaced by ``record``) or ``"unchanged"``."""
        record = _clean(record)
        with self._writing():
            found = self._locate(record["id"])
            if found is None:
                self._insert(record)
                return "added"
            name, doc_id, doc = found
            if doc == record:
                return "unchanged"
            if name == shard_name(record["article"]):
                self._replace(name, doc_id, record)
            else:
                # Moving to another article's shard: write the new copy first, so that a crash in
                # between leaves a duplicate (reported by check()) rather than nothing.
                self._insert(record)
                again = self._find_in(self._loaded(name), record["id"])
                if again is not None:
                    self._remove(name, again[0])
            return "updated"

    @_synchronized
    def get(self, annotation_id: str) -> dict | None:
        self._check_db()
        found = self._locate(annotation_id)
        return _copy(found[2]) if found else None

    @_synchronized
    def all(self) -> list[dict]:
        """Every annotation, sorted by (article, start with whole-article records first, created)."""
        self._check_db()
        out = [_copy(doc) for _, storage in self._all_shards() for doc in self._docs(storage).values()]
        out.sort(key=_sort_key)
        return out

    @_synchronized
    def by_article(self, article: str) -> list[dict]:
        self._check_db()
        storage = self._loaded(shard_name(article))
        out = [_copy(doc) for doc in self._docs(storage).values() if doc["article"] == article]
        out.sort(key=_sort_key)
        return out

    def by_tag(self, tag: str) -> list[dict]:
        wanted = records.normalise_tag(tag).casefold()
        return [r for r in self.all() if any(t.casefold() == wanted for t in r["tags"])]

    def find_text(self, text: str) -> list[dict]:
        """Case-insensitive substring of the quote, the note or a tag."""
        needle = text.casefold()
        return [r for r in self.all()
                if needle in r["quote"].casefold() or needle in r["note"].casefold()
                or any(needle in t.casefold() for t in r["tags"])]

    def articles(self) -> list[str]:
        return sorted(self.counts())

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(r["article"] for r in self.all()).items()))

    def tag_counts(self) -> dict[str, int]:
        """Tag -> number of annotations, tags compared case-insensitively, shown in their commonest spelling."""
        totals: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = {}
        for record in self.all():
            for tag in record["tags"]:
                key = tag.casefold()
                totals[key] += 1
                spellings.setdefault(key, Counter())[tag] += 1
        shown = {key: spellings[key].most_common(1)[0][0] for key in totals}
        return {shown[key]: totals[key] for key in sorted(totals, key=lambda k: (-totals[k], shown[k]))}

    def rename_tag(self, old: str, new: str) -> int:
        return self.merge_tags([old], new)

    @_synchronized
    def merge_tags(self, sources: Iterable[str], target: str) -> int:
        """Replace every tag in ``sources`` by ``target`` (case-insensitively); return records changed."""
        wanted = {records.normalise_tag(s).casefold() for s in sources} - {""}
        target = records.normalise_tag(target)
        if not target:
            raise RecordError("the new tag is empty")
        if not wanted:
            return 0
        folded = target.casefold()
        changed = 0
        with self._writing():
            shards = list(self._all_shards())  # every shard parses before anything is changed
            stamp = records.now_iso()
            for name, storage in shards:
                new_docs: dict[int, dict] = {}
                for doc_id, doc in self._docs(storage).items():
                    if not any(t.casefold() in wanted for t in doc["tags"]):
                        continue
                    tags = [target if t.casefold() in wanted or t.casefold() == folded else t
                            for t in doc["tags"]]
                    tags = records.normalise_tags(tags)
                    if tags != doc["tags"]:
                        new_docs[int(doc_id)] = records.validate({**doc, "tags": tags, "updated": stamp})
                if not new_docs:
                    continue

                by_id = {n["id"]: n for n in new_docs.values()}

                def replace(doc: dict, by_id: dict = by_id) -> None:
                    new = by_id[doc["id"]]
                    doc.clear()
                    doc.update(new)

                self._guarded(storage, lambda storage=storage, replace=replace, ids=list(new_docs):
                              Table(storage, ANNOTATIONS).update(replace, doc_ids=ids))
                self._after_write(name, storage)
                changed += len(new_docs)
        return changed

    # ---------------------------------------------------------------------------- reading state

    @_synchronized
    def get_state(self, article: str) -> dict:
        """``{"position": int, "read": bool, "opened": iso str | None}``; defaults for an unseen article."""
        self._check_db()
        storage = self._loaded(shard_name(article))
        for doc in self._docs(storage, STATE).values():
            if doc.get("article") == article:
                return {key: doc.get(key, default) for key, default in STATE_DEFAULTS.items()}
        return dict(STATE_DEFAULTS)

    @_synchronized
    def set_state(self, article: str, **fields: Any) -> dict:
        """Set some of position, read, opened; return the whole new state."""
        unknown = sorted(set(fields) - set(STATE_DEFAULTS))
        if unknown:
            raise RecordError(f"unknown state field {', '.join(unknown)} (position, read, opened)")
        if not isinstance(article, str) or not article:
            raise RecordError("article is empty")
        if "position" in fields:
            position = fields["position"]
            if isinstance(position, bool) or not isinstance(position, int) or position < 0:
                raise RecordError(f"position must be an offset of 0 or more, not {position!r}")
        if "read" in fields and not isinstance(fields["read"], bool):
            raise RecordError(f"read must be true or false, not {fields['read']!r}")
        if "opened" in fields and fields["opened"] is not None and not isinstance(fields["opened"], str):
            raise RecordError(f"opened must be an ISO 8601 time, not {type(fields['opened']).__name__}")
        name = shard_name(article)
        with self._writing():
            storage = self._loaded(name)
            table = Table(storage, STATE)
            current = None
            for doc_id, doc in self._docs(storage, STATE).items():
                if doc.get("article") == article:
                    current = (int(doc_id), doc)
                    break
            state = {"article": article, **STATE_DEFAULTS}
            if current:
                state.update({k: current[1].get(k, v) for k, v in STATE_DEFAULTS.items()})
            state.update(fields)
            if current is None:
                self._guarded(storage, lambda: table.insert(state))
            else:
                def replace(doc: dict) -> None:
                    doc.clear()
                    doc.update(state)
                self._guarded(storage, lambda: table.update(replace, doc_ids=[current[0]]))
        return {key: state[key] for key in STATE_DEFAULTS}

    # ---------------------------------------------------------------------------- health

    @_synchronized
    def check(self) -> list[str]:
        """Parse every file and check every record; a list of problems, one sentence each (empty = fine)."""
        problems: list[str] = []
        try:
            self._check_db()
        except StoreError as exc:
            problems.append(str(exc))
        try:
            names = self._shard_names()
        except StoreError as exc:
            return problems + [str(exc)]
        seen: dict[str, str] = {}
        for name in names:
            try:
                storage = self._loaded(name)
            except StoreError as exc:
                problems.append(str(exc))
                continue
            where = self.shard_dir / name
            for doc_id, doc in self._docs(storage).items():
                try:
                    records.validate(doc)
                except RecordError as exc:
                    problems.append(f"{where}: record {doc.get('id', doc_id)} is not valid ({exc})")
                    continue
                if shard_name(doc["article"]) != name:
                    problems.append(f"{where}: record {doc['id']} belongs to article {doc['article']!r}, "
                                    f"whose file is {shard_name(doc['article'])}")
                if doc["id"] in seen:
                    problems.append(f"annotation {doc['id']} is stored twice ({seen[doc['id']]} and {name})")
                seen.setdefault(doc["id"], name)
        return problems
