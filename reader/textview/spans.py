"""Possibly overlapping ranges of a text, cut into sorted, disjoint pieces for lookup by bisect.

The view draws a row by asking which annotation highlights, find hits, dim ranges and Markdown spans
meet it: one `bisect` per row and per kind, however many ranges the article holds.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterable

__all__ = ["Spans"]


class Spans:
    """Disjoint elementary intervals of possibly overlapping spans.

    Each piece carries the indices of the input spans covering it (ascending). Empty and reversed
    spans cover nothing.
    """

    __slots__ = ("starts", "ends", "covers")

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        events: list[tuple[int, int, int]] = []
        for index, (start, end) in enumerate(spans):
            if end > start:
                events.append((start, 1, index))
                events.append((end, 0, index))
        events.sort()
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.covers: list[tuple[int, ...]] = []
        active: set[int] = set()
        previous = 0
        for position, is_start, index in events:
            if active and position > previous:
                self.starts.append(previous)
                self.ends.append(position)
                self.covers.append(tuple(sorted(active)))
            if is_start:
                active.add(index)
            else:
                active.discard(index)
            previous = position

    def __bool__(self) -> bool:
        return bool(self.starts)

    def overlapping(self, start: int, end: int) -> Iterable[tuple[int, int, tuple[int, ...]]]:
        """Pieces meeting [start, end), clipped to it (none for an empty range)."""
        if end <= start:
            return
        starts, ends, covers = self.starts, self.ends, self.covers
        index = bisect_right(ends, start)
        count = len(starts)
        while index < count and starts[index] < end:
            yield max(start, starts[index]), min(end, ends[index]), covers[index]
            index += 1

    def at(self, offset: int) -> tuple[int, ...]:
        """The indices of the spans covering `offset` (ascending; empty if none)."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return self.covers[index]
        return ()
