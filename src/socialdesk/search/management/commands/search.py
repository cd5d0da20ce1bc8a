"""`socialdesk search`: rebuild the index, or search as a person from the command line.

    socialdesk search reindex [--type T …]
    socialdesk search QUERY [--as EMAIL] [--type T …] [--order relevance|newest] [--limit N]
                            [--json]

A query that is itself "reindex" is given with `--query reindex`.
"""

from __future__ import annotations

import json
import os
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from socialdesk.accounts.models import Role, User
from socialdesk.search import indexing
from socialdesk.search.kinds.base import Filters
from socialdesk.search.registry import INDEXED, KINDS
from socialdesk.search.selectors import MAX_LIMIT, ORDERS, Hit, search


class Bar:
    """`analysing [#####-----] 45 % 512,000/1,130,000 · 21,300 docs/s · 29 s left` on a
    terminal, one line per step (analysing, then writing in time order); a plain line every
    10 % elsewhere (logs, CI)."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.last = 0.0
        self.step = -1
        self.name = ""

    def __call__(self, done: int, total: int, step: str = "analysing") -> None:
        now = time.monotonic()
        if step != self.name:
            if self.name and self.tty:
                self.stream.write("")
            self.name, self.started, self.last, self.step = step, now, 0.0, -1
        share = done / total if total else 1.0
        elapsed = now - self.started
        line = f"{step} [{'#' * int(share * 20):-<20}] {share:4.0%} {done:,}/{total:,}"
        if elapsed >= 0.5 and done:  # a rate from a blink of time would be nonsense
            rate = done / elapsed
            line += f" · {rate:,.0f} docs/s · {(total - done) / rate:,.0f} s left"
        if self.tty:
            if now - self.last >= 0.2 or done == total:
                self.last = now
                self.stream.write("\r" + line, ending="")
                self.stream.flush()
        elif int(share * 10) > self.step:
            self.step = int(share * 10)
            self.stream.write(line)

    def finish(self) -> None:
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = "Rebuild the search index (`reindex`) or search as a person (QUERY)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("words", nargs="*", help="`reindex`, or the words of a query")
        parser.add_argument("--query", default=None, help="the query (when it is `reindex`)")
        parser.add_argument(
            "--type",
            action="append",
            default=[],
            choices=sorted(KINDS),
            help="only this kind (repeatable)",
        )
        parser.add_argument("--as", dest="as_email", default="", help="search as this person")
        parser.add_argument("--order", choices=ORDERS, default="relevance")
        parser.add_argument("--limit", type=int, default=20, help=f"at most {MAX_LIMIT}")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="reindex: processes that read and analyse the objects",
        )
        parser.add_argument(
            "--offline",
            action="store_true",
            help="reindex in one transaction, full-text index rebuilt once (web, worker stopped)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        words: list[str] = options["words"]
        if options["query"] is None and words == ["reindex"]:
            self._reindex(options["type"], max(1, int(options["jobs"])), options["offline"])
            return
        query = options["query"] if options["query"] is not None else " ".join(words)
        if not query.strip():
            raise CommandError("Give a query, or `reindex`.", returncode=2)
        self._search(query, options)

    def _reindex(self, types: list[str], jobs: int, offline: bool = False) -> None:
        indexed = {k.key for k in INDEXED}
        wrong = [t for t in types if t not in indexed]
        if wrong:
            raise CommandError(f"These kinds have no entries of their own: {', '.join(wrong)}")
        bar = Bar(self.stderr)
        try:
            result = indexing.reindex(kinds=types, progress=bar, jobs=jobs, offline=offline)
        except indexing.ProcessLost as lost:
            raise CommandError(
                f"{lost} The reindex stopped; run it again (with fewer --jobs when memory is "
                "short)."
            ) from lost
        bar.finish()
        rate = result.documents / result.seconds if result.seconds else 0.0
        processes = "1 process" if result.processes == 1 else f"{result.processes} processes"
        self.stdout.write(
            f"{result.documents:,} documents indexed in {result.seconds:.1f} s "
            f"({rate:,.0f}/s, {processes}); "
            f"{result.removed:,} entries of deleted objects removed."
        )

    def _person(self, email: str) -> User:
        if email:
            person = User.objects.filter(email__iexact=email, is_active=True).first()
            if person is None:
                raise CommandError(f"No active person with the address {email}.", returncode=2)
            return person
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if admin is None:
            raise CommandError("There is no active admin; use --as EMAIL.", returncode=2)
        return admin

    def _search(self, query: str, options: dict[str, Any]) -> None:
        person = self._person(options["as_email"])
        limit = max(1, min(int(options["limit"]), MAX_LIMIT))
        page = search(
            person,
            query,
            filters=Filters(kinds=tuple(options["type"])),
            order=options["order"],
            limit=limit,
        )
        if page.problem is not None:
            raise CommandError(page.problem.message, returncode=2)
        if options["json"]:
            self.stdout.write(json.dumps([_json(hit) for hit in page.hits], ensure_ascii=False))
            return
        if not page.hits:
            self.stdout.write(f"No hits for “{query}”.")
            return
        for hit in page.hits:
            self.stdout.write(
                f"{hit.kind:<13} {hit.object_id:>8}  {hit.title[:40]:<40}  {hit.url}\n"
                f"{'':>23}{hit.snippet_text[:160]}  (score {hit.score:g})"
            )
        if page.more:
            self.stdout.write(f"… more than {limit} hits: narrow the search or raise --limit.")


def _json(hit: Hit) -> dict[str, Any]:
    return {
        "type": hit.kind,
        "id": hit.object_id,
        "title": hit.title,
        "url": hit.url,
        "snippet": hit.snippet_text,
        "snippet_html": hit.snippet_html,
        "highlights": list(hit.highlights),
        "score": hit.score,
        "at": hit.at.isoformat() if hit.at else None,
    }
