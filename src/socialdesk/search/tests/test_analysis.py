"""The words of the index: folding, stems, compound parts — and hostile text."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialdesk.insights import query
from socialdesk.search import analysis, compounds
from socialdesk.search.analysis import (
    INDEX_TEXT_MAX,
    MAX_WORD,
    analyse,
    analyse_document,
    fold,
    parts,
    query_stems,
    stem,
    tokens,
)


def found(query_word: str, text: str, language: str = "de") -> bool:
    """Does the word query find the text, as the index sees it (terms or parts)?"""
    analysed = analyse(text, language)
    indexed = set(analysed.terms.split()) | set(analysed.parts.split())
    return any(s in indexed for t in tokens(query_word) for s in query_stems(t))


def test_it_splits_on_everything_but_letters_and_digits() -> None:
    assert tokens("E-Bike_Verleih: 20 € für anna.schmidt@example.org!") == [
        "e",
        "bike",
        "verleih",
        "20",
        "fur",
        "anna",
        "schmidt",
        "example",
        "org",
    ]


@pytest.mark.parametrize(
    ("written", "folded"),
    [("Straße", "strasse"), ("Café", "cafe"), ("VERSPÄTUNG", "verspatung"), ("Öl", "ol")],
)
def test_it_folds_case_and_accents(written: str, folded: str) -> None:
    assert tokens(written) == [folded]


@pytest.mark.parametrize(
    ("query_word", "text", "language"),
    [
        ("Fahrkarte", "Ich habe keine Fahrkarten bekommen", "de"),
        ("Fahrkarte", "Der Fahrkartenautomat ist kaputt", "de"),
        ("Automat", "Der Fahrkartenautomat ist kaputt", "de"),
        ("Ticket", "Ticketkauf in der App klappt nicht", "de"),
        ("Tickets", "Ticketkauf in der App klappt nicht", "de"),
        ("Kauf", "Ticketkauf in der App klappt nicht", "de"),
        ("Service", "Der Kundenservice war freundlich", "de"),
        ("Kunde", "Der Kundenservice war freundlich", "de"),
        ("Strasse", "Die Straße ist gesperrt", "de"),
        ("Straße", "Die Strasse ist gesperrt", "de"),
        ("cafe", "Treffen im Café", "de"),
        ("Café", "meet me at the cafe", "en"),
        ("Verspätung", "Der Zug ist verspätet", "de"),
        ("verspätet", "20 Minuten Verspätung", "de"),
        ("Meldung", "Die Störungsmeldung kam spät", "de"),
        ("Frist", "Die Kündigungsfrist beträgt drei Monate", "de"),
        ("run", "I was running for the train", "en"),
        ("running", "the train runs late", "en"),
        ("Tickets", "one ticket please", "en"),
    ],
)
def test_it_finds_forms_and_compound_parts(query_word: str, text: str, language: str) -> None:
    assert found(query_word, text, language)


@pytest.mark.parametrize(
    ("query_word", "text", "language"),
    [
        ("Rat", "Karate im Verein", "de"),  # short words are not split
        ("Kauf", "Ticketkauf in der App", "en"),  # an English text has no German compounds
        ("Zug", "Der Bus kommt", "de"),
    ],
)
def test_it_does_not_find_what_is_not_there(query_word: str, text: str, language: str) -> None:
    assert not found(query_word, text, language)


def test_it_keeps_the_words_in_order_and_parts_apart() -> None:
    analysed = analyse("Ticketkauf am Fahrkartenautomat", "de")
    assert analysed.terms == "ticketkauf am fahrkartenautomat"
    assert {"ticket", "kauf", "fahrkart", "automat"} <= set(analysed.parts.split())
    assert parts("Fahrkarte") and stem("fahrkarte", "de") not in parts("Fahrkarte")


def test_it_marks_hashtags_and_mentions_as_parts() -> None:
    analysed = analyse(
        "Danke @NordlichtBahn und @anna@social.example! #Bahn_Streik", "de", handles=["@Kim"]
    )
    assert {"zzmnordlichtbahn", "zzmanna", "zzmkim", "zzhbahnstreik"} <= set(analysed.parts.split())
    assert "nordlichtbahn" in analysed.terms.split()


def test_an_unknown_language_is_stemmed_as_german() -> None:
    assert analyse("Fahrkarten", "fr").terms == analyse("Fahrkarten", "de").terms == "fahrkart"
    assert analyse("Fahrkarten", "en-GB").terms == "fahrkarten"


@pytest.mark.parametrize(
    "text",
    [
        "Null\x00Byte\x00\x00mitten\x00drin",
        "Emoji 🚆🎉👍🏽 im Zug 🙈",
        "مرحبا بكم في القطار",  # RTL: Arabic
        "שלום \u202eevil\u202c text",  # Hebrew and a right-to-left override
        "\ufeff\u200b\u200d unsichtbar",
        "x" * 5000 + " ende",
        "",
    ],
)
def test_hostile_text_never_raises_and_stays_bounded(text: str) -> None:
    analysed = analyse(text, "de")
    terms = analysed.terms.split()
    assert all(0 < len(t) <= MAX_WORD for t in terms)
    assert "\x00" not in analysed.terms + analysed.parts
    assert "\u202e" not in analysed.terms


def test_rtl_words_are_words() -> None:
    assert tokens("مرحبا بكم") == ["مرحبا", "بكم"]


def test_a_megabyte_is_cut_to_the_index_limit_quickly() -> None:
    text = "Fahrkartenautomat Ticketkauf Kundenservice verspätet " * 20_000  # ~1 MB
    assert len(text) > 1_000_000
    started = time.perf_counter()
    analysed = analyse(text, "de")
    elapsed = time.perf_counter() - started
    assert len(analysed.terms.split()) <= INDEX_TEXT_MAX // 2
    assert len(analysed.terms) <= INDEX_TEXT_MAX
    assert len(analysed.parts.split()) < 100  # a bag: each part once
    assert elapsed < 2.0


@given(st.text())
def test_it_folds_exactly_like_the_query_language(text: str) -> None:
    assert fold(text) == query.fold(text)


def test_compound_parts_do_not_depend_on_case() -> None:
    assert analyse("TICKETKAUF", "de").parts == analyse("Ticketkauf", "de").parts


def test_a_document_keeps_title_and_body_apart_and_pools_their_parts() -> None:
    document = analyse_document("Ticketkauf", "Fahrkarten am Automaten @Kim", "de")
    assert document.title_terms == "ticketkauf"
    assert document.body_terms == "fahrkart am automat kim"
    assert {"ticket", "kauf", "zzmkim"} <= set(document.parts.split())


def test_the_hyphenation_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compounds, "_UNCACHED", 50)
    for i in range(200):
        letters = chr(97 + i % 26) + chr(97 + i // 26)
        compounds.spans(f"Fahrkartenautomat{letters}")
    assert len(compounds.dictionary().hd.cache) <= 50


def test_the_parts_of_one_text_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "MAX_TEXT_PARTS", 100)
    words = " ".join(
        f"Fahrkarten{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}automat" for i in range(300)
    )
    analysed = analyse(f"#Streik {words} @kim", "de")
    assert len(analysed.parts.split()) < 100 + 2 + 12
    assert {"zzhstreik", "zzmkim"} <= set(analysed.parts.split())
    assert len(analysed.terms.split()) == 302


def test_it_folds_every_character_as_the_query_language_does() -> None:
    from socialdesk.insights.query import fold as reference
    from socialdesk.search.analysis import fold

    everything = "".join(chr(cp) for cp in range(0x20, 0x30000) if not 0xD800 <= cp < 0xE000)
    for start in range(0, len(everything), 4_096):
        chunk = everything[start : start + 4_096]
        assert fold(chunk) == reference(chunk)
    assert fold("Straße Verspätung Ǆ ﬁ") == "strasse verspatung dz fi"


def _whole_text(text: str, language: str = "", handles: tuple[str, ...] = ()) -> analysis.Analysed:
    """The analysis as it was written first: the whole text folded at once, then its words,
    hashtags, @handles and compound parts found in it. `analyse` goes piece by piece (and
    caches the pieces); both must give the same columns."""
    if not text and not handles:
        return analysis.Analysed("", "")
    code = analysis.language_of(language)
    text = text[:INDEX_TEXT_MAX]
    folded = fold(text)
    terms = [stem(t, code) for t in tokens(folded)]
    bag: dict[str, None] = {}
    for tag in analysis._TAG.findall(folded):
        if term := analysis.tag_term(tag):
            bag[term] = None
    for handle in [*analysis._MENTION.findall(folded), *handles]:
        if term := analysis.mention_term(handle):
            bag[term] = None
    if code == "de":
        limit = len(bag) + analysis.MAX_TEXT_PARTS
        for word in analysis._WORD.findall(text):
            if compounds.MIN_WORD <= len(word) <= MAX_WORD:
                bag.update(dict.fromkeys(parts(word.lower())))
                if len(bag) >= limit:
                    break
    return analysis.Analysed(" ".join(terms), " ".join(bag))


_PIECES = [
    "Ticketkauf", "Verspätung", "STRASSE", "Straße", "Cafe\u0301", "e\u0301\u0301", "ﬁnden",
    "½", "ⓐbc", "#Bahn_Streik", "#", "@", "@kim@social.example", "a#b", "x@y.z", "##zwei",
    "@@doppelt", "Fahrkartenautomatenstörung", "Kündigungsfrist.", "İstanbul", "ς", "日本語",
    "مرحبا", "\u202eevil", "\ufeff", "\u200b", "\x00", "_", "-", "a" * 120, "#" + "b" * 120,
    "München,", "(Ticket)", "e-mail", "ǅ", "\u0301", "¨", "x¨y",
]  # fmt: skip
_SPACES = [" ", "\u00a0", "\u2003", "\n", "\t", "\x1c", "\u3000", "\u2028", "  "]


@given(
    st.lists(st.sampled_from(_PIECES) | st.text(max_size=8), max_size=12),
    st.lists(st.sampled_from(_SPACES), min_size=12, max_size=12),
    st.sampled_from(["de", "en", "fr", ""]),
    st.lists(st.sampled_from(["kim", "@anna@x.example", "", "__"]), max_size=2),
)
def test_piece_by_piece_gives_what_the_whole_text_gives(
    pieces: list[str], spaces: list[str], language: str, handles: list[str]
) -> None:
    text = "".join(piece + space for piece, space in zip(pieces, spaces, strict=False))
    assert analyse(text, language, handles=handles) == _whole_text(text, language, tuple(handles))


def test_white_space_folds_to_white_space() -> None:
    """What lets `analyse` go piece by piece: no word, hashtag or @handle spans white space
    once folded."""
    import sys

    for cp in range(sys.maxunicode + 1):
        if chr(cp).isspace():
            assert fold(chr(cp)).isspace(), hex(cp)


def test_folding_twice_gives_what_folding_once_gives() -> None:
    """A query's words and a text's are folded, and a folded word may be folded again (the
    whole-text analysis did): "㋌" is one character that folded to "Hg" and then to "hg", so a
    search for "hg" missed it. Every character, both folds (the listening one and the index's)."""
    import sys

    assert fold("㋌ Straße Ⅻ") == query.fold("㋌ Straße Ⅻ") == "hg strasse xii"
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue  # surrogates: no text holds them alone
        once = fold(chr(cp))
        assert fold(once) == once == query.fold(chr(cp)), hex(cp)


def test_piece_by_piece_caps_the_parts_where_the_whole_text_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analysis, "MAX_TEXT_PARTS", 50)
    words = " ".join(
        f"Fahrkarten{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}automat,Ticketkauf" for i in range(90)
    )
    text = f"#Streik {words} @kim"
    assert analyse(text, "de") == _whole_text(text, "de")
