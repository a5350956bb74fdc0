"""Type-ahead: fzf-like ranking of short strings (titles, tags, palette entries) as the user types.

:func:`fuzzy_rank` scores every choice per query word (substring > abbreviation > typo) and returns the
spans to underline.  It stands alone (rapidfuzz and :mod:`reader.search.text` only), so the command
palette and the tag dialogs load it without the index.
"""

from __future__ import annotations

from typing import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from reader.search.text import Span, fold, merge_spans

__all__ = ["fuzzy_rank"]


def _opcode_spans(pattern: str, target: str, offset: int = 0) -> list[Span]:
    return [(op.dest_start + offset, op.dest_end + offset)
            for op in LCSseq.opcodes(pattern, target) if op.tag == "equal"]


def _rank_word(word: str, lows: Sequence[str], cutoff: float) -> dict[int, tuple[float, str]]:
    """Score every choice for one query word: substring > abbreviation (subsequence) > typo."""
    out: dict[int, tuple[float, str]] = {}
    n = len(word)
    for i, c in enumerate(lows):
        pos = c.find(word)
        if pos != -1:
            boundary = pos == 0 or not c[pos - 1].isalnum()
            s = 90 + (5 if boundary else 0) + 5 * n / max(n, len(c))
            if c == word:
                s = 100.0
            out[i] = (min(100.0, s), "sub")
    # abbreviation: every character of the word, in order (LCS similarity == len(word))
    for c, _, i in process.extract(word, lows, scorer=LCSseq.similarity, score_cutoff=n, limit=None):
        if i in out:
            continue
        blocks = _opcode_spans(word, c)
        starts = sum(1 for s, _ in blocks if s == 0 or not c[s - 1].isalnum())
        s = 86 - 5 * (len(blocks) - 1) + 3 * starts - 10 * (1 - n / max(n, len(c)))
        out[i] = (max(cutoff, min(89.0, s)) if s >= cutoff else s, "abbr")
    if n >= 3:
        for c, s, i in process.extract(word, lows, scorer=fuzz.ratio, score_cutoff=min(cutoff, 60), limit=None):
            if s > out.get(i, (0.0, ""))[0]:
                out[i] = (float(s) * 0.98, "ratio")
        for c, s, i in process.extract(word, lows, scorer=fuzz.partial_ratio, score_cutoff=75, limit=None):
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


def fuzzy_rank(query: str, choices: Sequence[str], *, limit: int | None = None,
               score_cutoff: float = 50) -> list[tuple[int, float, tuple[Span, ...]]]:
    """fzf-like type-ahead over short strings: (index, score 0..100, spans in choices[index]), best first."""
    q = fold(query.strip())
    if not q:
        out = [(i, 100.0, ()) for i in range(len(choices))]
        return out[:limit] if limit is not None else out
    lows = [fold(c) for c in choices]
    words = q.split()
    per_word = [_rank_word(w, lows, score_cutoff) for w in words]
    scores: dict[int, tuple[float, list[tuple[str, str]]]] = {}
    if len(words) == 1:
        for i, (s, how) in per_word[0].items():
            scores[i] = (s, [(words[0], how)])
    else:
        whole = _rank_word(q, lows, score_cutoff)
        common = set(per_word[0])
        for pw in per_word[1:]:
            common &= set(pw)
        for i in common:
            s = sum(pw[i][0] for pw in per_word) / len(words)
            scores[i] = (s, [(w, pw[i][1]) for w, pw in zip(words, per_word)])
        for i, (s, how) in whole.items():
            if s >= scores.get(i, (0.0, []))[0]:
                scores[i] = (s, [(q, how)])
    ranked = sorted(((s, i) for i, (s, _) in scores.items() if s >= score_cutoff), key=lambda t: (-t[0], t[1]))
    if limit is not None:
        ranked = ranked[:limit]
    out: list[tuple[int, float, tuple[Span, ...]]] = []
    for s, i in ranked:
        spans: list[Span] = []
        for w, how in scores[i][1]:
            spans.extend(_word_spans(w, lows[i], how))
        out.append((i, round(s, 2), tuple(merge_spans(sp for sp in spans if sp[0] < sp[1]))))
    return out
