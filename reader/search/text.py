"""Text helpers shared by every part of search: length-keeping case folding, words, spans.

Offsets into a folded text are offsets into the original (see :func:`fold`), so every module can match
on the folded text and report spans of the original.
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["Span", "WORD_RE", "WORD_CHAR_RE", "fold", "merge_spans"]

Span = tuple[int, int]

WORD_RE = re.compile(r"\w+")
WORD_CHAR_RE = re.compile(r"\w")


def fold(text: str) -> str:
    """Lower-case ``text`` keeping its length, so that offsets into the result are offsets into ``text``.

    ``str.lower`` is length-preserving except for a few characters (U+0130 "İ" becomes two code points);
    those are mapped to the first character of their lower-case form.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    table = {ord(c): c.lower()[0] for c in set(text) if len(c.lower()) != 1}
    low = text.translate(table).lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower()[:1] or c for c in text)  # pragma: no cover - belt and braces


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """``spans`` sorted, overlapping and touching ones joined."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out

