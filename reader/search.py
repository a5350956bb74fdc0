"""Full-text search over the corpus, fzf-style query syntax, type-ahead ranking and find-in-article.

Three entry points, all through rapidfuzz (no hand-written edit distance anywhere):

* :class:`SearchIndex` — built once (a vocabulary of lower-cased words with postings: word → article
  numbers, for bodies and for titles).  A query's words are matched fuzzily against the vocabulary
  (``rapidfuzz.process.extract`` with the OSA distance, so a swap of two letters costs one edit), the
  postings of the matching words are combined, and only the best few hundred candidates are scanned for
  positions (offsets, phrase adjacency, snippets).  Positions are never stored: the per-article scan of a
  few kilobytes is cheaper than keeping millions of integers alive.
* :func:`fuzzy_rank` — fzf-like type-ahead over short strings (titles, tags, palette entries).
* :func:`find_in_text` — every hit of a query in one (possibly huge) text.

Query syntax (fzf extended mode, terms separated by spaces and ANDed):

    word       fuzzy word (typos tolerated; the last word also matches as a prefix while it is typed)
    'text      exact, case-insensitive substring (``'two words'`` with a closing quote may hold spaces)
    ^pre       a word starting with ``pre``        suf$   a word ending with ``suf``     ^word$  that word
    !text      exclude articles containing ``text`` (exact substring; combines with the forms above)
    a | b      either term (OR between adjacent terms)
    tag:X note:X quote:X title:X    field filters, X fuzzy unless quoted (``tag:'covid``)

Plain fuzzy words are "soft": articles matching every one of them rank first (score 50..100), articles
matching at least half of them follow (score below 50).  Every other kind of term is a hard filter.

Offsets everywhere are ``str`` indices (code points) into the original text.  Texts are lower-cased with
``str.lower`` (length-preserving for nearly all text; when it is not, a per-character fallback keeps the
offsets aligned).
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
from rapidfuzz.distance import LCSseq, OSA

from reader.display import same_length

__all__ = [
    "ArticleLike", "Hit", "Query", "Term", "QueryError", "SearchIndex",
    "parse_query", "fuzzy_rank", "TypeAhead", "find_in_text", "fold", "typo_prefixed", "TYPO_PREFIX_BELOW",
    "allowed_edits", "typo_quality",
]

Span = tuple[int, int]

WORD_RE = re.compile(r"\w+")
_WORDCHAR_RE = re.compile(r"\w")
_SPACE_RE = re.compile(r"\s+")

FIELDS = ("tag", "note", "quote", "title")
MAX_OFFSETS = 200
SNIPPET_WIDTH = 120
_MAX_FUZZY_VARIANTS = 64
_MAX_PREFIX_VARIANTS = 48
_REFINE_MIN = 150           # candidates scanned for positions, at least
_NOTE_CUTOFF = 80.0         # partial_ratio for note:/quote: fuzzy matches
_TAG_CUTOFF = 70.0          # fuzzy_rank score for tag: fuzzy matches


# --------------------------------------------------------------------------------------------- text


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


def _merge_spans(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


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


# -------------------------------------------------------------------------------------------- query


class QueryError(ValueError):
    """A query that cannot be parsed; the message is one clear sentence."""


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a query.

    kind: "fuzzy" (typo-tolerant words), "exact" (substring), "prefix", "suffix", "word" (^w$).
    words: the normalised words of a fuzzy term (a fuzzy token such as ``covid-19`` has two);
    text: the lower-cased pattern for the other kinds.  field: None (body and title) or one of FIELDS.
    last: the term was the last thing typed (a fuzzy word then also matches as a prefix).
    """

    kind: str
    text: str
    words: tuple[str, ...] = ()
    field: str | None = None
    negate: bool = False
    last: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: ``groups`` are ANDed, the terms inside one group are ORed."""

    raw: str
    groups: tuple[tuple[Term, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(t for g in self.groups for t in g)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Split on whitespace; a quote opened by ``'`` or ``field:'`` may hold spaces if it is closed."""
    out: list[tuple[str, bool]] = []   # (token, quoted-with-closing-quote)
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        token = text[i:j]
        body = token
        lead = ""
        if body.startswith("!"):
            lead, body = "!", body[1:]
        for f in FIELDS:
            if body.lower().startswith(f + ":"):
                lead += body[:len(f) + 1]
                body = body[len(f) + 1:]
                break
        if body.startswith(("'", '"')):
            q = body[0]
            close = text.find(q, i + len(lead) + 1)
            if close != -1 and (close + 1 == n or text[close + 1].isspace()):
                out.append((lead + q + text[i + len(lead) + 1:close], True))
                i = close + 1
                continue
            if q == '"':
                raise QueryError('a double quote (") is opened but never closed.')
        out.append((token, False))
        i = j
    return out


def parse_query(text: str) -> Query:
    """Parse fzf extended syntax plus fields; raise :class:`QueryError` for what cannot be understood."""
    if not isinstance(text, str):
        raise QueryError("the query must be text.")
    tokens = _tokens(text)
    trailing_space = bool(text) and text[-1].isspace()
    bars = [token == "|" and not closed for token, closed in tokens]
    groups: list[list[Term]] = []
    join_next = False
    for k, (token, closed) in enumerate(tokens):
        if bars[k]:
            if not groups or join_next:
                raise QueryError("'|' must stand between two terms, as in 'covid | corona'.")
            join_next = True
            continue
        is_last = k == len(tokens) - 1 and not trailing_space
        in_or = join_next or (k + 1 < len(tokens) and bars[k + 1])
        made = _parse_term(token, closed, is_last)
        if in_or and len(made) > 1:
            # a token of several words (covid-19) inside an OR stays one alternative: an exact substring
            made = [Term("exact", fold(token))]
        if join_next:
            groups[-1].extend(made)
            join_next = False
        else:
            groups.extend([t] for t in made)
    if join_next:
        raise QueryError("'|' must stand between two terms, as in 'covid | corona'.")
    return Query(raw=text, groups=tuple(tuple(g) for g in groups))


def _parse_term(token: str, closed: bool, is_last: bool) -> list[Term]:
    original = token
    negate = False
    if token.startswith("!"):
        negate, token = True, token[1:]
    fld: str | None = None
    for f in FIELDS:
        if token.lower().startswith(f + ":"):
            fld, token = f, token[len(f) + 1:]
            break
    if closed:                              # 'quoted text' with a closing quote: exact
        value = token[1:]
        if not value.strip():
            raise QueryError(f"the quoted term {original!r} is empty.")
        return [Term("exact", fold(value), field=fld, negate=negate)]
    exact = token.startswith("'")
    if exact:
        token = token[1:]
        if token.endswith("'") and len(token) > 1:
            token = token[:-1]
    prefix = token.startswith("^")
    if prefix:
        token = token[1:]
    suffix = token.endswith("$") and len(token) > 1 or (token == "$" and prefix)
    if suffix:
        token = token[:-1]
    if not token:
        if fld:
            raise QueryError(f"the field {fld + ':'!r} needs a value, as in '{fld}:covid'.")
        raise QueryError(f"the term {original!r} has nothing to match.")
    value = fold(token)
    if fld in ("tag", "note", "quote"):
        return [Term("exact" if exact else "fuzzy", value, (value,), field=fld, negate=negate)]
    if prefix or suffix:
        kind = "word" if prefix and suffix else ("prefix" if prefix else "suffix")
        if WORD_RE.fullmatch(value) is None:
            raise QueryError(f"{original!r}: '^' and '$' work on single words (letters and digits).")
        return [Term(kind, value, field=fld, negate=negate)]
    if exact or negate:                     # fzf: inverse terms are exact
        return [Term("exact", value, field=fld, negate=negate)]
    words = tuple(WORD_RE.findall(value))
    if not words:
        return [Term("exact", value, field=fld, negate=negate)]
    return [Term("fuzzy", w, (w,), field=fld, last=is_last and i == len(words) - 1)
            for i, w in enumerate(words)]


# --------------------------------------------------------------------------------------------- hits


class ArticleLike(Protocol):
    id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    article: str
    title: str
    score: float
    offsets: tuple[Span, ...]
    title_spans: tuple[Span, ...]
    snippet: str
    snippet_spans: tuple[Span, ...]


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
        if 0 < a < c_start and _WORDCHAR_RE.match(text[a - 1]):
            k = a
            while k < c_start and _WORDCHAR_RE.match(text[k]):
                k += 1
            a = k
        if c_end < b < n and _WORDCHAR_RE.match(text[b]):
            k = b
            while k > c_end and _WORDCHAR_RE.match(text[k - 1]):
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
    return prefix + body + suffix, tuple(_merge_spans(out_spans))


# ---------------------------------------------------------------------------------------- the index


class _Cancelled(Exception):
    pass


_NO = (0.0, "")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _find_word(low: str, word: str, limit: int = MAX_OFFSETS) -> list[Span]:
    """Occurrences of ``word`` in ``low`` as a whole word (the tokeniser's ``\\w+`` boundaries)."""
    out: list[Span] = []
    n, size = len(low), len(word)
    start = low.find(word)
    while start != -1 and len(out) < limit:
        end = start + size
        if (start == 0 or not _is_word_char(low[start - 1])) and (end == n or not _is_word_char(low[end])):
            out.append((start, end))
        start = low.find(word, end)
    return out


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
                if len(near) > _MAX_FUZZY_VARIANTS:   # keep the closest, then the most frequent
                    near = heapq.nsmallest(_MAX_FUZZY_VARIANTS, near, key=lambda c: (c[1], -len(post[c[0]])))
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
        for r in results[:limit]:
            check()
            snippet, snippet_spans = _snippet(self._texts[r.n], r.offsets, groups=r.groups)
            hits.append(Hit(article=self._ids[r.n], title=self._titles[r.n], score=round(min(100.0, r.score), 2),
                            offsets=tuple(r.offsets), title_spans=tuple(_merge_spans(r.title_spans)),
                            snippet=snippet, snippet_spans=snippet_spans))
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
                    if len(gap) > 4 or any(_is_word_char(c) for c in gap):
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


# --------------------------------------------------------------------------------------- type-ahead


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
               scorers: tuple[Sequence[int], ...] | None = None) -> dict[int, tuple[float, str]]:
    """Score every choice for one query word: substring > abbreviation (subsequence) > typo.

    ``subset``: score only ``lows[i]`` for those ``i`` (each choice's score depends on it alone).
    ``scorers``: the choices to try as (substring, abbreviation, ratio, partial ratio), each holding at
    least every choice that scorer could pass its cutoff on (:class:`TypeAhead` knows from bounds)."""
    if scorers is None:
        scorers = (range(len(lows)) if subset is None else subset,) * 4
    sub_idx, abbr_idx, ratio_idx, partial_idx = scorers
    out: dict[int, tuple[float, str]] = {}
    n = len(word)
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
        out.append((i, round(s, 2), tuple(_merge_spans(sp for sp in spans if sp[0] < sp[1]))))
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
        del codes
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

        def exact(k: int, idx) -> dict[int, tuple[float, str]]:
            return _rank_word(parts[k], self.lows, cutoff, scorers=tuple(idx[m[idx]].tolist() for m in bounds[k].tries))

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
        # Then the rest, one query part at a time: each part's exact scores replace its bounds.
        got = []
        for k in range(len(parts)):
            if not len(rest):
                return _ranked(scores, self.lows, cutoff, limit)
            part = exact(k, rest)
            got.append(part)
            upper[k] = np.full(g.n, _NONE)
            if part:
                upper[k][np.fromiter(part, dtype=np.int64, count=len(part))] = \
                    np.fromiter((v[0] for v in part.values()), dtype=np.float64, count=len(part))
            rest = rest[final([b[rest] for b in upper]) >= threshold - _EPS]
        keep = set(rest.tolist())
        got = [{i: v for i, v in d.items() if i in keep} for d in got]
        scores.update(_combine(q, words, got[:len(words)], got[-1] if len(words) > 1 else None))
        return _ranked(scores, self.lows, cutoff, limit)

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
            short = np.minimum(n, lens)
            best = np.zeros(g.n)
            for width in range(1, n + 1):
                m = np.floor(np.minimum(np.minimum(width, cm), (pairs + short + width + 1) / 3))
                best = np.where(width <= short, np.maximum(best, 2.0 * m / np.maximum(short + width, 1)), best)
            partial_ok = (100.0 * best + _EPS >= 75) & ~hit   # at most 90: never above a substring
            partial = np.where(partial_ok, 90.0 * best + _EPS, _NONE)
        else:
            ratio = partial = none
            ratio_ok = partial_ok = np.zeros(g.n, dtype=bool)
            lower = np.where(hit, sub, _NONE)
        upper = np.where(hit, np.maximum(sub, ratio), np.maximum(np.maximum(ratio, partial), abbr))
        return _Bound(upper, lower, (hit, abbr_ok, ratio_ok, partial_ok))


# ---------------------------------------------------------------------------------- find in article


def find_in_text(text: str, query: str, *, fuzzy: bool = True, limit: int = 10000,
                 folded: str | None = None) -> list[Span]:
    """Every hit of ``query`` in ``text``, in order: exact case-insensitive substrings if there are any,
    otherwise (``fuzzy``) typo-tolerant matches of the query's words (whole phrases when the words stand
    next to each other in order, else the single words).

    ``folded`` is ``fold(text)`` when the caller already has it: a reader finding as the user types
    folds a 20 MB article once, not on every keystroke (~120 ms each)."""
    q = query
    if not q.strip() or not text or limit <= 0:
        return []
    q_low = q.lower()
    low = folded if folded is not None else fold(text)
    hits: list[Span] = []
    start = low.find(q_low) if len(q_low) == len(q) else -1
    if len(q_low) != len(q):
        q_low = fold(q)
        start = low.find(q_low)
    target = q.lower()
    while start != -1 and len(hits) < limit:
        end = start + len(q_low)
        if text[start:end].lower() == target:
            hits.append((start, end))
        start = low.find(q_low, start + 1)
    if hits or not fuzzy:
        return hits

    words = WORD_RE.findall(fold(q))
    if not words:
        return []
    uniq: set[str] = set()
    for token in set(low.split()):          # unique tokens first: far fewer than the text's words
        if token.isalnum():
            uniq.add(token)
        else:
            uniq.update(WORD_RE.findall(token))
    vocab = list(uniq)
    per_word: list[set[str]] = []
    for w in words:
        edits = allowed_edits(w, known=w in uniq)
        found = {w} if w in uniq else set()
        if edits:
            found.update(c for c, _, _ in process.extract(w, vocab, scorer=OSA.distance, score_cutoff=edits,
                                                           limit=_MAX_FUZZY_VARIANTS))
        per_word.append(found)
    wanted = set().union(*per_word)
    if not wanted:
        return []
    occ: list[tuple[int, int, str]] = []
    for w in wanted:
        start = low.find(w)
        count = 0
        while start != -1 and count < limit:
            end = start + len(w)
            if (start == 0 or not _WORDCHAR_RE.match(low[start - 1])) and \
                    (end == len(low) or not _WORDCHAR_RE.match(low[end])):
                occ.append((start, end, w))
                count += 1
            start = low.find(w, end)
    occ.sort()
    if len(words) > 1:
        phrases: list[Span] = []
        for i in range(len(occ)):
            s, e, w = occ[i]
            if w not in per_word[0]:
                continue
            j, k = i, 1
            while k < len(words) and j + 1 < len(occ):
                ns, ne, nw = occ[j + 1]
                gap = low[e:ns]
                if nw not in per_word[k] or len(gap) > 4 or _WORDCHAR_RE.search(gap):
                    break
                j, k, e = j + 1, k + 1, ne
            if k == len(words):
                phrases.append((s, e))
                if len(phrases) >= limit:
                    break
        if phrases:
            return phrases
    return [(s, e) for s, e, _ in occ[:limit]]
