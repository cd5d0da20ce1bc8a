"""Learn relevance, sentiment and topics from the organisation's own labels, and apply them.

This is the product's one way to train and apply these models: the app trains on the labels
people gave (every correction is a label), `socialdesk insights evaluate` trains on the
labels of a public data set, and both call `train` the same way.

* Features: words and word pairs, and character n-grams (3 to 5) of each word, hashed into
  2^20 buckets; a bucket counts only when at least `MIN_DF` training texts have it, and is
  weighted by tf-idf. Character n-grams carry German compounds and inflections
  ("Verspätung", "verspätet", "Zugverspätung") and misspellings without a dictionary.
  URLs become one token, hashtags become words, handles stay as "@name", digits become 0.
  Only the first `MAX_CHARS` characters of a text count (news snippets can run to 30,000).
* Models: a linear support vector machine per task (per topic for topics), with class
  weights balanced so that rare labels count, and confidences calibrated on 5-fold
  cross-validated scores (Platt scaling; for sentiment a logistic regression over the three
  scores). One fit on a few thousand texts takes a fraction of a second.
* Topics are multi-label: each learnt topic has its own threshold, tuned by
  cross-validation on the training labels for the best F1 of that topic, so an item can
  get several topics or none. Topics with too few labels are not learnt; they stay on the
  keyword rules (`KeywordRules`, `predict_topics`).
* Too few labels: `train` raises `NotEnoughLabels`, which says how many more are needed.
* Fallbacks before there are enough labels: `KeywordRules` for topics, `RelevanceRules`
  (the organisation's names and handles) for relevance, `lexicon_sentiment` for sentiment.

Everything runs on the CPU; nothing is downloaded. A trained model is plain numbers
(numpy arrays), written by `Model.dumps` and read by `Model.loads`.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast, get_args

import joblib  # type: ignore[import-untyped]
import numpy as np
from numpy.typing import NDArray
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

__all__ = [
    "MIN_PER_LABEL",
    "MIN_TOTAL",
    "RELEVANCE_LABELS",
    "SENTIMENT_LABELS",
    "Example",
    "KeywordRules",
    "Model",
    "NotEnoughLabels",
    "Prediction",
    "RelevanceRules",
    "Task",
    "lexicon_sentiment",
    "predict_topics",
    "train",
]

Task = Literal["relevance", "sentiment", "topics"]
TASKS: Final[tuple[Task, ...]] = get_args(Task)

# Below 10 labels of a kind a linear model mostly learns the words of those few texts;
# cross-validation (5 folds) also needs a couple of each label per fold.
MIN_PER_LABEL: Final = 10
MIN_TOTAL: Final = 30

RELEVANCE_LABELS: Final = ("true", "false")  # about us / noise, as GermEval writes them
SENTIMENT_LABELS: Final = ("negative", "neutral", "positive")

MAX_CHARS: Final = 1000
MIN_DF: Final = 2  # a hashed bucket seen in one training text only is noise, not a feature
N_FEATURES: Final = 2**20
FOLDS: Final = 5
SVM_C: Final = 0.25  # chosen by 5-fold cross-validation on the GermEval dev set (not the test)

RULE_CONFIDENCE: Final = 0.55  # a keyword rule is a hint, not a learnt judgement
FORMAT: Final = 1  # of `Model.dumps`; bump when the stored layout changes


# --------------------------------------------------------------------------- data types


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


# --------------------------------------------------------------------------- features

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"@?\w+")


def normalise(text: str) -> str:
    """Return the text as the features see it: cut, lower case, URLs and digits folded."""
    text = _URL.sub(" http ", text[:MAX_CHARS]).lower()
    # A hashtag is a word ("#Verspätung" is "verspätung"); a handle stays a name ("@db_bahn").
    return _DIGITS.sub("0", text.replace("#", " "))


def analyse(text: str) -> list[str]:
    """Return the features of a text: words, word pairs and character 3- to 5-grams.

    Word features start with a tab, which no character n-gram has (texts are split at
    whitespace), so the word "bahn" and the 4-gram "bahn" of "bahnhof" stay apart.
    """
    normal = normalise(text)
    words = _WORD.findall(normal)
    features = ["\t" + word for word in words]
    features += [f"\t{first} {second}" for first, second in itertools.pairwise(words)]
    for chunk in normal.split():
        padded = f" {chunk} "
        size = len(padded)
        for n in (3, 4, 5):
            if size < n:
                break
            features += [padded[i : i + n] for i in range(size - n + 1)]
    return features


# One hasher for every model: it has no state, so models store only their own numbers.
_HASHER: Final = HashingVectorizer(
    analyzer=analyse, n_features=N_FEATURES, alternate_sign=False, norm=None, dtype=np.float32
)


@dataclass(slots=True)
class _Features:
    """The buckets a model uses (those of `MIN_DF` or more training texts) and their idf."""

    column: NDArray[np.int32]  # bucket → column, -1 when unused
    idf: NDArray[np.float32]

    @classmethod
    def fit(cls, texts: Sequence[str]) -> tuple[_Features, sparse.csr_matrix]:
        """Choose the buckets from the training texts; return them and the texts' matrix."""
        counts = _HASHER.transform(texts)
        df = np.bincount(counts.indices, minlength=N_FEATURES)
        kept = np.flatnonzero(df >= MIN_DF)
        column = np.full(N_FEATURES, -1, dtype=np.int32)
        column[kept] = np.arange(len(kept), dtype=np.int32)
        idf = (np.log((1 + len(texts)) / (1 + df[kept])) + 1).astype(np.float32)
        features = cls(column=column, idf=idf)
        return features, features._weigh(counts)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Return the tf-idf matrix of the texts, one L2-normalised row each."""
        return self._weigh(_HASHER.transform(texts))

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        # Plain numpy on the arrays of the hashed counts: for one text at a time (as the
        # app classifies) scikit-learn's and scipy's checks would cost more than the maths.
        rows = counts.shape[0]
        columns = self.column[counts.indices]
        used = columns >= 0
        row_of = np.repeat(np.arange(rows), np.diff(counts.indptr))[used]
        columns = columns[used]
        data = (1 + np.log(counts.data[used])) * self.idf[columns]  # sublinear tf × idf
        norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=rows))
        data /= np.where(norms > 0, norms, 1.0)[row_of]
        indptr = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of, minlength=rows), out=indptr[1:])
        return sparse.csr_matrix((data, columns, indptr), shape=(rows, len(self.idf)))


# --------------------------------------------------------------------------- linear models


@dataclass(slots=True)
class _Scorer:
    """Linear decision scores s = x·W + b and their calibration to probabilities.

    `slope` of one dimension: each column on its own, p = σ(slope·s + offset) (a binary
    label, or one topic per column). Of two dimensions: one class of several,
    p = softmax(slope·s + offset).
    """

    weights: NDArray[np.float32]  # columns × outputs
    bias: NDArray[np.float64]
    slope: NDArray[np.float64]
    offset: NDArray[np.float64]

    def probabilities(self, matrix: sparse.csr_matrix) -> NDArray[np.float64]:
        """Return the calibrated probability of each output, one row per text."""
        scores = np.asarray(matrix @ self.weights, dtype=np.float64) + self.bias
        return _calibrated(scores, self.slope, self.offset)

    @staticmethod
    def stack(scorers: Sequence[_Scorer]) -> _Scorer:
        """Put binary scorers side by side, one column each (for topics)."""
        return _Scorer(
            weights=np.hstack([s.weights for s in scorers]),
            bias=np.concatenate([s.bias for s in scorers]),
            slope=np.concatenate([s.slope for s in scorers]),
            offset=np.concatenate([s.offset for s in scorers]),
        )


def _calibrated(
    scores: NDArray[np.float64], slope: NDArray[np.float64], offset: NDArray[np.float64]
) -> NDArray[np.float64]:
    if slope.ndim == 1:
        return 1 / (1 + np.exp(-(scores * slope + offset)))
    logits = scores @ slope.T + offset
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def _svm(matrix: sparse.csr_matrix, target: NDArray[np.int64]) -> Any:
    # Balanced class weights keep rare labels ("positive", small topics) from being
    # drowned; the calibration afterwards turns the scores into honest probabilities.
    return LinearSVC(C=SVM_C, class_weight="balanced").fit(matrix, target)


def _fit_scorer(
    matrix: sparse.csr_matrix, target: NDArray[np.int64]
) -> tuple[_Scorer, NDArray[np.float64]]:
    """Train on all rows and calibrate on cross-validated scores.

    `target` holds class indices 0..k-1 (k ≥ 2); with k = 2 the one score is that of
    class 1. Also returns the calibrated cross-validated probabilities (one row per text),
    on which topic thresholds are tuned.
    """
    classes = int(target.max()) + 1
    outputs = 1 if classes == 2 else classes
    folds = min(FOLDS, int(np.bincount(target).min()))
    held_out = np.zeros((len(target), outputs))
    splits = StratifiedKFold(folds, shuffle=True, random_state=0).split(matrix, target)
    for train_rows, test_rows in splits:
        svm = _svm(matrix[train_rows], target[train_rows])
        held_out[test_rows] = svm.decision_function(matrix[test_rows]).reshape(len(test_rows), -1)
    calibration = LogisticRegression(C=100.0, max_iter=1000).fit(held_out, target)
    if outputs == 1:
        slope = calibration.coef_[0].astype(np.float64)
    else:
        slope = calibration.coef_.astype(np.float64)
    offset = np.atleast_1d(calibration.intercept_).astype(np.float64)
    svm = _svm(matrix, target)
    scorer = _Scorer(
        weights=np.ascontiguousarray(svm.coef_.T, dtype=np.float32),
        bias=np.atleast_1d(svm.intercept_).astype(np.float64),
        slope=slope,
        offset=offset,
    )
    return scorer, _calibrated(held_out, slope, offset)


def _best_threshold(probability: NDArray[np.float64], truth: NDArray[np.bool_]) -> float:
    """Return the threshold on held-out probabilities with the best F1 (0.1 to 0.9).

    When several thresholds tie (clean training data often separates perfectly), the
    middle one of them is taken rather than the lowest, which would assign the topic to
    anything faintly like it.
    """
    thresholds = np.round(np.arange(0.1, 0.91, 0.025), 3)
    chosen = probability[:, None] >= thresholds[None, :]
    hits = (chosen & truth[:, None]).sum(axis=0)
    f1 = 2 * hits / (chosen.sum(axis=0) + int(truth.sum()))
    best = thresholds[f1 >= f1.max() - 1e-9]
    return float(best[len(best) // 2])


# --------------------------------------------------------------------------- the model


@dataclass(slots=True)
class Model:
    """A trained model of one task; `predict` labels texts, `dumps` stores it."""

    task: Task
    labels: tuple[str, ...]  # single-label: the classes; topics: the learnt topics
    trained_on: int
    features: _Features
    scorer: _Scorer  # topics: one column per learnt topic
    thresholds: dict[str, float] = field(default_factory=dict)  # topics only
    untrained: dict[str, int] = field(default_factory=dict)  # topics left to keyword rules

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one prediction per text, in order."""
        if not texts:
            return []
        table = self.scorer.probabilities(self.features.transform(texts))
        if self.task == "topics":
            return self._topics(table)
        if table.shape[1] == 1:  # binary: the one column is P(labels[1])
            table = np.hstack([1 - table, table])
        best = table.argmax(axis=1).tolist()
        labels = self.labels
        return [
            Prediction(
                label=labels[index],
                confidence=round(float(row[index]), 4),
                scores=dict(zip(labels, np.round(row, 4).tolist(), strict=True)),
            )
            for index, row in zip(best, table, strict=True)
        ]

    def _topics(self, table: NDArray[np.float64]) -> list[Prediction]:
        limits = np.array([self.thresholds[topic] for topic in self.labels])
        chosen_rows = table >= limits
        predictions = []
        for row, chosen in zip(table, chosen_rows, strict=True):
            # The weakest chosen topic; with none chosen, how sure we are of "none".
            confidence = float(row[chosen].min()) if chosen.any() else 1 - float(row.max())
            predictions.append(
                Prediction(
                    label=frozenset(t for t, on in zip(self.labels, chosen, strict=True) if on),
                    confidence=round(confidence, 4),
                    scores=dict(zip(self.labels, np.round(row, 4).tolist(), strict=True)),
                )
            )
        return predictions

    def dumps(self) -> bytes:
        """Return the model as bytes (joblib, compressed) for `Model.loads`."""
        buffer = io.BytesIO()
        joblib.dump({"format": FORMAT, "model": self}, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes) -> Model:
        """Read a model written by `dumps`.

        Unpickling can run code named in the data, so only models the product wrote itself
        (kept in its own database) are ever loaded here, never a file from elsewhere.
        """
        try:
            stored = joblib.load(io.BytesIO(data))
        except Exception as error:  # whatever unpickling garbage raises
            raise ValueError("not a socialdesk model") from error
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            raise ValueError("not a model of this version of socialdesk; train it again")
        model = stored["model"]
        if not isinstance(model, Model):
            raise ValueError("not a socialdesk model")
        return model


# --------------------------------------------------------------------------- training


def train(
    task: Task,
    examples: Sequence[Example],
    *,
    min_per_label: int = MIN_PER_LABEL,
    min_total: int = MIN_TOTAL,
    labels: Sequence[str] | None = None,
) -> Model:
    """Train a model of `task` on labelled examples.

    `labels` names the labels to expect (default: "true" and "false" for relevance, the
    three sentiments, and for topics every topic in the examples); naming topics that no
    example has yet makes `NotEnoughLabels` say how many each needs. A topic is learnt
    when at least `min_per_label` examples have it and as many do not; the others are
    listed in `Model.untrained` with the number of labels each still needs.

    Raises `NotEnoughLabels` when nothing can be learnt yet, `ValueError` for an unknown
    task or label.
    """
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; use one of {', '.join(TASKS)}")
    if min_per_label < 2:
        raise ValueError("min_per_label must be at least 2 (cross-validation needs two)")
    if task == "topics":
        return _train_topics(examples, min_per_label, min_total, labels)
    expected = tuple(labels) if labels is not None else _default_labels(task)
    counts: Counter[str] = Counter()
    for example in examples:
        if not isinstance(example.label, str) or example.label not in expected:
            raise ValueError(f"{task}: label {example.label!r} is not one of {', '.join(expected)}")
        counts[example.label] += 1
    needed = {label: min_per_label - counts[label] for label in expected}
    needed = {label: count for label, count in needed.items() if count > 0}
    short = min_total - len(examples) - sum(needed.values())
    if short > 0:
        needed[ANY_LABEL] = short
    if needed:
        raise NotEnoughLabels(task, needed, min_per_label, min_total)
    features, matrix = _Features.fit([example.text for example in examples])
    index = {label: i for i, label in enumerate(expected)}
    target = np.array([index[cast(str, example.label)] for example in examples], dtype=np.int64)
    scorer, _held_out = _fit_scorer(matrix, target)
    return Model(task, expected, len(examples), features, scorer)


def _default_labels(task: Task) -> tuple[str, ...]:
    return RELEVANCE_LABELS if task == "relevance" else SENTIMENT_LABELS


def _train_topics(
    examples: Sequence[Example],
    min_per_label: int,
    min_total: int,
    labels: Sequence[str] | None,
) -> Model:
    counts: Counter[str] = Counter()
    for example in examples:
        if isinstance(example.label, str):
            raise ValueError("topics: each label must be a set of topics (maybe empty)")
        counts.update(example.label)
    total = len(examples)
    needed: dict[str, int] = {}
    without: dict[str, int] = {}
    learnt: list[str] = []
    for topic in sorted(set(labels or ()) | set(counts)):
        if counts[topic] < min_per_label:
            needed[topic] = min_per_label - counts[topic]
        elif total - counts[topic] < min_per_label:
            without[topic] = min_per_label - (total - counts[topic])
        else:
            learnt.append(topic)
    if total < min_total or not learnt:
        if total < min_total:
            needed[ANY_LABEL] = min_total - total  # items count, not topics: one has several
        raise NotEnoughLabels("topics", needed, min_per_label, min_total, without=without)
    features, matrix = _Features.fit([example.text for example in examples])
    scorers = []
    thresholds = {}
    for topic in learnt:
        truth = np.array([topic in example.label for example in examples])
        scorer, held_out = _fit_scorer(matrix, truth.astype(np.int64))
        scorers.append(scorer)
        thresholds[topic] = _best_threshold(held_out[:, 0], truth)
    return Model(
        task="topics",
        labels=tuple(learnt),
        trained_on=total,
        features=features,
        scorer=_Scorer.stack(scorers),
        thresholds=thresholds,
        untrained={**needed, **without},
    )


# --------------------------------------------------------------------------- rules

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


def predict_topics(
    texts: Sequence[str], model: Model | None, rules: KeywordRules
) -> list[Prediction]:
    """Topics from the model where it learnt them, from keyword rules for all others."""
    ruled = rules.predict(texts)
    if model is None:
        return ruled
    learnt = set(model.labels)
    combined = []
    for from_model, from_rules in zip(model.predict(texts), ruled, strict=True):
        extra = {t: s for t, s in from_rules.scores.items() if t not in learnt}
        chosen = frozenset(from_model.label) | {t for t, s in extra.items() if s}
        scores = {**from_model.scores, **extra}
        confidence = min((scores[t] for t in chosen), default=from_model.confidence)
        combined.append(Prediction(label=chosen, confidence=confidence, scores=scores))
    return combined


# --------------------------------------------------------------------------- sentiment lexicon


# Our own word lists, folded like `fold` (ä → ae, ß → ss). "word" matches that word,
# "stem*" any word starting with it, "*part*" any word containing it (German compounds:
# "Zugausfall", "Signalstörung"). Kept away from words that mean something else in the
# other language ("kind" is a child in German) and from greetings ("Guten Morgen").
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_POSITIVE_WORDS = """
    danke dankeschoen dank dankbar* super* toll tolle toller tolles tollen klasse prima
    spitze perfekt* wunderbar* wundervoll* grossartig* genial* freue freut freuen freude*
    gluecklich* zufrieden* lob lobe loben gut gute gutes guter bestens schoen* schnell
    schneller puenktlich* bequem* sauber* freundlich* nett nette netten netter hilfsbereit*
    kompetent* angenehm* entspannt* empfehl* beeindruck* begeistert* geil* cool top
    geklappt klappt hervorragend* ausgezeichnet* fantastisch* herzlich* gelungen* bravo
    respekt sympathisch* lecker* komfortabel* zuverlaessig* guenstig* preiswert* erleichtert
    juhu hurra spass gefaellt mag liebe liebt lieben
    thank* thx great good best love loved loving lovely awesome amazing excellent fantastic
    wonderful perfect* nice happy glad pleased helpful friendly polite comfortable comfy
    clean smooth easy punctual reliable recommend* appreciat* brilliant enjoy* fun
    impress* superb outstanding professional courteous resolved yay wow favorite favourite
    pleasure gorgeous hero kudos
"""
_NEGATIVE_WORDS = """
    schlecht* schlimm* mies* miserabel* katastroph* desaster chaos chaotisch* aerger*
    veraerger* wuetend* sauer nervig* nervt genervt enttaeusch* frech* unverschaemt*
    zumutung* skandal* peinlich* unfaehig* inkompetent* unfreundlich* unhoeflich* arrogant*
    *verspaet* *ausfall* *ausfaelle* ausgefallen faellt *stoerung* gestoert defekt* kaputt*
    stillstand streik* ueberfuellt* dreckig* schmutzig* eklig* stinkt stinkend* teuer*
    abzocke* beschwer* problem* fehler* verpasst* warte warten wartet wartezeit* gestrichen
    gesperrt unpuenktlich* unzuverlaessig* unmoeglich* sinnlos* hass* doof* bloed*
    scheiss* mist kacke traurig* leider gefaehrlich* *unfall* toedlich* verletzt* schade
    bad worse worst terribl* horribl* awful poor disappoint* angry annoy* frustrat* furious
    upset hate* suck* rude* unhelpful unprofessional incompetent useless broken fail*
    delay* late cancel* stuck stranded lost missing missed waiting waited dirty filthy
    smell* crowded overbooked expensive ridiculous unacceptable joke nightmare disaster
    mess issue* complain* wrong sad worried dangerous unsafe scam shame* pathetic lousy
"""
_NEGATORS = _words(
    """
    nicht kein keine keinen keinem keiner keines nie niemals nichts ohne kaum
    not no never none nothing without hardly isn't wasn't aren't weren't don't doesn't
    didn't can't cannot couldn't won't wouldn't shouldn't haven't hasn't hadn't
    """
)
_CLAUSE_ENDS = frozenset(".,;:!?()")
_POSITIVE_EMOJI = frozenset("👍😊😀😃😄😁🙂😍🥰❤💕💚💙🙏👏🎉✨😘☺")
_NEGATIVE_EMOJI = frozenset("👎😡😠🤬😤😢😭😞😩😫🙄💩😒😔😕☹")


def _lexicon(words: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """Return the plain words and one pattern for the stems and parts."""
    entries = words.split()
    plain = frozenset(w for w in entries if "*" not in w)
    parts = [
        (r"\w*" if w.startswith("*") else "") + re.escape(w.strip("*")) + r"[\w'-]*"
        for w in sorted(set(entries) - plain, key=len, reverse=True)
    ]
    return plain, re.compile("|".join(parts))


_POSITIVE = _lexicon(_POSITIVE_WORDS)
_NEGATIVE = _lexicon(_NEGATIVE_WORDS)
_LEXICON_TOKEN = re.compile(r"\w[\w'-]*|[^\w\s]")


def _polarity(token: str) -> int:
    if token in _POSITIVE[0] or token in _POSITIVE_EMOJI or _POSITIVE[1].fullmatch(token):
        return 1
    if token in _NEGATIVE[0] or token in _NEGATIVE_EMOJI or _NEGATIVE[1].fullmatch(token):
        return -1
    return 0


def _negated(tokens: Sequence[str], index: int) -> bool:
    """Is there a negator among the three words before `index`, in the same clause?"""
    for previous in reversed(tokens[max(0, index - 3) : index]):
        if previous in _CLAUSE_ENDS:
            return False
        if previous in _NEGATORS:
            return True
    return False


def lexicon_sentiment(text: str) -> Prediction:
    """Sentiment from our own German and English word lists, for before any model exists.

    Each sentiment word or emoji counts once; a negator among the three words before it,
    in the same clause, turns it around ("nicht gut", "not helpful", "kein Problem").
    More positive than negative is "positive", the other way round "negative", a tie or
    nothing "neutral".
    Confidence is 0.5 for no sentiment word, rising towards 0.6 with the margin.
    """
    tokens = _LEXICON_TOKEN.findall(fold(text))
    score = 0
    for index, token in enumerate(tokens):
        polarity = _polarity(token)
        if polarity and _negated(tokens, index):
            polarity = -polarity
        score += polarity
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    strength = round(0.5 + 0.1 * math.tanh(abs(score)), 4)
    rest = round((1 - strength) / 2, 4)
    scores = {name: strength if name == label else rest for name in SENTIMENT_LABELS}
    return Prediction(label=label, confidence=strength, scores=scores)
