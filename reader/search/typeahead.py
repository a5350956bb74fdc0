"""Type-ahead: fzf-like ranking of short strings (titles, tags, palette entries) as the user types.

:func:`fuzzy_rank` scores every choice per query word (substring > abbreviation > typo) and returns the
spans to underline. :class:`TypeAhead` gives the same answers over a fixed long list (the library's
titles), prepared once, by bounding each choice's score from character and pair counts and scoring
exactly only the choices that can still reach the top. The module stands alone (rapidfuzz, numpy on
first preparation, and :mod:`reader.search.text`), so the command palette and the tag dialogs load it
without the index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from reader.search.text import Span, fold, merge_spans

__all__ = ["fuzzy_rank", "TypeAhead"]


def _opcode_spans(pattern: str, target: str, offset: int = 0) -> list[Span]:
    return [(op.dest_start + offset, op.dest_end + offset)
            for op in LCSseq.opcodes(pattern, target) if op.tag == "equal"]


def _extract(word: str, lows: Sequence[str], idx: Sequence[int], **kwargs) -> Iterable[tuple[str, float, int]]:
    """``process.extract`` over ``lows[i]`` for ``i`` in ``idx`` (all of ``lows`` when it is a range)."""
    if isinstance(idx, range) and idx == range(len(lows)):
        return process.extract(word, lows, limit=None, **kwargs)
    idx = list(idx)
    return ((c, s, idx[j]) for c, s, j in process.extract(word, [lows[i] for i in idx], limit=None, **kwargs))


def _rank_word(word: str, lows: Sequence[str], cutoff: float, subset: Sequence[int] | None = None,
               scorers: tuple[Sequence[int], ...] | None = None,
               subs: dict[int, float] | None = None) -> dict[int, tuple[float, str]]:
    """Score every choice for one query word: substring > abbreviation (subsequence) > typo.

    ``subset``: score only ``lows[i]`` for those ``i`` (each choice's score depends on it alone).
    ``scorers``: the choices to try as (substring, abbreviation, ratio, partial ratio), each holding at
    least every choice that scorer could pass its cutoff on (:class:`TypeAhead` knows from bounds).
    ``subs``: the substring scores already known (:class:`TypeAhead` computes them for its bounds), used
    instead of searching ``scorers[0]``."""
    if scorers is None:
        scorers = (range(len(lows)) if subset is None else subset,) * 4
    sub_idx, abbr_idx, ratio_idx, partial_idx = scorers
    out: dict[int, tuple[float, str]] = {}
    n = len(word)
    if subs is not None:
        out = {i: (s, "sub") for i, s in subs.items()}
        sub_idx = ()
    for i in sub_idx:
        c = lows[i]
        pos = c.find(word)
        if pos != -1:
            boundary = pos == 0 or not c[pos - 1].isalnum()
            s = 90 + (5 if boundary else 0) + 5 * n / max(n, len(c))
            if c == word:
                s = 100.0
            out[i] = (min(100.0, s), "sub")
    # abbreviation: every character of the word, in order (LCS similarity == len(word))
    for c, _, i in _extract(word, lows, abbr_idx, scorer=LCSseq.similarity, score_cutoff=n):
        if i in out:
            continue
        blocks = _opcode_spans(word, c)
        starts = sum(1 for s, _ in blocks if s == 0 or not c[s - 1].isalnum())
        s = 86 - 5 * (len(blocks) - 1) + 3 * starts - 10 * (1 - n / max(n, len(c)))
        out[i] = (max(cutoff, min(89.0, s)) if s >= cutoff else s, "abbr")
    if n >= 3:
        for c, s, i in _extract(word, lows, ratio_idx, scorer=fuzz.ratio, score_cutoff=min(cutoff, 60)):
            if s > out.get(i, (0.0, ""))[0]:
                out[i] = (float(s) * 0.98, "ratio")
        for c, s, i in _extract(word, lows, partial_idx, scorer=fuzz.partial_ratio, score_cutoff=75):
            s = float(s) * 0.9
            if s > out.get(i, (0.0, ""))[0]:
                out[i] = (s, "partial")
    return out


def _word_spans(word: str, choice_low: str, how: str) -> list[Span]:
    if how == "sub":
        pos = choice_low.find(word)
        # prefer an occurrence at a word boundary
        k = pos
        while k != -1:
            if k == 0 or not choice_low[k - 1].isalnum():
                pos = k
                break
            k = choice_low.find(word, k + 1)
        return [(pos, pos + len(word))]
    if how == "abbr" or how == "ratio":
        return _opcode_spans(word, choice_low)
    al = fuzz.partial_ratio_alignment(word, choice_low)
    if al is None:
        return []
    return _opcode_spans(word[al.src_start:al.src_end], choice_low[al.dest_start:al.dest_end], al.dest_start)


Scored = dict[int, tuple[float, list[tuple[str, str]]]]   # choice -> (score, (query part, how) per part)


def _combine(q: str, words: list[str], per_word: list[dict[int, tuple[float, str]]],
             whole: dict[int, tuple[float, str]] | None) -> Scored:
    """A choice's score: its word's (one word); else the mean over the words when it matches every one,
    or the whole query's score when that is at least as high."""
    scores: Scored = {}
    if len(words) == 1:
        for i, (s, how) in per_word[0].items():
            scores[i] = (s, [(words[0], how)])
        return scores
    common = set(per_word[0])
    for pw in per_word[1:]:
        common &= set(pw)
    for i in common:
        s = sum(pw[i][0] for pw in per_word) / len(words)
        scores[i] = (s, [(w, pw[i][1]) for w, pw in zip(words, per_word)])
    for i, (s, how) in (whole or {}).items():
        if s >= scores.get(i, (0.0, []))[0]:
            scores[i] = (s, [(q, how)])
    return scores


def _score(q: str, lows: Sequence[str], cutoff: float, subset: Sequence[int] | None = None) -> Scored:
    words = q.split()
    per_word = [_rank_word(w, lows, cutoff, subset) for w in words]
    whole = _rank_word(q, lows, cutoff, subset) if len(words) > 1 else None
    return _combine(q, words, per_word, whole)


def _ranked(scores: Scored, lows: Sequence[str], cutoff: float,
            limit: int | None) -> list[tuple[int, float, tuple[Span, ...]]]:
    ranked = sorted(((s, i) for i, (s, _) in scores.items() if s >= cutoff), key=lambda t: (-t[0], t[1]))
    if limit is not None:
        ranked = ranked[:limit]
    out: list[tuple[int, float, tuple[Span, ...]]] = []
    for s, i in ranked:
        spans: list[Span] = []
        for w, how in scores[i][1]:
            spans.extend(_word_spans(w, lows[i], how))
        out.append((i, round(s, 2), tuple(merge_spans(sp for sp in spans if sp[0] < sp[1]))))
    return out


def fuzzy_rank(query: str, choices: Sequence[str], *, limit: int | None = None,
               score_cutoff: float = 50) -> list[tuple[int, float, tuple[Span, ...]]]:
    """fzf-like type-ahead over short strings: (index, score 0..100, spans in choices[index]), best first.

    For a long list ranked again and again (the library's titles) :class:`TypeAhead` gives the same
    answer faster."""
    q = fold(query.strip())
    if not q:
        out = [(i, 100.0, ()) for i in range(len(choices))]
        return out[:limit] if limit is not None else out
    lows = [fold(c) for c in choices]
    return _ranked(_score(q, lows, score_cutoff), lows, score_cutoff, limit)


_EPS = 1e-6          # margin on the bounds below: float rounding never prunes a choice that could rank
_NONE = -1e9         # "cannot match this part of the query" in the bound arrays
_PREPARED_BELOW = 2000  # fewer choices than this: scoring them all is as fast as bounding them
_LCS_FIRST = 1000      # this many partial ratios to try or more: sieve them by LCS first
_SEP = "\x00"          # joins the choices for substring search (sanitised text never holds it)


class _Grams:
    """How often each character and each pair of adjacent characters occurs in each choice, for bounds.

    Per gram, the choices holding it (one entry per occurrence) lie in one slice of an array sorted by
    gram, so its counts over every choice are one ``bincount``. Characters get ids by frequency; past the
    255 most frequent they share id 255, which only loosens the bounds (a shared count is never below a
    character's own)."""

    def __init__(self, lows: Sequence[str]) -> None:
        import numpy as np

        self.np = np
        self.n = n = len(lows)
        lens = np.fromiter(map(len, lows), dtype=np.int64, count=n)
        self.lens = lens.astype(np.float64)
        codes = np.frombuffer("".join(lows).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        owner = np.repeat(np.arange(n, dtype=np.uint32), lens)
        freq = np.bincount(codes)
        chars = np.flatnonzero(freq)
        table = np.full(len(freq), 255, dtype=np.uint16)
        table[chars[np.argsort(-freq[chars], kind="stable")[:255]]] = np.arange(min(255, len(chars)))
        self._ids = {chr(c): int(table[c]) for c in chars.tolist()}
        uid = table[codes]
        # For substrings: the choices joined by a separator no query part holds (str.split finds every
        # occurrence in C), and whether each character is alphanumeric (a word boundary before a hit).
        alnum = np.zeros(len(freq), dtype=bool)
        alnum[chars] = [chr(c).isalnum() for c in chars.tolist()]
        self._alnum = alnum[codes]
        del codes
        self._cat_starts = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
        self._big_starts = self._cat_starts + np.arange(n, dtype=np.int64)
        self._big = None if any(_SEP in c for c in lows) else _SEP.join(lows)
        same = owner[:-1] == owner[1:]
        bid = (uid[:-1] << np.uint16(8)) | uid[1:]
        self._uni = self._grouped(uid, owner)
        self._bi = self._grouped(bid[same], owner[:-1][same])
        self._cache: dict[str, object] = {}

    def _grouped(self, keys, owner):
        np = self.np
        order = np.argsort(keys, kind="stable")  # a radix sort: the keys are 16-bit
        starts = np.searchsorted(keys[order], np.arange(65537, dtype=np.uint32))
        return starts, owner[order]

    def count(self, gram: str):
        """Occurrences of a character or of a pair of characters in each choice (at most)."""
        found = self._cache.get(gram)
        if found is None:
            ids = self._ids
            if len(gram) == 1:
                (starts, owner), key = self._uni, ids.get(gram, 255)
            else:
                (starts, owner), key = self._bi, (ids.get(gram[0], 255) << 8) | ids.get(gram[1], 255)
            found = self.np.bincount(owner[starts[key]:starts[key + 1]], minlength=self.n)
            if len(self._cache) >= 256:
                self._cache.pop(next(iter(self._cache)))
            self._cache[gram] = found
        return found

    def substrings(self, u: str):
        """``(choices, scores)``: every choice holding ``u`` and its substring score, as ``_rank_word``
        gives it (position of the first occurrence, a word boundary before it, the lengths); None when the
        joined text cannot be used (a choice or ``u`` holds the separator)."""
        if self._big is None or _SEP in u or not u:
            return None
        np = self.np
        n = len(u)
        pieces = self._big.split(u)
        if len(pieces) == 1:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        before = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))[:-1]
        occ = np.cumsum(before) + np.arange(len(before), dtype=np.int64) * n   # where each occurrence starts
        owner = np.searchsorted(self._big_starts, occ, side="right") - 1
        first = np.ones(len(owner), dtype=bool)
        first[1:] = owner[1:] != owner[:-1]
        who = owner[first]
        pos = occ[first] - self._big_starts[who]
        at = self._cat_starts[who] + pos - 1
        boundary = (pos == 0) | ~self._alnum[np.maximum(at, 0)]
        lens = self.lens[who]
        score = np.minimum(100.0, (90.0 + 5.0 * boundary) + (5 * n) / np.maximum(n, lens))
        score[(pos == 0) & (lens == n)] = 100.0
        return who, score

    def common(self, grams: Counter):
        """Per choice: how many of these grams (a multiset) it holds, at most."""
        total = self.np.zeros(self.n, dtype=self.np.float64)
        for gram, k in grams.items():
            total += self.np.minimum(self.count(gram), k)
        return total


@dataclass
class _Bound:
    upper: object                 # per choice, at least its score for the part (_NONE: no match)
    lower: object                 # per choice, at most its score (_NONE: unknown)
    tries: tuple                  # per scorer of _rank_word, the choices it could pass its cutoff on
    sub: object                   # per choice, its exact substring score (_NONE: not a substring)
    abbr: object                  # per choice, at least its abbreviation, ratio and partial scores
    ratio: object
    partial: object


class TypeAhead:
    """:func:`fuzzy_rank` over a fixed list of choices (the library's titles), prepared once.

    The same results, scores and spans, found by scoring only the choices that can still reach the top
    ``limit``. For each part of the query (each word, and the whole query when it has several words) an
    upper bound of every choice's score comes from counts of characters and of adjacent pairs (numpy
    over all choices at once): a longest common subsequence of ``m`` characters between strings of
    lengths ``a`` and ``b`` needs ``m`` shared characters and at least ``3m - a - b - 1`` shared pairs
    (each gap breaks at most one pair on each side), which caps ``ratio`` and ``partial_ratio`` (every
    window of ``partial_ratio`` is at most as long as the shorter string), and an abbreviation is at most
    ``89`` minus what its blocks and length cost. Substring scores are exact (``str.find`` on the choices
    holding every character and pair). The best-bounded few are scored exactly; that gives a threshold,
    and of the rest only those whose bound reaches it are scored, one query part at a time, with the
    bounds tightened by each exact part (``tests/unit/test_search.py`` checks the results against
    :func:`fuzzy_rank` on random titles).
    """

    def __init__(self, choices: Sequence[str], *, min_prepared: int = _PREPARED_BELOW,
                 first_scored: int | None = None) -> None:
        self.lows = [fold(c) for c in choices]
        self._grams: _Grams | None = None
        # Tests make these small, so that tiny lists are pruned as 100,000 titles are.
        self._min_prepared = min_prepared      # fewer choices than this are all scored
        self._first_scored = first_scored      # how many best-bounded choices to score first (2 limit + 32)

    def __len__(self) -> int:
        return len(self.lows)

    def prepare(self) -> None:
        """Build the counts now (else on the first query): ~50 ms per 10,000 choices."""
        if self._grams is None and self.lows and len(self.lows) >= self._min_prepared:
            self._grams = _Grams(self.lows)

    def rank(self, query: str, *, limit: int | None = None,
             score_cutoff: float = 50) -> list[tuple[int, float, tuple[Span, ...]]]:
        q = fold(query.strip())
        lows = self.lows
        if not q:
            out = [(i, 100.0, ()) for i in range(len(lows))]
            return out[:limit] if limit is not None else out
        self.prepare()
        if self._grams is None or limit is None or len(q) > 255:
            return _ranked(_score(q, lows, score_cutoff), lows, score_cutoff, limit)
        return self._pruned(q, limit, score_cutoff)

    def _pruned(self, q: str, limit: int, cutoff: float) -> list[tuple[int, float, tuple[Span, ...]]]:
        g = self._grams
        assert g is not None
        np = g.np
        words = q.split()
        parts = words + [q] if len(words) > 1 else words
        bounds = [self._bound(u, cutoff) for u in parts]
        upper = [b.upper for b in bounds]

        def final(values: list):  # _combine's rule, on bounds
            if len(words) == 1:
                return values[0]
            return np.maximum(values[-1], sum(values[:-1]) / len(words))

        def exact(k: int, idx, need=None) -> dict[int, tuple[float, str]]:
            """Part k's exact scores on ``idx``. ``need``: per choice of ``idx``, the least score of this
            part that could still bring it to the threshold (or change its final score); a scorer whose
            bound stays below it is skipped. What is recorded then is at most the true score (abbreviation
            and partial only ever raise a score), except that a ratio may lower what a substring or an
            abbreviation gave, so the ratio is kept wherever those were scored."""
            b = bounds[k]
            hit, abbr_ok, ratio_ok, partial_ok = (m[idx] for m in b.tries)
            if need is not None:
                floor = need - _EPS
                abbr_ok = abbr_ok & (b.abbr[idx] >= floor)
                ratio_ok = ratio_ok & (hit | abbr_ok | (b.ratio[idx] >= floor))
                partial_ok = partial_ok & (b.partial[idx] >= floor)
            hits = idx[hit]
            partial = idx[partial_ok]
            if need is not None and len(partial) >= _LCS_FIRST:
                partial = self._lcs_sieve(parts[k], partial, need[partial_ok])
            return _rank_word(parts[k], self.lows, cutoff,
                              scorers=(hits, idx[abbr_ok].tolist(), idx[ratio_ok].tolist(), partial.tolist()),
                              subs=dict(zip(hits.tolist(), b.sub[hits].tolist())))

        def needed(k: int, idx):
            """The least score of part k that matters for each choice of ``idx`` (see ``final``)."""
            if len(words) == 1:
                return np.full(len(idx), threshold)
            if k < len(words):   # through the mean: what the other words (exact or bounded) leave
                return len(words) * threshold - sum(upper[j][idx] for j in range(len(words)) if j != k)
            # the whole query replaces the words' mean when at least as high
            return np.maximum(threshold, sum(upper[j][idx] for j in range(len(words))) / len(words))

        ub = final(upper)
        threshold = cutoff
        lb = final([b.lower for b in bounds])
        sure = lb[lb >= cutoff]
        if len(sure) >= limit:
            threshold = max(threshold, float(np.partition(sure, len(sure) - limit)[len(sure) - limit]))
        alive = np.flatnonzero(ub >= threshold - _EPS)
        # The best-bounded first, scored exactly: their limit-th best score is a floor for the answer's.
        first = min(len(alive), self._first_scored or 2 * limit + 32)
        top = alive[np.argpartition(-ub[alive], first - 1)[:first]] if first < len(alive) else alive
        got = [exact(k, top) for k in range(len(parts))]
        scores = _combine(q, words, got[:len(words)], got[-1] if len(words) > 1 else None)
        best = sorted((s for s, _ in scores.values()), reverse=True)
        if len(best) >= limit:
            threshold = max(threshold, best[limit - 1])
        done = np.zeros(g.n, dtype=bool)
        done[top] = True
        rest = alive[~done[alive]]
        rest = rest[ub[rest] >= threshold - _EPS]
        # Then the rest, one query part at a time: each part's exact scores replace its bounds. The words
        # whose bounds are loosest go first (a word held as a substring is known exactly already); after
        # each, the choices now best bounded are scored whole, which raises the threshold early.
        loose = [int(np.count_nonzero(bounds[k].upper[rest] > bounds[k].lower[rest] + _EPS))
                 for k in range(len(words))]
        order = sorted(range(len(words)), key=lambda k: -loose[k]) + ([len(words)] if len(words) > 1 else [])
        got: list[dict[int, tuple[float, str]]] = [{} for _ in parts]
        for step, k in enumerate(order):
            if not len(rest):
                return _ranked(scores, self.lows, cutoff, limit)
            part = exact(k, rest, needed(k, rest))
            got[k] = part
            upper[k] = np.full(g.n, _NONE)
            if part:
                upper[k][np.fromiter(part, dtype=np.int64, count=len(part))] = \
                    np.fromiter((v[0] for v in part.values()), dtype=np.float64, count=len(part))
            rest = rest[final([b[rest] for b in upper]) >= threshold - _EPS]
            if step + 1 < len(order) and len(rest) > first:
                ub_rest = final([b[rest] for b in upper])
                seeds = rest[np.argpartition(-ub_rest, first - 1)[:first]]
                seeded = [exact(j, seeds) for j in range(len(parts))]
                scores.update(_combine(q, words, seeded[:len(words)], seeded[-1] if len(words) > 1 else None))
                best = sorted((s for s, _ in scores.values()), reverse=True)
                if len(best) >= limit:
                    threshold = max(threshold, best[limit - 1])
                done[seeds] = True
                rest = rest[~done[rest]]
                rest = rest[final([b[rest] for b in upper]) >= threshold - _EPS]
        keep = set(rest.tolist())
        got = [{i: v for i, v in d.items() if i in keep} for d in got]
        scores.update(_combine(q, words, got[:len(words)], got[-1] if len(words) > 1 else None))
        return _ranked(scores, self.lows, cutoff, limit)

    def _lcs_sieve(self, u: str, idx, need):
        """Of the choices ``idx``, those whose partial ratio for ``u`` could reach ``need`` (per choice,
        after the 0.9 that _rank_word applies) and its cutoff of 75, judged by the longest common
        subsequence with the whole choice (bit-parallel in rapidfuzz, several times cheaper than a partial
        ratio). Every window shares at most L = LCS(u, choice) characters with ``u``, so a window of
        ``w`` scores at most 2 min(L, w) / (short + w), which is largest at w = L."""
        np = self._grams.np
        n = len(u)
        short = np.minimum(n, self._grams.lens[idx])
        frac = np.maximum(0.75, need / 90.0)          # the partial ratio (0..1) each choice needs
        least = np.where(frac < 2, frac * short / np.maximum(2 - frac, _EPS), np.inf)
        cut = int(max(0.0, np.floor(float(least.min()) - _EPS))) if len(least) else 0
        lows = self.lows
        common = np.zeros(len(idx))
        for _c, s, j in process.extract(u, [lows[i] for i in idx.tolist()], scorer=LCSseq.similarity,
                                        score_cutoff=cut, limit=None):
            common[j] = s
        m = np.minimum(common, short)
        best = 2.0 * m / np.maximum(short + m, 1)
        return idx[(100.0 * best + _EPS >= 75) & (90.0 * best + _EPS >= need - _EPS)]

    def _bound(self, u: str, cutoff: float) -> "_Bound":
        """Bounds of every choice's score for one query part, by ``_rank_word``'s rules."""
        g = self._grams
        assert g is not None
        np = g.np
        n = len(u)
        lens = g.lens
        cm = g.common(Counter(u))
        pairs = g.common(Counter(u[k:k + 2] for k in range(n - 1)))
        none = np.full(g.n, _NONE)
        # substrings: exact, tried on the choices holding every character and pair of the part
        sub = none.copy()
        found = g.substrings(u)
        if found is not None:
            sub[found[0]] = found[1]
        else:
            lows = self.lows
            for i in np.flatnonzero((cm >= n) & (pairs >= n - 1)).tolist():
                c = lows[i]
                pos = c.find(u)
                if pos != -1:
                    boundary = pos == 0 or not c[pos - 1].isalnum()
                    s = 90 + (5 if boundary else 0) + 5 * n / max(n, len(c))
                    sub[i] = 100.0 if c == u else min(100.0, s)
        hit = sub > _NONE
        # abbreviation: every character in order, in at least n - pairs blocks
        abbr_ok = (cm >= n) & ~hit
        blocks = np.maximum(1, n - pairs)
        abbr = 91 - 2 * blocks - 10 * (1 - n / np.maximum(n, lens)) + _EPS
        abbr = np.where(abbr >= cutoff, np.maximum(cutoff, np.minimum(89.0, abbr)), abbr)
        abbr = np.where(abbr_ok, abbr, _NONE)
        if n >= 3:
            # ratio over the whole choice, counted from its cutoff; it replaces a lower score (compared
            # before its 0.98), so a substring's score may end at 0.98 of itself
            m = np.floor(np.minimum(np.minimum(n, lens), np.minimum(cm, (pairs + n + lens + 1) / 3)))
            ratio = 200.0 * m / np.maximum(n + lens, 1) + _EPS
            ratio_ok = ratio >= min(cutoff, 60)
            ratio = np.where(ratio_ok, 0.98 * ratio, _NONE)
            lower = np.where(hit, np.where(ratio_ok & (ratio / 0.98 > sub), 0.98 * sub, sub), _NONE)
            # partial ratio: windows at most as long as the shorter string; counted from 75
            # A window of ``w`` characters shares at most m(w) = min(w, cm, (pairs + short + w + 1) / 3) of
            # them, floored. Up to w* = min(cm, (pairs + short + 1) / 2, short) that is w itself, so
            # 2 m / (short + w) grows; past w* it is capped by terms that, unfloored, fall with w. So the
            # best window is at most the larger of the exact value at floor(w*) and the unfloored one
            # just past it (no loop over widths).
            short = np.minimum(n, lens)
            top_w = np.maximum(short, 1)
            w1 = np.clip(np.floor(np.minimum(np.minimum(cm, (pairs + short + 1) / 2), short)), 1, top_w)
            m1 = np.floor(np.minimum(np.minimum(w1, cm), (pairs + short + w1 + 1) / 3))
            w2 = np.minimum(w1 + 1, top_w)
            m2 = np.minimum(np.minimum(w2, cm), (pairs + short + w2 + 1) / 3)
            best = np.maximum(2.0 * m1 / (short + w1), 2.0 * m2 / (short + w2))
            best = np.where(short >= 1, best, 0.0)
            partial_ok = (100.0 * best + _EPS >= 75) & ~hit   # at most 90: never above a substring
            partial = np.where(partial_ok, 90.0 * best + _EPS, _NONE)
        else:
            ratio = partial = none
            ratio_ok = partial_ok = np.zeros(g.n, dtype=bool)
            lower = np.where(hit, sub, _NONE)
        upper = np.where(hit, np.maximum(sub, ratio), np.maximum(np.maximum(ratio, partial), abbr))
        return _Bound(upper, lower, (hit, abbr_ok, ratio_ok, partial_ok), sub, abbr, ratio, partial)
