"""One rule for how a tag is counted, spelled and ordered: the CLI, the TUI's session and the statistics agree."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings, strategies as st

from reader import stats
from reader.corpus import load_corpus
from reader.records import count_tags, order_tags, tag_spellings
from reader.session import Session
from reader.store import AnnotationStore
from tests.helpers import A000, run


def test_commonest_spelling_wins_everywhere(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "annotations" / "annotations.json"
    store = AnnotationStore(db)
    store.add(article=A000, tags=["covid"])          # first seen, but the rarer spelling
    store.add(article=A000, tags=["Covid", "masks"])
    store.add(article=A000, tags=["Covid"])
    session = Session(seeds_copy, db, corpus=load_corpus(seeds_copy))
    expected = {"Covid": 3, "masks": 1}
    assert store.tag_counts() == expected
    assert session.tag_counts() == expected
    assert list(session.tag_counts()) == ["Covid", "masks"]      # most used first
    assert stats.compute(store.all()).tags == [("Covid", 3), ("masks", 1)]
    out = run("tags", "--json", "--corpus", str(seeds_copy), "--db", str(db)).stdout
    assert json.loads(out) == [{"tag": "Covid", "count": 3}, {"tag": "masks", "count": 1}]


def test_ties_keep_the_first_spelling_and_order_by_name() -> None:
    records = [{"tags": ["b"]}, {"tags": ["Alpha"]}, {"tags": ["alpha"]}, {"tags": ["B"]}]
    assert tag_spellings(records) == {"b": "b", "alpha": "Alpha"}
    assert count_tags(records) == {"Alpha": 2, "b": 2}
    assert order_tags({"zeta": 1, "Beta": 5, "alpha": 5}) == ["alpha", "Beta", "zeta"]


tags = st.lists(st.sampled_from(["covid", "Covid", "COVID", "masks", "Masks", "policy/vaccines"]),
                max_size=4, unique_by=str.casefold)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(lambda t: {"tags": t}, tags), max_size=30))
def test_counts_are_per_annotation_and_case_insensitive(records) -> None:
    counts = count_tags(records)
    folded = [t.casefold() for t in counts]
    assert len(folded) == len(set(folded))                         # one entry per tag, whatever the case
    for tag, n in counts.items():
        assert n == sum(1 for r in records if tag.casefold() in {t.casefold() for t in r["tags"]})
    assert list(counts) == order_tags(counts)


def test_tags_rename_is_the_codebook_rename(seeds_copy: Path, tmp_path: Path) -> None:
    """`reader tags --rename` and `reader tag --rename` are one operation: sub-tags and the codebook move."""
    db = tmp_path / "annotations" / "annotations.json"
    base = ["--corpus", str(seeds_copy), "--db", str(db)]
    for tag in ("policy", "policy/vaccines", "health"):
        run("annotate", A000, *base, "--tag", tag)
    run("tag", "policy", "--describe", "Government action", "--color", "#1f77b4", *base)
    result = run("tags", "--json", "--rename", "policy", "politics", "--rename", "health", "politics", *base)
    assert "3 annotations changed" in result.stderr
    assert json.loads(result.stdout) == [{"tag": "politics", "count": 2}, {"tag": "politics/vaccines", "count": 1}]
    shown = run("tag", "politics", *base).stdout
    assert "Government action" in shown and "#1f77b4" in shown


def test_renames_never_chain(tmp_path: Path) -> None:
    from reader import codebook as cbk

    db = tmp_path / "annotations.json"
    store = AnnotationStore(db)
    a = store.add(article=A000, tags=["a"])
    b = store.add(article=A000, tags=["b"])
    cbk.rename_many(store, db, [("a", "b"), ("b", "c")])
    assert store.get(a["id"])["tags"] == ["b"] and store.get(b["id"])["tags"] == ["c"]


def test_a_save_or_a_rename_is_searchable_at_once(seeds_copy: Path, tmp_path: Path) -> None:
    """The core keeps the search index in step with every change; no screen has to remember to."""
    session = Session(seeds_copy, tmp_path / "annotations.json", corpus=load_corpus(seeds_copy))
    index = session.index()
    assert index.search("tag:quarantined") == []
    session.annotate(A000, None, None, tags=["quarantined"])
    assert [h.article for h in index.search("tag:quarantined")] == [A000]
    session.rename_tag("quarantined", "isolated")
    assert index.search("tag:quarantined") == []
    assert [h.article for h in index.search("tag:isolated")] == [A000]


def test_reading_state_and_the_read_rule_live_in_the_core() -> None:
    from reader.records import reached_the_end, reading_state

    assert reading_state({}) == "unread"
    assert reading_state({"opened": "2026-12-01T10:00:00Z"}) == "started"
    assert reading_state({"opened": "2026-12-01T10:00:00Z", "read": True}) == "read"
    assert not reached_the_end(89, 100) and reached_the_end(90, 100) and not reached_the_end(0, 0)


def test_the_store_filters_by_tag_with_the_codebook_rule(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "annotations.json")
    parent = store.add(article=A000, tags=["Policy"])
    child = store.add(article=A000, tags=["policy/vaccines"])
    store.add(article=A000, tags=["policymaking"])
    assert {r["id"] for r in store.by_tag("policy")} == {parent["id"], child["id"]}


def test_reader_tag_counts_each_annotation_once(seeds_copy: Path, tmp_path: Path) -> None:
    """`reader tag X` counts the annotations that have X (codebook.record_has_tag), not the sum of the tag
    counts: one carrying both a tag and its sub-tag is one annotation."""
    db = tmp_path / "annotations" / "annotations.json"
    store = AnnotationStore(db)
    store.add(article=A000, tags=["policy", "policy/vaccines"])
    store.add(article=A000, tags=["Policy/masks"])
    store.add(article=A000, tags=["policymaking"])
    out = run("tag", "policy", "--corpus", str(seeds_copy), "--db", str(db)).stdout
    assert "2 annotations (sub-tags included)" in out


def test_the_statistics_count_tags_with_the_one_rule() -> None:
    records = [{"article": "a", "tags": ["b"], "created": ""}, {"article": "a", "tags": ["Alpha"], "created": ""},
               {"article": "a", "tags": ["alpha", "B"], "created": ""}]
    assert stats.compute(records).tags == list(count_tags(records).items()) == [("Alpha", 2), ("b", 2)]
