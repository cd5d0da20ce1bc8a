"""Tests for the GermEval and airline readers, the scores, and `socialdesk insights evaluate`.

The fixture files are written by the tests in every layout the readers accept. The tests
on the real data sets run only when ../shared/data is there; nothing of it is copied.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socialdesk.insights import evaluation
from socialdesk.insights.evaluation import (
    Document,
    LayoutError,
    evaluate,
    germeval_topics_score,
    multi_label_scores,
    read_airline,
    read_germeval,
    single_label_scores,
)

SHARED = Path(__file__).resolve().parents[5] / "shared" / "data"
GERMEVAL = SHARED / "germeval2017-db-absa"
AIRLINE = SHARED / "twitter-us-airline-sentiment" / "Tweets.csv"

TSV5 = (
    "http://twitter.com/a/statuses/1\t@nordbahn Zug fällt aus\ttrue\tnegative\t"
    "Zugfahrt#Pünktlichkeit:negative Allgemein#Haupt:negative\n"
    "http://example.com/news\tModelleisenbahn im Museum\tfalse\tneutral\n"
    'http://twitter.com/b/statuses/2\tTicketkauf "geht" nicht\ttrue\tnegative\t'
    "Ticketkauf#Haupt:negative Ticketkauf#Haupt:negative\n"
    "\n"
)
TSV6 = (
    "http://twitter.com/a/statuses/3\tscreams @ deutsche bahn.\ttrue\tneutral\tAllgemein:neutral \t\n"
    "http://example.com/x\tStudie: Messen bringen Geld\tfalse\tneutral\t\t\n"
)
XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Documents>
    <Document id="http://twitter.com/c/statuses/4">
        <Opinions>
            <Opinion category="Allgemein#Haupt" from="0" to="0" target="NULL" polarity="neutral"/>
            <Opinion category="Zugfahrt#Streckennetz" from="0" to="0" target="NULL" polarity="negative"/>
        </Opinions>
        <relevance>true</relevance>
        <sentiment>negative</sentiment>
        <text>Strecke gesperrt &amp; keine Info</text>
    </Document>
    <Document id="http://example.com/y">
        <relevance>false</relevance>
        <sentiment>positive</sentiment>
        <text>Tolles Konzert am Bahnhof</text>
    </Document>
</Documents>
"""
AIRLINE_HEADER = [
    "tweet_id",
    "airline_sentiment",
    "airline_sentiment_confidence",
    "negativereason",
    "negativereason_confidence",
    "airline",
    "text",
]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_airline(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Write (tweet_id, sentiment, reason, text) rows in the airline CSV layout."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(AIRLINE_HEADER)
        for tweet_id, sentiment, reason, text in rows:
            writer.writerow([tweet_id, sentiment, "1.0", reason, "", "Virgin America", text])
    return path


# --------------------------------------------------------------------------- readers


def test_read_germeval_tsv_with_five_columns(tmp_path):
    documents = read_germeval(write(tmp_path / "dev.tsv", TSV5))
    assert documents == [
        Document(
            "http://twitter.com/a/statuses/1",
            "@nordbahn Zug fällt aus",
            True,
            "negative",
            frozenset({"Zugfahrt", "Allgemein"}),
        ),
        Document("http://example.com/news", "Modelleisenbahn im Museum", False, "neutral"),
        Document(
            "http://twitter.com/b/statuses/2",
            'Ticketkauf "geht" nicht',  # quotes are text, not CSV quoting
            True,
            "negative",
            frozenset({"Ticketkauf"}),
        ),
    ]


def test_read_germeval_tsv_with_six_columns(tmp_path):
    documents = read_germeval(write(tmp_path / "test.tsv", TSV6))
    assert [(d.id, d.relevance, d.categories) for d in documents] == [
        ("http://twitter.com/a/statuses/3", True, frozenset({"Allgemein"})),
        ("http://example.com/x", False, frozenset()),
    ]


def test_read_germeval_xml(tmp_path):
    documents = read_germeval(write(tmp_path / "test.xml", XML))
    assert documents == [
        Document(
            "http://twitter.com/c/statuses/4",
            "Strecke gesperrt & keine Info",
            True,
            "negative",
            frozenset({"Allgemein", "Zugfahrt"}),
        ),
        Document("http://example.com/y", "Tolles Konzert am Bahnhof", False, "positive"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "u\tt\ttrue\tneutral\nu2\tt2\tmaybe\tneutral\n",
            r"bad\.tsv:2: relevance must be true or false",
        ),
        ("u\tt\ttrue\n", r"bad\.tsv:1: expected 4 to 6 tab-separated fields .* found 3"),
        ("u\tt\ttrue\tangry\n", r"bad\.tsv:1: sentiment must be one of"),
        ("u\tt\ttrue\tneutral\t#Haupt:neutral\n", r"bad\.tsv:1: aspect '#Haupt:neutral' has no"),
        ("\n\n", r"bad\.tsv: no documents"),
        ("<Documents>\n<Document id='x'>\n</Documents>", r"bad\.tsv:3: not well-formed XML"),
        ("<Documents><Document><relevance>true</relevance></Document></Documents>", "no id"),
    ],
)
def test_read_germeval_names_the_line_of_a_bad_layout(tmp_path, content, message):
    with pytest.raises(LayoutError, match=message):
        read_germeval(write(tmp_path / "bad.tsv", content))


def test_read_airline(tmp_path):
    path = write_airline(
        tmp_path / "Tweets.csv",
        [
            ("570306133677760513", "neutral", "", "@VirginAmerica What @dhepburn said."),
            ("570301031407624196", "negative", "Late Flight", "@united late,\nagain"),
        ],
    )
    assert read_airline(path) == [
        Document("570306133677760513", "@VirginAmerica What @dhepburn said.", True, "neutral"),
        Document(
            "570301031407624196",
            "@united late,\nagain",
            True,
            "negative",
            frozenset({"Late Flight"}),
        ),
    ]


def test_read_airline_refuses_other_csv(tmp_path):
    with pytest.raises(LayoutError, match=r"x\.csv:1: missing columns tweet_id"):
        read_airline(write(tmp_path / "x.csv", "id,sentiment,text\n1,negative,hi\n"))
    bad = write_airline(
        tmp_path / "y.csv", [("1", "neutral", "", "fine"), ("2", "grumpy", "", "x")]
    )
    with pytest.raises(LayoutError, match=r"y\.csv:3: sentiment must be one of"):
        read_airline(bad)


# --------------------------------------------------------------------------- metrics


def test_single_label_scores_by_hand():
    labels, micro, macro = single_label_scores(["a", "a", "b", "c"], ["a", "b", "b", "a"])
    by_label = {s.label: s for s in labels}
    # a: 1 right, 1 predicted wrongly (doc 4), 1 missed (doc 2).
    assert (by_label["a"].precision, by_label["a"].recall, by_label["a"].f1) == (0.5, 0.5, 0.5)
    assert by_label["b"].f1 == pytest.approx(2 / 3) and by_label["b"].support == 1
    assert by_label["c"].f1 == 0 and by_label["c"].support == 1
    assert micro == 0.5  # = accuracy: 2 of 4
    assert macro == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_topics_scores_by_hand():
    gold = [frozenset("A"), frozenset("AB"), frozenset("C"), frozenset()]
    predicted = [frozenset("A"), frozenset("B"), frozenset("A"), frozenset("A")]
    # Documents with gold: |G∩P| = 1 + 1 + 0, |G∪P| = 1 + 2 + 2; the fourth does not count.
    assert germeval_topics_score(gold, predicted) == pytest.approx(2 / 5)
    labels, micro, macro = multi_label_scores(gold[:3], predicted[:3])
    assert micro == pytest.approx(2 * 2 / (2 * 2 + 1 + 2))  # TP 2, FP 1 (A in doc 3), FN 2
    assert {s.label: s.f1 for s in labels} == {"A": 0.5, "B": 1.0, "C": 0.0}
    assert macro == pytest.approx(0.5)


def test_topics_score_of_perfect_and_empty_predictions():
    gold = [frozenset({"Allgemein"}), frozenset({"Zugfahrt", "Allgemein"})]
    assert germeval_topics_score(gold, gold) == 1.0
    assert germeval_topics_score(gold, [frozenset(), frozenset()]) == 0.0
    assert germeval_topics_score([frozenset()], [frozenset({"x"})]) == 0.0


# --------------------------------------------------------------------------- evaluate

PHRASES = {
    "Zugfahrt": ["Zug hat Verspätung", "train delayed again", "RE7 fällt aus", "late train"],
    "Ticketkauf": ["Ticketautomat kaputt", "charged twice for a ticket", "Fahrkarte online"],
    "Atmosphäre": ["Klimaanlage aus, viel zu heiß", "so loud in the quiet coach", "stinkt"],
}
NOISE = ["Modelleisenbahn im Museum", "Konzert am Bahnhof", "football tonight", "Rezept Kuchen"]


def germeval_like(count: int, seed: int) -> list[Document]:
    """Return invented GermEval-like documents."""
    chooser = random.Random(seed)
    documents = []
    for index in range(count):
        if index % 4 == 0:
            text = f"{chooser.choice(NOISE)} {index}"
            documents.append(Document(f"http://example.com/{seed}/{index}", text, False, "neutral"))
            continue
        category = chooser.choice(sorted(PHRASES))
        sentiment = "positive" if index % 7 == 0 else "negative" if index % 3 else "neutral"
        mood = {"positive": "danke super", "negative": "echt schlimm", "neutral": ""}[sentiment]
        text = f"@DB_Bahn {chooser.choice(PHRASES[category])} {mood}"
        url = f"http://twitter.com/u/statuses/{seed}{index}"
        documents.append(Document(url, text, True, sentiment, frozenset({category})))
    return documents


def to_tsv(documents: list[Document]) -> str:
    return "".join(
        f"{d.id}\t{d.text}\t{str(d.relevance).lower()}\t{d.sentiment}"
        + (
            "\t" + " ".join(f"{c}#Haupt:{d.sentiment}" for c in sorted(d.categories))
            if d.categories
            else ""
        )
        + "\n"
        for d in documents
    )


def test_evaluate_topics_counts_only_documents_with_gold_categories():
    report = evaluate("topics", germeval_like(200, 1), germeval_like(60, 2))
    assert report.documents == 60
    assert report.scored == 45  # every fourth is noise without categories
    assert report.trained_on == 150
    assert report.germeval_score is not None and report.germeval_score > 0.9
    assert report.baseline_germeval_score is not None
    assert report.germeval_score > report.baseline_germeval_score
    assert len(report.predictions) == 60
    assert {s.label for s in report.labels} == set(PHRASES)


def test_evaluate_drops_repeated_training_ids():
    documents = germeval_like(120, 1)
    report = evaluate("relevance", documents + documents[:30], germeval_like(40, 2))
    assert report.trained_on == 120 and report.duplicates_dropped == 30
    assert report.micro_f1 > report.baseline_micro_f1


def test_call_command_end_to_end_with_predictions(tmp_path, capsys):
    train = write(tmp_path / "train.tsv", to_tsv(germeval_like(200, 1)))
    test_documents = germeval_like(40, 2)
    test = write(tmp_path / "test.tsv", to_tsv(test_documents))
    out = tmp_path / "predictions.tsv"
    call_command(
        "insights", "evaluate", "--format", "germeval", "--task", "topics",
        "--train", str(train), "--test", str(test), "--predictions", str(out),
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert "GermEval 2017 score" in printed and "micro-F1 (multi-label)" in printed
    assert "items/s" in printed and "Zugfahrt" in printed
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40
    for line, document in zip(lines, test_documents, strict=True):
        doc_id, _, label = line.partition("\t")
        assert doc_id == document.id
        assert set(label.split()) <= set(PHRASES)  # empty when no category is predicted
    assert sum(1 for line in lines if line.endswith("\t")) >= 10  # the noise gets no topic


def test_call_command_json_for_sentiment_with_two_training_files(tmp_path, capsys):
    first = write(tmp_path / "a.tsv", to_tsv(germeval_like(120, 1)))
    second = write(tmp_path / "b.xml", to_xml(germeval_like(120, 3)))
    test = write(tmp_path / "t.tsv", to_tsv(germeval_like(40, 2)))
    call_command(
        "insights", "evaluate", "--format", "germeval", "--task", "sentiment",
        "--train", str(first), "--train", str(second), "--test", str(test), "--json",
    )  # fmt: skip
    figures = json.loads(capsys.readouterr().out)
    assert figures["format"] == "germeval" and figures["task"] == "sentiment"
    assert figures["documents"] == 40 and figures["trained_on"] == 240
    assert {row["label"] for row in figures["labels"]} <= {"negative", "neutral", "positive"}
    assert set(figures) >= {
        "micro_f1", "macro_f1", "seconds_training", "seconds_predicting", "items_per_second",
        "baseline_micro_f1", "baseline_label",
    }  # fmt: skip
    assert figures["germeval_score"] is None


def to_xml(documents: list[Document]) -> str:
    from xml.sax.saxutils import escape, quoteattr

    parts = ["<Documents>"]
    for d in documents:
        opinions = "".join(
            f'<Opinion category="{c}#Haupt" polarity="{d.sentiment}"/>'
            for c in sorted(d.categories)
        )
        parts.append(
            f"<Document id={quoteattr(d.id)}><Opinions>{opinions}</Opinions>"
            f"<relevance>{str(d.relevance).lower()}</relevance><sentiment>{d.sentiment}</sentiment>"
            f"<text>{escape(d.text)}</text></Document>"
        )
    return "\n".join([*parts, "</Documents>"])


def test_call_command_on_the_airline_layout(tmp_path, capsys):
    chooser = random.Random(5)
    rows = []
    for index in range(150):
        sentiment = ["negative", "neutral", "positive"][index % 3]
        reason = chooser.choice(["Late Flight", "Lost Luggage"]) if sentiment == "negative" else ""
        words = {"Late Flight": "delayed 3 hours", "Lost Luggage": "bag never arrived", "": ""}
        mood = {"negative": "awful", "neutral": "when is boarding", "positive": "thanks great crew"}
        rows.append(
            (str(1000 + index), sentiment, reason, f"@united {words[reason]} {mood[sentiment]}")
        )
    train = write_airline(tmp_path / "train.csv", rows[:120])
    test = write_airline(tmp_path / "test.csv", rows[120:])
    out = tmp_path / "p.tsv"
    call_command(
        "insights", "evaluate", "--format", "airline", "--task", "topics",
        "--train", str(train), "--test", str(test), "--predictions", str(out),
    )  # fmt: skip
    assert "Late Flight" in capsys.readouterr().out
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30
    assert {line.partition("\t")[2] for line in lines} <= {"Late_Flight", "Lost_Luggage", ""}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "germeval", "--task", "sentiment", "--train", "missing.tsv"], "no such file"),
        (["--format", "airline", "--task", "relevance", "--train", "{bad}"], "no relevance labels"),
        (["--format", "germeval", "--task", "sentiment", "--train", "{bad}"], r"bad\.tsv:2"),
        (["--format", "germeval", "--task", "mood", "--train", "{bad}"], "invalid choice: 'mood'"),
        (["--format", "germeval", "--task", "sentiment", "--train", "{few}"], "too few labels"),
        (["--format", "airline", "--task", "sentiment", "--train", "{bad}"], "missing columns"),
    ],
)
def test_call_command_errors(tmp_path, arguments, message):
    bad = write(tmp_path / "bad.tsv", "u\tt\ttrue\tneutral\nu2\tt2\n")
    few = write(tmp_path / "few.tsv", to_tsv(germeval_like(20, 1)))
    filled = [a.format(bad=bad, few=few) for a in arguments]
    with pytest.raises(CommandError, match=message):
        call_command("insights", "evaluate", *filled, "--test", str(few))


def test_call_command_refuses_a_predictions_folder_that_is_not_there(tmp_path):
    data = write(tmp_path / "d.tsv", to_tsv(germeval_like(60, 1)))
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "insights", "evaluate", "--format", "germeval", "--task", "relevance",
            "--train", str(data), "--test", str(data), "--predictions", str(tmp_path / "no" / "p"),
        )  # fmt: skip


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def germeval_dev() -> list[Document]:
    return read_germeval(GERMEVAL / "supergleber" / "2017_dev.tsv")


@pytest.fixture(scope="module")
def germeval_test() -> list[Document]:
    return read_germeval(GERMEVAL / "xml-2017-09-15" / "test_syn-2017-09-15.xml")


needs_germeval = pytest.mark.skipif(
    not (GERMEVAL / "supergleber" / "2017_dev.tsv").is_file(), reason="../shared data not present"
)


@needs_germeval
def test_real_germeval_files_read_as_described(germeval_dev, germeval_test):
    assert len(germeval_dev) == 2584 and len(germeval_test) == 2566
    assert sum(d.relevance for d in germeval_test) == 2095
    assert sum(bool(d.categories) for d in germeval_test) == 2095
    six_columns = read_germeval(GERMEVAL / "supergleber" / "2017_test.tsv")
    assert [(d.id, d.relevance, d.sentiment, d.categories) for d in six_columns] == [
        (d.id, d.relevance, d.sentiment, d.categories) for d in germeval_test
    ]


@needs_germeval
@pytest.mark.parametrize("task", ["relevance", "sentiment", "topics"])
def test_real_germeval_beats_the_majority_class(germeval_dev, germeval_test, task):
    report = evaluate(task, germeval_dev, germeval_test)
    if task == "topics":
        # Predicting the most frequent category ("Allgemein") everywhere: 0.442 in the
        # GermEval 2017 overview, which this reproduces.
        baseline = report.baseline_germeval_score
        assert baseline == pytest.approx(0.442, abs=0.001)
        assert report.germeval_score is not None and baseline is not None
        assert report.germeval_score > baseline + 0.05
        assert report.micro_f1 > report.baseline_micro_f1
    else:
        assert report.micro_f1 > report.baseline_micro_f1 + 0.01
        assert report.macro_f1 > 0.5


@pytest.mark.skipif(not AIRLINE.is_file(), reason="../shared data not present")
@pytest.mark.parametrize("task", ["sentiment", "topics"])
def test_real_airline_beats_the_majority_class(tmp_path, task):
    documents = read_airline(AIRLINE)
    assert len(documents) == 14640
    # A deterministic split of part of the file (the whole takes longer than a unit test
    # should): tweets whose id is divisible by 5 are tested on, so a repeated tweet never
    # lands on both sides.
    part = documents[:6000]
    train = [d for d in part if int(d.id) % 5]
    test = [d for d in part if not int(d.id) % 5]
    report = evaluate(task, train, test)
    assert report.micro_f1 > report.baseline_micro_f1 + 0.1


def test_reports_are_json_ready():
    report = evaluate("relevance", germeval_like(80, 1), germeval_like(20, 2))
    figures = report.as_dict()
    assert "predictions" not in figures
    json.dumps(figures)
    assert evaluation.Report.__dataclass_fields__.keys() >= {"micro_f1", "macro_f1"}
