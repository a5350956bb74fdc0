"""Re-anchoring is the core's job (reader.living): the CLI, the exports and the session all see annotations
of a changed article at their new place, stored with the new fingerprint; orphans are kept and marked."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from reader.anchoring import describe, find_occurrence
from reader.living import place, reanchor
from reader.records import make_record
from reader.store import AnnotationStore
from tests.helpers import A003 as ARTICLE_003, run


@pytest.fixture
def env(seeds_copy: Path):
    db = seeds_copy.parent / "annotations" / "annotations.json"
    return {"corpus": seeds_copy, "db": db, "base": ["--corpus", str(seeds_copy), "--db", str(db)]}


def annotate_second_guo_min(env) -> str:
    return run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "2",
               "--tag", "people", "--note", "the ambassador").stdout.strip()


def stored(env) -> list[dict]:
    return AnnotationStore(env["db"]).all()


def test_export_after_prepending_a_line_writes_offsets_of_the_current_text(env):
    annotate_second_guo_min(env)
    path = env["corpus"] / ARTICLE_003
    lead = "Editor's note: this interview was first published in May 2020.\n\n"
    path.write_text(lead + path.read_text(encoding="utf-8"), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    result = run("export", *env["base"], "--format", "json")
    [a] = json.loads(result.stdout)["annotations"]
    assert text[a["start"]:a["end"]] == "Guo Min"
    assert (a["start"], a["end"]) == find_occurrence(text, "Guo Min", 2)
    assert a["status"] == "moved" and a["confidence"] == 1.0
    assert a["fingerprint"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert "re-anchored the annotations of 1 changed article: 1 moved" in result.stderr
    # stored: the database now has the new offsets and fingerprint, and a second export changes nothing
    [r] = stored(env)
    assert (r["start"], r["end"], r["fingerprint"]) == (a["start"], a["end"], a["fingerprint"])
    again = run("export", *env["base"], "--format", "json")
    assert "re-anchored" not in again.stderr
    assert json.loads(again.stdout)["annotations"] == [a]


def test_an_orphan_keeps_everything_and_every_export_marks_it(env, shared_dir, tmp_path):
    annotate_second_guo_min(env)
    run("annotate", ARTICLE_003, *env["base"], "--quote", "pandemic", "--occurrence", "1", "--tag", "covid")
    before = {r["quote"]: r for r in stored(env)}
    path = env["corpus"] / ARTICLE_003
    text = path.read_text(encoding="utf-8")
    # the ambassador is no longer named anywhere
    path.write_text(text.replace("Guo Min", "the ambassador"), encoding="utf-8")
    out = run("export", *env["base"], "--format", "json").stdout
    doc = json.loads(out)
    from reader.export import SCHEMA_PATH

    jsonschema.validate(doc, json.loads(Path(SCHEMA_PATH).read_text()))
    by_quote = {a["quote"]: a for a in doc["annotations"]}
    orphan = by_quote["Guo Min"]
    assert orphan["status"] == "orphaned" and orphan["confidence"] == 0.0
    kept = {k: v for k, v in orphan.items() if k not in ("status", "confidence")}
    assert kept == before["Guo Min"]                      # offsets, context, tags, note, fingerprint: all kept
    [r] = [r for r in stored(env) if r["quote"] == "Guo Min"]
    assert r["status"] == "orphaned" and r["tags"] == ["people"] and r["note"] == "the ambassador"
    assert by_quote["pandemic"]["status"] in ("anchored", "moved")
    # w3c: the orphan keeps its quote selector and has no position; it passes the validator
    w3c = tmp_path / "w3c.json"
    run("export", *env["base"], "--format", "w3c", "-o", str(w3c))
    items = json.loads(w3c.read_text())["first"]["items"]
    selectors = {item["target"]["selector"][0]["exact"]: item["target"]["selector"] for item in items}
    assert [s["type"] for s in selectors["Guo Min"]] == ["TextQuoteSelector"]
    assert [s["type"] for s in selectors["pandemic"]] == ["TextQuoteSelector", "TextPositionSelector"]
    check = subprocess.run([sys.executable, str(shared_dir / "w3c-validate.py"), str(w3c)],
                           capture_output=True, text=True)
    assert check.returncode == 0 and "0 failed" in check.stdout, check.stdout + check.stderr
    # md: listed at the end with its tags and note, not among the article's passages
    md = run("export", *env["base"], "--format", "md").stdout
    head, tail = md.split("## Orphaned annotations")
    assert "> Guo Min" not in head and "> Guo Min" in tail
    assert "- tags: people" in tail and "- note: the ambassador" in tail
    # and the native import takes the export back (the status is part of the schema)
    exported = tmp_path / "native.json"
    exported.write_text(out)
    assert "0 added, 0 updated, 2 unchanged" in run("import", str(exported), *env["base"]).stdout


def test_an_orphan_is_found_again_when_its_text_comes_back(env):
    annotate_second_guo_min(env)
    path = env["corpus"] / ARTICLE_003
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("Guo Min", "the ambassador"), encoding="utf-8")
    assert json.loads(run("export", *env["base"]).stdout)["annotations"][0]["status"] == "orphaned"
    path.write_text(original, encoding="utf-8")
    [a] = json.loads(run("export", *env["base"]).stdout)["annotations"]
    assert a["status"] == "anchored" and original[a["start"]:a["end"]] == "Guo Min"


class FakeArticle:
    def __init__(self, text: str) -> None:
        self.text = text
        self.fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_on(text: str, quote: str, **fields) -> dict:
    start = text.index(quote)
    sel = describe(text, start, start + len(quote))
    return make_record(article="a.txt", start=sel.start, end=sel.end, quote=sel.quote, prefix=sel.prefix,
                       suffix=sel.suffix, fingerprint=FakeArticle(text).fingerprint, annotator="t", **fields)


def test_place_keeps_the_old_quote_and_reports_review():
    text = "The committee met on Tuesday to review the proposal for a new bridge across the river."
    r = record_on(text, "the proposal for a new bridge", tags=["plan"], note="n")
    edited = FakeArticle("Update. " + text.replace("proposal for a new", "proposal for a wider new"))
    p = place(r, edited)
    assert p.changed and p.anchor.status == "moved"
    assert p.record["quote"] == "the proposal for a wider new bridge"
    assert p.record["old_quote"] == "the proposal for a new bridge"
    assert p.record["fingerprint"] == edited.fingerprint and p.record["status"] == "moved"
    assert {k: p.record[k] for k in ("id", "tags", "note", "created", "updated")} == \
        {k: r[k] for k in ("id", "tags", "note", "created", "updated")}
    # placed again on the same text: nothing changes, and the first quote stays the old one
    assert place(p.record, edited).changed is False
    _placements, summary = reanchor([r], {"a.txt": edited})
    assert summary.describe() == "1 moved, 1 to review"   # "wider " inserted: 6 characters in 29


def test_reanchor_counts_and_missing_articles():
    text = "Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa lambda mu."
    records = [record_on(text, "beta gamma"), record_on(text, "zeta eta"), record_on(text, "kappa lambda"),
               make_record(article="a.txt", note="whole", fingerprint=FakeArticle(text).fingerprint, annotator="t"),
               dict(record_on(text, "Iota"), article="gone.txt")]
    edited = FakeArticle("New lead. " + text.replace("Epsilon zeta eta theta. ", ""))
    placements, summary = reanchor(records, {"a.txt": edited})
    assert (summary.moved, summary.orphaned, summary.missing) == (2, 1, 1)
    # both moved passages lost the sentence that followed them (their suffix): found, but to be reviewed
    assert summary.review == 2
    assert summary.describe() == "2 moved, 1 orphaned, 2 to review"
    assert placements[3].record["fingerprint"] == edited.fingerprint      # whole-article: new fingerprint
    assert placements[4].record is records[4]                             # missing article: untouched
    assert [p.record["id"] for p in placements] == [r["id"] for r in records]


def test_session_reanchors_and_stores_for_the_tui(tmp_path, seeds_copy):
    from reader.corpus import load_corpus
    from reader.session import Session

    db = tmp_path / "db" / "annotations.json"
    session = Session(seeds_copy, db, corpus=load_corpus(seeds_copy))
    article = session.article(ARTICLE_003)
    start, end = find_occurrence(article.text, "Guo Min", 2)
    session.annotate(ARTICLE_003, start, end, tags=["people"])
    path = seeds_copy / ARTICLE_003
    path.write_text("A new first line.\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    session2 = Session(seeds_copy, db, corpus=load_corpus(seeds_copy))
    [p] = session2.annotations_for(ARTICLE_003)
    text = session2.article(ARTICLE_003).text
    assert text[p.start:p.end] == "Guo Min" and p.anchor.status == "moved"
    assert session2.reanchor_summary(ARTICLE_003).describe() == "1 moved"
    [r] = AnnotationStore(db).all()
    assert (r["start"], r["end"], r["status"]) == (p.start, p.end, "moved")


def test_storing_a_reanchor_neither_overwrites_an_edit_nor_revives_a_deletion(tmp_path):
    text = "Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa lambda mu."
    store = AnnotationStore(tmp_path / "db" / "annotations.json")
    kept = store.add_record(record_on(text, "beta gamma", note="first"))
    gone = store.add_record(record_on(text, "kappa lambda"))
    records = store.all()                                   # read by one process ...
    store.update(kept["id"], tags=["edited"], note="changed meanwhile")   # ... edited by another
    store.delete(gone["id"])
    edited = FakeArticle("New lead. " + text)
    _placements, summary = reanchor(records, {"a.txt": edited}, store)
    assert summary.stored and summary.moved == 2
    [now] = store.all()
    assert now["id"] == kept["id"] and now["note"] == "changed meanwhile" and now["tags"] == ["edited"]
    assert edited.text[now["start"]:now["end"]] == "beta gamma" and now["fingerprint"] == edited.fingerprint
