"""reader.textview.motions: where each motion of the reading view lands, without a terminal."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import assume, given, settings, strategies as st

from reader.textview.layout import CellWidths, TextLayout
from reader.textview.motions import (
    PARAGRAPH_START, SENTENCE_START, WORD_START, half_page_rows, hit_after, next_position, page_rows,
    previous_position, scroll_target, selection_span, step_hit, vertical, word_at,
)

PATTERNS = [WORD_START, SENTENCE_START, PARAGRAPH_START]
CELLS = CellWidths(lambda c: 0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1)

# Prose in miniature: words, sentence ends with closing quotes, blank lines, indents, wide characters.
prose = st.text(st.sampled_from(list("ab cd.!?\"')\n\t") + ["\u2026", "\u201d", "中", "\u0301", " "]),
                max_size=200)
patterns = st.sampled_from(PATTERNS)


def targets(pattern: re.Pattern[str], text: str) -> list[int]:
    """Every target of `pattern` in `text`, from one scan of the whole text."""
    return [m.end() for m in pattern.finditer(text)]


def test_motions_land_on_words_sentences_and_paragraphs() -> None:
    text = "One two. “Three” four!  Five\n\n  Six seven.\nEight"
    assert next_position(WORD_START, text, 0) == 4
    assert next_position(SENTENCE_START, text, 0) == text.index("“")
    assert next_position(SENTENCE_START, text, text.index("“")) == text.index("Five")
    assert next_position(PARAGRAPH_START, text, 0) == text.index("Six")
    assert next_position(SENTENCE_START, text, text.index("Six")) == text.index("Eight")
    assert previous_position(WORD_START, text, text.index("four")) == text.index("“")
    assert previous_position(PARAGRAPH_START, text, len(text)) == text.index("Six")
    assert previous_position(PARAGRAPH_START, text, text.index("Six")) == 0
    assert next_position(WORD_START, text, len(text)) == len(text)
    assert previous_position(WORD_START, text, 0) == 0


@settings(max_examples=400, deadline=None)
@given(patterns, prose, st.data())
def test_forward_motions_go_to_the_next_target_in_bounds(pattern, text: str, data) -> None:
    offset = data.draw(st.integers(0, len(text)))
    landed = next_position(pattern, text, offset)
    assert offset <= landed <= len(text)
    assert landed > offset or offset == len(text)
    assert landed == min([t for t in targets(pattern, text) if t > offset], default=len(text))


@settings(max_examples=400, deadline=None)
@given(patterns, prose, st.data())
def test_backward_motions_go_to_the_previous_target_in_bounds(pattern, text: str, data) -> None:
    offset = data.draw(st.integers(0, len(text)))
    landed = previous_position(pattern, text, offset)
    assert 0 <= landed <= offset
    assert landed < offset or offset == 0
    assert landed == max([t for t in targets(pattern, text) if t < offset], default=0)


@settings(max_examples=300, deadline=None)
@given(patterns, prose, st.data())
def test_motions_are_monotonic(pattern, text: str, data) -> None:
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    assert next_position(pattern, text, a) <= next_position(pattern, text, b)
    assert previous_position(pattern, text, a) <= previous_position(pattern, text, b)


@settings(max_examples=300, deadline=None)
@given(prose, st.data())
def test_word_at_is_the_whole_word_under_the_offset(text: str, data) -> None:
    offset = data.draw(st.integers(0, len(text)))
    span = word_at(text, offset)
    if span is None:
        assert offset == len(text) or not re.match(r"\w", text[offset])
    else:
        start, end = span
        assert start <= offset < end
        assert re.fullmatch(r"\w+", text[start:end])
        assert start == 0 or not re.match(r"\w", text[start - 1])
        assert end == len(text) or not re.match(r"\w", text[end])


@settings(max_examples=300, deadline=None)
@given(prose, st.integers(1, 12), st.integers(-30, 30), st.data())
def test_vertical_moves_land_on_the_target_row(text: str, width: int, rows: int, data) -> None:
    layout = TextLayout(text, width, CELLS)
    offset = data.draw(st.integers(0, len(text)))
    landed, goal = vertical(layout, offset, rows)
    row = layout.row_of(offset)
    assert goal == layout.column_of(offset, row)
    assert 0 <= landed <= len(text)
    assert layout.row_of(landed) == min(max(0, row + rows), len(layout) - 1)
    # the goal column is kept: at most that column on the row it lands on
    assert layout.column_of(landed) <= goal or landed == layout.rows[layout.row_of(landed)]
    # moving down never goes up a row, up never down
    if rows >= 0:
        assert layout.row_of(landed) >= row
    else:
        assert layout.row_of(landed) <= row
    # a goal column passed in is kept across moves
    again, kept = vertical(layout, landed, rows, goal)
    assert kept == goal


def test_vertical_keeps_the_goal_column_through_a_short_row() -> None:
    layout = TextLayout("a long first line\nab\nanother long line", 40, CELLS)
    offset, goal = vertical(layout, 10, 1)
    assert (offset, goal) == (len("a long first line\n") + 2, 10)  # the end of "ab"
    offset, goal = vertical(layout, offset, 1, goal)
    assert offset == len("a long first line\nab\n") + 10


def test_page_sizes() -> None:
    assert [page_rows(h) for h in (1, 2, 3, 24)] == [1, 1, 1, 22]
    assert [half_page_rows(h) for h in (1, 2, 3, 24)] == [1, 1, 1, 12]


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 60), st.integers(0, 5), st.booleans())
def test_scrolling_brings_the_row_into_view(row: int, top: int, height: int, margin: int, center: bool) -> None:
    target = scroll_target(row, top, height, margin, center=center)
    if target is None:
        assert not center and top <= row < top + height
        return
    assert target >= 0
    assert target <= row < target + height
    keep = min(margin, (height - 1) // 2)
    if not center:
        assert row - target >= min(keep, row)  # the margin above, unless the text's top is nearer
        assert target + height - 1 - row >= keep or row < top + keep
    # once there, nothing more to do
    assert scroll_target(row, target, height, margin) is None or row < keep


@settings(max_examples=300, deadline=None)
@given(prose, st.data())
def test_selection_leaves_out_whitespace_at_its_ends(text: str, data) -> None:
    anchor = data.draw(st.integers(0, len(text)))
    cursor = data.draw(st.integers(0, len(text)))
    span = selection_span(text, anchor, cursor)
    if anchor == cursor:
        assert span is None
        return
    assert span is not None
    start, end = span
    low, high = sorted((anchor, cursor))
    assert low <= start < end <= high
    inner = text[start:end]
    if text[low:high].strip():
        assert inner == inner.strip() and inner.strip() == text[low:high].strip()
    else:
        assert (start, end) == (low, high)  # only whitespace: all of it


def test_hits_step_and_wrap() -> None:
    starts = [5, 20, 40]
    assert hit_after([], 3) is None
    assert [hit_after(starts, o) for o in (0, 5, 6, 20, 41)] == [0, 0, 1, 1, 0]
    assert step_hit(starts, 2, 0, +1) == 0 and step_hit(starts, 0, 0, -1) == 2
    assert step_hit(starts, None, 5, +1) == 1  # the first hit *after* the cursor
    assert step_hit(starts, None, 5, -1) == 2  # … and the last one before it, wrapping
    assert step_hit(starts, None, 50, +1) == 0 and step_hit(starts, None, 21, -1) == 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=10, unique=True).map(sorted),
       st.integers(-1, 101), st.sampled_from([1, -1]), st.data())
def test_hit_steps_stay_among_the_hits(starts: list[int], cursor: int, direction: int, data) -> None:
    current = data.draw(st.none() | st.integers(0, len(starts) - 1))
    index = step_hit(starts, current, cursor, direction)
    assert 0 <= index < len(starts)
    if current is not None:
        assert index == (current + direction) % len(starts)
    elif direction > 0:
        after = [i for i, s in enumerate(starts) if s > cursor]
        assert index == (after[0] if after else 0)
    else:
        before = [i for i, s in enumerate(starts) if s < cursor]
        assert index == (before[-1] if before else len(starts) - 1)
    first = hit_after(starts, cursor)
    at_or_after = [i for i, s in enumerate(starts) if s >= cursor]
    assert first == (at_or_after[0] if at_or_after else 0)
