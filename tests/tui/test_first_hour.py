"""Issue 8, the first hour of a daily user: reading positions, neighbours, hit counts, whole-article notes."""

from __future__ import annotations

import pytest

from reader.store import AnnotationStore
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.reader import ReaderScreen
from reader.tui.widgets.article_view import ArticleView
from tests.helpers import refuse_writes_under, tag_a_word, wait_loaded, wait_until

A003 = "003_5fa1d59920890bb8.txt"


def on_screen(view: ArticleView) -> bool:
    top = round(view.scroll_y)
    return top <= view.cursor_row < top + view.scrollable_content_region.height


async def open_from_library(pilot, article_id: str) -> ArticleView:
    app = pilot.app
    table = app.screen.query_one("#articles")
    table.move_cursor(row=table.get_row_index(article_id))
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
    await pilot.pause()
    await pilot.pause()
    return app.screen.query_one(ArticleView)


LONG = "long.txt"


def add_long_article(corpus) -> None:
    paragraphs = [f"Paragraph {i}: " + " ".join(f"word{i}x{j}" for j in range(40)) for i in range(300)]
    (corpus / LONG).write_text("A long article\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_reopened_article_shows_its_saved_position(make_app, seeds_copy, db_path, size):
    add_long_article(seeds_copy)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        text_len = len(app.session.article(LONG).text)
        app.session.set_state(LONG, position=int(0.72 * text_len))
        view = await open_from_library(pilot, LONG)
        saved = view.cursor
        assert saved == int(0.72 * text_len)
        assert on_screen(view), (view.cursor_row, view.scroll_y)
        await pilot.press("j", "k")
        saved = view.cursor
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        view = await open_from_library(pilot, LONG)
        assert view.cursor == saved
        assert on_screen(view), (view.cursor_row, view.scroll_y)
        # the first `j` moves one line from there, not a jump
        row = view.cursor_row
        assert row < view.visual_line_count - 1
        await pilot.press("j")
        assert view.cursor_row == row + 1
        saved = view.cursor  # what the user did last is kept when the app quits
        assert 0 < saved < text_len
    # across a restart: a new app on the same database opens at the same place, on screen
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        view = await open_from_library(pilot, LONG)
        assert view.cursor == saved
        assert on_screen(view), (view.cursor_row, view.scroll_y)


async def test_position_kept_when_quitting_right_after_moving(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        app.session.set_state(A003, position=2000)
        view = await open_from_library(pilot, A003)
        assert view.cursor == 2000
        await pilot.press("g")
        assert view.cursor == 0
        await pilot.press("q")  # at once, long before the debounced save
        await pilot.pause()
    state = AnnotationStore(db_path).get_state(A003)
    assert state["position"] == 0


async def test_next_and_previous_article_follow_the_library_as_sorted(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        await pilot.press("s")  # by title
        library = app.screen
        shown = [library.query_one("#articles").coordinate_to_cell_key((i, 0)).row_key.value
                 for i in range(library.query_one("#articles").row_count)]
        assert shown != [a.id for a in app.session.articles]  # the sort changed the order
        await open_from_library(pilot, shown[1])
        meta = str(app.screen.query_one("#reader-meta").render())
        assert f"2/{len(shown)}" in meta
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.article_id == shown[2])
        assert f"3/{len(shown)}" in str(app.screen.query_one("#reader-meta").render())
        await pilot.press("left_square_bracket", )
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.article_id == shown[1])


async def test_next_article_follows_the_library_filter(make_app, db_path):
    from reader.anchoring import describe
    from reader.corpus import load_corpus
    from reader.records import make_record

    app = make_app()
    corpus = load_corpus(app.corpus_root)
    store = AnnotationStore(db_path)
    tagged = ["000_d0be67b830ac3de5.txt", "003_5fa1d59920890bb8.txt"]
    for article_id in tagged:
        store.add_record(make_record(article=article_id, tags=["pick"], fingerprint=corpus.get(article_id).fingerprint))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        app.screen.set_tag_filter("pick")
        await wait_until(pilot, lambda: app.screen.query_one("#articles").row_count == 2)
        first = app.screen.query_one("#articles").coordinate_to_cell_key((0, 0)).row_key.value
        await open_from_library(pilot, first)
        assert "1/2" in str(app.screen.query_one("#reader-meta").render())
        await pilot.press("right_square_bracket")
        other = next(a for a in tagged if a != first)
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.article_id == other)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.screen.article_id == other  # the last of the filtered list: no wandering off it


async def test_search_hit_count_is_the_true_one(make_app, seeds_copy):
    words = " ".join(["the ambassador said"] * 450)
    (seeds_copy / "many.txt").write_text("Many ambassadors\n\n" + words + "\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open and app.session.index_ready)
        await pilot.press("slash", *"ambassador")
        await wait_until(pilot, lambda: app.screen.hits)
        library = app.screen
        library.query_one("#articles").move_cursor(row=library.query_one("#articles").get_row_index("many.txt"))
        library.query_one("#articles").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader = app.screen
        text = reader.article.text
        true_count = text.lower().count("ambassador")
        assert true_count == 451
        await wait_until(pilot, lambda: reader.query_one(ArticleView).find_total == true_count)
        assert f"/{true_count}" in str(reader.query_one("#reader-status").render())
        # `/` with the same words in the same article counts the same
        await pilot.press("slash", *"ambassador", "enter")
        await pilot.pause()
        assert reader.query_one(ArticleView).find_total == true_count


async def test_enter_on_a_whole_article_annotation_goes_to_the_top_and_shows_it(make_app, db_path):
    from reader.corpus import load_corpus
    from reader.records import make_record

    app = make_app()
    article = load_corpus(app.corpus_root).get(A003)
    AnnotationStore(db_path).add_record(make_record(article=A003, tags=["diplomacy", "china"],
                                                    note="read for the quotes", fingerprint=article.fingerprint))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        app.session.set_state(A003, position=1500)
        view = await open_from_library(pilot, A003)
        assert view.cursor == 1500
        await pilot.press("tab")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert view.cursor == 0 and view.scroll_y == 0
        messages = " ".join(n.message for n in app.notices)
        assert "no place" not in messages
        assert "diplomacy" in messages and "read for the quotes" in messages


# --- keys: newsboat's unread keys, a reversed sort, a percentage ----------------------------------------

def library_ids(app) -> list[str]:
    table = app.screen.query_one("#articles")
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


async def test_next_unread_and_toggle_read_in_the_library(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        ids = library_ids(app)
        app.session.set_state(ids[1], read=True)
        app.session.set_state(ids[2], read=True)
        await pilot.press("n")
        assert app.screen.selected_article() == ids[3]  # skips the two read ones
        await pilot.press("m")
        assert AnnotationStore(db_path).get_state(ids[3])["read"] is True
        await pilot.press("m")
        assert AnnotationStore(db_path).get_state(ids[3])["read"] is False
        await pilot.press("k", "k", "m")  # ids[1] back to unread
        assert AnnotationStore(db_path).get_state(ids[1])["read"] is False


async def test_reverse_sort(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        before = library_ids(app)
        await pilot.press("S")
        await pilot.pause()
        assert library_ids(app) == before[::-1]
        assert "reversed" in str(app.screen.query_one("#library-header").render())


async def test_next_unread_article_from_the_reader(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        ids = library_ids(app)
        app.session.set_state(ids[1], read=True)
        await open_from_library(pilot, ids[0])
        await pilot.press("greater_than_sign")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.article_id == ids[2])
        await pilot.press("m")
        assert AnnotationStore(db_path).get_state(ids[2])["read"] is True


async def test_jump_to_a_percentage(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        view = await open_from_library(pilot, A003)
        await pilot.press("5", "0")
        assert "go to 50%" in str(app.screen.query_one("#reader-status").render())
        await pilot.press("percent_sign")
        assert int(100 * view.cursor / len(view.text)) == 50
        assert on_screen(view)
        await pilot.press("percent_sign")  # alone: asks
        await wait_until(pilot, lambda: app.screen.query("#prompt-input"))
        await pilot.press("9", "0", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert int(100 * view.cursor / len(view.text)) == 90


async def test_help_lists_only_our_keys_once_in_aligned_columns(make_app):
    from reader.tui.screens.help import HelpScreen, collect_keys

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        for opened in (False, True):
            if opened:
                await open_from_library(pilot, A003)
            groups = collect_keys(app.screen)
            rows = [row for group in groups for row in group.rows]
            assert all(row.binding_id for row in rows)  # nothing of Textual's internals
            descriptions = {row.description for row in rows}
            assert not descriptions & {"Scroll Left", "Scroll Right", "Page Left", "Page Right", "Focus Next",
                                       "Focus Previous", "Copy selected text"}
            keys = [key for row in rows for key in row.keys]
            assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
            assert "Q" in keys and "?" in keys
        assert {"Next annotation", "Previous annotation"} <= descriptions
        assert not any("note" in d.lower() and "annotation" not in d.lower() and d.startswith(("Next", "Prev"))
                       for d in descriptions)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        # every group's table puts the keys, descriptions and ids in the same columns
        from io import StringIO

        from rich.console import Console

        from reader.tui.screens.help import _table

        starts = set()
        for group in app.screen.groups:
            out = StringIO()
            Console(file=out, width=86, color_system=None).print(_table(group))
            for line, row in zip(out.getvalue().splitlines(), group.rows):
                starts.add((line.index(row.description), line.rindex(row.binding_id[:10])))
        assert len(starts) == 1, starts


# --- titles -----------------------------------------------------------------------------------------------

async def test_look_alike_titles_show_their_paths_in_the_library(make_app, seeds_copy):
    for name in ("zlib", "bash"):
        (seeds_copy / name).mkdir()
        (seeds_copy / name / "copyright.txt").write_text(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\n",
            encoding="utf-8")
    (seeds_copy / "README.md").write_text('<!-- badges -->\n<div align="center">\n\n# Ripgrep\n\n</div>\n\nText.\n',
                                          encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        table = app.screen.query_one("#articles")
        cells = {key: table.get_cell(key, "title") for key in ("zlib/copyright.txt", "bash/copyright.txt",
                                                                "README.md")}
        for name in ("zlib", "bash"):
            cell = cells[f"{name}/copyright.txt"]
            assert cell.plain.startswith("Format: https://") and cell.plain.endswith(f"{name}/copyright.txt")
            tail = cell.plain.rindex(name)
            assert any(span.start <= tail and "dim" in str(span.style) for span in cell.spans)
        assert cells["README.md"].plain == "Ripgrep"



async def test_a_long_list_finds_its_look_alikes_after_the_first_frame(make_app, seeds_copy, monkeypatch):
    from reader.tui.screens import library as library_screen

    monkeypatch.setattr(library_screen, "LOOK_ALIKES_AFTER_FRAME", 0)  # as a list of 100,000 rows does
    for name in ("zlib", "bash"):
        (seeds_copy / name).mkdir()
        (seeds_copy / name / "copyright.txt").write_text("Format: https://example.org/1.0/\n\nFiles: *\n",
                                                         encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.query_one("#articles")
        await wait_until(pilot, lambda: table.get_cell("zlib/copyright.txt", "title").plain.endswith("zlib/copyright.txt"),
                         "the look-alike's path, found in the worker")
        assert table.get_cell("bash/copyright.txt", "title").plain.endswith("bash/copyright.txt")

# --- a comfortable measure; whole-article notes at the top ------------------------------------------------

@pytest.mark.parametrize("measure, size", [(100, (200, 50)), (60, (120, 36)), (None, (200, 50))])
async def test_text_keeps_a_comfortable_measure_centred(seeds_copy, db_path, measure, size):
    from reader.tui.app import ReaderApp
    from reader.tui.config import Config

    app = ReaderApp(seeds_copy, db_path, config=Config(measure=measure))
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        view = await open_from_library(pilot, A003)
        lines = [view.render_line(y).text for y in range(view.scrollable_content_region.height)]
        text_widths = [len(line.strip()) for line in lines if line.strip()]
        if measure is None:
            assert max(text_widths) > 150  # the whole width, as asked
            return
        assert max(text_widths) <= measure
        assert max(text_widths) > measure - 15  # the measure is used, not a narrower one
        lefts = {len(line) - len(line.lstrip()) for line in lines if line.strip()}
        room = view.scrollable_content_region.width - (measure + 1)
        assert min(lefts) == room // 2  # centred
        # a click lands on the character drawn there
        first = next(y for y, line in enumerate(lines) if line.strip())
        x = min(lefts) + 3
        await pilot.click(ArticleView, offset=(x + 2, first))  # the view's padding is 2 cells
        assert view.text[view.cursor] == lines[first][x]


async def test_whole_article_tags_and_note_are_shown_at_the_top(make_app, db_path):
    from reader.corpus import load_corpus
    from reader.records import make_record

    app = make_app()
    article = load_corpus(app.corpus_root).get(A003)
    AnnotationStore(db_path).add_record(make_record(article=A003, tags=["diplomacy"], note="read for the quotes",
                                                    fingerprint=article.fingerprint))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        await open_from_library(pilot, A003)
        box = app.screen.query_one("#reader-whole")
        assert box.display
        shown = box.render()
        plain = shown.plain if hasattr(shown, "plain") else str(shown)
        assert "diplomacy" in plain and "read for the quotes" in plain
        assert box.region.y < app.screen.query_one(ArticleView).region.y  # above the text
        app.open_article("000_d0be67b830ac3de5.txt", replace=True)
        await wait_until(pilot, lambda: app.screen.article_id == "000_d0be67b830ac3de5.txt")
        await pilot.pause()
        assert not app.screen.query_one("#reader-whole").display  # nothing on that one


# --- copy with a citation --------------------------------------------------------------------------------

async def test_y_copies_the_selection_or_the_annotation_with_a_citation(make_app, db_path):
    app = make_app()
    copied: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        app.copy_to_clipboard = copied.append  # what would go out as OSC 52
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        view = await open_from_library(pilot, A003)
        start = view.text.index("China's Ambassador to Azerbaijan Guo Min")
        view.move_cursor_to(start)
        await pilot.press("v", "w", "w", "w", "y")
        await pilot.pause()
        article = app.session.article(A003)
        assert copied[-1].startswith("“China's Ambassador to”\n— " + article.title)
        assert A003 in copied[-1]
        assert view.selection is None
        # an annotation under the cursor: its quote, tags and note
        view.move_cursor_to(start)
        await pilot.press("v", "w", "t", *"people", "enter")
        await pilot.pause()
        outcome = app.session.annotations_for(A003)[0]
        app.session.update(outcome.record["id"], note="the source")
        app.screen.refresh_annotations()
        view.move_cursor_to(start + 1)
        await pilot.press("y")
        await pilot.pause()
        assert copied[-1].startswith("“China's”") and "Tags: people" in copied[-1] and "Note: the source" in copied[-1]


# --- settings chosen in the app persist --------------------------------------------------------------------

async def test_theme_sort_filter_and_cursor_persist(seeds_copy, db_path, tmp_path):
    from reader.corpus import load_corpus
    from reader.records import make_record
    from reader.tui.app import ReaderApp
    from reader.tui.config import Config

    corpus = load_corpus(seeds_copy)
    store = AnnotationStore(db_path)
    for article_id in ("000_d0be67b830ac3de5.txt", "003_5fa1d59920890bb8.txt", "004_9c9c4874b48bb81e.txt"):
        store.add_record(make_record(article=article_id, tags=["keep"], fingerprint=corpus.get(article_id).fingerprint))
    state = tmp_path / "state" / "ui.json"
    app = ReaderApp(seeds_copy, db_path, config=Config(), state_path=state)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        app.theme = "textual-light"
        await pilot.press("s", "S")  # by title, reversed
        app.screen.set_tag_filter("keep")
        await wait_until(pilot, lambda: app.screen.query_one("#articles").row_count == 3)
        await pilot.press("j")
        chosen = app.screen.selected_article()
        shown = library_ids(app)
    app = ReaderApp(seeds_copy, db_path, config=Config(), state_path=state)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        await wait_until(pilot, lambda: app.screen.query_one("#articles").row_count == 3)
        assert app.theme == "textual-light"
        library = app.screen
        assert (library.sort, library.reverse, library.tag_filter) == ("title", True, "keep")
        assert library_ids(app) == shown
        assert library.selected_article() == chosen


# --- the note in $EDITOR -------------------------------------------------------------------------------------

async def test_e_opens_the_note_in_the_editor_and_saves_what_it_leaves(make_app, db_path, monkeypatch, tmp_path):
    import contextlib

    script = tmp_path / "editor.sh"
    script.write_text('#!/bin/sh\ncat "$1" > "$1.seen"\nprintf "written in the editor\\n" >> "$1"\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(script))
    app = make_app()
    suspended = []

    @contextlib.contextmanager
    def suspend():  # the pilot has no terminal to hand over; the real App.suspend is used in the app
        suspended.append(True)
        yield

    async with app.run_test(size=(120, 36)) as pilot:
        app.suspend = suspend
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        view = await open_from_library(pilot, A003)
        await pilot.press("E")  # nothing selected: the whole article's note
        await pilot.pause()
        (whole,) = [r for r in AnnotationStore(db_path).by_article(A003) if r["start"] is None]
        assert whole["note"] == "written in the editor" and suspended
        await pilot.press("E")  # again: the editor gets the note as it is, and the addition is saved
        await pilot.pause()
        (whole,) = [r for r in AnnotationStore(db_path).by_article(A003) if r["start"] is None]
        assert whole["note"] == "written in the editor\nwritten in the editor"
        # a selection: a new passage annotation with that note
        start = view.text.index("Guo Min")
        view.move_cursor_to(start)
        await pilot.press("v", "w", "E")
        await pilot.pause()
        passages = [r for r in AnnotationStore(db_path).by_article(A003) if r["start"] is not None]
        assert [(r["quote"], r["note"]) for r in passages] == [("Guo", "written in the editor")]


# --- Markdown reads like glow -----------------------------------------------------------------------------

async def test_markdown_is_styled_in_place_with_every_character_kept(make_app, seeds_copy):
    text = "# Release notes\n\nSome **bold** words and `code` and a [link](https://x.y).\n\n> a quote\n"
    (seeds_copy / "notes.md").write_text(text, encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        view = await open_from_library(pilot, "notes.md")
        assert view.text == text  # nothing removed: offsets are the file's
        view.move_cursor_to(len(text))  # the block cursor out of the way
        await pilot.pause()
        rows = {view.row_text(r): r for r in range(view.visual_line_count)}
        heading = view.render_line(rows["# Release notes"] - round(view.scroll_y))
        segments = [(seg.text, seg.style) for seg in heading if seg.text.strip()]
        marks = [style for chunk, style in segments if chunk.strip() == "#"]
        words = [style for chunk, style in segments if "Release" in chunk]
        assert marks and words and words[0].bold and not marks[0].bold  # the title bold, its `#` dimmed
        body = view.render_line(rows[text.splitlines()[2]] - round(view.scroll_y))
        bold = [seg.style for seg in body if seg.text == "bold"]
        stars = [seg.style for seg in body if seg.text == "**"]
        assert bold and bold[0].bold and stars and stars[0].color != bold[0].color


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_read_only_database_is_announced_at_start(make_app, db_path, monkeypatch, size):
    AnnotationStore(db_path).add(article=A003, tags=["before"])   # an existing database, then made read-only
    refuse_writes_under(monkeypatch, db_path.parent)
    app = make_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_loaded(pilot)
        # before any save is tried: a warning toast, and a line on the library that stays
        await wait_until(pilot, lambda: any(n.title == "Read-only database" for n in app.notices), "the notice")
        notice = next(n for n in app.notices if n.title == "Read-only database")
        assert notice.severity == "warning" and "permission denied" in notice.message
        assert "will not be saved" in notice.message and "rescue file" in notice.message
        assert not app.session.pending
        await pilot.pause()
        banner = app.screen.query_one("#read-only")
        assert banner.display and "read-only: annotations will not be saved" in str(banner.render())
        # the reader shows it too; a change is still kept in memory and retried, as before
        await open_from_library(pilot, A003)
        assert app.screen.query_one("#read-only").display
        await tag_a_word(pilot, "kept")
        assert [p.record["tags"] for p in app.session.pending] == [["kept"]]
        monkeypatch.undo()                                    # writable again: the retry saves it
        await wait_until(pilot, lambda: not app.session.pending, "the retried save", tries=400)
        await pilot.pause()
        assert not app.screen.query_one("#read-only").display
    assert sorted(r["tags"] for r in AnnotationStore(db_path).all()) == [["before"], ["kept"]]


async def test_a_writable_database_shows_no_read_only_line(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open and app.screen.counts is not None)
        assert app.write_problem is None and not app.screen.query("#read-only")
        assert not any(n.title == "Read-only database" for n in app.notices)
