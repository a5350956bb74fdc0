"""Colours from the active theme: one per tag, distinct, stable across runs, readable in dark and light themes.

A tag's colour is, in order: the config file's `[tag_colors]` entry, the codebook's colour (the tag's own or
its nearest ancestor's), else a slot of a palette made from the theme. The palette never holds a hue near the
theme's `warning` colour: that one is find's (find hits are also bold and underlined, which no tag
highlight is), so an annotation never looks like a find hit.

Tags known to the session (``set_known_tags``) get palette slots by a stable hash with linear probing, so
that up to the palette's size they never share a colour; an unknown tag falls back to its hash slot.
"""

from __future__ import annotations

import zlib

from rich.style import Style
from textual.color import Color
from textual.theme import Theme

_SLOTS = ("primary", "secondary", "accent", "success", "error")  # not "warning": find's colour
_codebook = None  # reader.codebook.Codebook whose colours win over the theme's (set by the tag manager)
_config: dict[str, str] = {}  # casefolded tag -> "#rrggbb" from the config file
_known: tuple[str, ...] = ()  # casefolded tags of the session, for distinct slots
_slots: dict[str, dict[str, int]] = {}  # palette size -> {tag: slot}, made when needed
_palettes: dict[str, list[Color]] = {}
FIND_HUE_MARGIN = 30.0  # degrees of hue kept clear around the find colour


def set_codebook(book) -> None:
    """Use the codebook's colours (a tag's own, else its nearest ancestor's) for tags that have one."""
    global _codebook
    _codebook = book


def set_config_colors(mapping: dict[str, str]) -> None:
    """The config file's per-tag colours (they win over the codebook's)."""
    global _config
    _config = {tag.casefold(): value for tag, value in mapping.items()}


def set_known_tags(tags) -> None:
    """The session's tags: each gets its own palette slot (as far as the palette reaches)."""
    global _known
    known = tuple(sorted({t.casefold() for t in tags}))
    if known != _known:
        _known = known
        _slots.clear()


def add_known_tags(tags) -> None:
    """Tags just used: known from now on (nothing changes when they already were)."""
    new = {t.casefold() for t in tags} - set(_known)
    if new:
        set_known_tags([*_known, *new])


def _hue_distance(a: float, b: float) -> float:
    d = abs(a - b) % 1.0
    return min(d, 1.0 - d) * 360.0


def palette(theme: Theme) -> list[Color]:
    """Distinct colours from the theme's named ones, plus hues in between; none near `warning`'s hue."""
    key = theme.name
    found = _palettes.get(key)
    if found is not None:
        return found
    warning = Color.parse(theme.warning) if theme.warning else Color.parse("#ffa62b")
    chosen: list[Color] = []

    def fits(color: Color) -> bool:
        h = color.hsl
        if h.s >= 0.15 and _hue_distance(h.h, warning.hsl.h) < FIND_HUE_MARGIN:
            return False
        return all(_hue_distance(h.h, c.hsl.h) >= 28 or abs(h.l - c.hsl.l) > 0.25 for c in chosen)

    for slot in _SLOTS:
        value = getattr(theme, slot, None)
        if value:
            color = Color.parse(value)
            if fits(color):
                chosen.append(color)
    # more hues, at the lightness and saturation of the theme's primary (readable in that theme)
    base = Color.parse(theme.primary).hsl
    light = min(max(base.l, 0.45), 0.65)
    for step in range(24):
        color = Color.from_hsl((step / 24 + 0.02) % 1.0, 0.65, light)
        if len(chosen) >= 10:
            break
        if fits(color):
            chosen.append(color)
    _palettes[key] = chosen
    return chosen


def _slot(tag: str, size: int) -> int:
    key = tag.casefold()
    if key in _known:
        table = _slots.get(str(size))
        if table is None:
            table = {}
            taken: set[int] = set()
            for known in _known:  # sorted: the same tags always give the same slots
                slot = zlib.crc32(known.encode("utf-8")) % size
                for _ in range(size):
                    if slot not in taken:
                        break
                    slot = (slot + 1) % size
                taken.add(slot)
                table[known] = slot
                if len(taken) == size:
                    taken = set()  # more tags than colours: start sharing, evenly
            _slots[str(size)] = table
        return table[key]
    return zlib.crc32(key.encode("utf-8")) % size


def tag_color(theme: Theme, tag: str | None) -> Color:
    """The colour of a tag: the config's, the codebook's, else its slot of the theme's palette."""
    if tag:
        key = tag.casefold()
        for prefix in _ancestry(key):
            if prefix in _config:
                try:
                    return Color.parse(_config[prefix])
                except Exception:  # checked when the config is read; a stray value falls through
                    break
        if _codebook is not None:
            chosen = _codebook.color(tag)
            if chosen:
                return Color.parse(chosen)
    names = palette(theme)
    if not tag or not names:
        return Color.parse(theme.primary)
    return names[_slot(tag, len(names))]


def _ancestry(key: str) -> list[str]:
    """``a/b/c`` → ``a/b/c``, ``a/b``, ``a``: a sub-tag takes its parent's colour unless it has one."""
    parts = key.split("/")
    return ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]


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


def find_style(theme: Theme) -> Style:
    """A find hit as the article view draws one (for the legend): warning tint, bold, underlined."""
    tint = background(theme).blend(Color.parse(theme.warning or "#ffa62b"), 0.30)
    return Style(bgcolor=tint.rich_color, color=tint.get_contrast_text(1.0).rich_color, bold=True, underline=True)
