"""The reading widget: a soft-wrapped, keyboard-driven view of one article.

`ArticleView` is a `ScrollView` on Textual's Line API: `render_line(y)` builds the
`Strip` of one visual row from `rich.segment.Segment`s, so article text is never
parsed as markup. Everything the reader screen cares about (cursor, selection, find
hits, annotation highlights) is kept as character offsets into the text (Python `str`
indices), exactly the offsets the core stores.

What the view computes about the text itself (soft wrap, cell widths, styled spans,
motions) is in `reader.textview`, plain modules with no Textual import; the widget keeps
the state, draws rows and binds keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.textview import motions
from reader.textview.layout import CellWidths, TextLayout, display_text
from reader.textview.spans import Spans

__all__ = ["ArticleView", "Highlight", "TERMINAL_CELLS", "TextLayout", "display_text"]

# Layout, cell widths, spans and motions are plain modules (reader.textview); how wide a character is on the
# terminal is Rich's knowledge, which also draws the rows, so the view measures with it.
TERMINAL_CELLS = CellWidths(get_character_cell_size)


# --------------------------------------------------------------------------------------
# The widget.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """A styled range of the text (an annotation)."""

    start: int
    end: int
    style: Style
    key: str = ""


def _blend_background(styles: Sequence[Style]) -> Color | None:
    colours = []
    for style in styles:
        if style.bgcolor is not None:
            try:
                colours.append(Color.from_rich_color(style.bgcolor))
            except Exception:  # a colour without an RGB value: leave it out
                continue
    if not colours:
        return None
    blended = colours[0]
    for index, colour in enumerate(colours[1:], 2):
        blended = blended.blend(colour, 1 / index)
    return blended


class ArticleView(ScrollView, can_focus=True):
    """A soft-wrapped article with a cursor, a selection, find hits and highlights."""

    # Priority bindings: every key of a burst ("vwwt") is handled in order as the app dequeues it,
    # the same as the reader screen's own keys (see reader.tui.keys).
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="view.cursor_down", priority=True),
        Binding("k,up", "cursor_up", "Up", show=False, id="view.cursor_up", priority=True),
        Binding("l,right", "cursor_right", "Right", show=False, id="view.cursor_right", priority=True),
        Binding("h,left", "cursor_left", "Left", show=False, id="view.cursor_left", priority=True),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="view.page_down", priority=True),
        Binding("pageup", "page_up", "Page up", show=False, id="view.page_up", priority=True),
        Binding("b", "b_key", "Page up / word back", show=False, id="view.b_key", priority=True),
        Binding("d", "half_page_down", "Half page down", show=False, id="view.half_page_down", priority=True),
        Binding("u", "half_page_up", "Half page up", show=False, id="view.half_page_up", priority=True),
        Binding("g,home", "top", "Top", show=False, id="view.top", priority=True),
        Binding("G,end", "bottom", "Bottom", show=False, id="view.bottom", priority=True),
        Binding("w", "word_forward", "Next word", show=False, id="view.word_forward", priority=True),
        Binding("right_parenthesis", "sentence_forward", "Next sentence", show=False, id="view.sentence_forward", priority=True),
        Binding("left_parenthesis", "sentence_backward", "Previous sentence", show=False, id="view.sentence_backward", priority=True),
        Binding("right_curly_bracket", "paragraph_forward", "Next paragraph", show=False, id="view.paragraph_forward", priority=True),
        Binding("left_curly_bracket", "paragraph_backward", "Previous paragraph", show=False, id="view.paragraph_backward", priority=True),
        Binding("v", "toggle_selection", "Select", id="view.toggle_selection", priority=True),
        Binding("shift+left", "select_left", "Select left", show=False, id="view.select_left", priority=True),
        Binding("shift+right", "select_right", "Select right", show=False, id="view.select_right", priority=True),
        Binding("shift+up", "select_up", "Select up", show=False, id="view.select_up", priority=True),
        Binding("shift+down", "select_down", "Select down", show=False, id="view.select_down", priority=True),
        Binding("escape", "cancel_selection", "Cancel selection", show=False, id="view.cancel_selection", priority=True),
    ]

    COMPONENT_CLASSES = {
        "article-view--cursor",
        "article-view--selection",
        "article-view--find",
        "article-view--find-current",
        "article-view--dim",
        "article-view--md-heading",
        "article-view--md-strong",
        "article-view--md-emphasis",
        "article-view--md-code",
        "article-view--md-link",
        "article-view--md-quote",
        "article-view--md-markup",
    }

    DEFAULT_CSS = """
    ArticleView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-gutter: stable;
        & > .article-view--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .article-view--selection {
            /* near-reverse video: never confused with a tag's tinted highlight */
            background: $foreground 80%;
            color: $background;
        }
        /* find's colour is the theme's warning, a hue no tag is given (reader.tui.colors), and find hits
           are bold and underlined, which no tag highlight is */
        & > .article-view--find {
            background: $warning 30%;
            text-style: bold underline;
        }
        & > .article-view--find-current {
            background: $warning;
            color: auto 90%;
            text-style: bold underline;
        }
        & > .article-view--dim {
            color: $text-muted;
        }
        /* Markdown styled in place (reader.markup): the markup characters stay, dimmed */
        & > .article-view--md-heading { color: $accent; text-style: bold; }
        & > .article-view--md-strong { text-style: bold; }
        & > .article-view--md-emphasis { text-style: italic; }
        & > .article-view--md-code { color: $success; }
        & > .article-view--md-link { color: $primary; text-style: underline; }
        & > .article-view--md-quote { color: $text-muted; text-style: italic; }
        & > .article-view--md-markup { color: $text-disabled; }
        &:light > .article-view--find {
            background: $warning 40%;
        }
    }
    """

    LINE_CACHE_SIZE = 1024
    SCROLL_MARGIN = 2
    #: At most this many cells of text per row (a comfortable measure), centred in a wider view;
    #: None: the whole width.
    measure: int | None = None

    class CursorMoved(Message):
        """The cursor moved."""

        def __init__(self, view: ArticleView, offset: int) -> None:
            self.view = view
            self.offset = offset
            super().__init__()

        @property
        def control(self) -> ArticleView:
            return self.view

    class SelectionChanged(Message):
        """The selection changed (None: nothing selected)."""

        def __init__(self, view: ArticleView, selection: tuple[int, int] | None) -> None:
            self.view = view
            self.selection = selection
            super().__init__()

        @property
        def control(self) -> ArticleView:
            return self.view

    class FindChanged(Message):
        """The current find hit changed (`current` is an index into the hits, or None)."""

        def __init__(self, view: ArticleView, current: int | None, total: int) -> None:
            self.view = view
            self.current = current
            self.total = total
            super().__init__()

        @property
        def control(self) -> ArticleView:
            return self.view

    def __init__(
        self,
        text: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._text = ""
        self._layout: TextLayout | None = None
        self._cursor = 0
        self._goal_column: int | None = None
        self._anchor: int | None = None
        self._selection: tuple[int, int] | None = None
        self._dim = Spans()
        self._marks: tuple[str, ...] = ()  # the kind of each Markdown span (reader.markup)
        self._mark_spans = Spans()
        self._highlights: tuple[Highlight, ...] = ()
        self._highlight_spans = Spans()
        self._highlight_styles: dict[tuple[int, ...], Style] = {}
        self._find: tuple[tuple[int, int], ...] = ()
        self._find_spans = Spans()
        self._find_current: int | None = None
        self._find_query = ""
        self._version = 0
        self._line_cache: LRUCache[tuple[int, int, int], Strip] = LRUCache(self.LINE_CACHE_SIZE)
        self._layer_styles: dict[str, Style] = {}
        self._drawn_margin = 0
        if text:
            self.load(text)

    # ---------------------------------------------------------------- public state

    @property
    def text(self) -> str:
        return self._text

    @property
    def cursor(self) -> int:
        return self._cursor

    @cursor.setter
    def cursor(self, offset: int) -> None:
        self.move_cursor_to(offset)

    @property
    def selecting(self) -> bool:
        return self._anchor is not None

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span, whitespace at either end left out; None if empty."""
        return self._selection

    @property
    def selected_text(self) -> str:
        if self._selection is None:
            return ""
        start, end = self._selection
        return self._text[start:end]

    @property
    def find_hits(self) -> tuple[tuple[int, int], ...]:
        return self._find

    @property
    def find_current(self) -> int | None:
        """The index of the current hit among `find_hits`, or None."""
        return self._find_current

    @property
    def find_total(self) -> int:
        return len(self._find)

    @property
    def find_query(self) -> str:
        """What the hits were found for, as the find was given it ("" when nothing is being found)."""
        return self._find_query

    @property
    def highlights(self) -> tuple[Highlight, ...]:
        return self._highlights

    @property
    def wrap_width(self) -> int:
        """Cells of text per row (the view keeps one more cell for the end-of-line cursor)."""
        return self._layout.width if self._layout is not None else max(1, self._content_width() - 1)

    @property
    def layout(self) -> TextLayout | None:
        """The soft-wrapped rows of the text at the current width (None before the first layout)."""
        return self._ensure_layout()

    @property
    def visual_line_count(self) -> int:
        return len(self._layout) if self._layout is not None else 0

    @property
    def cursor_row(self) -> int:
        layout = self._ensure_layout()
        return layout.row_of(self._cursor) if layout is not None else 0

    def row_of(self, offset: int) -> int:
        """The visual row of `offset` at the current width."""
        layout = self._ensure_layout()
        return layout.row_of(offset) if layout is not None else 0

    def row_text(self, row: int) -> str:
        """The text of a visual row (as in the article, not as drawn)."""
        layout = self._ensure_layout()
        if layout is None or not 0 <= row < len(layout):
            return ""
        start, end, _ = layout.row_bounds(row)
        return self._text[start:end]

    def highlights_at(self, offset: int) -> list[Highlight]:
        """The highlights covering `offset`."""
        return [self._highlights[index] for index in self._highlight_spans.at(offset)]

    def word_at_cursor(self) -> tuple[int, int] | None:
        """The span of the word (letters, digits, underscore) under the cursor, if any."""
        return motions.word_at(self._text, self._cursor)

    # ---------------------------------------------------------------- loading & ranges

    def load(
        self,
        text: str,
        *,
        dim_ranges: Iterable[tuple[int, int]] = (),
        highlights: Sequence[Highlight] = (),
        cursor: int = 0,
    ) -> None:
        """Show `text` (its offsets are the ones every other method speaks)."""
        self._text = text
        self._layout = None
        self._anchor = None
        self._selection = None
        self._goal_column = None
        self._find = ()
        self._find_spans = Spans()
        self._find_current = None
        self._find_query = ""
        self._dim = Spans(dim_ranges)
        self._marks = ()
        self._mark_spans = Spans()
        self._set_highlights(highlights)
        self._cursor = min(max(0, cursor), len(text))
        self._invalidate_all()
        layout = self._ensure_layout()
        if layout is not None:
            self.scroll_to(y=0, animate=False)
            self._scroll_cursor_into_view(center=self._cursor > 0)
        self.post_message(self.CursorMoved(self, self._cursor))

    def set_markup(self, spans: Iterable[tuple[int, int, str]]) -> None:
        """Style Markdown in place: ``(start, end, kind)`` from ``reader.markup.markdown_spans``."""
        spans = list(spans)
        self._marks = tuple(kind for _, _, kind in spans)
        self._mark_spans = Spans((start, end) for start, end, _ in spans)
        self._invalidate_all()

    def set_dim_ranges(self, ranges: Iterable[tuple[int, int]]) -> None:
        self._dim = Spans(ranges)
        self._invalidate_all()

    def set_highlights(self, highlights: Sequence[Highlight]) -> None:
        """Replace the annotation highlights (overlaps are drawn blended and underlined)."""
        self._set_highlights(highlights)
        self._invalidate_all()

    def _set_highlights(self, highlights: Sequence[Highlight]) -> None:
        self._highlights = tuple(highlights)
        self._highlight_spans = Spans((h.start, h.end) for h in self._highlights)
        self._highlight_styles = {}

    def set_find(self, spans: Sequence[tuple[int, int]], current: int | None = 0, *, query: str = "") -> None:
        """Show find hits (in text order) of `query`; `current` is drawn distinct and the cursor goes to it."""
        self._find_query = query
        self._find = tuple((int(start), int(end)) for start, end in spans)
        self._find_spans = Spans(self._find)
        if not self._find or current is None:
            self._find_current = None
        else:
            self._find_current = current % len(self._find)
        self._invalidate_all()
        if self._find_current is not None:
            self._go_to_hit()
        self.post_message(self.FindChanged(self, self._find_current, len(self._find)))

    def clear_find(self) -> None:
        had_hits = bool(self._find)
        self._find_query = ""
        self._find = ()
        self._find_spans = Spans()
        self._find_current = None
        if had_hits:
            self._invalidate_all()
        self.post_message(self.FindChanged(self, None, 0))

    def hit_index_after(self, offset: int) -> int | None:
        """Index of the first hit starting at or after `offset` (wrapping to 0)."""
        return motions.hit_after([start for start, _ in self._find], offset)

    def next_hit(self) -> None:
        """Make the next hit current (wrapping) and move the cursor to it."""
        self._step_hit(+1)

    def prev_hit(self) -> None:
        """Make the previous hit current (wrapping) and move the cursor to it."""
        self._step_hit(-1)

    def _step_hit(self, direction: int) -> None:
        total = len(self._find)
        if not total:
            self.post_message(self.FindChanged(self, None, 0))
            return
        old = self._find_current
        new = self._find_current = motions.step_hit([start for start, _ in self._find], old, self._cursor, direction)
        for index in (old, new):
            if index is not None:
                self._invalidate_range(*self._find[index])
        self._go_to_hit()
        self.post_message(self.FindChanged(self, new, total))

    def _go_to_hit(self) -> None:
        assert self._find_current is not None
        start, _end = self._find[self._find_current]
        layout = self._ensure_layout()
        center = False
        if layout is not None:
            row = layout.row_of(start)
            top = round(self.scroll_y)
            center = not top <= row < top + self._page_height()
        self.move_cursor_to(start, center=center)

    # ---------------------------------------------------------------- cursor & selection

    def move_cursor_to(self, offset: int, *, center: bool = False) -> None:
        """Put the cursor at `offset` and scroll it into view (to the middle if `center`)."""
        self._goal_column = None
        self._set_cursor(offset)
        self._scroll_cursor_into_view(center=center)

    def start_selection(self) -> None:
        """Anchor a selection at the cursor; later motions extend it."""
        if self._anchor is None:
            self._anchor = self._cursor
            self._update_selection()
            self.post_message(self.SelectionChanged(self, self._selection))

    def cancel_selection(self) -> None:
        """Drop the selection (the cursor stays)."""
        if self._anchor is not None:
            self._anchor = None
            self._update_selection()
            self.post_message(self.SelectionChanged(self, None))

    def _set_cursor(self, offset: int) -> None:
        offset = min(max(0, offset), len(self._text))
        old = self._cursor
        if offset != old:
            self._cursor = offset
            self._invalidate_range(old, old + 1)
            self._invalidate_range(offset, offset + 1)
            self.post_message(self.CursorMoved(self, offset))
        if self._anchor is not None:
            before = self._selection
            self._update_selection()
            if self._selection != before:
                self.post_message(self.SelectionChanged(self, self._selection))

    def _update_selection(self) -> None:
        old = self._selection
        new = None if self._anchor is None else motions.selection_span(self._text, self._anchor, self._cursor)
        self._selection = new
        if old == new:
            return
        if old is None or new is None:
            self._invalidate_range(*(old or new))  # type: ignore[misc]
        else:
            self._invalidate_range(min(old[0], new[0]), max(old[0], new[0]) + 1)
            self._invalidate_range(min(old[1], new[1]) - 1, max(old[1], new[1]) + 1)

    # ---------------------------------------------------------------- layout & scrolling

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _ensure_layout(self) -> TextLayout | None:
        """The layout for the current width, (re)wrapping if needed; None before sizing.

        On a re-wrap of the same text the cursor keeps its place on the screen.
        """
        width = self._content_width()
        if width <= 0:
            return self._layout
        wrap = max(1, width - 1)
        if self.measure:
            wrap = max(1, min(wrap, self.measure))
        old = self._layout
        if old is not None and old.width == wrap and old.text is self._text:
            return old
        layout = self._layout = TextLayout(self._text, wrap, TERMINAL_CELLS)
        self._invalidate_all()
        self.virtual_size = Size(width, len(layout))
        if old is not None and old.text is self._text:
            screen_row = old.row_of(self._cursor) - round(self.scroll_y)
            screen_row = min(max(0, screen_row), self._page_height() - 1)
            self.scroll_to(y=max(0, layout.row_of(self._cursor) - screen_row), animate=False)
            self._scroll_cursor_into_view()
        elif self._cursor > 0:
            # The first layout of this text (it was loaded before the view had a size, e.g. a reopened
            # article at its saved position): the cursor must be on screen, in the middle.
            self._scroll_cursor_into_view(center=True)
        return layout

    def on_resize(self, event: events.Resize) -> None:
        self._ensure_layout()
        self._check_margin()

    def _check_margin(self) -> None:
        margin = self._margin()
        if margin != self._drawn_margin:
            # the same wrap width in a wider or narrower view: the text moves sideways, every row with it
            self._drawn_margin = margin
            self._invalidate_all()

    def set_measure(self, measure: int | None) -> None:
        """Wrap at most ``measure`` cells wide (centred), or at the whole width with None / 0."""
        self.measure = measure or None
        self._ensure_layout()
        self.refresh()

    def _margin(self) -> int:
        """Blank cells left of the text, which is centred when the view is wider than the measure."""
        layout = self._layout
        if layout is None:
            return 0
        return max(0, (self._content_width() - (layout.width + 1)) // 2)

    def _scroll_cursor_into_view(self, *, center: bool = False) -> None:
        layout = self._ensure_layout()
        if layout is None:
            return
        target = motions.scroll_target(layout.row_of(self._cursor), round(self.scroll_y), self._page_height(),
                                       self.SCROLL_MARGIN, center=center)
        if target is not None:
            self.scroll_to(y=target, animate=False)

    # ---------------------------------------------------------------- rendering

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._layer_styles.clear()
        self._highlight_styles = {}
        self._invalidate_all()

    def _invalidate_all(self) -> None:
        self._version += 1
        self._line_cache.clear()
        self.refresh()

    def _invalidate_range(self, start: int, end: int) -> None:
        """Forget the rendered rows showing offsets [start, end)."""
        layout = self._layout
        if layout is None:
            return
        first = layout.row_of(max(0, start))
        last = layout.row_of(max(start, end - 1))
        if last - first > 64:
            self._invalidate_all()
            return
        width, version, margin = layout.width, self._version, self._margin()
        for row in range(first, last + 1):
            self._line_cache.discard((row, width, version, margin))
        self.refresh_lines(first, last - first + 1)

    def _layer_style(self, name: str) -> Style:
        """A component's style with colours only where the CSS sets them."""
        style = self._layer_styles.get(name)
        if style is None:
            full = self.get_component_rich_style(name)
            rules = self.get_component_styles(name)
            style = full.without_color + Style(
                color=full.color if rules.has_rule("color") else None,
                bgcolor=full.bgcolor if rules.has_rule("background") else None,
            )
            self._layer_styles[name] = style
        return style

    def _base_style(self) -> Style:
        """The widget's own style (cached: `rich_style` walks the DOM each time)."""
        style = self._layer_styles.get("")
        if style is None:
            style = self._layer_styles[""] = self.rich_style
        return style

    def _highlight_style(self, cover: tuple[int, ...]) -> Style:
        style = self._highlight_styles.get(cover)
        if style is None:
            styles = [self._highlights[index].style for index in cover]
            style = Style.combine(styles)
            if len(styles) > 1:
                blended = _blend_background(styles)
                style += Style(
                    bgcolor=blended.rich_color if blended is not None else None,
                    underline=True,
                )
            self._highlight_styles[cover] = style
        return style

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        layout = self._layout  # re-wrapping happens on resize, never while rendering
        if layout is None or not 0 <= row < len(layout):
            return Strip.blank(self._content_width(), self._base_style())
        width = layout.width + 1
        margin = self._margin()
        if margin != self._drawn_margin:  # rows drawn before the view had its final width: draw them all again
            self.call_later(self._check_margin)
        key = (row, layout.width, self._version, margin)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._render_row(layout, row).crop_extend(0, width, self._base_style())
            if margin:
                strip = Strip.join([Strip.blank(margin, self._base_style()), strip])
            self._line_cache.set(key, strip)
        return strip

    def _render_row(self, layout: TextLayout, row: int) -> Strip:
        start, end, ends_line = layout.row_bounds(row)
        text = self._text
        base = self._base_style()

        # Layers, bottom to top: (start, end, style).
        layers: list[tuple[int, int, Style]] = []
        if self._mark_spans:
            marks = self._marks
            for a, b, cover in self._mark_spans.overlapping(start, end):
                for index in cover:
                    layers.append((a, b, self._layer_style("article-view--md-" + marks[index])))
        if self._dim:
            dim = self._layer_style("article-view--dim")
            layers.extend((a, b, dim) for a, b, _ in self._dim.overlapping(start, end))
        if self._highlight_spans:
            layers.extend(
                (a, b, self._highlight_style(cover))
                for a, b, cover in self._highlight_spans.overlapping(start, end)
            )
        if self._find_spans:
            find = self._layer_style("article-view--find")
            layers.extend((a, b, find) for a, b, _ in self._find_spans.overlapping(start, end))
            if self._find_current is not None:
                hit_start, hit_end = self._find[self._find_current]
                if hit_start < end and hit_end > start:
                    layers.append(
                        (
                            max(start, hit_start),
                            min(end, hit_end),
                            self._layer_style("article-view--find-current"),
                        )
                    )
        selection = self._selection
        selection_style = None
        if selection is not None:
            selection_style = self._layer_style("article-view--selection")
            if selection[0] < end and selection[1] > start:
                layers.append((max(start, selection[0]), min(end, selection[1]), selection_style))
        cursor = self._cursor
        cursor_style = self._layer_style("article-view--cursor")
        if start <= cursor < end:
            layers.append((cursor, cursor + 1, cursor_style))

        shown = display_text(text[start:end])
        segments: list[Segment] = []
        if not layers:
            if shown:
                segments.append(Segment(shown, base))
        else:
            cuts = {start, end}
            for a, b, _ in layers:
                cuts.add(a)
                cuts.add(b)
            points = sorted(cuts)
            for a, b in zip(points, points[1:]):
                style = base
                for layer_start, layer_end, layer_style in layers:
                    if layer_start <= a and b <= layer_end:
                        style = style + layer_style
                segments.append(Segment(shown[a - start : b - start], style))

        if ends_line:
            # The end-of-line cell: the cursor there, or a selected newline.
            if cursor == end:
                segments.append(Segment(" ", base + cursor_style))
            elif (
                selection_style is not None
                and selection is not None
                and selection[0] <= end < selection[1]
            ):
                segments.append(Segment(" ", base + selection_style))
        return Strip(segments)

    # ---------------------------------------------------------------- motions

    def _vertical(self, rows: int, *, scroll: bool = False) -> None:
        layout = self._ensure_layout()
        if layout is None:
            return
        offset, self._goal_column = motions.vertical(layout, self._cursor, rows, self._goal_column)
        if scroll:
            self.scroll_to(y=max(0, round(self.scroll_y) + rows), animate=False)
        self._set_cursor(offset)
        self._scroll_cursor_into_view()

    def _horizontal(self, offset: int) -> None:
        self.move_cursor_to(offset)

    def action_cursor_down(self) -> None:
        self._vertical(+1)

    def action_cursor_up(self) -> None:
        self._vertical(-1)

    def action_cursor_right(self) -> None:
        self._horizontal(self._cursor + 1)

    def action_cursor_left(self) -> None:
        self._horizontal(self._cursor - 1)

    def action_page_down(self) -> None:
        self._vertical(motions.page_rows(self._page_height()), scroll=True)

    def action_page_up(self) -> None:
        self._vertical(-motions.page_rows(self._page_height()), scroll=True)

    def action_half_page_down(self) -> None:
        self._vertical(motions.half_page_rows(self._page_height()), scroll=True)

    def action_half_page_up(self) -> None:
        self._vertical(-motions.half_page_rows(self._page_height()), scroll=True)

    def action_b_key(self) -> None:
        """`b`: a page up normally, a word back while selecting."""
        if self.selecting:
            self.action_word_backward()
        else:
            self.action_page_up()

    def action_top(self) -> None:
        self._horizontal(0)

    def action_bottom(self) -> None:
        self._horizontal(len(self._text))

    def action_word_forward(self) -> None:
        self._horizontal(motions.next_position(motions.WORD_START, self._text, self._cursor))

    def action_word_backward(self) -> None:
        self._horizontal(motions.previous_position(motions.WORD_START, self._text, self._cursor))

    def action_sentence_forward(self) -> None:
        self._horizontal(motions.next_position(motions.SENTENCE_START, self._text, self._cursor))

    def action_sentence_backward(self) -> None:
        self._horizontal(motions.previous_position(motions.SENTENCE_START, self._text, self._cursor))

    def action_paragraph_forward(self) -> None:
        self._horizontal(motions.next_position(motions.PARAGRAPH_START, self._text, self._cursor))

    def action_paragraph_backward(self) -> None:
        self._horizontal(motions.previous_position(motions.PARAGRAPH_START, self._text, self._cursor))

    def action_toggle_selection(self) -> None:
        if self.selecting:
            self.cancel_selection()
        else:
            self.start_selection()

    def action_select_left(self) -> None:
        self.start_selection()
        self.action_cursor_left()

    def action_select_right(self) -> None:
        self.start_selection()
        self.action_cursor_right()

    def action_select_up(self) -> None:
        self.start_selection()
        self.action_cursor_up()

    def action_select_down(self) -> None:
        self.start_selection()
        self.action_cursor_down()

    def action_cancel_selection(self) -> None:
        """Escape: cancel a selection; otherwise let the key go on to the screen."""
        if not self.selecting:
            raise SkipAction()
        self.cancel_selection()

    def action_next_hit(self) -> None:
        self.next_hit()

    def action_prev_hit(self) -> None:
        self.prev_hit()

    # ---------------------------------------------------------------- mouse

    def on_click(self, event: events.Click) -> None:
        layout = self._ensure_layout()
        offset = event.get_content_offset(self)
        if layout is None or offset is None or not len(layout):
            return
        row = min(len(layout) - 1, round(self.scroll_y) + offset.y)
        self.move_cursor_to(layout.offset_at(row, offset.x - self._margin()))
