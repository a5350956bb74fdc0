"""reader.textview.spans: overlapping ranges as disjoint pieces, checked against a brute-force count."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from reader.textview.spans import Spans

spans_lists = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=12)


def covering(spans: list[tuple[int, int]], offset: int) -> tuple[int, ...]:
    return tuple(i for i, (start, end) in enumerate(spans) if start <= offset < end)


def test_overlaps_are_cut_into_pieces_that_name_their_spans() -> None:
    spans = Spans([(0, 10), (5, 15), (20, 25)])
    assert list(spans.overlapping(0, 100)) == [(0, 5, (0,)), (5, 10, (0, 1)), (10, 15, (1,)), (20, 25, (2,))]
    assert list(spans.overlapping(7, 22)) == [(7, 10, (0, 1)), (10, 15, (1,)), (20, 22, (2,))]
    assert spans.at(5) == (0, 1) and spans.at(15) == () and spans.at(24) == (2,)
    assert not Spans() and not Spans([(3, 3), (5, 2)]) and Spans([(0, 1)])


@settings(max_examples=300, deadline=None)
@given(spans_lists)
def test_pieces_are_sorted_disjoint_and_cover_what_the_spans_cover(spans: list[tuple[int, int]]) -> None:
    pieces = Spans(spans)
    assert all(start < end for start, end in zip(pieces.starts, pieces.ends))
    assert all(end <= nxt for end, nxt in zip(pieces.ends, pieces.starts[1:]))
    for offset in range(-1, 62):
        assert pieces.at(offset) == covering(spans, offset)


@settings(max_examples=300, deadline=None)
@given(spans_lists, st.integers(-5, 65), st.integers(-5, 65))
def test_overlapping_is_the_pieces_clipped_to_the_range(spans: list[tuple[int, int]], start: int, end: int) -> None:
    pieces = list(Spans(spans).overlapping(start, end))
    for a, b, cover in pieces:
        assert start <= a < b <= end
        assert all(covering(spans, offset) == cover for offset in range(a, b))
    shown = {offset for a, b, _ in pieces for offset in range(a, b)}
    assert shown == {offset for offset in range(start, end) if covering(spans, offset)}
