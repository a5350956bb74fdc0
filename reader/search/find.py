"""Find in one article: every hit of a query in a (possibly huge) text, for the reader's ``/`` and its counter.

Exact case-insensitive substrings first; when there are none, typo-tolerant matches of the query's words
(the same typo budget as the index's, :mod:`reader.search.vocabulary`), as phrases where they stand in a row.
"""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import OSA

from reader.search.text import WORD_CHAR_RE, WORD_RE, Span, fold
from reader.search.vocabulary import MAX_FUZZY_VARIANTS, allowed_edits

__all__ = ["find_in_text"]


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
                                                           limit=MAX_FUZZY_VARIANTS))
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
            if (start == 0 or not WORD_CHAR_RE.match(low[start - 1])) and \
                    (end == len(low) or not WORD_CHAR_RE.match(low[end])):
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
                if nw not in per_word[k] or len(gap) > 4 or WORD_CHAR_RE.search(gap):
                    break
                j, k, e = j + 1, k + 1, ne
            if k == len(words):
                phrases.append((s, e))
                if len(phrases) >= limit:
                    break
        if phrases:
            return phrases
    return [(s, e) for s, e, _ in occ[:limit]]
