"""reader.preview: what the library's preview pane says about one article (no Textual here)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, strategies as st

from reader import uistate
from reader.corpus import load_corpus
from reader.library import Library
from reader.preview import MAX_NOTES, MAX_TAGS, assemble, fit_snippet, head, read_body
from reader.records import make_record
from reader.search.index import Hit, SearchIndex
from tests.helpers import A003, A004


def kinds(lines, kind):
    return [line.text for line in lines if line.kind == kind]


def test_title_meta_and_the_beginning_without_what_the_list_dims(seeds_copy: Path):
    article = load_corpus(seeds_copy).get(A004)
    lines = assemble(article, article.text, [])
    assert lines[0].kind == "title" and lines[0].text == article.title
    assert kinds(lines, "meta") == ["2020-07-26 · by Ayya Lmahamad · AzerNews · 298 words"]
    assert kinds(lines, "id") == [A004]
    assert kinds(lines, "quiet") == ["No annotations yet."]
    text = kinds(lines, "text")
    assert text[0].startswith("A ceremony has been held")
    # the metadata line ("date 2020-07-26 By Ayya Lmahamad") is a dim range: not repeated in the text
    assert not any("By Ayya" in p for p in text)
    # the text comes last: a short pane loses only its end
    assert lines[-1].kind == "text"


def test_head_skips_ranges_keeps_markdown_blocks_apart_and_stops_near_the_limit():
    text = ("# Title\n\nfirst line\nstill first\n\n* item one\n* item two\n*emphasis* goes on\n\n"
            + "word " * 2000)
    paragraphs = head(text, [(0, 7)], limit=300)
    assert paragraphs[:3] == ["first line still first", "* item one", "* item two *emphasis* goes on"]
    assert sum(len(p) for p in paragraphs) <= 300 + 40
    assert paragraphs[-1].endswith("…")
    assert head("", []) == [] and head("\n\n  \n", []) == []


def test_tags_and_notes_counted_and_the_first_few_listed():
    article = load_corpus(Path(__file__).resolve().parents[2] / "seeds").get(A003)
    records = [make_record(article=A003, start=10 + i, end=20 + i, quote=f"quote {i}", tags=[f"t{i % 10}"],
                           note=f"note {i}" if i % 2 else "") for i in range(12)]
    records.append(make_record(article=A003, tags=["whole"], note="about the whole piece"))
    lines = assemble(article, article.text, records)
    labels = kinds(lines, "label")
    assert "13 annotations · 11 tags · 7 notes" in labels
    tags = kinds(lines, "tags")[0]
    assert tags.count(" · ") == MAX_TAGS  # MAX_TAGS tags, then "+3 more"
    assert tags.startswith("t0 2 · t1 2") and tags.endswith("+3 more")
    notes = kinds(lines, "note")
    assert len(notes) == MAX_NOTES
    assert notes[0] == "(article) about the whole piece"   # the article's own note first
    assert notes[1] == "“quote 1” note 1"                  # then in reading order
    assert "+4 more notes (a: the annotations browser)" in kinds(lines, "quiet")


def test_a_search_hit_gives_a_wide_snippet_with_the_hit_words_marked(seeds_copy: Path):
    corpus = load_corpus(seeds_copy)
    hit = SearchIndex.build(corpus.articles).search("medical masks")[0]
    article = corpus.get(hit.article)
    lines = assemble(article, article.text, [], hit=hit)
    assert "Best match" in kinds(lines, "label")
    (snippet,) = [line for line in lines if line.kind == "snippet"]
    assert len(snippet.text) > len(hit.snippet)
    marked = {snippet.text[s:e].casefold() for s, e in snippet.spans}
    assert marked <= {"medical", "masks"} and marked
    # without the body (unreadable), the hit's own one-line snippet
    lines = assemble(article, None, [], hit=hit)
    (snippet,) = [line for line in lines if line.kind == "snippet"]
    assert (snippet.text, snippet.spans) == (hit.snippet, hit.snippet_spans)
    assert "The text cannot be read (the file vanished or is unreadable)." in kinds(lines, "quiet")


def test_a_title_only_hit_has_no_snippet_section(seeds_copy: Path):
    article = load_corpus(seeds_copy).get(A003)
    hit = Hit(article=A003, title=article.title, score=1.0, offsets=(), title_spans=((0, 7),), snippet="",
              snippet_spans=())
    assert "Best match" not in kinds(assemble(article, article.text, [], hit=hit), "label")


def test_hostile_text_is_shown_as_stand_ins(seeds_copy: Path):
    article = load_corpus(seeds_copy).get(A003)
    record = make_record(article=A003, tags=["a\u202eb"], note="evil \x1b[2J note")
    lines = assemble(article, "x\x1b[31m red\u202e\n\nsecond", [record])
    for line in lines:
        assert "\x1b" not in line.text and "\u202e" not in line.text


def test_read_body_reads_an_unread_article_without_keeping_it(seeds_copy: Path, tmp_path: Path):
    library = Library(seeds_copy, tmp_path / "db" / "annotations.json")
    library.refresh()
    article = library.article(A004)
    assert not article.loaded
    body = read_body(article, seeds_copy)
    assert body is not None and body.startswith(" date 2020-07-26")
    assert not article.loaded  # browsing the list does not pin bodies in memory
    article.text  # opened: read once and kept; the preview uses it
    assert read_body(article, seeds_copy) is article.text
    (seeds_copy / A003).unlink()
    assert read_body(library.article(A003), seeds_copy) is None
    library.close()


def test_fit_snippet_centres_the_first_hit_when_the_line_is_too_long():
    text = "…" + "lorem ipsum " * 8 + "AMBASSADOR said " + "dolor sit " * 6 + "…"
    s = text.index("AMBASSADOR")
    shown, spans = fit_snippet(text, [(s, s + 10)], 33)
    assert len(shown) <= 33 and shown.startswith("…") and shown.endswith("…")
    assert [shown[a:b] for a, b in spans] == ["AMBASSADOR"]
    # fits already, or the hit is near the start: unchanged / cut at the end only
    assert fit_snippet("short", [(0, 5)], 33) == ("short", ((0, 5),))
    # of several hits, the group that fits together: both words of a phrase rather than a lone one
    text = "one WORD " + "x" * 60 + " two WORDS here " + "y" * 60
    w, two = text.index("WORD"), text.index("two")
    shown, spans = fit_snippet(text, [(w, w + 4), (two, two + 3), (two + 4, two + 9)], 24)
    assert [shown[a:b] for a, b in spans] == ["two", "WORDS"]
    shown, spans = fit_snippet("hit " + "x" * 80, [(0, 3)], 20)
    assert shown == "hit " + "x" * 15 + "…" and spans == ((0, 3),)


@given(st.text(alphabet="ab …", min_size=1, max_size=200), st.data(), st.integers(min_value=5, max_value=80))
def test_fit_snippet_keeps_its_width_and_the_first_hit(text, data, width):
    start = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    end = data.draw(st.integers(min_value=start + 1, max_value=min(len(text), start + width - 2)))
    shown, spans = fit_snippet(text, [(start, end)], width)
    assert len(shown) <= max(width, len(text) if len(text) <= width else width)
    assert spans and [shown[a:b] for a, b in spans] == [text[start:end]]


def test_the_preview_choice_is_kept(tmp_path: Path):
    path = tmp_path / "ui.json"
    assert uistate.preview(path) is True          # shown unless turned off
    assert uistate.save(path, preview=False)
    assert uistate.preview(path) is False
    assert uistate.save(path, theme="textual-light")  # other settings keep it
    assert uistate.preview(path) is False and uistate.theme(path) == "textual-light"
    path.write_text('{"preview": "no"}', encoding="utf-8")
    assert uistate.preview(path) is True
