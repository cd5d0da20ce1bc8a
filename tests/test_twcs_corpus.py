"""The synthetic twcs corpus: the real file's layout, consistent threads, measured shapes."""

from __future__ import annotations

import csv
import itertools
import math
import re
import statistics
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from bench import twcs_corpus as tc
from bench import twcs_shape as shape

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
ROWS = 20_000
SEED = 7


def _parse_time(value: str) -> datetime:
    return datetime.strptime(value, shape.CREATED_AT_FORMAT)


def _parent(row: dict[str, str]) -> str | None:
    value = row["in_response_to_tweet_id"]
    return value.removesuffix(".0") if value else None


Corpus = tuple[list[dict[str, str]], list[tc.ThreadTruth]]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    rows: list[dict[str, str]] = []
    truths: list[tc.ThreadTruth] = []
    for item in tc.generate_with_truth(ROWS, seed=SEED):
        if isinstance(item, tc.ThreadTruth):
            truths.append(item)
        else:
            rows.append(item)
    return rows, truths


@pytest.fixture(scope="module")
def rows(corpus: Corpus) -> list[dict[str, str]]:
    return corpus[0]


@pytest.fixture(scope="module")
def truths(corpus: Corpus) -> list[tc.ThreadTruth]:
    # The last thread may have been cut short to hit the row count exactly.
    return corpus[1][:-1]


@pytest.fixture(scope="module")
def by_id(rows) -> dict[str, dict[str, str]]:
    return {row["tweet_id"]: row for row in rows}


@pytest.fixture(scope="module")
def root_of(rows, by_id) -> dict[str, str]:
    """Map every tweet id to the id of its thread's first tweet."""
    roots: dict[str, str] = {}
    for row in rows:
        chain = [row["tweet_id"]]
        parent = _parent(row)
        while parent is not None and parent not in roots:
            chain.append(parent)
            parent = _parent(by_id[parent])
        root = roots[parent] if parent is not None else chain[-1]
        for tweet_id in chain:
            roots[tweet_id] = root
    return roots


def test_it_writes_the_header_line_of_the_real_file(tmp_path):
    """The first line is twcs.csv's header, byte for byte."""
    path = tmp_path / "twcs.csv"
    assert tc.write_csv(path, 50) == 50
    assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER
    assert ",".join(shape.FIELDS) == HEADER


def test_it_formats_every_column_like_the_real_file(rows):
    """Ids are integers, inbound is True/False, times parse, parent ids are floats like 3.0."""
    handles = {brand.handle for brand in shape.brand_table(8)}
    for row in rows:
        assert list(row) == list(shape.FIELDS)
        assert row["tweet_id"].isdigit()
        assert row["inbound"] in {"True", "False"}
        if row["inbound"] == "True":
            assert row["author_id"].isdigit()
        else:
            assert row["author_id"] in handles
        assert _parse_time(row["created_at"]).utcoffset() == timedelta(0)
        assert re.fullmatch(
            r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \+0000 \d{4}", row["created_at"]
        )
        assert re.fullmatch(r"(\d+(,\d+)*)?", row["response_tweet_id"])
        assert re.fullmatch(r"(\d+\.0)?", row["in_response_to_tweet_id"])
    assert (
        _parse_time(rows[0]["created_at"]).strftime(shape.CREATED_AT_FORMAT)
        == (rows[0]["created_at"])
    )


def test_it_gives_unique_ids_and_every_reply_a_parent_in_the_corpus(rows, by_id):
    """Only thread starts (customer tweets) lack a parent; all other parents exist."""
    assert len(by_id) == len(rows)
    for row in rows:
        parent = _parent(row)
        if parent is None:
            assert row["inbound"] == "True"
        else:
            assert parent in by_id
            assert parent != row["tweet_id"]


def test_it_lists_exactly_the_replies_in_response_tweet_id(rows):
    """response_tweet_id names every row that answers it, and no other."""
    replies: dict[str, set[str]] = {row["tweet_id"]: set() for row in rows}
    for row in rows:
        parent = _parent(row)
        if parent is not None:
            replies[parent].add(row["tweet_id"])
    for row in rows:
        listed = row["response_tweet_id"].split(",") if row["response_tweet_id"] else []
        assert len(listed) == len(set(listed))
        assert set(listed) == replies[row["tweet_id"]]
    assert any("," in row["response_tweet_id"] for row in rows)


def test_it_places_replies_after_what_they_answer(rows, by_id):
    """A reply is always later than its parent."""
    for row in rows:
        parent = _parent(row)
        if parent is not None:
            assert _parse_time(row["created_at"]) > _parse_time(by_id[parent]["created_at"])


def test_it_addresses_the_brand_and_the_customer_in_the_texts(rows, by_id, root_of, truths):
    """Customer tweets begin with @Brand, company replies with @<customer id>."""
    brand_of = {truth.root_tweet_id: truth.brand for truth in truths}
    for row in rows:
        root = root_of[row["tweet_id"]]
        if root not in brand_of:
            continue
        if row["inbound"] == "True":
            assert row["author_id"] == by_id[root]["author_id"]
            assert row["text"].startswith(f"@{brand_of[root]} ")
        else:
            assert row["author_id"] == brand_of[root]
            assert row["text"].startswith(f"@{by_id[root]['author_id']} ")


def test_it_records_the_truth_the_rows_show(rows, root_of, truths):
    """Each ThreadTruth matches its thread's first customer tweet and first company reply."""
    threads: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        threads.setdefault(root_of[row["tweet_id"]], []).append(row)
    for truth in truths:
        thread = threads[truth.root_tweet_id]
        assert truth.rows == len(thread)
        inbound = [_parse_time(r["created_at"]) for r in thread if r["inbound"] == "True"]
        replies = [_parse_time(r["created_at"]) for r in thread if r["inbound"] == "False"]
        assert truth.first_inbound_at == min(inbound)
        assert truth.first_reply_at == (min(replies) if replies else None)
        root = next(r for r in thread if r["tweet_id"] == truth.root_tweet_id)
        assert (root["author_id"], root["inbound"], _parent(root)) == (
            truth.customer_id,
            "True",
            None,
        )
        if truth.first_reply_seconds is not None:
            assert truth.first_reply_seconds > 0
    assert len(truths) + 1 == len(threads)


def test_it_writes_the_truth_side_file_read_truth_reads_back(tmp_path):
    """write_csv(truth_path=...) and read_truth give the same records as generate_with_truth."""
    expected = [
        item for item in tc.generate_with_truth(2_000, seed=3) if isinstance(item, tc.ThreadTruth)
    ]
    truth_path = tmp_path / "truth.csv"
    tc.write_csv(tmp_path / "twcs.csv", 2_000, seed=3, truth_path=truth_path)
    assert list(tc.read_truth(truth_path)) == expected
    assert any(truth.first_reply_at is None for truth in expected)


def test_it_repeats_the_same_file_for_the_same_seed(tmp_path):
    """Same seed, same bytes; another seed, another corpus."""
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    tc.write_csv(first, 3_000, seed=11)
    tc.write_csv(second, 3_000, seed=11)
    tc.write_csv(other, 3_000, seed=12)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_it_keeps_thread_lengths_near_the_measured_distribution(truths):
    """Answered threads follow THREAD_LENGTH_COUNTS (share per length, mean)."""
    lengths = [truth.rows for truth in truths if truth.first_reply_ts is not None]
    total = sum(shape.THREAD_LENGTH_COUNTS.values()) + shape.TAIL_THREADS
    low, high = shape.TAIL_LENGTHS
    for length, count in shape.THREAD_LENGTH_COUNTS.items():
        share = sum(1 for n in lengths if n == length) / len(lengths)
        assert share == pytest.approx(count / total, abs=0.025), length
    tail = sum(1 for n in lengths if n >= low) / len(lengths)
    assert tail == pytest.approx(shape.TAIL_THREADS / total, abs=0.01)
    expected_mean = (
        sum(n * c for n, c in shape.THREAD_LENGTH_COUNTS.items())
        + shape.TAIL_THREADS * (low + high) / 2
    ) / total
    assert statistics.fmean(lengths) == pytest.approx(expected_mean, rel=0.05)


def test_it_draws_first_reply_delays_from_each_brands_measured_profile(truths):
    """First-reply delays have each brand's median and p90, pooled and for the biggest brand."""
    profile = {brand.handle: brand for brand in shape.brand_table(8)}
    scores = []
    for truth in truths:
        if truth.first_reply_seconds is None:
            continue
        brand = profile[truth.brand]
        sigma = math.log(brand.p90_delay / brand.median_delay) / 1.2815515655446004
        scores.append(math.log(truth.first_reply_seconds / brand.median_delay) / sigma)
    deciles = statistics.quantiles(scores, n=10)
    assert deciles[4] == pytest.approx(0.0, abs=0.05)
    assert deciles[8] == pytest.approx(1.2816, abs=0.08)

    biggest = shape.BRANDS[0]
    delays = [
        truth.first_reply_seconds
        for truth in truths
        if truth.brand == biggest.handle and truth.first_reply_seconds is not None
    ]
    deciles = statistics.quantiles(delays, n=10)
    assert deciles[4] == pytest.approx(biggest.median_delay, rel=0.1)
    assert deciles[8] == pytest.approx(biggest.p90_delay, rel=0.15)


def test_it_leaves_the_requested_share_of_threads_unanswered(truths):
    """About unanswered_share of threads get no reply; with 0.0 (twcs itself) none do."""
    unanswered = sum(1 for truth in truths if truth.first_reply_ts is None) / len(truths)
    assert unanswered == pytest.approx(shape.DEFAULT_UNANSWERED_SHARE, abs=0.01)
    answered_all = [
        item
        for item in tc.generate_with_truth(5_000, seed=2, unanswered_share=0.0)
        if isinstance(item, tc.ThreadTruth)
    ]
    # Only the final thread, cut to fit the row count, may end before a reply.
    assert all(truth.first_reply_ts is not None for truth in answered_all[:-1])


def test_it_mixes_rows_and_texts_like_the_real_file(rows):
    """Inbound share, multi-reply share and text features come near the measured figures."""
    n = len(rows)
    inbound = sum(1 for row in rows if row["inbound"] == "True") / n
    assert inbound == pytest.approx(shape.MEASURED_INBOUND_SHARE, abs=0.03)
    multi = sum(1 for row in rows if "," in row["response_tweet_id"]) / n
    assert multi == pytest.approx(shape.MEASURED_MULTI_REPLY_SHARE, abs=0.03)
    texts = [row["text"] for row in rows]
    shares = {
        "newline": sum("\n" in text for text in texts) / n,
        "comma": sum("," in text for text in texts) / n,
        "quote": sum('"' in text for text in texts) / n,
        "non_ascii": sum(not text.isascii() for text in texts) / n,
    }
    for name, measured in shape.MEASURED_TEXT_SHARES.items():
        assert measured / 2 < shares[name] < measured * 2, name
    assert any("ä" in text or "ü" in text or "ö" in text for text in texts)


def test_it_round_trips_quoted_newlines_and_commas_through_dictreader(tmp_path):
    """What write_csv writes, csv.DictReader reads back as exactly the generated rows."""
    path = tmp_path / "twcs.csv"
    tc.write_csv(path, 3_000, seed=5)
    with path.open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert read == list(tc.generate(3_000, seed=5))
    texts = [row["text"] for row in read]
    assert any("\n" in text for text in texts)
    assert any("," in text and '"' in text for text in texts)
    assert any("," in row["response_tweet_id"] for row in read)


def test_it_shuffles_rows_locally_and_keeps_ids_ascending(rows, by_id):
    """Like twcs.csv: ids rise through the file, children often come before their parents."""
    assert [int(row["tweet_id"]) for row in rows] == list(range(1, len(rows) + 1))
    distances = [
        int(parent) - int(row["tweet_id"]) for row in rows if (parent := _parent(row)) is not None
    ]
    before = sum(1 for d in distances if d > 0) / len(distances)
    assert 0.3 < before < 0.7
    assert max(abs(d) for d in distances) < shape.WINDOW_ROWS + shape.TAIL_LENGTHS[1]


def test_it_writes_threads_in_order_without_shuffle():
    """With shuffle=False every parent comes before its replies and threads stay together."""
    rows = list(tc.generate(3_000, seed=5, shuffle=False))
    seen: set[str] = set()
    for row in rows:
        parent = _parent(row)
        assert parent is None or parent in seen
        seen.add(row["tweet_id"])


def test_it_streams_in_constant_memory():
    """Taking rows from a corpus of ten million rows neither waits for nor holds the rest."""
    tracemalloc.start()
    try:
        for _ in itertools.islice(tc.generate(10_000_000), 10_000):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000


def test_it_starts_threads_from_the_given_start():
    """Thread starts fall within SPAN_DAYS after `start`; a naive start counts as UTC."""
    start = datetime(2021, 3, 1)
    rows = list(tc.generate(2_000, start=start))
    begin = start.replace(tzinfo=UTC)
    for row in rows:
        if not row["in_response_to_tweet_id"]:
            assert begin <= _parse_time(row["created_at"]) < begin + timedelta(shape.SPAN_DAYS)


def test_it_invents_further_brands_beyond_the_named_ones():
    """brands=20 gives twenty distinct company accounts, all of them in use."""
    table = shape.brand_table(20)
    assert len({brand.handle for brand in table}) == 20
    authors = {row["author_id"] for row in tc.generate(20_000, brands=20, seed=4)}
    assert {brand.handle for brand in table} <= authors


def test_it_rejects_impossible_arguments():
    """Negative row counts, no brands and shares outside 0..1 are errors."""
    with pytest.raises(ValueError):
        next(tc.generate(-1))
    with pytest.raises(ValueError):
        next(tc.generate(10, brands=0))
    with pytest.raises(ValueError):
        next(tc.generate(10, unanswered_share=1.5))
    assert list(tc.generate(0)) == []


def test_it_reports_rows_and_seconds_on_the_command_line(tmp_path):
    """The CLI writes the file and says how many rows it wrote and how long it took."""
    out = tmp_path / "twcs.csv"
    truth = tmp_path / "truth.csv"
    messages: list[str] = []
    argv = ["--rows", "500", "--out", str(out), "--truth", str(truth), "--seed", "9"]
    assert tc.main(argv, out=messages.append) == 0
    assert re.fullmatch(rf"500 rows written to {re.escape(str(out))} in \d+\.\d s", messages[0])
    with out.open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == 500
    assert sum(truth.rows for truth in tc.read_truth(truth)) == 500
