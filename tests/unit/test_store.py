"""AnnotationStore: the API, reloads across instances, corrupt files, failed writes, locking, a model test."""

from __future__ import annotations

import errno
import json
import os
import tempfile
import uuid
from pathlib import Path

import filelock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import records, store as store_mod
from reader.records import RecordError
from reader.store import (AnnotationStore, CorruptDatabase, DiskFull, DuplicateId, NotFound,
                          ReadOnlyDatabase, StoreError, StoreLocked, StoreWriteError, shard_name)
from tests.helpers import refuse_writes_under, temp_files


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "annotations" / "annotations.json"


@pytest.fixture
def store(db: Path) -> AnnotationStore:
    return AnnotationStore(db)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (lock file aside) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}


def all_files_parse(folder: Path) -> None:
    for p in folder.rglob("*.json"):
        json.loads(p.read_bytes())


# ------------------------------------------------------------------------------------------ basics

def test_missing_database_is_empty_and_creates_nothing(db: Path) -> None:
    s = AnnotationStore(db)
    assert s.all() == [] and s.articles() == [] and s.counts() == {} and s.tag_counts() == {}
    assert s.get(str(uuid.uuid4())) is None
    assert s.by_article("a") == [] and s.by_tag("x") == [] and s.find_text("x") == []
    assert s.get_state("a") == {"position": 0, "read": False, "opened": None}
    assert s.check() == []
    assert not db.parent.exists()


def test_add_creates_manifest_and_shard(store: AnnotationStore, db: Path) -> None:
    rec = store.add(article="world/a.txt", start=3, end=8, quote="hello", prefix="p", suffix="s",
                    tags=[" Covid ", "covid", "WHO"], note="n", fingerprint="f" * 64)
    assert uuid.UUID(rec["id"]).version == 4
    assert rec["tags"] == ["Covid", "WHO"]
    assert rec["created"] == rec["updated"]
    assert set(rec) == set(records.FIELDS) | {"annotator"}   # status etc. only come with a re-anchoring
    assert json.loads(db.read_bytes()) == {"_meta": {"1": {"format": "reader-db", "version": 1}}}
    shard = db.parent / "annotations.d" / shard_name("world/a.txt")
    stored = json.loads(shard.read_bytes())["annotations"]
    assert list(stored.values()) == [rec]
    assert store.get(rec["id"]) == rec


def test_returned_records_are_copies(store: AnnotationStore) -> None:
    rec = store.add(article="a", tags=["x"])
    rec["tags"].append("mutated")
    rec["note"] = "mutated"
    got = store.get(rec["id"])
    assert got["tags"] == ["x"] and got["note"] == ""
    got["tags"].append("again")
    assert store.all()[0]["tags"] == ["x"]
    assert store.by_article("a")[0]["tags"] == ["x"]


def test_ordering_and_queries(store: AnnotationStore) -> None:
    b2 = store.add(article="b", start=10, end=12, quote="zz", tags=["Health"])
    a_whole = store.add(article="a", tags=["covid"], note="General article note")
    a1 = store.add(article="a", start=5, end=9, quote="Mask", tags=["COVID", "masks"])
    a0 = store.add(article="a", start=1, end=2, quote="q", note="see WHO report")
    b_whole = store.add(article="b", note="")
    assert [r["id"] for r in store.all()] == [a_whole["id"], a0["id"], a1["id"], b_whole["id"], b2["id"]]
    assert [r["id"] for r in store.by_article("a")] == [a_whole["id"], a0["id"], a1["id"]]
    assert [r["id"] for r in store.by_tag("Covid")] == [a_whole["id"], a1["id"]]
    assert [r["id"] for r in store.by_tag("  HEALTH ")] == [b2["id"]]
    assert [r["id"] for r in store.find_text("who")] == [a0["id"]]
    assert [r["id"] for r in store.find_text("MASK")] == [a1["id"]]           # quote and tag
    assert [r["id"] for r in store.find_text("article note")] == [a_whole["id"]]
    assert store.articles() == ["a", "b"]
    assert store.counts() == {"a": 3, "b": 2}
    counts = store.tag_counts()
    assert sum(counts.values()) == 4
    assert {k.casefold(): v for k, v in counts.items()} == {"covid": 2, "masks": 1, "health": 1}


def test_update(store: AnnotationStore) -> None:
    rec = store.add(article="a", start=0, end=1, quote="x", tags=["one"])
    new = store.update(rec["id"], tags=["Two", " two ", "three"], note="changed", start=2, end=5)
    assert new["tags"] == ["Two", "three"]
    assert (new["note"], new["start"], new["end"]) == ("changed", 2, 5)
    assert new["id"] == rec["id"] and new["created"] == rec["created"]
    assert new["updated"] > rec["updated"]
    assert store.get(rec["id"]) == new
    assert len(store.all()) == 1
    with pytest.raises(NotFound, match="no annotation with id nope"):
        store.update("nope", note="x")
    with pytest.raises(RecordError):
        store.update(rec["id"], article="elsewhere")
    with pytest.raises(RecordError):
        store.update(rec["id"], id="other")
    with pytest.raises(RecordError):
        store.update(rec["id"], start=9, end=1)
    with pytest.raises(RecordError):
        store.update(rec["id"], tags="a,b")
    assert store.get(rec["id"]) == new


def test_delete_and_restore_identical(store: AnnotationStore, db: Path) -> None:
    keep = store.add(article="a", tags=["k"])
    gone = store.add(article="a", start=1, end=3, quote="xy", tags=["t"], note="n")
    deleted = store.delete(gone["id"])
    assert deleted == gone
    assert store.get(gone["id"]) is None
    assert store.all() == [keep]
    with pytest.raises(NotFound):
        store.delete(gone["id"])
    assert store.restore(deleted) == gone
    assert store.get(gone["id"]) == gone                   # same id, same timestamps
    assert AnnotationStore(db).get(gone["id"]) == gone
    assert store.restore(deleted) == gone                  # restoring twice is harmless
    changed = dict(deleted, note="other")
    with pytest.raises(DuplicateId):
        store.restore(changed)


def test_add_record_keeps_everything_and_refuses_duplicates(store: AnnotationStore) -> None:
    rec = records.make_record(article="x/y.txt", start=0, end=4, quote="text", tags=["a"],
                              created="2020-01-01T00:00:00.000000Z", updated="2021-01-01T00:00:00.000000Z")
    assert store.add_record(rec) == rec
    assert store.get(rec["id"]) == rec
    with pytest.raises(DuplicateId, match=rec["id"]):
        store.add_record(rec)
    with pytest.raises(DuplicateId):
        store.add_record(dict(rec, article="other"))       # the id is global, not per article
    with pytest.raises(RecordError, match="unknown field"):
        store.add_record(dict(records.make_record(article="z"), doc_id=3))
    assert len(store.all()) == 1


def test_upsert(store: AnnotationStore) -> None:
    rec = records.make_record(article="a", tags=["x"], note="first")
    assert store.upsert(rec) == "added"
    assert store.upsert(dict(rec)) == "unchanged"
    assert store.upsert(dict(rec, note="second")) == "updated"
    assert store.get(rec["id"])["note"] == "second"
    moved = dict(rec, article="b", note="second")
    assert store.upsert(moved) == "updated"
    assert store.by_article("a") == [] and store.by_article("b") == [moved]
    assert store.all() == [moved]
    assert store.check() == []


def test_rename_and_merge_tags(store: AnnotationStore) -> None:
    r1 = store.add(article="a", tags=["covid", "health"])
    r2 = store.add(article="b", tags=["Covid-19"])
    r3 = store.add(article="c", tags=["COVID", "Health"])
    r4 = store.add(article="c", tags=["other"])
    assert store.rename_tag("HEALTH", "medicine") == 2
    assert store.get(r1["id"])["tags"] == ["covid", "medicine"]
    assert store.get(r3["id"])["tags"] == ["COVID", "medicine"]
    assert store.get(r1["id"])["updated"] > r1["updated"]
    # renaming into a tag that the record already has de-duplicates
    assert store.rename_tag("medicine", "covid") == 2
    assert store.get(r1["id"])["tags"] == ["covid"]
    assert store.get(r3["id"])["tags"] == ["covid"]
    assert store.merge_tags(["covid-19", "COVID"], "Coronavirus") == 3
    assert [store.get(r["id"])["tags"] for r in (r1, r2, r3)] == [["Coronavirus"]] * 3
    assert store.get(r4["id"]) == r4                      # untouched, not even its updated stamp
    assert store.rename_tag("nonexistent", "x") == 0
    assert store.rename_tag("coronavirus", "Coronavirus") == 0
    assert store.rename_tag("coronavirus", "CORONAVIRUS") == 3   # a change of spelling is a change
    assert store.tag_counts() == {"CORONAVIRUS": 3, "other": 1}
    with pytest.raises(RecordError):
        store.rename_tag("other", "   ")


def test_state(store: AnnotationStore, db: Path) -> None:
    assert store.get_state("a") == {"position": 0, "read": False, "opened": None}
    assert store.set_state("a", position=120) == {"position": 120, "read": False, "opened": None}
    now = records.now_iso()
    assert store.set_state("a", read=True, opened=now) == {"position": 120, "read": True, "opened": now}
    assert AnnotationStore(db).get_state("a") == {"position": 120, "read": True, "opened": now}
    assert store.get_state("b") == {"position": 0, "read": False, "opened": None}
    # state lives beside the annotations of its article without being one
    rec = store.add(article="a", tags=["t"])
    assert store.articles() == ["a"] and store.all() == [rec]
    store.set_state("only-state", position=1)
    assert store.articles() == ["a"] and store.counts() == {"a": 1}
    assert store.get_state("a")["position"] == 120
    for bad in ({"position": -1}, {"position": True}, {"position": 1.5}, {"read": "yes"},
                {"opened": 5}, {"colour": "red"}):
        with pytest.raises(RecordError):
            store.set_state("a", **bad)
    assert store.get_state("a") == {"position": 120, "read": True, "opened": now}


# ------------------------------------------------------------------------------- values and markup

def test_markup_and_odd_values_are_literal_or_refused(store: AnnotationStore, db: Path) -> None:
    odd = store.add(article="odd/[bold]name[/].txt", note="[bold]x[/] [@click=app.quit]", tags=["[red]", "NaN"],
                    quote="Infinity", prefix="\t\n", suffix="é🙂\u2028")
    again = AnnotationStore(db).get(odd["id"])
    assert again == odd
    assert again["note"] == "[bold]x[/] [@click=app.quit]" and again["tags"] == ["[red]", "NaN"]
    for bad in ({"start": float("nan"), "end": 3}, {"start": 1.0, "end": 2.0}, {"start": True, "end": 2},
                {"note": None}, {"tags": [1]}, {"start": 5, "end": 2}, {"article": ""}):
        with pytest.raises(RecordError):
            store.add(**{"article": "a", **bad})
    with pytest.raises(RecordError):
        store.add_record(dict(records.make_record(article="a"), created=float("nan")))
    with pytest.raises(RecordError):   # a valid Python int that JSON (and orjson) cannot carry
        store.add(article="a", start=2 ** 70, end=2 ** 71)
    nul = store.add(article="a", note="pasted a\x00b\x1b[31m")  # kept as typed, never refused: not lost
    assert AnnotationStore(db).get(nul["id"])["note"] == "pasted a\x00b\x1b[31m"
    assert store.all() == sorted([odd, nul], key=lambda r: r["article"])
    assert store.check() == []


# ------------------------------------------------------------------------------ several instances

def test_second_instance_sees_writes_including_deletes_and_reused_doc_ids(db: Path) -> None:
    one, two = AnnotationStore(db), AnnotationStore(db)
    a = one.add(article="art", tags=["a"])
    b = one.add(article="art", tags=["b"])
    assert {r["id"] for r in two.all()} == {a["id"], b["id"]}
    assert two.get(b["id"]) == b
    # TinyDB would now hand out doc id 2 again after this delete: nothing may confuse b with c.
    two.delete(b["id"])
    c = one.add(article="art", tags=["c"])
    assert one.get(b["id"]) is None and two.get(b["id"]) is None
    assert two.get(c["id"]) == c
    shard = json.loads((db.parent / "annotations.d" / shard_name("art")).read_bytes())["annotations"]
    assert sorted(shard) == ["1", "2"]                  # c took b's old doc id on disk
    updated = two.update(c["id"], note="from two")
    assert one.get(c["id"]) == updated
    one.delete(a["id"])
    assert [r["id"] for r in two.all()] == [c["id"]]
    with pytest.raises(NotFound):
        two.update(a["id"], note="gone")
    # both instances keep adding on top of each other's writes without losing any
    ids = {c["id"]}
    for i in range(10):
        ids.add((one if i % 2 else two).add(article="art", start=i, end=i + 1, quote="q")["id"])
    assert {r["id"] for r in one.all()} == ids == {r["id"] for r in two.all()}
    assert two.counts() == {"art": 11}


def test_same_size_rewrite_is_seen(db: Path) -> None:
    """Two equal-size writes within one timestamp tick must not look unchanged to the other instance."""
    one, two = AnnotationStore(db), AnnotationStore(db)
    rec = one.add(article="a", note="aaaa")
    assert two.get(rec["id"])["note"] == "aaaa"
    for text in ("bbbb", "cccc", "dddd"):
        one.update(rec["id"], note=text)
        assert two.get(rec["id"])["note"] == text
        assert two.by_article("a")[0]["note"] == text
    # A coarse clock: give the file the very mtime `two` saw before two further equal-size saves.
    # On ext4 the second save usually gets the first one's inode back, so (mtime, size, inode) all match.
    shard = db.parent / "annotations.d" / shard_name("a")
    seen = shard.stat()
    one.update(rec["id"], note="eeee")
    one.update(rec["id"], note="ffff")
    os.utime(shard, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    assert shard.stat().st_size == seen.st_size
    assert two.get(rec["id"])["note"] == "ffff"
    one.set_state("a", position=1111)
    assert two.get_state("a")["position"] == 1111
    one.set_state("a", position=2222)
    assert two.get_state("a")["position"] == 2222


def test_file_removed_underneath(db: Path) -> None:
    one = AnnotationStore(db)
    rec = one.add(article="a")
    assert one.all() == [rec]
    (db.parent / "annotations.d" / shard_name("a")).unlink()
    assert one.all() == [] and one.get(rec["id"]) is None


# ---------------------------------------------------------------------------------- corrupt files

def test_corrupt_manifest_is_left_untouched(store: AnnotationStore, db: Path) -> None:
    store.add(article="a")
    db.write_bytes(b'{"_meta": {"1": {"format": "reader-db", "vers')
    before = snapshot(db.parent)
    fresh = AnnotationStore(db)
    for action in (lambda s: s.add(article="b"), lambda s: s.all(), lambda s: s.set_state("a", position=1)):
        for s in (store, fresh):
            with pytest.raises(CorruptDatabase) as info:
                action(s)
            message = str(info.value)
            assert str(db) in message and "left untouched" in message
    assert snapshot(db.parent) == before
    assert any("left untouched" in p for p in fresh.check())


@pytest.mark.parametrize("content", [
    b'{"_default": {"1": {"a": 1}}}',        # a plain TinyDB file that is not ours
    b'[1, 2, 3]',                           # JSON, but not an object
    b'',                                    # empty
    b'{"_meta": {"1": {"format": "reader-db", "version": 99}}}',   # from the future
    b'\xff\xfe\x00garbage',
])
def test_not_a_reader_database(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "annotations.json"
    db.write_bytes(content)
    s = AnnotationStore(db)
    with pytest.raises(CorruptDatabase, match="left untouched"):
        s.add(article="a")
    with pytest.raises(CorruptDatabase):
        s.all()
    assert db.read_bytes() == content
    assert not (tmp_path / "annotations.d").exists()
    assert s.check() != []


def test_corrupt_shard_is_left_untouched_and_others_work(store: AnnotationStore, db: Path) -> None:
    good = store.add(article="good", tags=["t"])
    bad = store.add(article="bad")
    bad_file = db.parent / "annotations.d" / shard_name("bad")
    bad_file.write_bytes(bad_file.read_bytes()[:-7])
    before = snapshot(db.parent)
    fresh = AnnotationStore(db)
    for s in (store, fresh):
        with pytest.raises(CorruptDatabase) as info:
            s.add(article="bad")
        assert shard_name("bad") in str(info.value) and "left untouched" in str(info.value)
        assert s.by_article("bad") == []         # damage is contained: reported, not raised (no backup yet)
        assert s.all() == [good]
        assert shard_name("bad") in s.article_damage("bad")[0] and s.article_damage("good") == []
        with pytest.raises(CorruptDatabase):
            s.get(bad["id"])                     # cannot say "not there" about an unreadable file
        with pytest.raises(CorruptDatabase):
            s.set_state("bad", position=3)
        assert s.by_article("good") == [good]
        assert s.get(good["id"]) == good
    assert snapshot(db.parent) == before
    # the other shards keep taking writes
    new = fresh.add(article="good", tags=["u"])
    fresh.update(good["id"], note="still fine")
    assert [r["id"] for r in store.by_article("good")] == [good["id"], new["id"]]
    assert bad_file.read_bytes() == before[f"annotations.d/{shard_name('bad')}"]
    problems = fresh.check()
    assert len(problems) == 1 and shard_name("bad") in problems[0]


def test_shard_with_wrong_shape_is_corrupt(store: AnnotationStore, db: Path) -> None:
    store.add(article="a")
    shard = db.parent / "annotations.d" / shard_name("a")
    shard.write_bytes(b'{"annotations": {"1": {"article": "a", "tags": []}}}')
    fresh = AnnotationStore(db)
    assert fresh.by_article("a") == []
    assert "has no id" in fresh.article_damage("a")[0]
    assert shard.read_bytes() == b'{"annotations": {"1": {"article": "a", "tags": []}}}'


# ----------------------------------------------------------------------------------- failed writes

def test_readonly_store_refuses_writes(store: AnnotationStore, db: Path) -> None:
    rec = store.add(article="a")
    ro = AnnotationStore(db, readonly=True)
    before = snapshot(db.parent)
    assert ro.all() == [rec] and ro.get(rec["id"]) == rec
    for action in (lambda: ro.add(article="a"), lambda: ro.delete(rec["id"]), lambda: ro.update(rec["id"], note="x"),
                   lambda: ro.set_state("a", read=True), lambda: ro.rename_tag("a", "b"),
                   lambda: ro.upsert(rec), lambda: ro.restore(rec), lambda: ro.add_record(rec)):
        with pytest.raises(ReadOnlyDatabase, match="read-only"):
            action()
    assert snapshot(db.parent) == before


def test_readonly_store_on_missing_database_creates_nothing(db: Path) -> None:
    ro = AnnotationStore(db, readonly=True)
    with pytest.raises(ReadOnlyDatabase):
        ro.add(article="a")
    assert not db.parent.exists()


def test_readonly_directory(store: AnnotationStore, db: Path) -> None:
    rec = store.add(article="a")
    folders = [db.parent, db.parent / "annotations.d"]
    for folder in folders:
        folder.chmod(0o555)
    try:
        if os.access(db.parent / "annotations.d", os.W_OK):
            pytest.skip("running as root: chmod does not stop writes (see the monkeypatched variant)")
        before = snapshot(db.parent)
        with pytest.raises(ReadOnlyDatabase):
            store.add(article="a")
        with pytest.raises(ReadOnlyDatabase):
            AnnotationStore(db).add(article="a")
        assert snapshot(db.parent) == before
        assert store.all() == [rec]
    finally:
        for folder in folders:
            folder.chmod(0o755)


def test_write_problem_probe_finds_a_read_only_folder_and_leaves_nothing(store: AnnotationStore, db: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert store.write_problem() is None                   # not made yet: its parent folder is what counts
    assert not db.parent.exists()
    rec = store.add(article="a")
    before = snapshot(db.parent)
    assert store.write_problem() is None
    assert snapshot(db.parent) == before and not temp_files(db.parent)
    refuse_writes_under(monkeypatch, db.parent)
    problem = store.write_problem()
    assert problem == f"permission denied: cannot write {db.parent}"
    with pytest.raises(ReadOnlyDatabase):                  # what the probe foretold
        store.add(article="a")
    monkeypatch.undo()
    assert snapshot(db.parent) == before and store.all() == [rec]
    assert AnnotationStore(db, readonly=True).write_problem() == f"the database {db} was opened read-only"


def test_write_problem_of_a_chmod_read_only_folder(store: AnnotationStore, db: Path) -> None:
    store.add(article="a")
    db.parent.chmod(0o555)
    try:
        if os.access(db.parent, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes (see the monkeypatched variant)")
        assert "permission denied" in (store.write_problem() or "")
    finally:
        db.parent.chmod(0o755)
    assert store.write_problem() is None


def test_permission_error_on_replace(store: AnnotationStore, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = store.add(article="a", tags=["x"])
    before = snapshot(db.parent)

    def refuse(src, dst, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ReadOnlyDatabase, match="permission denied"):
        store.add(article="a")
    with pytest.raises(ReadOnlyDatabase):
        store.update(rec["id"], note="lost?")
    with pytest.raises(ReadOnlyDatabase):
        store.delete(rec["id"])
    monkeypatch.undo()
    assert snapshot(db.parent) == before                   # no temp file left, nothing changed
    assert store.all() == [rec] and AnnotationStore(db).all() == [rec]


def test_disk_full(store: AnnotationStore, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = store.add(article="a", tags=["x"])
    other = store.add(article="b")
    store.set_state("a", position=7)
    before = snapshot(db.parent)
    real_write = os.write

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(DiskFull, match="disk is full") as info:
        store.add(article="a", note="does not fit")
    assert isinstance(info.value, StoreError)
    with pytest.raises(DiskFull):
        store.update(rec["id"], note="does not fit")
    with pytest.raises(DiskFull):
        store.delete(other["id"])
    with pytest.raises(DiskFull):
        store.rename_tag("x", "y")
    with pytest.raises(DiskFull):
        store.set_state("a", position=8)
    monkeypatch.setattr(os, "write", real_write)
    assert snapshot(db.parent) == before                   # previous files intact, no temp files
    # memory agrees with the disk: the failed update is not visible anywhere
    assert store.get(rec["id"]) == rec and store.all() == [rec, other]
    assert store.get_state("a")["position"] == 7
    assert AnnotationStore(db).all() == [rec, other]
    # and the store carries on once there is room again
    later = store.add(article="a", note="fits now")
    assert store.by_article("a") == [rec, later]


def test_quota_and_other_errors(store: AnnotationStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.add(article="a")
    for code, error in ((errno.EDQUOT, DiskFull), (errno.EROFS, ReadOnlyDatabase), (errno.EIO, StoreWriteError)):
        def fail(fd, data, code=code):
            raise OSError(code, os.strerror(code))
        monkeypatch.setattr(os, "write", fail)
        with pytest.raises(error) as info:
            store.add(article="a")
        assert "\n" not in str(info.value)
        monkeypatch.undo()
    assert len(store.all()) == 1


def test_lock_timeout(store: AnnotationStore, db: Path) -> None:
    rec = store.add(article="a")
    quick = AnnotationStore(db, lock_timeout=0.2)
    with filelock.FileLock(str(db) + ".lock"):
        with pytest.raises(StoreLocked, match="locked by another process") as info:
            quick.add(article="a")
        assert str(db) + ".lock" in str(info.value)
        assert quick.all() == [rec]                         # reading needs no lock
    assert len(quick.add(article="a")["id"]) == 36


def test_stale_temp_files_are_removed_by_the_first_writer(store: AnnotationStore, db: Path) -> None:
    store.add(article="a")
    shard_dir = db.parent / "annotations.d"
    stale = [shard_dir / f".{shard_name('a')}.999.deadbeef.tmp", db.parent / f".{db.name}.999.deadbeef.tmp"]
    for path in stale:
        path.write_bytes(b'{"half')
    unrelated = db.parent / ".export.json.999.deadbeef.tmp"   # not ours: another program's temp
    unrelated.write_bytes(b"x")
    fresh = AnnotationStore(db)
    assert len(fresh.all()) == 1                            # readers never see temp files
    fresh.add(article="a")
    assert not any(p.exists() for p in stale)
    assert unrelated.exists()


def test_shard_dir_name() -> None:
    assert store_mod.shard_dir_for("annotations/annotations.json") == Path("annotations/annotations.d")
    assert store_mod.shard_dir_for("db") == Path("db.d")
    assert shard_name("a") == "86f7e437faa5a7fce15d.json"


# ------------------------------------------------------------------------------------ model test

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(["a", "b", "c/d.txt"]),
                  st.lists(st.sampled_from(["x", "X", "y", "z z"]), max_size=3), st.text(max_size=8)),
        st.tuples(st.just("update"), st.integers(0, 50), st.lists(st.sampled_from(["x", "y", "w"]), max_size=2),
                  st.text(max_size=8)),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("restore"), st.integers(0, 50)),
        st.tuples(st.just("reopen")),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS)
def test_model(ops: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "annotations.json"
        s = AnnotationStore(db)
        other = AnnotationStore(db)          # a second instance reads alongside
        model: dict[str, dict] = {}
        deleted: list[dict] = []
        for op in ops:
            if op[0] == "add":
                rec = s.add(article=op[1], tags=op[2], note=op[3])
                model[rec["id"]] = rec
            elif op[0] == "update" and model:
                rid = sorted(model)[op[1] % len(model)]
                model[rid] = s.update(rid, tags=op[2], note=op[3])
            elif op[0] == "delete" and model:
                rid = sorted(model)[op[1] % len(model)]
                deleted.append(s.delete(rid))
                assert deleted[-1] == model.pop(rid)
            elif op[0] == "restore" and deleted:
                rec = deleted.pop(op[1] % len(deleted))
                assert s.restore(rec) == rec
                model[rec["id"]] = rec
            elif op[0] == "reopen":
                s, other = other, AnnotationStore(db)
            assert {r["id"]: r for r in other.all()} == model
        assert {r["id"]: r for r in AnnotationStore(db).all()} == model
        for rid, rec in model.items():
            assert AnnotationStore(db).get(rid) == rec
        assert AnnotationStore(db).check() == []
        all_files_parse(Path(tmp))
