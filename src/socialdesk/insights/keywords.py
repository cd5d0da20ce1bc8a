"""Keyword rules: topics and relevance before there are enough labels to learn them.

`KeywordRules` finds topics by keywords, `RelevanceRules` finds the organisation's names;
both give a rule's modest confidence (`RULE_CONFIDENCE`), below what a trained model usually
says. `fold` is how they (and `insights.sentiment`) compare text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from socialdesk.insights.labels import RULE_CONFIDENCE, Prediction

__all__ = ["KeywordRules", "RelevanceRules", "fold"]

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "’": "'"})


def fold(text: str) -> str:
    """Case-fold and spell umlauts out ("Verspätung", "VERSPAETUNG" → "verspaetung")."""
    return text.casefold().translate(_UMLAUTS)


def _keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    """Compile keywords to one pattern; see `KeywordRules` for the syntax."""
    parts = []
    for raw in keywords:
        keyword = fold(raw.strip())
        inside = keyword.startswith("*")
        whole = keyword.endswith("=")
        keyword = keyword.strip("*=").strip()
        if not keyword:
            continue
        body = r"\s+".join(re.escape(word) for word in keyword.split())
        start = "" if inside else r"(?<!\w)"
        end = r"(?!\w)" if whole else ""
        parts.append(start + body + end)
    return re.compile("|".join(parts)) if parts else None


class KeywordRules:
    """Topics by keywords, for topics that have too few labels to be learnt.

    Matching is case-insensitive and spells umlauts out, so "Verspätung" also finds
    "VERSPAETUNG". A keyword matches at the start of a word (or hashtag) and may go on:
    "ticket" finds "Ticket", "Tickets", "#Ticketkauf". It does not find "Bahnticket":
    matching inside words would make "app" find "klappt". German compounds that end with
    the keyword need "*": "*ticket" matches inside words too. "app=" matches the whole word
    only ("App", not "Apple"). Several words ("customer service") match with any
    whitespace between them. A topic found by one keyword gets confidence 0.55, by two or
    more different ones 0.6: rules are hints, below what a trained model usually says.
    """

    def __init__(self, topics: Mapping[str, Sequence[str]]):
        self._patterns = {
            topic: pattern
            for topic, keywords in topics.items()
            if (pattern := _keyword_pattern(keywords)) is not None
        }

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics that have at least one keyword."""
        return tuple(self._patterns)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return the topics whose keywords each text has (maybe none, confidence 0.5)."""
        return [self._one(fold(text)) for text in texts]

    def _one(self, folded: str) -> Prediction:
        scores: dict[str, float] = {}
        for topic, pattern in self._patterns.items():
            hits = len(set(pattern.findall(folded)))
            scores[topic] = 0.0 if not hits else RULE_CONFIDENCE if hits == 1 else 0.6
        chosen = frozenset(topic for topic, score in scores.items() if score)
        confidence = min((scores[t] for t in chosen), default=0.5)
        return Prediction(label=chosen, confidence=confidence, scores=scores)


class RelevanceRules:
    """Relevance before there are enough labels: does the text name the organisation?

    `names` are the organisation's names, brands and handles ("Deutsche Bahn", "DB",
    "@DB_Bahn"), matched like keywords of `KeywordRules` but as whole words unless written
    with "*": "DB" finds "DB", not "DBA". A text that names one is "true" (about us,
    confidence 0.6), any other "false" (0.55).
    """

    def __init__(self, names: Sequence[str]):
        whole = [n if n.strip().startswith("*") else n.strip() + "=" for n in names]
        self._pattern = _keyword_pattern(whole)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return "true" or "false" for each text."""
        predictions = []
        for text in texts:
            found = self._pattern is not None and self._pattern.search(fold(text)) is not None
            label, other = ("true", "false") if found else ("false", "true")
            confidence = 0.6 if found else RULE_CONFIDENCE
            scores = {label: confidence, other: round(1 - confidence, 4)}
            predictions.append(Prediction(label=label, confidence=confidence, scores=scores))
        return predictions
