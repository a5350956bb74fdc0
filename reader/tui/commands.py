"""Command palette (ctrl+p) providers: open an article, filter the library by a tag, the app's actions, themes.

Every provider ranks with rapidfuzz through ``reader.search.typeahead.fuzzy_rank`` — never Textual's built-in
``Matcher``, which is combinatorial on long strings — and draws its hits as ``rich.text.Text`` built from
the match spans, so a title or a tag such as ``[bold]x[/]`` is shown literally and never parsed as markup.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Callable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from reader.records import order_tags
from reader.search.typeahead import fuzzy_rank
from reader.tui.text import emphasise

HIT_LIMIT = 20           # hits per keystroke and provider (10k articles rank in a few tens of ms)
DISCOVER_ARTICLES = 8    # articles listed before anything is typed


class _RankedProvider(Provider):
    """A provider over a small list of (label, command, help) ranked on the whole label."""

    prefix = ""
    discover_limit = 10
    score_cutoff = 50.0

    def commands(self) -> list[tuple[str, Callable[[], object], str]]:
        """(label, command, help) for every command this provider offers."""
        raise NotImplementedError

    async def search(self, query: str) -> Hits:
        commands = self.commands()
        labels = [self.prefix + label for label, _, _ in commands]
        for index, score, spans in fuzzy_rank(query, labels, limit=HIT_LIMIT, score_cutoff=self.score_cutoff):
            label, command, help_text = commands[index]
            full = self.prefix + label
            yield Hit(score / 100, emphasise(full, spans), command, text=full,
                      help=Content(help_text) if help_text else None)

    async def discover(self) -> Hits:
        for label, command, help_text in self.commands()[: self.discover_limit]:
            yield DiscoveryHit(Text(self.prefix + label), command, text=self.prefix + label,
                               help=Content(help_text) if help_text else None)


class ArticlesProvider(Provider):
    """"Open article: <title>" for every article, ranked on the title (typos and abbreviations are fine)."""

    PREFIX = "Open article: "

    def _articles(self):
        return list(getattr(self.app, "session").articles)

    async def search(self, query: str) -> Hits:
        articles = self._articles()
        if not articles:
            return
        titles = [a.title or a.id for a in articles]
        # ranking 10k titles takes a few tens of ms: keep it off the event loop
        ranked = await asyncio.to_thread(fuzzy_rank, query, titles, limit=HIT_LIMIT)
        for index, score, spans in ranked:
            article = articles[index]
            title = titles[index]
            shown = Text(self.PREFIX, style="dim")
            shown.append_text(emphasise(title, spans))
            yield Hit(score / 100, shown, partial(self._open, article.id), text=self.PREFIX + title,
                      help=self._help(article))

    async def discover(self) -> Hits:
        articles = self._articles()
        dated = sorted((a for a in articles if a.date), key=lambda a: a.date, reverse=True)
        for article in (dated or articles)[:DISCOVER_ARTICLES]:
            title = article.title or article.id
            shown = Text(self.PREFIX, style="dim")
            shown.append(title)
            yield DiscoveryHit(shown, partial(self._open, article.id), text=self.PREFIX + title,
                               help=self._help(article))

    @staticmethod
    def _help(article) -> Content:
        parts = [str(article.date) if article.date else None, article.source,
                 f"{article.words:,} words" if article.words is not None else None, article.id]
        return Content(" · ".join(p for p in parts if p))

    def _open(self, article_id: str) -> None:
        self.app.open_article(article_id)


class TagsProvider(_RankedProvider):
    """"Filter library by tag: <tag>" for every tag in use, most used first."""

    prefix = "Filter library by tag: "

    def commands(self):
        counts = self.app.session.tag_counts()
        tags = order_tags(counts)
        return [(tag, partial(self.app.filter_library_by_tag, tag),
                 f"{counts[tag]} annotation{'s' if counts[tag] != 1 else ''}") for tag in tags]


class ActionsProvider(_RankedProvider):
    """The app's screens and actions."""

    def commands(self):
        app = self.app
        return [
            ("Annotations browser", self._annotations, "every annotation, filter by text, tag or article"),
            ("Export annotations…", app.action_export, "JSON, W3C, JSONL, Markdown or CSV"),
            ("Keys and help", app.action_help, "every key of this screen and its id for the config file"),
        ]

    def _annotations(self) -> None:
        from reader.tui.screens.annotations import AnnotationsScreen

        if not isinstance(self.app.screen, AnnotationsScreen):
            self.app.push_screen(AnnotationsScreen())


class ThemesProvider(_RankedProvider):
    """"Switch theme: <name>" for every available theme."""

    prefix = "Switch theme: "
    discover_limit = 0
    # Theme names are arbitrary words ("catppuccin"): scattered letters of an article query match them
    # at ~70, so a theme is offered only for a close match (e.g. "theme", "light", "nord").
    score_cutoff = 80.0

    def commands(self):
        app = self.app
        current = app.theme
        return [(name, partial(setattr, app, "theme", name), "current theme" if name == current else "")
                for name in sorted(app.available_themes)]


PROVIDERS: list[type[Provider]] = [ActionsProvider, ArticlesProvider, TagsProvider, ThemesProvider]
