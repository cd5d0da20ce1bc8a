"""`core.textdiff`: the word diff the strategy had, and long unchanged stretches folded."""

from __future__ import annotations

from django.utils import translation

from socialdesk.core.textdiff import collapse, word_diff
from socialdesk.goals import strategy_render


def test_it_is_the_diff_goals_shows():
    assert strategy_render.word_diff is word_diff
    assert word_diff("Wir antworten schnell.", "Wir antworten sehr schnell.") == [
        {"kind": "same", "text": "Wir antworten "},
        {"kind": "added", "text": "sehr "},
        {"kind": "same", "text": "schnell."},
    ]


def _paragraphs(count: int, changed: int | None = None) -> str:
    return "\n\n".join(
        f"Absatz {n} geändert" if n == changed else f"Absatz {n}" for n in range(1, count + 1)
    )


def test_it_folds_unchanged_paragraphs_far_from_a_change():
    with translation.override("de"):
        parts = collapse(word_diff(_paragraphs(30), _paragraphs(30, changed=15)), context=2)
    shown = "".join(p["text"] for p in parts if p["kind"] != "folded")
    notes = [p["text"] for p in parts if p["kind"] == "folded"]
    assert notes == ["… 13 unveränderte Absätze …", "… 13 unveränderte Absätze …"]
    assert "Absatz 14" in shown and "Absatz 17" in shown
    assert "Absatz 13" not in shown and "Absatz 18" not in shown
    assert [p["text"] for p in parts if p["kind"] == "added"] == [" geändert"]


def test_it_leaves_short_unchanged_stretches_alone():
    parts = word_diff(_paragraphs(4), _paragraphs(4, changed=2))
    assert collapse(parts) == parts


def test_it_says_one_paragraph_in_the_singular():
    with translation.override("en"):
        parts = collapse(word_diff("a\n\nb", "a\n\nb\n\nc"), context=1)
    assert parts[:2] == [
        {"kind": "folded", "text": "… 1 unchanged paragraph …"},
        {"kind": "same", "text": "\n\nb"},
    ]
