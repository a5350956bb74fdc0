"""A hostile corpus and database for the terminal-safety tests (CLI and tmux): helpers, not tests.

Every hostile sequence sits right next to marker text, so a test can tell a sequence that came from a
file (``ESC [2J`` followed by ``ZAPA``) from the app's own escape sequences, and can check that the
text around it was really shown (the marker with the sequence's visible stand-in).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from reader.corpus import load_corpus
from reader.store import AnnotationStore

EVIL = "invoice\u202efdp.txt"          # RLO in a file name: shows as "invoicetxt.pdf" if left raw
TWO_LINES = "two\nlines.txt"           # a newline in a file name
ZERO_WIDTH = "zero\u200bwidth.txt"

# (what must never reach the terminal raw, what it is shown as when it was drawn)
SEQUENCES = {
    "title OSC": ("\x1b]0;OWNEDA\x07", "\u241b]0;OWNEDA"),
    "title CSI": ("\x1b[2JZAPA", "\u241b[2JZAPA"),
    "body CSI": ("\x1b[31mREDB", "\u241b[31mREDB"),
    "tag CSI": ("\x1b[31mTAGRED", "\u241b[31mTAGRED"),
    "note OSC 52": ("\x1b]52;c;Q0xJUEJPQVJE\x07NOTEC", "\u241b]52;c;Q0xJUEJPQVJE"),
    "note C1 CSI": ("\x9b2JNOTEC1", "NOTEC1"),
}

TITLE = "MARKA Title \x1b]0;OWNEDA\x07 \x1b[2JZAPA right\u202eTFEL iso\u2066ISO\u2069 zero\u200bZW c1\x9b31mC1A"
BODY = ("Body MARKB with \x1b[31mREDB red, a C1 \x9b32mC1B, \u202ereversed RLOB, zero\u200bZWB, "
        "tags\U000e0041\U000e0042 smuggled, soft\u00adhyphen and more words to read.\n\n"
        "A second paragraph MARKB2 that is perfectly ordinary.\n")
TAGS = ["tag\u202eRLOTAG", "\x1b[31mTAGRED", "zw\u200bTAGZW", "c1\x9bTAGC1"]
NOTE = "NOTEA \x1b]52;c;Q0xJUEJPQVJE\x07NOTEC \x9b2JNOTEC1 \u2067ISONOTE\u2069 end"


def make(tmp_path: Path) -> tuple[Path, Path]:
    """A corpus of three hostile articles and a database with hostile tags and notes on them."""
    corpus = tmp_path / "hostile"
    corpus.mkdir()
    (corpus / EVIL).write_text(f"# {TITLE}\n\n{BODY}", encoding="utf-8")
    (corpus / TWO_LINES).write_text("# MARKC second article\n\nplain body of MARKC here\n", encoding="utf-8")
    (corpus / ZERO_WIDTH).write_text("# MARKD third \u2068article\u2069\n\nbody of MARKD\n", encoding="utf-8")
    db = tmp_path / "db" / "annotations.json"
    store = AnnotationStore(db)
    loaded = load_corpus(corpus)
    evil = loaded.get(EVIL)
    assert evil is not None and loaded.get(TWO_LINES) is not None, [a.id for a in loaded.articles]
    store.add(article=EVIL, tags=TAGS, note=NOTE)
    start = evil.text.index("Body MARKB")
    end = start + len("Body MARKB with")
    store.add(article=EVIL, start=start, end=end, quote=evil.text[start:end], tags=["\u2066PASSAGETAG\u2069"],
              note="passage \x1b[2JZAPNOTE")
    return corpus, db


_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                        "\U000e0000-\U000e007f]")


def unsafe_in(output: str, raw_sequences: list[str]) -> list[str]:
    """What of the hostile content reached ``output`` raw: C1 controls, bidi/invisible characters, and
    any of ``raw_sequences`` (escape sequences from the files, recognised by their marker text)."""
    found = [f"C1 U+{ord(c):04X}" for c in set(output) if 0x80 <= ord(c) <= 0x9F]
    found += [f"U+{ord(c):04X} {unicodedata.name(c, '')}" for c in set(_INVISIBLE.findall(output))]
    found += [repr(seq) for seq in raw_sequences if seq in output]
    return sorted(found)
