"""Pilot test: opening an article that changed since it was annotated says what re-anchoring did, and the
database then holds the new offsets (the core did it, not the screen)."""

from __future__ import annotations

import hashlib

from reader.anchoring import describe, find_occurrence
from reader.records import make_record
from reader.store import AnnotationStore
from tests.tui.conftest import wait_until
from tests.tui.test_library_reader import A003, SIZE, open_003


def fingerprint_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def add(store, text: str, start: int, end: int, tags=()) -> str:
    sel = describe(text, start, end)
    record = make_record(article=A003, start=sel.start, end=sel.end, quote=sel.quote, prefix=sel.prefix,
                         suffix=sel.suffix, tags=list(tags), fingerprint=fingerprint_of(text), annotator="t")
    return store.add_record(record)["id"]


async def test_changed_article_says_moved_orphaned_and_to_review(make_app, db_path, seeds_copy):
    path = seeds_copy / A003
    text = path.read_text(encoding="utf-8")
    store = AnnotationStore(db_path)
    guo = add(store, text, *find_occurrence(text, "Guo Min", 2), tags=["people"])
    year = add(store, text, *find_occurrence(text, "The year 2020 will inevitably go down in history"))
    victory = add(store, text, *find_occurrence(text, "huge phased victory"), tags=["claims"])
    dialogue = add(store, text, *find_occurrence(text, "authoritative dialogue"))
    edited = ("Updated on 5 May.\n\n" + text
              .replace("The year 2020 will inevitably go down in history. ", "")        # deleted: orphaned
              .replace("huge phased victory", "huge victory"))                           # edited: to review
    path.write_text(edited, encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_003(pilot)
        await wait_until(pilot, lambda: any("This article changed" in str(n.message) for n in app._notifications))
        [message] = [str(n.message) for n in app._notifications if "This article changed" in str(n.message)]
        assert "3 moved, 1 orphaned, 1 to review" in message
    records = {r["id"]: r for r in AnnotationStore(db_path).all()}
    assert edited[records[guo]["start"]:records[guo]["end"]] == "Guo Min"
    assert records[guo]["status"] == "moved" and records[guo]["fingerprint"] == fingerprint_of(edited)
    assert records[year]["status"] == "orphaned" and records[year]["start"] == text.index("The year 2020")
    assert records[victory]["quote"] == "huge victory" and records[victory]["old_quote"] == "huge phased victory"
    assert records[victory]["confidence"] < 0.9 and records[victory]["tags"] == ["claims"]
    assert records[dialogue]["status"] == "moved" and records[dialogue]["confidence"] == 1.0
