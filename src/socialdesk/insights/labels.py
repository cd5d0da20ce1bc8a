"""The tasks of `insights.classify`, their labels, and what goes in and comes out.

A labelled `Example` goes into training, a `Prediction` comes out of a model or of the
rules, and `NotEnoughLabels` says how many more labels training needs. Kept apart from
`classify` so that the rules (`insights.keywords`, `insights.sentiment`) need no
machine-learning library; `classify` re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

__all__ = [
    "ANY_LABEL",
    "MIN_PER_LABEL",
    "MIN_TOTAL",
    "RELEVANCE_LABELS",
    "RULE_CONFIDENCE",
    "SENTIMENT_LABELS",
    "TASKS",
    "Example",
    "NotEnoughLabels",
    "Prediction",
    "Task",
]

Task = Literal["relevance", "sentiment", "topics"]
TASKS: Final[tuple[Task, ...]] = get_args(Task)

# Below 10 labels of a kind a linear model mostly learns the words of those few texts;
# cross-validation (5 folds) also needs a couple of each label per fold.
MIN_PER_LABEL: Final = 10
MIN_TOTAL: Final = 30

RELEVANCE_LABELS: Final = ("true", "false")  # about us / noise, as GermEval writes them
SENTIMENT_LABELS: Final = ("negative", "neutral", "positive")

RULE_CONFIDENCE: Final = 0.55  # a keyword rule is a hint, not a learnt judgement


@dataclass(frozen=True, slots=True)
class Example:
    """A text and the label a person gave it.

    Relevance: "true" (about us) or "false" (noise); sentiment: "negative", "neutral" or
    "positive"; topics: the set of the item's topics (maybe empty).
    """

    text: str
    label: str | frozenset[str]


@dataclass(frozen=True, slots=True)
class Prediction:
    """A label (for topics: a set of topics, maybe empty), how sure, and every label's score.

    For topics, `scores` holds each topic's probability and `confidence` is the lowest
    probability among the chosen topics (one minus the highest when none is chosen).
    """

    label: str | frozenset[str]
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)


class NotEnoughLabels(ValueError):
    """Too few labels to train a useful model; `needed` maps each label to how many more.

    `needed` may also hold `ANY_LABEL` ("any label"): that many more labels of any kind,
    when each label has enough but the total is short. For topics, `without` maps a topic
    that nearly every item has to how many more items without it are needed.
    """

    def __init__(
        self,
        task: str,
        needed: Mapping[str, int],
        min_per_label: int,
        min_total: int,
        *,
        without: Mapping[str, int] | None = None,
    ):
        self.task = task
        self.needed = dict(needed)
        self.without = dict(without or {})
        item = "label" if task != "topics" else "labelled item"
        parts = []
        for label, count in self.needed.items():
            if label == ANY_LABEL:
                parts.append(f"{count} more {_plural(count, item)} of any kind")
            elif task == "topics":
                parts.append(f"{count} more {_plural(count, 'item')} labelled {label!r}")
            else:
                parts.append(f"{count} more {label!r} {_plural(count, 'label')}")
        for topic, count in self.without.items():
            parts.append(f"{count} more {_plural(count, 'item')} without {topic!r}")
        what = _join(parts) or "more labels"
        verb = "is" if sum(self.needed.values()) + sum(self.without.values()) == 1 else "are"
        super().__init__(
            f"{task}: {what} {verb} needed (at least {min_per_label} per label, {min_total} in all)"
        )


ANY_LABEL: Final = "any label"


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
