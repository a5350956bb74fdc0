"""reader.display: the one owner of what may reach a terminal."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest
from hypothesis import assume, given, settings, strategies as st
from rich.cells import cell_len

from reader import display
from reader.display import (
    C1_RE, CONTROL_BYTES, CONTROL_PICTURES, CONTROL_RE, DISPLAY_TABLE, INVISIBLE_RE, UNSAFE_RE, cell_safe,
    control_pictures, field, json_for_terminal, one_line, paths_within, same_length, short_path, visible,
    visible_with_map,
)

# Cf characters drawn with a glyph (Prepended_Concatenation_Mark): deliberately not "invisible".
PREPENDED = {*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD}
BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
ZERO_WIDTH = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0xE0041]

# Text that leans on the characters this module is about, mixed with ordinary ones.
hostile_chars = st.one_of(
    st.characters(),
    st.sampled_from([chr(c) for c in [*BIDI, *ZERO_WIDTH, 0x1B, 0x9B, 0x85, 0x7F, 0x0A, 0x09, 0x0D, 0x2028]]),
)
hostile_text = st.text(hostile_chars, max_size=60)


def _unsafe(char: str) -> bool:
    return UNSAFE_RE.match(char) is not None


# ------------------------------------------------------------------------------------ the character sets

def test_every_format_character_but_the_visible_marks_counts_as_invisible() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        if category in ("Cf", "Zl", "Zp", "Cs") and code not in PREPENDED:
            assert INVISIBLE_RE.match(char), hex(code)
        if code in PREPENDED:
            assert not INVISIBLE_RE.match(char), hex(code)


def test_the_control_regex_is_every_control_but_newline_and_tab() -> None:
    for code in range(0x3000):
        char = chr(code)
        expected = unicodedata.category(char) == "Cc" and char not in "\n\t"
        assert bool(CONTROL_RE.match(char)) == expected, hex(code)
        assert (code in CONTROL_PICTURES) == expected


def test_the_byte_and_c1_tables_split_the_control_regex_between_them() -> None:
    for code in range(0x3000):
        char = chr(code)
        in_bytes = code < 0x80 and code in CONTROL_BYTES
        assert (in_bytes or bool(C1_RE.match(char))) == bool(CONTROL_RE.match(char)), hex(code)
        assert not (in_bytes and C1_RE.match(char)), hex(code)


def test_the_display_table_gives_one_visible_character_for_every_unsafe_one() -> None:
    for code in range(0x110000):
        char = chr(code)
        if _unsafe(char):
            shown = DISPLAY_TABLE[code]
            assert len(shown) == 1 and not _unsafe(shown) and shown.isprintable()


# ------------------------------------------------------------------------------------------ examples

def test_examples() -> None:
    assert control_pictures("a\x1bb\x00\x7f\x85\n\t\u202e") == "a\u241bb\u2400\u2421\ufffd\n\t\u202e"
    assert same_length("evil\u202etxt.exe\u200b\x1b") == "evil\ufffdtxt.exe\ufffd\u241b"
    assert visible("evil\u202etxt\x1b[2J\x9b\u200b.\n") == "evil⟨U+202E⟩txt␛[2J⟨U+009B⟩⟨U+200B⟩.\n"
    assert field("two\nlines\tand\u2066") == "two␊lines␉and⟨U+2066⟩"
    assert one_line("  a\n\n b \u200d c  ") == "a b ⟨U+200D⟩ c"
    assert one_line("a long title here", 8) == "a long…"
    assert one_line("abc", 0) == "…" and one_line("abc", 3) == "abc"
    assert display.name("\U000e0041") == "⟨U+E0041⟩"
    plain = "ordinary text, “quoted”, naïve, 中文, 👍"
    for show in (control_pictures, same_length, visible, field, cell_safe):
        assert show(plain) is plain  # nothing to change: the same object, no copy


def test_json_for_terminal_examples() -> None:
    data = {"title": "a\u202eb\x9bc\u200b\U000e0041\x7f", "plain": "ünïcödé 中文"}
    raw = json.dumps(data, ensure_ascii=False)
    safe = json_for_terminal(raw)
    assert "\\u202e" in safe and "\\u009b" in safe and "\\u200b" in safe and "\\udb40\\udc41" in safe
    assert "ünïcödé 中文" in safe  # only the unsafe characters are escaped
    assert json.loads(safe) == data


def test_cell_safe_keeps_cells_and_sends_nothing_unsafe() -> None:
    assert cell_safe("a\x1b[2Jb") == "a\u241b[2Jb"  # the pictures the TUI has always shown
    assert cell_safe("a\tb\nc") == "a b c"
    assert cell_safe("x\u202ey\u200bz") == "xyz"
    assert cell_safe("soft\u00adhyphen") == "soft\ufffdhyphen"


# ------------------------------------------------------------------------------------------ properties

@settings(max_examples=300)
@given(hostile_text)
def test_same_length_keeps_offsets_and_leaves_nothing_unsafe(text: str) -> None:
    shown = same_length(text)
    assert len(shown) == len(text)
    for before, after in zip(text, shown):
        assert (after == before) == (not _unsafe(before))
        assert not _unsafe(after)


@settings(max_examples=300)
@given(hostile_text)
def test_visible_leaves_nothing_unsafe_and_changes_only_unsafe_characters(text: str) -> None:
    shown, where = visible_with_map(text)
    assert shown == visible(text)
    assert not any(map(_unsafe, shown))
    assert len(where) == len(text) + 1 and where[0] == 0 and where[-1] == len(shown)
    for i, char in enumerate(text):
        piece = shown[where[i]:where[i + 1]]
        assert piece == char if not _unsafe(char) else piece != char and len(piece) >= 1


@settings(max_examples=300)
@given(hostile_text)
def test_field_is_one_line(text: str) -> None:
    shown = field(text)
    assert "\n" not in shown and "\t" not in shown and "\r" not in shown
    assert not any(map(_unsafe, shown))
    if not any(_unsafe(c) or c in "\n\t" for c in text):
        assert shown == text


@settings(max_examples=300)
@given(hostile_text, st.none() | st.integers(min_value=1, max_value=40))
def test_one_line_is_one_line_within_its_limit(text: str, limit: int | None) -> None:
    shown = one_line(text, limit)
    assert shown == " ".join(shown.split())
    assert not any(map(_unsafe, shown))
    if limit is not None:
        assert len(shown) <= limit


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(hostile_chars, max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(hostile_chars, max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300)
@given(json_values, st.sampled_from([None, 2]))
def test_json_for_terminal_is_the_same_data_with_nothing_unsafe(value, indent) -> None:
    raw = json.dumps(value, ensure_ascii=False, indent=indent)
    safe = json_for_terminal(raw)
    assert json.loads(safe) == value
    assert not any(_unsafe(c) or c == "\x7f" for c in safe)


@settings(max_examples=300)
@given(st.text(st.characters(blacklist_categories=("Cc",)) | st.sampled_from([chr(c) for c in BIDI + ZERO_WIDTH]),
               max_size=40))
def test_cell_safe_moves_no_cell(text: str) -> None:
    # Rich joins a character that follows U+200D into the grapheme before it (width 0), even where nothing
    # comes before it ("\u200d0" is 0 cells to Rich, 1 on a terminal): there the width is Rich's own
    # guess, not the terminal's, and no replacement can keep both. Everywhere else nothing moves.
    assume(cell_len(text) == sum(cell_len(c) for c in text))
    shown = cell_safe(text)
    assert cell_len(shown) == cell_len(text)
    assert not any(map(_unsafe, shown))


def test_json_for_terminal_escapes_del_in_ascii_text() -> None:
    """Found by hypothesis: an all-ASCII JSON text took the fast path and kept a raw DEL."""
    assert json_for_terminal(json.dumps("a\x7fb")) == '"a\\u007fb"'
    assert json.loads(json_for_terminal(json.dumps({"k": "\x7f"}))) == {"k": "\x7f"}


# ------------------------------------------------------------------------------------ paths in messages

HOME, CWD = "/home/ann", "/home/ann/work"


@pytest.mark.parametrize("path, width, shown", [
    ("/home/ann/work/exports/x.md", None, "exports/x.md"),                 # inside the working folder
    ("/home/ann/notes/x.md", None, "~/notes/x.md"),                        # elsewhere under home
    ("/home/annex/x.md", None, "/home/annex/x.md"),                        # not home: a prefix is not a folder
    ("/srv/data/x.md", 40, "/srv/data/x.md"),
    ("/srv/a/deep/tree/of/folders/exports/covid-2024.md", 30, "/…/exports/covid-2024.md"),
    ("/home/ann/projects/research/2024/covid-annotations-final.md", 37, "~/…/2024/covid-annotations-final.md"),
    ("/srv/" + "n" * 60 + ".json", 30, "n" * 15 + "…" + "n" * 9 + ".json"),  # even the name is too long
])
def test_short_path(path, width, shown):
    out = short_path(path, width, cwd=CWD, home=HOME)
    assert out == shown
    assert width is None or len(out) <= width


def test_paths_within_a_sentence_keep_its_punctuation_and_leave_the_rest():
    text = ("permission denied: cannot write /srv/a/deep/tree/of/folders/annotations. "
            "(locked: /srv/a/deep/tree/of/folders/annotations.json.lock); see https://x.org/a/b/c/d/e/f/g/h/i")
    out = paths_within(text, 30, cwd=CWD, home=HOME)
    assert out == ("permission denied: cannot write /…/tree/of/folders/annotations. "
                   "(locked: /…/annotations.json.lock); see https://x.org/a/b/c/d/e/f/g/h/i")
    assert paths_within("a/b, 1/2 and ~/x.md", 10, cwd=CWD, home=HOME) == "a/b, 1/2 and ~/x.md"
