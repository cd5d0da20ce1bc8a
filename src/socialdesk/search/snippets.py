"""A hit's snippet: the window of its text with the most matching words, escaped, matches in
`<mark>`. A word matches when its stem (German or English), one of its compound parts, or its
folded form starting with a prefix of the query (`ticket*`) is among the query's terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape does, without its lazy wrapper
from itertools import islice

from socialdesk.search import analysis

_WORD = re.compile(r"[^\W_]+")
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Snippet:
    text: str
    html: str
    highlights: tuple[str, ...]


def _matches(word: str, stems: set[str], prefixes: tuple[str, ...]) -> bool:
    for token in analysis.tokens(word):
        if token in stems or any(token.startswith(p) for p in prefixes):
            return True
        if set(analysis.query_stems(token)) & stems:
            return True
        if len(word) >= 8 and set(analysis.parts(word.lower())) & stems:
            return True
    return False


def _best_start(hit_at: list[int], words: int) -> int:
    """The first word of the first window of `words` words holding the most hits (0 when
    there are none); `hit_at` lists the hits' word numbers in order."""
    best, best_count, first = 0, 0, 0
    for count, at in enumerate(hit_at, start=1):
        while hit_at[first] <= at - words:
            first += 1
        if count - first > best_count:
            best_count, best = count - first, max(0, at - words + 1)
    return best


def snippet(
    text: str, highlight: tuple[str, ...], words: int = 30, seen: dict[str, bool] | None = None
) -> Snippet:
    """`seen`: what is known of words already (whether they match `highlight`), shared by the
    snippets of one page: their texts share most of their words."""
    text = text[:MAX_TEXT]
    seen = {} if seen is None else seen
    stems = {h for h in highlight if not h.endswith("*")}
    prefixes = tuple(h[:-1] for h in highlight if h.endswith("*"))
    found = _WORD.findall(text)
    if not found:
        short = text[:200]
        return Snippet(short, escape(short), ())
    unique = set(found)
    for word in unique.difference(seen):  # a text repeats its words: each analysed once
        seen[word] = _matches(word, stems, prefixes)
    matching = {word for word in unique if seen[word]}
    hit_at = [i for i, word in enumerate(found) if word in matching] if matching else []
    best = _best_start(hit_at, words)
    window = [m.span() for m in islice(_WORD.finditer(text), best, best + words)]
    start = window[0][0] if best > 0 else 0
    end = window[-1][1] if best + words < len(found) else len(text)
    parts_html: list[str] = ["…"] if start > 0 else []
    marked: list[str] = []
    position = start
    for a, b in window:
        if text[a:b] in matching:
            parts_html.append(escape(text[position:a]))
            parts_html.append(f"<mark>{escape(text[a:b])}</mark>")
            marked.append(text[a:b])
            position = b
    parts_html.append(escape(text[position:end]))
    plain = text[start:end]
    if end < len(text):
        parts_html.append("…")
        plain += "…"
    if start > 0:
        plain = "…" + plain
    return Snippet(plain, "".join(parts_html), tuple(dict.fromkeys(marked)))
