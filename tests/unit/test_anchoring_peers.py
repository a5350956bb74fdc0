"""The plain-text anchoring cases of other web annotation tools' test suites, ported to ``reader.anchoring``.

Each test names the file its case comes from. The peers' DOM plumbing (ranges, XPaths, text nodes) has no
counterpart here: a case is ported as the text (the element's ``textContent``), the selector (quote,
prefix, suffix, position) and what should be found. Where a peer's semantics differ from ours, the test
says how it was adapted:

- offsets are code points (as the W3C TextPositionSelector says), not UTF-16 code units;
- an empty quote is a whole-article annotation (``describe`` refuses an empty range), not a caret position;
- a peer that finds only exact quote+context matches answers "no match" where we answer "found, but not
  with confidence 1, and reported for review when below the threshold" (an edited context is evidence,
  not a veto), and a peer that gives up on a heavily edited quote is matched by our "reported for review".

``READER_ANCHOR_IMPL=old`` runs the same cases against the frozen pre-issue-10 matcher in
``bench/anchor_old.py`` (for the before/after counts), e.g.
``READER_ANCHOR_IMPL=old python -m pytest tests/unit/test_anchoring_peers.py -q -p no:cacheprovider``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def _impl():
    if os.environ.get("READER_ANCHOR_IMPL") == "old":
        spec = importlib.util.spec_from_file_location("anchor_old", ROOT / "bench" / "anchor_old.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["anchor_old"] = module
        spec.loader.exec_module(module)
        return module
    from reader import anchoring
    return anchoring


impl = _impl()


def conf(a) -> float:
    return getattr(a, "confidence", a.score)


def review_below() -> float:
    return getattr(impl, "REVIEW_BELOW", 0.0)


def find(text, quote, prefix="", suffix="", start=None, end=None):
    a = impl.anchor(text, quote=quote, prefix=prefix, suffix=suffix, start=start, end=end)
    if a.found and a.start is not None:
        assert a.quote == text[a.start:a.end]
    return a


def span(a):
    return (a.start, a.end) if a.found else None


# ---------------------------------------------------------------------------------------------------------
# hypothesis/client: src/annotator/anchoring/test/match-quote-test.js
# ---------------------------------------------------------------------------------------------------------

SOLITUDE = " ".join("""Many years later, as he faced the firing squad,
    Colonel Aureliano Buendía was to remember that distant afternoon
    when his father took him to discover ice""".split())
TWO_CITIES = " ".join("""It was the best of times, it was the worst of times,
    it was the age of wisdom, it was the age of foolishness, it was the epoch of belief,
    it was the epoch of incredulity, it was the season of Light, it was the
    season of Darkness, it was the spring of hope, it was the winter of despair, we had
    everything before us, we had nothing before us, we were all going direct to Heaven,
    we were all going direct the other way.""".split())
HYP = "hypothesis/client src/annotator/anchoring/test/match-quote-test.js"


def test_hypothesis_match_quote_finds_exact_match():
    """match-quote-test.js: 'finds exact match' (score 1.0)."""
    a = find(SOLITUDE, "discover ice")
    assert SOLITUDE[a.start:a.end] == "discover ice"
    assert conf(a) == 1.0


def test_hypothesis_match_quote_best_approximate_match_has_full_words():
    """match-quote-test.js: 'finds best approximate match if there is no exact match'."""
    a = find(SOLITUDE, "some years later")
    assert 0 < conf(a) < 1
    assert SOLITUDE[a.start:a.end] == "Many years later"


@pytest.mark.parametrize("field,values", [
    ("quote", ["Many years later", "Many yers later", "Some years later", "Some years after"]),
    ("prefix", ["Many years later", "Many yers later", "Some years later", "Some years after"]),
    ("suffix", [", as he faced the firing squad", ", as she faced the firing squad",
                ", as he awaited the firing squad", ", as he awaited his death"]),
])
def test_hypothesis_match_quote_scores_by_similarity(field, values):
    """match-quote-test.js: 'scores matches based on quote / prefix / suffix similarity'."""
    scores = []
    for value in values:
        if field == "quote":
            a = find(SOLITUDE, value)
        elif field == "prefix":
            a = find(SOLITUDE, ", as he faced the firing squad", prefix=value)
        else:
            a = find(SOLITUDE, "Many years later", suffix=value)
        assert a.found, value
        scores.append(conf(a))
    assert all(later < earlier for earlier, later in zip(scores, scores[1:])), scores


def test_hypothesis_match_quote_no_acceptable_match():
    """match-quote-test.js: 'returns null if there is no acceptable approximate match'."""
    assert find(TWO_CITIES, SOLITUDE).status == "orphaned"


def test_hypothesis_match_quote_empty_quote_and_empty_text():
    """match-quote-test.js: 'returns null if quote is empty' / 'if text is empty' (adapted: an empty quote is
    a whole-article annotation, never a position)."""
    whole = find("foobar", "")
    assert whole.found and whole.start is None and whole.end is None
    assert find("", "foobar").status == "orphaned"


@pytest.mark.parametrize("quote,prefix,suffix,expected", [
    ("before us", "we had everything", "", "before us, we had nothing"),
    ("before us", "we had nothing", "", "before us, we were all going"),
    ("before us", "we had every-thing", "", "before us, we had nothing"),
    ("before us", "we had nout", "", "before us, we were all going"),
    ("we had", "", "everything", "we had everything"),
    ("we had", "", "nothing", "we had nothing"),
    ("we had", "", "ever ting", "we had everything"),
    ("we had", "", "nutting", "we had nothing"),
])
def test_hypothesis_match_quote_best_context_match(quote, prefix, suffix, expected):
    """match-quote-test.js: 'finds match with best context match (0..7)'."""
    a = find(TWO_CITIES, quote, prefix=prefix, suffix=suffix)
    assert TWO_CITIES[a.start:a.end] == quote
    assert a.start == TWO_CITIES.index(expected)


def test_hypothesis_match_quote_hint_breaks_ties():
    """match-quote-test.js: 'uses `hint` as a tie-breaker to choose between matches with close scores'."""
    pos_a = TWO_CITIES.index("everything before us") + len("everything ")
    pos_b = TWO_CITIES.index("nothing before us") + len("nothing ")
    assert find(TWO_CITIES, "befor us", start=pos_a).start == pos_a
    assert find(TWO_CITIES, "befor us", start=pos_b).start == pos_b
    assert find(TWO_CITIES, "befor us").start == pos_a


def test_hypothesis_match_quote_prefix_longer_than_the_start_offset():
    """match-quote-test.js: 'matches when prefix length is greater than the match start offset'."""
    a = find(SOLITUDE, "years later", prefix="It used to be many")
    assert a.start < len("It used to be many")
    assert SOLITUDE[a.start:a.end] == "years later"


def test_hypothesis_match_quote_match_at_the_end_with_a_suffix():
    """match-quote-test.js: 'matches when match ends at end of text and there is a non-empty suffix'."""
    text = "Some document text"
    a = find(text, "text", suffix="missing")
    assert text[a.start:a.end] == "text"


# ---------------------------------------------------------------------------------------------------------
# hypothesis/client: src/annotator/anchoring/test/text-position-test.js
# ---------------------------------------------------------------------------------------------------------

ARTICLE = "Test article\nFirst paragraph.\nSecond paragraph."


@pytest.mark.parametrize("quote", ["Test article", "First paragraph.", "Second paragraph.", "rst paragraph"])
def test_hypothesis_text_position_round_trip(quote):
    """text-position-test.js: 'returns a range with the correct text' (start / whole node / end / part)."""
    start = ARTICLE.index(quote)
    sel = impl.describe(ARTICLE, start, start + len(quote))
    assert sel.quote == quote
    a = find(ARTICLE, sel.quote, sel.prefix, sel.suffix, sel.start, sel.end)
    assert (a.status, span(a), conf(a)) == ("anchored", (start, start + len(quote)), 1.0)


@pytest.mark.parametrize("start,end", [(-5, 5), (1000, 1010), (0, 1000), (0, 0), (10, 5)])
def test_hypothesis_text_position_invalid_offsets(start, end):
    """text-position-test.js: negative / invalid start, invalid end, empty range, end < start (adapted:
    describe refuses every one of them; an empty range is not a passage)."""
    with pytest.raises(ValueError):
        impl.describe(ARTICLE, start, end)


# ---------------------------------------------------------------------------------------------------------
# apache/incubator-annotator: packages/dom/test/text-quote/match-cases.ts
# ---------------------------------------------------------------------------------------------------------

LOREM = "lorem ipsum dolor amet yada yada"


@pytest.mark.parametrize("name,text,quote,prefix,suffix,expected", [
    ("simple", LOREM, "dolor am", "", "", [(12, 20)]),
    ("first characters", LOREM, "lorem ipsum", "", "", [(0, 11)]),
    ("last characters", LOREM, "yada yada", "", "", [(23, 32)]),
    ("across elements", LOREM, "dolor am", "", "", [(12, 20)]),
    ("exact element contents", LOREM, "ipsum dolor", "", "", [(6, 17)]),
    ("text inside <head>", "The title" + LOREM, "title", "", "", [(4, 9)]),
    ("two matches", LOREM, "yada", "", "", [(23, 27)]),
    ("overlapping matches", "bananas", "ana", "", "", [(1, 4)]),
    ("with prefix", LOREM, "yada", "t ", "", [(23, 27)]),
    ("with suffix", LOREM, "o", "", "l", [(13, 14)]),
    ("with prefix and suffix", LOREM, "o", "l", "re", [(1, 2)]),
    ("with prefix and suffix, two matches", LOREM, "o", "l", "r", [(1, 2), (15, 16)]),
    ("with empty prefix and suffix", LOREM, "dolor am", "", "", [(12, 20)]),
])
def test_apache_text_quote_match(name, text, quote, prefix, suffix, expected):
    """incubator-annotator packages/dom/test/text-quote/match-cases.ts (the first of several matches, as
    we return one anchor: the other matches are reached with a position hint, below)."""
    a = find(text, quote, prefix, suffix)
    assert span(a) in expected, name
    assert conf(a) == 1.0, name


@pytest.mark.parametrize("text,quote,hint", [(LOREM, "yada", 28), ("bananas", "ana", 3)])
def test_apache_text_quote_every_match_is_reachable(text, quote, hint):
    """match-cases.ts: 'two matches' and 'overlapping matches': the second is the one next to its position."""
    a = find(text, quote, start=hint, end=hint + len(quote))
    assert (a.status, span(a)) == ("anchored", (hint, hint + len(quote)))


def test_apache_text_quote_no_matches():
    """match-cases.ts: 'no matches'."""
    assert find(LOREM, "holy grail").status == "orphaned"


@pytest.mark.parametrize("name,prefix,suffix", [
    ("with prefix, no matches", "oopsum ", ""),
    ("with suffix, no matches", "", " amot"),
    ("with suffix, no matches due to whitespace", "", "a"),
])
def test_apache_text_quote_context_mismatch_is_not_a_confident_match(name, prefix, suffix):
    """match-cases.ts: the 'no matches' cases of an exact matcher (adapted: the quote is there, its context
    is not, so the anchor is found with a confidence below 1, never as an unchanged anchor)."""
    a = find(LOREM, "dolor", prefix, suffix)
    assert a.status == "orphaned" or (span(a) == (12, 17) and conf(a) < 1.0), name


def test_apache_text_quote_empty_quote_is_a_whole_article_annotation():
    """match-cases.ts: 'empty quote' and its variants (adapted: no empty ranges; an empty quote means the whole
    article)."""
    for prefix, suffix in (("", ""), ("dolor", ""), ("", "i"), ("lorem ", "ipsum"), ("X", "")):
        a = find(LOREM, "", prefix, suffix)
        assert a.found and a.start is None


# ---------------------------------------------------------------------------------------------------------
# apache/incubator-annotator: packages/dom/test/text-position/match-cases.ts and text-quote/describe-cases.ts
# ---------------------------------------------------------------------------------------------------------

EMOJI = "l😃rem ipsum dolor amet yada yada"


@pytest.mark.parametrize("name,text,start,end,quote", [
    ("simple", EMOJI, 12, 20, "dolor am"),
    ("first characters", EMOJI, 0, 11, "l😃rem ipsum"),
    ("last characters", EMOJI, 23, 32, "yada yada"),
    ("across elements", EMOJI, 12, 20, "dolor am"),
    ("exact element contents", EMOJI, 6, 17, "ipsum dolor"),
    ("text inside <head>", "l😃rem ipsum dolor ametyada yada", 18, 22, "amet"),
])
def test_apache_text_position_match_counts_code_points(name, text, start, end, quote):
    """incubator-annotator packages/dom/test/text-position/match-cases.ts: positions count code points."""
    sel = impl.describe(text, start, end)
    assert sel.quote == quote, name
    a = find(text, sel.quote, sel.prefix, sel.suffix, sel.start, sel.end)
    assert (a.status, span(a)) == ("anchored", (start, end)), name
    # and after an emoji is added in front, one code point later
    a = find("😃" + text, sel.quote, sel.prefix, sel.suffix, sel.start, sel.end)
    assert (a.status, span(a)) == ("moved", (start + 1, end + 1)), name


@pytest.mark.parametrize("name,text,start,end", [
    ("simple", LOREM, 12, 20),
    ("minimal prefix", "To annotate or not to annotate.", 22, 26),
    ("minimal suffix", "To annotate or not to annotate.", 7, 11),
    ("use suffix for start of text", "to annotate or not to annotate.", 0, 2),
    ("use prefix for end of text", "To annotate or not to annotate", 26, 30),
    ("multiple, overlapping false matches", "aaaaaaaaaa", 4, 7),
    ("across elements", "To annotate or not to annotate", 22, 28),
])
def test_apache_text_quote_describe_disambiguates(name, text, start, end):
    """incubator-annotator packages/dom/test/text-quote/describe-cases.ts (adapted: we always keep 32
    characters of context rather than the minimum): the selector finds exactly its own range again, even
    without its position."""
    sel = impl.describe(text, start, end)
    a = find(text, sel.quote, sel.prefix, sel.suffix)
    assert span(a) == (start, end), name
    assert conf(a) == 1.0, name


# ---------------------------------------------------------------------------------------------------------
# tilgovi/dom-anchor-text-quote: test/index_spec.js (fixture test/fixtures/test.html, as textContent)
# ---------------------------------------------------------------------------------------------------------

PELLENTESQUE = re.sub(r"<[^>]+>", "", """<p><strong>Pellentesque habitant morbi tristique</strong> senectus et netus et
  malesuada fames ac turpis egestas. Vestibulum tortor quam, feugiat vitae,
  ultricies eget, tempor sit amet, ante. Donec eu libero sit amet quam egestas
  semper. <em>Aenean ultricies mi vitae est.</em> Mauris placerat eleifend
  leo. Quisque sit amet est et sapien ullamcorper pharetra. Vestibulum erat
  wisi, condimentum sed, <code>commodo vitae</code>, ornare sit amet,
  wisi. Aenean fermentum, elit eget tincidunt condimentum, eros ipsum rutrum
  orci, sagittis tempus lacus enim ac dui. <a href="#">Donec non enim</a> in
  turpis pulvinar facilisis. Ut felis.</p>
""")
LINK = PELLENTESQUE.index("Donec non enim")


@pytest.mark.parametrize("name,quote,prefix,suffix,expected", [
    ("finds an exact quote", "commodo vitae", "", "", "commodo vitae"),
    ("finds an exact quote longer than 32 characters", "Quisque sit amet est et sapien ullamcorper pharetra",
     "", "", "Quisque sit amet est et sapien ullamcorper pharetra"),
    ("finds a close exact quote", "commodo cites", "", "", "commodo vitae"),
    ("finds a context quote", "commodo vitae", "condimentum sed, ", ", ornare sit amet", "commodo vitae"),
    ("finds a close context quote", "commodo cites", "condimentum sed, ", ", ornare sit amet", "commodo vitae"),
    ("succeeds with the best match even if the context fails", "commodo vitae", "bogomips", "bogomips",
     "commodo vitae"),
])
def test_tilgovi_to_range_finds(name, quote, prefix, suffix, expected):
    """dom-anchor-text-quote test/index_spec.js: toRange."""
    a = find(PELLENTESQUE, quote, prefix, suffix)
    assert a.found, name
    assert PELLENTESQUE[a.start:a.end] == expected, name


@pytest.mark.parametrize("prefix,suffix", [("Donec n", ""), ("", " enim in")])
def test_tilgovi_disambiguates_by_context(prefix, suffix):
    """index_spec.js: 'can disambiguate using the prefix' / 'using the suffix' (the 'on' of the link)."""
    a = find(PELLENTESQUE, "on", prefix, suffix)
    assert span(a) == (LINK + len("Donec n"), LINK + len("Donec non"))


def test_tilgovi_quote_not_found():
    """index_spec.js: 'throws an error when the quote is not found'."""
    assert find(PELLENTESQUE, "bogus").status == "orphaned"


def test_tilgovi_long_quote_not_found_is_never_silently_accepted():
    """index_spec.js: 'throws an error when a long quote is not found' (adapted: three quarters of the quote
    are still there, so it may be offered, but only for review)."""
    a = find(PELLENTESQUE, "Quisque sit amet est et sapien ullam triceracorn")
    assert a.status == "orphaned" or conf(a) < review_below()


def test_tilgovi_hint_prioritises_matches():
    """index_spec.js: 'uses a hint option to prioritize matches' (Aenean occurs twice)."""
    first = PELLENTESQUE.index("Aenean")
    last = PELLENTESQUE.rindex("Aenean")
    assert find(PELLENTESQUE, "Aenean", start=first + 1).start == first
    assert find(PELLENTESQUE, "Aenean", start=last - 1).start == last


# ---------------------------------------------------------------------------------------------------------
# robertknight/approx-string-match-js: test/index-test.ts (each fixture as a quote to anchor)
# ---------------------------------------------------------------------------------------------------------

ASM = "robertknight/approx-string-match-js test/index-test.ts"
WORD_SIZE = 'This is a string which exceeds the "word size" of the JS language.'


@pytest.mark.parametrize("name,text,pattern,expected", [
    ("exactMatch 0", "three blind mice", "blind", [(6, 11)]),
    ("exactMatch 1", "three blind mice", "three", [(0, 5)]),
    ("oneError 0 (a deletion)", "three blind mice", "bliind", [(6, 11)]),
    ("oneError 1 (an insertion)", "three blind mice", "blnd", [(6, 11)]),
    ("oneError 2 (a substitution)", "three blind mice", "thrae", [(0, 4), (0, 5)]),
    ("oneError 3 (a substitution)", "facebook", "fccebook", [(0, 8)]),
    ("oneError 4 (an insertion)", "facebook", "fcebook", [(1, 8), (0, 8)]),
    ("manyErrors 0", "foursquare andseven", "four square and seven", [(0, 19)]),
    ("manyErrors 1", "four squareand seven", "square  and", [(5, 14)]),
    ("unicode 0 (code points: one error)", "sm😊le", "smile", [(0, 5)]),
    ("unicode 1", "sm😊le", "sm😊le", [(0, 5)]),
    ("longPattern 0", "foo" * 5 + "bar" * 20 + "baz" * 5, "bar" * 20, [(15, 75)]),
    ("longPattern 1", "foo" * 5 + "bar" * 10 + "zog" + "bar" * 10 + "baz" * 5, "bar" * 20, [(15, 75), (15, 78)]),
    ("long text, short pattern", "\n  A great discovery solves a great problem but there is a grain of discovery in\n"
     "  the solution of any problem.\n  ", "discvery", [(11, 20), (68, 77)]),
    ("maxErrors beyond the pattern", "four score", "score", [(5, 10)]),
    ("multiple matches", "foo bar " * 5, "foo", [(0, 3)]),
    ("pattern equals block size", WORD_SIZE, WORD_SIZE[1:33], [(1, 33)]),
    ("pattern exceeds block size", WORD_SIZE, WORD_SIZE[23:56], [(23, 56)]),
    ("all matches of a long pattern", WORD_SIZE * 5, WORD_SIZE, [(0, len(WORD_SIZE))]),
])
def test_approx_string_match_fixtures(name, text, pattern, expected):
    """approx-string-match-js test/index-test.ts: the closest match is the anchor."""
    a = find(text, pattern)
    assert span(a) in expected, (name, span(a))


@pytest.mark.parametrize("text,pattern", [("", "foo"), ("four candles", "foouur")])
def test_approx_string_match_no_match(text, pattern):
    """index-test.ts: 'allows an empty text' and 'when there is no match' (two errors in six characters
    with no context to support them is not a passage)."""
    assert find(text, pattern).status == "orphaned"


# The same fixtures against reader.fuzzy.search itself, the approximate search the anchoring is built on
# (approx-string-match's check(): keep the matches with the fewest errors; one of them must be expected).

@pytest.mark.parametrize("text,pattern,expected", [
    ("three blind mice", "blind", [(6, 11, 0)]),
    ("three blind mice", "three", [(0, 5, 0)]),
    ("three blind mice", "bliind", [(6, 11, 1)]),
    ("three blind mice", "blnd", [(6, 11, 1)]),
    ("three blind mice", "thrae", [(0, 4, 1), (0, 5, 1)]),
    ("facebook", "fccebook", [(0, 8, 1)]),
    ("facebook", "fcebook", [(1, 8, 1), (0, 8, 1)]),
    ("foursquare andseven", "four square and seven", [(0, 19, 2)]),
    ("four squareand seven", "square  and", [(5, 14, 2)]),
    ("sm😊le", "smile", [(0, 5, 1)]),
    ("sm😊le", "sm😊le", [(0, 5, 0)]),
    ("foo" * 5 + "bar" * 20 + "baz" * 5, "bar" * 20, [(15, 75, 0)]),
    ("foo" * 5 + "bar" * 10 + "zog" + "bar" * 10 + "baz" * 5, "bar" * 20, [(15, 75, 3), (15, 78, 3)]),
])
def test_approx_string_match_search_closest(text, pattern, expected):
    """approx-string-match-js test/index-test.ts: exactMatch, oneError, manyErrors, unicode, longPattern."""
    from reader.fuzzy import search
    found = search(text, pattern, len(pattern))
    fewest = min(m.errors for m in found)
    closest = [(m.start, m.end, m.errors) for m in found if m.errors == fewest]
    assert closest and all(c in expected for c in closest), closest


def test_approx_string_match_search_edge_cases():
    """index-test.ts: no match, a long text, maxErrors beyond the pattern, every match, empty text/pattern,
    patterns at and beyond the block size."""
    from reader.fuzzy import search
    assert search("four candles", "foouur", 1) == []
    text = "\n  A great discovery solves a great problem but there is a grain of discovery in\n  the solution of any problem.\n  "
    found = search(text, "discvery", 2)
    assert found and all(text[m.start:m.end] == "discovery" for m in found)
    assert [(m.start, m.end, m.errors) for m in search("four score", "score", 50) if m.errors == 0] == [(5, 10, 0)]
    assert len(search("foo bar " * 5, "foo", 0)) == 5
    assert search("", "foo", 0) == [] and search("foo", "", 0) == []
    for start, end in ((1, 33), (23, 56)):
        assert [(m.start, m.end, m.errors) for m in search(WORD_SIZE, WORD_SIZE[start:end], 0)] == [(start, end, 0)]
    assert len(search(WORD_SIZE * 5, WORD_SIZE, 0)) == 5
