"""The demo organisation's session notes (build.py calls notes() once the sessions are saved).

Recent one-to-ones get their notes through the real actions (notes/actions.py), so every rule
and audit entry applies; each step is then dated to the day it would have happened, after the
session. Between them they show every state of notes, notes overdue to share and to answer,
actions carried forward to the next session, topics brought to a coming session, caseloads by
pseudonym, a reflective model asked for and one agreed, and a co-reflection's own agenda.
Older one-to-ones, long since agreed, get accepted notes written directly in bulk: going
through the actions for a year of sessions would slow every build for nothing shown.

Every text here is fictional and names no one: people supported are initials.
"""

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from coreflect.notes import access, actions, register, workdays
from coreflect.notes.models import Action as AgreedAction
from coreflect.notes.models import (
    ActionOwner,
    ActionState,
    CaseloadEntry,
    Comment,
    LastNotesAgreed,
    ModelRequest,
    Notes,
    NotesEvent,
    NotesState,
    NotesVersion,
    PeerValue,
    Topic,
    VersionKind,
)
from coreflect.people.models import Person
from coreflect.policy.models import PolicySettings
from coreflect.policy.presets import PRESETS
from coreflect.supervision.models import (
    AttendanceStatus,
    RelationshipType,
    Session,
    SessionKind,
    SupervisionRelationship,
)

# One-to-ones this recent go through the actions; older ones are accepted in bulk.
RECENT_DAYS = 100

# The state of each supervisee's latest notes past their deadlines, by the supervisee's number
# modulo LATE_CYCLE (accepted for the rest): build.check() needs every state at least once.
LATE_CYCLE = 12
LATE = {
    0: NotesState.NOT_WRITTEN,  # overdue to share
    3: NotesState.SHARED,  # overdue to answer, and flagged on the next session's page
    5: NotesState.DRAFT,  # overdue to share
    6: NotesState.CHANGES_REQUESTED,
    9: NotesState.REVIEW_TOGETHER,
}

WELLBEING = (
    "Feeling settled this month; sleep better since the rota changed.",
    "A tiring few weeks. Using the wellbeing plan and taking the lunch break.",
    "Mixed: good days at work, a harder time at home. Knows who to call.",
    "Well, and looking forward to the course next month.",
)
CHALLENGING = (
    "Holding hope for someone who had a setback after discharge.",
    "Being asked to chase appointments for the team, which is not peer work.",
    "A meeting where lived experience was talked about as a risk.",
    "Ending a peer relationship well when the person was not ready.",
)
GONE_WELL = (
    "Co-facilitated the recovery group and shared a part of the story that helped.",
    "A person supported spoke up in their own review for the first time.",
    "Good joint work with the ward on a discharge plan.",
    "Took time back after a long day, as agreed last time.",
)
ACTIONS = (
    ("Look up the carers' peer group dates and share them", ActionOwner.SUPERVISEE),
    ("Ask the team manager about protected time for peer work", ActionOwner.SUPERVISOR),
    ("Read the boundaries guidance together before next time", ActionOwner.BOTH),
    ("Book onto the safeguarding refresher", ActionOwner.SUPERVISEE),
)
TOPICS = (
    "Self-disclosure: how much, and when",
    "Working with the crisis team",
    "Planning leave over the holidays",
)
INITIALS = ("A.B.", "C.D.", "E.F.", "G.H.", "J.K.", "L.M.", "N.P.", "R.S.")
GIBBS: dict[str, Any] = {
    "name": "Gibbs' reflective cycle",
    "summary": "Six stages, from what happened to what you would do next time.",
    "prompts": [
        {"heading": "Description", "prompt": "What happened?"},
        {"heading": "Feelings", "prompt": "What were you thinking and feeling?"},
        {"heading": "Evaluation", "prompt": "What was good and bad about it?"},
        {"heading": "Analysis", "prompt": "What sense can you make of it?"},
        {"heading": "Conclusion", "prompt": "What else could you have done?"},
        {"heading": "Action plan", "prompt": "What would you do if it arose again?"},
    ],
}


def notes(today: dt.date, head: Person, examples: dict[str, Person]) -> dict[str, int]:
    """Write the demo's notes as of today; returns how many notes are in each state."""
    return _Notes(today, head, examples).run()


class _Notes:
    def __init__(self, today: dt.date, head: Person, examples: dict[str, Person]) -> None:
        # Notes are written through the actions, which go by the real clock: a demo built for a
        # later day has notes only up to the real one.
        self.today = min(today, timezone.localdate())
        self.head = head
        self.examples = examples
        self.rng = random.Random(8)
        policy = PolicySettings.objects.current()
        self.deadlines = register.Deadlines.of(policy)
        self.recent_from = today - dt.timedelta(days=RECENT_DAYS)
        self.started = timezone.now()
        self.states: dict[str, int] = defaultdict(int)

    def run(self) -> dict[str, int]:
        held = list(
            register.held_one_to_ones(self.today)
            .select_related("lead")
            .prefetch_related("attendance__person")
            .order_by("date", "pk")
        )
        by_pair: dict[tuple[int, int], list[Session]] = defaultdict(list)
        for session in held:
            by_pair[(session.lead_id, self._supervisee(session).pk)].append(session)
        self.newest_of = {pair: sessions[-1] for pair, sessions in by_pair.items()}
        self.caseloads = self._caseloads(
            {self._supervisee(s) for s in held if s.date >= self.recent_from}
        )
        self._accepted_in_bulk([s for s in held if s.date < self.recent_from])
        for (_lead, _supervisee), sessions in by_pair.items():
            recent = [s for s in sessions if s.date >= self.recent_from]
            for index, session in enumerate(recent):
                newest = index == len(recent) - 1
                self._write(session, self._state_for(session, newest, index, len(recent)))
        self._topics()
        self._models()
        self._agenda()
        return dict(self.states)

    # Who and when ------------------------------------------------------------------------

    @staticmethod
    def _supervisee(session: Session) -> Person:
        return next(a.person for a in session.attendance.all() if a.person_id != session.lead_id)

    def _state_for(self, session: Session, newest: bool, index: int, count: int) -> str:
        """What the notes have come to by today. A newest one-to-one still inside its share
        deadline is to write, being written or shared; each supervisee's latest one-to-one
        past its deadlines (the newest, or the one before a recent newest) takes its state
        from LATE; every earlier one's notes were agreed."""
        n = _number(self._supervisee(session))
        young = newest and self._working_days_since(session.date) <= self.deadlines.share_days
        if young:
            return (NotesState.NOT_WRITTEN, NotesState.DRAFT, NotesState.SHARED)[n % 3]
        if newest or index == count - 2 and self._newest_is_young(session):
            return LATE.get(n % LATE_CYCLE, NotesState.ACCEPTED)
        return NotesState.ACCEPTED

    def _newest_is_young(self, session: Session) -> bool:
        newest = self.newest_of[(session.lead_id, self._supervisee(session).pk)]
        return self._working_days_since(newest.date) <= self.deadlines.share_days

    def _working_days_since(self, day: dt.date) -> int:
        count = 0
        while workdays.add_working_days(day, count + 1, self.deadlines.region) <= self.today:
            count += 1
        return count

    def _day(self, after: dt.date, working_days: int) -> dt.date:
        """A working day some way after `after`, never after today."""
        day = workdays.add_working_days(after, working_days, self.deadlines.region)
        return min(day, self.today)

    def _at(self, day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60))))

    def _dated(self, notes_pk: int, day: dt.date, hour: int) -> None:
        """Date the rows the last action wrote (those still stamped with the build's time)."""
        at = self._at(day, hour)
        fresh = {"at__gte": self.started}
        NotesEvent.objects.filter(notes_id=notes_pk, **fresh).update(on=day, at=at)
        NotesVersion.objects.filter(notes_id=notes_pk, created_at__gte=self.started).update(
            created_at=at
        )
        NotesVersion.objects.filter(notes_id=notes_pk, updated_at__gte=self.started).update(
            updated_at=at
        )
        Comment.objects.filter(version__notes_id=notes_pk, created_at__gte=self.started).update(
            created_at=at
        )
        AgreedAction.objects.filter(notes_id=notes_pk, created_at__gte=self.started).update(
            created_at=at
        )

    # Writing through the actions -----------------------------------------------------------

    def _write(self, session: Session, state: str) -> None:
        self.states[state] += 1
        if state == NotesState.NOT_WRITTEN:
            return
        supervisor, supervisee = session.lead, self._supervisee(session)
        lead_user, own_user = _user(supervisor), _user(supervisee)
        n = _number(supervisee) + session.date.month
        entries = self.caseloads.get(supervisee.pk, [])
        discussed = entries[n % len(entries) : n % len(entries) + 2] if entries else []
        content: dict[str, Any] = {
            "wellbeing": WELLBEING[n % len(WELLBEING)],
            "actions_review": "Went through last time's actions: see below.",
            "last_notes_agreed": LastNotesAgreed.YES,
            "challenging": CHALLENGING[n % len(CHALLENGING)],
            "gone_well": GONE_WELL[(n + 1) % len(GONE_WELL)],
            "caseload_examples": (
                f"Talked about {' and '.join(e.label for e in discussed)}." if discussed else ""
            ),
            "topics_to_return": TOPICS[n % len(TOPICS)] if n % 2 else "",
            "reflection": [
                "A person supported cancelled twice and then came back.",
                "Waiting without chasing kept the door open.",
                "Keep offering, and say so in the team meeting.",
            ],
            "values": [PeerValue.values[n % len(PeerValue.values)]],
        }
        written = self._day(session.date, 1)

        def seat() -> access.Seat:
            return access.seat_at(lead_user, session.pk)

        made = actions.save_draft(
            by=lead_user, seat=seat(), version=0, content=content, caseload=discussed
        )
        text, owner = ACTIONS[n % len(ACTIONS)]
        actions.add_action(
            by=lead_user,
            seat=seat(),
            version=made.version,
            text=text,
            owner=owner,
            due=session.date + dt.timedelta(days=28),
        )
        self._dated(made.pk, written, 16)
        if state == NotesState.DRAFT:
            return
        # Most are shared within the deadline; one in six a few days late.
        late = 3 if n % 6 == 0 else 0
        shared = self._day(session.date, self.rng.randint(1, self.deadlines.share_days) + late)
        shared = max(shared, written)
        s = seat()
        actions.share(by=lead_user, seat=s, version=_version(s))
        self._dated(made.pk, shared, 17)
        if state == NotesState.SHARED:
            return

        def own_seat() -> access.Seat:
            return access.seat_at(own_user, session.pk)

        answered = max(self._day(shared, self.rng.randint(1, 4)), shared)
        if state in (NotesState.CHANGES_REQUESTED, NotesState.ACCEPTED) and n % 3 == 0:
            # Asked for a change first; the supervisor revised and shared again.
            s = own_seat()
            actions.propose_changes(
                by=own_user,
                seat=s,
                version=_version(s),
                content={"gone_well": content["gone_well"] + " It also felt like a team effort."},
            )
            s = own_seat()
            latest = access.readable_versions(s)[-1]
            actions.add_comment(
                by=own_user, seat=s, version=latest, text="Small change to what went well."
            )
            self._dated(made.pk, answered, 12)
            if state == NotesState.CHANGES_REQUESTED:
                return
            s = seat()
            actions.save_draft(
                by=lead_user,
                seat=s,
                version=_version(s),
                content={**actions.content_of(latest)},
                caseload=discussed,
            )
            s = seat()
            actions.share(by=lead_user, seat=s, version=_version(s))
            answered = max(self._day(answered, 1), answered)
            self._dated(made.pk, answered, 15)
            answered = max(self._day(answered, 1), answered)
        elif state == NotesState.CHANGES_REQUESTED:
            s = own_seat()
            actions.propose_changes(
                by=own_user,
                seat=s,
                version=_version(s),
                content={"challenging": content["challenging"] + " And the waiting list."},
            )
            self._dated(made.pk, answered, 12)
            return
        to = NotesState.REVIEW_TOGETHER if state == NotesState.REVIEW_TOGETHER else state
        s = own_seat()
        actions.answer(by=own_user, seat=s, version=_version(s), to=to)
        self._dated(made.pk, answered, 11)
        if state == NotesState.ACCEPTED:
            self._close_older_actions(made.pk, session, answered)

    def _close_older_actions(self, notes_pk: int, session: Session, on: dt.date) -> None:
        """Actions agreed two sessions back are done by now; last session's stay open and are
        carried forward to the next one's review."""
        earlier = (
            AgreedAction.objects.filter(
                notes__session__lead=session.lead,
                notes__session__attendance__person=self._supervisee(session),
                notes__session__date__lt=session.date - dt.timedelta(days=40),
                state=ActionState.OPEN,
            )
            .exclude(notes_id=notes_pk)
            .distinct()
        )
        for action in earlier:
            state = ActionState.DROPPED if action.pk % 7 == 0 else ActionState.DONE
            actions.close_action(
                by=_user(session.lead), action=action, state=state, version=action.version
            )
        AgreedAction.objects.filter(pk__in=[a.pk for a in earlier]).update(closed_on=on)

    # The rest ------------------------------------------------------------------------------

    def _accepted_in_bulk(self, sessions: list[Session]) -> None:
        """Accepted notes, short, for one-to-ones before the recent ones."""
        made = Notes.objects.bulk_create(
            Notes(session=s, state=NotesState.ACCEPTED, version=3) for s in sessions
        )
        versions, events = [], []
        for s, row in zip(sessions, made, strict=True):
            n = _number(self._supervisee(s)) + s.date.month
            written = self._day(s.date, 1)
            shared = self._day(s.date, 2 + n % 3)
            accepted = self._day(shared, 1 + n % 3)
            versions.append(
                NotesVersion(
                    notes=row,
                    number=1,
                    kind=VersionKind.SHARED,
                    author=s.lead,
                    created_at=self._at(written, 16),
                    updated_at=self._at(shared, 17),
                    wellbeing=WELLBEING[n % len(WELLBEING)],
                    challenging=CHALLENGING[n % len(CHALLENGING)],
                    gone_well=GONE_WELL[n % len(GONE_WELL)],
                    last_notes_agreed=LastNotesAgreed.YES,
                )
            )
            lead, supervisee = s.lead, self._supervisee(s)
            for state, day, by in (
                (NotesState.DRAFT, written, lead),
                (NotesState.SHARED, shared, lead),
                (NotesState.ACCEPTED, accepted, supervisee),
            ):
                events.append(
                    NotesEvent(
                        notes=row,
                        state=state,
                        on=day,
                        at=self._at(day, 10),
                        by=by.user,
                        by_name=by.name,
                    )
                )
            self.states[NotesState.ACCEPTED] += 1
        NotesVersion.objects.bulk_create(versions, batch_size=1000)
        NotesEvent.objects.bulk_create(events, batch_size=1000)

    def _caseloads(self, supervisees: set[Person]) -> dict[int, list[CaseloadEntry]]:
        """Each peer worker's people supported, by initials; one archived."""
        lists: dict[int, list[CaseloadEntry]] = {}
        for person in sorted(supervisees, key=lambda p: p.pk):
            n = _number(person)
            labels = [INITIALS[(n + i) % len(INITIALS)] for i in range(3 + n % 3)]
            entries = [
                actions.add_caseload_entry(by=_user(person), owner=person, label=label)
                for label in labels
            ]
            added = self.today - dt.timedelta(days=200 + n % 60)
            CaseloadEntry.objects.filter(pk__in=[e.pk for e in entries]).update(added_on=added)
            if len(entries) > 3:
                actions.archive_caseload_entry(by=_user(person), entry=entries[-1])
                entries = entries[:-1]
            for entry in entries:
                entry.added_on = added
            lists[person.pk] = entries
        return lists

    def _topics(self) -> None:
        """Topics brought to the next one-to-one, by both sides, for the example peer worker
        and a few others."""
        coming = (
            Session.objects.filter(
                kind=SessionKind.ONE_TO_ONE, date__gt=self.today, cancelled_at__isnull=True
            )
            .exclude(attendance__status__in=[AttendanceStatus.CANCELLED_BY_SUPERVISEE])
            .select_related("lead")
            .prefetch_related("attendance__person")
            .order_by("date", "pk")
        )
        example = self.examples.get("peer_worker")
        chosen: list[Session] = []
        for session in coming:
            supervisee = self._supervisee(session)
            if supervisee == example or _number(supervisee) % 4 == 0:
                if all(self._supervisee(c) != supervisee for c in chosen):
                    chosen.append(session)
        for i, session in enumerate(chosen):
            supervisee = self._supervisee(session)
            for person, text in (
                (supervisee, TOPICS[i % len(TOPICS)]),
                (session.lead, "How the new referral route is going"),
            ):
                user = _user(person)
                actions.add_topic(by=user, seat=access.seat_at(user, session.pk), text=text)
        Topic.objects.filter(created_at__gte=self.started).update(
            created_at=self._at(self.today, 9)
        )

    def _models(self) -> None:
        """Gibbs' cycle added by the head of peer work; one supervisee uses it (agreed), and
        the example peer worker has asked for it (waiting for their supervisor)."""
        gibbs = actions.add_reflective_model(by=_user(self.head), **GIBBS)
        current = SupervisionRelationship.objects.current(self.today).filter(
            type=RelationshipType.PEER_WORK
        )
        example = self.examples.get("peer_worker")
        asking = current.filter(supervisee=example).first()
        agreed = current.exclude(supervisee=example).order_by("pk")[3:4].first()
        asked_at = self._at(self.today - dt.timedelta(days=3), 14)
        if agreed is not None:
            request = actions.request_model(
                by=_user(agreed.supervisee), relationship=agreed, model=gibbs
            )
            actions.decide_model(by=_user(agreed.supervisor), request=request, agree=True)
            ModelRequest.objects.filter(pk=request.pk).update(
                requested_at=asked_at - dt.timedelta(days=30),
                decided_at=asked_at - dt.timedelta(days=28),
            )
        if asking is not None:
            request = actions.request_model(
                by=_user(asking.supervisee), relationship=asking, model=gibbs
            )
            ModelRequest.objects.filter(pk=request.pk).update(requested_at=asked_at)

    def _agenda(self) -> None:
        """The first coming co-reflection has its own agenda: the template with a longer
        check-in and a topic the group asked for."""
        session = (
            Session.objects.filter(
                kind=SessionKind.CO_REFLECTION, date__gt=self.today, cancelled_at__isnull=True
            )
            .order_by("date", "pk")
            .first()
        )
        if session is None:
            return
        template = PRESETS[PolicySettings.objects.current().preset].co_reflection_agenda
        items: list[dict[str, Any]] = [
            {"title": t.title, "minutes": t.minutes, "description": t.description} for t in template
        ]
        if items:
            items[0]["minutes"] += 5
        items.insert(
            min(2, len(items)),
            {
                "title": "Sharing our stories safely",
                "minutes": 20,
                "description": "Asked for by the group last month.",
            },
        )
        actions.save_agenda(
            by=_user(session.lead), session=session, version=session.version, items=items
        )


def _user(person: Person) -> User:
    if person.user is None:  # every demo person has a sign-in
        raise ValueError(f"{person} has no sign-in")
    return person.user


def _version(seat: access.Seat) -> int:
    return seat.notes.version if seat.notes is not None else 0


def _number(person: Person) -> int:
    return int(person.external_id[1:]) if person.external_id[1:].isdigit() else person.pk
