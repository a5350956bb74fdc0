"""`reader doctor`, `reader restore` and `reader check`: what is wrong with a database, bringing back a kept
version, and the database verified against the corpus (where every annotation is now).

Core only (no Textual): the CLI prints what these return. The store does the work (``check``,
``leftovers``, ``repair``, ``backups``, ``restore_backup``); this module turns it into a report that
says, for each problem, the command that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .store import AnnotationStore, CorruptDatabase, StoreError, chunk_key


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def doctor(store: AnnotationStore, *, repair: bool = False) -> Report:
    """Verify every file of the database; with ``repair`` fix what can be fixed without losing anything."""
    report = Report()
    if repair:
        try:
            report.repaired = store.repair()
        except CorruptDatabase as exc:
            report.problems.append(str(exc))
            return report
    report.problems.extend(store.check())
    leftovers = store.leftovers()
    report.problems.extend(f"leftover temp file of a writer that died: {p}" for p in leftovers)
    if store.journal_path.exists():
        report.problems.append(f"a tag rename was interrupted ({store.journal_path}); the next write finishes it")
    try:
        store._check_db()
    except CorruptDatabase:
        report.advice.append(f"mv {store.path} {store.path}.damaged   # the manifest only names the format: "
                             f"the next write makes a new one; the annotations are in {store.shard_dir}")
    damaged = sorted(store.damage)
    for name in damaged:
        versions = store.backups(name)
        good = [v for v in versions if v["records"] is not None]
        if good:
            report.advice.append(f"reader restore {name} {good[0]['version']}   # newest good backup, "
                                 f"{good[0]['records']} annotations, {good[0]['time']} UTC")
        else:
            report.advice.append(f"no backup of {name}: fix it by hand or move it away "
                                 f"(its article stays read-only until then)")
    if any("id index" in p for p in report.problems) or leftovers or store.journal_path.exists():
        report.advice.append("reader doctor --repair   # rebuild the id index, remove leftovers, finish the rename")
    return report


def backup_rows(store: AnnotationStore, name: str | None = None) -> list[dict]:
    """Kept versions (newest first), each with the article it belongs to when a version says so."""
    rows = store.backups(name)
    articles: dict[str, str] = {}
    for row in rows:
        key = chunk_key(row["file"])
        if key not in articles:
            articles[key] = _article_of(store, row["file"], row["version"]) or ""
        row["article"] = articles[key]
        row["damaged"] = row["file"] in store.damage
    return rows


def _article_of(store: AnnotationStore, name: str, version: str) -> str | None:
    import orjson

    path = store.backup_dir / Path(name).stem / f"{version}.json"
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    for table in data.values() if isinstance(data, dict) else ():
        if isinstance(table, dict):
            for doc in table.values():
                if isinstance(doc, dict) and isinstance(doc.get("article"), str):
                    return doc["article"]
    return None


def restore(store: AnnotationStore, name: str, version: str) -> str:
    count = store.restore_backup(name, version)
    return f"restored {name} from version {version} ({count} annotations); the version it replaced was kept"


@dataclass
class CheckItem:
    id: str
    article: str
    status: str            # "moved" | "orphaned" | "review" | "missing"
    quote: str
    start: int | None      # where it is now (None: orphaned or missing)
    end: int | None
    confidence: float
    tags: list[str]
    note: str
    old_quote: str | None = None   # the quote as it was made, when re-anchoring changed it


@dataclass
class CheckReport:
    """`reader check`: the database verified against the corpus."""

    annotations: int = 0
    articles: int = 0
    anchored: int = 0
    moved: int = 0         # found at new offsets (stored with --fix)
    orphaned: int = 0
    review: int = 0        # found, below the review threshold
    missing: int = 0       # annotations of articles that are not in the corpus
    fixed: int = 0         # records stored with new offsets by --fix
    fix_error: str | None = None
    damaged: list[str] = field(default_factory=list)   # what `reader doctor` reports
    advice: list[str] = field(default_factory=list)
    items: list[CheckItem] = field(default_factory=list)

    @property
    def attention(self) -> bool:
        """Anything the user should look at (moved offsets already stored by --fix do not count)."""
        return bool(self.orphaned or self.review or self.missing or self.damaged or self.fix_error
                    or (self.moved and not self.fixed))


def check(store: AnnotationStore, articles: dict, *, fix: bool = False) -> CheckReport:
    """Every annotation placed in its article's current text (``reader.living``) and every database file
    verified (``doctor``); with ``fix`` the re-anchored records are stored (nothing is stored without it)."""
    from .living import needs_review, reanchor

    report = CheckReport()
    health = doctor(store)
    report.damaged, report.advice = health.problems, health.advice
    records = store.all()
    report.annotations = len(records)
    report.articles = len({r["article"] for r in records})
    placements, summary = reanchor(records, articles, store if fix else None)
    report.missing = summary.missing
    if fix and summary.changed:
        if summary.stored:
            report.fixed = sum(1 for p in placements if p.changed)
        else:
            report.fix_error = summary.error
    for p in placements:
        r = p.record
        if r.get("start") is None and r["article"] in articles:
            continue
        if r["article"] not in articles:
            status = "missing"
        elif not p.anchor.found:
            status = "orphaned"
        elif needs_review(r):
            status = "review"
        elif p.changed and p.anchor.status == "moved":
            status = "moved"
        else:
            report.anchored += 1
            continue
        if status == "review":
            report.review += 1
        elif status == "moved":
            report.moved += 1
        elif status == "orphaned":
            report.orphaned += 1
        report.items.append(CheckItem(r["id"], r["article"], status, r.get("quote") or "", p.anchor.start,
                                      p.anchor.end, float(p.anchor.confidence), list(r["tags"]), r["note"],
                                      r.get("old_quote")))
    return report


__all__ = ["Report", "doctor", "backup_rows", "restore", "StoreError", "CheckReport", "CheckItem", "check"]
