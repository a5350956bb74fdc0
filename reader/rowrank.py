"""Type-ahead ranking of short rows (the annotations browser's filter), with the library search's typo rule.

A row is one folded haystack (title, quote, note and tags of an annotation). A query matches a row when every
one of its words does, in one of three ways, best first:

* as a substring (100, or 97 when it does not start a word): the still-typed last word is therefore also a
  prefix;
* as a word of the row within the typo allowance of :func:`reader.search.allowed_edits` (OSA: a swap of two
  letters is one edit), scored by :func:`reader.search.typo_quality`: "ambsador" finds "ambassador", as in
  the library search;
* for the last word only, as the beginning of a longer word of the row with one typo
  (:func:`reader.search.typo_prefixed`) when it is no word and begins fewer than ``TYPO_PREFIX_BELOW``.

The words of the rows are gathered once per :class:`RowIndex` and only when a word is not found as a
substring, so typing in a browser of thousands of annotations costs one pass of ``str.find`` per word and
one rapidfuzz pass over the vocabulary (in C).
"""

from __future__ import annotations

import bisect
from typing import Iterable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

from reader.search import TYPO_PREFIX_BELOW, WORD_RE, allowed_edits, fold, typo_prefixed, typo_quality

__all__ = ["RowIndex", "Ranked", "rank_rows"]

SUBSTRING = 100.0       # a query word found as a substring at the start of a word of the row
INSIDE = 97.0           # ... inside a word
TYPO_CAP = 64           # at most this many vocabulary words per typed word (closest first)


class Ranked(list):
    """``(row number, score 0..100)`` best first, and ``words``: the row words that matched with a typo
    (for emphasis, beside the query's own words)."""

    words: frozenset[str] = frozenset()


class RowIndex:
    """The rows of a browser, ranked for a query by :meth:`rank`; built once per list of rows."""

    def __init__(self, haystacks: Sequence[str]) -> None:
        self.haystacks = list(haystacks)    # folded (reader.search.fold): offsets stay the text's
        self._postings: dict[str, list[int]] | None = None
        self._by_len: dict[int, list[str]] = {}
        self._sorted: list[str] = []

    def __len__(self) -> int:
        return len(self.haystacks)

    def _vocabulary(self) -> dict[str, list[int]]:
        if self._postings is None:
            postings: dict[str, list[int]] = {}
            for i, h in enumerate(self.haystacks):
                for w in set(WORD_RE.findall(h)):
                    postings.setdefault(w, []).append(i)
            by_len: dict[int, list[str]] = {}
            for w in postings:
                by_len.setdefault(len(w), []).append(w)
            self._postings, self._by_len, self._sorted = postings, by_len, sorted(postings)
        return self._postings

    def _typo_words(self, word: str, last: bool) -> dict[str, float]:
        """Words of the rows that ``word`` matches with a typo: word → score."""
        if WORD_RE.fullmatch(word) is None:
            return {}   # punctuation inside: substrings only
        postings = self._vocabulary()
        out: dict[str, float] = {}
        edits = allowed_edits(word, known=word in postings)
        if edits:
            pool = [w for n in range(len(word) - edits, len(word) + edits + 1) for w in self._by_len.get(n, ())]
            near = process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=TYPO_CAP)
            for cand, dist, _ in near:
                if cand != word:
                    out[cand] = 100.0 * typo_quality(word, int(dist))
        if last and word not in postings:
            vocab = self._sorted
            lo = bisect.bisect_left(vocab, word)
            hi = bisect.bisect_left(vocab, word + "\U0010ffff")
            if hi - lo < TYPO_PREFIX_BELOW:
                for cand, quality in typo_prefixed(word, vocab, lambda w: len(postings[w]), TYPO_CAP):
                    out.setdefault(cand, 100.0 * quality)
        return out

    def rank(self, query: str, among: Iterable[int] | None = None) -> Ranked:
        """Rows (of ``among``, default all) matching every word of ``query``, best first (ties: row order);
        every row, in order, for an empty query."""
        words = fold(query).split()
        pool = list(range(len(self.haystacks))) if among is None else list(among)
        if not words:
            return Ranked((i, 100.0) for i in pool)
        haystacks = self.haystacks
        candidates = pool
        totals: dict[int, float] = dict.fromkeys(pool, 0.0)
        typo_hits: set[str] = set()
        for k, word in enumerate(words):
            scores: dict[int, float] = {}
            for i in candidates:
                h = haystacks[i]
                pos = h.find(word)
                if pos != -1:
                    scores[i] = SUBSTRING if pos == 0 or not h[pos - 1].isalnum() else INSIDE
            if len(scores) < len(candidates):
                typo = self._typo_words(word, last=k == len(words) - 1)
                if typo:
                    wanted = set(candidates) - set(scores)
                    postings = self._vocabulary()
                    for cand, score in typo.items():
                        hit = False
                        for i in postings[cand]:
                            if i in wanted and score > scores.get(i, 0.0):
                                scores[i] = score
                                hit = True
                        if hit:
                            typo_hits.add(cand)
            candidates = [i for i in candidates if i in scores]
            if not candidates:
                return Ranked()
            for i in candidates:
                totals[i] += scores[i]
        out = Ranked(sorted(((i, totals[i] / len(words)) for i in candidates), key=lambda t: (-t[1], t[0])))
        out.words = frozenset(typo_hits)
        return out


def rank_rows(query: str, haystacks: Sequence[str]) -> Ranked:
    """:meth:`RowIndex.rank` over ``haystacks`` at once (folded text, as the browser keeps it)."""
    return RowIndex(haystacks).rank(query)
