"""Time the "needs reply" detector and the language guesser on short posts.

Run from the repository root:

    .venv/bin/python bench/bench_needs_reply.py [--count 20000] [--repeat 5] [--generated]

The posts come from the shared data folder (../shared/data: real support tweets in English
and German tweets to a railway) when it is there, otherwise from generated posts. Each
function runs over the same posts; the best of the repeats counts, and a plain
`"?" in text` check measured in the same run shows what the machine does at full speed
("× slower" is how many times longer a function takes than that check).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    from socialdesk.insights.language import guess_language
    from socialdesk.insights.needs_reply import explain_needs_reply, needs_reply
except ImportError:  # A checkout without `pip install -e .`: use its sources.
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from socialdesk.insights.language import guess_language
    from socialdesk.insights.needs_reply import explain_needs_reply, needs_reply

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = (Path.cwd().parent / "shared" / "data", ROOT.parent / "shared" / "data")
ENGLISH_CSV = Path("twcs-customer-support-on-twitter", "random_sample_5000.csv")
GERMAN_TSV = Path("germeval2017-db-absa", "supergleber", "2017_dev.tsv")
HANDLES = ("AppleSupport", "@AmazonHelp", "SpotifyCares", "DB_Bahn", "nordbahn", "telvia")

# Fragments of invented posts, combined at random when no shared data is there.
OPENINGS = ["@nordbahn", "@telvia", "@streamio_de", "Hi @streamio,", "Hallo @telvia_de,", ""]
MIDDLES = [
    "why is my train late again",
    "warum fällt der RE7 schon wieder aus",
    "the app keeps crashing since the update",
    "seit 3 Tagen kein Netz in Köln",
    "love the new season, great work",
    "danke, super Service",
    "could you check my last bill",
    "könnt ihr mir sagen, wann der Zug kommt",
    "still waiting for my refund",
    "ich warte immer noch auf eine Antwort",
    "just finished the finale",
    "Zugbegleiterin war total nett",
]
ENDINGS = ["?", "!", ".", "?!", " 😡", " 👍", " https://example.com/x?y=1", ""]


def shared_texts() -> list[str]:
    """Return the posts of the shared data folder, or [] when it is not there."""
    for folder in DATA_DIRS:
        english = folder / ENGLISH_CSV
        if not english.is_file():
            continue
        with english.open(encoding="utf-8", newline="") as file:
            texts = [row["text"] for row in csv.DictReader(file)]
        german = folder / GERMAN_TSV
        if german.is_file():
            with german.open(encoding="utf-8") as file:
                # Column 2 is the post; only tweets are short posts like the ones we get.
                texts += [
                    line.split("\t")[1] for line in file if "twitter.com" in line.split("\t")[0]
                ]
        return texts
    return []


def generated_texts(count: int) -> list[str]:
    """Return `count` invented posts in English and German."""
    chooser = random.Random(20251127)  # Fixed seed: every run times the same posts.
    return [
        " ".join((chooser.choice(OPENINGS), chooser.choice(MIDDLES))).strip()
        + chooser.choice(ENDINGS)
        for _ in range(count)
    ]


def rate(function: Callable[[str], object], texts: list[str], repeat: int) -> float:
    """Return the best texts per second of `function` over `texts` in `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def cycle(texts: list[str], count: int) -> list[str]:
    """Return `count` texts, repeating `texts` as often as needed."""
    source: Iterator[str] = itertools.cycle(texts)
    return list(itertools.islice(source, count))


def main() -> None:
    """Measure each function and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="posts per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per function")
    parser.add_argument(
        "--generated", action="store_true", help="use generated posts even if shared data is there"
    )
    arguments = parser.parse_args()

    shared = [] if arguments.generated else shared_texts()
    origin = "shared data" if shared else "generated posts"
    texts = cycle(shared, arguments.count) if shared else generated_texts(arguments.count)
    average = sum(map(len, texts)) / len(texts)

    functions: list[tuple[str, Callable[[str], object], int]] = [
        ('baseline: "?" in text', lambda text: "?" in text, 0),
        ("guess_language(text)", guess_language, 50_000),
        ("needs_reply(text)", needs_reply, 20_000),
        ('needs_reply(text, language="en")', lambda text: needs_reply(text, language="en"), 20_000),
        (
            "needs_reply(text, company_handles=…)",
            lambda t: needs_reply(t, company_handles=HANDLES),
            0,
        ),
        ("explain_needs_reply(text)", explain_needs_reply, 0),
    ]
    print(f"{len(texts):,} posts from {origin}, {average:.0f} characters on average")
    print(f"best of {arguments.repeat} runs, one core\n")
    print(f"{'function':40} {'texts/s':>12} {'µs/text':>9} {'× slower':>11} {'target':>9}")
    baseline = 0.0
    for name, function, target in functions:
        per_second = rate(function, texts, arguments.repeat)
        baseline = baseline or per_second
        verdict = "" if not target else (" ok" if per_second >= target else " SLOW")
        goal = f"{target:,}" if target else "-"
        print(
            f"{name:40} {per_second:12,.0f} {1e6 / per_second:9.2f} "
            f"{baseline / per_second:10.0f}× {goal:>9}{verdict}"
        )


if __name__ == "__main__":
    main()
