"""The annotation record: its fields, and the checks every record passes before it is stored.

A record is a plain ``dict`` so that it serialises as it is (TinyDB documents, JSON exports):

    id           str   UUID4, the identity across export and import (never TinyDB's doc id)
    article      str   article id: its path relative to the corpus folder, with "/" separators
    start, end   int   code-point offsets into the article text, or both None for a whole-article record
    quote        str   text[start:end] when made ("" for a whole-article record)
    prefix       str   up to 32 characters before the quote
    suffix       str   up to 32 characters after it
    tags         list[str]  normalised, unique, in the order given
    note         str   free text, may be empty; never interpreted as markup
    created      str   ISO 8601 UTC, e.g. "2026-11-25T14:25:28.123456Z"
    updated      str   likewise
    fingerprint  str   sha256 hex of the article text the record was made on ("" if unknown)
    annotator    str   optional: who made it (config ``user``, by default the login name); records made
                       before it existed have no such key and read as ``""`` (unknown)
    status       str   optional: how the passage was last re-anchored (``reader.living``): "anchored",
                       "moved" or "orphaned"; absent means anchored as made
    confidence   float optional: the re-anchor's confidence (0..1, ``reader.anchoring``); absent means 1
    old_quote    str   optional: the quote as it was made, once a re-anchor changed ``quote``
"""

from __future__ import annotations

import functools
import getpass
import math
import os
import uuid
from collections import Counter
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

FIELDS = ("id", "article", "start", "end", "quote", "prefix", "suffix", "tags", "note",
          "created", "updated", "fingerprint")
OPTIONAL = ("annotator", "status", "confidence", "old_quote")   # may be absent (older records); checked when present
STATUSES = ("anchored", "moved", "orphaned")
CONTEXT = 32
MAX_TAG_LENGTH = 100


class RecordError(ValueError):
    """A record that cannot be stored as it is; the message says which field and why."""


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_annotator() -> str:
    """``$READER_USER`` if set, else ``user`` in the config file, else the login name ("" if none)."""
    name = os.environ.get("READER_USER", "").strip() or _config_user()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without passwd entry): unknown, not an error
        return ""


@functools.lru_cache(maxsize=4)
def _config_user(path: str | None = None) -> str:
    """``user = "…"`` from ``$XDG_CONFIG_HOME/reader/config.toml`` (the TUI's config file); "" if unset or unreadable
    (the TUI reports a bad file; the command line just falls back to the login name)."""
    import tomllib

    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    try:
        with open(path or os.path.join(base, "reader", "config.toml"), "rb") as fh:
            user = tomllib.load(fh).get("user")
    except (OSError, ValueError):
        return ""
    return user.strip() if isinstance(user, str) else ""


def annotator_of(record: dict[str, Any]) -> str:
    return record.get("annotator") or ""


def new_id() -> str:
    return str(uuid.uuid4())


def normalise_tag(tag: str) -> str:
    """Trim and collapse inner whitespace; tags keep their case (``COVID`` stays ``COVID``)."""
    if not isinstance(tag, str):
        raise RecordError(f"a tag must be text, not {type(tag).__name__}")
    cleaned = " ".join(tag.split())
    if len(cleaned) > MAX_TAG_LENGTH:
        raise RecordError(f"tag is longer than {MAX_TAG_LENGTH} characters: {cleaned[:40]!r}…")
    return cleaned


READ_FRACTION = 0.9  # an article counts as read once the reader has been past 90 % of its text


def reading_state(state: Mapping[str, Any]) -> str:
    """"read", "started" (opened, not read) or "unread", from an article's stored reading state."""
    return "read" if state.get("read") else ("started" if state.get("opened") else "unread")


def reached_the_end(offset: int, length: int) -> bool:
    """Whether a reader at ``offset`` of a text of ``length`` characters has read it (READ_FRACTION)."""
    return length > 0 and offset >= READ_FRACTION * length


def tag_spellings(records: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Casefolded tag -> the spelling shown for it: the commonest among the records, the first seen on a tie.

    Tags are compared case-insensitively everywhere; this is the one rule for which spelling "covid",
    "Covid" and "COVID" are shown under (the CLI, the TUI and the statistics all go through it)."""
    spellings: dict[str, Counter[str]] = {}
    for record in records:
        for tag in record["tags"]:
            spellings.setdefault(tag.casefold(), Counter())[tag] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in spellings.items()}


def order_tags(counts: Mapping[str, int]) -> list[str]:
    """Tags most used first, then by name (case-insensitive): the order of every tag list."""
    return sorted(counts, key=lambda t: (-counts[t], t.casefold()))


def count_tags(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Shown spelling -> number of annotations carrying the tag, in ``order_tags`` order."""
    records = list(records)
    shown = tag_spellings(records)
    totals: Counter[str] = Counter()
    for record in records:
        for key in {tag.casefold() for tag in record["tags"]}:
            totals[shown[key]] += 1
    return {tag: totals[tag] for tag in order_tags(totals)}


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """Normalised, without empties, duplicates removed (first spelling wins, compared case-insensitively)."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        cleaned = normalise_tag(tag)
        if cleaned and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            out.append(cleaned)
    return out


def split_tags(text: str) -> list[str]:
    """``"covid, health ,  who"`` → ``["covid", "health", "who"]`` (the TUI's comma-separated input)."""
    return normalise_tags(text.split(","))


def is_whole_article(record: dict[str, Any]) -> bool:
    return record.get("start") is None


def validate(record: dict[str, Any]) -> dict[str, Any]:
    """Check a record before it is serialised; return it with tags normalised.

    orjson would silently turn a datetime into a string and NaN into null, so every field's type is
    checked here instead, and a bad record never reaches the disk.
    """
    missing = [f for f in FIELDS if f not in record]
    if missing:
        raise RecordError(f"record is missing {', '.join(missing)}")
    for key in ("id", "article", "quote", "prefix", "suffix", "note", "created", "updated", "fingerprint"):
        # Any text is kept as typed, control characters included: JSON stores them escaped, and the
        # exports that reach a terminal show them as visible stand-ins. Refusing one would lose a note.
        if not isinstance(record[key], str):
            raise RecordError(f"{key} must be text, not {type(record[key]).__name__}")
    if not record["id"]:
        raise RecordError("id is empty")
    if not record["article"]:
        raise RecordError("article is empty")
    start, end = record["start"], record["end"]
    if (start is None) != (end is None):
        raise RecordError("start and end must both be set or both be empty")
    if start is not None:
        for key, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise RecordError(f"{key} must be an integer offset, not {type(value).__name__}")
        if start < 0 or end < start:
            raise RecordError(f"bad offsets {start}..{end}")
    if "annotator" in record and not isinstance(record["annotator"], str):
        raise RecordError(f"annotator must be text, not {type(record['annotator']).__name__}")
    if "old_quote" in record and not isinstance(record["old_quote"], str):
        raise RecordError(f"old_quote must be text, not {type(record['old_quote']).__name__}")
    if "status" in record and record["status"] not in STATUSES:
        raise RecordError(f"status must be one of {', '.join(STATUSES)}, not {record['status']!r}")
    if "confidence" in record:
        c = record["confidence"]
        if isinstance(c, bool) or not isinstance(c, (int, float)) or not 0 <= c <= 1:
            raise RecordError(f"confidence must be a number from 0 to 1, not {c!r}")
    if not isinstance(record["tags"], list):
        raise RecordError("tags must be a list")
    for key, value in record.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise RecordError(f"{key} is not a finite number")
    out = dict(record)
    out["tags"] = normalise_tags(record["tags"])
    return out


def make_record(*, article: str, start: int | None = None, end: int | None = None, quote: str = "",
                prefix: str = "", suffix: str = "", tags: Iterable[str] = (), note: str = "",
                fingerprint: str = "", id: str | None = None, created: str | None = None,
                updated: str | None = None, annotator: str | None = None) -> dict[str, Any]:
    stamp = now_iso()
    record = {
        "id": id or new_id(),
        "article": article,
        "start": start,
        "end": end,
        "quote": quote,
        "prefix": prefix,
        "suffix": suffix,
        "tags": list(tags),
        "note": note,
        "created": created or stamp,
        "updated": updated or created or stamp,
        "fingerprint": fingerprint,
        "annotator": default_annotator() if annotator is None else annotator,
    }
    return validate(record)
