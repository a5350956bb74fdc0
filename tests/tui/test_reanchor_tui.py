"""Pilot test: opening an article that changed since it was annotated says what re-anchoring did, and the
database then holds the new offsets (the core did it, not the screen)."""

from __future__ import annotations

import hashlib

from reader.anchoring import describe, find_occurrence
from reader.records import make_record
from reader.store import AnnotationStore
from reader.tui.screens.anchors import AnchorList
from tests.helpers import A003, SIZE, open_003, wait_loaded, wait_until


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
        await wait_until(pilot, lambda: any("This article changed" in str(n.message) for n in app.notices))
        [message] = [str(n.message) for n in app.notices if "This article changed" in str(n.message)]
        assert "3 moved, 1 orphaned, 1 to review" in message
    records = {r["id"]: r for r in AnnotationStore(db_path).all()}
    assert edited[records[guo]["start"]:records[guo]["end"]] == "Guo Min"
    assert records[guo]["status"] == "moved" and records[guo]["fingerprint"] == fingerprint_of(edited)
    assert records[year]["status"] == "orphaned" and records[year]["start"] == text.index("The year 2020")
    assert records[victory]["quote"] == "huge victory" and records[victory]["old_quote"] == "huge phased victory"
    assert records[victory]["confidence"] < 0.9 and records[victory]["tags"] == ["claims"]
    assert records[dialogue]["status"] == "moved" and records[dialogue]["confidence"] == 1.0


def seed_changed(seeds_copy, db_path) -> dict[str, str]:
    """On 003: a passage that will be edited (to review) and two that will vanish (orphans), with fixed
    ids and times; then the article is edited."""
    path = seeds_copy / A003
    text = path.read_text(encoding="utf-8")
    store = AnnotationStore(db_path)
    stamp = "2026-01-02T03:04:05.000000Z"
    ids = {}
    for n, (name, quote, tags, note) in enumerate((
            ("victory", "huge phased victory", ["claims"], ""),
            ("year", "The year 2020 will inevitably go down in history", ["history"], "the opening line"),
            ("disaster", "leads to disaster in more than 200 countries", ["covid", "scale"], "check the number"))):
        start, end = find_occurrence(text, quote)
        sel = describe(text, start, end)
        ids[name] = store.add_record(make_record(
            id=f"00000000-0000-4000-8000-00000000001{n}", article=A003, start=sel.start, end=sel.end,
            quote=sel.quote, prefix=sel.prefix, suffix=sel.suffix, tags=tags, note=note,
            fingerprint=fingerprint_of(text), created=stamp, updated=stamp, annotator="ana"))["id"]
    edited = (text.replace("The year 2020 will inevitably go down in history. ", "")
                  .replace(" leads to disaster in more than 200 countries and regions", " spread")
                  .replace("huge phased victory", "huge victory"))
    path.write_text(edited, encoding="utf-8")
    return ids


async def open_changed(pilot):
    view = await open_003(pilot)
    await wait_until(pilot, lambda: any("This article changed" in str(n.message) for n in pilot.app.notices))
    return view


async def test_review_list_accepts_a_new_place(make_app, db_path, seeds_copy):
    ids = seed_changed(seeds_copy, db_path)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_changed(pilot)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, AnchorList))
        listing = app.screen.query_one("#anchor-options")
        assert listing.option_count == 1 and listing.get_option_at_index(0).id == ids["victory"]
        await pilot.press("a")
        await pilot.pause()
        record = AnnotationStore(db_path).get(ids["victory"])
        assert record["confidence"] == 1.0 and record["quote"] == "huge victory"
        assert listing.option_count == 0
        await pilot.press("escape")
        # accepted: no longer to review when the article is opened again
        await wait_until(pilot, lambda: not isinstance(app.screen, AnchorList))
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, AnchorList))
        assert app.screen.query_one("#anchor-options").option_count == 0


async def test_orphan_reattached_to_the_selection_keeps_id_tags_note_created(make_app, db_path, seeds_copy):
    ids = seed_changed(seeds_copy, db_path)
    before = AnnotationStore(db_path).get(ids["year"])
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        view = await open_changed(pilot)
        text = app.screen.article.text
        target = text.index("COVID-19, which suddenly erupted")
        view.move_cursor_to(target)
        await pilot.press("v", "w", "w")
        await pilot.pause()
        selection = view.selection
        await pilot.press("O")
        await wait_until(pilot, lambda: isinstance(app.screen, AnchorList))
        listing = app.screen.query_one("#anchor-options")
        assert [listing.get_option_at_index(i).id for i in range(listing.option_count)] == [ids["year"], ids["disaster"]]
        await pilot.press("r")
        await pilot.pause()
        after = AnnotationStore(db_path).get(ids["year"])
        assert (after["start"], after["end"]) == selection and after["quote"] == text[selection[0]:selection[1]]
        assert after["status"] == "anchored" and after["old_quote"] == before["quote"]
        assert {k: after[k] for k in ("id", "tags", "note", "created", "annotator")} == \
            {k: before[k] for k in ("id", "tags", "note", "created", "annotator")}
        assert listing.option_count == 1


async def test_orphan_deleted_and_undone(make_app, db_path, seeds_copy):
    ids = seed_changed(seeds_copy, db_path)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_changed(pilot)
        await pilot.press("O")
        await wait_until(pilot, lambda: isinstance(app.screen, AnchorList))
        before = AnnotationStore(db_path).get(ids["year"])
        await pilot.press("x")
        await pilot.pause()
        assert AnnotationStore(db_path).get(ids["year"]) is None
        assert app.screen.query_one("#anchor-options").option_count == 1
        await pilot.press("U")
        await pilot.pause()
        assert AnnotationStore(db_path).get(ids["year"]) == before
        assert app.screen.query_one("#anchor-options").option_count == 2


def test_orphan_panel_snapshot(snap_compare, make_app, db_path, seeds_copy):
    seed_changed(seeds_copy, db_path)

    async def run_before(pilot):
        await open_changed(pilot)
        await pilot.press("O")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, AnchorList))
        pilot.app.clear_notifications()
        await pilot.pause()
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run_before)


async def test_library_marks_changed_articles(make_app, db_path, seeds_copy):
    seed_changed(seeds_copy, db_path)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        await wait_until(pilot, lambda: screen.counts is not None and A003 in screen.attention)
        table = screen.query_one("#articles")
        assert str(table.get_cell(A003, "notes")) == "3!"
        assert screen.attention == {A003}
        # once opened and re-anchored, the article stays marked while it has orphans or passages to review
        await open_changed(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.pause(0.2)
        assert A003 in screen.attention
