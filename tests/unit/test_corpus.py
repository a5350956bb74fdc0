"""reader.corpus: scanning, decoding, sanitising, titles and metadata, on a hostile corpus and the seeds."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.corpus import (
    Article,
    Corpus,
    CorpusError,
    Skipped,
    count_words,
    decode,
    is_binary,
    load_article,
    load_corpus,
    parse_article,
    sanitize,
    scan,
)

SEEDS = Path(__file__).parents[2] / "seeds"

FRONT_MATTER_MD = (
    "---\n"
    'title: "Front Title"\n'
    "date: 2021-03-04\n"
    "author: Jane Roe\n"
    "source: Example Times\n"
    "---\n"
    "\n"
    "# Heading Here\n"
    "\n"
    "Body text of the markdown article.\n"
)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in "\n\t"


def _parse(text: str | bytes, article_id: str = "a.txt") -> Article:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article(article_id, Path("/corpus") / article_id, data)


def _dimmed(article: Article) -> list[str]:
    return [article.text[s:e] for s, e in article.dim_ranges]


# --------------------------------------------------------------------------------------------------
# The hostile corpus


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    outside = tmp_path / "outside"
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / ".git").mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret\n\nNot part of the corpus.\n")

    (root / "markup.txt").write_text("Markup [bold]x[/] and [@click=app.quit]\n\nBody [/] more [red]text.\n")
    (root / "esc.txt").write_bytes(b"Esc \x1b[31mred\x1b[0m title\n\nBell\x07 and CSI\xc2\x9b here.\x7f\n")
    (root / "cp1252.txt").write_bytes(b"Caf\xe9 na\xefve \x93quoted\x94\r\n\r\nIt costs \x8025.\r\n")
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_text("\n  \n\t\n")
    (root / "with space.txt").write_text("Spaces in the name\n\nText.\n")
    (root / "ünïcødé ✓.txt").write_text("Unicode name\n\nText.\n")
    (root / "[x].txt").write_text("Brackets in the name\n\nText.\n")
    (root / "UPPER.TXT").write_text("Upper case extension\n\nText.\n")
    (root / "front.md").write_text(FRONT_MATTER_MD)
    (root / "crlf.txt").write_bytes(b"CRLF Title\r\n\r\nLine one.\r\nLine two.\rOld Mac line.\r\n")
    (root / "bom.txt").write_bytes(b"\xef\xbb\xbfBOM Title\n\nBody after a byte order mark.\n")
    (root / "a" / "b" / "c" / "deep.txt").write_text("Deep Title\n\nNested three folders down.\n")
    (root / "a" / "top.md").write_text("# Top\n\nIn a.\n")
    (root / ".hidden.txt").write_text("Hidden\n")
    (root / ".git" / "config.txt").write_text("Hidden folder\n")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "notes.rst").write_text("Not an article\n")

    (root / "out.txt").symlink_to(outside / "secret.txt")
    (root / "outdir").symlink_to(outside, target_is_directory=True)
    (root / "a" / "loop").symlink_to(root / "a", target_is_directory=True)
    (root / "rootloop").symlink_to(root, target_is_directory=True)
    (root / "self.txt").symlink_to(root / "self.txt")
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "alias.txt").symlink_to(root / "markup.txt")
    return root


ARTICLE_IDS = [
    "UPPER.TXT",
    "[x].txt",
    "a/b/c/deep.txt",
    "a/top.md",
    "alias.txt",
    "blank.md",
    "bom.txt",
    "cp1252.txt",
    "crlf.txt",
    "empty.txt",
    "esc.txt",
    "front.md",
    "markup.txt",
    "with space.txt",
    "ünïcødé ✓.txt",
]


def test_scan_finds_articles_recursively_and_skips_hidden_and_other_files(hostile: Path) -> None:
    ids = scan(hostile)
    assert ids == sorted(ARTICLE_IDS + ["binary.txt"])
    assert not any(i.startswith(".") or "/." in i for i in ids)


def test_load_corpus_reads_the_hostile_corpus(hostile: Path) -> None:
    corpus = load_corpus(hostile)
    assert [a.id for a in corpus] == ARTICLE_IDS
    assert len(corpus) == len(ARTICLE_IDS)
    assert corpus.root == hostile
    reasons = {s.id: s.reason for s in corpus.skipped}
    assert "binary" in reasons["binary.txt"]
    assert reasons["out.txt"] == "symlink leads outside the corpus"
    assert reasons["outdir"] == "symlink leads outside the corpus"
    assert "loop" in reasons["a/loop"]
    assert "loop" in reasons["rootloop"]
    assert "self.txt" in reasons and "dangling.txt" in reasons
    assert [s.id for s in corpus.skipped] == sorted(reasons)
    for article in corpus:
        assert article.path == hostile / article.id
        assert article.path.is_file()
        assert article.size == article.path.stat().st_size
        assert article.mtime == article.path.stat().st_mtime
        assert article.fingerprint == hashlib.sha256(article.text.encode("utf-8")).hexdigest()
        assert article.words == len(article.text.split())
        assert "\n" not in article.title and article.title
        assert not any(_is_control(ch) for ch in article.text)


def test_file_names_that_cannot_be_shown_safely_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Fine\n")
    (tmp_path / "bad\x1b[2Jname.txt").write_text("Escape in the name\n")
    with open(os.path.join(os.fsencode(tmp_path), b"latin\xe9.txt"), "wb") as f:
        f.write(b"Not UTF-8 name\n")
    corpus = load_corpus(tmp_path)
    assert [a.id for a in corpus] == ["ok.txt"]
    assert sorted(s.id for s in corpus.skipped) == ["bad\u241b[2Jname.txt", "latin\ufffd.txt"]
    assert all("file name" in s.reason for s in corpus.skipped)


def test_corpus_get_is_a_lookup_by_id(hostile: Path) -> None:
    corpus = load_corpus(hostile)
    assert corpus.get("a/b/c/deep.txt").title == "Deep Title"
    assert corpus.get("[x].txt").title == "Brackets in the name"
    assert corpus.get("ünïcødé ✓.txt").title == "Unicode name"
    assert corpus.get("binary.txt") is None
    assert corpus.get("missing.txt") is None
    assert isinstance(corpus, Corpus)


def test_markup_is_kept_literally(hostile: Path) -> None:
    article = load_corpus(hostile).get("markup.txt")
    assert article.title == "Markup [bold]x[/] and [@click=app.quit]"
    assert "Body [/] more [red]text." in article.text


def test_escape_sequences_become_visible_stand_ins_of_the_same_length(hostile: Path) -> None:
    article = load_corpus(hostile).get("esc.txt")
    raw = (hostile / "esc.txt").read_bytes().decode("utf-8")
    assert len(article.text) == len(raw)
    assert "\x1b" not in article.text and "\x07" not in article.text and "\x9b" not in article.text
    assert article.text.startswith("Esc \u241b[31mred\u241b[0m title\n")
    assert "Bell\u2407" in article.text and article.text.endswith("here.\u2421\n")
    assert article.title == "Esc \u241b[31mred\u241b[0m title"
    # Every other character stays where it was.
    assert all(a == b for a, b in zip(article.text, raw) if not _is_control(b))


def test_cp1252_is_read_with_a_warning(hostile: Path) -> None:
    article = load_corpus(hostile).get("cp1252.txt")
    assert article.encoding == "cp1252"
    assert article.warning == "not valid UTF-8; read as cp1252"
    assert article.text == "Café naïve “quoted”\n\nIt costs €25.\n"
    assert article.title == "Café naïve “quoted”"


def test_empty_and_blank_files_are_articles_without_words(hostile: Path) -> None:
    corpus = load_corpus(hostile)
    for article_id in ("empty.txt", "blank.md"):
        article = corpus.get(article_id)
        assert article.title == "(empty)"
        assert article.words == 0
        assert article.dim_ranges == ()
        assert article.title_range is None
    assert corpus.get("empty.txt").text == ""
    assert corpus.get("empty.txt").fingerprint == hashlib.sha256(b"").hexdigest()


def test_crlf_and_lone_cr_become_newlines(hostile: Path) -> None:
    article = load_corpus(hostile).get("crlf.txt")
    assert article.text == "CRLF Title\n\nLine one.\nLine two.\nOld Mac line.\n"
    assert article.title == "CRLF Title"
    assert article.title_range == (0, 10)
    assert article.warning is None


def test_bom_is_removed(hostile: Path) -> None:
    article = load_corpus(hostile).get("bom.txt")
    assert article.encoding == "utf-8-sig"
    assert article.text.startswith("BOM Title\n")
    assert article.title == "BOM Title"
    assert article.warning is None


def test_markdown_front_matter_and_heading(hostile: Path) -> None:
    article = load_corpus(hostile).get("front.md")
    assert article.text == FRONT_MATTER_MD  # nothing cut
    assert article.title == "Heading Here"
    s, e = article.title_range
    assert article.text[s:e] == "Heading Here"
    assert article.date == "2021-03-04"
    assert article.byline == "Jane Roe"
    assert article.source == "Example Times"
    assert article.dim_ranges[0][0] == 0
    front = article.text[slice(*article.dim_ranges[0])]
    assert front.startswith("---\ntitle:") and front.endswith("---")
    assert load_corpus(hostile).get("a/top.md").title == "Top"


def test_front_matter_title_is_used_without_a_heading() -> None:
    article = _parse("---\ntitle: Only In Front\n---\nA plain first paragraph of the body.\n", "x.md")
    assert article.title == "Only In Front"


def test_symlink_inside_the_corpus_is_followed(hostile: Path) -> None:
    corpus = load_corpus(hostile)
    assert corpus.get("alias.txt").text == corpus.get("markup.txt").text


def test_unreadable_file_is_skipped_with_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok.txt").write_text("Fine\n")
    locked = tmp_path / "locked.txt"
    locked.write_text("Locked\n")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads any file: make the open fail the way it would for a user
        real_open = os.open

        def deny(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", deny)
    try:
        corpus = load_corpus(tmp_path)
        with pytest.raises(CorpusError, match="cannot read article locked.txt: permission denied"):
            load_article(tmp_path, "locked.txt")
    finally:
        locked.chmod(0o644)
    assert [a.id for a in corpus] == ["ok.txt"]
    assert corpus.skipped == [Skipped("locked.txt", "permission denied")]


def test_load_corpus_reports_progress(hostile: Path) -> None:
    calls: list[tuple[int, int]] = []
    load_corpus(hostile, progress=lambda done, total: calls.append((done, total)))
    total = len(ARTICLE_IDS) + 1  # binary.txt is read before it is skipped
    assert calls[0] == (0, total)
    assert calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_load_corpus_errors_are_one_clear_sentence(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="corpus folder not found: .*nope"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        load_corpus(tmp_path / "file.txt")
    with pytest.raises(CorpusError, match="corpus folder not found"):
        scan(tmp_path / "nope")


def test_a_fifo_named_like_an_article_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Fine\n")
    os.mkfifo(tmp_path / "pipe.txt")
    corpus = load_corpus(tmp_path)
    assert [a.id for a in corpus] == ["ok.txt"]
    assert corpus.skipped == [Skipped("pipe.txt", "not a regular file")]
    with pytest.raises(CorpusError, match="pipe.txt: not a regular file"):
        load_article(tmp_path, "pipe.txt")


def test_load_article(hostile: Path) -> None:
    article = load_article(hostile, "a/b/c/deep.txt")
    assert article == load_corpus(hostile).get("a/b/c/deep.txt")
    assert load_article(str(hostile), "[x].txt").title == "Brackets in the name"
    with pytest.raises(CorpusError, match="article not found: missing.txt"):
        load_article(hostile, "missing.txt")
    with pytest.raises(CorpusError, match="binary"):
        load_article(hostile, "binary.txt")
    with pytest.raises(CorpusError, match="outside the corpus"):
        load_article(hostile, "out.txt")
    with pytest.raises(CorpusError, match="not an article id"):
        load_article(hostile, "../outside/secret.txt")
    with pytest.raises(CorpusError, match="not an article id"):
        load_article(hostile, str(hostile / "markup.txt"))
    with pytest.raises(CorpusError, match="corpus folder not found"):
        load_article(hostile / "nope", "markup.txt")


# --------------------------------------------------------------------------------------------------
# The seeds


@pytest.fixture(scope="module")
def seeds() -> Corpus:
    return load_corpus(SEEDS)


def _seed(corpus: Corpus, prefix: str) -> Article:
    (article,) = [a for a in corpus if a.id.startswith(prefix)]
    return article


def test_seeds_load_cleanly(seeds: Corpus) -> None:
    assert len(seeds) == 5
    assert seeds.skipped == []
    for article in seeds:
        assert article.encoding == "utf-8" and article.warning is None
        assert article.text == article.path.read_text(encoding="utf-8")


def test_seed_003_title_is_its_headline(seeds: Corpus) -> None:
    article = _seed(seeds, "003_")
    assert article.title == "Chinese Ambassador: We are closely cooperating with Azerbaijan in fight against pandemic"
    s, e = article.title_range
    assert article.text[s:e] == article.title
    assert _dimmed(article) == ["Latest news", "Azerbaijan’s sugar exports up over 46% 21 September, 2024 / 15:22"]


def test_seed_titles_from_first_sentences_are_shortened(seeds: Corpus) -> None:
    for prefix in ("000_", "001_"):
        article = _seed(seeds, prefix)
        assert article.title.endswith("…")
        assert len(article.title) <= 100
        assert article.title_range is None
        first_paragraph = article.text.split("\n")[0 if prefix == "000_" else 2]
        assert first_paragraph.startswith(article.title[:-1])
        assert first_paragraph[len(article.title) - 1] == " "  # cut at a word boundary
    assert _seed(seeds, "000_").title.startswith("Azerbaijan’s Foreign Minister Jeyhun Bayramov")
    assert _seed(seeds, "001_").title.startswith("President of the Republic of Azerbaijan Ilham Aliyev")


def test_seed_dates_bylines_and_sources(seeds: Corpus) -> None:
    a001, a002, a004 = _seed(seeds, "001_"), _seed(seeds, "002_"), _seed(seeds, "004_")
    assert a001.date == "2023-10-06"
    assert _dimmed(a001) == ["date 2023-10-06 + ↺ − 16 px"]
    assert a004.date == "2020-07-26"
    assert a004.byline == "Ayya Lmahamad"
    assert a004.source == "AzerNews"
    assert _dimmed(a004) == ["date 2020-07-26 By Ayya Lmahamad", "--", "Follow us on Twitter @AzerNewsAz"]
    assert a002.source == "News.Az"
    assert _dimmed(a002) == ["+ ↺ − 16 px", "News.Az"]
    assert _seed(seeds, "000_").date is None and _seed(seeds, "000_").dim_ranges == ()


def test_no_seed_title_is_residue(seeds: Corpus) -> None:
    for article in seeds:
        assert not article.title.lstrip().startswith(("date ", "+ ↺", "Latest news", "News.Az", "Follow us"))
        for s, e in article.dim_ranges:
            assert article.title not in article.text[s:e]
        assert list(article.dim_ranges) == sorted(article.dim_ranges)


# --------------------------------------------------------------------------------------------------
# Titles, metadata and residue on made-up articles


def test_residue_lines_are_dimmed_never_removed() -> None:
    text = (
        " date 2022-01-02 By John Smith\n\n"
        "+ ↺ − 16 px\n\n"
        "Big Headline About Things\n\n"
        "Body paragraph one.\n\n"
        "Share this article\n\n"
        "Subscribe to our newsletter for free\n\n"
        "We use cookies to improve your experience. By continuing you accept our cookie policy.\n\n"
        "--\n\n"
        "Follow us on Twitter @SomeOutlet\n\n"
        "Latest news\n\n"
        "Another story happened 3 March, 2023 / 10:15\n\n"
        "Yet another story title\n"
    )
    article = _parse(text)
    assert article.text == text
    assert article.title == "Big Headline About Things"
    assert article.date == "2022-01-02"
    assert article.byline == "John Smith"
    assert article.source == "SomeOutlet"
    assert _dimmed(article) == [
        "date 2022-01-02 By John Smith",
        "+ ↺ − 16 px",
        "Share this article",
        "Subscribe to our newsletter for free",
        "We use cookies to improve your experience. By continuing you accept our cookie policy.",
        "--",
        "Follow us on Twitter @SomeOutlet",
        "Latest news",
        "Another story happened 3 March, 2023 / 10:15",
        "Yet another story title",
    ]


def test_body_paragraphs_after_a_marker_are_not_residue() -> None:
    text = "Headline\n\nRead more\n\nThis is a real paragraph of the article.\n\nAnd the last one.\n"
    article = _parse(text)
    assert _dimmed(article) == ["Read more"]


def test_trailing_source_line() -> None:
    assert _parse("Headline\n\nBody text.\n\nNews.Az\n").source == "News.Az"
    assert _parse("Headline\n\nBody text.\n\nSource: Reuters\n").source == "Reuters"
    article = _parse("Headline\n\nBody text, but the last line is a sentence.\n")
    assert article.source is None and article.dim_ranges == ()
    assert _parse("Headline\n\nBody text.\n\nAPA\n").source == "APA"
    article = _parse("Headline\n\nBody text.\n\nThanks\n")  # an ordinary word is not a source
    assert article.source is None and article.dim_ranges == ()


def test_date_and_byline_after_the_title() -> None:
    article = _parse("A Headline\nBy Jane Doe\nPublished: 5 June 2019\n\nBody text here.\n")
    assert (article.title, article.byline, article.date) == ("A Headline", "Jane Doe", "2019-06-05")
    assert _dimmed(article) == ["By Jane Doe", "Published: 5 June 2019"]


def test_headline_title_is_one_line_with_whitespace_collapsed() -> None:
    article = _parse("  Spaced   out\theadline  \n\nBody.\n")
    assert article.title == "Spaced out headline"
    s, e = article.title_range
    assert article.text[s:e] == "Spaced   out\theadline"


def test_long_first_sentence_is_shortened_at_a_word_boundary() -> None:
    sentence = "This opening sentence " + "goes on and on " * 12 + "until it finally stops. Second sentence."
    article = _parse(sentence + "\n")
    assert article.title.endswith("…") and len(article.title) <= 100
    assert sentence.startswith(article.title[:-1])
    assert sentence[len(article.title) - 1] == " "  # cut between words


def test_short_first_sentence_is_the_title() -> None:
    article = _parse("Mr. Smith met Dr. Jones in the U.S. yesterday. Then more happened in this paragraph.\n")
    assert article.title == "Mr. Smith met Dr. Jones in the U.S. yesterday"


def test_long_line_without_period_is_not_a_headline() -> None:
    line = "word " * 60
    article = _parse(line + "\n")
    assert len(article.title) <= 100 and article.title.endswith("…")


def test_only_residue_falls_back_to_the_file_name() -> None:
    article = _parse("+ ↺ − 16 px\n\n--\n", "sub/my-story.txt")
    assert article.title == "my-story"


def test_huge_article_single_line() -> None:
    data = ("lorem ipsum dolor " * 400_000).encode()  # 7 MB on one line, no sentence end
    article = _parse(data)
    assert len(article.title) <= 100
    assert article.words == 1_200_000
    assert article.dim_ranges == ()


def test_parse_article_rejects_binary() -> None:
    with pytest.raises(CorpusError, match="binary"):
        _parse(b"abc\x00def")


# --------------------------------------------------------------------------------------------------
# decode, is_binary, sanitize


def test_decode() -> None:
    assert decode(b"plain\r\ntext\rend") == ("plain\ntext\nend", "utf-8", None)
    assert decode("\ufeffcafé".encode()) == ("café", "utf-8-sig", None)
    assert decode(b"caf\xe9") == ("café", "cp1252", "not valid UTF-8; read as cp1252")
    # 0x81 is undefined in cp1252: latin-1 never fails (the C1 character is sanitised later).
    assert decode(b"a\x81b\xe9") == ("a\x81bé", "latin-1", "not valid UTF-8; read as latin-1")
    # Mostly UTF-8 with one damaged byte: stays UTF-8, the bad byte shown as U+FFFD.
    text, encoding, warning = decode("“quoted” naïve ’s ".encode() + b"\xff end")
    assert text == "“quoted” naïve ’s \ufffd end"
    assert encoding == "utf-8" and warning == "not valid UTF-8 in 1 place; bad bytes shown as \ufffd"
    assert decode("utf-16 text\r\n".encode("utf-16")) == ("utf-16 text\n", "utf-16", None)


def test_is_binary() -> None:
    assert is_binary(b"PK\x03\x04\x00\x00")
    assert is_binary(bytes(range(1, 32)) * 10)
    assert not is_binary(b"")
    assert not is_binary(b"plain text\n\twith tabs\r\n")
    assert not is_binary(b"text with an \x1b[31mescape\x1b[0m")
    assert not is_binary("utf-16".encode("utf-16"))


def test_sanitize_examples() -> None:
    assert sanitize("a\x1bb") == "a\u241bb"
    assert sanitize("\x00\x7f\x85\n\t") == "\u2400\u2421\ufffd\n\t"
    text = "no controls here [b]x[/b] ✓"
    assert sanitize(text) is text


@given(st.text())
def test_sanitize_properties(text: str) -> None:
    clean = sanitize(text)
    assert len(clean) == len(text)
    assert not any(_is_control(ch) for ch in clean)
    for before, after in zip(text, clean):
        assert after == before or _is_control(before)
        assert (after == before) == (not _is_control(before))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\n\t")))
def test_sanitize_leaves_printable_text_unchanged(text: str) -> None:
    assert sanitize(text) == text


@given(st.text())
def test_count_words_matches_split(text: str) -> None:
    assert count_words(text) == len(text.split())


@pytest.mark.parametrize("space", [" ", "\u3000", "\xa0", "\u2028", "\x1f"])
def test_count_words_on_big_texts(space: str) -> None:
    text = ("naïve ’quote’ word\t" + space) * 20_000 + "end"
    assert count_words(text) == len(text.split())
    assert count_words(text.encode("ascii", "replace").decode()) == len(text.encode("ascii", "replace").split())


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_decode_round_trips_utf8(text: str) -> None:
    decoded, encoding, warning = decode(text.encode("utf-8"))
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):  # its bytes are the UTF-8 BOM, which decode removes (as documented)
        expected = expected[1:]
    assert decoded == expected
    assert warning is None


RESIDUE_LIKE_LINES = st.lists(
    st.sampled_from(
        ["Title", " date 2020-01-02 By Ann Lee", "+ ↺ − 16 px", "", "Latest news", "News.Az", "---", "title: x",
         "# Heading", "Body. More.", "\r", "\x1b[1m", "By Jo", "Follow us on Twitter @x", "--", "A long " * 30]
    ),
    max_size=12,
).map(lambda lines: "\n".join(lines).encode("utf-8"))


@settings(max_examples=300)
@given(
    st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8")) | RESIDUE_LIKE_LINES,
    st.sampled_from(["a.txt", "a.md"]),
)
def test_parse_article_invariants(data: bytes, article_id: str) -> None:
    if is_binary(data):
        with pytest.raises(CorpusError):
            _parse(data, article_id)
        return
    article = _parse(data, article_id)
    text = article.text
    assert not any(_is_control(ch) for ch in text)
    assert "\r" not in text
    assert article.fingerprint == hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    assert article.words == len(text.split())
    assert article.title and "\n" not in article.title
    assert list(article.dim_ranges) == sorted(article.dim_ranges)
    for s, e in article.dim_ranges:
        assert 0 <= s <= e <= len(text)
    if article.title_range is not None:
        s, e = article.title_range
        assert " ".join(text[s:e].split()) == article.title
