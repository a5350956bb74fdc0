"""Snapshots of the screens issue 8 changed, at 80x24, 120x36 and 200x50 (dark, and light for the reader):
the library with look-alike titles and a Markdown file, the reader on Markdown with a whole-article note,
tags in several colours and a find hit, and help."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.anchoring import describe
from reader.corpus import load_corpus
from reader.records import make_record
from reader.store import AnnotationStore
from reader.tui.app import ReaderApp
from reader.tui.config import Config
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.reader import ReaderScreen
from tests.helpers import wait_loaded, wait_preview, wait_until

STAMP = "2026-01-02T03:04:05.000000Z"
README = """<!-- badges: generated -->
<div align="center">

# ripgrep

</div>

**ripgrep** is a line-oriented search tool that recursively searches the current directory for a regex
pattern. By default, ripgrep will respect gitignore rules and automatically skip hidden files.

## Why should I use ripgrep?

* It can replace many use cases served by other search tools because it contains most of their features
  and is generally faster. See [the FAQ](FAQ.md) for more details.
* Like other tools specialized to code search, ripgrep defaults to `recursive search` and does
  *automatic filtering*.

> ripgrep is fast because it is built on top of Rust's regex engine.

```
$ rg -n 'fn main' src/
```
"""
SIZES = [(80, 24), (120, 36), (200, 50)]


def make_corpus(root: Path, db: Path) -> None:
    for name in ("zlib", "bash", "openssl"):
        (root / "debian" / name).mkdir(parents=True)
        (root / "debian" / name / "copyright.txt").write_text(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
            f"Upstream-Name: {name}\n\nFiles: *\nCopyright: the {name} authors\n", encoding="utf-8")
    (root / "README.md").write_text(README, encoding="utf-8")
    article = load_corpus(root).get("README.md")
    store = AnnotationStore(db)

    def add(n: int, quote: str, tags: list[str], note: str = "") -> None:
        start = article.text.index(quote)
        sel = describe(article.text, start, start + len(quote))
        store.add_record(make_record(id=f"00000000-0000-4000-8000-00000000001{n}", article="README.md",
                                     start=sel.start, end=sel.end, quote=sel.quote, prefix=sel.prefix,
                                     suffix=sel.suffix, tags=tags, note=note, fingerprint=article.fingerprint,
                                     created=STAMP, updated=STAMP))

    add(1, "line-oriented search tool", ["tools"], "what it is")
    add(2, "respect gitignore rules", ["behaviour"])
    add(3, "generally faster", ["speed"])
    add(4, "built on top of Rust's regex engine", ["speed", "rust"])
    store.add_record(make_record(id="00000000-0000-4000-8000-000000000019", article="README.md",
                                 tags=["reading-list"], note="compare with grep and ag", created=STAMP,
                                 updated=STAMP, fingerprint=article.fingerprint))


@pytest.fixture
def app(seeds_copy: Path, tmp_path: Path) -> ReaderApp:
    db = tmp_path / "db" / "annotations.json"
    make_corpus(seeds_copy, db)
    return ReaderApp(seeds_copy, db, config=Config())


async def ready(pilot) -> None:
    await wait_loaded(pilot)
    await wait_until(pilot, lambda: pilot.app.session_open)
    await wait_until(pilot, lambda: "annotations" in str(pilot.app.screen.query_one("#library-header").render()))
    await wait_preview(pilot)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_library_with_look_alike_titles_and_markdown(snap_compare, app, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("s")  # by title: the look-alikes side by side
        await wait_preview(pilot)
        await pilot.pause()
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(120, 36), (200, 50)])
def test_library_preview_of_a_search_hit_with_tags_and_notes(snap_compare, app, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("slash", *"regex engine")
        screen = pilot.app.screen
        await wait_until(pilot, lambda: screen.hits and screen.hits[0].article == "README.md"
                         and screen.hits[0].snippet)
        await wait_preview(pilot)
        await pilot.pause()
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size, theme", [((80, 24), "textual-dark"), ((120, 36), "textual-dark"),
                                         ((200, 50), "textual-dark"), ((120, 36), "textual-light")])
def test_reader_markdown_with_tags_a_whole_article_note_and_a_find_hit(snap_compare, app, size, theme):
    async def run_before(pilot):
        pilot.app.theme = theme
        await ready(pilot)
        pilot.app.open_article("README.md", offset=0)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ReaderScreen))
        await pilot.press("slash", *"ripgrep", "enter")
        await pilot.press("tab")
        await pilot.pause()
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_in_the_library(snap_compare, app, size, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", "/home/reader/.config")  # the help names the config path
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()
    assert snap_compare(app, terminal_size=size, run_before=run_before)
