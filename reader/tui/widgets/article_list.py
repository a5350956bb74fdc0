"""A virtual table for the library: a Line API ScrollView that builds only the rows on screen.

Textual's DataTable measures every cell of every row whenever rows are added (about 1.2 s for 10,000
articles here, and again on every sort), so it cannot list 100,000 articles. This widget keeps the
rows as keys plus a function that makes a row's cells when the row is drawn: setting 100,000 rows is a
list assignment, sorting is Python's sort, and a frame costs the 30-odd visible rows.

It speaks the part of DataTable's API the library screen and its tests use (``add_column``,
``columns[key].width``, ``clear``, ``add_row``, ``row_count``, ``get_row_index``, ``move_cursor``,
``cursor_coordinate``, ``coordinate_to_cell_key``, ``get_cell``, the cursor actions), with the same
look: a bold header row, zebra stripes, a row cursor, fixed column widths with one cell of padding.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["ArticleList", "Column"]

PADDING = 1


@dataclass
class Column:
    key: str
    label: str
    width: int
    auto_width: bool = False


@dataclass(frozen=True)
class _Key:
    value: str | None


@dataclass(frozen=True)
class _CellKey:
    row_key: _Key
    column_key: _Key


class ArticleList(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"datatable--header", "datatable--cursor", "datatable--even-row"}

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        & > .datatable--header { text-style: bold; background: $panel; color: $foreground; }
        & > .datatable--even-row { background: $surface-lighten-1 50%; }
        & > .datatable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .datatable--header { background-tint: $foreground 5%; }
            & > .datatable--even-row { background: $surface-darken-1 40%; }
            & > .datatable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    BINDINGS = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "scroll_top", "Top", show=False),
        Binding("end", "scroll_bottom", "Bottom", show=False),
    ]

    class RowHighlighted(Message):
        def __init__(self, row: int, key: str | None) -> None:
            super().__init__()
            self.cursor_row = row
            self.row_key = _Key(key)

    def __init__(self, *, id: str | None = None, classes: str | None = None, zebra_stripes: bool = True,
                 cursor_type: str = "row") -> None:
        super().__init__(id=id, classes=classes)
        self.zebra_stripes = zebra_stripes
        self.columns: dict[str, Column] = {}
        self._keys: list[str] = []
        self._index: dict[str, int] | None = {}
        self._cells: list[Sequence[Any] | None] = []
        self._make: Callable[[int], Sequence[Any]] | None = None
        self._heights: list[int] | None = None   # None: every row is one line
        self._starts: list[int] = []             # first line of each row when heights vary
        self.cursor_row = 0

    # ---- DataTable-like API

    def add_column(self, label: str, *, key: str, width: int) -> None:
        self.columns[key] = Column(key, label, width)
        self._resize()

    def clear(self) -> None:
        self._keys, self._cells, self._make, self._heights, self._starts = [], [], None, None, []
        self._index = {}
        self.cursor_row = 0
        self._resize()

    def add_row(self, *cells: Any, key: str, height: int = 1) -> None:
        if self._make is not None:
            raise RuntimeError("add_row after set_rows: clear() first")
        if self._index is not None:
            self._index[key] = len(self._keys)
        self._keys.append(key)
        self._cells.append(cells)
        if height != 1 or self._heights is not None:
            if self._heights is None:
                self._heights = [1] * (len(self._keys) - 1)
            self._heights.append(height)
        self._starts = []
        self._resize()

    def set_rows(self, keys: list[str], make: Callable[[int], Sequence[Any]],
                 heights: list[int] | None = None) -> None:
        """Replace every row: ``keys[i]`` is row i, ``make(i)`` its cells, called only when it is drawn;
        ``heights[i]`` its height in lines (all 1 when not given)."""
        if heights is not None and all(h == 1 for h in heights):
            heights = None
        self._keys, self._make, self._heights, self._starts = keys, make, heights, []
        self._cells = []
        self._index = None  # built on first lookup
        self.cursor_row = min(self.cursor_row, max(0, len(keys) - 1))
        self._resize()

    @property
    def row_count(self) -> int:
        return len(self._keys)

    def get_row_index(self, key: str) -> int:
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self._keys)}
        return self._index[key]

    @property
    def cursor_coordinate(self) -> Coordinate:
        return Coordinate(self.cursor_row, 0)

    def coordinate_to_cell_key(self, coordinate: tuple[int, int]) -> _CellKey:
        row, column = coordinate
        if not 0 <= row < len(self._keys):
            raise IndexError(row)
        return _CellKey(_Key(self._keys[row]), _Key(list(self.columns)[column]))

    def get_cell(self, row_key: str, column_key: str) -> Any:
        return self._row_cells(self.get_row_index(row_key))[list(self.columns).index(column_key)]

    def move_cursor(self, *, row: int | None = None, column: int | None = None, animate: bool = False) -> None:
        if row is None or not self._keys:
            return
        self.cursor_row = max(0, min(row, len(self._keys) - 1))
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.RowHighlighted(self.cursor_row, self._keys[self.cursor_row]))

    # ---- actions

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_page_down(self) -> None:
        self.move_cursor(row=self._row_at(self._line_of(self.cursor_row) + self._page()))

    def action_page_up(self) -> None:
        self.move_cursor(row=self._row_at(max(0, self._line_of(self.cursor_row) - self._page())))

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._keys) - 1)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def on_click(self, event: Click) -> None:
        line = event.y + int(self.scroll_offset.y) - 1
        if line >= 0 and self._keys:
            self.focus()
            self.move_cursor(row=self._row_at(line))

    # ---- geometry

    def _total_lines(self) -> int:
        if self._heights is None:
            return len(self._keys)
        self._ensure_starts()
        return (self._starts[-1] + self._heights[-1]) if self._heights else 0

    def _ensure_starts(self) -> None:
        if self._heights is not None and len(self._starts) != len(self._heights):
            starts, at = [], 0
            for h in self._heights:
                starts.append(at)
                at += h
            self._starts = starts

    def _line_of(self, row: int) -> int:
        if self._heights is None:
            return row
        self._ensure_starts()
        return self._starts[row] if row < len(self._starts) else 0

    def _row_at(self, line: int) -> int:
        if self._heights is None:
            return min(line, len(self._keys) - 1)
        self._ensure_starts()
        return max(0, bisect.bisect_right(self._starts, line) - 1)

    def _width(self) -> int:
        return sum(c.width + 2 * PADDING for c in self.columns.values())

    def _resize(self) -> None:
        self.virtual_size = Size(self._width(), self._total_lines() + 1)
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        top = self._line_of(self.cursor_row)
        height = self._heights[self.cursor_row] if self._heights is not None else 1
        visible = max(1, self.scrollable_content_region.height - 1)
        y = int(self.scroll_offset.y)
        if top < y:
            self.scroll_to(y=top, animate=False)
        elif top + height > y + visible:
            self.scroll_to(y=top + height - visible, animate=False)

    def on_resize(self) -> None:
        self._scroll_to_cursor()

    # ---- rendering

    def _row_cells(self, row: int) -> Sequence[Any]:
        if self._make is not None:
            return self._make(row)
        return self._cells[row] or ()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = int(self.scroll_offset.x)
        if y == 0:
            style = self.get_component_rich_style("datatable--header")
            cells = [Text(c.label) for c in self.columns.values()]
            return self._strip(cells, 0, style, width, scroll_x)
        line = int(self.scroll_offset.y) + y - 1
        if line >= self._total_lines() or not self._keys:
            return Strip.blank(width, self.rich_style)
        row = self._row_at(line)
        sub = line - self._line_of(row)
        base = self.rich_style
        if row == self.cursor_row:
            style = self.get_component_rich_style("datatable--cursor")
        elif self.zebra_stripes and row % 2 == 1:
            style = self.get_component_rich_style("datatable--even-row")
        else:
            style = base
        return self._strip(self._row_cells(row), sub, style, width, scroll_x)

    def _strip(self, cells: Sequence[Any], sub: int, style: Style, width: int, scroll_x: int) -> Strip:
        console = self.app.console
        segments: list[Segment] = []
        pad = Segment(" " * PADDING, style)
        for column, cell in zip(self.columns.values(), cells):
            text = cell if isinstance(cell, Text) else Text(str(cell))
            lines = text.split("\n", allow_blank=True) if "\n" in text.plain else [text]
            part = lines[sub].copy() if sub < len(lines) else Text("")
            part.no_wrap = True
            justify = text.justify if text.justify in ("right", "center") else "left"
            part.truncate(column.width, overflow=text.overflow or "ellipsis")
            gap = max(0, column.width - part.cell_len)
            segments.append(pad)
            if gap and justify == "right":
                segments.append(Segment(" " * gap, style))
            for seg in part.render(console):
                if seg.text == "\n":
                    continue
                segments.append(Segment(seg.text, style + seg.style if seg.style else style))
            if gap and justify != "right":
                segments.append(Segment(" " * gap, style))
            segments.append(pad)
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, style)
