"""Colours from the active theme: one per tag, stable across runs, readable in dark and light themes."""

from __future__ import annotations

import zlib

from rich.style import Style
from textual.color import Color
from textual.theme import Theme

_SLOTS = ("primary", "secondary", "accent", "warning", "success", "error")
_codebook = None  # reader.codebook.Codebook whose colours win over the theme's (set by the tag manager)


def set_codebook(book) -> None:
    """Use the codebook's colours (a tag's own, else its nearest ancestor's) for tags that have one."""
    global _codebook
    _codebook = book


def tag_color(theme: Theme, tag: str | None) -> Color:
    """The theme colour of a tag: a stable hash picks one of the theme's named colours."""
    if tag and _codebook is not None:
        chosen = _codebook.color(tag)
        if chosen:
            return Color.parse(chosen)
    names = [getattr(theme, slot) for slot in _SLOTS if getattr(theme, slot, None)]
    if not tag or not names:
        return Color.parse(theme.primary)
    return Color.parse(names[zlib.crc32(tag.casefold().encode("utf-8")) % len(names)])


def background(theme: Theme) -> Color:
    return Color.parse(theme.background or ("#1e1e1e" if theme.dark else "#f5f5f5"))


def highlight_style(theme: Theme, tag: str | None, *, saved: bool = True) -> Style:
    """A tinted background for an annotated passage; unsaved ones are also underlined."""
    base = background(theme)
    tint = base.blend(tag_color(theme, tag), 0.35 if theme.dark else 0.30)
    fg = tint.get_contrast_text(1.0)
    return Style(bgcolor=tint.rich_color, color=fg.rich_color, underline=not saved)


def swatch_style(theme: Theme, tag: str) -> Style:
    color = tag_color(theme, tag)
    return Style(color=color.get_contrast_text(1.0).rich_color, bgcolor=color.rich_color)
