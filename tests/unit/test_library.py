"""The catalogue and the full-text index are caches: they follow the folder exactly and are never trusted."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from reader import corpus as corpus_module
from reader.catalogue import CATALOGUE_FILENAME, Catalogue
from reader.fulltext import INDEX_FILENAME, FullTextIndex
from reader.library import Library

ARTICLES = {
    "alpha.txt": "Harbour cranes return\n\nThe harbour cranes were repaired after the storm and the port reopened.",
    "beta.txt": "Election night\n\nVoters queued for hours; the election commission extended the opening times.",
    "gamma.md": "# Glacier retreat\n\nThe glacier lost forty metres this summer, the survey team reported.",
    "sub/delta.txt": "Orchard frost\n\nA late frost damaged the apple orchard blossoms across the valley.",
}


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name, text in ARTICLES.items():
        write(root, name, text)
    return root


def library(corpus: Path) -> Library:
    lib = Library(corpus, corpus.parent / "annotations" / "annotations.json")
    lib.refresh()
    return lib


def bump(path: Path) -> None:
    """Make sure the edit is seen even on a file system with coarse timestamps."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_cold_then_warm_reads_only_what_changed(corpus: Path, monkeypatch):
    lib = library(corpus)
    assert [a.id for a in lib.articles] == sorted(ARTICLES)
    assert lib.article("gamma.md").title == "Glacier retreat"
    assert lib.update_index() == 4
    lib.close()

    parsed: list[str] = []
    real = corpus_module._load_one
    monkeypatch.setattr(corpus_module, "_load_one", lambda root, i: parsed.append(i) or real(root, i))
    lib = library(corpus)  # a new process: everything from the catalogue, nothing re-read
    assert parsed == [] and len(lib.articles) == 4
    assert not lib.articles[0].loaded  # bodies are read on demand
    assert lib.update_index() == 0

    write(corpus, "beta.txt", "Election night\n\nTurnout broke every record in the mountain villages.")
    bump(corpus / "beta.txt")
    write(corpus, "epsilon.txt", "Bridge tolls\n\nThe bridge tolls rise in spring.")
    (corpus / "gamma.md").unlink()
    (corpus / "sub" / "delta.txt").rename(corpus / "sub" / "delta2.txt")
    changes = lib.refresh()
    assert sorted(parsed) == ["beta.txt", "epsilon.txt", "sub/delta2.txt"]
    assert changes.changed == ["beta.txt"]
    assert sorted(changes.added) == ["epsilon.txt", "sub/delta2.txt"]
    assert sorted(changes.removed) == ["gamma.md", "sub/delta.txt"]
    assert [a.id for a in lib.articles] == ["alpha.txt", "beta.txt", "epsilon.txt", "sub/delta2.txt"]
    assert not lib.index_ready
    assert lib.update_index() == 3  # exactly the edited, added and renamed files
    assert [h.article for h in lib.search("turnout villages")][:1] == ["beta.txt"]
    assert lib.search("glacier survey") == []  # the deleted file left the index
    assert [h.article for h in lib.search("orchard blossoms")][:1] == ["sub/delta2.txt"]


def test_a_touched_but_identical_file_is_not_reindexed(corpus: Path):
    lib = library(corpus)
    lib.update_index()
    bump(corpus / "alpha.txt")
    changes = lib.refresh()
    assert not changes.changed and not changes.added
    assert lib.update_index() == 0


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other parser", "other schema"])
def test_a_damaged_or_foreign_catalogue_is_rebuilt(corpus: Path, damage: str):
    lib = library(corpus)
    lib.update_index()
    lib.close()
    path = corpus.parent / "annotations" / CATALOGUE_FILENAME
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    else:
        db = sqlite3.connect(path)
        key = "parser" if damage == "other parser" else "schema"
        db.execute("UPDATE meta SET value = '999' WHERE key = ?", (key,))
        db.commit()
        db.close()
    lib = library(corpus)
    assert [a.id for a in lib.articles] == sorted(ARTICLES)
    assert lib.article("alpha.txt").title == "Harbour cranes return"


@pytest.mark.parametrize("damage", ["garbage", "other version"])
def test_a_damaged_or_foreign_index_is_rebuilt(corpus: Path, damage: str):
    lib = library(corpus)
    lib.update_index()
    lib.close()
    path = corpus.parent / "annotations" / INDEX_FILENAME
    if damage == "garbage":
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.write_bytes(b"\0garbage" * 4096)
    else:
        db = sqlite3.connect(path)
        db.execute("UPDATE meta SET value = '999' WHERE key = 'version'")
        db.commit()
        db.close()
    lib = library(corpus)
    assert lib.update_index() == 4
    assert [h.article for h in lib.search("harbour cranes")][:1] == ["alpha.txt"]


def test_readonly_use_creates_no_folder(corpus: Path):
    lib = Library(corpus, corpus.parent / "annotations" / "annotations.json", readonly=True)
    lib.refresh()
    assert [h.article for h in lib.search("glacier")][:1] == ["gamma.md"]
    assert not (corpus.parent / "annotations").exists()


def test_skipped_files_are_remembered_and_reported(corpus: Path):
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    lib = library(corpus)
    assert [s.id for s in lib.corpus.skipped] == ["binary.txt"]
    assert "binary.txt" not in {a.id for a in lib.articles}
    lib2 = library(corpus)
    assert [s.id for s in lib2.corpus.skipped] == ["binary.txt"]


def test_two_processes_indexing_at_once_neither_corrupt_nor_duplicate(corpus: Path):
    for k in range(60):
        write(corpus, f"bulk/{k:03}.txt", f"Bulk {k}\n\nfiller words number{k} and harbour notes")
    first, second = library(corpus), library(corpus)
    errors: list[BaseException] = []

    def run(lib: Library) -> None:
        try:
            lib.update_index()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(lib,)) for lib in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    index = FullTextIndex(corpus.parent / "annotations" / INDEX_FILENAME)
    assert len(index) == 64
    assert index.db.execute("SELECT count(*) FROM fts").fetchone()[0] == 64
    assert [h.article for h in first.search("number17")][:1] == ["bulk/017.txt"]


def test_catalogue_lists_without_reading_bodies(corpus: Path):
    cat = Catalogue(corpus, corpus.parent / "annotations" / CATALOGUE_FILENAME)
    cat.sync()
    articles = cat.articles()
    assert all(not a.loaded for a in articles)
    assert articles[0].text.startswith("Harbour cranes")
    assert articles[0].loaded


def test_an_unwritable_catalogue_falls_back_to_memory(corpus: Path, monkeypatch):
    import reader.catalogue as catalogue_module

    def refuse(path, *, readonly=False):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(catalogue_module, "connect", refuse)
    lib = library(corpus)
    assert not lib.catalogue.persistent
    assert [a.id for a in lib.articles] == sorted(ARTICLES)
    assert [h.article for h in lib.search("glacier")][:1] == ["gamma.md"]


def test_a_catalogue_that_refuses_a_write_mid_sync_is_replaced_by_memory(corpus: Path, monkeypatch):
    lib = library(corpus)
    write(corpus, "new.txt", "Fresh\n\nA fresh article.")
    import reader.catalogue as catalogue_module

    real = Catalogue._write

    def disk_full(self, rows, gone):
        if self.persistent:  # the file refuses; the in-memory catalogue that replaces it does not
            raise catalogue_module._Unwritable("database or disk is full")
        real(self, rows, gone)

    monkeypatch.setattr(Catalogue, "_write", disk_full)
    lib.refresh()
    assert not lib.catalogue.persistent
    assert "new.txt" in {a.id for a in lib.articles} and len(lib.articles) == 5


def test_a_catalogue_of_another_corpus_folder_is_rebuilt(corpus: Path, tmp_path: Path):
    lib = library(corpus)
    lib.update_index()
    lib.close()
    other = tmp_path / "other"
    write(other, "only.txt", "Only one\n\nA single article about lighthouses.")
    lib = Library(other, corpus.parent / "annotations" / "annotations.json")  # the same database folder
    lib.refresh()
    assert [a.id for a in lib.articles] == ["only.txt"]
    assert [h.article for h in lib.search("lighthouses")] == ["only.txt"]
    assert lib.search("harbour cranes") == []


# ---- the catalogue's snapshot (a warm start lists from one blob of columns, never from a stale one)


def fields(articles) -> list[tuple]:
    return [(a.num, a.id, a.size, a.mtime, a.fingerprint, a.title, a.date, a.byline, a.source, a.words,
             a.dim_ranges, a.title_range, a.encoding, a.warning) for a in articles]


def test_a_warm_start_lists_from_the_snapshot_what_sql_would_list(corpus: Path, monkeypatch):
    lib = library(corpus)
    assert lib.catalogue.snapshot_current()
    expected = fields(lib.articles)
    lib.close()
    fresh = Library(corpus, corpus.parent / "annotations" / "annotations.json")
    monkeypatch.setattr(Catalogue, "_rows", lambda self: pytest.fail("the rows were read through SQL"))
    assert fresh.load_cached()
    assert fields(fresh.articles) == expected


def test_a_snapshot_older_than_the_rows_is_not_used(corpus: Path):
    lib = library(corpus)
    write(corpus, "alpha.txt", "Harbour cranes sold\n\nThe cranes were sold.")
    bump(corpus / "alpha.txt")
    write(corpus, "epsilon.txt", "New arrival\n\nA new article.")
    (corpus / "beta.txt").unlink()
    lib.refresh(snapshot=False)  # what a live poll does: the rows move on, the snapshot stays behind
    assert not lib.catalogue.snapshot_current()
    lib.close()
    fresh = Library(corpus, corpus.parent / "annotations" / "annotations.json")
    assert fresh.load_cached()
    assert [a.id for a in fresh.articles] == ["alpha.txt", "epsilon.txt", "gamma.md", "sub/delta.txt"]
    assert fresh.article("alpha.txt").title == "Harbour cranes sold"
    fresh.refresh()  # the start-up check writes a current one
    assert fresh.catalogue.snapshot_current()
    again = Library(corpus, corpus.parent / "annotations" / "annotations.json")
    assert again.load_cached() and fields(again.articles) == fields(fresh.articles)


@pytest.mark.parametrize("data", [b"", b"\x00garbage", b"\xff" * 64, None])
def test_a_damaged_snapshot_is_ignored_and_rewritten(corpus: Path, data: bytes | None):
    import marshal

    lib = library(corpus)
    expected = fields(lib.articles)
    lib.close()
    path = corpus.parent / "annotations" / CATALOGUE_FILENAME
    db = sqlite3.connect(path)
    if data is None:  # well-formed marshal data of the wrong shape
        data = marshal.dumps([[1, 2], [3]])
    db.execute("UPDATE snapshot SET data = ?", (data,))
    db.commit()
    db.close()
    fresh = Library(corpus, corpus.parent / "annotations" / "annotations.json")
    assert fresh.load_cached()
    assert fields(fresh.articles) == expected
    fresh.refresh()
    assert fresh.catalogue.snapshot_current()
    fresh.close()
    again = Library(corpus, corpus.parent / "annotations" / "annotations.json")
    rows = again.catalogue._rows
    again.catalogue._rows = lambda: pytest.fail("the rows were read through SQL")  # type: ignore[method-assign]
    assert again.load_cached() and fields(again.articles) == expected
    again.catalogue._rows = rows  # type: ignore[method-assign]


def test_a_session_opened_before_the_library_hands_everything_to_it(corpus: Path):
    """The TUI may open its session during a cold load (a key pressed meanwhile): the Library, when it
    is ready, becomes the session's one source of articles, store and search, and a change it sees is
    what the session shows."""
    from reader.session import Session

    db = corpus.parent / "annotations" / "annotations.json"
    session = Session(corpus, db)
    assert session.articles == [] and session.article("alpha.txt") is None
    lib = library(corpus)
    session.attach_library(lib)
    assert session.store is lib.store and session.corpus is None
    assert session.current_corpus is lib.corpus
    assert sorted(a.id for a in session.articles) == sorted(ARTICLES)
    session.index()
    assert session.index_ready and lib.index_ready
    assert session.annotate("alpha.txt", 4, 11, tags=["port"]).saved
    assert [r["tags"] for r in lib.store.all()] == [["port"]]
    write(corpus, "epsilon.txt", "Tide tables\n\nThe spring tides reached the harbour wall.")
    lib.refresh()
    assert session.article("epsilon.txt") is not None and session.current_corpus is lib.corpus
