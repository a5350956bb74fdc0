"""Titles for any text (issue 8): Markdown headings of every kind, pandoc and front-matter titles, and the
HTML comments, tags and badges that come before them in real READMEs are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.corpus import parse_article


def title(name: str, text: str) -> str:
    return parse_article(name, Path(name), text.encode("utf-8")).title


@pytest.mark.parametrize("name, text, expected", [
    ("a.md", "# Getting started\n\nSome text.\n", "Getting started"),
    ("a.md", "<!-- generated: do not edit -->\n\n# The real title\n\nText.\n", "The real title"),
    ("a.md", "<!--\nA comment\nover lines\n-->\n# After the comment\n\nText.\n", "After the comment"),
    ("a.md", '<div align="center">\n\n<img src="logo.png" width="100">\n\n# Ripgrep\n\n</div>\n\nText.\n',
     "Ripgrep"),
    ("a.md", '<h1 align="center">Tokio</h1>\n\nA runtime.\n', "Tokio"),
    ("a.md", "[![Build](https://ci/badge.svg)](https://ci) [![Crates](https://img/x.svg)](https://crates)\n\n"
             "# fd\n\nA finder.\n", "fd"),
    ("a.md", "% Rust Release Notes\n\nVersion 1.0\n===========\n", "Rust Release Notes"),
    ("notes.txt", "% The Pandoc Title\n% Author\n\nBody text here.\n", "The Pandoc Title"),
    ("a.md", "Setext Title\n============\n\nBody.\n", "Setext Title"),
    ("a.md", "Second Level\n------------\n\nBody.\n", "Second Level"),
    ("a.md", "**Bold first line as a title**\n\nBody.\n", "Bold first line as a title"),
    ("a.md", "# The `fzf` **command-line** [fuzzy finder](https://x.y)\n\nBody.\n",
     "The fzf command-line fuzzy finder"),
    ("a.md", "---\ntitle: \"From the front matter\"\ndate: 2024-01-02\n---\n\nJust text, no heading.\n",
     "From the front matter"),
    ("a.md", "<p align=\"center\">\n  <img src=\"x.png\">\n</p>\n<h1 align=\"center\">\n  Helix\n</h1>\n\nBody.\n",
     "Helix"),
])
def test_markdown_and_plain_titles(name, text, expected):
    assert title(name, text) == expected


def test_news_articles_keep_their_titles():
    text = "Chinese Ambassador: We are closely cooperating\n\nThe year 2020 will go down in history.\n"
    assert title("x.txt", text) == "Chinese Ambassador: We are closely cooperating"


def test_a_title_never_shows_raw_markup():
    for text in ("<!-- x -->\n<div>\n", "[![b](u)](v)\n", "<br/>\n\n"):
        found = title("a.md", text)
        assert "<" not in found and "](" not in found and found


def test_look_alike_titles_are_told_apart_by_the_shortest_distinct_path():
    from types import SimpleNamespace as A

    from reader.corpus import distinguishing_names

    articles = [A(id="debian/zlib/copyright.txt", title="Format: https://x"),
                A(id="debian/bash/copyright.txt", title="Format:  https://x"),
                A(id="other/bash/copyright.txt", title="format: https://X"),
                A(id="README.md", title="Unique")]
    names = distinguishing_names(articles)
    assert names == {"debian/zlib/copyright.txt": "zlib/copyright.txt",
                     "debian/bash/copyright.txt": "debian/bash/copyright.txt",
                     "other/bash/copyright.txt": "other/bash/copyright.txt"}
