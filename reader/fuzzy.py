"""Approximate substring search with Levenshtein distance (a substitution costs 1), in plain Python.

Myers' bit-parallel algorithm (in Hyyrö's formulation) keeps one column of the edit-distance table as
bit vectors; Python's integers are arbitrary-precision, so a pattern of any length is one "word". One pass
over ``text[lo:hi]`` gives, for every end position, the fewest edits that turn the pattern into some
substring ending there; a second, anchored pass over the reversed text finds where such a substring starts.
This is the idea of the approx-string-match library, written for code points.

The cost is about a microsecond per text character, so callers run it over windows (a few thousand
characters around where a passage is expected), never over a whole large text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Match", "end_errors", "best_starts", "search"]


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    errors: int


def _peq(pattern: str) -> dict[str, int]:
    peq: dict[str, int] = {}
    for i, c in enumerate(pattern):
        peq[c] = peq.get(c, 0) | (1 << i)
    return peq


def end_errors(text: str, pattern: str, lo: int = 0, hi: int | None = None,
               peq: dict[str, int] | None = None) -> list[int]:
    """``out[j]`` = the fewest edits between ``pattern`` and a substring of ``text`` ending at ``lo + j + 1``."""
    hi = len(text) if hi is None else hi
    m = len(pattern)
    if m == 0 or hi <= lo:
        return []
    peq = _peq(pattern) if peq is None else peq
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    out: list[int] = []
    append = out.append
    get = peq.get
    for c in text[lo:hi]:
        eq = get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) & mask            # a search: the match may start anywhere (row 0 is all zeros)
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        append(score)
    return out


def best_starts(text: str, pattern: str, end: int, max_len: int,
                peq_reversed: dict[str, int] | None = None) -> tuple[int, list[int]]:
    """The fewest edits between ``pattern`` and a substring ``text[s:end]`` (``end - s <= max_len``), and every
    ``s`` that achieves it (an anchored pass of the reversed pattern over the reversed text)."""
    m = len(pattern)
    lo = max(0, end - max_len)
    rev = text[lo:end][::-1]
    peq = _peq(pattern[::-1]) if peq_reversed is None else peq_reversed
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    best, where = m + 1, []
    for j, c in enumerate(rev, 1):
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask      # anchored at ``end``: taking j characters costs j with an empty pattern
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        if score < best:
            best, where = score, [end - j]
        elif score == best:
            where.append(end - j)
    return best, where


def search(text: str, pattern: str, max_errors: int) -> list[Match]:
    """Every substring with at most ``max_errors`` edits: for each end where the error count is a local
    minimum, the match ending there (its longest start among the best), like approx-string-match."""
    if not pattern or not text:
        return []
    errors = end_errors(text, pattern)
    out: list[Match] = []
    n = len(errors)
    for j, d in enumerate(errors):
        if d > max_errors:
            continue
        if (j > 0 and errors[j - 1] < d) or (j + 1 < n and errors[j + 1] < d):
            continue
        end = j + 1
        best, starts = best_starts(text, pattern, end, len(pattern) + d)
        if best == d and starts:
            out.append(Match(min(starts), end, d))
    return out
