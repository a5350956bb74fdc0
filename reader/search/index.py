"""The in-memory full-text index: :class:`SearchIndex`, ranked :class:`Hit` s with snippets.

:class:`SearchIndex` is built once (a vocabulary of lower-cased words with postings: word → article
numbers, for bodies and for titles).  A query's words (:mod:`reader.search.query`) are matched fuzzily
against the vocabulary (``rapidfuzz.process.extract`` with the OSA distance, so a swap of two letters costs
one edit; budgets in :mod:`reader.search.vocabulary`), the postings of the matching words are combined, and
only the best few hundred candidates are scanned for positions (offsets, phrase adjacency, snippets).
Positions are never stored: the per-article scan of a few kilobytes is cheaper than keeping millions of
integers alive.  ``reader.fulltext`` builds a small one over its FTS5 candidates to rank them.

Plain fuzzy words are "soft": articles matching every one of them rank first (score 50..100), articles
matching at least half of them follow (score below 50).  Every other kind of term is a hard filter.

Offsets are ``str`` indices (code points) into the original text; texts are lower-cased with
:func:`reader.search.text.fold`, which keeps their length.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import itertools
import math
import re
from itertools import repeat
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from reader.display import same_length
from reader.search.query import Query, Term, parse_query
from reader.search.text import WORD_CHAR_RE, WORD_RE, Span, fold, merge_spans
from reader.search.typeahead import fuzzy_rank
from reader.search.vocabulary import MAX_FUZZY_VARIANTS, TYPO_PREFIX_BELOW, allowed_edits, typo_prefixed, typo_quality

__all__ = ["ArticleLike", "Hit", "SearchIndex", "MAX_OFFSETS", "snippet"]

_SPACE_RE = re.compile(r"\s+")
_WORD_CHAR_SEARCH = WORD_CHAR_RE.search

MAX_OFFSETS = 200
SNIPPET_WIDTH = 120
_MAX_PREFIX_VARIANTS = 48
_REFINE_MIN = 150           # candidates scanned for positions, at least
_FIND_WORDS_UP_TO = 16      # SearchIndex.build(only=...) looks for each word up to this many (bench/search.py)
_NOTE_CUTOFF = 80.0         # partial_ratio for note:/quote: fuzzy matches
_TAG_CUTOFF = 70.0          # fuzzy_rank score for tag: fuzzy matches


class ArticleLike(Protocol):
    id: str
    title: str
    text: str


class Hit:
    """One ranked article: its id, title, score, the hit offsets in its text, the hit spans in its title, and
    a one-line ``snippet`` with the hits' ``snippet_spans`` in it.

    A search returns up to a few hundred hits and a screen shows a dozen, so the index hands over the text
    and cuts the snippet when it is first read (``cut_from``); ``has_snippet`` tells whether there is one
    without cutting it. Immutable; equal when every public field is.
    """

    __slots__ = ("article", "title", "score", "offsets", "title_spans", "_cut", "_source")

    def __init__(self, article: str, title: str, score: float, offsets: tuple[Span, ...],
                 title_spans: tuple[Span, ...], snippet: str = "", snippet_spans: tuple[Span, ...] = (), *,
                 cut_from: tuple[str, Sequence[int]] | None = None) -> None:
        put = object.__setattr__
        put(self, "article", article)
        put(self, "title", title)
        put(self, "score", score)
        put(self, "offsets", offsets)
        put(self, "title_spans", title_spans)
        put(self, "_cut", None if cut_from is not None else (snippet, tuple(snippet_spans)))
        put(self, "_source", cut_from)  # (text, the group of each offset) until the snippet is cut

    def _snippet_pair(self) -> tuple[str, tuple[Span, ...]]:
        cut = self._cut
        if cut is None:
            text, groups = self._source  # type: ignore[misc]
            cut = _snippet(text, self.offsets, groups=groups)
            object.__setattr__(self, "_cut", cut)
            object.__setattr__(self, "_source", None)
        return cut

    @property
    def snippet(self) -> str:
        return self._snippet_pair()[0]

    @property
    def snippet_spans(self) -> tuple[Span, ...]:
        return self._snippet_pair()[1]

    @property
    def has_snippet(self) -> bool:
        """``bool(self.snippet)``, without cutting it when it is not cut yet (a text with a printing
        character always has one)."""
        source = self._source
        if source is not None and source[0].strip():
            return True
        return bool(self.snippet)

    def _key(self) -> tuple:
        return (self.article, self.title, self.score, self.offsets, self.title_spans, *self._snippet_pair())

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Hit) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Hit is immutable (tried to set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Hit is immutable (tried to delete {name!r})")

    def __repr__(self) -> str:
        return (f"Hit(article={self.article!r}, title={self.title!r}, score={self.score!r}, "
                f"offsets={self.offsets!r}, title_spans={self.title_spans!r}, snippet={self.snippet!r}, "
                f"snippet_spans={self.snippet_spans!r})")


def snippet(text: str, spans: Sequence[Span], width: int = SNIPPET_WIDTH) -> tuple[str, tuple[Span, ...]]:
    """One line of about ``width`` characters of ``text`` around the densest cluster of ``spans`` (sorted),
    with the spans moved into it (what a hit's snippet is, at another width: the library's preview)."""
    return _snippet(text, spans, width)


def _snippet(text: str, spans: Sequence[Span], width: int = SNIPPET_WIDTH,
             groups: Sequence[int] | None = None) -> tuple[str, tuple[Span, ...]]:
    """One line of about ``width`` characters around the densest cluster of ``spans`` (sorted)."""
    n = len(text)
    if not spans:
        a = 0
        while a < n and text[a].isspace():
            a += 1
        b = min(n, a + width)
        best = []
    else:
        # the window start (a hit) that covers the most distinct groups, then the most hits
        best_key, best_i, best_j = (-1, -1), 0, 0
        j = 0
        for i, (s, _) in enumerate(spans):
            if j < i:
                j = i
            while j + 1 < len(spans) and spans[j + 1][1] - s <= width:
                j += 1
            distinct = len(set(groups[i:j + 1])) if groups is not None else 1
            key = (distinct, j - i)
            if key > best_key:
                best_key, best_i, best_j = key, i, j
        best = list(spans[best_i:best_j + 1])
        c_start, c_end = best[0][0], max(e for _, e in best)
        if c_end - c_start > width:
            c_end = c_start + width
        pad = (width - (c_end - c_start)) // 2
        a = max(0, c_start - pad)
        b = min(n, a + width)
        a = max(0, min(a, b - width))
        # snap to word boundaries, never cutting into the cluster
        if 0 < a < c_start and WORD_CHAR_RE.match(text[a - 1]):
            k = a
            while k < c_start and WORD_CHAR_RE.match(text[k]):
                k += 1
            a = k
        if c_end < b < n and WORD_CHAR_RE.match(text[b]):
            k = b
            while k > c_end and WORD_CHAR_RE.match(text[k - 1]):
                k -= 1
            b = k
        # a cluster may start in the middle of a line: keep it on this line if the line is long enough
    segment = same_length(text[a:b])  # controls and invisible characters shown, offsets kept
    # collapse whitespace runs to one space, tracking where each original index lands
    pieces: list[str] = []
    new_pos = [0] * (len(segment) + 1)
    out_len = 0
    last = 0
    for m in _SPACE_RE.finditer(segment):
        for k in range(last, m.start()):
            new_pos[k] = out_len + (k - last)
        out_len += m.start() - last
        pieces.append(segment[last:m.start()])
        for k in range(m.start(), m.end()):
            new_pos[k] = out_len
        pieces.append(" ")
        out_len += 1
        last = m.end()
    for k in range(last, len(segment) + 1):
        new_pos[k] = out_len + (k - last)
    pieces.append(segment[last:])
    line = "".join(pieces)
    lead = len(line) - len(line.lstrip(" "))
    body = line.strip(" ")
    prefix = "…" if a > 0 else ""
    suffix = "…" if b < n else ""
    shift = len(prefix) - lead
    out_spans: list[Span] = []
    for s, e in best if spans else ():
        if s < a or e > b:
            s, e = max(s, a), min(e, b)
            if s >= e:
                continue
        ns, ne = new_pos[s - a] + shift, new_pos[e - a] + shift
        ns = max(ns, len(prefix))
        ne = min(ne, len(prefix) + len(body))
        if ns < ne:
            out_spans.append((ns, ne))
    return prefix + body + suffix, tuple(merge_spans(out_spans))


# ---------------------------------------------------------------------------------------- the index


class _Cancelled(Exception):
    pass


_NO = (0.0, "")


def _find_word(low: str, word: str, limit: int = MAX_OFFSETS) -> list[Span]:
    """Occurrences of ``word`` in ``low`` as a whole word (the tokeniser's ``\\w+`` boundaries: ``\\w`` is
    ``isalnum()`` or ``_``). ``str.find`` and two character tests per occurrence: a regular expression with
    ``\\b`` or a look-behind gets no literal-prefix scan from ``re`` and is several times slower."""
    out: list[Span] = []
    n, size = len(low), len(word)
    find = low.find
    start = find(word) if limit > 0 else -1
    while start != -1:
        end = start + size
        if start:
            c = low[start - 1]
            if c.isalnum() or c == "_":
                start = find(word, end)  # an overlapping one is inside a word too
                continue
        if end < n:
            c = low[end]
            if c.isalnum() or c == "_":
                start = find(word, end)  # an overlapping one is inside a word too
                continue
        out.append((start, end))
        if len(out) >= limit:
            break
        start = find(word, end)
    return out


def _words_in(low: str, words: Iterable[str]) -> set[str]:
    """Which of ``words`` (``\\w+`` words) occur in ``low`` as whole words."""
    return {w for w in words if w in low and _find_word(low, w, 1)}


@dataclass(slots=True)
class _Match:
    """What one query group matched.

    docs: article number -> (quality 0..1, the best-matching vocabulary word in it, "" if not word-based);
    title_docs: the articles matched in their title -> quality; patterns: regular expressions locating the
    hits of prefix/suffix/exact terms; spans: positions given by annotations (field terms).
    """

    docs: dict[int, tuple[float, str]]
    title_docs: dict[int, float] = field(default_factory=dict)
    patterns: tuple[re.Pattern[str], ...] = ()
    spans: dict[int, list[Span]] = field(default_factory=dict)
    soft: bool = False
    negated: bool = False
    idf: float = 1.0
    in_text: bool = True       # False for title:/tag:/note:/quote: (their words are not highlighted in the body)

    def quality(self, n: int) -> float:
        return self.docs.get(n, _NO)[0]


@dataclass(slots=True)
class _Scored:
    score: float
    n: int
    offsets: list[Span]
    groups: list[int]
    title_spans: list[Span]


class SearchIndex:
    """Vocabulary and postings over a corpus; see the module docstring."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._titles: list[str] = []
        self._texts: list[str] = []
        self._low: list[str] = []
        self._title_low: list[str] = []
        self._post: dict[str, list[int]] = {}     # word -> articles having it in the text or the title
        self._tpost: dict[str, list[int]] = {}    # word -> articles having it in the title
        self._vocab: list[str] = []
        self._by_len: dict[int, list[str]] = {}
        self._number: dict[str, int] = {}
        self._ann: dict[int, list[dict]] = {}
        self._tags: list[str] = []
        self._cache: dict[tuple, dict[str, float]] = {}
        # (corpus size, word -> document frequency) when this index holds only the candidates of a bigger
        # corpus (reader.fulltext): term weights then follow the whole corpus, not the candidates.
        self.global_df: tuple[int, Callable[[str], int]] | None = None
        self.refine_min = _REFINE_MIN
        self._mean_len: float | None = None

    # ---- building

    @classmethod
    def build(cls, articles: Iterable[ArticleLike], *, annotations: Iterable[dict] = (),
              only: set[str] | None = None) -> "SearchIndex":
        """``only``: index just these words (the candidates' index of reader.fulltext, whose query words
        were already expanded through the whole vocabulary)."""
        self = cls()
        post: defaultdict[str, list[int]] = defaultdict(list)
        tpost: defaultdict[str, list[int]] = defaultdict(list)
        findall = WORD_RE.findall
        # Looking for each of a few words costs about a sixteenth of tokenising the text, per word. A word
        # the tokeniser cannot produce (not all \w) is never a token, so it is left out of the search too.
        few = None
        if only is not None and len(only) <= _FIND_WORDS_UP_TO:
            few = [w for w in only if WORD_RE.fullmatch(w)]
        gc_was_enabled = gc.isenabled()
        gc.disable()          # millions of small lists: the cyclic collector would triple the build time
        try:
            for n, art in enumerate(articles):
                text = art.text or ""
                title = art.title or ""
                low, tlow = fold(text), fold(title)
                self._ids.append(art.id)
                self._titles.append(title)
                self._texts.append(text)
                self._low.append(low)
                self._title_low.append(tlow)
                self._number.setdefault(art.id, n)
                if few is not None:  # a handful of words: look for each (str.find) instead of tokenising
                    title_words = _words_in(tlow, few)
                    words = _words_in(low, few)
                    words.update(title_words)
                else:
                    title_words = set(findall(tlow))
                    words = set(findall(low))
                    words.update(title_words)
                    if only is not None:
                        words &= only
                        title_words &= only
                deque(map(list.append, map(post.__getitem__, words), repeat(n)), maxlen=0)
                deque(map(list.append, map(tpost.__getitem__, title_words), repeat(n)), maxlen=0)
            self._post, self._tpost = dict(post), dict(tpost)
            self._vocab = sorted(self._post)
            for w in self._vocab:
                self._by_len.setdefault(len(w), []).append(w)
        finally:
            if gc_was_enabled:
                gc.enable()
        self.set_annotations(annotations)
        return self

    def set_annotations(self, annotations: Iterable[dict]) -> None:
        """Replace the annotation records used by ``tag:``, ``note:`` and ``quote:``."""
        ann: dict[int, list[dict]] = {}
        tags: dict[str, None] = {}
        for rec in annotations:
            n = self._number.get(rec.get("article"))  # type: ignore[arg-type]
            if n is None:
                continue
            ann.setdefault(n, []).append(rec)
            for t in rec.get("tags") or ():
                if isinstance(t, str):
                    tags.setdefault(t, None)
        self._ann, self._tags = ann, list(tags)

    def __len__(self) -> int:
        return len(self._ids)

    # ---- vocabulary matching

    def _variants(self, term: Term) -> dict[str, float]:
        """Vocabulary words matching a term, with a quality 0..1 (1 = exactly the word typed)."""
        key = (term.kind, term.text, term.words, term.last)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        post, vocab = self._post, self._vocab
        out: dict[str, float] = {}
        if term.kind == "fuzzy":
            word = term.words[0]
            if word in post:
                out[word] = 1.0
            edits = allowed_edits(word, known=word in post)
            if edits:
                pool: list[str] = []
                for length in range(len(word) - edits, len(word) + edits + 1):
                    pool.extend(self._by_len.get(length, ()))
                near = process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=None)
                if len(near) > MAX_FUZZY_VARIANTS:   # keep the closest, then the most frequent
                    near = heapq.nsmallest(MAX_FUZZY_VARIANTS, near, key=lambda c: (c[1], -len(post[c[0]])))
                for cand, dist, _ in near:
                    if cand not in out:
                        out[cand] = typo_quality(word, int(dist))
            if term.last:
                longer = self._prefixed(word, _MAX_PREFIX_VARIANTS)
                for cand in longer:
                    if cand not in out:
                        out[cand] = 0.55 + 0.35 * len(word) / len(cand)
                if word not in post and len(longer) < TYPO_PREFIX_BELOW:
                    for cand, quality in typo_prefixed(word, vocab, lambda w: len(post[w]), _MAX_PREFIX_VARIANTS):
                        out.setdefault(cand, quality)
        elif term.kind == "prefix":
            out = dict.fromkeys(self._prefixed(term.text, None), 1.0)
            if term.text in post:
                out[term.text] = 1.0
        elif term.kind == "word":
            if term.text in post:
                out[term.text] = 1.0
        elif term.kind == "suffix":
            out = dict.fromkeys((w for w in vocab if w.endswith(term.text)), 1.0)
        elif term.kind == "exact":
            out = dict.fromkeys((w for w in vocab if term.text in w), 1.0)
        if len(self._cache) > 512:
            self._cache.clear()
        self._cache[key] = out
        return out

    def _prefixed(self, prefix: str, cap: int | None) -> list[str]:
        vocab = self._vocab
        lo = bisect.bisect_left(vocab, prefix)
        hi = bisect.bisect_left(vocab, prefix + "\U0010ffff")
        found = [w for w in vocab[lo:hi] if w != prefix]
        if cap is not None and len(found) > cap:
            found = heapq.nsmallest(cap, found, key=len)
        return found

    # ---- term evaluation

    def _docs_for(self, words: dict[str, float]) -> dict[int, tuple[float, str]]:
        docs: dict[int, tuple[float, str]] = {}
        for w, q in sorted(words.items(), key=lambda kv: kv[1]):   # better variants overwrite worse
            lst = self._post.get(w)
            if lst:
                docs.update(dict.fromkeys(lst, (q, w)))
        return docs

    def _title_docs(self, words: dict[str, float]) -> dict[int, float]:
        out: dict[int, float] = {}
        for w, q in sorted(words.items(), key=lambda kv: kv[1]):
            lst = self._tpost.get(w)
            if lst:
                out.update(dict.fromkeys(lst, q))
        return out

    def _substring_docs(self, text: str, where: list[str], check: Callable[[], None]) -> dict[int, tuple[float, str]]:
        """Articles whose lower-cased ``where`` contains ``text``; narrowed through the vocabulary first."""
        pieces = WORD_RE.findall(text)
        if pieces:
            longest = max(pieces, key=len)
            cand: set[int] = set()
            for w in self._vocab:
                if longest in w:
                    cand.update(self._post[w])
        else:
            cand = set(range(len(where)))
        out: dict[int, tuple[float, str]] = {}
        for k, n in enumerate(cand):
            if k % 4096 == 0:
                check()
            if text in where[n]:
                out[n] = (1.0, "")
        return out

    def _annotation_match(self, term: Term, check: Callable[[], None]) -> _Match:
        docs: dict[int, tuple[float, str]] = {}
        spans: dict[int, list[Span]] = {}
        quality: dict[str, float] = {}
        if term.field == "tag":
            if term.kind == "exact":
                quality = {t: 1.0 for t in self._tags if term.text in fold(t)}
            else:
                ranked = fuzzy_rank(term.text, self._tags, score_cutoff=_TAG_CUTOFF)
                quality = {self._tags[i]: s / 100 for i, s, _ in ranked}
        for n, recs in self._ann.items():
            check()
            best = 0.0
            for rec in recs:
                if term.field == "tag":
                    q = max((quality.get(t, 0.0) for t in rec.get("tags") or () if isinstance(t, str)), default=0.0)
                else:
                    value = fold(str(rec.get(term.field) or ""))
                    if not value:
                        continue
                    if term.kind == "exact":
                        q = 1.0 if term.text in value else 0.0
                    else:
                        q = fuzz.partial_ratio(term.text, value, score_cutoff=_NOTE_CUTOFF) / 100
                if q > 0:
                    best = max(best, q)
                    start, end = rec.get("start"), rec.get("end")
                    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(self._texts[n]):
                        spans.setdefault(n, []).append((start, end))
            if best > 0:
                docs[n] = (best, "")
        return _Match(docs=docs, spans=spans, in_text=False)

    def _term_match(self, term: Term, check: Callable[[], None]) -> _Match:
        if term.field in ("tag", "note", "quote"):
            m = self._annotation_match(term, check)
        elif term.field == "title":
            if term.kind == "exact":
                docs = self._substring_docs(term.text, self._title_low, check)
                pattern = re.compile(re.escape(term.text))
            else:
                words = self._variants(term)
                tdocs = self._title_docs(words)
                best = self._docs_for(words)
                docs = {n: best[n] for n in tdocs}
                pattern = None
            m = _Match(docs=docs, title_docs={n: v[0] for n, v in docs.items()},
                       patterns=(pattern,) if pattern else (), in_text=False)
        elif term.kind == "fuzzy":
            words = self._variants(term)
            docs = self._docs_for(words)
            m = _Match(docs=docs, title_docs=self._title_docs(words))
        else:
            pieces = WORD_RE.findall(term.text)
            if term.kind == "exact" and not (len(pieces) == 1 and pieces[0] == term.text):
                docs = self._substring_docs(term.text, self._low, check)
            else:
                docs = self._docs_for(self._variants(term))
                docs = {n: (1.0, "") for n in docs}
            pat = re.escape(term.text)
            pattern = {"exact": pat, "prefix": rf"(?<!\w){pat}\w*", "suffix": rf"\w*{pat}(?!\w)",
                       "word": rf"(?<!\w){pat}(?!\w)"}[term.kind]
            compiled = re.compile(pattern)
            title_docs = {n: 1.0 for n in docs if compiled.search(self._title_low[n])} if not term.negate else {}
            m = _Match(docs=docs, title_docs=title_docs, patterns=(compiled,))
        m.soft = term.kind == "fuzzy" and term.field is None and not term.negate
        m.negated = term.negate
        return m

    # ---- search

    def search(self, query: str, *, limit: int = 50, cancelled: Callable[[], bool] | None = None) -> list[Hit]:
        """The best ``limit`` articles for ``query`` (see the module docstring); [] for an empty query.

        ``cancelled`` is polled between stages; when it returns True the search stops and returns [].
        """
        parsed = parse_query(query)
        if parsed.empty or not self._ids or limit <= 0:
            return []

        def check() -> None:
            if cancelled is not None and cancelled():
                raise _Cancelled

        try:
            return self._search(parsed, limit, check)
        except _Cancelled:
            return []

    def _idf(self, m: _Match, n_docs: int) -> float:
        if self.global_df is None:
            return math.log((n_docs + 1) / (len(m.docs) + 0.5)) + 0.1
        total, df = self.global_df
        words = {v[1] for v in m.docs.values() if v[1]}
        count = min(total, sum(df(w) for w in words)) if words else len(m.docs)
        return math.log((total + 1) / (max(count, len(m.docs)) + 0.5)) + 0.1

    def _search(self, q: Query, limit: int, check: Callable[[], None]) -> list[Hit]:
        N = len(self._ids)
        hard: list[set[int]] = []              # an article must be in every one of these
        positive: list[_Match] = []            # groups that score and highlight
        soft: list[_Match] = []
        for group in q.groups:
            check()
            matches = [self._term_match(t, check) for t in group]
            if len(matches) == 1 and matches[0].soft:
                m = matches[0]
                m.idf = self._idf(m, N)
                soft.append(m)
                positive.append(m)
                continue
            # a hard group: the union of its alternatives (a negated one stands for its complement)
            allowed: set[int] = set()
            merged = _Match(docs={}, in_text=any(m.in_text for m in matches if not m.negated))
            for m in matches:
                check()
                if m.negated:
                    allowed.update(n for n in range(N) if n not in m.docs)
                    continue
                allowed.update(m.docs)
                for n, v in m.docs.items():
                    if merged.docs.get(n, _NO)[0] < v[0]:
                        merged.docs[n] = v
                for n, v in m.title_docs.items():
                    merged.title_docs[n] = max(v, merged.title_docs.get(n, 0.0))
                merged.patterns += m.patterns
                for n, sp in m.spans.items():
                    merged.spans.setdefault(n, []).extend(sp)
            hard.append(allowed)
            if merged.docs:
                merged.idf = self._idf(merged, N)
                positive.append(merged)
        check()

        allowed_all: set[int] | None = None
        for s in sorted(hard, key=len):
            allowed_all = set(s) if allowed_all is None else allowed_all & s
            if not allowed_all:
                return []

        # ---- candidates: articles matching every soft group, then (if too few) at least half of them
        partial: set[int] = set()
        if soft:
            ordered = sorted(soft, key=lambda m: len(m.docs))
            full = set(ordered[0].docs).intersection(*(m.docs.keys() for m in ordered[1:]))
            if allowed_all is not None:
                full &= allowed_all
            if len(full) < limit and len(soft) > 1:
                need = (len(soft) + 1) // 2
                counts = Counter(itertools.chain.from_iterable(m.docs for m in soft))
                partial = {n for n, c in counts.items() if c >= need} - full
                if allowed_all is not None:
                    partial &= allowed_all
        else:
            full = allowed_all if allowed_all is not None else set(range(N))
        check()

        total_idf = sum(m.idf for m in positive) or 1.0
        weights = [(m.idf / total_idf, m.docs, m.title_docs) for m in positive]
        low = self._low

        # ---- pre-score: term quality, title, and a phrase check with the words each article has
        scored: list[tuple[float, int, bool]] = []
        for k, n in enumerate(full):
            if k % 1024 == 0:
                check()
            qual = title = 0.0
            for w, docs, tdocs in weights:
                qual += w * docs.get(n, _NO)[0]
                title += w * tdocs.get(n, 0.0)
            s = 50 + 50 * (0.5 * qual + 0.15 * title)
            if len(soft) >= 2:
                text = low[n]
                words = [m.docs[n][1] for m in soft]
                found = sum(1 for a, b in zip(words, words[1:]) if f"{a} {b}" in text)
                if found == len(words) - 1 and len(words) > 2 and " ".join(words) in text:
                    found += 1
                s += 50 * 0.3 * found / len(words)
            scored.append((s, n, True))
        for k, n in enumerate(partial):
            if k % 4096 == 0:
                check()
            qual = title = 0.0
            for w, docs, tdocs in weights:
                qual += w * docs.get(n, _NO)[0]
                title += w * tdocs.get(n, 0.0)
            scored.append((45 * qual + 5 * title, n, False))

        keep = max(self.refine_min, 2 * limit)
        top = heapq.nlargest(keep, scored, key=lambda t: (t[0], -t[1]))
        check()

        # ---- refine: positions, phrase adjacency, density, title; then snippets for the winners
        soft_gi = [gi for gi, m in enumerate(positive) if m.soft]
        raw_words = " ".join(w for t in q.terms if t.kind == "fuzzy" and t.field is None and not t.negate
                             for w in t.words)
        results: list[_Scored] = []
        for k, (_, n, is_full) in enumerate(top):
            if k % 16 == 0:
                check()
            results.append(self._refine(n, is_full, positive, soft_gi, raw_words))
        results.sort(key=lambda r: (-r.score, r.n))
        hits: list[Hit] = []
        for r in results[:limit]:  # snippets are cut when shown (Hit.snippet)
            hits.append(Hit(article=self._ids[r.n], title=self._titles[r.n], score=round(min(100.0, r.score), 2),
                            offsets=tuple(r.offsets), title_spans=tuple(merge_spans(r.title_spans)),
                            cut_from=(self._texts[r.n], r.groups)))
        return hits

    def _mean_length(self) -> float:
        if self._mean_len is None:
            self._mean_len = sum(map(len, self._low)) / max(1, len(self._low))
        return self._mean_len

    @staticmethod
    def _nearness(seq: list[tuple[int, int, int]], groups: int, window: int = 40) -> float:
        """How close consecutive query words (order ``k``, ``k+1``) come, in either order, 0..1: per pair 1
        when next to each other, falling to 0 at ``window`` characters apart; the mean over the pairs.
        ``seq`` holds (start, end, query order) sorted by start."""
        last: dict[int, int] = {}
        best: dict[int, float] = {}
        for s, e, oi in seq:
            for other in (oi - 1, oi + 1):
                at = last.get(other)
                if at is not None:
                    gap = s - at
                    close = 1.0 if gap <= 4 else max(0.0, 1.0 - (gap - 4) / (window - 4))
                    pair = min(oi, other)
                    if close > best.get(pair, 0.0):
                        best[pair] = close
            last[oi] = e
        return sum(best.values()) / (groups - 1)

    def _refine(self, n: int, is_full: bool, positive: list[_Match], soft_gi: list[int], raw_words: str) -> _Scored:
        low, title_low = self._low[n], self._title_low[n]
        found: set[tuple[int, int, int]] = set()            # start, end, group
        title_spans: list[Span] = []
        for gi, m in enumerate(positive):
            word = m.docs.get(n, _NO)[1]
            if word:
                title_spans.extend(_find_word(title_low, word))
                if m.in_text:
                    found.update((s, e, gi) for s, e in _find_word(low, word))
            for pattern in m.patterns:
                title_spans.extend(mm.span() for mm in itertools.islice(pattern.finditer(title_low), MAX_OFFSETS))
                if m.in_text:
                    found.update((mm.start(), mm.end(), gi)
                                 for mm in itertools.islice(pattern.finditer(low), MAX_OFFSETS))
            found.update((s, e, gi) for s, e in m.spans.get(n, ()))
        kept = sorted(found)

        # phrase: the longest run of soft groups, in query order, on consecutive words
        phrase = 0.0
        phrases = 0   # how often the whole phrase occurs
        if len(soft_gi) >= 2 and kept:
            order = {gi: i for i, gi in enumerate(soft_gi)}
            seq = [(s, e, order[gi]) for s, e, gi in kept if gi in order]
            run: dict[int, int] = {}
            longest = 1
            full = len(soft_gi)
            for i, (s, e, oi) in enumerate(seq):
                r = run.get(i, 1)
                for j in range(i + 1, min(len(seq), i + 4)):
                    s2, _, oi2 = seq[j]
                    if s2 < e:
                        continue
                    gap = low[e:s2]
                    if len(gap) > 4 or (gap != " " and _WORD_CHAR_SEARCH(gap) is not None):
                        break
                    if oi2 == oi + 1 and run.get(j, 1) < r + 1:
                        run[j] = r + 1
                        longest = max(longest, r + 1)
                        if r + 1 == full:
                            phrases += 1
            phrase = (longest - 1) / (len(soft_gi) - 1)
            if longest < full:
                # not all in a row: consecutive query words near each other (either order) count half
                phrase = max(phrase, 0.5 * self._nearness(seq, full))

        total_idf = sum(m.idf for m in positive) or 1.0
        qual = sum(m.idf * m.quality(n) for m in positive) / total_idf
        title_q = sum(m.idf * m.title_docs.get(n, 0.0) for m in positive) / total_idf
        if len(raw_words) >= 5 and title_low:
            tw = fuzz.partial_ratio(raw_words, title_low) / 100
            title_q = max(title_q, tw * tw)
        density = min(1.0, len(kept) / 12)
        if is_full:
            if len(soft_gi) >= 2:
                # how often the phrase occurs, saturating and relative to the text's length (as bm25 does)
                norm = len(low) / max(1.0, self._mean_length())
                frequency = phrases / (phrases + 0.6 + 0.6 * norm) if phrases else 0.0
                mix = 0.45 * qual + 0.3 * phrase + 0.1 * title_q + 0.15 * frequency
            else:
                mix = 0.65 * qual + 0.2 * title_q + 0.15 * density
            score = 50 + 50 * mix
        else:
            score = 45 * qual + 3 * title_q + 2 * phrase
        if not positive:
            score = 100.0
        return _Scored(score=score, n=n, offsets=[(s, e) for s, e, _ in kept[:MAX_OFFSETS]],
                       groups=[gi for _, _, gi in kept[:MAX_OFFSETS]], title_spans=title_spans)
