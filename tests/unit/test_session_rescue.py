"""Nothing the user did is lost at quit: every kind of pending change goes to a rescue file that replays it."""

from __future__ import annotations

import json
from pathlib import Path

from filelock import FileLock

from reader.corpus import load_corpus
from reader.session import Session
from reader.store import AnnotationStore
from tests.helpers import A000, run


def test_unsaved_adds_edits_and_deletes_are_rescued_and_replayed(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "annotations" / "annotations.json"
    store = AnnotationStore(db)
    doomed = store.add(article=A000, tags=["doomed"])
    edited = store.add(article=A000, tags=["old"])
    session = Session(seeds_copy, db, corpus=load_corpus(seeds_copy))
    session.store.lock_timeout = 0.05
    with FileLock(str(db) + ".lock"):                          # another process holds the database
        added = session.annotate(A000, None, None, tags=["new"])
        changed = session.update(edited["id"], tags=["edited"])
        gone = session.delete(doomed["id"])
        added_then_deleted = session.annotate(A000, None, None, tags=["never"])
        session.delete(added_then_deleted.record["id"])
        assert not (added.saved or changed.saved or gone.saved)
        records = session.rescue_pending(tmp_path)
        deletes = session.rescue_deletes(tmp_path)
    assert records is not None and deletes is not None
    rescued = json.loads(records.read_text())["annotations"]
    assert sorted(t for r in rescued for t in r["tags"]) == ["edited", "new"]   # "never" was deleted after
    assert set(deletes.read_text().split()) == {doomed["id"], added_then_deleted.record["id"]}
    base = ["--corpus", str(seeds_copy), "--db", str(db)]
    run("import", str(records), *base)
    run("delete", "--from", str(deletes), *base)
    assert sorted(t for r in AnnotationStore(db).all() for t in r["tags"]) == ["edited", "new"]


def test_an_annotation_shown_from_a_backup_refuses_every_change(seeds_copy: Path, tmp_path: Path) -> None:
    from reader.store import shard_name

    db = tmp_path / "annotations" / "annotations.json"
    store = AnnotationStore(db)
    kept = store.add(article=A000, note="first")
    store.update(kept["id"], note="second")                   # the first version is now a backup
    shard = db.parent / "annotations.d" / shard_name(A000)
    shard.write_bytes(shard.read_bytes()[:-9])                # the shard is damaged: the backup is shown
    session = Session(seeds_copy, db, corpus=load_corpus(seeds_copy))
    assert [r["note"] for r in session.all_annotations()] == ["first"]     # reading the article finds it
    assert session.shown_from_backup(kept["id"])
    for change in (lambda: session.update(kept["id"], note="x"), lambda: session.reattach(kept["id"], 0, 4),
                   lambda: session.accept_place(kept["id"]), lambda: session.delete(kept["id"])):
        outcome = change()
        assert outcome.refused and not outcome.saved and "backup" in (outcome.error or "")
    for change in (lambda: session.update("no-such-id", note="x"), lambda: session.reattach("no-such-id", 0, 4)):
        try:
            change()
        except KeyError:
            continue
        raise AssertionError("an unknown id is a KeyError")
