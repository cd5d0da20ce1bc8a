"""Time `Model.predict` of the insights classifiers on one core.

Run from the repository root:

    .venv/bin/python bench/bench_classify.py [--count 20000] [--single 4000] [--repeat 3]
        [--generated]

Goal (from the issue): at least 2,000 items/s per core for classification.

Each task's model (relevance, sentiment, topics) is trained first: on the GermEval 2017 dev
set when ../shared/data is there (its texts are German tweets, Facebook comments and news
snippets, 490 characters on average), otherwise on generated posts. The predicted texts
are the GermEval synchronic test texts, repeated up to --count, or generated posts.

One core: the process is pinned to one CPU (`os.sched_setaffinity`, Linux) and numpy's
BLAS and OpenMP pools are held to one thread (threadpoolctl). Each figure is the best of
--repeat runs over the same texts:

* "in batches": `Model.predict` on 1,000 texts at a time (a background reclassification);
* "one at a time": `Model.predict([text])` per text (how the app classifies a new item).

Baselines measured in the same run on the same texts: `str.lower()` (what the machine does
at full speed; "× lower" says how many times longer an item takes), the keyword rules and
the sentiment lexicon that serve before there are enough labels, and the feature extraction
alone (`classify.analyse`), which is most of a prediction's time.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

try:
    from socialdesk.insights import classify
    from socialdesk.insights.evaluation import Document, read_germeval
except ImportError:  # A checkout without `pip install -e .`: use its sources.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from socialdesk.insights import classify
    from socialdesk.insights.evaluation import Document, read_germeval

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = (Path.cwd().parent / "shared" / "data", ROOT.parent / "shared" / "data")
GERMEVAL = Path("germeval2017-db-absa")
TRAIN_FILE = GERMEVAL / "supergleber" / "2017_dev.tsv"
TEST_FILE = GERMEVAL / "xml-2017-09-15" / "test_syn-2017-09-15.xml"
GOAL = 2_000
BATCH = 1_000

# Fragments of invented posts, for when the shared data is not there.
TOPICS = {
    "Pünktlichkeit": ["der RE7 hat 20 Minuten Verspätung", "train cancelled again, no info"],
    "Ticketkauf": ["Ticketautomat nimmt keine Karte", "charged twice for my ticket"],
    "App & Website": ["die App stürzt ständig ab", "website login broken since Monday"],
    "Personal": ["Zugbegleiterin war sehr nett", "the conductor was rude to us"],
}
MOODS = {
    "negative": ["echt ärgerlich", "so annoying 😡", "unfassbar"],
    "neutral": ["", "any news?", "Gleis 4"],
    "positive": ["danke!", "great job 👍", "super"],
}
NOISE = ["Grillen im Park heute", "new album out friday", "Modelleisenbahn fertig", "Katzenfoto"]


def generated(count: int, seed: int) -> list[Document]:
    """Return `count` invented labelled posts, the same for the same seed."""
    chooser = random.Random(seed)
    documents = []
    for index in range(count):
        if index % 4 == 3:
            text = f"{chooser.choice(NOISE)} {index}"
            documents.append(Document(str(index), text, False, "neutral"))
            continue
        topic = chooser.choice(sorted(TOPICS))
        sentiment = chooser.choice(sorted(MOODS))
        text = " ".join(
            (chooser.choice(["@nordbahn", "Hallo @nordbahn,", "@northrail"]),
             chooser.choice(TOPICS[topic]), chooser.choice(MOODS[sentiment]))
        )  # fmt: skip
        documents.append(Document(str(index), text, True, sentiment, frozenset({topic})))
    return documents


def data(use_shared: bool) -> tuple[str, list[Document], list[str]]:
    """Return where the texts come from, the training documents and the texts to predict."""
    for folder in DATA_DIRS if use_shared else ():
        if (folder / TRAIN_FILE).is_file() and (folder / TEST_FILE).is_file():
            train = read_germeval(folder / TRAIN_FILE)
            texts = [d.text for d in read_germeval(folder / TEST_FILE)]
            return "GermEval 2017 (train: dev TSV, predict: test_syn)", train, texts
    return "generated posts", generated(3_000, seed=1), [d.text for d in generated(3_000, seed=2)]


def train_models(documents: list[Document]) -> dict[str, classify.Model]:
    """Train each task's model as the product does."""
    relevance = [classify.Example(d.text, "true" if d.relevance else "false") for d in documents]
    sentiment = [classify.Example(d.text, d.sentiment) for d in documents]
    topics = [classify.Example(d.text, d.categories) for d in documents if d.categories]
    return {
        "relevance": classify.train("relevance", relevance),
        "sentiment": classify.train("sentiment", sentiment),
        "topics": classify.train("topics", topics),
    }


def rate(run: Callable[[Sequence[str]], object], texts: list[str], repeat: int) -> float:
    """Return the best items per second of `run(texts)` in `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def in_batches(predict: Callable[[Sequence[str]], object]) -> Callable[[Sequence[str]], None]:
    def run(texts: Sequence[str]) -> None:
        for start in range(0, len(texts), BATCH):
            predict(texts[start : start + BATCH])

    return run


def one_at_a_time(predict: Callable[[Sequence[str]], object]) -> Callable[[Sequence[str]], None]:
    def run(texts: Sequence[str]) -> None:
        for text in texts:
            predict([text])

    return run


def each(function: Callable[[str], object]) -> Callable[[Sequence[str]], None]:
    def run(texts: Sequence[str]) -> None:
        for text in texts:
            function(text)

    return run


def main() -> None:
    """Train, measure, and print one markdown table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="texts per batch run")
    parser.add_argument("--single", type=int, default=4_000, help="texts per one-at-a-time run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    parser.add_argument(
        "--generated", action="store_true", help="use generated posts even if shared data is there"
    )
    arguments = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    origin, train, source = data(not arguments.generated)
    texts = list(itertools.islice(itertools.cycle(source), arguments.count))
    single = texts[: arguments.single]
    rules = classify.KeywordRules({t: [w.split()[0] for w in words] for t, words in TOPICS.items()})

    with threadpool_limits(limits=1):
        started = time.perf_counter()
        models = train_models(train)
        seconds = time.perf_counter() - started
        rows: list[tuple[str, float, int]] = [
            ("baseline: `str.lower()`", rate(each(str.lower), texts, arguments.repeat), 0),
            ("features alone: `classify.analyse`", rate(each(classify.analyse), texts, 1), 0),
            ("fallback: `KeywordRules.predict`", rate(in_batches(rules.predict), texts, 1), 0),
            ("fallback: `lexicon_sentiment`", rate(each(classify.lexicon_sentiment), texts, 1), 0),
        ]
        for task, model in models.items():
            batch = rate(in_batches(model.predict), texts, arguments.repeat)
            alone = rate(one_at_a_time(model.predict), single, arguments.repeat)
            rows.append((f"{task}: `Model.predict`, in batches of {BATCH:,}", batch, GOAL))
            rows.append((f"{task}: `Model.predict`, one at a time", alone, GOAL))

    average = sum(map(len, texts)) / len(texts)
    print(f"{len(texts):,} texts from {origin}, {average:.0f} characters on average")
    print(f"models trained in {seconds:.1f} s on {len(train):,} documents; one core, best of")
    print(f"{arguments.repeat} runs ({len(single):,} texts for one at a time)\n")
    print("| what | items/s | µs/item | × `str.lower()` | goal |")
    print("|---|---:|---:|---:|---|")
    lower = rows[0][1]
    missed = []
    for name, per_second, goal in rows:
        verdict = "-"
        if goal:
            verdict = f"≥ {goal:,}/s: " + ("met" if per_second >= goal else "MISSED")
            if per_second < goal:
                missed.append(name)
        print(
            f"| {name} | {per_second:,.0f} | {1e6 / per_second:,.1f} | "
            f"{lower / per_second:,.0f} | {verdict} |"
        )
    print()
    if missed:
        print(f"Goal of {GOAL:,} items/s per core missed by: " + "; ".join(missed))
    else:
        print(f"Goal of {GOAL:,} items/s per core met by every task, in batches and one at a time.")


if __name__ == "__main__":
    main()
