"""The tag manager (`c`) and the statistics screen (`i`): pilot tests on the database, and snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader import codebook as cbk
from reader.anchoring import describe
from reader.corpus import load_corpus
from reader.records import make_record
from reader.store import AnnotationStore
from reader.tui.app import ReaderApp
from reader.tui.config import Config
from reader.tui.screens.codebook import CodebookScreen, PromptScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.statistics import StatisticsScreen
from tests.helpers import A001, A003, wait_loaded, wait_until


def seed(corpus: Path, db: Path) -> AnnotationStore:
    """Passages in two articles by two annotators over three weeks, with hierarchical tags."""
    store = AnnotationStore(db)
    articles = load_corpus(corpus)
    n = 0

    def add(article_id, phrase, tags, who, day, note=""):
        nonlocal n
        n += 1
        art = articles.get(article_id)
        start = art.text.index(phrase)
        sel = describe(art.text, start, start + len(phrase))
        stamp = f"2026-11-{day:02d}T10:00:00.000000Z"
        store.add_record(make_record(
            id=f"00000000-0000-4000-8000-{n:012d}", article=article_id, start=sel.start, end=sel.end,
            quote=sel.quote, prefix=sel.prefix, suffix=sel.suffix, tags=tags, note=note,
            fingerprint=art.fingerprint, created=stamp, updated=stamp, annotator=who))

    add(A003, "China's Ambassador to Azerbaijan Guo Min", ["people/diplomats", "places"], "ana", 2, "the source")
    add(A003, "China's Ambassador to Azerbaijan", ["people/diplomats"], "ben", 3)
    add(A003, "The Ambassador recalled that China was the first to suffer", ["covid"], "ana", 10)
    add(A003, "The Ambassador recalled", ["covid"], "ben", 11)
    add(A001, "World Health Organization", ["health/who", "places"], "ana", 17)
    add(A001, "Ilham Aliyev", ["people/leaders"], "ana", 18)
    cbk.describe(store, db, "people", description="Persons named in the text", color="#1f77b4")
    cbk.describe(store, db, "covid", description="The pandemic and its measures", color="#d62728")
    return store


@pytest.fixture
def app(seeds_copy: Path, tmp_path: Path) -> ReaderApp:
    db = tmp_path / "db" / "annotations.json"
    seed(seeds_copy, db)
    return ReaderApp(seeds_copy, db, config=Config())


async def open_screen(pilot, key: str, cls) -> None:
    await wait_loaded(pilot)
    await wait_until(pilot, lambda: pilot.app.session_open)
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, cls))
    await pilot.pause()


def tags_in_db(app) -> list[tuple[str, ...]]:
    return sorted(tuple(r["tags"]) for r in AnnotationStore(app.db_path).all())


def cursor_to(app, tag: str) -> None:
    screen = app.screen
    screen.query_one("#codebook-table").move_cursor(row=[n.tag for n in screen.nodes].index(tag))


async def answer(pilot, text: str) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PromptScreen))
    field = pilot.app.screen.query_one("#prompt-input")
    field.value = ""
    await pilot.press(*text, "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CodebookScreen))
    await pilot.pause()


async def test_tag_manager_tree_rename_merge_delete_and_undo(app):
    async with app.run_test(size=(120, 36)) as pilot:
        await open_screen(pilot, "c", CodebookScreen)
        screen = app.screen
        shown = [(n.tag, n.depth, n.total) for n in screen.nodes]
        assert shown == [("covid", 0, 2), ("health", 0, 1), ("health/who", 1, 1), ("people", 0, 3),
                         ("people/diplomats", 1, 2), ("people/leaders", 1, 1), ("places", 0, 2)]
        original = tags_in_db(app)

        cursor_to(app, "people")
        await pilot.press("r")
        await answer(pilot, "persons")
        assert ("persons/diplomats", "places") in tags_in_db(app)
        assert cbk.Codebook.load(app.db_path).description("persons") == "Persons named in the text"

        cursor_to(app, "places")
        await pilot.press("m")
        await answer(pilot, "covid")
        assert ("persons/diplomats", "covid") in tags_in_db(app)

        cursor_to(app, "health")
        await pilot.press("x")
        await pilot.pause()
        assert ("covid",) in tags_in_db(app) and not any("health/who" in t for t in tags_in_db(app))

        for _ in range(3):
            await pilot.press("U")
            await pilot.pause()
        assert tags_in_db(app) == original
        assert cbk.Codebook.load(app.db_path).description("people") == "Persons named in the text"
        assert [n.tag for n in app.screen.nodes][3] == "people"


async def test_tag_manager_describe_colour_and_filter(app):
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_screen(pilot, "c", CodebookScreen)
        cursor_to(app, "places")
        await pilot.press("d")
        await answer(pilot, "Countries and cities")
        await pilot.press("p")
        await answer(pilot, "#00aa00")
        book = cbk.Codebook.load(app.db_path)
        assert book.description("places") == "Countries and cities" and book.color("places") == "#00aa00"
        from reader.tui.colors import tag_color

        assert tag_color(app.current_theme, "places").hex.lower() == "#00aa00"  # highlights use it
        await pilot.press("p")
        await answer(pilot, "green")  # refused, nothing changed
        assert cbk.Codebook.load(app.db_path).color("places") == "#00aa00"
        await pilot.press("U")
        await pilot.pause()
        assert cbk.Codebook.load(app.db_path).color("places") == ""
        cursor_to(app, "people")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert app.screen.tag_filter == "people"
        await wait_until(pilot, lambda: app.screen.query_one("#articles").row_count == 2)  # sub-tags count


async def test_statistics_screen_shows_the_figures(app):
    async with app.run_test(size=(120, 36)) as pilot:
        await open_screen(pilot, "i", StatisticsScreen)
        s = app.screen.stats
        assert s.total == 6 and s.tags[0] == ("covid", 2)
        assert [w for w, _ in s.weeks] == ["2026-W45", "2026-W46", "2026-W47"]
        await pilot.press("5")
        await pilot.pause()
        coders = app.screen.query_one("#table-coders")
        assert coders.row_count >= 3
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_tag_manager_snapshot(snap_compare, app, size):
    async def run_before(pilot):
        await open_screen(pilot, "c", CodebookScreen)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size, tab", [((80, 24), "1"), ((120, 36), "1"), ((80, 24), "2"), ((120, 36), "5")])
def test_statistics_snapshot(snap_compare, app, size, tab):
    async def run_before(pilot):
        await open_screen(pilot, "i", StatisticsScreen)
        await pilot.press(tab)
        await pilot.pause()
    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_annotations_browser_filters_by_annotator(app):
    from reader.tui.screens.annotations import AnnotationsScreen

    async with app.run_test(size=(120, 36)) as pilot:
        await open_screen(pilot, "a", AnnotationsScreen)
        screen = app.screen
        await wait_until(pilot, lambda: len(screen.shown) == 6)
        await pilot.press("w")
        await wait_until(pilot, lambda: len(screen.shown) == 4)
        assert screen.annotator_filter == "ana"
        assert {r.record["annotator"] for r in screen.shown} == {"ana"}
        await pilot.press("w")
        await wait_until(pilot, lambda: len(screen.shown) == 2)
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(screen.shown) == 6 and screen.annotator_filter is None)


async def test_export_from_the_browser_keeps_the_annotator_filter(app, tmp_path):
    import csv

    from reader.tui.screens.annotations import AnnotationsScreen
    from reader.tui.screens.export import ExportScreen

    async with app.run_test(size=(120, 36)) as pilot:
        await open_screen(pilot, "a", AnnotationsScreen)
        await wait_until(pilot, lambda: len(app.screen.shown) == 6)
        await pilot.press("w", "w")  # ana, then ben
        await wait_until(pilot, lambda: app.screen.annotator_filter == "ben")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        screen = app.screen
        assert "2 annotations as JSON, by ben" in str(screen.query_one("#export-summary").render())
        screen.fmt = "csv"
        out = tmp_path / "ben.csv"
        screen.write("csv", screen.selected_records(), out)
        await wait_until(pilot, lambda: out.exists())
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert [r["annotator"] for r in csv.DictReader(fh)] == ["ben", "ben"]
