"""Understanding each item: topics, sentiment and relevance, learnt from people's corrections.

Every correction a person makes is a Label. Suggestions come from three places, best first:
a model trained on the labels (in the background, once a topic has enough of them), the
labelled messages most like the text (so a correction helps the very next suggestion), and
the keyword rules of each topic. Nothing is downloaded; everything runs on the CPU.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Organisation
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback.models import (
    Classification,
    Label,
    PendingMessage,
    Task,
    Topic,
    TrainedModel,
    written_at,
)
from socialdesk.feedback.similarity import bag, cosine
from socialdesk.inbox.models import Direction, Message

logger = logging.getLogger(__name__)

NEIGHBOURS = 200  # the latest corrections compared with a new text
NEIGHBOUR_MINIMUM = 0.3  # cosine similarity from which a labelled message counts as alike
RETRAIN_EVERY = 5  # new labels of a task that start a retraining
SENTIMENTS = ("negative", "neutral", "positive")


# --------------------------------------------------------------------------- models


_loaded: dict[int, Any] = {}


def current_model(task: str) -> Any | None:
    """The newest trained model of a task, or None (read once per process and version)."""
    latest = TrainedModel.objects.filter(task=task).only("pk").first()
    if latest is None:
        return None
    if latest.pk not in _loaded:
        from socialdesk.insights import classify  # lazy: loads scikit-learn

        blob = TrainedModel.objects.values_list("blob", flat=True).get(pk=latest.pk)
        _loaded.clear()
        _loaded[latest.pk] = classify.Model.loads(bytes(blob))
    return _loaded[latest.pk]


def examples(task: str) -> list[Any]:
    """The labels of a task as training examples (topics: the set of topics per message)."""
    from socialdesk.insights import classify  # lazy: loads scikit-learn

    rows = Label.objects.filter(task=task).values_list("message_id", "message__text", "value")
    if task == Task.TOPICS:
        per_message: dict[int, tuple[str, set[str]]] = {}
        for pk, text, value in rows:
            per_message.setdefault(pk, (text, set()))[1].add(value)
        return [classify.Example(text, frozenset(values)) for text, values in per_message.values()]
    return [classify.Example(text, value) for _pk, text, value in rows]


def retrain(task: str) -> str:
    """Train the task's model on all labels; say how it went (or how many labels are missing)."""
    from socialdesk.insights import classify  # lazy: loads scikit-learn

    try:
        model = classify.train(cast(classify.Task, task), examples(task))
    except classify.NotEnoughLabels as error:
        return str(error)
    TrainedModel.objects.create(
        task=task, blob=model.dumps(), trained_on=model.trained_on, labels=list(model.labels)
    )
    TrainedModel.objects.filter(task=task).exclude(
        pk__in=TrainedModel.objects.filter(task=task).values("pk")[:3]
    ).delete()  # keep the last three
    reclassify_recent()
    return f"{task}: trained on {model.trained_on} labelled messages"


# --------------------------------------------------------------------------- suggestions


class Suggester:
    """What socialdesk knows at one moment — the trained models, the latest corrections, the
    topics' keyword rules — read once and then applied to as many texts as needed."""

    def __init__(self) -> None:
        from socialdesk.insights import classify  # lazy: loads scikit-learn

        self.models = {task: current_model(task) for task in Task.values}
        self.rules = classify.KeywordRules(
            {topic.name: topic.keyword_list() for topic in Topic.objects.all()}
        )
        self.labelled: dict[str, list[tuple[Counter[str], str]]] = {
            task: [
                (bag(text), value)
                for text, value in Label.objects.filter(task=task)
                .order_by("-created_at")
                .values_list("message__text", "value")[:NEIGHBOURS]
            ]
            for task in (Task.TOPICS, Task.SENTIMENT)
        }

    @property
    def source(self) -> str:
        trained = self.models[Task.TOPICS] or self.models[Task.SENTIMENT]
        return "model" if trained else "rules"

    def neighbours(self, text: str, task: str) -> dict[str, float]:
        """Labels of the labelled messages most like `text`: value → similarity."""
        target = bag(text)
        best: dict[str, float] = {}
        for labelled, value in self.labelled[task]:
            score = cosine(target, labelled)
            if score >= NEIGHBOUR_MINIMUM and score > best.get(value, 0):
                best[value] = round(score, 2)
        return best

    def topic_scores(self, text: str) -> dict[str, float]:
        """Every topic with a reason to suggest it, and the best confidence for it."""
        keywords = self.rules.predict([text])[0].scores
        scores = {name: score for name, score in keywords.items() if score}
        for name, score in self.neighbours(text, Task.TOPICS).items():
            scores[name] = max(scores.get(name, 0), score)
        model = self.models[Task.TOPICS]
        if model is not None:
            prediction = model.predict([text])[0]
            chosen = prediction.label if isinstance(prediction.label, frozenset) else frozenset()
            for name in chosen:
                score = float(prediction.scores.get(name, prediction.confidence))
                scores[name] = max(scores.get(name, 0), score)
        return scores

    def sentiment(self, text: str) -> tuple[str, float]:
        model = self.models[Task.SENTIMENT]
        if model is not None:
            prediction = model.predict([text])[0]
            return str(prediction.label), float(prediction.confidence)
        neighbours = self.neighbours(text, Task.SENTIMENT)
        if neighbours:
            return max(neighbours.items(), key=lambda p: p[1])
        from socialdesk.insights import classify  # lazy: loads scikit-learn

        prediction = classify.lexicon_sentiment(text)
        return str(prediction.label), float(prediction.confidence)

    def relevance(self, texts: list[str]) -> list[tuple[bool, float]]:
        """About us (True) or noise: the model once trained, else whether a name of ours occurs."""
        from socialdesk.insights import classify  # lazy: loads scikit-learn

        model = self.models[Task.RELEVANCE]
        predictor = model if model is not None else classify.RelevanceRules(_organisation_names())
        return [(p.label == "true", float(p.confidence)) for p in predictor.predict(texts)]


def topic_suggestions(text: str, *, limit: int = 3) -> list[tuple[Topic, float]]:
    scores = Suggester().topic_scores(text)
    topics = {t.name: t for t in Topic.objects.filter(name__in=list(scores))}
    ranked = sorted(
        ((topics[n], s) for n, s in scores.items() if n in topics), key=lambda p: (-p[1], p[0].name)
    )
    return ranked[:limit]


def sentiment_of(text: str) -> tuple[str, float]:
    return Suggester().sentiment(text)


def _organisation_names() -> list[str]:
    names = [Organisation.current().name]
    for handle in ChannelAccount.objects.exclude(handle="").values_list("handle", flat=True):
        user = handle.split("@")[0].split(".")[0] if "/" not in handle else ""
        if len(user) >= 3:
            names += [user, f"@{user}"]
    return [n for n in names if n and n.strip()]


def training_state() -> list[dict[str, Any]]:
    """Per task: labels so far, the model in use, or how many more labels it needs."""
    from socialdesk.insights import classify  # lazy: loads scikit-learn

    state = []
    for task, label in Task.choices:
        counts = Counter(Label.objects.filter(task=task).values_list("value", flat=True))
        model = TrainedModel.objects.filter(task=task).first()
        if task == Task.TOPICS:
            wanted = list(Topic.objects.values_list("name", flat=True))
        elif task == Task.SENTIMENT:
            wanted = list(classify.SENTIMENT_LABELS)
        else:
            wanted = list(classify.RELEVANCE_LABELS)
        missing = {v: classify.MIN_PER_LABEL - counts[v] for v in wanted
                   if counts[v] < classify.MIN_PER_LABEL}  # fmt: skip
        state.append(
            {
                "task": label,
                "labels": sum(counts.values()),
                "model": model,
                "missing": missing,
                "total_missing": max(0, classify.MIN_TOTAL - sum(counts.values())),
            }
        )
    return state


# --------------------------------------------------------------------------- classify, correct


def classify_messages(messages: list[Message]) -> int:
    """Store what socialdesk thinks of each message (people's corrections are kept)."""
    keep = set(
        Classification.objects.filter(message__in=messages, source="person").values_list(
            "message_id", flat=True
        )
    )
    rows = []
    todo = [m for m in messages if m.pk not in keep]
    suggester = Suggester()
    relevance = suggester.relevance([m.text for m in todo])
    for message, (relevant, relevant_confidence) in zip(todo, relevance, strict=True):
        sentiment, confidence = suggester.sentiment(message.text)
        topics = sorted(suggester.topic_scores(message.text).items(), key=lambda p: -p[1])[:3]
        rows.append(
            Classification(
                message=message,
                written_at=written_at(message),
                relevant=relevant,
                relevance_confidence=round(relevant_confidence, 2),
                sentiment=sentiment,
                sentiment_confidence=round(confidence, 2),
                topics=[[n, round(s, 2)] for n, s in topics],
                source=suggester.source,
            )
        )
    Classification.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["message"],
        update_fields=[
            "relevant",
            "relevance_confidence",
            "sentiment",
            "sentiment_confidence",
            "topics",
            "source",
            "updated_at",
            "written_at",
        ],
    )
    return len(rows)


CLAIM_CHUNK = 500  # messages one worker takes at a time (PostgreSQL)


def _pending() -> Any:
    """The ids of the messages waiting to be classified, newest first."""
    return PendingMessage.objects.order_by("-message_id").values_list("message_id", flat=True)


def _classify_pending(ids: list[int]) -> int:
    """Classify the inbound messages of these pending ids; every id is then no longer pending
    (the classifications' trigger takes those classified, this the ones whose message went)."""
    if not ids:
        return 0  # nothing waits: no model is loaded
    messages = list(
        Message.objects.filter(pk__in=ids, direction=Direction.INBOUND)
        .order_by("-pk")
        .only("pk", "text", "direction", "created_at")
    )
    done = classify_messages(messages)
    PendingMessage.objects.filter(message_id__in=ids).delete()
    return done


def classify_new(limit: int = 2000) -> int:
    """Classify the newest inbound messages that have no classification yet: those pending
    (`pending.py`, kept by triggers), newest first.

    On PostgreSQL several workers share them: each takes a chunk with its pending rows locked
    (SKIP LOCKED), so no message is classified by two workers at once; a message another
    worker classified and committed meanwhile is no longer pending, and a locking read skips
    a row deleted. SQLite lets one writer in at a time, and a transaction would hold the write
    lock through the CPU work: there the pending ids are read without a claim (one worker
    classifies them)."""
    newest = _pending()
    if not connection.features.has_select_for_update_skip_locked:
        return _classify_pending(list(newest[:limit]))
    claimed = newest.select_for_update(skip_locked=True)
    done = taken = 0
    while taken < limit:
        size = min(CLAIM_CHUNK, limit - taken)
        with transaction.atomic():
            chunk = list(claimed[:size])
            done += _classify_pending(chunk)
        taken += len(chunk)
        if len(chunk) < size:
            break
    return done


def reclassify_recent(days: int = 30) -> int:
    since = timezone.now() - timedelta(days=days)
    recent = list(
        Message.objects.filter(direction=Direction.INBOUND, created_at__gte=since)
        .only("pk", "text", "direction", "created_at")
        .order_by("-pk")[:5000]
    )
    return classify_messages(recent)


def correct(*, by: Acting, message: Message, task: str, value: str) -> Classification:
    """A person says what the message is: stored as a label, used at once, learnt from later."""
    with transaction.atomic():
        if task == Task.TOPICS:
            Label.objects.filter(message=message, task=task).exclude(value=value).delete()
        else:
            Label.objects.filter(message=message, task=task).delete()
        Label.objects.get_or_create(
            message=message, task=task, value=value, defaults={"by": by.user}
        )
        found, _created = Classification.objects.get_or_create(message=message)
        if task == Task.TOPICS:
            found.topics = [[value, 1.0]]
        elif task == Task.SENTIMENT:
            found.sentiment, found.sentiment_confidence = value, 1.0
        else:
            found.relevant, found.relevance_confidence = value == "true", 1.0
        found.source = "person"
        found.save()
        since = TrainedModel.objects.filter(task=task).values_list("created_at", flat=True).first()
        fresh = Label.objects.filter(task=task)
        if since is not None:
            fresh = fresh.filter(created_at__gt=since)
        if fresh.count() % RETRAIN_EVERY == 0:
            transaction.on_commit(lambda: _retrain_soon(task))
    return found


def _retrain_soon(task: str) -> None:
    from socialdesk.feedback.tasks import retrain_model

    try:
        retrain_model.enqueue(task)
    except Exception:  # the next correction asks again
        logger.exception("could not queue retraining")
