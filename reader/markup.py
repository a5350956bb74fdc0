"""Where a Markdown text's headings, emphasis, code, links and quotes are, so a reader can style them in
place, as glow does, while showing every character of the file: the markup itself is a span of its own
(shown dimmed), never removed, so offsets stay the file's.

``markdown_spans(text)`` returns sorted ``(start, end, kind)`` with kind one of ``heading``, ``strong``,
``emphasis``, ``code``, ``link``, ``quote``, ``markup``. Bounded work: one regex pass per line.
"""

from __future__ import annotations

import re

KINDS = ("heading", "strong", "emphasis", "code", "link", "quote", "markup")
MAX_CHARS = 5_000_000  # beyond this the text is shown plain (one pass costs ~1 s per 10 MB)

_FENCE_RE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_ATX_RE = re.compile(r"([ \t]{0,3}#{1,6})([ \t]+)(.*?)([ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"[ \t]{0,3}(=+|-+)[ \t]*$")
_QUOTE_RE = re.compile(r"[ \t]{0,3}(>[ \t]?)+")
_BULLET_RE = re.compile(r"[ \t]*([-*+]|\d{1,9}[.)])[ \t]+")
_RULE_RE = re.compile(r"[ \t]{0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_CODE_RE = re.compile(r"(`+)(.+?)\1")
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_RE = re.compile(r"(?<![\w*])(\*|_)(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_LINK_RE = re.compile(r"(!?\[)([^\]\n]*)(\]\([^)\n]*\))")


def markdown_spans(text: str) -> list[tuple[int, int, str]]:
    if len(text) > MAX_CHARS:
        return []
    spans: list[tuple[int, int, str]] = []
    add = spans.append
    fence: str | None = None
    position = 0
    lines = text.split("\n")
    for index, line in enumerate(lines):
        start = position
        position += len(line) + 1
        if not line.strip():
            continue
        end = start + len(line)
        fenced = _FENCE_RE.match(line)
        if fence is not None:
            if fenced and fenced.group(1)[0] == fence[0] and len(fenced.group(1)) >= len(fence):
                add((start, end, "markup"))
                fence = None
            else:
                add((start, end, "code"))
            continue
        if fenced:
            fence = fenced.group(1)
            add((start, end, "markup"))
            continue
        if line.startswith(("    ", "\t")) and not _BULLET_RE.match(line):
            add((start, end, "code"))  # an indented code block
            continue
        heading = _ATX_RE.match(line)
        if heading:
            add((start, start + heading.end(1), "markup"))
            if heading.group(3):
                add((start + heading.start(3), start + heading.end(3), "heading"))
            if heading.group(4):
                add((start + heading.start(4), start + heading.end(4), "markup"))
            continue
        if _RULE_RE.match(line):
            add((start, end, "markup"))
            continue
        if _SETEXT_RE.match(line) and index > 0 and lines[index - 1].strip():
            add((start, end, "markup"))
            above = start - 1 - len(lines[index - 1])
            spans.append((above, start - 1, "heading"))
            continue
        offset = 0
        quote = _QUOTE_RE.match(line)
        if quote:
            add((start, start + quote.end(), "markup"))
            add((start + quote.end(), end, "quote"))
            offset = quote.end()
        bullet = _BULLET_RE.match(line, offset)
        if bullet:
            add((start + bullet.start(1), start + bullet.end(1), "markup"))
        _inline(line, start, add)
    spans.sort()
    return spans


def _inline(line: str, base: int, add) -> None:
    code_parts: list[tuple[int, int]] = []
    for m in _CODE_RE.finditer(line):
        add((base + m.start(), base + m.start(2), "markup"))
        add((base + m.start(2), base + m.end(2), "code"))
        add((base + m.end(2), base + m.end(), "markup"))
        code_parts.append((m.start(), m.end()))

    def in_code(i: int) -> bool:
        return any(a <= i < b for a, b in code_parts)

    for m in _LINK_RE.finditer(line):
        if in_code(m.start()):
            continue
        add((base + m.start(1), base + m.end(1), "markup"))
        add((base + m.start(2), base + m.end(2), "link"))
        add((base + m.start(3), base + m.end(3), "markup"))
    for pattern, kind in ((_STRONG_RE, "strong"), (_EMPHASIS_RE, "emphasis")):
        for m in pattern.finditer(line):
            if in_code(m.start()):
                continue
            add((base + m.start(1), base + m.end(1), "markup"))
            add((base + m.start(2), base + m.end(2), kind))
            add((base + m.end(2), base + m.end(), "markup"))
