"""German compound parts from pyphen's hyphenation dictionary: "Ticketkauf" → ticket, kauf.

A compound is split at the hyphenation points of the unfolded word (the dictionary knows
umlauts: "Stö-rungs-mel-dung"); every span between two points with at least MIN_PART letters
becomes a part, heads also without a joining s/es/n/en ("Störungs" → "Störung"). Parts are
then folded and stemmed like every other word, so "Ticket", "Tickets" and "Kauf" find
"Ticketkauf". Spans that are no words ("cket") cost a little index space; known misses
("Kau-fab-bruch") are accepted — a prefix query still finds them.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import pyphen

MIN_WORD = 8  # shorter words are not split ("Karate" is no compound of "Rat")
MIN_PART = 4
MAX_PARTS = 12
MAX_SEGMENTS = 4  # a part spans at most four hyphenation segments ("Ver-si-che-rung")
_JOINS = ("es", "en", "s", "n")

_UNCACHED = 200_000  # pyphen keeps every word it saw: emptied when it holds this many
_lock = threading.Lock()
_dictionaries: list[pyphen.Pyphen] = []


def dictionary() -> pyphen.Pyphen:
    """The de_DE dictionary, loaded once per process (~0.6 s; shared with WeasyPrint)."""
    if not _dictionaries:
        with _lock:
            if not _dictionaries:
                _dictionaries.append(pyphen.Pyphen(lang="de_DE"))
    return _dictionaries[0]


def _positions(word: str) -> list[int]:
    hyphenation = dictionary()
    seen = hyphenation.hd.cache  # grows without bound otherwise (our own cache is the LRU)
    if len(seen) >= _UNCACHED:
        seen.clear()
    return [int(p) for p in hyphenation.positions(word)]


@lru_cache(maxsize=200_000)
def spans(word: str) -> tuple[str, ...]:
    """The unfolded spans of `word` that may be words of their own (not the word itself)."""
    if len(word) < MIN_WORD or not word.isalpha():
        return ()
    points = [0, *_positions(word), len(word)]
    heads: list[str] = []
    tails: list[str] = []
    inner: list[tuple[int, str]] = []
    for i, start in enumerate(points):
        for j in range(i + 1, min(i + 1 + MAX_SEGMENTS, len(points))):
            end = points[j]
            if end - start < MIN_PART or (start == 0 and end == len(word)):
                continue
            span = word[start:end]
            if start == 0:
                heads.append(span)
                heads.extend(
                    span[: -len(join)]
                    for join in _JOINS
                    if span.endswith(join) and len(span) - len(join) >= MIN_PART
                )
            elif end == len(word):
                tails.append(span)
            else:
                inner.append((j - i, span))
    # heads and tails are the likeliest words, then inner spans of few segments
    heads.sort(key=len, reverse=True)
    tails.sort(key=len, reverse=True)
    ordered = heads + tails + [span for _, span in sorted(inner, key=lambda s: s[0])]
    return tuple(dict.fromkeys(ordered))[: MAX_PARTS * 2]
