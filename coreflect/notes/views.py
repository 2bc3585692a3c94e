"""The notes pages of the two people a one-to-one belongs to: the list of notes to write,
answer and read; a session's notes with its preparation; writing, sharing, answering,
tracked changes and comments. Every address answers 404 to anyone else (notes/access.py)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from coreflect.audit.actions import record_read
from coreflect.audit.models import NotesAccess, ReadHow
from coreflect.authorization import person_of
from coreflect.forms import NHSFormMixin
from coreflect.notes import access, actions, register, rules
from coreflect.notes.access import Seat
from coreflect.notes.forms import (
    ActionForm,
    ActionStateForm,
    CommentForm,
    MoveForm,
    NotesForm,
    OwnIds,
    ShareWithForm,
    TopicForm,
    note_text,
)
from coreflect.notes.models import (
    OWN_SUPERVISION_PARTS,
    TEXT_FIELDS,
    Action,
    ActionState,
    CaseloadEntry,
    Notes,
    NotesShare,
    NotesState,
    NotesVersion,
    OwnSupervisionItem,
    PeerValue,
    ReflectiveModel,
    VersionKind,
    label_of,
)
from coreflect.notes.models_in_use import default_model, model_for
from coreflect.notes.retention import retention_of
from coreflect.people.models import Person
from coreflect.policy.models import PolicySettings
from coreflect.supervision.access import supervises_anyone
from coreflect.supervision.models import Session, SessionKind, SupervisionRelationship

STALE_MESSAGE = (
    "These notes changed since you opened them. Your changes were not saved; here is the "
    "current version."
)

LIST_LIMIT = 100
# The latest reads of a set of notes shown to its supervisee; the count says how many in all.
READS_SHOWN = 20


def _deadlines(*people: Person) -> register.Deadlines:
    """The policy's deadlines, with the agreed turnaround of these people's relationships (the
    sessions a page shows are theirs)."""
    return register.Deadlines.of(PolicySettings.objects.current(), people=[p.pk for p in people])


def _me(request: HttpRequest) -> Person:
    me = person_of(request.user)
    if me is None or not access.may_have_notes(request.user):
        raise Http404("No such page")
    return me


# The list.


def notes_list(request: HttpRequest) -> HttpResponse:
    """What each of the two has to do: the supervisor's notes to write and answers awaited,
    the supervisee's notes to review, and every one-to-one's notes of theirs."""
    me = _me(request)
    today = timezone.localdate()
    deadlines = _deadlines(me)
    held = register.held_one_to_ones(today).select_related("lead")
    as_supervisor = (
        held.filter(lead=me)
        .exclude(notes__state__in=[NotesState.ACCEPTED])
        .order_by("date", "pk")[:LIST_LIMIT]
    )
    mine = held.filter(attendance__person=me).order_by("-date", "-pk")[:LIST_LIMIT]
    sessions = [*as_supervisor, *mine]
    entries = {
        e.session_id: e
        for e in register.entries(
            Session.objects.filter(pk__in=[s.pk for s in sessions]),
            as_of=today,
            deadlines=deadlines,
        )
    }
    names = dict(
        Person.objects.filter(pk__in={e.supervisee_id for e in entries.values()}).values_list(
            "pk", "name"
        )
    )
    rows_supervising = [_row(s, entries[s.pk], names) for s in as_supervisor]
    rows_mine = [_row(s, entries[s.pk], names) for s in mine]
    shared_with_me = list(
        NotesShare.objects.filter(reader=me, withdrawn_at__isnull=True)
        .select_related("notes__session__lead")
        .order_by("-notes__session__date")[:LIST_LIMIT]
    )
    return render(
        request,
        "notes/list.html",
        {
            "to_write": [
                r for r in rows_supervising if r["clock"].state in rules.SUPERVISOR_WRITES
            ],
            "awaiting": [r for r in rows_supervising if r["clock"].state == NotesState.SHARED],
            "to_review": [r for r in rows_mine if r["clock"].state == NotesState.SHARED],
            "mine": rows_mine,
            "shared_with_me": shared_with_me,
            "supervises": supervises_anyone(me, on=today) or bool(rows_supervising),
            "deadlines": deadlines,
        },
    )


def _row(session: Session, entry: register.Entry, names: dict[int, str]) -> dict[str, Any]:
    return {
        "session": session,
        "clock": entry.clock,
        "state_label": NotesState(entry.clock.state).label,
        "supervisee_name": names.get(entry.supervisee_id, ""),
    }


# One session's notes.


def _clock(seat: Seat) -> rules.Clock | None:
    entry = register.for_sessions(
        [seat.session.pk], as_of=timezone.localdate(), deadlines=_deadlines(seat.supervisee)
    ).get(seat.session.pk)
    return entry.clock if entry else None


def _model_for(seat: Seat, version: NotesVersion | None) -> ReflectiveModel:
    """The reflective model of these notes: the one they were written with, else the one the
    two agreed for their supervision, else the organisation's default."""
    if version is not None and version.reflective_model is not None:
        return version.reflective_model
    relationship = (
        SupervisionRelationship.objects.current(seat.session.date)
        .peer_work()
        .filter(supervisor=seat.session.lead, supervisee=seat.supervisee)
        .first()
    )
    return model_for(relationship) if relationship is not None else default_model()


def _earlier_sessions(seat: Seat) -> list[Session]:
    """Earlier one-to-ones of the same two people, latest first."""
    return list(
        Session.objects.filter(
            kind=SessionKind.ONE_TO_ONE,
            lead=seat.session.lead,
            attendance__person=seat.supervisee,
            cancelled_at__isnull=True,
        )
        .filter(Q(date__lt=seat.session.date) | Q(date=seat.session.date, pk__lt=seat.session.pk))
        .select_related("notes")
        .order_by("-date", "-pk")[:12]
    )


def session_notes(request: HttpRequest, pk: int) -> HttpResponse:
    seat = access.seat_at(request.user, pk)
    notes = seat.notes
    versions = access.readable_versions(seat)
    current = versions[-1] if versions else None
    context: dict[str, Any] = {
        "seat": seat,
        "session": seat.session,
        "notes": notes,
        "state": notes.state if notes else NotesState.NOT_WRITTEN,
        "state_label": (notes.get_state_display() if notes else NotesState.NOT_WRITTEN.label),
        "current": current,
        "fields": _display(current),
        "reflection": _reflection(current),
        "versions": versions,
        "clock": _clock(seat),
        "version_number": notes.version if notes else 0,
    }
    if seat.party is not None:
        context.update(_preparation(seat))
        context.update(_working(seat, notes, current))
        context.update(_own_supervision(seat, current))
        if notes is not None:
            years = PolicySettings.objects.current().retention_years
            context["retention"] = retention_of(notes, years)
    with transaction.atomic():
        _record_page_reads(request, seat, context)
        if seat.is_supervisee and notes is not None:
            context.update(_reads_of(notes))
        return render(request, "notes/session.html", context)


# Every read of note content is recorded (spec §5): one access record per set of notes whose
# content a response shows, written only once the reader has passed the access checks.


def read(
    request: HttpRequest,
    seat: Seat,
    notes: Notes,
    how: ReadHow,
    version: int | None,
    compared_with: int | None = None,
) -> None:
    """One access record: this reader read this set of notes (at this version), this way."""
    if not isinstance(request.user, User):  # a seat is only ever a signed-in person's
        raise Http404("No such notes")
    record_read(
        by=request.user,
        person=seat.me,
        notes_pk=notes.pk,
        session_pk=notes.session_id,
        version=version,
        how=how,
        compared_with=compared_with,
    )


def _record_page_reads(request: HttpRequest, seat: Seat, context: dict[str, Any]) -> None:
    """The notes page reads these notes when it shows a version, their agreed actions or the
    topics brought, and reads an earlier set of the two's notes when it shows them at hand:
    last time's text, or an action still open from them. (Topics brought before any notes
    exist are the session's, with no notes to name: not recorded.)"""
    notes, current = context["notes"], context["current"]
    shows = current is not None or context.get("actions_here") or context.get("topics")
    if notes is not None and shows:
        read(request, seat, notes, ReadHow.PAGE, current.number if current else None)
    earlier: dict[int, tuple[Notes, int | None]] = {}
    last_version = context.get("last_version")
    if last_version is not None:
        earlier[last_version.notes_id] = (last_version.notes, last_version.number)
    for item in context.get("open_actions", []):
        earlier.setdefault(item.notes_id, (item.notes, None))
    for shown, number in earlier.values():
        read(request, seat, shown, ReadHow.AT_HAND, number)


def _reads_of(notes: Notes) -> dict[str, Any]:
    """Who has opened these notes and when, latest first: for the supervisee."""
    reads = NotesAccess.objects.filter(notes_pk=notes.pk)
    return {"reads": list(reads[:READS_SHOWN]), "reads_count": reads.count()}


def _display(version: NotesVersion | None) -> list[tuple[str, str]]:
    """(label, text) of each template field of a version, for reading."""
    if version is None:
        return []
    fields = [(label_of(name), getattr(version, name)) for name in TEXT_FIELDS]
    agreed = version.get_last_notes_agreed_display() if version.last_notes_agreed else ""
    fields.insert(2, ("Were the last notes agreed?", agreed))
    return fields


def _reflection(version: NotesVersion | None) -> dict[str, Any] | None:
    if version is None or version.reflective_model is None:
        return None
    prompts = version.reflective_model.prompts
    answers = list(version.reflection) + [""] * (len(prompts) - len(version.reflection))
    return {
        "model": version.reflective_model,
        "answers": [(p["heading"], a) for p, a in zip(prompts, answers, strict=False)],
        "values": [label for value, label in PeerValue.choices if value in version.values],
    }


def _preparation(seat: Seat) -> dict[str, Any]:
    """What the two have at hand: the topics either brought, last time's notes, the actions
    still open, and earlier notes left unanswered past their deadline."""
    earlier = _earlier_sessions(seat)
    last = next((s for s in earlier if getattr(s, "notes", None)), None)
    last_version = None
    if last is not None:
        last_seat = Seat(last, seat.supervisee, seat.me, seat.party)
        readable = access.readable_versions(last_seat)
        last_version = readable[-1] if readable else None
    open_actions = list(
        Action.objects.filter(
            notes__session__in=[s.pk for s in earlier], state=ActionState.OPEN
        ).select_related("notes__session")
    )
    unanswered = [
        entry
        for entry in register.for_sessions(
            [s.pk for s in earlier],
            as_of=timezone.localdate(),
            deadlines=_deadlines(seat.supervisee),
        ).values()
        if entry.clock.response_overdue
    ]
    return {
        "topics": list(seat.session.topics.select_related("author")),
        "topic_form": TopicForm(),
        "last_session": last,
        "last_version": last_version,
        "last_fields": _display(last_version),
        "open_actions": open_actions,
        "unanswered": unanswered,
        "action_state_choices": ActionState.choices,
    }


def _working(seat: Seat, notes: Notes | None, current: NotesVersion | None) -> dict[str, Any]:
    state = notes.state if notes else NotesState.NOT_WRITTEN
    moves = rules.next_states(state, seat.party)
    comments = list(current.comments.select_related("author")) if current else []
    proposal = None
    if notes is not None and seat.is_supervisor:
        proposal = notes.versions.filter(kind=VersionKind.PROPOSED).order_by("-number").first()
    later_supervisors = _later_supervisors(seat) if seat.is_supervisee and notes is not None else []
    return {
        "may_write": seat.is_supervisor and state in rules.SUPERVISOR_WRITES and seat.held,
        "may_share": "shared" in moves and notes is not None,
        "may_answer": seat.is_supervisee and state == NotesState.SHARED,
        "may_add_action": seat.is_supervisor
        and notes is not None
        and state in rules.SUPERVISOR_WRITES,
        "action_form": ActionForm(initial={"version": notes.version if notes else 0}),
        "actions_here": list(notes.actions.all()) if notes else [],
        "comments": comments,
        "comment_form": CommentForm() if seat.is_supervisee and current else None,
        "proposal": proposal,
        "shares": list(notes.shares.filter(withdrawn_at__isnull=True).select_related("reader"))
        if notes is not None and seat.is_supervisee
        else [],
        "share_form": ShareWithForm(readers=later_supervisors) if later_supervisors else None,
        "held": seat.held,
    }


def _later_supervisors(seat: Seat) -> Any:
    """The supervisee's peer work supervisors now, other than the one who held the session."""
    current = SupervisionRelationship.objects.current(timezone.localdate()).peer_work()
    return Person.objects.filter(
        pk__in=current.filter(supervisee=seat.supervisee).values("supervisor")
    ).exclude(pk=seat.session.lead_id)


def write(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor writes or revises the notes; the supervisee suggests changes by editing
    the shared notes (their edit becomes a new version, shown as tracked changes)."""
    seat = access.seat_of_party(request.user, pk)
    notes = seat.notes
    state = notes.state if notes else NotesState.NOT_WRITTEN
    if seat.is_supervisor and (state not in rules.SUPERVISOR_WRITES or not seat.held):
        messages.info(request, "These notes cannot be changed now.")
        return redirect("notes:session", pk=pk)
    if seat.is_supervisee and state != NotesState.SHARED:
        messages.info(request, "You can suggest changes while the notes wait for your answer.")
        return redirect("notes:session", pk=pk)
    versions = access.readable_versions(seat)
    latest = versions[-1] if versions else None
    model = _model_for(seat, latest)
    caseload = (
        CaseloadEntry.objects.filter(owner=seat.supervisee)
        .filter(Q(archived_on__isnull=True) | Q(notes=notes))
        .distinct()
        if seat.is_supervisor
        else None
    )
    initial = {**NotesForm.initial_from(latest), "version": notes.version if notes else 0}
    if notes is not None and seat.is_supervisor:
        initial["caseload"] = list(notes.caseload.all())
    form = NotesForm(request.POST or None, model=model, caseload=caseload, initial=initial)
    if request.method != "POST" and notes is not None and latest is not None:
        # The form opens filled with the latest version's text: a read.
        read(request, seat, notes, ReadHow.WRITE, latest.number)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            if seat.is_supervisor:
                actions.save_draft(
                    by=request.user,  # type: ignore[arg-type]
                    seat=seat,
                    version=form.cleaned_data["version"],
                    content=form.content(),
                    caseload=form.people_discussed(),
                )
                messages.success(request, "Notes saved as a draft. Share them when ready.")
            else:
                actions.propose_changes(
                    by=request.user,  # type: ignore[arg-type]
                    seat=seat,
                    version=form.cleaned_data["version"],
                    content=form.content(),
                )
                messages.success(
                    request, "Your changes were sent to your supervisor as tracked changes."
                )
            return redirect("notes:session", pk=pk)
        except actions.StaleEdit:
            stale = True
        except actions.Refused as refused:
            form.add_error(None, str(refused))
    return render(
        request,
        "notes/write.html",
        {
            "seat": seat,
            "session": seat.session,
            "form": form,
            "stale": STALE_MESSAGE if stale else "",
        },
    )


@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Share (the supervisor), accept or ask to review together (the supervisee)."""
    seat = access.seat_of_party(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise Http404("No such move")
    to, version = form.cleaned_data["to"], form.cleaned_data["version"]
    try:
        if to == NotesState.SHARED:
            actions.share(by=request.user, seat=seat, version=version)  # type: ignore[arg-type]
            messages.success(request, f"Notes shared with {seat.supervisee.name}.")
        else:
            actions.answer(by=request.user, seat=seat, version=version, to=to)  # type: ignore[arg-type]
            messages.success(
                request,
                "Thank you: the notes are accepted."
                if to == NotesState.ACCEPTED
                else "Your supervisor will go through the notes with you.",
            )
    except actions.StaleEdit:
        messages.error(request, STALE_MESSAGE)
    except actions.Refused as refused:
        messages.error(request, str(refused))
    return redirect("notes:session", pk=pk)


def _version_of(seat: Seat, number: int) -> NotesVersion:
    for version in access.readable_versions(seat):
        if version.number == number:
            return version
    raise Http404("No such version")


def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version as it was, with the supervisee's comments on it."""
    seat = access.seat_at(request.user, pk)
    shown = _version_of(seat, number)
    form = CommentForm(request.POST or None) if seat.is_supervisee else None
    if request.method == "POST":
        if form is None:
            raise Http404("No such page")
        if form.is_valid():
            actions.add_comment(
                by=request.user,  # type: ignore[arg-type]
                seat=seat,
                version=shown,
                text=form.cleaned_data["text"],
            )
            messages.success(request, "Comment added.")
            return redirect("notes:version", pk=pk, number=number)
    read(request, seat, shown.notes, ReadHow.VERSION, shown.number)
    return render(
        request,
        "notes/version.html",
        {
            "seat": seat,
            "session": seat.session,
            "shown": shown,
            "fields": _display(shown),
            "reflection": _reflection(shown),
            # The supervisee's comments are for the two; a later supervisor reads the notes only.
            "comments": (
                list(shown.comments.select_related("author")) if seat.party is not None else []
            ),
            "comment_form": form,
            **(_own_supervision(seat, shown, only=shown) if seat.party is not None else {}),
        },
    )


def compare(request: HttpRequest, pk: int, old: int, new: int) -> HttpResponse:
    """Tracked changes: the words taken out of one version and put into another."""
    seat = access.seat_at(request.user, pk)
    before, after = _version_of(seat, old), _version_of(seat, new)
    changes = []
    for (label, old_text), (_, new_text) in zip(_display(before), _display(after), strict=True):
        pieces = rules.compare_words(old_text, new_text)
        changes.append(
            {"label": label, "pieces": pieces, "changed": any(p.op != "same" for p in pieces)}
        )
    old_reflection, new_reflection = _reflection(before), _reflection(after)
    if old_reflection and new_reflection:
        for (heading, a), (_, b) in zip(
            old_reflection["answers"], new_reflection["answers"], strict=False
        ):
            pieces = rules.compare_words(a, b)
            changes.append(
                {"label": heading, "pieces": pieces, "changed": any(p.op != "same" for p in pieces)}
            )
    # One read of both versions: the newer is the version read, the older what it is compared to.
    read(request, seat, after.notes, ReadHow.COMPARE, after.number, compared_with=before.number)
    return render(
        request,
        "notes/compare.html",
        {
            "seat": seat,
            "session": seat.session,
            "before": before,
            "after": after,
            "changes": changes,
        },
    )


@require_POST
def add_topic(request: HttpRequest, pk: int) -> HttpResponse:
    seat = access.seat_of_party(request.user, pk)
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            actions.add_topic(by=request.user, seat=seat, text=form.cleaned_data["text"])  # type: ignore[arg-type]
            messages.success(request, "Topic added.")
        except actions.Refused as refused:
            messages.error(request, str(refused))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors["text"]))
    return redirect("notes:session", pk=pk)


@require_POST
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    seat = access.seat_of_party(request.user, pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_action(
                by=request.user,  # type: ignore[arg-type]
                seat=seat,
                version=data["version"],
                text=data["text"],
                owner=data["owner"],
                due=data["due"],
            )
            messages.success(request, "Action added.")
        except actions.StaleEdit:
            messages.error(request, STALE_MESSAGE)
        except actions.Refused as refused:
            messages.error(request, str(refused))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("notes:session", pk=pk)


@require_POST
def action_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Either of the two marks an action done, dropped or open again."""
    try:
        item = Action.objects.select_related("notes__session").get(pk=pk)
    except Action.DoesNotExist:
        raise Http404("No such action") from None
    seat = access.seat_of_party(request.user, item.notes.session_id)
    back = request.POST.get("back")
    form = ActionStateForm(request.POST)
    if form.is_valid():
        try:
            actions.close_action(
                by=request.user,  # type: ignore[arg-type]
                action=item,
                state=form.cleaned_data["state"],
                version=form.cleaned_data["version"],
            )
            messages.success(request, f"Action marked {item.get_state_display().lower()}.")
        except actions.StaleEdit:
            messages.error(request, "That action changed since you opened the page; try again.")
    target = int(back) if back and back.isdigit() else seat.session.pk
    # Back to the page it was changed from, if that is a session of the same two.
    if target != seat.session.pk:
        try:
            access.seat_of_party(request.user, target)
        except Http404:
            target = seat.session.pk
    return redirect("notes:session", pk=target)


@require_POST
def share_with(request: HttpRequest, pk: int) -> HttpResponse:
    seat = access.seat_of_party(request.user, pk)
    if not seat.is_supervisee or seat.notes is None:
        raise Http404("No such page")
    form = ShareWithForm(request.POST, readers=_later_supervisors(seat))
    if form.is_valid():
        actions.share_with(by=request.user, seat=seat, reader=form.cleaned_data["reader"])  # type: ignore[arg-type]
        messages.success(request, f"{form.cleaned_data['reader'].name} can now read these notes.")
    return redirect("notes:session", pk=pk)


@require_POST
def withdraw_share(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    seat = access.seat_of_party(request.user, pk)
    if not seat.is_supervisee or seat.notes is None:
        raise Http404("No such page")
    try:
        granted = seat.notes.shares.get(pk=share_pk, withdrawn_at__isnull=True)
    except NotesShare.DoesNotExist:
        raise Http404("No such share") from None
    actions.withdraw_share(by=request.user, seat=seat, share=granted)  # type: ignore[arg-type]
    messages.success(request, f"{granted.reader.name} can no longer read these notes.")
    return redirect("notes:session", pk=pk)


# Items the supervisor takes to their own supervision (seed 000 Appendix 3). The marks are the
# two's: a later supervisor reading a share sees the notes, not what the earlier supervisor did
# with them in their own supervision.


class OwnSupervisionForm(OwnIds, NHSFormMixin, forms.Form):
    ids = "own_%s"
    version = forms.IntegerField(widget=forms.HiddenInput)
    part = forms.ChoiceField(label="Which part of the notes")
    note = note_text("What you will take (optional)", required=False, rows=2)
    back = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = _part_choices()  # type: ignore[attr-defined]


def _part_choices() -> list[tuple[str, str]]:
    return [(part, OwnSupervisionItem(part=part).part_label) for part in OWN_SUPERVISION_PARTS]


def _own_supervision(
    seat: Seat, current: NotesVersion | None, *, only: NotesVersion | None = None
) -> dict[str, Any]:
    """The marks of these notes (of one version, when only), for the two; the supervisor's
    form to mark a part of a version the supervisee can read."""
    notes = seat.notes
    if notes is None:
        return {"own_marks": [], "own_form": None}
    marks = notes.own_supervision.select_related("version", "marked_by")
    if only is not None:
        marks = marks.filter(version=only)
    may_mark = seat.is_supervisor and current is not None and current.kind != VersionKind.DRAFT
    return {
        "own_marks": list(marks),
        "own_form": OwnSupervisionForm(
            initial={"version": current.number, "back": only is not None}
        )
        if may_mark and current is not None
        else None,
    }


@require_POST
def own_supervision(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor marks a part of the notes as taken to their own supervision."""
    seat = access.seat_of_party(request.user, pk)
    if not seat.is_supervisor or seat.notes is None:
        raise Http404("No such page")
    form = OwnSupervisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a part of the notes to take to your supervision.")
        return redirect("notes:session", pk=pk)
    shown = _version_of(seat, form.cleaned_data["version"])
    try:
        item = actions.mark_for_own_supervision(
            by=request.user,  # type: ignore[arg-type]
            seat=seat,
            version=shown,
            part=form.cleaned_data["part"],
            note=form.cleaned_data["note"] or "",
        )
        messages.success(
            request,
            f"{item.part_label} of version {shown.number} marked to take to your own "
            f"supervision. {seat.supervisee.name} sees that you marked it.",
        )
    except actions.Refused as refused:
        messages.error(request, str(refused))
    if form.cleaned_data["back"]:
        return redirect("notes:version", pk=pk, number=shown.number)
    return redirect("notes:session", pk=pk)


@require_POST
def withdraw_own_supervision(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    seat = access.seat_of_party(request.user, pk)
    if not seat.is_supervisor or seat.notes is None:
        raise Http404("No such page")
    try:
        item = seat.notes.own_supervision.get(pk=item_pk)
    except OwnSupervisionItem.DoesNotExist:
        raise Http404("No such mark") from None
    actions.withdraw_own_supervision(by=request.user, seat=seat, item=item)  # type: ignore[arg-type]
    messages.success(request, f"{item.part_label} is no longer marked for your supervision.")
    if request.POST.get("back"):
        return redirect("notes:version", pk=pk, number=item.version.number)
    return redirect("notes:session", pk=pk)


urlpatterns: list[URLPattern] = [
    path("", notes_list, name="list"),
    path("session/<int:pk>/", session_notes, name="session"),
    path("session/<int:pk>/write/", write, name="write"),
    path("session/<int:pk>/move/", move, name="move"),
    path("session/<int:pk>/versions/<int:number>/", version, name="version"),
    path("session/<int:pk>/compare/<int:old>/<int:new>/", compare, name="compare"),
    path("session/<int:pk>/topics/", add_topic, name="add_topic"),
    path("session/<int:pk>/actions/", add_action, name="add_action"),
    path("actions/<int:pk>/", action_state, name="action_state"),
    path("session/<int:pk>/share/", share_with, name="share_with"),
    path("session/<int:pk>/share/<int:share_pk>/withdraw/", withdraw_share, name="withdraw_share"),
    path("session/<int:pk>/own-supervision/", own_supervision, name="own_supervision"),
    path(
        "session/<int:pk>/own-supervision/<int:item_pk>/withdraw/",
        withdraw_own_supervision,
        name="withdraw_own_supervision",
    ),
]
