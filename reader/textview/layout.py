"""Soft-wrapped rows of a text at a width in terminal cells.

Layout is cheap enough for a 20 MB article: the text is split into logical lines once, and each line
becomes one visual row start in a flat `array` of offsets. Lines that fit need no work; lines made only
of one-cell characters are wrapped with `str.rfind` (C speed, one call per row); only lines with wide or
zero-width characters (CJK, emoji, combining marks) measure characters one by one, and then with a
cumulative sum plus `bisect` per row. Mapping a row to an offset is an index, an offset to a row is one
`bisect`.

How many cells a character takes is not decided here: the caller passes the terminal's rule as a
function (the TUI passes Rich's, which also draws the rows), wrapped once in a `CellWidths`.
"""

from __future__ import annotations

import gc
import re
from array import array
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from typing import Callable

from reader.display import DISPLAY_TABLE

__all__ = ["CellWidths", "TextLayout", "display_text"]

# --------------------------------------------------------------------------------------
# Characters as shown on screen (one display character per text character, so offsets
# and cells stay in step): C0/C1 controls, DEL, bidi and zero-width characters must never reach
# the terminal.
# --------------------------------------------------------------------------------------


def display_text(text: str) -> str:
    """Return `text` as drawn: control characters replaced by visible stand-ins.

    The result has exactly the same length as `text` (the table is reader.display's: C0/C1 pictures,
    invisible and bidi characters shown as U+FFFD, one display character per text character).
    """
    return text.translate(DISPLAY_TABLE)


def _character_class(chars: frozenset[str]) -> str:
    ranges: list[list[int]] = []
    for code in sorted(map(ord, chars)):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )


class CellWidths:
    """Cell widths of text as drawn, by one rule of how wide a character is on the terminal.

    `char_width(char)` gives the cells (0, 1 or 2) of one character; it is asked about the character
    as drawn (`display_text`), never about a control or invisible character itself.
    """

    __slots__ = ("char", "_not_single")

    def __init__(self, char_width: Callable[[str], int]) -> None:
        def width(char: str) -> int:
            return char_width(char.translate(DISPLAY_TABLE))

        #: The cells of one character as drawn.
        self.char: Callable[[str], int] = lru_cache(maxsize=8192)(width)
        # Characters below U+3000 drawn exactly one cell wide, as a regex class: a regex scan is ~2x
        # faster than frozenset.issuperset over megabytes of text.
        single = frozenset(
            chr(code) for code in range(0x3000) if code != 0x0A and width(chr(code)) == 1
        )
        self._not_single = re.compile(f"[^{_character_class(single)}]").search

    def all_single(self, text: str) -> bool:
        """True if every character of `text` is drawn one cell wide."""
        return text.isascii() or self._not_single(text) is None

    def of(self, text: str) -> int:
        """Cell width of `text` as drawn."""
        if self.all_single(text):
            return len(text)
        return sum(map(self.char, text))


# --------------------------------------------------------------------------------------
# Layout: visual rows of the text at a given wrap width.
# --------------------------------------------------------------------------------------


class TextLayout:
    """Soft-wrapped rows of `text` at `width` cells, measured by `cells`.

    A row holds at most `width` cells of text, plus possibly one trailing space in
    column `width` (the view is `width + 1` cells wide, so the end-of-line cursor
    always has a cell). Lines break after a space; a word longer than the row is
    broken where it hits the edge.
    """

    __slots__ = ("text", "width", "rows", "cells")

    def __init__(self, text: str, width: int, cells: CellWidths) -> None:
        self.text = text
        self.width = max(1, width)
        self.cells = cells
        # Splitting megabytes into lines allocates many objects at once; the cyclic GC
        # (it has nothing to find here) would otherwise walk the app's heap repeatedly.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.rows: array[int] = _wrap(text, self.width, cells)
        finally:
            if gc_was_enabled:
                gc.enable()

    def __len__(self) -> int:
        return len(self.rows)

    def row_of(self, offset: int) -> int:
        """The visual row holding `offset` (an end-of-line offset is on its line's last row)."""
        return max(0, bisect_right(self.rows, offset) - 1)

    def row_bounds(self, row: int) -> tuple[int, int, bool]:
        """(start, end, ends_line) of a row; `end` excludes the newline.

        `ends_line` is True when the row is the last row of its logical line, i.e. the
        offset `end` (a newline, or the end of the text) is drawn on this row.
        """
        rows = self.rows
        start = rows[row]
        if row + 1 < len(rows):
            nxt = rows[row + 1]
            if self.text[nxt - 1] == "\n":
                return start, nxt - 1, True
            return start, nxt, False
        return start, len(self.text), True

    def last_offset(self, row: int) -> int:
        """The largest offset the cursor may take on `row`."""
        start, end, ends_line = self.row_bounds(row)
        return end if ends_line else max(start, end - 1)

    def column_of(self, offset: int, row: int | None = None) -> int:
        """The cell column of `offset` on its row."""
        if row is None:
            row = self.row_of(offset)
        start = self.rows[row]
        return self.cells.of(self.text[start:offset])

    def offset_at(self, row: int, column: int) -> int:
        """The offset drawn at `column` of `row` (clamped to the row)."""
        row = min(max(0, row), len(self.rows) - 1)
        start = self.rows[row]
        last = self.last_offset(row)
        if column <= 0:
            return start
        segment = self.text[start:last]
        if self.cells.all_single(segment):
            return min(start + column, last)
        char_width = self.cells.char
        cells = 0
        for index, char in enumerate(segment):
            width = char_width(char)
            if cells + width > column:
                return start + index
            cells += width
        return last


def _wrap(text: str, width: int, cells: CellWidths) -> array[int]:
    """Start offsets of the visual rows of `text` wrapped at `width` cells."""
    rows: array[int] = array("q")
    append = rows.append
    all_single = cells.all_single
    half = width // 2
    position = 0
    for line in text.split("\n"):
        length = len(line)
        if length <= half:
            append(position)  # fits even if every character were two cells wide
        elif all_single(line):
            if length <= width:
                append(position)
            else:
                rfind = line.rfind
                start = 0
                # A space may sit in column `width` (the spare cell), unless it is the
                # line's last character: that cell belongs to the end-of-line cursor.
                reach = width + 1
                limit = length - 1
                while length - start > width:
                    append(position + start)
                    stop = start + reach
                    space = rfind(" ", start, stop if stop < limit else limit)
                    start = space + 1 if space > start else start + width
                append(position + start)
        else:
            _wrap_wide(line, position, width, cells.char, append)
        position += length + 1
    return rows


def _wrap_wide(line: str, position: int, width: int, char_width: Callable[[str], int], append) -> None:
    """Wrap a line that holds wide or zero-width characters."""
    cumulative = list(accumulate(map(char_width, line)))
    length = len(line)
    if cumulative[-1] <= width:
        append(position)
        return
    start = 0
    base = 0
    while True:
        end = bisect_right(cumulative, base + width, start)  # chars [start, end) fit
        if end >= length:
            break
        if end <= start:
            end = start + 1  # a single character wider than the row
            next_start = end
        elif line[end] == " " and end + 1 < length:
            next_start = end + 1
        else:
            space = line.rfind(" ", start, end)
            next_start = space + 1 if space > start else end
        append(position + start)
        start = next_start
        base = cumulative[start - 1]
    append(position + start)
