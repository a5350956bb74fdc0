"""The annotations browser, the export dialog, the help screen and the palette providers, driven by a pilot
on a copy of the bundled seeds with a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.command import CommandList
from textual.widgets import DataTable, Input

from reader.export import FORMATS
from reader.store import AnnotationStore
from reader.tui.app import ReaderApp
from reader.tui.commands import ActionsProvider, ArticlesProvider, TagsProvider, ThemesProvider
from reader.tui.config import Config
from reader.tui.screens.annotations import AnnotationsScreen
from reader.tui.widgets.article_list import ArticleList
from reader.tui.screens.export import EXTENSIONS, ExportScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.reader import ReaderScreen
from reader.tui.widgets.article_view import ArticleView
from tests.helpers import A001, A003, A004, SIZE, wait_until

CHINA, ALIYEV, MASKS = A003, A001, A004


def _db(tmp_path: Path) -> Path:
    return tmp_path / "annotations" / "annotations.json"


_wait = wait_until


def _library_ready(app) -> bool:
    return (app.loaded and isinstance(app.screen, LibraryScreen)
            and app.screen.query_one("#articles", ArticleList).row_count == len(app.session.articles) > 0)


async def _loaded(app, pilot) -> None:
    """The corpus is loaded and the library lists it (its rows come from a worker)."""
    await _wait(pilot, lambda: _library_ready(app), "the corpus to load")


def _seed(app) -> dict[str, dict]:
    """Three passages and one whole-article record, made through the session (so through the real store)."""
    s = app.session
    china = s.article(CHINA).text
    aliyev = s.article(ALIYEV).text
    start = china.index("closely cooperating")
    made = {
        "china": s.annotate(CHINA, start, start + len("closely cooperating"), tags=["china", "covid"],
                            note="ambassador quote").record,
        "aliyev": s.annotate(ALIYEV, 200, 260, tags=["diplomacy"], note="Aliyev meets the WHO").record,
        "masks": s.annotate(MASKS, 0, 30, tags=["covid"], note="").record,
        "whole": s.annotate(CHINA, tags=["embassy"], note="about the whole article").record,
    }
    assert aliyev[200:260] == made["aliyev"]["quote"]
    return made


def _table(app) -> DataTable:
    return app.screen.query_one("#annotation-table", DataTable)


def _row_ids(app) -> list[str]:
    table = _table(app)
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


def _plain_cells(app, annotation_id: str) -> list[str]:
    return [cell.plain for cell in _table(app).get_row(annotation_id)]


def _notes(app) -> list[str]:
    return [str(n.message) for n in app.notices]


async def _open_browser(app, pilot) -> None:
    await pilot.press("a")
    await _wait(pilot, lambda: isinstance(app.screen, AnnotationsScreen) and _table(app).row_count > 0,
                "the annotations browser")


async def _select(app, pilot, annotation_id: str) -> None:
    table = _table(app)
    table.focus()
    table.move_cursor(row=table.get_row_index(annotation_id))
    await pilot.pause()
    assert app.screen.selected_id() == annotation_id


# --------------------------------------------------------------------------------------- the browser


async def test_browser_filter_forgives_typos_as_the_library_search_does(seeds_copy, tmp_path):
    """"ambsador" (two letters missing) finds the annotations on "Chinese Ambassador: ..." (a passage whose
    note says "ambassador", and the whole-article one, by the title), as `/` in the library finds the article:
    one typo rule (reader.search.allowed_edits) for both. The other two annotations stay out."""
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        made = _seed(app)
        stored = AnnotationStore(_db(tmp_path)).get(made["china"]["id"])
        assert "ambassador" in stored["note"] and "ambsador" not in stored["note"]
        await _open_browser(app, pilot)
        await pilot.press("slash", *"ambsador")
        wanted = {made["china"]["id"], made["whole"]["id"]}
        await _wait(pilot, lambda: set(_row_ids(app)) == wanted, "the typo'd filter")
        header = str(app.screen.query_one("#annotations-header").render())
        assert "ambsador" in header and "2 matches" in header
        note = _table(app).get_row(made["china"]["id"])[3]
        assert note.plain.startswith("ambassador") and any(s.end - s.start == len("ambassador")
                                                           for s in note.spans)


async def test_browser_says_when_a_filter_matches_nothing_and_how_to_clear_it(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _loaded(app, pilot)
        _seed(app)
        await _open_browser(app, pilot)
        empty = app.screen.query_one("#annotations-empty")
        assert not empty.display
        await pilot.press("slash", *"zzqqxxjj")
        await _wait(pilot, lambda: not _row_ids(app), "the filter to match nothing")
        await pilot.pause()
        assert empty.display and "Nothing matches these filters — esc clears them." in str(empty.render())
        await pilot.press("escape")
        await _wait(pilot, lambda: _row_ids(app), "the rows back")
        await pilot.pause()
        assert not empty.display


async def test_browser_lists_every_annotation_and_filters_by_text_tag_and_article(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        made = _seed(app)
        await _open_browser(app, pilot)
        assert set(_row_ids(app)) == {r["id"] for r in made.values()}
        whole = _plain_cells(app, made["whole"]["id"])
        assert "(whole article)" in whole[1] and "about the whole article" in whole[3]

        # text, with a typo: "aliev" finds the note "Aliyev meets the WHO"
        await pilot.press("slash", *"aliev")
        assert isinstance(app.focused, Input)
        await _wait(pilot, lambda: _row_ids(app) == [made["aliyev"]["id"]], "the text filter")
        header = str(app.screen.query_one("#annotations-header").render())
        assert "aliev" in header and "1 match" in header
        # two words must both match
        await pilot.press("space", *"who")
        assert _row_ids(app) == [made["aliyev"]["id"]]
        await pilot.press("escape")          # clears the text and gives the table focus
        assert app.screen.query_one("#annotations-filter", Input).value == ""
        assert len(_row_ids(app)) == 4
        # keys that are commands on the table are text in the filter (typed fast, right behind `/`)
        await pilot.press("slash", *"note x?e#")
        assert app.screen.query_one("#annotations-filter", Input).value == "note x?e#"
        assert isinstance(app.screen, AnnotationsScreen)
        assert len(app.session.all_annotations()) == 4
        await pilot.press("escape")
        assert len(_row_ids(app)) == 4 and not isinstance(app.focused, Input)

        # tag, through the TagPicker
        await pilot.press("t")
        await _wait(pilot, lambda: app.screen.__class__.__name__ == "TagPicker", "the tag picker")
        await pilot.press(*"covid", "enter")
        await _wait(pilot, lambda: isinstance(app.screen, AnnotationsScreen), "the browser again")
        assert set(_row_ids(app)) == {made["china"]["id"], made["masks"]["id"]}
        assert "tag: covid" in str(app.screen.query_one("#annotations-header").render())

        # and this article (o), on top of the tag
        await _select(app, pilot, made["china"]["id"])
        await pilot.press("o")
        assert _row_ids(app) == [made["china"]["id"]]
        await pilot.press("o")                # o again: every article
        assert len(_row_ids(app)) == 2
        await pilot.press("escape")           # clears tag / article filters
        assert len(_row_ids(app)) == 4
        # e (the app's export) offers "this article" for the highlighted annotation's article
        await _select(app, pilot, made["aliyev"]["id"])
        await pilot.press("e")
        await _wait(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        assert app.screen.article == ALIYEV and app.screen.scopes[app.screen.scope_index] == ("article", None)
        await pilot.press("escape")
        await _wait(pilot, lambda: isinstance(app.screen, AnnotationsScreen), "the browser again")
        await pilot.press("escape")           # then goes back
        assert isinstance(app.screen, LibraryScreen)


async def test_enter_opens_the_reader_at_the_passage(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        made = _seed(app)
        await _open_browser(app, pilot)
        await _select(app, pilot, made["china"]["id"])
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        assert app.screen.article_id == CHINA
        assert app.screen.query_one(ArticleView).cursor == made["china"]["start"]
        await pilot.press("escape")
        await _wait(pilot, lambda: isinstance(app.screen, AnnotationsScreen), "the browser again")


async def test_editing_tags_and_note_is_saved_in_the_database(seeds_copy, tmp_path):
    db = _db(tmp_path)
    app = ReaderApp(seeds_copy, db, config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        made = _seed(app)
        target = made["masks"]["id"]
        await _open_browser(app, pilot)
        await _select(app, pilot, target)

        await pilot.press("number_sign")
        await _wait(pilot, lambda: app.screen.__class__.__name__ == "TagEditor", "the tag editor")
        await pilot.press(*"masks", "enter")
        await _wait(pilot, lambda: isinstance(app.screen, AnnotationsScreen), "the browser again")
        assert AnnotationStore(db).get(target)["tags"] == ["covid", "masks"]
        await _wait(pilot, lambda: "masks" in _plain_cells(app, target)[2], "the table to show the new tag")

        await pilot.press("n")
        await _wait(pilot, lambda: app.screen.__class__.__name__ == "NoteEditor", "the note editor")
        await pilot.press(*"arrived by plane", "ctrl+s")
        await _wait(pilot, lambda: isinstance(app.screen, AnnotationsScreen), "the browser again")
        assert AnnotationStore(db).get(target)["note"] == "arrived by plane"
        await _wait(pilot, lambda: "arrived by plane" in _plain_cells(app, target)[3], "the new note")
        assert app.screen.selected_id() == target
        assert any("Note saved" in n for n in _notes(app))


async def test_delete_then_undo_round_trips_through_the_database(seeds_copy, tmp_path):
    db = _db(tmp_path)
    app = ReaderApp(seeds_copy, db, config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        made = _seed(app)
        target = made["aliyev"]["id"]
        before = AnnotationStore(db).get(target)
        await _open_browser(app, pilot)
        await _select(app, pilot, target)

        await pilot.press("x")
        assert AnnotationStore(db).get(target) is None
        await _wait(pilot, lambda: target not in _row_ids(app), "the row to go")
        assert len(_row_ids(app)) == 3

        await pilot.press("U")
        assert AnnotationStore(db).get(target) == before
        await _wait(pilot, lambda: target in _row_ids(app), "the row to come back")
        assert app.screen.selected_id() == target

        await pilot.press("ctrl+z")           # nothing left to undo: said, not crashed
        await pilot.pause()
        assert any("Nothing to undo" in n for n in _notes(app))


async def test_empty_browser_says_how_to_annotate(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        await pilot.press("a")
        await _wait(pilot, lambda: isinstance(app.screen, AnnotationsScreen), "the browser")
        await pilot.pause()
        empty = app.screen.query_one("#annotations-empty")
        assert empty.display and "No annotations yet" in str(empty.render())
        await pilot.press("x", "enter", "number_sign")  # nothing selected: nothing happens, no crash
        await pilot.pause()
        assert isinstance(app.screen, AnnotationsScreen)


# ---------------------------------------------------------------------------------------- export


async def _export(app, pilot, screen: ExportScreen, fmt_steps: int, path: Path) -> None:
    await app.push_screen(screen)
    await _wait(pilot, lambda: app.screen is screen and screen.is_mounted, "the export dialog")
    for _ in range(fmt_steps):
        await pilot.press("down")
    screen.query_one("#export-path", Input).value = str(path)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await _wait(pilot, lambda: app.screen is not screen, "the dialog to close")


async def test_export_dialog_writes_every_format(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        made = _seed(app)
        for steps, fmt in enumerate(FORMATS):
            out = tmp_path / "out" / f"all.{EXTENSIONS[fmt]}"
            await _export(app, pilot, ExportScreen(), steps, out)
            text = out.read_text(encoding="utf-8")
            if fmt == "json":
                assert len(json.loads(text)["annotations"]) == len(made)
            elif fmt == "w3c":
                data = json.loads(text)
                assert data["type"] == "AnnotationCollection"
                assert data["total"] == len(made)
            elif fmt == "jsonl":
                lines = [json.loads(line) for line in text.splitlines()]
                assert {line["id"] for line in lines} == {CHINA, ALIYEV, MASKS}
            else:
                assert "closely cooperating" in text and "Aliyev meets the WHO" in text
            assert any(f"Wrote {len(made)} annotations as" in n and n.endswith(f"/{out.name}") for n in _notes(app))


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_export_toast_gives_the_path_a_line_of_its_own_never_broken_in_a_name(seeds_copy, tmp_path, size):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=size, notifications=True) as pilot:
        await _loaded(app, pilot)
        made = _seed(app)
        out = tmp_path / "a-rather-deep" / "folder-of-exports" / "for-the-project" / "every-annotation-of-2024.json"
        await _export(app, pilot, ExportScreen(), 0, out)
        toast = next(n for n in app.notices if n.title == "Export")
        first, path = toast.message.split("\n")
        assert first == f"Wrote {len(made)} annotations as JSON to"
        width = app.toast_width()
        assert len(path) <= width and path.endswith("/every-annotation-of-2024.json")   # the name whole
        assert path.startswith("/…/") and "…" not in path[3:]   # middle folders give way, whole ones kept
        assert out.exists()


async def test_export_this_article_and_a_tag(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        made = _seed(app)
        # "this article" is offered, and chosen, when an article is given
        out = tmp_path / "china.json"
        await _export(app, pilot, ExportScreen(article=CHINA), 0, out)
        ids = {r["id"] for r in json.loads(out.read_text())["annotations"]}
        assert ids == {made["china"]["id"], made["whole"]["id"]}
        # a tag given to the dialog chooses that tag
        out = tmp_path / "covid.jsonl"
        await _export(app, pilot, ExportScreen(tag="COVID"), 2, out)
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert {line["id"] for line in lines} == {CHINA, MASKS}


async def test_export_path_follows_the_format_until_edited_and_errors_stay_in_the_dialog(seeds_copy, tmp_path):
    db = _db(tmp_path)
    app = ReaderApp(seeds_copy, db, config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        _seed(app)
        screen = ExportScreen()
        await app.push_screen(screen)
        await pilot.pause()
        field = screen.query_one("#export-path", Input)
        assert Path(field.value).parent == db.parent
        assert Path(field.value).name.startswith("export-") and field.value.endswith(".json")
        await pilot.press("down")
        assert field.value.endswith(".w3c.json")
        await pilot.press("down")
        assert field.value.endswith(".jsonl")
        # the user edits the path: the format no longer changes it
        await pilot.press("tab", "tab")
        assert app.focused is field
        await pilot.press("backspace", *"x")
        edited = field.value
        await pilot.press("shift+tab", "shift+tab", "down")
        assert screen.fmt == "md" and field.value == edited
        # a folder is not a file: the error is shown in the dialog, which stays open
        field.value = str(tmp_path)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        error = screen.query_one("#export-error")
        assert error.display and "folder" in str(error.render())
        await pilot.press("escape")
        assert app.screen is not screen


# ------------------------------------------------------------------------------------------ help


def _help_rows(screen: HelpScreen) -> dict[str, tuple[str, list[str]]]:
    return {row.binding_id: (group.title, row.keys) for group in screen.groups for row in group.rows
            if row.binding_id}


async def test_help_lists_the_live_bindings_of_the_reader(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        await pilot.press("question_mark")
        await _wait(pilot, lambda: isinstance(app.screen, HelpScreen), "help on the library")
        rows = _help_rows(app.screen)
        assert rows["library.search"] == ("This screen", ["/"])
        await pilot.press("escape")

        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        await pilot.press("question_mark")
        await _wait(pilot, lambda: isinstance(app.screen, HelpScreen), "help on the reader")
        help_screen = app.screen
        rows = _help_rows(help_screen)
        assert rows["reader.tag"] == ("This screen", ["t"])
        assert rows["reader.undo"] == ("This screen", ["U", "^z"])
        assert rows["app.quit"][0] == "App"
        titles = [g.title for g in help_screen.groups]
        assert titles[:2] == ["This screen", "Reading & moving"] and "App" in titles
        reading = next(g for g in help_screen.groups if g.title == "Reading & moving")
        assert any("v" in row.keys for row in reading.rows)
        shown = app.export_screenshot()
        assert "reader.tag" in shown and "config.toml" in shown
        await pilot.press("q")                 # q closes help, not the app
        assert isinstance(app.screen, ReaderScreen) and app.is_running


async def test_help_shows_a_key_rebound_in_the_config(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config(keys={"reader.tag": "ctrl+t", "app.help": "f1"}))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        await pilot.press("f1")
        await _wait(pilot, lambda: isinstance(app.screen, HelpScreen), "help by its new key")
        rows = _help_rows(app.screen)
        assert rows["reader.tag"][1] == ["^t"]
        assert rows["app.help"][1] == ["f1"]
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("ctrl+t")            # and the new tag key works: nothing selected, it says so
        await pilot.pause()
        assert any("Select a passage first" in n for n in _notes(app))


# --------------------------------------------------------------------------------------- palette


def _palette_first(app) -> str:
    options = app.screen.query(CommandList)
    if not options or not options.first().option_count:
        return ""
    return str(options.first().get_option_at_index(0).hit.text)


async def _hits(provider, query: str) -> list:
    return [hit async for hit in provider.search(query)]


async def test_palette_providers_rank_with_typos_and_run_their_commands(seeds_copy, tmp_path):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        _seed(app)
        hits = await _hits(ArticlesProvider(app.screen), "chnese ambsador")
        assert hits and hits[0].text.startswith("Open article: Chinese Ambassador")
        assert 0 < hits[0].score <= 1
        discovered = [hit async for hit in ArticlesProvider(app.screen).discover()]
        assert 0 < len(discovered) <= 8

        tags = await _hits(TagsProvider(app.screen), "diplomcy")
        assert tags[0].text == "Filter library by tag: diplomacy"
        actions = await _hits(ActionsProvider(app.screen), "anotations brwser")
        assert actions[0].text == "Annotations browser"
        themes = await _hits(ThemesProvider(app.screen), "textual light")
        assert themes[0].text == "Switch theme: textual-light"

        # the tag command filters the library
        tags[0].command()
        await pilot.pause()
        assert app.screen.tag_filter == "diplomacy"

        # through the real palette: a typo'd title opens the article
        await pilot.press("ctrl+p")
        await pilot.press(*"chnese ambsador")
        await _wait(pilot, lambda: _palette_first(app).startswith("Open article: Chinese Ambassador"),
                    "palette results")
        await pilot.press("down", "enter")
        await _wait(pilot, lambda: isinstance(app.screen, ReaderScreen), "the article from the palette")
        assert app.screen.article_id == CHINA

        themes[0].command()
        assert app.theme == "textual-light"


# ------------------------------------------------------------------------------ markup stays text


async def test_markup_in_tags_and_notes_is_shown_literally(seeds_copy, tmp_path):
    db = _db(tmp_path)
    app = ReaderApp(seeds_copy, db, config=Config())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _loaded(app, pilot)
        record = app.session.annotate(MASKS, 0, 30, tags=["[bold]x[/]"], note="[@click=app.quit]").record
        await _open_browser(app, pilot)
        cells = _plain_cells(app, record["id"])
        assert "[bold]x[/]" in cells[2] and "[@click=app.quit]" in cells[3]
        shown = app.export_screenshot()
        assert "[bold]x[/]" in shown and "[@click=app.quit]" in shown
        # filter by the odd tag, show it in the picker, the header, the export dialog and the palette
        await pilot.press("t")
        await _wait(pilot, lambda: app.screen.__class__.__name__ == "TagPicker", "the tag picker")
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, AnnotationsScreen), "the browser")
        assert "tag: [bold]x[/]" in str(app.screen.query_one("#annotations-header").render())
        dialog = ExportScreen(tag=app.screen.export_scope().tag, article=MASKS)
        await app.push_screen(dialog)
        await pilot.pause()
        assert dialog.scopes[dialog.scope_index] == ("tag", "[bold]x[/]")
        assert "[bold]x[/]" in app.export_screenshot()
        await pilot.press("escape")
        hits = await _hits(TagsProvider(app.screen), "bold")
        assert hits[0].text == "Filter library by tag: [bold]x[/]"
        await pilot.press("enter")            # the reader opens at the passage, the app keeps running
        await _wait(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        assert app.is_running
        assert AnnotationStore(db).get(record["id"])["note"] == "[@click=app.quit]"


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_screens_render_at_small_and_large_sizes(seeds_copy, tmp_path, size):
    app = ReaderApp(seeds_copy, _db(tmp_path), config=Config(theme="textual-light"))
    async with app.run_test(size=size, notifications=True) as pilot:
        await _loaded(app, pilot)
        _seed(app)
        await _open_browser(app, pilot)
        await pilot.press("e")
        await _wait(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        dialog = app.screen.query_one("#export-dialog")
        assert dialog.region.height <= size[1] and dialog.region.width <= size[0]
        await pilot.press("escape", "question_mark")
        await _wait(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        assert "annotations.edit_tags" in app.export_screenshot()
