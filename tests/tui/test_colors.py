"""Colours that mean one thing each (issue 8): find hits look like no tag, tags get distinct colours."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.color import Color

from reader.tui import colors


@pytest.fixture(autouse=True)
def fresh_colors():
    colors.set_codebook(None)
    colors.set_config_colors({})
    colors.set_known_tags([])
    yield
    colors.set_codebook(None)
    colors.set_config_colors({})
    colors.set_known_tags([])


THEMES = ["textual-dark", "textual-light", "nord", "gruvbox", "monokai"]


def hue_distance(a: Color, b: Color) -> float:
    d = abs(a.hsl.h - b.hsl.h) % 1.0
    return min(d, 1 - d) * 360


@pytest.mark.parametrize("name", THEMES)
def test_known_tags_get_distinct_colours_none_near_the_find_colour(name):
    theme = App().available_themes[name]
    tags = ["people", "places", "covid", "diplomacy", "china", "masks", "who"]
    colors.set_known_tags(tags)
    chosen = [colors.tag_color(theme, t) for t in tags]
    assert len({c.hex for c in chosen}) == len(tags)
    warning = Color.parse(theme.warning)
    for colour in chosen:
        assert hue_distance(colour, warning) >= 20 or colour.hsl.s < 0.15


def test_colours_come_from_the_config_then_the_codebook():
    from types import SimpleNamespace

    theme = App().available_themes["textual-dark"]
    colors.set_codebook(SimpleNamespace(color=lambda tag: "#112233" if tag.startswith("policy") else ""))
    colors.set_config_colors({"People": "#aa0000", "policy/vaccines": "#00aa00"})
    assert colors.tag_color(theme, "people").hex == "#AA0000"
    assert colors.tag_color(theme, "policy/vaccines").hex == "#00AA00"  # the config wins
    assert colors.tag_color(theme, "policy").hex == "#112233"          # else the codebook's


def test_find_hits_have_a_style_no_tag_highlight_has():
    from reader.tui.widgets.article_view import ArticleView

    css = ArticleView.DEFAULT_CSS
    find_rules = css.split(".article-view--find {", 1)[1].split("}", 1)[0]
    assert "bold" in find_rules and "underline" in find_rules
    theme = App().available_themes["textual-dark"]
    for tag in ("people", "places", None):
        style = colors.highlight_style(theme, tag)
        assert not style.bold


async def test_the_panel_shows_a_legend_of_this_articles_tags(make_app, db_path):
    from reader.anchoring import describe
    from reader.corpus import load_corpus
    from reader.records import make_record
    from reader.store import AnnotationStore
    from reader.tui.screens.reader import ReaderScreen
    from tests.helpers import wait_loaded, wait_until

    app = make_app()
    article = load_corpus(app.corpus_root).get("003_5fa1d59920890bb8.txt")
    store = AnnotationStore(db_path)
    for i, tags in enumerate((["people"], ["people", "places"], ["covid"])):
        sel = describe(article.text, 10 + 40 * i, 20 + 40 * i)
        store.add_record(make_record(article=article.id, start=sel.start, end=sel.end, quote=sel.quote,
                                     prefix=sel.prefix, suffix=sel.suffix, tags=tags,
                                     fingerprint=article.fingerprint))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session_open)
        app.open_article(article.id)
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await pilot.press("tab")
        await pilot.pause()
        plain = app.screen.query_one("#panel-legend").content.plain
        assert "people" in plain and "2" in plain and "places" in plain and "covid" in plain
        assert "find hit" in plain
        theme = app.current_theme
        shown = {colors.tag_color(theme, t).hex for t in ("people", "places", "covid")}
        assert len(shown) == 3


def test_legend_lines_break_between_tags_never_between_a_tag_and_its_count():
    from rich.console import Console
    from rich.text import Text

    from reader.tui.text import Pieces

    pieces = Pieces([Text(f" {tag} {n}") for tag, n in (("speed", 2), ("behaviour", 1), ("reading-list", 1),
                                                          ("rust", 1), ("tools", 1))], gap=3)
    console = Console(width=40, record=True, color_system=None)
    console.print(pieces)
    lines = console.export_text().splitlines()
    assert lines == [" speed 2    behaviour 1", " reading-list 1    rust 1    tools 1"]   # 41 cells would not fit
    assert pieces.plain == "   ".join(p.plain for p in pieces.pieces)


def test_config_tag_colors_are_read_and_bad_ones_named(tmp_path):
    from reader.tui.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[tag_colors]\npeople = "#1F77B4"\nplaces = "green"\n', encoding="utf-8")
    config = load_config(path)
    assert config.tag_colors == {"people": "#1f77b4"}
    assert any("places" in p and "#rrggbb" in p for p in config.problems)
