"""Fixtures the integration tests share (the stack itself is in tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest


@pytest.fixture
def today(monkeypatch):
    """Set the day the services see (``seteli.clock``: 10:00 UTC of that day)."""
    from seteli import clock

    def set_day(d: date) -> None:
        at = datetime(d.year, d.month, d.day, 10, tzinfo=UTC)
        monkeypatch.setattr(clock, "now", lambda: at)
        monkeypatch.setattr(clock, "today", lambda at_=None: d)

    return set_day


@pytest.fixture
def fresh_repos(fresh_table):
    """The repositories of a table of the test's own (the monthly jobs go through every provider)."""
    from seteli.store import repositories

    return repositories()


@pytest.fixture
def fresh_world(fn, fresh_repos):
    """The events handler and the repositories on the test's own table (see test_events.World)."""
    from tests.integration.test_events import World

    return World(fn("events"), fresh_repos)
