"""How one typed word matches the words of a vocabulary: its typo budget and the quality of each match.

Shared by the in-memory index (:mod:`reader.search.index`), find-in-article (:mod:`reader.search.find`),
the persistent index (``reader.fulltext``) and the annotations browser's filter (``reader.rowrank``), so a
word tolerates the same typos everywhere.
"""

from __future__ import annotations

import bisect
import heapq
from typing import Callable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

__all__ = ["MAX_FUZZY_VARIANTS", "TYPO_PREFIX_BELOW", "allowed_edits", "typo_quality", "typo_prefixed"]

MAX_FUZZY_VARIANTS = 64     # near spellings kept per word


def allowed_edits(word: str, *, known: bool = False) -> int:
    """The typo allowance of a typed word, one rule for every fuzzy match of words (library search, find in
    an article, the annotations browser): none up to two letters, one up to seven, two from eight. A
    three-letter word gets one only when it is not itself a ``known`` word (``teh`` finds ``the``; ``who``
    is left alone)."""
    n = len(word)
    if n <= 2 or (n == 3 and known):
        return 0
    return 1 if n <= 7 else 2


def typo_quality(word: str, dist: int) -> float:
    """How good a word ``dist`` edits away from the typed ``word`` is, 0.3..1 (1: the word itself)."""
    return max(0.3, 1.0 - 1.5 * dist / max(1, len(word)))


TYPO_PREFIX_BELOW = 3  # a still-typed word that is no word and begins fewer words than this: also typo+prefix


def typo_prefixed(word: str, vocab: Sequence[str], frequency: Callable[[str], int], cap: int
                  ) -> list[tuple[str, float]]:
    """Longer words of the sorted ``vocab`` whose beginning is one typo (OSA) away from ``word``, the
    still-typed last word of a query: ``elcetri`` finds ``electricity``. The first letter is taken as typed
    (that keeps the pool to one slice of the vocabulary); a letter too many only from six letters on. The
    ``cap`` most frequent, with a quality below a plain prefix's and a whole word's one typo away."""
    if len(word) < 4:
        return []
    lo = bisect.bisect_left(vocab, word[0])
    hi = bisect.bisect_left(vocab, word[0] + "\U0010ffff")
    found: dict[str, float] = {}
    sizes = (len(word) - 1, len(word), len(word) + 1) if len(word) >= 6 else (len(word), len(word) + 1)
    for size in sizes:
        pool: dict[str, list[str]] = {}
        for w in vocab[lo:hi]:
            if len(w) > size:
                pool.setdefault(w[:size], []).append(w)
        for prefix, dist, _ in process.extract(word, list(pool), scorer=OSA.distance, score_cutoff=1, limit=None):
            if dist == 0 and size == len(word):
                continue  # a plain prefix
            for cand in pool[prefix]:
                found.setdefault(cand, 0.3 + 0.25 * size / len(cand))  # below a whole word one typo away
    best = heapq.nlargest(cap, found, key=lambda w: (frequency(w), found[w]))
    return [(w, found[w]) for w in best]
