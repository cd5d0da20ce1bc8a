"""Synthetic corpus shaped like the "Customer Support on Twitter" (twcs) CSV.

The importer and the KPI command are benchmarked on files of up to a few million rows, which
we cannot ship. This module writes look-alikes: the same columns and field formats as twcs.csv,
threads of customer tweets and company replies whose sizes, reply delays and row mix follow
numbers measured on real excerpts (the constants of `twcs_shape`), and texts made from our own small
English and German templates -- no text of the real data is reused.

Layout (the header line is exactly this)::

    tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id

* ``inbound`` is ``True`` for customers (numeric ``author_id``) and ``False`` for company
  accounts (``author_id`` is an invented brand handle such as ``NordlichtBahn``);
* ``created_at`` looks like ``Tue Oct 31 22:10:47 +0000 2017``;
* ``response_tweet_id`` holds the ids of all replies, comma-separated (quoted in the CSV), or is
  empty; ``in_response_to_tweet_id`` is the parent id written as a float (``3.0``) or empty;
* customer texts begin with ``@Brand``, company replies with ``@<customer id>``; texts contain
  commas, quotes, umlauts, emoji and sometimes newlines.

Every reply's parent is in the corpus, ids are unique and start at 1, and -- as in the real
file -- the rows come out in ascending id order while the ids inside a thread (and, a little,
between neighbouring threads) are shuffled, so children may precede their parents.

API::

    generate(rows, *, seed=1, brands=8, start=None, shuffle=True, unanswered_share=0.02)
        -> Iterator[dict[str, str]]                   # rows, values exactly as in the CSV
    generate_with_truth(rows, **same) -> Iterator[dict[str, str] | ThreadTruth]
    write_csv(path, rows, *, truth_path=None, **same) -> int
    read_truth(path) -> Iterator[ThreadTruth]

Generation streams thread by thread; memory stays constant (one window of about
``WINDOW_ROWS`` rows). The same arguments give the same rows on the same Python version.

Command line (from the repository root)::

    .venv/bin/python -m bench.twcs_corpus --rows 1000000 --out /tmp/twcs_1m.csv \\
        [--truth /tmp/twcs_1m_truth.csv] [--seed 1] [--brands 8] [--start 2017-10-03] \\
        [--unanswered-share 0.02] [--no-shuffle]

It prints the rows written and the seconds taken.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import string
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import twcs_shape as shape
from bench import twcs_texts
from bench.twcs_shape import (
    Thread,
    ThreadTruth,
    brand_table,
    compile_templates,
    log_normal,
    read_truth,
    truth_row,
)

__all__ = ["ThreadTruth", "generate", "generate_with_truth", "main", "read_truth", "write_csv"]


class _Generator:
    def __init__(
        self, rows: int, seed: int, brands: int, start: datetime | None, unanswered_share: float
    ) -> None:
        if rows < 0:
            raise ValueError("rows must not be negative")
        if not 0.0 <= unanswered_share <= 1.0:
            raise ValueError("unanswered_share must be between 0 and 1")
        start = shape.DEFAULT_START if start is None else start
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.rows = rows
        self.rng = random.Random(seed)
        self.start_day = int(start.timestamp()) // 86400
        self.brands = brand_table(brands)
        self.unanswered_share = unanswered_share
        total = sum(brand.weight for brand in self.brands)
        self.brand_cum = list(_accumulate(brand.weight / total for brand in self.brands))
        self.brand_delay = [log_normal(b.median_delay, b.p90_delay) for b in self.brands]
        self.follow_up = log_normal(*shape.FOLLOW_UP_DELAY)
        self.same_role = log_normal(*shape.SAME_ROLE_GAP)
        self.later_shift = math.log(shape.LATER_REPLY_FACTOR)
        counts = [(length, float(n)) for length, n in shape.THREAD_LENGTH_COUNTS.items()]
        counts.append((0, float(shape.TAIL_THREADS)))  # 0 stands for "draw from the tail"
        weight_sum = sum(n for _, n in counts)
        self.length_values = [length for length, _ in counts]
        self.length_cum = list(_accumulate(n / weight_sum for _, n in counts))
        hour_sum = sum(shape.HOUR_WEIGHTS)
        self.hour_cum = list(_accumulate(w / hour_sum for w in shape.HOUR_WEIGHTS))
        self.openers = {key: compile_templates(texts) for key, texts in twcs_texts.OPENERS.items()}
        self.second = {
            key: compile_templates(texts) for key, texts in twcs_texts.SECOND_SENTENCES.items()
        }
        self.follow_ups = {
            key: compile_templates(texts) for key, texts in twcs_texts.CUSTOMER_FOLLOW_UPS.items()
        }
        self.first_replies = {
            key: compile_templates(texts) for key, texts in twcs_texts.FIRST_REPLIES.items()
        }
        self.later_replies = {
            key: compile_templates(texts) for key, texts in twcs_texts.LATER_REPLIES.items()
        }
        self.company_second = {
            key: compile_templates(texts)
            for key, texts in twcs_texts.COMPANY_SECOND_SENTENCES.items()
        }
        alphabet = string.ascii_letters + string.digits
        self.tokens = tuple(
            "".join(self.rng.choice(alphabet) for _ in range(10)) for _ in range(997)
        )
        self.recent_customers: list[str] = []
        self.next_customer = shape.FIRST_CUSTOMER_ID
        self.day_cache: dict[int, tuple[str, str]] = {}

    # -- small helpers ------------------------------------------------------------------------

    def pick(self, cumulative: list[float]) -> int:
        value = self.rng.random()
        for index, limit in enumerate(cumulative):
            if value < limit:
                return index
        return len(cumulative) - 1

    def delay(self, mu: float, sigma: float) -> int:
        seconds = math.exp(self.rng.gauss(mu, sigma))
        return max(1, min(shape.MAX_DELAY, round(seconds)))

    def fill(self, template: tuple[str, tuple[str, ...]], lang: str) -> str:
        text, slots = template
        if not slots:
            return text
        rng = self.rng
        values: dict[str, str] = {}
        for name in slots:
            if name == "n":
                values[name] = str(rng.randint(2, 90))
            elif name == "order":
                values[name] = f"#{rng.randrange(1_000_000, 10_000_000)}"
            elif name == "code":
                values[name] = f"E{rng.randrange(100, 1000)}"
            elif name == "tok":
                values[name] = rng.choice(self.tokens)
            else:
                values[name] = rng.choice(twcs_texts.SLOT_VALUES[lang][name])
        return text.format_map(values)

    def format_time(self, ts: int) -> str:
        day, seconds = divmod(ts, 86400)
        parts = self.day_cache.get(day)
        if parts is None:
            moment = datetime.fromtimestamp(day * 86400, UTC)
            prefix = f"{shape.DAY_NAMES[moment.weekday()]} {shape.MONTH_NAMES[moment.month - 1]} {moment.day:02d} "
            parts = (prefix, f" +0000 {moment.year}")
            self.day_cache[day] = parts
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{parts[0]}{hours:02d}:{minutes:02d}:{secs:02d}{parts[1]}"

    # -- texts --------------------------------------------------------------------------------

    def join(self, first: str, second: str) -> str:
        separator = "\n" if self.rng.random() < shape.P_NEWLINE_BETWEEN else " "
        return f"{first}{separator}{second}"

    def customer_text(self, handle: str, lang: str, domain: str, first: bool) -> str:
        rng = self.rng
        if first:
            pool = self.openers[(lang, domain if rng.random() < 0.65 else "any")]
            body = self.fill(rng.choice(pool), lang)
            if rng.random() < shape.P_SECOND_SENTENCE:
                body = self.join(body, self.fill(rng.choice(self.second[lang]), lang))
            if len(self.brands) > 1 and rng.random() < shape.P_EXTRA_MENTION:
                other = self.brands[rng.randrange(len(self.brands))].handle
                if other != handle:
                    handle = f"{handle} @{other}"
        else:
            body = self.fill(rng.choice(self.follow_ups[lang]), lang)
        if rng.random() < shape.P_EMOJI:
            body = f"{body} {rng.choice(twcs_texts.EMOJI)}"
        return f"@{handle} {body}"

    def company_text(self, customer_id: str, lang: str, first: bool) -> str:
        rng = self.rng
        pool = self.first_replies[lang] if first else self.later_replies[lang]
        body = self.fill(rng.choice(pool), lang)
        if rng.random() < shape.P_COMPANY_SECOND_SENTENCE:
            body = self.join(body, rng.choice(self.company_second[lang])[0])
        if rng.random() < shape.P_SIGNATURE:
            body += rng.choice(twcs_texts.SIGNATURES)
        return f"@{customer_id} {body}"

    # -- threads ------------------------------------------------------------------------------

    def customer(self) -> str:
        rng = self.rng
        recent = self.recent_customers
        if recent and rng.random() < shape.P_RETURNING_CUSTOMER:
            return rng.choice(recent)
        customer_id = str(self.next_customer)
        self.next_customer += 1 + rng.randrange(3)
        if len(recent) < shape.RECENT_CUSTOMERS:
            recent.append(customer_id)
        else:
            recent[rng.randrange(shape.RECENT_CUSTOMERS)] = customer_id
        return customer_id

    def thread_length(self, remaining: int) -> int:
        rng = self.rng
        if rng.random() < self.unanswered_share:
            length = 1
        else:
            length = self.length_values[self.pick(self.length_cum)]
            if length == 0:
                length = rng.randint(*shape.TAIL_LENGTHS)
        return min(length, remaining)

    def thread(self, length: int, done: int) -> Thread:
        rng = self.rng
        brand_index = self.pick(self.brand_cum)
        brand = self.brands[brand_index]
        handle = brand.handle
        lang = "de" if rng.random() < brand.german_share else "en"
        domain = brand.domain
        customer_id = self.customer()
        mu, sigma = self.brand_delay[brand_index]
        later_mu = mu + self.later_shift
        fu_mu, fu_sigma = self.follow_up
        same_mu, same_sigma = self.same_role

        day = self.start_day + (done * shape.SPAN_DAYS) // self.rows
        t0 = day * 86400 + self.pick(self.hour_cum) * 3600 + rng.randrange(3600)

        inbound = [True]
        authors = [customer_id]
        times = [t0]
        texts = [self.customer_text(handle, lang, domain, True)]
        parents = [-1]
        first_reply_ts: int | None = None
        if length >= 2:
            # The first company reply comes after a delay drawn from the brand's profile,
            # counted from the thread start; sometimes the customer tweets again meanwhile.
            reply_ts = t0 + self.delay(mu, sigma)
            if length >= 3 and rng.random() < shape.P_CUSTOMER_SECOND:
                inbound.append(True)
                authors.append(customer_id)
                times.append(t0 + max(1, (reply_ts - t0) // 2))
                texts.append(self.customer_text(handle, lang, domain, False))
                parents.append(0)
            if reply_ts <= times[-1]:
                reply_ts = times[-1] + 1
            inbound.append(False)
            authors.append(handle)
            times.append(reply_ts)
            texts.append(self.company_text(customer_id, lang, True))
            parents.append(len(parents) - 1)
            first_reply_ts = reply_ts
        while len(inbound) < length:
            last = len(inbound) - 1
            prev_inbound = inbound[last]
            roll = rng.random()
            if roll < shape.P_SIBLING + shape.P_SELF_CHAIN:
                is_inbound = prev_inbound
                parent = parents[last] if roll < shape.P_SIBLING else last
                ts = times[last] + self.delay(same_mu, same_sigma)
            else:
                is_inbound = not prev_inbound
                parent = last
                if roll < shape.P_SIBLING + shape.P_SELF_CHAIN + shape.P_ANSWER_EARLIER:
                    earlier = [i for i in range(last) if inbound[i] == prev_inbound]
                    if earlier:
                        parent = rng.choice(earlier)
                if is_inbound:
                    ts = times[last] + self.delay(fu_mu, fu_sigma)
                else:
                    ts = times[last] + self.delay(later_mu, sigma)
            inbound.append(is_inbound)
            authors.append(customer_id if is_inbound else handle)
            times.append(ts)
            if is_inbound:
                texts.append(self.customer_text(handle, lang, domain, False))
            else:
                texts.append(self.company_text(customer_id, lang, False))
            parents.append(parent)
        return Thread(handle, customer_id, inbound, authors, times, texts, parents, first_reply_ts)

    # -- output -------------------------------------------------------------------------------

    def windows(self, shuffle: bool) -> Iterator[tuple[list[tuple[str, ...]], list[ThreadTruth]]]:
        """Yield (rows as CSV tuples, truth of the window's threads) per window."""
        done = 0
        next_id = 1
        rng = self.rng
        while done < self.rows:
            threads: list[Thread] = []
            window_rows = 0
            while window_rows < shape.WINDOW_ROWS and done < self.rows:
                thread = self.thread(self.thread_length(self.rows - done), done)
                threads.append(thread)
                size = len(thread.inbound)
                window_rows += size
                done += size
            order = [(t, i) for t, thread in enumerate(threads) for i in range(len(thread.inbound))]
            if shuffle:
                keys = [t + rng.random() * shape.SHUFFLE_SPREAD for t, _ in order]
                order = [order[k] for k in sorted(range(len(order)), key=keys.__getitem__)]
            ids: list[list[str]] = [[""] * len(thread.inbound) for thread in threads]
            for offset, (t, i) in enumerate(order):
                ids[t][i] = str(next_id + offset)
            next_id += len(order)
            children: list[list[list[str]]] = []
            for t, thread in enumerate(threads):
                kids: list[list[str]] = [[] for _ in thread.parents]
                for i, parent in enumerate(thread.parents):
                    if parent >= 0:
                        kids[parent].append(ids[t][i])
                children.append(kids)
            out: list[tuple[str, ...]] = []
            for t, i in order:
                thread = threads[t]
                parent = thread.parents[i]
                out.append(
                    (
                        ids[t][i],
                        thread.authors[i],
                        "True" if thread.inbound[i] else "False",
                        self.format_time(thread.times[i]),
                        thread.texts[i],
                        ",".join(children[t][i]),
                        f"{ids[t][parent]}.0" if parent >= 0 else "",
                    )
                )
            truths = [
                ThreadTruth(
                    ids[t][0],
                    thread.brand,
                    thread.customer_id,
                    len(thread.inbound),
                    thread.times[0],
                    thread.first_reply_ts,
                )
                for t, thread in enumerate(threads)
            ]
            yield out, truths


def _accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def _windows(
    rows: int,
    seed: int,
    brands: int,
    start: datetime | None,
    shuffle: bool,
    unanswered_share: float,
) -> Iterator[tuple[list[tuple[str, ...]], list[ThreadTruth]]]:
    return _Generator(rows, seed, brands, start, unanswered_share).windows(shuffle)


def generate(
    rows: int,
    *,
    seed: int = 1,
    brands: int = 8,
    start: datetime | None = None,
    shuffle: bool = True,
    unanswered_share: float = shape.DEFAULT_UNANSWERED_SHARE,
) -> Iterator[dict[str, str]]:
    """Yield `rows` corpus rows as dicts keyed by shape.FIELDS, values as written to the CSV.

    Threads start between `start` (default 2017-10-03 UTC; a naive datetime counts as UTC) and
    shape.SPAN_DAYS later; `brands` company accounts share them (see brand_table). With
    `shuffle=False` every thread's rows come out together in time order.
    """
    for out, _ in _windows(rows, seed, brands, start, shuffle, unanswered_share):
        for values in out:
            yield dict(zip(shape.FIELDS, values, strict=True))


def generate_with_truth(
    rows: int,
    *,
    seed: int = 1,
    brands: int = 8,
    start: datetime | None = None,
    shuffle: bool = True,
    unanswered_share: float = shape.DEFAULT_UNANSWERED_SHARE,
) -> Iterator[dict[str, str] | ThreadTruth]:
    """Like generate() (same rows for the same arguments), with the ground truth mixed in.

    After the rows of each window comes one ThreadTruth per thread of that window, so every
    ThreadTruth follows all rows of its thread. Tell them apart with isinstance().
    """
    for out, truths in _windows(rows, seed, brands, start, shuffle, unanswered_share):
        for values in out:
            yield dict(zip(shape.FIELDS, values, strict=True))
        yield from truths


def write_csv(
    path: str | Path,
    rows: int,
    *,
    truth_path: str | Path | None = None,
    seed: int = 1,
    brands: int = 8,
    start: datetime | None = None,
    shuffle: bool = True,
    unanswered_share: float = shape.DEFAULT_UNANSWERED_SHARE,
) -> int:
    """Write a corpus of `rows` rows to `path` (UTF-8); return the number of rows written.

    With `truth_path`, also write one line per thread there: shape.TRUTH_FIELDS, times in ISO 8601
    UTC, first_reply_at and first_reply_seconds empty for unanswered threads. read_truth()
    reads it back.
    """
    written = 0
    with ExitStack() as files:
        writer = csv.writer(files.enter_context(_open_for_writing(path)))
        writer.writerow(shape.FIELDS)
        truth_writer = None
        if truth_path is not None:
            truth_writer = csv.writer(files.enter_context(_open_for_writing(truth_path)))
            truth_writer.writerow(shape.TRUTH_FIELDS)
        for out, truths in _windows(rows, seed, brands, start, shuffle, unanswered_share):
            writer.writerows(out)
            written += len(out)
            if truth_writer is not None:
                truth_writer.writerows(map(truth_row, truths))
    return written


def _open_for_writing(path: str | Path) -> TextIO:
    return Path(path).open("w", encoding="utf-8", newline="")


def main(argv: list[str] | None = None, out: Callable[[str], object] = print) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.twcs_corpus",
        description="Write a synthetic corpus shaped like the twcs customer support CSV.",
    )
    parser.add_argument("--rows", type=int, required=True, help="number of rows to write")
    parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
    parser.add_argument("--truth", type=Path, help="also write the per-thread ground truth here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--brands", type=int, default=8)
    parser.add_argument(
        "--start",
        type=datetime.fromisoformat,
        help="earliest thread start, ISO 8601 (default 2017-10-03, UTC)",
    )
    parser.add_argument(
        "--unanswered-share", type=float, default=shape.DEFAULT_UNANSWERED_SHARE, metavar="SHARE"
    )
    parser.add_argument(
        "--no-shuffle", action="store_true", help="write each thread's rows together, in order"
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    written = write_csv(
        args.out,
        args.rows,
        truth_path=args.truth,
        seed=args.seed,
        brands=args.brands,
        start=args.start,
        shuffle=not args.no_shuffle,
        unanswered_share=args.unanswered_share,
    )
    seconds = time.perf_counter() - began
    out(f"{written} rows written to {args.out} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
