import getpass
from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.utils import timezone

from coreflect.audit.models import AuditEvent, NotesAccess, ReadHow


class Named(Protocol):
    """A person as the audit needs them (audit sits below the people app)."""

    pk: Any
    name: str


def name_of(user: User) -> str:
    """The name to keep in the record: the user's person's, else their full name."""
    person = getattr(user, "person", None)  # a user need not be a person (a superuser)
    name = getattr(person, "name", "") if person is not None else ""
    return str(name or user.get_full_name())


def record(
    *,
    by: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    **detail: Any,
) -> AuditEvent:
    """Write one audit entry; call inside the transaction of the change it describes."""
    actor = by if isinstance(by, User) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        actor_name=name_of(actor) if actor else "",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        detail=detail,
    )


def record_read(
    *,
    by: User,
    person: Named | None,
    notes_pk: int,
    session_pk: int,
    version: int | None,
    how: ReadHow,
    compared_with: int | None = None,
) -> NotesAccess:
    """Write one access record for one read of one set of notes' content (spec §5): who,
    which notes and version, when and how, and no note text."""
    return NotesAccess.objects.create(
        at=timezone.now(),
        reader=by,
        reader_username=by.get_username(),
        reader_name=person.name if person is not None else name_of(by),
        person_pk=person.pk if person is not None else None,
        notes_pk=notes_pk,
        session_pk=session_pk,
        version=version,
        compared_with=compared_with,
        how=how,
    )


def os_user() -> str:
    """Who is running a management command, as the operating system knows them: what the
    audit log has of a command run without a Coreflect user (--by)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-file entry (a bare container)
        return "unknown"
