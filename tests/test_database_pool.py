"""DATABASE_POOL: on PostgreSQL each process borrows its connections from Django's own pool;
pages answer and the worker runs its tasks through it. (On SQLite it is refused at start-up:
tests/test_config.py.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.sites import Site

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="a connection pool needs PostgreSQL",
)

# Eight threads ask for pages at once, as gunicorn's threads do; then the pool's own figures.
PAGES = """
import json, threading
from django.db import connection
from django.test import Client

answers = []

def browse():
    client = Client(HTTP_HOST="localhost")
    for _ in range(5):
        answers.append(client.get("/healthz").status_code)
    connection.close()  # back to the pool, as at the end of a request

threads = [threading.Thread(target=browse) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
connection.ensure_connection()
print(json.dumps({"answers": answers, "pool": connection.pool.get_stats()}))
"""

# A task queued in the database, run by `socialdesk worker --batch` in this process.
WORKER = """
import json
from django.core.management import call_command
from django.db import connection
from socialdesk.core.tasks import send_email

send_email.enqueue("Pool", "It works.", ["ops@example.com"])
connection.close()
call_command("worker", "--batch")
connection.ensure_connection()
print(json.dumps({"pool": connection.pool.get_stats()}))
"""


def _figures(output: str) -> dict[str, object]:
    return dict(json.loads(output.strip().splitlines()[-1]))


@pytest.mark.slow
def test_with_the_pool_pages_answer_and_the_worker_runs_its_tasks(tmp_path: Path) -> None:
    site = Site(tmp_path, name="pool", DATABASE_POOL="12", EMAIL="file")
    try:
        site.command("migrate", "--no-input", "-v", "0")

        pages = _figures(site.python(PAGES))
        assert pages["answers"] == [200] * 40
        pool = pages["pool"]
        assert isinstance(pool, dict)
        assert pool["pool_max"] == 12
        assert pool["requests_num"] >= 8  # every thread borrowed from the pool
        assert pool["connections_num"] <= 12  # never more connections than the pool holds

        worker = _figures(site.python(WORKER))
        assert isinstance(worker["pool"], dict) and worker["pool"]["requests_num"] >= 2
        done = site.query("SELECT status FROM django_tasks_database_dbtaskresult")
        assert done == [("SUCCESSFUL",)]
        mails = list((tmp_path / "mail").iterdir())
        assert len(mails) == 1 and "It works." in mails[0].read_text()
    finally:
        site.drop()
