"""Where the bundled corpus and the default database are."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DB_FILENAME = "annotations.json"


def bundled_seeds() -> Path:
    """The bundled articles: ``seeds/`` beside the package in a checkout, ``reader/_seeds`` in a wheel."""
    checkout = PACKAGE_DIR.parent / "seeds"
    if checkout.is_dir():
        return checkout
    return PACKAGE_DIR / "_seeds"


def default_db(corpus: Path) -> Path:
    """``annotations/annotations.json`` in an ``annotations/`` folder beside the corpus folder.

    For the bundled seeds inside an installed wheel that folder is not ours to write, so the database
    goes to the user's data folder instead (``$XDG_DATA_HOME/reader`` or ``~/.local/share/reader``).
    """
    corpus = Path(corpus).resolve()
    if corpus == (PACKAGE_DIR / "_seeds").resolve():
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "reader"
        return base / "annotations" / DB_FILENAME
    return corpus.parent / "annotations" / DB_FILENAME
