"""Where the reading view's cursor goes: word, sentence and paragraph motions, line and page moves,
scrolling it into view, the selection it draws and the steps between find hits.

Every function takes offsets (Python ``str`` indices into the article) and returns offsets; the
view (`reader.tui.widgets.article_view`) holds the cursor and calls these from its key actions.
Motions over the text are regular expressions, searched forward, or backward in growing windows, so
a motion costs what is near the cursor, not the length of the article.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence

from reader.textview.layout import TextLayout

__all__ = [
    "PARAGRAPH_START", "SENTENCE_START", "WORD_START", "half_page_rows", "hit_after", "next_position",
    "page_rows", "previous_position", "scroll_target", "selection_span", "step_hit", "vertical",
    "word_at",
]

# Each pattern's match *end* is a target position.
WORD_START = re.compile(r"(?<=\s)(?=\S)")
SENTENCE_START = re.compile(r"(?:[.!?\u2026][\"'\u2019\u201d\u00bb)\]]*\s+|\n\s*)(?=\S)")
PARAGRAPH_START = re.compile(r"\n[ \t]*\n\s*(?=\S)")
_WORD_CHARS = re.compile(r"\w+")


def next_position(pattern: re.Pattern[str], text: str, offset: int) -> int:
    """The first target after `offset`, or the end of the text."""
    for match in pattern.finditer(text, max(0, offset - 256)):
        if match.end() > offset:
            return match.end()
    return len(text)


def previous_position(pattern: re.Pattern[str], text: str, offset: int) -> int:
    """The last target before `offset`, or 0."""
    window = 2048
    while True:
        low = max(0, offset - window)
        found = -1
        for match in pattern.finditer(text, low, offset):
            if match.end() < offset:
                found = match.end()
        if found > 0:
            return found
        if low == 0:
            return 0
        window *= 4


def word_at(text: str, offset: int) -> tuple[int, int] | None:
    """The span of the word (letters, digits, underscore) holding `offset`, if any (looked for within
    200 characters either side)."""
    low = max(0, offset - 200)
    for match in _WORD_CHARS.finditer(text, low, min(len(text), offset + 200)):
        if match.start() <= offset < match.end():
            return match.start(), match.end()
        if match.start() > offset:
            break
    return None


def vertical(layout: TextLayout, offset: int, rows: int, goal_column: int | None = None) -> tuple[int, int]:
    """A move of `rows` visual rows (down if positive) from `offset`: (where it lands, the goal column).

    The goal column is the cell column the first of consecutive moves started from (pass back what the
    previous move returned): through a short row and out of it, the cursor returns to its column.
    """
    row = layout.row_of(offset)
    if goal_column is None:
        goal_column = layout.column_of(offset, row)
    target = min(max(0, row + rows), len(layout) - 1)
    return layout.offset_at(target, goal_column), goal_column


def page_rows(height: int) -> int:
    """Rows a page move goes in a view `height` rows high (two stay on screen for context)."""
    return max(1, height - 2)


def half_page_rows(height: int) -> int:
    """Rows a half-page move goes."""
    return max(1, height // 2)


def scroll_target(row: int, top: int, height: int, margin: int, *, center: bool = False) -> int | None:
    """The top row that shows `row` in a view of `height` rows now scrolled to `top`, at least `margin`
    rows from either edge (less in a view too short for it); None when it is shown so already.

    With `center` the row goes to the middle whether it is shown or not.
    """
    margin = min(margin, (height - 1) // 2)
    if center:
        target = row - height // 2
    elif row < top + margin:
        target = row - margin
    elif row > top + height - 1 - margin:
        target = row - height + 1 + margin
    else:
        return None
    return max(0, target)


def selection_span(text: str, anchor: int, cursor: int) -> tuple[int, int] | None:
    """The selection between `anchor` and `cursor`, whitespace at either end left out (all of it when
    it is only whitespace); None when they are the same offset."""
    if anchor == cursor:
        return None
    start, end = sorted((anchor, cursor))
    trimmed_start, trimmed_end = start, end
    while trimmed_start < trimmed_end and text[trimmed_start].isspace():
        trimmed_start += 1
    while trimmed_end > trimmed_start and text[trimmed_end - 1].isspace():
        trimmed_end -= 1
    return (trimmed_start, trimmed_end) if trimmed_start < trimmed_end else (start, end)


def hit_after(starts: Sequence[int], offset: int) -> int | None:
    """Index of the first hit (by its start, in text order) at or after `offset`, wrapping to 0; None
    when there are no hits."""
    if not starts:
        return None
    index = bisect_right(starts, offset - 1)
    return index if index < len(starts) else 0


def step_hit(starts: Sequence[int], current: int | None, cursor: int, direction: int) -> int:
    """The hit `n` (direction +1) or `N` (-1) makes current, wrapping around; `starts` is not empty.

    From no current hit, the first hit after the cursor (or the last one before it).
    """
    total = len(starts)
    if current is not None:
        return (current + direction) % total
    if direction > 0:
        index = bisect_right(starts, cursor)
        return index if index < total else 0
    index = bisect_right(starts, cursor - 1) - 1
    return index if index >= 0 else total - 1
