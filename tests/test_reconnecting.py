"""Long-lived loops outlive a database restart instead of exiting."""

from __future__ import annotations

import psycopg
import pytest

from core.db import reconnecting


def test_a_lost_database_is_waited_for_with_growing_pauses() -> None:
    calls: list[int] = []
    pauses: list[float] = []

    def work() -> None:
        calls.append(1)
        if len(calls) <= 3:
            raise psycopg.OperationalError("the database system is shutting down")

    reconnecting(work, "test loop", sleep=pauses.append)
    assert len(calls) == 4 and pauses == [1.0, 2.0, 4.0]


def test_other_errors_are_not_swallowed() -> None:
    def work() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        reconnecting(work, "test loop", sleep=lambda _s: None)
