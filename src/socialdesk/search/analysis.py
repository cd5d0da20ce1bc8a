"""The words of a text as the index and the queries see them — one code for both.

    tokens("Die Straße, ein Café!")   → ["die", "strasse", "ein", "cafe"]
    stem("verspatung", "de")          → "verspat"
    analyse("Ticketkauf klappt", "de") → terms "ticketkauf klappt", parts "ticket kauf …"

Words are the runs of letters and digits (`[^\\W_]+`, so `_`, `-`, `.` and `@` separate them)
of the folded text (lower case, no accents: ä = a, ß = ss, é = e), at most MAX_WORD
characters (longer runs are no words and are dropped). Both databases' tokenizers then only
split on spaces, so SQLite and PostgreSQL index the same terms. Stems come from Snowball
(PyStemmer) in the text's language; a query word is looked up with its German and English
stems. German words of MIN_WORD letters or more also yield their compound parts
(`compounds.spans`), kept apart in `parts` so a phrase keeps the text's order. Hashtags and
@handles add `zzh<tag>` / `zzm<handle>` parts, so `#streik` finds the hashtag only.
"""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from socialdesk.search import compounds

INDEX_TEXT_MAX = 100_000  # characters of one text that are indexed
MAX_WORD = 100
MAX_TEXT_PARTS = 10_000  # compound parts of one text (a bag; each part once)
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
TAG_PREFIX = "zzh"
MENTION_PREFIX = "zzm"

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"(?<![\w#@])#(\w+)")
_MENTION = re.compile(r"(?<![\w#@])@(\w[\w.]*)")
_ALGORITHM = {"de": "german", "en": "english"}

_local = threading.local()  # a Stemmer is not thread-safe: one per thread


def _stemmer(language: str) -> Stemmer.Stemmer:
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = {code: Stemmer.Stemmer(name) for code, name in _ALGORITHM.items()}
        _local.stemmers = stemmers
    return stemmers[language]


def language_of(language: str) -> str:
    """The stemming language for a text's language code ("de-AT" → "de"; unknown → default)."""
    code = (language or "").lower()[:2]
    return code if code in _ALGORITHM else DEFAULT_LANGUAGE


@lru_cache(maxsize=1)
def _combining() -> re.Pattern[str]:
    """Every combining mark (what `insights.query.fold` drops after NFKD) as one character
    class: removing them with a regex is several times quicker than `str.translate`."""
    marks = [cp for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))]
    ranges, start = [], marks[0]
    for previous, current in zip(marks, [*marks[1:], -1], strict=True):
        if current != previous + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = current
    return re.compile(f"[{''.join(ranges)}]+")


def warm() -> None:
    """Load what the analysis needs once (before forking processes that share it)."""
    compounds.dictionary()
    _combining()


def fold(text: str) -> str:
    """`insights.query.fold` (lower case, no accents), quicker: plain ASCII is only lowered,
    other text loses its combining marks in one regex substitution instead of a loop per
    character. Folding twice gives what folding once gives (a test checks every character)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return _combining().sub("", decomposed)


def _words(folded: str) -> list[str]:
    return [w for w in _WORD.findall(folded) if len(w) <= MAX_WORD]


def tokens(text: str) -> list[str]:
    """The folded words of `text` in order (only its first INDEX_TEXT_MAX characters)."""
    return _words(fold(text[:INDEX_TEXT_MAX]))


@lru_cache(maxsize=200_000)
def stem(token: str, language: str) -> str:
    """The Snowball stem of a folded token in "de" or "en"."""
    result: str = _stemmer(language).stemWord(token)
    return result or token


@lru_cache(maxsize=50_000)
def query_stems(token: str) -> tuple[str, ...]:
    """A query word's stems: German and English (once when equal)."""
    return tuple(dict.fromkeys(stem(token, language) for language in LANGUAGES))


@lru_cache(maxsize=200_000)
def parts(word: str) -> tuple[str, ...]:
    """The folded, German-stemmed compound parts of one unfolded word (≤ MAX_PARTS)."""
    whole = {stem(t, "de") for t in tokens(word)}
    out: dict[str, None] = {}
    for span in compounds.spans(word):
        for token in tokens(span):
            part = stem(token, "de")
            if len(part) >= 3 and part not in whole:
                out[part] = None
        if len(out) >= compounds.MAX_PARTS:
            break
    return tuple(out)[: compounds.MAX_PARTS]


@dataclass(frozen=True)
class Analysed:
    """One text for the index: `terms` in text order (phrases), `parts` a bag."""

    terms: str
    parts: str


def analyse(text: str, language: str = "", *, handles: Iterable[str] = ()) -> Analysed:
    """Terms and parts of `text` in `language` ("de", "en"; anything else: DEFAULT_LANGUAGE).

    `handles` are @handles that count as mentions (the author of a message).

    The text is analysed piece by piece (its runs without white space; `_piece`, cached):
    white space folds to white space, so no word, hashtag or @handle spans two pieces, and
    the words of a text are mostly ones seen before. The result is the same as analysing
    the folded text at once (a test compares them), at a fraction of the cost.
    """
    if not text and not handles:
        return Analysed("", "")
    code = language_of(language)
    terms: list[str] = []
    tags: list[str] = []
    mentions: list[str] = []
    compound: list[tuple[str, ...]] = []
    for chunk in text[:INDEX_TEXT_MAX].split():
        words, tagged, mentioned, compound_words = _piece(chunk, code)
        terms += words
        if tagged:
            tags += tagged
        if mentioned:
            mentions += mentioned
        if compound_words:
            compound += compound_words
    bag = dict.fromkeys(tags)
    bag.update(dict.fromkeys(mentions))
    for handle in handles:
        if term := mention_term(handle):
            bag[term] = None
    limit = len(bag) + MAX_TEXT_PARTS
    for word_parts in compound:
        bag.update(dict.fromkeys(word_parts))
        if len(bag) >= limit:
            break
    return Analysed(" ".join(terms), " ".join(bag))


_Piece = tuple[
    tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[tuple[str, ...], ...]
]  # what one run of text without white space adds: its stemmed terms, its hashtags' and
# @handles' terms, and (German) each long word's compound parts


@lru_cache(maxsize=2**17)
def _piece(chunk: str, code: str) -> _Piece:
    folded = fold(chunk)
    terms = tuple(stem(t, code) for t in _words(folded))
    tags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    if "#" in folded or "@" in folded:
        tags = tuple(term for tag in _TAG.findall(folded) if (term := tag_term(tag)))
        mentions = tuple(term for h in _MENTION.findall(folded) if (term := mention_term(h)))
    compound: tuple[tuple[str, ...], ...] = ()
    if code == "de" and len(chunk) >= compounds.MIN_WORD:
        compound = tuple(
            found
            for word in _WORD.findall(chunk)
            if compounds.MIN_WORD <= len(word) <= MAX_WORD and (found := parts(word.lower()))
        )  # one cache entry per word
    return terms, tags, mentions, compound


def tag_term(tag: str) -> str:
    """The index term of a hashtag ("#Bahn_Streik" → "zzhbahnstreik"); "" when it has no letters."""
    letters = "".join(tokens(tag.lstrip("#")))[:MAX_WORD]
    return f"{TAG_PREFIX}{letters}" if letters else ""


@lru_cache(maxsize=10_000)
def mention_term(handle: str) -> str:
    """The index term of an @handle, without its instance ("@anna@social.example" → "zzmanna")."""
    local = handle.lstrip("@").split("@", 1)[0]
    letters = "".join(tokens(local))[:MAX_WORD]
    return f"{MENTION_PREFIX}{letters}" if letters else ""


@dataclass(frozen=True)
class IndexTerms:
    """One entry's columns: title and body terms in order, the parts of both as one bag."""

    title_terms: str
    body_terms: str
    parts: str


def analyse_document(
    title: str, body: str, language: str = "", *, handles: Iterable[str] = ()
) -> IndexTerms:
    """The three indexed columns of a document (`search_searchentry`)."""
    head, text = analyse(title, language), analyse(body, language, handles=handles)
    bag = dict.fromkeys([*head.parts.split(), *text.parts.split()])
    return IndexTerms(head.terms, text.terms, " ".join(bag))
