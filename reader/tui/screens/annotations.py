"""The annotations browser: every annotation of the corpus in one table, filtered as you type.

Keys (all listed in the footer and on the help screen, rebindable by id):
`/` filter by text (fuzzy, across quote, note, tags and title) · `t` filter by a tag · `o` only the highlighted
row's article (again: all articles) · `enter` open the passage in the reader · `#` / `ctrl+t` edit tags ·
`n` edit the note · `x` delete · `U` / `ctrl+z` undo the delete · `e` (the app's) export · `w` by annotator ·
`escape` clears the text filter, then the tag / article filters, then goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from reader.display import one_line
from reader.rowrank import RowIndex
from reader.search.text import fold
from reader.tui.editing import DELETED, EditsAnnotations, pick_tag
from reader.tui.keys import TextKeysStandAside
from reader.tui.messages import AnnotationsChanged, CorpusLoaded, Exporting, ExportScope
from reader.tui.text import emphasise

FILTERED_LIMIT = 500    # rows shown while a text filter is active (best first)
BATCH = 150             # rows added per refresh: the first screenful appears at once, the rest follows
TITLE_WIDTH = 24
TAGS_WIDTH = 18
NOTE_WIDTH = 26
DATE_WIDTH = 10
QUOTE_ROOM = 70  # the quote column's width before wider terminals widen the title and note columns


@dataclass
class Row:
    record: dict[str, Any]
    title: str
    haystack: str  # folded title, quote, note and tags: what the text filter searches

    @property
    def id(self) -> str:
        return self.record["id"]


def marked(text: str, words: Sequence[str], *, base: str | Style = "") -> Text:
    """``text`` as literal one-line Text with each occurrence of the query words emphasised."""
    spans = []
    if words:
        low = fold(text)
        for word in words:
            start = low.find(word)
            while start != -1 and word:
                spans.append((start, start + len(word)))
                start = low.find(word, start + len(word))
    return emphasise(text, spans, base=base, one_line=True)


class AnnotationTable(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="annotations.down"),
        Binding("k", "cursor_up", "Up", show=False, id="annotations.up"),
        Binding("g", "scroll_top", "Top", show=False, id="annotations.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="annotations.bottom"),
    ]


class AnnotationsScreen(EditsAnnotations, Exporting, TextKeysStandAside, Screen):
    """Every annotation, with a fuzzy text filter, a tag filter and an article filter."""

    AUTO_FOCUS = "#annotation-table"
    # Priority bindings (see reader.tui.keys): they run before the keys typed behind them are forwarded, so
    # `/` + "covid" types into the filter; the ones on text keys stand aside while the filter has focus.
    # `e` (export what is shown) is the app's binding: it asks `export_scope` here.
    BINDINGS = [
        Binding("enter", "open", "Open", id="annotations.open", priority=True),
        Binding("slash", "focus_filter", "Filter", id="annotations.filter", priority=True),
        Binding("t", "filter_tag", "By tag", id="annotations.tag_filter", priority=True,
                tooltip="Only one tag's annotations"),
        Binding("o", "filter_article", "Article", id="annotations.article_filter", priority=True,
                tooltip="Only the highlighted annotation's article"),
        Binding("w", "filter_annotator", "By annotator", show=False, id="annotations.annotator_filter",
                priority=True),
        Binding("number_sign,ctrl+t", "edit_tags", "Tags", id="annotations.edit_tags", priority=True),
        Binding("n", "edit_note", "Note", id="annotations.edit_note", priority=True),
        Binding("x", "delete", "Delete", id="annotations.delete", priority=True),
        Binding("U,ctrl+z", "undo", "Undo", show=False, id="annotations.undo", priority=True),
        Binding("escape", "back", "Back", id="annotations.back", priority=True),
        Binding("down", "table_down", show=False),
    ]
    TEXT_KEY_ACTIONS = frozenset({"focus_filter", "filter_tag", "filter_article", "filter_annotator",
                                  "edit_tags", "edit_note",
                                  "delete", "undo"})

    CSS_PATH = "annotations.tcss"

    def __init__(self, *, article: str | None = None, tag: str | None = None) -> None:
        super().__init__()
        self.article_filter: str | None = article
        self.tag_filter: str | None = tag
        self.annotator_filter: str | None = None  # `w` cycles through the annotators
        self.query_text = ""
        self.rows: list[Row] = []
        self._index = RowIndex(())  # the text filter's ranking over self.rows (reader.rowrank)
        self.shown: list[Row] = []
        self.total_matches = 0
        self._want_id: str | None = None  # the row to highlight after the next render (an undone delete)
        self._generation = 0               # bumps on every render; stale batches stop
        self._rendered_width = 0
        self._words: list[str] = []
        self._typo_words: list[str] = []  # row words the filter matched with a typo: emphasised too
        self._swatches: dict[str, Style] = {}

    @property
    def article_id(self) -> str | None:
        """The article in scope (the app's export uses it for its "this article" choice)."""
        return self.article_filter or self.selected_article()

    def export_scope(self) -> ExportScope:
        """An export started here preselects the article in scope and the tag filter, and keeps the
        annotator filter."""
        return ExportScope(article=self.article_id, tag=self.tag_filter, annotator=self.annotator_filter)

    # --- layout ---------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="annotations"):
            yield Static(id="annotations-header")
            yield Input(placeholder="/ filter quotes, notes, tags and titles — typos are fine",
                        id="annotations-filter")
            yield AnnotationTable(id="annotation-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="annotations-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.app.broadcast.subscribe(self, AnnotationsChanged, self.handle_annotationschanged)
        self.app.broadcast.subscribe(self, CorpusLoaded, self.handle_corpusloaded)
        table = self.query_one(AnnotationTable)
        for key, label, width in (("title", "Article", TITLE_WIDTH), ("quote", "Quote", 30),
                                  ("tags", "Tags", TAGS_WIDTH), ("note", "Note", NOTE_WIDTH),
                                  ("updated", "Updated", DATE_WIDTH)):
            table.add_column(label, key=key, width=width)
        # the rows come with the ScreenResume that follows (and on every later return to this screen)

    # --- data -----------------------------------------------------------------------------------------

    def handle_annotationschanged(self, message) -> None:
        if self.is_current:
            self.reload()
        # otherwise the ScreenResume on the way back reloads (once, however many changes were made)

    def handle_corpusloaded(self, message) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        session = self.app.session
        rows = []
        for record in session.all_annotations():
            article = session.article(record["article"])
            title = article.title if article is not None and article.title else record["article"]
            parts = [title, record.get("quote") or "", record.get("note") or "", " ".join(record["tags"])]
            rows.append(Row(record, title, fold("\n".join(parts))))
        rows.sort(key=lambda r: (r.record.get("updated") or "", r.id), reverse=True)
        self.rows = rows
        self._index = RowIndex([r.haystack for r in rows])
        self.apply_filters()

    def _scoped(self) -> Iterable[int]:
        """Numbers of the rows the tag, article and annotator filters keep, in order."""
        numbers: Iterable[int] = range(len(self.rows))
        rows = self.rows
        if self.article_filter is not None:
            numbers = [i for i in numbers if rows[i].record["article"] == self.article_filter]
        if self.tag_filter is not None:
            from reader.codebook import record_has_tag  # a parent tag includes its sub-tags

            numbers = [i for i in numbers if record_has_tag(rows[i].record, self.tag_filter)]
        if self.annotator_filter is not None:
            numbers = [i for i in numbers if (rows[i].record.get("annotator") or "") == self.annotator_filter]
        return numbers

    def apply_filters(self) -> None:
        ranked = self._index.rank(self.query_text, self._scoped())
        self.total_matches = len(ranked)
        self.shown = [self.rows[i] for i, _ in ranked[:FILTERED_LIMIT if self.query_text else None]]
        self._typo_words = sorted(ranked.words)
        self._render_rows()

    def _render_rows(self) -> None:
        """Refill the table: the first BATCH rows now, the rest a batch per refresh (a newer render wins)."""
        table = self.query_one(AnnotationTable)
        selected = self._want_id or self.selected_id()
        self._want_id = None
        previous_row = table.cursor_row
        self._generation += 1
        self._words = fold(self.query_text).split() + self._typo_words
        self._swatches = {}
        table.clear()
        self._fit_columns()
        self._rendered_width = self.size.width
        self._add_batch(self._generation, 0, selected, previous_row)
        self._update_header()
        self._update_empty()

    def _add_batch(self, generation: int, start: int, selected: str | None, previous_row: int) -> None:
        if generation != self._generation or not self.is_mounted:
            return  # a newer render (a keystroke, a change) replaced this one
        table = self.query_one(AnnotationTable)
        chunk = self.shown[start:start + BATCH]
        for row in chunk:
            table.add_row(*self._cells(row), key=row.id)
        end = start + len(chunk)
        if selected is not None and any(row.id == selected for row in chunk):
            table.move_cursor(row=table.get_row_index(selected))
            selected = None
            previous_row = -1  # placed: later batches leave the cursor alone
        if end < len(self.shown):
            self.call_after_refresh(self._add_batch, generation, end, selected, previous_row)
        elif previous_row >= 0 and table.row_count:
            # the highlighted annotation is gone (deleted, filtered out): stay at the same row number
            table.move_cursor(row=max(0, min(previous_row, table.row_count - 1)))

    def _cells(self, row: Row) -> tuple[Text, ...]:
        r = row.record
        words = self._words
        columns = self.query_one(AnnotationTable).columns
        if r.get("start") is None:
            quote = Text("(whole article)", style="dim italic")
        else:
            quote = marked("“" + one_line(r.get("quote") or "", columns["quote"].width + 2) + "”", words)
        tags = Text(no_wrap=True, overflow="ellipsis")
        for n, tag in enumerate(r["tags"]):
            if n:
                tags.append(" ")
            tags.append_text(marked(f" {tag} ", words, base=self._swatch(tag)))
        note = (r.get("note") or "").strip().split("\n", 1)[0]
        return (
            marked(one_line(row.title, columns["title"].width + 10), words),
            quote,
            tags,
            marked(one_line(note, columns["note"].width + 10), words, base="italic"),
            Text((r.get("updated") or "")[:10], style="dim"),
        )

    def _swatch(self, tag: str) -> Style:
        style = self._swatches.get(tag)
        if style is None:
            from reader.tui.colors import swatch_style

            style = self._swatches[tag] = swatch_style(self.app.current_theme, tag)
        return style

    def _fit_columns(self) -> None:
        table = self.query_one(AnnotationTable)
        width = self.size.width or 120
        fixed = TITLE_WIDTH + TAGS_WIDTH + NOTE_WIDTH + DATE_WIDTH
        padding = 2 * 5 + 2
        narrow = width < 100
        table.columns["title"].width = 12 if narrow else TITLE_WIDTH
        table.columns["tags"].width = 12 if narrow else TAGS_WIDTH
        table.columns["note"].width = 12 if narrow else NOTE_WIDTH
        if narrow:
            fixed = 12 + 12 + 12 + DATE_WIDTH
        quote = max(16, width - fixed - padding)
        if quote > QUOTE_ROOM:
            # a wide terminal: past a comfortable quote, the titles and notes get the rest, half each
            spare = quote - QUOTE_ROOM
            table.columns["title"].width += min(spare // 2, TITLE_WIDTH)
            table.columns["note"].width += min(spare - spare // 2, NOTE_WIDTH)
            quote = width - padding - sum(table.columns[k].width for k in ("title", "tags", "note", "updated"))
        table.columns["quote"].width = quote
        for column in table.columns.values():
            column.auto_width = False

    def on_resize(self) -> None:
        if (self.is_mounted and "quote" in self.query_one(AnnotationTable).columns
                and self.size.width != self._rendered_width):
            self._render_rows()

    def _update_header(self) -> None:
        total = len(self.rows)
        parts = [f"{total} annotation{'s' if total != 1 else ''}"]
        filters = []
        if self.query_text:
            filters.append(f"text “{self.query_text}”")
        if self.tag_filter is not None:
            filters.append(f"tag: {self.tag_filter}")
        if self.annotator_filter is not None:
            filters.append(f"by: {self.annotator_filter or '(unknown)'}")
        if self.article_filter is not None:
            article = self.app.session.article(self.article_filter)
            title = article.title if article is not None else self.article_filter
            filters.append(f"article: {one_line(title, 40)}")
        if filters:
            shown = len(self.shown)
            more = f" (best {shown} shown)" if shown < self.total_matches else ""
            parts.append(f"{self.total_matches} match{'es' if self.total_matches != 1 else ''}{more}")
            parts.append("filter: " + " · ".join(filters) + " — esc clears")
        else:
            parts.append("newest first")
        self.query_one("#annotations-header", Static).update(Content("  ·  ".join(parts)))

    def _update_empty(self) -> None:
        empty = self.query_one("#annotations-empty", Static)
        if self.shown:
            empty.display = False
            return
        empty.display = True
        if not self.rows:
            message = "No annotations yet: open an article, select a passage with v, then t to tag it or a to note it."
        else:
            message = "Nothing matches these filters — esc clears them."
        empty.update(Content(message))

    # --- selection ------------------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        table = self.query_one(AnnotationTable)
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None

    def selected_record(self) -> dict[str, Any] | None:
        annotation_id = self.selected_id()
        return next((r.record for r in self.shown if r.id == annotation_id), None)

    def selected_article(self) -> str | None:
        try:
            record = self.selected_record()
        except Exception:  # not mounted yet
            return None
        return record["article"] if record else None

    def _need_selection(self) -> dict[str, Any] | None:
        record = self.selected_record()
        if record is None:
            self.notify(Content("No annotation selected."), timeout=2)
        return record

    # --- filters --------------------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.query_one("#annotations-filter", Input).focus()

    @on(Input.Changed, "#annotations-filter")
    def _typed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.apply_filters()

    def action_table_down(self) -> None:
        table = self.query_one(AnnotationTable)
        if self.focused is not table:
            table.focus()
        else:
            table.action_cursor_down()

    def action_filter_tag(self) -> None:
        pick_tag(self, title="Show annotations with the tag", none_yet="No tags yet.", chosen=self._filter_by_tag)

    def _filter_by_tag(self, tag: str) -> None:
        self.tag_filter = tag
        self.apply_filters()

    def action_filter_annotator(self) -> None:
        names = sorted({r.record.get("annotator") or "" for r in self.rows})
        if len(names) < 2 and self.annotator_filter is None:
            self.notify(Content("Every annotation here is by the same annotator."), timeout=3)
            return
        cycle: list[str | None] = [None, *names]
        self.annotator_filter = cycle[(cycle.index(self.annotator_filter) + 1) % len(cycle)] \
            if self.annotator_filter in cycle else None
        self.apply_filters()

    def action_filter_article(self) -> None:
        if self.article_filter is not None:
            self.article_filter = None
        else:
            article = self.selected_article()
            if article is None:
                self.notify(Content("Highlight an annotation first: o keeps only its article."), timeout=3)
                return
            self.article_filter = article
        self.apply_filters()

    def action_back(self) -> None:
        field = self.query_one("#annotations-filter", Input)
        if field.value:
            field.value = ""
            self.query_text = ""
            self.query_one(AnnotationTable).focus()
            self.apply_filters()
            return
        if self.focused is field:
            self.query_one(AnnotationTable).focus()
            return
        if self.tag_filter is not None or self.article_filter is not None or self.annotator_filter is not None:
            self.tag_filter = None
            self.article_filter = None
            self.annotator_filter = None
            self.apply_filters()
            return
        self.app.pop_screen()

    # --- actions on the highlighted annotation --------------------------------------------------------

    def action_open(self) -> None:
        if self.focused is self.query_one("#annotations-filter", Input):
            self.query_one(AnnotationTable).focus()
            return
        record = self._need_selection()
        if record is None:
            return
        self.app.open_article(record["article"], offset=record.get("start"))

    @on(DataTable.RowSelected, "#annotation-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_edit_tags(self) -> None:
        record = self._need_selection()
        if record is not None:
            self.edit_tags(title="Edit tags", subject=self._subject(record), initial=record["tags"],
                           save=self._updater(record["id"]))

    def action_edit_note(self) -> None:
        record = self._need_selection()
        if record is not None:
            self.edit_note(title="Edit note", subject=self._subject(record), initial=record.get("note") or "",
                           save=self._updater(record["id"]))

    def _updater(self, annotation_id: str):
        return lambda **change: self.app.session.update(annotation_id, **change)

    def _subject(self, record: dict[str, Any]) -> str:
        if record.get("start") is None:
            article = self.app.session.article(record["article"])
            return "whole article: " + (article.title if article is not None else record["article"])
        return "“" + one_line(record.get("quote") or "", 200) + "”"

    def action_delete(self) -> None:
        record = self._need_selection()
        if record is None:
            return
        # report() posts AnnotationsChanged: the table reloads and keeps the cursor on the same row number
        self.apply_change(lambda: self.app.session.delete(record["id"]), DELETED, gone=self.reload)

    def action_undo(self) -> None:
        outcome = self.app.undo_delete()
        if outcome is not None:
            self._want_id = outcome.record["id"]

