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


def hand_over(everyone, to):
    """Sam's supervision of Alice ends on Friday 20 November 2026; `to` takes over the next
    day (a later supervisor, for the shares)."""
    from coreflect.supervision.models import SupervisionRelationship

    SupervisionRelationship.objects.filter(
        supervisor=everyone["sam"], supervisee=everyone["alice"]
    ).update(end_date=dt.date(2026, 11, 20))
    SupervisionRelationship.objects.create(
        supervisor=to,
        supervisee=everyone["alice"],
        type="peer_work",
        start_date=dt.date(2026, 11, 21),
    )


def share_with_later_supervisor(everyone, session, reader):
    """Sam hands Alice over to `reader`, and Alice shares this session's notes with them."""
    hand_over(everyone, reader)
    seat = access.seat_of_party(everyone["alice"].user, session.pk)
    actions.share_with(by=everyone["alice"].user, seat=seat, reader=reader)
