"""Calendar subscription addresses: made, regenerated and revoked, each audited (never with the
token). The token is 32 random bytes; only its SHA-256 is stored, so the database cannot give
an address away, and a feed is found by the hash (secrets in the URL compare by lookup of a
hash, not by comparing the secret itself)."""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.audit.models import AuditEvent
from coreflect.calendars.models import CalendarSubscription
from coreflect.people.models import Person


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def make_address(*, by: User | None, person: Person) -> str:
    """A new token for the person's calendar (any address they had stops working); returns the
    token, which is not kept."""
    token = secrets.token_urlsafe(32)
    existing = CalendarSubscription.objects.select_for_update().filter(person=person).first()
    if existing is None:
        subscription = CalendarSubscription.objects.create(
            person=person, token_hash=token_hash(token), created_at=timezone.now()
        )
        action = "calendar.subscribe"
    else:
        existing.token_hash, existing.created_at = token_hash(token), timezone.now()
        existing.save(update_fields=["token_hash", "created_at"])
        subscription, action = existing, "calendar.regenerate"
    record(by=by, action=action, target=subscription, person=person.external_id)
    return token


@transaction.atomic
def revoke_address(*, by: User | None, person: Person) -> bool:
    """Stop the person's calendar address working; False if they had none."""
    subscription = CalendarSubscription.objects.filter(person=person).first()
    if subscription is None:
        return False
    record(by=by, action="calendar.revoke", target=subscription, person=person.external_id)
    subscription.delete()
    return True


def person_for_token(token: str) -> Person | None:
    """Whose calendar a token opens, if any."""
    if not token or len(token) > 100:
        return None
    wanted = token_hash(token)
    subscription = (
        CalendarSubscription.objects.select_related("person").filter(token_hash=wanted).first()
    )
    if subscription is None or not secrets.compare_digest(subscription.token_hash, wanted):
        return None
    return subscription.person


def record_fetch(person: Person, address: str) -> None:
    """A feed served is a download of personal data (the person's sessions, with the names of
    those they meet): on the audit log, as export.calendar. A calendar program asks for it many
    times a day, so the day's first fetch is recorded, not every one."""
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    already = AuditEvent.objects.filter(
        action="export.calendar",
        object_type="people.person",
        object_id=str(person.pk),
        at__gte=start,
    ).exists()
    if not already:
        record(by=None, action="export.calendar", target=person, first_today=True, address=address)
