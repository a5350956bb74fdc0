"""The store's bounded chunks, persistent id index, time-sliced batches, backups, contained damage, journal, limits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import orjson
import pytest

from reader import fsutil, limits, store as store_mod
from reader.records import RecordError, make_record
from reader.store import AnnotationStore, CorruptDatabase, article_key, chunk_name, shard_name


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "annotations" / "annotations.json"


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(store_mod, "CHUNK_MAX", 10)
    return 10


def chunk_files(db: Path, article: str) -> list[Path]:
    key = article_key(article)
    return sorted((p for p in (db.parent / "annotations.d").iterdir() if p.name.startswith(key)),
                  key=lambda p: len(p.name) and p.name)


def recs(article: str, n: int, **extra) -> list[dict]:
    return [make_record(article=article, start=i, end=i + 1, quote="x", tags=["t"], **extra) for i in range(n)]


# ----------------------------------------------------------------------------------------- chunks

def test_one_article_is_split_into_bounded_chunks_and_a_save_rewrites_one(db: Path, small: int) -> None:
    s = AnnotationStore(db)
    added = [s.add(article="big", start=i, end=i + 1, quote="x") for i in range(2 * small + 3)]
    names = {p.name for p in (db.parent / "annotations.d").iterdir()}
    key = article_key("big")
    assert names == {chunk_name(key, 0), chunk_name(key, 1), chunk_name(key, 2)}
    sizes = [len(json.loads((db.parent / "annotations.d" / chunk_name(key, n)).read_bytes())["annotations"])
             for n in range(3)]
    assert sizes == [small, small, 3]
    before = {n: (db.parent / "annotations.d" / chunk_name(key, n)).read_bytes() for n in range(3)}
    s.update(added[0]["id"], note="first chunk only")
    after = {n: (db.parent / "annotations.d" / chunk_name(key, n)).read_bytes() for n in range(3)}
    assert after[0] != before[0] and after[1] == before[1] and after[2] == before[2]
    fresh = AnnotationStore(db)
    assert [r["id"] for r in fresh.by_article("big")] == [r["id"] for r in added]
    assert fresh.check() == []


def test_a_lookup_reads_one_index_shard_and_one_chunk(db: Path, small: int, monkeypatch) -> None:
    s = AnnotationStore(db)
    with s.batch():
        for i in range(40):
            s.upsert(make_record(article=f"a{i % 8}", note=str(i)))
    wanted = s.all()[17]
    parsed: list[Path] = []
    real = store_mod._FileStorage._parse

    def counting(self, raw, stamp):
        parsed.append(self.path)
        return real(self, raw, stamp)

    monkeypatch.setattr(store_mod._FileStorage, "_parse", counting)
    fresh = AnnotationStore(db)
    assert fresh.get(wanted["id"]) == wanted
    kinds = sorted(p.parent.name for p in parsed if p != db)
    assert kinds == ["annotations.d", "annotations.index", "annotations.index"]   # marker, one shard, one chunk


def test_old_layout_opens_as_is_and_gets_its_index_on_the_first_write(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(orjson.dumps({"_meta": {"1": {"format": "reader-db", "version": 1}}}))
    (db.parent / "annotations.d").mkdir()
    old = recs("old.txt", 3)
    (db.parent / "annotations.d" / shard_name("old.txt")).write_bytes(
        orjson.dumps({"annotations": {str(i + 1): r for i, r in enumerate(old)}, "state": {}}))
    reader = AnnotationStore(db, readonly=True)
    assert reader.get(old[1]["id"]) == old[1]                 # no index yet: found by looking everywhere
    s = AnnotationStore(db)
    s.update(old[2]["id"], note="edited")
    assert (db.parent / "annotations.index" / "complete.json").exists()
    assert AnnotationStore(db).get(old[0]["id"]) == old[0]
    assert AnnotationStore(db).check() == []


def test_batch_writes_each_touched_file_once_per_slice(db: Path, monkeypatch) -> None:
    s = AnnotationStore(db)
    s.add(article="seed")                                     # manifest and index exist before we count
    writes: list[str] = []
    real = fsutil.atomic_write

    def counting(path, data, **kw):
        writes.append(Path(path).name)
        return real(path, data, **kw)

    monkeypatch.setattr(fsutil, "atomic_write", counting)
    monkeypatch.setattr(store_mod, "SLICE_S", 60.0)
    with s.batch():
        for r in recs("one.txt", 300):
            s.upsert(r)
    chunk_writes = [w for w in writes if w.startswith(article_key("one.txt"))]
    assert sorted(chunk_writes) == sorted({chunk_name(article_key("one.txt"), n) for n in range(1)})
    assert len(writes) == len(set(writes))                    # every file once
    assert len(AnnotationStore(db).by_article("one.txt")) == 300


def test_batch_lets_go_of_the_lock_between_slices(db: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_mod, "SLICE_S", 0.0)
    monkeypatch.setattr(store_mod, "SLICE_MIN_OPS", 0)
    s = AnnotationStore(db)
    other = AnnotationStore(db, lock_timeout=0.2)
    with s.batch():
        for i, r in enumerate(recs("imp.txt", 20)):
            s.upsert(r)
            assert not s._held                               # the slice ended: another writer gets in
            other.add(article="tui.txt", note=str(i))        # would raise StoreLocked if the lock were held
    assert len(AnnotationStore(db).by_article("imp.txt")) == 20
    assert len(AnnotationStore(db).by_article("tui.txt")) == 20


def test_import_is_idempotent_and_resumable(db: Path) -> None:
    from reader.export import export_native, import_native

    data = recs("a.txt", 30) + recs("b.txt", 20)
    text = json.dumps(export_native(data, {}, corpus="corpus"))
    s = AnnotationStore(db)
    with s.batch():
        for r in data[:17]:
            s.upsert(r)                                      # an import that was killed after 17 records
    result = import_native(AnnotationStore(db), text)
    assert (result.added, result.unchanged) == (33, 17)
    again = import_native(AnnotationStore(db), text)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 50)


# ----------------------------------------------------------------------------------------- backups

def test_backups_keep_the_last_good_versions_and_restore_brings_one_back(db: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_mod, "BACKUP_KEEP", 3)
    s = AnnotationStore(db)
    rec = s.add(article="a", note="v0")
    for i in range(1, 6):
        s.update(rec["id"], note=f"v{i}")
    versions = s.backups(shard_name("a"))
    assert len(versions) == 3 and all(v["records"] == 1 for v in versions)
    notes = [json.loads((s.backup_dir / shard_name("a")[:-5] / f"{v['version']}.json").read_bytes())
             ["annotations"]["1"]["note"] for v in versions]
    assert notes == ["v4", "v3", "v2"]                        # newest first
    assert s.restore_backup(shard_name("a"), versions[1]["version"]) == 1
    assert AnnotationStore(db).get(rec["id"])["note"] == "v3"
    assert [v["records"] for v in s.backups(shard_name("a"))][0] == 1   # the replaced v5 was kept


def test_backups_are_bounded_in_bytes(db: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_mod, "BACKUP_BYTES", 1)
    s = AnnotationStore(db)
    rec = s.add(article="a")
    for i in range(4):
        s.update(rec["id"], note=str(i))
    assert len(s.backups(shard_name("a"))) == 1               # the newest is always kept, nothing more


# ----------------------------------------------------------------------------------------- damage

@pytest.mark.parametrize("damage", ["truncated", "invalid record"])
def test_damage_is_contained_to_its_article_and_shown_from_backup(db: Path, damage: str) -> None:
    s = AnnotationStore(db)
    good = s.add(article="good", tags=["t"])
    bad = s.add(article="bad", note="first")
    s.update(bad["id"], note="second")                        # the first version is now a backup
    path = db.parent / "annotations.d" / shard_name("bad")
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-9])
    else:
        data = json.loads(path.read_bytes())
        data["annotations"]["1"].update(start=700, end=600)
        path.write_bytes(json.dumps(data).encode())
    broken = path.read_bytes()
    fresh = AnnotationStore(db)
    shown = fresh.all()
    assert [r["id"] for r in shown] == sorted([good["id"], bad["id"]], key=lambda i: i != bad["id"])
    assert fresh.from_backup == {bad["id"]} and next(r for r in shown if r["id"] == bad["id"])["note"] == "first"
    assert list(fresh.damage) == [shard_name("bad")] and fresh.article_damage("good") == []
    with pytest.raises(CorruptDatabase):
        fresh.update(bad["id"], note="refused")
    with pytest.raises(CorruptDatabase):
        fresh.add(article="bad")
    fresh.add(article="good", note="others still save")
    assert len(fresh.by_article("good")) == 2
    assert path.read_bytes() == broken
    assert any(shard_name("bad") in p for p in fresh.check())


def test_an_import_goes_on_beside_a_damaged_chunk(db: Path) -> None:
    from reader.export import export_native, import_native

    s = AnnotationStore(db)
    s.add(article="bad")
    (db.parent / "annotations.d" / shard_name("bad")).write_bytes(b"{not json")
    result = import_native(AnnotationStore(db), json.dumps(export_native(recs("fine.txt", 5), {}, corpus="corpus")))
    assert result.added == 5


# ----------------------------------------------------------------------------------------- journal

def test_tag_rename_is_journaled_and_an_interrupted_one_is_finished_by_the_next_writer(db: Path, small, monkeypatch) -> None:
    s = AnnotationStore(db)
    with s.batch():
        for i in range(35):
            s.upsert(make_record(article=f"a{i % 3}", tags=["old", "keep"]))
    calls = {"n": 0}
    real = store_mod._FileStorage.flush

    def crash_after_two_chunks(self, data=None):
        if self.path.parent.name == "annotations.d":
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt("simulated crash mid-rename")
        return real(self, data)

    monkeypatch.setattr(store_mod._FileStorage, "flush", crash_after_two_chunks)
    with pytest.raises(KeyboardInterrupt):
        s.update_tags({"old": "new"})
    monkeypatch.setattr(store_mod._FileStorage, "flush", real)
    assert s.journal_path.exists()
    half = AnnotationStore(db).tag_counts()
    assert half.get("new", 0) > 0 and half.get("old", 0) > 0    # half done: exactly what the journal is for
    nxt = AnnotationStore(db)
    nxt.add(article="other")                                   # any write finishes it first
    assert not nxt.journal_path.exists()
    assert "finished an interrupted tag rename" in nxt.notices[0]
    counts = AnnotationStore(db).tag_counts()
    assert counts.get("new") == 35 and "old" not in counts and counts.get("keep") == 35


def test_merge_tags_never_chains_renames_when_resumed(db: Path) -> None:
    s = AnnotationStore(db)
    s.add(article="a", tags=["a"])
    s.add(article="b", tags=["b"])
    assert s.update_tags({"a": "b", "b": "c"}) == 2
    assert s.tag_counts() == {"b": 1, "c": 1}


# ----------------------------------------------------------------------------------------- limits

def test_limits_refuse_with_a_message_and_store_nothing(db: Path) -> None:
    s = AnnotationStore(db)
    with pytest.raises(RecordError, match="the limit is 100,000"):
        s.add(article="a", note="x" * (limits.MAX_NOTE + 1))
    with pytest.raises(RecordError, match="tags; the limit is"):
        s.add(article="a", tags=[f"t{i}" for i in range(limits.MAX_TAGS + 1)])
    with pytest.raises(RecordError, match="quoted passage"):
        s.add(article="a", start=0, end=limits.MAX_QUOTE + 1, quote="q" * (limits.MAX_QUOTE + 1))
    rec = s.add(article="a", note="fine")
    with pytest.raises(RecordError, match="bytes; the limit is"):
        s.update(rec["id"], note="é" * (limits.MAX_NOTE - 10), prefix="p" * 40_000, suffix="s" * 40_000,
                 quote="q" * 49_000, start=0, end=49_000)
    assert AnnotationStore(db).all() == [rec]


def test_import_over_a_limit_names_the_record_and_the_limit(db: Path) -> None:
    from reader.export import ExportError, export_native, import_native

    data = recs("a.txt", 3)
    data[1]["note"] = "n" * (limits.MAX_NOTE + 5)
    with pytest.raises(ExportError, match="stopped at annotation 2 .*the note is 100,005 characters"):
        import_native(AnnotationStore(db), json.dumps(export_native(data, {}, corpus="corpus")))
    assert len(AnnotationStore(db).all()) == 1


def test_a_damaged_manifest_can_be_restored_from_its_backup(db: Path) -> None:
    s = AnnotationStore(db)
    rec = s.add(article="a")
    import shutil

    folder = s.backup_dir / "annotations"                      # the manifest is written once: keep a copy of it
    folder.mkdir(parents=True)
    shutil.copy(db, folder / "1.json")
    db.write_bytes(b"\x00garbage")
    with pytest.raises(CorruptDatabase):
        AnnotationStore(db).add(article="b")
    (version,) = [v for v in s.backups(db.name) if v["records"] is not None]
    AnnotationStore(db).restore_backup(db.name, version["version"])
    assert AnnotationStore(db).get(rec["id"]) == rec
    assert any(v["records"] is None for v in s.backups(db.name))   # the garbage was kept too


def write_old_layout(db: Path, article: str, n: int) -> list[dict]:
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(orjson.dumps({"_meta": {"1": {"format": "reader-db", "version": 1}}}))
    (db.parent / "annotations.d").mkdir(exist_ok=True)
    old = recs(article, n)
    (db.parent / "annotations.d" / shard_name(article)).write_bytes(
        orjson.dumps({"annotations": {str(i + 1): r for i, r in enumerate(old)}, "state": {}}))
    return old


def test_an_old_oversized_article_file_is_split_into_chunks_on_the_first_write(db: Path, small: int) -> None:
    old = write_old_layout(db, "old.txt", 25)
    AnnotationStore(db).add(article="other.txt")
    key = article_key("old.txt")
    sizes = [len(json.loads((db.parent / "annotations.d" / chunk_name(key, n)).read_bytes())["annotations"])
             for n in range(3)]
    assert sizes == [10, 10, 5] and not (db.parent / "annotations.d" / chunk_name(key, 3)).exists()
    fresh = AnnotationStore(db)
    assert [r["id"] for r in fresh.by_article("old.txt")] == [r["id"] for r in old]
    assert fresh.get(old[24]["id"]) == old[24] and fresh.check() == []


def test_a_split_interrupted_by_a_crash_loses_nothing_and_is_finished(db: Path, small: int, monkeypatch) -> None:
    old = write_old_layout(db, "old.txt", 25)
    real = store_mod._FileStorage.flush

    def crash_on_chunk_0(self, data=None):
        if self.path.name == shard_name("old.txt"):
            raise KeyboardInterrupt("killed mid-split")
        return real(self, data)

    monkeypatch.setattr(store_mod._FileStorage, "flush", crash_on_chunk_0)
    with pytest.raises(KeyboardInterrupt):
        AnnotationStore(db).add(article="other.txt")
    monkeypatch.setattr(store_mod._FileStorage, "flush", real)
    reader = AnnotationStore(db, readonly=True)
    assert [r["id"] for r in reader.by_article("old.txt")] == [r["id"] for r in old]   # copies shown once
    AnnotationStore(db).add(article="other.txt")
    first = json.loads((db.parent / "annotations.d" / shard_name("old.txt")).read_bytes())["annotations"]
    assert len(first) == 10
    fresh = AnnotationStore(db)
    assert len(fresh.all()) == 26 and fresh.check() == []
