"""Synthetic corpus shaped like the "Customer Support on Twitter" (twcs) CSV.

The importer and the KPI command are benchmarked on files of up to a few million rows, which
we cannot ship. This module writes look-alikes: the same columns and field formats as twcs.csv,
threads of customer tweets and company replies whose sizes, reply delays and row mix follow
numbers measured on real excerpts (see the constants below), and texts made from our own small
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import twcs_texts

FIELDS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
TRUTH_FIELDS = (
    "root_tweet_id",
    "brand",
    "customer_id",
    "rows",
    "first_inbound_at",
    "first_reply_at",
    "first_reply_seconds",
)
CREATED_AT_FORMAT = "%a %b %d %H:%M:%S %z %Y"

# ---------------------------------------------------------------------------------------------
# Measured figures. Sources, all under /work/shared/data/:
#   [RT]  twcs-customer-support-on-twitter/derived_response_time_by_author.csv (105 brands,
#         44,488 customer-tweet -> brand-reply pairs derived from twcs; per-brand median/p90)
#   [RS]  twcs-customer-support-on-twitter/random_sample_5000.csv (random 5,000 twcs rows)
#   [TH]  twcs-customer-support-on-twitter/tweets_1000_with_conversation_id.csv, threads
#         rebuilt from in_response_to_tweet_id; the 129 threads that start with a customer tweet
#         and lie wholly inside the excerpt (539 rows)
#   [SRC] twcs-customer-support-on-twitter/SOURCE.md
#   [IBM] ibm-twitter-customer-care-conversations/stats/*.json (a different data set, used only
#         as a cross-check)
# ---------------------------------------------------------------------------------------------

# Rows per thread of answered threads: number of threads per length in [TH] (n=129, mean
# 4.18, median 3). The two longer threads had 18 and 33 rows; lengths of the tail are drawn
# uniformly from TAIL_LENGTHS. Cross-checks: [RS] has 3.58 rows per thread start; [IBM]
# conversation_length_freq.json (11,065 conversations that end in a document link) has
# 81 % two-turn conversations, twcs 47 %.
THREAD_LENGTH_COUNTS: dict[int, int] = {
    2: 61,
    3: 13,
    4: 19,
    5: 8,
    6: 6,
    7: 7,
    8: 2,
    9: 2,
    10: 7,
    11: 2,
}
TAIL_THREADS = 2
TAIL_LENGTHS = (12, 34)  # inclusive range

# Share of customer-started threads that get any reply: [RS] 1,385 of 1,385 thread starts have a
# response_tweet_id, and all 129 threads of [TH] contain a company reply. twcs was collected
# from conversations brands took part in, so it has no unanswered mentions at all; a social
# team's inbox has some, so by default we leave DEFAULT_UNANSWERED_SHARE of the threads (single
# customer tweets) unanswered. Pass unanswered_share=0.0 to mirror twcs exactly.
MEASURED_ANSWERED_SHARE = 1.0
DEFAULT_UNANSWERED_SHARE = 0.02

# Row mix, for comparison with a generated corpus: [RS] 2,718 of 5,000 rows are inbound;
# [TH] complete threads 0.521. Rows with two or more replies: [TH] 33 of 539 = 0.061
# ([RS] 0.079, which also counts replies from outside a brand thread).
MEASURED_INBOUND_SHARE = 0.5436
MEASURED_MULTI_REPLY_SHARE = 0.061

# How threads unfold, in time order ([TH]): the second tweet is the customer's own follow-up
# instead of the company's reply in 11 of the 68 threads with three or more tweets; from the
# third tweet on (281 tweets):
# 40 are a second reply to the same tweet as the tweet before (same author role, "sibling"),
# 13 continue the author's own previous tweet, 13 answer an earlier tweet of the other side
# rather than the latest one, the rest (214) answer the tweet just before.
P_CUSTOMER_SECOND = 11 / 68
P_SIBLING = 40 / 281
P_SELF_CHAIN = 13 / 281
P_ANSWER_EARLIER = 13 / 281

# Delays in seconds as (median, p90); every delay is drawn from a log-normal distribution with
# that median and 90th percentile, clamped to [1 s, MAX_DELAY].
# Customer answering a company tweet ([TH], n=116):
FOLLOW_UP_DELAY = (599.0, 30956.0)
# Same author role tweeting again (second reply, own follow-up) ([TH], n=65):
SAME_ROLE_GAP = (54.0, 8834.0)
# A later company reply is quicker than the first one ([TH]: medians 403.5 s for later
# customer -> company steps (n=100) against 833 s for the first reply (n=129)); later replies use
# the brand's delay scaled by this factor.
LATER_REPLY_FACTOR = 403.5 / 833.0
MAX_DELAY = 30 * 86400
# For comparison: [SRC]/[RT] all pairs median 1,140.5 s, p90 30,222 s, 95.4 % within 24 h;
# [TH] first reply after the first customer tweet median 833 s, p90 18,508 s; [IBM] n/a.

# Brands. Number of brand accounts: 105 in [RT], 100 in the company rows of [RS], 25 in [IBM].
MEASURED_BRAND_COUNT = 105


@dataclass(frozen=True, slots=True)
class Brand:
    """An invented company account with the reply behaviour of one measured brand."""

    handle: str
    domain: str  # picks the topic templates: shop, tech, travel, utility
    german_share: float  # share of threads written in German
    weight: float  # relative share of threads (= n_responses of the measured brand)
    median_delay: float  # seconds from the customer's first tweet to the first reply
    p90_delay: float


# The twelve brands with most response pairs in [RT], in that order (weight = n_responses,
# median_sec, p90_sec): our invented handles stand in for AmazonHelp, AppleSupport,
# Uber_Support, Tesco, SpotifyCares, British_Airways, comcastcares, sainsburys, Delta,
# VirginTrains, AmericanAir and ChipotleTweets. Languages and domains are our own choice.
BRANDS: tuple[Brand, ...] = (
    Brand("ParcelPilotHelp", "shop", 0.03, 6893, 569.0, 1635.0),
    Brand("PixelForgeSupport", "tech", 0.03, 3091, 1902.0, 21150.0),
    Brand("RideNowSupport", "travel", 0.03, 2099, 503.0, 3713.2),
    Brand("MarktFrischDE", "shop", 0.9, 1444, 4170.5, 18407.2),
    Brand("StreamCare", "tech", 0.03, 1336, 1651.0, 8103.5),
    Brand("NordlichtBahn", "travel", 0.9, 1145, 8301.0, 33507.8),
    Brand("TelcoHelp", "utility", 0.03, 1089, 4825.0, 18875.4),
    Brand("GruenStromService", "utility", 0.9, 1077, 19704.0, 101323.6),
    Brand("SkyLarkAir", "travel", 0.03, 1034, 426.0, 3784.6),
    Brand("BankHausHilfe", "utility", 0.9, 986, 221.5, 720.5),
    Brand("QuickBiteCares", "shop", 0.03, 949, 443.0, 1857.6),
    Brand("CloudNestHelp", "tech", 0.03, 879, 805.0, 2242.0),
)

# When threads start: [RS] dates run from 2017-10-03 (1st percentile) to 2017-12-03 (99th),
# so thread starts spread over SPAN_DAYS from `start`; the hour of day follows the number of
# [RS] rows per UTC hour 0..23.
DEFAULT_START = datetime(2017, 10, 3, tzinfo=UTC)
SPAN_DAYS = 61
HOUR_WEIGHTS = (
    200, 202, 169, 150, 117, 143, 129, 146, 140, 123, 157, 158,
    193, 244, 275, 279, 286, 297, 318, 278, 246, 270, 279, 201,
)  # fmt: skip

# Texts ([RS]): share of rows whose text contains a newline 0.039, a comma 0.354, a double
# quote 0.016, any non-ASCII character 0.188; median length 116 characters. Thread starts
# mentioning more than one account: [TH] 16 of 154. The templates and probabilities below are
# tuned so that a generated corpus comes near those shares (they are checked in the tests).
MEASURED_TEXT_SHARES = {"newline": 0.039, "comma": 0.354, "quote": 0.016, "non_ascii": 0.188}
P_EXTRA_MENTION = 16 / 154
P_SECOND_SENTENCE = 0.5  # customer thread starts
P_COMPANY_SECOND_SENTENCE = 0.3
P_NEWLINE_BETWEEN = 0.15  # line break instead of a space between two sentences
P_EMOJI = 0.04
P_SIGNATURE = 0.4

# Customers: a thread usually comes from a new customer; some customers write again (our
# assumption; twcs has about as many customer ids as threads).
P_RETURNING_CUSTOMER = 0.1
RECENT_CUSTOMERS = 1000
FIRST_CUSTOMER_ID = 100001

# Output order: rows are buffered per window of at least WINDOW_ROWS rows (whole threads);
# with shuffle=True each row gets the sort key thread_number + U(0, SHUFFLE_SPREAD), so a
# thread's rows come out in random order and overlap a little with the next thread's.
WINDOW_ROWS = 256
SHUFFLE_SPREAD = 1.5

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_Z90 = 1.2815515655446004  # 90th percentile of the standard normal distribution


@dataclass(frozen=True, slots=True)
class ThreadTruth:
    """What a KPI should find for one thread, independent of any parsing.

    ``first_inbound_ts`` is the time of the customer's first tweet (the thread start),
    ``first_reply_ts`` that of the company's first tweet in the thread, or None if the company
    never replied; both in seconds since the epoch (UTC). ``rows`` counts the thread's tweets.
    """

    root_tweet_id: str
    brand: str
    customer_id: str
    rows: int
    first_inbound_ts: int
    first_reply_ts: int | None

    @property
    def first_inbound_at(self) -> datetime:
        return datetime.fromtimestamp(self.first_inbound_ts, UTC)

    @property
    def first_reply_at(self) -> datetime | None:
        if self.first_reply_ts is None:
            return None
        return datetime.fromtimestamp(self.first_reply_ts, UTC)

    @property
    def first_reply_seconds(self) -> int | None:
        if self.first_reply_ts is None:
            return None
        return self.first_reply_ts - self.first_inbound_ts


# One generated thread: parallel lists in time order; parents are indices into the thread.
@dataclass(slots=True)
class _Thread:
    brand: str
    customer_id: str
    inbound: list[bool]
    authors: list[str]
    times: list[int]
    texts: list[str]
    parents: list[int]
    first_reply_ts: int | None


def _compile(templates: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Pair each template with the names of the slots it uses."""
    formatter = string.Formatter()
    return tuple(
        (text, tuple(name for _, name, _, _ in formatter.parse(text) if name)) for text in templates
    )


def _log_normal(median: float, p90: float) -> tuple[float, float]:
    """The (mu, sigma) of the log-normal distribution with this median and 90th percentile."""
    return math.log(median), math.log(p90 / median) / _Z90


def brand_table(brands: int) -> tuple[Brand, ...]:
    """The first `brands` brands; beyond the twelve named ones, numbered help desks repeat the
    measured profiles with falling weight."""
    if brands < 1:
        raise ValueError("brands must be at least 1")
    table = list(BRANDS[:brands])
    for index in range(len(BRANDS), brands):
        model = BRANDS[index % len(BRANDS)]
        table.append(
            Brand(
                f"HelpDesk{index + 1:03d}",
                model.domain,
                model.german_share,
                BRANDS[-1].weight * len(BRANDS) / (index + 1),
                model.median_delay,
                model.p90_delay,
            )
        )
    return tuple(table)


class _Generator:
    def __init__(
        self, rows: int, seed: int, brands: int, start: datetime | None, unanswered_share: float
    ) -> None:
        if rows < 0:
            raise ValueError("rows must not be negative")
        if not 0.0 <= unanswered_share <= 1.0:
            raise ValueError("unanswered_share must be between 0 and 1")
        start = DEFAULT_START if start is None else start
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.rows = rows
        self.rng = random.Random(seed)
        self.start_day = int(start.timestamp()) // 86400
        self.brands = brand_table(brands)
        self.unanswered_share = unanswered_share
        total = sum(brand.weight for brand in self.brands)
        self.brand_cum = list(_accumulate(brand.weight / total for brand in self.brands))
        self.brand_delay = [_log_normal(b.median_delay, b.p90_delay) for b in self.brands]
        self.follow_up = _log_normal(*FOLLOW_UP_DELAY)
        self.same_role = _log_normal(*SAME_ROLE_GAP)
        self.later_shift = math.log(LATER_REPLY_FACTOR)
        counts = [(length, float(n)) for length, n in THREAD_LENGTH_COUNTS.items()]
        counts.append((0, float(TAIL_THREADS)))  # 0 stands for "draw from the tail"
        weight_sum = sum(n for _, n in counts)
        self.length_values = [length for length, _ in counts]
        self.length_cum = list(_accumulate(n / weight_sum for _, n in counts))
        hour_sum = sum(HOUR_WEIGHTS)
        self.hour_cum = list(_accumulate(w / hour_sum for w in HOUR_WEIGHTS))
        self.openers = {key: _compile(texts) for key, texts in twcs_texts.OPENERS.items()}
        self.second = {key: _compile(texts) for key, texts in twcs_texts.SECOND_SENTENCES.items()}
        self.follow_ups = {
            key: _compile(texts) for key, texts in twcs_texts.CUSTOMER_FOLLOW_UPS.items()
        }
        self.first_replies = {
            key: _compile(texts) for key, texts in twcs_texts.FIRST_REPLIES.items()
        }
        self.later_replies = {
            key: _compile(texts) for key, texts in twcs_texts.LATER_REPLIES.items()
        }
        self.company_second = {
            key: _compile(texts) for key, texts in twcs_texts.COMPANY_SECOND_SENTENCES.items()
        }
        alphabet = string.ascii_letters + string.digits
        self.tokens = tuple(
            "".join(self.rng.choice(alphabet) for _ in range(10)) for _ in range(997)
        )
        self.recent_customers: list[str] = []
        self.next_customer = FIRST_CUSTOMER_ID
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
        return max(1, min(MAX_DELAY, round(seconds)))

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
            prefix = (
                f"{_DAY_NAMES[moment.weekday()]} {_MONTH_NAMES[moment.month - 1]} {moment.day:02d} "
            )
            parts = (prefix, f" +0000 {moment.year}")
            self.day_cache[day] = parts
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{parts[0]}{hours:02d}:{minutes:02d}:{secs:02d}{parts[1]}"

    # -- texts --------------------------------------------------------------------------------

    def join(self, first: str, second: str) -> str:
        separator = "\n" if self.rng.random() < P_NEWLINE_BETWEEN else " "
        return f"{first}{separator}{second}"

    def customer_text(self, handle: str, lang: str, domain: str, first: bool) -> str:
        rng = self.rng
        if first:
            pool = self.openers[(lang, domain if rng.random() < 0.65 else "any")]
            body = self.fill(rng.choice(pool), lang)
            if rng.random() < P_SECOND_SENTENCE:
                body = self.join(body, self.fill(rng.choice(self.second[lang]), lang))
            if len(self.brands) > 1 and rng.random() < P_EXTRA_MENTION:
                other = self.brands[rng.randrange(len(self.brands))].handle
                if other != handle:
                    handle = f"{handle} @{other}"
        else:
            body = self.fill(rng.choice(self.follow_ups[lang]), lang)
        if rng.random() < P_EMOJI:
            body = f"{body} {rng.choice(twcs_texts.EMOJI)}"
        return f"@{handle} {body}"

    def company_text(self, customer_id: str, lang: str, first: bool) -> str:
        rng = self.rng
        pool = self.first_replies[lang] if first else self.later_replies[lang]
        body = self.fill(rng.choice(pool), lang)
        if rng.random() < P_COMPANY_SECOND_SENTENCE:
            body = self.join(body, rng.choice(self.company_second[lang])[0])
        if rng.random() < P_SIGNATURE:
            body += rng.choice(twcs_texts.SIGNATURES)
        return f"@{customer_id} {body}"

    # -- threads ------------------------------------------------------------------------------

    def customer(self) -> str:
        rng = self.rng
        recent = self.recent_customers
        if recent and rng.random() < P_RETURNING_CUSTOMER:
            return rng.choice(recent)
        customer_id = str(self.next_customer)
        self.next_customer += 1 + rng.randrange(3)
        if len(recent) < RECENT_CUSTOMERS:
            recent.append(customer_id)
        else:
            recent[rng.randrange(RECENT_CUSTOMERS)] = customer_id
        return customer_id

    def thread_length(self, remaining: int) -> int:
        rng = self.rng
        if rng.random() < self.unanswered_share:
            length = 1
        else:
            length = self.length_values[self.pick(self.length_cum)]
            if length == 0:
                length = rng.randint(*TAIL_LENGTHS)
        return min(length, remaining)

    def thread(self, length: int, done: int) -> _Thread:
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

        day = self.start_day + (done * SPAN_DAYS) // self.rows
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
            if length >= 3 and rng.random() < P_CUSTOMER_SECOND:
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
            if roll < P_SIBLING + P_SELF_CHAIN:
                is_inbound = prev_inbound
                parent = parents[last] if roll < P_SIBLING else last
                ts = times[last] + self.delay(same_mu, same_sigma)
            else:
                is_inbound = not prev_inbound
                parent = last
                if roll < P_SIBLING + P_SELF_CHAIN + P_ANSWER_EARLIER:
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
        return _Thread(handle, customer_id, inbound, authors, times, texts, parents, first_reply_ts)

    # -- output -------------------------------------------------------------------------------

    def windows(self, shuffle: bool) -> Iterator[tuple[list[tuple[str, ...]], list[ThreadTruth]]]:
        """Yield (rows as CSV tuples, truth of the window's threads) per window."""
        done = 0
        next_id = 1
        rng = self.rng
        while done < self.rows:
            threads: list[_Thread] = []
            window_rows = 0
            while window_rows < WINDOW_ROWS and done < self.rows:
                thread = self.thread(self.thread_length(self.rows - done), done)
                threads.append(thread)
                size = len(thread.inbound)
                window_rows += size
                done += size
            order = [(t, i) for t, thread in enumerate(threads) for i in range(len(thread.inbound))]
            if shuffle:
                keys = [t + rng.random() * SHUFFLE_SPREAD for t, _ in order]
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
    unanswered_share: float = DEFAULT_UNANSWERED_SHARE,
) -> Iterator[dict[str, str]]:
    """Yield `rows` corpus rows as dicts keyed by FIELDS, values as written to the CSV.

    Threads start between `start` (default 2017-10-03 UTC; a naive datetime counts as UTC) and
    SPAN_DAYS later; `brands` company accounts share them (see brand_table). With
    `shuffle=False` every thread's rows come out together in time order.
    """
    for out, _ in _windows(rows, seed, brands, start, shuffle, unanswered_share):
        for values in out:
            yield dict(zip(FIELDS, values, strict=True))


def generate_with_truth(
    rows: int,
    *,
    seed: int = 1,
    brands: int = 8,
    start: datetime | None = None,
    shuffle: bool = True,
    unanswered_share: float = DEFAULT_UNANSWERED_SHARE,
) -> Iterator[dict[str, str] | ThreadTruth]:
    """Like generate() (same rows for the same arguments), with the ground truth mixed in.

    After the rows of each window comes one ThreadTruth per thread of that window, so every
    ThreadTruth follows all rows of its thread. Tell them apart with isinstance().
    """
    for out, truths in _windows(rows, seed, brands, start, shuffle, unanswered_share):
        for values in out:
            yield dict(zip(FIELDS, values, strict=True))
        yield from truths


def _truth_row(truth: ThreadTruth) -> tuple[str, ...]:
    reply_at = truth.first_reply_at
    seconds = truth.first_reply_seconds
    return (
        truth.root_tweet_id,
        truth.brand,
        truth.customer_id,
        str(truth.rows),
        truth.first_inbound_at.isoformat(),
        "" if reply_at is None else reply_at.isoformat(),
        "" if seconds is None else str(seconds),
    )


def write_csv(
    path: str | Path,
    rows: int,
    *,
    truth_path: str | Path | None = None,
    seed: int = 1,
    brands: int = 8,
    start: datetime | None = None,
    shuffle: bool = True,
    unanswered_share: float = DEFAULT_UNANSWERED_SHARE,
) -> int:
    """Write a corpus of `rows` rows to `path` (UTF-8); return the number of rows written.

    With `truth_path`, also write one line per thread there: TRUTH_FIELDS, times in ISO 8601
    UTC, first_reply_at and first_reply_seconds empty for unanswered threads. read_truth()
    reads it back.
    """
    written = 0
    with ExitStack() as files:
        writer = csv.writer(files.enter_context(_open_for_writing(path)))
        writer.writerow(FIELDS)
        truth_writer = None
        if truth_path is not None:
            truth_writer = csv.writer(files.enter_context(_open_for_writing(truth_path)))
            truth_writer.writerow(TRUTH_FIELDS)
        for out, truths in _windows(rows, seed, brands, start, shuffle, unanswered_share):
            writer.writerows(out)
            written += len(out)
            if truth_writer is not None:
                truth_writer.writerows(map(_truth_row, truths))
    return written


def _open_for_writing(path: str | Path) -> TextIO:
    return Path(path).open("w", encoding="utf-8", newline="")


def read_truth(path: str | Path) -> Iterator[ThreadTruth]:
    """Read a truth file written by write_csv(truth_path=...)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            reply_at = record["first_reply_at"]
            yield ThreadTruth(
                record["root_tweet_id"],
                record["brand"],
                record["customer_id"],
                int(record["rows"]),
                int(datetime.fromisoformat(record["first_inbound_at"]).timestamp()),
                int(datetime.fromisoformat(reply_at).timestamp()) if reply_at else None,
            )


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
        "--unanswered-share", type=float, default=DEFAULT_UNANSWERED_SHARE, metavar="SHARE"
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
