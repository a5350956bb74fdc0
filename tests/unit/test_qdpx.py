"""REFI-QDA: the export validates against Project.xsd, import reads MAXQDA/ATLAS.ti-shaped files, hostile
files are refused writing nothing, and export then import is the identity (a property test)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from reader import codebook as cbk
from reader import qdpx
from reader.corpus import load_corpus, parse_article
from reader.records import make_record
from reader.store import AnnotationStore
from tests.helpers import SHARED

XSD = SHARED / "refi-qda" / "Project.xsd"


@pytest.fixture(scope="module")
def schema():
    if not XSD.exists():
        pytest.skip(f"{XSD} is not beside the repo")
    import xmlschema

    return xmlschema.XMLSchema(str(XSD))


def article(article_id: str, text: str):
    return parse_article(article_id, Path(article_id), text.encode("utf-8"))


def sample_export(tmp_path: Path):
    a = article("one.txt", "Vaccines 💉 arrive in Baku.\nThe WHO said so — é.")
    b = article("sub/two.txt", "Masks are back.\r\nOr not.")
    records = [
        make_record(article="one.txt", start=0, end=8, quote="Vaccines", tags=["policy/vaccines", "health"],
                    note="first note", annotator="ana"),
        make_record(article="one.txt", start=11, end=17, quote="arrive", tags=["policy"], note="nul \x00 and cr \r",
                    annotator="ben"),
        make_record(article="sub/two.txt", tags=["policy/masks"], note="whole", annotator="ana"),
        make_record(article="sub/two.txt", start=0, end=5, quote="Masks", tags=[], annotator=""),
    ]
    book = cbk.Codebook(tmp_path / "cb.json")
    book.set("policy", description="Government action", color="#AA0000")
    return records, {"one.txt": a, "sub/two.txt": b}, book


def test_export_validates_against_the_xsd(tmp_path, schema):
    records, articles, book = sample_export(tmp_path)
    data, result = qdpx.build_qdpx(records, articles, project="Baku study", codebook=book, user="ana")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        qde = zf.read("project.qde")
        assert all(n == "project.qde" or n.startswith("Sources/") for n in names)
    schema.validate(io.BytesIO(qde))
    assert (result.sources, result.selections, result.notes) == (2, 3, 3)
    text = qde.decode("utf-8")
    assert 'name="vaccines"' in text and 'color="#aa0000"' in text and "<Description>Government action" in text
    assert 'name="ana"' in text and "creatingUser=" in text


def round_trip(tmp_path: Path, records, articles, book=None):
    data, _ = qdpx.build_qdpx(records, articles, project="P", codebook=book)
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    store = AnnotationStore(tmp_path / "db" / "annotations.json")
    result = qdpx.import_qdpx(data, corpus, store, store.path, {})
    return data, corpus, store, result


def comparable(records, texts):
    return sorted(((texts[r["article"]], -1 if r["start"] is None else r["start"], -1 if r["end"] is None else r["end"],
                    tuple(sorted(r["tags"])), r["note"], r.get("annotator", "")) for r in records), key=repr)


def test_import_of_own_export_keeps_everything_and_is_idempotent(tmp_path):
    records, articles, book = sample_export(tmp_path)
    data, corpus, store, result = round_trip(tmp_path, records, articles, book)
    assert (result.files, result.added, result.unchanged) == (2, 4, 0)
    loaded = load_corpus(corpus)
    assert sorted(a.id for a in loaded.articles) == ["P/one.txt", "P/sub/two.txt"]
    texts_in = {k: a.text for k, a in articles.items()}
    texts_out = {a.id: a.text for a in loaded.articles}
    assert comparable(store.all(), texts_out) == comparable(records, texts_in)
    assert {r["id"] for r in store.all()} == {r["id"] for r in records}
    for r in store.all():
        if r["start"] is not None:
            assert texts_out[r["article"]][r["start"]:r["end"]] == r["quote"]
    got = cbk.Codebook.load(store.path)
    assert got.description("policy") == "Government action" and got.color("policy/masks") == "#aa0000"
    before = sorted(store.all(), key=lambda r: r["id"])
    again = qdpx.import_qdpx(data, corpus, store, store.path, {a.id: a for a in load_corpus(corpus).articles})
    assert (again.files, again.added, again.updated, again.unchanged) == (0, 0, 0, 4)
    assert sorted(store.all(), key=lambda r: r["id"]) == before
    assert sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()) == \
        ["P/one.txt", "P/sub/two.txt"]


def test_a_different_file_of_the_same_name_is_never_overwritten(tmp_path):
    records, articles, book = sample_export(tmp_path)
    (tmp_path / "corpus" / "P").mkdir(parents=True)
    (tmp_path / "corpus" / "P" / "one.txt").write_text("mine, not theirs")
    _, corpus, store, _ = round_trip(tmp_path, records, articles, book)
    assert (corpus / "P" / "one.txt").read_text() == "mine, not theirs"
    assert {r["article"] for r in store.all()} == {"P/one (2).txt", "P/sub/two.txt"}


# --------------------------------------------------------------------------- files shaped like the tools'

MAXQDA_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Interviews 2024" origin="MAXQDA 24 (Release 24.1.0)"
  creatingUserGUID="8D0B1E4A-3C55-4F51-9E11-6B2F7D4A0C01" creationDateTime="2024-03-01T10:00:00Z">
  <Users><User guid="8D0B1E4A-3C55-4F51-9E11-6B2F7D4A0C01" name="Maria"/></Users>
  <CodeBook><Codes>
    <Code guid="A1B2C3D4-0000-4000-8000-000000000001" name="Emotions" isCodable="true" color="#FF0000">
      <Description>Feelings voiced</Description>
      <Code guid="A1B2C3D4-0000-4000-8000-000000000002" name="Joy" isCodable="true" color="#00FF00"/>
    </Code>
    <Code guid="A1B2C3D4-0000-4000-8000-000000000003" name="Work" isCodable="true" color="#0000ff"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="B1B2C3D4-0000-4000-8000-000000000001" name="Interview Anna" plainTextPath="internal://B1B2C3D4-0000-4000-8000-000000000001.txt"
       creatingUser="8D0B1E4A-3C55-4F51-9E11-6B2F7D4A0C01">
      <PlainTextSelection guid="C1B2C3D4-0000-4000-8000-000000000001" name="glücklich" startPosition="8" endPosition="17"
         creatingUser="8D0B1E4A-3C55-4F51-9E11-6B2F7D4A0C01" creationDateTime="2024-03-02T11:00:00Z">
        <Coding guid="D1B2C3D4-0000-4000-8000-000000000001" creatingUser="8D0B1E4A-3C55-4F51-9E11-6B2F7D4A0C01">
          <CodeRef targetGUID="A1B2C3D4-0000-4000-8000-000000000002"/></Coding>
        <NoteRef targetGUID="E1B2C3D4-0000-4000-8000-000000000001"/>
      </PlainTextSelection>
      <PlainTextSelection guid="C1B2C3D4-0000-4000-8000-000000000002" startPosition="24" endPosition="30">
        <Coding guid="D1B2C3D4-0000-4000-8000-000000000002"><CodeRef targetGUID="A1B2C3D4-0000-4000-8000-000000000003"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes><Note guid="E1B2C3D4-0000-4000-8000-000000000001" name="Memo"><PlainTextContent>Sie lacht.</PlainTextContent></Note></Notes>
</Project>
"""
# Positions count code points of the file's text after its BOM; the CR of CRLF is a character there.
MAXQDA_TEXT = "\ufeffIch bin glücklich.\r\nDie Arbeit ist hart."


def make_zip(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def import_into(tmp_path: Path, data: bytes):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    store = AnnotationStore(tmp_path / "db" / "annotations.json")
    return corpus, store, qdpx.import_qdpx(data, corpus, store, store.path, {})


def test_maxqda_shaped_file(tmp_path, schema):
    schema.validate(io.StringIO(MAXQDA_QDE))  # our sample is a valid project
    data = make_zip({"project.qde": MAXQDA_QDE,
                     "sources/B1B2C3D4-0000-4000-8000-000000000001.txt": MAXQDA_TEXT.encode("utf-8")})
    corpus, store, result = import_into(tmp_path, data)
    assert result.project == "Interviews 2024" and result.added == 2
    text = (corpus / "Interviews 2024" / "Interview Anna.txt").read_text(encoding="utf-8")
    assert text == "Ich bin glücklich.\nDie Arbeit ist hart."
    by_quote = {r["quote"]: r for r in store.all()}
    # the selection after the CRLF moved back by one: positions follow the text as the corpus reads it
    assert set(by_quote) == {"glücklich", "Arbeit"}
    joy = by_quote["glücklich"]
    assert joy["tags"] == ["Emotions/Joy"] and joy["note"] == "Sie lacht." and joy["annotator"] == "Maria"
    assert joy["id"] == "c1b2c3d4-0000-4000-8000-000000000001"
    assert joy["created"] == "2024-03-02T11:00:00.000000Z" and joy["prefix"] == "Ich bin "
    book = cbk.Codebook.load(store.path)
    assert book.description("Emotions") == "Feelings voiced" and book.color("emotions/joy") == "#00ff00"


ATLAS_QDE = """<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  origin="ATLAS.ti 23.2.1" name="Breakfast" modifiedDateTime="2023-05-04T17:46:39Z">
  <Users><User guid="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="Friedrich"/></Users>
  <CodeBook><Codes>
    <Code color="#966450" isCodable="true" name="Coke::diet Coke" guid="{D299EFAE-5779-46DC-9827-A3D1A5D544BC}">
      <Description>non sucré</Description></Code>
    <Code color="#F00082" isCodable="true" name="happiness" guid="85D17F60-7BB0-481E-B742-B4861DD669DF"/>
  </Codes></CodeBook>
  <Sources>
    <PDFSource guid="3E029F7C-B699-47C2-AE9F-95F481693CAF" name="scan.pdf" path="internal://3E029F7C-B699-47C2-AE9F-95F481693CAF.pdf"/>
    <TextSource plainTextPath="internal://88293C71-CB70-4AB7-8413-C24110A19C2E.txt" guid="17FB9CB8-7858-4291-A162-65424B9942EC"
       name="Mabêl 2ième.txt" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
      <PlainTextSelection startPosition="0" endPosition="11" guid="{4191294A-E287-4510-95B0-69BCE4638E56}"
         creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2023-05-04T19:29:27Z">
        <Description>Mabel drinks Coke for breakfast!</Description>
        <Coding creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" guid="445A6AEC-1400-4502-919D-0867832FF211">
          <CodeRef targetGUID="D299EFAE-5779-46DC-9827-A3D1A5D544BC"/></Coding>
        <Coding guid="445A6AEC-1400-4502-919D-0867832FF212"><CodeRef targetGUID="85D17F60-7BB0-481E-B742-B4861DD669DF"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


def test_atlas_ti_shaped_file(tmp_path, schema):
    schema.validate(io.StringIO(ATLAS_QDE))
    data = make_zip({"Project.qde": ATLAS_QDE, "Sources/88293C71-CB70-4AB7-8413-C24110A19C2E.txt": "Diet Coke 🥤 at eight."})
    corpus, store, result = import_into(tmp_path, data)
    assert any("PDFSource" in n for n in result.notices)
    [r] = store.all()
    assert r["article"] == "Breakfast/Mabêl 2ième.txt" and r["quote"] == "Diet Coke 🥤"
    assert r["tags"] == ["Coke/diet Coke", "happiness"] and r["note"] == "Mabel drinks Coke for breakfast!"
    assert r["annotator"] == "Friedrich" and r["id"] == "4191294a-e287-4510-95b0-69bce4638e56"
    assert cbk.Codebook.load(store.path).description("coke/diet coke") == "non sucré"


# ------------------------------------------------------------------------------------------ hostile files

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""

SOURCE = "internal://B1B2C3D4-0000-4000-8000-000000000001.txt"


@pytest.mark.parametrize("members, message", [
    (None, "not a zip"),
    ({"project.qde": "<Project xmlns='urn:QDA-XML:project:1.0' name='x'><Sources>"}, "not well-formed"),
    ({"project.qde": BOMB}, "XML bomb"),
    ({"project.qde": MAXQDA_QDE, "sources/B1B2C3D4-0000-4000-8000-000000000001.txt": MAXQDA_TEXT,
      "../evil.txt": "x"}, "leaves its folder"),
    ({"project.qde": MAXQDA_QDE.replace(SOURCE, "internal://../../etc/passwd")}, "leaves the sources folder"),
    ({"project.qde": MAXQDA_QDE.replace('endPosition="30"', 'endPosition="300"'),
      "sources/B1B2C3D4-0000-4000-8000-000000000001.txt": MAXQDA_TEXT}, "outside its text"),
    ({"project.qde": MAXQDA_QDE.replace('startPosition="24"', 'startPosition="-1"'),
      "sources/B1B2C3D4-0000-4000-8000-000000000001.txt": MAXQDA_TEXT}, "outside its text"),
    ({"project.qde": MAXQDA_QDE.replace('<CodeRef targetGUID="A1B2C3D4-0000-4000-8000-000000000003"/>',
                                        '<CodeRef targetGUID="F1B2C3D4-0000-4000-8000-000000000003"/>'),
      "sources/B1B2C3D4-0000-4000-8000-000000000001.txt": MAXQDA_TEXT}, "unknown code"),
    ({"project.qde": MAXQDA_QDE}, "not in the zip"),
    ({"other.xml": "<x/>"}, "no project.qde"),
    ({"project.qde": "<Project xmlns='urn:QDA-XML:project:1.0' name='deep'><CodeBook><Codes>"
      + "<Code guid='A1B2C3D4-0000-4000-8000-000000000001' name='' isCodable='true'>" * 5000
      + "</Code>" * 5000 + "</Codes></CodeBook></Project>"}, "nested more than"),
])
def test_hostile_files_are_refused_and_nothing_is_written(tmp_path, members, message):
    data = b"this is not a zip" if members is None else make_zip(members)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = AnnotationStore(tmp_path / "db" / "annotations.json")
    with pytest.raises(qdpx.QdpxError, match=message):
        qdpx.import_qdpx(data, corpus, store, store.path, {})
    assert list(corpus.iterdir()) == []
    assert not (tmp_path / "db").exists()


# ------------------------------------------------------------------------------------- the round trip

texts = st.text(alphabet=st.sampled_from("abc é\n😀Ωx"), min_size=1, max_size=60)
tag_names = st.sampled_from(["a", "b", "a/c", "Δ/ε/ζ", "long tag"])
notes = st.text(alphabet=st.sampled_from("nz é😀\n\x00\r<&"), max_size=12)


@st.composite
def projects(draw):
    articles, records = {}, []
    for i in range(draw(st.integers(1, 3))):
        aid = f"d{i}/art {i}.txt"
        art = article(aid, draw(texts))
        articles[aid] = art
        n = len(art.text)
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, n - 1))
            end = draw(st.integers(start + 1, n))
            records.append(make_record(article=aid, start=start, end=end, quote=art.text[start:end],
                                       tags=draw(st.lists(tag_names, max_size=3)), note=draw(notes),
                                       annotator=draw(st.sampled_from(["", "ana", "ben"]))))
        if draw(st.booleans()):
            records.append(make_record(article=aid, tags=draw(st.lists(tag_names, min_size=1, max_size=2)),
                                       note=draw(notes), annotator="ana"))
    return articles, records


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(projects())
def test_export_then_import_is_the_identity_on_tags_offsets_and_notes(project):
    articles, records = project
    with tempfile.TemporaryDirectory() as tmp:
        _, corpus, store, result = round_trip(Path(tmp), records, articles)
        loaded = {a.id: a.text for a in load_corpus(corpus).articles}
        assert {k.removeprefix("P/"): v for k, v in loaded.items()} == {
            k: v.text for k, v in articles.items() if any(r["article"] == k for r in records)}
        texts_in = {k: a.text for k, a in articles.items()}
        assert comparable(store.all(), loaded) == comparable(records, texts_in)
        assert result.added == len(records)


def test_reimport_into_the_database_it_came_from_changes_nothing(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Vaccines 💉 arrive in Baku.\n", encoding="utf-8")
    store = AnnotationStore(tmp_path / "annotations" / "annotations.json")
    art = load_corpus(corpus).get("one.txt")
    store.add_record(make_record(article="one.txt", start=0, end=8, quote="Vaccines", tags=["a"], note="n"))
    store.add_record(make_record(article="one.txt", note="only a note"))
    store.add_record(make_record(article="one.txt", tags=["b"]))
    before = sorted(store.all(), key=lambda r: r["id"])
    data, _ = qdpx.build_qdpx(store.all(), {"one.txt": art}, project="P")
    result = qdpx.import_qdpx(data, corpus, store, store.path, {"one.txt": art})
    assert (result.files, result.added, result.updated, result.unchanged) == (0, 0, 0, 3)
    assert sorted(store.all(), key=lambda r: r["id"]) == before
    assert sorted(p.name for p in corpus.iterdir()) == ["one.txt"]


UTF16_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Emoji">
  <CodeBook><Codes><Code guid="A1B2C3D4-0000-4000-8000-000000000001" name="mood" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="B1B2C3D4-0000-4000-8000-000000000001" name="chat" plainTextPath="internal://B1B2C3D4-0000-4000-8000-000000000001.txt">
    <PlainTextSelection guid="C1B2C3D4-0000-4000-8000-000000000001" name="happy" startPosition="START" endPosition="END">
      <Coding guid="D1B2C3D4-0000-4000-8000-000000000001"><CodeRef targetGUID="A1B2C3D4-0000-4000-8000-000000000001"/></Coding>
    </PlainTextSelection>
  </TextSource></Sources>
</Project>"""


@pytest.mark.parametrize("start, end", [(4, 9), (6, 11)])  # code points (the specification) / UTF-16 units
def test_positions_in_code_points_or_utf16_units_outside_the_bmp(tmp_path, start, end):
    text = "😀 😀 happy day"  # each 😀 is one code point, two UTF-16 units
    qde = UTF16_QDE.replace("START", str(start)).replace("END", str(end))
    data = make_zip({"project.qde": qde, "Sources/B1B2C3D4-0000-4000-8000-000000000001.txt": text})
    _, store, _ = import_into(tmp_path, data)
    [r] = store.all()
    assert (r["start"], r["end"], r["quote"]) == (4, 9, "happy")


def test_a_read_only_database_stops_the_import_before_any_file(tmp_path):
    from reader.store import StoreError

    records, articles, book = sample_export(tmp_path)
    data, _ = qdpx.build_qdpx(records, articles, project="P", codebook=book)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = AnnotationStore(tmp_path / "db" / "annotations.json", readonly=True)
    with pytest.raises(StoreError, match="read-only"):
        qdpx.import_qdpx(data, corpus, store, store.path, {})
    assert list(corpus.iterdir()) == []
