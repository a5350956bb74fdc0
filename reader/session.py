"""One reading session: a corpus, its annotation store, its search index, and the saves still owed.

This is the core the TUI presents (it never imports Textual). Every change a user makes goes through
here. A save that the store refuses (the database is locked by another process, read-only, corrupt, or
the disk is full) is never dropped: the change is applied in memory, queued in ``pending``, shown as
unsaved, and ``retry_pending()`` writes it as soon as the database accepts it again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from reader.anchoring import Anchor, describe
from reader.living import Summary, reanchor
from reader.corpus import Article, Corpus
from reader.records import RecordError, count_tags, make_record, normalise_tags, now_iso
from reader.store import AnnotationStore, NotFound, StoreError


@dataclass
class Pending:
    """A change the store has not accepted yet: ``kind`` is "add", "update", "delete" or "state"."""

    kind: str
    record: dict[str, Any]
    error: str


@dataclass
class Outcome:
    """What happened to a change: ``saved`` once it is durably on disk, else the reason it is pending."""

    record: dict[str, Any]
    saved: bool
    error: str | None = None
    refused: bool = False   # never to be saved as it is (over a limit, a read-only damaged article): not queued


@dataclass
class Placed:
    """An annotation with where it sits in the article's current text."""

    record: dict[str, Any]
    anchor: Anchor
    saved: bool = True

    @property
    def start(self) -> int | None:
        return self.anchor.start

    @property
    def end(self) -> int | None:
        return self.anchor.end


@dataclass
class Session:
    corpus_root: Path
    db_path: Path
    corpus: Corpus | None = None  # the articles when there is no library (a Library owns its own corpus)
    store: AnnotationStore = field(init=False)
    pending: list[Pending] = field(default_factory=list)
    undo_stack: list[dict[str, Any]] = field(default_factory=list)
    annotator: str | None = None  # named on new annotations; None: records.default_annotator()
    _index: Any = None
    _lock: threading.RLock = field(default_factory=threading.RLock)
    library: Any = None  # a reader.library.Library: then the corpus, store and search index are its own
    last_reanchor: dict[str, Summary] = field(default_factory=dict)  # article id -> what re-anchoring did

    def __post_init__(self) -> None:
        self.corpus_root = Path(self.corpus_root)
        self.db_path = Path(self.db_path)
        if self.library is not None:
            self.store = self.library.store
        else:
            self.store = AnnotationStore(self.db_path)

    def attach_library(self, library) -> None:
        """The Library (catalogue, store, index) arrived after the session opened: it owns them from now
        on (its corpus, its store on the same database, its full-text index instead of one in memory)."""
        with self._lock:
            self.library = library
            self.store = library.store
            self.corpus = None
            self._index = None

    @property
    def current_corpus(self) -> Corpus | None:
        """The corpus as it is now: the library's (which replaces it on every change), or the one given."""
        return self.library.corpus if self.library is not None else self.corpus

    # --- loading ------------------------------------------------------------------------------------

    def check_database(self) -> list[str]:
        """Problems with the database files (empty when fine); nothing is modified."""
        return self.store.check()

    def write_problem(self) -> str | None:
        """Why changes cannot be saved now (the database is read-only), or None; see ``AnnotationStore.write_problem``."""
        return self.store.write_problem()

    @property
    def articles(self) -> list[Article]:
        corpus = self.current_corpus
        return corpus.articles if corpus else []

    def article(self, article_id: str) -> Article | None:
        corpus = self.current_corpus
        return corpus.get(article_id) if corpus else None

    def index(self):
        """The full-text index, built on first use (call it from a worker: it takes a moment at scale)."""
        from reader.search.index import SearchIndex

        if self.library is not None:
            if not self.library.index_ready:
                self.library.update_index()
            return _LibrarySearch(self)
        with self._lock:
            if self._index is None:
                self._index = SearchIndex.build(self.articles, annotations=self.all_annotations())
            return self._index

    @property
    def index_ready(self) -> bool:
        if self.library is not None:
            return self.library.index_ready
        return self._index is not None

    def refresh_index_annotations(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.set_annotations(self.all_annotations())

    # --- reading annotations (stored + pending) -------------------------------------------------------

    def all_annotations(self) -> list[dict[str, Any]]:
        try:
            stored = {r["id"]: r for r in self.store.all()}
        except StoreError:
            stored = {}
        return list(self._overlay(stored).values())

    def annotations_for(self, article_id: str) -> list[Placed]:
        """This article's annotations anchored in its current text, in reading order."""
        try:
            stored = {r["id"]: r for r in self.store.by_article(article_id)}
        except StoreError:
            stored = {}
        records = self._overlay(stored, article=article_id)
        unsaved = {p.record["id"] for p in self.pending}
        article = self.article(article_id)
        # Re-anchoring is the core's: an article that changed since its annotations were made gets them
        # re-anchored and stored (reader.living), the same way the CLI and the exports see them.
        placements, summary = reanchor(list(records.values()), {article_id: article} if article else {},
                                       self.store, read_only=unsaved)
        if summary.changed:
            self.last_reanchor[article_id] = summary
        placed = [Placed(p.record, p.anchor, saved=p.record["id"] not in unsaved) for p in placements]
        placed.sort(key=lambda p: (p.start is not None, p.start or 0, p.record["created"]))
        return placed

    def records_for(self, article_id: str) -> list[dict[str, Any]]:
        """This article's records as stored, with the unsaved changes, not re-anchored (nothing is read
        or written but its own shard): what the library's preview counts and lists."""
        try:
            stored = {r["id"]: r for r in self.store.by_article(article_id)}
        except StoreError:
            stored = {}
        return list(self._overlay(stored, article=article_id).values())

    def reanchor_summary(self, article_id: str) -> Summary | None:
        """What the last re-anchoring of this article's annotations did (None when nothing changed)."""
        return self.last_reanchor.get(article_id)

    def _overlay(self, stored: dict[str, dict], article: str | None = None) -> dict[str, dict]:
        for p in self.pending:
            if article is not None and p.record["article"] != article:
                continue
            if p.kind == "delete":
                stored.pop(p.record["id"], None)
            elif p.kind in ("add", "update"):
                stored[p.record["id"]] = p.record
        return stored

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.all_annotations():
            counts[record["article"]] = counts.get(record["article"], 0) + 1
        return counts

    def needing_attention(self) -> set[str]:
        """Articles whose annotations need a look: the article changed since they were made (not
        re-anchored yet), or one of them is orphaned or to review (reader.living)."""
        from reader.living import needs_review

        out: set[str] = set()
        fingerprints: dict[str, str | None] = {}
        for record in self.all_annotations():
            aid = record["article"]
            if aid in out or record.get("start") is None:
                continue
            if aid not in fingerprints:
                article = self.article(aid)
                fingerprints[aid] = article.fingerprint if article is not None else None
            made_on = record.get("fingerprint")     # "" when unknown: not a sign of change
            if (fingerprints[aid] is not None and made_on and made_on != fingerprints[aid]) \
                    or record.get("status") == "orphaned" or needs_review(record):
                out.add(aid)
        return out

    def tag_counts(self) -> dict[str, int]:
        """Tag -> number of annotations, most used first: the same rule as ``reader tags``."""
        return count_tags(self.all_annotations())

    # --- changes --------------------------------------------------------------------------------------

    def annotate(self, article_id: str, start: int | None = None, end: int | None = None, *,
                 tags: Iterable[str] = (), note: str = "") -> Outcome:
        """Annotate text[start:end] of an article (or the whole article when start is None)."""
        article = self.article(article_id)
        if article is None:
            raise KeyError(article_id)
        if start is None:
            record = make_record(article=article_id, tags=tags, note=note, fingerprint=article.fingerprint,
                                 annotator=self.annotator)
        else:
            sel = describe(article.text, start, end)
            record = make_record(article=article_id, **sel.fields(), tags=tags, note=note,
                                 fingerprint=article.fingerprint, annotator=self.annotator)
        return self._apply("add", record)

    def _from_backup(self, annotation_id: str) -> Outcome | None:
        if annotation_id not in self.store.from_backup:
            return None
        return Outcome({"id": annotation_id}, saved=False, refused=True,
                       error="this annotation is shown from a backup of a damaged database file and is read-only; "
                             "run `reader doctor` for what to do")

    def _editable(self, annotation_id: str) -> Outcome | dict[str, Any]:
        """The annotation as it stands, or the refusal when it is shown from a backup; KeyError if unknown."""
        refused = self._from_backup(annotation_id)
        if refused is not None:
            return refused
        current = self.get(annotation_id)
        if current is None:
            raise KeyError(annotation_id)
        return current

    def update(self, annotation_id: str, *, tags: Iterable[str] | None = None, note: str | None = None) -> Outcome:
        current = self._editable(annotation_id)
        if isinstance(current, Outcome):
            return current
        record = dict(current)
        if tags is not None:
            record["tags"] = normalise_tags(tags)
        if note is not None:
            record["note"] = note
        record["updated"] = now_iso()
        return self._apply("update", record)

    def accept_place(self, annotation_id: str) -> Outcome:
        """The user looked at a re-anchored passage to review and takes its new place as right."""
        from reader.living import accepted

        current = self._editable(annotation_id)
        if isinstance(current, Outcome):
            return current
        return self._apply("replace", accepted(current))

    def reattach(self, annotation_id: str, start: int, end: int) -> Outcome:
        """Attach an orphaned (or misplaced) annotation to ``text[start:end]`` of its article as it is now:
        the same id, tags, note, annotator and creation time; the quote it had is kept as ``old_quote``."""
        current = self._editable(annotation_id)
        if isinstance(current, Outcome):
            return current
        article = self.article(current["article"])
        if article is None:
            raise KeyError(current["article"])
        sel = describe(article.text, start, end)
        record = dict(current, **sel.fields(), fingerprint=article.fingerprint, status="anchored", confidence=1.0,
                      updated=now_iso())
        if current.get("quote") and current["quote"] != sel.quote:
            record["old_quote"] = current.get("old_quote") or current["quote"]
        return self._apply("replace", record)

    def delete(self, annotation_id: str) -> Outcome:
        current = self._editable(annotation_id)
        if isinstance(current, Outcome):
            return current
        outcome = self._apply("delete", dict(current))
        self.undo_stack.append(dict(current))
        return outcome

    def undo(self) -> Outcome | None:
        """Put back the most recently deleted annotation, exactly as it was."""
        if not self.undo_stack:
            return None
        record = self.undo_stack.pop()
        return self._apply("restore", record)

    # --- the codebook: corpus-wide tag changes (reader.codebook does them; the index follows) ----------

    def rename_tag(self, tag: str, new: str):
        """Rename ``tag`` and its sub-tags everywhere; returns the ``codebook.Change`` that undoes it."""
        return self._codebook_change(lambda cbk: cbk.rename(self.store, self.db_path, tag, new))

    def merge_tag(self, tag: str, target: str):
        return self._codebook_change(lambda cbk: cbk.merge(self.store, self.db_path, [tag], target))

    def delete_tag(self, tag: str):
        return self._codebook_change(lambda cbk: cbk.delete(self.store, self.db_path, tag))

    def describe_tag(self, tag: str, **fields: str):
        """Set a tag's description and/or colour; returns the new ``codebook.Entry``."""
        return self._codebook_change(lambda cbk: cbk.describe(self.store, self.db_path, tag, **fields))

    def undo_tag_change(self, change) -> None:
        self._codebook_change(lambda cbk: cbk.undo(self.store, self.db_path, change))

    def restore_tag_entry(self, tag: str, entry) -> None:
        """Put a tag's codebook entry back as it was (``entry`` None: the tag had none)."""
        self._codebook_change(lambda cbk: cbk.restore_entry(self.store, self.db_path, tag, entry))

    def _codebook_change(self, operation):
        from reader import codebook

        with self._lock:
            result = operation(codebook)
        self.refresh_index_annotations()
        return result

    def get(self, annotation_id: str) -> dict[str, Any] | None:
        for p in reversed(self.pending):
            if p.record["id"] == annotation_id:
                return None if p.kind == "delete" else dict(p.record)
        try:
            return self.store.get(annotation_id)
        except StoreError:
            return None

    def damage_for(self, article_id: str) -> list[str]:
        """Why this article is read-only (its database file is damaged), or [] when it is writable."""
        return self.store.article_damage(article_id)

    def shown_from_backup(self, annotation_id: str) -> bool:
        return annotation_id in self.store.from_backup

    def _apply(self, kind: str, record: dict[str, Any]) -> Outcome:
        """Save one change (or queue it when the store refuses for now); the search index follows it."""
        outcome = self._save_or_queue(kind, record)
        if not outcome.refused:
            self.refresh_index_annotations()  # a queued change is shown too, so it is searchable too
        return outcome

    def _save_or_queue(self, kind: str, record: dict[str, Any]) -> Outcome:
        from reader import limits

        damage = self.store.article_damage(record["article"])
        if damage:
            return Outcome(record, saved=False, refused=True,
                           error=f"this article is read-only: {damage[0]}; run `reader doctor` for what to do")
        if kind in ("add", "update", "restore", "replace"):
            try:
                limits.check(record)
            except RecordError as exc:
                return Outcome(record, saved=False, refused=True, error=str(exc))
        with self._lock:
            if any(p.record["id"] == record["id"] for p in self.pending):
                # An earlier change to this annotation is still unsaved: queue behind it, keep order.
                self._queue(kind, record, "an earlier change is still waiting to be saved")
                return Outcome(record, saved=False, error=self.pending[-1].error)
            try:
                saved = self._write(kind, record)
            except StoreError as exc:
                self._queue(kind, record, str(exc))
                return Outcome(record, saved=False, error=str(exc))
            return Outcome(saved, saved=True)

    def _queue(self, kind: str, record: dict[str, Any], error: str) -> None:
        # a restore or a replacement is retried as an add (retry_pending upserts what already exists)
        self.pending.append(Pending("add" if kind in ("restore", "replace") else kind, dict(record), error))

    def _write(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        if kind == "add":
            return self.store.add_record(record)
        if kind == "restore":
            return self.store.restore(record)
        if kind == "update":
            return self.store.update(record["id"], tags=record["tags"], note=record["note"])
        if kind == "replace":
            self.store.upsert(record)
            return record
        if kind == "delete":
            try:
                return self.store.delete(record["id"])
            except NotFound:
                return record  # already gone (another process deleted it): the goal is reached
        raise ValueError(kind)

    def retry_pending(self) -> tuple[int, str | None]:
        """Try to write every queued change, in order; returns (how many were saved, the error that stopped it)."""
        saved = 0
        with self._lock:
            while self.pending:
                p = self.pending[0]
                try:
                    if p.kind == "add" and self.store.get(p.record["id"]) is not None:
                        self.store.upsert(p.record)
                    else:
                        self._write(p.kind, p.record)
                except StoreError as exc:
                    p.error = str(exc)
                    return saved, p.error
                self.pending.pop(0)
                saved += 1
        return saved, None

    def rescue_pending(self, folder: Path | None = None) -> Path | None:
        """Write the unsaved additions and edits to a native export file that `reader import` takes.

        The last resort when quitting while the database still refuses writes: nothing typed is lost.
        Returns the file written, or None when there was nothing to rescue.
        """
        from reader.export import render

        records = {i: p.record for i, p in self._final_pending().items() if p.kind in ("add", "update")}
        if not records:
            return None
        articles = {a.id: a for a in self.articles}
        text = render("json", list(records.values()), articles, corpus=str(self.corpus_root))
        return self._write_rescue(folder, ".json", text)

    def _final_pending(self) -> dict[str, Pending]:
        """The last pending change of each annotation: what the user's latest intent is."""
        final: dict[str, Pending] = {}
        for p in self.pending:
            final[p.record["id"]] = p
        return final

    def rescue_deletes(self, folder: Path | None = None) -> Path | None:
        """Write the ids of unsaved deletions, one a line, for `reader delete --from FILE`; None if none."""
        ids = [i for i, p in self._final_pending().items() if p.kind == "delete"]
        if not ids:
            return None
        return self._write_rescue(folder, "-deleted.txt", "".join(f"{i}\n" for i in ids))

    def _write_rescue(self, folder: Path | None, ending: str, text: str) -> Path | None:
        """``text`` in ``reader-unsaved-<time><ending>`` in ``folder``, else in the first of the database's
        folder, the working folder and the home folder that takes it; None when none does."""
        from reader.fsutil import atomic_write

        stamp = now_iso().replace(":", "").replace("-", "")[:15]
        candidates = [folder] if folder else [self.db_path.parent, Path.cwd(), Path.home()]
        for place in candidates:
            target = Path(place) / f"reader-unsaved-{stamp}{ending}"
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, text.encode("utf-8"))
            except OSError:
                continue
            return target
        return None

    # --- reading state ----------------------------------------------------------------------------------

    def get_state(self, article_id: str) -> dict[str, Any]:
        try:
            return self.store.get_state(article_id)
        except StoreError:
            return {"position": 0, "read": False, "opened": None}

    def set_state(self, article_id: str, **fields: Any) -> bool:
        """Remember the reading position / read flag; best effort (False when the store refused)."""
        try:
            self.store.set_state(article_id, **fields)
        except StoreError:
            return False
        return True


class _LibrarySearch:
    """``Session.index()`` over a Library: the persistent index, with the session's unsaved annotations."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def search(self, query: str, *, limit: int = 50, cancelled=None):
        return self.session.library.search(query, limit=limit, annotations=self.session.all_annotations(),
                                           cancelled=cancelled)
