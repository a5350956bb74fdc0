"""The reader: one article in the Line-API ArticleView, with find, selection, tags, notes and highlights."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.display import field, one_line
from reader.records import count_tags, now_iso, reached_the_end
from reader.session import Placed
from reader.tui.colors import find_style, highlight_style, swatch_style
from reader.tui.editing import DELETED, EditsAnnotations, note_saved, tagged, tags_saved
from reader.tui.keys import TextKeysStandAside
from reader.tui.messages import AnnotationsChanged, CorpusChanged, Exporting, ExportScope
from reader.tui.text import Pieces
from reader.tui.widgets.article_view import ArticleView, Highlight
from reader.tui.widgets.banner import show_read_only

POSITION_SAVE_DELAY = 1.5
FIND_DEBOUNCE = 0.08
LARGE_ARTICLE = 1_000_000  # characters; above this, find's case-folding is prepared in a worker


class AnnotationPanel(OptionList):
    """This article's annotations; enter jumps, x deletes, U / ctrl+z undoes."""

    BINDINGS = [
        Binding("x", "screen.delete_highlighted", "Delete", id="panel.delete"),
        Binding("j,down", "cursor_down", "Down", show=False, id="panel.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="panel.up"),
        Binding("enter", "select", "Go to it", show=False, id="panel.jump"),
    ]


class ReaderScreen(EditsAnnotations, Exporting, TextKeysStandAside, Screen):
    CSS_PATH = ["reader.tcss", "dialogs.tcss"]
    AUTO_FOCUS = "#article"
    # Priority bindings (see reader.tui.keys): they run before the keys typed behind them are
    # forwarded, so `t` + "people" types the tag into the dialog instead of moving the cursor.
    BINDINGS = [
        Binding("q", "leave", "Back", id="reader.leave", priority=True),
        Binding("escape", "back", "Back / cancel", show=False, id="reader.back", priority=True),
        Binding("slash", "find", "Find", id="reader.find", priority=True),
        Binding("n", "next_hit", "Next hit", show=False, id="reader.next_hit", priority=True),
        Binding("N", "prev_hit", "Previous hit", show=False, id="reader.prev_hit", priority=True),
        Binding("t", "tag", "Tag", id="reader.tag", priority=True),
        Binding("a", "note", "Note", id="reader.note", priority=True),
        Binding("T", "tag_article", "Tag article", show=False, id="reader.tag_article", priority=True),
        Binding("A", "note_article", "Note article", show=False, id="reader.note_article", priority=True),
        Binding("full_stop", "next_annotation", "Next annotation", show=False, id="reader.next_annotation",
                priority=True),
        Binding("comma", "prev_annotation", "Previous annotation", show=False, id="reader.prev_annotation",
                priority=True),
        Binding("x", "delete", "Delete", show=False, id="reader.delete", priority=True),
        Binding("U,ctrl+z", "undo", "Undo", show=False, id="reader.undo", priority=True),
        Binding("tab", "toggle_panel", "Panel", show=False, id="reader.panel", priority=True),
        Binding("R", "review", "Review", show=False, id="reader.review", priority=True),
        Binding("O", "orphans", "Orphans", show=False, id="reader.orphans", priority=True),
        Binding("right_square_bracket", "next_article", "Next article", show=False, id="reader.next_article",
                priority=True),
        Binding("left_square_bracket", "prev_article", "Previous article", show=False, id="reader.prev_article",
                priority=True),
        Binding("greater_than_sign", "next_unread", "Next unread article", show=False, id="reader.next_unread",
                priority=True),
        Binding("y", "copy", "Copy with citation", show=False, id="reader.copy", priority=True),
        Binding("E", "edit_external", "Note in $EDITOR", show=False, id="reader.edit_external", priority=True),
        Binding("m", "toggle_read", "Mark read / unread", show=False, id="reader.toggle_read", priority=True),
        Binding("percent_sign", "percent", "Go to N% (digits, then %)", show=False, id="reader.percent",
                priority=True),
        *[Binding(str(d), f"digit({d})", show=False, priority=True) for d in range(10)],
    ]
    # Actions bound to keys that are also text: they stand aside while a text field has focus.
    TEXT_KEY_ACTIONS = frozenset({"find", "next_hit", "prev_hit", "tag", "note", "tag_article", "note_article",
                                  "next_annotation", "prev_annotation", "delete", "undo", "next_article",
                                  "prev_article", "toggle_panel", "review", "orphans", "leave", "next_unread",
                                  "toggle_read", "percent", "copy", "edit_external", "digit"})

    def __init__(self, article_id: str, *, offset: int | None = None,
                 find_spans: list[tuple[int, int]] | None = None, find_label: str | None = None,
                 sequence: list[str] | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        # The list `]`/`[` walk and the "n/N" counter counts: the library's rows as the user saw them.
        self.sequence = list(sequence) if sequence and article_id in sequence else None
        self.article = self.app.session.article(article_id)
        self.start_offset = offset
        # Opened from a library search: its hits and query, shown by the view on mount (which then owns
        # every find state: hits, the current one, the query).
        self._opening_find = (list(find_spans or []), find_label or "")
        self.placed: list[Placed] = []
        self._position_timer = None
        self._marked_read = False
        self._folded: str | None = None  # fold(article text), made on the first find
        self._find_timer = None
        self.position = 0  # the cursor's offset, as the last CursorMoved said
        self.count = ""  # digits typed before `%`
        self._saved_position: int | None = None

    # --- layout ---------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="reader"):
            yield Static(id="reader-title")
            yield Static(id="reader-meta")
            yield Static(id="reader-whole")
            with Horizontal(id="reader-body"):
                yield ArticleView(id="article")
                with Vertical(id="panel"):
                    yield Static(Content("Annotations"), id="panel-title")
                    yield Static(id="panel-legend")
                    yield AnnotationPanel(id="panel-list")
                    yield Static(Content("⏎ jump · x delete · U undo · tab close"), classes="dialog-hint")
            with Horizontal(id="find-bar"):
                yield Input(placeholder="find in this article (typos are fine)", id="find-input")
            yield Static(id="reader-status")
        yield Footer()

    def on_mount(self) -> None:
        self.app.broadcast.subscribe(self, CorpusChanged, self.handle_corpuschanged)
        self.app.broadcast.subscribe(self, AnnotationsChanged, self.handle_annotationschanged)
        self.query_one("#panel").display = False
        self.query_one("#find-bar").display = False
        a = self.article
        self.query_one("#reader-title", Static).update(Content(one_line(a.title)))
        meta = [a.date, f"by {a.byline}" if a.byline else None, a.source, f"{a.words:,} words"]
        ids = self._sequence()
        position = next((i for i, x in enumerate(ids) if x == a.id), 0)
        meta.append(f"{position + 1}/{len(ids)}")
        if a.warning:
            meta.append(f"⚠ {a.warning}")
        self.query_one("#reader-meta", Static).update(Content("  ·  ".join(m for m in meta if m)))
        view = self.query_one(ArticleView)
        view.measure = getattr(self.app.config, "measure", None)
        state = self.app.session.get_state(a.id)
        self._marked_read = bool(state.get("read"))
        cursor = self.start_offset if self.start_offset is not None else int(state.get("position") or 0)
        cursor = max(0, min(cursor, len(a.text)))
        view.load(a.text, dim_ranges=a.dim_ranges, cursor=cursor)
        view.move_cursor_to(cursor, center=True)
        self._style_markdown()
        self.refresh_annotations(announce=True)
        spans, label = self._opening_find
        if spans:
            view.set_find(spans, current=0, query=label)
            if label:
                self._recount_find(label)
        self.app.session.set_state(a.id, opened=now_iso(), position=cursor)
        self.position = self._saved_position = cursor
        self._update_status()
        if len(a.text) > LARGE_ARTICLE:
            self._prepare_find()

    def _style_markdown(self) -> None:
        """A Markdown file reads like glow: headings, emphasis, code, links styled, markup dimmed in place."""
        if not self.article.id.lower().endswith((".md", ".markdown")):
            return
        if len(self.article.text) <= LARGE_ARTICLE:
            from reader.markup import markdown_spans

            self.query_one(ArticleView).set_markup(markdown_spans(self.article.text))
        else:
            self._markdown_in_worker(self.article.text)

    @work(thread=True, exclusive=True, group="markdown")
    def _markdown_in_worker(self, text: str) -> None:
        from reader.markup import markdown_spans

        spans = markdown_spans(text)
        self.app.call_from_thread(self._show_markdown, text, spans)

    def _show_markdown(self, text: str, spans) -> None:
        if text is self.article.text:
            self.query_one(ArticleView).set_markup(spans)

    @work(thread=True, exclusive=True, group="recount")
    def _recount_find(self, query: str) -> None:
        """Opened from a library search: its hits are the ranking's (capped at a few hundred); find the
        query here the way `/` does, so the counter is the article's true count, the same as `/` gives."""
        from reader.search.find import find_in_text
        from reader.search.text import fold

        folded = self._folded if self._folded is not None else fold(self.article.text)
        self._folded = folded
        spans = find_in_text(self.article.text, query, fuzzy=True, folded=folded)
        if spans:
            self.app.call_from_thread(self._show_recount, query, spans)

    def _show_recount(self, query: str, spans: list[tuple[int, int]]) -> None:
        views = self.query(ArticleView)
        if not views:
            return  # the screen is gone
        view = views.first()
        hits = view.find_hits
        if query != view.find_query or not hits:
            return  # the user has started a find of their own meanwhile
        current = view.find_current
        at = hits[current][0] if current is not None and current < len(hits) else view.cursor
        index = next((i for i, (start, end) in enumerate(spans) if end > at), 0)
        view.set_find(spans, current=index, query=query)  # the same hit as before, now counted among all
        self._update_status()

    @work(thread=True, exclusive=True, group="fold")
    def _prepare_find(self) -> None:
        """Fold a large article for find in the background (~120 ms for 20 MB), before the first `/`."""
        from reader.search.text import fold

        folded = fold(self.article.text)
        if self._folded is None:
            self._folded = folded

    # --- annotations ------------------------------------------------------------------------------------

    def export_scope(self) -> ExportScope:
        return ExportScope(article=self.article_id)

    def handle_corpuschanged(self, message) -> None:
        """The open article's file changed on disk: show the new text, re-anchor its annotations."""
        if self.article_id not in message.changed:
            return
        article = self.app.session.article(self.article_id)
        if article is None:
            self.notify(Content("This article's file was deleted or renamed on disk."), severity="warning")
            return
        self.article = article
        self._folded = None
        view = self.query_one(ArticleView)
        cursor = min(view.cursor, len(article.text))
        view.load(article.text, dim_ranges=article.dim_ranges, cursor=cursor)
        view.move_cursor_to(cursor, center=True)
        self._style_markdown()
        self.refresh_annotations()
        self.notify(Content("The article changed on disk and was reloaded."), timeout=3)

    def handle_annotationschanged(self, message) -> None:
        if message.article in (None, self.article_id):
            self.refresh_annotations()

    def refresh_annotations(self, *, announce: bool = False) -> None:
        session = self.app.session
        self.placed = session.annotations_for(self.article_id)
        theme = self.app.current_theme
        highlights = [
            Highlight(p.start, p.end, highlight_style(theme, (p.record["tags"] or [None])[0], saved=p.saved),
                      key=p.record["id"])
            for p in self.placed if p.start is not None and p.end is not None and p.end > p.start
        ]
        self.query_one(ArticleView).set_highlights(highlights)
        self._show_whole_article()
        self._fill_panel()
        show_read_only(self, "#reader-meta")
        self._update_status()
        if announce:
            # The core re-anchored this article's annotations if it changed (reader.living); say what it did.
            summary = session.reanchor_summary(self.article_id)
            what = summary.describe() if summary is not None else ""
            if what:
                self.notify(Content(f"This article changed since it was annotated: {what} "
                                    f"(nothing was dropped; see the panel, tab)."),
                            severity="warning", timeout=8)
            damage = session.damage_for(self.article_id)
            if damage:
                self.notify(Content(f"Read-only: {damage[0]}. Annotations marked “from backup” come from its last "
                                    f"good backup; run `reader doctor` for what to do."),
                            title="Damaged database file", severity="error", timeout=15)

    def _show_whole_article(self) -> None:
        """Tags and notes on the whole article, at its top (like a page note)."""
        whole = [p.record for p in self.placed if p.record["start"] is None]
        box = self.query_one("#reader-whole", Static)
        box.display = bool(whole)
        if not whole:
            return
        theme = self.app.current_theme
        text = Text()
        for record in whole:
            if text:
                text.append("\n")
            text.append("▍ whole article ", style="dim")
            for tag in record["tags"]:
                text.append(f" {field(tag)} ", style=swatch_style(theme, tag))
                text.append(" ")
            if record["note"]:
                text.append(one_line(record["note"], 300), style="italic")
        box.update(text)

    def _fill_panel(self) -> None:
        panel = self.query_one(AnnotationPanel)
        highlighted = panel.highlighted
        panel.clear_options()
        theme = self.app.current_theme
        width = max(20, (self.query_one("#panel").size.width or 40) - 4)
        for p in self.placed:
            r = p.record
            line = Text()
            for tag in r["tags"]:
                line.append(f" {field(tag)} ", style=swatch_style(theme, tag))
                line.append(" ")
            if p.start is None and r["start"] is None:
                head = "whole article"
            elif p.anchor.status == "orphaned":
                head = "orphaned: " + one_line(r["quote"], width)
            else:
                head = "“" + one_line(r["quote"], width - 2) + "”"
            prompt = Text(head, style="italic" if r["start"] is None else "")
            if not p.saved:
                prompt.append("  unsaved", style="bold red")
            elif self.app.session.shown_from_backup(r["id"]):
                prompt.append("  from backup (read-only)", style="bold yellow")
            if r["tags"]:
                prompt.append("\n")
                prompt.append_text(line)
            if r["note"]:
                prompt.append("\n")
                prompt.append(one_line(r["note"], width), style="dim")
            if panel.option_count:
                panel.add_option(None)  # a rule between entries (separators are not options: indices hold)
            panel.add_option(Option(prompt, id=r["id"]))
        if panel.option_count:
            panel.highlighted = min(highlighted or 0, panel.option_count - 1)
        self.query_one("#panel-title", Static).update(Content(f"Annotations ({len(self.placed)})"))
        self._fill_legend()

    def _fill_legend(self) -> None:
        """Which colour is which tag here, with how often each is used in this article."""
        counts = count_tags(p.record for p in self.placed)  # the spelling and order of every tag list
        legend = self.query_one("#panel-legend", Static)
        legend.display = bool(counts)
        if not counts:
            return
        theme = self.app.current_theme
        pieces = [Text.assemble((f" {field(tag)} ", swatch_style(theme, tag)), (f" {n}", "dim"))
                  for tag, n in counts.items()]
        pieces.append(Text(" find hit ", style=find_style(theme)))
        legend.update(Pieces(pieces, gap=3))  # a tag and its count stay on one line

    def annotation_at(self, offset: int) -> Placed | None:
        inside = [p for p in self.placed if p.start is not None and p.start <= offset < (p.end or 0)]
        return min(inside, key=lambda p: p.end - p.start) if inside else None

    # --- status line ----------------------------------------------------------------------------------

    def _update_status(self) -> None:
        view = self.query_one(ArticleView)
        line = "   ".join(self._status_parts(view))
        if len(line) > self.size.width - 2:  # a narrow terminal: the short wording, so the % still shows
            line = "  ".join(self._status_parts(view, short=True))
        # layout=False: the status line has a fixed height, so a cursor move needs no full layout pass
        self.query_one("#reader-status", Static).update(Content(line), layout=False)

    def _status_parts(self, view: ArticleView, *, short: bool = False) -> list[str]:
        parts: list[str] = []
        if view.selection is not None:
            start, end = view.selection
            parts.append(f"selected {end - start}" + ("" if short else " characters") +
                         " — t tag · a note · esc cancel")
        elif view.selecting:
            parts.append("selecting — " + ("" if short else "move with w b ) ( } { j k · ") +
                         "t tag · a note · esc cancel")
        else:
            under = self.annotation_at(view.cursor)
            if under is not None:
                r = under.record
                label = ", ".join(map(field, r["tags"])) or "no tags"
                note = f" {one_line(r['note'], 20 if short else 60)}" if r["note"] else ""
                parts.append(f"[{label}]{note} · x delete")
        if view.find_total or view.find_query:
            current = "-" if view.find_current is None else str(view.find_current + 1)
            parts.append(f"find “{one_line(view.find_query, 12 if short else 30)}” {current}/{view.find_total}"
                         + ("" if short else " · n/N"))
        if self.count:
            parts.append(f"go to {self.count}% — press %")
        text = self.article.text
        percent = int(100 * view.cursor / len(text)) if text else 100
        parts.append(f"{percent}%")
        return parts

    @on(ArticleView.CursorMoved)
    def _cursor_moved(self, event: ArticleView.CursorMoved) -> None:
        self.position = event.offset
        self.count = ""  # a motion after digits: they were not a count for `%`
        self._update_status()
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(POSITION_SAVE_DELAY, self._save_position)
        text_len = len(self.article.text)
        if not self._marked_read and reached_the_end(event.offset, text_len):
            self._marked_read = True
            self.app.session.set_state(self.article_id, read=True)

    @on(ArticleView.SelectionChanged)
    def _selection_changed(self, event: ArticleView.SelectionChanged) -> None:
        self._update_status()

    @on(ArticleView.FindChanged)
    def _find_changed(self, event: ArticleView.FindChanged) -> None:
        self._update_status()

    def _save_position(self) -> None:
        """Store the cursor's offset (the position the screen shows) unless it is stored already.

        It reads `self.position`, kept by every cursor move, never the widget: when the app quits, the
        view is unmounted before this screen, and the user's last move must still be saved.
        """
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = None
        if self.position != self._saved_position:
            if self.app.session.set_state(self.article_id, position=self.position):
                self._saved_position = self.position

    def on_screen_suspend(self) -> None:
        self._save_position()

    def on_unmount(self) -> None:
        self._save_position()

    # --- find -----------------------------------------------------------------------------------------

    def action_find(self) -> None:
        bar = self.query_one("#find-bar")
        bar.display = True
        field = self.query_one("#find-input", Input)
        field.value = ""
        # Focus now, not via call_later: keys typed right after `/` are already queued behind it.
        self.set_focus(field)

    @on(Input.Changed, "#find-input")
    def _find_typed(self, event: Input.Changed) -> None:
        # Debounced: a burst of typing costs one find, not one per keystroke.
        if self._find_timer is not None:
            self._find_timer.stop()
        value = event.value
        self._find_timer = self.set_timer(FIND_DEBOUNCE, lambda: self._apply_find(value, fuzzy=False))

    @on(Input.Submitted, "#find-input")
    def _find_submitted(self, event: Input.Submitted) -> None:
        if self._find_timer is not None:
            self._find_timer.stop()
            self._find_timer = None
        self._apply_find(event.value, fuzzy=True, jump=True)
        self.query_one("#find-bar").display = False
        self.query_one(ArticleView).focus()

    def _apply_find(self, query: str, *, fuzzy: bool, jump: bool = False) -> None:
        from reader.search.find import find_in_text

        view = self.query_one(ArticleView)
        query = query.strip()
        if not query:
            view.clear_find()
            self._update_status()
            return
        if self._folded is None:
            from reader.search.text import fold

            self._folded = fold(self.article.text)
        spans = find_in_text(self.article.text, query, fuzzy=fuzzy, folded=self._folded)
        current = next((i for i, (s, _) in enumerate(spans) if s >= view.cursor), 0) if spans else None
        view.set_find(spans, current=current, query=query)
        if jump and spans:
            view.move_cursor_to(spans[current][0], center=True)
        if jump and not spans:
            self.notify(Content(f"“{query}” is not in this article"), severity="warning", timeout=3)
        self._update_status()

    def action_next_hit(self) -> None:
        view = self.query_one(ArticleView)
        if view.find_hits:
            view.next_hit()

    def action_prev_hit(self) -> None:
        view = self.query_one(ArticleView)
        if view.find_hits:
            view.prev_hit()

    # --- tagging and notes ----------------------------------------------------------------------------

    def _target(self) -> tuple[str, tuple[int, int] | None, Placed | None]:
        """What `t`/`a` act on: the selection, else the annotation under the cursor."""
        view = self.query_one(ArticleView)
        if view.selection is not None and view.selection[1] > view.selection[0]:
            return "selection", view.selection, None
        under = self.annotation_at(view.cursor)
        if under is not None:
            return "annotation", None, under
        return "none", None, None

    def action_tag(self) -> None:
        self._edit_target("tags")

    def action_note(self) -> None:
        self._edit_target("note")

    def _edit_target(self, what: str) -> None:
        """`t` / `a`: the editor for the selection, or for the annotation under the cursor."""
        kind, span, under = self._target()
        if kind == "none":
            self.notify(Content("Select a passage first: v, then w b ) ( } { j k — or shift+arrows."), timeout=4)
            return
        quote = self.article.text[span[0]:span[1]] if span else under.record["quote"]
        self._open_editor(what, "passage", "“" + one_line(quote, 200) + "”", span, under)

    def _whole_article_record(self) -> Placed | None:
        return next((p for p in self.placed if p.record["start"] is None), None)

    def action_tag_article(self) -> None:
        self._open_editor("tags", "the whole article", self.article.title, None, self._whole_article_record(),
                          whole=True)

    def action_note_article(self) -> None:
        self._open_editor("note", "the whole article", self.article.title, None, self._whole_article_record(),
                          whole=True)

    def _open_editor(self, what: str, of: str, subject: str, span, under: Placed | None, *,
                     whole: bool = False) -> None:
        """The tag (``what`` "tags") or note editor for ``under``, else a new annotation of ``span`` (or of
        the whole article); the flow itself is reader.tui.editing's, shared with the annotations browser."""
        save = self._saver(span, under, whole=whole)
        if what == "tags":
            self.edit_tags(title=f"Tag {of}", subject=subject, initial=under.record["tags"] if under else [],
                           save=save, done=tags_saved if under is not None else tagged, then=self._edited)
        else:
            self.edit_note(title=f"Note on {of}", subject=subject, initial=under.record["note"] if under else "",
                           save=save, then=self._edited)

    def _saver(self, span, under: Placed | None, *, whole: bool = False):
        """The session call for a change of tags or note: an update of ``under``, or a new annotation of
        ``span`` (``whole``: of the whole article)."""
        session = self.app.session
        if under is not None:
            annotation_id = under.record["id"]
            return lambda **change: session.update(annotation_id, **change)
        start, end = (None, None) if whole else span
        return lambda **change: session.annotate(self.article_id, start, end, **change)

    def _edited(self) -> None:
        self.query_one(ArticleView).cancel_selection()

    # --- moving between annotations and articles ---------------------------------------------------------

    def _positioned(self) -> list[Placed]:
        return [p for p in self.placed if p.start is not None]

    def action_next_annotation(self) -> None:
        view = self.query_one(ArticleView)
        after = [p for p in self._positioned() if p.start > view.cursor]
        target = after[0] if after else (self._positioned() or [None])[0]
        if target is None:
            self.notify(Content("No annotations in this article yet."), timeout=2)
            return
        view.move_cursor_to(target.start, center=True)

    def action_prev_annotation(self) -> None:
        view = self.query_one(ArticleView)
        before = [p for p in self._positioned() if p.start < view.cursor]
        target = before[-1] if before else (self._positioned() or [None])[-1]
        if target is None:
            self.notify(Content("No annotations in this article yet."), timeout=2)
            return
        view.move_cursor_to(target.start, center=True)

    def _sequence(self) -> list[str]:
        if self.sequence is not None:
            return self.sequence
        return [a.id for a in self.app.session.articles]

    def _open_neighbour(self, step: int) -> None:
        ids = self._sequence()
        index = next((i for i, a in enumerate(ids) if a == self.article_id), None)
        # An article of the list may have been deleted on disk meanwhile: skip it.
        target = index + step if index is not None else -1
        while 0 <= target < len(ids) and self.app.session.article(ids[target]) is None:
            target += step
        if index is None or not (0 <= target < len(ids)):
            self.notify(Content("This is the " + ("last" if step > 0 else "first") + " article"
                                + (" of the list." if self.sequence is not None else ".")), timeout=2)
            return
        self._save_position()
        self.app.open_article(ids[target], replace=True, sequence=self.sequence)

    def action_next_article(self) -> None:
        self._open_neighbour(1)

    def action_prev_article(self) -> None:
        self._open_neighbour(-1)

    # --- delete and undo ------------------------------------------------------------------------------

    def action_delete(self) -> None:
        if self.query_one(AnnotationPanel).has_focus:
            self.action_delete_highlighted()
            return
        under = self.annotation_at(self.query_one(ArticleView).cursor)
        if under is None:
            self.notify(Content("No annotation under the cursor (. and , jump to one)."), timeout=3)
            return
        self._delete(under.record["id"])

    def action_delete_highlighted(self) -> None:
        panel = self.query_one(AnnotationPanel)
        if panel.highlighted is None:
            return
        self._delete(panel.get_option_at_index(panel.highlighted).id)

    def _delete(self, annotation_id: str) -> None:
        self.apply_change(lambda: self.app.session.delete(annotation_id), DELETED)

    def action_undo(self) -> None:
        self.app.undo_delete()

    # --- review list and orphan panel (reader.tui.screens.anchors) -----------------------------------

    def action_review(self) -> None:
        self._anchor_list("review")

    def action_orphans(self) -> None:
        self._anchor_list("orphans")

    def _anchor_list(self, mode: str) -> None:
        from reader.tui.screens.anchors import AnchorList

        view = self.query_one(ArticleView)
        selection = view.selection if view.selection is not None and view.selection[1] > view.selection[0] else None
        self.app.push_screen(AnchorList(self, mode, selection))

    def show_offset(self, offset: int) -> None:
        view = self.query_one(ArticleView)
        view.move_cursor_to(offset, center=True)
        view.focus()

    # --- panel ----------------------------------------------------------------------------------------

    def action_toggle_panel(self) -> None:
        panel = self.query_one("#panel")
        panel.display = not panel.display
        if panel.display:
            self._fill_panel()
            listing = self.query_one(AnnotationPanel)
            under = self.annotation_at(self.query_one(ArticleView).cursor)
            if under is not None:
                listing.highlighted = next(i for i, p in enumerate(self.placed) if p is under)
            listing.focus()
            self.call_after_refresh(self._refit_panel)  # its width is known only once it is laid out
        else:
            self.query_one(ArticleView).focus()

    def _refit_panel(self) -> None:
        listing = self.query_one(AnnotationPanel)
        highlighted = listing.highlighted
        self._fill_panel()
        if highlighted is not None and highlighted < listing.option_count:
            listing.highlighted = highlighted

    @on(OptionList.OptionSelected, "#panel-list")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        placed = next((p for p in self.placed if p.record["id"] == event.option.id), None)
        if placed is not None and placed.record["start"] is None:
            # A whole-article annotation belongs to the article's top: go there and say what it holds.
            view = self.query_one(ArticleView)
            view.move_cursor_to(0)
            view.scroll_to(y=0, animate=False)
            record = placed.record
            tags = ", ".join(record["tags"]) or "no tags"
            self.notify(Content(f"Whole article — {tags}" + (f": {one_line(record['note'], 300)}"
                                                            if record["note"] else "")),
                        title="Whole-article annotation", timeout=6)
            view.focus()
            return
        if placed is None or placed.start is None:
            self.notify(Content("That annotation has no place in the current text."), timeout=3)
            return
        view = self.query_one(ArticleView)
        view.move_cursor_to(placed.start, center=True)
        view.focus()

    # --- copy ---------------------------------------------------------------------------------------

    def action_copy(self) -> None:
        """`y`: the selection, or the annotation under the cursor, with a citation line, to the clipboard
        (OSC 52, which terminals and tmux with `set-clipboard on` take)."""
        from reader.export import citation

        kind, span, under = self._target()
        if kind == "none":
            self.notify(Content("Select a passage first (v, then w b ) ( } { j k), or put the cursor on an "
                                "annotation."), timeout=4)
            return
        if span is not None:
            text = citation(self.article, self.article.text[span[0]:span[1]])
        else:
            record = under.record
            quote = self.article.text[under.start:under.end] if under.start is not None else record["quote"]
            text = citation(self.article, quote, note=record["note"], tags=record["tags"])
        self.app.copy_to_clipboard(text)
        self.query_one(ArticleView).cancel_selection()
        self.notify(Content(f"Copied {len(text):,} characters with the citation"), timeout=2.5)

    # --- the note in the user's editor -------------------------------------------------------------

    def action_edit_external(self) -> None:
        """`E`: the note of the selection, of the annotation under the cursor, or else of the whole article,
        in $VISUAL / $EDITOR (the app steps aside meanwhile); what the editor leaves is saved."""
        import os
        import shlex
        import subprocess
        import tempfile
        from pathlib import Path

        from textual.app import SuspendNotSupported

        kind, span, under = self._target()
        whole = kind == "none"
        if whole:
            under = self._whole_article_record()
        initial = under.record["note"] if under is not None else ""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        handle, name = tempfile.mkstemp(prefix="reader-note-", suffix=".md")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(initial + "\n" if initial else "")  # a text file ends its last line
            try:
                with self.app.suspend():
                    done = subprocess.run([*shlex.split(editor), name])
            except SuspendNotSupported:
                self.notify(Content("This terminal cannot hand itself over to an editor; use a (the note dialog)."),
                            severity="warning", timeout=5)
                return
            except (OSError, ValueError) as exc:
                self.notify(Content(f"Could not start the editor {editor!r}: {exc}"), severity="error", timeout=6)
                return
            if done.returncode != 0:
                self.notify(Content(f"The editor exited with status {done.returncode}: the note is unchanged."),
                            severity="warning", timeout=5)
                return
            try:
                note = Path(name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self.notify(Content(f"Could not read what the editor left ({exc}); the note is unchanged."),
                            severity="error", timeout=6)
                return
        finally:
            try:
                os.unlink(name)
            except OSError:
                pass
        note = note.rstrip("\n")  # editors end a file with a newline the user did not type
        if note == initial:
            self.notify(Content("Note unchanged."), timeout=2)
            return
        save = self._saver(span, under, whole=whole and under is None)
        self.apply_change(lambda: save(note=note), note_saved(note))
        self._edited()
        self.refresh()

    # --- going places: back, unread, read marks, a percentage ---------------------------------------

    def action_leave(self) -> None:
        """`q`: back to the library whatever is open (a selection, the find bar, the panel)."""
        self._save_position()
        self.app.pop_screen()

    def action_next_unread(self) -> None:
        ids = self._sequence()
        index = ids.index(self.article_id) if self.article_id in ids else -1
        session = self.app.session
        for article_id in ids[index + 1:] + ids[:max(0, index)]:
            if session.article(article_id) is not None and not session.get_state(article_id).get("read"):
                self._save_position()
                self.app.open_article(article_id, replace=True, sequence=self.sequence)
                return
        self.notify(Content("No unread article left in this list."), timeout=2.5)

    def action_toggle_read(self) -> None:
        read = not bool(self.app.session.get_state(self.article_id).get("read"))
        if not self.app.session.set_state(self.article_id, read=read):
            self.notify(Content("Could not save the read mark (the database refused the write)."),
                        severity="error", timeout=4)
            return
        self._marked_read = True  # a choice of the user's: reading on to the end does not undo it
        self.notify(Content("Marked read" if read else "Marked unread"), timeout=1.5)

    def action_digit(self, digit: int) -> None:
        self.count = (self.count + str(digit))[-3:]
        self._update_status()

    def action_percent(self) -> None:
        """`50%` goes to half way (as in vim and less); `%` alone asks for the number."""
        if self.count:
            value, self.count = int(self.count), ""
            self._go_to_percent(value)
            return
        from reader.tui.screens.codebook import PromptScreen

        def answered(value: str | None) -> None:
            if value is None:
                return
            try:
                number = float(value.strip().rstrip("%") or "x")
            except ValueError:
                self.notify(Content(f"Not a percentage: {value!r}"), severity="warning", timeout=3)
                return
            self._go_to_percent(number)

        self.app.push_screen(PromptScreen("Go to what percentage of the article?", placeholder="0-100"), answered)

    def _go_to_percent(self, value: float) -> None:
        value = max(0.0, min(100.0, value))
        view = self.query_one(ArticleView)
        text = self.article.text
        import math

        # rounded up, so that the status line then says exactly that percentage
        offset = min(len(text), math.ceil(len(text) * value / 100))
        view.move_cursor_to(offset, center=True)
        self._update_status()

    def action_back(self) -> None:
        view = self.query_one(ArticleView)
        if view.selecting:
            view.cancel_selection()
            self._update_status()
            return
        if self.query_one("#find-bar").display:
            self.query_one("#find-bar").display = False
            self.query_one(ArticleView).focus()
            return
        if self.query_one("#panel").display:
            self.action_toggle_panel()
            return
        self._save_position()
        self.app.pop_screen()
