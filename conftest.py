"""Shared fixtures (the personas) live in coreflect/testing.py; this file freezes the clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import settings

pytest_plugins = ["coreflect.testing"]

# No per-example deadline: a time limit is a timed assertion, and on a busy shared machine it
# fails tests whose behaviour is correct.
settings.register_profile("coreflect", deadline=None)
settings.load_profile("coreflect")

# Every test runs at this instant unless it travels elsewhere itself (time_machine.travel), so
# no test depends on the real day or hour: a Monday morning in late November, when the demo and
# the personas have something in every state.
FROZEN_AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller
