"""Session fixtures: one-to-one and co-reflection makers (the root conftest freezes the clock
on TODAY)."""

import datetime as dt

import pytest

from coreflect.supervision import actions

TODAY = dt.date(2026, 11, 23)  # a Monday; the last Wednesday of the month is the 25th


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas are made with passwords; the real hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
