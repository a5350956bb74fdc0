"""The `reader` command: the TUI by default, and every core operation as a subcommand.

    reader [CORPUS] [--db FILE]            the TUI (CORPUS defaults to the bundled seeds/)
    reader list    [--corpus DIR] [--json]
    reader search  QUERY [--corpus DIR] [--limit N] [--json]
    reader annotate ARTICLE --quote TEXT [--occurrence K] [--tag T ...] [--note TEXT] [--corpus DIR] [--db FILE]
    reader tags    [--corpus DIR] [--db FILE] [--json] [--rename OLD NEW ...]
    reader export  [--corpus DIR] [--db FILE] [--format json|w3c|jsonl|md] [--tag T] [--article ID] [-o FILE]
    reader import  FILE [--corpus DIR] [--db FILE]          (a native json export or a REFI-QDA .qdpx)
    reader delete  ID ... [--from FILE] [--db FILE]
    reader doctor  [--repair] [--db FILE]
    reader check   [--fix] [--json] [--corpus DIR] [--db FILE]
    reader restore [FILE [VERSION]] [--db FILE]
    reader tag     TAG [--describe TEXT] [--color #RRGGBB] [--rename NEW | --merge-into TAG | --delete]
    reader stats   [--json]
    reader agree   A B [--json]

Errors are one sentence on stderr and a non-zero exit, never a traceback. Subcommands never import
Textual, so they start fast; the TUI path imports neither the store nor the search index up front
(the app opens them after its first frame).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

from typing import TYPE_CHECKING

from reader import __version__, paths
from reader.display import field, json_for_terminal, one_line, visible

if TYPE_CHECKING:
    from reader.corpus import Corpus
    from reader.library import Library
    from reader.store import AnnotationStore

COMMANDS = ("list", "search", "annotate", "tags", "export", "import", "delete", "doctor", "check", "restore",
            "tag", "stats", "agree", "index")
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3   # done for everything readable; some damaged database files were skipped (named on stderr)


class CliError(Exception):
    """A problem to report as one line on stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other error here
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _corpus_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", metavar="DIR", type=Path, default=None,
                        help="folder of .txt/.md articles (default: the bundled seeds)")


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="FILE", type=Path, default=None,
                        help="annotation database (default: annotations/annotations.json beside the corpus)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reader", description="Read, search, tag and annotate a folder of articles.")
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", help="list the articles")
    _corpus_arg(p)
    _db_arg(p)
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = sub.add_parser("search", help="fuzzy search across titles and bodies")
    p.add_argument("query", metavar="QUERY", help="words (typos are fine), 'exact, ^prefix, suffix$, !not, a | b, tag:x")
    _corpus_arg(p)
    _db_arg(p)
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N articles (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("annotate", help="annotate a passage (or, without --quote, the whole article)")
    p.add_argument("article", metavar="ARTICLE", help="article id (its path in the corpus) or a unique prefix of it")
    p.add_argument("--quote", metavar="TEXT", help="the exact passage to annotate")
    p.add_argument("--occurrence", type=int, default=None, metavar="K",
                   help="the K-th occurrence of the quote (from 1); required when the quote occurs more than once")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="a tag (repeat, or comma-separate)")
    p.add_argument("--note", default="", metavar="TEXT", help="a note on the passage (or on the whole article)")
    _corpus_arg(p)
    _db_arg(p)

    p = sub.add_parser("tags", help="tags with their counts; --rename renames or merges them everywhere")
    _corpus_arg(p)
    _db_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--rename", nargs=2, action="append", default=[], metavar=("OLD", "NEW"),
                   help="rename a tag and its sub-tags on every annotation, with its description and colour "
                        "(repeat; two tags renamed to one NEW merge)")

    p = sub.add_parser("export", help="export annotations (to stdout unless -o)")
    _corpus_arg(p)
    _db_arg(p)
    p.add_argument("--format", default="json", choices=("json", "w3c", "jsonl", "md", "csv", "qdpx"),
                   help="json (reader's own, importable), w3c, jsonl (doccano), md, csv or qdpx (default json)")
    p.add_argument("--tag", metavar="T", help="only this tag and its sub-tags (T/…)")
    p.add_argument("--article", metavar="ID", help="only this article (an id or a unique prefix)")
    p.add_argument("--annotator", metavar="NAME", help="only annotations made by NAME")
    p.add_argument("--project", metavar="NAME", help="qdpx: the project's name (default: the corpus folder's)")
    p.add_argument("-o", "--output", metavar="FILE", type=Path, help="write to FILE (default: stdout)")

    p = sub.add_parser("import", help="merge a native json export or a REFI-QDA .qdpx project into the database")
    p.add_argument("file", metavar="FILE", type=Path, help="a reader json export or a .qdpx project")
    _corpus_arg(p)
    _db_arg(p)

    p = sub.add_parser("tag", help="describe, colour, rename, merge or delete a tag (and its sub-tags)")
    p.add_argument("tag", metavar="TAG", help="the tag (a/b is b under a)")
    p.add_argument("--describe", metavar="TEXT", help="set the description")
    p.add_argument("--color", metavar="#RRGGBB", help="set the colour (\"\" to clear)")
    change = p.add_mutually_exclusive_group()
    change.add_argument("--rename", metavar="NEW", help="rename it everywhere (TAG/x becomes NEW/x)")
    change.add_argument("--merge-into", metavar="OTHER", help="merge it into OTHER everywhere")
    change.add_argument("--delete", action="store_true", help="remove it from every annotation")
    _corpus_arg(p)
    _db_arg(p)

    p = sub.add_parser("stats", help="tag frequencies, annotations per week, top articles, co-occurrence")
    _corpus_arg(p)
    _db_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("agree", help="per tag, how far annotators A and B agree (Krippendorff's alpha)")
    p.add_argument("a", metavar="A", help="one annotator's name")
    p.add_argument("b", metavar="B", help="the other annotator's name")
    _corpus_arg(p)
    _db_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("delete", help="delete annotations by id (replays the deletions a quit could not save)")
    p.add_argument("ids", nargs="*", metavar="ID", help="annotation ids to delete")
    p.add_argument("--from", dest="from_file", type=Path, metavar="FILE", help="ids one per line")
    _corpus_arg(p)
    _db_arg(p)

    p = sub.add_parser("doctor", help="verify every database file; report damage and leftovers, and what to run")
    p.add_argument("--repair", action="store_true",
                   help="remove leftovers, finish an interrupted tag rename, rebuild the id index")
    _corpus_arg(p)
    _db_arg(p)

    p = sub.add_parser("check", help="verify the annotations against the corpus: anchored, moved, orphaned, "
                                     "to review, missing articles, damaged files")
    p.add_argument("--fix", action="store_true", help="store the re-anchored offsets of moved annotations")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.add_argument("--accept", action="append", default=[], metavar="ID",
                   help="accept the re-anchored place of a passage to review (repeatable)")
    _corpus_arg(p)
    _db_arg(p)

    p = sub.add_parser("restore", help="list kept versions of database files, or bring one back")
    p.add_argument("file", nargs="?", metavar="FILE", help="a database file name (from the list)")
    p.add_argument("version", nargs="?", metavar="VERSION", help="the version to bring back")
    _corpus_arg(p)
    _db_arg(p)

    p = sub.add_parser("index", help="bring the catalogue and the search index beside the database up to date")
    _corpus_arg(p)
    _db_arg(p)
    return parser


def build_tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reader", description="Read, search, tag and annotate a folder of articles.",
                     epilog=f"commands: {', '.join(COMMANDS)} (reader COMMAND --help)")
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument("corpus", nargs="?", type=Path, default=None, metavar="CORPUS",
                        help="folder of .txt/.md articles (default: the bundled seeds)")
    _db_arg(parser)
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="TOML file with key bindings and theme (default: ~/.config/reader/config.toml)")
    return parser


# --- shared steps -----------------------------------------------------------------------------------

def _corpus_path(args: argparse.Namespace) -> Path:
    return Path(args.corpus) if args.corpus is not None else paths.bundled_seeds()


def _db_path(args: argparse.Namespace, corpus: Path) -> Path:
    return Path(args.db) if getattr(args, "db", None) is not None else paths.default_db(corpus)


def _load(args: argparse.Namespace, *, report_skipped: bool = True) -> Corpus:
    from reader.corpus import load_corpus

    corpus = load_corpus(_corpus_path(args))
    if report_skipped:
        for skipped in corpus.skipped:
            _warn(f"skipped {skipped.id}: {skipped.reason}")
    return corpus


def _library(args: argparse.Namespace, *, readonly: bool = True, report_skipped: bool = True) -> Library:
    """The corpus through its catalogue (only changed files are read); read-only creates no folder."""
    from reader.library import Library

    root = _corpus_path(args)
    library = Library(root, _db_path(args, root), readonly=readonly)
    library.refresh()
    if report_skipped:
        for skipped in library.corpus.skipped:
            _warn(f"skipped {skipped.id}: {skipped.reason}")
    return library


def _store(args: argparse.Namespace, corpus_root: Path, *, readonly: bool = False) -> AnnotationStore:
    from reader.store import AnnotationStore

    return AnnotationStore(_db_path(args, corpus_root), readonly=readonly)


def _warn(message: str) -> None:
    print(f"reader: {visible(message)}", file=sys.stderr)  # a message may quote a name or a tag


def _to_terminal() -> bool:
    """True when stdout is a terminal (not a file or a pipe): then no raw C1 or bidi character goes out."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _report_damage(store: AnnotationStore) -> bool:
    """Name on stderr every damaged database file the last read skipped; True if there was one."""
    for message in store.damage.values():
        _warn(f"skipped: {message}")
    if store.damage:
        shown = " (shown from the last good backup)" if store.from_backup else ""
        _warn(f"{len(store.damage)} damaged database file(s) skipped{shown}; run `reader doctor` for what to do")
    for notice in store.notices:
        _warn(notice)
    return bool(store.damage)


def _print_json(value: Any) -> None:
    import json

    text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.write(json_for_terminal(text) if _to_terminal() else text)


def resolve_article(corpus: Corpus, name: str) -> str:
    """An article id from an id, a path to the file, or a unique prefix of an id (``003``)."""
    if corpus.get(name) is not None:
        return name
    candidate = Path(name)
    if candidate.exists():
        try:
            rel = candidate.resolve().relative_to(corpus.root.resolve()).as_posix()
        except ValueError:
            raise CliError(f"{name} is not inside the corpus {corpus.root}") from None
        if corpus.get(rel) is not None:
            return rel
    matches = [a.id for a in corpus.articles if a.id.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(map(field, matches[:5])) + (", …" if len(matches) > 5 else "")
        raise CliError(f"{name!r} matches {len(matches)} articles ({shown}); give more of the id")
    raise CliError(f"no article {name!r} in {corpus.root}")


# --- commands ---------------------------------------------------------------------------------------

def cmd_list(args: argparse.Namespace) -> int:
    library = _library(args)
    corpus = library.corpus
    store = library.store
    counts = store.counts()
    _report_damage(store)
    rows = [{
        "id": a.id, "title": a.title, "date": a.date, "byline": a.byline, "source": a.source,
        "words": a.words, "annotations": counts.get(a.id, 0), "warning": a.warning,
    } for a in corpus.articles]
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print(f"no articles in {corpus.root}")
        return 0
    from reader.corpus import distinguishing_names

    names = distinguishing_names(corpus.articles)  # look-alike titles: what tells them apart
    dim, plain = ("\x1b[2m", "\x1b[0m") if sys.stdout.isatty() else ("", "")
    shown = [field(r["id"]) for r in rows]  # a newline or an escape in a file name: one article, one line
    width = max(map(len, shown))
    for ident, r in zip(shown, rows):
        extra = []
        if r["id"] in names:
            extra.append(f"{dim}[{field(names[r['id']])}]{plain}")
        credit = " · ".join(field(x) for x in (f"by {r['byline']}" if r["byline"] else None, r["source"]) if x)
        if credit:
            extra.append(f"{dim}— {credit}{plain}")
        print(f"{ident:<{width}}  {field(r['date'] or ''):<10}  {r['words']:>6}w  {r['annotations']:>3}a  "
              f"{one_line(r['title'])}" + "".join("  " + e for e in extra))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from reader.search.query import QueryError

    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    library = _library(args)
    store = library.store
    annotations = store.all()
    _report_damage(store)
    try:
        hits = library.search(args.query, limit=args.limit, annotations=annotations)
    except QueryError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        _print_json([{
            "article": h.article, "title": h.title, "score": round(h.score, 2), "snippet": h.snippet,
            "offsets": [list(o) for o in h.offsets[:20]],
        } for h in hits])
        return 0
    if not hits:
        print(f"no match for {args.query!r}")
    for h in hits:
        print(f"{h.score:5.1f}  {field(h.article)}  {one_line(h.title)}")
        if h.snippet:
            print(f"       {one_line(h.snippet)}")
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    from reader.anchoring import describe, find_occurrences
    from reader.records import split_tags

    library = _library(args, readonly=False, report_skipped=False)
    article_id = resolve_article(library.corpus, args.article)
    article = library.article(article_id)
    assert article is not None
    tags = [t for raw in args.tag for t in split_tags(raw)]
    store = library.store
    if args.quote is None and not tags and not args.note.strip():
        raise CliError("nothing to annotate: give --quote TEXT, --tag T or --note TEXT")
    if args.quote is None:
        if args.occurrence is not None:
            raise CliError("--occurrence needs --quote")
        record = store.add(article=article_id, tags=tags, note=args.note, fingerprint=article.fingerprint)
    else:
        if not args.quote:
            raise CliError("--quote is empty")
        if args.occurrence is not None and args.occurrence < 1:
            raise CliError("--occurrence counts from 1")
        starts = find_occurrences(article.text, args.quote)
        if not starts:
            raise CliError(f"the quote does not occur in {article_id}")
        if args.occurrence is None:
            if len(starts) > 1:
                raise CliError(f"the quote occurs {len(starts)} times in {article_id}: add --occurrence K "
                               f"(1 to {len(starts)}) to say which")
            args.occurrence = 1
        if args.occurrence > len(starts):
            n = len(starts)
            raise CliError(f"the quote occurs {n} time{'s' if n != 1 else ''} in {article_id}, "
                           f"not {args.occurrence}")
        start = starts[args.occurrence - 1]
        sel = describe(article.text, start, start + len(args.quote))
        record = store.add(article=article_id, **sel.fields(), tags=tags, note=args.note,
                           fingerprint=article.fingerprint)
    print(record["id"])  # printed only now: add() returns once the save is durable
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    from reader.corpus import sanitize

    corpus_root = _corpus_path(args)
    if args.rename:
        from reader import codebook as cbk

        store = _store(args, corpus_root)
        # The codebook's rename, as `reader tag --rename`: sub-tags, descriptions and colours move along;
        # journaled: all or nothing, finished after a crash.
        change = cbk.rename_many(store, _db_path(args, corpus_root), args.rename)
        for notice in store.notices:
            _warn(notice)
        changed = len(change.before)
        _warn(f"renamed {', '.join(f'{sanitize(old)} -> {sanitize(new)}' for old, new in args.rename)}: "
              f"{changed} annotation{'s' if changed != 1 else ''} changed")
    store = _store(args, corpus_root, readonly=True)
    counts = store.tag_counts()
    _report_damage(store)
    ordered = list(counts.items())  # most used first, then by name
    if args.json:
        _print_json([{"tag": tag, "count": n} for tag, n in ordered])
        return 0
    if not ordered:
        print("no tags yet")
    for tag, n in ordered:
        print(f"{n:>5}  {field(tag)}")  # a tag is stored as typed; never send its escapes to a terminal
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from reader.export import filter_records, render, write_export

    library = _library(args, report_skipped=False)
    corpus = library.corpus
    store = library.store
    records = store.all()
    damaged = _report_damage(store)
    article = resolve_article(corpus, args.article) if args.article else None
    records = filter_records(records, tag=args.tag, article=article, annotator=args.annotator)
    articles = {a.id: a for a in corpus.articles}
    records = _reanchored(records, articles, store)
    if args.format == "qdpx":
        written = _export_qdpx(args, corpus, records, articles)
        return EXIT_PARTIAL if damaged and written == 0 else written  # like every format: 3 if a file was skipped
    notices: list[str] = []
    book = None
    if args.format == "json":
        from reader.codebook import entries_for_export

        book = entries_for_export(_db_path(args, corpus.root))
    text = render(args.format, records, articles, corpus=str(corpus.root), notices=notices, codebook=book)
    for notice in notices:
        _warn(notice)
    status = EXIT_PARTIAL if damaged else 0
    if args.output is None:
        sys.stdout.write(_export_for_terminal(args.format, text) if _to_terminal() else text)
        return status
    write_export(args.output, text)
    n = len(records)
    _warn(f"wrote {n} annotation{'s' if n != 1 else ''} as {args.format} to {args.output}")
    return status


def _reanchored(records: list[dict], articles: dict, store) -> list[dict]:
    """The records placed in their articles' current text (reader.living), the changes stored; says on
    stderr what moved or was orphaned, and when the changes could not be stored."""
    from reader.living import reanchor
    from reader.store import AnnotationStore

    if getattr(store, "readonly", False) and store.path.exists():
        # Listing and exporting open the database read-only so that they create nothing; re-anchored
        # offsets of an existing database are still stored.
        store = AnnotationStore(store.path)
    placements, summary = reanchor(records, articles, store)
    if summary.changed:
        what = summary.describe() or "offsets updated"
        n = len(summary.changed_articles)
        _warn(f"re-anchored the annotations of {n} changed article{'s' if n != 1 else ''}: {what}")
        if not summary.stored:
            _warn(f"the new offsets were not stored ({summary.error}); this output uses them anyway")
    return [p.record for p in placements]


def _export_for_terminal(fmt: str, text: str) -> str:
    """An export shown on a terminal: JSON formats with C1 and invisible characters escaped (the same
    data), text formats with them shown as stand-ins. Written to a file or a pipe, nothing changes."""
    if fmt in ("json", "w3c", "jsonl"):
        return json_for_terminal(text)
    if fmt == "csv":
        text = text.removeprefix("\ufeff").replace("\r\n", "\n")  # the BOM and CRs are for spreadsheets
    return visible(text)


def cmd_import(args: argparse.Namespace) -> int:
    from reader.export import import_native

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    if data[:4] == b"PK\x03\x04" or args.file.suffix.lower() == ".qdpx":
        return _import_qdpx(args, data)
    store = _store(args, _corpus_path(args))
    result = import_native(store, data)
    for notice in store.notices:
        _warn(notice)
    _import_codebook(store, _db_path(args, _corpus_path(args)), data)
    summary = f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    if result.conflicts:
        summary += f", {len(result.conflicts)} conflict{'s' if len(result.conflicts) != 1 else ''}"
    print(f"imported {args.file}: {summary}")
    _report_import(args, result)
    return 0


def _report_import(args: argparse.Namespace, result) -> None:
    """Name what an import could not merge silently: conflicting edits, articles the corpus lacks."""
    from collections import Counter

    from reader.corpus import CorpusError, sanitize, scan

    n = len(result.conflicts)
    if n:
        _warn(f"{n} conflict{'s' if n != 1 else ''}: the same id and time as a local annotation but different "
              f"content; the local version was kept:")
        for record in result.conflicts[:20]:
            what = f"“{record['quote'][:40]}”" if record["quote"] else "whole article"
            _warn(f"  {record['id']}  {sanitize(record['article'])}  {sanitize(what)}")
        if n > 20:
            _warn(f"  … and {n - 20} more")
    try:
        known = set(scan(_corpus_path(args)))
    except (CorpusError, OSError):
        return
    unknown = Counter({a: k for a, k in result.articles.items() if a not in known})
    if unknown:
        total = sum(unknown.values())
        names = ", ".join(f"{sanitize(a)} ({k})" for a, k in unknown.most_common(10))
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        _warn(f"{total} imported annotation{'s are' if total != 1 else ' is'} for article{'s' if len(unknown) != 1 else ''} "
              f"not in the corpus {_corpus_path(args)} (kept, shown once the file is there): {names}{more}")


def _import_codebook(store: AnnotationStore, db: Path, data: bytes) -> None:
    """The native export's optional codebook (already checked by the schema in import_native)."""
    import orjson

    from reader.codebook import fill_missing

    try:
        doc = orjson.loads(data.decode("utf-8").lstrip("\ufeff"))
    except (UnicodeDecodeError, orjson.JSONDecodeError):
        return
    fill_missing(store, db, doc.get("codebook") or [])


def _export_qdpx(args: argparse.Namespace, corpus: Corpus, records: list, articles: dict) -> int:
    from reader.codebook import Codebook
    from reader.qdpx import export_qdpx
    from reader.records import default_annotator

    if args.output is None:
        raise CliError("a .qdpx is a zip file: give it a name with -o FILE.qdpx")
    book = Codebook.load(_db_path(args, corpus.root))
    result = export_qdpx(args.output, records, articles, project=args.project or corpus.root.resolve().name,
                         codebook=book, user=default_annotator())
    _warn(f"wrote {args.output}: {result.sources} sources, {result.selections} coded passages, "
          f"{result.codes} codes, {result.notes} notes")
    return 0


def _import_qdpx(args: argparse.Namespace, data: bytes) -> int:
    from reader.qdpx import import_qdpx

    corpus = _load(args, report_skipped=False)
    db = _db_path(args, corpus.root)
    result = import_qdpx(data, corpus.root, _store(args, corpus.root), db, {a.id: a for a in corpus.articles})
    for notice in result.notices:
        _warn(notice)
    print(f"imported {args.file} (project {result.project!r}): {result.files} new source files, "
          f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged")
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    from reader import codebook as cbk

    if not cbk.normalise_path(args.tag):
        raise CliError("the tag is empty")
    corpus_root = _corpus_path(args)
    store, db = _store(args, corpus_root), _db_path(args, corpus_root)
    did = False
    if args.describe is not None or args.color is not None:
        entry = cbk.describe(store, db, args.tag, description=args.describe, color=args.color)
        print(f"{field(entry.name)}: {entry.color or 'no colour'}; {one_line(entry.description) or 'no description'}")
        did = True
    change = None
    if args.rename is not None:
        change = cbk.rename(store, db, args.tag, args.rename)
    elif args.merge_into is not None:
        change = cbk.merge(store, db, [args.tag], args.merge_into)
    elif args.delete:
        change = cbk.delete(store, db, args.tag)
    if change is not None:
        n = len(change.before)
        print(f"{field(change.summary)}: {n} annotation{'s' if n != 1 else ''} changed")
        did = True
    if not did:
        book = cbk.Codebook.load(db)
        count = len(store.by_tag(args.tag))  # codebook.record_has_tag: a record with a tag and a sub-tag once
        entry = book.get(args.tag)
        print(f"{field(cbk.normalise_path(args.tag))}: {count} annotations (sub-tags included); "
              f"colour {book.color(args.tag) or 'none'}; {one_line(entry.description) if entry and entry.description else 'no description'}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from reader.stats import compute

    corpus = _load(args, report_skipped=False)
    stats = compute(_store(args, corpus.root, readonly=True).all(), {a.id: a for a in corpus.articles})
    if args.json:
        _print_json(stats.as_dict())
        return 0
    print(f"{stats.total} annotations")
    sections = [("tags", [(field(t), n) for t, n in stats.tags]),
                ("per week", stats.weeks),
                ("most annotated articles", [(f"{one_line(t)} ({field(a)})", n) for a, t, n in stats.articles]),
                ("tags on overlapping passages", [(" + ".join(map(field, p)), n) for p, n in stats.overlap]),
                ("tags in the same article (articles)", [(" + ".join(map(field, p)), n) for p, n in stats.same_article]),
                ("annotators", [(field(a) or "(unknown)", n) for a, n in stats.annotators])]
    for title, rows in sections:
        print(f"\n{title}:")
        top = max((n for _, n in rows), default=0)
        for label, n in rows:
            bar = "█" * (round(20 * n / top) if top else 0)
            print(f"  {n:>5}  {bar:<20}  {label}")
        if not rows:
            print("  (none)")
    return 0


def cmd_agree(args: argparse.Namespace) -> int:
    from reader.agreement import agree, annotators

    corpus = _load(args, report_skipped=False)
    records = _store(args, corpus.root, readonly=True).all()
    known = annotators(records)
    for who in (args.a, args.b):
        if who not in known:
            raise CliError(f"no annotations by {who!r} (annotators: {', '.join(known) or 'none named'})")
    result = agree(records, args.a, args.b, {a.id: len(a.text) for a in corpus.articles})
    if args.json:
        _print_json(result.as_dict())
        return 0
    if not result.articles:
        print(f"{args.a} and {args.b} have no annotated article in common")
        return 0
    print(f"{len(result.articles)} articles annotated by both; characters as units")
    print(f"{'alpha':>7}  {'both':>7}  {'only ' + args.a[:10]:>16}  {'only ' + args.b[:10]:>16}  tag")
    for t in result.tags:
        alpha = "  n/a" if t.alpha is None else f"{t.alpha:7.3f}"
        print(f"{alpha:>7}  {t.both:>7}  {t.only_a:>16}  {t.only_b:>16}  {field(t.tag)}")


def cmd_index(args: argparse.Namespace) -> int:
    import time

    started = time.perf_counter()
    library = _library(args, readonly=False)
    done = library.update_index()
    n = len(library.articles)
    _warn(f"{n} article{'s' if n != 1 else ''} catalogued, {done} (re)indexed in "
          f"{time.perf_counter() - started:.1f} s: {library.catalogue.path.parent}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from reader.store import NotFound

    ids = list(args.ids)
    if args.from_file is not None:
        try:
            ids += [line.strip() for line in args.from_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {args.from_file}: {getattr(exc, 'strerror', None) or exc}") from None
    if not ids:
        raise CliError("give the ids to delete (or --from FILE)")
    store = _store(args, _corpus_path(args))
    deleted = gone = 0
    for annotation_id in ids:
        try:
            store.delete(annotation_id)
            deleted += 1
        except NotFound:
            gone += 1   # already gone: what the user asked for is true
    print(f"deleted {deleted} annotation{'s' if deleted != 1 else ''}" + (f"; {gone} were already gone" if gone else ""))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from reader.maintenance import doctor

    store = _store(args, _corpus_path(args))
    report = doctor(store, repair=args.repair)
    for line in report.repaired:
        print(f"repaired: {field(line)}")
    for problem in report.problems:
        print(f"problem: {field(problem)}")  # a problem may quote a record's article id
    for line in report.advice:
        print(f"to fix, run: {field(line)}")
    if report.healthy:
        print(f"{store.path}: every file reads and every record is valid")
        return 0
    return EXIT_ERROR


def cmd_check(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from reader.maintenance import check

    root = _corpus_path(args)
    db = _db_path(args, root)
    if not db.exists():
        print(f"no annotations database at {db}: nothing to check")
        return 0
    library = _library(args, report_skipped=False)
    store = _store(args, root, readonly=not (args.fix or args.accept))
    if args.accept:
        from reader.living import accepted

        for annotation_id in args.accept:
            record = store.get(annotation_id)
            if record is None:
                raise CliError(f"no annotation with id {annotation_id}")
            store.upsert(accepted(record))
            print(f"accepted the place of {annotation_id}")
    report = check(store, {a.id: a for a in library.corpus.articles}, fix=args.fix)
    if args.json:
        out = asdict(report)
        out["attention"] = report.attention
        _print_json(out)  # escaped like every JSON output when stdout is a terminal
        return EXIT_ERROR if report.attention else 0
    counts = (f"{report.annotations} annotation{'s' if report.annotations != 1 else ''} in {report.articles} "
              f"article{'s' if report.articles != 1 else ''}")
    if not report.attention and not report.fixed:
        print(f"checked {counts} against {root}: every one is where it was, every database file reads")
        return 0
    print(f"checked {counts} against {root}: {report.anchored} anchored, {report.moved} moved, "
          f"{report.orphaned} orphaned, {report.review} to review, {report.missing} of missing articles, "
          f"{len(report.damaged)} database problem{'s' if len(report.damaged) != 1 else ''}")
    for item in report.items:
        where = f"{item.start}-{item.end}" if item.start is not None else "-"
        was = f" (was {one_line(item.old_quote)[:40]!r})" if item.old_quote else ""
        print(f"{item.status:<9} {item.id}  {field(item.article)}  {where:<11} {item.confidence:.2f}  "
              f"{one_line(item.quote)[:60]!r}{was}  {', '.join(map(field, item.tags))}")
    for problem in report.damaged:
        print(f"problem: {field(problem)}")
    for line in report.advice:
        print(f"to fix, run: {line}")
    if report.fixed:
        print(f"stored the new offsets of {report.fixed} annotation{'s' if report.fixed != 1 else ''}")
    elif report.fix_error:
        print(f"could not store the new offsets: {report.fix_error}")
    elif report.moved:
        print("run `reader check --fix` to store the new offsets")
    if report.orphaned or report.review:
        print("orphans and passages to review are kept: accept a passage's new place with "
              "`reader check --accept ID`, or re-attach and review them in the app")
    return EXIT_ERROR if report.attention else 0


def cmd_restore(args: argparse.Namespace) -> int:
    from reader.maintenance import backup_rows, restore

    store = _store(args, _corpus_path(args))
    if args.file and args.version:
        print(restore(store, args.file, args.version))
        return 0
    store.all()  # learn which files are damaged, to mark them
    rows = backup_rows(store, args.file)
    if not rows:
        print(f"no kept versions{' of ' + args.file if args.file else ''} in {store.backup_dir}")
        return 0
    for row in rows:
        records = "damaged" if row["records"] is None else f"{row['records']} annotations"
        mark = "  (current file is damaged)" if row["damaged"] else ""
        print(f"{row['file']}  {row['version']}  {row['time']} UTC  {row['bytes']:>9} B  {records:>16}  "
              f"{field(row['article'])}{mark}")
    print("bring one back with: reader restore FILE VERSION")
    return 0


def run_tui(argv: Sequence[str]) -> int:
    args = build_tui_parser().parse_args(argv)
    corpus = _corpus_path(args)
    if not corpus.is_dir():
        raise CliError(f"corpus folder not found: {corpus}")
    from reader.tui.app import run  # Textual is imported only when the TUI starts

    return run(corpus=corpus, db=_db_path(args, corpus), config=args.config)


HANDLERS = {"list": cmd_list, "search": cmd_search, "annotate": cmd_annotate, "tags": cmd_tags,
            "export": cmd_export, "import": cmd_import, "delete": cmd_delete, "doctor": cmd_doctor, "check": cmd_check,
            "restore": cmd_restore, "tag": cmd_tag, "stats": cmd_stats, "agree": cmd_agree, "index": cmd_index}


def _expected_errors() -> tuple[type[BaseException], ...]:
    """The core's own errors: each carries a one-sentence message for the user."""
    errors: list[type[BaseException]] = [CliError]
    for module, names in (("reader.corpus", ("CorpusError",)), ("reader.store", ("StoreError",)),
                          ("reader.export", ("ExportError",)), ("reader.records", ("RecordError",)),
                          ("reader.codebook", ("CodebookError",)), ("reader.qdpx", ("QdpxError",))):
        loaded = sys.modules.get(module)  # only what was imported can have been raised
        if loaded is not None:
            errors.extend(getattr(loaded, name) for name in names)
    return tuple(errors)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            args = build_parser().parse_args(argv)
            return HANDLERS[args.command](args)
        if argv and argv[0] in ("-h", "--help") and len(argv) == 1:
            build_tui_parser().print_help()
            return 0
        return run_tui(argv)
    except BrokenPipeError:  # `reader export | head`: the reader went away, not an error of ours
        try:
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
    except Exception as exc:
        if isinstance(exc, _expected_errors()):
            _warn(f"error: {exc}")
        elif isinstance(exc, OSError):
            _warn(f"error: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        else:
            raise
        return EXIT_ERROR
    except KeyboardInterrupt:
        _warn("interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
