"""Measure the classifiers of `insights.classify` on public labelled data.

Readers:

* `read_germeval(path)`: GermEval 2017 (Deutsche Bahn) in its TSV layouts — the organisers'
  `url, text, relevance, sentiment[, aspects]` with aspects such as
  `Allgemein#Haupt:neutral`, and the six-column SuperGLEBer form whose aspects have no
  `#Sub` — or its XML layout (`<Document id=URL>` with `<Opinions>`, `<relevance>`,
  `<sentiment>`, `<text>`); the layout is recognised from the file's first character.
  A document's categories are the parts of its aspects before "#".
* `read_airline(path)`: the Twitter US Airline Sentiment CSV; sentiment is
  `airline_sentiment`, the topic is `negativereason` when there is one.

`evaluate` trains exactly as the product trains (`classify.train` on the training
documents' labels), predicts the test documents, and scores them:

* per label: precision, recall, F1 and support;
* micro-F1 and macro-F1. For relevance and sentiment every document has exactly one gold
  and one predicted label, so each mistake is one false positive and one false negative:
  micro-F1 equals accuracy, which is GermEval's measure for subtasks A and B;
* for topics, only documents with gold categories count, and there are two figures: the
  GermEval 2017 score of subtask C (the organisers' script registers each gold category
  as found or missed and each extra predicted one as a false positive, and its micro-F1
  over that comes down to Σ|gold ∩ predicted| / Σ|gold ∪ predicted| over documents), and
  the usual multi-label micro-F1 (2·TP / (2·TP + FP + FN)) over the same documents;
* the majority-class baseline of the same measure: the most frequent training label (for
  topics, the most frequent training category) predicted for every test document.
"""

from __future__ import annotations

import csv
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from socialdesk.insights import classify
from socialdesk.insights.classify import Example, Task

__all__ = [
    "Document",
    "LabelScore",
    "LayoutError",
    "Report",
    "evaluate",
    "germeval_topics_score",
    "multi_label_scores",
    "read_airline",
    "read_germeval",
    "single_label_scores",
]

AIRLINE_COLUMNS: Final = ("tweet_id", "airline_sentiment", "negativereason", "text")


@dataclass(frozen=True, slots=True)
class Document:
    """One labelled document of a data set."""

    id: str
    text: str
    relevance: bool
    sentiment: str
    categories: frozenset[str] = frozenset()


class LayoutError(ValueError):
    """A file is not in the layout its reader expects; the message names file and line."""


# --------------------------------------------------------------------------- readers


def read_germeval(path: Path | str) -> list[Document]:
    """Read a GermEval 2017 file, TSV (4 to 6 columns a line) or XML."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise LayoutError(f"{path}: not UTF-8 text ({error.reason})") from None
    if content.lstrip().startswith("<"):
        return _germeval_xml(path, content)
    return _germeval_tsv(path, content)


def _germeval_tsv(path: Path, content: str) -> list[Document]:
    documents = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if not 4 <= len(fields) <= 6:
            raise LayoutError(
                f"{path}:{number}: expected 4 to 6 tab-separated fields "
                f"(url, text, relevance, sentiment, aspects), found {len(fields)}"
            )
        url, text, relevance, sentiment = fields[:4]
        aspects = fields[4] if len(fields) > 4 else ""
        documents.append(
            Document(
                id=url,
                text=text,
                relevance=_relevance(relevance, f"{path}:{number}"),
                sentiment=_sentiment(sentiment, f"{path}:{number}"),
                categories=frozenset(_category(a, f"{path}:{number}") for a in aspects.split()),
            )
        )
    if not documents:
        raise LayoutError(f"{path}: no documents")
    return documents


def _germeval_xml(path: Path, content: str) -> list[Document]:
    # The standard library's parser resolves no external entities and, with expat 2.4.1
    # or later (Python 3.12 ships 2.5+), refuses entity expansion bombs.
    try:
        root = ElementTree.fromstring(content)  # noqa: S314
    except ElementTree.ParseError as error:
        line, column = error.position
        raise LayoutError(f"{path}:{line}: not well-formed XML (column {column + 1})") from None
    documents = []
    for number, element in enumerate(root.iter("Document"), start=1):
        where = f"{path}: <Document> number {number}"
        identifier = element.get("id")
        if not identifier:
            raise LayoutError(f"{where} has no id attribute")
        where = f"{path}: <Document id={identifier!r}>"
        categories = frozenset(
            _category(opinion.get("category", ""), where) for opinion in element.iter("Opinion")
        )
        documents.append(
            Document(
                id=identifier,
                text=element.findtext("text") or "",
                relevance=_relevance(element.findtext("relevance") or "", where),
                sentiment=_sentiment(element.findtext("sentiment") or "", where),
                categories=categories,
            )
        )
    if not documents:
        raise LayoutError(f"{path}: no <Document> elements")
    return documents


def _relevance(value: str, where: str) -> bool:
    value = value.strip().lower()
    if value not in ("true", "false"):
        raise LayoutError(f"{where}: relevance must be true or false, not {value!r}")
    return value == "true"


def _sentiment(value: str, where: str) -> str:
    value = value.strip().lower()
    if value not in classify.SENTIMENT_LABELS:
        raise LayoutError(
            f"{where}: sentiment must be one of {', '.join(classify.SENTIMENT_LABELS)}, "
            f"not {value!r}"
        )
    return value


def _category(aspect: str, where: str) -> str:
    """Return the category of an aspect: "Zugfahrt#Pünktlichkeit:negative" → "Zugfahrt"."""
    category = aspect.rpartition(":")[0] if ":" in aspect else aspect
    category = category.partition("#")[0].strip()
    if not category:
        raise LayoutError(f"{where}: aspect {aspect!r} has no category")
    return category


def read_airline(path: Path | str) -> list[Document]:
    """Read the Twitter US Airline Sentiment CSV (every tweet is about an airline)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            missing = [c for c in AIRLINE_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise LayoutError(f"{path}:1: missing columns {', '.join(missing)}")
            documents = []
            for row in reader:
                where = f"{path}:{reader.line_num}"
                if None in row.values() or None in row:
                    raise LayoutError(f"{where}: the row does not have the header's columns")
                reason = row["negativereason"].strip()
                documents.append(
                    Document(
                        id=row["tweet_id"],
                        text=row["text"],
                        relevance=True,
                        sentiment=_sentiment(row["airline_sentiment"], where),
                        categories=frozenset({reason}) if reason else frozenset(),
                    )
                )
    except UnicodeDecodeError as error:
        raise LayoutError(f"{path}: not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise LayoutError(f"{path}: unreadable CSV ({error})") from None
    if not documents:
        raise LayoutError(f"{path}: no rows")
    return documents


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Precision, recall and F1 of one label; support is its number of gold occurrences."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


def _label_score(label: str, tp: int, fp: int, fn: int) -> LabelScore:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return LabelScore(label, precision, recall, f1, tp + fn)


def single_label_scores(
    gold: Sequence[str], predicted: Sequence[str]
) -> tuple[list[LabelScore], float, float]:
    """Return per-label scores, micro-F1 (= accuracy here) and macro-F1.

    Labels are those in the gold or the predictions, sorted; macro-F1 is their mean F1.
    """
    return multi_label_scores([frozenset({g}) for g in gold], [frozenset({p}) for p in predicted])


def multi_label_scores(
    gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]
) -> tuple[list[LabelScore], float, float]:
    """Return per-label scores, micro-F1 (2TP / (2TP + FP + FN) over all labels), macro-F1."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for truth, guess in zip(gold, predicted, strict=True):
        tp.update(truth & guess)
        fp.update(guess - truth)
        fn.update(truth - guess)
    labels = sorted(set(tp) | set(fp) | set(fn))
    scores = [_label_score(label, tp[label], fp[label], fn[label]) for label in labels]
    hits, extra, missed = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro = 2 * hits / (2 * hits + extra + missed) if hits + extra + missed else 0.0
    macro = sum(s.f1 for s in scores) / len(scores) if scores else 0.0
    return scores, micro, macro


def germeval_topics_score(
    gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]
) -> float:
    """Return the GermEval 2017 subtask C score: Σ|G ∩ P| / Σ|G ∪ P| over documents with gold."""
    pairs = [(g, p) for g, p in zip(gold, predicted, strict=True) if g]
    union = sum(len(g | p) for g, p in pairs)
    return sum(len(g & p) for g, p in pairs) / union if union else 0.0


# --------------------------------------------------------------------------- evaluation


@dataclass(slots=True)
class Report:
    """The figures of one evaluation; `as_dict` is what `--json` prints."""

    task: Task
    documents: int  # in the test file
    scored: int  # counted in the scores (topics: those with gold categories)
    trained_on: int
    duplicates_dropped: int
    seconds_training: float
    seconds_predicting: float
    labels: list[LabelScore]
    micro_f1: float
    macro_f1: float
    germeval_score: float | None  # topics only
    baseline_label: str
    baseline_micro_f1: float
    baseline_germeval_score: float | None
    untrained: dict[str, int] = field(default_factory=dict)
    predictions: list[tuple[str, str]] = field(default_factory=list, repr=False)

    @property
    def items_per_second(self) -> float:
        """Test documents predicted per second."""
        return self.documents / self.seconds_predicting if self.seconds_predicting else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return every figure (not the predictions) as JSON-ready values."""
        figures = asdict(self)
        del figures["predictions"]
        figures["items_per_second"] = round(self.items_per_second, 1)
        return figures


def _examples(task: Task, documents: Iterable[Document]) -> list[Example]:
    """Return the labels the product would have for these documents."""
    if task == "relevance":
        return [Example(d.text, "true" if d.relevance else "false") for d in documents]
    if task == "sentiment":
        return [Example(d.text, d.sentiment) for d in documents]
    # Topics are learnt from the items people gave topics to. Documents without categories
    # (in GermEval the irrelevant ones, in the airline file the tweets without a negative
    # reason) are left out, not used as "none of the topics": in the product relevance
    # decides first whether an item is about us, and someone who marks an item as noise
    # has said nothing about its topics. Taught as negatives they would make every topic
    # model a second relevance model and cost recall on the items that have topics.
    return [Example(d.text, d.categories) for d in documents if d.categories]


def _gold(task: Task, document: Document) -> str | frozenset[str]:
    if task == "relevance":
        return "true" if document.relevance else "false"
    if task == "sentiment":
        return document.sentiment
    return document.categories


def _written(label: str | frozenset[str]) -> str:
    """Return a label as the predictions file has it (topics: sorted, space-separated)."""
    if isinstance(label, str):
        return label
    return " ".join(sorted(topic.replace(" ", "_") for topic in label))


def evaluate(task: Task, train: Sequence[Document], test: Sequence[Document]) -> Report:
    """Train on `train` as the product trains, predict `test`, and score the predictions.

    Documents that share an id with an earlier training document are dropped (the same
    post in two files of one data set). Raises `classify.NotEnoughLabels` when the
    training documents have too few labels.
    """
    if task not in classify.TASKS:
        raise ValueError(f"unknown task {task!r}; use one of {', '.join(classify.TASKS)}")
    unique: dict[str, Document] = {}
    for document in train:
        unique.setdefault(document.id, document)
    examples = _examples(task, unique.values())
    started = time.perf_counter()
    model = classify.train(task, examples)
    trained = time.perf_counter()
    predicted = [p.label for p in model.predict([d.text for d in test])]
    seconds_predicting = time.perf_counter() - trained
    gold = [_gold(task, d) for d in test]
    if task == "topics":
        baseline_label = Counter(c for e in examples for c in e.label).most_common(1)[0][0]
        pairs = [
            (g, p) for g, p in zip(gold, predicted, strict=True) if isinstance(g, frozenset) and g
        ]
        gold_sets = [g for g, _ in pairs]
        predicted_sets = [frozenset(p) for _, p in pairs]
        labels, micro, macro = multi_label_scores(gold_sets, predicted_sets)
        baseline_sets = [frozenset({baseline_label})] * len(gold_sets)
        official: float | None = germeval_topics_score(gold_sets, predicted_sets)
        baseline_official: float | None = germeval_topics_score(gold_sets, baseline_sets)
        baseline_micro = multi_label_scores(gold_sets, baseline_sets)[1]
        scored = len(pairs)
    else:
        baseline_label = Counter(str(e.label) for e in examples).most_common(1)[0][0]
        labels, micro, macro = single_label_scores(
            [str(g) for g in gold], [str(p) for p in predicted]
        )
        baseline_micro = sum(1 for g in gold if g == baseline_label) / len(gold) if gold else 0.0
        official = baseline_official = None
        scored = len(test)
    return Report(
        task=task,
        documents=len(test),
        scored=scored,
        trained_on=model.trained_on,
        duplicates_dropped=len(train) - len(unique),
        seconds_training=round(trained - started, 3),
        seconds_predicting=round(seconds_predicting, 3),
        labels=labels,
        micro_f1=micro,
        macro_f1=macro,
        germeval_score=official,
        baseline_label=baseline_label,
        baseline_micro_f1=baseline_micro,
        baseline_germeval_score=baseline_official,
        untrained=dict(model.untrained),
        predictions=[(d.id, _written(p)) for d, p in zip(test, predicted, strict=True)],
    )
