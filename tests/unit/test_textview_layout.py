"""reader.textview.layout: soft wrap and cell widths, without a terminal (the view's rule is passed in)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings, strategies as st

from reader.display import DISPLAY_TABLE
from reader.textview.layout import CellWidths, TextLayout, display_text


def toy_width(char: str) -> int:
    """A terminal's rule in miniature: combining marks take no cell, East Asian wide ones two."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


CELLS = CellWidths(toy_width)


class MeasuredCells(CellWidths):
    """The same widths, but no text is ever taken to be all one-cell: every line is measured."""

    __slots__ = ()

    def all_single(self, text: str) -> bool:
        return False


MEASURED = MeasuredCells(toy_width)

# Words of one-cell, wide and zero-width characters, spaces (also runs of them) and newlines.
chars = st.sampled_from(list("abcdefghij  \n") + ["中", "文", "\u0301", "\t", "\x1b", "\u202e", "é"])
texts = st.text(chars, max_size=300)
widths = st.integers(min_value=1, max_value=30)


def pieces(layout: TextLayout) -> list[str]:
    """The text of each row, with the newline that ends it (if any)."""
    out = []
    for row in range(len(layout)):
        start, end, ends_line = layout.row_bounds(row)
        out.append(layout.text[start:end] + ("\n" if ends_line and end < len(layout.text) else ""))
    return out


def test_cell_widths_measure_characters_as_drawn() -> None:
    assert CELLS.of("abc") == 3 and CELLS.all_single("abc")
    assert CELLS.of("中文a") == 5 and not CELLS.all_single("中")
    assert CELLS.of("e\u0301") == 1
    # a control character is measured as its picture, never as itself (0 cells by the toy rule's
    # unicodedata would not say; the picture ␛ is one cell)
    assert CELLS.char("\x1b") == toy_width("\x1b".translate(DISPLAY_TABLE)) == 1
    assert display_text("a\x1bb\u202ec") == "a\u241bb\ufffdc"


@settings(max_examples=300, deadline=None)
@given(texts)
def test_display_text_keeps_every_offset(text: str) -> None:
    shown = display_text(text)
    assert len(shown) == len(text)
    assert CELLS.of(text) == sum(toy_width(c) for c in shown)


@settings(max_examples=300, deadline=None)
@given(texts, widths)
def test_wrapping_never_loses_or_reorders_characters(text: str, width: int) -> None:
    layout = TextLayout(text, width, CELLS)
    assert layout.rows[0] == 0
    assert list(layout.rows) == sorted(set(layout.rows))
    assert "".join(pieces(layout)) == text
    assert len(layout) >= text.count("\n") + 1


@settings(max_examples=300, deadline=None)
@given(texts, widths)
def test_every_row_fits_its_width(text: str, width: int) -> None:
    layout = TextLayout(text, width, CELLS)
    for row in range(len(layout)):
        start, end, _ = layout.row_bounds(row)
        shown = text[start:end]
        # one space may sit in the spare cell past the width; a lone character wider than the row
        # is the only other way over it
        fits = CELLS.of(shown.removesuffix(" ")) <= width
        assert fits or end - start == 1, (row, shown)


@settings(max_examples=300, deadline=None)
@given(texts, widths)
def test_offsets_map_round_trip(text: str, width: int) -> None:
    layout = TextLayout(text, width, CELLS)
    previous_row = 0
    for offset in range(len(text) + 1):
        row = layout.row_of(offset)
        assert row >= previous_row  # rows follow the text
        previous_row = row
        start, end, _ = layout.row_bounds(row)
        assert start <= offset <= end
        assert start <= layout.last_offset(row) <= end
        column = layout.column_of(offset, row)
        assert column == layout.column_of(offset)
        back = layout.offset_at(row, column)
        assert layout.column_of(back, row) == column
        # a zero-width character shares its cell with the next offset: the cell names one of them
        shared = (offset < end and CELLS.char(text[offset]) == 0) or (
            offset > start and CELLS.char(text[offset - 1]) == 0)
        if not shared:
            assert back == offset


@settings(max_examples=200, deadline=None)
@given(texts, widths, st.integers(min_value=-5, max_value=80), st.integers(min_value=-5, max_value=80))
def test_offset_at_clamps_to_the_text(text: str, width: int, row: int, column: int) -> None:
    layout = TextLayout(text, width, CELLS)
    offset = layout.offset_at(row, column)
    clamped = min(max(0, row), len(layout) - 1)
    assert layout.rows[clamped] <= offset <= layout.last_offset(clamped)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("abcdefgh    \n")), max_size=300), widths)
def test_the_one_cell_fast_path_wraps_as_measuring_does(text: str, width: int) -> None:
    assert list(TextLayout(text, width, CELLS).rows) == list(TextLayout(text, width, MEASURED).rows)


def test_lines_break_after_a_space_and_long_words_at_the_edge() -> None:
    layout = TextLayout("alpha beta gamma", 8, CELLS)
    assert pieces(layout) == ["alpha ", "beta ", "gamma"]
    # the space in the spare cell (column 10) stays on its row
    assert pieces(TextLayout("abcdefghij klm", 10, CELLS)) == ["abcdefghij ", "klm"]
    assert list(TextLayout("abcdefghijklmnopqrstuvwxyz", 10, CELLS).rows) == [0, 10, 20]
    # wide characters: five to a row of 10 cells, the row never splits one
    assert pieces(TextLayout("中" * 12, 10, CELLS)) == ["中" * 5, "中" * 5, "中" * 2]
    assert pieces(TextLayout("中中a", 1, CELLS)) == ["中", "中", "a"]  # one too wide for the row: alone
    assert pieces(TextLayout("a\n\nb", 5, CELLS)) == ["a\n", "\n", "b"]
    assert len(TextLayout("", 5, CELLS)) == 1


def test_rows_end_at_newlines_or_mid_line() -> None:
    layout = TextLayout("abcd efgh\nij", 5, CELLS)
    assert [layout.row_bounds(r) for r in range(len(layout))] == [(0, 5, False), (5, 9, True), (10, 12, True)]
    assert layout.last_offset(0) == 4 and layout.last_offset(1) == 9
    assert layout.row_of(5) == 1 and layout.row_of(9) == 1 and layout.row_of(10) == 2
