"""The library's preview pane (issue 8): shown from 120 columns, hidden at 80, toggled with `p` (kept
across runs), following the cursor, with the search's best snippet; cursor moves are debounced."""

from __future__ import annotations

import json
from pathlib import Path

from reader.records import make_record
from reader.store import AnnotationStore
from reader.tui.app import ReaderApp
from reader.tui.config import Config
from reader.tui.screens.library import PREVIEW_DELAY
from tests.helpers import A003, wait_loaded, wait_preview, wait_until


def pane(app):
    return app.screen.query_one("#preview")


async def ready(pilot) -> None:
    await wait_loaded(pilot)
    await wait_until(pilot, lambda: pilot.app.session_open and pilot.app.screen.counts is not None)
    await wait_preview(pilot)


async def test_shown_at_120_columns_hidden_at_80(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        shown = pane(app)
        assert shown.display and shown.size.width > 0
        title_at_120 = app.screen.query_one("#articles").columns["title"].width
        article = app.session.article(app.screen.selected_article())
        assert shown.article_id == article.id
        assert shown.plain().startswith(article.title)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not shown.display
        # the list takes the whole width again: the title column is not cut by a hidden pane
        columns = app.screen.query_one("#articles").columns
        assert columns["title"].width == 80 - 47 and columns["words"].width == 6
        # at 120 the pane took 42 columns, and the word count (the pane says it) gave its 8 to the titles
        assert title_at_120 == 120 - 42 - 47 + 8


async def test_the_pane_follows_the_cursor_and_shows_annotations(make_app, db_path):
    store = AnnotationStore(db_path)
    store.add_record(make_record(article=A003, tags=["diplomacy"], note="read again before the talk"))
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        first = pane(app).article_id
        await pilot.press("j")
        await wait_preview(pilot)
        second = pane(app).article_id
        assert second != first and second == app.screen.selected_article()
        assert pane(app).plain().startswith(app.session.article(second).title)
        # to 003, which has a whole-article tag and note
        rows = app.screen.visible_ids()
        app.screen.query_one("#articles").move_cursor(row=rows.index(A003))
        await wait_preview(pilot)
        text = pane(app).plain()
        assert pane(app).article_id == A003
        assert "1 annotation · 1 tag · 1 note" in text
        assert "diplomacy 1" in text
        assert "(article) read again before the talk" in text
        assert "Beginning" in text


async def test_search_shows_the_best_snippet_with_the_hit_words(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"guo min")
        await wait_until(pilot, lambda: app.screen.hits and any(h.snippet for h in app.screen.hits))
        await wait_preview(pilot)
        shown = pane(app)
        assert shown.article_id == app.screen.hits[0].article
        snippets = [line for line in shown.lines if line.kind == "snippet"]
        assert len(snippets) == 1 and snippets[0].spans
        marked = {snippets[0].text[s:e].casefold() for s, e in snippets[0].spans}
        assert {"guo", "min"} <= marked


async def test_the_toggle_is_kept_across_a_restart(seeds_copy: Path, db_path: Path, tmp_path: Path):
    state = tmp_path / "state" / "ui.json"

    def new_app() -> ReaderApp:
        return ReaderApp(seeds_copy, db_path, config=Config(), state_path=state)

    app = new_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert pane(app).display
        await pilot.press("p")
        await pilot.pause()
        assert not pane(app).display
        # the list takes the pane's columns back
        assert app.screen.query_one("#articles").columns["title"].width == 120 - 47
    assert json.loads(state.read_text(encoding="utf-8"))["preview"] is False

    app = new_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert not pane(app).display
        await pilot.press("p")
        await wait_preview(pilot)
        assert pane(app).display and pane(app).article_id == app.screen.selected_article()
    assert json.loads(state.read_text(encoding="utf-8"))["preview"] is True


async def test_holding_j_reads_no_file_per_row(tmp_path: Path, db_path: Path):
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(300):
        (corpus / f"{i:04d}.txt").write_text(f"Article number {i}\n\nIts text, paragraph one.\n", encoding="utf-8")
    app = ReaderApp(corpus, db_path, config=Config())
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        before = pane(app).loads
        keys = ["j"] * 60
        await pilot.press(*keys)  # far faster than PREVIEW_DELAY apart, as a held key repeats
        await wait_preview(pilot)
        assert pane(app).article_id == app.screen.selected_article()
        assert app.screen.query_one("#articles").cursor_row == 60
        assert pane(app).loads - before <= 3, f"{pane(app).loads - before} previews read for 60 moves"
        assert PREVIEW_DELAY >= 0.1


async def test_an_empty_list_empties_the_pane(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"zzqxjv")
        await wait_until(pilot, lambda: app.screen.search_text == "zzqxjv" and not app.screen.hits
                         and app.screen.query("#library-empty"))
        await wait_until(pilot, lambda: pane(app).article_id is None)
        assert pane(app).lines == []


async def test_at_80_columns_a_search_row_shows_the_matched_words(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"ambassador recalled")
        await wait_until(pilot, lambda: app.screen.hits and app.screen.hits[0].snippet)
        hit = app.screen.hits[0]
        table = app.screen.query_one("#articles")
        width = table.columns["title"].width
        # the ranking's snippet is wider than the column, with the phrase past the column's end
        assert len(hit.snippet) > width and "Ambassador recalled" not in hit.snippet[:width]
        line = table.get_cell(hit.article, "title").plain.split("\n")[1]
        assert len(line) <= width
        assert "Ambassador recalled" in line


async def test_an_empty_source_column_gives_its_width_to_the_titles(tmp_path: Path, db_path: Path):
    corpus = tmp_path / "plain"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"{i}.txt").write_text(f"A plain note number {i} with a rather long title to show\n\nText.\n",
                                         encoding="utf-8")
    app = ReaderApp(corpus, db_path, config=Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        columns = app.screen.query_one("#articles").columns
        assert columns["source"].width == 0
        assert columns["title"].width == 80 - 47 + 12  # the Source column's 10 and its padding
        assert "Source" not in app.screen.query_one("#articles").render_line(0).text
        # 44 characters of the title show (33 with an empty Source column beside it)
        assert "A plain note number 0 with a rather long tit…" in app.screen.query_one("#articles").render_line(1).text


async def test_a_preview_read_that_finishes_after_the_app_quit_is_dropped(make_app):
    # The read runs in a worker; when it ends while the screen is taken down (the app quitting), showing
    # it must not raise (it did: NoMatches for the list, a WorkerFailed in the fresh-clone CI run).
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        screen = app.screen
        shown = screen.selected_article()
        assert shown
    screen._show_preview(shown, ["late"])  # the screen's widgets are gone now
