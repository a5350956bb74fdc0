"""A hostile corpus through the real `reader` in tmux, with every byte the terminal received captured
(`tmux pipe-pane`): no escape sequence from a file, no bidi or zero-width character and no raw C1
control reaches the terminal, while the text around them is shown (with visible stand-ins).

The app's own escape sequences are everywhere in that output; the ones from the files are told apart
by the marker text right after them (tests/hostile.py).
"""

from __future__ import annotations

import shlex
import shutil
import time
from pathlib import Path

import pytest

from tests import hostile
from tests.e2e.tmux import Tmux
from tests.helpers import reader_command

pytestmark = pytest.mark.e2e


def test_hostile_corpus_sends_nothing_raw_to_the_terminal(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the end-to-end test (apt-get install -y tmux; .ci/run does it)")
    corpus, db = hostile.make(tmp_path)
    raw_file = tmp_path / "terminal.raw"
    go = tmp_path / "go"
    command = " ".join(shlex.quote(p) for p in [*reader_command(), str(corpus), "--db", str(db)])
    term = Tmux(120, 36)
    try:
        # The app starts only once the pane's output is being captured: its first frame is recorded too.
        term.start(f"while [ ! -e {shlex.quote(str(go))} ]; do sleep 0.05; done; {command}")
        term._tmux("pipe-pane", "-o", "-t", "main", f"cat >> {shlex.quote(str(raw_file))}")
        go.touch()

        screen = term.wait_text("MARKA")                            # the library: titles, file names
        assert "MARKC" in screen and "MARKD" in screen
        term.keys("/")
        term.type("MARKB")
        term.wait_text("MARKB with")                                # search snippets
        term.keys("Enter")
        screen = term.wait_text("MARKB2")                           # the article body
        assert "\u241b[31mREDB" in screen
        term.keys("tab")
        term.wait_text("NOTEA")                                     # this article's annotations: tags, notes
        term.keys("Escape")
        term.wait_for(lambda s: "Annotations (" not in s, what="the panel closed")  # (NOTEA stays: the
        # whole-article note is shown above the text)
        term.keys("Escape")
        term.wait_for(lambda s: "matches for" in s or "match for" in s, what="the library, still searching")
        term.keys("Escape")
        term.wait_for(lambda s: "sorted by" in s and "MARKD" in s, what="the library, search cleared")
        term.keys("a")
        # the annotations browser (its header: the library's preview pane shows the tag too)
        term.wait_for(lambda s: "newest first" in s and "\u27e8U+2066\u27e9PASSAGET" in s, what="the browser")
        term.keys("Escape")
        term.wait_for(lambda s: "sorted by" in s and "MARKD" in s, what="the library again")
        term.keys("q")
        assert term.wait_exit(20) == 0
        time.sleep(0.3)  # let `cat` write the last bytes
    finally:
        term.kill()

    output = raw_file.read_bytes().decode("utf-8", errors="replace")
    assert len(output) > 2000  # the screens were captured, not an empty pipe
    assert hostile.unsafe_in(output, [raw for raw, _ in hostile.SEQUENCES.values()]) == []
    for what, (_, shown) in hostile.SEQUENCES.items():
        if what != "note C1 CSI":
            assert shown in output, f"{what}: {shown!r} was never drawn"
    # The stand-ins for bidi and zero-width characters were drawn, not only the characters dropped.
    assert "\u27e8U+202E\u27e9" in output and "\u27e8U+200B\u27e9" in output
