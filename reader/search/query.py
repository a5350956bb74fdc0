"""The query syntax (fzf extended mode plus fields), parsed into :class:`Query`.

Terms are separated by spaces and ANDed:

    word       fuzzy word (typos tolerated; the last word also matches as a prefix while it is typed)
    'text      exact, case-insensitive substring (``'two words'`` with a closing quote may hold spaces)
    ^pre       a word starting with ``pre``        suf$   a word ending with ``suf``     ^word$  that word
    !text      exclude articles containing ``text`` (exact substring; combines with the forms above)
    a | b      either term (OR between adjacent terms)
    tag:X note:X quote:X title:X    field filters, X fuzzy unless quoted (``tag:'covid``)

What the terms mean for ranking is :mod:`reader.search.index`'s business; this module only says what was
typed, or raises :class:`QueryError` with one clear sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.search.text import WORD_RE, fold

__all__ = ["FIELDS", "QueryError", "Term", "Query", "parse_query"]

FIELDS = ("tag", "note", "quote", "title")


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
