"""reader.markup: Markdown styled in place; every character stays, markup is its own span."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from reader.markup import KINDS, markdown_spans


def kinds_of(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for start, end, kind in markdown_spans(text):
        out.setdefault(kind, []).append(text[start:end])
    return out


def test_headings_emphasis_code_links_quotes():
    text = ("# Title here #\n\nSome **bold** and *it* and `code` and [a link](https://x.y).\n\n"
            "> quoted words\n\n- item one\n\n```\nfenced code\n```\n\nSetext\n======\n")
    found = kinds_of(text)
    assert found["heading"] == ["Title here", "Setext"]
    assert found["strong"] == ["bold"] and found["emphasis"] == ["it"]
    assert "code" in found["code"] and "fenced code" in found["code"]
    assert found["link"] == ["a link"]
    assert found["quote"] == ["quoted words"]
    markup = found["markup"]
    for piece in ("#", " #", "**", "*", "`", "[", "](https://x.y)", "> ", "-", "```", "======"):
        assert piece in markup, piece


def test_nothing_inside_code_is_styled_as_emphasis():
    found = kinds_of("use `a*b*c` here\n")
    assert "emphasis" not in found


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("ab #*_`[]()>-=\n!~ 1.")), max_size=300))
def test_spans_stay_inside_the_text_and_are_known_kinds(text):
    for start, end, kind in markdown_spans(text):
        assert 0 <= start <= end <= len(text) and kind in KINDS
