"""Settings chosen in the app that outlive it: the theme, whether the library shows its preview pane, and
per corpus the library's sort, its direction, tag filter and the article under the cursor.

Kept in ``$XDG_STATE_HOME/reader/ui.json`` (``~/.local/state/reader/ui.json``), not in the config file (the
user's own, never rewritten) nor in the database folder (the store's). Best effort: a file that cannot be
read or written is ignored, never an error the user has to deal with; a save rewrites it atomically.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SORTS = ("date", "title", "annotations")
MAX_CORPORA = 50  # remembered corpus folders (the most recently used)


def default_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "reader" / "ui.json"


def _key(corpus: Path) -> str:
    try:
        return str(Path(corpus).resolve())
    except OSError:
        return str(Path(corpus).absolute())


def load(path: Path | None) -> dict[str, Any]:
    """The whole saved state ({} when there is none or it cannot be read)."""
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def theme(path: Path | None) -> str | None:
    value = load(path).get("theme")
    return value if isinstance(value, str) else None


def preview(path: Path | None) -> bool:
    """Whether the library shows the preview pane when the terminal has room (shown unless turned off)."""
    value = load(path).get("preview")
    return value if isinstance(value, bool) else True


def library(path: Path | None, corpus: Path) -> dict[str, Any]:
    """This corpus's library settings, checked: sort, reverse, tag_filter, cursor (missing ones left out)."""
    corpora = load(path).get("corpora")
    found = corpora.get(_key(corpus)) if isinstance(corpora, dict) else None
    if not isinstance(found, dict):
        return {}
    out: dict[str, Any] = {}
    if found.get("sort") in SORTS:
        out["sort"] = found["sort"]
    if isinstance(found.get("reverse"), bool):
        out["reverse"] = found["reverse"]
    for name in ("tag_filter", "cursor"):
        if isinstance(found.get(name), str) and found[name]:
            out[name] = found[name]
    return out


def save(path: Path | None, *, theme: str | None = None, corpus: Path | None = None,
         library: dict[str, Any] | None = None, preview: bool | None = None) -> bool:
    """Merge these settings into the file; False when it could not be written (nothing else happens)."""
    if path is None:
        return False
    from reader.fsutil import atomic_write

    data = load(path)
    if theme is not None:
        data["theme"] = theme
    if preview is not None:
        data["preview"] = preview
    if corpus is not None and library is not None:
        corpora = data.get("corpora") if isinstance(data.get("corpora"), dict) else {}
        key = _key(corpus)
        entry = {k: v for k, v in library.items() if v is not None}
        corpora.pop(key, None)
        corpora[key] = entry  # last used last: the oldest are dropped first
        while len(corpora) > MAX_CORPORA:
            corpora.pop(next(iter(corpora)))
        data["corpora"] = corpora
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(Path(path), json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), durable=False)
    except OSError:
        return False
    return True
