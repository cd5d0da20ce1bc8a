"""Sentiment from our own German and English word lists, for before any model exists.

The words, negators and emoji are data in `insights/wordlists/sentiment.py`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from socialdesk.insights.keywords import fold
from socialdesk.insights.labels import SENTIMENT_LABELS, Prediction
from socialdesk.insights.wordlists import sentiment as words

__all__ = ["lexicon_sentiment"]


def _lexicon(listed: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """Return the plain words and one pattern for the stems and parts."""
    entries = listed.split()
    plain = frozenset(w for w in entries if "*" not in w)
    parts = [
        (r"\w*" if w.startswith("*") else "") + re.escape(w.strip("*")) + r"[\w'-]*"
        for w in sorted(set(entries) - plain, key=len, reverse=True)
    ]
    return plain, re.compile("|".join(parts))


_NEGATORS = frozenset(words.NEGATORS.split())
_POSITIVE = _lexicon(words.POSITIVE_WORDS)
_NEGATIVE = _lexicon(words.NEGATIVE_WORDS)
_FAILURE = _lexicon(words.FAILURE_WORDS)
_LEXICON_TOKEN = re.compile(r"\w[\w'-]*|[^\w\s]")


def _polarity(token: str) -> int:
    if token in _FAILURE[0] or _FAILURE[1].fullmatch(token):
        return -words.FAILURE_WEIGHT
    if token in _POSITIVE[0] or token in words.POSITIVE_EMOJI or _POSITIVE[1].fullmatch(token):
        return 1
    if token in _NEGATIVE[0] or token in words.NEGATIVE_EMOJI or _NEGATIVE[1].fullmatch(token):
        return -1
    return 0


def _negated(tokens: Sequence[str], index: int) -> bool:
    """Is there a negator among the three words before `index`, in the same clause?"""
    for previous in reversed(tokens[max(0, index - 3) : index]):
        if previous in words.CLAUSE_ENDS:
            return False
        if previous in _NEGATORS:
            return True
    return False


def _negated_after(tokens: Sequence[str], index: int) -> bool:
    """Is there a negator among the two words after `index`, in the same clause?

    German puts it after the verb: "stürzt nicht mehr ab", "ist nicht kaputt".
    """
    for following in tokens[index + 1 : index + 3]:
        if following in words.CLAUSE_ENDS:
            return False
        if following in _NEGATORS:
            return True
    return False


def lexicon_sentiment(text: str) -> Prediction:
    """Sentiment from our own German and English word lists, for before any model exists.

    Each sentiment word or emoji counts once, a report of something broken ("stürzt ab",
    "crashes", "kaputt") three times, so praise or thanks around it do not outweigh it
    (negated, "stürzt nicht mehr ab", it counts nothing); a negator among the three words
    before it, in the same clause, turns it around ("nicht gut", "not helpful", "kein Problem").
    More positive than negative is "positive", the other way round "negative", a tie or
    nothing "neutral".
    Confidence is 0.5 for no sentiment word, rising towards 0.6 with the margin.
    """
    tokens = _LEXICON_TOKEN.findall(fold(text))
    score = 0
    for index, token in enumerate(tokens):
        polarity = _polarity(token)
        if polarity == -words.FAILURE_WEIGHT:
            # "stürzt nicht mehr ab", "no crashes": nothing is broken (and nothing praised).
            if _negated(tokens, index) or _negated_after(tokens, index):
                polarity = 0
        elif polarity and _negated(tokens, index):
            polarity = -polarity
        score += polarity
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    strength = round(0.5 + 0.1 * math.tanh(abs(score)), 4)
    rest = round((1 - strength) / 2, 4)
    scores = {name: strength if name == label else rest for name in SENTIMENT_LABELS}
    return Prediction(label=label, confidence=strength, scores=scores)
