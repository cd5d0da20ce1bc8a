"""The per-row work of an import that needs only a row's text, done ahead of the writer.

Guessing a row's language and deciding whether it needs a reply took a fifth of an import's
time in the one process that also writes. With `jobs` above one, forked processes (as many
as the other cores) do it for the next chunks while this process stores the one before; the
writer takes each chunk's answers in file order, at most AHEAD chunks a process ahead, so
memory stays flat. The answers hold only for the company handles they were asked with: a
chunk stored after a new company account appeared is decided here again (`Importer`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from socialdesk.core import forked
from socialdesk.insights.language import guess_language
from socialdesk.insights.needs_reply import needs_reply

AHEAD = 2  # chunks handed to each process before the writer takes the first answers
DOING = "guessing the rows' languages and replies"


@dataclass(frozen=True, slots=True)
class Asked:
    """A chunk's texts, which of them may need a reply, and the company handles then."""

    texts: list[str]
    ask: list[bool]  # False: the row's answer does not depend on its text (company, …)
    handles: frozenset[str]
    version: int  # of the importer's company handles when asked


Answers = list[tuple[str, bool | None]]  # per row: its language, needs a reply (None: not asked)


def answer(asked: Asked) -> Answers:
    """Each text's language, and for those asked whether it needs a reply."""
    answers: Answers = []
    for text, ask in zip(asked.texts, asked.ask, strict=True):
        language = guess_language(text)
        replied = (
            needs_reply(text, company_handles=asked.handles, language=language or None)
            if ask
            else None
        )
        answers.append((language, replied))
    return answers


def warm() -> None:
    """Load the word lists and rules before forking (shared by the processes)."""
    answer(Asked(["Warum? Why?"], [True], frozenset(), 0))


def in_order[C](
    pool: ProcessPoolExecutor, chunks: Iterable[tuple[C, Asked]], jobs: int
) -> Iterator[tuple[C, Asked, Answers]]:
    """Each chunk with its answers, in the chunks' order, the next ones under way."""
    pending: deque[tuple[C, Asked, Future[Answers]]] = deque()
    for chunk, asked in chunks:
        pending.append((chunk, asked, forked.submit(pool, answer, asked, DOING)))
        if len(pending) > AHEAD * jobs:
            yield _taken(pending.popleft())
    while pending:
        yield _taken(pending.popleft())


def _taken[C](item: tuple[C, Asked, Future[Answers]]) -> tuple[C, Asked, Answers]:
    chunk, asked, future = item
    return chunk, asked, forked.result(future, DOING)
