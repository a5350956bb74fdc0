"""The reading widget: wrap, motions, selection, find, highlights, safe rendering."""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding

from reader.tui.widgets.article_view import TERMINAL_CELLS, ArticleView, Highlight, TextLayout

GUO = (
    "Guo Min recalled that China was first. It fought hard! Then it won?\n"
    "\n"
    "Second paragraph starts here. Another sentence follows it.\n"
    "\n"
    "Third paragraph."
)

PARAGRAPH = (
    "The Ambassador recalled that China was the first to suffer from the COVID-19 pandemic "
    "and the first to start the fight to prevent and control it. In more than three months "
    "of hard work, with tremendous efforts and dedication, China has won a huge phased "
    "victory in the fight against the pandemic."
)

# Many numbered paragraphs, so pages are easy to tell apart.
LONG = "\n\n".join(f"Paragraph {n}. {PARAGRAPH}" for n in range(60))


class Host(App[None]):
    BINDINGS = [Binding("escape", "escaped", "Back")]

    def __init__(self, text: str = GUO, **load: object) -> None:
        super().__init__()
        self.text = text
        self.load_kwargs = load
        self.escapes = 0
        self.find_messages: list[tuple[int | None, int]] = []
        self.cursor_messages: list[int] = []
        self.selection_messages: list[tuple[int, int] | None] = []

    def compose(self) -> ComposeResult:
        yield ArticleView()

    def on_mount(self) -> None:
        view = self.query_one(ArticleView)
        view.load(self.text, **self.load_kwargs)  # type: ignore[arg-type]
        view.focus()

    def action_escaped(self) -> None:
        self.escapes += 1

    def on_article_view_find_changed(self, message: ArticleView.FindChanged) -> None:
        self.find_messages.append((message.current, message.total))

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.cursor_messages.append(message.offset)

    def on_article_view_selection_changed(self, message: ArticleView.SelectionChanged) -> None:
        self.selection_messages.append(message.selection)


def rows_of(view: ArticleView) -> list[str]:
    return [view.row_text(row) for row in range(view.visual_line_count)]


def check_wrap(view: ArticleView, text: str) -> None:
    """Rows cover the text exactly, fit the width, and break only after spaces."""
    width = view.wrap_width
    rebuilt = []
    for row in range(view.visual_line_count):
        start, end, ends_line = view.layout.row_bounds(row)  # type: ignore[union-attr]
        rebuilt.append(text[start:end] + ("\n" if ends_line and end < len(text) else ""))
        shown = text[start:end]
        assert cell_len(shown.rstrip(" ")) <= width
        assert cell_len(shown) <= width + 1
        if not ends_line:
            # a soft break falls after a space, never inside a word
            assert shown.endswith(" ")
    assert "".join(rebuilt) == text


async def test_wraps_at_80_and_rewraps_at_40() -> None:
    app = Host(LONG)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        # 80 columns minus the 2-cell scrollbar gutter, minus the end-of-line cursor cell.
        assert view.wrap_width == 77
        check_wrap(view, LONG)
        rows_at_80 = view.visual_line_count
        assert view.render_line(0).text.rstrip() == rows_of(view)[0].rstrip()
        assert view.render_line(0).cell_length == 78

        # Put the cursor deep in the text, then narrow the terminal.
        target = LONG.index("Paragraph 30.")
        view.move_cursor_to(target)
        await pilot.pause()
        await pilot.resize_terminal(40, 24)
        await pilot.pause()
        assert view.wrap_width == 37
        check_wrap(view, LONG)
        assert view.visual_line_count > rows_at_80 * 3 // 2
        assert view.cursor == target
        top = round(view.scroll_y)
        assert top <= view.cursor_row < top + view.size.height
        assert view.render_line(view.cursor_row - top).text.startswith("Paragraph 30.")


async def test_word_sentence_paragraph_top_bottom_motions() -> None:
    app = Host()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert view.cursor == 0
        await pilot.press("w")
        assert view.cursor == GUO.index("Min")
        await pilot.press("w", "w")
        assert view.cursor == GUO.index("that")
        await pilot.press("right_parenthesis")
        assert view.cursor == GUO.index("It fought")
        await pilot.press("right_parenthesis")
        assert view.cursor == GUO.index("Then it")
        await pilot.press("right_parenthesis")
        assert view.cursor == GUO.index("Second")
        await pilot.press("left_parenthesis")
        assert view.cursor == GUO.index("Then it")
        await pilot.press("right_curly_bracket")
        assert view.cursor == GUO.index("Second")
        await pilot.press("right_curly_bracket")
        assert view.cursor == GUO.index("Third")
        await pilot.press("right_curly_bracket")
        assert view.cursor == len(GUO)
        await pilot.press("left_curly_bracket")
        assert view.cursor == GUO.index("Third")
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        assert view.cursor == 0
        await pilot.press("G")
        assert view.cursor == len(GUO)
        await pilot.press("g")
        assert view.cursor == 0
        await pilot.press("end")
        assert view.cursor == len(GUO)
        await pilot.press("home", "l", "l", "right")
        assert view.cursor == 3
        await pilot.press("h", "left")
        assert view.cursor == 1
        await pilot.pause()
        assert app.cursor_messages[-1] == 1


async def test_j_k_move_one_visual_line_keeping_the_column() -> None:
    app = Host(LONG)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        layout = view.layout
        assert layout is not None
        await pilot.press("l", "l", "l", "l", "l")
        assert view.cursor == 5
        await pilot.press("j")
        assert view.cursor_row == 1
        assert view.cursor == layout.rows[1] + 5
        blank = next(row for row in range(len(layout)) if view.row_text(row) == "")
        for _ in range(blank - 2):
            await pilot.press("j")
        assert view.cursor == layout.rows[blank - 1] + 5
        await pilot.press("down")  # onto the blank line: column 0 is all there is
        assert view.cursor == layout.rows[blank]
        await pilot.press("down")  # the column comes back on the next paragraph
        assert view.cursor == layout.rows[blank + 1] + 5
        await pilot.press("k", "up")
        assert view.cursor == layout.rows[blank - 1] + 5


async def test_the_viewport_follows_the_cursor_with_a_margin() -> None:
    app = Host(LONG)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        height = view.size.height
        for _ in range(height + 5):
            await pilot.press("j")
        top = round(view.scroll_y)
        assert view.cursor_row == height + 5
        assert view.cursor_row == top + height - 1 - ArticleView.SCROLL_MARGIN
        await pilot.press("G")
        assert view.cursor_row == view.visual_line_count - 1
        assert round(view.scroll_y) == view.max_scroll_y
        await pilot.press("g")
        assert round(view.scroll_y) == 0


async def test_v_w_w_selects_guo_min() -> None:
    app = Host()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        await pilot.press("v")
        assert view.selecting
        assert view.selection is None
        await pilot.press("w", "w")
        assert view.cursor == GUO.index("recalled")
        # [anchor, cursor) with the whitespace at its ends left out
        assert view.selection == (0, len("Guo Min"))
        assert view.selected_text == "Guo Min"
        await pilot.press("right_parenthesis")
        assert view.selected_text == "Guo Min recalled that China was first."
        await pilot.pause()
        assert app.selection_messages[-1] == view.selection
        # v again toggles the selection off
        await pilot.press("v")
        assert not view.selecting and view.selection is None


async def test_shift_arrows_select_and_escape_cancels() -> None:
    app = Host()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert view.selecting
        assert view.selected_text == "Guo"
        await pilot.press("shift+down")
        assert view.selection is not None and view.selection[1] > len("Guo")
        await pilot.press("shift+up", "shift+left")
        assert view.selected_text == "Gu"

        await pilot.press("escape")
        assert not view.selecting and view.selection is None
        assert app.escapes == 0  # the widget ate that escape
        await pilot.press("escape")
        assert app.escapes == 1  # with nothing selected, escape goes on to the app


async def test_b_pages_up_normally_but_goes_back_a_word_while_selecting() -> None:
    app = Host(LONG)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        page = view.size.height - 2
        await pilot.press("space", "space")
        assert view.cursor_row == 2 * page
        await pilot.press("b")
        assert view.cursor_row == page
        await pilot.press("pagedown")
        assert view.cursor_row == 2 * page
        await pilot.press("pageup")
        assert view.cursor_row == page
        await pilot.press("d")
        assert view.cursor_row == page + view.size.height // 2
        await pilot.press("u")
        assert view.cursor_row == page

        # While selecting, b is a word back and the view stays put.
        await pilot.press("w", "w", "w")
        here = view.cursor
        top = view.scroll_y
        await pilot.press("v", "b")
        assert view.selecting
        assert view.scroll_y == top
        assert view.cursor < here
        assert " " not in LONG[view.cursor : here].strip()  # exactly one word back
        assert LONG[view.cursor - 1].isspace() and not LONG[view.cursor].isspace()
        assert view.selected_text == LONG[view.cursor : here].strip()


async def test_find_hits_wrap_and_post_find_changed() -> None:
    app = Host(LONG)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        word = "China"
        hits = []
        index = LONG.find(word)
        while index != -1:
            hits.append((index, index + len(word)))
            index = LONG.find(word, index + 1)
        total = len(hits)
        assert total > 3

        view.set_find(hits, current=0)
        await pilot.pause()
        assert app.find_messages[-1] == (0, total)
        assert view.cursor == hits[0][0]

        # Find hits are drawn with their own background, the current one distinct.
        find_bg = view.get_component_rich_style("article-view--find").bgcolor
        current_bg = view.get_component_rich_style("article-view--find-current").bgcolor
        assert find_bg != current_bg

        def bg_at(offset: int) -> object:
            row = view.row_of(offset)
            strip = view.render_line(row - round(view.scroll_y))
            column = view.layout.column_of(offset, row)  # type: ignore[union-attr]
            return strip.crop(column, column + 1)._segments[0].style.bgcolor

        assert bg_at(hits[0][0] + 1) == current_bg  # +1: the cursor sits on the first cell
        assert bg_at(hits[1][0] + 1) == find_bg

        view.next_hit()
        await pilot.pause()
        assert app.find_messages[-1] == (1, total)
        assert view.cursor == hits[1][0]
        assert bg_at(hits[1][0] + 1) == current_bg
        assert bg_at(hits[0][0] + 1) == find_bg

        view.prev_hit()
        view.prev_hit()  # wraps to the last hit
        await pilot.pause()
        assert app.find_messages[-1] == (total - 1, total)
        assert view.cursor == hits[-1][0]
        top = round(view.scroll_y)
        assert top <= view.cursor_row < top + view.size.height

        view.next_hit()  # wraps to the first
        await pilot.pause()
        assert app.find_messages[-1] == (0, total)
        assert view.cursor == hits[0][0]

        view.clear_find()
        await pilot.pause()
        assert app.find_messages[-1] == (None, 0)
        assert bg_at(hits[1][0] + 1) != find_bg


async def test_overlapping_highlights_stay_visible() -> None:
    red, blue = Style(bgcolor="#aa0000"), Style(bgcolor="#0000aa")
    first = Highlight(4, 16, red, key="a")  # "Min recalled"
    second = Highlight(8, 21, blue, key="b")  # "recalled that"
    app = Host(GUO, highlights=[first, second], cursor=len("Guo Min recalled that China"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        strip = view.render_line(0)

        def style_at(cell: int) -> Style:
            return strip.crop(cell, cell + 1)._segments[0].style

        assert style_at(5).bgcolor.triplet.hex == "#aa0000"  # only the first
        assert style_at(18).bgcolor.triplet.hex == "#0000aa"  # only the second
        overlap = style_at(10)
        assert overlap.underline
        assert overlap.bgcolor.triplet.hex not in ("#aa0000", "#0000aa")
        assert not style_at(5).underline and not style_at(18).underline
        assert view.highlights_at(10) == [first, second]
        assert view.highlights_at(2) == []

        # The same is on screen.
        screen_style = app.screen.get_style_at(10, 0)
        assert screen_style.underline

        view.set_highlights([])
        await pilot.pause()
        assert view.render_line(0).crop(10, 11)._segments[0].style.bgcolor.triplet.hex != (
            overlap.bgcolor.triplet.hex
        )


async def test_cursor_is_drawn_on_empty_lines_and_at_the_end() -> None:
    app = Host()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        cursor_bg = view.get_component_rich_style("article-view--cursor").bgcolor
        assert view.render_line(0).crop(0, 1)._segments[0].style.bgcolor == cursor_bg
        await pilot.press("j")  # the blank line
        assert view.cursor == GUO.index("\n\n") + 1
        assert view.render_line(1).crop(0, 1)._segments[0].style.bgcolor == cursor_bg
        assert view.render_line(0).crop(0, 1)._segments[0].style.bgcolor != cursor_bg
        await pilot.press("G")
        last = view.visual_line_count - 1
        column = len("Third paragraph.")
        strip = view.render_line(last - round(view.scroll_y))
        assert strip.crop(column, column + 1)._segments[0].style.bgcolor == cursor_bg
        assert app.screen.get_style_at(column, last - round(view.scroll_y)).bgcolor == cursor_bg


async def test_markup_and_control_characters_are_shown_literally() -> None:
    hostile = (
        "Plain [bold]x[/] then [@click=app.quit]click[/] and [red]red\n"
        "An escape \x1b[31mred\x1b[0m, a bell \x07 and a C1 \x9b here."
    )
    app = Host(hostile, dim_ranges=[(0, 5)])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        first = view.render_line(0).text
        assert first.startswith("Plain [bold]x[/] then [@click=app.quit]click[/] and [red]red")
        second = view.render_line(1).text
        assert "\x1b" not in second and "\x07" not in second and "\x9b" not in second
        assert "\u241b[31mred\u241b[0m" in second
        assert "bell \u2407 and" in second
        assert "C1 \ufffd here." in second
        assert len(second.rstrip()) == len(hostile.split("\n")[1])  # one cell per character

        # Clicking where the "link" text is does nothing (no action was parsed).
        await pilot.click(ArticleView, offset=(first.index("click"), 0))
        await pilot.pause()
        assert app.is_running

        # What the compositor put on screen matches, character for character.
        screen = app.screen._compositor.render_strips()
        assert screen[0].text.startswith(first.rstrip())
        assert screen[1].text.startswith(second.rstrip())

        # Dim ranges are drawn in the dim colour.
        dim = view.get_component_rich_style("article-view--dim").color
        assert view.render_line(0).crop(1, 2)._segments[0].style.color == dim
        assert view.render_line(0).crop(7, 8)._segments[0].style.color != dim


async def test_cjk_lines_wrap_by_cells() -> None:
    cjk = "中文新闻" * 30  # 120 characters, 240 cells
    text = "Latin line first.\n" + cjk + "\nLast."
    app = Host(text)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        width = view.wrap_width
        rows = rows_of(view)
        cjk_rows = rows[1:-1]
        assert "".join(cjk_rows) == cjk
        assert len(cjk_rows) == -(-240 // (width - width % 2))
        assert all(cell_len(row) <= width for row in cjk_rows)
        assert cell_len(cjk_rows[0]) == width - width % 2
        assert cell_len(view.render_line(1).text.rstrip()) == cell_len(cjk_rows[0])
        # j keeps the cell column in a CJK line: column 10 cells is character 5.
        await pilot.press(*["l"] * 10, "j")
        assert view.cursor == len("Latin line first.\n") + 5
        await pilot.press("j")
        assert view.cursor == len("Latin line first.\n") + len(cjk_rows[0]) + 5


def test_layout_offsets_round_trip() -> None:
    text = "alpha beta gamma delta epsilon\n\nzeta 中文 eta theta iota\nkappa"
    layout = TextLayout(text, 9, TERMINAL_CELLS)
    for offset in range(len(text) + 1):
        row = layout.row_of(offset)
        column = layout.column_of(offset, row)
        assert layout.offset_at(row, column) == offset or text[offset] == "\n"
    # a word longer than the row is broken at the edge
    layout = TextLayout("abcdefghijklmnopqrstuvwxyz", 10, TERMINAL_CELLS)
    assert list(layout.rows) == [0, 10, 20]
