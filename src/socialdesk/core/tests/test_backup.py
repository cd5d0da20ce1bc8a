"""Backups under write load restore to the same database; damaged archives are refused.

Each test runs the real `socialdesk` command in subprocesses against its own data folder and
database (not the test database, which lives inside a transaction), with a writer process
inserting contacts and their handles in one transaction each while the backup runs.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from tests.pg_admin import drop_database

from socialdesk.core import figure_cache
from socialdesk.core.backup import BackupError, find_tool

WRITER_TABLES = ("inbox_contact", "inbox_contacthandle")
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

WRITER = r"""
import sys, time, itertools
kind, target, stop = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "sqlite":
    import sqlite3
    db = sqlite3.connect(target, timeout=30, isolation_level=None)
    db.execute("PRAGMA busy_timeout=30000")
    mark = "?"
else:
    import psycopg
    db = psycopg.connect(target, autocommit=True)
    mark = "%s"
from pathlib import Path
for n in itertools.count():
    if Path(stop).exists():
        break
    db.execute("BEGIN")
    row = db.execute(
        f"INSERT INTO inbox_contact (display_name, created_at) VALUES ({mark}, {mark}) RETURNING id",
        (f"Writer {n}", "2026-11-30T00:00:00+00:00"),
    ).fetchone()
    db.execute(
        f"INSERT INTO inbox_contacthandle (contact_id, network, handle) VALUES ({mark}, 'mastodon', {mark})",
        (row[0], f"writer{n}@example.social"),
    )
    db.execute("COMMIT")
"""


def _cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "socialdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(result.stdout + result.stderr)
    return result


def _env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ENCRYPTION_KEYS")}
    env.update(SOCIALDESK_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="socialdesk.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


class Db:
    """An independent reader (sqlite3 / psycopg, not socialdesk's code) of one database."""

    def __init__(self, kind: str, target: str) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.conn: Any = sqlite3.connect(target)
        else:
            import psycopg

            self.conn = psycopg.connect(target, autocommit=True)

    def tables(self) -> list[str]:
        if self.kind == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return sorted(r[0] for r in self.conn.execute(sql).fetchall())

    def state(self, max_ids: dict[str, int] | None = None) -> dict[str, tuple[int, str]]:
        """Return (row count, SHA-256 of the sorted rows) per table; writer tables up to an id."""
        result = {}
        for table in self.tables():
            sql = f'SELECT * FROM "{table}"'
            if max_ids is not None and table in max_ids:
                sql += f" WHERE id <= {int(max_ids[table])}"
            rows = sorted(repr(tuple(r)) for r in self.conn.execute(sql).fetchall())
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return result

    def max_ids(self) -> dict[str, int]:
        return {
            t: int(self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0])
            for t in WRITER_TABLES
        }

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _fill(db: Db, rows: int) -> None:
    mark = "?" if db.kind == "sqlite" else "%s"
    values = [(f"Kundin {n} " + "x" * 150, "2026-11-29T12:00:00+00:00") for n in range(rows)]
    db.conn.cursor().executemany(
        f"INSERT INTO inbox_contact (display_name, created_at) VALUES ({mark}, {mark})", values
    )
    db.conn.execute(
        "INSERT INTO inbox_contacthandle (contact_id, network, handle) "
        "SELECT id, 'bluesky', 'k' || id FROM inbox_contact"
    )
    if db.kind == "sqlite":
        db.conn.commit()


def _backup_under_load(tmp_path: Path, kind: str, target: str, env: dict[str, str]) -> Path:
    """Run `socialdesk backup` while the writer inserts; return the archive."""
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, kind, target, str(stop)])
    try:
        probe = Db(kind, target)
        deadline = time.monotonic() + 60
        while probe.count("inbox_contact") < 20_050 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = probe.count("inbox_contact")
        result = _cli(env, "backup", "--to", str(tmp_path / "backups"))
        after = probe.count("inbox_contact")
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert after > before, "the writer kept writing while the backup ran"
    assert "wrote " in result.stdout and " bytes" in result.stdout and " s" in result.stdout
    (archive,) = (tmp_path / "backups").glob("socialdesk-backup-*.tar.gz")
    return archive


def _assert_same_as_source(source: Db, restored: Db) -> None:
    restored_ids = restored.max_ids()
    counts = {t: restored.count(t) for t in WRITER_TABLES}
    # One transaction writes a contact and its handle: a consistent copy has both or neither.
    assert counts["inbox_contact"] == counts["inbox_contacthandle"] >= 20_050
    # the kept figures' change log is left out of a backup (its transaction ids are the
    # server's own): compared apart (test_it_backs_up_postgresql_…)
    apart = {figure_cache.LOG, figure_cache.HORIZON, figure_cache.KEPT}
    source_state = source.state(max_ids=restored_ids)
    restored_state = restored.state()
    assert {t: v for t, v in restored_state.items() if t not in apart} == {
        t: v for t, v in source_state.items() if t not in apart
    }


@pytest.mark.slow
def test_it_backs_up_sqlite_under_write_load_and_restores_the_same_database(tmp_path):
    source_dir, target_dir = tmp_path / "live", tmp_path / "restored"
    env = _env(source_dir)
    _cli(env, "migrate", "-v0")
    (source_dir / "encryption_keys").write_text("a-test-key\n")
    db_path = str(source_dir / "socialdesk.sqlite3")
    _fill(Db("sqlite", db_path), 20_000)

    archive = _backup_under_load(tmp_path, "sqlite", db_path, env)

    with tarfile.open(archive) as tar:
        manifest = json.loads(_member_bytes(tar, "manifest.json"))
        readme = _member_bytes(tar, "README.txt").decode()
    assert "The encryption key file IS included" in readme
    assert manifest["engine"] == "sqlite" and manifest["keys_included"] is True
    assert "inbox.0001_create_contacts_conversations_messages" in manifest["migrations"]
    assert set(manifest["files"]) == {"database.sqlite3", "files/encryption_keys",
                                      "files/secret_key"}  # fmt: skip
    result = _cli(_env(target_dir), "restore", str(archive))
    assert "restored the backup of" in result.stdout
    assert "run `socialdesk migrate`" not in result.stdout  # same version: nothing to migrate
    _assert_same_as_source(
        Db("sqlite", db_path), Db("sqlite", str(target_dir / "socialdesk.sqlite3"))
    )
    assert (target_dir / "encryption_keys").read_text() == "a-test-key\n"

    again = _cli(_env(target_dir), "restore", str(archive), check=False)
    assert again.returncode == 1 and "is not empty" in again.stderr


def _member_bytes(tar: tarfile.TarFile, member: str | tarfile.TarInfo) -> bytes:
    """Return the content of one file in the archive (every member socialdesk writes is one)."""
    handle = tar.extractfile(member)
    assert handle is not None, member
    return handle.read()


def _tampered(archive: Path, out: Path) -> Path:
    """Copy the archive with one byte of the database changed and the manifest kept."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as copy:
        for member in source:
            data = _member_bytes(source, member)
            if member.name.startswith("database."):
                data = data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
            copy.addfile(member, io.BytesIO(data))
    return out


@pytest.mark.slow
def test_it_refuses_a_damaged_archive_and_writes_nothing(tmp_path):
    source_dir = tmp_path / "live"
    env = _env(source_dir)
    _cli(env, "migrate", "-v0")
    (source_dir / "encryption_keys").write_text("a-test-key\n")
    _cli(env, "backup", "--to", str(tmp_path))
    (archive,) = tmp_path.glob("socialdesk-backup-*.tar.gz")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(gzip.compress(b"not a tar file at all"))

    cases = {
        _tampered(archive, tmp_path / "tampered.tar.gz"): "checksum differs: database.sqlite3",
        truncated: "is damaged and was not restored",
        garbage: "is damaged and was not restored",
    }
    for path, reason in cases.items():
        target_dir = tmp_path / f"target-{path.stem}"
        result = _cli(_env(target_dir), "restore", str(path), check=False)
        assert result.returncode == 1 and reason in result.stderr, result.stderr
        assert not (target_dir / "encryption_keys").exists()
        assert Db("sqlite", str(target_dir / "socialdesk.sqlite3")).tables() == []


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL pass (DATABASE_URL)")
def test_it_backs_up_postgresql_under_write_load_and_restores_into_a_new_database(tmp_path):
    import psycopg

    base = settings.DATABASES["default"]
    server = f"postgres://{base['USER']}:{base['PASSWORD']}@{base['HOST']}:{base['PORT'] or 5432}"
    suffix = uuid.uuid4().hex[:8]
    source_name, target_name = f"{base['NAME']}_bsrc_{suffix}", f"{base['NAME']}_brst_{suffix}"
    admin = psycopg.connect(f"{server}/postgres", autocommit=True)
    for name in (source_name, target_name):
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        source_url, target_url = f"{server}/{source_name}", f"{server}/{target_name}"
        env = _env(tmp_path / "live", source_url)
        _cli(env, "migrate", "-v0")
        _fill(Db("postgresql", source_url), 20_000)
        Db("postgresql", source_url).conn.execute(  # as a statement trigger logs a change
            f"INSERT INTO {figure_cache.LOG} (source, hour) VALUES ('inbox_conversation', now())"
        )
        Db("postgresql", source_url).conn.execute(  # as a page keeps a figure
            f"INSERT INTO {figure_cache.KEPT} VALUES ('a-figure', 'gA==', now() + interval '1h')"
        )

        archive = _backup_under_load(tmp_path, "postgresql", source_url, env)

        result = _cli(_env(tmp_path / "restored", target_url), "restore", str(archive))
        assert "restored the backup of" in result.stdout
        _assert_same_as_source(Db("postgresql", source_url), Db("postgresql", target_url))
        # the kept figures' change log holds this server's transaction ids: left out
        assert Db("postgresql", source_url).count(figure_cache.LOG) > 0
        assert Db("postgresql", target_url).count(figure_cache.LOG) == 0
        assert Db("postgresql", target_url).count(figure_cache.HORIZON) == 0
        assert Db("postgresql", source_url).count(figure_cache.KEPT) == 1  # and the figures
        assert Db("postgresql", target_url).count(figure_cache.KEPT) == 0
        again = _cli(_env(tmp_path / "again", target_url), "restore", str(archive), check=False)
        assert again.returncode == 1 and "the database already has" in again.stderr
    finally:
        for name in (source_name, target_name):
            drop_database(admin, name)
        admin.close()


def test_it_says_how_to_get_pg_dump_when_it_is_missing():
    with pytest.raises(BackupError, match="pg_dump_missing was not found: install the PostgreSQL"):
        find_tool("pg_dump_missing")
