"""The annotation store: durable, locked, sharded storage on TinyDB.

This is the only module that imports ``tinydb``. Layout on disk, for ``--db annotations/annotations.json``::

    annotations/annotations.json        the manifest: table ``_meta`` = {"format": "reader-db", "version": 1}
    annotations/annotations.json.lock   the inter-process lock (filelock)
    annotations/annotations.json.lock.turn  a starved writer's claim on the next turn (see _acquire_fairly)
    annotations/annotations.d/          the records, in TinyDB files of at most CHUNK_MAX records per article:
        0123456789abcdef0123.json       chunk 0 of an article, named sha1(article id)[:20]: tables
                                        ``annotations`` (the records) and ``state`` (reading position)
        0123456789abcdef0123.1.json     chunk 1, 2, ... once the ones before are full (annotations only)
    annotations/annotations.index/      the persistent id index: ``2a.json`` maps every annotation id whose
        2a.json, complete.json          sha1's first byte is 0x2a modulo 64 to the chunk(s) holding it; ``complete.json``
                                        says the index covers every chunk (else it is rebuilt under the lock)
    annotations/annotations.backup/     the last BACKUP_KEEP good versions of every file the store replaced
        0123456789abcdef0123/<ns>.json  (hard links to the replaced inode: a backup costs no copy)
    annotations/annotations.journal.json  a tag rename/merge in progress; the next writer finishes it

Why it is built this way (measured with tinydb 4.9.0):

* TinyDB's ``JSONStorage`` rewrites its file in place, so a crash can leave it unreadable. ``_FileStorage``
  serialises with orjson first (records were checked by ``records.validate``, because orjson would quietly
  turn NaN into null) and then swaps the file in with ``fsutil.atomic_write``.
* TinyDB has no locking, caches its next doc id and its query results per instance, and reuses doc ids
  after deletes. Every read-modify-write here runs under ``filelock`` and works on a *fresh* ``Table``
  over storage that was re-checked against the disk inside the lock. Identity is the record's ``id``
  (a UUID); TinyDB's doc ids are only used for the moment between finding a record and changing it.
* A save costs time in proportion to the file it rewrites, so the data is split per article and each
  article into chunks of at most CHUNK_MAX records: a save rewrites one bounded chunk (plus one index
  shard for a new id) whatever the total and however it is spread. Today's one-file-per-article layout
  is chunk 0 of the new one, so old databases open as they are; the first write splits an old file
  over CHUNK_MAX into chunks (copies first, then the removal: a crash leaves copies, never a loss).
* The id index is written *before* a record lands in a chunk and cleaned only after it left one, so it
  never misses a stored id: a lookup reads one index shard and the chunk it names, never every chunk.
* Damage is contained: a chunk that does not parse, or holds a record that fails the checks, is named in
  ``damage``, left byte-for-byte untouched and refuses writes; its records are shown from its newest good
  backup when there is one (ids in ``from_backup``); every other chunk reads and writes as usual.

Parsed files are cached by their stat stamp (mtime_ns, size, inode). A stamp alone cannot prove that a
file is unchanged when it was written very recently: timestamps are coarse (one kernel tick) and a freed
inode is often reused by the very next file, so two saves of equal size within one tick can look alike
(git's "racy clean" problem). A stamp therefore counts as proof only once the file is older than
``RACY_NS``; a younger file has its bytes compared with the bytes we parsed.
"""

from __future__ import annotations

import errno
import contextlib
import functools
import hashlib
import os
import random
import shutil
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

from . import fsutil, limits, records
from .records import RecordError

__all__ = [
    "AnnotationStore", "StoreError", "CorruptDatabase", "StoreLocked", "ReadOnlyDatabase", "DiskFull",
    "NotFound", "StoreWriteError", "DuplicateId", "RecordError", "shard_name", "shard_dir_for", "chunk_name",
]

FORMAT = "reader-db"
VERSION = 1
META_TABLE = "_meta"
ANNOTATIONS = "annotations"
STATE = "state"
RACY_NS = 2_000_000_000          # a stamp younger than this is checked against the bytes (FAT has 2 s mtimes)
CHUNK_MAX = 500                # records per chunk file: the bound on what one save rewrites
INDEX_SHARDS = 64              # id index shards: few enough files per batch flush, small enough per save
BACKUP_KEEP = 5                # good versions kept per file ...
BACKUP_BYTES = 32 * 1024 * 1024  # ... and at most this many bytes of them per file (the newest is always kept)
SLICE_S = 0.25                 # batch(): the lock is held at most about this long at a time ...
SLICE_MIN_OPS = 16             # ... but does at least this many operations, however slow the disk
TURN_AFTER_S = 0.05            # a writer that waited this long for the lock claims the next turn
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


def article_key(article: str) -> str:
    return hashlib.sha1(article.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def chunk_name(key: str, n: int) -> str:
    """Chunk ``n`` of the article whose key is ``key``: chunk 0 is today's one shard per article."""
    return f"{key}.json" if n == 0 else f"{key}.{n}.json"


def chunk_key(name: str) -> str:
    return name.split(".", 1)[0]


def _stem(path: Path) -> str:
    return path.name[:-len(".json")] if path.name.endswith(".json") and len(path.name) > 5 else path.name


def shard_dir_for(path: Path | str) -> Path:
    """``annotations/annotations.json`` → ``annotations/annotations.d``."""
    path = Path(path)
    return path.with_name(_stem(path) + ".d")


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
                start, end = doc.get("start"), doc.get("end")
                if (start is None) != (end is None) or (start is not None and not 0 <= start <= end):
                    return f"record {doc['id']} has bad offsets {start}..{end}"
    return None


def _check_index(data: Any) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("ids"), dict):
        return "it is not an index shard"
    for key, chunks in data["ids"].items():
        if not isinstance(chunks, list) or not all(isinstance(c, str) for c in chunks):
            return f"entry {key!r} is not a list of chunks"
    return None


def _check_marker(data: Any) -> str | None:
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("damaged"), list):
        return "it is not an index marker of this version"
    return None


def _check_journal(data: Any) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("mapping"), dict) or not isinstance(data.get("stamp"), str):
        return "it is not a tag journal"
    return None


# ------------------------------------------------------------------------------------------ storage

class _FileStorage(Storage):
    """A TinyDB Storage over one JSON file: orjson, atomic durable writes, a parse cache by stat stamp.

    ``refresh()`` brings the cache in line with the disk and is called by the store before every use;
    ``read()`` then answers from the cache, so TinyDB's several reads within one operation cost nothing.
    TinyDB mutates the dict that ``read()`` returned before it calls ``write()``; if the write fails the
    cache is dropped, so memory never holds what the disk does not.
    """

    def __init__(self, path: Path, check: Callable[[Any], str | None], owner: "AnnotationStore | None" = None,
                 backup: bool = True):
        super().__init__()
        self.path = path
        self._check = check
        self._owner = owner                  # the store: its batch defers writes, its backups keep old versions
        self._backup = backup
        self.dirty = False                   # batch(): the cache holds a version not yet on disk
        self._fresh = -1                     # the store's lock generation in which the cache was last checked
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
        owner = self._owner
        if owner is not None and owner._deferring:
            self._data, self._known = data, True
            if not self.dirty:
                self.dirty = True
                owner._dirty.append(self)
            self.version += 1
            return
        self.flush(data)

    def flush(self, data: dict | None = None) -> None:
        """Write ``data`` (by default the deferred cache) durably; on failure the cache is dropped."""
        data = self._data if data is None else data
        self.dirty = False
        try:
            raw = orjson.dumps(data)
        except (orjson.JSONEncodeError, TypeError) as exc:
            self.invalidate()
            raise RecordError(f"the annotation cannot be stored as JSON: {exc}") from exc
        kept = None
        try:
            if self._backup and self._owner is not None and self._raw is not None:
                kept = self._owner._keep_backup(self.path)
            fsutil.atomic_write(self.path, raw)
            stamp = _stamp(os.stat(self.path))
        except OSError:
            self.invalidate()
            if kept is not None:
                try:
                    kept.unlink()  # nothing was replaced: no new backup either
                except OSError:
                    pass
            raise
        self._data, self._raw, self._stamp, self._known = data, raw, stamp, True
        self.version += 1

    def close(self) -> None:
        pass

    # -- cache control
    def invalidate(self) -> None:
        self._data = self._raw = self._stamp = None
        self._known = False
        self.dirty = False
        self._fresh = -1
        self.version += 1

    @property
    def exists(self) -> bool:
        return self._data is not None

    def refresh(self) -> None:
        """Make the cache match the file; raise CorruptDatabase if it does not parse."""
        owner = self._owner
        if self.dirty or (owner is not None and owner._held and self._fresh == owner._generation and self._known):
            return  # ours and not yet written, or already checked while we hold the lock: nobody else wrote
        if owner is not None and owner._held:
            self._fresh = owner._generation
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
    """A caller's full record, checked: only the known fields, every one valid and within the limits."""
    if not isinstance(record, dict):
        raise RecordError(f"a record must be a mapping, not {type(record).__name__}")
    unknown = sorted(str(key) for key in record if key not in records.FIELDS and key not in records.OPTIONAL)
    if unknown:
        raise RecordError(f"record has unknown field {', '.join(unknown)}")
    return limits.check(records.validate(record))


def _synchronized(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._mutex:
            return method(self, *args, **kwargs)
    return wrapper


def _index_shard(annotation_id: str) -> str:
    digest = hashlib.sha1(annotation_id.encode("utf-8", "surrogatepass")).digest()
    return f"{digest[0] % INDEX_SHARDS:02x}.json"


def _map_tags(tags: list[str], mapping: dict[str, str]) -> list[str]:
    """Tags renamed by ``mapping`` (casefolded old -> new); a record it touches gets each new tag's spelling."""
    if not any(t.casefold() in mapping for t in tags):
        return tags
    spelling = {new.casefold(): new for new in mapping.values()}
    return records.normalise_tags(mapping.get(t.casefold()) or spelling.get(t.casefold(), t) for t in tags)


class AnnotationStore:
    """Annotations and reading state, stored durably; see the module docstring for the layout."""

    def __init__(self, path: Path | str, *, readonly: bool = False, lock_timeout: float = 10.0):
        self.path = Path(path)
        self.readonly = readonly
        self.shard_dir = shard_dir_for(self.path)
        stem = _stem(self.path)
        self.index_dir = self.path.with_name(stem + ".index")
        self.backup_dir = self.path.with_name(stem + ".backup")
        self.journal_path = self.path.with_name(stem + ".journal.json")
        self.lock_path = Path(str(self.path) + ".lock")
        self._lock = filelock.FileLock(str(self.lock_path), timeout=lock_timeout, thread_local=False)
        self._mutex = threading.RLock()
        self._manifest = _FileStorage(self.path, _check_manifest, self)
        self._marker = _FileStorage(self.index_dir / "complete.json", _check_marker, self, backup=False)
        self._journal = _FileStorage(self.journal_path, _check_journal, self, backup=False)
        self._shards: dict[str, _FileStorage] = {}
        self._ix: dict[str, _FileStorage] = {}
        self._last_chunk: dict[str, int] = {}
        self._cleaned = False
        # the lock and batch() state
        self._held = False
        self._generation = 0
        self._deferring = False
        self._dirty: list[_FileStorage] = []
        self._drops: list[tuple[str, str]] = []      # (id, chunk) to take out of the index once chunks are written
        self._batch_depth = 0
        self._slice_start = 0.0
        self._write_cost = 0.002   # seconds per durable file write, learnt from each batch flush
        #: the longest time this instance held the lock, in seconds (benchmarks print it)
        self.longest_hold = 0.0
        #: chunk file name -> why it cannot be read; filled by every read that met it
        self.damage: dict[str, str] = {}
        self._backup_ids: dict[str, set[str]] = {}   # damaged chunk -> ids shown from its backup
        #: one sentence per thing the store did on its own (a tag rename finished after a crash)
        self.notices: list[str] = []

    @property
    def lock_timeout(self) -> float:
        """Seconds a write waits for another process's lock before StoreLocked (settable)."""
        return self._lock.timeout

    @lock_timeout.setter
    def lock_timeout(self, seconds: float) -> None:
        self._lock.timeout = seconds

    def __repr__(self) -> str:
        return f"AnnotationStore({str(self.path)!r}{', readonly=True' if self.readonly else ''})"

    # ---------------------------------------------------------------------------- internals: files

    def _shard(self, name: str) -> _FileStorage:
        storage = self._shards.get(name)
        if storage is None:
            storage = self._shards[name] = _FileStorage(self.shard_dir / name, _check_shard, self)
        return storage

    def _index_storage(self, name: str) -> _FileStorage:
        storage = self._ix.get(name)
        if storage is None:
            storage = self._ix[name] = _FileStorage(self.index_dir / name, _check_index, self, backup=False)
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

    def _chunks_of(self, key: str) -> list[str]:
        """The chunk files of an article that exist, in order (chunks are never removed, so they are contiguous)."""
        out, n = [], 0
        while (self.shard_dir / chunk_name(key, n)).exists() or self._shard(chunk_name(key, n)).dirty:
            out.append(chunk_name(key, n))
            n += 1
        return out

    def _check_db(self) -> None:
        """Every operation starts here: the manifest, if present, must be a reader database."""
        self._manifest.refresh()

    def _loaded(self, name: str) -> _FileStorage:
        storage = self._shard(name)
        try:
            storage.refresh()
        except CorruptDatabase as exc:
            self.damage[name] = str(exc)
            raise
        self.damage.pop(name, None)
        return storage

    @property
    def from_backup(self) -> set[str]:
        """Ids of records shown from a backup because their chunk is damaged (read-only)."""
        return set().union(*self._backup_ids.values()) if self._backup_ids else set()

    def _readable(self, names: Iterable[str]) -> Iterator[tuple[str, dict[str, dict]]]:
        """(chunk, its annotations) for every chunk; a damaged one yields its newest good backup, if any."""
        for name in names:
            try:
                docs = self._docs(self._loaded(name))
            except CorruptDatabase:
                backup = self._good_backup(name)
                docs = (backup or {}).get(ANNOTATIONS, {})
                self._backup_ids[name] = {doc["id"] for doc in docs.values()}
                yield name, docs
                continue
            self._backup_ids.pop(name, None)
            yield name, docs

    def _all_shards(self) -> Iterator[tuple[str, _FileStorage]]:
        """Every chunk, refreshed; the first one that does not parse raises (for all-or-nothing writes)."""
        names = self._shard_names()
        for gone in set(self._shards) - set(names):
            if not self._shards[gone].dirty:
                self._shards[gone].refresh()  # now missing: empties the cache
        for name in names:
            yield name, self._loaded(name)

    @staticmethod
    def _docs(storage: _FileStorage, table: str = ANNOTATIONS) -> dict[str, dict]:
        data = storage.read()
        return (data or {}).get(table, {})

    # ---------------------------------------------------------------------------- internals: id index

    def _index_complete(self) -> bool:
        try:
            self._marker.refresh()
        except CorruptDatabase:
            return False
        return self._marker.exists

    def _index_entry(self, annotation_id: str) -> list[str]:
        storage = self._index_storage(_index_shard(annotation_id))
        storage.refresh()
        return list(((storage.read() or {}).get("ids") or {}).get(annotation_id, ()))

    def _index_add(self, annotation_id: str, chunk: str) -> None:
        """Before ``chunk`` receives the id: the index may name a chunk too many, never one too few."""
        storage = self._index_storage(_index_shard(annotation_id))
        storage.refresh()
        data = storage.read() or {"ids": {}}
        chunks = data["ids"].setdefault(annotation_id, [])
        if chunk in chunks:
            return
        chunks.append(chunk)
        self._guarded(storage, lambda: storage.write(data))

    def _index_drop(self, annotation_id: str, chunk: str) -> None:
        """After ``chunk`` lost the id (in a batch: after the chunks were written)."""
        if self._deferring:
            self._drops.append((annotation_id, chunk))
            return
        storage = self._index_storage(_index_shard(annotation_id))
        storage.refresh()
        data = storage.read()
        chunks = ((data or {}).get("ids") or {}).get(annotation_id)
        if not chunks or chunk not in chunks:
            return
        chunks.remove(chunk)
        if not chunks:
            del data["ids"][annotation_id]
        self._guarded(storage, lambda: storage.write(data))

    def _split_old_chunk(self, key: str) -> None:
        """Under the lock, before the index is built: an old one-file article over CHUNK_MAX gets chunks.

        The records after the first CHUNK_MAX are written to new chunks 1, 2, … first, and only then removed
        from chunk 0, so a crash in between leaves copies (reads show each id once) and never a loss; the
        next writer finds the index still incomplete, comes back here and finishes the removal."""
        first = chunk_name(key, 0)
        storage = self._loaded(first)
        data, table = self._table(storage)
        if len(table) <= CHUNK_MAX:
            return
        later: set[str] = set()
        n = 1
        while (self.shard_dir / chunk_name(key, n)).exists():
            later.update(doc["id"] for doc in self._docs(self._loaded(chunk_name(key, n))).values())
            n += 1
        if n == 1:  # not started: move everything after the first CHUNK_MAX records, in doc id order
            rest = [doc for _, doc in sorted(table.items(), key=lambda item: int(item[0]))][CHUNK_MAX:]
            for start in range(0, len(rest), CHUNK_MAX):
                chunk = self._shard(chunk_name(key, 1 + start // CHUNK_MAX))
                chunk.invalidate()
                part = {ANNOTATIONS: {str(i + 1): doc for i, doc in enumerate(rest[start:start + CHUNK_MAX])}}
                self._guarded(chunk, lambda chunk=chunk, part=part: chunk.flush(part))
            later = {doc["id"] for doc in rest}
        kept = {k: doc for k, doc in table.items() if doc["id"] not in later}
        if len(kept) != len(table):
            data[ANNOTATIONS] = kept
            self._guarded(storage, lambda: storage.flush(data))

    def _build_index(self) -> None:
        """Under the lock: index every chunk that parses (an old database, a deleted or damaged index)."""
        for name in self._shard_names():
            if name.count(".") == 1:  # chunk 0 of an article
                try:
                    self._split_old_chunk(chunk_key(name))
                except CorruptDatabase:
                    continue
        entries: dict[str, dict[str, list[str]]] = {}
        damaged = []
        for name in self._shard_names():
            try:
                docs = self._docs(self._loaded(name))
            except CorruptDatabase:
                damaged.append(name)
                continue
            for doc in docs.values():
                entries.setdefault(_index_shard(doc["id"]), {}).setdefault(doc["id"], []).append(name)
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            existing = {e.name for e in os.scandir(self.index_dir) if e.name.endswith(".json")} - {"complete.json"}
        except OSError as exc:
            raise _write_error(exc, self.index_dir) from exc
        for name in sorted(existing | set(entries)):
            storage = self._index_storage(name)
            storage.invalidate()
            data = {"ids": entries.get(name, {})}
            self._guarded(storage, lambda storage=storage, data=data: storage.flush(data))
        self._marker.invalidate()
        self._guarded(self._marker, lambda: self._marker.flush({"version": VERSION, "damaged": damaged}))

    def _ensure_index(self) -> None:
        """Under the lock: the index is complete, and chunks that were damaged when it was built are in it."""
        if not self._index_complete():
            self._build_index()
            return
        marker = self._marker.read()
        if not marker["damaged"]:
            return
        still = []
        for name in marker["damaged"]:
            try:
                docs = self._docs(self._loaded(name))
            except CorruptDatabase:
                still.append(name)
                continue
            for doc in docs.values():
                self._index_add(doc["id"], name)
        if still != marker["damaged"]:
            data = {"version": VERSION, "damaged": still}
            self._guarded(self._marker, lambda: self._marker.write(data))

    def _find_in(self, storage: _FileStorage, annotation_id: str) -> tuple[int, dict] | None:
        for doc_id, doc in self._docs(storage).items():
            if doc["id"] == annotation_id:
                return int(doc_id), doc
        return None

    def _locate(self, annotation_id: str) -> tuple[str, int, dict] | None:
        """(chunk, TinyDB doc id, stored doc) of an annotation, or None; doc ids are used at once, never kept."""
        if not isinstance(annotation_id, str):
            raise RecordError(f"an annotation id is text, not {type(annotation_id).__name__}")
        if self._index_complete():
            names = self._index_entry(annotation_id)
        else:
            names = self._shard_names()       # no index yet (an old database opened read-only): look everywhere
        corrupt: CorruptDatabase | None = None
        for name in names:
            try:
                found = self._find_in(self._loaded(name), annotation_id)
            except CorruptDatabase as exc:
                corrupt = corrupt or exc
                continue
            if found:
                return (name, *found)
        if corrupt is not None:
            raise corrupt  # the id may be in a file we cannot read: never answer "not there"
        return None

    # ---------------------------------------------------------------------------- internals: backups

    def _keep_backup(self, path: Path) -> Path | None:
        """Keep the version of ``path`` about to be replaced (a hard link: no copy), bounded per file."""
        folder = self.backup_dir / _stem(path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{time.time_ns()}.json"
            try:
                os.link(path, target)
            except FileNotFoundError:
                return None
            except OSError:
                shutil.copy2(path, target)        # a file system without hard links
            self._prune_backups(folder)
            return target
        except OSError:
            return None  # a backup is a convenience: never let it stop a save

    @staticmethod
    def _prune_backups(folder: Path) -> None:
        versions = sorted(((e.name, e.stat().st_size) for e in os.scandir(folder) if e.name.endswith(".json")),
                          reverse=True)
        total = 0
        for i, (name, size) in enumerate(versions):
            total += size
            if i >= BACKUP_KEEP or (i > 0 and total > BACKUP_BYTES):
                os.unlink(folder / name)

    def backups(self, name: str | None = None) -> list[dict[str, Any]]:
        """Kept versions, newest first: ``{"file", "version", "bytes", "time", "records"}`` (records None: damaged)."""
        out = []
        try:
            folders = [self.backup_dir / _stem(Path(name))] if name else sorted(self.backup_dir.iterdir())
        except OSError:
            return []
        for folder in folders:
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
            except OSError:
                continue
            for entry in entries:
                if not entry.name.endswith(".json"):
                    continue
                data = self._parse_backup(Path(entry.path), folder.name + ".json")
                stamp = entry.name.split(".")[0]
                out.append({"file": folder.name + ".json", "version": entry.name[:-len(".json")],
                            "bytes": entry.stat().st_size,
                            "time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(stamp) / 1e9))
                            if stamp.isdigit() else "",
                            "records": None if data is None else len((data or {}).get(ANNOTATIONS, {}))})
        return out

    def _parse_backup(self, path: Path, name: str) -> dict | None:
        check = _check_manifest if name == self.path.name else _check_shard
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        return None if check(data) else data

    def _good_backup(self, name: str) -> dict | None:
        folder = self.backup_dir / _stem(Path(name))
        try:
            versions = sorted((e.name for e in os.scandir(folder) if e.name.endswith(".json")), reverse=True)
        except OSError:
            return None
        for version in versions:
            data = self._parse_backup(folder / version, name)
            if data is not None:
                return data
        return None

    @_synchronized
    def restore_backup(self, name: str, version: str) -> int:
        """Bring back a kept version of a file; the current one is kept as a backup first (even if damaged).

        Returns the number of records in the version brought back."""
        if "/" in name or name.startswith(".") or "/" in version or version.startswith("."):
            raise StoreError(f"no backup {name}/{version}")
        source = self.backup_dir / _stem(Path(name)) / f"{version}.json"
        if not source.is_file():
            raise StoreError(f"no backup {version} of {name} (see `reader restore` for the list)")
        data = self._parse_backup(source, name)
        if data is None:
            raise StoreError(f"backup {name}/{version} does not parse either; pick another version")
        target = self.path if name == self.path.name else self.shard_dir / name
        if target == self.path:
            return self._restore_manifest(source, data)
        with self._writing():
            if target.exists():
                self._keep_backup(target)  # current bytes, damaged or not, stay recoverable
            try:
                fsutil.atomic_write(target, source.read_bytes())
            except OSError as exc:
                raise _write_error(exc, target) from exc
            storage = self._manifest if target == self.path else self._shard(name)
            storage.invalidate()
            if target != self.path:
                for doc in self._docs(self._loaded(name)).values():
                    self._index_add(doc["id"], name)
        return len(data.get(ANNOTATIONS, {}))

    def _restore_manifest(self, source: Path, data: dict) -> int:
        """The manifest is what every write checks first, so a damaged one is restored under the bare lock."""
        if self.readonly:
            raise ReadOnlyDatabase(f"the database {self.path} was opened read-only; nothing was changed")
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreLocked(f"the database is locked by another process ({self.lock_path}); try again") from None
        try:
            if self.path.exists():
                self._keep_backup(self.path)
            fsutil.atomic_write(self.path, source.read_bytes())
        except OSError as exc:
            raise _write_error(exc, self.path) from exc
        finally:
            self._lock.release()
        self._manifest.invalidate()
        return 0

    # ---------------------------------------------------------------------------- internals: writing

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the inter-process lock, with every cache re-checked against the disk inside it.

        Inside ``batch()`` the lock is kept across operations and writes are deferred until the slice
        ends (after about SLICE_S), when every touched file is written once."""
        if self.readonly:
            raise ReadOnlyDatabase(f"the database {self.path} was opened read-only; nothing was changed")
        if not self._held:
            self._acquire()
        self._wdepth += 1
        try:
            yield
        except BaseException:
            self._wdepth -= 1
            if not self._wdepth:
                self._end_slice()  # what earlier operations of the slice did is written, then the lock goes
            raise
        self._wdepth -= 1
        if not self._wdepth and (not self._batch_depth or self._slice_due()):
            self._end_slice()

    def _slice_due(self) -> bool:
        """End the slice when the time so far plus writing what is dirty would pass SLICE_S.

        A slice always does SLICE_MIN_OPS operations first: when the disk is slow (fsync taking tens of ms)
        the projection alone would end every slice after one record, and an import would fsync per record."""
        self._slice_ops += 1
        if self._slice_ops < SLICE_MIN_OPS:
            return False
        return time.monotonic() - self._slice_start + len(self._dirty) * self._write_cost > SLICE_S

    _wdepth = 0

    def _acquire(self) -> None:
        self._check_db()  # refuse before creating anything next to a file that is not ours
        try:
            for folder in (self.path.parent, self.shard_dir):
                if not folder.is_dir():
                    folder.mkdir(parents=True, exist_ok=True)
                    fsutil.fsync_dir(folder.parent)
        except OSError as exc:
            raise _write_error(exc, self.shard_dir) from exc
        try:
            self._acquire_fairly()
        except filelock.Timeout:
            raise StoreLocked(f"the database is locked by another process ({self.lock_path}); try again") from None
        except OSError as exc:
            raise _write_error(exc, self.lock_path) from exc
        self._held = True
        self._generation += 1
        self._slice_start = time.monotonic()
        self._slice_ops = 0
        try:
            if not self._cleaned:
                # Temp files of writers that died mid-write; nobody else writes here while we hold the lock.
                for folder in (self.shard_dir, self.index_dir):
                    fsutil.remove_stale_temps(folder)
                self._remove_own_temps(self.path)
                self._remove_own_temps(self.journal_path)
                self._cleaned = True
            self._check_db()
            if not self._manifest.exists:
                self._guarded(self._manifest, lambda: self._manifest.flush(
                    {META_TABLE: {"1": {"format": FORMAT, "version": VERSION}}}))
            self._ensure_index()
            self._resume_journal()
            self._deferring = self._batch_depth > 0
        except BaseException:
            self._release()
            raise

    def _acquire_fairly(self) -> None:
        """Take the inter-process lock, waiting at most ``lock_timeout``; raises ``filelock.Timeout``.

        The lock itself is not fair: a process that saves in a loop takes it again a fraction of a
        millisecond after releasing it, while the others poll, so under load one of them could wait past
        its timeout. A process that has waited ``TURN_AFTER_S`` claims the next turn (``<lock>.turn`` holds
        its pid, created exclusively); while a live claim by another process stands, nobody else takes
        the lock, so the claimant gets it as soon as the holder lets go, then drops the claim. A claim
        left by a dead process, or older than the timeout, is ignored and removed."""
        timeout = self._lock.timeout
        start = time.monotonic()
        claimed = False
        pause = 0.001
        try:
            while True:
                if claimed or not self._turn_of_another():
                    try:
                        self._lock.acquire(timeout=0)
                        return
                    except filelock.Timeout:
                        pass
                waited = time.monotonic() - start
                if timeout >= 0 and waited >= timeout:
                    raise filelock.Timeout(str(self.lock_path))
                if not claimed and waited >= TURN_AFTER_S:
                    claimed = self._claim_turn()
                time.sleep(pause * (0.5 + random.random()))
                pause = min(pause * 2, 0.01)
        finally:
            if claimed:
                with contextlib.suppress(OSError):
                    os.unlink(self._turn_path)

    @property
    def _turn_path(self) -> str:
        return str(self.lock_path) + ".turn"

    def _claim_turn(self) -> bool:
        try:
            fd = os.open(self._turn_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError:
            return False  # someone else has the turn (or the folder is read-only): keep polling
        try:
            os.write(fd, str(os.getpid()).encode())
        finally:
            os.close(fd)
        return True

    def _turn_of_another(self) -> bool:
        """Whether another live process has claimed the next turn (a stale claim is removed)."""
        try:
            with open(self._turn_path, "rb") as f:
                raw = f.read(32)
            age = time.time() - os.stat(self._turn_path).st_mtime
        except OSError:
            return False
        try:
            pid = int(raw)
        except ValueError:
            pid = 0  # being written this instant, or garbage: trust it only while it is fresh
        if pid == os.getpid():
            return False
        if age > max(self._lock.timeout, 1.0) or (pid and not fsutil.pid_alive(pid)) or (not pid and age > 1.0):
            with contextlib.suppress(OSError):
                os.unlink(self._turn_path)
            return False
        return True

    def _release(self) -> None:
        self._deferring = False
        self._held = False
        self._lock.release()
        self.longest_hold = max(self.longest_hold, time.monotonic() - self._slice_start)

    def _end_slice(self) -> None:
        """Write every deferred file once (index first, then chunks, then index clean-ups); release the lock."""
        try:
            self._flush()
        finally:
            if self._held:
                self._release()

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, []
        drops, self._drops = self._drops, []
        self._deferring = False
        started = time.monotonic()
        try:
            for storage in sorted(dirty, key=lambda s: s.path.parent != self.index_dir):
                if storage.dirty:
                    self._guarded(storage, storage.flush)
            if dirty:
                cost = (time.monotonic() - started) / len(dirty)
                self._write_cost = 0.5 * self._write_cost + 0.5 * cost
        except BaseException:
            for storage in dirty:
                if storage.dirty:
                    storage.invalidate()
            raise
        for annotation_id, chunk in drops:
            self._index_drop(annotation_id, chunk)

    @staticmethod
    def _remove_own_temps(path: Path) -> None:
        """Stale temps of one file only: its folder may hold other programs' files (exports…)."""
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
        """Run one write; on failure the cache is dropped and the error is a StoreError."""
        try:
            return operation()
        except OSError as exc:
            storage.invalidate()
            raise _write_error(exc, storage.path) from exc
        except BaseException:
            storage.invalidate()
            raise

    def _target_chunk(self, key: str) -> str:
        """The chunk a new record of this article goes to: its last one, or a new one when that is full."""
        n = self._last_chunk.get(key, 0)
        if n and not (self.shard_dir / chunk_name(key, n - 1)).exists() and not self._shard(chunk_name(key, n - 1)).dirty:
            n = 0  # chunks were removed behind our back: find the end again
        while (self.shard_dir / chunk_name(key, n + 1)).exists() or self._shard(chunk_name(key, n + 1)).dirty:
            n += 1
        name = chunk_name(key, n)
        if len(self._docs(self._loaded(name))) >= CHUNK_MAX:
            n += 1
            name = chunk_name(key, n)
        self._last_chunk[key] = n
        return name

    # One record changes in a chunk of up to CHUNK_MAX: the document dict is edited in place, in TinyDB's
    # own file format, instead of through ``Table``, whose every write rebuilds the whole table (and
    # whose insert scans it for the next doc id): that made an import quadratic in the chunk size.

    def _table(self, storage: _FileStorage) -> tuple[dict, dict]:
        data = storage.read()
        if data is None:
            data = {}
        return data, data.setdefault(ANNOTATIONS, {})

    def _next_id(self, storage: _FileStorage, table: dict) -> int:
        cached = getattr(storage, "next_id", None)
        if cached is not None and cached[0] == storage.version:
            return cached[1]
        return max(map(int, table), default=0) + 1

    def _insert(self, record: dict) -> None:
        name = self._target_chunk(article_key(record["article"]))
        storage = self._loaded(name)
        self._index_add(record["id"], name)
        data, table = self._table(storage)
        doc_id = self._next_id(storage, table)

        def insert() -> None:
            table[str(doc_id)] = dict(record)
            storage.write(data)

        self._guarded(storage, insert)
        storage.next_id = (storage.version, doc_id + 1)

    def _replace(self, name: str, doc_id: int, record: dict) -> None:
        storage = self._loaded(name)
        data, table = self._table(storage)
        before = self._next_id(storage, table)

        def replace() -> None:
            table[str(doc_id)] = dict(record)
            storage.write(data)

        self._guarded(storage, replace)
        storage.next_id = (storage.version, before)

    def _remove(self, name: str, doc_id: int, annotation_id: str) -> None:
        storage = self._loaded(name)
        data, table = self._table(storage)

        def remove() -> None:
            del table[str(doc_id)]
            storage.write(data)

        self._guarded(storage, remove)
        self._index_drop(annotation_id, name)

    @contextmanager
    def batch(self) -> Iterator["AnnotationStore"]:
        """Many operations (an import of thousands of records) with each touched file written once per slice.

        The lock is taken at the first write and held for about SLICE_S; then every file changed in
        that slice is written once, durably, and the lock is let go so that other writers (a TUI save,
        ``reader annotate``) get their turn before the next slice. What a finished slice wrote is on
        disk; a crash loses at most the slice in progress, and running the import again completes it.
        """
        with self._mutex:
            self._batch_depth += 1
            try:
                yield self
            finally:
                self._batch_depth -= 1
                if not self._batch_depth and self._held:
                    self._end_slice()

    # ---------------------------------------------------------------------------- annotations

    @_synchronized
    def add(self, *, article: str, start: int | None = None, end: int | None = None, quote: str = "",
            prefix: str = "", suffix: str = "", tags: Iterable[str] = (), note: str = "",
            fingerprint: str = "") -> dict:
        """Store a new annotation; return it once it is on disk."""
        record = limits.check(records.make_record(article=article, start=start, end=end, quote=quote,
                                                  prefix=prefix, suffix=suffix, tags=tags, note=note,
                                                  fingerprint=fingerprint))
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
            new = limits.check(records.validate(new))
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
            self._remove(name, doc_id, annotation_id)
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
            if chunk_key(name) == article_key(record["article"]):
                self._replace(name, doc_id, record)
            else:
                # Moving to another article's chunk: write the new copy first, so that a crash in
                # between leaves a duplicate (reported by check()) rather than nothing.
                self._insert(record)
                again = self._find_in(self._loaded(name), record["id"])
                if again is not None:
                    self._remove(name, again[0], record["id"])
            return "updated"

    @_synchronized
    def get(self, annotation_id: str) -> dict | None:
        self._check_db()
        if self._batch_depth and not self.readonly:
            with self._writing():   # inside an import: look up under the slice's lock, caches already checked
                found = self._locate(annotation_id)
        else:
            found = self._locate(annotation_id)
        return _copy(found[2]) if found else None

    @_synchronized
    def all(self) -> list[dict]:
        """Every readable annotation (damaged chunks from their last good backup), sorted by (article, start, created)."""
        self._check_db()
        names = self._shard_names()
        for gone in set(self._shards) - set(names):
            if not self._shards[gone].dirty:
                self._shards[gone].refresh()
        for gone in set(self.damage) - set(names):
            del self.damage[gone]
        for gone in set(self._backup_ids) - set(names):
            del self._backup_ids[gone]
        unique = {doc["id"]: doc for _, docs in self._readable(names) for doc in docs.values()}
        out = [_copy(doc) for doc in unique.values()]  # an id twice: only after a crash mid-move, same record
        out.sort(key=_sort_key)
        return out

    @_synchronized
    def by_article(self, article: str) -> list[dict]:
        self._check_db()
        names = self._chunks_of(article_key(article))
        unique = {doc["id"]: doc for _, docs in self._readable(names) for doc in docs.values()
                  if doc["article"] == article}
        out = [_copy(doc) for doc in unique.values()]
        out.sort(key=_sort_key)
        return out

    def article_damage(self, article: str) -> list[str]:
        """Why this article is read-only (one sentence per damaged chunk met so far), or []."""
        key = article_key(article)
        return [message for name, message in sorted(self.damage.items()) if chunk_key(name) == key]

    def by_tag(self, tag: str) -> list[dict]:
        """The records with ``tag`` or one of its sub-tags (``codebook.record_has_tag``: the one rule)."""
        from reader.codebook import record_has_tag

        return [r for r in self.all() if record_has_tag(r, tag)]

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
        """Tag -> number of annotations, most used first (``records.count_tags``: the one rule)."""
        return records.count_tags(self.all())

    def rename_tag(self, old: str, new: str) -> int:
        return self.merge_tags([old], new)

    def merge_tags(self, sources: Iterable[str], target: str) -> int:
        """Replace every tag in ``sources`` by ``target`` (case-insensitively); return records changed."""
        target = records.normalise_tag(target)
        if not target:
            raise RecordError("the new tag is empty")
        return self.update_tags({s: target for s in sources})

    @_synchronized
    def update_tags(self, mapping: dict[str, str]) -> int:
        """Rename tags across the corpus (``{old: new}``, case-insensitive); return the records changed.

        Every chunk must parse first (else nothing changes). The mapping is journaled before the first
        chunk is written and the journal removed after the last: a crash in between is finished by the
        next writer of this database (see ``notices``), so the rename is never left half done."""
        folded: dict[str, str] = {}
        for old, new in mapping.items():
            old, new = records.normalise_tag(old), records.normalise_tag(new)
            if not new:
                raise RecordError("the new tag is empty")
            if old:
                folded[old.casefold()] = new
        if not folded:
            return 0
        with self._writing():
            list(self._all_shards())  # every chunk parses before anything is changed
            journal = {"mapping": folded, "stamp": records.now_iso()}
            self._journal.invalidate()
            self._guarded(self._journal, lambda: self._journal.flush(journal))
            changed = self._apply_tags(journal)
            self._finish_journal()
        return changed

    def _apply_tags(self, journal: dict) -> int:
        mapping, stamp = journal["mapping"], journal["stamp"]
        changed = 0
        for name, storage in list(self._all_shards()):
            new_docs: dict[int, dict] = {}
            for doc_id, doc in self._docs(storage).items():
                if doc.get("updated") == stamp:
                    continue  # done before the crash this journal survived: mapping twice could chain renames
                tags = _map_tags(doc["tags"], mapping)
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
            if self._deferring:
                self._guarded(storage, storage.flush)  # every chunk is on disk before the journal goes
            changed += len(new_docs)
        return changed

    def _finish_journal(self) -> None:
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise _write_error(exc, self.journal_path) from exc
        fsutil.fsync_dir(self.journal_path.parent)
        self._journal.invalidate()

    def _resume_journal(self) -> None:
        try:
            self._journal.refresh()
        except CorruptDatabase as exc:
            self.notices.append(f"{exc}; a tag rename may be unfinished")
            return
        journal = self._journal.read()
        if journal is None:
            return
        try:
            changed = self._apply_tags(journal)
        except CorruptDatabase as exc:
            self.notices.append(f"an interrupted tag rename cannot be finished yet: {exc}")
            return
        self._finish_journal()
        pairs = ", ".join(f"{old} -> {new}" for old, new in journal["mapping"].items() if old != new.casefold())
        self.notices.append(f"finished an interrupted tag rename ({pairs}): {changed} more annotations changed")

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
        indexed = self._index_complete()
        index_cache: dict[str, dict] = {}
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
                if chunk_key(name) != article_key(doc["article"]):
                    problems.append(f"{where}: record {doc['id']} belongs to article {doc['article']!r}, "
                                    f"whose file is {shard_name(doc['article'])}")
                if doc["id"] in seen:
                    problems.append(f"annotation {doc['id']} is stored twice ({seen[doc['id']]} and {name})")
                seen.setdefault(doc["id"], name)
                if indexed:
                    try:
                        shard = _index_shard(doc["id"])
                        if shard not in index_cache:
                            storage = self._index_storage(shard)
                            storage.refresh()
                            index_cache[shard] = (storage.read() or {}).get("ids") or {}
                        listed = index_cache[shard].get(doc["id"], ())
                    except CorruptDatabase as exc:
                        problems.append(f"{exc} (the id index is rebuilt by `reader doctor --repair`)")
                        indexed = False
                        continue
                    if name not in listed:
                        problems.append(f"the id index does not list annotation {doc['id']} in {name} "
                                        f"(run `reader doctor --repair`)")
                        indexed = False
        return problems

    def write_problem(self) -> str | None:
        """Why saving would fail now (one sentence), or None. A cheap probe, for announcing a read-only
        database when it is opened instead of at the first save: one empty file made and removed in each
        folder the store writes to (``fsutil.write_problem``), and the lock file, if there is one, must be
        writable. It says nothing about locks held by others, a full disk or damaged files."""
        if self.readonly:
            return f"the database {self.path} was opened read-only"
        for folder in dict.fromkeys((self.path.parent, self.shard_dir, self.index_dir, self.backup_dir)):
            problem = fsutil.write_problem(folder)
            if problem is not None:
                return problem
        if self.lock_path.exists() and not os.access(self.lock_path, os.W_OK):
            return f"permission denied: cannot write {self.lock_path}"
        return None

    def leftovers(self) -> list[Path]:
        """Temp files of writers that died mid-write (removed by the next write, or ``remove_leftovers``)."""
        found = []
        for folder in (self.shard_dir, self.index_dir, self.path.parent):
            try:
                found += [Path(e.path) for e in os.scandir(folder)
                          if e.name.startswith(".") and e.name.endswith(fsutil.TEMP_SUFFIX)
                          and (folder != self.path.parent or e.name.startswith((f".{self.path.name}.",
                                                                                f".{self.journal_path.name}.")))]
            except OSError:
                continue
        return sorted(found)

    @_synchronized
    def repair(self) -> list[str]:
        """Under the lock: remove temp leftovers, finish a journaled rename, rebuild the id index. What was done."""
        done = []
        with self._writing():
            for path in self.leftovers():
                try:
                    path.unlink()
                    done.append(f"removed the leftover {path}")
                except OSError:
                    pass
            self._build_index()
            done.append(f"rebuilt the id index in {self.index_dir}")
        done.extend(self.notices)
        return done
