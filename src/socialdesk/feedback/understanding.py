"""Which topic a text is about: the organisation's keyword rules (models come with labels)."""

from __future__ import annotations

from socialdesk.feedback.models import Topic
from socialdesk.listening.query import Document, fold

KEYWORD_CONFIDENCE = 0.6


def topic_suggestions(text: str, *, limit: int = 3) -> list[tuple[Topic, float]]:
    """Topics whose keywords occur in the text (a keyword also matches longer words that
    begin with it, so "ticket" finds "Ticketkauf"), most keywords first."""
    words = {w.lstrip("#@") for w in Document.of(text).words}
    scored: list[tuple[Topic, float]] = []
    for topic in Topic.objects.all():
        keywords = [fold(k) for k in topic.keyword_list()]
        hits = sum(1 for k in keywords if _found(k, words))
        if hits:
            scored.append((topic, min(0.9, KEYWORD_CONFIDENCE + 0.1 * (hits - 1))))
    scored.sort(key=lambda pair: (-pair[1], pair[0].name))
    return scored[:limit]


def _found(keyword: str, words: set[str]) -> bool:
    if " " in keyword:
        return all(_found(part, words) for part in keyword.split())
    return any(w == keyword or (len(keyword) >= 4 and w.startswith(keyword)) for w in words)
