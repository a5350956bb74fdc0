"""Pilot tests of the library and reader screens, asserting on what reached the database."""

from __future__ import annotations

from filelock import FileLock

from reader.store import AnnotationStore
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.reader import ReaderScreen
from reader.tui.widgets.article_view import ArticleView
from tests.helpers import A003, SIZE, open_003, rows, tag_a_word, type_text, wait_loaded, wait_until


def second_guo_min(text: str) -> int:
    return text.index("Guo Min", text.index("Guo Min") + 1)


async def test_library_lists_sorts_and_searches(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert rows(app)[:2] == ["001_c82698a9d093e732.txt", "004_9c9c4874b48bb81e.txt"]  # newest first
        await pilot.press("s")  # title
        titles = [app.session.article(i).title.casefold() for i in rows(app)]
        assert titles == sorted(titles)
        await pilot.press("slash")
        await type_text(pilot, "chinse ambasador")
        await wait_until(pilot, lambda: app.screen.hits)
        assert rows(app)[0] == A003
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        view = app.screen.query_one(ArticleView)
        assert view.cursor == view.find_hits[0][0]
        assert view.find_total > 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("escape")  # clears the search
        await wait_until(pilot, lambda: len(rows(app)) == 5)


async def test_find_select_tag_saves_durably(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        view = await open_003(pilot)
        await pilot.press("slash")
        await type_text(pilot, "Guo Min")
        await pilot.press("enter")
        assert view.find_current == 0 and view.find_total == 2
        await pilot.press("n")
        text = app.screen.article.text
        assert view.cursor == second_guo_min(text)
        assert view.find_current == 1
        await pilot.press("v", "w", "w")
        assert view.selected_text.startswith("Guo Min")
        await pilot.press("t")
        await wait_until(pilot, lambda: app.screen.query("#tag-input"))
        await type_text(pilot, "people, china")
        await pilot.press("enter")
        await pilot.pause()
    (record,) = AnnotationStore(db_path).all()
    assert record["start"] == second_guo_min(text)
    assert record["quote"].startswith("Guo Min")
    assert record["tags"] == ["people", "china"]


async def test_note_whole_article_and_navigation(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        view = await open_003(pilot)
        await pilot.press("v", "w")
        await pilot.press("a")
        await wait_until(pilot, lambda: app.screen.query("#note-text"))
        await type_text(pilot, "[bold]x[/] stays literal")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("T")
        await wait_until(pilot, lambda: app.screen.query("#tag-input"))
        await type_text(pilot, "whole")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("G")
        await pilot.press("full_stop")  # wraps to the first annotation
        assert view.cursor == 0
        listed = app.screen_stack[0].visible_ids()  # `[`/`]` follow the library's rows as sorted there
        before = listed[listed.index(A003) - 1]
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: getattr(app.screen, "article_id", "") == before)
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: getattr(app.screen, "article_id", "") == A003)
    records = AnnotationStore(db_path).by_article(A003)
    whole = [r for r in records if r["start"] is None]
    passage = [r for r in records if r["start"] is not None]
    assert whole[0]["tags"] == ["whole"]
    assert passage[0]["note"] == "[bold]x[/] stays literal" and passage[0]["start"] == 0


async def test_panel_delete_and_undo(make_app, db_path, seeds_copy):
    store = AnnotationStore(db_path)
    text = (seeds_copy / A003).read_text(encoding="utf-8")
    start = text.index("Guo Min")
    store.add(article=A003, start=start, end=start + 7, quote="Guo Min", tags=["people"])
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        view = await open_003(pilot)
        await pilot.press("tab")
        panel = app.screen.query_one("#panel-list")
        assert panel.has_focus and panel.option_count == 1
        await pilot.press("enter")
        assert view.cursor == start and view.has_focus
        await pilot.press("x")
        await pilot.pause()
        assert AnnotationStore(db_path).all() == []
        await pilot.press("U")
        await pilot.pause()
        assert [r["quote"] for r in AnnotationStore(db_path).all()] == ["Guo Min"]
        await pilot.press("x")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert len(AnnotationStore(db_path).all()) == 1


async def test_reading_position_and_read_state_survive_a_restart(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_003(pilot)
        await pilot.press("G")
        position = view.cursor
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
    state = AnnotationStore(db_path).get_state(A003)
    assert state["position"] == position and state["read"] is True
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_003(pilot)
        assert view.cursor == position


async def test_locked_database_keeps_the_annotation_and_retries(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_003(pilot)
        app.session.store.lock_timeout = 0.05
        lock = FileLock(str(db_path) + ".lock")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with lock:
            await tag_a_word(pilot, "kept")
            assert len(app.session.pending) == 1
            assert any("Not saved" in (n.title or "") for n in app.notices)
            assert [p.saved for p in app.screen.placed] == [False]
        await wait_until(pilot, lambda: not app.session.pending, tries=400)
    assert [r["tags"] for r in AnnotationStore(db_path).all()] == [["kept"]]


async def test_corrupt_database_is_reported_and_left_alone(make_app, db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"{not json")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: any("Database problem" in (n.title or "") for n in app.notices))
        await open_003(pilot)
        await tag_a_word(pilot, "kept")
        assert [p.record["tags"] for p in app.session.pending] == [["kept"]]
        assert [p.saved for p in app.screen.placed] == [False]
    assert db_path.read_bytes() == b"{not json"
    assert app.session.rescue_pending() is not None  # what `reader` writes on quit, for `reader import`


async def test_q_goes_back_from_the_reader_and_quits_from_the_library(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_003(pilot)
        await pilot.press("v", "w")  # even with a selection going on
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert app.is_running
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code in (0, None)


async def test_capital_q_quits_from_anywhere(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_003(pilot)
        await pilot.press("tab")  # the panel has focus
        await pilot.press("Q")
        await pilot.pause()
    assert not app.is_running
