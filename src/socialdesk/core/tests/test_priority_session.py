"""`core.priority`'s session step where a process is in no automatic group: the kernel shows an
empty `/proc/self/autogroup` (a container whose init never started a session of its own, as on
the CI machine), and writing to it would fail: nothing is written and the worker still runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialdesk.core import priority


def test_a_process_in_no_automatic_group_leaves_the_session_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "autogroup"
    empty.write_text("")
    monkeypatch.setattr(priority, "AUTOGROUP", empty)
    assert priority.session_niceness() is None
    assert priority.lower_session_to(10) is None
    assert empty.read_text() == ""


def test_a_session_is_lowered_and_never_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-42 nice 3\n")
    monkeypatch.setattr(priority, "AUTOGROUP", group)
    assert priority.session_niceness() == 3
    assert priority.lower_session_to(2) == 3  # never raised
    assert group.read_text() == "/autogroup-42 nice 3\n"

    assert priority.lower_session_to(10) == 10  # the file here keeps what was written
    assert group.read_text() == "10"
