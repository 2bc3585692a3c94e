import datetime as dt

import pytest

from coreflect.disclosures import actions
from coreflect.disclosures.models import Disclosure, Ground
from coreflect.people.models import Person

MARKER = "Marker-7f3a: told the ward manager about the missed shifts"


@pytest.fixture
def disclosure(alice: Person, sam: Person) -> Disclosure:
    """Sam shared something about Alice on safeguarding grounds, without telling her first."""
    return actions.record_disclosure(
        by=sam.user,  # type: ignore[arg-type]
        supervisee=alice,
        ground=Ground.SAFEGUARDING,
        summary=MARKER,
        shared_with_name="Rita Ward-Hooper",
        shared_with_role="Safeguarding lead",
        shared_on=dt.date(2026, 11, 20),
        told_first=False,
        not_told_reason="Reason-9c1d: she was on leave and it could not wait",
    )
