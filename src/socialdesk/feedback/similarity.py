"""How alike two texts are: cosine over their content words (rough German/English stems).

Used to offer the open feedback item a message says the same as, and the labelled messages
most like a new one.
"""

from __future__ import annotations

import math
from collections import Counter

from socialdesk.insights.query import Document

_STOP = frozenset(
    """der die das und ist nicht ein eine einen einem mit für auf den dem des im in zu es ich
    wir ihr sie er war sehr schon wieder nach noch auch aber oder wie was wo wer dass als bei
    von vom zum zur hat habe haben heute immer mal nur so da hier jetzt mein meine dein ihre
    the a an and is not to of in on for it i we you my me at be this that with was were are
    again still very just your our their has have had from by but or so as""".split()  # noqa: SIM905
)
_SUFFIXES = ("ungen", "ung", "lichen", "licher", "liches", "lich", "ern", "er", "en", "es",
             "em", "e", "s", "n", "ing", "ed", "ly")  # fmt: skip


def _stem(word: str) -> str:
    """A rough stem, enough to see that "unfreundlicher" and "unfreundlich" are alike."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def bag(text: str) -> Counter[str]:
    """The text's content words, roughly stemmed, with their counts."""
    words = [w.lstrip("#@") for w in Document.of(text).words]
    return Counter(_stem(w) for w in words if len(w) > 2 and w not in _STOP and not w.isdigit())


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b.get(word, 0) for word, count in a.items())
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return dot / norm if norm else 0.0
