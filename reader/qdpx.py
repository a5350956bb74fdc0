"""REFI-QDA projects (``.qdpx``): the exchange format of NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette.

A ``.qdpx`` is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and the source
texts in ``Sources/`` (``internal://<GUID>.txt``). The mapping, both ways:

    tag ``a/b``                 ``Code name="b"`` nested in ``Code name="a"`` (colour, ``Description``)
    passage                     ``PlainTextSelection`` (guid = the record id) in its ``TextSource``,
                                with one ``Coding``/``CodeRef`` per tag and a ``NoteRef`` for the note
    whole-article annotation    ``Coding``/``NoteRef`` directly on the ``TextSource``
    note                        ``Note`` in ``Notes`` (``PlainTextContent``; a note holding characters
                                XML 1.0 cannot carry goes to an internal text file instead)
    annotator                   ``User``; ``creatingUser`` on selections and codings

Positions are Unicode code points from 0, end exclusive, as the specification counts them (§10.2) and as
Python's ``str`` does: a character outside the Basic Multilingual Plane (an emoji) counts as one. A
file whose selections were counted in UTF-16 units is recognised on import (``_utf16_reader``).

Import reads everything and checks it before writing anything: not a zip, bad XML, a DTD or entity
(an XML bomb; parsed with ``defusedxml``), a ``../`` or absolute path in the zip, an oversized member, a
selection outside its text or a coding of an unknown code are refused with one sentence. Sources go to
``<corpus>/<project name>/`` and never overwrite a file; a source whose text is already an article of
the corpus (same fingerprint) maps onto it. Record ids come from the selection GUIDs and timestamps from
the file, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import bisect
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping
from xml.etree import ElementTree as ET

from reader import codebook as cbk
from reader import fsutil, records as rec
from reader.display import CONTROL_PICTURES, STAND_IN

NS = "urn:QDA-XML:project:1.0"
Q = "{" + NS + "}"
ORIGIN = "reader (terminal reader for a folder of articles)"
_IDS = uuid.UUID("6f0b9a52-6c1e-4d1a-9a53-1f1c2b3d4e5f")  # namespace of the GUIDs we derive
MAX_MEMBER = 256 * 1024 * 1024       # a bigger member is refused (a zip bomb inflates to gigabytes)
MAX_TOTAL = 1024 * 1024 * 1024
MAX_CODE_DEPTH = 64                  # deeper nesting is refused (and would exhaust the recursion limit)
_GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_XML_BAD = re.compile("[^\t\n\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FALLBACK_TIME = "1970-01-01T00:00:00.000000Z"


class QdpxError(Exception):
    """A project that cannot be exported or imported; the message says why, nothing was written."""


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_IDS, "\x1f".join(parts))).upper()


def _record_guid(record_id: str) -> str:
    m = _GUID_RE.match(record_id)
    return m.group(1).upper() if m else _guid("record", record_id)


def _xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot hold become their visible stand-ins (names and descriptions only)."""
    return _XML_BAD.sub(lambda m: CONTROL_PICTURES.get(ord(m.group()), STAND_IN), text)  # C0: ␛ …; else �


def _carries(text: str) -> bool:
    """True when ``text`` survives an XML element's content unchanged (no CR, no forbidden character)."""
    return "\r" not in text and not _XML_BAD.search(text)


def _dt(stamp: str) -> str:
    """Our ISO stamps are already xsd:dateTime; anything else becomes the fallback rather than invalid XML."""
    try:
        datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return _FALLBACK_TIME
    return stamp


# ================================================================================================ export

@dataclass
class ExportResult:
    sources: int
    selections: int
    codes: int
    notes: int


def export_qdpx(path: Path | str, records: Iterable[dict[str, Any]], articles: Mapping[str, Any], *,
                project: str, codebook: cbk.Codebook | None = None, user: str = "") -> ExportResult:
    """Write ``path`` (a zip): ``project.qde`` and ``Sources/<GUID>.txt`` for each article with records."""
    data, result = build_qdpx(records, articles, project=project, codebook=codebook, user=user)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fsutil.atomic_write(path, data)
    except OSError as exc:
        raise QdpxError(f"cannot write {path}: {exc.strerror or exc}") from None
    return result


def build_qdpx(records: Iterable[dict[str, Any]], articles: Mapping[str, Any], *, project: str,
               codebook: cbk.Codebook | None = None, user: str = "") -> tuple[bytes, ExportResult]:
    records = [rec.validate(r) for r in records]
    missing = sorted({r["article"] for r in records if articles.get(r["article"]) is None})
    if missing:
        raise QdpxError(f"the text of {missing[0]} is not in the corpus, so its passages cannot be exported"
                        + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    stamp = rec.now_iso()
    users = sorted({rec.annotator_of(r) for r in records} | ({user} if user else set()) - {""})
    user_guid = {name: _guid("user", name) for name in users}
    root = ET.Element(Q + "Project", {"name": _xml_safe(project) or "reader", "origin": ORIGIN,
                                      "creationDateTime": stamp, "modifiedDateTime": stamp})
    if user:
        root.set("creatingUserGUID", user_guid[user])
        root.set("modifyingUserGUID", user_guid[user])
    if users:
        users_el = ET.SubElement(root, Q + "Users")
        for name in users:
            ET.SubElement(users_el, Q + "User", {"guid": user_guid[name], "name": _xml_safe(name)})

    # --- the codebook: every tag used and every described tag, nested by "/" ----------------------------
    counts: dict[str, int] = {}
    for r in records:
        for t in r["tags"]:
            counts[t] = counts.get(t, 0) + 1
    nodes = cbk.tree(counts, codebook)
    code_guid = {n.tag.casefold(): _guid("code", n.tag.casefold()) for n in nodes}
    if nodes:
        codes_el = ET.SubElement(ET.SubElement(root, Q + "CodeBook"), Q + "Codes")
        parents: list[ET.Element] = []
        for node in nodes:
            parent = parents[node.depth - 1] if node.depth else codes_el
            attrs = {"guid": code_guid[node.tag.casefold()], "name": _xml_safe(node.label), "isCodable": "true"}
            entry = codebook.get(node.tag) if codebook else None
            if entry and entry.color:
                attrs["color"] = entry.color
            el = ET.SubElement(parent, Q + "Code", attrs)
            if entry and entry.description:
                ET.SubElement(el, Q + "Description").text = _xml_safe(entry.description)
            del parents[node.depth:]
            parents.append(el)

    # --- sources, selections, codings, notes ------------------------------------------------------------
    files: dict[str, bytes] = {}
    notes: list[ET.Element] = []
    by_article: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_article.setdefault(r["article"], []).append(r)
    sources_el = ET.SubElement(root, Q + "Sources") if by_article else None
    selections = 0
    for article_id in sorted(by_article):
        article = articles[article_id]
        source_guid = _guid("source", article_id)
        files[f"Sources/{source_guid}.txt"] = article.text.encode("utf-8")
        src = ET.SubElement(sources_el, Q + "TextSource", {
            "guid": source_guid, "name": _xml_safe(article_id),
            "plainTextPath": f"internal://{source_guid}.txt"})
        whole = [r for r in by_article[article_id] if rec.is_whole_article(r)]
        passages = [r for r in by_article[article_id] if not rec.is_whole_article(r)]
        for r in sorted(passages, key=lambda r: (r["start"], r["end"], r["id"])):
            selections += 1
            guid = _record_guid(r["id"])
            attrs = {"guid": guid, "name": _xml_safe(_label(r["quote"])), "startPosition": str(r["start"]),
                     "endPosition": str(r["end"]), "creationDateTime": _dt(r["created"]),
                     "modifiedDateTime": _dt(r["updated"])}
            who = user_guid.get(rec.annotator_of(r))
            if who:
                attrs["creatingUser"] = attrs["modifyingUser"] = who
            sel = ET.SubElement(src, Q + "PlainTextSelection", attrs)
            _codings(sel, r, guid, code_guid, who)
            _note(sel, notes, files, r, who)
        for r in whole:
            who = user_guid.get(rec.annotator_of(r))
            _codings(src, r, _record_guid(r["id"]), code_guid, who)
            _note(src, notes, files, r, who)
        # The schema orders a TextSource's children: selections, then codings, then note refs.
        order = {Q + "PlainTextSelection": 0, Q + "Coding": 1, Q + "NoteRef": 2}
        src[:] = sorted(src, key=lambda el: order.get(el.tag, 3))
    if notes:
        notes_el = ET.SubElement(root, Q + "Notes")
        notes_el.extend(notes)
    ET.register_namespace("", NS)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", xml)
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue(), ExportResult(len(by_article), selections, len(nodes), len(notes))


def _label(quote: str, limit: int = 60) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _codings(parent: ET.Element, r: dict[str, Any], first_guid: str, code_guid: dict[str, str],
             who: str | None) -> None:
    for i, tag in enumerate(r["tags"]):
        attrs = {"guid": first_guid if i == 0 and parent.tag == Q + "TextSource" else _guid("coding", r["id"], tag.casefold()),
                 "creationDateTime": _dt(r["created"])}
        if who:
            attrs["creatingUser"] = who
        coding = ET.SubElement(parent, Q + "Coding", attrs)
        ET.SubElement(coding, Q + "CodeRef", {"targetGUID": code_guid[cbk.normalise_path(tag).casefold()]})


def _note(parent: ET.Element, notes: list[ET.Element], files: dict[str, bytes], r: dict[str, Any],
          who: str | None) -> None:
    if not r["note"]:
        return
    # A whole-article note without tags has no Coding to carry the record id: its Note does.
    whole_untagged = parent.tag == Q + "TextSource" and not r["tags"]
    guid = _record_guid(r["id"]) if whole_untagged else _guid("note", r["id"])
    attrs = {"guid": guid, "name": _xml_safe(_label(r["note"], 40)), "creationDateTime": _dt(r["created"]),
             "modifiedDateTime": _dt(r["updated"])}
    if who:
        attrs["creatingUser"] = attrs["modifyingUser"] = who
    note = ET.Element(Q + "Note", attrs)
    if _carries(r["note"]):
        ET.SubElement(note, Q + "PlainTextContent").text = r["note"]
    else:  # NUL, CR and other characters XML 1.0 cannot carry: the note goes as a text file, exactly
        note.set("plainTextPath", f"internal://{guid}.txt")
        files[f"Sources/{guid}.txt"] = r["note"].encode("utf-8", "surrogatepass")
    notes.append(note)
    ET.SubElement(parent, Q + "NoteRef", {"targetGUID": guid})


# ================================================================================================ import

@dataclass
class Source:
    guid: str
    name: str
    text: str                      # as the file holds it (UTF-8, BOM removed)
    article_id: str = ""
    write: bytes | None = None     # bytes to write at article_id, or None when the article exists


@dataclass
class ImportPlan:
    project: str
    sources: list[Source] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, cbk.Entry] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    project: str
    files: int
    added: int
    updated: int
    unchanged: int
    notices: list[str]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    found = _children(el, name)
    return found[0] if found else None


def _norm_guid(value: str | None) -> str:
    m = _GUID_RE.match((value or "").strip())
    return m.group(1).lower() if m else ""


def _stamp(value: str | None, fallback: str) -> str:
    if not value:
        return fallback
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return fallback
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_names(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in zf.infolist():
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
            raise QdpxError(f"refused: the zip holds a path that leaves its folder ({name!r})")
        if info.file_size > MAX_MEMBER:
            raise QdpxError(f"refused: {name} would unpack to {info.file_size // 2**20} MB")
        total += info.file_size
        if total > MAX_TOTAL:
            raise QdpxError("refused: the zip would unpack to more than 1 GB")
        members[name.replace("\\", "/").casefold()] = info
    return members


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_MEMBER + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise QdpxError(f"refused: {info.filename} cannot be read from the zip ({exc})") from None
    if len(data) > MAX_MEMBER:  # the header lied about the size
        raise QdpxError(f"refused: {info.filename} is larger than its zip entry says")
    return data


def _internal(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], ref: str, what: str) -> bytes:
    if not ref.lower().startswith("internal://"):
        raise QdpxError(f"{what} refers to an external file ({ref!r}); only internal sources can be imported")
    name = ref[len("internal://"):]
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise QdpxError(f"refused: {what} has a path that leaves the sources folder ({ref!r})")
    for folder in ("sources/", ""):
        info = members.get((folder + name).casefold())
        if info is not None:
            return _read_member(zf, info)
    raise QdpxError(f"{what} names {ref!r}, which is not in the zip")


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise QdpxError(f"{what} is not UTF-8 text (bad byte at {exc.start})") from None


def _code_tags(codebook_el: ET.Element | None, plan: ImportPlan) -> dict[str, str]:
    """Code GUID -> tag path; colours and descriptions into ``plan.codes``."""
    out: dict[str, str] = {}
    if codebook_el is None:
        return out
    codes_el = _child(codebook_el, "Codes")

    def walk(el: ET.Element, prefix: str, depth: int = 0) -> None:
        if depth > MAX_CODE_DEPTH:
            raise QdpxError(f"refused: codes are nested more than {MAX_CODE_DEPTH} deep")
        for code in _children(el, "Code"):
            name = (code.get("name") or "").replace("::", cbk.SEP)  # ATLAS.ti writes groups as "a::b"
            try:
                path = cbk.normalise_path(f"{prefix}{cbk.SEP}{name}" if prefix else name)
                rec.normalise_tags([path])
            except rec.RecordError as exc:
                raise QdpxError(f"code {code.get('name')!r}: {exc}") from None
            guid = _norm_guid(code.get("guid"))
            if not guid:
                raise QdpxError(f"code {name!r} has no valid guid")
            if path:
                out[guid] = path
                color = (code.get("color") or "").strip()
                if re.fullmatch(r"#[0-9a-fA-F]{3}", color):
                    color = "#" + "".join(c * 2 for c in color[1:])
                desc_el = _child(code, "Description")
                description = (desc_el.text or "").strip() if desc_el is not None else ""
                if re.fullmatch(r"#[0-9a-fA-F]{6}", color) or description:
                    plan.codes[path.casefold()] = cbk.Entry(
                        path, description, color.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", color) else "")
            walk(code, path or prefix, depth + 1)

    if codes_el is not None:
        walk(codes_el, "")
    return out


def _parse_xml(data: bytes) -> ET.Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise QdpxError("refused: project.qde declares a DTD or entities (a possible XML bomb)") from None
    except ET.ParseError as exc:
        raise QdpxError(f"refused: project.qde is not well-formed XML ({exc})") from None


def read_qdpx(data: bytes, corpus_root: Path | str, existing: Mapping[str, Any] | None = None) -> ImportPlan:
    """Read and check a whole project; nothing is written. ``existing``: article id -> article of the corpus."""
    corpus_root = Path(corpus_root)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise QdpxError("refused: not a .qdpx file (not a zip archive)") from None
    with zf:
        members = _check_names(zf)
        qde = next((info for key, info in members.items() if key.rpartition("/")[2] == "project.qde"
                    and "/" not in key), None)
        if qde is None:
            raise QdpxError("refused: the zip holds no project.qde")
        root = _parse_xml(_read_member(zf, qde))
        if _local(root.tag) != "Project":
            raise QdpxError(f"refused: project.qde's root is <{_local(root.tag)}>, not <Project>")
        project = (root.get("name") or "").strip() or "imported project"
        plan = ImportPlan(project)
        fallback = _stamp(root.get("modifiedDateTime") or root.get("creationDateTime"), _FALLBACK_TIME)
        users = {_norm_guid(u.get("guid")): (u.get("name") or "").strip()
                 for u in _children(_child(root, "Users") or ET.Element("x"), "User")}
        code_tags = _code_tags(_child(root, "CodeBook"), plan)
        notes = _read_notes(zf, members, root)
        folder = _safe_segment(project)
        by_fingerprint = {getattr(a, "fingerprint", None): a.id for a in (existing or {}).values()}
        taken: set[str] = set()
        sources_el = _child(root, "Sources")
        for el in list(sources_el) if sources_el is not None else []:
            kind = _local(el.tag)
            if kind != "TextSource":
                plan.notices.append(f"skipped {kind} {el.get('name') or el.get('guid')!r}: only text sources are imported")
                continue
            source = _read_source(zf, members, el)
            if source is None:
                plan.notices.append(f"skipped text source {el.get('name')!r}: it has no plain text")
                continue
            _place(source, corpus_root, folder, by_fingerprint, taken)
            plan.sources.append(source)
            plan.records += _source_records(el, source, code_tags, notes, users, fallback)
    return plan


def _read_notes(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
                root: ET.Element) -> dict[str, tuple[str, str, str]]:
    """Note GUID -> (text, creationDateTime as written, creating user's GUID)."""
    out: dict[str, tuple[str, str, str]] = {}
    notes_el = _child(root, "Notes")
    for note in _children(notes_el, "Note") if notes_el is not None else []:
        guid = _norm_guid(note.get("guid"))
        content = _child(note, "PlainTextContent")
        if content is not None:
            text = content.text or ""
        elif note.get("plainTextPath"):
            text = _utf8(_internal(zf, members, note.get("plainTextPath"), f"note {note.get('name')!r}"),
                         f"note {note.get('name')!r}")
        else:
            text = ""
        if guid:
            out[guid] = (text, (note.get("creationDateTime") or "").strip(), _norm_guid(note.get("creatingUser")))
    return out


def _read_source(zf, members, el: ET.Element) -> Source | None:
    name = el.get("name") or el.get("guid") or "source"
    what = f"source {name!r}"
    content = _child(el, "PlainTextContent")
    if el.get("plainTextPath"):
        text = _utf8(_internal(zf, members, el.get("plainTextPath"), what), what)
    elif content is not None:
        text = content.text or ""
    else:
        return None
    guid = _norm_guid(el.get("guid"))
    if not guid:
        raise QdpxError(f"{what} has no valid guid")
    return Source(guid, name, text)


def _safe_segment(name: str) -> str:
    cleaned = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", "_", name).strip(" .")
    return cleaned[:120] or "imported"


def _article_text(text: str) -> str:
    """What the corpus will read from the file we write: newlines as "\\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _place(source: Source, root: Path, folder: str, by_fingerprint: dict, taken: set[str]) -> None:
    from reader.corpus import parse_article

    data = _article_text(source.text).encode("utf-8")
    fingerprint = parse_article("x.txt", Path("x.txt"), data).fingerprint
    if fingerprint in by_fingerprint:
        source.article_id = by_fingerprint[fingerprint]
        return
    parts = [_safe_segment(p) for p in source.name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    parts = parts or [_safe_segment(source.guid)]
    stem = parts[-1]
    if not stem.lower().endswith((".txt", ".md")):
        stem = stem.rsplit(".", 1)[0] + ".txt" if "." in stem else stem + ".txt"
    base, ext = stem.rsplit(".", 1)
    for n in range(1, 10_000):
        candidate = "/".join([folder, *parts[:-1], base + (f" ({n})" if n > 1 else "") + "." + ext])
        if candidate.casefold() in taken:
            continue
        target = root / candidate
        if target.exists():
            try:
                same = target.read_bytes() == data
            except OSError:
                same = False
            if not same:
                continue  # never overwrite: another name
            source.write = None
        else:
            source.write = data
        taken.add(candidate.casefold())
        source.article_id = candidate
        return
    raise QdpxError(f"no free file name for source {source.name!r}")


def _positions(text: str) -> tuple[str, list[int]]:
    """The article text and the CR positions dropped from it (to move offsets from the file's text)."""
    return _article_text(text), [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]


def _utf16_reader(text: str, selections: list[ET.Element]):
    """A converter from UTF-16 code units to code points when this source's selections were counted in
    UTF-16 (as .NET and JavaScript strings count), else None: the specification's code points.

    Only a text with characters outside the BMP can tell the two apart. The file is taken to count in
    UTF-16 when its selections' ``name`` (the tools write the start of the quote there) matches the text
    more often read that way, or when a selection only fits inside the text read that way.
    """
    if all(ord(c) <= 0xFFFF for c in text):
        return None
    units: list[int] = []  # code point index -> UTF-16 offset of its start
    total = 0
    for c in text:
        units.append(total)
        total += 2 if ord(c) > 0xFFFF else 1
    units.append(total)

    def from_units(offset: int) -> int:
        return bisect.bisect_left(units, offset) if 0 <= offset <= total else offset + len(text) + 1

    votes = 0
    for sel in selections:
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            continue
        if end > len(text) and end <= total:
            return from_units
        name = " ".join((sel.get("name") or "").split()).rstrip("…").strip()
        if not name:
            continue
        as_points = " ".join(text[start:end].split()).startswith(name[:20])
        as_units = " ".join(text[from_units(start):from_units(end)].split()).startswith(name[:20])
        votes += (as_units and not as_points) - (as_points and not as_units)
    return from_units if votes > 0 else None


def _source_records(el: ET.Element, source: Source, code_tags: dict[str, str], notes: dict[str, tuple[str, str, str]],
                    users: dict[str, str], fallback: str) -> list[dict[str, Any]]:
    from reader.anchoring import describe
    from reader.corpus import parse_article

    text, crs = _positions(source.text)
    article = parse_article(source.article_id, Path(source.article_id), text.encode("utf-8"))
    body = article.text

    def moved(offset: int) -> int:
        return offset - bisect.bisect_left(crs, offset)

    def tags_of(parent: ET.Element, what: str) -> tuple[list[str], str]:
        tags, who = [], ""
        for coding in _children(parent, "Coding"):
            ref = _child(coding, "CodeRef")
            guid = _norm_guid(ref.get("targetGUID") if ref is not None else "")
            if guid not in code_tags:
                raise QdpxError(f"{what} is coded with an unknown code ({ref.get('targetGUID') if ref is not None else 'none'})")
            tags.append(code_tags[guid])
            who = who or users.get(_norm_guid(coding.get("creatingUser")), "")
        return tags, who

    def note_of(parent: ET.Element) -> str:
        parts = []
        desc = _child(parent, "Description")
        if desc is not None and (desc.text or "").strip():
            parts.append(desc.text.strip())
        for ref in _children(parent, "NoteRef"):
            text_ = notes.get(_norm_guid(ref.get("targetGUID")), ("",))[0]
            if text_:
                parts.append(text_)
        return "\n\n".join(parts)

    selections = _children(el, "PlainTextSelection")
    from_units = _utf16_reader(source.text, selections)
    out: list[dict[str, Any]] = []
    for sel in selections:
        what = f"selection {sel.get('guid')} in {source.name!r}"
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            raise QdpxError(f"refused: {what} has no integer start/end position") from None
        if from_units is not None:
            start, end = from_units(start), from_units(end)
        if not 0 <= start <= end <= len(source.text):
            raise QdpxError(f"refused: {what} ({start}..{end}) lies outside its text of {len(source.text)} characters")
        start, end = moved(start), moved(end)
        guid = _norm_guid(sel.get("guid"))
        if not guid:
            raise QdpxError(f"refused: {what} has no valid guid")
        tags, who = tags_of(sel, what)
        if start == end:
            continue  # an empty selection marks nothing
        s = describe(body, start, end)
        created = _stamp(sel.get("creationDateTime"), fallback)
        out.append(rec.make_record(
            id=guid, article=source.article_id, **s.fields(), tags=tags, note=note_of(sel), fingerprint=article.fingerprint, created=created,
            updated=_stamp(sel.get("modifiedDateTime"), created),
            annotator=users.get(_norm_guid(sel.get("creatingUser")), "") or who))
    # Codings and notes on the source itself: whole-article annotations. One record per (time, user):
    # that is how our export writes them (a record's codings and note share its creation time), and for
    # another tool's file it keeps each coder's codings apart.
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for coding in _children(el, "Coding"):
        key = ((coding.get("creationDateTime") or "").strip(), _norm_guid(coding.get("creatingUser")))
        group = groups.setdefault(key, {"guid": _norm_guid(coding.get("guid")), "tags": [], "notes": []})
        wrapper = ET.Element("x")
        wrapper.append(coding)
        group["tags"] += tags_of(wrapper, f"source {source.name!r}")[0]
    for ref in _children(el, "NoteRef"):
        guid = _norm_guid(ref.get("targetGUID"))
        if guid not in notes or not notes[guid][0]:
            continue
        text_, created_, who_ = notes[guid]
        group = groups.setdefault((created_, who_), {"guid": guid, "tags": [], "notes": []})
        group["notes"].append(text_)
    for (created_, who_), group in groups.items():
        if not group["tags"] and not group["notes"]:
            continue
        created = _stamp(created_ or el.get("creationDateTime"), fallback)
        out.append(rec.make_record(
            id=group["guid"] or str(uuid.uuid5(_IDS, "whole\x1f" + source.guid + "\x1f" + created_ + who_)),
            article=source.article_id, tags=group["tags"], note="\n\n".join(group["notes"]),
            fingerprint=article.fingerprint, created=created, updated=created,
            annotator=users.get(who_, "") or users.get(_norm_guid(el.get("creatingUser")), "")))
    return out


def import_qdpx(data: bytes, corpus_root: Path | str, store: Any, db_path: Path | str,
                existing: Mapping[str, Any] | None = None) -> ImportResult:
    """Check the whole project (``read_qdpx``), then write the sources, the records and the codebook."""
    corpus_root = Path(corpus_root)
    plan = read_qdpx(data, corpus_root, existing)
    seen: dict[str, str] = {}
    for r in plan.records:
        if r["id"] in seen:
            raise QdpxError(f"refused: the GUID {r['id']} is used twice in the project")
        seen[r["id"]] = r["article"]
    files = 0
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    # The store's lock first: a locked or read-only database (or an unreadable codebook) stops us
    # before any file is written.
    with cbk.locked(store):
        book = cbk.Codebook.load(db_path) if plan.codes else None
        for source in plan.sources:
            if source.write is None:
                continue
            target = corpus_root / source.article_id
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():  # appeared since we looked: never overwrite
                    raise QdpxError(f"{target} appeared during the import; nothing was overwritten")
                fsutil.atomic_write(target, source.write)
            except OSError as exc:
                raise QdpxError(f"cannot write {target}: {exc.strerror or exc}") from None
            files += 1
    with store.batch():  # the records in the store's slices: other writers get their turn in between
        for r in plan.records:
            current = store.get(r["id"])
            if current is not None:
                same = {k: current.get(k) for k in r} == r
                if same or r["updated"] <= current.get("updated", ""):
                    counts["unchanged"] += 1
                    continue
            counts[store.upsert(r)] += 1
    if book is not None:
        cbk.fill_missing(store, db_path, [e.as_dict() for e in plan.codes.values()])
    return ImportResult(plan.project, files, counts["added"], counts["updated"], counts["unchanged"], plan.notices)

