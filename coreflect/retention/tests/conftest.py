import datetime as dt

import pytest

from coreflect.notes.tests.conftest import one_to_one, share_notes, write_notes
from coreflect.supervision.models import SupervisionRelationship


@pytest.fixture
def old(sam, alice):
    """Sam supervised Alice once before, from 2017 to 31 March 2019; their one-to-one of 7 June
    2018 has notes, shared (one version). With the protocol's six years
    they were kept until 31 March 2025, so on the frozen day (23 November 2026) they are past
    their retention date."""
    SupervisionRelationship.objects.create(
        supervisor=sam,
        supervisee=alice,
        type="peer_work",
        start_date=dt.date(2017, 1, 1),
        end_date=dt.date(2019, 3, 31),
    )
    session = one_to_one(sam, alice, dt.date(2018, 6, 7))
    write_notes(sam, session, wellbeing="Old notes")
    share_notes(sam, session)
    return session


@pytest.fixture
def current(sam, alice):
    """This autumn's one-to-one, under the supervision that goes on."""
    session = one_to_one(sam, alice, dt.date(2026, 11, 19))
    write_notes(sam, session)
    return session
