"""Exports of the annotations (native JSON, W3C Web Annotations, doccano JSONL, a Markdown digest) and the
import of a native export back into a store.

Nothing here imports the corpus or the store: an article is any object with the attributes of
``ArticleLike`` (missing ones read as ``None``), a store any object with ``get(id)`` and ``upsert(record)``.
Every text is written literally: a note such as ``[bold]x[/]`` is data, never markup.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol
from urllib.parse import quote as percent_quote

import orjson

from reader import fsutil, records as rec
from reader.display import one_line, visible

FORMATS = ("json", "w3c", "jsonl", "md", "csv")
FORMAT_NAME = "reader-annotations"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / "reader-annotations.schema.json"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


IMPORT_CHUNK = 500  # records merged per hold of the store's lock


class ExportError(Exception):
    """An export or import that could not be done; ``str()`` is one sentence a user can act on."""


class ImportFormatError(ExportError):
    """The file to import is not a native export this reader can read; nothing was imported."""


class ArticleLike(Protocol):
    id: str
    path: Any
    text: str
    title: str | None
    date: Any
    byline: str | None
    source: str | None
    words: int | None
    fingerprint: str


class StoreLike(Protocol):
    def get(self, id: str) -> dict[str, Any] | None: ...

    def upsert(self, record: dict[str, Any]) -> str: ...


@dataclass
class ImportResult:
    added: int
    updated: int
    unchanged: int
    # Same id and the same `updated` time as the stored record, but different content: two edits that
    # cannot be ordered. The stored (local) one is kept; these are the incoming records, to be listed.
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    # How many records of the file are for each article id (the caller checks them against its corpus).
    articles: dict[str, int] = field(default_factory=dict, compare=False)


# ---------------------------------------------------------------------------------------------- helpers

def citation(article: Any, quote: str, *, note: str = "", tags: Iterable[str] = ()) -> str:
    """A passage as it is pasted elsewhere: the quote, then a line saying where it is from.

    ``“quote”`` / ``— Title, 2020-05-04, by Byline, Source (id)``; an annotation's tags and note follow.
    """
    where = [_attr(article, "title") or _attr(article, "id") or "untitled"]
    for part in (_attr(article, "date"), f"by {article.byline}" if _attr(article, "byline") else None,
                 _attr(article, "source")):
        if part:
            where.append(part)
    lines = [f"“{quote.strip()}”", "— " + ", ".join(where) + (f" ({article.id})" if _attr(article, "id") else "")]
    tags = list(tags)
    if tags:
        lines.append("Tags: " + ", ".join(tags))
    if note.strip():
        lines.append("Note: " + note.strip())
    return "\n".join(lines) + "\n"


def _attr(article: Any, name: str) -> Any:
    return getattr(article, name, None) if article is not None else None


def _text_or_none(value: Any) -> str | None:
    """An article attribute as JSON text: dates via ``isoformat``, other objects via ``str``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _sort_key(record: dict[str, Any]) -> tuple:
    start = record.get("start")
    return (record.get("article") or "", start is not None, start if start is not None else 0,
            record.get("end") or 0, record.get("created") or "", record.get("id") or "")


def _clean_records(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records as exported: only the record fields, checked, in a stable order."""
    out = []
    for record in records:
        try:
            checked = rec.validate(record)
        except rec.RecordError as exc:
            raise ExportError(f"annotation {record.get('id', '?')!s} cannot be exported: {exc}") from exc
        out.append({field: checked[field] for field in rec.FIELDS + rec.OPTIONAL if field in checked})
    out.sort(key=_sort_key)
    return out


def _article_ids(records: list[dict[str, Any]]) -> list[str]:
    return sorted({r["article"] for r in records})


def _article_summary(article_id: str, article: Any) -> dict[str, Any]:
    return {
        "id": article_id,
        "title": _text_or_none(_attr(article, "title")),
        "date": _text_or_none(_attr(article, "date")),
        "byline": _text_or_none(_attr(article, "byline")),
        "source": _text_or_none(_attr(article, "source")),
        "fingerprint": _text_or_none(_attr(article, "fingerprint")),
        "words": _int_or_none(_attr(article, "words")),
    }


def _dumps(obj: Any) -> str:
    try:
        return orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise ExportError(f"the export could not be written as JSON: {exc}") from exc


# ----------------------------------------------------------------------------------------------- native

def export_native(records: Iterable[dict[str, Any]], articles: Mapping[str, ArticleLike], *,
                  corpus: str, codebook: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The native export: every record field as stored, plus a summary of each article that has records.

    Annotations are sorted by article, then start (whole-article records first), then creation time; an
    article id missing from ``articles`` still gets a summary, with nulls.
    """
    cleaned = _clean_records(records)
    doc = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported": rec.now_iso(),
        "corpus": str(corpus),
        "articles": [_article_summary(aid, articles.get(aid)) for aid in _article_ids(cleaned)],
        "annotations": cleaned,
    }
    if codebook:  # optional: the tags' descriptions and colours (reader.codebook)
        doc["codebook"] = [dict(entry) for entry in codebook]
    return doc


# -------------------------------------------------------------------------------------------------- W3C

def article_iri(article_id: str, article: Any = None, corpus: str | Path | None = None) -> str:
    """A ``file://`` URI of the article's absolute path when known, else ``urn:reader:article:<id>``."""
    path = _attr(article, "path")
    if path:
        p = Path(path)
        if not p.is_absolute():
            beside = Path(corpus) / p if corpus else None
            p = beside if beside is not None and beside.exists() else p
        try:
            return p.resolve().as_uri()
        except ValueError:
            pass
    return "urn:reader:article:" + percent_quote(article_id, safe="/")


def _annotation_iri(record_id: str) -> str:
    if _UUID_RE.match(record_id):
        return "urn:uuid:" + record_id.lower()
    return "urn:reader:annotation:" + percent_quote(record_id, safe="")


def _w3c_annotation(record: dict[str, Any], source: str) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in record["tags"]
    ]
    if record["note"]:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": record["note"],
                       "format": "text/plain"})
    annotation: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": _annotation_iri(record["id"]),
        "type": "Annotation",
        "created": record["created"],
        "modified": record["updated"],
    }
    if record.get("annotator"):
        annotation["creator"] = {"type": "Person", "name": record["annotator"]}
    if bodies:
        annotation["body"] = bodies
    else:
        # No tag and no note: the annotation is the marking itself.
        annotation["motivation"] = "bookmarking" if rec.is_whole_article(record) else "highlighting"
    if rec.is_whole_article(record):
        annotation["target"] = source
    else:
        quote_selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": record["quote"]}
        if record["prefix"]:
            quote_selector["prefix"] = record["prefix"]
        if record["suffix"]:
            quote_selector["suffix"] = record["suffix"]
        selectors: list[dict[str, Any]] = [quote_selector]
        if record.get("status") != "orphaned":
            # An orphan's offsets point nowhere in the current text: only its quote and context are kept.
            selectors.append({"type": "TextPositionSelector", "start": record["start"], "end": record["end"]})
        annotation["target"] = {"type": "SpecificResource", "source": source, "selector": selectors}
    return annotation


def export_w3c(records: Iterable[dict[str, Any]], articles: Mapping[str, ArticleLike], *,
               corpus: str) -> dict[str, Any]:
    """An ``AnnotationCollection`` with one embedded ``AnnotationPage`` holding every annotation.

    Each tag is a ``TextualBody`` with purpose ``tagging``, the note one with purpose ``commenting``; a
    passage targets a ``SpecificResource`` (TextQuoteSelector + TextPositionSelector, offsets in code
    points; an orphaned passage keeps only its TextQuoteSelector), a whole-article record the article's
    IRI itself. Annotations without tag or note carry
    ``motivation`` ``highlighting`` (passage) or ``bookmarking`` (whole article) instead of a body.
    """
    cleaned = _clean_records(records)
    sources = {aid: article_iri(aid, articles.get(aid), corpus) for aid in _article_ids(cleaned)}
    items = [_w3c_annotation(r, sources[r["article"]]) for r in cleaned]
    collection = {"id": f"urn:uuid:{uuid.uuid4()}", "label": f"reader annotations: {corpus}",
                  "total": len(items)}
    return {
        "@context": ANNO_CONTEXT,
        "id": collection["id"],
        "type": "AnnotationCollection",
        "label": collection["label"],
        "total": collection["total"],
        "first": {
            "@context": ANNO_CONTEXT,
            "id": f"urn:uuid:{uuid.uuid4()}",
            "type": "AnnotationPage",
            "partOf": collection,
            "startIndex": 0,
            "items": items,
        },
    }


# ------------------------------------------------------------------------------------------------ JSONL

def export_jsonl(records: Iterable[dict[str, Any]], articles: Mapping[str, ArticleLike], *,
                 notices: list[str] | None = None) -> str:
    """One doccano line per article with records: ``{"id", "text", "label": [[start, end, tag], …],
    "meta", "notes"}``.

    ``label`` has one entry per tag of each passage; ``meta`` holds the article's details and its
    whole-article tags; ``notes`` every non-empty note with its offsets (null for the whole article).
    Articles whose text is unknown are skipped, and passages whose offsets no longer match the text
    (``text[start:end] != quote``) give no label; both are counted in messages appended to ``notices``.
    """
    cleaned = _clean_records(records)
    by_article: dict[str, list[dict[str, Any]]] = {}
    for r in cleaned:
        by_article.setdefault(r["article"], []).append(r)
    lines: list[str] = []
    skipped = stale = 0
    for aid in sorted(by_article):
        article = articles.get(aid)
        text = _attr(article, "text")
        if not isinstance(text, str):
            skipped += 1
            continue
        labels: list[list[Any]] = []
        notes: list[dict[str, Any]] = []
        article_tags: list[str] = []
        for r in by_article[aid]:
            if rec.is_whole_article(r):
                article_tags.extend(t for t in r["tags"] if t not in article_tags)
            elif r.get("status") == "orphaned" or text[r["start"]:r["end"]] != r["quote"]:
                stale += 1
                continue
            else:
                labels.extend([r["start"], r["end"], tag] for tag in r["tags"])
            if r["note"]:
                notes.append({"start": r["start"], "end": r["end"], "note": r["note"]})
        summary = _article_summary(aid, article)
        del summary["id"]
        summary["tags"] = article_tags
        line = {"id": aid, "text": text, "label": labels, "meta": summary, "notes": notes}
        try:
            lines.append(orjson.dumps(line).decode("utf-8"))
        except orjson.JSONEncodeError as exc:
            raise ExportError(f"article {aid} could not be written as JSON: {exc}") from exc
    if notices is not None:
        if skipped:
            notices.append(f"{skipped} article{'s' if skipped != 1 else ''} skipped in the jsonl export "
                           "because their text is not in the corpus")
        if stale:
            notices.append(f"{stale} passage{'s' if stale != 1 else ''} left out of the jsonl export "
                           "because their offsets no longer match the article text")
    return "".join(line + "\n" for line in lines)


# --------------------------------------------------------------------------------------------- Markdown

def _visible(text: str) -> str:
    """Text kept literal, except control characters (their Unicode control picture) and invisible or
    reordering characters (a named stand-in such as ``⟨U+202E⟩``): see reader.display."""
    return visible(text.replace("\r\n", "\n"))


def _block(label: str, text: str) -> list[str]:
    """``- label: first line`` with the following lines indented under it."""
    lines = _visible(text).split("\n")
    return [f"- {label}: {lines[0]}"] + [f"  {line}" if line else "" for line in lines[1:]]


def export_markdown(records: Iterable[dict[str, Any]], articles: Mapping[str, ArticleLike], *,
                    corpus: str) -> str:
    """A digest to read or paste: per article its heading and details, the whole-article tags and notes,
    then each passage as a ``>`` quote (line by line) followed by its tags and note; orphaned passages
    (``status`` "orphaned") are listed at the end, in a section of their own.

    Text is kept literal (nothing is backslash-escaped); only the line structure is controlled, so that a
    title stays on its heading line and every quoted line stays inside its quote.
    """
    cleaned = _clean_records(records)
    by_article: dict[str, list[dict[str, Any]]] = {}
    for r in cleaned:
        by_article.setdefault(r["article"], []).append(r)
    passages = sum(1 for r in cleaned if not rec.is_whole_article(r))
    whole = len(cleaned) - passages
    n_articles = len(by_article)
    out = [
        f"# Annotations — {one_line(str(corpus))}",
        "",
        f"Generated {rec.now_iso()[:19]}Z · {len(cleaned)} annotation{'s' if len(cleaned) != 1 else ''} "
        f"({passages} passage{'s' if passages != 1 else ''}, {whole} whole-article) "
        f"in {n_articles} article{'s' if n_articles != 1 else ''}",
        "",
    ]
    for aid in sorted(by_article):
        article = articles.get(aid)
        title = _text_or_none(_attr(article, "title")) or aid
        out += [f"## {one_line(title)}", ""]
        details = [aid] + [v for v in (_text_or_none(_attr(article, k)) for k in ("date", "byline", "source"))
                           if v]
        out += [" · ".join(one_line(d) for d in details), ""]
        for r in by_article[aid]:
            if rec.is_whole_article(r):
                block: list[str] = []
                if r["tags"]:
                    block.append("- article tags: " + ", ".join(one_line(t) for t in r["tags"]))
                if r["note"]:
                    block += _block("article note", r["note"])
                if block:
                    out += block + [""]
        for r in by_article[aid]:
            if rec.is_whole_article(r) or r.get("status") == "orphaned":
                continue
            out += [f"> {line}" if line else ">" for line in _visible(r["quote"]).split("\n")]
            out.append("")
            block = [f"- offsets: {r['start']}–{r['end']}"]
            if r["tags"]:
                block.append("- tags: " + ", ".join(one_line(t) for t in r["tags"]))
            if r["note"]:
                block += _block("note", r["note"])
            out += block + [""]
    orphans = [r for r in cleaned if r.get("status") == "orphaned"]
    if orphans:
        # Passages no longer found in their article's text: listed with everything they had, never dropped.
        out += ["## Orphaned annotations", "",
                f"{len(orphans)} passage{'s' if len(orphans) != 1 else ''} could not be found in the "
                "current text of {}.".format("its article" if len({r['article'] for r in orphans}) == 1
                                             else "their articles"), ""]
        for r in orphans:
            title = _text_or_none(_attr(articles.get(r["article"]), "title")) or r["article"]
            out += [f"> {line}" if line else ">" for line in _visible(r["quote"]).split("\n")]
            out.append("")
            block = [f"- article: {one_line(title)} ({one_line(r['article'])})",
                     f"- last known offsets: {r['start']}–{r['end']}"]
            if r["tags"]:
                block.append("- tags: " + ", ".join(one_line(t) for t in r["tags"]))
            if r["note"]:
                block += _block("note", r["note"])
            out += block + [""]
    return "\n".join(out).rstrip("\n") + "\n"


# ------------------------------------------------------------------------------------- render and write

def render(fmt: str, records: Iterable[dict[str, Any]], articles: Mapping[str, ArticleLike], *,
           corpus: str, notices: list[str] | None = None, codebook: list[dict[str, str]] | None = None) -> str:
    """The text of an export in ``fmt`` (one of ``FORMATS``), ending with a newline.

    JSON is indented by 2 with non-ASCII characters kept; messages about anything left out (only the
    jsonl format leaves anything out) are appended to ``notices``.
    """
    if fmt == "json":
        return _dumps(export_native(records, articles, corpus=corpus, codebook=codebook))
    if fmt == "w3c":
        return _dumps(export_w3c(records, articles, corpus=corpus))
    if fmt == "jsonl":
        return export_jsonl(records, articles, notices=notices)
    if fmt == "md":
        return export_markdown(records, articles, corpus=corpus)
    if fmt == "csv":
        from reader.tabular import export_csv

        return export_csv(_clean_records(records), articles)
    raise ExportError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")


def filter_records(records: Iterable[dict[str, Any]], *, tag: str | None = None,
                   article: str | None = None, annotator: str | None = None) -> list[dict[str, Any]]:
    """The records with ``tag`` (or one of its sub-tags ``tag/…``, case-insensitively), on ``article``,
    by ``annotator``."""
    from reader.codebook import record_has_tag

    out = []
    for r in records:
        if article is not None and r.get("article") != article:
            continue
        if tag is not None and not record_has_tag(r, tag):
            continue
        if annotator is not None and (r.get("annotator") or "") != annotator:
            continue
        out.append(r)
    return out


def write_export(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, creating its parent folders."""
    path = Path(path)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ExportError(f"the export contains text that cannot be written as UTF-8: {exc.reason}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"could not create the folder {path.parent}: {exc.strerror or exc}") from exc
    if path.is_dir():
        raise ExportError(f"{path} is a folder: give a file name for the export")
    fsutil.remove_dead_temps(path)  # what a killed export of the same file left behind
    try:
        fsutil.atomic_write(path, data)
    except OSError as exc:
        raise ExportError(str(exc)) from exc


# ------------------------------------------------------------------------------------------------ import

_schema_cache: dict[str, Any] = {}


def _schema() -> dict[str, Any]:
    if "schema" not in _schema_cache:
        _schema_cache["schema"] = orjson.loads(SCHEMA_PATH.read_bytes())
    return _schema_cache["schema"]


def _validator():
    """A draft 2020-12 validator for the repo's schema: an import is checked against the same schema
    that documents the export (jsonschema is a runtime dependency for exactly this)."""
    if "validator" not in _schema_cache:
        from jsonschema import Draft202012Validator

        _schema_cache["validator"] = Draft202012Validator(_schema())
    return _schema_cache["validator"]


def _schema_problem(doc: dict[str, Any]) -> str | None:
    errors = list(_validator().iter_errors(doc))
    # An error of the if/then/else rule (say "end must be an integer" because `start` is not null) is a
    # consequence; the field that is itself wrong (`start: "abc"`) is the one to name.
    return _describe_schema_error(min(errors, key=lambda e: (_conditional(e), _path_key(e)))) if errors else None


def _conditional(error) -> bool:
    return any(part in ("then", "else") for part in error.relative_schema_path)


def _path_key(error) -> tuple:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path)


def _describe_schema_error(error) -> str:
    path = list(error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    if len(path) >= 2 and path[0] == "annotations" and isinstance(path[1], int):
        where = f"annotation {path[1] + 1}"
        if len(path) > 2:
            where += ": " + "/".join(str(p) for p in path[2:])
        return f"{where}: {message}"
    if len(path) >= 2 and path[0] == "articles" and isinstance(path[1], int):
        return f"article entry {path[1] + 1}: {'/'.join(str(p) for p in path[2:]) or 'entry'}: {message}"
    if path:
        return f"not a valid reader export: {'/'.join(str(p) for p in path)}: {message}"
    return f"not a valid reader export: {message}"


def load_native(text: str | bytes) -> list[dict[str, Any]]:
    """The records of a native export, checked against the JSON schema and ``records.validate``.

    Raises ``ImportFormatError`` naming the problem; annotations are counted from 1 in its messages.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"not a reader export: the file is not UTF-8 text "
                                    f"(bad byte at position {exc.start})") from exc
    text = text.lstrip("\ufeff")
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ImportFormatError(f"not a reader export: the file is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise ImportFormatError("not a reader export: the file holds JSON but not an export object")
    if doc.get("format") != FORMAT_NAME:
        if doc.get("type") == "AnnotationCollection" or doc.get("@context"):
            raise ImportFormatError("not a reader export: this is a W3C Web Annotation file; "
                                    "only the reader's own json export can be imported")
        raise ImportFormatError(f"not a reader export: its \"format\" is not {FORMAT_NAME!r}")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ImportFormatError("not a reader export: its \"version\" is missing or not a whole number")
    if version > FORMAT_VERSION:
        raise ImportFormatError(f"version {version} is newer than this reader understands "
                                f"(it reads version {FORMAT_VERSION}); update reader to import this file")
    problem = _schema_problem(doc)
    if problem:
        raise ImportFormatError(problem)
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, record in enumerate(doc["annotations"], start=1):
        try:
            checked = rec.validate(record)
        except rec.RecordError as exc:
            raise ImportFormatError(f"annotation {i}: {exc}") from exc
        if checked["id"] in seen:
            raise ImportFormatError(f"annotation {i}: id {checked['id']} is already used by annotation "
                                    f"{seen[checked['id']]}")
        seen[checked["id"]] = i
        out.append({field: checked[field] for field in rec.FIELDS + rec.OPTIONAL if field in checked})
    return out


def _timestamp(value: str) -> tuple:
    try:
        stamp = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return (0, value)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return (1, stamp)


def import_native(store: StoreLike, text: str | bytes) -> ImportResult:
    """Merge a native export into ``store`` by annotation id.

    The whole file is read and checked first: a file that fails ``load_native`` leaves the store
    untouched. Then, per annotation:

    * id not in the store → stored, counted ``added``;
    * identical to the stored record (every record field) → counted ``unchanged``;
    * different, and its ``updated`` is strictly newer than the stored one's → replaces it, ``updated``;
    * different, and the stored one is newer → the stored record is kept, counted ``unchanged``;
    * different content with the very same ``updated`` → the stored (local) record is kept and the
      incoming one is listed in ``conflicts`` (not counted unchanged: the user is told).

    So importing the same file twice gives ``0 added, 0 updated, N unchanged`` the second time.
    """
    incoming = load_native(text)
    counts: Counter[str] = Counter()
    conflicts: list[dict[str, Any]] = []
    # The real store imports a chunk under one hold of its lock with one index refresh (cheap lookups
    # at 100k annotations); chunks keep another process (a TUI) from waiting on the lock for long.
    batch = getattr(store, "batch", None)
    for first in range(0, len(incoming), IMPORT_CHUNK):
        with batch() if batch is not None else nullcontext():
            _merge(store, incoming[first:first + IMPORT_CHUNK], counts, first, conflicts)
    return ImportResult(added=counts["added"], updated=counts["updated"], unchanged=counts["unchanged"],
                        conflicts=conflicts, articles=dict(Counter(r["article"] for r in incoming)))


def _differs(current: dict[str, Any], record: dict[str, Any]) -> bool:
    """Different content (every field both carry, `updated` aside: an older export may lack an optional one)."""
    return any(current[f] != record[f] for f in rec.FIELDS + rec.OPTIONAL
               if f != "updated" and f in current and f in record)


def _merge(store: StoreLike, incoming: list[dict[str, Any]], counts: Counter[str], offset: int,
           conflicts: list[dict[str, Any]]) -> None:
    for i, record in enumerate(incoming, start=offset + 1):
        try:
            existing = store.get(record["id"])
            if existing is not None:
                current = {field: existing[field] for field in rec.FIELDS + rec.OPTIONAL if field in existing}
                incoming_time, stored_time = _timestamp(record["updated"]), _timestamp(current["updated"] or "")
                if current != record and incoming_time == stored_time and _differs(current, record):
                    conflicts.append(record)  # local wins the tie, but the user hears of it
                    continue
                if current == record or incoming_time <= stored_time:
                    counts["unchanged"] += 1
                    continue
            outcome = store.upsert(record)
        except (rec.RecordError, OSError) as exc:
            done = counts["added"] + counts["updated"]
            raise ExportError(f"the import stopped at annotation {i} ({done} already stored): {exc}") from exc
        counts[outcome if outcome in ("added", "updated", "unchanged") else
               ("added" if existing is None else "updated")] += 1
