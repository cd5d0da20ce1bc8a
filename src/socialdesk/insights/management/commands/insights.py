"""`socialdesk insights evaluate`: train as the product trains, and score on a test file."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from socialdesk.insights import classify, evaluation
from socialdesk.insights.evaluation import Document, LayoutError, Report

READERS: dict[str, Callable[[Path], list[Document]]] = {
    "germeval": evaluation.read_germeval,
    "airline": evaluation.read_airline,
}
FORMAT_NAMES = {"germeval": "GermEval 2017", "airline": "Twitter US Airline Sentiment"}

EVALUATE_HELP = """\
Train exactly as the product trains on its own labels, on the --train files, then predict
and score the --test file: per-label precision, recall, F1 and support, micro-F1 and
macro-F1, the majority-class baseline, documents and seconds. For topics only documents
with gold categories count, and the GermEval 2017 score (sum of |gold ∩ predicted| over
sum of |gold ∪ predicted|) is given beside the multi-label micro-F1. --format germeval
reads the GermEval 2017 TSV (5 or 6 columns) and XML layouts; --format airline reads the
Twitter US Airline Sentiment CSV (sentiment; topics are the negative reasons).
"""


class Command(BaseCommand):
    help = "Evaluate the insights classifiers on labelled data sets."
    # Reads files and prints figures; no database, so no system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        evaluate = sub.add_parser(
            "evaluate",
            help="train on labelled files and score a test file",
            description=EVALUATE_HELP,
        )
        evaluate.add_argument("--format", required=True, choices=sorted(READERS))
        evaluate.add_argument("--task", required=True, choices=classify.TASKS)
        evaluate.add_argument(
            "--train", required=True, action="append", metavar="FILE", help="repeat for several"
        )
        evaluate.add_argument("--test", required=True, metavar="FILE")
        evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
        evaluate.add_argument(
            "--predictions",
            metavar="OUT",
            help="write one line per test document: its id, a tab, the predicted label "
            "(topics: the categories separated by spaces, spaces inside a name as _)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_format: str = options["format"]
        task: classify.Task = options["task"]
        if data_format == "airline" and task == "relevance":
            raise CommandError(
                "the airline file has no relevance labels (every tweet is addressed to an "
                "airline); use --task sentiment or --task topics (the negative reasons)"
            )
        out = Path(options["predictions"]) if options["predictions"] else None
        if out is not None and not out.parent.is_dir():
            raise CommandError(f"--predictions: the folder {out.parent} does not exist")
        train = [d for path in options["train"] for d in self._read(data_format, path)]
        test = self._read(data_format, options["test"])
        try:
            report = evaluation.evaluate(task, train, test)
        except classify.NotEnoughLabels as error:
            raise CommandError(f"the training files have too few labels: {error}") from None
        if out is not None:
            with out.open("w", encoding="utf-8", newline="\n") as file:
                file.writelines(f"{doc_id}\t{label}\n" for doc_id, label in report.predictions)
        if options["json"]:
            figures = {"format": data_format, **report.as_dict()}
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(_table(data_format, report, options["train"], options["test"]))

    @staticmethod
    def _read(data_format: str, name: str) -> list[Document]:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"no such file: {name}")
        try:
            return READERS[data_format](path)
        except LayoutError as error:
            raise CommandError(f"not a {FORMAT_NAMES[data_format]} file: {error}") from None
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error.strerror}") from None


def _table(data_format: str, report: Report, train: list[str], test: str) -> str:
    """Return the human-readable report."""
    width = max([len("label"), *(len(s.label) for s in report.labels)])
    title = f"{FORMAT_NAMES[data_format]}, task {report.task}"
    if data_format == "airline" and report.task == "topics":
        title += " (the negative reasons)"
    lines = [
        title,
        f"  train: {', '.join(train)}",
        f"  test:  {test}",
        "",
        f"{'label':<{width}}  {'precision':>9}  {'recall':>6}  {'F1':>6}  {'support':>7}",
    ]
    lines += [
        f"{s.label:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:6.3f}  {s.support:7,}"
        for s in report.labels
    ]
    lines.append("")
    figures: list[tuple[str, str]] = []
    if report.germeval_score is not None:
        figures.append(("GermEval 2017 score (Σ|G∩P| / Σ|G∪P|)", f"{report.germeval_score:.3f}"))
        figures.append(("micro-F1 (multi-label)", f"{report.micro_f1:.3f}"))
        baseline = f"{report.baseline_germeval_score or 0:.3f} (GermEval score), "
        baseline += f"{report.baseline_micro_f1:.3f} (micro-F1)"
    else:
        figures.append(("micro-F1 (= accuracy)", f"{report.micro_f1:.3f}"))
        baseline = f"{report.baseline_micro_f1:.3f}"
    figures += [
        ("macro-F1", f"{report.macro_f1:.3f}"),
        (f"majority-class baseline ({report.baseline_label})", baseline),
        (
            "documents scored",
            f"{report.scored:,} of {report.documents:,}"
            + (" (those with gold categories)" if report.task == "topics" else ""),
        ),
        (
            "training",
            f"{report.seconds_training:.2f} s on {report.trained_on:,} documents"
            + (
                f" ({report.duplicates_dropped:,} repeated ids dropped)"
                if report.duplicates_dropped
                else ""
            ),
        ),
        (
            "predicting",
            f"{report.seconds_predicting:.2f} s, {report.items_per_second:,.0f} items/s",
        ),
    ]
    if report.untrained:
        left = ", ".join(f"{t} ({n} more)" for t, n in sorted(report.untrained.items()))
        figures.append(("not learnt, too few labels", left))
    label_width = max(len(name) for name, _ in figures)
    lines += [f"{name:<{label_width}}  {value}" for name, value in figures]
    return "\n".join(lines)
