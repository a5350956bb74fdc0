"""Ranking through the persistent index, on a small corpus generated here."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from reader.library import Library

FILLER = ("the of and to in for on with at by from that this was were has have said will would about "
          "after over more new year people time state government city week report police minister").split()


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> Library:
    root = tmp_path_factory.mktemp("rank") / "corpus"
    root.mkdir()
    rng = random.Random(7)

    def body(extra: str = "") -> str:
        words = [rng.choice(FILLER) for _ in range(300)]
        if extra:
            at = rng.randrange(50, 250)
            words[at:at] = extra.split()
        return " ".join(words)

    for k in range(120):
        (root / f"{k:03}.txt").write_text(f"Filler story {k}\n\n{body()}\n", encoding="utf-8")
    # the same three words: together in one article, scattered in another
    (root / "phrase.txt").write_text(f"Port news\n\n{body('central harbour authority')}\n", encoding="utf-8")
    scattered = body().split()
    for word, at in (("central", 20), ("harbour", 120), ("authority", 240)):
        scattered.insert(at, word)
    (root / "scattered.txt").write_text("Other news\n\n" + " ".join(scattered) + "\n", encoding="utf-8")
    (root / "rare.txt").write_text(f"Quiet day\n\n{body('zorbanite quillfeather')}\n", encoding="utf-8")
    (root / "electricity.txt").write_text(f"Grid\n\n{body('electricity tariffs')}\n", encoding="utf-8")
    library = Library(root, root.parent / "annotations" / "annotations.json")
    library.refresh()
    library.update_index()
    return library


def top(lib: Library, query: str, n: int = 3) -> list[str]:
    return [h.article for h in lib.search(query, limit=10)][:n]


def test_consecutive_words_rank_above_scattered_ones(lib: Library):
    hits = top(lib, "central harbour authority", 2)
    assert hits == ["phrase.txt", "scattered.txt"]


def test_a_typo_in_a_phrase_still_finds_it_first(lib: Library):
    assert top(lib, "central harbuor authority", 1) == ["phrase.txt"]


def test_rare_words_with_typos(lib: Library):
    assert top(lib, "zorbanit quilfeather", 1) == ["rare.txt"]


def test_last_word_gets_prefix_and_typo_tolerance(lib: Library):
    assert top(lib, "electricty tarif", 1) == ["electricity.txt"]   # prefix of "tariffs"
    assert top(lib, "tariffs elcetri", 1) == ["electricity.txt"]    # a typo in a still-typed prefix


def test_hits_carry_offsets_into_the_text(lib: Library):
    hit = lib.search("quillfeather", limit=1)[0]
    text = lib.article(hit.article).text
    start, end = hit.offsets[0]
    assert text[start:end].lower() == "quillfeather"
    assert "quillfeather" in hit.snippet.lower()


def test_full_query_syntax_still_works(lib: Library):
    assert top(lib, "'central harbour authority", 1) == ["phrase.txt"]     # exact substring
    assert "phrase.txt" not in top(lib, "harbour !'harbour authority", 10)
    assert top(lib, "^zorban", 1) == ["rare.txt"]
