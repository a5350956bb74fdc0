"""Property tests, 1,000 examples each: random interleavings of add, edit, delete and undo against a model;
export then import is the identity; corpus parsing of random bytes never raises anything but CorpusError.

fsync is a no-op here (durability is proven by the fault-injection and kill -9 tests) and chunks hold 3
records, so that the examples cross chunk boundaries and the id index moves with them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import store as store_mod
from reader.corpus import CorpusError, parse_article
from reader.export import export_native, import_native, load_native
from reader.records import make_record
from reader.store import AnnotationStore

FAST = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    monkeypatch.setattr(store_mod, "CHUNK_MAX", 3)


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(["a", "b"]), st.lists(st.sampled_from(["x", "y"]), max_size=2)),
        st.tuples(st.just("edit"), st.integers(0, 30), st.text(max_size=5)),
        st.tuples(st.just("delete"), st.integers(0, 30)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("batch"), st.integers(1, 4)),
    ),
    max_size=10,
)


@FAST
@given(ops=OPS)
def test_add_edit_delete_undo_match_a_model(quick, ops: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "annotations.json"
        s = AnnotationStore(db)
        model: dict[str, dict] = {}
        undo: list[dict] = []
        for op in ops:
            if op[0] == "add":
                rec = s.add(article=op[1], tags=op[2])
                model[rec["id"]] = rec
            elif op[0] == "edit" and model:
                rid = sorted(model)[op[1] % len(model)]
                model[rid] = s.update(rid, note=op[2])
            elif op[0] == "delete" and model:
                rid = sorted(model)[op[1] % len(model)]
                undo.append(s.delete(rid))
                del model[rid]
            elif op[0] == "undo" and undo:
                rec = s.restore(undo.pop())
                model[rec["id"]] = rec
            elif op[0] == "batch":
                with s.batch():
                    for i in range(op[1]):
                        rec = make_record(article="c", note=str(i))
                        assert s.upsert(rec) == "added"
                        model[rec["id"]] = rec
        fresh = AnnotationStore(db)
        assert {r["id"]: r for r in fresh.all()} == model
        for rid, rec in model.items():
            assert fresh.get(rid) == rec
        assert fresh.check() == []


RECORDS = st.lists(
    st.builds(lambda article, span, tags, note: make_record(
        article=article, start=span[0] if span else None, end=span[0] + span[1] if span else None,
        quote="q" * (span[1] if span else 0), tags=tags, note=note),
        st.sampled_from(["a.txt", "dir/b.md", "ü.txt"]),
        st.none() | st.tuples(st.integers(0, 500), st.integers(0, 20)),
        st.lists(st.text(min_size=1, max_size=8), max_size=3),
        st.text(max_size=20)),
    max_size=5,
)


@FAST
@given(recs=RECORDS)
def test_export_then_import_is_the_identity(quick, recs: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = AnnotationStore(Path(tmp) / "one" / "annotations.json")
        with source.batch():
            for rec in recs:
                source.upsert(rec)
        text = json.dumps(export_native(source.all(), {}, corpus="corpus"))
        target = AnnotationStore(Path(tmp) / "two" / "annotations.json")
        result = import_native(target, text)
        assert result.added == len(source.all())
        assert target.all() == source.all()
        assert sorted(load_native(text), key=lambda r: r["id"]) == sorted(source.all(), key=lambda r: r["id"])


@settings(max_examples=1000, deadline=None)
@given(data=st.binary(max_size=300))
def test_corpus_parsing_of_random_bytes_never_raises(data: bytes) -> None:
    try:
        article = parse_article("x.txt", Path("/corpus/x.txt"), data)
    except CorpusError:
        return
    assert isinstance(article.text, str) and article.title


NAMES = st.binary(min_size=1, max_size=30).filter(lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b".."))


@settings(max_examples=1000, deadline=None)
@given(files=st.lists(st.tuples(NAMES, st.sampled_from([b".txt", b".md", b""]), st.binary(max_size=200)),
                      max_size=4, unique_by=lambda f: f[0] + f[1]))
def test_loading_a_folder_of_random_names_and_bytes_never_raises(files) -> None:
    """The whole load (scan, names, decoding, parsing) of random file names and contents: no exception,
    and whatever is listed (articles, skipped files) is safe to show."""
    from reader.corpus import load_corpus
    from reader.display import UNSAFE_RE, field

    with tempfile.TemporaryDirectory() as tmp:
        root = os.fsencode(tmp)
        for name, suffix, data in files:
            with open(os.path.join(root, name + suffix), "wb") as f:
                f.write(data)
        corpus = load_corpus(tmp)
        for article in corpus.articles:
            assert isinstance(article.text, str) and article.title
            assert not any(0x80 <= ord(c) <= 0x9f or (ord(c) < 0x20 and c not in "\n\t") for c in article.text)
            assert UNSAFE_RE.search(field(article.id)) is None and "\n" not in field(article.id)
        for skipped in corpus.skipped:
            assert UNSAFE_RE.search(skipped.id) is None and "\n" not in skipped.id
