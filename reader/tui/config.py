"""The user's config file: theme and key bindings (TOML).

    # ~/.config/reader/config.toml
    theme = "textual-light"
    user = "ana"                  # the annotator named on new annotations (default: the login name)

    [keys]
    "reader.tag" = "t"            # binding id = "key" or "key1,key2"
    "library.search" = "slash,ctrl+f"

    measure = 100                 # the text's widest line, in columns (0: the whole width)

    [tag_colors]                  # a tag's highlight colour (wins over the codebook's and the theme's)
    people = "#1f77b4"

Binding ids are listed on the help screen (`?`). A file that cannot be read is reported, never fatal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Config:
    theme: str | None = None
    user: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    tag_colors: dict[str, str] = field(default_factory=dict)
    measure: int | None = 100  # at most this many columns of text, centred (0 or none: the whole width)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)


def default_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "reader" / "config.toml"


def load_config(path: Path | None = None) -> Config:
    explicit = path is not None
    path = path or default_path()
    config = Config(path=path)
    import tomllib  # only when there is a file to read: it is not on the start-up path otherwise

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if explicit:
            config.problems.append(f"config file not found: {path}")
        return config
    except (OSError, UnicodeDecodeError) as exc:
        config.problems.append(f"cannot read config {path}: {exc}")
        return config
    except tomllib.TOMLDecodeError as exc:
        config.problems.append(f"config {path} is not valid TOML ({exc}); using the defaults")
        return config
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        config.problems.append(f"config {path}: theme must be a string")
    else:
        config.theme = theme
    user = data.get("user")
    if user is not None and (not isinstance(user, str) or not user.strip()):
        config.problems.append(f"config {path}: user must be a non-empty string")
    elif user is not None:
        config.user = user.strip()
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        config.problems.append(f"config {path}: [keys] must be a table of binding id = \"key\"")
        keys = {}
    for binding_id, value in keys.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            config.problems.append(f"config {path}: key for {binding_id!r} must be a string")
            continue
        config.keys[str(binding_id)] = value.replace(" ", "")
    import re

    measure = data.get("measure", 100)
    if isinstance(measure, bool) or not isinstance(measure, int) or not (measure == 0 or 20 <= measure <= 1000):
        config.problems.append(f"config {path}: measure must be a number of columns (20 to 1000), or 0 for the "
                               f"whole width")
    else:
        config.measure = measure or None
    tag_colors = data.get("tag_colors", {})
    if not isinstance(tag_colors, dict):
        config.problems.append(f"config {path}: [tag_colors] must be a table of tag = \"#rrggbb\"")
        tag_colors = {}
    for tag, value in tag_colors.items():
        if not isinstance(value, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", value.strip()):
            config.problems.append(f"config {path}: the colour of tag {tag!r} must be written #rrggbb")
            continue
        config.tag_colors[str(tag)] = value.strip().lower()
    return config
