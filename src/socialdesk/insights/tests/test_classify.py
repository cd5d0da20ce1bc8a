"""Tests for training and applying the insights classifiers, and their rule fallbacks.

The corpus is invented: German and English posts to a railway (@nordbahn, @northrail) about
punctuality, tickets, the app and staff, plus noise that only shares words with them.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from socialdesk.insights import classify
from socialdesk.insights.classify import (
    Example,
    KeywordRules,
    Model,
    NotEnoughLabels,
    Prediction,
    RelevanceRules,
    lexicon_sentiment,
    predict_topics,
    train,
)

TOPIC_PHRASES: dict[str, list[str]] = {
    "Punctuality": [
        "der Zug hat wieder 20 Minuten Verspätung",
        "RE7 fällt schon wieder aus, Anschluss verpasst",
        "my train is late again, missed my connection",
        "the 7:42 was cancelled without any announcement",
        "Verspätung ohne Ende heute morgen",
        "delayed for an hour outside York",
    ],
    "Ticket purchase": [
        "der Ticketautomat nimmt keine Karte",
        "Ticketkauf im Zug geht nicht, Fahrkarte doppelt bezahlt",
        "I was charged twice for my ticket",
        "can't buy a ticket at the machine in Leeds",
        "Sparpreis Fahrkarte online gekauft aber keine Buchung",
        "refund for my season ticket still missing",
    ],
    "App & website": [
        "die App stürzt beim Start ab",
        "Website zeigt nur Fehler beim Login",
        "the app keeps crashing since the update",
        "your website login is broken again",
        "in der App fehlt mein Ticket nach dem Update",
        "the journey planner app shows yesterday's timetable",
    ],
    "Staff": [
        "die Zugbegleiterin war total freundlich",
        "der Schaffner war unhöflich und hat geschrien",
        "the conductor was really helpful today",
        "staff at the station were rude to my mother",
        "Personal am Schalter sehr kompetent",
        "the guard on the 18:05 was brilliant",
    ],
}
NOISE = [
    "Morgen Grillen im Park, wer kommt mit?",
    "Bahnhof der Modelleisenbahn fertig gebaut",
    "new album drops on friday, so excited",
    "Ticket für das Konzert gewonnen!",
    "the app for my gym is great",
    "Katze schläft auf der Heizung",
    "football tonight at the pub",
    "Rezept für Apfelkuchen ausprobiert",
]
POSITIVE = ["danke, super!", "great job, thanks", "toll gemacht 👍", "love it"]
NEGATIVE = ["unfassbar schlecht", "this is terrible", "echt ärgerlich 😡", "so annoying"]
NEUTRAL = ["", "Gleis 4.", "any news?", "wie immer"]


def corpus(count: int, seed: int) -> list[tuple[str, str, frozenset[str], str]]:
    """Return `count` posts as (text, relevance, topics, sentiment), the same for a seed."""
    chooser = random.Random(seed)
    posts: list[tuple[str, str, frozenset[str], str]] = []
    topics = list(TOPIC_PHRASES)
    for index in range(count):
        if index % 4 == 3:
            text = chooser.choice(NOISE) + " " + chooser.choice(NEUTRAL)
            posts.append((text, "false", frozenset(), "neutral"))
            continue
        chosen = {chooser.choice(topics)}
        if chooser.random() < 0.2:
            chosen.add(chooser.choice(topics))
        sentiment = chooser.choice(["negative", "neutral", "positive"])
        ending = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}[sentiment]
        handle = chooser.choice(["@nordbahn", "@northrail", "Hallo @nordbahn,", ""])
        body = " ".join(chooser.choice(TOPIC_PHRASES[t]) for t in sorted(chosen))
        text = f"{handle} {body} {chooser.choice(ending)}".strip()
        posts.append((text, "true", frozenset(chosen), sentiment))
    return posts


TRAIN = corpus(400, seed=1)
HELD_OUT = corpus(120, seed=2)


@pytest.fixture(scope="module")
def models() -> dict[str, Model]:
    return {
        "relevance": train("relevance", [Example(t, r) for t, r, _, _ in TRAIN]),
        "sentiment": train("sentiment", [Example(t, s) for t, _, _, s in TRAIN]),
        "topics": train("topics", [Example(t, c) for t, r, c, _ in TRAIN if r == "true"]),
    }


def accuracy(model: Model, pick: Callable[[tuple[str, str, frozenset[str], str]], object]) -> float:
    predictions = model.predict([post[0] for post in HELD_OUT])
    return sum(p.label == pick(post) for p, post in zip(predictions, HELD_OUT, strict=True)) / len(
        HELD_OUT
    )


def test_relevance_beats_chance_on_held_out_posts(models):
    assert models["relevance"].labels == ("true", "false")
    assert accuracy(models["relevance"], lambda post: post[1]) >= 0.9


def test_sentiment_beats_chance_on_held_out_posts(models):
    # Three balanced labels: chance is about 0.33 (0.5 for the majority, "neutral" + noise).
    assert accuracy(models["sentiment"], lambda post: post[3]) >= 0.8


def test_topics_are_sets_and_beat_chance(models):
    relevant = [post for post in HELD_OUT if post[1] == "true"]
    predictions = models["topics"].predict([post[0] for post in relevant])
    assert all(isinstance(p.label, frozenset) for p in predictions)
    hits = sum(len(p.label & post[2]) for p, post in zip(predictions, relevant, strict=True))
    union = sum(len(p.label | post[2]) for p, post in zip(predictions, relevant, strict=True))
    assert hits / union >= 0.8  # one topic of four at random would be about 0.2


def test_prediction_carries_confidence_and_every_score(models):
    (prediction,) = models["sentiment"].predict(["@nordbahn danke, super! der Zug war pünktlich"])
    assert set(prediction.scores) == {"negative", "neutral", "positive"}
    assert sum(prediction.scores.values()) == pytest.approx(1, abs=1e-3)
    assert prediction.confidence == max(prediction.scores.values())
    assert prediction.label == max(prediction.scores, key=prediction.scores.__getitem__)


def test_a_post_about_no_learnt_topic_gets_no_topic(models):
    model = models["topics"]
    (prediction,) = model.predict(["Katze schläft auf der Heizung"])
    assert prediction.label == frozenset()
    assert set(prediction.scores) == set(model.labels)
    assert prediction.confidence == pytest.approx(1 - max(prediction.scores.values()), abs=1e-3)
    assert set(model.thresholds) == set(model.labels)


def test_trained_on_and_empty_input(models):
    assert models["relevance"].trained_on == 400
    assert models["relevance"].predict([]) == []


def test_dumps_and_loads_give_the_same_predictions(models):
    for model in models.values():
        again = Model.loads(model.dumps())
        texts = [post[0] for post in HELD_OUT[:20]]
        assert again.predict(texts) == model.predict(texts)
        assert (again.task, again.labels, again.trained_on) == (
            model.task,
            model.labels,
            model.trained_on,
        )


def test_loads_refuses_what_is_not_a_model():
    with pytest.raises(ValueError, match="not a"):
        Model.loads(b"certainly not a model")


def test_not_enough_labels_says_how_many_more_per_label():
    examples = (
        [Example(f"positiv {i}", "positive") for i in range(3)]
        + [Example(f"negativ {i}", "negative") for i in range(8)]
        + [Example(f"neutral {i}", "neutral") for i in range(25)]
    )
    with pytest.raises(NotEnoughLabels) as caught:
        train("sentiment", examples)
    assert str(caught.value) == (
        "sentiment: 2 more 'negative' labels and 7 more 'positive' labels are needed "
        "(at least 10 per label, 30 in all)"
    )
    assert caught.value.needed == {"negative": 2, "positive": 7}


def test_not_enough_labels_in_all():
    examples = [Example(f"a {i}", "true") for i in range(12)]
    examples += [Example(f"b {i}", "false") for i in range(10)]
    with pytest.raises(NotEnoughLabels) as caught:
        train("relevance", examples)
    assert caught.value.needed == {classify.ANY_LABEL: 8}
    assert str(caught.value).startswith("relevance: 8 more labels of any kind are needed")


def test_one_more_label_is_singular():
    examples = [Example(f"a {i}", "true") for i in range(20)]
    examples += [Example(f"b {i}", "false") for i in range(9)]
    with pytest.raises(NotEnoughLabels, match="1 more 'false' label is needed"):
        train("relevance", examples)


def test_topics_with_too_few_labels_stay_on_keyword_rules():
    examples = [Example(text, topics) for text, rel, topics, _ in TRAIN if rel == "true"]
    rare = [Example("Toilette im Zug war verstopft", frozenset({"Toilets"})) for _ in range(4)]
    model = train("topics", examples + rare, labels=["Bikes"])
    assert "Toilets" not in model.labels
    assert model.untrained == {"Toilets": 6, "Bikes": 10}
    rules = KeywordRules({"Toilets": ["toilette"], "Bikes": ["fahrrad"]})
    (prediction,) = predict_topics(["Toilette kaputt, der Zug hat Verspätung"], model, rules)
    assert "Toilets" in prediction.label
    assert prediction.scores["Toilets"] == classify.RULE_CONFIDENCE


def test_topics_need_one_learnable_topic():
    examples = [Example(f"post {i}", frozenset({"Staff"} if i < 5 else set())) for i in range(40)]
    with pytest.raises(NotEnoughLabels) as caught:
        train("topics", examples)
    assert caught.value.needed == {"Staff": 5}
    assert "5 more items labelled 'Staff'" in str(caught.value)


def test_unknown_task_and_label_are_refused():
    with pytest.raises(ValueError, match="unknown task"):
        train("language", [])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not one of"):
        train("sentiment", [Example("x", "angry")])
    with pytest.raises(ValueError, match="set of topics"):
        train("topics", [Example("x", "Staff")])


def test_features_keep_umlauts_hashtags_and_handles():
    features = classify.analyse("@DB_Bahn #Verspätung Zugbegleiterin 15 Min https://t.co/x")
    assert "\t@db_bahn" in features
    assert "\tverspätung" in features  # the hashtag is a word
    assert "\t0" in features  # digits fold to 0
    assert "\thttp" in features  # a URL is one token
    assert "spät" in features  # character n-grams of the word
    assert not any("t.co" in f for f in features)


# --------------------------------------------------------------------------- rules


def test_keyword_rules_match_at_word_start_case_and_umlauts():
    rules = KeywordRules(
        {
            "Ticket purchase": ["ticket", "fahrkarte"],
            "Punctuality": ["Verspätung", "*ausfall"],
            "App & website": ["app=", "website"],
            "Customer service": ["customer service"],
        }
    )
    texts = [
        "Ticketkauf klappt nicht",
        "Bahnticket ist teuer",
        "VERSPAETUNG in Köln",
        "Zugausfall in Hamm",
        "Die App hängt",
        "Apple Watch",
        "das klappt super",
        "Customer   Service was slow",
        "#Ticket weg",
    ]
    found = [set(p.label) for p in rules.predict(texts)]
    assert found == [
        {"Ticket purchase"},
        set(),  # "ticket" matches at word start only; "*ticket" would find it
        {"Punctuality"},
        {"Punctuality"},  # "*ausfall" matches inside the compound
        {"App & website"},
        set(),  # "app=" is the whole word only
        set(),  # and never inside "klappt"
        {"Customer service"},
        {"Ticket purchase"},  # hashtags count
    ]


def test_keyword_confidence_rises_with_different_keywords():
    rules = KeywordRules({"Ticket purchase": ["ticket", "fahrkarte"], "Staff": ["schaffner"]})
    one, two, none = rules.predict(["Ticket weg", "Ticket und Fahrkarte weg", "nichts"])
    assert one.confidence == 0.55 and one.scores == {"Ticket purchase": 0.55, "Staff": 0.0}
    assert two.confidence == 0.6
    assert none == Prediction(frozenset(), 0.5, {"Ticket purchase": 0.0, "Staff": 0.0})
    assert rules.topics == ("Ticket purchase", "Staff")


def test_relevance_rules_find_the_organisations_names():
    rules = RelevanceRules(["Deutsche Bahn", "DB", "@DB_Bahn", "*bahncard"])
    labels = [
        p.label
        for p in rules.predict(
            [
                "@DB_Bahn warum steht der Zug?",
                "die deutsche   bahn mal wieder",
                "DBA ist eine Fluglinie",
                "meine BahnCard ist abgelaufen",
                "Meine neue Probebahncard",
                "Regen in Hamburg",
            ]
        )
    ]
    assert labels == ["true", "true", "false", "true", "true", "false"]
    (about_us,) = rules.predict(["DB"])
    assert about_us.confidence == 0.6 and about_us.scores == {"true": 0.6, "false": 0.4}


def test_predict_topics_without_a_model_is_the_rules():
    rules = KeywordRules({"Staff": ["schaffner"]})
    assert predict_topics(["Schaffner nett"], None, rules) == rules.predict(["Schaffner nett"])


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Danke, der Zug war pünktlich und super sauber!", "positive"),
        ("Das ist nicht gut.", "negative"),
        ("Kein Problem, danke!", "positive"),
        ("Zugausfall und Signalstörung, schon wieder 40 Minuten Verspätung", "negative"),
        ("Guten Morgen aus Köln", "neutral"),
        ("Ich fahre morgen nach Berlin", "neutral"),
        ("Thanks, the staff were really helpful", "positive"),
        ("The app isn't helpful at all", "negative"),
        ("Flight delayed again, so annoying", "negative"),
        ("What a nightmare 😡", "negative"),
        ("Love the new trains 😍", "positive"),
        ("My child’s ticket didn’t work, not happy", "negative"),
        ("Kinder fahren heute umsonst", "neutral"),
    ],
)
def test_lexicon_sentiment(text, label):
    prediction = lexicon_sentiment(text)
    assert prediction.label == label
    assert 0.5 <= prediction.confidence <= 0.6
    assert sum(prediction.scores.values()) == pytest.approx(1, abs=1e-3)


def test_lexicon_sentiment_of_nothing_is_neutral_at_half_confidence():
    assert lexicon_sentiment("") == Prediction(
        "neutral", 0.5, {"negative": 0.25, "neutral": 0.5, "positive": 0.25}
    )
