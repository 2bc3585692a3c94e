# mypy: disable-error-code="arg-type, union-attr, assignment"
"""The first principle, end to end: a session's notes are read by its supervisee and the
supervisor who held it, and by nobody else; a disclosure (spec §5) by the worker it is about
and the supervisor who made it, and by nobody else (the head of peer work and governance see
counts only).

The demo organisation is built as of the frozen day; several held one-to-ones (different
supervisors, no notes yet) get notes through the real actions (notes/actions.py), every part
of them carrying a marker: each text field of the template, each reflection answer, the
supervisee's comments, the agreed actions, the topics either brought, the caseload
pseudonyms and what the supervisor will take to their own supervision (of B, of D, and of G,
withdrawn). The notes are left in every state (draft, shared, changes asked for, review
together, accepted, a revised draft), one shared with the supervisee's later supervisor and
one shared and withdrawn. Three disclosures are recorded through the real action
(disclosures/actions.py), on each of the three grounds, by the supervisors of B, D and G about
their supervisees, each carrying a marker in its summary, in whom it was shared with (name and
role: who was told about a worker says something happened, so they are as confidential as the
summary) and, where the worker was not told first, in the reason why. D's is about the
re-joiner, from the earlier supervisor: the later supervisor must not read it.

Then one person of every role but the two of those sessions (and the later supervisor, who may
read the shared version only) visits every address the URL configuration has, its path filled
with the real ids of the data (the marked sessions, their versions, actions, shares, caseload
entries, model requests, relationships, people, own-supervision items), the downloads with
their query strings, and every same-site link and redirect the pages lead to. No page, CSV,
XLSX (its XML), JSON or PDF (its bytes, and the HTML it was laid out from) may hold a marker;
nor may the exports of the management commands, the audit log, the access records or the log
records. The disclosure counts page and the notes register hold neither kind of marker,
whoever opens them. The visits per visitor are printed (run with -s) and each must pass
MIN_VISITS, so a crawl that reached nothing cannot pass.
"""

import datetime as dt
import html
import io
import itertools
import logging
import re
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.utils import timezone

from coreflect.agreements import pdf as agreement_pdf
from coreflect.audit.models import AuditEvent, NotesAccess
from coreflect.demo import build
from coreflect.disclosures import actions as disclosure_actions
from coreflect.disclosures.models import Disclosure, Ground
from coreflect.governance.models import Concern
from coreflect.imports.models import ImportRun
from coreflect.notes import access, actions, pdf
from coreflect.notes.models import (
    TEXT_FIELDS,
    Action,
    CaseloadEntry,
    ModelRequest,
    Notes,
    NotesShare,
    NotesVersion,
    OwnSupervisionItem,
    ReflectiveModel,
    RequestState,
    VersionKind,
)
from coreflect.people.models import Absence, Person, Role
from coreflect.supervision.actions import create_one_to_one
from coreflect.supervision.models import (
    AttendanceStatus,
    Session,
    SessionKind,
    SupervisionRelationship,
)

pytestmark = pytest.mark.django_db

MARK = "ZQXMARKER"
# Found case-insensitively, and by its first seven letters, so a marker cut short ("ZQXMARK…")
# or set in capitals still counts.
FOUND = re.compile(r"zqxmark[a-z0-9]*")
MIN_VISITS = 20
# Pages found by following links, per URL name and person, beyond the filled-in patterns (the
# matrix links every person; a few dozen of each are plenty to read what each kind shows).
LINKS_PER_NAME = 10
SKIP_PREFIXES = ("/static/", "/media/", "/accounts/logout/")
DISCLOSURES = "/disclosures/"


def token(letter: str, what: str) -> str:
    return f"{MARK}{letter}{what.replace('_', '').replace('/', '')}"


# The notes.


@dataclass
class Marked:
    """One marked one-to-one: its two people and every marker its notes hold."""

    letter: str
    session: Session
    supervisor: Person
    supervisee: Person
    tokens: set[str] = field(default_factory=set)
    # Text of drafts never shared: the supervisee must not read these.
    draft_only: set[str] = field(default_factory=set)
    # Text of the shared versions: what a later supervisor the notes were shared with reads.
    shared_text: set[str] = field(default_factory=set)
    # The supervisee's comments on those shared versions.
    shared_comments: set[str] = field(default_factory=set)
    end_state: str = ""

    def seat(self, person: Person) -> access.Seat:
        return access.seat_at(person.user, self.session.pk)

    @property
    def version(self) -> int:
        notes = Notes.objects.filter(session=self.session).first()
        return notes.version if notes else 0

    def content(self, suffix: str) -> dict[str, object]:
        model = ReflectiveModel.objects.get(is_default=True)
        text = {name: f"{self.mark(name + suffix)} said in the session" for name in TEXT_FIELDS}
        reflection = [
            f"{self.mark(f'reflection{i}{suffix}')} on the prompt"
            for i in range(len(model.prompts))
        ]
        return {
            **text,
            "last_notes_agreed": "yes",
            "reflective_model": model,
            "reflection": reflection,
            "values": ["respect"],
        }

    def mark(self, what: str) -> str:
        made = token(self.letter, what)
        self.tokens.add(made)
        return made

    # The moves, each through the real action.

    def topics(self) -> None:
        for person, who in ((self.supervisor, "supervisor"), (self.supervisee, "supervisee")):
            actions.add_topic(by=person.user, seat=self.seat(person), text=self.mark(f"topic{who}"))

    def draft(self, suffix: str = "") -> None:
        entry = actions.add_caseload_entry(
            by=self.supervisee.user, owner=self.supervisee, label=self.mark(f"caseload{suffix}")
        )
        actions.save_draft(
            by=self.supervisor.user,
            seat=self.seat(self.supervisor),
            version=self.version,
            content=self.content(suffix),
            caseload=[entry],
        )
        actions.add_action(
            by=self.supervisor.user,
            seat=self.seat(self.supervisor),
            version=self.version,
            text=f"{self.mark(f'action{suffix}')} to do",
            owner="both",
            due=self.session.date + dt.timedelta(days=28),
        )

    def share(self) -> None:
        actions.share(
            by=self.supervisor.user, seat=self.seat(self.supervisor), version=self.version
        )

    def propose(self) -> None:
        content = self.content("proposed")
        actions.propose_changes(
            by=self.supervisee.user,
            seat=self.seat(self.supervisee),
            version=self.version,
            content=content,
        )

    def comment(self, what: str = "comment") -> None:
        seat = self.seat(self.supervisee)
        latest = actions.latest_version(seat.notes)
        actions.add_comment(
            by=self.supervisee.user, seat=seat, version=latest, text=f"{self.mark(what)} I think"
        )

    def answer(self, to: str) -> None:
        actions.answer(
            by=self.supervisee.user, seat=self.seat(self.supervisee), version=self.version, to=to
        )

    def later_supervisor(self) -> Person:
        current = SupervisionRelationship.objects.current(timezone.localdate()).peer_work()
        return Person.objects.filter(
            pk__in=current.filter(supervisee=self.supervisee).values("supervisor")
        ).exclude(pk=self.supervisor.pk)[0]

    def take_to_own_supervision(self, part: str, withdraw: bool = False) -> None:
        """The supervisor marks a part of the latest shared version as taken to their own
        supervision, saying what they will take (the supervisee reads it; nobody else)."""
        seat = self.seat(self.supervisor)
        shared = seat.notes.versions.filter(kind=VersionKind.SHARED).order_by("-number")[0]
        item = actions.mark_for_own_supervision(
            by=self.supervisor.user,
            seat=seat,
            version=shared,
            part=part,
            note=f"{self.mark(f'ownsupervision{part}')} to take",
        )
        if withdraw:
            actions.withdraw_own_supervision(by=self.supervisor.user, seat=seat, item=item)

    def share_with(self, reader: Person) -> NotesShare:
        return actions.share_with(
            by=self.supervisee.user, seat=self.seat(self.supervisee), reader=reader
        )

    def finish(self) -> None:
        """Note, from what was saved, which text is in a shared version and which only in a
        draft never shared."""
        notes = Notes.objects.get(session=self.session)
        self.end_state = notes.state
        shown: set[str] = set()
        for version in notes.versions.all():
            found = {
                t.lower()
                for name in (*TEXT_FIELDS, "reflection")
                for t in FOUND.findall(str(getattr(version, name)).lower())
            }
            if version.kind == VersionKind.SHARED:
                self.shared_text |= found
                for comment in version.comments.all():
                    self.shared_comments |= set(FOUND.findall(comment.text.lower()))
            if version.kind != VersionKind.DRAFT:
                shown |= found
            else:
                self.draft_only |= found
        self.draft_only -= shown
        self.tokens = {t.lower() for t in self.tokens}


def held_without_notes() -> Q:
    return Q(
        kind=SessionKind.ONE_TO_ONE,
        date__lte=timezone.localdate(),
        cancelled_at__isnull=True,
        attendance__status=AttendanceStatus.ATTENDED,
        notes__isnull=True,
    )


def supervisee_of(session: Session) -> Person:
    return session.attendance.get().person


def weekday_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def one_to_one_of(rel: SupervisionRelationship, skip: int = 0) -> Session:
    """A held one-to-one of the two without notes: the demo's latest (skipping `skip`), or,
    when the demo gave every one notes, one booked now (as the sessions page does) on a
    working day before the relationship ended or today."""
    until = min(rel.end_date or timezone.localdate(), timezone.localdate())
    found = list(
        Session.objects.filter(
            held_without_notes(),
            lead=rel.supervisor,
            attendance__person=rel.supervisee,
            date__gte=rel.start_date,
            date__lte=until,
        ).order_by("-date", "-pk")[skip : skip + 1]
    )
    if found:
        return found[0]
    day = until
    for _ in range(skip + 1):
        day = weekday_before(day)
    return create_one_to_one(
        by=rel.supervisor.user,
        lead=rel.supervisor,
        supervisee=rel.supervisee,
        date=day,
        start_time=dt.time(15, 30),
        duration_minutes=60,
        modality="in_person",
        location="Peer Hub, room 2",
    )


def choose_sessions() -> dict[str, Session]:
    """Held one-to-ones without notes (the demo may come with notes of its own), each of a
    different supervisor but the two of the re-joiner's earlier supervision. No session of a
    role only one person holds: someone of every role must be left to look."""
    today = timezone.localdate()
    current = SupervisionRelationship.objects.current(today).peer_work()
    # The re-joiner: an ended peer work supervision and a current one with someone else.
    ended = SupervisionRelationship.objects.peer_work().filter(end_date__lt=today)
    rejoiner = next(
        rel
        for rel in ended.select_related("supervisor__user", "supervisee").order_by("pk")
        if current.filter(supervisee=rel.supervisee).exclude(supervisor=rel.supervisor).exists()
    )
    chosen = {"D": one_to_one_of(rejoiner), "E": one_to_one_of(rejoiner, skip=1)}
    # The later supervisor reads D as a reader only: no session of theirs is marked.
    later = current.filter(supervisee=rejoiner.supervisee).values_list("supervisor", flat=True)
    used = {rejoiner.supervisor_id, rejoiner.supervisee_id, *later}

    def pick(letter: str, supervisor_role: str, **where: object) -> None:
        for rel in (
            current.filter(supervisor__role=supervisor_role, **where)
            .select_related("supervisor__user", "supervisee")
            .order_by("pk")
        ):
            if {rel.supervisor_id, rel.supervisee_id} & used:
                continue
            chosen[letter] = one_to_one_of(rel)
            used.update({rel.supervisor_id, rel.supervisee_id})
            return
        raise AssertionError(f"nobody to hold the one-to-one {letter} ({supervisor_role})")

    pick("A", Role.PEER_LEAD)
    pick("B", Role.SENIOR_PEER_WORKER)
    pick("C", Role.LINE_MANAGER, supervisor_is_peer=False)
    pick("F", Role.PEER_COORDINATOR)
    pick("G", Role.PEER_PRACTITIONER)
    return chosen


def write_marked_notes() -> tuple[dict[str, Marked], Person, list[NotesShare]]:
    sessions = choose_sessions()
    marked = {letter: Marked(letter, s, s.lead, supervisee_of(s)) for letter, s in sessions.items()}
    a, b, c, d, e, f, g = (marked[x] for x in "ABCDEFG")
    for m in marked.values():
        m.topics()
        m.draft()
    # A: a draft, never shared.
    # B: shared, waiting for an answer, with a comment on it.
    b.share()
    b.comment()
    # C: changes asked for (the supervisee's proposal, and a comment).
    c.share()
    c.comment()
    c.propose()
    # D: accepted, then shared with the re-joiner's later supervisor.
    d.share()
    d.comment()
    d.answer("accepted")
    reader = d.later_supervisor()
    kept = d.share_with(reader)
    # E: the same two, to review together; shared with the later supervisor and withdrawn.
    e.share()
    e.comment()
    e.answer("review_together")
    withdrawn = e.share_with(reader)
    actions.withdraw_share(by=e.supervisee.user, seat=e.seat(e.supervisee), share=withdrawn)
    # F: changes asked for, then revised: a new draft the supervisee has not seen.
    f.share()
    f.propose()
    f.draft("revised")
    # A reflective model B's supervisee asks for (its request's page and answer address).
    model = ReflectiveModel.objects.filter(is_default=False).first() or (
        actions.add_reflective_model(
            by=b.supervisor.user,
            name="Stop, look, listen",
            summary="Three steps.",
            prompts=[{"heading": "Stop", "prompt": "What happened?"}],
        )
    )
    relationship = (
        SupervisionRelationship.objects.current(timezone.localdate())
        .peer_work()
        .get(supervisor=b.supervisor, supervisee=b.supervisee)
    )
    if not relationship.model_requests.filter(state=RequestState.REQUESTED).exists():
        actions.request_model(by=b.supervisee.user, relationship=relationship, model=model)
    # G: shared and accepted, an action done.
    g.share()
    g.answer("accepted")
    action = Action.objects.filter(notes__session=g.session).first()
    actions.close_action(by=g.supervisee.user, action=action, state="done", version=action.version)
    # Parts taken to the supervisor's own supervision, with what they will take: B's, D's (the
    # later supervisor D was shared with must not read it) and G's, withdrawn.
    b.take_to_own_supervision(TEXT_FIELDS[0])
    d.take_to_own_supervision(TEXT_FIELDS[1])
    g.take_to_own_supervision("actions", withdraw=True)
    for m in marked.values():
        m.finish()
    assert {m.end_state for m in marked.values()} == {
        "draft",
        "shared",
        "changes_requested",
        "accepted",
        "review_together",
    }
    assert a.draft_only and f.draft_only and d.shared_text
    return marked, reader, [kept, withdrawn]


# The disclosures.


@dataclass
class MarkedDisclosure:
    """One marked disclosure: who made it, whom it is about, and its markers (lower case)."""

    letter: str
    disclosure: Disclosure
    supervisor: Person
    supervisee: Person
    tokens: frozenset[str]


def write_marked_disclosures(marked: dict[str, Marked]) -> list[MarkedDisclosure]:
    """A disclosure by each of B's, D's and G's supervisors about their supervisee, dated the
    day of the marked session (D's in the re-joiner's ended supervision), one on each ground:
    one discussed with the worker first, two not (with the reason, marked)."""
    plan = [
        ("P", marked["B"], Ground.SAFEGUARDING, False),
        ("Q", marked["D"], Ground.CONDUCT, True),
        ("R", marked["G"], Ground.POLICY_OR_LEGAL, False),
    ]
    made = []
    for letter, m, ground, told_first in plan:
        tokens = {
            what: token(letter, f"disclosure{what}")
            for what in ("summary", "withname", "withrole", "reason")
        }
        disclosure = disclosure_actions.record_disclosure(
            by=m.supervisor.user,
            supervisee=m.supervisee,
            ground=ground,
            summary=f"That {tokens['summary']} came up in supervision",
            shared_with_name=f"{tokens['withname']} Ward",
            shared_with_role=f"{tokens['withrole']} lead",
            shared_on=m.session.date,
            told_first=told_first,
            not_told_reason="" if told_first else f"{tokens['reason']} could not wait",
        )
        if told_first:
            del tokens["reason"]
        made.append(
            MarkedDisclosure(
                letter,
                disclosure,
                m.supervisor,
                m.supervisee,
                frozenset(t.lower() for t in tokens.values()),
            )
        )
    assert {d.disclosure.ground for d in made} == set(Ground.values)
    return made


# Who looks.


@dataclass
class Visitor:
    label: str
    person: Person | None
    # Markers this visitor may read (lower case); any other is a leak.
    allowed: frozenset[str] = frozenset()
    # Allowed, but worth a line in the output: see the later supervisor below.
    noted: frozenset[str] = frozenset()
    user: User | None = None
    seconds: float = 0.0
    visits: Counter[str] = field(default_factory=Counter)


def lookers(
    marked: dict[str, Marked], reader: Person, org_examples: dict[str, Person]
) -> list[Visitor]:
    """One person of every role but the people of the marked sessions (the demo's printed
    example where they are free), each supervisee's line manager and each supervisor's own
    supervisor; the later supervisor the re-joiner shared one set of notes with (who may read
    its shared text); a superuser, for the admin site; and someone not signed in."""
    parties = {p.pk for m in marked.values() for p in (m.supervisor, m.supervisee)}
    taken = parties | {reader.pk}
    chosen: dict[int, str] = {}
    roles_present = list(
        dict.fromkeys(Person.objects.order_by("pk").values_list("role", flat=True))
    )
    for role in roles_present:
        people = list(Person.objects.filter(role=role).order_by("pk"))
        example = org_examples.get(role)
        if example is not None:
            people.sort(key=lambda p: p.pk != example.pk)
        free = [p for p in people if p.pk not in taken and p.user_id]
        assert free, f"nobody of the role {role} is left to look"
        chosen.setdefault(free[0].pk, Role(role).label)
    today = timezone.localdate()
    for m in marked.values():
        manager = m.supervisee.line_manager
        if manager is not None and manager.pk not in taken:
            chosen.setdefault(manager.pk, f"line manager of {m.letter}'s supervisee")
        above = (
            SupervisionRelationship.objects.current(today)
            .peer_work()
            .filter(supervisee=m.supervisor)
            .exclude(supervisor__in=taken)
            .first()
        )
        if above is not None:
            chosen.setdefault(above.supervisor_id, f"supervisor of {m.letter}'s supervisor")
    people = Person.objects.in_bulk(list(chosen))
    visitors = [Visitor(label, people[pk]) for pk, label in chosen.items()]
    d = marked["D"]
    # The later supervisor reads D's shared text, never the supervisee's comments on it.
    visitors.append(Visitor("later supervisor (shared D)", reader, frozenset(d.shared_text)))
    root = User.objects.create_superuser("zqx-root", "root@example.nhs.uk", "not-a-demo-password")
    visitors.append(Visitor("superuser (admin site)", None, user=root))
    visitors.append(Visitor("anonymous", None))
    return visitors


# The addresses.


def patterns(
    resolver: URLResolver | None = None,
    namespace: str = "",
    params: tuple[str, ...] = (),
    route: str = "/",
) -> Iterator[tuple[str | None, tuple[str, ...], str]]:
    """Every URL pattern: (namespaced name, the names of its path's parameters, its route)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        here = params + tuple(_params_of(entry))
        text = route + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry, inner, here, text)
        else:
            yield (f"{namespace}{entry.name}" if entry.name else None), here, text


def _params_of(entry: URLPattern | URLResolver) -> list[str]:
    pattern = entry.pattern
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    return list(pattern.regex.groupindex)


def fill(route: str, kwargs: dict[str, object]) -> str:
    """An unnamed pattern's address: its route with the values put in."""
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route)


@dataclass
class Ids:
    """The real ids the addresses are filled with."""

    sessions: list[int]
    versions: list[tuple[int, int]]
    compares: list[tuple[int, int, int]]
    actions: list[int]
    shares: list[tuple[int, int]]
    own_supervision: list[tuple[int, int]]
    caseload: list[int]
    model_requests: list[int]
    co_reflections: list[int]
    relationships: list[int]
    imports: list[int]
    absences: list[int]
    people: list[str]
    person_pks: list[int]
    concerns: list[int]
    admin: dict[str, list[str]]


def ids_of(marked: dict[str, Marked]) -> Ids:
    sessions = [m.session.pk for m in marked.values()]
    versions = list(
        NotesVersion.objects.filter(notes__session__in=sessions)
        .order_by("notes__session", "number")
        .values_list("notes__session", "number")
    )
    by_session: dict[int, list[int]] = defaultdict(list)
    for pk, number in versions:
        by_session[pk].append(number)
    compares = [
        (pk, old, new)
        for pk, numbers in by_session.items()
        for old, new in itertools.permutations(numbers, 2)
    ]
    people = {p.external_id for m in marked.values() for p in (m.supervisor, m.supervisee)}
    # The supervisions the marked sessions were held in (their end pages).
    relationships = [
        pk
        for m in marked.values()
        for pk in SupervisionRelationship.objects.filter(
            supervisor=m.supervisor, supervisee=m.supervisee
        ).values_list("pk", flat=True)
    ]
    co_reflections = (
        Session.objects.filter(kind=SessionKind.CO_REFLECTION, lead__external_id__in=people)
        .order_by("-date")
        .values_list("pk", flat=True)[:3]
    )
    note_types = ContentType.objects.filter(app_label="notes").values_list("pk", flat=True)
    admin_ids = {
        "app_label": sorted({model._meta.app_label for model in admin.site._registry}),
        "object_id": [str(p) for p in [*sessions, *User.objects.values_list("pk", flat=True)[:3]]],
        "id": [str(p) for p in User.objects.values_list("pk", flat=True)[:3]],
        "content_type_id": [str(pk) for pk in note_types],
        "url": ["nothing-here/"],
    }
    return Ids(
        sessions=sessions,
        versions=versions,
        compares=compares,
        actions=list(
            Action.objects.filter(notes__session__in=sessions).values_list("pk", flat=True)
        ),
        shares=list(
            NotesShare.objects.filter(notes__session__in=sessions).values_list(
                "notes__session", "pk"
            )
        ),
        own_supervision=list(
            OwnSupervisionItem.objects.filter(notes__session__in=sessions).values_list(
                "notes__session", "pk"
            )
        ),
        caseload=list(
            CaseloadEntry.objects.filter(label__startswith=MARK).values_list("pk", flat=True)
        ),
        model_requests=list(ModelRequest.objects.values_list("pk", flat=True)),
        co_reflections=list(co_reflections),
        relationships=list(relationships),
        imports=list(ImportRun.objects.values_list("pk", flat=True)) or [1],
        absences=list(Absence.objects.order_by("pk").values_list("pk", flat=True)[:3]) or [1],
        people=sorted(people),
        person_pks=sorted(
            Person.objects.filter(external_id__in=people).values_list("pk", flat=True)
        ),
        concerns=list(Concern.objects.order_by("pk").values_list("pk", flat=True)[:3]) or [1],
        admin=admin_ids,
    )


def series_pks() -> list[int]:
    from coreflect.supervision.models import SessionSeries

    return list(SessionSeries.objects.order_by("pk").values_list("pk", flat=True)[:2]) or [1]


def kwargs_for(name: str, params: tuple[str, ...], ids: Ids) -> list[dict[str, object]]:
    """Every filling of a pattern's parameters worth visiting."""
    if not params:
        return [{}]
    namespace = name.split(":")[0] if ":" in name else ""
    if set(params) == {"pk", "number"}:
        return [{"pk": pk, "number": n} for pk, n in ids.versions]
    if set(params) == {"pk", "version"}:  # an agreement's version (agreements are not notes)
        return [{"pk": pk, "version": 1} for pk in ids.relationships]
    if set(params) == {"pk", "old", "new"}:
        return [{"pk": pk, "old": o, "new": n} for pk, o, n in ids.compares]
    if set(params) == {"pk", "share_pk"}:
        return [{"pk": pk, "share_pk": s} for pk, s in ids.shares]
    if set(params) == {"pk", "item_pk"}:
        return [{"pk": pk, "item_pk": item} for pk, item in ids.own_supervision]
    if params == ("external_id",):
        return [{"external_id": e} for e in ids.people]
    if params == ("token",) and name == "calendars:feed":
        # Each marked person's own calendar, and an address that is no one's.
        from coreflect.calendars.actions import make_address

        people = Person.objects.filter(external_id__in=ids.people)
        tokens: list[dict[str, object]] = [
            {"token": make_address(by=None, person=p)} for p in people
        ]
        return [*tokens, {"token": "not-a-token"}]
    if params == ("pk",):
        by_name = {
            "notes:action_state": ids.actions,
            "notes:caseload_archive": ids.caseload,
            "notes:caseload_restore": ids.caseload,
            "notes:model_decide": ids.model_requests,
            "notes:agenda_edit": ids.co_reflections + ids.sessions,
            "supervision:series_detail": series_pks(),
            "supervision:series_edit": series_pks(),
            "supervision:end_relationship": ids.relationships,
            "supervision:change_relationship": ids.relationships,
            "agreements:detail": ids.relationships,
            "agreements:write": ids.relationships,
            "agreements:sign": ids.relationships,
            "agreements:review": ids.relationships,
            "staff:edit": ids.person_pks,
            "staff:leaving": ids.person_pks,
            "staff:start": ids.person_pks,
            "staff:role": ids.person_pks,
            "imports:run": ids.imports,
            "imports:errors": ids.imports,
            "absence_change": ids.absences,
            "governance:concern": ids.concerns,
        }
        if name in by_name:
            return [{"pk": pk} for pk in by_name[name]]
        if namespace in ("notes", "supervision"):
            return [{"pk": pk} for pk in ids.sessions + ids.co_reflections[:1]]
    # Sign-in's pages (coreflect/signin) show no notes; a spent link, a key that is no one's.
    signin: dict[str, list[dict[str, object]]] = {
        "account_confirm_email": [{"key": "spent"}],
        "account_reset_password_from_key": [{"uidb36": "1", "key": "spent-0123456789"}],
        "mfa_remove_webauthn": [{"pk": 1}],
        "mfa_edit_webauthn": [{"pk": 1}],
        "openid_connect_login": [{"provider_id": "entra"}],
        "openid_connect_callback": [{"provider_id": "entra"}],
    }
    if name in signin:
        return signin[name]
    if namespace == "admin":
        choices = [ids.admin.get(p, []) for p in params]
        return [dict(zip(params, combo, strict=True)) for combo in itertools.product(*choices)]
    raise AssertionError(f"no ids to fill {name} {params}: add them to kwargs_for")


QUERIES = {
    # The downloads and filtered pages, with the query strings their pages link to.
    "compliance:matrix_csv": ["", "?year=2025", "?status=not_met"],
    "compliance:matrix_xlsx": [""],
    "compliance:matrix": ["", "?page=2", "?year=2025"],
    "notes:register": ["", "?page=2"],
    "notes:register_csv": [""],
}


def seeds(ids: Ids) -> tuple[list[str], list[str], list[str]]:
    """The addresses to start from; the same with one address of each admin pattern (for
    everyone but a superuser the admin answers each with the same redirect to its sign-in);
    and the patterns nothing could fill (there should be none)."""
    urls: list[str] = []
    light: list[str] = []
    unfilled: list[str] = []
    for name, params, route in patterns():
        made = 0
        admin_site = (name or "").startswith("admin:") or route.startswith("/admin/")
        for kwargs in kwargs_for(name or ("admin:" if "admin/" in route else ""), params, ids):
            try:
                url = reverse(name, kwargs=kwargs) if name else fill(route, kwargs)
            except NoReverseMatch:
                continue
            made += 1
            filled = [url + q for q in QUERIES.get(name, [""])]
            urls += filled
            if not admin_site or made == 1:
                light += filled
        if not made:
            unfilled.append(name or route)
    for supervisor in ids.people:
        for extra in (
            reverse("notes:register_csv") + f"?supervisor={supervisor}",
            # The record page with the person chosen, as the worker's links fill it in.
            reverse("disclosures:new") + f"?supervisee={supervisor}",
        ):
            urls.append(extra)
            light.append(extra)
    return list(dict.fromkeys(urls)), list(dict.fromkeys(light)), unfilled


# Reading what came back.


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text_of(data: bytes) -> str:
    """Everything readable in a response: an XLSX's (zip's) XML, else the bytes as text."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return data.decode("utf-8", "replace")


def leaks(text: str, allowed: frozenset[str]) -> set[str]:
    found = set(FOUND.findall(text.lower()))
    return {t for t in found if not any(a.startswith(t) for a in allowed)}


LINK = re.compile(r"""(?:href|action)\s*=\s*["']([^"'#]*)""", re.I)


def links_in(page_url: str, content: str) -> list[str]:
    out = []
    for raw in LINK.findall(content):
        url = urljoin(page_url, html.unescape(raw))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path and not path.startswith(SKIP_PREFIXES):
            out.append(path)
    return out


@dataclass
class Crawl:
    printed: list[str]
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def visit(self, visitor: Visitor, client: Client, start: list[str]) -> None:
        began = time.monotonic()
        queue = list(start)
        seen: set[str] = set()
        per_name: Counter[str] = Counter()
        from_seeds = set(start)
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            self.printed.clear()
            response = client.get(url)
            data = body_of(response)
            kind = response.get("Content-Type", "").split(";")[0]
            is_page = kind == "text/html"
            visitor.visits["pages" if is_page else "downloads"] += 1
            visitor.visits[f"status {response.status_code}"] += 1
            if url.startswith(DISCLOSURES):
                visitor.visits["disclosures"] += 1
            if kind == "application/pdf":
                assert self.printed, f"{url}: a PDF not made by notes/pdf.py or agreements/pdf.py"
                visitor.visits["pdf"] += 1
            text = text_of(data) + "\n".join(self.printed)
            for leak in sorted(leaks(text, visitor.allowed)):
                self.failures.append(
                    f"{visitor.label}: {url} ({response.status_code}) shows {leak}"
                )
            for noted in sorted(visitor.noted & set(FOUND.findall(text.lower()))):
                self.notes.append(f"NOTE {visitor.label}: {url} shows {noted}")
            if response.status_code in (301, 302, 303, 307, 308):
                location = urlsplit(urljoin(url, response["Location"]))
                signing_in = location.path in (reverse("account_login"), reverse("admin:login"))
                if signing_in and location.path in seen:
                    continue  # the sign-in page, read once already
                if signing_in:
                    seen.add(location.path)
                if location.netloc in ("", "testserver"):
                    queue.append(location.path + (f"?{location.query}" if location.query else ""))
                continue
            if not is_page or response.status_code != 200:
                continue
            for link in links_in(url, data.decode("utf-8", "replace")):
                if link in seen or link in from_seeds:
                    continue
                try:
                    name = resolve(urlsplit(link).path).view_name
                except Exception:  # noqa: BLE001 (a 404 link is still visited once)
                    name = "?"
                if per_name[name] >= LINKS_PER_NAME:
                    continue
                per_name[name] += 1
                queue.append(link)
        visitor.seconds = time.monotonic() - began


# The test.


def laid_out_words(document_html: str) -> str:
    """The words WeasyPrint puts on the pages of this HTML."""
    from weasyprint.formatting_structure.boxes import TextBox

    return " ".join(
        box.text
        for page in pdf.document(document_html).pages
        for box in page._page_box.descendants()
        if isinstance(box, TextBox)
    )


DISCLOSURE_PAGES = ("disclosures:list", "disclosures:new", "disclosures:counts")


def read_as_the_two(
    client: Client,
    marked: dict[str, Marked],
    disclosed: list[MarkedDisclosure],
    printed: list[str],
) -> int:
    """Each of the two people of the marked sessions reads their own lists, files, disclosures
    and every marked session's addresses: only their own sessions' markers show, a supervisee
    never the text of a draft not shared with them, and only the disclosures they made or that
    are about them. Each of the two of a disclosure reads all of its markers."""
    allowed: dict[int, set[str]] = defaultdict(set)
    people: dict[int, Person] = {}
    for m in marked.values():
        allowed[m.supervisor.pk] |= m.tokens
        allowed[m.supervisee.pk] |= m.tokens - m.draft_only
        people.update({m.supervisor.pk: m.supervisor, m.supervisee.pk: m.supervisee})
    for d in disclosed:
        allowed[d.supervisor.pk] |= d.tokens
        allowed[d.supervisee.pk] |= d.tokens
    for d in disclosed:
        for person in (d.supervisor, d.supervisee):
            client.force_login(person.user)
            page = client.get(reverse("disclosures:list"))
            assert page.status_code == 200
            missing = d.tokens - set(FOUND.findall(page.text.lower()))
            assert not missing, f"{person.name} does not read {sorted(missing)}"
    addresses = [
        reverse(name)
        for name in (
            "home",
            "notes:list",
            "notes:pdf_all",
            "notes:caseload",
            "supervision:list",
            *DISCLOSURE_PAGES,
        )
    ]
    for m in marked.values():
        addresses += [
            reverse(name, args=[m.session.pk])
            for name in ("notes:session", "notes:write", "notes:pdf", "supervision:detail")
        ]
        addresses += [
            reverse("notes:version", args=[m.session.pk, v.number])
            for v in NotesVersion.objects.filter(notes__session=m.session)
        ]
    problems, read = [], 0
    for pk, person in people.items():
        client.force_login(person.user)
        for url in addresses:
            printed.clear()
            response = client.get(url)
            read += 1
            text = text_of(body_of(response)) + "\n".join(printed)
            problems += [
                f"{person.name}: {url} shows {leak}"
                for leak in sorted(leaks(text, frozenset(allowed[pk])))
            ]
    assert not problems, "\n".join(problems[:50])
    return read


# A PDF's HTML longer than this (the all-notes file of someone with a year of the demo's notes)
# is read but not laid out: WeasyPrint writes glyph numbers, not words, so the HTML it lays out
# is what tells; laying out a few hundred pages for each visitor would only make the test slow.
LAY_OUT_UP_TO = 60_000
# Off while the two read their own files (their copies were laid out once already).
LAY_OUT = {"on": True}


@pytest.fixture
def printed_html(monkeypatch) -> list[str]:
    """The HTML each PDF was made from, for the request being read; the PDF itself (its bytes
    are searched too) from WeasyPrint when the document is short."""
    made: list[str] = []
    real = pdf.to_pdf

    def spy(document_html: str) -> bytes:
        made.append(document_html)
        if LAY_OUT["on"] and len(document_html) <= LAY_OUT_UP_TO:
            return real(document_html)
        return b"%PDF-1.7 (not laid out: its HTML was read)"

    monkeypatch.setattr(pdf, "to_pdf", spy)
    # An agreement's PDF (agreements/pdf.py, which cannot import notes) is read the same way.
    monkeypatch.setattr(agreement_pdf, "to_pdf", spy)
    return made


def test_no_one_but_the_two_reads_a_marker_anywhere(client, printed_html, caplog, frozen_clock):
    """Date and time frozen by the root conftest's frozen_clock (Monday 23 November 2026,
    10:00 in London); the demo is built as of that day."""
    started = time.monotonic()
    # Every 404 and 405 is logged as a warning with its traceback: keep errors only.
    caplog.set_level(logging.ERROR, logger="django.request")
    today = timezone.localdate()
    org = build.build(today)
    marked, reader, (kept, withdrawn) = write_marked_notes()
    disclosed = write_marked_disclosures(marked)
    assert reverse("disclosures:list") == DISCLOSURES
    built = time.monotonic()

    # The two of each session read their markers (so the markers were written, and the test
    # could find them).
    for m in marked.values():
        for person in (m.supervisor, m.supervisee):
            client.force_login(person.user)
            page = client.get(reverse("notes:session", args=[m.session.pk]))
            assert page.status_code == 200
            found = set(FOUND.findall(page.text.lower()))
            assert found, f"{person.name} sees no marker on the notes of {m.letter}"
            if person == m.supervisee:
                assert not found & m.draft_only, f"{m.letter}'s supervisee reads the draft"
            else:
                assert found >= m.draft_only
    # What B's supervisor will take to their own supervision: both of the two read it.
    taken = token("B", f"ownsupervision{TEXT_FIELDS[0]}").lower()
    for person in (marked["B"].supervisor, marked["B"].supervisee):
        client.force_login(person.user)
        page = client.get(reverse("notes:session", args=[marked["B"].session.pk]))
        assert taken in page.text.lower(), f"{person.name} does not read {taken}"
    client.force_login(marked["D"].supervisee.user)
    assert token("D", "caseload").lower() in client.get(reverse("notes:caseload")).text.lower()
    client.force_login(reader.user)
    page = client.get(reverse("notes:session", args=[marked["D"].session.pk])).text.lower()
    assert set(FOUND.findall(page)) and set(FOUND.findall(page)) <= marked["D"].shared_text
    assert client.get(reverse("notes:session", args=[marked["E"].session.pk])).status_code == 404

    # The PDF check can see a marker: the supervisee's copy of B holds them, in its HTML and
    # in the words WeasyPrint lays out.
    b = marked["B"]
    client.force_login(b.supervisee.user)
    printed_html.clear()
    assert client.get(reverse("notes:pdf", args=[b.session.pk])).status_code == 200
    assert token("B", "wellbeing").lower() in printed_html[-1].lower()
    assert token("B", "wellbeing") in laid_out_words(printed_html[-1])
    LAY_OUT["on"] = False
    parties_read = read_as_the_two(client, marked, disclosed, printed_html)
    LAY_OUT["on"] = True

    ids = ids_of(marked)
    start, light, unfilled = seeds(ids)
    assert not unfilled, f"patterns not visited: {unfilled}"
    assert len(start) > 60

    crawl = Crawl(printed_html)
    visitors = lookers(marked, reader, org.examples)
    for visitor in visitors:
        client.logout()
        user = visitor.user or (visitor.person.user if visitor.person else None)
        if user is not None:
            client.force_login(user)
        crawl.visit(visitor, client, start if visitor.user else light)
    crawled = time.monotonic()

    # The counts and the register: no marker of either kind, whoever opens them (the two of
    # each session and each disclosure too); those who may open them do.
    counted = []  # "who name" of each 200
    for who in [
        *visitors,
        *(
            Visitor(f"{m.letter}'s {who}", getattr(m, who))
            for m in marked.values()
            for who in ("supervisor", "supervisee")
        ),
    ]:
        client.logout()
        user = who.user or (who.person.user if who.person else None)
        if user is not None:
            client.force_login(user)
        for name in ("disclosures:counts", "notes:register", "notes:register_csv"):
            response = client.get(reverse(name))
            if response.status_code == 200:
                counted.append(f"{who.label} {name}")
            crawl.failures += [
                f"{who.label}: {name} shows {leak}"
                for leak in sorted(leaks(text_of(body_of(response)), frozenset()))
            ]
    for role in (Role.HEAD_OF_PEER_WORK.label, Role.GOVERNANCE.label):
        assert f"{role} disclosures:counts" in counted, f"{role} cannot open the counts"

    # The exports of the management commands.
    exports: dict[str, str] = {}
    year = str(today.year if today.month >= 4 else today.year - 1)
    for command in (
        ["notes-register", "--format", "json"],
        ["notes-register", "--format", "csv"],
        *(["notes-register", "--supervisor", m.supervisor.external_id] for m in marked.values()),
        ["compliance", "--year", year, "--format", "json"],
        ["compliance", "--year", year, "--format", "csv"],
        ["policy", "show"],
    ):
        out = io.StringIO()
        call_command(*command, stdout=out, stderr=out)
        exports[" ".join(command)] = out.getvalue()
        assert out.getvalue().strip(), command
    failures = crawl.failures + [
        f"coreflect {command}: {leak}"
        for command, output in exports.items()
        for leak in leaks(output, frozenset())
    ]
    # What is kept about the notes (the audit log) and the log records never say it.
    audit = "\n".join(
        f"{e.action} {e.object_type} {e.object_id} {e.detail}" for e in AuditEvent.objects.all()
    )
    failures += [f"audit log: {leak}" for leak in leaks(audit, frozenset())]
    reads = "\n".join(
        " ".join(str(v) for v in row)
        for row in NotesAccess.objects.values_list(
            "reader_username", "reader_name", "notes_pk", "version", "compared_with", "how"
        )
    )
    assert reads, "no read of notes was recorded"
    failures += [f"access records: {leak}" for leak in leaks(reads, frozenset())]
    assert AuditEvent.objects.filter(action="disclosure.recorded").count() >= len(disclosed)
    failures += [f"log records: {leak}" for leak in leaks(caplog.text, frozenset())]

    print(
        f"\nBuilt and marked in {built - started:.0f}s, crawled in {crawled - built:.0f}s; "
        f"{len(start)} filled-in addresses; sessions "
        + ", ".join(f"{m.letter}={m.session.pk} ({m.end_state})" for m in marked.values())
        + "; disclosures "
        + ", ".join(f"{d.letter}={d.disclosure.pk} ({d.disclosure.ground})" for d in disclosed)
    )
    print(f"{'visitor':<40} {'role':<32} pages downloads (pdf) discl.   secs  statuses")
    for visitor in visitors:
        role = visitor.person.get_role_display() if visitor.person else "-"
        statuses = ", ".join(
            f"{k.split()[1]}×{n}"
            for k, n in sorted(visitor.visits.items())
            if k.startswith("status")
        )
        print(
            f"{visitor.label:<40} {role:<32} {visitor.visits['pages']:>5} "
            f"{visitor.visits['downloads']:>9} ({visitor.visits['pdf']:>3}) "
            f"{visitor.visits['disclosures']:>6} {visitor.seconds:>6.1f}  {statuses}"
        )
    print(f"management command exports read: {len(exports)}")
    for name in ("disclosures:counts", "notes:register", "notes:register_csv"):
        opened = [c.rsplit(" ", 1)[0] for c in counted if c.endswith(f" {name}")]
        print(f"{name} opened, no marker, by: {', '.join(opened) or 'nobody'}")
    print(f"the two of each session read {parties_read} addresses, each only their own markers")
    print("\n".join(crawl.notes))
    assert not failures, "\n".join(failures[:50])
    for visitor in visitors:
        visited = visitor.visits["pages"] + visitor.visits["downloads"]
        assert visited > MIN_VISITS, f"{visitor.label} visited only {visited}"
        # Every visitor tried the three disclosure pages (a 404 for most).
        assert visitor.visits["disclosures"] >= len(DISCLOSURE_PAGES), visitor.label
    roles = {v.person.role for v in visitors if v.person}
    assert roles == set(Person.objects.values_list("role", flat=True))
    kept.refresh_from_db()
    withdrawn.refresh_from_db()
    assert kept.withdrawn_at is None and withdrawn.withdrawn_at is not None
