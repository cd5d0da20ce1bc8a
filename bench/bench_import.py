"""Benchmark the history import against the database's own bulk path, on SQLite or PostgreSQL.

    .venv/bin/python bench/bench_import.py [--rows 100000 1000000] [--keep DIR]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/postgres]

Goal (issue 16): `socialdesk import` stores at least 0.25 × the rows/s of a plain `sqlite3`
`executemany` of the same parsed rows on SQLite, and at least the same rows/s on PostgreSQL.

For each size, a twcs-shaped CSV is generated (`bench.twcs_corpus`, two brands, threads with
children before parents), then measured in this one run:
- baseline 1: the CSV parsed with `csv` into the values of stored messages (not timed), then
  one plain `sqlite3` `executemany` of them into a fresh table shaped like the messages' (the
  same columns and unique key), committed: what storing these rows costs the database alone;
- baseline 2 (PostgreSQL only): `COPY` of the same CSV file into a fresh table of text columns;
- baseline 3: the same rows into the product's freshly migrated message table, with its
  indexes (and on PostgreSQL its foreign keys), its insert triggers off: on SQLite the same
  executemany, on PostgreSQL `COPY` of the parsed rows. What the schema alone costs, before
  conversations, contacts and search entries: a floor no import into this schema gets below;
- the product: `socialdesk import FILE --format twcs` as an operator runs it, in its own process,
  on a freshly migrated database (SQLite file in a temporary folder, or a new PostgreSQL
  database dropped afterwards); rows/s from its wall time and the process's peak memory
  (ru_maxrss). The messages stored are counted in the database: every row must be there;
- the per-row work the import does besides storing (reading the file, normalising, guessing
  the language, deciding whether a reply is needed, analysing the text for the search), each
  step alone on one core: the rows/s no database can lift.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.twcs_corpus import write_csv  # noqa: E402

GOAL = 0.25  # × the plain executemany on SQLite
COLUMNS = [
    "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
    "in_response_to_tweet_id",
]  # fmt: skip


MESSAGE = (  # the columns a message is stored with (inbox_message), and its unique key
    "CREATE TABLE plain (id integer PRIMARY KEY, conversation_id bigint, channel_account_id bigint,"
    " external_id varchar(191), direction varchar(8), author_handle varchar(191),"
    " contact_id bigint, text text, created_at datetime, parent_id bigint,"
    " parent_external_id varchar(191), needs_reply bool, language varchar(8),"
    " imported_at datetime, meta text);"
    " CREATE UNIQUE INDEX plain_unique ON plain (channel_account_id, external_id)"
)


PARSED = (  # the columns of `_parsed`'s values, in order
    "conversation_id, channel_account_id, external_id, direction, author_handle, contact_id, "
    "text, created_at, parent_id, parent_external_id, needs_reply, language, imported_at, meta"
)


def _parsed(path: Path) -> list[tuple[Any, ...]]:
    """The CSV's rows as the values of stored messages (made before the clock starts)."""
    stamp = "2026-12-01 10:00:00"
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            (1, 1, row["tweet_id"], "in" if row["inbound"] == "True" else "out",
             row["author_id"], None, row["text"],
             datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y").isoformat(" "),
             None, row["in_response_to_tweet_id"].removesuffix(".0"), 0, "", stamp, "{}")
            for row in csv.DictReader(handle)
        ]  # fmt: skip


def sqlite_baseline(rows: list[tuple[Any, ...]], work: Path) -> float:
    db = sqlite3.connect(work / "baseline.sqlite3")
    db.executescript(MESSAGE)
    started = time.perf_counter()
    db.executemany(f"INSERT INTO plain ({PARSED}) VALUES ({', '.join('?' * 14)})", rows)
    db.commit()
    seconds = time.perf_counter() - started
    db.close()
    return len(rows) / seconds


def schema_baseline(rows: list[tuple[Any, ...]], env: dict[str, str]) -> float:
    """SQLite: the same executemany into the product's own message table, freshly migrated
    (its unique key and secondary indexes; its insert triggers dropped for the insert and made
    again, as the import suspends them), committed: the least storing these rows costs in the
    product's schema, before any conversation, contact or search entry."""
    subprocess.run(
        [sys.executable, "-m", "socialdesk.cli", "migrate", "--no-input", "-v", "0"],
        env=env, check=True,
    )  # fmt: skip
    db = sqlite3.connect(Path(env["SOCIALDESK_DATA_DIR"]) / "socialdesk.sqlite3")
    required = [  # the other columns a message must have: empty
        (name, 0 if kind.lower().startswith(("int", "bigint", "bool", "small")) else "")
        for _cid, name, kind, notnull, default, _pk in db.execute(
            "PRAGMA table_info(inbox_message)"
        )
        if notnull and default is None and name != "id" and name not in PARSED.split(", ")
    ]
    names = ", ".join([PARSED, *(name for name, _v in required)])
    filled = [(*row, *(value for _n, value in required)) for row in rows]
    triggers = db.execute(  # the rollup's and the classification queue's, whatever version
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name = 'inbox_message' AND sql LIKE '%AFTER INSERT%'"
    ).fetchall()
    started = time.perf_counter()
    for trigger, _making in triggers:
        db.execute(f"DROP TRIGGER {trigger}")
    db.executemany(
        f"INSERT INTO inbox_message ({names}) VALUES ({', '.join('?' * len(filled[0]))})", filled
    )
    for _trigger, making in triggers:
        db.execute(making)
    db.commit()
    seconds = time.perf_counter() - started
    stored = db.execute("SELECT count(*) FROM inbox_message").fetchone()[0]
    db.close()
    assert stored == len(rows), f"{stored:,} of {len(rows):,} rows stored in the schema baseline"
    return len(rows) / seconds


def postgres_schema_baseline(
    rows: list[tuple[Any, ...]], url: str, database: str, work: Path
) -> float:
    """PostgreSQL: `COPY` of the parsed rows into the product's own message table in a freshly
    migrated database (its unique key, secondary indexes and foreign keys, to one channel
    account and one conversation made first; its user triggers off), committed: the least
    storing these rows costs in the product's schema."""
    name = f"{database}_schema"
    with _pg(url, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = _site_env(Path(tempfile.mkdtemp(dir=work)), url, name)
        run = [sys.executable, "-m", "socialdesk.cli"]
        subprocess.run([*run, "migrate", "--no-input", "-v", "0"], env=env, check=True)
        made = subprocess.run(
            [*run, "shell", "-c",
             "from socialdesk.channels.models import ChannelAccount\n"
             "from socialdesk.inbox.models import Conversation\n"
             "a = ChannelAccount.objects.create(network='webhook', handle='bench')\n"
             "print(a.pk, Conversation.objects.create(channel_account=a).pk)"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        account, conversation = (int(v) for v in made.stdout.split()[-2:])
        with _pg(url, name) as db:
            required = [  # the other columns a message must have: empty
                (column, "" if kind in ("text", "character varying") else 0)
                for column, kind in db.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'inbox_message' AND is_nullable = 'NO' "
                    "AND column_default IS NULL"
                )
                if column != "id" and column not in PARSED.split(", ")
            ]
            names = ", ".join([PARSED, *(column for column, _v in required)])
            filled = [
                (conversation, account, *row[2:], *(value for _c, value in required))
                for row in rows
            ]
            db.execute("ALTER TABLE inbox_message DISABLE TRIGGER USER")
            started = time.perf_counter()
            with (  # the foreign keys are checked at the commit (deferred, as Django makes them)
                db.transaction(),
                db.cursor() as cursor,
                cursor.copy(f"COPY inbox_message ({names}) FROM STDIN") as copying,
            ):
                for row in filled:
                    copying.write_row(row)
            seconds = time.perf_counter() - started
            db.execute("ALTER TABLE inbox_message ENABLE TRIGGER USER")
            stored = db.execute("SELECT count(*) FROM inbox_message").fetchone()[0]
    finally:
        with _pg(url, "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    assert stored == len(rows), f"{stored:,} of {len(rows):,} rows stored in the schema baseline"
    return len(rows) / seconds


def _pg(url: str, database: str) -> Any:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    return psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
        password=config["PASSWORD"], dbname=database, autocommit=True,
    )  # fmt: skip


def postgres_baseline(path: Path, url: str, database: str) -> float:
    with _pg(url, database) as db:
        db.execute("DROP TABLE IF EXISTS plain")
        db.execute(f"CREATE TABLE plain ({', '.join(f'{c} text' for c in COLUMNS)})")
        started = time.perf_counter()
        with (
            db.cursor() as cursor,
            cursor.copy("COPY plain FROM STDIN WITH (FORMAT csv, HEADER true)") as copying,
            path.open("rb") as handle,
        ):
            while block := handle.read(1 << 20):
                copying.write(block)
        seconds = time.perf_counter() - started
        rows = db.execute("SELECT count(*) FROM plain").fetchone()[0]
        db.execute("DROP TABLE plain")
    return int(rows) / seconds


def product(path: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds, peak MiB and messages stored by `socialdesk import` in its own process. The
    peak is the process's own high-water mark (VmHWM): Linux's ru_maxrss keeps the memory of
    the process it was forked from (this one, holding a million parsed rows) across exec."""
    run = [sys.executable, "-m", "socialdesk.cli"]
    subprocess.run([*run, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    code = (  # the clock runs from the command's start, after Django is set up
        "import io, sys, time, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "started = time.perf_counter()\n"
        f"call_command('import', {str(path)!r}, '--format', 'twcs', stdout=io.StringIO())\n"
        "peak = next(int(line.split()[1]) for line in open('/proc/self/status')"
        " if line.startswith('VmHWM:'))\n"
        "print('BENCH', time.perf_counter() - started, peak, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stderr.splitlines() if x.startswith("BENCH "))
    seconds, peak_kib = (float(v) for v in line.split()[1:3])
    counted = subprocess.run(
        [*run, "shell", "-c",
         "from socialdesk.inbox.models import Message; print(Message.objects.count())"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return seconds, peak_kib / 1024, int(counted.stdout.strip().splitlines()[-1])


STAGES = (  # the import's own work per row, each alone on one core, no database
    "import json, sys, time, django\n"
    "django.setup()\n"
    "from pathlib import Path\n"
    "from socialdesk.channels.items.normalise import normalise\n"
    "from socialdesk.channels.items.readers import ImportRow\n"
    "from socialdesk.inbox.importing.sources import parsed_rows\n"
    "from socialdesk.insights.language import guess_language\n"
    "from socialdesk.insights.needs_reply import needs_reply\n"
    "from socialdesk.search import analysis\n"
    "analysis.warm()\n"
    "took = {}\n"
    "def timed(name, work):\n"
    "    started = time.perf_counter(); done = work(); took[name] = time.perf_counter() - started\n"
    "    return done\n"
    "read = timed('read and parse the file', lambda: [item for _line, item in "
    "parsed_rows('twcs', Path(sys.argv[1]), mapping={}, account='')])\n"
    "rows = [r for r in timed('normalise', lambda: [normalise(r) if isinstance(r, ImportRow) "
    "else r for r in read]) if isinstance(r, ImportRow)]\n"
    "languages = timed('guess the language', lambda: [guess_language(r.text) for r in rows])\n"
    "timed('needs a reply?', lambda: [needs_reply(r.text, company_handles=set(), "
    "language=l or None) for r, l in zip(rows, languages)])\n"
    "timed('analyse the text for the search', lambda: [analysis.analyse(r.text, l) "
    "for r, l in zip(rows, languages)])\n"
    "print('STAGES', json.dumps({'rows': len(rows), 'took': took}), file=sys.stderr)\n"
)


def stages(path: Path, env: dict[str, str]) -> list[tuple[str, ...]]:
    """The per-row work the import promises, each step alone on one core (no database): what
    bounds its rows/s whatever the database does."""
    done = subprocess.run(
        [sys.executable, "-c", STAGES, str(path)], env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stderr.splitlines() if x.startswith("STAGES "))
    found = json.loads(line.split(" ", 1)[1])
    rows, took = found["rows"], found["took"]
    table: list[tuple[str, ...]] = [
        ("", f"per row alone, one core: {name}", f"{rows / seconds:,.0f} rows/s", "", "")
        for name, seconds in took.items()
    ]
    total = sum(took.values())
    table.append(("", "per row alone, one core: all of these", f"{rows / total:,.0f} rows/s",
                  f"{total:,.1f} s", ""))  # fmt: skip
    return table


def _site_env(work: Path, url: str, database: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SOCIALDESK_DATA_DIR": str(work / "data"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "socialdesk.settings",
    }
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + database
    return env


def measure(rows: int, work: Path, url: str) -> list[tuple[str, ...]]:
    path = work / f"twcs_{rows}.csv"
    if not path.exists():
        write_csv(path, rows, seed=16, brands=2)
    database = f"sd_bench_import_{rows}"
    if url:
        with _pg(url, "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
            admin.execute(f'CREATE DATABASE "{database}"')
    try:
        parsed = _parsed(path)  # once, for both baselines (not timed)
        lite = sqlite_baseline(parsed, Path(tempfile.mkdtemp(dir=work)))
        schema = (
            postgres_schema_baseline(parsed, url, database, work)
            if url
            else schema_baseline(parsed, _site_env(Path(tempfile.mkdtemp(dir=work)), "", database))
        )
        del parsed
        copy = postgres_baseline(path, url, database) if url else 0.0
        seconds, peak, stored = product(path, _site_env(Path(tempfile.mkdtemp(dir=work)), url,
                                                        database))  # fmt: skip
        floors = stages(path, _site_env(Path(tempfile.mkdtemp(dir=work)), "", database))
    finally:
        if url:
            with _pg(url, "postgres") as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
    assert stored == rows, f"{stored:,} messages stored of {rows:,} rows"
    rate = rows / seconds
    vendor = "PostgreSQL" if url else "SQLite"
    table: list[tuple[str, ...]] = [
        (f"{rows:,} rows", "plain sqlite3 executemany (baseline)", f"{lite:,.0f} rows/s", "", ""),
    ]
    goal = GOAL * lite
    if url:
        table.append(("", "PostgreSQL COPY of the CSV (baseline)", f"{copy:,.0f} rows/s", "", ""))
    floor = "COPY of the same rows" if url else "the same executemany"
    table.append(
        ("", f"{floor} into the product's message table", f"{schema:,.0f} rows/s", "",
         f"{schema / lite:.2f} × executemany: its indexes{', foreign keys' if url else ''}; "
         f"{schema / goal:.2f} × the goal")
    )  # fmt: skip
    table.append(
        ("", f"socialdesk import on {vendor}", f"{rate:,.0f} rows/s", f"{seconds:,.1f} s",
         f"{rate / lite:.2f} × executemany, peak {peak:,.0f} MiB; "
         f"goal ≥ {goal:,.0f} rows/s: {'met' if rate >= goal else 'MISSED'}")
    )  # fmt: skip
    return table + floors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--database-url", default="", help="PostgreSQL server (any database)")
    parser.add_argument("--keep", default="", help="a folder for the CSV files (kept)")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    table: list[tuple[str, ...]] = []
    for rows in args.rows:
        table += measure(rows, work, args.database_url)
    print(f"\nbench_import ({os.cpu_count()} CPUs; this process's peak "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB)")  # fmt: skip
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
