"""Ranking through the persistent index, on a small corpus generated here."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from reader.library import Library
from reader.search.index import SearchIndex

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


# ---- a phrase of common words: every article holding it is a candidate, ranked by how often it holds it


@pytest.fixture(scope="module")
def crowd(tmp_path_factory) -> Library:
    """Three common words everywhere; "harbour board move" in 70 early articles, "harbour board dove" in one
    late article (so a row-ordered cut of the phrase candidates would miss it), the phrase three times in
    one article, words near each other but not in order in another."""
    root = tmp_path_factory.mktemp("crowd") / "corpus"
    root.mkdir()
    rng = random.Random(11)

    def body(*extra: str) -> str:
        words = [rng.choice(FILLER) for _ in range(400)]
        for k, piece in enumerate(extra):
            at = 40 + k * 110 + rng.randrange(20)
            words[at:at] = piece.split()
        return " ".join(words)

    for k in range(200):
        extra = ["harbour board move"] if k < 70 else ["harbour", "board", "dove"]  # scattered in the others
        (root / f"{k:03}.txt").write_text(f"Filler {k}\n\n{body(*extra)}\n", encoding="utf-8")
    (root / "late-dove.txt").write_text(f"Late\n\n{body('harbour board dove')}\n", encoding="utf-8")
    (root / "thrice.txt").write_text(f"Thrice\n\n{body(*['harbour board move'] * 3)}\n", encoding="utf-8")
    (root / "near.txt").write_text(f"Near\n\n{body('dove of the board by harbour')}\n", encoding="utf-8")
    (root / "grid.txt").write_text(f"Grid\n\n{body('solar electricity')}\n", encoding="utf-8")
    (root / "eclipse.txt").write_text(f"Sky\n\n{body('solar eclipse')}\n", encoding="utf-8")
    library = Library(root, root.parent / "annotations" / "annotations.json")
    library.refresh()
    library.update_index()
    return library


def test_an_article_holding_the_phrase_is_not_cut_off_by_many_holding_a_variant(crowd: Library):
    # "move" is one letter from "dove": 70 articles hold "harbour board move", one "harbour board dove"
    assert top(crowd, "harbuor board dove", 1) == ["late-dove.txt"]


def test_the_phrase_held_more_often_ranks_first(crowd: Library):
    assert top(crowd, "harbour bord move", 1) == ["thrice.txt"]


def test_words_near_each_other_rank_above_scattered_ones(crowd: Library):
    # reversed ("harbour board dove") or a few words apart ("dove of the board by harbour"): both above
    # every article where the three words are scattered, though no article holds them in this order
    ranked = [h.article for h in crowd.search("dove board harbour", limit=10)]
    assert set(ranked[:2]) == {"late-dove.txt", "near.txt"}


def test_a_typo_inside_the_still_typed_last_word(crowd: Library):
    hit = crowd.search("solar elcetri", limit=1)[0]              # typo + prefix of "electricity"
    text = crowd.article(hit.article).text
    assert hit.article == "grid.txt" and "electricity" in {text[s:e].lower() for s, e in hit.offsets}
    assert top(crowd, "solar eclip", 1) == ["eclipse.txt"]      # a plain prefix still wins its own
    index = SearchIndex.build([crowd.article("grid.txt"), crowd.article("eclipse.txt")])
    found = index.search("solar elcetri")                                            # the in-memory index too
    assert found[0].article == "grid.txt" and len(found[0].offsets) == 2
