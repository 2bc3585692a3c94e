"""Session fixtures: a fixed today, and a one-to-one maker."""

import datetime as dt

import pytest
from django.utils import timezone

from coreflect.supervision import actions

TODAY = dt.date(2026, 11, 23)  # a Monday; the last Wednesday of the month is the 25th
_localdate = timezone.localdate
_now = timezone.now


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas are made with passwords; the real hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Move the clock to TODAY: today's date is TODAY, and now is the time of day on TODAY
    (so a time stamped with now, such as when a location was given, falls on TODAY too; an
    aware datetime given to localdate is still converted)."""
    shift = dt.timedelta(days=(TODAY - _localdate()).days)

    def localdate(value=None, timezone=None):
        return TODAY if value is None else _localdate(value, timezone)

    def now():
        return _now() + shift

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    monkeypatch.setattr("django.utils.timezone.now", now)


@pytest.fixture
def one_to_one():
    def make(lead, supervisee, day=TODAY, location="Room 1"):
        return actions.create_one_to_one(
            by=lead.user,
            lead=lead,
            supervisee=supervisee,
            date=day,
            start_time=dt.time(10),
            duration_minutes=60,
            modality="in_person",
            location=location,
        )

    return make


@pytest.fixture
def co_reflection():
    def make(lead, participants, day=TODAY, location="Hub"):
        return actions.create_co_reflection(
            by=lead.user,
            lead=lead,
            participants=participants,
            date=day,
            start_time=dt.time(13),
            duration_minutes=180,
            modality="in_person",
            location=location,
        )

    return make
