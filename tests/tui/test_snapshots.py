"""SVG snapshots of each screen (pytest-textual-snapshot). Update with: pytest --snapshot-update."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.anchoring import describe
from reader.corpus import load_corpus
from reader.records import make_record
from reader.store import AnnotationStore
from reader.tui.app import ReaderApp
from reader.tui.config import Config
from reader.tui.screens.reader import ReaderScreen
from tests.helpers import A003, wait_loaded, wait_preview, wait_until

STAMP = "2026-01-02T03:04:05.000000Z"


def seed_annotations(corpus: Path, db: Path) -> None:
    """Three passages with fixed ids and times (two overlap), and a whole-article tag."""
    article = load_corpus(corpus).get(A003)
    text = article.text
    store = AnnotationStore(db)

    def add(n: int, start: int, end: int, tags: list[str], note: str = "") -> None:
        sel = describe(text, start, end)
        store.add_record(make_record(
            id=f"00000000-0000-4000-8000-00000000000{n}", article=A003, start=sel.start, end=sel.end,
            quote=sel.quote, prefix=sel.prefix, suffix=sel.suffix, tags=tags, note=note,
            fingerprint=article.fingerprint, created=STAMP, updated=STAMP))

    guo = text.index("China's Ambassador to Azerbaijan Guo Min")
    add(1, guo, guo + len("China's Ambassador to Azerbaijan Guo Min"), ["people"], "the source of the quotes")
    add(2, guo + len("China's Ambassador to "), guo + len("China's Ambassador to Azerbaijan"), ["places"])
    recalled = text.index("The Ambassador recalled")
    add(3, recalled, recalled + len("The Ambassador recalled that China was the first to suffer"), ["covid"],
        "[bold]not markup[/]")
    store.add_record(make_record(id="00000000-0000-4000-8000-000000000009", article=A003,
                                 tags=["diplomacy"], created=STAMP, updated=STAMP))


@pytest.fixture
def app(seeds_copy: Path, tmp_path: Path) -> ReaderApp:
    db = tmp_path / "db" / "annotations.json"
    seed_annotations(seeds_copy, db)
    return ReaderApp(seeds_copy, db, config=Config())


async def open_003(pilot) -> None:
    app = pilot.app
    await wait_loaded(pilot)
    app.open_article(A003, offset=0)
    await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_library(snap_compare, app, size):
    async def run_before(pilot):
        await wait_loaded(pilot)
        await wait_preview(pilot)
        await pilot.pause()
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_library_search(snap_compare, app):
    async def run_before(pilot):
        await wait_loaded(pilot)
        await pilot.press("slash", *"guo min")
        # title matches come first while the index builds; the snapshot is of the full-text results
        await wait_until(pilot, lambda: pilot.app.screen.hits and any(h.snippet for h in pilot.app.screen.hits))
        await wait_preview(pilot)
        await pilot.pause()
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_reader_highlights_and_selection(snap_compare, app):
    async def run_before(pilot):
        await open_003(pilot)
        await pilot.press("v", "w", "w", "w")
        await pilot.pause()
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_reader_find_counter(snap_compare, app):
    async def run_before(pilot):
        await open_003(pilot)
        await pilot.press("slash", *"Guo", "space", *"Min", "enter", "n")
        await pilot.pause()
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_reader_panel_light_theme(snap_compare, app):
    async def run_before(pilot):
        pilot.app.theme = "textual-light"
        await open_003(pilot)
        await pilot.press("tab")
        await pilot.pause()
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_tag_editor(snap_compare, app):
    async def run_before(pilot):
        await open_003(pilot)
        await pilot.press("v", "w", "t", "p")
        await wait_until(pilot, lambda: pilot.app.screen.query("#tag-input"))
        await pilot.pause()
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_annotations_browser(snap_compare, app, size):
    async def run_before(pilot):
        await wait_loaded(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "AnnotationsScreen")
        await pilot.pause()
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_screen_in_the_reader(snap_compare, app, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", "/home/reader/.config")  # the help names the config path
    async def run_before(pilot):
        await open_003(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "HelpScreen")
        await pilot.pause()
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_export_dialog_light(snap_compare, app):
    async def run_before(pilot):
        pilot.app.theme = "textual-light"
        await wait_loaded(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "ExportScreen")
        pilot.app.screen.query_one("#export-path").value = "annotations/export.json"  # not a temp path
        await pilot.pause()
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
