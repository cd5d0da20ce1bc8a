"""A hit's snippet: the window of its text with the most matching words, escaped, matches in
`<mark>`. A word matches when its stem (German or English), one of its compound parts, or its
folded form starting with a prefix of the query (`ticket*`) is among the query's terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape

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


def snippet(text: str, highlight: tuple[str, ...], words: int = 30) -> Snippet:
    text = text[:MAX_TEXT]
    stems = {h for h in highlight if not h.endswith("*")}
    prefixes = tuple(h[:-1] for h in highlight if h.endswith("*"))
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if not spans:
        short = text[:200]
        return Snippet(short, str(escape(short)), ())
    seen: dict[str, bool] = {}  # a text repeats its words: each is analysed once
    hits = []
    for a, b in spans:
        word = text[a:b]
        hit = seen.get(word)
        if hit is None:
            hit = seen[word] = _matches(word, stems, prefixes)
        hits.append(hit)
    best, best_count, count = 0, -1, 0
    for i in range(len(spans)):  # sliding window of `words` words
        count += hits[i]
        if i >= words:
            count -= hits[i - words]
        if count > best_count:
            best_count, best = count, max(0, i - words + 1)
    window = spans[best : best + words]
    start = window[0][0] if best > 0 else 0
    end = window[-1][1] if best + words < len(spans) else len(text)
    parts_html: list[str] = ["…"] if start > 0 else []
    marked: list[str] = []
    position = start
    for (a, b), hit in zip(window, hits[best : best + words], strict=False):
        if hit:
            parts_html.append(str(escape(text[position:a])))
            parts_html.append(f"<mark>{escape(text[a:b])}</mark>")
            marked.append(text[a:b])
            position = b
    parts_html.append(str(escape(text[position:end])))
    plain = text[start:end]
    if end < len(text):
        parts_html.append("…")
        plain += "…"
    if start > 0:
        plain = "…" + plain
    return Snippet(plain, "".join(parts_html), tuple(dict.fromkeys(marked)))
