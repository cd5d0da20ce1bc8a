"""A hit's snippet shows the window of its text with the most matching words (the first such
window), escaped, with every match in it marked: checked against a plain recomputation that
counts the matches of every window."""

from __future__ import annotations

import html
import random
import re

from socialdesk.search.query import translate
from socialdesk.search.snippets import snippet

WORDS = [
    "Zug", "Zugausfall", "fahrt", "Fahrten", "Ticket", "Ticketkauf", "Lieferung", "Straße",
    "strasse", "Versand", "Versicherung", "und", "der", "the", "delivery", "deliveries", "42",
    "Fahrkartenautomat", "<b>", "&amp;", "O'Brien", '"quoted"',
]  # fmt: skip
SEPARATORS = [" ", "  ", ", ", ".\n", "-", " (", "_", "… "]
QUERIES = ["zug", "ticket", "fahrt lieferung ticket", "vers*", '"zug fahrt"', "automat", "strasse"]
WORD = re.compile(r"[^\W_]+")


def _expected(text: str, marked_words: set[str], words: int) -> tuple[str, list[str]]:
    """The first window of `words` words with the most words in `marked_words` (its text as
    the snippet shows it, with "…" where text was cut) and the words marked in it."""
    spans = [m.span() for m in WORD.finditer(text)]
    hits = [text[a:b] in marked_words for a, b in spans]
    best, most = 0, -1
    for end in range(1, len(spans) + 1):  # every window ending at word `end - 1`
        start = max(0, end - words)
        count = sum(hits[start:end])
        if count > most:
            best, most = start, count
    window = spans[best : best + words]
    first = window[0][0] if best > 0 else 0
    last = window[-1][1] if best + words < len(spans) else len(text)
    shown = ("…" if first > 0 else "") + text[first:last] + ("…" if last < len(text) else "")
    return shown, [text[a:b] for a, b in window if text[a:b] in marked_words]


def test_the_window_with_the_most_matches_is_shown_escaped_and_marked() -> None:
    rng = random.Random(14)
    checked = 0
    for _ in range(1500):
        count = rng.choice([0, 1, 3, 29, 30, 31, 80, 300])
        text = "".join(rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(count))
        query = translate(rng.choice(QUERIES))
        words = rng.choice([30, 5, 1])
        seen: dict[str, bool] = {}
        cut = snippet(text, query.highlight, words, seen=seen)
        if not WORD.search(text):
            assert cut.text == text[:200] and not cut.highlights
            continue
        marked_words = {word for word, hit in seen.items() if hit}
        shown, marked = _expected(text, marked_words, words)
        assert cut.text == shown
        assert cut.highlights == tuple(dict.fromkeys(marked))
        assert re.findall(r"<mark>(.*?)</mark>", cut.html) == [html.escape(m) for m in marked]
        unmarked = re.sub(r"</?mark>", "", cut.html)
        assert html.unescape(unmarked) == shown  # the same text, every character escaped
        assert "<b>" not in unmarked and '"' not in unmarked and "'" not in unmarked
        checked += 1
    assert checked > 1000


def test_a_word_is_marked_by_its_stem_its_compound_part_or_a_prefix() -> None:
    cut = snippet("Der Fahrkartenautomat und die Fahrten im Zug", translate("automat").highlight)
    assert cut.highlights == ("Fahrkartenautomat",)
    cut = snippet("Der Fahrkartenautomat und die Fahrten im Zug", translate("fahrt").highlight)
    assert cut.highlights == ("Fahrten",)
    cut = snippet("Versand und Versicherung, nicht Zug", translate("vers*").highlight)
    assert cut.highlights == ("Versand", "Versicherung")
    page: dict[str, bool] = {}  # what one page's snippets know of their words is shared
    snippet("Zug fällt aus", translate("zug").highlight, seen=page)
    assert page["Zug"] is True and page["aus"] is False
