import datetime as dt

import pytest
from django.urls import reverse

from coreflect.demo import build
from coreflect.disclosures.models import Disclosure, Ground
from coreflect.people.models import Role

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_disclosure_told_first_and_seen_and_one_not_told_and_new(client):
    org = build.build(dt.date(2026, 11, 23))
    told, not_told = Disclosure.objects.order_by("shared_on")
    assert told.supervisee == org.examples[Role.PEER_SUPPORT_WORKER] and told.told_first
    assert told.seen_at is not None and told.ground == Ground.CONDUCT
    assert not_told.supervisee == org.examples[Role.PEER_WORKER]
    assert not not_told.told_first and not_told.not_told_reason and not_told.seen_at is None
    assert not_told.ground == Ground.SAFEGUARDING
    worker = not_told.supervisee
    signed_in = client.post(
        reverse("account_login"),
        {"login": worker.user.username, "password": build.PASSWORD},
        follow=True,
    )
    assert "there is 1 new disclosure about you" in signed_in.content.decode()
