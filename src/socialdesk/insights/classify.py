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

The fallbacks live in `insights.keywords` and `insights.sentiment` (their word lists in
`insights/wordlists/`), the shapes of examples and predictions in `insights.labels`; this
module re-exports them, so `from socialdesk.insights.classify import ...` finds them all.

Everything runs on the CPU; nothing is downloaded. A trained model is plain numbers
(numpy arrays), written by `Model.dumps` and read by `Model.loads`.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

import joblib
import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from socialdesk.insights.keywords import KeywordRules, RelevanceRules, fold
from socialdesk.insights.labels import (
    ANY_LABEL,
    MIN_PER_LABEL,
    MIN_TOTAL,
    RELEVANCE_LABELS,
    RULE_CONFIDENCE,
    SENTIMENT_LABELS,
    TASKS,
    Example,
    NotEnoughLabels,
    Prediction,
    Task,
)
from socialdesk.insights.sentiment import lexicon_sentiment

__all__ = [
    "ANY_LABEL",
    "MIN_PER_LABEL",
    "MIN_TOTAL",
    "RELEVANCE_LABELS",
    "RULE_CONFIDENCE",
    "SENTIMENT_LABELS",
    "TASKS",
    "Example",
    "KeywordRules",
    "Model",
    "NotEnoughLabels",
    "Prediction",
    "RelevanceRules",
    "Task",
    "analyse",
    "fold",
    "lexicon_sentiment",
    "normalise",
    "predict_topics",
    "train",
]

MAX_CHARS: Final = 1000
MIN_DF: Final = 2  # a hashed bucket seen in one training text only is noise, not a feature
N_FEATURES: Final = 2**20
FOLDS: Final = 5
SVM_C: Final = 0.25  # chosen by 5-fold cross-validation on the GermEval dev set (not the test)
FORMAT: Final = 1  # of `Model.dumps`; bump when the stored layout changes


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


# --------------------------------------------------------------------------- model and rules


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
