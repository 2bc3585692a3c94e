"""Every write to notes, each in one transaction with its audit entry. The audit entry
names what happened and to which notes, never what they say.

Callers pass the Seat from notes/access.py, so only the two people a session's notes belong
to reach these; the rules (notes/rules.py) say which of the two may do what, when.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.notes import rules
from coreflect.notes.access import Seat
from coreflect.notes.models import (
    OWN_SUPERVISION_PARTS,
    TEXT_FIELDS,
    Action,
    ActionState,
    AgendaItem,
    CaseloadEntry,
    Comment,
    ModelRequest,
    Notes,
    NotesEvent,
    NotesShare,
    NotesState,
    NotesVersion,
    OwnSupervisionItem,
    ReflectiveModel,
    RequestState,
    Topic,
    VersionKind,
)
from coreflect.notes.rules import Party
from coreflect.people.models import Person
from coreflect.policy.presets import AgendaItem as AgendaTemplateItem
from coreflect.supervision.models import Session, SupervisionRelationship

# What a version holds besides the free text.
CONTENT_FIELDS = (*TEXT_FIELDS, "last_notes_agreed", "reflective_model", "reflection", "values")


class StaleEdit(Exception):
    """The notes changed since the form was opened; nothing was saved."""


class Refused(Exception):
    """The move is not open to this person now (the message says why)."""


def _name(user: User) -> str:
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _claim(notes: Notes, version: int) -> Notes:
    """Lock the notes and move them to the next version, or refuse a stale form."""
    locked = Notes.objects.select_for_update().get(pk=notes.pk)
    if locked.version != version:
        raise StaleEdit
    Notes.objects.filter(pk=notes.pk).update(version=F("version") + 1)
    locked.version += 1
    return locked


def _move(notes: Notes, to: str, *, by: User, party: Party) -> None:
    if not rules.can_transition(notes.state, to, party):
        raise Refused(f"Notes that are {notes.get_state_display().lower()} cannot move to {to}.")
    _event(notes, to, by=by)
    notes.state = to
    Notes.objects.filter(pk=notes.pk).update(state=to)


def _event(notes: Notes, state: str, *, by: User) -> None:
    now = timezone.now()
    NotesEvent.objects.create(
        notes=notes, state=state, on=timezone.localdate(now), at=now, by=by, by_name=_name(by)
    )


def latest_version(notes: Notes) -> NotesVersion | None:
    return notes.versions.order_by("-number").first()


def _new_version(
    notes: Notes, *, kind: str, author: Person, based_on: NotesVersion | None, **content: Any
) -> NotesVersion:
    now = timezone.now()
    number = (notes.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return NotesVersion.objects.create(
        notes=notes,
        number=number,
        kind=kind,
        author=author,
        based_on=based_on,
        created_at=now,
        updated_at=now,
        **content,
    )


def content_of(version: NotesVersion | None) -> dict[str, Any]:
    if version is None:
        return {}
    return {name: getattr(version, name) for name in CONTENT_FIELDS}


def _comparable(content: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a reader sees of a version's content: its words (the model and empty answers
    left off), to tell whether a proposal changes anything."""
    reflection = list(content.get("reflection") or [])
    while reflection and not str(reflection[-1]).strip():
        reflection.pop()
    return (
        *(str(content.get(name) or "").strip() for name in TEXT_FIELDS),
        content.get("last_notes_agreed") or "",
        tuple(sorted(content.get("values") or [])),
        tuple(str(answer).strip() for answer in reflection),
    )


@transaction.atomic
def save_draft(
    *,
    by: User,
    seat: Seat,
    version: int,
    content: Mapping[str, Any],
    caseload: Iterable[CaseloadEntry] = (),
) -> Notes:
    """The supervisor writes: starts the notes, changes the draft in place, or revises notes
    the supervisee answered with changes or a wish to review them together (a new draft)."""
    if not seat.is_supervisor:
        raise Refused("Only the supervisor who held the session writes its notes.")
    if not seat.held:
        raise Refused("Notes are written once the session has taken place.")
    notes = seat.notes
    if notes is None:
        if version != 0:
            raise StaleEdit
        if not rules.can_transition(NotesState.NOT_WRITTEN, NotesState.DRAFT, seat.party):
            raise Refused("Only the supervisor who held the session writes its notes.")
        notes = Notes.objects.create(session=seat.session, state=NotesState.DRAFT)
        _event(notes, NotesState.DRAFT, by=by)
        _new_version(notes, kind=VersionKind.DRAFT, author=seat.me, based_on=None, **content)
        action = "notes.start"
    else:
        notes = _claim(notes, version)
        if notes.state not in rules.SUPERVISOR_WRITES:
            raise Refused("These notes cannot be changed now.")
        latest = latest_version(notes)
        if notes.state == NotesState.DRAFT and latest and latest.kind == VersionKind.DRAFT:
            for name, value in content.items():
                setattr(latest, name, value)
            latest.updated_at = timezone.now()
            latest.save()
            action = "notes.edit"
        else:
            _move(notes, NotesState.DRAFT, by=by, party=Party.SUPERVISOR)
            _new_version(notes, kind=VersionKind.DRAFT, author=seat.me, based_on=latest, **content)
            action = "notes.revise"
    notes.caseload.set(caseload)
    record(by=by, action=action, target=notes, session=seat.session.pk)
    return notes


@transaction.atomic
def share(*, by: User, seat: Seat, version: int) -> Notes:
    """The supervisor shares the notes with the supervisee: the draft (or, after changes were
    asked for, the latest version as it stands) becomes a shared version that never changes."""
    notes = seat.notes
    if notes is None or not seat.is_supervisor:
        raise Refused("Only the supervisor who held the session shares its notes.")
    notes = _claim(notes, version)
    latest = latest_version(notes)
    if latest is None:
        raise Refused("These notes have no text yet.")
    if not rules.may_share(getattr(latest, name) for name in TEXT_FIELDS) and not any(
        answer.strip() for answer in latest.reflection
    ):
        raise Refused(
            "Write something in the notes before sharing them: they may be short, but not empty."
        )
    _move(notes, NotesState.SHARED, by=by, party=Party.SUPERVISOR)
    if latest.kind == VersionKind.DRAFT:
        latest.kind = VersionKind.SHARED
        latest.updated_at = timezone.now()
        latest.save(update_fields=["kind", "updated_at"])
    else:
        latest = _new_version(
            notes,
            kind=VersionKind.SHARED,
            author=seat.me,
            based_on=latest,
            **content_of(latest),
        )
    record(by=by, action="notes.share", target=notes, version=latest.number)
    return notes


@transaction.atomic
def answer(*, by: User, seat: Seat, version: int, to: str) -> Notes:
    """The supervisee accepts the shared notes or asks to review them together."""
    notes = seat.notes
    if (
        notes is None
        or not seat.is_supervisee
        or to
        not in (
            NotesState.ACCEPTED,
            NotesState.REVIEW_TOGETHER,
        )
    ):
        raise Refused("Only the supervisee answers their notes.")
    notes = _claim(notes, version)
    _move(notes, to, by=by, party=Party.SUPERVISEE)
    record(by=by, action=f"notes.{to}", target=notes)
    return notes


@transaction.atomic
def propose_changes(
    *, by: User, seat: Seat, version: int, content: Mapping[str, Any]
) -> NotesVersion:
    """The supervisee asks for changes by editing the shared notes: their edit is a new
    version, shown to the supervisor as tracked changes."""
    notes = seat.notes
    if notes is None or not seat.is_supervisee:
        raise Refused("Only the supervisee asks for changes to their notes.")
    notes = _claim(notes, version)
    shared = latest_version(notes)
    if shared is None:
        raise Refused("These notes have no text yet.")
    proposed = {**content_of(shared), **content}
    if _comparable(proposed) == _comparable(content_of(shared)):
        raise Refused(
            "You have not changed anything. Accept the notes, or ask to go through them together."
        )
    _move(notes, NotesState.CHANGES_REQUESTED, by=by, party=Party.SUPERVISEE)
    new = _new_version(
        notes, kind=VersionKind.PROPOSED, author=seat.me, based_on=shared, **proposed
    )
    record(by=by, action="notes.changes_requested", target=notes, version=new.number)
    return new


@transaction.atomic
def add_comment(*, by: User, seat: Seat, version: NotesVersion, text: str) -> Comment:
    """The supervisee's own comment on any version they can see."""
    if not seat.is_supervisee:
        raise Refused("Comments on notes are the supervisee's.")
    comment = Comment.objects.create(
        version=version, author=seat.me, text=text, created_at=timezone.now()
    )
    record(by=by, action="notes.comment", target=version.notes, version=version.number)
    return comment


# Actions agreed in the session.


@transaction.atomic
def add_action(
    *, by: User, seat: Seat, version: int, text: str, owner: str, due: dt.date | None
) -> Action:
    """The supervisor records an agreed action while writing the notes."""
    notes = seat.notes
    if notes is None or not seat.is_supervisor:
        raise Refused("Agreed actions are written into the notes by the supervisor.")
    notes = _claim(notes, version)
    if notes.state not in rules.SUPERVISOR_WRITES:
        raise Refused("These notes cannot be changed now.")
    item = Action.objects.create(
        notes=notes, text=text, owner=owner, due=due, created_at=timezone.now()
    )
    record(by=by, action="notes.action.add", target=item, notes=notes.pk)
    return item


@transaction.atomic
def close_action(*, by: User, action: Action, state: str, version: int) -> Action:
    """Either of the two marks an action done or dropped (or open again)."""
    updated = Action.objects.filter(pk=action.pk, version=version).update(
        state=state,
        closed_on=None if state == ActionState.OPEN else timezone.localdate(),
        version=F("version") + 1,
    )
    if not updated:
        raise StaleEdit
    action.refresh_from_db()
    record(by=by, action="notes.action.state", target=action, state=state)
    return action


# Preparation.


@transaction.atomic
def add_topic(*, by: User, seat: Seat, text: str) -> Topic:
    if seat.party is None:
        raise Refused("Topics are added by the two people at the session.")
    if seat.session.is_cancelled:
        raise Refused("This session is cancelled.")
    topic = Topic.objects.create(
        session=seat.session, author=seat.me, text=text, created_at=timezone.now()
    )
    record(by=by, action="notes.topic.add", target=seat.session)
    return topic


# Caseload.


@transaction.atomic
def add_caseload_entry(*, by: User, owner: Person, label: str) -> CaseloadEntry:
    entry, created = CaseloadEntry.objects.get_or_create(
        owner=owner, label=label, defaults={"added_on": timezone.localdate()}
    )
    if not created and entry.archived_on is not None:
        entry.archived_on = None
        entry.save(update_fields=["archived_on"])
    record(by=by, action="notes.caseload.add", target=entry)
    return entry


@transaction.atomic
def archive_caseload_entry(*, by: User, entry: CaseloadEntry) -> CaseloadEntry:
    entry.archived_on = timezone.localdate()
    entry.save(update_fields=["archived_on"])
    record(by=by, action="notes.caseload.archive", target=entry)
    return entry


# Sharing with a later supervisor.


@transaction.atomic
def share_with(*, by: User, seat: Seat, reader: Person) -> NotesShare:
    notes = seat.notes
    if notes is None or not seat.is_supervisee:
        raise Refused("Only the supervisee shares their notes with someone else.")
    existing = notes.shares.filter(reader=reader, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing
    granted = NotesShare.objects.create(notes=notes, reader=reader, granted_at=timezone.now())
    record(by=by, action="notes.share_with", target=notes, reader=reader.external_id)
    return granted


@transaction.atomic
def withdraw_share(*, by: User, seat: Seat, share: NotesShare) -> None:
    if not seat.is_supervisee or share.notes_id != getattr(seat.notes, "pk", None):
        raise Refused("Only the supervisee withdraws a share of their notes.")
    share.withdrawn_at = timezone.now()
    share.save(update_fields=["withdrawn_at"])
    record(by=by, action="notes.share_withdrawn", target=share.notes, reader=share.reader_id)


# Items the supervisor takes to their own supervision (seed 000 Appendix 3).


@transaction.atomic
def mark_for_own_supervision(
    *, by: User, seat: Seat, version: NotesVersion, part: str, note: str = ""
) -> OwnSupervisionItem:
    """The supervisor who held the session marks a part of a version the supervisee can read
    as taken to their own supervision; marking it again while marked changes nothing."""
    notes = seat.notes
    if notes is None or not seat.is_supervisor or version.notes_id != notes.pk:
        raise Refused("Only the supervisor who held the session takes its notes to supervision.")
    if version.kind == VersionKind.DRAFT:
        raise Refused(
            f"Share the notes first: {seat.supervisee.name} sees what you take, so you take "
            "only what they can read."
        )
    if part not in OWN_SUPERVISION_PARTS:
        raise Refused("There is no such part of the notes.")
    # One at a time per set of notes, so a repeated post finds the first one's mark.
    Notes.objects.select_for_update().filter(pk=notes.pk).first()
    existing = OwnSupervisionItem.objects.filter(
        version=version, part=part, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    item = OwnSupervisionItem.objects.create(
        notes=notes,
        version=version,
        part=part,
        note=note.strip(),
        marked_by=seat.me,
        marked_at=timezone.now(),
    )
    record(
        by=by,
        action="notes.own_supervision.mark",
        target=item,
        notes=notes.pk,
        version=version.number,
        part=part,
    )
    return item


@transaction.atomic
def withdraw_own_supervision(*, by: User, seat: Seat, item: OwnSupervisionItem) -> None:
    """The supervisor takes a mark back; the record stays, withdrawn. Withdrawing one already
    withdrawn (a stale page) changes nothing."""
    if not seat.is_supervisor or item.notes_id != getattr(seat.notes, "pk", None):
        raise Refused("Only the supervisor who held the session withdraws what they marked.")
    now = timezone.now()
    if not OwnSupervisionItem.objects.filter(pk=item.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    ):
        return
    item.withdrawn_at = now
    record(
        by=by,
        action="notes.own_supervision.withdraw",
        target=item,
        notes=item.notes_id,
        part=item.part,
    )


# Reflective models.


@transaction.atomic
def add_reflective_model(
    *, by: User, name: str, summary: str, prompts: Sequence[Mapping[str, str]]
) -> ReflectiveModel:
    model = ReflectiveModel.objects.create(name=name, summary=summary, prompts=list(prompts))
    record(by=by, action="notes.model.add", target=model, name=name)
    return model


@transaction.atomic
def request_model(
    *, by: User, relationship: SupervisionRelationship, model: ReflectiveModel
) -> ModelRequest:
    if relationship.model_requests.filter(state=RequestState.REQUESTED).exists():
        raise Refused("You have already asked; your supervisor has not answered yet.")
    asked = ModelRequest.objects.create(
        relationship=relationship, model=model, requested_at=timezone.now()
    )
    record(by=by, action="notes.model.request", target=asked, model=model.name)
    return asked


@transaction.atomic
def decide_model(*, by: User, request: ModelRequest, agree: bool) -> ModelRequest:
    updated = ModelRequest.objects.filter(pk=request.pk, state=RequestState.REQUESTED).update(
        state=RequestState.AGREED if agree else RequestState.DECLINED, decided_at=timezone.now()
    )
    if not updated:
        raise Refused("This request has been answered already.")
    request.refresh_from_db()
    record(by=by, action="notes.model.decide", target=request, agreed=agree)
    return request


# Co-reflection agenda.


@transaction.atomic
def start_agenda(
    *, by: User, session: Session, template: Sequence[AgendaTemplateItem]
) -> list[AgendaItem]:
    """Copy the agenda template into the session (once)."""
    if session.agenda.exists():
        return list(session.agenda.all())
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            session=session,
            position=i,
            title=item.title,
            minutes=item.minutes,
            description=item.description,
        )
        for i, item in enumerate(template, start=1)
    )
    record(by=by, action="session.agenda.start", target=session)
    return items


@transaction.atomic
def save_agenda(
    *, by: User, session: Session, version: int, items: Sequence[Mapping[str, Any]]
) -> list[AgendaItem]:
    """Replace the session's agenda with these items (title, minutes, description), refusing a
    stale form (the session's version moves on)."""
    if not Session.objects.filter(pk=session.pk, version=version).update(version=F("version") + 1):
        raise StaleEdit
    session.agenda.all().delete()
    saved = AgendaItem.objects.bulk_create(
        AgendaItem(session=session, position=i, **item) for i, item in enumerate(items, start=1)
    )
    record(by=by, action="session.agenda.save", target=session, items=len(saved))
    return saved
