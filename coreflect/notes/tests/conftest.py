import datetime as dt

import pytest

from coreflect.notes import access, actions
from coreflect.supervision.actions import create_one_to_one


def one_to_one(supervisor, supervisee, date):
    return create_one_to_one(
        by=supervisor.user,
        lead=supervisor,
        supervisee=supervisee,
        date=date,
        start_time=dt.time(10, 0),
        duration_minutes=60,
        modality="in_person",
        location="Room 1",
    )


@pytest.fixture
def held(sam, alice):
    """A one-to-one sam held with alice on Thursday 19 November 2026 (the clock is frozen at
    Monday 23 November)."""
    return one_to_one(sam, alice, dt.date(2026, 11, 19))


def write_notes(supervisor, session, **content):
    seat = access.seat_at(supervisor.user, session.pk)
    version = seat.notes.version if seat.notes else 0
    return actions.save_draft(
        by=supervisor.user,
        seat=seat,
        version=version,
        content={"wellbeing": "Fine", **content},
    )


def share_notes(supervisor, session):
    seat = access.seat_at(supervisor.user, session.pk)
    return actions.share(by=supervisor.user, seat=seat, version=seat.notes.version)
