"""The library: every article with its title, date, source, words, annotations and read state.

`/` searches titles and bodies as you type (typo-tolerant, through reader.search in a worker), `t` filters
by a tag, `s` cycles the sort, `enter` opens the highlighted article (at its first hit while searching).
"""

from __future__ import annotations

from operator import attrgetter

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from reader.corpus import Article, distinguishing_names
from reader.records import reading_state
from reader.display import one_line
from reader.preview import fit_snippet
from reader.tui.keys import TextKeysStandAside
from reader.tui.messages import AnnotationsChanged, CorpusChanged, CorpusLoaded, IndexProgress, LoadProgress
from reader.tui.text import emphasise
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.banner import show_read_only
from reader.tui.widgets.preview import ArticlePreview

SORTS = ("date", "title", "annotations")
READ_MARKS = {"unread": "●", "started": "◐", "read": " ", None: " "}
LOOK_ALIKES_AFTER_FRAME = 20_000  # more rows: look-alike titles are found in a worker (~60 ms at 100,000)
PREVIEW_FROM = 120      # the preview pane shows from this terminal width
PREVIEW_DELAY = 0.15    # s of a still cursor before the highlighted article is read for the preview


def preview_width(screen_width: int) -> int:
    """The pane's columns at this screen width (0: no room for it)."""
    if screen_width < PREVIEW_FROM:
        return 0
    return max(40, min(90, screen_width * 7 // 20))


class ArticleTable(ArticleList):
    # Priority, like every key of this screen: a burst such as "jj⏎" is handled in order.
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="library.down", priority=True),
        Binding("k,up", "cursor_up", "Up", show=False, id="library.up", priority=True),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="library.page_down", priority=True),
        Binding("pageup", "page_up", "Page up", show=False, id="library.page_up", priority=True),
        Binding("g,home", "scroll_top", "Top", show=False, id="library.top", priority=True),
        Binding("G,end", "scroll_bottom", "Bottom", show=False, id="library.bottom", priority=True),
    ]


class LibraryScreen(TextKeysStandAside, Screen):
    AUTO_FOCUS = "#articles"
    # Priority bindings (see reader.tui.keys): they run before the keys typed behind them are forwarded.
    BINDINGS = [
        Binding("enter", "open", "Open", id="library.open", priority=True),
        Binding("slash", "search", "Search", id="library.search", priority=True),
        Binding("t", "filter_tag", "Filter by tag", id="library.tag", priority=True),
        Binding("s", "cycle_sort", "Sort", id="library.sort", priority=True),
        Binding("S", "reverse_sort", "Reverse the sort", show=False, id="library.reverse_sort", priority=True),
        Binding("n", "next_unread", "Next unread", show=False, id="library.next_unread", priority=True),
        Binding("m", "toggle_read", "Mark read / unread", show=False, id="library.toggle_read", priority=True),
        # not in the footer, so that `q` and `?` fit at 80 columns (help lists every key)
        Binding("a", "annotations", "Annotations", show=False, id="library.annotations", priority=True),
        Binding("e", "app.export", "Export", show=False, id="library.export", priority=True),
        Binding("p", "toggle_preview", "Preview on / off", show=False,
                id="library.preview", priority=True),
        Binding("escape", "clear", "Clear", show=False, id="library.clear", priority=True),
        Binding("q", "app.quit", "Quit", id="library.quit", priority=True),
        Binding("down", "focus_table_down", show=False),
    ]
    TEXT_KEY_ACTIONS = frozenset({"search", "filter_tag", "cycle_sort", "annotations", "app.export",
                                  "reverse_sort", "next_unread", "toggle_read", "toggle_preview", "app.quit"})

    def __init__(self) -> None:
        super().__init__()
        self.sort = "date"
        self._names: dict[str, str] = {}
        self._restore_id: str | None = None
        self._cursor_id: str | None = None
        self.reverse = False
        self.tag_filter: str | None = None
        # The listed articles (all, or those with the tag filter's tag) and their annotation counts (None
        # until the store is open); read marks are looked up when a row is drawn and kept in _states.
        self.rows: list[Article] = []
        self.counts: dict[str, int] | None = None
        self.attention: set[str] = set()
        self._states: dict[str, str] = {}
        self._ordered: list[Article] | None = None  # self.rows in the current sort, made when needed
        self._shown: list[str] = []                 # the ids listed, in order
        self._by_id: dict[str, Article] | None = None
        self.search_text = ""
        self.hits: list = []
        self._hit_offsets: dict[str, int] = {}
        self._preview_timer = None
        self._any_source = True  # until the rows are known

    def compose(self) -> ComposeResult:
        with Vertical(id="library"):
            yield Static(id="library-header")
            yield Input(placeholder="search titles and text — typos are fine; 'exact ^prefix !not tag:x",
                        id="library-search")
            # The progress bar and the empty-state line are mounted only when needed: fewer widgets to
            # style before the first frame (start-up is measured by bench/startup.py).
            with Horizontal(id="library-body"):
                yield ArticleTable(id="articles", cursor_type="row", zebra_stripes=True)
                yield ArticlePreview(id="preview")
        yield Footer()

    def on_mount(self) -> None:
        listen = self.app.broadcast.subscribe
        listen(self, LoadProgress, self.handle_loadprogress)
        listen(self, CorpusLoaded, self.handle_corpusloaded)
        listen(self, IndexProgress, self.handle_indexprogress)
        listen(self, CorpusChanged, self.handle_corpuschanged)
        listen(self, AnnotationsChanged, self.handle_annotationschanged)
        saved = self.app.library_state()  # what the user chose last time in this corpus
        self.sort = saved.get("sort", self.sort)
        self.reverse = saved.get("reverse", self.reverse)
        self.tag_filter = saved.get("tag_filter")
        self._restore_id = saved.get("cursor")
        self.query_one("#library-search").display = False
        self._layout_preview()
        table = self.query_one(ArticleTable)
        for key, label, width in (("mark", " ", 1), ("title", "Title", 40), ("date", "Date", 10),
                                  ("source", "Source", 10), ("words", "Words", 6), ("notes", "Annots", 6)):
            table.add_column(label, key=key, width=width)
        if self.app.loaded:
            # Titles first, in this very frame; counts and read marks follow once the store is open.
            self._set_rows(self.app.articles, None)
        else:
            self._set_header("loading…")

    # --- data -----------------------------------------------------------------------------------------

    def handle_loadprogress(self, message) -> None:
        from textual.widgets import ProgressBar  # only a large corpus shows one: off the start-up path

        if self.app.loaded:
            return  # a late report from the worker: the list is already there

        bars = self.query(ProgressBar)
        if bars:
            bar = bars.first()
        else:
            bar = ProgressBar(id="library-progress", show_eta=False)
            self.query_one("#library").mount(bar, before="#library-body")
        bar.update(total=message.total, progress=message.done)

    def _hide_progress(self) -> None:
        for bar in self.query("#library-progress"):
            bar.remove()

    def handle_corpusloaded(self, message) -> None:
        self._hide_progress()
        if message.error:
            self._show_empty(f"Cannot open the corpus: {message.error}")
            self._set_header("no corpus")
            return
        if not self.rows:
            self._set_rows(self.app.articles, None)

    def handle_indexprogress(self, message) -> None:
        """A cold start indexes in a worker: a bar shows done/total; titles are searchable meanwhile."""
        from textual.widgets import ProgressBar

        found = self.query("#index-progress")
        if message.done >= message.total:
            for bar in found:
                bar.remove()
            if self.search_text:
                self._run_search(self.search_text)
            return
        if found:
            bar = found.first(ProgressBar)
        else:
            bar = ProgressBar(id="index-progress", show_eta=False)
            bar.tooltip = "indexing for full-text search"
            self.query_one("#library").mount(bar, before="#library-body")
        bar.update(total=message.total, progress=message.done)
        if not self.search_text:
            self._set_header(f"indexing for full-text search: {message.done:,}/{message.total:,}"
                             " — the list and title search work meanwhile")

    def handle_corpuschanged(self, message) -> None:
        if self.app.session_open:
            self.reload()
        else:
            self._set_rows(self.app.articles, None)

    def handle_annotationschanged(self, message) -> None:
        if self.app.loaded and self.app.session_open:
            self.reload()

    def on_screen_resume(self) -> None:
        # Back from an article opened out of a search: the list has the keys (`q`, `n`, `j`), not the
        # search field; `/` goes back to the field with the query kept.
        if isinstance(self.focused, Input):
            self.query_one(ArticleTable).focus()
        if self.app.loaded and self.app.session_open:
            self.reload()

    @work(thread=True, exclusive=True, group="library-rows")
    def reload(self) -> None:
        session = self.app.session
        counts = session.counts()
        self.attention = session.needing_attention()   # changed articles: marked "!" beside the count
        tagged: set[str] | None = None
        if self.tag_filter:
            from reader.codebook import record_has_tag  # a parent tag includes its sub-tags

            tagged = {r["article"] for r in session.all_annotations() if record_has_tag(r, self.tag_filter)}
        articles = self.app.articles
        if tagged is not None:
            articles = [a for a in articles if a.id in tagged]
        self.app.call_from_thread(self._set_rows, articles, counts)

    def _mark(self, article: Article) -> str:
        """The read mark, looked up when the row is drawn: one store lookup per visible row, not 100,000."""
        if self.counts is None:  # the store is not open yet
            return READ_MARKS[None]
        state = self._states.get(article.id)
        if state is None:
            found = self.app.session.get_state(article.id)
            state = reading_state(found)
            self._states[article.id] = state
        return READ_MARKS[state]

    def _by_id_map(self) -> dict[str, Article]:
        if self._by_id is None:
            self._by_id = {a.id: a for a in self.rows}
        return self._by_id

    def _remember(self) -> None:
        self.app.save_library_state({"sort": self.sort, "reverse": self.reverse, "tag_filter": self.tag_filter,
                                     "cursor": self._cursor_id})

    @on(ArticleList.RowHighlighted)
    def _row_highlighted(self, event) -> None:
        if not self.search_text and event.row_key.value:
            self._cursor_id = event.row_key.value
        self._schedule_preview()

    def on_unmount(self) -> None:
        self._remember()

    def _set_rows(self, articles: list[Article], counts: dict[str, int] | None) -> None:
        self._hide_progress()
        self.rows = articles
        self.counts = counts
        # look-alike titles get their path, dimmed; a long list finds them after its first frame
        if len(articles) > LOOK_ALIKES_AFTER_FRAME:
            self.call_after_refresh(self._find_look_alikes, articles)  # the old names stand until then
        else:
            self._names = distinguishing_names(articles)
        self._any_source = any(a.source for a in articles)
        self._states = {}
        self._ordered = None
        self._by_id = None
        if self.search_text:
            self._run_search(self.search_text)
        else:
            self._render_rows()

    @work(thread=True, exclusive=True, group="library-look-alikes")
    def _find_look_alikes(self, articles: list[Article]) -> None:
        names = distinguishing_names(articles)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._set_look_alikes, articles, names)

    def _set_look_alikes(self, articles: list[Article], names: dict[str, str]) -> None:
        if articles is self.rows:
            self._names = names
            self.query_one(ArticleTable).refresh()  # rows are made when drawn: they take the names now

    def _sorted(self) -> list[Article]:
        if self._ordered is None:
            ordered = self._sort(self.rows)
            self._ordered = ordered[::-1] if self.reverse else ordered
        return self._ordered

    def _sort(self, articles: list[Article]) -> list[Article]:
        if self.sort == "title":
            return sorted(articles, key=lambda a: a.title.casefold())
        if self.sort == "annotations":
            counts = self.counts or {}
            return sorted(articles, key=lambda a: (-counts.get(a.id, 0), a.id))
        # newest first (a stable sort: equal dates keep the catalogue's order); undated last, by id
        dated = sorted([a for a in articles if a.date], key=attrgetter("date"), reverse=True)
        if len(dated) == len(articles):
            return dated
        return dated + [a for a in articles if not a.date]

    def _render_rows(self) -> None:
        table = self.query_one(ArticleTable)
        selected = self.selected_article()
        self._fit_columns()
        ordered = self._sorted()

        def cells(i: int) -> tuple[Text, ...]:  # made only for the rows on screen (a virtual list)
            a = ordered[i]
            title = Text(one_line(a.title), no_wrap=True, overflow="ellipsis")  # stand-ins for bidi etc.
            return self._cells(a, title, Text(" ⚠", style="bold yellow") if a.warning else None)

        self._shown = [a.id for a in ordered]
        table.set_rows(self._shown, cells)
        if self._restore_id is not None and self._restore_id in self._by_id_map():
            selected, self._restore_id = self._restore_id, None  # where the cursor was when the app closed
        self._restore_cursor(selected)
        if not self.rows:
            self._show_empty("No articles match this tag." if self.tag_filter else
                             f"No .txt or .md articles in {self.app.corpus_root}.")
        else:
            self._show_empty(None)
        self._update_header()

    def _cells(self, a: Article, title: Text, after: Text | None = None) -> tuple[Text, ...]:
        """The cells of one row of the list, sorted or searched: ``title`` (its words emphasised during a
        search), the dimmed path of a look-alike, then ``after`` (a warning mark, a snippet)."""
        if a.id in self._names:
            self._tell_apart(title, a.id)
        if after is not None:
            title.append_text(after)
        return (
            Text(self._mark(a), style="bold"),
            title,
            Text(a.date or "—", style="dim" if not a.date else ""),
            Text(one_line(a.source or ""), no_wrap=True, overflow="ellipsis"),
            Text(f"{a.words:,}", justify="right"),
            Text(self._count(a), justify="right"),
        )

    def _tell_apart(self, title: Text, article_id: str) -> None:
        """A look-alike title, cut so that the dimmed path telling it apart always fits in the column."""
        name = one_line(self._names[article_id])
        width = self.query_one(ArticleTable).columns["title"].width
        room = max(8, width - len(name) - 2)
        if title.cell_len > room:
            title.truncate(room, overflow="ellipsis")
        title.append("  " + name, style="dim")

    def _count(self, article: Article) -> str:
        if self.counts is None:
            return ""
        count = self.counts.get(article.id, 0)
        if article.id in self.attention:
            return f"{count}!"        # changed since annotated, or has orphans / passages to review
        return str(count) if count else "·"

    def _restore_cursor(self, article_id: str | None) -> None:
        table = self.query_one(ArticleTable)
        if article_id is not None:
            row = table.cursor_row
            keys = self._shown if not self.search_text else None
            if keys is not None and row < len(keys) and keys[row] == article_id:
                table.move_cursor(row=row)  # the usual case (a reload, a resize): no lookup over 100,000
                return
            try:
                table.move_cursor(row=table.get_row_index(article_id))
                return
            except Exception:
                pass
        if table.row_count:
            table.move_cursor(row=0)

    def _fit_columns(self) -> None:
        table = self.query_one(ArticleTable)
        pane = self._preview_columns()
        # an empty Source column and, beside the preview (which says it), the word count give their
        # width to the titles
        table.columns["source"].width = 10 if self._any_source else 0
        table.columns["words"].width = 0 if pane else 6
        others = [c.width for key, c in table.columns.items() if key != "title" and c.width]
        fixed = sum(others)  # mark, date, source, words, "Annots" (how many annotations)
        padding = 2 * (len(others) + 1)
        width = max(20, self.size.width - pane - fixed - padding - 2)
        table.columns["title"].width = width
        table.columns["title"].auto_width = False

    def on_resize(self) -> None:
        self._layout_preview()
        if self.rows:
            if self.search_text:
                self._show_hits(self.search_text, self.hits)
            else:
                # only the title column's width follows the screen: the rows stay as they are
                table = self.query_one(ArticleTable)
                self._fit_columns()
                table._resize()
                table._scroll_to_cursor()

    # --- header / empty -------------------------------------------------------------------------------

    def _set_header(self, text: str) -> None:
        self.query_one("#library-header", Static).update(Content(text))
        show_read_only(self, "#library-header")

    def _update_header(self) -> None:
        root = self.app.corpus_root
        counts = self.counts
        total_notes = sum(counts.get(a.id, 0) for a in self.rows) if counts else 0
        parts = [f"{root.name or root}",
                 f"{len(self.rows)} article{'s' if len(self.rows) != 1 else ''}",
                 f"{total_notes} annotation{'s' if total_notes != 1 else ''}"]
        if self.search_text:
            parts.append(f"{len(self.hits)} match{'es' if len(self.hits) != 1 else ''} for “{self.search_text}”")
        else:
            parts.append(f"sorted by {self.sort}" + (", reversed" if self.reverse else ""))
        if self.tag_filter:
            parts.append(f"tag: {self.tag_filter}")
        self._set_header("  ·  ".join(parts))

    def _show_empty(self, message: str | None) -> None:
        found = self.query("#library-empty")
        if message is None:
            if found:
                found.first().display = False
            return
        self._schedule_preview()  # nothing is highlighted: the pane empties
        if found:
            empty = found.first(Static)
        else:
            empty = Static(id="library-empty")
            self.query_one("#library").mount(empty)
        empty.display = True
        empty.update(Content(message))

    # --- search ---------------------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#library-search", Input)
        search.display = True
        # Focus now, not via call_later: keys typed right after `/` are already queued behind it.
        self.set_focus(search)

    @on(Input.Changed, "#library-search")
    def _typed(self, event: Input.Changed) -> None:
        self.search_text = event.value.strip()
        if not self.search_text:
            self.hits = []
            self._render_rows()
            return
        self._run_search(self.search_text)

    def _run_search(self, query: str) -> None:
        if not (self.app.session_open and self.app.session.index_ready):
            n = len(self.app.articles)
            self._set_header(f"indexing {n:,} article{'s' if n != 1 else ''} for search… results follow")
        self.search_worker(query)

    @work(thread=True, exclusive=True, group="library-search")
    def search_worker(self, query: str) -> None:
        worker = get_current_worker()
        from reader.search.query import QueryError

        library = self.app.library
        try:
            if library is not None and not library.index_ready:
                hits = library.search_titles(query)  # the index follows; handle_indexprogress re-runs this
            else:
                hits = self.app.session.index().search(query, limit=200, cancelled=lambda: worker.is_cancelled)
        except QueryError as exc:
            self.app.call_from_thread(self._search_error, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_hits, query, hits)

    def _search_error(self, message: str) -> None:
        self._set_header(message)

    def _show_hits(self, query: str, hits: list) -> None:
        if query != self.search_text:
            return
        if self._by_id is None:
            self._by_id = {a.id: a for a in self.rows}
        allowed = self._by_id
        self.hits = [h for h in hits if h.article in allowed]
        self._hit_offsets = {h.article: (h.offsets[0][0] if h.offsets else 0) for h in self.hits}
        table = self.query_one(ArticleTable)
        self._fit_columns()
        hits = self.hits

        def cells(i: int) -> tuple[Text, ...]:  # made only for the rows on screen, as in _render_rows
            hit = hits[i]
            a = allowed[hit.article]
            snippet = None
            if hit.snippet:
                snippet = Text("\n")
                # cut to the column around the first hit: a narrow list still shows the matched word
                text, spans = fit_snippet(hit.snippet, hit.snippet_spans, table.columns["title"].width)
                shown = emphasise(text, spans, one_line=True)
                shown.stylize("dim")
                for s, e in spans:
                    if 0 <= s < e <= len(text):
                        shown.stylize("not dim", s, e)
                snippet.append_text(shown)
            return self._cells(a, emphasise(hit.title, hit.title_spans, one_line=True), snippet)

        table.cursor_row = 0
        table.set_rows([h.article for h in hits], cells, [2 if h.has_snippet else 1 for h in hits])
        if table.row_count:
            table.move_cursor(row=0)
        self._show_empty(None if self.hits else f"Nothing matches “{query}”.")
        self._update_header()

    def action_focus_table_down(self) -> None:
        table = self.query_one(ArticleTable)
        if self.focused is not table:
            table.focus()
        table.action_cursor_down()

    # --- actions --------------------------------------------------------------------------------------

    def selected_article(self) -> str | None:
        table = self.query_one(ArticleTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value

    def action_open(self) -> None:
        article = self.selected_article()
        if article is None:
            return
        sequence = self.visible_ids()
        if self.search_text and article in self._hit_offsets:
            hit = next(h for h in self.hits if h.article == article)
            self.app.open_article(article, offset=self._hit_offsets[article], find_spans=list(hit.offsets),
                                  find_label=self.search_text, sequence=sequence)
        else:
            self.app.open_article(article, sequence=sequence)

    def visible_ids(self) -> list[str]:
        """The article ids in the order the list shows them (search hits, or the sorted, filtered rows)."""
        if self.search_text:
            return [h.article for h in self.hits]
        return [a.id for a in self._sorted()]

    def action_clear(self) -> None:
        search = self.query_one("#library-search", Input)
        if search.display:
            search.value = ""
            search.display = False
            self.query_one(ArticleTable).focus()
            self.search_text = ""
            self.hits = []
            self._render_rows()
        elif self.tag_filter:
            self.set_tag_filter(None)

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._resorted(f"Sorted by {self.sort}")

    def action_reverse_sort(self) -> None:
        self.reverse = not self.reverse
        self._resorted(f"Sorted by {self.sort}" + (", reversed" if self.reverse else ""))

    def _resorted(self, said: str) -> None:
        self._ordered = None
        if self.search_text:
            self.notify(Content("Search results are ranked by relevance; the sort applies to the list."),
                        timeout=3)
        else:
            self._render_rows()
        self.notify(Content(said), timeout=1.5)
        self._remember()

    def action_next_unread(self) -> None:
        """Move to the next unread article below the cursor (wrapping round), as newsboat's `n` does."""
        if not self.app.session_open:
            return
        table = self.query_one(ArticleTable)
        ids = self.visible_ids()
        if not ids:
            return
        current = self.selected_article()
        start = table.cursor_row + 1 if current is not None else 0
        session = self.app.session
        for step in range(len(ids)):
            article_id = ids[(start + step) % len(ids)]
            if article_id == current:
                continue
            if not session.get_state(article_id).get("read"):
                table.move_cursor(row=(start + step) % len(ids))
                return
        self.notify(Content("No unread article left in this list."), timeout=2.5)

    def action_toggle_read(self) -> None:
        article_id = self.selected_article()
        if article_id is None or not self.app.session_open:
            return
        read = not self.app.session.get_state(article_id).get("read")
        if not self.app.session.set_state(article_id, read=read):
            self.notify(Content("Could not save the read mark (the database refused the write)."),
                        severity="error", timeout=4)
            return
        self._states.pop(article_id, None)  # looked up again when the row is drawn
        if self.search_text:
            self._show_hits(self.search_text, self.hits)  # search rows keep their cells: make them again
            self._restore_cursor(article_id)
        else:
            self.query_one(ArticleTable).refresh()
        self.notify(Content("Marked read" if read else "Marked unread"), timeout=1.5)

    def action_filter_tag(self) -> None:
        from reader.tui.editing import pick_tag  # with the session: off the path to the first frame

        pick_tag(self, title="Filter the library by tag",
                 none_yet="No tags yet: select a passage in an article and press t.", chosen=self.set_tag_filter,
                 timeout=4)

    def set_tag_filter(self, tag: str | None) -> None:
        self.tag_filter = tag
        self._remember()
        self.reload()

    def action_annotations(self) -> None:
        from reader.tui.screens.annotations import AnnotationsScreen

        self.app.push_screen(AnnotationsScreen())

    # --- preview --------------------------------------------------------------------------------------
    # The pane beside the list (reader.preview assembles it): shown from PREVIEW_FROM columns unless `p`
    # turned it off (kept in uistate). Only the highlighted article is read, once the cursor has been
    # still for PREVIEW_DELAY: holding `j` through 10,000 rows reads no file on the way.

    def _preview_columns(self) -> int:
        return preview_width(self.size.width) if self.app.preview_wanted() else 0

    def _layout_preview(self) -> None:
        pane = self.query_one(ArticlePreview)
        columns = self._preview_columns()
        shown = columns > 0
        if shown:
            pane.styles.width = columns
        if pane.display != shown:
            pane.display = shown
            if shown:
                self._schedule_preview()

    def action_toggle_preview(self) -> None:
        wanted = not self.app.preview_wanted()
        self.app.save_preview_wanted(wanted)
        self.on_resize()
        if wanted and not preview_width(self.size.width):
            self.notify(Content(f"The preview shows when the terminal is at least {PREVIEW_FROM} columns wide."),
                        timeout=3)
        else:
            self.notify(Content("Preview on" if wanted else "Preview off"), timeout=1.5)

    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        if self.query_one(ArticlePreview).display:
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._update_preview)

    def _update_preview(self) -> None:
        self._preview_timer = None
        article_id = self.selected_article()
        article = self._by_id_map().get(article_id) if article_id is not None else None
        if article is None:
            self.query_one(ArticlePreview).show(None, [])
            return
        hit = next((h for h in self.hits if h.article == article_id), None) if self.search_text else None
        self.query_one(ArticlePreview).loads += 1  # here, not in the worker: the DOM is the UI thread's
        self.preview_worker(article, hit)

    @work(thread=True, exclusive=True, group="library-preview")
    def preview_worker(self, article: Article, hit) -> None:
        from reader.preview import assemble, read_body

        worker = get_current_worker()
        body = read_body(article, self.app.corpus_root)
        records = self.app.session.records_for(article.id) if self.app.session_open else []
        lines = assemble(article, body, records, hit=hit)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_preview, article.id, lines)

    def _show_preview(self, article_id: str, lines: list) -> None:
        from textual.css.query import NoMatches

        try:
            if article_id != self.selected_article():
                return  # the cursor moved on meanwhile: its own preview follows
            pane = self.query_one(ArticlePreview)
        except NoMatches:
            return  # the read finished while the screen was being taken down (the app quitting)
        pane.show(article_id, lines)
