# A frozen copy of reader/anchoring.py before issue 10 (for side-by-side figures in bench/anchor_sweep.py
# and the peer-case counts); never imported by the app.
"""Selectors for a passage of an article, and re-anchoring them after the article changed.

A passage is described the way web annotation tools describe it: a position (``start``/``end``, code-point
offsets into the text) and a quote with up to ``CONTEXT`` characters of context on each side. When the text
changes, :func:`anchor` looks for the passage again:

1. the quote still sits at its old offsets → ``"anchored"``;
2. the quote occurs elsewhere, exactly → the occurrence whose context and position fit best, ``"moved"``
   (unless none of them has its old context and an approximate match near the old position, in its old
   context, ranks higher: the passage was edited in place and the quote happens to occur elsewhere);
3. an approximate match (rapidfuzz), ranked by quote 50 / prefix 20 / suffix 20 / position 2, searched
   first in a window around the old position, then over the whole text → ``"moved"``;
4. nothing good enough → ``"orphaned"``. Orphans are reported, never deleted here.

Speed (a 20 MB text stays well under a second): exact matches use ``str.find``. Approximate candidates
come from exact pieces of the quote (``str.find`` again: a lightly edited passage keeps most of them), and,
only when those find nothing, from a chunked scan with short probes (at most ``PROBE`` characters: the
quote itself, or the head, middle and tail of a long quote) that keeps the best hit of each chunk and
raises its cut-off as better hits turn up. Only a bounded number of candidates is verified, and a long
quote's boundaries are placed by its head and tail, so its length never multiplies the cost of a search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from reader.records import CONTEXT

__all__ = [
    "CONTEXT", "Selectors", "Anchor", "describe", "find_occurrences", "find_occurrence", "anchor",
    "anchor_record",
]

# Weights of the ranking (as in hypothesis/client): how much each kind of evidence counts.
W_QUOTE, W_PREFIX, W_SUFFIX, W_POSITION = 50.0, 20.0, 20.0, 2.0
_W_TOTAL = W_QUOTE + W_PREFIX + W_SUFFIX + W_POSITION

PROBE = 64                 # longest string handed to the chunk scan (rapidfuzz's bit-parallel fast path)
CHUNK = 1 << 16            # chunk size of the whole-text scan
WINDOW_CHUNK = 256         # chunk size near the old position: smaller, so that close candidates all count
MAX_EXACT = 2000           # exact occurrences scored one by one; beyond this a shortlist is scored
MAX_CANDIDATES = 64        # approximate candidates verified at most (fewer for very long quotes)
MAX_SEED_HITS = 64         # a piece of the quote found more often than this is too common to seed a search
CONVINCING = 0.95          # a match near the old position this good ends the search
MOVED_MAX_SCORE = 0.99     # a passage that moved never scores like one found in place


@dataclass(frozen=True, slots=True)
class Selectors:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Anchor:
    status: str            # "anchored" | "moved" | "orphaned"
    start: int | None
    end: int | None
    quote: str | None      # the text now at start:end
    score: float           # 1.0 found in place; lower when moved or approximate; 0.0 orphaned

    @property
    def found(self) -> bool:
        return self.status != "orphaned"


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


def anchor(text: str, *, quote: str, prefix: str = "", suffix: str = "",
           start: int | None = None, end: int | None = None) -> Anchor:
    """Find the passage described by the selectors in ``text`` (which may have changed since)."""
    if not quote:
        return _WHOLE
    n, size = len(text), len(quote)
    hint: int | None = None
    if isinstance(start, int) and not isinstance(start, bool) and start >= 0:
        if not isinstance(end, int) or isinstance(end, bool) or end < start:
            end = start + size
        if end <= n and text[start:end] == quote:
            return Anchor("anchored", start, end, quote, 1.0)
        hint = min(start, n)
    ranker = _Ranker(text, quote, prefix, suffix, hint)
    found = _exact(ranker)
    if found is None:
        found = _approximate(ranker)
    elif hint is not None and ranker.evidence(found[1], found[2]) < 0.9 * (W_PREFIX + W_SUFFIX):
        # The quote occurs elsewhere, but not in its old context: if the passage itself was edited in
        # place, its approximate match near the old position can rank higher (context outweighs a typo).
        near = _approximate(ranker, near_only=True)
        if near is not None and near[0] > found[0]:
            found = near
    if found is None:
        return _ORPHAN
    total, s, e = found
    return Anchor("moved", s, e, text[s:e], round(min(total, MOVED_MAX_SCORE), 6))


class _Ranker:
    """Scores a candidate span by quote, context and position (each in 0..1, weighted)."""

    __slots__ = ("text", "quote", "prefix", "suffix", "hint", "n")

    def __init__(self, text: str, quote: str, prefix: str, suffix: str, hint: int | None) -> None:
        self.text, self.quote, self.hint, self.n = text, quote, hint, len(text)
        self.prefix, self.suffix = prefix[-CONTEXT:], suffix[:CONTEXT]

    def evidence(self, s: int, e: int) -> float:
        """Weighted prefix + suffix similarity of the span ``s:e``'s surroundings."""
        text = self.text
        p = Indel.normalized_similarity(self.prefix, text[max(0, s - len(self.prefix)):s]) if self.prefix else 1.0
        q = Indel.normalized_similarity(self.suffix, text[e:e + len(self.suffix)]) if self.suffix else 1.0
        return W_PREFIX * p + W_SUFFIX * q

    def context(self, s: int, e: int) -> float:
        """Weighted prefix + suffix + position evidence (everything but the quote)."""
        pos = 0.0 if self.hint is None else 1.0 - min(1.0, abs(s - self.hint) / max(self.n, 1))
        return self.evidence(s, e) + W_POSITION * pos

    def distance(self, s: int) -> int:
        return 0 if self.hint is None else abs(s - self.hint)


def _exact(r: _Ranker) -> tuple[float, int, int] | None:
    """The best exact occurrence of the quote, by context then closeness to the old position."""
    text, quote, size = r.text, r.quote, len(r.quote)
    starts: list[int] = []
    i = text.find(quote)
    while i >= 0 and len(starts) <= MAX_EXACT:
        starts.append(i)
        i = text.find(quote, i + 1)
    if not starts:
        return None
    if len(starts) > MAX_EXACT:
        starts = _shortlist(r, starts[:MAX_EXACT // 4])
    best: tuple[float, int, int] | None = None
    best_key: tuple[float, int] | None = None
    for s in starts:
        total = (W_QUOTE + r.context(s, s + size)) / _W_TOTAL
        key = (total, -r.distance(s))
        if best_key is None or key > best_key:
            best, best_key = (total, s, s + size), key
    return best


def _shortlist(r: _Ranker, first: list[int]) -> list[int]:
    """Too many occurrences to score them all (or even list them): those nearest the old position and
    those with some of the old context, each found directly with ``str.find``/``str.rfind``."""
    text, quote, size = r.text, r.quote, len(r.quote)
    half = MAX_EXACT // 4
    keep: set[int] = set(first)
    if r.hint is not None:
        i, count = text.find(quote, r.hint), 0
        while i >= 0 and count < half:
            keep.add(i)
            count += 1
            i = text.find(quote, i + 1)
        j, count = text.rfind(quote, 0, r.hint + size - 1), 0
        while j >= 0 and count < half:
            keep.add(j)
            count += 1
            j = text.rfind(quote, 0, j + size - 1)
    for before, after in ((r.prefix[-8:], ""), ("", r.suffix[:8]), (r.prefix[-8:], r.suffix[:8])):
        if not before and not after:
            continue
        probe = before + quote + after
        i, count = text.find(probe), 0
        while i >= 0 and count < half:
            keep.add(i + len(before))
            count += 1
            i = text.find(probe, i + 1)
    return sorted(keep)


# -- approximate search ---------------------------------------------------------------------------------


def _threshold(size: int) -> float:
    """Least quote similarity accepted: 0.75, stricter for short quotes (0.9 at 8 characters or less)."""
    if size >= 32:
        return 0.75
    if size <= 8:
        return 0.9
    return 0.9 - 0.15 * (size - 8) / 24


def _probes(quote: str, whole_text: bool = False) -> list[tuple[str, int]]:
    """Short pieces of the quote to scan for, each with its offset in the quote.

    A long quote is scanned for by its head, middle and tail near the old position; over the whole text
    (where each probe costs a full scan) by its head and tail only, seeds having covered the rest.
    """
    size = len(quote)
    if size <= PROBE:
        return [(quote, 0)]
    if whole_text:
        return [(quote[:PROBE], 0), (quote[-PROBE:], size - PROBE)]
    mid = size // 2 - PROBE // 2
    return [(quote[:PROBE], 0), (quote[mid:mid + PROBE], mid), (quote[-PROBE:], size - PROBE)]


def _approximate(r: _Ranker, near_only: bool = False) -> tuple[float, int, int] | None:
    """The best approximate match: near the old position first, then anywhere (unless ``near_only``)."""
    size = len(r.quote)
    threshold = _threshold(size)
    if 2 * (size - 1) / (2 * size - 1) < threshold:
        return None           # so short that no single edit passes: only an exact match would have done
    n = r.n
    near = None
    if r.hint is not None:
        radius = 4 * size + 2000
        lo, hi = max(0, r.hint - radius), min(n, r.hint + size + radius)
        estimates = _seeds(r, lo, hi) + _scan(r, lo, hi, WINDOW_CHUNK, _probes(r.quote), threshold)
        near = _verify(r, estimates, threshold)
        if near_only or (lo == 0 and hi == n) or (near is not None and near[0] >= CONVINCING):
            return near
    if near_only:
        return None
    # The whole text: first the cheap way (exact pieces of the quote, with str.find), then a full scan
    # only if nothing at all was found.
    found = _verify(r, _seeds(r, 0, n), threshold)
    if near is not None and (found is None or near[0] >= found[0]):
        return near
    if found is not None:
        return found
    return _verify(r, _scan(r, 0, n, CHUNK, _probes(r.quote, whole_text=True), threshold), threshold)


def _seeds(r: _Ranker, lo: int, hi: int) -> list[int]:
    """Estimated starts of the quote where some piece of it occurs exactly in ``text[lo:hi]``, most
    agreeing pieces first.

    A lightly edited passage keeps most of its pieces intact, and ``str.find`` is far cheaper than an
    approximate scan; a piece found too often says nothing and is dropped.
    """
    text, quote = r.text, r.quote
    size = len(quote)
    m = max(6, min(24, size // 3))
    if m >= size:
        return []
    count = min(16, size - m + 1)
    offsets = sorted({round(j * (size - m) / max(1, count - 1)) for j in range(count)})
    votes: dict[int, int] = {}
    for offset in offsets:
        piece = quote[offset:offset + m]
        found: list[int] = []
        i = text.find(piece, lo, hi)
        while i >= 0 and len(found) <= MAX_SEED_HITS:
            found.append(i)
            i = text.find(piece, i + 1, hi)
        if len(found) > MAX_SEED_HITS:
            continue
        for i in found:
            est = i - offset
            votes[est] = votes.get(est, 0) + 1
    return sorted(votes, key=lambda est: (-votes[est], r.distance(est)))


def _scan(r: _Ranker, lo: int, hi: int, chunk: int, probes: list[tuple[str, int]],
          threshold: float) -> list[int]:
    """Estimated starts of the quote from the best probe hit of each chunk of ``text[lo:hi]``."""
    text = r.text
    if len(r.quote) <= PROBE:
        # A window of the quote's length scores lower than the alignment it belongs to when words were
        # inserted (m characters: window ~ 1 - m/L, alignment 2L/(2L+m)): scan with that allowance.
        base = max(50.0, 100.0 * (1.0 - 2.0 * (1.0 - threshold) / threshold))
    else:
        base = 100.0 * threshold - 10.0
    best_seen = [0.0] * len(probes)
    hits: list[tuple[float, int, int]] = []       # (probe score, estimated start of the quote, probe)
    for i in range(lo, hi, chunk):
        seg = text[i:min(hi, i + chunk + PROBE)]
        for k, (needle, offset) in enumerate(probes):
            cutoff = max(base, best_seen[k] - 15)   # the early cut: later hits must come close to the best
            a = fuzz.partial_ratio_alignment(needle, seg, score_cutoff=cutoff)
            if a is None:
                continue
            best_seen[k] = max(best_seen[k], a.score)
            hits.append((a.score, i + _window_start(a) - offset, k))
        if len(hits) > 8 * MAX_CANDIDATES:
            hits = _prune(hits, best_seen)
    hits = _prune(hits, best_seen)
    hits.sort(key=lambda h: (-h[0], r.distance(h[1])))
    return [est for _score, est, _k in hits]


def _verify(r: _Ranker, estimates: list[int], threshold: float) -> tuple[float, int, int] | None:
    """Refine the most promising estimates into spans; the best one above the threshold, ranked."""
    text, size = r.text, len(r.quote)
    limit = max(4, min(MAX_CANDIDATES, 400_000 // size))
    best: tuple[float, int, int] | None = None
    best_key: tuple[float, int] | None = None
    tried: set[tuple[int, int]] = set()
    taken: list[int] = []
    for est in estimates:
        if len(taken) >= limit:
            break
        if any(abs(est - other) <= 2 for other in taken):
            continue
        taken.append(est)
        span = _refine(r, est)
        if span is None or span in tried:
            continue
        tried.add(span)
        s, e = span
        q = Indel.normalized_similarity(r.quote, text[s:e], score_cutoff=threshold)
        if q < threshold:
            continue
        total = (W_QUOTE * q + r.context(s, e)) / _W_TOTAL
        key = (total, -r.distance(s))
        if best_key is None or key > best_key:
            best, best_key = (total, s, e), key
    return best


def _prune(hits: list[tuple[float, int, int]], best_seen: list[float]) -> list[tuple[float, int, int]]:
    """Drop hits that fell well behind the best of their probe; keep the strongest few hundred."""
    kept = [h for h in hits if h[0] >= best_seen[h[2]] - 15]
    kept.sort(key=lambda h: -h[0])
    return kept[:4 * MAX_CANDIDATES]


def _window_start(a: Any) -> int:
    """Where the probe would start in the segment, from rapidfuzz's alignment (also when cut at an edge)."""
    if a.dest_start == 0 and (a.dest_end - a.dest_start) < (a.src_end - a.src_start):
        return a.dest_end - a.src_end
    return a.dest_start - a.src_start


def _refine(r: _Ranker, est: int) -> tuple[int, int] | None:
    """Exact boundaries of the approximate match whose start was estimated at ``est``."""
    text, quote, n = r.text, r.quote, r.n
    size = len(quote)
    if size <= PROBE:
        f = max(3, min(16, size // 3))
        return _best_span(text, quote, range(est - f, est + f + 1), size, f, n)
    # A long quote: place its head near the estimate, then its tail about one quote-length further on,
    # each searched close to where it is expected first (the text may repeat itself further away).
    reaches = (32, size // 8 + 32, size // 2 + 32)
    head, tail = quote[:PROBE], quote[-PROBE:]
    s0 = _locate(text, head, est, 0, reaches)
    if s0 is None:
        return None
    head_span = _best_span(text, head, range(s0 - 16, s0 + 17), PROBE, 16, n)
    if head_span is None:
        return None
    s = head_span[0]
    t0 = _locate(text, tail, s + size - PROBE, s, reaches)
    if t0 is None:
        return None
    e0 = t0 + PROBE
    e = _best_end(text, tail, range(e0 - 16, e0 + 17), 16, s, n)
    if e is None or e <= s:
        return None
    return s, e


def _locate(text: str, needle: str, expected: int, floor: int, reaches: tuple[int, ...]) -> int | None:
    """Start of the stretch of text most like ``needle`` near ``expected`` (not before ``floor``),
    looking ever wider until a clear match turns up."""
    best: tuple[float, int] | None = None
    for reach in reaches:
        lo = max(floor, expected - reach)
        hi = min(len(text), expected + len(needle) + reach)
        if hi <= lo:
            continue
        a = fuzz.partial_ratio_alignment(needle, text[lo:hi])
        if a is not None and (best is None or a.score > best[0]):
            best = (a.score, lo + _window_start(a))
        if best is not None and best[0] >= 90:
            break
    return None if best is None else best[1]


def _best_span(text: str, needle: str, starts: range, size: int, f: int, n: int) -> tuple[int, int] | None:
    """The span ``text[s:s+k]`` most similar to ``needle``, s in ``starts``, k within ``f`` of ``size``.

    Ties go to the span nearest the middle of ``starts`` with the length nearest ``size``.
    """
    centre = (starts.start + starts.stop - 1) // 2
    spans: list[tuple[int, int]] = []
    for s in sorted(starts, key=lambda x: abs(x - centre)):
        if s < 0 or s >= n:
            continue
        for d in sorted(range(-f, f + 1), key=abs):
            k = size + d
            if k > 0 and s + k <= n:
                spans.append((s, s + k))
    if not spans:
        return None
    best = process.extractOne(needle, [text[s:e] for s, e in spans], scorer=Indel.normalized_similarity)
    return None if best is None else spans[best[2]]


def _best_end(text: str, needle: str, ends: range, f: int, floor: int, n: int) -> int | None:
    """The end ``e`` for which some ``text[e-k:e]`` (k near ``len(needle)``) is most similar to ``needle``."""
    centre = (ends.start + ends.stop - 1) // 2
    size = len(needle)
    spans: list[tuple[int, int]] = []
    for e in sorted(ends, key=lambda x: abs(x - centre)):
        if e <= floor or e > n:
            continue
        for d in sorted(range(-f, f + 1), key=abs):
            s = e - (size + d)
            if s >= floor and s < e:
                spans.append((s, e))
    if not spans:
        return None
    best = process.extractOne(needle, [text[s:e] for s, e in spans], scorer=Indel.normalized_similarity)
    return None if best is None else spans[best[2]][1]
