"""Three-way merge of two texts written from the same base (line by line, like diff3).

Both sides' changes go in where they touch different lines; where they touch the same lines,
both are kept between markers for the writer to resolve (`has_conflict_markers`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.translation import gettext

START, MIDDLE, END = "<<<<<<<", "=======", ">>>>>>>"


@dataclass(frozen=True)
class Merged:
    text: str
    conflicts: int


def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """Changes as (base start, base end, new lines)."""
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def merge3(
    base: str, mine: str, theirs: str, *, mine_label: str = "", theirs_label: str = ""
) -> Merged:
    base_lines = base.splitlines(keepends=True)
    mine_lines = mine.splitlines(keepends=True)
    theirs_lines = theirs.splitlines(keepends=True)
    ours = _hunks(base_lines, mine_lines)
    others = _hunks(base_lines, theirs_lines)
    out: list[str] = []
    conflicts = 0
    position = 0
    i = j = 0
    while i < len(ours) or j < len(others):
        # take the next hunk (and every hunk overlapping it, from either side)
        if j >= len(others) or (i < len(ours) and ours[i][0] <= others[j][0]):
            start, end = ours[i][0], ours[i][1]
        else:
            start, end = others[j][0], others[j][1]
        group_ours: list[tuple[int, int, list[str]]] = []
        group_theirs: list[tuple[int, int, list[str]]] = []
        grown = True
        while grown:
            grown = False
            while i < len(ours) and _touches(ours[i], start, end):
                group_ours.append(ours[i])
                start, end = min(start, ours[i][0]), max(end, ours[i][1])
                i += 1
                grown = True
            while j < len(others) and _touches(others[j], start, end):
                group_theirs.append(others[j])
                start, end = min(start, others[j][0]), max(end, others[j][1])
                j += 1
                grown = True
        out.extend(base_lines[position:start])
        position = end
        mine_part = _apply(base_lines, start, end, group_ours)
        theirs_part = _apply(base_lines, start, end, group_theirs)
        if not group_theirs or mine_part == theirs_part:
            out.extend(mine_part)
        elif not group_ours:
            out.extend(theirs_part)
        else:
            conflicts += 1
            out.append(f"{START} {mine_label or gettext('Your version')}\n")
            out.extend(_ended(mine_part))
            out.append(f"{MIDDLE}\n")
            out.extend(_ended(theirs_part))
            out.append(f"{END} {theirs_label or gettext('Their version')}\n")
    out.extend(base_lines[position:])
    return Merged("".join(out), conflicts)


def _touches(hunk: tuple[int, int, list[str]], start: int, end: int) -> bool:
    h_start, h_end = hunk[0], hunk[1]
    if h_start == h_end or start == end:  # insertions touch at their point
        return start <= h_start <= end or h_start <= start <= h_end
    return h_start < end and start < h_end


def _apply(
    base: list[str], start: int, end: int, hunks: list[tuple[int, int, list[str]]]
) -> list[str]:
    out: list[str] = []
    position = start
    for h_start, h_end, lines in hunks:
        out.extend(base[position:h_start])
        out.extend(lines)
        position = h_end
    out.extend(base[position:end])
    return out


def _ended(lines: list[str]) -> list[str]:
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines


def has_conflict_markers(text: str) -> bool:
    lines = text.splitlines()
    return any(line.startswith(START) for line in lines) and any(
        line.startswith(END) for line in lines
    )
