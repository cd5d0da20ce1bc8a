"""The shape of the synthetic twcs corpus (`twcs_corpus`): its columns and formats, the
figures measured on real excerpts that its threads follow (sizes, delays, row mix, text
features; each constant says where it came from), the brands, and the per-thread truth."""

from __future__ import annotations

import csv
import math
import string
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
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
class Thread:
    brand: str
    customer_id: str
    inbound: list[bool]
    authors: list[str]
    times: list[int]
    texts: list[str]
    parents: list[int]
    first_reply_ts: int | None


def compile_templates(templates: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Pair each template with the names of the slots it uses."""
    formatter = string.Formatter()
    return tuple(
        (text, tuple(name for _, name, _, _ in formatter.parse(text) if name)) for text in templates
    )


def log_normal(median: float, p90: float) -> tuple[float, float]:
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


def truth_row(truth: ThreadTruth) -> tuple[str, ...]:
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
