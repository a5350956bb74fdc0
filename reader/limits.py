"""The documented maximums of an annotation, enforced on every write (the UI, `annotate`, `import`).

Without them one 50 MB note or 100,000 tags would make every later save of that article slow, because a
save rewrites the record's whole chunk. The limits are generous for real reading notes; a record over one
is refused with a message that says which limit and by how much, and nothing is stored.
Records already stored are never refused on read: the limits apply to what is written.
"""

from __future__ import annotations

from typing import Any

from .records import MAX_TAG_LENGTH, RecordError

MAX_NOTE = 100_000          # characters of a note (about 15,000 words)
MAX_QUOTE = 50_000          # characters of a quoted passage
MAX_TAG = MAX_TAG_LENGTH    # characters of one tag (checked by records.normalise_tag)
MAX_TAGS = 100              # tags on one record
MAX_RECORD_BYTES = 256 * 1024  # a whole record, as UTF-8 (quote, note, context and tags together)

LIMITS = {"note": MAX_NOTE, "quote": MAX_QUOTE, "tag": MAX_TAG, "tags": MAX_TAGS, "record_bytes": MAX_RECORD_BYTES}


def check(record: dict[str, Any]) -> dict[str, Any]:
    """Return ``record`` if it is within every limit, else raise RecordError naming the limit."""
    note, quote, tags = record.get("note") or "", record.get("quote") or "", record.get("tags") or []
    if len(note) > MAX_NOTE:
        raise RecordError(f"the note is {len(note):,} characters long; the limit is {MAX_NOTE:,}")
    if len(quote) > MAX_QUOTE:
        raise RecordError(f"the quoted passage is {len(quote):,} characters long; the limit is {MAX_QUOTE:,} "
                          f"(annotate a shorter passage, or the whole article)")
    if len(tags) > MAX_TAGS:
        raise RecordError(f"the annotation has {len(tags):,} tags; the limit is {MAX_TAGS}")
    for tag in tags:
        if len(tag) > MAX_TAG:
            raise RecordError(f"tag is longer than {MAX_TAG} characters: {tag[:40]!r}…")
    size = sum(len(v.encode("utf-8", "surrogatepass")) for v in record.values() if isinstance(v, str))
    size += sum(len(t.encode("utf-8", "surrogatepass")) for t in tags)
    if size > MAX_RECORD_BYTES:
        raise RecordError(f"the annotation is {size:,} bytes; the limit is {MAX_RECORD_BYTES:,}")
    return record
