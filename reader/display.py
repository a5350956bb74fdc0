"""Text as it may be shown: the one owner of the rules for characters that must not reach a terminal.

A file, a tag or a note can hold anything: escape sequences (``ESC [2J`` clears the screen), C1 controls
(U+009B is a one-character CSI on some terminals), bidi controls (U+202E reverses what follows, so a
title can read differently from what it is), zero-width and other invisible format characters (two
tags that look the same but are not; text smuggled in "tag" characters), line breaks inside a file name.
Stored data keeps every character exactly; only what is *shown* changes, in one of these ways:

- :func:`control_pictures` -- the corpus rule for article text: C0 controls (but ``\\n``/``\\t``), DEL and
  C1 become one visible character each (``␛``, ``␡``, ``�``): same length, so offsets do not move.
- :func:`same_length` / :data:`DISPLAY_TABLE` -- the article body and any text that carries offsets
  (search hits): additionally every invisible or reordering character becomes ``�``, one for one.
- :func:`visible` -- text without offsets (CLI output, one-line fields in the TUI): invisible characters
  and C1 become a named stand-in such as ``⟨U+202E⟩``; C0 controls their control picture.
- :func:`field` -- an identifier on one line (a file name, an id): like :func:`visible`, and a newline
  or tab is shown as ``␊``/``␉`` too, so one article is always one line.
- :func:`one_line` -- a title, note or quote in a list row: :func:`visible`, whitespace collapsed,
  optionally cut with ``…``.
- :func:`json_for_terminal` -- JSON text headed for a terminal: the same characters escaped as
  ``\\uXXXX`` (still valid JSON meaning exactly the same data); files keep exact UTF-8.
- :func:`short_path` / :func:`paths_within` -- a file path in a message (a toast): relative to the working
  folder or with ``~``, and when it is longer than the line, middle folders give way to ``…`` so the file
  name stays whole (a path is never broken across lines in the middle of a name).
- :func:`cell_safe` -- the TUI's last line of defence on rendered cells: nothing unsafe is sent and no
  cell moves (zero-width characters are dropped there; the paths above have already shown them).

No Textual import here: the core (CLI, exports) and the TUI share it.
"""

from __future__ import annotations

import os
import re
import unicodedata

__all__ = [
    "C1_RE", "CONTROL_BYTES", "CONTROL_PICTURES", "CONTROL_RE", "DISPLAY_TABLE", "INVISIBLE_RE", "UNSAFE_RE",
    "STAND_IN",
    "cell_safe", "control_pictures", "field", "json_for_terminal", "name",
    "one_line", "paths_within", "same_length", "short_path", "visible", "visible_with_map",
]

#: The one-character stand-in for a C1 control or an invisible character where offsets must not move.
STAND_IN = "\ufffd"

#: code point -> its visible stand-in: C0 (but \n and \t) -> U+2400 + code, DEL -> U+2421, C1 -> U+FFFD.
CONTROL_PICTURES: dict[int, str] = {
    **{c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)},
    0x7F: "\u2421",
    **{c: STAND_IN for c in range(0x80, 0xA0)},
}

# The ranges every pattern below is built from: C0 but "\n" and "\t"; DEL; C1.
_C0 = "\x00-\x08\x0b-\x1f"
_DEL = "\x7f"
_C1 = "\x80-\x9f"

#: C0 controls but "\n" and "\t", DEL and C1 (one character per match: faster to scan than with "+").
CONTROL_RE = re.compile(f"[{_C0}{_DEL}{_C1}]")
#: C1 controls alone.
C1_RE = re.compile(f"[{_C1}]")
#: The C0 controls (but "\n"/"\t") and DEL as bytes, for ``bytes.translate(None, CONTROL_BYTES)``: each
#: is one byte in UTF-8, so a check on encoded text finds them without decoding (C1 needs :data:`C1_RE`).
CONTROL_BYTES = bytes(code for code in CONTROL_PICTURES if code < 0x80)

# Invisible or reordering characters: Unicode category Cf (format: bidi controls U+200E/F, U+202A-202E,
# U+2066-2069, U+061C; zero-width U+200B-200D, U+2060-2064, U+FEFF; soft hyphen; interlinear annotation;
# "tag" characters U+E0000-E007F), the line and paragraph separators (Zl, Zp), the Hangul fillers
# (drawn blank) and lone surrogates (from undecodable file names; they cannot even be encoded). The
# prepended concatenation marks (U+0600-0605, U+06DD, U+070F, U+0890-0891, U+08E2, U+110BD, U+110CD)
# are Cf but drawn with a glyph: left alone. Written out rather than computed from unicodedata at
# import; tests/unit/test_display.py checks the list against unicodedata.
_INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD), (0x061C, 0x061C), (0x115F, 0x1160), (0x180E, 0x180E), (0x200B, 0x200F),
    (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0x3164, 0x3164), (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE007F),
)
_INVISIBLE = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in _INVISIBLE_RANGES)
INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")

#: Everything that must not reach a terminal as is (\n and \t are the caller's business).
UNSAFE_RE = re.compile(f"[{_C0}{_DEL}{_C1}{_INVISIBLE}]")
_UNSAFE_OR_SPACE_RE = re.compile(f"[\t\n{_C0}{_DEL}{_C1}{_INVISIBLE}]")

#: Same-length display of article text, for ``str.translate``: every unsafe character one visible
#: character (control pictures, ``�`` for C1 and invisible characters), a tab one blank cell, a newline
#: (only seen if a caller asks) and U+2028/U+2029 ``␤``.
DISPLAY_TABLE: dict[int, str] = {
    **{code: STAND_IN for low, high in _INVISIBLE_RANGES for code in range(low, high + 1)},
    **CONTROL_PICTURES,
    0x09: " ",
    0x0A: "\u2424",
    0x2028: "\u2424",  # LINE SEPARATOR
    0x2029: "\u2424",  # PARAGRAPH SEPARATOR
}


def _picture(match: re.Match[str]) -> str:
    return CONTROL_PICTURES[ord(match.group())]


def control_pictures(text: str) -> str:
    """C0 controls (but ``\\n``/``\\t``), DEL and C1 replaced one for one by visible characters.

    The corpus's rule for article text. Same length as ``text``; ``text`` itself if nothing changes.
    """
    if CONTROL_RE.search(text) is None:
        return text
    return CONTROL_RE.sub(_picture, text)


def _same_length_one(match: re.Match[str]) -> str:
    return DISPLAY_TABLE[ord(match.group())]


def same_length(text: str) -> str:
    """``text`` with every unsafe character (but ``\\n``/``\\t``) replaced by one visible character.

    For text that carries offsets (search snippets, highlighted titles): ``len`` is unchanged, so an
    offset into the result is an offset into ``text``. ``text`` itself if nothing changes.
    """
    if UNSAFE_RE.search(text) is None:
        return text
    return UNSAFE_RE.sub(_same_length_one, text)


def name(char: str) -> str:
    """The named stand-in of one character: ``⟨U+202E⟩``."""
    return f"\u27e8U+{ord(char):04X}\u27e9"


def _visible_one(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20 or code == 0x7F:
        return CONTROL_PICTURES[code]
    return name(char)


def visible(text: str) -> str:
    """``text`` safe for a terminal, for output that carries no offsets.

    C0 controls (but ``\\n``/``\\t``) and DEL become their control picture (``␛``), C1 controls and
    invisible or reordering characters a named stand-in (``⟨U+202E⟩``). ``text`` itself if nothing
    changes.
    """
    if UNSAFE_RE.search(text) is None:
        return text
    return UNSAFE_RE.sub(_visible_one, text)


def visible_with_map(text: str) -> tuple[str, list[int]]:
    """:func:`visible` of ``text`` and where each offset of ``text`` lands in it.

    ``where[i]`` is the offset in the result of ``text[i]`` (``where[len(text)]`` its end), so a span
    ``(s, e)`` of ``text`` is ``(where[s], where[e])`` of the result.
    """
    if UNSAFE_RE.search(text) is None:
        return text, list(range(len(text) + 1))
    pieces: list[str] = []
    where: list[int] = []
    at = 0
    for char in text:
        match = UNSAFE_RE.match(char)
        shown = char if match is None else _visible_one(match)
        where.append(at)
        pieces.append(shown)
        at += len(shown)
    where.append(at)
    return "".join(pieces), where


def _field_one(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code == 0x0A:
        return "\u240a"  # ␊
    if code == 0x09:
        return "\u2409"  # ␉
    return _visible_one(match)


def field(text: str) -> str:
    """An identifier (file name, article id, tag) for one line: :func:`visible`, and ``\\n``/``\\t``
    shown as ``␊``/``␉``. ``text`` itself if nothing changes."""
    if _UNSAFE_OR_SPACE_RE.search(text) is None:
        return text
    return _UNSAFE_OR_SPACE_RE.sub(_field_one, text)


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` on one line for a list row: :func:`visible`, runs of whitespace one space, and cut to
    ``limit`` characters with a final ``…`` when longer."""
    flat = " ".join(visible(text).split())
    if limit is not None and len(flat) > limit:
        return flat[: max(0, limit - 1)].rstrip() + "\u2026"
    return flat


# JSON: the characters json.dumps leaves raw (it escapes C0 itself) that a terminal must not see.
_JSON_UNSAFE_RE = re.compile(f"[{_DEL}{_C1}{_INVISIBLE}]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # a surrogate pair, as JSON spells characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_for_terminal(text: str) -> str:
    """JSON (or JSON Lines) text with DEL, C1 and invisible characters escaped as ``\\uXXXX``.

    Outside strings JSON is ASCII, so every such character is inside a string, where the escape means
    the same character: parsing the result gives exactly the data of ``text``.
    """
    if text.isascii() and "\x7f" not in text:  # DEL is ASCII too
        return text
    return _JSON_UNSAFE_RE.sub(_json_escape, text)


def _cell_one(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code in (0x09, 0x0A):
        return " "
    if code < 0x20 or code == 0x7F:
        return CONTROL_PICTURES[code]
    if code <= 0xAD or 0xD800 <= code <= 0xDFFF:
        return STAND_IN  # C1, the soft hyphen, a lone surrogate
    if code == 0x115F:
        return STAND_IN * 2  # drawn two cells wide
    return ""  # zero width on screen: dropping it moves no cell


def cell_safe(text: str) -> str:
    """Rendered text made safe without moving a cell (for a line filter on the screen's segments).

    Controls become their picture (tab and newline a blank), characters drawn one cell wide but unsafe
    (C1, soft hyphen) ``�``, zero-width invisible characters are dropped.
    """
    if _UNSAFE_OR_SPACE_RE.search(text) is None:
        return text
    return _UNSAFE_OR_SPACE_RE.sub(_cell_one, text)


# --------------------------------------------------------------------------------------- paths in messages

#: an absolute (or ~) path in a sentence: up to the next space; trailing punctuation is the sentence's
PATH_RE = re.compile(r"(?<![\w.~/:])(?:~|/)[^\s/]*(?:/[^\s/]+)+")
_TRAILING = ".,;:)]}'\"”’"


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut_middle(text: str, width: int) -> str:
    """``text`` in ``width`` cells, its middle replaced by ``…`` (the end, an extension, is kept)."""
    if _cells(text) <= width:
        return text
    width = max(width, 3)
    back = (width - 1) // 2
    front = width - 1 - back
    while _cells(text[:front]) + 1 + _cells(text[len(text) - back:]) > width and (front or back):
        if front >= back:
            front -= 1
        else:
            back -= 1
    return text[:front] + "…" + (text[len(text) - back:] if back else "")


def short_path(path: str | os.PathLike, width: int | None = None, *, cwd: str | os.PathLike | None = None,
               home: str | os.PathLike | None = None) -> str:
    """``path`` as a person reads it in a message: relative to ``cwd`` (default: the working folder) when it
    is inside it, else with ``~`` for ``home``. Longer than ``width`` cells, the folders between the first
    and the last ones that fit give way to ``…`` and the file name stays whole; a name longer than the
    line itself is cut in its middle, its end (the extension) kept."""
    text = os.fspath(path)
    cwd = os.fspath(cwd) if cwd is not None else os.getcwd()
    home = os.fspath(home) if home is not None else os.path.expanduser("~")
    if cwd not in ("", os.sep) and text.startswith(cwd.rstrip(os.sep) + os.sep):
        text = text[len(cwd.rstrip(os.sep)) + 1:]
    elif home not in ("", os.sep) and (text == home or text.startswith(home.rstrip(os.sep) + os.sep)):
        text = "~" + text[len(home.rstrip(os.sep)):]
    if width is None or _cells(text) <= width:
        return text
    head, _, name = text.rpartition(os.sep)
    if _cells(name) + 2 > width:
        return _cut_middle(name, width)
    folders = head.split(os.sep)
    first, rest = folders[0], folders[1:]
    kept: list[str] = []
    start = f"{first}{os.sep}…" if _cells(first) + 3 + _cells(name) <= width else "…"
    for folder in reversed(rest):
        if _cells(os.sep.join([start, folder, *kept, name])) > width:
            break
        kept.insert(0, folder)
    return os.sep.join([start, *kept, name])


def paths_within(text: str, width: int | None = None, **where) -> str:
    """``text`` with every absolute or ``~`` path in it made short (``short_path``), so that a message
    wrapped at ``width`` breaks lines between words, never inside a path."""
    def one(match: re.Match[str]) -> str:
        found = match.group(0)
        core = found.rstrip(_TRAILING) or found
        return short_path(core, width, **where) + found[len(core):]

    return PATH_RE.sub(one, text)
