"""Selectors for a passage of an article, and re-anchoring them after the article changed.

A passage is described the way web annotation tools describe it: a position (``start``/``end``, code-point
offsets into the text) and a quote with up to ``CONTEXT`` characters of context on each side. When the text
changes, :func:`anchor` looks for the passage again and says how sure it is:

1. the quote sits at its old offsets *and* its old context is still around it → ``"anchored"``,
   confidence 1 (offsets alone are not trusted: the same words may now sit there in another sentence;
   with one side of the context intact it stays ``"anchored"``, with a lower confidence);
2. otherwise every candidate is scored together: exact occurrences of the quote (``str.find``),
   occurrences up to whitespace and quote marks (re-wrapped lines, straightened quotes) and approximate ones (Levenshtein distance, a substitution costs 1, found with Myers' bit-parallel search in
   :mod:`reader.fuzzy`) in windows around the old position, around where pieces of the quote or of its
   context still occur, then over the whole text. A candidate's rank is quote 50 / prefix 20 / suffix 20 /
   position 2 (a quote shorter than 32 characters weighs less, its context more), all weighed before any
   threshold, so a passage edited in place with its context intact beats the same words elsewhere;
3. the best candidate is accepted when its quote is close enough (at most half of it edited when its
   context is there, fewer edits when it is not: ``allowed_errors``) and, when the quote's old context now
   meets around (at most half of) what is left of it, candidates elsewhere only if the quote is distinct
   (16 characters or more) and survives nearly whole, or has its own context; a short quote that occurs
   more than once needs its context (``_needed_context``); and the overall confidence must reach
   ``MIN_CONFIDENCE`` (0.5). Else → ``"orphaned"`` (reported, never deleted here).

Among equally good spans the one whose edges fall where the quote's did (on a word boundary, or not) wins:
"some years later" finds "Many years later", not " years later".

Every anchor has a ``confidence`` in 0..1: the quote, prefix and suffix similarity (those that exist),
weighted 50/20/20. 1.0 means the quote and its context are unchanged. An anchor below ``REVIEW_BELOW``
(0.9) is to be reviewed by the user, never silently taken as right: for example a quote with one of its
five characters edited, or an unchanged quote whose context is gone.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from reader import fuzzy
from reader.records import CONTEXT

__all__ = [
    "CONTEXT", "REVIEW_BELOW", "Selectors", "Anchor", "describe", "find_occurrences", "find_occurrence",
    "anchor", "anchor_record", "allowed_errors",
]

W_QUOTE, W_PREFIX, W_SUFFIX, W_POSITION = 50.0, 20.0, 20.0, 2.0
MIN_CONFIDENCE = 0.5        # below this overall evidence a candidate is never accepted
REVIEW_BELOW = 0.9          # confidence under this: reported for review (see the module docstring)
EXACT_ENOUGH = 0.97         # an exact quote whose context is this close: no edited copy can rank higher
CONVINCING = 0.9            # a candidate this good near the old position ends the search early
MAX_EXACT = 2000            # exact occurrences scored one by one; beyond this a shortlist is scored
MAX_SEED_HITS = 64          # a piece of the quote found more often than this says nothing
NEAR = 4000                 # how far around the old position the near search looks (plus 2 quote lengths)
FULL_SCAN = 60_000          # a region up to this long is scanned whole when the pieces found nothing good
MAX_ENDS = 48               # candidate end positions kept per scanned window
SLACK = 4                   # the context may have grown or shrunk by this many characters
DELETED_MIN_QUOTE = 0.8     # quote similarity needed elsewhere when its old place holds something else


# Characters that editors and CMSs swap for one another, each mapped to one of its kind (typographic and
# straight quotes, dashes, every kind of whitespace).
_LOOSE = str.maketrans({**{c: "'" for c in "\u2018\u2019\u201b`\u00b4"}, **{c: '"' for c in "\u201c\u201d\u201e\u00ab\u00bb"},
                        **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014"},
                        **{c: " " for c in "\t\n\r\x0b\x0c\u00a0\u2028\u2029"}})


def _squeeze(text: str) -> str:
    """``text`` with quote marks and dashes of one kind and every run of whitespace one space (a space at
    either end is kept: it is part of what touches the quote)."""
    mapped = text.translate(_LOOSE)
    out = " ".join(mapped.split())
    if mapped[:1] == " ":
        out = " " + out
    if mapped[-1:] == " " and out[-1:] != " ":
        out += " "
    return out


_loose_cache: list[tuple[str, str]] = []


def _loose_text(text: str) -> str:
    """``text`` mapped by ``_LOOSE`` (the same length), remembered for the last few texts: re-anchoring the
    annotations of one article maps its text once."""
    for original, mapped in _loose_cache:
        if original is text:
            return mapped
    mapped = text.translate(_LOOSE)
    _loose_cache.insert(0, (text, mapped))
    del _loose_cache[4:]
    return mapped


@dataclass(frozen=True, slots=True)
class Selectors:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str

    def fields(self) -> dict[str, int | str]:
        """The record fields these selectors set: ``start``, ``end``, ``quote``, ``prefix``, ``suffix``."""
        return {"start": self.start, "end": self.end, "quote": self.quote, "prefix": self.prefix,
                "suffix": self.suffix}


@dataclass(frozen=True, slots=True)
class Anchor:
    status: str            # "anchored" | "moved" | "orphaned"
    start: int | None
    end: int | None
    quote: str | None      # the text now at start:end
    confidence: float      # 1.0 quote and context unchanged; lower when edited; 0.0 orphaned

    @property
    def found(self) -> bool:
        return self.status != "orphaned"

    @property
    def score(self) -> float:          # the name before issue 10
        return self.confidence

    @property
    def review(self) -> bool:
        """Found, but not surely enough to be taken as right without the user's look."""
        return self.found and self.confidence < REVIEW_BELOW


_ORPHAN = Anchor("orphaned", None, None, None, 0.0)
_WHOLE = Anchor("anchored", None, None, "", 1.0)


def describe(text: str, start: int, end: int) -> Selectors:
    """The selectors of ``text[start:end]``: the quote and up to ``CONTEXT`` characters each side."""
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer offset, not {type(value).__name__}")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"bad range {start}..{end} for a text of {len(text)} characters")
    return Selectors(start=start, end=end, quote=text[start:end],
                     prefix=text[max(0, start - CONTEXT):start], suffix=text[end:end + CONTEXT])


def find_occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every exact occurrence of ``quote``, overlapping ones included."""
    if not quote:
        return []
    out: list[int] = []
    find = text.find
    i = find(quote)
    while i >= 0:
        out.append(i)
        i = find(quote, i + 1)
    return out


def find_occurrence(text: str, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
    """``(start, end)`` of the ``occurrence``-th (counted from 1) exact occurrence, or None past the last."""
    if isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1:
        raise ValueError(f"occurrence must be a whole number from 1, not {occurrence!r}")
    if not quote:
        return None
    i = -1
    for _ in range(occurrence):
        i = text.find(quote, i + 1)
        if i < 0:
            return None
    return i, i + len(quote)


def anchor_record(text: str, record: dict[str, Any]) -> Anchor:
    """Re-anchor a stored record (see ``reader.records``); a whole-article record is always anchored."""
    if record.get("start") is None:
        return _WHOLE
    return anchor(text, quote=record.get("quote") or "", prefix=record.get("prefix") or "",
                  suffix=record.get("suffix") or "", start=record.get("start"), end=record.get("end"))


def allowed_errors(size: int, context: float) -> int:
    """Most edits accepted in a quote of ``size`` characters: half of it when its context (0..1, the mean
    similarity of the prefix and suffix that exist) is there, fewer when it is weak or absent."""
    if context >= 0.75:
        return max(0, min(size // 2, size - 2))      # at least two characters must survive
    return max(size // 2 - 2, 1 if size >= 4 else 0)


def _needed_context(size: int) -> float:
    """Least context similarity (when the selectors have context) for a quote of ``size`` characters: a
    two-letter word needs most of its context, a quote of 16 characters or more none (one or two
    characters need more: ``_Search._adjacent``)."""
    return max(0.0, 0.6 * (1.0 - size / 16))


def anchor(text: str, *, quote: str, prefix: str = "", suffix: str = "",
           start: int | None = None, end: int | None = None) -> Anchor:
    """Find the passage described by the selectors in ``text`` (which may have changed since)."""
    if not quote:
        return _WHOLE
    if not text:
        return _ORPHAN
    size = len(quote)
    prefix, suffix = prefix[-CONTEXT:], suffix[:CONTEXT]
    hint: int | None = None
    if isinstance(start, int) and not isinstance(start, bool) and start >= 0:
        hint = min(start, len(text))
        if text.startswith(quote, hint):
            left, right = _context_exact(text, hint, hint + size, prefix, suffix)
            if left and right:
                return Anchor("anchored", hint, hint + size, quote, 1.0)
            if left or right:
                # Still in place with one side of its context intact: an edit touched the other side only.
                return Anchor("anchored", hint, hint + size, quote,
                              _Search(text, quote, prefix, suffix, hint).confidence(hint, hint + size))
    best = _Search(text, quote, prefix, suffix, hint).run()
    if best is None:
        return _ORPHAN
    s, e, conf = best
    if hint is not None:
        status = "anchored" if (s, e) == (hint, hint + size) and text[s:e] == quote else "moved"
    else:
        status = "anchored" if conf >= 1.0 else "moved"
    return Anchor(status, s, e, text[s:e], conf)


def _context_exact(text: str, s: int, e: int, prefix: str, suffix: str) -> tuple[bool, bool]:
    return text[max(0, s - len(prefix)):s] == prefix, text[e:e + len(suffix)] == suffix


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Search:
    """All candidates for one passage, scored together."""

    def __init__(self, text: str, quote: str, prefix: str, suffix: str, hint: int | None) -> None:
        self.text, self.quote, self.prefix, self.suffix, self.hint = text, quote, prefix, suffix, hint
        self.n, self.m = len(text), len(quote)
        self.max_errors = max(1, self.m // 2)
        self._peqs: tuple[dict[str, int], dict[str, int]] | None = None
        self.seen: dict[tuple[int, int], tuple] = {}
        self.scanned: list[tuple[int, int]] = []
        self.best: tuple | None = None
        self.exact: list[int] = []
        self.best_in_context = False
        # Where each edge of the quote falls: on a word boundary or inside a word (unknown edges: boundary).
        q0, q1 = quote[0], quote[-1]
        self.left_boundary = not _is_word(q0) or not prefix or not _is_word(prefix[-1])
        self.right_boundary = not _is_word(q1) or not suffix or not _is_word(suffix[0])
        self.frame: tuple[int, int] | None = None
        # In the ranking a short quote's own similarity says less than its 64 characters of context
        # ("of" occurs everywhere): its weight grows with its length up to W_QUOTE at 32 characters.
        self.informative = len(prefix) + len(suffix) >= 16     # enough context to tell places apart
        self.quote_weight = W_QUOTE * min(1.0, (self.m + 8) / (CONTEXT + 8))

    # -- the driver --------------------------------------------------------------------------------------

    def run(self) -> tuple[int, int, float] | None:
        text, quote, m, n = self.text, self.quote, self.m, self.n
        self.exact = self._exact_starts()
        self.frame = self._frame()
        for s in self.exact:
            self._consider(s, s + m, 0)
        if self.best is not None and self.best[1] >= EXACT_ENOUGH:
            return self._result()
        # Re-wrapped lines, collapsed spaces and straightened quotes leave the words as they were: a
        # regular expression finds those (in C) before any approximate search.
        self._loose()
        if self.best is not None and self.best[1] >= EXACT_ENOUGH:
            return self._result()
        regions = []
        if self.hint is not None:
            radius = NEAR + 2 * m
            regions.append((max(0, self.hint - radius), min(n, self.hint + m + radius)))
        regions.append((0, n))
        slack = min(self.max_errors, 8 + m // 8) + 8     # a lightly edited passage, near where it is expected
        for lo, hi in regions:
            starts = self._estimates(lo, hi) + ([self.hint] if self.hint is not None else [])
            # Where the quote itself is, a fuzzy variant could only be a worse span of the same place.
            starts = [est for est in starts if not self._overlaps_exact(est, est + m)]
            windows = sorted((max(0, est - slack), min(n, est + m + slack)) for est in starts)
            merged: list[list[int]] = []
            for a, b in windows:
                if merged and a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            # Most promising first (the estimates are ordered by how many pieces agree, then by closeness);
            # a nearly exact match with its context ends the search.
            order = {}
            for rank, est in enumerate(starts):
                for k, (a, b) in enumerate(merged):
                    if a <= max(0, est - slack) and min(n, est + m + slack) <= b:
                        order.setdefault(k, rank)
            for k in sorted(range(len(merged)), key=lambda k: order.get(k, len(starts))):
                self._window(*merged[k])
                if self.best is not None and (self.best[1] >= EXACT_ENOUGH or self.best_in_context):
                    return self._result()
            if self._convincing():
                return self._result()
            if hi - lo <= FULL_SCAN:
                self._window(lo, hi)
                if self._convincing():
                    return self._result()
        return self._result()

    def _convincing(self) -> bool:
        return self.best is not None and self.best[1] >= CONVINCING

    def _result(self) -> tuple[int, int, float] | None:
        if self.best is None:
            return None
        _key, conf, s, e = self.best
        return s, e, round(conf, 6)

    # -- candidates --------------------------------------------------------------------------------------

    def _loose(self) -> None:
        """Occurrences of the quote up to whitespace and quote-mark variants (a one-for-one mapping, so
        offsets stay those of the text)."""
        quote = self.quote
        if len(quote) < 4:
            return
        canonical = quote.translate(_LOOSE)
        lo, hi = 0, self.n
        if self.hint is not None and self.n > 2 * NEAR:
            lo, hi = max(0, self.hint - NEAR), min(self.n, self.hint + self.m + NEAR)
        region = _loose_text(self.text)
        i, count = region.find(canonical, lo, hi), 0
        while i >= 0 and count < MAX_SEED_HITS:
            s, e = i, i + self.m
            if self.text[s:e] != quote:
                self._consider(s, e, Levenshtein.distance(quote, self.text[s:e]))
            i = region.find(canonical, i + 1, hi)
            count += 1

    def _exact_starts(self) -> list[int]:
        text, quote = self.text, self.quote
        starts: list[int] = []
        i = text.find(quote)
        while i >= 0 and len(starts) <= MAX_EXACT:
            starts.append(i)
            i = text.find(quote, i + 1)
        if len(starts) > MAX_EXACT:
            starts = self._shortlist(starts[:MAX_EXACT // 4])
        return starts

    def _shortlist(self, first: list[int]) -> list[int]:
        """Too many occurrences to score them all: those nearest the old position and those with some of
        the old context, each found directly with ``str.find``/``str.rfind``."""
        text, quote, size = self.text, self.quote, self.m
        half = MAX_EXACT // 4
        keep: set[int] = set(first)
        if self.hint is not None:
            i, count = text.find(quote, self.hint), 0
            while i >= 0 and count < half:
                keep.add(i)
                count += 1
                i = text.find(quote, i + 1)
            j, count = text.rfind(quote, 0, self.hint + size - 1), 0
            while j >= 0 and count < half:
                keep.add(j)
                count += 1
                j = text.rfind(quote, 0, j + size - 1)
        for before, after in ((self.prefix[-8:], ""), ("", self.suffix[:8]), (self.prefix[-8:], self.suffix[:8])):
            if not before and not after:
                continue
            probe = before + quote + after
            i, count = text.find(probe), 0
            while i >= 0 and count < half:
                keep.add(i + len(before))
                count += 1
                i = text.find(probe, i + 1)
        return sorted(keep)

    def _estimates(self, lo: int, hi: int) -> list[int]:
        """Likely starts of the passage in ``text[lo:hi]``: where pieces of the quote (by the pigeonhole
        principle, k edits leave one of k+1 pieces intact) or the ends of its context still occur."""
        text, quote, m = self.text, self.quote, self.m
        pieces = min(16, m // 8 + 1) if m >= 8 else 1
        length = m // pieces
        probes: list[tuple[str, int]] = []
        if length >= 4:
            probes += [(quote[k * length:(k + 1) * length], k * length) for k in range(pieces)]
        if len(self.prefix) >= 6:
            tail = self.prefix[-12:]
            probes.append((tail, -len(tail)))
        if len(self.suffix) >= 6:
            head = self.suffix[:12]
            probes.append((head, m))
        votes: dict[int, int] = {}
        for piece, offset in probes:
            found: list[int] = []
            i = text.find(piece, lo, hi)
            while i >= 0 and len(found) <= MAX_SEED_HITS:
                found.append(i)
                i = text.find(piece, i + 1, hi)
            if len(found) > MAX_SEED_HITS:
                continue
            for i in found:
                est = i - offset
                key = est // 8
                votes[key * 8] = votes.get(key * 8, 0) + 1
        hint = self.hint if self.hint is not None else 0
        ordered = sorted(votes, key=lambda est: (-votes[est], abs(est - hint)))
        return ordered[:24]

    def _window(self, lo: int, hi: int) -> None:
        """Every approximate match of the quote in ``text[lo:hi]`` that could be the passage."""
        lo, hi = max(0, lo), min(self.n, hi)
        if hi - lo < 1:
            return
        for a, b in self.scanned:
            if a <= lo and hi <= b:
                return
        self.scanned.append((lo, hi))
        peq, peq_reversed = self._bitmasks()
        errors = fuzzy.end_errors(self.text, self.quote, lo, hi, peq)
        k = self.max_errors
        count = len(errors)
        ends: list[tuple[int, int]] = []
        for j, d in enumerate(errors):
            if d > k:
                continue
            if (j > 0 and errors[j - 1] < d) or (j + 1 < count and errors[j + 1] < d):
                continue
            ends.append((d, lo + j + 1))
        ends.sort()
        ends = ends[:MAX_ENDS]
        for d, e in ends:
            if self.best is not None and self._upper_bound(d) < self.best[0][0]:
                continue
            best, starts = fuzzy.best_starts(self.text, self.quote, e, self.m + d, peq_reversed)
            for s in starts:
                if s < e:
                    self._consider(s, e, best)

    def _bitmasks(self) -> tuple[dict[str, int], dict[str, int]]:
        if self._peqs is None:
            self._peqs = (fuzzy._peq(self.quote), fuzzy._peq(self.quote[::-1]))
        return self._peqs

    def _upper_bound(self, errors: int) -> float:
        q = 1.0 - errors / self.m
        wq = self.quote_weight
        return (wq * q + W_PREFIX + W_SUFFIX + W_POSITION) / (wq + W_PREFIX + W_SUFFIX + W_POSITION)

    # -- scoring -----------------------------------------------------------------------------------------

    def _consider(self, s: int, e: int, errors: int) -> None:
        if (s, e) in self.seen:
            return
        text, m = self.text, self.m
        # An approximate span never starts or ends on whitespace the quote does not have.
        if errors:
            while s < e and text[s].isspace() and not self.quote[0].isspace():
                s += 1
            while e > s and text[e - 1].isspace() and not self.quote[-1].isspace():
                e -= 1
            if e <= s:
                return
            errors = Levenshtein.distance(self.quote, text[s:e])
            # The quote itself is there, overlapping: a fuzzy variant of the same place is only a worse span.
            if self._overlaps_exact(s, e):
                return
        self.seen[(s, e)] = ()
        q = max(0.0, 1.0 - errors / m)
        p = self._prefix(s) if self.prefix else None
        x = self._suffix(e) if self.suffix else None
        lp, lx = (len(self.prefix) if p is not None else 0), (len(self.suffix) if x is not None else 0)
        context = ((p or 0.0) * lp + (x or 0.0) * lx) / (lp + lx) if lp + lx else 0.0
        if errors > allowed_errors(m, context):
            return
        if self.informative and len(self.exact) != 1:
            # A short, repeated quote is common words: without its context it is not the passage.
            if context < _needed_context(m) or (m <= 2 and (context < 0.75 or not self._adjacent(s, e))):
                return
        if self.frame is not None:
            lo, hi = self.frame
            inside = hi > lo and s >= lo - 1 and e <= hi + 1
            if not inside and context < 0.9 and (m < 16 or q < DELETED_MIN_QUOTE):
                # Its old place is known and holds something else: only a distinct quote moved, or one
                # with its own context around it (the frame was a look-alike sentence).
                return
        weight = W_QUOTE + (W_PREFIX if p is not None else 0.0) + (W_SUFFIX if x is not None else 0.0)
        conf = (W_QUOTE * q + W_PREFIX * (p or 0.0) + W_SUFFIX * (x or 0.0)) / weight
        if conf < MIN_CONFIDENCE:
            return
        distance = abs(s - self.hint) if self.hint is not None else s
        pos = 0.0 if self.hint is None else 1.0 - min(1.0, distance / max(self.n, 1))
        wq = self.quote_weight
        total = (wq * q + W_PREFIX * (1.0 if p is None else p) + W_SUFFIX * (1.0 if x is None else x)
                 + W_POSITION * pos) / (wq + W_PREFIX + W_SUFFIX + W_POSITION)
        edges = self._edges_fit(s, e)
        key = (round(total, 9), edges, -distance, -s)
        if self.best is None or key > self.best[0]:
            self.best = (key, conf, s, e)
            # Edited, but with its whole context around it on both sides: no other place can be it.
            self.best_in_context = conf >= CONVINCING and p is not None and x is not None and min(p, x) >= 0.97

    def _overlaps_exact(self, lo: int, hi: int) -> bool:
        i = bisect.bisect_left(self.exact, lo - self.m + 1)
        return i < len(self.exact) and self.exact[i] < hi

    def _adjacent(self, s: int, e: int) -> bool:
        """Eight characters of the old prefix or suffix (all of it when shorter) still touch the span, up to
        whitespace and quote marks (collapsed spaces, re-wrapped lines, straightened quotes)."""
        before, after = _squeeze(self.prefix)[-8:], _squeeze(self.suffix)[:8]
        text = self.text
        return bool(before and _squeeze(text[max(0, s - 3 * len(before)):s]).endswith(before)) or \
            bool(after and _squeeze(text[e:e + 3 * len(after)]).startswith(after))

    def confidence(self, s: int, e: int) -> float:
        """The confidence of the exact quote at ``s:e`` (its context may have changed)."""
        p = self._prefix(s) if self.prefix else None
        x = self._suffix(e) if self.suffix else None
        weight = W_QUOTE + (W_PREFIX if p is not None else 0.0) + (W_SUFFIX if x is not None else 0.0)
        return round((W_QUOTE + W_PREFIX * (p or 0.0) + W_SUFFIX * (x or 0.0)) / weight, 6)

    def _prefix(self, s: int) -> float:
        """Similarity of the old prefix to the text that ends at ``s`` (its length may have changed a little)."""
        prefix, text = self.prefix, self.text
        size = len(prefix)
        best = size
        for length in range(max(0, size - SLACK), size + SLACK + 1):
            if length > s and length > size:
                break
            best = min(best, Levenshtein.distance(prefix, text[max(0, s - length):s], score_cutoff=best))
        return 1.0 - best / size

    def _suffix(self, e: int) -> float:
        """Similarity of the old suffix to the text that starts at ``e``."""
        suffix, text = self.suffix, self.text
        size = len(suffix)
        best = size
        for length in range(max(0, size - SLACK), size + SLACK + 1):
            if e + length > self.n and length > size:
                break
            best = min(best, Levenshtein.distance(suffix, text[e:e + length], score_cutoff=best))
        return 1.0 - best / size

    def _edges_fit(self, s: int, e: int) -> int:
        """How many edges of the span sit like the quote's (both on a word boundary, or both inside a word)."""
        text = self.text
        left = s == 0 or not _is_word(text[s - 1]) or not _is_word(text[s])
        right = e == self.n or not _is_word(text[e]) or not _is_word(text[e - 1])
        return int(left == self.left_boundary) + int(right == self.right_boundary)

    def _frame(self) -> tuple[int, int] | None:
        """Where the quote's old neighbours now frame what is left of it: the old prefix's end and the old
        suffix's start with at most half the quote's length between them (the passage was deleted or cut
        down in place), as ``(lo, hi)`` of what is between (the nearest such place); None if there is none."""
        before, after = self.prefix[-10:], self.suffix[:10]
        text, m = self.text, self.m
        # Near an edge of the text (the context was cut short there): the edge and the other side meet.
        if len(before) < 8 and len(after) >= 8 and len(self.prefix) < CONTEXT:
            lo = len(before)
            return (lo, lo) if text.startswith(before + after) and not self._overlaps_exact(0, lo + len(after)) \
                else None
        if len(after) < 8 and len(before) >= 8 and len(self.suffix) < CONTEXT:
            hi = self.n - len(after)
            return (hi, hi) if text.endswith(before + after) and not \
                self._overlaps_exact(hi - len(before), self.n) else None
        if len(before) < 8 or len(after) < 8:
            return None
        frames: list[tuple[int, int]] = []
        # A short quote's place is known even when what it holds now was edited rather than cut down
        # ("UN" -> "UaN" between its old neighbours): its copies elsewhere must then have their own context.
        gap = m + m // 2 if m < 16 else m // 2
        i, count = text.find(before), 0
        while i >= 0 and count < MAX_SEED_HITS:
            lo = i + len(before)
            j = text.find(after, lo, lo + gap + len(after))
            if j >= 0:
                frames.append((lo, j))
            i = text.find(before, i + 1)
            count += 1
        # A frame that overlaps the quote itself (a text that repeats itself) says nothing.
        frames = [(lo, hi) for lo, hi in frames if not self._overlaps_exact(lo - len(before), hi + len(after))]
        if not frames:
            return None
        hint = self.hint if self.hint is not None else 0
        return min(frames, key=lambda f: abs(f[0] - hint))
