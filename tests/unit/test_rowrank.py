"""The annotations browser's ranking (reader.rowrank), without a Pilot: the library search's typo rule."""

from __future__ import annotations

from hypothesis import given, strategies as st

from reader.rowrank import RowIndex, rank_rows
from reader.search import allowed_edits, fold


def test_rank_rows_needs_every_word_and_forgives_typos():
    hay = ["aliyev meets the who", "chinese ambassador", "covid masks arrive"]
    assert [i for i, _ in rank_rows("ambasador", hay)] == [1]
    assert [i for i, _ in rank_rows("masks covid", hay)] == [2]
    assert rank_rows("masks who", hay) == []
    assert [i for i, _ in rank_rows("", hay)] == [0, 1, 2]


def test_two_typos_in_a_long_word_as_in_the_library_search():
    hay = ["the ambassador spoke", "an embassy", "ambient sound"]
    ranked = rank_rows("ambsador", hay)           # two letters missing: OSA distance 2, allowed from 8 letters
    assert [i for i, _ in ranked] == [0]
    assert ranked.words == {"ambassador"}         # what the browser emphasises
    assert allowed_edits("ambsador") == 2


def test_short_words_get_the_library_allowance():
    hay = ["the who said", "teh end", "why not"]
    assert [i for i, _ in rank_rows("who", hay)] == [0]          # a known three-letter word: no typo
    assert [i for i, _ in rank_rows("wyh", hay)] == [2]          # not a word of the rows: one swap
    assert rank_rows("ab", ["ba cd"]) == []                      # two letters: substrings only
    assert [i for i, _ in rank_rows("bcd", ["abcd"])] == [0]     # substring inside a word


def test_substring_beats_a_typo_and_word_start_beats_inside():
    hay = ["ambassadors here", "the ambassador", "xambassador"]
    ranked = dict(rank_rows("ambassador", hay))
    assert ranked[1] == 100.0 and ranked[0] == 100.0 and ranked[2] == 97.0
    typo = dict(rank_rows("ambasador", ["the ambassador"]))
    assert 0 < typo[0] < 97.0


def test_the_last_word_matches_a_longer_word_with_a_typo():
    hay = ["electricity prices", "electoral roll"]
    assert [i for i, _ in rank_rows("prices elcetri", hay)] == [0]
    assert rank_rows("elcetri prices", hay) == []                # only the still-typed last word


def test_among_restricts_and_keeps_row_order_on_ties():
    index = RowIndex(["covid a", "covid b", "other", "covid c"])
    assert [i for i, _ in index.rank("covid", among=[3, 1])] == [1, 3]
    assert [i for i, _ in index.rank("", among=[3, 1])] == [3, 1]
    assert index.rank("covid", among=[]) == []


def test_punctuation_inside_a_word_is_matched_as_a_substring_only():
    hay = ["covid-19 masks", "covid 19"]
    assert [i for i, _ in rank_rows("covid-19", hay)] == [0]
    assert rank_rows("covod-19", hay) == []


words = st.text(alphabet="abcdefgh ", min_size=0, max_size=30)


@given(st.lists(words, max_size=8), words)
def test_every_match_holds_every_query_word(hay, query):
    hay = [fold(h) for h in hay]
    index = RowIndex(hay)
    ranked = index.rank(query)
    assert [i for i, _ in ranked] == sorted({i for i, _ in ranked}, key=[i for i, _ in ranked].index)
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    for i, _ in ranked:
        for word in query.split():
            assert word in hay[i] or any(w in hay[i] for w in ranked.words)
    # a row holding the whole query as text always matches
    for i, h in enumerate(hay):
        if all(w in h for w in query.split()):
            assert i in {j for j, _ in ranked}
