"""What `test_german_pages` reads as English on a German page: the words of the English msgids
(ours and Django's) found in no German msgstr, ISO dates, raw Python values, English quotes,
wrong plurals, fractions, decimal points and choices shown as codes (see its docstring)."""

from __future__ import annotations

import gettext
import re
import zoneinfo
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import django

LOCALE = Path(__file__).resolve().parents[1] / "src/socialdesk/locale/de/LC_MESSAGES"
DJANGO_LOCALE = Path(django.__file__).parent / "conf/locale/de/LC_MESSAGES"
CONTRIB_LOCALES = [
    Path(django.__file__).parent / f"contrib/{app}/locale/de/LC_MESSAGES"
    for app in ("auth", "contenttypes", "sessions", "humanize")
]

# Words of English UI text that no catalogue lists as English (Django's newest strings, values
# that reach a page untranslated, words of raw library errors).
EXTRA_ENGLISH = {
    "select", "option", "positive", "negative", "listening", "none", "true",
    "false", "the", "and", "of", "for", "with", "from", "your", "this", "that", "is", "are",
    "was", "not", "only", "read", "public", "addresses", "error", "failed",
    "connection", "refused", "timeout", "timed", "out", "invalid", "unknown", "business",
    "hours", "accounts", "departments", "tags", "changed", "created", "deleted", "status",
    "forwarded", "acknowledged", "planned", "progress", "done", "won", "new", "open",
    "waiting", "resolved", "breached", "met", "settings", "channel", "channels", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "week", "weeks",
    "day", "days", "hour", "minutes", "ago", "today", "yesterday",
}  # fmt: skip
# Words spelled alike in both languages, or names of things that are the same in German.
NOT_ENGLISH = {
    "admin", "api", "app", "atom", "bluesky", "csv", "dsgvo", "e", "feed", "feedback",
    "html", "http", "https", "id", "json", "jsonl", "mastodon", "monitor", "ok", "rss",
    "sla", "socialdesk", "tag", "tags", "team", "token", "tokens", "twcs", "twitter", "url",
    "webhook", "webhooks", "x", "board", "boards", "name", "status", "hashtag", "login",
    "link", "links", "e-mail", "mail", "kpi", "in", "an", "so", "was", "die", "am", "um",
    "man", "will", "war", "hat", "also", "bitte", "rest", "format", "details", "tipp",
    "digest", "global", "english", "deutsch", "feeds", "neutral", "ist", "zu", "wo", "alle", "handle", "handles", "ip", "art",
}  # fmt: skip

PLURAL_NOUNS = (
    "Nachrichten", "Unterhaltungen", "Einträge", "Personen", "Antworten", "Erwähnungen",
    "Abteilungen", "Kanäle", "Stunden", "Minuten", "Tage", "Meldungen", "Beiträge", "Fragen",
    "Rückmeldungen", "Kunden", "Kontakte", "Monitore", "Themen", "Regeln", "Entwürfe",
    "Konversationen", "Mitglieder", "Wochen", "Fehler",
)  # fmt: skip
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ISO date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    ("ISO week", re.compile(r"\b\d{4}-W\d{1,2}\b")),
    ("Python value", re.compile(r"[{\[]'|'[}\]]|\bNone\b|\bTrue\b|\bFalse\b")),
    ("English quote", re.compile(r"(?<![„\w])“(?=\w)|”")),
    ("singular with plural noun", re.compile(rf"(?<![\d.,]){{1}}\b1 ({'|'.join(PLURAL_NOUNS)})\b")),
    ("decimal point instead of a comma", re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])")),
    ("a code where a name belongs", re.compile(r"⟪[A-Z]{2}⟫")),
    ("fraction where a percentage belongs", re.compile(r"Ähnlichkeit:? 0,\d")),
]
TIME_ZONES = zoneinfo.available_timezones()
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:'[a-z]+)?")


def _catalogue(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def _pairs(catalogue: gettext.GNUTranslations) -> Iterator[tuple[str, str]]:
    for key, value in catalogue._catalog.items():  # type: ignore[attr-defined]
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid and "\x04" in msgid:
            msgid = msgid.split("\x04", 1)[1]
        if msgid:
            yield msgid, value


def _words(text: str) -> set[str]:
    text = re.sub(r"%\(\w+\)[sd]|\{\{?\s*\w+\s*\}?\}|%[sd]", " ", text)
    return {word.lower() for word in WORD.findall(text)}


def english_words() -> set[str]:
    """Words of English msgids that no German msgstr uses (ours and Django's catalogues)."""
    english: set[str] = set()
    german: set[str] = set()
    catalogues = [LOCALE / "django.mo", DJANGO_LOCALE / "django.mo"]
    catalogues += [path / "django.mo" for path in CONTRIB_LOCALES if path.exists()]
    for path in catalogues:
        for msgid, msgstr in _pairs(_catalogue(path)):
            english |= _words(msgid)
            german |= _words(msgstr)
    return ((english - german) | EXTRA_ENGLISH) - NOT_ENGLISH


class _Visible(HTMLParser):
    """Collect what a person reads: text nodes and the attributes shown as text."""

    HIDDEN = {"script", "style", "textarea", "template", "code", "kbd", "pre"}
    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        if tag in self.HIDDEN:
            self.skip += 1
        values = dict(attrs)
        for name in self.ATTRIBUTES:
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if self.skip or not text or text.replace(" ", "_") in TIME_ZONES:
            return  # time zones are named by their IANA identifiers, as everywhere
        if self.tag == "option" and re.fullmatch(r"[A-Z]{2}", text):
            text = f"⟪{text}⟫"  # a choice shown as its code (BB for Brandenburg)
        self.parts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.parts


def english_in(html: str, *, fixture: list[str], vocabulary: set[str]) -> list[str]:
    """Return every English string of the page, each with a little context."""
    found: list[str] = []
    for text in visible_texts(html):
        for written in fixture:
            text = text.replace(written, " ")
        text = re.sub(r"\{\w+\}", " ", text)  # placeholders such as {name} are syntax
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(text):
                found.append(f"{kind}: {_context(text, match.start(), match.end())}")
        for match in WORD.finditer(text):
            if match.group().lower() in vocabulary and not match.group().isupper():
                found.append(f"English word “{match.group()}”: {_context(text, *match.span())}")
    return found


def _context(text: str, start: int, end: int) -> str:
    return "…" + text[max(0, start - 40) : end + 40].strip() + "…"


# --------------------------------------------------------------------------- the organisation
