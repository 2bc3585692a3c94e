import datetime as dt

import pytest

from coreflect.demo import build
from coreflect.people.models import Role

pytestmark = pytest.mark.django_db


def test_the_demo_gives_the_head_of_peer_work_notes_to_review(client):
    """A peer worker who left in March 2019, supervised then by the head of peer work: their
    last two one-to-ones' notes were kept until 31 March 2025."""
    org = build.build(dt.date(2026, 11, 23))
    head = org.examples[Role.HEAD_OF_PEER_WORK]
    client.force_login(head.user)
    page = client.get("/retention/").text
    assert "2 sets of notes past their retention date" in page
    assert page.count("31 Mar 2025") == 2 and head.name in page
