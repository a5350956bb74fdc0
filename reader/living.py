"""Living documents: the annotations of an article that changed since they were made, re-anchored.

Every reader of annotations (the TUI through ``Session``, the CLI's ``export`` and ``check``, every export
format) gets records through :func:`reanchor`, so they all see the same thing:

- a record whose ``fingerprint`` is the article's current one is where it says it is (it was made on this
  text, or re-anchored to it before) and is left alone;
- any other passage is looked for with :func:`reader.anchoring.anchor_record`. Found: its ``start``,
  ``end``, ``quote``, ``prefix`` and ``suffix`` describe the new place, ``fingerprint`` becomes the
  article's, ``status`` is "anchored" (same offsets) or "moved", ``confidence`` is the anchor's, and the
  quote it was made with is kept in ``old_quote`` when it changed. Not found: the record keeps everything
  it had (offsets, quote, context, the old fingerprint, so it is looked for again next time) and gets
  ``status`` "orphaned". Nothing is ever dropped;
- a whole-article record just takes the new fingerprint.

The changed records are stored (one batch, durable) when a store is given and accepts them; when it
refuses (locked, read-only, damaged), the caller still gets the re-anchored records, and the summary says
they were not stored. Records of an article that is not in the corpus are returned unchanged and counted
as ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from reader.anchoring import REVIEW_BELOW, Anchor, anchor_record, describe

__all__ = ["Placement", "Summary", "place", "reanchor", "needs_review", "accepted"]


@dataclass
class Placement:
    record: dict[str, Any]      # the record as it stands now
    anchor: Anchor              # where it is in the article's current text
    changed: bool = False       # differs from the record given (a re-anchor happened now)
    before: dict[str, Any] | None = None   # the record as given, when changed


@dataclass
class Summary:
    anchored: int = 0           # passages in place (unchanged or re-found at the same offsets)
    moved: int = 0              # re-found elsewhere now
    orphaned: int = 0           # not found (kept, marked)
    review: int = 0             # found now, but below the review threshold
    missing: int = 0            # records of articles that are not in the corpus
    changed: int = 0            # records that changed now
    stored: bool = True         # the changes were written
    error: str | None = None    # why they were not
    changed_articles: set[str] = field(default_factory=set)

    def describe(self) -> str:
        """``"2 moved, 1 orphaned, 1 to review"`` (only the non-zero parts), or "" when nothing moved."""
        parts = [f"{n} {label}" for n, label in ((self.moved, "moved"), (self.orphaned, "orphaned"),
                                                  (self.review, "to review")) if n]
        return ", ".join(parts)


def needs_review(record: dict[str, Any]) -> bool:
    """A found passage whose last re-anchoring was not sure enough to be taken as right unseen."""
    return record.get("status") in ("anchored", "moved") and record.get("confidence", 1.0) < REVIEW_BELOW


def place(record: dict[str, Any], article: Any) -> Placement:
    """Where ``record`` sits in ``article`` (an object with ``text`` and ``fingerprint``) as it is now."""
    if article is None:
        return Placement(record, Anchor("orphaned", None, None, None, 0.0))
    fingerprint = article.fingerprint
    if record.get("start") is None:
        anchor = Anchor("anchored", None, None, "", 1.0)
        if fingerprint and record.get("fingerprint") != fingerprint:
            return Placement(dict(record, fingerprint=fingerprint), anchor, True, record)
        return Placement(record, anchor)
    text = article.text
    start, end, quote = record.get("start"), record.get("end"), record.get("quote") or ""
    if (record.get("fingerprint") == fingerprint and record.get("status") != "orphaned"
            and isinstance(start, int) and isinstance(end, int) and text[start:end] == quote):
        status = "moved" if record.get("status") == "moved" else "anchored"
        return Placement(record, Anchor(status, start, end, quote, float(record.get("confidence", 1.0))))
    found = anchor_record(text, record)
    if not found.found:
        if record.get("status") == "orphaned" and record.get("confidence") == 0.0:
            return Placement(record, found)
        return Placement(dict(record, status="orphaned", confidence=0.0), found, True, record)
    sel = describe(text, found.start, found.end)
    new = dict(record, **sel.fields(), fingerprint=fingerprint,
               status="anchored" if found.status == "anchored" else "moved", confidence=found.confidence)
    if sel.quote != quote and "old_quote" not in record:
        new["old_quote"] = quote
    return Placement(new, found, new != record, record)


def reanchor(records: Iterable[dict[str, Any]], articles: Mapping[str, Any], store: Any = None, *,
             read_only: Iterable[str] = ()) -> tuple[list[Placement], Summary]:
    """Every record placed in its article's current text; the changed ones stored in ``store`` (unless
    their id is in ``read_only``: unsaved or shown from a backup). Returns the placements in the order given."""
    summary = Summary()
    placements: list[Placement] = []
    for record in records:
        article = articles.get(record.get("article"))
        if article is None:
            summary.missing += 1
            placements.append(Placement(record, Anchor("orphaned", None, None, None, 0.0)))
            continue
        p = place(record, article)
        placements.append(p)
        if p.record.get("start") is not None:
            if not p.anchor.found:
                summary.orphaned += 1
            elif p.changed and p.anchor.status == "moved":
                summary.moved += 1
            else:
                summary.anchored += 1
            if p.changed and p.anchor.found and p.anchor.confidence < REVIEW_BELOW:
                summary.review += 1
        if p.changed:
            summary.changed += 1
            summary.changed_articles.add(p.record["article"])
    if store is not None:
        skip = set(read_only) | set(getattr(store, "from_backup", ()) or ())
        todo = [p.record for p in placements if p.changed and p.record.get("id") not in skip]
        if todo:
            _store(store, todo, summary)
    return placements, summary


ANCHOR_FIELDS = ("start", "end", "quote", "prefix", "suffix", "fingerprint", "status", "confidence", "old_quote")


def _store(store: Any, todo: list[dict[str, Any]], summary: Summary) -> None:
    """Write the re-anchored fields onto the records as they are in the store now: a note edited or a
    record deleted by another process meanwhile is neither overwritten nor brought back."""
    from reader.store import StoreError

    try:
        with store.batch():
            for record in todo:
                current = store.get(record["id"])
                if current is None:
                    continue
                merged = dict(current)
                for key in ANCHOR_FIELDS:
                    if key in record:
                        merged[key] = record[key]
                store.upsert(merged)
    except StoreError as exc:
        summary.stored, summary.error = False, str(exc)


def accepted(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its re-anchored place accepted by the user: confidence 1, no longer to review."""
    return dict(record, confidence=1.0)
