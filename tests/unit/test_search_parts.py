"""The modules of reader.search on their own: the shared text helpers, the vocabulary rules, and who
loads what (the palette and the tag dialogs load type-ahead without the index)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from reader.search.text import WORD_RE, fold, merge_spans
from reader.search.vocabulary import allowed_edits, typo_prefixed, typo_quality
from tests.helpers import REPO


# ---- text


@given(st.text())
def test_fold_keeps_the_length_and_lower_cases(text):
    low = fold(text)
    assert len(low) == len(text)
    assert all(c.lower()[:1] == f or c == f for c, f in zip(text, low))


def test_fold_maps_a_character_that_lower_cases_longer_to_one():
    text = "İstanbul"                  # "İ".lower() is two code points
    assert len("İ".lower()) == 2
    assert fold(text) == "istanbul"
    assert fold("ABC") == "abc"


def test_merge_spans_sorts_and_joins_overlapping_and_touching():
    assert merge_spans([(5, 7), (0, 2), (1, 3), (3, 4), (10, 12)]) == [(0, 4), (5, 7), (10, 12)]
    assert merge_spans([(0, 10), (2, 3)]) == [(0, 10)]
    assert merge_spans([]) == []


def test_word_re_is_the_tokenisers_words():
    assert WORD_RE.findall("covid-19, snake_case café") == ["covid", "19", "snake_case", "café"]


# ---- vocabulary


def test_typo_budget_grows_with_the_word():
    assert [allowed_edits("x" * n) for n in (1, 2, 3, 4, 7, 8, 20)] == [0, 0, 1, 1, 1, 2, 2]
    assert allowed_edits("who", known=True) == 0 and allowed_edits("teh", known=False) == 1


def test_typo_quality_falls_with_distance_and_never_below_a_floor():
    assert typo_quality("electricity", 0) == 1.0
    assert typo_quality("electricity", 1) > typo_quality("electricity", 2)
    assert typo_quality("ab", 2) == 0.3


VOCAB = sorted(["electricity", "electric", "elections", "elect", "eel", "zebra", "alectric"])
FREQ = {"electricity": 5, "electric": 9, "elections": 3, "elect": 1, "eel": 1, "zebra": 1, "alectric": 7}


def test_typo_prefixed_finds_longer_words_one_typo_from_the_typed_beginning():
    found = dict(typo_prefixed("elcetri", VOCAB, FREQ.__getitem__, 10))
    assert set(found) == {"electricity", "electric"}         # "alectric": the first letter is taken as typed
    assert all(0.3 < q < 0.55 for q in found.values())        # below a plain prefix (0.55 and up)
    assert typo_prefixed("elcetri", VOCAB, FREQ.__getitem__, 1) == [("electric", found["electric"])]


def test_typo_prefixed_leaves_plain_prefixes_and_short_words_alone():
    assert typo_prefixed("zebr", VOCAB, FREQ.__getitem__, 10) == []           # "zebra": a plain prefix, no typo
    assert typo_prefixed("ele", VOCAB, FREQ.__getitem__, 10) == []


# ---- who loads what


def _loaded_after(*modules: str) -> set[str]:
    code = ("import sys\n"
            f"for m in {list(modules)!r}: __import__(m)\n"
            "print(','.join(sorted(m for m in sys.modules if m.startswith('reader.search'))))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.strip().split(","))


def test_the_palette_and_the_tag_dialogs_load_type_ahead_without_the_index():
    loaded = _loaded_after("reader.tui.commands", "reader.tui.screens.tags")
    assert "reader.search.typeahead" in loaded
    assert loaded <= {"reader.search", "reader.search.text", "reader.search.typeahead"}


def test_the_package_itself_loads_no_part():
    assert _loaded_after("reader.search") == {"reader.search"}
