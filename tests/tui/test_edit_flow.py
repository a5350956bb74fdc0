"""The one edit flow (reader.tui.editing): the reader and the annotations browser open the same editors, make
the change through the session and say the same things; an annotation deleted meanwhile by another process
is a warning, never a traceback. Asserted on the database."""

from __future__ import annotations

from filelock import FileLock

from reader.store import AnnotationStore
from reader.tui.editing import GONE
from reader.tui.screens.annotations import AnnotationsScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.reader import ReaderScreen
from reader.tui.widgets.article_view import ArticleView
from tests.helpers import A003, SIZE, open_003, tag_a_word, type_text, wait_until


def _said(app) -> list[str]:
    return [str(n.message) for n in app.notices]


async def _dialog(pilot, selector: str) -> None:
    await wait_until(pilot, lambda: pilot.app.screen.query(selector), selector)


async def test_reader_and_browser_say_the_same_for_the_same_change(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        view = await open_003(pilot)
        await tag_a_word(pilot, "china")
        assert "Tagged china" in _said(app)
        (record,) = AnnotationStore(db_path).all()
        view.move_cursor_to(record["start"])
        await pilot.press("t")                                  # on the annotation: an edit of its tags
        await _dialog(pilot, "#tag-input")
        await type_text(pilot, ", people")
        await pilot.press("enter")
        await wait_until(pilot, lambda: AnnotationStore(db_path).get(record["id"])["tags"] == ["china", "people"])
        assert "Tags saved: china, people" in _said(app)
        assert view.selection is None

        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AnnotationsScreen) and app.screen.shown)
        await pilot.press("number_sign")
        await _dialog(pilot, "#tag-input")
        await pilot.press("ctrl+u")
        await type_text(pilot, "diplomacy")
        await pilot.press("enter")
        await wait_until(pilot, lambda: AnnotationStore(db_path).get(record["id"])["tags"] == ["diplomacy"])
        assert "Tags saved: diplomacy" in _said(app)
        await pilot.press("n")
        await _dialog(pilot, "NoteEditor TextArea")
        await type_text(pilot, "from the browser")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: AnnotationStore(db_path).get(record["id"])["note"] == "from the browser")
        assert "Note saved" in _said(app)


async def test_an_annotation_deleted_meanwhile_is_a_warning_in_the_reader(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        view = await open_003(pilot)
        await tag_a_word(pilot, "china")
        (record,) = AnnotationStore(db_path).all()
        view.move_cursor_to(record["start"])
        await pilot.press("a")                                  # the note editor of the annotation ...
        await _dialog(pilot, "NoteEditor TextArea")
        AnnotationStore(db_path).delete(record["id"])           # ... which another process deletes
        await type_text(pilot, "too late")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: GONE in _said(app), "the warning")
        assert isinstance(app.screen, ReaderScreen) and app.screen.query_one(ArticleView).selection is None
    assert AnnotationStore(db_path).all() == []                  # nothing brought back, nothing written


async def test_browser_edits_on_a_locked_database_are_kept_and_retried(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_003(pilot)
        await tag_a_word(pilot, "china")
        (record,) = AnnotationStore(db_path).all()
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AnnotationsScreen) and app.screen.shown)
        app.session.store.lock_timeout = 0.05
        with FileLock(str(db_path) + ".lock"):
            await pilot.press("n")
            await _dialog(pilot, "NoteEditor TextArea")
            await type_text(pilot, "kept")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: any("Not saved" in (n.title or "") for n in app.notices))
            assert any("Note saved in memory only" in m for m in _said(app))
            assert len(app.session.pending) == 1
        await wait_until(pilot, lambda: not app.session.pending, tries=400)
    assert AnnotationStore(db_path).get(record["id"])["note"] == "kept"
    assert record["article"] == A003
