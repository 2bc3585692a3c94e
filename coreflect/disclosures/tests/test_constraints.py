"""The database itself refuses a disclosure without a ground, or neither told first nor a
reason: written around the form and the action, straight to the table."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coreflect.disclosures.models import Disclosure, Ground

pytestmark = pytest.mark.django_db


def fields(alice, sam, **changes):
    values = {
        "supervisee": alice,
        "supervisor": sam,
        "ground": Ground.CONDUCT,
        "summary": "What was shared",
        "shared_with_name": "Rita",
        "shared_with_role": "Ward manager",
        "shared_on": dt.date(2026, 11, 20),
        "told_first": True,
        "not_told_reason": "",
        "recorded_at": timezone.now(),
    }
    return values | changes


def refused(**values) -> bool:
    try:
        with transaction.atomic():
            Disclosure.objects.create(**values)
    except IntegrityError:
        return True
    return False


def test_a_complete_disclosure_is_stored(alice, sam):
    assert not refused(**fields(alice, sam))
    assert not refused(**fields(alice, sam, told_first=False, not_told_reason="On leave"))


@pytest.mark.parametrize("ground", ["", "other", "SAFEGUARDING"])
def test_the_database_refuses_a_disclosure_without_one_of_the_three_grounds(alice, sam, ground):
    assert refused(**fields(alice, sam, ground=ground))


@pytest.mark.parametrize("reason", ["", "   "])
def test_the_database_refuses_a_disclosure_neither_told_first_nor_saying_why(alice, sam, reason):
    assert refused(**fields(alice, sam, told_first=False, not_told_reason=reason))


def test_the_database_refuses_a_reason_beside_told_first(alice, sam):
    assert refused(**fields(alice, sam, told_first=True, not_told_reason="On leave"))


@pytest.mark.parametrize("field", ["summary", "shared_with_name", "shared_with_role"])
def test_the_database_refuses_a_disclosure_not_saying_what_or_with_whom(alice, sam, field):
    assert refused(**fields(alice, sam, **{field: " "}))


def test_the_database_refuses_a_disclosure_about_oneself(alice, sam):
    assert refused(**fields(alice, sam, supervisor=alice))


def test_bulk_create_is_refused_as_well(alice, sam):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.bulk_create(
            [
                Disclosure(**fields(alice, sam)),
                Disclosure(**fields(alice, sam, told_first=False, not_told_reason="")),
            ]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.bulk_create([Disclosure(**fields(alice, sam, ground=""))])
    assert not Disclosure.objects.exists()
