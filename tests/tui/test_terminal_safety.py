"""The hostile corpus (tests/hostile.py) in the TUI under a Pilot: every screen shows bidi, zero-width
and control characters as stand-ins, offsets in the article stay those of the text, and nothing unsafe
is left in what the app draws (the line filter applied, as the terminal would get it)."""

from __future__ import annotations

from pathlib import Path

from reader.tui.app import ReaderApp
from reader.tui.config import Config
from reader.tui.screens.annotations import AnnotationsScreen
from reader.tui.screens.reader import ReaderScreen
from reader.tui.widgets.article_view import ArticleView
from tests import hostile
from tests.helpers import wait_loaded, wait_until

RAW = [raw for raw, _ in hostile.SEQUENCES.values()]


def drawn(app: ReaderApp) -> str:
    """The screen as sent to the terminal: the compositor's strips through the app's line filters."""
    filters = app.get_line_filters()
    lines = []
    for strip in app.screen._compositor.render_strips():
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, app.styles.background)
        lines.append(strip.text)
    return "\n".join(lines)


async def test_hostile_titles_tags_notes_and_body_are_shown_with_stand_ins(tmp_path: Path) -> None:
    corpus, db = hostile.make(tmp_path)
    app = ReaderApp(corpus, db, config=Config())
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: "2 annotations" in drawn(app))
        library = drawn(app)
        assert "right\u27e8U+202E\u27e9TFEL" in library and "\u241b[2JZAPA" in library
        assert hostile.unsafe_in(library, RAW) == []

        table = app.screen.query_one("#articles")
        table.move_cursor(row=table.get_row_index(hostile.EVIL))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        view = app.screen.query_one(ArticleView)
        await wait_until(pilot, lambda: "MARKB2" in drawn(app))
        text = app.screen.article.text
        # The body keeps one cell per character: the stand-in of U+202E sits at the offset of U+202E.
        rlo = text.index("\u202ereversed")
        view.cursor = rlo
        await pilot.pause()
        assert view.cursor == rlo
        body = drawn(app)
        assert "\ufffdreversed RLOB" in body and "zero\ufffdZWB" in body and "\u241b[31mREDB" in body
        assert hostile.unsafe_in(body, RAW) == []
        view.cursor = text.index("Body MARKB")  # on the passage: its tags and note in the status line
        await wait_until(pilot, lambda: "PASSAGETAG" in drawn(app))
        status = drawn(app)
        assert "[\u27e8U+2066\u27e9PASSAGETAG\u27e8U+2069\u27e9] passage \u241b[2JZAPNOTE" in status
        assert hostile.unsafe_in(status, RAW) == []

        await pilot.press("tab")
        await wait_until(pilot, lambda: "RLOTAG" in drawn(app))
        panel = drawn(app)
        assert "tag\u27e8U+202E\u27e9RLOTAG" in panel and "zw\u27e8U+200B\u27e9TAGZW" in panel
        assert "NOTEA \u241b]52;c;Q0xJUEJPQVJE\u2407NOTEC" in panel
        assert hostile.unsafe_in(panel, RAW) == []

        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ReaderScreen))
        await pilot.press("escape")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AnnotationsScreen))
        await wait_until(pilot, lambda: "NOTEA" in drawn(app))
        browser = drawn(app)
        assert "\u27e8U+2066\u27e9PASSAGET" in browser
        assert hostile.unsafe_in(browser, RAW) == []


def test_the_article_layout_gives_each_invisible_character_one_cell_at_its_offset() -> None:
    """Zero-width and bidi characters are drawn as one-cell stand-ins, so the layout's columns are the
    text's offsets: the cursor, selections and highlights land where the text says."""
    from reader.display import DISPLAY_TABLE
    from reader.tui.widgets.article_view import TERMINAL_CELLS, TextLayout, display_text

    line = "a\u202eb\u200bc\u2066d\u2069e\ufefff\u00adg\U000e0041h"
    layout = TextLayout(line, 80, TERMINAL_CELLS)
    assert len(layout) == 1
    for offset in range(len(line) + 1):
        assert layout.column_of(offset) == offset
        assert layout.offset_at(0, offset) == offset
    shown = display_text(line)
    assert len(shown) == len(line) and shown == line.translate(DISPLAY_TABLE)
    assert shown == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\ufffdh"
