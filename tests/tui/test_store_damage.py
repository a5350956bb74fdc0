"""A damaged database file in the TUI: its article is read-only and says so, the rest of the library saves."""

from __future__ import annotations

import json

import pytest

from reader.store import AnnotationStore, shard_name
from tests.helpers import wait_until
from tests.helpers import A003, SIZE, open_003, tag_a_word

A000 = "000_d0be67b830ac3de5.txt"


@pytest.mark.parametrize("damage", ["invalid record", "truncated"])
async def test_a_damaged_article_is_read_only_and_others_still_save(make_app, db_path, damage):
    store = AnnotationStore(db_path)
    kept = store.add(article=A003, start=0, end=5, quote=open(store.path.parent.parent / "corpus" / A003,
                                                                encoding="utf-8").read()[:5], tags=["before"])
    store.update(kept["id"], tags=["newer"])                   # the "before" version is kept as a backup
    other = store.add(article=A000, tags=["healthy"])
    chunk = db_path.parent / "annotations.d" / shard_name(A003)
    if damage == "truncated":
        chunk.write_bytes(chunk.read_bytes()[:-12])
    else:
        data = json.loads(chunk.read_bytes())
        data["annotations"]["1"].update(start=700, end=600)    # an invalid record
        chunk.write_bytes(json.dumps(data).encode())
    broken = chunk.read_bytes()

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_003(pilot)
        await wait_until(pilot, lambda: any("Damaged" in (n.title or "") for n in app.notices))
        assert [p.record["tags"] for p in app.screen.placed] == [["before"]]   # from the last good backup
        assert app.session.shown_from_backup(kept["id"])
        await tag_a_word(pilot, "refused")
        assert any("Refused" in (n.title or "") and "read-only" in str(n.message) for n in app.notices)
        assert app.session.pending == []                       # refused, not queued to fail forever
        for outcome in (app.session.delete(kept["id"]), app.session.update(kept["id"], note="x")):
            assert outcome.refused and "backup" in outcome.error
        outcome = app.session.annotate(A000, None, None, tags=["saved"])
        assert outcome.saved
    assert chunk.read_bytes() == broken
    tags = sorted(t for r in AnnotationStore(db_path).by_article(A000) for t in r["tags"])
    assert tags == ["healthy", "saved"] and other["id"]


async def test_a_note_over_the_limit_keeps_the_editor_open_and_saves_nothing(make_app, db_path, monkeypatch):
    from reader import limits
    from reader.tui.screens.reader import ReaderScreen
    from tests.helpers import type_text

    monkeypatch.setattr(limits, "MAX_NOTE", 5)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_003(pilot)
        await pilot.press("v", "w", "a")
        await wait_until(pilot, lambda: app.screen.query("#note-text"))
        await type_text(pilot, "too long")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query("#note-text")                  # still open, the text still there
        assert "the limit is 5" in str(app.screen.query_one("#note-hint").render())
        await pilot.press("backspace", "backspace", "backspace", "backspace", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
    assert [r["note"] for r in AnnotationStore(db_path).all()] == ["too "]
