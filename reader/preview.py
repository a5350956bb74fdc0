"""What the library's preview pane shows for one article (core: no Textual; the widget only presents).

:func:`assemble` turns an article, its text (or None when it could not be read), its annotation records
and, during a library search, its :class:`reader.search.Hit` into :class:`Line`\\ s of a few kinds the
pane styles: the title, the date/byline/source line, the best snippet of the search with its hit
spans, the tags and notes (counts and the first few), then the article's first paragraphs. The text is
last so that a short pane loses only the end of it.

:func:`read_body` reads the text of the one article shown without keeping it in memory (browsing 1,000
rows must not pin 1,000 bodies); an article already read (opened, searched) is not read again.
:func:`fit_snippet` cuts a one-line snippet to a column's width around its first hit, so that a
narrow list still shows the matched word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from reader.display import field, one_line
from reader.records import count_tags, is_whole_article

__all__ = ["Line", "assemble", "read_body", "head", "fit_snippet", "MAX_TAGS", "MAX_NOTES"]

Span = tuple[int, int]

MAX_TAGS = 8        # tags listed (the rest counted)
MAX_NOTES = 3       # notes listed (the rest counted)
HEAD_CHARS = 1500   # about this much of the article's beginning
SNIPPET_CHARS = 320  # the search's best passage: a few lines of the pane
NOTE_CHARS = 160    # a note (with its quote) is cut here


@dataclass(frozen=True)
class Line:
    """One paragraph of the pane; ``kind`` says how it is styled, ``spans`` mark hits in ``text``.

    kinds: ``title``, ``meta`` (date, byline, source, words), ``id`` (the file), ``label`` (a section's
    name), ``snippet`` (spans: the hit words), ``tags``, ``note``, ``text`` (the article's beginning),
    ``quiet`` (a remark: unreadable text, nothing annotated), ``blank``.
    """

    kind: str
    text: str = ""
    spans: tuple[Span, ...] = ()


BLANK = Line("blank")

# a paragraph that says nothing on its own: markup left around a skipped title (`#`, `</div>`, `---`)
# a line that starts a block of its own in Markdown: a heading, quote, list item, table row or code fence
_BLOCK_RE = re.compile(r"#{1,6}(?:\s|$)|>|[*+-]\s|\d{1,9}[.)]\s|\||```|~~~")
_NOISE_RE = re.compile(r"(?:\W+|(?:\s*</?[A-Za-z][^<>]*>)+\s*)")


def read_body(article: Any, root: Any) -> str | None:
    """The article's text for a preview; None when it cannot be read.

    An article whose text is already in memory (``loaded``, or a plain ``reader.corpus.Article``) gives
    that; otherwise the file is read once for this call and not kept.
    """
    from reader.corpus import CorpusError, load_article

    if getattr(article, "loaded", True):
        return article.text
    try:
        return load_article(root, article.id).text
    except CorpusError:
        return None


def head(text: str, skip: Iterable[Span] = (), *, limit: int = HEAD_CHARS) -> list[str]:
    """The first paragraphs of ``text`` on one line each, about ``limit`` characters in all.

    ``skip`` are ranges left out (the title, metadata and scrape-residue lines the list already shows or
    the reader dims). Paragraphs are separated by blank lines; a Markdown heading, list item or quote
    line is a paragraph of its own.
    """
    window = text[: limit * 4]
    chars = list(window) if skip else None
    if chars is not None:
        for start, end in skip:
            for i in range(max(0, start), min(end, len(chars))):
                if chars[i] != "\n":
                    chars[i] = " "
        window = "".join(chars)
    out: list[str] = []
    total = 0
    current: list[str] = []

    def flush() -> None:
        nonlocal total
        if current:
            paragraph = one_line(" ".join(current))
            if paragraph and not _NOISE_RE.fullmatch(paragraph):
                room = limit - total
                if len(paragraph) > room:
                    paragraph = one_line(paragraph, max(room, 40))
                out.append(paragraph)
                total += len(paragraph)
            current.clear()

    for raw in window.split("\n"):
        if total >= limit:
            break
        line = raw.strip()
        if not line:
            flush()
            continue
        if _BLOCK_RE.match(line):
            flush()  # a heading, quote, list item or table row starts a paragraph of its own
        current.append(line)
    if total < limit:
        flush()
    return out


def assemble(article: Any, body: str | None, records: Iterable[dict[str, Any]] = (), *,
             hit: Any = None, snippet_chars: int = SNIPPET_CHARS) -> list[Line]:
    """The preview of ``article`` as lines for the pane (see :class:`Line`).

    ``body`` is its text (None: unreadable, said so); ``records`` its annotations (stored and unsaved);
    ``hit`` the search hit it was listed for, whose best passage is shown with the hit words marked
    (cut again from ``body``, wider than the list's one-line snippet, when the body is there).
    """
    lines = [Line("title", one_line(article.title or article.id))]
    meta = [article.date or "undated"]
    if article.byline:
        meta.append(f"by {one_line(article.byline)}")
    if article.source:
        meta.append(one_line(article.source))
    words = getattr(article, "words", None)
    if words is not None:
        meta.append(f"{words:,} word{'s' if words != 1 else ''}")
    lines.append(Line("meta", " · ".join(meta)))
    lines.append(Line("id", field(article.id)))

    if hit is not None:
        snippet, spans = _best_passage(body, hit, snippet_chars)
        if snippet:
            lines += [BLANK, Line("label", "Best match"), Line("snippet", snippet, spans)]

    records = list(records)
    lines.append(BLANK)
    lines += _annotations(records)

    lines += [BLANK, Line("label", "Beginning")]
    if body is None:
        lines.append(Line("quiet", "The text cannot be read (the file vanished or is unreadable)."))
    else:
        skip = list(getattr(article, "dim_ranges", ()) or ())
        title_range = getattr(article, "title_range", None)
        if title_range:
            skip.append(tuple(title_range))
        paragraphs = head(body, skip)
        for i, paragraph in enumerate(paragraphs):
            lines += [BLANK, Line("text", paragraph)] if i else [Line("text", paragraph)]
        if not paragraphs:
            lines.append(Line("quiet", "The article is empty."))
    return lines


def _best_passage(body: str | None, hit: Any, width: int) -> tuple[str, tuple[Span, ...]]:
    offsets = [tuple(o) for o in (getattr(hit, "offsets", ()) or ())]
    if body is not None and offsets and all(0 <= s < e <= len(body) for s, e in offsets):
        from reader.search.index import snippet

        return snippet(body, sorted(offsets), width)
    return hit.snippet or "", tuple(hit.snippet_spans or ())


def _annotations(records: list[dict[str, Any]]) -> list[Line]:
    if not records:
        return [Line("quiet", "No annotations yet.")]
    n = len(records)
    counts = count_tags(records)
    noted = [r for r in records if (r.get("note") or "").strip()]
    noted.sort(key=lambda r: (not is_whole_article(r), r.get("start") or 0, r.get("created") or ""))
    summary = [f"{n} annotation{'s' if n != 1 else ''}",
               f"{len(counts)} tag{'s' if len(counts) != 1 else ''}",
               f"{len(noted)} note{'s' if len(noted) != 1 else ''}"]
    out = [Line("label", " · ".join(summary))]
    if counts:
        shown = [f"{field(tag)} {count}" for tag, count in list(counts.items())[:MAX_TAGS]]
        if len(counts) > MAX_TAGS:
            shown.append(f"+{len(counts) - MAX_TAGS} more")
        out.append(Line("tags", " · ".join(shown)))
    for record in noted[:MAX_NOTES]:
        note = one_line(record["note"])
        if is_whole_article(record):
            text = f"(article) {note}"
        else:
            text = f"“{one_line(record.get('quote') or '', 40)}” {note}"
        out.append(Line("note", one_line(text, NOTE_CHARS)))
    if len(noted) > MAX_NOTES:
        out.append(Line("quiet", f"+{len(noted) - MAX_NOTES} more note{'s' if len(noted) - MAX_NOTES != 1 else ''}"
                        " (a: the annotations browser)"))
    return out


def fit_snippet(text: str, spans: Sequence[Span], width: int) -> tuple[str, tuple[Span, ...]]:
    """A one-line ``text`` cut to at most ``width`` characters so that its spans show: the first group of
    them that fits in the width holding the most, centred when the line's start does not reach them; an
    ``…`` marks each cut end, and the spans move with the cut."""
    if width <= 2 or len(text) <= width:
        return text, tuple(spans)
    valid = sorted((s, e) for s, e in spans if 0 <= s < e <= len(text))
    a = 0
    # the window holding the most hits (the first such), e.g. both words of a phrase rather than one
    room = width - 2  # the ellipses
    best, count = 0, 0
    for i, (s, _) in enumerate(valid):
        n = sum(1 for s2, e2 in valid[i:] if e2 - s <= room)
        if n > count:
            best, count = i, n
    if valid:
        s = valid[best][0]
        e = max(e2 for s2, e2 in valid[best:best + count])
    if valid and e > width - 1:
        a = max(0, min(s - max(0, (width - 2 - (e - s)) // 2), len(text) - width + 1))  # 2: the ellipses
        # begin at a word: "…of Rust's regex", not "…p of Rust's regex"
        while 0 < a < s and text[a - 1].isalnum() and text[a].isalnum():
            a += 1
        while a < s and text[a].isspace():
            a += 1
    lead = "…" if a > 0 and text[a] != "…" else ""
    b = a + width - len(lead)
    tail = ""
    if b < len(text):
        b -= 1
        tail = "…"
    shown = lead + text[a:b] + tail
    shift = len(lead) - a
    out: list[Span] = []
    for s, e in valid:
        s, e = max(s, a), min(e, b)
        if s < e:
            out.append((s + shift, e + shift))
    return shown, tuple(out)
