"""The codebook: hierarchy, the one tag filter, descriptions/colours, rename/merge/delete with undo."""

from __future__ import annotations

import pytest

from reader import codebook as cb
from reader.export import filter_records
from reader.store import AnnotationStore


@pytest.fixture
def store(tmp_path):
    db = tmp_path / "annotations" / "annotations.json"
    s = AnnotationStore(db)
    s.add(article="a.txt", start=0, end=3, quote="abc", tags=["policy/vaccines", "health"], note="n1")
    s.add(article="a.txt", start=4, end=6, quote="de", tags=["policy"])
    s.add(article="b.txt", tags=["Policy/Masks"])
    s.add(article="b.txt", start=0, end=1, quote="x", tags=["other"])
    return s


def tags_by_quote(store):
    return sorted((r["article"], r["quote"], tuple(r["tags"])) for r in store.all())


def test_parent_filter_includes_children_and_nothing_else():
    assert cb.tag_matches("policy", "policy")
    assert cb.tag_matches("policy", "POLICY/vaccines/kids")
    assert cb.tag_matches(" policy / vaccines ", "policy/vaccines")
    assert not cb.tag_matches("policy", "policymakers")
    assert not cb.tag_matches("policy/vaccines", "policy")
    records = [{"tags": ["policy/vaccines"]}, {"tags": ["policymakers"]}, {"tags": ["policy"]}]
    assert filter_records(records, tag="policy") == [records[0], records[2]]


def test_tree_has_implied_parents_and_summed_counts():
    book = cb.Codebook(cb.codebook_path("/nowhere/annotations.json"))
    book.set("policy", color="#FF0000", description="Government action")
    nodes = cb.tree({"policy/vaccines": 2, "policy/masks": 1, "health": 4, "a/b/c": 1}, book)
    shown = [(n.tag, n.depth, n.own, n.total) for n in nodes]
    assert shown == [("a", 0, 0, 1), ("a/b", 1, 0, 1), ("a/b/c", 2, 1, 1), ("health", 0, 4, 4),
                     ("policy", 0, 0, 3), ("policy/masks", 1, 1, 1), ("policy/vaccines", 1, 2, 2)]
    vaccines = nodes[-1]
    assert vaccines.color == "#ff0000"  # inherited from the parent
    assert nodes[4].description == "Government action"


def test_describe_persists_and_a_bad_colour_is_refused(store):
    cb.describe(store, store.path, "policy", description="Gov", color="#00aa00")
    again = cb.Codebook.load(store.path)
    assert again.description("POLICY") == "Gov" and again.color("policy/vaccines") == "#00aa00"
    with pytest.raises(cb.CodebookError, match="#rrggbb"):
        cb.describe(store, store.path, "policy", color="green")


def test_unreadable_codebook_is_never_overwritten(store):
    path = cb.codebook_path(store.path)
    path.write_text("{ not json")
    with pytest.raises(cb.CodebookError, match="left untouched"):
        cb.describe(store, store.path, "x", description="y")
    assert path.read_text() == "{ not json"


def test_rename_moves_children_and_codebook_and_undo_restores_exactly(store):
    cb.describe(store, store.path, "policy/vaccines", description="jabs", color="#123456")
    before = sorted(store.all(), key=lambda r: r["id"])
    change = cb.rename(store, store.path, "policy", "politics")
    assert tags_by_quote(store) == [
        ("a.txt", "abc", ("politics/vaccines", "health")), ("a.txt", "de", ("politics",)),
        ("b.txt", "", ("politics/Masks",)), ("b.txt", "x", ("other",))]
    book = cb.Codebook.load(store.path)
    assert book.description("politics/vaccines") == "jabs" and book.get("policy/vaccines") is None
    assert cb.undo(store, store.path, change) == 3
    assert sorted(store.all(), key=lambda r: r["id"]) == before
    assert cb.Codebook.load(store.path).description("policy/vaccines") == "jabs"


def test_rename_into_itself_is_refused(store):
    with pytest.raises(cb.CodebookError, match="inside itself"):
        cb.rename(store, store.path, "policy", "policy/sub")


def test_merge_and_undo(store):
    before = sorted(store.all(), key=lambda r: r["id"])
    change = cb.merge(store, store.path, ["health", "other"], "policy")
    assert tags_by_quote(store) == [
        ("a.txt", "abc", ("policy/vaccines", "policy")), ("a.txt", "de", ("policy",)),
        ("b.txt", "", ("Policy/Masks",)), ("b.txt", "x", ("policy",))]
    cb.undo(store, store.path, change)
    assert sorted(store.all(), key=lambda r: r["id"]) == before


def test_delete_removes_tag_and_children_keeps_annotations_and_undo(store):
    before = sorted(store.all(), key=lambda r: r["id"])
    change = cb.delete(store, store.path, "policy")
    assert tags_by_quote(store) == [("a.txt", "abc", ("health",)), ("a.txt", "de", ()),
                                    ("b.txt", "", ()), ("b.txt", "x", ("other",))]
    assert change.summary == "deleted policy"
    cb.undo(store, store.path, change)
    assert sorted(store.all(), key=lambda r: r["id"]) == before


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

TAGS = ["a", "A/b", "a/b/c", "d", "d/e", "ab"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tag_lists=st.lists(st.lists(st.sampled_from(TAGS), max_size=3), min_size=1, max_size=6),
       op=st.sampled_from(["rename", "merge", "delete"]), tag=st.sampled_from(["a", "a/b", "d", "ab"]),
       target=st.sampled_from(["x", "d", "x/y", "A"]))
def test_any_change_then_undo_is_the_identity(tmp_path_factory, tag_lists, op, tag, target):
    db = tmp_path_factory.mktemp("db") / "annotations.json"
    store = AnnotationStore(db)
    for i, tags in enumerate(tag_lists):
        store.add(article=f"{i % 2}.txt", tags=tags)
    before = sorted(store.all(), key=lambda r: r["id"])
    try:
        if op == "rename":
            change = cb.rename(store, db, tag, target)
        elif op == "merge":
            change = cb.merge(store, db, [tag], target)
        else:
            change = cb.delete(store, db, tag)
    except cb.CodebookError:
        assert sorted(store.all(), key=lambda r: r["id"]) == before  # refused: nothing changed
        return
    after = store.all()
    if op == "delete":
        assert not any(cb.tag_matches(tag, t) for r in after for t in r["tags"])
    else:
        assert not any(cb.tag_matches(tag, t) and not cb.tag_matches(target, t) for r in after for t in r["tags"])
    cb.undo(store, db, change)
    assert sorted(store.all(), key=lambda r: r["id"]) == before
