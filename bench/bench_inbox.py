"""Benchmark the twcs import, the inbox pages and the first-response KPI on one SQLite file.

    .venv/bin/python bench/bench_inbox.py --rows 1000000

Prints one table. Each figure stands beside a baseline measured in the same run:
- import: `socialdesk import --format twcs` end to end (threading, contacts, needs-reply,
  conversation facts) versus a plain `sqlite3` executemany of the same parsed rows into one
  flat table (no threading at all: the floor of what storing the rows costs);
- inbox list and conversation view: p95 over repeated requests with Django's test client;
- KPI: `kpi first-response --within 24h` versus DuckDB computing the same figure from the
  same CSV (threading the rows by parent ids itself).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.twcs_corpus import write_csv  # noqa: E402


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["SOCIALDESK_DATA_DIR"] = str(data_dir)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    return env


def _socialdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socialdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def baseline_executemany(csv_path: Path, db_path: Path) -> float:
    """Parse the CSV and insert every row into one flat table; return seconds."""
    started = time.perf_counter()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE message (external_id TEXT PRIMARY KEY, author TEXT, inbound INTEGER, "
        "created_at TEXT, text TEXT, parent_id TEXT)"
    )
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        batch = []
        for row in reader:
            parent = row["in_response_to_tweet_id"]
            batch.append(
                (
                    row["tweet_id"],
                    row["author_id"],
                    row["inbound"] == "True",
                    datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y").isoformat(),
                    row["text"],
                    parent[:-2] if parent.endswith(".0") else parent,
                )
            )
            if len(batch) >= 5000:
                connection.executemany("INSERT OR IGNORE INTO message VALUES (?,?,?,?,?,?)", batch)
                batch = []
        connection.executemany("INSERT OR IGNORE INTO message VALUES (?,?,?,?,?,?)", batch)
    connection.commit()
    connection.close()
    return time.perf_counter() - started


PAGES_SCRIPT = """
import json, statistics, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from socialdesk.accounts.models import User, Role
from socialdesk.inbox.models import Conversation
user = User.objects.filter(role=Role.ADMIN).first() or User.objects.create_user("bench@example.com", "x", full_name="Bench", role=Role.ADMIN)
client = Client()
client.force_login(user)
ids = list(Conversation.objects.order_by("-message_count").values_list("pk", flat=True)[:50])
def measure(urls):
    times, queries = [], set()
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured))
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1], "queries": sorted(queries)}
client.get("/inbox/")
lists = ["/inbox/?status=open", "/inbox/?status=all&sort=newest", "/inbox/?needs_reply=yes", "/inbox/?status=all&page=50"] * 25
views = [f"/inbox/{pk}/" for pk in ids] * 2
figures = {"list": measure(lists), "view": measure(views)}
# The search box: the most frequent word of four letters or more, and the rarest one
# (from the index's vocabulary), beside the substring match it replaced (ILIKE on the
# preview, the contact's name and every message, DISTINCT: the first page and its count).
from django.db.models import Q
with connection.cursor() as cursor:
    cursor.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, search_fts, row)")
    cursor.execute("SELECT term FROM temp.vocabulary WHERE length(term) >= 4 AND term NOT LIKE 'zz%' AND term GLOB '[a-z]*' ORDER BY doc DESC LIMIT 1")
    frequent = cursor.fetchone()[0]
    cursor.execute("SELECT term FROM temp.vocabulary WHERE length(term) >= 4 AND term NOT LIKE 'zz%' AND term GLOB '[a-z]*' ORDER BY doc, term LIMIT 1")
    rare = cursor.fetchone()[0]
def substring(word):
    def run():
        rows = Conversation.objects.filter(Q(preview__icontains=word) | Q(contact__display_name__icontains=word) | Q(messages__text__icontains=word)).distinct()
        list(rows.order_by("waiting_for_us_since", "pk")[:50])
        rows.order_by()[:10001].count()
    times = []
    for _ in range(5):
        started = time.perf_counter(); run(); times.append(time.perf_counter() - started)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[-1]}
for name, word in (("frequent", frequent), ("rare", rare)):
    figures["search " + name] = {**measure([f"/inbox/?status=all&q={word}"] * 20), "word": word, "baseline": substring(word)}
print(json.dumps(figures))
"""

DUCKDB_SQL = """
WITH RECURSIVE rows AS (
  SELECT CAST(tweet_id AS VARCHAR) AS id,
         inbound = 'True' AS inbound,
         strptime(created_at, '%a %b %d %H:%M:%S %z %Y') AS ts,
         CASE WHEN in_response_to_tweet_id = '' THEN NULL
              ELSE regexp_replace(CAST(in_response_to_tweet_id AS VARCHAR), '\\.0$', '') END AS parent
  FROM read_csv(?, header=true, all_varchar=true, quote='"', escape='"')
), roots AS (
  SELECT r.id, r.id AS root FROM rows r
  WHERE r.parent IS NULL OR r.parent NOT IN (SELECT id FROM rows)
  UNION ALL
  SELECT c.id, roots.root FROM rows c JOIN roots ON c.parent = roots.id
), threads AS (
  SELECT roots.root, rows.inbound, rows.ts, rows.id FROM roots JOIN rows USING (id)
), firsts AS (
  SELECT root, arg_min(inbound, ts) AS first_inbound, min(ts) AS first_at
  FROM threads GROUP BY root
), answers AS (
  SELECT f.root, min(t.ts) - f.first_at AS delay
  FROM firsts f LEFT JOIN threads t ON t.root = f.root AND NOT t.inbound AND t.ts >= f.first_at
  WHERE f.first_inbound GROUP BY f.root, f.first_at
)
SELECT count(*) AS conversations,
       count(delay) AS answered,
       count(*) FILTER (WHERE epoch(delay) <= 86400) AS answered_within,
       quantile_cont(epoch(delay), 0.5) AS median_seconds,
       quantile_cont(epoch(delay), 0.9) AS p90_seconds
FROM answers
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the data in this folder")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: reuse the CSV and the imported database"
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="socialdesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "twcs.csv"
    if not args.reuse or not csv_path.exists():
        print(f"writing {args.rows:,} rows to {csv_path} …", file=sys.stderr)
        write_csv(csv_path, args.rows)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1

    baseline_db = work / "baseline.sqlite3"
    baseline_db.unlink(missing_ok=True)
    baseline_seconds = baseline_executemany(csv_path, baseline_db)

    data = work / "var"
    env = _env(data)
    seconds_file = work / "import-seconds"
    if args.reuse and seconds_file.exists():
        import_seconds = float(seconds_file.read_text())
    else:
        for stale in data.glob("socialdesk.sqlite3*"):
            stale.unlink()
        _socialdesk("migrate", "--no-input", env=env)
        started = time.perf_counter()
        result = _socialdesk(
            "import",
            "--format",
            "twcs",
            str(csv_path),
            "--report",
            str(work / "rejected.csv"),
            env=env,
        )
        import_seconds = time.perf_counter() - started
        seconds_file.write_text(str(import_seconds))
        # Peak resident memory of the largest child so far: the import.
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(result.stdout, result.stderr[-2000:], file=sys.stderr)
        print(f"peak memory of the import: {peak_mib:.0f} MiB", file=sys.stderr)

    pages = subprocess.run(
        [sys.executable, "-c", PAGES_SCRIPT],
        env={**env, "DJANGO_SETTINGS_MODULE": "socialdesk.settings"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if pages.returncode:
        sys.exit(pages.stderr)
    page_figures = json.loads(pages.stdout.strip().splitlines()[-1])

    kpi_times, kpi_result = [], {}
    for _ in range(5):
        started = time.perf_counter()
        out = _socialdesk("kpi", "first-response", "--within", "24h", "--json", env=env)
        kpi_result = json.loads(out.stdout)
        kpi_times.append(time.perf_counter() - started)
    in_process = subprocess.run(
        [sys.executable, "-c",
         "import django, time, json; django.setup(); from datetime import timedelta; "
         "from socialdesk.sla import kpi; ts=[]\n"
         "for _ in range(5):\n s=time.perf_counter(); kpi.first_response(within=timedelta(hours=24)); ts.append(time.perf_counter()-s)\n"
         "print(json.dumps(sorted(ts)))"],
        env={**env, "DJANGO_SETTINGS_MODULE": "socialdesk.settings"}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    kpi_compute = json.loads(in_process.stdout.strip().splitlines()[-1])

    import duckdb

    started = time.perf_counter()
    duck = duckdb.connect().execute(DUCKDB_SQL, [str(csv_path)]).fetchone()
    duck_seconds = time.perf_counter() - started
    assert duck is not None

    print()
    print(f"socialdesk benchmark, {rows:,} twcs-shaped rows, SQLite, {os.cpu_count()} cores")
    print(f"{'what':<44} {'socialdesk':>16} {'baseline':>16}  baseline is")
    print("-" * 100)
    print(
        f"{'import, rows/s':<44} {rows / import_seconds:>16,.0f} {rows / baseline_seconds:>16,.0f}  sqlite3 executemany, flat table"
    )
    print(f"{'import, seconds':<44} {import_seconds:>16.1f} {baseline_seconds:>16.1f}")
    for name in ("list", "view"):
        figures = page_figures[name]
        label = "inbox list" if name == "list" else "conversation view"
        print(
            f"{label + ', p95 ms (p50)':<44} {figures['p95'] * 1000:>9.1f} ({figures['p50'] * 1000:.1f}) {'':>16}  queries per request: {figures['queries']}"
        )
    for name in ("frequent", "rare"):
        figures = page_figures["search " + name]
        label = f"inbox search box, {name} [{figures['word']}]"
        print(
            f"{label + ', p95 ms (p50)':<44} {figures['p95'] * 1000:>9.1f} ({figures['p50'] * 1000:.1f}) {figures['baseline']['p95'] * 1000:>9.1f} ({figures['baseline']['p50'] * 1000:.1f})  substring match (ILIKE), its page and count; queries: {figures['queries']}"
        )
    print(
        f"{'kpi first-response, s (command, median)':<44} {statistics.median(kpi_times):>16.2f} {duck_seconds:>16.2f}  DuckDB from the CSV"
    )
    print(
        f"{'kpi first-response, s (computation, median)':<44} {statistics.median(kpi_compute):>16.3f}"
    )
    print()
    print(f"{'figure':<20} {'socialdesk':>14} {'DuckDB':>14}")
    for index, key in enumerate(
        ["conversations", "answered", "answered_within", "median_seconds", "p90_seconds"]
    ):
        print(f"{key:<20} {kpi_result[key]:>14,.1f} {duck[index]:>14,.1f}")


if __name__ == "__main__":
    main()
